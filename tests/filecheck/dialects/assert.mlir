// RUN: tg-opt %s --split-input-file | tg-opt --split-input-file | filecheck %s
// RUN: tg-opt %s --split-input-file --print-op-generic | tg-opt --split-input-file | filecheck %s
// RUN: tg-opt %s --split-input-file -p convert-tg-to-loops | filecheck %s --check-prefix=LOOPS

// CHECK-LABEL: func.func @checked
// CHECK: tg.assert %x, %ok, "x must be positive" : (tensor<?xf64>, tensor<i1>) -> tensor<?xf64>
// The condition is checked before the call; the loops only read the input.
// LOOPS-LABEL: func.func @checked
// LOOPS: memref.load %x
// LOOPS-NOT: %ok
func.func @checked(%x: tensor<?xf64>, %ok: tensor<i1>) -> tensor<?xf64> {
  %0 = tg.assert %x, %ok, "x must be positive" : (tensor<?xf64>, tensor<i1>) -> tensor<?xf64>
  func.return %0 : tensor<?xf64>
}
