// Every verifier error of the tg random ops, one malformed op per split.
// RUN: tg-opt %s --split-input-file --verify-diagnostics | filecheck %s

// uniform: a state of the wrong size
// CHECK: tg.random_uniform: the state must be tensor<2xi64> (key, counter), got tensor<3xi64>
func.func @f(%s: tensor<3xi64>, %n: tensor<i64>) {
  %0 = tg.random_uniform %s to %n : (tensor<3xi64>, tensor<i64>) -> tensor<?xf64>
  func.return
}

// -----

// uniform: a state of the wrong element type
// CHECK: // {{-----}}
// CHECK-NEXT: tg.random_uniform: the state must be tensor<2xi64> (key, counter), got tensor<2xi32>
func.func @f(%s: tensor<2xi32>, %n: tensor<i64>) {
  %0 = tg.random_uniform %s to %n : (tensor<2xi32>, tensor<i64>) -> tensor<?xf64>
  func.return
}

// -----

// uniform: one size per result dimension
// CHECK: // {{-----}}
// CHECK-NEXT: tg.random_uniform: expected 2 sizes for a rank-2 result, got 1
func.func @f(%s: tensor<2xi64>, %n: tensor<i64>) {
  %0 = tg.random_uniform %s to %n : (tensor<2xi64>, tensor<i64>) -> tensor<?x?xf64>
  func.return
}

// -----

// uniform: sizes are 0-d int64
// CHECK: // {{-----}}
// CHECK-NEXT: tg.random_uniform: sizes must be tensor<i64>, got tensor<i32>
func.func @f(%s: tensor<2xi64>, %n: tensor<i32>) {
  %0 = tg.random_uniform %s to %n : (tensor<2xi64>, tensor<i32>) -> tensor<?xf64>
  func.return
}

// -----

// uniform: integer draws
// CHECK: // {{-----}}
// CHECK-NEXT: tg.random_uniform: the result must hold floats, got tensor<?xi64>
func.func @f(%s: tensor<2xi64>, %n: tensor<i64>) {
  %0 = tg.random_uniform %s to %n : (tensor<2xi64>, tensor<i64>) -> tensor<?xi64>
  func.return
}

// -----

// normal: integer draws
// CHECK: // {{-----}}
// CHECK-NEXT: tg.random_normal: the result must hold floats, got tensor<i32>
func.func @f(%s: tensor<2xi64>) {
  %0 = tg.random_normal %s : (tensor<2xi64>) -> tensor<i32>
  func.return
}

// -----

// categorical: p is a matrix
// CHECK: // {{-----}}
// CHECK-NEXT: tg.random_categorical: p must be a vector of floats, got tensor<?x?xf64>
func.func @f(%s: tensor<2xi64>, %p: tensor<?x?xf64>) {
  %0 = tg.random_categorical %s, %p : (tensor<2xi64>, tensor<?x?xf64>) -> tensor<i64>
  func.return
}

// -----

// categorical: integer p
// CHECK: // {{-----}}
// CHECK-NEXT: tg.random_categorical: p must be a vector of floats, got tensor<3xi64>
func.func @f(%s: tensor<2xi64>, %p: tensor<3xi64>) {
  %0 = tg.random_categorical %s, %p : (tensor<2xi64>, tensor<3xi64>) -> tensor<i64>
  func.return
}

// -----

// categorical: indices are i64
// CHECK: // {{-----}}
// CHECK-NEXT: tg.random_categorical: the result must hold i64 indices, got tensor<f64>
func.func @f(%s: tensor<2xi64>, %p: tensor<3xf64>) {
  %0 = tg.random_categorical %s, %p : (tensor<2xi64>, tensor<3xf64>) -> tensor<f64>
  func.return
}

// -----

// permutation: n is 0-d int64
// CHECK: // {{-----}}
// CHECK-NEXT: tg.random_permutation: n must be tensor<i64>, got tensor<1xi64>
func.func @f(%s: tensor<2xi64>, %n: tensor<1xi64>, %m: tensor<i64>) {
  %0 = tg.random_permutation %s, %n to %m {batch_dims = array<i64: 0>} : (tensor<2xi64>, tensor<1xi64>, tensor<i64>) -> tensor<?xi64>
  func.return
}

// -----

// permutation: batch_dims beyond the rank
// CHECK: // {{-----}}
// CHECK-NEXT: tg.random_permutation: batch_dims must be one count in [0, 1], got [2]
func.func @f(%s: tensor<2xi64>, %n: tensor<i64>) {
  %0 = tg.random_permutation %s, %n to %n {batch_dims = array<i64: 2>} : (tensor<2xi64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  func.return
}

// -----

// permutation: indices are i64
// CHECK: // {{-----}}
// CHECK-NEXT: tg.random_permutation: the result must hold i64 indices, got tensor<?xi32>
func.func @f(%s: tensor<2xi64>, %n: tensor<i64>) {
  %0 = tg.random_permutation %s, %n to %n {batch_dims = array<i64: 0>} : (tensor<2xi64>, tensor<i64>, tensor<i64>) -> tensor<?xi32>
  func.return
}

// -----

// multinomial: counts have pvals' shape
// CHECK: // {{-----}}
// CHECK-NEXT: tg.random_multinomial: the result must have the shape of pvals tensor<?x3xf64>, got tensor<?x4xi64>
func.func @f(%s: tensor<2xi64>, %n: tensor<i64>, %p: tensor<?x3xf64>) {
  %0 = tg.random_multinomial %s, %n, %p : (tensor<2xi64>, tensor<i64>, tensor<?x3xf64>) -> tensor<?x4xi64>
  func.return
}

// -----

// multinomial: pvals of rank 0
// CHECK: // {{-----}}
// CHECK-NEXT: tg.random_multinomial: pvals must be floats of rank >= 1, got tensor<f64>
func.func @f(%s: tensor<2xi64>, %n: tensor<i64>, %p: tensor<f64>) {
  %0 = tg.random_multinomial %s, %n, %p : (tensor<2xi64>, tensor<i64>, tensor<f64>) -> tensor<i64>
  func.return
}

// -----

// multinomial: boolean counts
// CHECK: // {{-----}}
// CHECK-NEXT: tg.random_multinomial: counts cannot be booleans, got tensor<3xi1>
func.func @f(%s: tensor<2xi64>, %n: tensor<i64>, %p: tensor<3xf64>) {
  %0 = tg.random_multinomial %s, %n, %p : (tensor<2xi64>, tensor<i64>, tensor<3xf64>) -> tensor<3xi1>
  func.return
}

// -----

// multinomial: n is 0-d int64
// CHECK: // {{-----}}
// CHECK-NEXT: tg.random_multinomial: n must be tensor<i64>, got tensor<i32>
func.func @f(%s: tensor<2xi64>, %n: tensor<i32>, %p: tensor<3xf64>) {
  %0 = tg.random_multinomial %s, %n, %p : (tensor<2xi64>, tensor<i32>, tensor<3xf64>) -> tensor<3xi64>
  func.return
}
