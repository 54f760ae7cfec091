// RUN: tg-opt %s -p tg-canonicalize --split-input-file | filecheck %s

// x*y/x -> y
// CHECK-LABEL: func.func @div_cancel
// CHECK-NEXT:    func.return %y
func.func @div_cancel(%x: tensor<?xf64>, %y: tensor<?xf64>) -> tensor<?xf64> {
  %0 = tg.mul %x, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %1 = tg.div %0, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %1 : tensor<?xf64>
}

// -----

// x*y/z: no common factor
// CHECK-LABEL: func.func @div_no_cancel
// CHECK-NEXT:    tg.mul
// CHECK-NEXT:    tg.div
func.func @div_no_cancel(%x: tensor<?xf64>, %y: tensor<?xf64>, %z: tensor<?xf64>) -> tensor<?xf64> {
  %0 = tg.mul %x, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %1 = tg.div %0, %z : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %1 : tensor<?xf64>
}

// -----

// 2*x/2 -> x (two equal constants)
// CHECK-LABEL: func.func @div_cancel_constant
// CHECK-NEXT:    func.return %x
func.func @div_cancel_constant(%x: tensor<?xf32>) -> tensor<?xf32> {
  %a = tg.constant dense<2.0> : tensor<1xf32>
  %b = tg.constant dense<2.0> : tensor<1xf32>
  %0 = tg.mul %a, %x : (tensor<1xf32>, tensor<?xf32>) -> tensor<?xf32>
  %1 = tg.div %0, %b : (tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>
  func.return %1 : tensor<?xf32>
}

// -----

// 2*x/3 stays
// CHECK-LABEL: func.func @div_constants_differ
// CHECK:         tg.div
func.func @div_constants_differ(%x: tensor<?xf32>) -> tensor<?xf32> {
  %a = tg.constant dense<2.0> : tensor<1xf32>
  %b = tg.constant dense<3.0> : tensor<1xf32>
  %0 = tg.mul %a, %x : (tensor<1xf32>, tensor<?xf32>) -> tensor<?xf32>
  %1 = tg.div %0, %b : (tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>
  func.return %1 : tensor<?xf32>
}

// -----

// (a/b)*(b/c) -> a/c
// CHECK-LABEL: func.func @mul_div_div
// CHECK-NEXT:    %[[R:.*]] = tg.div %a, %c
// CHECK-NEXT:    func.return %[[R]]
func.func @mul_div_div(%a: tensor<?xf64>, %b: tensor<?xf64>, %c: tensor<?xf64>) -> tensor<?xf64> {
  %0 = tg.div %a, %b : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %1 = tg.div %b, %c : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %2 = tg.mul %0, %1 : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %2 : tensor<?xf64>
}

// -----

// (x+y)-x -> y, (x+y)-y -> x, --x -> x
// CHECK-LABEL: func.func @terms
// CHECK-NEXT:    func.return %y, %x, %x
func.func @terms(%x: tensor<?xi32>, %y: tensor<?xi32>) -> (tensor<?xi32>, tensor<?xi32>, tensor<?xi32>) {
  %0 = tg.add %x, %y : (tensor<?xi32>, tensor<?xi32>) -> tensor<?xi32>
  %1 = tg.sub %0, %x : (tensor<?xi32>, tensor<?xi32>) -> tensor<?xi32>
  %2 = tg.sub %0, %y : (tensor<?xi32>, tensor<?xi32>) -> tensor<?xi32>
  %3 = tg.neg %x : tensor<?xi32>
  %4 = tg.neg %3 : tensor<?xi32>
  func.return %1, %2, %4 : tensor<?xi32>, tensor<?xi32>, tensor<?xi32>
}

// -----

// x-x -> zeros of x's shape
// CHECK-LABEL: func.func @sub_self
// CHECK-NOT:     tg.sub
// CHECK:         %[[Z:.*]] = tg.constant dense<0.0{{.*}}> : tensor<1xf64>
// CHECK:         tg.broadcast %[[Z]]
func.func @sub_self(%x: tensor<?xf64>) -> tensor<?xf64> {
  %0 = tg.sub %x, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %0 : tensor<?xf64>
}

// -----

// neutral elements; x*2 and x+1 stay
// CHECK-LABEL: func.func @neutral
// CHECK-NEXT:    %[[TWO:.*]] = tg.constant dense<2.0{{.*}}>
// CHECK-NEXT:    %[[M:.*]] = tg.mul %x, %[[TWO]]
// CHECK-NEXT:    func.return %x, %x, %x, %x, %x, %[[M]]
func.func @neutral(%x: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<?xf64>) {
  %one = tg.constant dense<1.0> : tensor<1xf64>
  %zero = tg.constant dense<0.0> : tensor<1xf64>
  %two = tg.constant dense<2.0> : tensor<1xf64>
  %0 = tg.mul %x, %one : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %1 = tg.add %zero, %x : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %2 = tg.sub %x, %zero : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %3 = tg.div %x, %one : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %4 = tg.pow %x, %one : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %5 = tg.mul %x, %two : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %0, %1, %2, %3, %4, %5 : tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<?xf64>
}

// -----

// x**0 -> ones
// CHECK-LABEL: func.func @pow_zero
// CHECK-NOT:     tg.pow
// CHECK:         tg.constant dense<1.0{{.*}}> : tensor<1xf64>
func.func @pow_zero(%x: tensor<?xf64>) -> tensor<?xf64> {
  %zero = tg.constant dense<0.0> : tensor<1xf64>
  %0 = tg.pow %x, %zero : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %0 : tensor<?xf64>
}

// -----

// casts: own type; f32 -> f64 -> f32; i8 -> i32 -> f64 becomes i8 -> f64; f64 -> f32 -> f64 stays
// CHECK-LABEL: func.func @casts
// CHECK-NEXT:    %[[S:.*]] = tg.cast %i : tensor<?xi8> to tensor<?xf64>
// CHECK-NEXT:    %[[A:.*]] = tg.cast %d : tensor<?xf64> to tensor<?xf32>
// CHECK-NEXT:    %[[B:.*]] = tg.cast %[[A]] : tensor<?xf32> to tensor<?xf64>
// CHECK-NEXT:    func.return %f, %f, %[[S]], %[[B]]
func.func @casts(%f: tensor<?xf32>, %i: tensor<?xi8>, %d: tensor<?xf64>) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf64>, tensor<?xf64>) {
  %0 = tg.cast %f : tensor<?xf32> to tensor<?xf32>
  %1 = tg.cast %f : tensor<?xf32> to tensor<?xf64>
  %2 = tg.cast %1 : tensor<?xf64> to tensor<?xf32>
  %3 = tg.cast %i : tensor<?xi8> to tensor<?xi32>
  %4 = tg.cast %3 : tensor<?xi32> to tensor<?xf64>
  %5 = tg.cast %d : tensor<?xf64> to tensor<?xf32>
  %6 = tg.cast %5 : tensor<?xf32> to tensor<?xf64>
  func.return %0, %2, %4, %6 : tensor<?xf32>, tensor<?xf32>, tensor<?xf64>, tensor<?xf64>
}

// -----

// x.T.T -> x; identity dimshuffle; dimshuffle of dimshuffle -> one dimshuffle
// CHECK-LABEL: func.func @views
// CHECK-NEXT:    %[[D:.*]] = tg.dimshuffle %v {pattern = array<i64: -1, 0>}
// CHECK-NEXT:    func.return %x, %x, %[[D]]
func.func @views(%x: tensor<?x3xf32>, %v: tensor<?xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<1x?xf32>) {
  %0 = tg.transpose %x {permutation = array<i64: 1, 0>} : tensor<?x3xf32> -> tensor<3x?xf32>
  %1 = tg.transpose %0 {permutation = array<i64: 1, 0>} : tensor<3x?xf32> -> tensor<?x3xf32>
  %2 = tg.dimshuffle %x {pattern = array<i64: 0, 1>} : tensor<?x3xf32> -> tensor<?x3xf32>
  %3 = tg.dimshuffle %v {pattern = array<i64: 0, -1>} : tensor<?xf32> -> tensor<?x1xf32>
  %4 = tg.dimshuffle %3 {pattern = array<i64: 1, 0>} : tensor<?x1xf32> -> tensor<1x?xf32>
  func.return %1, %2, %4 : tensor<?x3xf32>, tensor<?x3xf32>, tensor<1x?xf32>
}

// -----

// (x.T + y.T).T -> x + y: the transpose is lifted through the add and meets the others
// CHECK-LABEL: func.func @lift
// CHECK-NEXT:    %[[R:.*]] = tg.add %x, %y : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
// CHECK-NEXT:    func.return %[[R]]
func.func @lift(%x: tensor<?x?xf32>, %y: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = tg.transpose %x {permutation = array<i64: 1, 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  %1 = tg.transpose %y {permutation = array<i64: 1, 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  %2 = tg.add %0, %1 : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %3 = tg.transpose %2 {permutation = array<i64: 1, 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  func.return %3 : tensor<?x?xf32>
}

// -----

// no lifting: the add has another use, or no operand is a view
// CHECK-LABEL: func.func @no_lift
// CHECK-NEXT:    tg.transpose %x
// CHECK-NEXT:    tg.add
// CHECK-NEXT:    tg.transpose
// CHECK-NEXT:    tg.add %x, %y
// CHECK-NEXT:    tg.transpose
func.func @no_lift(%x: tensor<?x?xf32>, %y: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) {
  %0 = tg.transpose %x {permutation = array<i64: 1, 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  %1 = tg.add %0, %y : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %2 = tg.transpose %1 {permutation = array<i64: 1, 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  %3 = tg.add %x, %y : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %4 = tg.transpose %3 {permutation = array<i64: 1, 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  func.return %1, %2, %4 : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// broadcast and reshape to x's own sizes, reshape chains, full slices
// CHECK-LABEL: func.func @useless_shapes
// CHECK:         %[[R:.*]] = tg.reshape %x to
// CHECK-NOT:     tg.reshape
// CHECK-NOT:     tg.subtensor
// CHECK:         func.return %x, %x, %[[R]], %x
func.func @useless_shapes(%x: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>, tensor<?x?xf32>) {
  %n = tg.dim %x {axis = array<i64: 0>} : tensor<?x?xf32> -> tensor<i64>
  %m = tg.dim %x {axis = array<i64: 1>} : tensor<?x?xf32> -> tensor<i64>
  %0 = tg.broadcast %x to %n, %m : (tensor<?x?xf32>, tensor<i64>, tensor<i64>) -> tensor<?x?xf32>
  %1 = tg.reshape %x to %n, %m : (tensor<?x?xf32>, tensor<i64>, tensor<i64>) -> tensor<?x?xf32>
  %c = tg.constant dense<-1> : tensor<i64>
  %c1 = tg.constant dense<1> : tensor<i64>
  %2 = tg.reshape %x to %c, %c1 : (tensor<?x?xf32>, tensor<i64>, tensor<i64>) -> tensor<?x1xf32>
  %3 = tg.reshape %2 to %c : (tensor<?x1xf32>, tensor<i64>) -> tensor<?xf32>
  %4 = tg.subtensor %x[:, :] : tensor<?x?xf32> -> tensor<?x?xf32>
  func.return %0, %1, %3, %4 : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>, tensor<?x?xf32>
}

// -----

// broadcasting to other sizes stays
// CHECK-LABEL: func.func @useful_broadcast
// CHECK:         tg.broadcast
func.func @useful_broadcast(%x: tensor<1x?xf32>, %n: tensor<i64>) -> tensor<?x?xf32> {
  %m = tg.dim %x {axis = array<i64: 1>} : tensor<1x?xf32> -> tensor<i64>
  %0 = tg.broadcast %x to %n, %m : (tensor<1x?xf32>, tensor<i64>, tensor<i64>) -> tensor<?x?xf32>
  func.return %0 : tensor<?x?xf32>
}

// -----

// sum of sum -> one sum; a sum over a size-1 axis -> a dimshuffle dropping it
// CHECK-LABEL: func.func @reductions
// CHECK-NEXT:    %[[S:.*]] = tg.sum %x {axes = array<i64: 0, 2>} : tensor<?x?x?xf64> -> tensor<?xf64>
// CHECK-NEXT:    %[[D:.*]] = tg.dimshuffle %r {pattern = array<i64: 1>} : tensor<1x?xf64> -> tensor<?xf64>
// CHECK-NEXT:    func.return %[[S]], %[[D]]
func.func @reductions(%x: tensor<?x?x?xf64>, %r: tensor<1x?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  %0 = tg.sum %x {axes = array<i64: 2>} : tensor<?x?x?xf64> -> tensor<?x?xf64>
  %1 = tg.sum %0 {axes = array<i64: 0>} : tensor<?x?xf64> -> tensor<?xf64>
  %2 = tg.max %r {axes = array<i64: 0>} : tensor<1x?xf64> -> tensor<?xf64>
  func.return %1, %2 : tensor<?xf64>, tensor<?xf64>
}

// -----

// shape queries answered from shapes: no pow is computed for its size
// CHECK-LABEL: func.func @dims
// CHECK-NOT:     tg.pow
// CHECK:         %[[N:.*]] = tg.dim %x {axis = array<i64: 0>}
// CHECK:         %[[C:.*]] = tg.constant dense<3> : tensor<i64>
// CHECK:         func.return %[[N]], %[[C]]
func.func @dims(%x: tensor<?x3xf64>) -> (tensor<i64>, tensor<i64>) {
  %0 = tg.pow %x, %x : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<?x3xf64>
  %1 = tg.dim %0 {axis = array<i64: 0>} : tensor<?x3xf64> -> tensor<i64>
  %2 = tg.dim %0 {axis = array<i64: 1>} : tensor<?x3xf64> -> tensor<i64>
  func.return %1, %2 : tensor<i64>, tensor<i64>
}
