// RUN: tg-opt %s -p tg-specialize --split-input-file | filecheck %s

// x**2 -> x*x, x**0.5 -> sqrt(x), x**-1 -> reciprocal(x)
// CHECK-LABEL: func.func @powers
// CHECK-DAG: tg.mul %x, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
// CHECK-DAG: tg.sqrt %x : tensor<?xf64>
// CHECK-DAG: tg.reciprocal %x : tensor<?xf64>
// CHECK-NOT: tg.pow
func.func @powers(%x: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>, tensor<?xf64>) {
  %two = tg.constant dense<2.0> : tensor<1xf64>
  %half = tg.constant dense<0.5> : tensor<1xf64>
  %m1 = tg.constant dense<-1.0> : tensor<1xf64>
  %0 = tg.pow %x, %two : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %1 = tg.pow %x, %half : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %2 = tg.pow %x, %m1 : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %0, %1, %2 : tensor<?xf64>, tensor<?xf64>, tensor<?xf64>
}

// -----

// multiplication by -1 (either side) -> neg
// CHECK-LABEL: func.func @neg
// CHECK: %[[A:.*]] = tg.neg %x
// CHECK: %[[B:.*]] = tg.neg %x
// CHECK-NOT: tg.mul
// CHECK: func.return %[[A]], %[[B]]
func.func @neg(%x: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %m1 = tg.constant dense<-1.0> : tensor<1xf32>
  %0 = tg.mul %m1, %x : (tensor<1xf32>, tensor<?xf32>) -> tensor<?xf32>
  %1 = tg.mul %x, %m1 : (tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>
  func.return %0, %1 : tensor<?xf32>, tensor<?xf32>
}

// -----

// sum(c * x) -> c * sum(x), c broadcast along the summed axis
// CHECK-LABEL: func.func @sum_of_scaled
// CHECK: %[[S:.*]] = tg.sum %x {axes = array<i64: 1>}
// CHECK: %[[R:.*]] = tg.mul %{{.*}}, %[[S]]
// CHECK: func.return %[[R]]
func.func @sum_of_scaled(%x: tensor<?x?xf64>, %c: tensor<?x1xf64>) -> tensor<?xf64> {
  %0 = tg.mul %c, %x : (tensor<?x1xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %1 = tg.sum %0 {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>
  func.return %1 : tensor<?xf64>
}

// -----

// argmax(softmax(x)) -> argmax(x)
// CHECK-LABEL: func.func @argmax_softmax
// CHECK: %[[R:.*]] = tg.argmax %x {axes = array<i64: 1>}
// CHECK-NEXT: func.return %[[R]]
func.func @argmax_softmax(%x: tensor<?x?xf64>) -> tensor<?xi64> {
  %0 = tg.max %x {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>
  %1 = tg.dimshuffle %0 {pattern = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
  %2 = tg.sub %x, %1 : (tensor<?x?xf64>, tensor<?x1xf64>) -> tensor<?x?xf64>
  %3 = tg.exp %2 : tensor<?x?xf64>
  %4 = tg.sum %3 {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>
  %5 = tg.dimshuffle %4 {pattern = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
  %6 = tg.div %3, %5 : (tensor<?x?xf64>, tensor<?x1xf64>) -> tensor<?x?xf64>
  %7 = tg.argmax %6 {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xi64>
  func.return %7 : tensor<?xi64>
}

// -----

// must not fire: x**3, x*-2, sum(c*x) with c varying along the summed axis,
// argmax over another axis than softmax's
// CHECK-LABEL: func.func @not_these
// CHECK: tg.pow
// CHECK: tg.mul
// CHECK: tg.mul %c, %m
// CHECK-NEXT: tg.sum
func.func @not_these(%x: tensor<?xf64>, %m: tensor<?x?xf64>, %c: tensor<?x1xf64>) -> (tensor<?xf64>, tensor<?xf64>, tensor<?xf64>) {
  %three = tg.constant dense<3.0> : tensor<1xf64>
  %m2 = tg.constant dense<-2.0> : tensor<1xf64>
  %0 = tg.pow %x, %three : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %1 = tg.mul %x, %m2 : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %2 = tg.mul %c, %m : (tensor<?x1xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %3 = tg.sum %2 {axes = array<i64: 0>} : tensor<?x?xf64> -> tensor<?xf64>
  func.return %0, %1, %3 : tensor<?xf64>, tensor<?xf64>, tensor<?xf64>
}
