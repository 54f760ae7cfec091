// RUN: tg-opt %s -p tg-stabilize --split-input-file | filecheck %s

// log(1 + x) -> log1p(x), the constant on either side
// CHECK-LABEL: func.func @log1p
// CHECK: %[[R:.*]] = tg.log1p %x : tensor<?xf64>
// CHECK-NEXT: func.return %[[R]]
func.func @log1p(%x: tensor<?xf64>) -> tensor<?xf64> {
  %c = tg.constant dense<1.0> : tensor<1xf64>
  %0 = tg.add %x, %c : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %1 = tg.log %0 : tensor<?xf64>
  func.return %1 : tensor<?xf64>
}

// -----

// exp(x) - 1 -> expm1(x), the 1 a cast float32 constant
// CHECK-LABEL: func.func @expm1
// CHECK: %{{.*}} = tg.expm1 %x : tensor<?xf32>
// CHECK-NOT: tg.sub
func.func @expm1(%x: tensor<?xf32>) -> tensor<?xf32> {
  %c = tg.constant dense<1> : tensor<1xi8>
  %f = tg.cast %c : tensor<1xi8> to tensor<1xf32>
  %0 = tg.exp %x : tensor<?xf32>
  %1 = tg.sub %0, %f : (tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>
  func.return %1 : tensor<?xf32>
}

// -----

// 1 / (1 + exp(-x)) -> sigmoid(x), -x spelled mul(-1, x)
// CHECK-LABEL: func.func @sigmoid
// CHECK: %[[S:.*]] = tg.sigmoid %x : tensor<?xf64>
// CHECK-NEXT: func.return %[[S]]
func.func @sigmoid(%x: tensor<?xf64>) -> tensor<?xf64> {
  %one = tg.constant dense<1.0> : tensor<1xf64>
  %m = tg.constant dense<-1.0> : tensor<1xf64>
  %n = tg.mul %m, %x : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %e = tg.exp %n : tensor<?xf64>
  %d = tg.add %one, %e : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %r = tg.div %one, %d : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// -----

// exp(x) / (1 + exp(x)) -> sigmoid(x)
// CHECK-LABEL: func.func @sigmoid_ratio
// CHECK: %[[S:.*]] = tg.sigmoid %x : tensor<?xf64>
// CHECK-NEXT: func.return %[[S]]
func.func @sigmoid_ratio(%x: tensor<?xf64>) -> tensor<?xf64> {
  %one = tg.constant dense<1.0> : tensor<1xf64>
  %e = tg.exp %x : tensor<?xf64>
  %d = tg.add %e, %one : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %r = tg.div %e, %d : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// -----

// log(sigmoid(x)) -> -softplus(-x)
// CHECK-LABEL: func.func @log_sigmoid
// CHECK: %[[N:.*]] = tg.neg %x
// CHECK-NEXT: %[[P:.*]] = tg.softplus %[[N]]
// CHECK-NEXT: %[[R:.*]] = tg.neg %[[P]]
// CHECK-NEXT: func.return %[[R]]
func.func @log_sigmoid(%x: tensor<?xf64>) -> tensor<?xf64> {
  %s = tg.sigmoid %x : tensor<?xf64>
  %r = tg.log %s : tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// -----

// log(1 - sigmoid(x)) -> -softplus(x)
// CHECK-LABEL: func.func @log_one_minus_sigmoid
// CHECK: %[[P:.*]] = tg.softplus %x
// CHECK-NEXT: %[[R:.*]] = tg.neg %[[P]]
// CHECK-NEXT: func.return %[[R]]
func.func @log_one_minus_sigmoid(%x: tensor<?xf64>) -> tensor<?xf64> {
  %one = tg.constant dense<1.0> : tensor<1xf64>
  %s = tg.sigmoid %x : tensor<?xf64>
  %d = tg.sub %one, %s : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %r = tg.log %d : tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// -----

// log1p(exp(x)) -> softplus(x)
// CHECK-LABEL: func.func @softplus
// CHECK-NEXT: %[[R:.*]] = tg.softplus %x
// CHECK-NEXT: func.return %[[R]]
func.func @softplus(%x: tensor<?xf64>) -> tensor<?xf64> {
  %e = tg.exp %x : tensor<?xf64>
  %r = tg.log1p %e : tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// -----

// log(softmax(x)) -> x - max - log(sum(exp(x - max)))
// CHECK-LABEL: func.func @log_softmax
// CHECK: tg.max %x
// CHECK: tg.sub %x
// CHECK: tg.exp
// CHECK: tg.sum
// CHECK: tg.log
// CHECK: %[[R:.*]] = tg.sub
// CHECK-NOT: tg.div
// CHECK: func.return %[[R]]
func.func @log_softmax(%x: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %0 = tg.max %x {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>
  %1 = tg.dimshuffle %0 {pattern = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
  %2 = tg.sub %x, %1 : (tensor<?x?xf64>, tensor<?x1xf64>) -> tensor<?x?xf64>
  %3 = tg.exp %2 : tensor<?x?xf64>
  %4 = tg.sum %3 {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>
  %5 = tg.dimshuffle %4 {pattern = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
  %6 = tg.div %3, %5 : (tensor<?x?xf64>, tensor<?x1xf64>) -> tensor<?x?xf64>
  %7 = tg.log %6 : tensor<?x?xf64>
  func.return %7 : tensor<?x?xf64>
}

// -----

// log(sum(exp(x))) -> max-shifted logsumexp
// CHECK-LABEL: func.func @logsumexp
// CHECK: tg.max %x {axes = array<i64: 0>}
// CHECK: tg.sub %x
// CHECK: tg.exp
// CHECK: tg.sum
// CHECK: tg.log
// CHECK: tg.add
func.func @logsumexp(%x: tensor<?xf64>) -> tensor<f64> {
  %e = tg.exp %x : tensor<?xf64>
  %s = tg.sum %e {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %r = tg.log %s : tensor<f64>
  func.return %r : tensor<f64>
}

// -----

// -log(softmax(x)[arange(n), y]) -> the fused op; with n = len(y), not provably the
// number of rows, over the rows the gather reads: x[:n]
// CHECK-LABEL: func.func @crossentropy
// CHECK: %[[N:.*]] = tg.dim %y
// CHECK-NEXT: %[[X:.*]] = tg.subtensor %x[:%[[N]]]
// CHECK-NEXT: %[[R:.*]] = tg.softmax_crossentropy %[[X]], %y : (tensor<?x?xf64>, tensor<?xi64>) -> tensor<?xf64>
// CHECK-NEXT: func.return %[[R]]
func.func @crossentropy(%x: tensor<?x?xf64>, %y: tensor<?xi64>) -> tensor<?xf64> {
  %0 = tg.max %x {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>
  %1 = tg.dimshuffle %0 {pattern = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
  %2 = tg.sub %x, %1 : (tensor<?x?xf64>, tensor<?x1xf64>) -> tensor<?x?xf64>
  %3 = tg.exp %2 : tensor<?x?xf64>
  %4 = tg.sum %3 {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>
  %5 = tg.dimshuffle %4 {pattern = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
  %6 = tg.div %3, %5 : (tensor<?x?xf64>, tensor<?x1xf64>) -> tensor<?x?xf64>
  %7 = tg.constant dense<0> : tensor<i64>
  %8 = tg.dim %y {axis = array<i64: 0>} : tensor<?xi64> -> tensor<i64>
  %9 = tg.constant dense<1> : tensor<i64>
  %10 = tg.arange %7, %8, %9 : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %11 = tg.advanced_subtensor %6[%10, %y] : tensor<?x?xf64>, tensor<?xi64>, tensor<?xi64> -> tensor<?xf64>
  %12 = tg.log %11 : tensor<?xf64>
  %13 = tg.neg %12 : tensor<?xf64>
  func.return %13 : tensor<?xf64>
}

// -----

// must not fire: log(2 + x), exp(x) - 2, a gather that is not [arange(n), y]
// CHECK-LABEL: func.func @not_these
// CHECK: tg.log
// CHECK: tg.sub
// CHECK: tg.advanced_subtensor
// CHECK-NOT: tg.log1p
// CHECK-NOT: tg.expm1
// CHECK-NOT: tg.softmax_crossentropy
func.func @not_these(%x: tensor<?xf64>, %m: tensor<?x?xf64>, %y: tensor<?xi64>) -> (tensor<?xf64>, tensor<?xf64>, tensor<?xf64>) {
  %two = tg.constant dense<2.0> : tensor<1xf64>
  %0 = tg.add %two, %x : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %1 = tg.log %0 : tensor<?xf64>
  %e = tg.exp %x : tensor<?xf64>
  %2 = tg.sub %e, %two : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %3 = tg.advanced_subtensor %m[%y, %y] : tensor<?x?xf64>, tensor<?xi64>, tensor<?xi64> -> tensor<?xf64>
  %4 = tg.log %3 : tensor<?xf64>
  func.return %1, %2, %4 : tensor<?xf64>, tensor<?xf64>, tensor<?xf64>
}
