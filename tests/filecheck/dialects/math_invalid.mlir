// Every verifier error of the tg math ops, one malformed op per split.
// RUN: tg-opt %s --split-input-file --verify-diagnostics | filecheck %s

// float unary: integer operand
// CHECK: tg.sin: operand must be floating point, got tensor<?xi32>
func.func @f(%a: tensor<?xi32>) {
  %0 = tg.sin %a : tensor<?xi32>
  func.return
}

// -----

// float unary: boolean operand
// CHECK: // {{-----}}
// CHECK-NEXT: tg.erfc: operand must be floating point, got tensor<?xi1>
func.func @f(%a: tensor<?xi1>) {
  %0 = tg.erfc %a : tensor<?xi1>
  func.return
}

// -----

// rounding: integer operand (the frontend returns integers unchanged)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.floor: operand must be floating point, got tensor<3xi64>
func.func @f(%a: tensor<3xi64>) {
  %0 = tg.floor %a : tensor<3xi64>
  func.return
}

// -----

// unary: result type differs from the operand's (generic form; the shared type variable T catches it)
// CHECK: // {{-----}}
// CHECK-NEXT: result 'result' at position 0 does not verify:
// CHECK-NEXT: attribute tensor<?xf32> expected from variable 'T', but got tensor<3xf32>
func.func @f(%a: tensor<?xf32>) {
  %0 = "tg.cos"(%a) : (tensor<?xf32>) -> tensor<3xf32>
  func.return
}

// -----

// round: unknown mode
// CHECK: // {{-----}}
// CHECK-NEXT: tg.round: unknown mode 'half_up'; expected one of half_to_even, half_away_from_zero
func.func @f(%a: tensor<?xf32>) {
  %0 = tg.round "half_up", %a : tensor<?xf32>
  func.return
}

// -----

// round: integer operand
// CHECK: // {{-----}}
// CHECK-NEXT: tg.round: operand must be floating point, got tensor<?xi8>
func.func @f(%a: tensor<?xi8>) {
  %0 = tg.round "half_to_even", %a : tensor<?xi8>
  func.return
}

// -----

// sqr: boolean operand
// CHECK: // {{-----}}
// CHECK-NEXT: tg.sqr: boolean operands are not supported, got tensor<?xi1>
func.func @f(%a: tensor<?xi1>) {
  %0 = tg.sqr %a : tensor<?xi1>
  func.return
}

// -----

// sgn: boolean operand
// CHECK: // {{-----}}
// CHECK-NEXT: tg.sgn: boolean operands are not supported, got tensor<i1>
func.func @f(%a: tensor<i1>) {
  %0 = tg.sgn %a : tensor<i1>
  func.return
}

// -----

// invert: float operand
// CHECK: // {{-----}}
// CHECK-NEXT: tg.invert: operands must be integers or booleans, got tensor<?xf32>
func.func @f(%a: tensor<?xf32>) {
  %0 = tg.invert %a : tensor<?xf32>
  func.return
}

// -----

// bitwise: float operands
// CHECK: // {{-----}}
// CHECK-NEXT: tg.and: operands must be integers or booleans, got tensor<?xf64>
func.func @f(%a: tensor<?xf64>) {
  %0 = tg.and %a, %a : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return
}

// -----

// bitwise: mixed element types
// CHECK: // {{-----}}
// CHECK-NEXT: tg.or: operands must have the same element type, got i1 and i8
func.func @f(%a: tensor<?xi1>, %b: tensor<?xi8>) {
  %0 = tg.or %a, %b : (tensor<?xi1>, tensor<?xi8>) -> tensor<?xi1>
  func.return
}

// -----

// bitwise: operands that do not broadcast
// CHECK: // {{-----}}
// CHECK-NEXT: tg.xor: operands do not broadcast: dimension 0 has incompatible static sizes [2, 3]
func.func @f(%a: tensor<2xi32>, %b: tensor<3xi32>) {
  %0 = tg.xor %a, %b : (tensor<2xi32>, tensor<3xi32>) -> tensor<2xi32>
  func.return
}

// -----

// bitwise: wrong result element type
// CHECK: // {{-----}}
// CHECK-NEXT: tg.and: result element type must be i1, got i8
func.func @f(%a: tensor<?xi1>) {
  %0 = tg.and %a, %a : (tensor<?xi1>, tensor<?xi1>) -> tensor<?xi8>
  func.return
}

// -----

// isnan: result is not boolean
// CHECK: // {{-----}}
// CHECK-NEXT: tg.isnan: result type must be tensor<?xi1>, got tensor<?xf32>
func.func @f(%a: tensor<?xf32>) {
  %0 = tg.isnan %a : tensor<?xf32> -> tensor<?xf32>
  func.return
}

// -----

// isinf: result shape differs
// CHECK: // {{-----}}
// CHECK-NEXT: tg.isinf: result type must be tensor<?x3xi1>, got tensor<?x1xi1>
func.func @f(%a: tensor<?x3xf64>) {
  %0 = tg.isinf %a : tensor<?x3xf64> -> tensor<?x1xi1>
  func.return
}

// -----

// arctan2: integer operands
// CHECK: // {{-----}}
// CHECK-NEXT: tg.arctan2: operands must be floating point, got tensor<?xi32>
func.func @f(%a: tensor<?xi32>) {
  %0 = tg.arctan2 %a, %a : (tensor<?xi32>, tensor<?xi32>) -> tensor<?xi32>
  func.return
}

// -----

// arctan2: mixed element types
// CHECK: // {{-----}}
// CHECK-NEXT: tg.arctan2: operands must have the same element type, got f32 and f64
func.func @f(%a: tensor<?xf32>, %b: tensor<?xf64>) {
  %0 = tg.arctan2 %a, %b : (tensor<?xf32>, tensor<?xf64>) -> tensor<?xf32>
  func.return
}

// -----

// int_div: boolean operands (the frontend divides booleans as int8)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.int_div: boolean operands are not supported, got tensor<?xi1>
func.func @f(%a: tensor<?xi1>) {
  %0 = tg.int_div %a, %a : (tensor<?xi1>, tensor<?xi1>) -> tensor<?xi1>
  func.return
}

// -----

// mod: operands of different ranks
// CHECK: // {{-----}}
// CHECK-NEXT: tg.mod: operands must have the same rank, got tensor<?xi32>, tensor<?x?xi32>
func.func @f(%a: tensor<?xi32>, %b: tensor<?x?xi32>) {
  %0 = tg.mod %a, %b : (tensor<?xi32>, tensor<?x?xi32>) -> tensor<?xi32>
  func.return
}

// -----

// mod: wrong result shape
// CHECK: // {{-----}}
// CHECK-NEXT: tg.mod: result shape must be ? (the broadcast of the operands), got tensor<1xf32>
func.func @f(%a: tensor<?xf32>, %b: tensor<1xf32>) {
  %0 = tg.mod %a, %b : (tensor<?xf32>, tensor<1xf32>) -> tensor<1xf32>
  func.return
}

// -----

// clip: bounds of another element type
// CHECK: // {{-----}}
// CHECK-NEXT: tg.clip: operands must have the same element type, got f32, f64, f32
func.func @f(%x: tensor<?xf32>, %lo: tensor<1xf64>, %hi: tensor<1xf32>) {
  %0 = tg.clip %x, %lo, %hi : (tensor<?xf32>, tensor<1xf64>, tensor<1xf32>) -> tensor<?xf32>
  func.return
}

// -----

// clip: bounds of another rank
// CHECK: // {{-----}}
// CHECK-NEXT: tg.clip: operands must have the same rank, got tensor<?x3xf32>, tensor<f32>, tensor<f32>
func.func @f(%x: tensor<?x3xf32>, %lo: tensor<f32>) {
  %0 = tg.clip %x, %lo, %lo : (tensor<?x3xf32>, tensor<f32>, tensor<f32>) -> tensor<?x3xf32>
  func.return
}

// -----

// clip: wrong result shape
// CHECK: // {{-----}}
// CHECK-NEXT: tg.clip: result shape must be 4 (the broadcast of the operands), got tensor<?xf32>
func.func @f(%x: tensor<?xf32>, %lo: tensor<4xf32>) {
  %0 = tg.clip %x, %lo, %lo : (tensor<?xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?xf32>
  func.return
}
