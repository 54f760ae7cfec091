// Every verifier error of the shape ops, one malformed op per split.
// RUN: tg-opt %s --split-input-file --verify-diagnostics | filecheck %s

// reshape: one size per result dimension
// CHECK: tg.reshape: expected 2 sizes for a rank-2 result, got 1
func.func @f(%x: tensor<?xf32>, %n: tensor<i64>) {
  %0 = tg.reshape %x to %n : (tensor<?xf32>, tensor<i64>) -> tensor<?x?xf32>
  func.return
}

// -----

// reshape: sizes are 0-d int64 tensors
// CHECK: // {{-----}}
// CHECK-NEXT: tg.reshape: sizes must be tensor<i64>, got tensor<i32>
func.func @f(%x: tensor<?xf32>, %n: tensor<i32>) {
  %0 = tg.reshape %x to %n : (tensor<?xf32>, tensor<i32>) -> tensor<?xf32>
  func.return
}

// -----

// reshape: static shapes with different numbers of elements
// CHECK: // {{-----}}
// CHECK-NEXT: tg.reshape: 2x3 and 5 hold different numbers of elements
func.func @f(%x: tensor<2x3xf32>, %n: tensor<i64>) {
  %0 = tg.reshape %x to %n : (tensor<2x3xf32>, tensor<i64>) -> tensor<5xf32>
  func.return
}

// -----

// reshape: the element type cannot change
// CHECK: // {{-----}}
// CHECK-NEXT: tg.reshape: result element type must equal the input's f32, got f64
func.func @f(%x: tensor<?xf32>, %n: tensor<i64>) {
  %0 = tg.reshape %x to %n : (tensor<?xf32>, tensor<i64>) -> tensor<?xf64>
  func.return
}

// -----

// concatenate: operands of different ranks
// CHECK: // {{-----}}
// CHECK-NEXT: tg.concatenate: operands must have the same rank, got tensor<?xf32>, tensor<?x?xf32>
func.func @f(%a: tensor<?xf32>, %b: tensor<?x?xf32>) {
  %0 = tg.concatenate %a, %b {axis = array<i64: 0>} : (tensor<?xf32>, tensor<?x?xf32>) -> tensor<?xf32>
  func.return
}

// -----

// concatenate: axis out of range
// CHECK: // {{-----}}
// CHECK-NEXT: tg.concatenate: axis must be one index in [0, 1), got [1]
func.func @f(%a: tensor<?xf32>) {
  %0 = tg.concatenate %a, %a {axis = array<i64: 1>} : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return
}

// -----

// concatenate: mixed element types
// CHECK: // {{-----}}
// CHECK-NEXT: tg.concatenate: operands must have the same element type, got f32, i32
func.func @f(%a: tensor<?xf32>, %b: tensor<?xi32>) {
  %0 = tg.concatenate %a, %b {axis = array<i64: 0>} : (tensor<?xf32>, tensor<?xi32>) -> tensor<?xf32>
  func.return
}

// -----

// concatenate: the other dimensions must agree
// CHECK: // {{-----}}
// CHECK-NEXT: tg.concatenate: dimension 1 has different static sizes [3, 4]
func.func @f(%a: tensor<?x3xf32>, %b: tensor<?x4xf32>) {
  %0 = tg.concatenate %a, %b {axis = array<i64: 0>} : (tensor<?x3xf32>, tensor<?x4xf32>) -> tensor<?x3xf32>
  func.return
}

// -----

// concatenate: the joined dimension is the sum of static sizes
// CHECK: // {{-----}}
// CHECK-NEXT: tg.concatenate: result type must be tensor<5xf32>, got tensor<4xf32>
func.func @f(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  %0 = tg.concatenate %a, %b {axis = array<i64: 0>} : (tensor<2xf32>, tensor<3xf32>) -> tensor<4xf32>
  func.return
}

// -----

// concatenate: 0-d operands
// CHECK: // {{-----}}
// CHECK-NEXT: tg.concatenate: 0-d operands cannot be concatenated
func.func @f(%a: tensor<f32>) {
  %0 = tg.concatenate %a, %a {axis = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> tensor<f32>
  func.return
}

// -----

// narrow: start and length are 0-d int64 tensors
// CHECK: // {{-----}}
// CHECK-NEXT: tg.narrow: start and length must be tensor<i64>, got tensor<f32>
func.func @f(%x: tensor<?xf32>, %s: tensor<i64>, %n: tensor<f32>) {
  %0 = tg.narrow %x, %s, %n {axis = array<i64: 0>} : (tensor<?xf32>, tensor<i64>, tensor<f32>) -> tensor<?xf32>
  func.return
}

// -----

// narrow: only the narrowed dimension may change
// CHECK: // {{-----}}
// CHECK-NEXT: tg.narrow: result type must be tensor<?x3xf32> (the input's, but for dimension 0), got tensor<?x?xf32>
func.func @f(%x: tensor<?x3xf32>, %s: tensor<i64>) {
  %0 = tg.narrow %x, %s, %s {axis = array<i64: 0>} : (tensor<?x3xf32>, tensor<i64>, tensor<i64>) -> tensor<?x?xf32>
  func.return
}

// -----

// narrow: a static slice longer than its dimension
// CHECK: // {{-----}}
// CHECK-NEXT: tg.narrow: a slice of 4 elements of a dimension of size 3
func.func @f(%x: tensor<3xf32>, %s: tensor<i64>) {
  %0 = tg.narrow %x, %s, %s {axis = array<i64: 0>} : (tensor<3xf32>, tensor<i64>, tensor<i64>) -> tensor<4xf32>
  func.return
}

// -----

// narrow: axis out of range
// CHECK: // {{-----}}
// CHECK-NEXT: tg.narrow: axis must be one index in [0, 1), got [-1]
func.func @f(%x: tensor<3xf32>, %s: tensor<i64>) {
  %0 = tg.narrow %x, %s, %s {axis = array<i64: -1>} : (tensor<3xf32>, tensor<i64>, tensor<i64>) -> tensor<3xf32>
  func.return
}

// -----

// arange: bounds of the result's element type
// CHECK: // {{-----}}
// CHECK-NEXT: tg.arange: bounds must be tensor<f32> (0-d, of the result's element type), got tensor<i64>
func.func @f(%a: tensor<i64>) {
  %0 = tg.arange %a, %a, %a : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xf32>
  func.return
}

// -----

// arange: a vector result
// CHECK: // {{-----}}
// CHECK-NEXT: tg.arange: the result must be a vector, got tensor<?x?xi64>
func.func @f(%a: tensor<i64>) {
  %0 = tg.arange %a, %a, %a : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?x?xi64>
  func.return
}

// -----

// arange: no booleans
// CHECK: // {{-----}}
// CHECK-NEXT: tg.arange: boolean results are not supported, got tensor<?xi1>
func.func @f(%a: tensor<i1>) {
  %0 = tg.arange %a, %a, %a : (tensor<i1>, tensor<i1>, tensor<i1>) -> tensor<?xi1>
  func.return
}
