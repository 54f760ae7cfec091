// Every verifier error of the fused nnet ops, one malformed op per split.
// RUN: tg-opt %s --split-input-file --verify-diagnostics | filecheck %s

// logits must be a matrix
// CHECK: tg.softmax_crossentropy: logits must be a matrix of floats (rows of class scores), got tensor<?xf32>
func.func @f(%x: tensor<?xf32>, %y: tensor<?xi64>) {
  %0 = tg.softmax_crossentropy %x, %y : (tensor<?xf32>, tensor<?xi64>) -> tensor<?xf32>
  func.return
}

// -----

// logits must be floats
// CHECK: // {{-----}}
// CHECK-NEXT: tg.softmax_crossentropy: logits must be a matrix of floats (rows of class scores), got tensor<?x?xi32>
func.func @f(%x: tensor<?x?xi32>, %y: tensor<?xi64>) {
  %0 = tg.softmax_crossentropy %x, %y : (tensor<?x?xi32>, tensor<?xi64>) -> tensor<?xi32>
  func.return
}

// -----

// labels must be integers
// CHECK: // {{-----}}
// CHECK-NEXT: tg.softmax_crossentropy: labels must be a vector of integers (one class per row), got tensor<?xf32>
func.func @f(%x: tensor<?x?xf32>, %y: tensor<?xf32>) {
  %0 = tg.softmax_crossentropy %x, %y : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return
}

// -----

// one label per row
// CHECK: // {{-----}}
// CHECK-NEXT: tg.softmax_crossentropy: 4 rows of logits but 3 labels
func.func @f(%x: tensor<4x2xf32>, %y: tensor<3xi64>) {
  %0 = tg.softmax_crossentropy %x, %y : (tensor<4x2xf32>, tensor<3xi64>) -> tensor<4xf32>
  func.return
}

// -----

// the result is a vector of the logits' type
// CHECK: // {{-----}}
// CHECK-NEXT: tg.softmax_crossentropy: result must be a vector of f32, got tensor<?xf64>
func.func @f(%x: tensor<?x?xf32>, %y: tensor<?xi64>) {
  %0 = tg.softmax_crossentropy %x, %y : (tensor<?x?xf32>, tensor<?xi64>) -> tensor<?xf64>
  func.return
}
