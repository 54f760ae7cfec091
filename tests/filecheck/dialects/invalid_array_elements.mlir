// Axes, permutations and patterns must be array<i64: ...>; float arrays used to
// crash the verifier.
// RUN: tg-opt %s --split-input-file --verify-diagnostics | filecheck %s

// CHECK: Expected attribute i64 but got
func.func @f(%a: tensor<?x?xf32>) {
  %0 = tg.transpose %a {permutation = array<f32: 1.0, 0.0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  func.return
}

// -----

// CHECK: // {{-----}}
// CHECK: Expected attribute i64 but got
func.func @f(%a: tensor<?x?xf32>) {
  %0 = tg.dim %a {axis = array<f64: 1.0>} : tensor<?x?xf32> -> tensor<i64>
  func.return
}

// -----

// CHECK: // {{-----}}
// CHECK: Expected attribute i64 but got
func.func @f(%a: tensor<?x?xf32>) {
  %0 = tg.sum %a {axes = array<f32: 1.0>} : tensor<?x?xf32> -> tensor<?xf32>
  func.return
}

// -----

// CHECK: // {{-----}}
// CHECK: Expected attribute i64 but got
func.func @f(%a: tensor<?x?xf32>) {
  %0 = tg.dimshuffle %a {pattern = array<f32: 1.0, 0.0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  func.return
}
