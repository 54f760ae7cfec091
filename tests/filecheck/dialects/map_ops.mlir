// RUN: tg-opt %s --split-input-file | tg-opt --split-input-file | filecheck %s
// RUN: tg-opt %s --split-input-file --print-op-generic | tg-opt --split-input-file | filecheck %s

// CHECK-LABEL: func.func @rows
// CHECK: tg.map %{{.*}}, %{{.*}} {
// CHECK: ^{{.*}}(%{{.*}}: tensor<i64>, %{{.*}}: tensor<?xf64>):
// CHECK: tg.yield %{{.*}} : tensor<?xf64>
// CHECK: } : (tensor<i64>, tensor<?xf64>) -> tensor<?x?xf64>
func.func @rows(%n: tensor<i64>, %x: tensor<?xf64>) -> tensor<?x?xf64> {
  %0 = tg.map %n, %x {
  ^bb0(%i: tensor<i64>, %y: tensor<?xf64>):
    %1 = tg.exp %y : tensor<?xf64>
    tg.yield %1 : tensor<?xf64>
  } : (tensor<i64>, tensor<?xf64>) -> tensor<?x?xf64>
  func.return %0 : tensor<?x?xf64>
}
