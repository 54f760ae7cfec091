// RUN: tg-opt %s --split-input-file --verify-diagnostics | filecheck %s

// CHECK: tg.assert: the condition must be tensor<i1>, got tensor<?xi1>
func.func @f(%x: tensor<?xf64>, %ok: tensor<?xi1>) {
  %0 = tg.assert %x, %ok, "bad" : (tensor<?xf64>, tensor<?xi1>) -> tensor<?xf64>
  func.return
}
