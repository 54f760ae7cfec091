// tg-outline-parallel-loops, then the llvm stage: a loop marked tg.parallel becomes a
// private function over a range of its iterations, called per chunk from an
// scf.parallel, which becomes one call of the thread pool's tg_parallel_for with the
// captured values packed in a context and a task that unpacks them.
// RUN: tg-opt %s -p tg-outline-parallel-loops --split-input-file | filecheck %s --check-prefix=OUTLINE
// RUN: tg-opt %s -p tg-outline-parallel-loops,convert-scf-to-cf,convert-loops-to-llvm --split-input-file | filecheck %s
// RUN: tg-opt %s -p tg-outline-parallel-loops,convert-scf-to-cf,convert-loops-to-llvm --split-input-file -t llvm | filecheck %s --check-prefix=LLVMIR

// Dynamic sizes: a chunk is ceil(2^20 / (1 + 4 m)) rows (an inner iteration runs
// three ops and its loop step), computed at run time; the inner bound %m and both
// buffers are arguments, the constants are cloned.
// OUTLINE-LABEL: func.func @main(
// OUTLINE: %[[N:.+]] = memref.dim %{{.+}}, %{{.+}} : memref<?x?xf32>
// OUTLINE: %[[M:.+]] = memref.dim %{{.+}}, %{{.+}} : memref<?x?xf32>
// OUTLINE: %[[FOUR:.+]] = arith.constant 4 : index
// OUTLINE-NEXT: %[[INNER:.+]] = arith.muli %[[M]], %[[FOUR]] : index
// OUTLINE-NEXT: %[[ONE:.+]] = arith.constant 1 : index
// OUTLINE-NEXT: %[[WORK:.+]] = arith.addi %[[ONE]], %[[INNER]] : index
// OUTLINE-NEXT: %[[K:.+]] = arith.constant 1048575 : index
// OUTLINE-NEXT: %[[UP:.+]] = arith.addi %[[K]], %[[WORK]] : index
// OUTLINE-NEXT: %[[GRAIN:.+]] = arith.divui %[[UP]], %[[WORK]] : index
// OUTLINE-NEXT: "scf.parallel"(%{{.+}}, %[[N]], %[[GRAIN]])
// OUTLINE-NEXT: ^{{.+}}(%[[START:.+]]: index):
// OUTLINE-NEXT: %[[END:.+]] = arith.addi %[[START]], %[[GRAIN]] : index
// OUTLINE-NEXT: %[[STOP:.+]] = arith.minui %[[END]], %[[N]] : index
// OUTLINE-NEXT: func.call @main_par0(%[[M]], %{{.+}}, %{{.+}}, %[[START]], %[[STOP]])
// OUTLINE-NEXT: scf.reduce
// OUTLINE-NOT: scf.for
// OUTLINE: func.func private @main_par0(%[[IM:.+]]: index, %{{.+}}: memref<?x?xf32>, %{{.+}}: memref<?x?xf32>, %[[LO:.+]]: index, %[[HI:.+]]: index) {
// OUTLINE-NEXT: %[[C0:.+]] = arith.constant 0 : index
// OUTLINE-NEXT: %[[C1:.+]] = arith.constant 1 : index
// OUTLINE-NEXT: scf.for %{{.+}} = %[[LO]] to %[[HI]] step %[[C1]] {
// OUTLINE-NEXT: scf.for %{{.+}} = %[[C0]] to %[[IM]] step %[[C1]] {
// OUTLINE-NOT: tg.parallel

// CHECK-LABEL: llvm.func @main(
// CHECK-NEXT: %[[SLOTS:.+]] = llvm.mlir.constant(8) : i64
// CHECK-NEXT: %[[CTX:.+]] = llvm.alloca %[[SLOTS]] x !llvm.ptr {alignment = 8 : i64} : (i64) -> !llvm.ptr
// CHECK: llvm.store %{{.+}}, %[[CTX]] : i64, !llvm.ptr
// CHECK: %[[S2:.+]] = llvm.getelementptr inbounds %[[CTX]][2] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT: llvm.store %{{.+}}, %[[S2]] : !llvm.ptr, !llvm.ptr
// CHECK: %[[TASK:.+]] = llvm.mlir.addressof @main_par0_task : !llvm.ptr
// CHECK-NEXT: llvm.call @tg_parallel_for(%[[TASK]], %[[CTX]], %{{.+}}, %{{.+}}) : (!llvm.ptr, !llvm.ptr, i64, i64) -> ()
// CHECK-NEXT: llvm.return
// CHECK: llvm.func internal @main_par0_task(%[[C:[^:]+]]: !llvm.ptr, %[[START:[^:]+]]: i64, %[[STOP:[^:]+]]: i64) {
// CHECK-NEXT: %[[LOW:.+]] = llvm.load %[[C]] : !llvm.ptr -> i64
// CHECK: %[[FROM:.+]] = llvm.add %[[LOW]], %[[START]] : i64
// CHECK-NEXT: %[[TO:.+]] = llvm.add %[[LOW]], %[[STOP]] : i64
// CHECK-NEXT: llvm.call @main_par0(%{{.+}}, %[[FROM]], %[[TO]])
// CHECK: llvm.func internal @main_par0(%{{[^:]+}}: i64, %{{[^:]+}}: !llvm.ptr {llvm.noalias}, %{{[^:]+}}: i64, %{{[^:]+}}: i64, %{{[^:]+}}: !llvm.ptr {llvm.noalias},
// CHECK: llvm.fmul
// CHECK: llvm.func @tg_parallel_for(!llvm.ptr, !llvm.ptr, i64, i64)

// LLVMIR: define void @{{"?}}main{{"?}}(
// LLVMIR: alloca ptr, i64 8
// LLVMIR: call {{.*}}void @{{"?}}tg_parallel_for{{"?}}({{.*}}@{{"?}}main_par0_task{{"?}}, ptr
// LLVMIR: define internal void @{{"?}}main_par0_task{{"?}}(ptr
// LLVMIR: call {{.*}}void @{{"?}}main_par0{{"?}}(
// LLVMIR: define internal void @{{"?}}main_par0{{"?}}(i64 %{{.+}}, ptr noalias
// LLVMIR: declare void @{{"?}}tg_parallel_for{{"?}}(ptr
func.func @main(%a: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?x?xf32>
  %m = memref.dim %a, %c1 : memref<?x?xf32>
  scf.for %i = %c0 to %n step %c1 {
    scf.for %j = %c0 to %m step %c1 {
      %x = memref.load %a[%i, %j] : memref<?x?xf32>
      %y = arith.mulf %x, %x : f32
      memref.store %y, %out[%i, %j] : memref<?x?xf32>
    }
  } {tg.parallel}
  func.return
}

// -----

// Static inner size: the grain is a constant (ceil(2^20 / (1 + 100 * 4)) = 2615); the
// static dimension is passed to the outlined function as a constant, not stored: six
// slots (the lower bound, %a and its dynamic size, %k, %out and its dynamic size).
// The scalar %k loaded outside travels in a slot; only the outermost of two
// marked loops is outlined, and the inner one loses its mark.
// OUTLINE-LABEL: func.func @scaled(
// OUTLINE: %[[GRAIN:.+]] = arith.constant 2615 : index
// OUTLINE-NEXT: "scf.parallel"(%{{.+}}, %{{.+}}, %[[GRAIN]])
// OUTLINE: func.call @scaled_par0(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) : (memref<?x100xf64>, f64, memref<?x100xf64>, index, index) -> ()
// OUTLINE: func.func private @scaled_par0(
// OUTLINE: scf.for
// OUTLINE-NEXT: scf.for
// OUTLINE-NOT: tg.parallel
// OUTLINE: func.return

// CHECK-LABEL: llvm.func @scaled(
// CHECK-NEXT: llvm.mlir.constant(6) : i64
// CHECK: llvm.func internal @scaled_par0_task(
// CHECK: llvm.load %{{.+}} : !llvm.ptr -> f64
// CHECK: %[[HUNDRED:.+]] = llvm.mlir.constant(100) : i64
// CHECK: llvm.call @scaled_par0(%{{.+}}, %{{.+}}, %[[HUNDRED]], %{{.+}})
func.func @scaled(%a: memref<?x100xf64>, %s: memref<f64>, %out: memref<?x100xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c100 = arith.constant 100 : index
  %n = memref.dim %a, %c0 : memref<?x100xf64>
  %k = memref.load %s[] : memref<f64>
  scf.for %i = %c0 to %n step %c1 {
    scf.for %j = %c0 to %c100 step %c1 {
      %x = memref.load %a[%i, %j] : memref<?x100xf64>
      %y = arith.mulf %x, %k : f64
      memref.store %y, %out[%i, %j] : memref<?x100xf64>
    } {tg.parallel}
  } {tg.parallel}
  func.return
}

// -----

// A loop that carries a value is left in place, unmarked.
// OUTLINE-LABEL: func.func @carried(
// OUTLINE: scf.for
// OUTLINE-NOT: tg.parallel
// OUTLINE-NOT: func.call
// CHECK-LABEL: llvm.func @carried(
// CHECK-NOT: tg_parallel_for
func.func @carried(%a: memref<?xf32>, %out: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %a, %c0 : memref<?xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f32) {
    %x = memref.load %a[%i] : memref<?xf32>
    %s = arith.addf %acc, %x : f32
    scf.yield %s : f32
  } {tg.parallel}
  memref.store %r, %out[] : memref<f32>
  func.return
}
