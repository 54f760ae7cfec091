// Every verifier error of the tg indexing ops, one malformed op per split.
// RUN: tg-opt %s --split-input-file --verify-diagnostics | filecheck %s

// subtensor: a key that is not made of (start, stop, step) triples (generic form)
// CHECK: tg.subtensor: the key must hold (start, stop, step) triples
func.func @f(%x: tensor<?xf32>) {
  %0 = "tg.subtensor"(%x) <{key = array<i64: 1, 2>}> : (tensor<?xf32>) -> tensor<?xf32>
  func.return
}

// -----

// subtensor: more key entries than dimensions
// CHECK: // {{-----}}
// CHECK-NEXT: tg.subtensor: the key indexes 2 dimensions of a rank-1 tensor
func.func @f(%x: tensor<?xf32>) {
  %0 = tg.subtensor %x[0, 0] : tensor<?xf32> -> tensor<f32>
  func.return
}

// -----

// subtensor: the key names an operand that is missing (generic form)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.subtensor: the key takes 1 index operands, got 0
func.func @f(%x: tensor<?xf32>) {
  %0 = "tg.subtensor"(%x) <{key = array<i64: -9223372036854775808, -9223372036854775807, 0>}> : (tensor<?xf32>) -> tensor<f32>
  func.return
}

// -----

// subtensor: index operands are 0-d i64 tensors (generic form)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.subtensor: index operands must be tensor<i64>, got tensor<i32>
func.func @f(%x: tensor<?xf32>, %i: tensor<i32>) {
  %0 = "tg.subtensor"(%x, %i) <{key = array<i64: -9223372036854775808, -9223372036854775807, 0>}> : (tensor<?xf32>, tensor<i32>) -> tensor<f32>
  func.return
}

// -----

// subtensor: a slice without a step (generic form; the custom form always has one)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.subtensor: the slice of dimension 0 has no step
func.func @f(%x: tensor<?xf32>) {
  %0 = "tg.subtensor"(%x) <{key = array<i64: 1, 2, -9223372036854775807>}> : (tensor<?xf32>) -> tensor<?xf32>
  func.return
}

// -----

// subtensor: an integer index with a stop (generic form)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.subtensor: the integer index of dimension 0 must be (index, NONE, 0)
func.func @f(%x: tensor<?xf32>) {
  %0 = "tg.subtensor"(%x) <{key = array<i64: 1, 2, 0>}> : (tensor<?xf32>) -> tensor<f32>
  func.return
}

// -----

// subtensor: a constant bound beyond 2^62 (the frontend clamps them)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.subtensor: key entry 4611686018427387905 of dimension 0 is out of [-2^62, 2^62]
func.func @f(%x: tensor<?xf32>) {
  %0 = tg.subtensor %x[:4611686018427387905] : tensor<?xf32> -> tensor<?xf32>
  func.return
}

// -----

// subtensor: the result type disagrees with the key
// CHECK: // {{-----}}
// CHECK-NEXT: tg.subtensor: result type must be tensor<2xf32>, got tensor<3xf32>
func.func @f(%x: tensor<5xf32>) {
  %0 = tg.subtensor %x[1:3] : tensor<5xf32> -> tensor<3xf32>
  func.return
}

// -----

// set_subtensor: the value's element type differs
// CHECK: // {{-----}}
// CHECK-NEXT: tg.set_subtensor: the value's element type f64 differs from the input's f32
func.func @f(%x: tensor<?x?xf32>, %y: tensor<?xf64>) {
  %0 = tg.set_subtensor %x[0], %y : tensor<?x?xf32>, tensor<?xf64>
  func.return
}

// -----

// set_subtensor: the value has the wrong rank
// CHECK: // {{-----}}
// CHECK-NEXT: tg.set_subtensor: the value must have the indexed rank 1, got rank 2
func.func @f(%x: tensor<?x?xf32>, %y: tensor<?x?xf32>) {
  %0 = tg.set_subtensor %x[0], %y : tensor<?x?xf32>, tensor<?x?xf32>
  func.return
}

// -----

// inc_subtensor: static sizes of the value and the subtensor differ
// CHECK: // {{-----}}
// CHECK-NEXT: tg.inc_subtensor: value dimension 0 has size 3 but the indexed dimension has size 2
func.func @f(%x: tensor<5xf32>, %y: tensor<3xf32>) {
  %0 = tg.inc_subtensor %x[1:3], %y : tensor<5xf32>, tensor<3xf32>
  func.return
}

// -----

// inc_subtensor: booleans cannot be incremented
// CHECK: // {{-----}}
// CHECK-NEXT: tg.inc_subtensor: boolean tensors cannot be incremented
func.func @f(%x: tensor<5xi1>, %y: tensor<1xi1>) {
  %0 = tg.inc_subtensor %x[1:3], %y : tensor<5xi1>, tensor<1xi1>
  func.return
}

// -----

// set_subtensor: the result type differs from the input's (generic form)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.set_subtensor: result type must equal the input type tensor<5xf32>, got tensor<?xf32>
func.func @f(%x: tensor<5xf32>, %y: tensor<f32>) {
  %0 = "tg.set_subtensor"(%x, %y) <{key = array<i64: 0, -9223372036854775807, 0>}> : (tensor<5xf32>, tensor<f32>) -> tensor<?xf32>
  func.return
}

// -----

// advanced_subtensor: no indexed dimension (generic form)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.advanced_subtensor: at least one dimension must be indexed
func.func @f(%x: tensor<?xf32>) {
  %0 = "tg.advanced_subtensor"(%x) <{axes = array<i64>}> : (tensor<?xf32>) -> tensor<?xf32>
  func.return
}

// -----

// advanced_subtensor: axes out of order (generic form)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.advanced_subtensor: indexed axes must be distinct, increasing and in [0, 2), got [1, 0]
func.func @f(%x: tensor<?x?xf32>, %i: tensor<?xi64>) {
  %0 = "tg.advanced_subtensor"(%x, %i, %i) <{axes = array<i64: 1, 0>}> : (tensor<?x?xf32>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xf32>
  func.return
}

// -----

// advanced_subtensor: fewer index arrays than axes (generic form)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.advanced_subtensor: 2 indexed axes need as many index arrays, got 1
func.func @f(%x: tensor<?x?xf32>, %i: tensor<?xi64>) {
  %0 = "tg.advanced_subtensor"(%x, %i) <{axes = array<i64: 0, 1>}> : (tensor<?x?xf32>, tensor<?xi64>) -> tensor<?xf32>
  func.return
}

// -----

// advanced_subtensor: a float index array
// CHECK: // {{-----}}
// CHECK-NEXT: tg.advanced_subtensor: index arrays must hold integers, got tensor<?xf32>
func.func @f(%x: tensor<?xf32>, %i: tensor<?xf32>) {
  %0 = tg.advanced_subtensor %x[%i] : tensor<?xf32>, tensor<?xf32> -> tensor<?xf32>
  func.return
}

// -----

// advanced_subtensor: index arrays that do not broadcast
// CHECK: // {{-----}}
// CHECK-NEXT: tg.advanced_subtensor: index arrays do not broadcast: dimension 0 has incompatible static sizes [2, 3]
func.func @f(%x: tensor<?x?xf32>, %i: tensor<2xi64>, %j: tensor<3xi64>) {
  %0 = tg.advanced_subtensor %x[%i, %j] : tensor<?x?xf32>, tensor<2xi64>, tensor<3xi64> -> tensor<2xf32>
  func.return
}

// -----

// advanced_subtensor: the result type disagrees (separated axes put the index dimensions first)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.advanced_subtensor: result type must be tensor<2x5xf32>, got tensor<5x2xf32>
func.func @f(%x: tensor<4x5x6xf32>, %i: tensor<2xi64>, %j: tensor<2xi64>) {
  %0 = tg.advanced_subtensor %x[%i, :, %j] : tensor<4x5x6xf32>, tensor<2xi64>, tensor<2xi64> -> tensor<5x2xf32>
  func.return
}

// -----

// advanced_set_subtensor: static sizes of the value and the gather differ
// CHECK: // {{-----}}
// CHECK-NEXT: tg.advanced_set_subtensor: value dimension 0 has size 3 but the indexed dimension has size 2
func.func @f(%x: tensor<?xf32>, %i: tensor<2xi64>, %y: tensor<3xf32>) {
  %0 = tg.advanced_set_subtensor %x[%i], %y : tensor<?xf32>, tensor<3xf32>, tensor<2xi64>
  func.return
}

// -----

// advanced_inc_subtensor: booleans cannot be incremented
// CHECK: // {{-----}}
// CHECK-NEXT: tg.advanced_inc_subtensor: boolean tensors cannot be incremented
func.func @f(%x: tensor<?xi1>, %i: tensor<?xi64>, %y: tensor<?xi1>) {
  %0 = tg.advanced_inc_subtensor %x[%i], %y : tensor<?xi1>, tensor<?xi1>, tensor<?xi64>
  func.return
}

// -----

// nonzero: a 0-d input
// CHECK: // {{-----}}
// CHECK-NEXT: tg.nonzero: the input must have at least one dimension
func.func @f(%x: tensor<f32>) {
  %0 = tg.nonzero %x : tensor<f32> -> tensor<0x?xi64>
  func.return
}

// -----

// nonzero: the result has one row per input dimension
// CHECK: // {{-----}}
// CHECK-NEXT: tg.nonzero: result type must be tensor<2x?xi64>, got tensor<?x2xi64>
func.func @f(%x: tensor<?x?xi1>) {
  %0 = tg.nonzero %x : tensor<?x?xi1> -> tensor<?x2xi64>
  func.return
}

// -----

// nonzero: an indexed tensor without its first axis (generic form)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.nonzero: an indexed tensor and its first axis come together
func.func @f(%m: tensor<?xi1>, %x: tensor<?xf32>) {
  %0 = "tg.nonzero"(%m, %x) : (tensor<?xi1>, tensor<?xf32>) -> tensor<1x?xi64>
  func.return
}

// -----

// nonzero: a mask indexing a tensor must be boolean
// CHECK: // {{-----}}
// CHECK-NEXT: tg.nonzero: a mask indexing a tensor must be boolean, got tensor<?xi8>
func.func @f(%m: tensor<?xi8>, %x: tensor<?xf32>) {
  %0 = tg.nonzero %m for %x at 0 : tensor<?xi8>, tensor<?xf32> -> tensor<1x?xi64>
  func.return
}

// -----

// nonzero: the mask reaches past the indexed tensor's last dimension
// CHECK: // {{-----}}
// CHECK-NEXT: tg.nonzero: a rank-2 mask cannot index a rank-2 tensor from axis [1]
func.func @f(%m: tensor<?x?xi1>, %x: tensor<?x?xf32>) {
  %0 = tg.nonzero %m for %x at 1 : tensor<?x?xi1>, tensor<?x?xf32> -> tensor<2x?xi64>
  func.return
}

// -----

// nonzero: static sizes of the mask and the indexed dimensions differ
// CHECK: // {{-----}}
// CHECK-NEXT: tg.nonzero: mask dimension 0 has size 3 but the indexed dimension 1 has size 4
func.func @f(%m: tensor<3xi1>, %x: tensor<?x4xf32>) {
  %0 = tg.nonzero %m for %x at 1 : tensor<3xi1>, tensor<?x4xf32> -> tensor<1x?xi64>
  func.return
}
