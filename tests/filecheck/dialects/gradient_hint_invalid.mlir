// RUN: tg-opt %s --split-input-file --verify-diagnostics | filecheck %s

// CHECK: tg.gradient_hint: unknown kind 'bogus'
func.func @f(%x: tensor<?xf64>) -> tensor<?xf64> {
  %0 = tg.gradient_hint "bogus", %x : (tensor<?xf64>) -> tensor<?xf64>
  func.return %0 : tensor<?xf64>
}

// -----

// CHECK: tg.gradient_hint: 'clip' takes 2 parameters, got 0
func.func @f(%x: tensor<?xf64>) -> tensor<?xf64> {
  %0 = tg.gradient_hint "clip", %x : (tensor<?xf64>) -> tensor<?xf64>
  func.return %0 : tensor<?xf64>
}

// -----

// CHECK: tg.gradient_hint: parameters must be 0-d tensors
func.func @f(%x: tensor<?xf64>) -> tensor<?xf64> {
  %0 = tg.gradient_hint "scale", %x, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %0 : tensor<?xf64>
}
