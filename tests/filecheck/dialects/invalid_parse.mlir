// Malformed tg ops that the parser itself rejects, one per split. These never reach
// the verifier, so they are checked with --parsing-diagnostics.
// RUN: tg-opt %s --split-input-file --parsing-diagnostics | filecheck %s

// A constant must have a static shape: the dense literal's type is rejected while
// parsing (tg.constant's own "must have a static shape" verifier check is unreachable
// from text; xDSL reports the position of the token after the type).
// CHECK: {{.*}}invalid_parse.mlir:{{[0-9]+}}:{{[0-9]+}}
// CHECK: Dense literal attribute should have a static shape.
func.func @f() {
  %c = tg.constant dense<1.0> : tensor<?xf32>
  func.return
}

// -----

// The custom form of a unary op names one type: an operand of another type is a
// use-def type mismatch.
// CHECK: // {{-----}}
// CHECK-NEXT: {{.*}}invalid_parse.mlir:[[# @LINE + 4]]:15
// CHECK-NEXT: %0 = tg.neg %a : tensor<?xf64>
// CHECK: operand is used with type tensor<?xf64>, but has been previously used or defined with type tensor<?xf32>
func.func @f(%a: tensor<?xf32>) {
  %0 = tg.neg %a : tensor<?xf64>
  func.return
}

// -----

// CHECK: // {{-----}}
// CHECK-NEXT: {{.*}}invalid_parse.mlir:[[# @LINE + 3]]:17
// CHECK: Operation tg.bogus is not registered
func.func @f(%a: tensor<?xf32>) {
  %0 = tg.bogus %a : tensor<?xf32>
  func.return
}

// -----

// The cmp predicate is a string attribute: a bare keyword is not one.
// CHECK: // {{-----}}
// CHECK-NEXT: {{.*}}invalid_parse.mlir:[[# @LINE + 3]]:15
// CHECK: attribute expected
func.func @f(%a: tensor<?xf32>) {
  %0 = tg.cmp lt, %a, %a : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xi1>
  func.return
}

// -----

// A binary op takes two operands.
// CHECK: // {{-----}}
// CHECK-NEXT: {{.*}}invalid_parse.mlir:[[# @LINE + 3]]:18
// CHECK: Expected ','
func.func @f(%a: tensor<?xf32>) {
  %0 = tg.add %a : (tensor<?xf32>) -> tensor<?xf32>
  func.return
}

