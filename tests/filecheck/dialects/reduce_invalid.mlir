// Every verifier error of the reduction and scan ops, one malformed op per split.
// RUN: tg-opt %s --split-input-file --verify-diagnostics | filecheck %s

// min: axis out of range
// CHECK: tg.min: axes must be distinct, sorted and in [0, 2), got [2]
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.min %a {axes = array<i64: 2>} : tensor<?x3xf32> -> tensor<?x3xf32>
  func.return
}

// -----

// prod: the result keeps the element type
// CHECK: // {{-----}}
// CHECK-NEXT: tg.prod: result type must be tensor<?xi32>, got tensor<?xi64>
func.func @f(%a: tensor<?x3xi32>) {
  %0 = tg.prod %a {axes = array<i64: 1>} : tensor<?x3xi32> -> tensor<?xi64>
  func.return
}

// -----

// prod: no booleans
// CHECK: // {{-----}}
// CHECK-NEXT: tg.prod: boolean operands are not supported, got tensor<?x3xi1>
func.func @f(%a: tensor<?x3xi1>) {
  %0 = tg.prod %a {axes = array<i64: 1>} : tensor<?x3xi1> -> tensor<?xi1>
  func.return
}

// -----

// argmax: the result is int64
// CHECK: // {{-----}}
// CHECK-NEXT: tg.argmax: result type must be tensor<?xi64>, got tensor<?xf32>
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.argmax %a {axes = array<i64: 1>} : tensor<?x3xf32> -> tensor<?xf32>
  func.return
}

// -----

// argmin: unsorted axes
// CHECK: // {{-----}}
// CHECK-NEXT: tg.argmin: axes must be distinct, sorted and in [0, 2), got [1, 0]
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.argmin %a {axes = array<i64: 1, 0>} : tensor<?x3xf32> -> tensor<i64>
  func.return
}

// -----

// argmax: no booleans
// CHECK: // {{-----}}
// CHECK-NEXT: tg.argmax: boolean operands are not supported, got tensor<?xi1>
func.func @f(%a: tensor<?xi1>) {
  %0 = tg.argmax %a {axes = array<i64: 0>} : tensor<?xi1> -> tensor<i64>
  func.return
}

// -----

// cumsum: axis out of range
// CHECK: // {{-----}}
// CHECK-NEXT: tg.cumsum: axis must be one index in [0, 2), got [2]
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.cumsum %a {axis = array<i64: 2>} : tensor<?x3xf32>
  func.return
}

// -----

// cumprod: exactly one axis
// CHECK: // {{-----}}
// CHECK-NEXT: tg.cumprod: axis must be one index in [0, 2), got [0, 1]
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.cumprod %a {axis = array<i64: 0, 1>} : tensor<?x3xf32>
  func.return
}

// -----

// cumsum: no booleans
// CHECK: // {{-----}}
// CHECK-NEXT: tg.cumsum: boolean operands are not supported, got tensor<?xi1>
func.func @f(%a: tensor<?xi1>) {
  %0 = tg.cumsum %a {axis = array<i64: 0>} : tensor<?xi1>
  func.return
}

// -----

// cumsum: the result has the operand's type (generic form; the type variable T catches it)
// CHECK: // {{-----}}
// CHECK-NEXT: result 'result' at position 0 does not verify:
// CHECK-NEXT: attribute tensor<?xf32> expected from variable 'T', but got tensor<?xf64>
"func.func"() <{sym_name = "f", function_type = (tensor<?xf32>) -> ()}> ({
^bb0(%a: tensor<?xf32>):
  %0 = "tg.cumsum"(%a) {axis = array<i64: 0>} : (tensor<?xf32>) -> tensor<?xf64>
  "func.return"() : () -> ()
}) : () -> ()
