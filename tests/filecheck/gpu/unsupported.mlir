// An op with no GPU lowering is an error naming it (no silent CPU fallback).
// RUN: not tg-opt %s -p convert-buffers-to-gpu 2>&1 | filecheck %s

// CHECK: tg-opt: error: convert-buffers-to-gpu: no GPU lowering for tg.random_uniform
func.func @draw(%s: tensor<2xi64>, %n: tensor<i64>) -> tensor<?xf64> {
  %0 = tg.random_uniform %s to %n : (tensor<2xi64>, tensor<i64>) -> tensor<?xf64>
  func.return %0 : tensor<?xf64>
}
