// Every verifier error of the BLAS-shaped ops, one malformed op per split.
// RUN: tg-opt %s --split-input-file --verify-diagnostics | filecheck %s

// gemm: integer operands
// CHECK: tg.gemm: operands and result must be float32 or float64 tensors of one element type, got tensor<?x?xi32>, tensor<i32>, tensor<?x?xi32>, tensor<?x?xi32>, tensor<i32>, tensor<?x?xi32>
func.func @f(%z: tensor<?x?xi32>, %a: tensor<i32>, %x: tensor<?x?xi32>, %y: tensor<?x?xi32>) {
  %0 = tg.gemm %z, %a, %x, %y, %a : (tensor<?x?xi32>, tensor<i32>, tensor<?x?xi32>, tensor<?x?xi32>, tensor<i32>) -> tensor<?x?xi32>
  func.return
}

// -----

// gemm: mixed precisions
// CHECK: // {{-----}}
// CHECK-NEXT: tg.gemm: operands and result must be float32 or float64 tensors of one element type, got tensor<f32>, tensor<?x?xf32>, tensor<?x?xf64>, tensor<f32>, tensor<?x?xf32>
func.func @f(%a: tensor<f32>, %x: tensor<?x?xf32>, %y: tensor<?x?xf64>) {
  %0 = tg.gemm %a, %x, %y, %a : (tensor<f32>, tensor<?x?xf32>, tensor<?x?xf64>, tensor<f32>) -> tensor<?x?xf32>
  func.return
}

// -----

// gemm: alpha is not 0-d
// CHECK: // {{-----}}
// CHECK-NEXT: tg.gemm: alpha must be a 0-d tensor, got tensor<1xf32>
func.func @f(%a: tensor<1xf32>, %b: tensor<f32>, %x: tensor<?x?xf32>) {
  %0 = tg.gemm %a, %x, %x, %b : (tensor<1xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
  func.return
}

// -----

// gemm: x is not a matrix
// CHECK: // {{-----}}
// CHECK-NEXT: tg.gemm: x must be a matrix (rank 2), got tensor<?xf32>
func.func @f(%a: tensor<f32>, %x: tensor<?xf32>, %y: tensor<?x?xf32>) {
  %0 = tg.gemm %a, %x, %y, %a : (tensor<f32>, tensor<?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
  func.return
}

// -----

// gemm: contracted sizes differ (trans_x makes op(x) 4x3)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.gemm: contracted dimensions (columns of op(x), rows of op(y)) differ: 3 vs 4
func.func @f(%a: tensor<f32>, %x: tensor<3x4xf32>, %y: tensor<4x5xf32>) {
  %0 = tg.gemm %a, %x, %y, %a {trans_x} : (tensor<f32>, tensor<3x4xf32>, tensor<4x5xf32>, tensor<f32>) -> tensor<4x5xf32>
  func.return
}

// -----

// gemm: z does not have the product's shape (no broadcasting)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.gemm: rows of op(x) and z differ: 3 vs 1
func.func @f(%z: tensor<1x?xf32>, %a: tensor<f32>, %x: tensor<3x?xf32>, %y: tensor<?x?xf32>) {
  %0 = tg.gemm %z, %a, %x, %y, %a : (tensor<1x?xf32>, tensor<f32>, tensor<3x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<3x?xf32>
  func.return
}

// -----

// gemm: result type
// CHECK: // {{-----}}
// CHECK-NEXT: tg.gemm: result type must be tensor<3x?xf32>, got tensor<?x?xf32>
func.func @f(%a: tensor<f32>, %x: tensor<3x?xf32>, %y: tensor<?x?xf32>) {
  %0 = tg.gemm %a, %x, %y, %a : (tensor<f32>, tensor<3x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
  func.return
}

// -----

// gemv: x is not a vector
// CHECK: // {{-----}}
// CHECK-NEXT: tg.gemv: x must be a vector (rank 1), got tensor<?x?xf64>
func.func @f(%a: tensor<f64>, %m: tensor<?x?xf64>) {
  %0 = tg.gemv %a, %m, %m, %a : (tensor<f64>, tensor<?x?xf64>, tensor<?x?xf64>, tensor<f64>) -> tensor<?xf64>
  func.return
}

// -----

// gemv: contracted sizes differ
// CHECK: // {{-----}}
// CHECK-NEXT: tg.gemv: contracted dimensions (columns of op(a), length of x) differ: 4 vs 3
func.func @f(%a: tensor<f64>, %m: tensor<3x4xf64>, %x: tensor<3xf64>) {
  %0 = tg.gemv %a, %m, %x, %a : (tensor<f64>, tensor<3x4xf64>, tensor<3xf64>, tensor<f64>) -> tensor<3xf64>
  func.return
}

// -----

// gemv: z's length differs from op(a)'s rows
// CHECK: // {{-----}}
// CHECK-NEXT: tg.gemv: rows of op(a) and the length of z differ: 4 vs 3
func.func @f(%z: tensor<3xf64>, %a: tensor<f64>, %m: tensor<3x4xf64>, %x: tensor<3xf64>) {
  %0 = tg.gemv %z, %a, %m, %x, %a {trans_a} : (tensor<3xf64>, tensor<f64>, tensor<3x4xf64>, tensor<3xf64>, tensor<f64>) -> tensor<4xf64>
  func.return
}

// -----

// ger: x's length differs from z's rows
// CHECK: // {{-----}}
// CHECK-NEXT: tg.ger: rows of z and the length of x differ: 2 vs 3
func.func @f(%z: tensor<2x?xf32>, %a: tensor<f32>, %x: tensor<3xf32>, %y: tensor<?xf32>) {
  %0 = tg.ger %z, %a, %x, %y : (tensor<2x?xf32>, tensor<f32>, tensor<3xf32>, tensor<?xf32>) -> tensor<2x?xf32>
  func.return
}

// -----

// ger: z must be a matrix
// CHECK: // {{-----}}
// CHECK-NEXT: tg.ger: z must be a matrix (rank 2), got tensor<?xf32>
func.func @f(%z: tensor<?xf32>, %a: tensor<f32>, %x: tensor<?xf32>) {
  %0 = tg.ger %z, %a, %x, %x : (tensor<?xf32>, tensor<f32>, tensor<?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  func.return
}

// -----

// vdot: lengths differ
// CHECK: // {{-----}}
// CHECK-NEXT: tg.vdot: vector lengths differ: 3 vs 4
func.func @f(%x: tensor<3xf32>, %y: tensor<4xf32>) {
  %0 = tg.vdot %x, %y : (tensor<3xf32>, tensor<4xf32>) -> tensor<f32>
  func.return
}

// -----

// vdot: the result is 0-d
// CHECK: // {{-----}}
// CHECK-NEXT: tg.vdot: result must be a 0-d tensor, got tensor<1xf32>
func.func @f(%x: tensor<?xf32>) {
  %0 = tg.vdot %x, %x : (tensor<?xf32>, tensor<?xf32>) -> tensor<1xf32>
  func.return
}

// -----

// batched_gemm: batch sizes differ
// CHECK: // {{-----}}
// CHECK-NEXT: tg.batched_gemm: batch sizes differ: 2 vs 3
func.func @f(%x: tensor<2x?x?xf32>, %y: tensor<3x?x?xf32>) {
  %0 = tg.batched_gemm %x, %y : (tensor<2x?x?xf32>, tensor<3x?x?xf32>) -> tensor<2x?x?xf32>
  func.return
}

// -----

// batched_gemm: contracted sizes differ with trans_y
// CHECK: // {{-----}}
// CHECK-NEXT: tg.batched_gemm: contracted dimensions (columns of op(x), rows of op(y)) differ: 4 vs 5
func.func @f(%x: tensor<?x?x4xf32>, %y: tensor<?x4x5xf32>) {
  %0 = tg.batched_gemm %x, %y {trans_y} : (tensor<?x?x4xf32>, tensor<?x4x5xf32>) -> tensor<?x?x4xf32>
  func.return
}

// -----

// batched_gemm: rank 2 operands
// CHECK: // {{-----}}
// CHECK-NEXT: tg.batched_gemm: x must be a stack of matrices (rank 3), got tensor<?x?xf64>
func.func @f(%x: tensor<?x?xf64>) {
  %0 = tg.batched_gemm %x, %x : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return
}
