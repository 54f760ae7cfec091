// Every verifier error of the tg dialect, one malformed op per split.
// RUN: tg-opt %s --split-input-file --verify-diagnostics | filecheck %s

// constant: the value's type and the declared result type differ (generic form; the shared type variable T catches it)
// CHECK: attribute tensor<3xf32> expected from variable 'T', but got tensor<2xf32>
"func.func"() <{sym_name = "f", function_type = () -> ()}> ({
  %c = "tg.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<3xf32>
  "func.return"() : () -> ()
}) : () -> ()

// -----

// elementwise: mismatched element types
// CHECK: // {{-----}}
// CHECK-NEXT: tg.add: operands must have the same element type, got f32 and f64
func.func @f(%a: tensor<?xf32>, %b: tensor<?xf64>) {
  %0 = tg.add %a, %b : (tensor<?xf32>, tensor<?xf64>) -> tensor<?xf32>
  func.return
}

// -----

// elementwise: operands of different ranks
// CHECK: // {{-----}}
// CHECK-NEXT: tg.sub: operands must have the same rank, got tensor<?xf32>, tensor<?x?xf32>
func.func @f(%a: tensor<?xf32>, %b: tensor<?x?xf32>) {
  %0 = tg.sub %a, %b : (tensor<?xf32>, tensor<?x?xf32>) -> tensor<?xf32>
  func.return
}

// -----

// elementwise: static sizes that do not broadcast
// CHECK: // {{-----}}
// CHECK-NEXT: tg.mul: operands do not broadcast: dimension 0 has incompatible static sizes [2, 3]
func.func @f(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  %0 = tg.mul %a, %b : (tensor<2xf32>, tensor<3xf32>) -> tensor<2xf32>
  func.return
}

// -----

// elementwise: wrong result shape (a dynamic dimension declared broadcastable)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.add: result shape must be ? (the broadcast of the operands), got tensor<1xf32>
func.func @f(%a: tensor<?xf32>, %b: tensor<1xf32>) {
  %0 = tg.add %a, %b : (tensor<?xf32>, tensor<1xf32>) -> tensor<1xf32>
  func.return
}

// -----

// elementwise: wrong result shape (the static size of an operand is known)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.add: result shape must be 4 (the broadcast of the operands), got tensor<?xf32>
func.func @f(%a: tensor<?xf32>, %b: tensor<4xf32>) {
  %0 = tg.add %a, %b : (tensor<?xf32>, tensor<4xf32>) -> tensor<?xf32>
  func.return
}

// -----

// elementwise: wrong result element type
// CHECK: // {{-----}}
// CHECK-NEXT: tg.add: result element type must be f32, got f64
func.func @f(%a: tensor<?xf32>) {
  %0 = tg.add %a, %a : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf64>
  func.return
}

// -----

// div is float-only
// CHECK: // {{-----}}
// CHECK-NEXT: tg.div: operands must be floating point, got tensor<?xi32>
func.func @f(%a: tensor<?xi32>) {
  %0 = tg.div %a, %a : (tensor<?xi32>, tensor<?xi32>) -> tensor<?xi32>
  func.return
}

// -----

// pow is float-only
// CHECK: // {{-----}}
// CHECK-NEXT: tg.pow: operands must be floating point, got tensor<?xi64>
func.func @f(%a: tensor<?xi64>) {
  %0 = tg.pow %a, %a : (tensor<?xi64>, tensor<?xi64>) -> tensor<?xi64>
  func.return
}

// -----

// boolean operands to an arithmetic op
// CHECK: // {{-----}}
// CHECK-NEXT: tg.add: boolean operands are not supported, got tensor<?xi1>
func.func @f(%a: tensor<?xi1>) {
  %0 = tg.add %a, %a : (tensor<?xi1>, tensor<?xi1>) -> tensor<?xi1>
  func.return
}

// -----

// boolean operands to maximum
// CHECK: // {{-----}}
// CHECK-NEXT: tg.maximum: boolean operands are not supported, got tensor<?xi1>
func.func @f(%a: tensor<?xi1>) {
  %0 = tg.maximum %a, %a : (tensor<?xi1>, tensor<?xi1>) -> tensor<?xi1>
  func.return
}

// -----

// boolean operands to a float-only op
// CHECK: // {{-----}}
// CHECK-NEXT: tg.div: operands must be floating point, got tensor<?xi1>
func.func @f(%a: tensor<?xi1>) {
  %0 = tg.div %a, %a : (tensor<?xi1>, tensor<?xi1>) -> tensor<?xi1>
  func.return
}

// -----

// unary: result type differs from the operand type (generic form)
// CHECK: // {{-----}}
// CHECK-NEXT: result 'result' at position 0 does not verify:
// CHECK-NEXT: attribute tensor<?xf32> expected from variable 'T', but got tensor<?xf64>
"func.func"() <{sym_name = "f", function_type = (tensor<?xf32>) -> ()}> ({
^bb0(%a: tensor<?xf32>):
  %0 = "tg.neg"(%a) : (tensor<?xf32>) -> tensor<?xf64>
  "func.return"() : () -> ()
}) : () -> ()

// -----

// exp is float-only
// CHECK: // {{-----}}
// CHECK-NEXT: tg.exp: operand must be floating point, got tensor<?xi32>
func.func @f(%a: tensor<?xi32>) {
  %0 = tg.exp %a : tensor<?xi32>
  func.return
}

// -----

// sigmoid is float-only
// CHECK: // {{-----}}
// CHECK-NEXT: tg.sigmoid: operand must be floating point, got tensor<?xi8>
func.func @f(%a: tensor<?xi8>) {
  %0 = tg.sigmoid %a : tensor<?xi8>
  func.return
}

// -----

// neg of booleans
// CHECK: // {{-----}}
// CHECK-NEXT: tg.neg: boolean operands are not supported, got tensor<?xi1>
func.func @f(%a: tensor<?xi1>) {
  %0 = tg.neg %a : tensor<?xi1>
  func.return
}

// -----

// abs of booleans
// CHECK: // {{-----}}
// CHECK-NEXT: tg.abs: boolean operands are not supported, got tensor<?xi1>
func.func @f(%a: tensor<?xi1>) {
  %0 = tg.abs %a : tensor<?xi1>
  func.return
}

// -----

// log of booleans
// CHECK: // {{-----}}
// CHECK-NEXT: tg.log: operand must be floating point, got tensor<?xi1>
func.func @f(%a: tensor<?xi1>) {
  %0 = tg.log %a : tensor<?xi1>
  func.return
}

// -----

// cmp: unknown predicate
// CHECK: // {{-----}}
// CHECK-NEXT: tg.cmp: unknown predicate 'foo'; expected one of eq, ne, lt, le, gt, ge
func.func @f(%a: tensor<?xf32>) {
  %0 = tg.cmp "foo", %a, %a : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xi1>
  func.return
}

// -----

// cmp: an arith-style predicate is not a tg predicate
// CHECK: // {{-----}}
// CHECK-NEXT: tg.cmp: unknown predicate 'olt'; expected one of eq, ne, lt, le, gt, ge
func.func @f(%a: tensor<?xf32>) {
  %0 = tg.cmp "olt", %a, %a : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xi1>
  func.return
}

// -----

// cmp: mismatched element types
// CHECK: // {{-----}}
// CHECK-NEXT: tg.cmp: operands must have the same element type, got f32 and i32
func.func @f(%a: tensor<?xf32>, %b: tensor<?xi32>) {
  %0 = tg.cmp "eq", %a, %b : (tensor<?xf32>, tensor<?xi32>) -> tensor<?xi1>
  func.return
}

// -----

// cmp: the result must be i1
// CHECK: // {{-----}}
// CHECK-NEXT: tg.cmp: result element type must be i1, got f32
func.func @f(%a: tensor<?xf32>) {
  %0 = tg.cmp "eq", %a, %a : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return
}

// -----

// cmp: operands of different ranks
// CHECK: // {{-----}}
// CHECK-NEXT: tg.cmp: operands must have the same rank, got tensor<?xf32>, tensor<2x?xf32>
func.func @f(%a: tensor<?xf32>, %b: tensor<2x?xf32>) {
  %0 = tg.cmp "ne", %a, %b : (tensor<?xf32>, tensor<2x?xf32>) -> tensor<?xi1>
  func.return
}

// -----

// select: the condition must be i1
// CHECK: // {{-----}}
// CHECK-NEXT: tg.select: condition must be i1, got tensor<?xi32>
func.func @f(%c: tensor<?xi32>, %a: tensor<?xf32>) {
  %0 = tg.select %c, %a, %a : (tensor<?xi32>, tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return
}

// -----

// select: choices of different element types
// CHECK: // {{-----}}
// CHECK-NEXT: tg.select: both choices must have the same element type, got f32 and f64
func.func @f(%c: tensor<?xi1>, %a: tensor<?xf32>, %b: tensor<?xf64>) {
  %0 = tg.select %c, %a, %b : (tensor<?xi1>, tensor<?xf32>, tensor<?xf64>) -> tensor<?xf32>
  func.return
}

// -----

// select: static sizes that do not broadcast
// CHECK: // {{-----}}
// CHECK-NEXT: tg.select: operands do not broadcast: dimension 0 has incompatible static sizes [2, 3]
func.func @f(%c: tensor<3xi1>, %a: tensor<2xf32>) {
  %0 = tg.select %c, %a, %a : (tensor<3xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return
}

// -----

// select: the result element type must be the choices'
// CHECK: // {{-----}}
// CHECK-NEXT: tg.select: result element type must be f32, got i1
func.func @f(%c: tensor<?xi1>, %a: tensor<?xf32>) {
  %0 = tg.select %c, %a, %a : (tensor<?xi1>, tensor<?xf32>, tensor<?xf32>) -> tensor<?xi1>
  func.return
}

// -----

// select: the condition must have the choices' rank
// CHECK: // {{-----}}
// CHECK-NEXT: tg.select: operands must have the same rank, got tensor<?x1xi1>, tensor<?xf32>, tensor<?xf32>
func.func @f(%c: tensor<?x1xi1>, %a: tensor<?xf32>) {
  %0 = tg.select %c, %a, %a : (tensor<?x1xi1>, tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return
}

// -----

// cast: the result shape must be the operand's (rank change)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.cast: result shape must equal the operand's, got tensor<?xf32> to tensor<?x1xi32>
func.func @f(%a: tensor<?xf32>) {
  %0 = tg.cast %a : tensor<?xf32> to tensor<?x1xi32>
  func.return
}

// -----

// cast: the result shape must be the operand's (dynamic to static)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.cast: result shape must equal the operand's, got tensor<?xf32> to tensor<3xf64>
func.func @f(%a: tensor<?xf32>) {
  %0 = tg.cast %a : tensor<?xf32> to tensor<3xf64>
  func.return
}

// -----

// dim: axis out of range
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dim: axis must be one index in [0, 2), got [2]
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.dim %a {axis = array<i64: 2>} : tensor<?x3xf32> -> tensor<i64>
  func.return
}

// -----

// dim: negative axis
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dim: axis must be one index in [0, 2), got [-1]
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.dim %a {axis = array<i64: -1>} : tensor<?x3xf32> -> tensor<i64>
  func.return
}

// -----

// dim: more than one axis
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dim: axis must be one index in [0, 2), got [0, 1]
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.dim %a {axis = array<i64: 0, 1>} : tensor<?x3xf32> -> tensor<i64>
  func.return
}

// -----

// dim: the result must be tensor<i64>
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dim: result must be tensor<i64>, got tensor<i32>
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.dim %a {axis = array<i64: 0>} : tensor<?x3xf32> -> tensor<i32>
  func.return
}

// -----

// dim: of a 0-d tensor
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dim: axis must be one index in [0, 0), got [0]
func.func @f(%a: tensor<f32>) {
  %0 = tg.dim %a {axis = array<i64: 0>} : tensor<f32> -> tensor<i64>
  func.return
}

// -----

// broadcast: element type change
// CHECK: // {{-----}}
// CHECK-NEXT: tg.broadcast: result element type must equal the input's
func.func @f(%a: tensor<1xf32>, %n: tensor<i64>) {
  %0 = tg.broadcast %a to %n : (tensor<1xf32>, tensor<i64>) -> tensor<?xf64>
  func.return
}

// -----

// broadcast: wrong number of sizes
// CHECK: // {{-----}}
// CHECK-NEXT: tg.broadcast: expected 2 sizes for a rank-2 result, got 1
func.func @f(%a: tensor<1xf32>, %n: tensor<i64>) {
  %0 = tg.broadcast %a to %n : (tensor<1xf32>, tensor<i64>) -> tensor<?x?xf32>
  func.return
}

// -----

// broadcast: sizes must be tensor<i64> (wrong element type)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.broadcast: sizes must be tensor<i64>, got tensor<i32>
func.func @f(%a: tensor<1xf32>, %n: tensor<i32>) {
  %0 = tg.broadcast %a to %n : (tensor<1xf32>, tensor<i32>) -> tensor<?xf32>
  func.return
}

// -----

// broadcast: sizes must be tensor<i64> (not 0-d)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.broadcast: sizes must be tensor<i64>, got tensor<1xi64>
func.func @f(%a: tensor<1xf32>, %n: tensor<1xi64>) {
  %0 = tg.broadcast %a to %n : (tensor<1xf32>, tensor<1xi64>) -> tensor<?xf32>
  func.return
}

// -----

// broadcast: input rank above the result rank
// CHECK: // {{-----}}
// CHECK-NEXT: tg.broadcast: input rank 2 exceeds result rank 1
func.func @f(%a: tensor<1x1xf32>, %n: tensor<i64>) {
  %0 = tg.broadcast %a to %n : (tensor<1x1xf32>, tensor<i64>) -> tensor<?xf32>
  func.return
}

// -----

// broadcast: a non-broadcastable dimension cannot change size
// CHECK: // {{-----}}
// CHECK-NEXT: tg.broadcast: input dimension of size 3 cannot become 4
func.func @f(%a: tensor<3xf32>, %n: tensor<i64>) {
  %0 = tg.broadcast %a to %n, %n : (tensor<3xf32>, tensor<i64>, tensor<i64>) -> tensor<?x4xf32>
  func.return
}

// -----

// transpose: repeated dimension
// CHECK: // {{-----}}
// CHECK-NEXT: tg.transpose: [0, 0] is not a permutation of the 2 dimensions
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.transpose %a {permutation = array<i64: 0, 0>} : tensor<?x3xf32> -> tensor<?x?xf32>
  func.return
}

// -----

// transpose: too few dimensions
// CHECK: // {{-----}}
// CHECK-NEXT: tg.transpose: [1] is not a permutation of the 2 dimensions
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.transpose %a {permutation = array<i64: 1>} : tensor<?x3xf32> -> tensor<3xf32>
  func.return
}

// -----

// transpose: dimension out of range
// CHECK: // {{-----}}
// CHECK-NEXT: tg.transpose: [1, 2] is not a permutation of the 2 dimensions
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.transpose %a {permutation = array<i64: 1, 2>} : tensor<?x3xf32> -> tensor<3x?xf32>
  func.return
}

// -----

// transpose: wrong result shape
// CHECK: // {{-----}}
// CHECK-NEXT: tg.transpose: result type must be tensor<3x?xf32>, got tensor<?x3xf32>
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.transpose %a {permutation = array<i64: 1, 0>} : tensor<?x3xf32> -> tensor<?x3xf32>
  func.return
}

// -----

// transpose: wrong result element type
// CHECK: // {{-----}}
// CHECK-NEXT: tg.transpose: result type must be tensor<3x?xf32>, got tensor<3x?xf64>
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.transpose %a {permutation = array<i64: 1, 0>} : tensor<?x3xf32> -> tensor<3x?xf64>
  func.return
}

// -----

// dimshuffle: dropping a dimension that is not broadcastable
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dimshuffle: dimension 1 is dropped but is not broadcastable (static size 1)
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.dimshuffle %a {pattern = array<i64: 0>} : tensor<?x3xf32> -> tensor<?xf32>
  func.return
}

// -----

// dimshuffle: dimension out of range
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dimshuffle: pattern [1, 2] names a dimension outside [0, 2) (use -1 for a new broadcastable dimension)
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.dimshuffle %a {pattern = array<i64: 1, 2>} : tensor<?x3xf32> -> tensor<3x?xf32>
  func.return
}

// -----

// dimshuffle: only -1 inserts a dimension
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dimshuffle: pattern [-2, 0, 1] names a dimension outside [0, 2) (use -1 for a new broadcastable dimension)
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.dimshuffle %a {pattern = array<i64: -2, 0, 1>} : tensor<?x3xf32> -> tensor<1x?x3xf32>
  func.return
}

// -----

// dimshuffle: repeated dimension
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dimshuffle: pattern [0, 0, 1] repeats a dimension
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.dimshuffle %a {pattern = array<i64: 0, 0, 1>} : tensor<?x3xf32> -> tensor<?x?x3xf32>
  func.return
}

// -----

// dimshuffle: an inserted dimension has static size 1
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dimshuffle: result type must be tensor<1x?x3xf32>, got tensor<?x?x3xf32>
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.dimshuffle %a {pattern = array<i64: -1, 0, 1>} : tensor<?x3xf32> -> tensor<?x?x3xf32>
  func.return
}

// -----

// reduce: axis out of range
// CHECK: // {{-----}}
// CHECK-NEXT: tg.sum: axes must be distinct, sorted and in [0, 2), got [2]
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.sum %a {axes = array<i64: 2>} : tensor<?x3xf32> -> tensor<?x3xf32>
  func.return
}

// -----

// reduce: unsorted axes
// CHECK: // {{-----}}
// CHECK-NEXT: tg.sum: axes must be distinct, sorted and in [0, 2), got [1, 0]
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.sum %a {axes = array<i64: 1, 0>} : tensor<?x3xf32> -> tensor<f32>
  func.return
}

// -----

// reduce: repeated axes
// CHECK: // {{-----}}
// CHECK-NEXT: tg.max: axes must be distinct, sorted and in [0, 2), got [0, 0]
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.max %a {axes = array<i64: 0, 0>} : tensor<?x3xf32> -> tensor<3xf32>
  func.return
}

// -----

// reduce: negative axis
// CHECK: // {{-----}}
// CHECK-NEXT: tg.max: axes must be distinct, sorted and in [0, 2), got [-1]
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.max %a {axes = array<i64: -1>} : tensor<?x3xf32> -> tensor<?xf32>
  func.return
}

// -----

// reduce: boolean operands
// CHECK: // {{-----}}
// CHECK-NEXT: tg.sum: boolean operands are not supported, got tensor<?x3xi1>
func.func @f(%a: tensor<?x3xi1>) {
  %0 = tg.sum %a {axes = array<i64: 1>} : tensor<?x3xi1> -> tensor<?xi1>
  func.return
}

// -----

// reduce: reduced axes are removed, not kept
// CHECK: // {{-----}}
// CHECK-NEXT: tg.sum: result type must be tensor<?xf32>, got tensor<?x1xf32>
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.sum %a {axes = array<i64: 1>} : tensor<?x3xf32> -> tensor<?x1xf32>
  func.return
}

// -----

// reduce: wrong result element type
// CHECK: // {{-----}}
// CHECK-NEXT: tg.max: result type must be tensor<3xf32>, got tensor<3xf64>
func.func @f(%a: tensor<?x3xf32>) {
  %0 = tg.max %a {axes = array<i64: 0>} : tensor<?x3xf32> -> tensor<3xf64>
  func.return
}

// -----

// dot: contracted dimensions differ (matrix . matrix)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dot: contracted dimensions differ: 3 (lhs) and 4 (rhs)
func.func @f(%a: tensor<?x3xf32>, %b: tensor<4x?xf32>) {
  %0 = tg.dot %a, %b : (tensor<?x3xf32>, tensor<4x?xf32>) -> tensor<?x?xf32>
  func.return
}

// -----

// dot: contracted dimensions differ (vector . vector)
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dot: contracted dimensions differ: 3 (lhs) and 4 (rhs)
func.func @f(%a: tensor<3xf32>, %b: tensor<4xf32>) {
  %0 = tg.dot %a, %b : (tensor<3xf32>, tensor<4xf32>) -> tensor<f32>
  func.return
}

// -----

// dot: rank 3 operand
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dot: operands must have rank 1 or 2, got ranks 3 and 1
func.func @f(%a: tensor<2x?x3xf32>, %b: tensor<3xf32>) {
  %0 = tg.dot %a, %b : (tensor<2x?x3xf32>, tensor<3xf32>) -> tensor<2x?xf32>
  func.return
}

// -----

// dot: rank 0 operand
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dot: operands must have rank 1 or 2, got ranks 0 and 1
func.func @f(%a: tensor<f32>, %b: tensor<3xf32>) {
  %0 = tg.dot %a, %b : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  func.return
}

// -----

// dot: mismatched element types
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dot: operands must have the same element type, got f32 and f64
func.func @f(%a: tensor<?x?xf32>, %b: tensor<?xf64>) {
  %0 = tg.dot %a, %b : (tensor<?x?xf32>, tensor<?xf64>) -> tensor<?xf32>
  func.return
}

// -----

// dot: boolean operands
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dot: boolean operands are not supported
func.func @f(%a: tensor<?x?xi1>, %b: tensor<?xi1>) {
  %0 = tg.dot %a, %b : (tensor<?x?xi1>, tensor<?xi1>) -> tensor<?xi1>
  func.return
}

// -----

// dot: wrong result rank
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dot: result type must be tensor<?x?xf32>, got tensor<?xf32>
func.func @f(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) {
  %0 = tg.dot %a, %b : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?xf32>
  func.return
}

// -----

// dot: wrong result shape
// CHECK: // {{-----}}
// CHECK-NEXT: tg.dot: result type must be tensor<?xf32>, got tensor<3xf32>
func.func @f(%a: tensor<?x?xf32>, %b: tensor<?xf32>) {
  %0 = tg.dot %a, %b : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<3xf32>
  func.return
}
