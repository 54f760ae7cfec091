// Math ops through convert-tg-to-loops (scalar arith/math code in the loop body) and on
// to the llvm dialect (LLVM intrinsics, or libm calls where LLVM has no intrinsic).
// RUN: tg-opt %s -p convert-tg-to-loops --split-input-file | filecheck %s
// RUN: tg-opt %s -p convert-tg-to-loops,convert-scf-to-cf,convert-loops-to-llvm --split-input-file | filecheck %s --check-prefix=LLVM
// RUN: tg-opt %s -p convert-tg-to-loops,convert-scf-to-cf,convert-loops-to-llvm --split-input-file -t llvm | filecheck %s --check-prefix=LLVMIR

// A chain of math ops is one loop. erfc has no math op: it is a call of libm's erfcf,
// declared once in the module however often it is called.
// CHECK: builtin.module {
// CHECK-NEXT: llvm.func @erfcf(f32) -> f32
// CHECK-NOT: llvm.func @erfcf
// CHECK-LABEL: func.func @chain(
// CHECK-SAME: %[[X:[^:]+]]: memref<?xf32>, %[[OUT:[^:]+]]: memref<?xf32>, %status: memref<i32>) {
// CHECK-NOT: memref.alloc
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK-NEXT: %[[A:.+]] = memref.load %[[X]][%[[I]]] : memref<?xf32>
// CHECK-NEXT: %[[S:.+]] = math.sin %[[A]] : f32
// CHECK-NEXT: %[[F:.+]] = math.floor %[[S]] : f32
// CHECK-NEXT: %[[E:.+]] = llvm.call @erfcf(%[[F]]) : (f32) -> f32
// CHECK-NEXT: %[[E2:.+]] = llvm.call @erfcf(%[[E]]) : (f32) -> f32
// CHECK-NEXT: %[[R:.+]] = math.roundeven %[[E2]] : f32
// CHECK-NEXT: %[[R2:.+]] = math.round %[[R]] : f32
// CHECK-NEXT: memref.store %[[R2]], %[[OUT]][%[[I]]] : memref<?xf32>
// CHECK-NEXT: }
// CHECK-NEXT: func.return

// LLVM: llvm.func @erfcf(f32) -> f32
// LLVM-LABEL: llvm.func @chain(
// LLVM: %[[S:.+]] = llvm.call_intrinsic "llvm.sin.f32"(%{{.+}}) : (f32) -> f32
// LLVM-NEXT: %[[F:.+]] = llvm.call_intrinsic "llvm.floor.f32"(%[[S]]) : (f32) -> f32
// LLVM-NEXT: %[[E:.+]] = llvm.call @erfcf(%[[F]]) : (f32) -> f32
// LLVM-NEXT: %[[E2:.+]] = llvm.call @erfcf(%[[E]]) : (f32) -> f32
// LLVM-NEXT: %[[R:.+]] = llvm.call_intrinsic "llvm.roundeven.f32"(%[[E2]]) : (f32) -> f32
// LLVM-NEXT: llvm.call_intrinsic "llvm.round.f32"(%[[R]]) : (f32) -> f32
// LLVM-NOT: llvm.func @erfcf

// LLVMIR: declare float @{{"?}}erfcf{{"?}}(float
// LLVMIR: call float @{{"?}}llvm.sin.f32{{"?}}(float
// LLVMIR: call ccc float @{{"?}}erfcf{{"?}}(float
func.func @chain(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = tg.sin %x : tensor<?xf32>
  %1 = tg.floor %0 : tensor<?xf32>
  %2 = tg.erfc %1 : tensor<?xf32>
  %3 = tg.erfc %2 : tensor<?xf32>
  %4 = tg.round "half_to_even", %3 : tensor<?xf32>
  %5 = tg.round "half_away_from_zero", %4 : tensor<?xf32>
  func.return %5 : tensor<?xf32>
}

// -----

// Every float function: an LLVM intrinsic where LLVM has one, else a libm call (f64
// names) declared at the end of the module; erf, log1p and expm1 are tg's own
// polynomial code (tg.lowering.vector_math), with no call.
// LLVM-LABEL: llvm.func @functions(
// LLVM: llvm.call_intrinsic "llvm.cos.f64"
// LLVM: llvm.call_intrinsic "llvm.tan.f64"
// LLVM: llvm.call_intrinsic "llvm.asin.f64"
// LLVM: llvm.call_intrinsic "llvm.acos.f64"
// LLVM: llvm.call_intrinsic "llvm.atan.f64"
// LLVM: llvm.call_intrinsic "llvm.sinh.f64"
// LLVM: llvm.call_intrinsic "llvm.cosh.f64"
// LLVM: llvm.call @asinh(%{{.+}}) : (f64) -> f64
// LLVM: llvm.call @acosh(%{{.+}}) : (f64) -> f64
// LLVM: llvm.call @atanh(%{{.+}}) : (f64) -> f64
// LLVM-NOT: llvm.call @
// LLVM: llvm.call_intrinsic "llvm.log2.f64"
// LLVM: llvm.call_intrinsic "llvm.log10.f64"
// LLVM: llvm.call_intrinsic "llvm.exp2.f64"
// LLVM: llvm.call_intrinsic "llvm.ceil.f64"
// LLVM: llvm.call_intrinsic "llvm.trunc.f64"
// LLVM: llvm.call_intrinsic "llvm.atan2.f64"
// LLVM-DAG: llvm.func @acosh(f64) -> f64
// LLVM-DAG: llvm.func @asinh(f64) -> f64
// LLVM-DAG: llvm.func @atanh(f64) -> f64
// LLVM-NOT: llvm.func @erf(
// LLVM-NOT: llvm.func @expm1(
// LLVM-NOT: llvm.func @log1p(

// LLVMIR-DAG: declare double @{{"?}}asinh{{"?}}(double
// LLVMIR-DAG: declare double @{{"?}}llvm.atan2.f64{{"?}}(double
func.func @functions(%x: tensor<?xf64>) -> tensor<?xf64> {
  %0 = tg.cos %x : tensor<?xf64>
  %1 = tg.tan %0 : tensor<?xf64>
  %2 = tg.arcsin %1 : tensor<?xf64>
  %3 = tg.arccos %2 : tensor<?xf64>
  %4 = tg.arctan %3 : tensor<?xf64>
  %5 = tg.sinh %4 : tensor<?xf64>
  %6 = tg.cosh %5 : tensor<?xf64>
  %7 = tg.arcsinh %6 : tensor<?xf64>
  %8 = tg.arccosh %7 : tensor<?xf64>
  %9 = tg.arctanh %8 : tensor<?xf64>
  %10 = tg.erf %9 : tensor<?xf64>
  %11 = tg.log1p %10 : tensor<?xf64>
  %12 = tg.expm1 %11 : tensor<?xf64>
  %13 = tg.log2 %12 : tensor<?xf64>
  %14 = tg.log10 %13 : tensor<?xf64>
  %15 = tg.exp2 %14 : tensor<?xf64>
  %16 = tg.ceil %15 : tensor<?xf64>
  %17 = tg.trunc %16 : tensor<?xf64>
  %18 = tg.arctan2 %17, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %18 : tensor<?xf64>
}

// -----

// Integer floor division never divides by 0 or -1 (the hardware traps on x / 0 and on
// MIN / -1): the divisor becomes 1 there and the result is chosen after (0 for x // 0,
// the wrapped -x for x // -1).
// CHECK-LABEL: func.func @int_div(
// CHECK: %[[A:.+]] = memref.load
// CHECK-NEXT: %[[B:.+]] = memref.load
// CHECK-NEXT: %[[ZERO:.+]] = arith.constant 0 : i32
// CHECK-NEXT: %[[BY0:.+]] = arith.cmpi eq, %[[B]], %[[ZERO]] : i32
// CHECK-NEXT: %[[M1:.+]] = arith.constant -1 : i32
// CHECK-NEXT: %[[BYM1:.+]] = arith.cmpi eq, %[[B]], %[[M1]] : i32
// CHECK-NEXT: %[[UNSAFE:.+]] = arith.ori %[[BY0]], %[[BYM1]] : i1
// CHECK-NEXT: %[[ONE:.+]] = arith.constant 1 : i32
// CHECK-NEXT: %[[SAFE:.+]] = arith.select %[[UNSAFE]], %[[ONE]], %[[B]] : i32
// CHECK-NEXT: %[[Z:.+]] = arith.constant 0 : i32
// CHECK-NEXT: %[[Q:.+]] = arith.floordivsi %[[A]], %[[SAFE]] : i32
// CHECK-NEXT: %[[NEG:.+]] = arith.subi %[[Z]], %[[A]] : i32
// CHECK-NEXT: %[[Q1:.+]] = arith.select %[[BYM1]], %[[NEG]], %[[Q]] : i32
// CHECK-NEXT: %[[Q2:.+]] = arith.select %[[BY0]], %[[Z]], %[[Q1]] : i32
// CHECK-NEXT: memref.store %[[Q2]]

// floordivsi: the truncated quotient, one less where the remainder's sign differs
// from the divisor's.
// LLVM-LABEL: llvm.func @int_div(
// LLVM: %[[Q:.+]] = llvm.sdiv %[[A:.+]], %[[B:.+]] : i32
// LLVM-NEXT: %[[R:.+]] = llvm.srem %[[A]], %[[B]] : i32
// LLVM-NEXT: %[[NZ:.+]] = llvm.icmp "ne" %[[R]], %{{.+}} : i32
// LLVM-NEXT: %[[X:.+]] = llvm.xor %[[R]], %[[B]] : i32
// LLVM-NEXT: %[[DIFF:.+]] = llvm.icmp "slt" %[[X]], %{{.+}} : i32
// LLVM-NEXT: %[[ADJ:.+]] = llvm.and %[[NZ]], %[[DIFF]] : i1
// LLVM-NEXT: %[[ONE:.+]] = llvm.zext %[[ADJ]] : i1 to i32
// LLVM-NEXT: llvm.sub %[[Q]], %[[ONE]] : i32
func.func @int_div(%a: tensor<?xi32>, %b: tensor<?xi32>) -> tensor<?xi32> {
  %0 = tg.int_div %a, %b : (tensor<?xi32>, tensor<?xi32>) -> tensor<?xi32>
  func.return %0 : tensor<?xi32>
}

// -----

// Integer remainder: srem by the safe divisor, moved by the divisor where the signs
// differ; 0 for x % 0.
// CHECK-LABEL: func.func @int_mod(
// CHECK: %[[REM:.+]] = arith.remsi %{{.+}}, %{{.+}} : i64
// CHECK-NEXT: %[[NZ:.+]] = arith.cmpi ne, %[[REM]], %{{.+}} : i64
// CHECK-NEXT: %[[XOR:.+]] = arith.xori %[[REM]], %[[B:.+]] : i64
// CHECK-NEXT: %[[DIFF:.+]] = arith.cmpi slt, %[[XOR]], %{{.+}} : i64
// CHECK-NEXT: %[[ADJ:.+]] = arith.andi %[[NZ]], %[[DIFF]] : i1
// CHECK-NEXT: %[[SUM:.+]] = arith.addi %[[REM]], %[[B]] : i64
// CHECK-NEXT: %[[MOVED:.+]] = arith.select %[[ADJ]], %[[SUM]], %[[REM]] : i64
// CHECK-NEXT: arith.select %{{.+}}, %{{.+}}, %[[MOVED]] : i64

// LLVM-LABEL: llvm.func @int_mod(
// LLVM: llvm.srem %{{.+}}, %{{.+}} : i64
func.func @int_mod(%a: tensor<?xi64>, %b: tensor<1xi64>) -> tensor<?xi64> {
  %0 = tg.mod %a, %b : (tensor<?xi64>, tensor<1xi64>) -> tensor<?xi64>
  func.return %0 : tensor<?xi64>
}

// -----

// Float remainder and floor division follow numpy's divmod: C's fmod (llvm.frem), moved
// by the divisor to take its sign, a zero taking the divisor's sign.
// CHECK-LABEL: func.func @float_mod(
// CHECK: %[[A:.+]] = memref.load
// CHECK-NEXT: %[[B:.+]] = memref.load
// CHECK-NEXT: %[[REM:.+]] = llvm.frem %[[A]], %[[B]] : f32
// CHECK-NEXT: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[NZ:.+]] = arith.cmpf une, %[[REM]], %[[ZERO]] : f32
// CHECK-NEXT: %[[BNEG:.+]] = arith.cmpf olt, %[[B]], %[[ZERO]] : f32
// CHECK-NEXT: %[[RNEG:.+]] = arith.cmpf olt, %[[REM]], %[[ZERO]] : f32
// CHECK-NEXT: %[[DIFF:.+]] = arith.xori %[[BNEG]], %[[RNEG]] : i1
// CHECK-NEXT: %[[ADJ:.+]] = arith.andi %[[NZ]], %[[DIFF]] : i1
// CHECK-NEXT: %[[SUM:.+]] = arith.addf %[[REM]], %[[B]] : f32
// CHECK-NEXT: %[[MOVED:.+]] = arith.select %[[ADJ]], %[[SUM]], %[[REM]] : f32
// CHECK-NEXT: %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[SZ:.+]] = math.copysign %[[Z]], %[[B]] : f32
// CHECK-NEXT: %[[M:.+]] = arith.select %[[NZ]], %[[MOVED]], %[[SZ]] : f32
// CHECK-NEXT: memref.store %[[M]]
// CHECK: llvm.frem
// CHECK: math.floor
// CHECK: math.copysign
// CHECK: arith.cmpf oeq

// LLVM-LABEL: llvm.func @float_mod(
// LLVM: llvm.frem %{{.+}}, %{{.+}} : f32
// LLVM: llvm.call_intrinsic "llvm.copysign.f32"
// LLVM: llvm.frem %{{.+}}, %{{.+}} : f32
// LLVM: llvm.call_intrinsic "llvm.floor.f32"

// LLVMIR: frem float
func.func @float_mod(%a: tensor<?xf32>, %b: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %0 = tg.mod %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %1 = tg.int_div %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %0, %1 : tensor<?xf32>, tensor<?xf32>
}

// -----

// Logical ops on booleans are i1 bit operations; ~ is xor with all ones.
// CHECK-LABEL: func.func @logical(
// CHECK: %[[P:.+]] = memref.load
// CHECK-NEXT: %[[Q:.+]] = memref.load
// CHECK-NEXT: %[[AND:.+]] = arith.andi %[[P]], %[[Q]] : i1
// CHECK-NEXT: %[[OR:.+]] = arith.ori %[[AND]], %[[Q]] : i1
// CHECK-NEXT: %[[XOR:.+]] = arith.xori %[[OR]], %[[P]] : i1
// CHECK-NEXT: %[[TRUE:.+]] = arith.constant true
// CHECK-NEXT: %[[NOT:.+]] = arith.xori %[[XOR]], %[[TRUE]] : i1
// CHECK-NEXT: memref.store %[[NOT]]
// CHECK: %[[I:.+]] = memref.load
// CHECK-NEXT: %[[ONES:.+]] = arith.constant -1 : i16
// CHECK-NEXT: arith.xori %[[I]], %[[ONES]] : i16

// LLVM-LABEL: llvm.func @logical(
// LLVM: llvm.and %{{.+}}, %{{.+}} : i1
// LLVM-NEXT: llvm.or %{{.+}}, %{{.+}} : i1
// LLVM-NEXT: llvm.xor %{{.+}}, %{{.+}} : i1
func.func @logical(%p: tensor<?xi1>, %q: tensor<?xi1>, %i: tensor<?xi16>) -> (tensor<?xi1>, tensor<?xi16>) {
  %0 = tg.and %p, %q : (tensor<?xi1>, tensor<?xi1>) -> tensor<?xi1>
  %1 = tg.or %0, %q : (tensor<?xi1>, tensor<?xi1>) -> tensor<?xi1>
  %2 = tg.xor %1, %p : (tensor<?xi1>, tensor<?xi1>) -> tensor<?xi1>
  %3 = tg.invert %2 : tensor<?xi1>
  %4 = tg.invert %i : tensor<?xi16>
  func.return %3, %4 : tensor<?xi1>, tensor<?xi16>
}

// -----

// isnan is an unordered self-comparison, isinf compares |x| with inf; integers are
// never either (a constant; LLVM drops the dead load).
// CHECK-LABEL: func.func @predicates(
// CHECK: %[[X:.+]] = memref.load
// CHECK-NEXT: %[[NAN:.+]] = arith.cmpf uno, %[[X]], %[[X]] : f64
// CHECK-NEXT: memref.store %[[NAN]]
// CHECK: %[[Y:.+]] = memref.load
// CHECK-NEXT: %[[ABS:.+]] = math.absf %[[Y]] : f64
// CHECK-NEXT: %[[INF:.+]] = arith.constant 0x7ff0000000000000 : f64
// CHECK-NEXT: %[[ISINF:.+]] = arith.cmpf oeq, %[[ABS]], %[[INF]] : f64
// CHECK-NEXT: memref.store %[[ISINF]]
// CHECK: scf.for
// CHECK-NEXT: memref.load %{{.+}} : memref<?xi32>
// CHECK-NEXT: %[[FALSE:.+]] = arith.constant false
// CHECK-NEXT: memref.store %[[FALSE]]
func.func @predicates(%x: tensor<?xf64>, %i: tensor<?xi32>) -> (tensor<?xi1>, tensor<?xi1>, tensor<?xi1>) {
  %0 = tg.isnan %x : tensor<?xf64> -> tensor<?xi1>
  %1 = tg.isinf %x : tensor<?xf64> -> tensor<?xi1>
  %2 = tg.isnan %i : tensor<?xi32> -> tensor<?xi1>
  func.return %0, %1, %2 : tensor<?xi1>, tensor<?xi1>, tensor<?xi1>
}

// -----

// clip compares as numpy does (NaN in x or a bound propagates); integers use max/min.
// CHECK-LABEL: func.func @clip(
// CHECK: %[[X:.+]] = memref.load
// CHECK-NEXT: %[[LO:.+]] = memref.load
// CHECK-NEXT: %[[HI:.+]] = memref.load
// CHECK-NEXT: %[[XNAN:.+]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK-NEXT: %[[ABOVE:.+]] = arith.cmpf ogt, %[[X]], %[[LO]] : f32
// CHECK-NEXT: %[[KEEPX:.+]] = arith.ori %[[XNAN]], %[[ABOVE]] : i1
// CHECK-NEXT: %[[RAISED:.+]] = arith.select %[[KEEPX]], %[[X]], %[[LO]] : f32
// CHECK-NEXT: %[[RNAN:.+]] = arith.cmpf uno, %[[RAISED]], %[[RAISED]] : f32
// CHECK-NEXT: %[[BELOW:.+]] = arith.cmpf olt, %[[RAISED]], %[[HI]] : f32
// CHECK-NEXT: %[[KEEPR:.+]] = arith.ori %[[RNAN]], %[[BELOW]] : i1
// CHECK-NEXT: %[[R:.+]] = arith.select %[[KEEPR]], %[[RAISED]], %[[HI]] : f32
// CHECK-NEXT: memref.store %[[R]]
// CHECK: %[[MAX:.+]] = arith.maxsi %{{.+}}, %{{.+}} : i8
// CHECK-NEXT: arith.minsi %[[MAX]], %{{.+}} : i8
func.func @clip(%x: tensor<?xf32>, %lo: tensor<1xf32>, %hi: tensor<?xf32>, %i: tensor<?xi8>) -> (tensor<?xf32>, tensor<?xi8>) {
  %0 = tg.clip %x, %lo, %hi : (tensor<?xf32>, tensor<1xf32>, tensor<?xf32>) -> tensor<?xf32>
  %1 = tg.clip %i, %i, %i : (tensor<?xi8>, tensor<?xi8>, tensor<?xi8>) -> tensor<?xi8>
  func.return %0, %1 : tensor<?xf32>, tensor<?xi8>
}

// -----

// sgn: 1 above zero, -1 below, else +0.0 (for ±0.0) or the NaN itself; sqr is x * x;
// reciprocal is 1 / x.
// CHECK-LABEL: func.func @sign(
// CHECK: %[[X:.+]] = memref.load
// CHECK-NEXT: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[MONE:.+]] = arith.constant -1.000000e+00 : f32
// CHECK-NEXT: %[[POS:.+]] = arith.cmpf ogt, %[[X]], %[[ZERO]] : f32
// CHECK-NEXT: %[[NEG:.+]] = arith.cmpf olt, %[[X]], %[[ZERO]] : f32
// CHECK-NEXT: %[[NAN:.+]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK-NEXT: %[[REST:.+]] = arith.select %[[NAN]], %[[X]], %[[ZERO]] : f32
// CHECK-NEXT: %[[LOW:.+]] = arith.select %[[NEG]], %[[MONE]], %[[REST]] : f32
// CHECK-NEXT: %[[SGN:.+]] = arith.select %[[POS]], %[[ONE]], %[[LOW]] : f32
// CHECK-NEXT: %[[SQR:.+]] = arith.mulf %[[SGN]], %[[SGN]] : f32
// CHECK-NEXT: %[[C1:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[INV:.+]] = arith.divf %[[C1]], %[[SQR]] : f32
// CHECK-NEXT: memref.store %[[INV]]
// CHECK: %[[I:.+]] = memref.load
// CHECK: arith.cmpi sgt, %[[I]]
// CHECK-NEXT: arith.cmpi slt, %[[I]]
// CHECK-NEXT: %[[LOW:.+]] = arith.select %{{.+}}, %{{.+}}, %{{.+}} : i32
// CHECK-NEXT: %[[S:.+]] = arith.select %{{.+}}, %{{.+}}, %[[LOW]] : i32
// CHECK-NEXT: arith.muli %[[S]], %[[S]] : i32
func.func @sign(%x: tensor<?xf32>, %i: tensor<?xi32>) -> (tensor<?xf32>, tensor<?xi32>) {
  %0 = tg.sgn %x : tensor<?xf32>
  %1 = tg.sqr %0 : tensor<?xf32>
  %2 = tg.reciprocal %1 : tensor<?xf32>
  %3 = tg.sgn %i : tensor<?xi32>
  %4 = tg.sqr %3 : tensor<?xi32>
  func.return %2, %4 : tensor<?xf32>, tensor<?xi32>
}
