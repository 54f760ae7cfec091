// tg's own exp, log, tanh, sigmoid, softplus, log1p, expm1 and erf (tg.lowering.vector_math)
// lower to arith code in the loop body: range reduction, polynomial and selects, with no
// math op and no libm call, so that LLVM vectorizes the loop.
// RUN: tg-opt %s -p convert-tg-to-loops --split-input-file | filecheck %s
// RUN: tg-opt %s -p convert-tg-to-loops,convert-scf-to-cf,convert-loops-to-llvm --split-input-file | filecheck %s --check-prefix=LLVM

// exp: x clamped to [-104, 89] (NaN kept), k = round(x / ln2) by adding 1.5 * 2^23 (k lands
// in the low bits), r = x - k ln2 in two parts, p = 1 + r + r^2 q(r), then p * 2^(k/2) *
// 2^(k - k/2), each power of two built from its exponent bits.
// CHECK-LABEL: func.func @exp(
// CHECK-NOT: math.
// CHECK: scf.for
// CHECK-NEXT: %[[X:.+]] = memref.load
// CHECK-NEXT: %[[LO:.+]] = arith.constant -1.040000e+02 : f32
// CHECK-NEXT: %[[BELOW:.+]] = arith.cmpf olt, %[[X]], %[[LO]] : f32
// CHECK-NEXT: arith.select %[[BELOW]], %[[LO]], %[[X]] : f32
// CHECK: %[[SHIFT:.+]] = arith.constant 0x4B400000 : f32
// CHECK: %[[SHIFTED:.+]] = arith.addf %{{.+}}, %[[SHIFT]] fastmath<contract> : f32
// CHECK: arith.bitcast %[[SHIFTED]] : f32 to i32
// CHECK: arith.shrui
// CHECK: arith.bitcast %{{.+}} : i32 to f32
// CHECK: %[[POWER:.+]] = arith.bitcast %{{.+}} : i32 to f32
// CHECK: %[[PARTIAL:.+]] = arith.mulf %{{.+}}, %{{.+}} : f32
// CHECK-NEXT: %[[E:.+]] = arith.mulf %[[PARTIAL]], %[[POWER]] : f32
// CHECK-NEXT: memref.store %[[E]]
// CHECK-NOT: math.
// CHECK: func.return

// LLVM-LABEL: llvm.func @exp(
// LLVM-NOT: {{llvm.call @|llvm.intr.exp|llvm.intr.log|"llvm.tanh}}
// LLVM: llvm.return
func.func @exp(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = tg.exp %x : tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// -----

// The other seven, in float64: still one loop of arith code, no math op, no call.
// CHECK-LABEL: func.func @others(
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK-NOT: math.expm1
// CHECK-NOT: llvm.call
// CHECK: scf.for
// CHECK-NOT: scf.for
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK-NOT: math.expm1
// CHECK-NOT: llvm.call
// CHECK: func.return

// LLVM-LABEL: llvm.func @others(
// LLVM-NOT: {{llvm.call @|llvm.intr.exp|llvm.intr.log|"llvm.tanh}}
// LLVM: llvm.return
// LLVM-NOT: llvm.func
func.func @others(%x: tensor<?xf64>) -> tensor<?xf64> {
  %0 = tg.log %x : tensor<?xf64>
  %1 = tg.tanh %0 : tensor<?xf64>
  %2 = tg.sigmoid %1 : tensor<?xf64>
  %3 = tg.softplus %2 : tensor<?xf64>
  %4 = tg.log1p %3 : tensor<?xf64>
  %5 = tg.expm1 %4 : tensor<?xf64>
  %6 = tg.erf %5 : tensor<?xf64>
  func.return %6 : tensor<?xf64>
}
