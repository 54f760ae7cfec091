// RUN: tg-opt %s -p tg-fold --split-input-file | filecheck %s
// RUN: tg-opt %s -p tg-fold{max_elements=4} --split-input-file | filecheck %s --check-prefix=SMALL

// a chain of constant ops becomes one constant, in the ops' dtype
// CHECK-LABEL: func.func @chain
// CHECK-NEXT:    %[[C:.*]] = tg.constant dense<[2.000000e+00, 2.41421366, 2.7320509]> : tensor<3xf32>
// CHECK-NEXT:    %[[R:.*]] = tg.add %x, %[[C]]
// CHECK-NEXT:    func.return %[[R]]
// SMALL-LABEL: func.func @chain
// SMALL-NEXT:    tg.constant dense<[2.000000e+00, 2.41421366, 2.7320509]> : tensor<3xf32>
func.func @chain(%x: tensor<3xf32>) -> tensor<3xf32> {
  %a = tg.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %one = tg.constant dense<1.0> : tensor<1xf32>
  %0 = tg.sqrt %a : tensor<3xf32>
  %1 = tg.add %0, %one : (tensor<3xf32>, tensor<1xf32>) -> tensor<3xf32>
  %2 = tg.add %x, %1 : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %2 : tensor<3xf32>
}

// -----

// results over the size cap stay ops
// CHECK-LABEL: func.func @cap
// CHECK:         tg.constant dense<6.0{{.*}}> : tensor<2x3xf64>
// SMALL-LABEL: func.func @cap
// SMALL:         tg.broadcast
func.func @cap() -> tensor<2x3xf64> {
  %a = tg.constant dense<6.0> : tensor<f64>
  %n = tg.constant dense<2> : tensor<i64>
  %m = tg.constant dense<3> : tensor<i64>
  %0 = tg.broadcast %a to %n, %m : (tensor<f64>, tensor<i64>, tensor<i64>) -> tensor<2x3xf64>
  func.return %0 : tensor<2x3xf64>
}

// -----

// ops reading a function argument, and ops whose reference raises, stay
// CHECK-LABEL: func.func @not_constant
// CHECK:         tg.exp %x
// CHECK:         tg.max %{{.*}} {axes = array<i64: 0>} : tensor<0xf64> -> tensor<f64>
func.func @not_constant(%x: tensor<?xf64>) -> (tensor<?xf64>, tensor<f64>) {
  %0 = tg.exp %x : tensor<?xf64>
  %e = tg.constant dense<> : tensor<0xf64>
  %1 = tg.max %e {axes = array<i64: 0>} : tensor<0xf64> -> tensor<f64>
  func.return %0, %1 : tensor<?xf64>, tensor<f64>
}

// -----

// log(1 + c): the add is left to tg-stabilize (log1p), which keeps c = 1e-17
// CHECK-LABEL: func.func @stable
// CHECK:         %[[A:.*]] = tg.add
// CHECK:         tg.log %[[A]]
func.func @stable() -> tensor<f64> {
  %c = tg.constant dense<1.0e-17> : tensor<f64>
  %one = tg.constant dense<1.0> : tensor<f64>
  %0 = tg.add %one, %c : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %1 = tg.log %0 : tensor<f64>
  func.return %1 : tensor<f64>
}

// -----

// a dynamic result type stays valid: the constant is broadcast to its sizes
// CHECK-LABEL: func.func @dynamic
// CHECK:         %[[C:.*]] = tg.constant dense<[1, 2]> : tensor<2xi64>
// CHECK:         %[[B:.*]] = tg.broadcast %[[C]] to %{{.*}} : (tensor<2xi64>, tensor<i64>) -> tensor<?xi64>
// CHECK:         tg.add %x, %[[B]]
func.func @dynamic(%x: tensor<?xi64>) -> tensor<?xi64> {
  %a = tg.constant dense<[1, 2]> : tensor<2xi64>
  %n = tg.constant dense<2> : tensor<i64>
  %0 = tg.broadcast %a to %n : (tensor<2xi64>, tensor<i64>) -> tensor<?xi64>
  %1 = tg.add %x, %0 : (tensor<?xi64>, tensor<?xi64>) -> tensor<?xi64>
  func.return %1 : tensor<?xi64>
}
