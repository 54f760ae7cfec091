// RUN: tg-opt %s --split-input-file --verify-diagnostics | filecheck %s

// CHECK: tg.map: the result type must be tensor<?x?xf64>
func.func @f(%n: tensor<i64>, %x: tensor<?xf64>) -> tensor<?xf64> {
  %0 = tg.map %n, %x {
  ^bb0(%i: tensor<i64>, %y: tensor<?xf64>):
    tg.yield %y : tensor<?xf64>
  } : (tensor<i64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %0 : tensor<?xf64>
}

// -----

// CHECK: tg.map: the body's arguments must be the index
func.func @f(%n: tensor<i64>, %x: tensor<?xf64>) -> tensor<?x?xf64> {
  %0 = tg.map %n, %x {
  ^bb0(%y: tensor<?xf64>):
    tg.yield %y : tensor<?xf64>
  } : (tensor<i64>, tensor<?xf64>) -> tensor<?x?xf64>
  func.return %0 : tensor<?x?xf64>
}

// -----

// CHECK: tg.map: the count must be tensor<i64>
func.func @f(%n: tensor<i32>, %x: tensor<?xf64>) -> tensor<?x?xf64> {
  %0 = tg.map %n, %x {
  ^bb0(%i: tensor<i64>, %y: tensor<?xf64>):
    tg.yield %y : tensor<?xf64>
  } : (tensor<i32>, tensor<?xf64>) -> tensor<?x?xf64>
  func.return %0 : tensor<?x?xf64>
}
