// RUN: tg-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Float-only unary ops reject integer operands, one case per op.

// CHECK: tg.tanh: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.tanh %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.sqrt: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.sqrt %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.softplus: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.softplus %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.tan: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.tan %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.arcsin: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.arcsin %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.arccos: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.arccos %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.arctan: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.arctan %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.sinh: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.sinh %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.cosh: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.cosh %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.arcsinh: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.arcsinh %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.arccosh: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.arccosh %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.arctanh: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.arctanh %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.erf: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.erf %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.log1p: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.log1p %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.expm1: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.expm1 %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.log2: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.log2 %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.log10: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.log10 %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.exp2: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.exp2 %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.reciprocal: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.reciprocal %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.ceil: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.ceil %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.trunc: operand must be floating point, got tensor<?xi32>
func.func @f(%x: tensor<?xi32>) {
  %0 = tg.trunc %x : tensor<?xi32>
  func.return
}

// -----

// CHECK: tg.minimum: operands must have the same element type, got f32 and f64
func.func @f(%x: tensor<?xf32>, %y: tensor<?xf64>) {
  %0 = tg.minimum %x, %y : (tensor<?xf32>, tensor<?xf64>) -> tensor<?xf32>
  func.return
}
