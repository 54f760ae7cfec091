// The BLAS-shaped ops (tg.gemm, tg.gemv, tg.ger, tg.vdot, tg.batched_gemm) survive a
// print/parse round trip, in the custom and the generic form: with and without the
// accumulator z, every transpose flag, static and dynamic sizes, f32 and f64.
// RUN: TG_ROUNDTRIP
// RUN: TG_GENERIC_ROUNDTRIP

// CHECK-LABEL: func.func @gemm
// CHECK: %0 = tg.gemm %z, %alpha, %x, %y, %beta : (tensor<?x?xf32>, tensor<f32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
// CHECK: %1 = tg.gemm %z, %alpha, %x, %y, %beta {trans_x} : (tensor<?x?xf32>, tensor<f32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
// CHECK: %2 = tg.gemm %alpha, %x, %y, %beta {trans_y} : (tensor<f32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
// CHECK: %3 = tg.gemm %alpha, %x, %y, %beta {trans_x, trans_y} : (tensor<f32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
func.func @gemm(%z: tensor<?x?xf32>, %alpha: tensor<f32>, %x: tensor<?x?xf32>, %y: tensor<?x?xf32>, %beta: tensor<f32>) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) {
  %0 = tg.gemm %z, %alpha, %x, %y, %beta : (tensor<?x?xf32>, tensor<f32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
  %1 = tg.gemm %z, %alpha, %x, %y, %beta {trans_x} : (tensor<?x?xf32>, tensor<f32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
  %2 = tg.gemm %alpha, %x, %y, %beta {trans_y} : (tensor<f32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
  %3 = tg.gemm %alpha, %x, %y, %beta {trans_x, trans_y} : (tensor<f32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
  func.return %0, %1, %2, %3 : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>
}

// CHECK-LABEL: func.func @gemm_static
// CHECK: %0 = tg.gemm %z, %alpha, %x, %y, %alpha {trans_x} : (tensor<3x?xf64>, tensor<f64>, tensor<5x3xf64>, tensor<5x?xf64>, tensor<f64>) -> tensor<3x?xf64>
// CHECK: %1 = tg.gemm %alpha, %x, %y, %alpha {trans_x} : (tensor<f64>, tensor<5x3xf64>, tensor<5x?xf64>, tensor<f64>) -> tensor<3x?xf64>
func.func @gemm_static(%z: tensor<3x?xf64>, %alpha: tensor<f64>, %x: tensor<5x3xf64>, %y: tensor<5x?xf64>) -> (tensor<3x?xf64>, tensor<3x?xf64>) {
  %0 = tg.gemm %z, %alpha, %x, %y, %alpha {trans_x} : (tensor<3x?xf64>, tensor<f64>, tensor<5x3xf64>, tensor<5x?xf64>, tensor<f64>) -> tensor<3x?xf64>
  %1 = tg.gemm %alpha, %x, %y, %alpha {trans_x} : (tensor<f64>, tensor<5x3xf64>, tensor<5x?xf64>, tensor<f64>) -> tensor<3x?xf64>
  func.return %0, %1 : tensor<3x?xf64>, tensor<3x?xf64>
}

// CHECK-LABEL: func.func @gemv
// CHECK: %0 = tg.gemv %z, %alpha, %a, %x, %beta : (tensor<?xf32>, tensor<f32>, tensor<?x?xf32>, tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
// CHECK: %1 = tg.gemv %alpha, %a, %x, %beta {trans_a} : (tensor<f32>, tensor<?x?xf32>, tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
// CHECK: %2 = tg.gemv %alpha, %b, %x, %beta {trans_a} : (tensor<f32>, tensor<4x1xf32>, tensor<?xf32>, tensor<f32>) -> tensor<1xf32>
func.func @gemv(%z: tensor<?xf32>, %alpha: tensor<f32>, %a: tensor<?x?xf32>, %x: tensor<?xf32>, %beta: tensor<f32>, %b: tensor<4x1xf32>) -> (tensor<?xf32>, tensor<?xf32>, tensor<1xf32>) {
  %0 = tg.gemv %z, %alpha, %a, %x, %beta : (tensor<?xf32>, tensor<f32>, tensor<?x?xf32>, tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
  %1 = tg.gemv %alpha, %a, %x, %beta {trans_a} : (tensor<f32>, tensor<?x?xf32>, tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
  %2 = tg.gemv %alpha, %b, %x, %beta {trans_a} : (tensor<f32>, tensor<4x1xf32>, tensor<?xf32>, tensor<f32>) -> tensor<1xf32>
  func.return %0, %1, %2 : tensor<?xf32>, tensor<?xf32>, tensor<1xf32>
}

// CHECK-LABEL: func.func @ger_vdot
// CHECK: %0 = tg.ger %z, %alpha, %x, %y : (tensor<?x?xf64>, tensor<f64>, tensor<?xf64>, tensor<?xf64>) -> tensor<?x?xf64>
// CHECK: %1 = tg.ger %s, %alpha, %x, %y : (tensor<2x?xf64>, tensor<f64>, tensor<?xf64>, tensor<?xf64>) -> tensor<2x?xf64>
// CHECK: %2 = tg.vdot %x, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<f64>
func.func @ger_vdot(%z: tensor<?x?xf64>, %alpha: tensor<f64>, %x: tensor<?xf64>, %y: tensor<?xf64>, %s: tensor<2x?xf64>) -> (tensor<?x?xf64>, tensor<2x?xf64>, tensor<f64>) {
  %0 = tg.ger %z, %alpha, %x, %y : (tensor<?x?xf64>, tensor<f64>, tensor<?xf64>, tensor<?xf64>) -> tensor<?x?xf64>
  %1 = tg.ger %s, %alpha, %x, %y : (tensor<2x?xf64>, tensor<f64>, tensor<?xf64>, tensor<?xf64>) -> tensor<2x?xf64>
  %2 = tg.vdot %x, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<f64>
  func.return %0, %1, %2 : tensor<?x?xf64>, tensor<2x?xf64>, tensor<f64>
}

// CHECK-LABEL: func.func @batched
// CHECK: %0 = tg.batched_gemm %x, %y : (tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
// CHECK: %1 = tg.batched_gemm %x, %y {trans_x, trans_y} : (tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
// CHECK: %2 = tg.batched_gemm %x, %w {trans_y} : (tensor<?x?x?xf32>, tensor<4x?x?xf32>) -> tensor<4x?x?xf32>
func.func @batched(%x: tensor<?x?x?xf32>, %y: tensor<?x?x?xf32>, %w: tensor<4x?x?xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<4x?x?xf32>) {
  %0 = tg.batched_gemm %x, %y : (tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %1 = tg.batched_gemm %x, %y {trans_x, trans_y} : (tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %2 = tg.batched_gemm %x, %w {trans_y} : (tensor<?x?x?xf32>, tensor<4x?x?xf32>) -> tensor<4x?x?xf32>
  func.return %0, %1, %2 : tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<4x?x?xf32>
}
