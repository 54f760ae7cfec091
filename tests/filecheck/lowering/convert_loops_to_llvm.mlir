// convert-loops-to-llvm (after convert-scf-to-cf): loops-level functions become
// llvm.func; a memref argument is a noalias pointer followed by one i64 per dimension.
// RUN: tg-opt %s -p convert-scf-to-cf,convert-loops-to-llvm --split-input-file | filecheck %s
// RUN: tg-opt %s -p convert-scf-to-cf,convert-loops-to-llvm --split-input-file -t llvm | filecheck %s --check-prefix=LLVMIR

// Static dimensions are passed too; the row-major address is i * 3 + j, and the
// broadcastable row is read at 0 (its offset, 0 * 3 + j, is j itself).
// CHECK-LABEL: llvm.func @main(
// CHECK-SAME: %[[A:[^:]+]]: !llvm.ptr {llvm.noalias}, %[[AN:[^:]+]]: i64, %{{[^:]+}}: i64,
// CHECK-SAME: %[[B:[^:]+]]: !llvm.ptr {llvm.noalias}, %{{[^:]+}}: i64, %{{[^:]+}}: i64,
// CHECK-SAME: %[[OUT:[^:]+]]: !llvm.ptr {llvm.noalias}, %{{[^:]+}}: i64, %{{[^:]+}}: i64) {
// CHECK-NEXT: %[[C0:.+]] = llvm.mlir.constant(0) : i64
// CHECK-NOT: memref.
// CHECK: ^bb1(%[[I:[^:]+]]: i64):
// CHECK-NEXT: llvm.icmp "slt" %[[I]], %[[AN]] : i64
// CHECK: ^bb3(%[[J:[^:]+]]: i64):
// CHECK: ^bb4:
// CHECK-NEXT: %[[K3:.+]] = llvm.mlir.constant(3) : i64
// CHECK-NEXT: %[[ROW:.+]] = llvm.mul %[[I]], %[[K3]] : i64
// CHECK-NEXT: %[[IDX:.+]] = llvm.add %[[ROW]], %[[J]] : i64
// CHECK-NEXT: %[[PA:.+]] = llvm.getelementptr inbounds %[[A]][%[[IDX]]] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK-NEXT: %[[X:.+]] = llvm.load %[[PA]] : !llvm.ptr -> f32
// CHECK-NEXT: %[[PB:.+]] = llvm.getelementptr inbounds %[[B]][%[[J]]] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK-NEXT: %[[Y:.+]] = llvm.load %[[PB]] : !llvm.ptr -> f32
// CHECK-NEXT: %[[S:.+]] = llvm.fadd %[[X]], %[[Y]] : f32
// CHECK: %[[PO:.+]] = llvm.getelementptr inbounds %[[OUT]][%{{.+}}] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK-NEXT: llvm.store %[[S]], %[[PO]] : f32, !llvm.ptr
// CHECK: llvm.return

// LLVMIR: define void @{{"?}}main{{"?}}(ptr noalias %{{.+}}, i64 %{{.+}}, i64 %{{.+}}, ptr noalias
// LLVMIR: getelementptr inbounds float, ptr
// LLVMIR: fadd float
// LLVMIR: ret void
func.func @main(%a: memref<?x3xf32>, %b: memref<1x3xf32>, %out: memref<?x3xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %n = memref.dim %a, %c0 : memref<?x3xf32>
  scf.for %i = %c0 to %n step %c1 {
    scf.for %j = %c0 to %c3 step %c1 {
      %x = memref.load %a[%i, %j] : memref<?x3xf32>
      %y = memref.load %b[%c0, %j] : memref<1x3xf32>
      %s = arith.addf %x, %y : f32
      memref.store %s, %out[%i, %j] : memref<?x3xf32>
    }
  }
  func.return
}

// -----

// Reads of one row at several columns in a block share the row's offset (one mul),
// and adding a constant 0 to an index is left out.
// CHECK-LABEL: llvm.func @row_pair(
// CHECK-SAME: %[[A:[^:]+]]: !llvm.ptr {llvm.noalias}, %{{[^:]+}}: i64, %[[AN:[^:]+]]: i64,
// CHECK: %[[ROW:.+]] = llvm.mul %{{.+}}, %[[AN]] : i64
// CHECK-NEXT: %[[I0:.+]] = llvm.add %[[ROW]], %{{.+}} : i64
// CHECK-NEXT: llvm.getelementptr inbounds %[[A]][%[[I0]]]
// CHECK-NEXT: llvm.load
// CHECK-NOT: llvm.mul
// CHECK: %[[I1:.+]] = llvm.add %[[ROW]], %{{.+}} : i64
// CHECK-NEXT: llvm.getelementptr inbounds %[[A]][%[[I1]]]
// CHECK: llvm.return
func.func @row_pair(%a: memref<?x?xf32>, %i: index, %j: index, %out: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = arith.addi %c0, %i : index
  %k = arith.addi %j, %c1 : index
  %x = memref.load %a[%r, %j] : memref<?x?xf32>
  %y = memref.load %a[%r, %k] : memref<?x?xf32>
  %s = arith.addf %x, %y : f32
  memref.store %s, %out[] : memref<f32>
  func.return
}

// -----

// memref.alloc is tg_alloc of size * 4 bytes, memref.dealloc is tg_free of the same size
// (tg's pool of large blocks); maximumf and tanh
// are intrinsic calls.
// CHECK-LABEL: llvm.func @temporary(
// CHECK-SAME: %{{[^:]+}}: !llvm.ptr {llvm.noalias}, %[[N:[^:]+]]: i64,
// CHECK: %[[FOUR:.+]] = llvm.mlir.constant(4) : i64
// CHECK-NEXT: %[[BYTES:.+]] = llvm.mul %[[FOUR]], %[[N]] : i64
// CHECK-NEXT: %[[BUF:.+]] = llvm.call @tg_alloc(%[[BYTES]]) : (i64) -> !llvm.ptr
// CHECK: llvm.intr.exp(%{{.*}}) : (f32) -> f32
// CHECK: llvm.getelementptr inbounds %[[BUF]][%{{.*}}] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK: %[[T:.+]] = llvm.call_intrinsic "llvm.tanh.f32"(%[[X:.+]]) : (f32) -> f32
// CHECK-NEXT: llvm.call_intrinsic "llvm.maximum.f32"(%[[X]], %[[T]]) : (f32, f32) -> f32
// CHECK: llvm.call @tg_free(%[[BUF]], %{{.+}}) : (!llvm.ptr, i64) -> ()
// CHECK-NEXT: llvm.return
// CHECK-DAG: llvm.func @tg_free(!llvm.ptr, i64)
// CHECK-DAG: llvm.func @tg_alloc(i64) -> !llvm.ptr

// LLVMIR: define void @{{"?}}temporary{{"?}}(
// LLVMIR: call {{.*}}ptr @{{"?}}tg_alloc{{"?}}(i64
// LLVMIR: call float @{{"?}}llvm.tanh.f32{{"?}}(float
// LLVMIR: call float @{{"?}}llvm.maximum.f32{{"?}}(float
// LLVMIR: call {{.*}}void @{{"?}}tg_free{{"?}}(ptr
func.func @temporary(%a: memref<?xf32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xf32>
  %buf = memref.alloc(%n) : memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %a[%i] : memref<?xf32>
    %e = math.exp %x : f32
    memref.store %e, %buf[%i] : memref<?xf32>
  }
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %buf[%i] : memref<?xf32>
    %t = math.tanh %x : f32
    %m = arith.maximumf %x, %t : f32
    memref.store %m, %out[%i] : memref<?xf32>
  }
  memref.dealloc %buf : memref<?xf32>
  func.return
}

// -----

// 0-d buffers are bare pointers (no getelementptr); float to int conversions use the
// saturating intrinsics; fastmath flags carry over.
// CHECK-LABEL: llvm.func @scalars(
// CHECK-SAME: %[[A:[^:]+]]: !llvm.ptr {llvm.noalias}, %[[D:[^:]+]]: !llvm.ptr {llvm.noalias}, %[[I:[^:]+]]: !llvm.ptr {llvm.noalias},
// CHECK-NOT: i64
// CHECK-SAME: {
// CHECK-NEXT: %[[X:.+]] = llvm.load %[[A]] : !llvm.ptr -> f32
// CHECK-NEXT: %[[Y:.+]] = llvm.load %[[D]] : !llvm.ptr -> f64
// CHECK-NEXT: %[[K:.+]] = llvm.load %[[I]] : !llvm.ptr -> i32
// CHECK-NEXT: llvm.call_intrinsic "llvm.fptosi.sat.i32.f32"(%[[X]]) : (f32) -> i32
// CHECK: llvm.call_intrinsic "llvm.fptosi.sat.i8.f64"(%[[Y]]) : (f64) -> i8
// CHECK: %[[MIN:.+]] = llvm.call_intrinsic "llvm.minimum.f64"(%[[Y]], %[[Y]]) : (f64, f64) -> f64
// CHECK-NEXT: llvm.intr.pow(%[[MIN]], %[[Y]]) : (f64, f64) -> f64
// CHECK: %[[MAX:.+]] = llvm.call_intrinsic "llvm.smax.i32"(%[[K]], %[[K]]) : (i32, i32) -> i32
// CHECK-NEXT: %[[Z:.+]] = llvm.mlir.constant(0 : i32) : i32
// CHECK-NEXT: %[[NEG:.+]] = llvm.sub %[[Z]], %[[MAX]] : i32
// CHECK-NEXT: %[[LT:.+]] = llvm.icmp "slt" %[[MAX]], %[[Z]] : i32
// CHECK-NEXT: llvm.select %[[LT]], %[[NEG]], %[[MAX]] : i1, i32
// CHECK: %[[E:.+]] = llvm.fpext %[[X]] : f32 to f64
// CHECK-NEXT: %[[F:.+]] = llvm.sitofp %[[K]] : i32 to f64
// CHECK-NEXT: llvm.fadd %[[E]], %[[F]] {fastmathFlags = #llvm.fastmath<reassoc,contract>} : f64

// LLVMIR: define void @{{"?}}scalars{{"?}}(
// LLVMIR: call i32 @{{"?}}llvm.fptosi.sat.i32.f32{{"?}}(float
// LLVMIR: call i8 @{{"?}}llvm.fptosi.sat.i8.f64{{"?}}(double
func.func @scalars(%a: memref<f32>, %d: memref<f64>, %i: memref<i32>, %o1: memref<i32>, %o2: memref<i8>, %o3: memref<f64>, %o4: memref<i32>, %o5: memref<f64>) {
  %x = memref.load %a[] : memref<f32>
  %y = memref.load %d[] : memref<f64>
  %k = memref.load %i[] : memref<i32>
  %0 = arith.fptosi %x : f32 to i32
  memref.store %0, %o1[] : memref<i32>
  %1 = arith.fptosi %y : f64 to i8
  memref.store %1, %o2[] : memref<i8>
  %2 = arith.minimumf %y, %y : f64
  %3 = math.powf %2, %y : f64
  memref.store %3, %o3[] : memref<f64>
  %4 = arith.maxsi %k, %k : i32
  %5 = math.absi %4 : i32
  memref.store %5, %o4[] : memref<i32>
  %6 = arith.extf %x : f32 to f64
  %7 = arith.sitofp %k : i32 to f64
  %8 = arith.addf %6, %7 fastmath<reassoc,contract> : f64
  memref.store %8, %o5[] : memref<f64>
  func.return
}

// -----

// A memref.global becomes an internal constant array, flattened; get_global is its address.
// CHECK: llvm.mlir.global internal constant @table(dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>) {{.*}}: !llvm.array<4 x f32>
// CHECK-LABEL: llvm.func @global(
// CHECK: %[[G:.+]] = llvm.mlir.addressof @table : !llvm.ptr
// CHECK: llvm.getelementptr inbounds %[[G]][%{{.*}}] : (!llvm.ptr, i64) -> !llvm.ptr, f32

// LLVMIR: @{{"?}}table{{"?}} = internal constant [4 x float]
"memref.global"() <{sym_name = "table", type = memref<2x2xf32>, initial_value = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>, sym_visibility = "private", constant}> : () -> ()
func.func @global(%out: memref<2x2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %g = memref.get_global @table : memref<2x2xf32>
  %x = memref.load %g[%c1, %c0] : memref<2x2xf32>
  memref.store %x, %out[%c0, %c1] : memref<2x2xf32>
  func.return
}

// -----

// A loop-carried value is a block argument.
// CHECK-LABEL: llvm.func @reduce(
// CHECK: %[[ZERO:.+]] = llvm.mlir.constant(0.000000e+00 : f64) : f64
// CHECK-NEXT: llvm.br ^bb1(%{{.+}}, %[[ZERO]] : i64, f64)
// CHECK-NEXT: ^bb1(%{{.+}}: i64, %[[ACC:.+]]: f64):
// CHECK: %[[S:.+]] = llvm.fadd %[[ACC]], %{{.+}} {fastmathFlags = #llvm.fastmath<reassoc,contract>} : f64
// CHECK: llvm.br ^bb1(%{{.+}}, %[[S]] : i64, f64)
// CHECK: llvm.store %[[ACC]], %{{.+}} : f64, !llvm.ptr

// LLVMIR: define void @{{"?}}reduce{{"?}}(
// LLVMIR: phi double
// LLVMIR: fadd {{(contract reassoc|reassoc contract)}} double
func.func @reduce(%a: memref<?xf64>, %out: memref<f64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %n = memref.dim %a, %c0 : memref<?xf64>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f64) {
    %x = memref.load %a[%i] : memref<?xf64>
    %s = arith.addf %acc, %x fastmath<reassoc,contract> : f64
    scf.yield %s : f64
  }
  memref.store %r, %out[] : memref<f64>
  func.return
}
