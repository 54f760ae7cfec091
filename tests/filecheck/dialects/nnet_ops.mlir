// Round trip of the fused nnet ops (tg.dialects.tg_nnet).
// RUN: TG_ROUNDTRIP

// CHECK-LABEL: func.func @crossentropy
// CHECK: %0 = tg.softmax_crossentropy %x, %y : (tensor<?x?xf32>, tensor<?xi64>) -> tensor<?xf32>
// CHECK: %1 = tg.softmax_crossentropy %a, %b : (tensor<4x3xf64>, tensor<4xi32>) -> tensor<4xf64>
func.func @crossentropy(%x: tensor<?x?xf32>, %y: tensor<?xi64>, %a: tensor<4x3xf64>, %b: tensor<4xi32>) -> (tensor<?xf32>, tensor<4xf64>) {
  %0 = tg.softmax_crossentropy %x, %y : (tensor<?x?xf32>, tensor<?xi64>) -> tensor<?xf32>
  %1 = tg.softmax_crossentropy %a, %b : (tensor<4x3xf64>, tensor<4xi32>) -> tensor<4xf64>
  func.return %0, %1 : tensor<?xf32>, tensor<4xf64>
}
