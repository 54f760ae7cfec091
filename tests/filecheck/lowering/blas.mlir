// RUN: tg-opt %s -p convert-tg-to-loops --split-input-file | filecheck %s

// A gemm calls numpy's OpenBLAS from the loop code (row-major 101, transpose flags
// 111/112): z is copied into the output first, alpha and beta are read from their
// 0-d buffers, and the leading dimensions are at least 1. An empty contraction
// (k = 0) scales the output by beta instead, which BLAS leaves undone.
// CHECK: llvm.func @tg_blas_sgemm(i32, i32, i32, i64, i64, i64, f32, !llvm.ptr, i64, !llvm.ptr, i64, f32, !llvm.ptr, i64)
// CHECK-LABEL: func.func @gemm(
// CHECK: memref.store %{{.*}}, %out0
// CHECK: scf.if
// CHECK: arith.mulf
// CHECK: } else {
// CHECK: %[[ROW_MAJOR:.+]] = arith.constant 101 : i32
// CHECK-NEXT: %[[TA:.+]] = arith.constant 112 : i32
// CHECK-NEXT: %[[TB:.+]] = arith.constant 111 : i32
// CHECK: arith.cmpi ult
// CHECK-NEXT: arith.select
// CHECK: llvm.call @tg_blas_sgemm(%[[ROW_MAJOR]], %[[TA]], %[[TB]], {{.*}}, %x, {{.*}}, %y, {{.*}}, %out0, {{.*}})
func.func @gemm(%z: tensor<?x?xf32>, %a: tensor<f32>, %x: tensor<?x?xf32>, %y: tensor<?x?xf32>, %b: tensor<f32>) -> tensor<?x?xf32> {
  %r = tg.gemm %z, %a, %x, %y, %b {trans_x} : (tensor<?x?xf32>, tensor<f32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
  func.return %r : tensor<?x?xf32>
}

// -----

// Without an accumulator, an empty contraction zeroes the output with one memset
// (its size in bytes: 4 per element), not a loop nest.
// CHECK-DAG: llvm.func @memset(!llvm.ptr, i32, i64) -> !llvm.ptr
// CHECK-LABEL: func.func @gemm_no_accumulator(
// CHECK: scf.if
// CHECK: %[[FOUR:.+]] = arith.constant 4 : index
// CHECK-NEXT: %[[M:.+]] = arith.muli %[[FOUR]], %{{.*}} : index
// CHECK-NEXT: %[[BYTES_INDEX:.+]] = arith.muli %[[M]], %{{.*}} : index
// CHECK-NEXT: %[[BYTES:.+]] = arith.index_cast %[[BYTES_INDEX]] : index to i64
// CHECK: llvm.call @memset(%out0, %{{.*}}, %[[BYTES]])
// CHECK-NOT: scf.for
// CHECK: } else {
// CHECK: llvm.call @tg_blas_sgemm(
func.func @gemm_no_accumulator(%a: tensor<f32>, %x: tensor<?x?xf32>, %y: tensor<?x?xf32>, %b: tensor<f32>) -> tensor<?x?xf32> {
  %r = tg.gemm %a, %x, %y, %b : (tensor<f32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
  func.return %r : tensor<?x?xf32>
}

// -----

// gemv, ger and vdot call their CBLAS functions (double precision here).
// CHECK-DAG: llvm.func @tg_blas_dgemv(
// CHECK-DAG: llvm.func @tg_blas_dger(
// CHECK-DAG: llvm.func @tg_blas_ddot(i64, !llvm.ptr, i64, !llvm.ptr, i64) -> f64
// CHECK-LABEL: func.func @others(
// CHECK: llvm.call @tg_blas_dgemv(
// CHECK: llvm.call @tg_blas_dger(
// CHECK: %[[D:.+]] = llvm.call @tg_blas_ddot(
// CHECK: memref.store %[[D]], %out2[]
func.func @others(%m: tensor<?x?xf64>, %v: tensor<?xf64>, %w: tensor<?xf64>, %a: tensor<f64>) -> (tensor<?xf64>, tensor<?x?xf64>, tensor<f64>) {
  %0 = tg.gemv %a, %m, %w, %a : (tensor<f64>, tensor<?x?xf64>, tensor<?xf64>, tensor<f64>) -> tensor<?xf64>
  %1 = tg.ger %m, %a, %v, %w : (tensor<?x?xf64>, tensor<f64>, tensor<?xf64>, tensor<?xf64>) -> tensor<?x?xf64>
  %2 = tg.vdot %v, %v : (tensor<?xf64>, tensor<?xf64>) -> tensor<f64>
  func.return %0, %1, %2 : tensor<?xf64>, tensor<?x?xf64>, tensor<f64>
}
