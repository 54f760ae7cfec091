// RUN: tg-opt %s -p tg-merge --split-input-file | filecheck %s

// identical ops on identical operands, and equal constants, become one
// CHECK-LABEL: func.func @merge
// CHECK-NEXT:    %[[C:.*]] = tg.constant dense<2.0{{.*}}> : tensor<1xf32>
// CHECK-NEXT:    %[[M:.*]] = tg.mul %x, %[[C]]
// CHECK-NEXT:    %[[E:.*]] = tg.exp %[[M]]
// CHECK-NEXT:    %[[A:.*]] = tg.add %[[E]], %[[E]]
// CHECK-NEXT:    func.return %[[A]]
func.func @merge(%x: tensor<?xf32>) -> tensor<?xf32> {
  %c1 = tg.constant dense<2.0> : tensor<1xf32>
  %c2 = tg.constant dense<2.0> : tensor<1xf32>
  %0 = tg.mul %x, %c1 : (tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>
  %1 = tg.mul %x, %c2 : (tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>
  %2 = tg.exp %0 : tensor<?xf32>
  %3 = tg.exp %1 : tensor<?xf32>
  %4 = tg.add %2, %3 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %4 : tensor<?xf32>
}

// -----

// different operands, attributes or constants stay apart
// CHECK-LABEL: func.func @keep
// CHECK-COUNT-2: tg.constant
// CHECK-COUNT-2: tg.sum
// CHECK-COUNT-2: tg.cmp
func.func @keep(%x: tensor<?x?xf32>) -> (tensor<?xf32>, tensor<?xf32>, tensor<1xf32>, tensor<1xf32>, tensor<?x?xi1>, tensor<?x?xi1>) {
  %c1 = tg.constant dense<2.0> : tensor<1xf32>
  %c2 = tg.constant dense<3.0> : tensor<1xf32>
  %0 = tg.sum %x {axes = array<i64: 0>} : tensor<?x?xf32> -> tensor<?xf32>
  %1 = tg.sum %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
  %2 = tg.cmp "lt", %x, %x : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xi1>
  %3 = tg.cmp "le", %x, %x : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xi1>
  func.return %0, %1, %c1, %c2, %2, %3 : tensor<?xf32>, tensor<?xf32>, tensor<1xf32>, tensor<1xf32>, tensor<?x?xi1>, tensor<?x?xi1>
}
