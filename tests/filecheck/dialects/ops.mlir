// Every tg op survives a print/parse round trip, in the custom and the generic form:
// dynamic (?) and broadcastable (static 1) dimensions, 0-d tensors, and the element
// types f32, f64, i1, i8, i16, i32, i64.
// RUN: TG_ROUNDTRIP
// RUN: TG_GENERIC_ROUNDTRIP

// CHECK-LABEL: func.func @constants()
func.func @constants() -> (tensor<2xf64>, tensor<2x2xf32>, tensor<4x1xf32>, tensor<2xi1>, tensor<3xi8>, tensor<2xi32>, tensor<i64>) {
  // CHECK-NEXT: %{{.*}} = tg.constant dense<[2.000000e-01, 7.000000e-01]> : tensor<2xf64>
  %0 = tg.constant dense<[0.2, 0.7]> : tensor<2xf64>
  // CHECK-NEXT: %{{.*}} = tg.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %1 = tg.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK-NEXT: %{{.*}} = tg.constant dense<5.000000e-01> : tensor<4x1xf32>
  %2 = tg.constant dense<0.5> : tensor<4x1xf32>
  // CHECK-NEXT: %{{.*}} = tg.constant dense<[true, false]> : tensor<2xi1>
  %3 = tg.constant dense<[true, false]> : tensor<2xi1>
  // CHECK-NEXT: %{{.*}} = tg.constant dense<[1, -2, 3]> : tensor<3xi8>
  %4 = tg.constant dense<[1, -2, 3]> : tensor<3xi8>
  // CHECK-NEXT: %{{.*}} = tg.constant dense<7> : tensor<2xi32>
  %5 = tg.constant dense<7> : tensor<2xi32>
  // CHECK-NEXT: %{{.*}} = tg.constant dense<5> : tensor<i64>
  %6 = tg.constant dense<5> : tensor<i64>
  // CHECK-NEXT: func.return %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<2xf64>, tensor<2x2xf32>, tensor<4x1xf32>, tensor<2xi1>, tensor<3xi8>, tensor<2xi32>, tensor<i64>
  func.return %0, %1, %2, %3, %4, %5, %6 : tensor<2xf64>, tensor<2x2xf32>, tensor<4x1xf32>, tensor<2xi1>, tensor<3xi8>, tensor<2xi32>, tensor<i64>
}

// -----

// CHECK-LABEL: func.func @binary(
// CHECK-SAME: %[[A:.*]]: tensor<?x3xf32>, %[[B:.*]]: tensor<1x3xf32>, %[[C:.*]]: tensor<?x1xf32>
func.func @binary(%a: tensor<?x3xf32>, %b: tensor<1x3xf32>, %c: tensor<?x1xf32>) -> tensor<?x3xf32> {
  // CHECK-NEXT: %[[ADD:.*]] = tg.add %[[A]], %[[B]] : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  %0 = tg.add %a, %b : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  // CHECK-NEXT: %[[SUB:.*]] = tg.sub %[[ADD]], %[[C]] : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<?x3xf32>
  %1 = tg.sub %0, %c : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<?x3xf32>
  // CHECK-NEXT: %[[MUL:.*]] = tg.mul %[[SUB]], %[[SUB]] : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %2 = tg.mul %1, %1 : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  // CHECK-NEXT: %[[DIV:.*]] = tg.div %[[MUL]], %[[B]] : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  %3 = tg.div %2, %b : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  // CHECK-NEXT: %[[POW:.*]] = tg.pow %[[DIV]], %[[C]] : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<?x3xf32>
  %4 = tg.pow %3, %c : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<?x3xf32>
  // CHECK-NEXT: %[[MAX:.*]] = tg.maximum %[[POW]], %[[A]] : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %5 = tg.maximum %4, %a : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  // CHECK-NEXT: %[[MIN:.*]] = tg.minimum %[[MAX]], %[[B]] : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  %6 = tg.minimum %5, %b : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  // CHECK-NEXT: func.return %[[MIN]] : tensor<?x3xf32>
  func.return %6 : tensor<?x3xf32>
}

// The static result size comes from whichever operand is static; two broadcastable
// operands give a broadcastable result.
// CHECK-LABEL: func.func @binary_shapes(
func.func @binary_shapes(%a: tensor<?x1xf64>, %b: tensor<1x?xf64>, %c: tensor<4x?xf64>, %d: tensor<1x1xf64>) {
  // CHECK-NEXT: tg.add %{{.*}}, %{{.*}} : (tensor<?x1xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  %0 = tg.add %a, %b : (tensor<?x1xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: tg.sub %{{.*}}, %{{.*}} : (tensor<?x1xf64>, tensor<4x?xf64>) -> tensor<4x?xf64>
  %1 = tg.sub %a, %c : (tensor<?x1xf64>, tensor<4x?xf64>) -> tensor<4x?xf64>
  // CHECK-NEXT: tg.mul %{{.*}}, %{{.*}} : (tensor<1x1xf64>, tensor<1x1xf64>) -> tensor<1x1xf64>
  %2 = tg.mul %d, %d : (tensor<1x1xf64>, tensor<1x1xf64>) -> tensor<1x1xf64>
  // CHECK-NEXT: tg.div %{{.*}}, %{{.*}} : (tensor<1x1xf64>, tensor<4x?xf64>) -> tensor<4x?xf64>
  %3 = tg.div %d, %c : (tensor<1x1xf64>, tensor<4x?xf64>) -> tensor<4x?xf64>
  // CHECK-NEXT: func.return
  func.return
}

// Integer and 0-d operands.
// CHECK-LABEL: func.func @binary_integers(
func.func @binary_integers(%a: tensor<?xi32>, %b: tensor<1xi32>, %c: tensor<i64>, %d: tensor<2x?xi8>) {
  // CHECK-NEXT: tg.add %{{.*}}, %{{.*}} : (tensor<?xi32>, tensor<1xi32>) -> tensor<?xi32>
  %0 = tg.add %a, %b : (tensor<?xi32>, tensor<1xi32>) -> tensor<?xi32>
  // CHECK-NEXT: tg.sub %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>) -> tensor<i64>
  %1 = tg.sub %c, %c : (tensor<i64>, tensor<i64>) -> tensor<i64>
  // CHECK-NEXT: tg.mul %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>) -> tensor<i64>
  %2 = tg.mul %c, %1 : (tensor<i64>, tensor<i64>) -> tensor<i64>
  // CHECK-NEXT: tg.maximum %{{.*}}, %{{.*}} : (tensor<2x?xi8>, tensor<2x?xi8>) -> tensor<2x?xi8>
  %3 = tg.maximum %d, %d : (tensor<2x?xi8>, tensor<2x?xi8>) -> tensor<2x?xi8>
  // CHECK-NEXT: tg.minimum %{{.*}}, %{{.*}} : (tensor<?xi32>, tensor<1xi32>) -> tensor<?xi32>
  %4 = tg.minimum %a, %b : (tensor<?xi32>, tensor<1xi32>) -> tensor<?xi32>
  // CHECK-NEXT: %[[X:.*]] = tg.constant dense<2.000000e+00> : tensor<f64>
  %x = tg.constant dense<2.0> : tensor<f64>
  // CHECK-NEXT: tg.div %[[X]], %[[X]] : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %5 = tg.div %x, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
  // CHECK-NEXT: tg.pow %{{.*}}, %{{.*}} : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %6 = tg.pow %5, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
  // CHECK-NEXT: func.return
  func.return
}

// -----

// CHECK-LABEL: func.func @unary(
// CHECK-SAME: %[[X:.*]]: tensor<?x1xf32>
func.func @unary(%x: tensor<?x1xf32>, %y: tensor<f64>, %i: tensor<?xi32>, %j: tensor<3xi8>, %k: tensor<i64>) {
  // CHECK-NEXT: %[[NEG:.*]] = tg.neg %[[X]] : tensor<?x1xf32>
  %0 = tg.neg %x : tensor<?x1xf32>
  // CHECK-NEXT: %[[ABS:.*]] = tg.abs %[[NEG]] : tensor<?x1xf32>
  %1 = tg.abs %0 : tensor<?x1xf32>
  // CHECK-NEXT: %[[EXP:.*]] = tg.exp %[[ABS]] : tensor<?x1xf32>
  %2 = tg.exp %1 : tensor<?x1xf32>
  // CHECK-NEXT: %[[LOG:.*]] = tg.log %[[EXP]] : tensor<?x1xf32>
  %3 = tg.log %2 : tensor<?x1xf32>
  // CHECK-NEXT: %[[TANH:.*]] = tg.tanh %[[LOG]] : tensor<?x1xf32>
  %4 = tg.tanh %3 : tensor<?x1xf32>
  // CHECK-NEXT: %[[SQRT:.*]] = tg.sqrt %[[TANH]] : tensor<?x1xf32>
  %5 = tg.sqrt %4 : tensor<?x1xf32>
  // CHECK-NEXT: tg.sigmoid %[[SQRT]] : tensor<?x1xf32>
  %6 = tg.sigmoid %5 : tensor<?x1xf32>
  // CHECK-NEXT: tg.softplus %{{.*}} : tensor<?x1xf32>
  %softplus = tg.softplus %6 : tensor<?x1xf32>
  // CHECK-NEXT: tg.exp %{{.*}} : tensor<f64>
  %7 = tg.exp %y : tensor<f64>
  // CHECK-NEXT: tg.log %{{.*}} : tensor<f64>
  %8 = tg.log %y : tensor<f64>
  // CHECK-NEXT: tg.tanh %{{.*}} : tensor<f64>
  %9 = tg.tanh %y : tensor<f64>
  // CHECK-NEXT: tg.sqrt %{{.*}} : tensor<f64>
  %10 = tg.sqrt %y : tensor<f64>
  // CHECK-NEXT: tg.sigmoid %{{.*}} : tensor<f64>
  %11 = tg.sigmoid %y : tensor<f64>
  // neg and abs also take integers
  // CHECK-NEXT: tg.neg %{{.*}} : tensor<?xi32>
  %12 = tg.neg %i : tensor<?xi32>
  // CHECK-NEXT: tg.abs %{{.*}} : tensor<?xi32>
  %13 = tg.abs %i : tensor<?xi32>
  // CHECK-NEXT: tg.neg %{{.*}} : tensor<3xi8>
  %14 = tg.neg %j : tensor<3xi8>
  // CHECK-NEXT: tg.abs %{{.*}} : tensor<i64>
  %15 = tg.abs %k : tensor<i64>
  // CHECK-NEXT: func.return
  func.return
}

// -----

// CHECK-LABEL: func.func @cmp(
// CHECK-SAME: %[[A:.*]]: tensor<?x3xf32>, %[[B:.*]]: tensor<1x3xf32>
func.func @cmp(%a: tensor<?x3xf32>, %b: tensor<1x3xf32>, %i: tensor<?xi64>, %p: tensor<?xi1>, %s: tensor<i8>) {
  // CHECK-NEXT: tg.cmp "eq", %[[A]], %[[B]] : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xi1>
  %0 = tg.cmp "eq", %a, %b : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xi1>
  // CHECK-NEXT: tg.cmp "ne", %[[A]], %[[A]] : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xi1>
  %1 = tg.cmp "ne", %a, %a : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xi1>
  // CHECK-NEXT: tg.cmp "lt", %[[B]], %[[A]] : (tensor<1x3xf32>, tensor<?x3xf32>) -> tensor<?x3xi1>
  %2 = tg.cmp "lt", %b, %a : (tensor<1x3xf32>, tensor<?x3xf32>) -> tensor<?x3xi1>
  // CHECK-NEXT: tg.cmp "le", %{{.*}}, %{{.*}} : (tensor<?xi64>, tensor<?xi64>) -> tensor<?xi1>
  %3 = tg.cmp "le", %i, %i : (tensor<?xi64>, tensor<?xi64>) -> tensor<?xi1>
  // CHECK-NEXT: tg.cmp "gt", %{{.*}}, %{{.*}} : (tensor<?xi1>, tensor<?xi1>) -> tensor<?xi1>
  %4 = tg.cmp "gt", %p, %p : (tensor<?xi1>, tensor<?xi1>) -> tensor<?xi1>
  // CHECK-NEXT: tg.cmp "ge", %{{.*}}, %{{.*}} : (tensor<i8>, tensor<i8>) -> tensor<i1>
  %5 = tg.cmp "ge", %s, %s : (tensor<i8>, tensor<i8>) -> tensor<i1>
  // CHECK-NEXT: func.return
  func.return
}

// CHECK-LABEL: func.func @select(
// CHECK-SAME: %[[C:.*]]: tensor<?x1xi1>, %[[T:.*]]: tensor<?x3xf32>, %[[F:.*]]: tensor<1x3xf32>
func.func @select(%c: tensor<?x1xi1>, %t: tensor<?x3xf32>, %f: tensor<1x3xf32>, %q: tensor<i1>, %i: tensor<i32>) -> tensor<?x3xf32> {
  // CHECK-NEXT: %[[R:.*]] = tg.select %[[C]], %[[T]], %[[F]] : (tensor<?x1xi1>, tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  %0 = tg.select %c, %t, %f : (tensor<?x1xi1>, tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  // CHECK-NEXT: tg.select %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i1>, tensor<i32>, tensor<i32>) -> tensor<i32>
  %1 = tg.select %q, %i, %i : (tensor<i1>, tensor<i32>, tensor<i32>) -> tensor<i32>
  // CHECK-NEXT: func.return %[[R]] : tensor<?x3xf32>
  func.return %0 : tensor<?x3xf32>
}

// CHECK-LABEL: func.func @cast(
func.func @cast(%x: tensor<?x1xf32>, %b: tensor<?xi1>, %i: tensor<i8>, %l: tensor<?xi64>) {
  // CHECK-NEXT: tg.cast %{{.*}} : tensor<?x1xf32> to tensor<?x1xi32>
  %0 = tg.cast %x : tensor<?x1xf32> to tensor<?x1xi32>
  // CHECK-NEXT: tg.cast %{{.*}} : tensor<?x1xf32> to tensor<?x1xf64>
  %1 = tg.cast %x : tensor<?x1xf32> to tensor<?x1xf64>
  // CHECK-NEXT: tg.cast %{{.*}} : tensor<?x1xf32> to tensor<?x1xf32>
  %2 = tg.cast %x : tensor<?x1xf32> to tensor<?x1xf32>
  // CHECK-NEXT: tg.cast %{{.*}} : tensor<?xi1> to tensor<?xf32>
  %3 = tg.cast %b : tensor<?xi1> to tensor<?xf32>
  // CHECK-NEXT: tg.cast %{{.*}} : tensor<i8> to tensor<i64>
  %4 = tg.cast %i : tensor<i8> to tensor<i64>
  // CHECK-NEXT: tg.cast %{{.*}} : tensor<?xi64> to tensor<?xi1>
  %5 = tg.cast %l : tensor<?xi64> to tensor<?xi1>
  // CHECK-NEXT: %[[S:.*]] = tg.cast %{{.*}} : tensor<i8> to tensor<i16>
  %6 = tg.cast %i : tensor<i8> to tensor<i16>
  // CHECK-NEXT: tg.mul %[[S]], %[[S]] : (tensor<i16>, tensor<i16>) -> tensor<i16>
  %7 = tg.mul %6, %6 : (tensor<i16>, tensor<i16>) -> tensor<i16>
  // CHECK-NEXT: func.return
  func.return
}

// -----

// CHECK-LABEL: func.func @shapes(
// CHECK-SAME: %[[X:.*]]: tensor<?x3xf32>, %[[V:.*]]: tensor<1xf32>
func.func @shapes(%x: tensor<?x3xf32>, %v: tensor<1xf32>, %s: tensor<f64>) -> tensor<?x?xf32> {
  // CHECK-NEXT: %[[N:.*]] = tg.dim %[[X]] {axis = array<i64: 0>} : tensor<?x3xf32> -> tensor<i64>
  %n = tg.dim %x {axis = array<i64: 0>} : tensor<?x3xf32> -> tensor<i64>
  // CHECK-NEXT: %[[M:.*]] = tg.dim %[[X]] {axis = array<i64: 1>} : tensor<?x3xf32> -> tensor<i64>
  %m = tg.dim %x {axis = array<i64: 1>} : tensor<?x3xf32> -> tensor<i64>
  // CHECK-NEXT: %[[B:.*]] = tg.broadcast %[[V]] to %[[N]], %[[M]] : (tensor<1xf32>, tensor<i64>, tensor<i64>) -> tensor<?x?xf32>
  %b = tg.broadcast %v to %n, %m : (tensor<1xf32>, tensor<i64>, tensor<i64>) -> tensor<?x?xf32>
  // CHECK-NEXT: tg.broadcast %[[X]] to %[[M]], %[[N]], %[[M]] : (tensor<?x3xf32>, tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?x?x3xf32>
  %b3 = tg.broadcast %x to %m, %n, %m : (tensor<?x3xf32>, tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?x?x3xf32>
  // CHECK-NEXT: tg.broadcast %{{.*}} to %[[N]] : (tensor<f64>, tensor<i64>) -> tensor<?xf64>
  %b0 = tg.broadcast %s to %n : (tensor<f64>, tensor<i64>) -> tensor<?xf64>
  // CHECK-NEXT: tg.transpose %[[X]] {permutation = array<i64: 1, 0>} : tensor<?x3xf32> -> tensor<3x?xf32>
  %t = tg.transpose %x {permutation = array<i64: 1, 0>} : tensor<?x3xf32> -> tensor<3x?xf32>
  // CHECK-NEXT: tg.transpose %{{.*}} {permutation = array<i64: 2, 0, 1>} : tensor<?x?x3xf32> -> tensor<3x?x?xf32>
  %t3 = tg.transpose %b3 {permutation = array<i64: 2, 0, 1>} : tensor<?x?x3xf32> -> tensor<3x?x?xf32>
  // CHECK-NEXT: tg.transpose %{{.*}} {permutation = array<i64>} : tensor<f64> -> tensor<f64>
  %t0 = tg.transpose %s {permutation = array<i64>} : tensor<f64> -> tensor<f64>
  // CHECK-NEXT: tg.dimshuffle %[[V]] {pattern = array<i64: -1, 0>} : tensor<1xf32> -> tensor<1x1xf32>
  %d0 = tg.dimshuffle %v {pattern = array<i64: -1, 0>} : tensor<1xf32> -> tensor<1x1xf32>
  // CHECK-NEXT: tg.dimshuffle %[[X]] {pattern = array<i64: 1, -1, 0>} : tensor<?x3xf32> -> tensor<3x1x?xf32>
  %d1 = tg.dimshuffle %x {pattern = array<i64: 1, -1, 0>} : tensor<?x3xf32> -> tensor<3x1x?xf32>
  // dropping a broadcastable dimension
  // CHECK-NEXT: tg.dimshuffle %[[V]] {pattern = array<i64>} : tensor<1xf32> -> tensor<f32>
  %d2 = tg.dimshuffle %v {pattern = array<i64>} : tensor<1xf32> -> tensor<f32>
  // CHECK-NEXT: tg.dimshuffle %{{.*}} {pattern = array<i64: -1, -1>} : tensor<f64> -> tensor<1x1xf64>
  %d3 = tg.dimshuffle %s {pattern = array<i64: -1, -1>} : tensor<f64> -> tensor<1x1xf64>
  // CHECK-NEXT: func.return %[[B]] : tensor<?x?xf32>
  func.return %b : tensor<?x?xf32>
}

// CHECK-LABEL: func.func @shapes_integer(
func.func @shapes_integer(%x: tensor<2x?x1xi8>, %p: tensor<?xi1>) {
  // CHECK-NEXT: tg.dim %{{.*}} {axis = array<i64: 2>} : tensor<2x?x1xi8> -> tensor<i64>
  %n = tg.dim %x {axis = array<i64: 2>} : tensor<2x?x1xi8> -> tensor<i64>
  // CHECK-NEXT: tg.transpose %{{.*}} {permutation = array<i64: 2, 1, 0>} : tensor<2x?x1xi8> -> tensor<1x?x2xi8>
  %t = tg.transpose %x {permutation = array<i64: 2, 1, 0>} : tensor<2x?x1xi8> -> tensor<1x?x2xi8>
  // CHECK-NEXT: tg.dimshuffle %{{.*}} {pattern = array<i64: 1, 0>} : tensor<2x?x1xi8> -> tensor<?x2xi8>
  %d = tg.dimshuffle %x {pattern = array<i64: 1, 0>} : tensor<2x?x1xi8> -> tensor<?x2xi8>
  // CHECK-NEXT: tg.broadcast %{{.*}} to %{{.*}}, %{{.*}} : (tensor<?xi1>, tensor<i64>, tensor<i64>) -> tensor<?x?xi1>
  %b = tg.broadcast %p to %n, %n : (tensor<?xi1>, tensor<i64>, tensor<i64>) -> tensor<?x?xi1>
  // CHECK-NEXT: func.return
  func.return
}

// -----

// CHECK-LABEL: func.func @reductions(
// CHECK-SAME: %[[X:.*]]: tensor<?x3xf32>
func.func @reductions(%x: tensor<?x3xf32>, %y: tensor<2x?x1xi32>, %z: tensor<?xf64>) {
  // CHECK-NEXT: tg.sum %[[X]] {axes = array<i64: 1>} : tensor<?x3xf32> -> tensor<?xf32>
  %0 = tg.sum %x {axes = array<i64: 1>} : tensor<?x3xf32> -> tensor<?xf32>
  // CHECK-NEXT: tg.sum %[[X]] {axes = array<i64: 0>} : tensor<?x3xf32> -> tensor<3xf32>
  %1 = tg.sum %x {axes = array<i64: 0>} : tensor<?x3xf32> -> tensor<3xf32>
  // CHECK-NEXT: tg.sum %[[X]] {axes = array<i64: 0, 1>} : tensor<?x3xf32> -> tensor<f32>
  %2 = tg.sum %x {axes = array<i64: 0, 1>} : tensor<?x3xf32> -> tensor<f32>
  // CHECK-NEXT: tg.sum %{{.*}} {axes = array<i64: 0, 2>} : tensor<2x?x1xi32> -> tensor<?xi32>
  %3 = tg.sum %y {axes = array<i64: 0, 2>} : tensor<2x?x1xi32> -> tensor<?xi32>
  // CHECK-NEXT: tg.sum %{{.*}} {axes = array<i64>} : tensor<?xf64> -> tensor<?xf64>
  %4 = tg.sum %z {axes = array<i64>} : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: tg.max %[[X]] {axes = array<i64: 0>} : tensor<?x3xf32> -> tensor<3xf32>
  %5 = tg.max %x {axes = array<i64: 0>} : tensor<?x3xf32> -> tensor<3xf32>
  // CHECK-NEXT: tg.max %{{.*}} {axes = array<i64: 1>} : tensor<2x?x1xi32> -> tensor<2x1xi32>
  %6 = tg.max %y {axes = array<i64: 1>} : tensor<2x?x1xi32> -> tensor<2x1xi32>
  // CHECK-NEXT: tg.max %{{.*}} {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %7 = tg.max %z {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  // CHECK-NEXT: func.return
  func.return
}

// -----

// CHECK-LABEL: func.func @dot(
// CHECK-SAME: %[[M:.*]]: tensor<?x3xf32>, %[[N:.*]]: tensor<3x?xf32>, %[[V:.*]]: tensor<3xf32>, %[[W:.*]]: tensor<?xf32>
func.func @dot(%m: tensor<?x3xf32>, %n: tensor<3x?xf32>, %v: tensor<3xf32>, %w: tensor<?xf32>) {
  // matrix . matrix
  // CHECK-NEXT: tg.dot %[[M]], %[[N]] : (tensor<?x3xf32>, tensor<3x?xf32>) -> tensor<?x?xf32>
  %0 = tg.dot %m, %n : (tensor<?x3xf32>, tensor<3x?xf32>) -> tensor<?x?xf32>
  // matrix . vector
  // CHECK-NEXT: tg.dot %[[M]], %[[V]] : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?xf32>
  %1 = tg.dot %m, %v : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?xf32>
  // vector . matrix
  // CHECK-NEXT: tg.dot %[[V]], %[[N]] : (tensor<3xf32>, tensor<3x?xf32>) -> tensor<?xf32>
  %2 = tg.dot %v, %n : (tensor<3xf32>, tensor<3x?xf32>) -> tensor<?xf32>
  // vector . vector
  // CHECK-NEXT: tg.dot %[[V]], %[[W]] : (tensor<3xf32>, tensor<?xf32>) -> tensor<f32>
  %3 = tg.dot %v, %w : (tensor<3xf32>, tensor<?xf32>) -> tensor<f32>
  // CHECK-NEXT: func.return
  func.return
}

// CHECK-LABEL: func.func @dot_types(
func.func @dot_types(%a: tensor<2x?xf64>, %b: tensor<?x1xf64>, %i: tensor<?xi64>, %j: tensor<?x?xi32>) {
  // CHECK-NEXT: tg.dot %{{.*}}, %{{.*}} : (tensor<2x?xf64>, tensor<?x1xf64>) -> tensor<2x1xf64>
  %0 = tg.dot %a, %b : (tensor<2x?xf64>, tensor<?x1xf64>) -> tensor<2x1xf64>
  // CHECK-NEXT: tg.dot %{{.*}}, %{{.*}} : (tensor<?xi64>, tensor<?xi64>) -> tensor<i64>
  %1 = tg.dot %i, %i : (tensor<?xi64>, tensor<?xi64>) -> tensor<i64>
  // CHECK-NEXT: tg.dot %{{.*}}, %{{.*}} : (tensor<?x?xi32>, tensor<?x?xi32>) -> tensor<?x?xi32>
  %2 = tg.dot %j, %j : (tensor<?x?xi32>, tensor<?x?xi32>) -> tensor<?x?xi32>
  // CHECK-NEXT: func.return
  func.return
}
