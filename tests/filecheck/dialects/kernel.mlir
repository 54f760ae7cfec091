// The kernel ops of the fused and buffers levels (tg.fusion, tg.fusion_yield,
// tg.buffer, tg.compute, tg.release) survive a print/parse round trip, in the custom
// and the generic form.
// RUN: TG_ROUNDTRIP
// RUN: TG_GENERIC_ROUNDTRIP

// A kernel with two inputs and two results (softmax's exp is stored while summed).
// CHECK-LABEL: func.func @fusion(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?xf32>, %[[M:[^:]+]]: tensor<?x1xf32>) -> (tensor<?x?xf32>, tensor<?xf32>) {
// CHECK-NEXT: %[[R0:[^,]+]], %[[R1:.+]] = tg.fusion(%[[X]], %[[M]]) {
// CHECK-NEXT: ^{{.+}}(%[[A:[^:]+]]: tensor<?x?xf32>, %[[B:[^:]+]]: tensor<?x1xf32>):
// CHECK-NEXT: %[[D:.+]] = tg.sub %[[A]], %[[B]] : (tensor<?x?xf32>, tensor<?x1xf32>) -> tensor<?x?xf32>
// CHECK-NEXT: %[[E:.+]] = tg.exp %[[D]] : tensor<?x?xf32>
// CHECK-NEXT: %[[S:.+]] = tg.sum %[[E]] {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
// CHECK-NEXT: tg.fusion_yield %[[E]], %[[S]] : tensor<?x?xf32>, tensor<?xf32>
// CHECK-NEXT: } : (tensor<?x?xf32>, tensor<?x1xf32>) -> (tensor<?x?xf32>, tensor<?xf32>)
// CHECK-NEXT: func.return %[[R0]], %[[R1]] : tensor<?x?xf32>, tensor<?xf32>
func.func @fusion(%x: tensor<?x?xf32>, %m: tensor<?x1xf32>) -> (tensor<?x?xf32>, tensor<?xf32>) {
  %e, %s = tg.fusion(%x, %m) {
  ^bb0(%a: tensor<?x?xf32>, %b: tensor<?x1xf32>):
    %d = tg.sub %a, %b : (tensor<?x?xf32>, tensor<?x1xf32>) -> tensor<?x?xf32>
    %0 = tg.exp %d : tensor<?x?xf32>
    %1 = tg.sum %0 {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
    tg.fusion_yield %0, %1 : tensor<?x?xf32>, tensor<?xf32>
  } : (tensor<?x?xf32>, tensor<?x1xf32>) -> (tensor<?x?xf32>, tensor<?xf32>)
  func.return %e, %s : tensor<?x?xf32>, tensor<?xf32>
}

// -----

// A kernel with no inputs (a splat constant computed where it is stored).
// CHECK-LABEL: func.func @no_inputs(
// CHECK-NEXT: %[[R:.+]] = tg.fusion() {
// CHECK-NEXT: %[[C:.+]] = tg.constant dense<1.500000e+00> : tensor<4xf64>
// CHECK-NEXT: tg.fusion_yield %[[C]] : tensor<4xf64>
// CHECK-NEXT: } : () -> tensor<4xf64>
func.func @no_inputs() -> tensor<4xf64> {
  %0 = tg.fusion() {
    %c = tg.constant dense<1.5> : tensor<4xf64>
    tg.fusion_yield %c : tensor<4xf64>
  } : () -> tensor<4xf64>
  func.return %0 : tensor<4xf64>
}

// -----

// The buffers level: an intermediate buffer written by one kernel, updated in place
// by a second (it is among both its ins and its outs), read by a third, and released.
// CHECK-LABEL: func.func @buffers(
// CHECK-SAME: %[[X:[^:]+]]: memref<?xf32>, %[[OUT:[^:]+]]: memref<?xf32>, %status: memref<i32>) {
// CHECK-NEXT: %[[B:.+]] = tg.buffer : memref<?xf32>
// CHECK-NEXT: tg.compute ins(%[[X]] : memref<?xf32>) outs(%[[B]] : memref<?xf32>) {
// CHECK-NEXT: ^{{.+}}(%[[A:[^:]+]]: tensor<?xf32>):
// CHECK-NEXT: %[[E:.+]] = tg.exp %[[A]] : tensor<?xf32>
// CHECK-NEXT: tg.fusion_yield %[[E]] : tensor<?xf32>
// CHECK-NEXT: }
// CHECK-NEXT: tg.compute ins(%[[B]], %[[X]] : memref<?xf32>, memref<?xf32>) outs(%[[B]] : memref<?xf32>) {
// CHECK-NEXT: ^{{.+}}(%[[C:[^:]+]]: tensor<?xf32>, %[[D:[^:]+]]: tensor<?xf32>):
// CHECK-NEXT: %[[S:.+]] = tg.add %[[C]], %[[D]] : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
// CHECK-NEXT: tg.fusion_yield %[[S]] : tensor<?xf32>
// CHECK-NEXT: }
// CHECK-NEXT: tg.compute ins(%[[B]] : memref<?xf32>) outs(%[[OUT]] : memref<?xf32>) {
// CHECK: }
// CHECK-NEXT: tg.release %[[B]] : memref<?xf32>
// CHECK-NEXT: func.return
func.func @buffers(%x: memref<?xf32>, %out0: memref<?xf32>, %status: memref<i32>) {
  %b = tg.buffer : memref<?xf32>
  tg.compute ins(%x : memref<?xf32>) outs(%b : memref<?xf32>) {
  ^bb0(%a: tensor<?xf32>):
    %0 = tg.exp %a : tensor<?xf32>
    tg.fusion_yield %0 : tensor<?xf32>
  }
  tg.compute ins(%b, %x : memref<?xf32>, memref<?xf32>) outs(%b : memref<?xf32>) {
  ^bb0(%c: tensor<?xf32>, %d: tensor<?xf32>):
    %1 = tg.add %c, %d : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
    tg.fusion_yield %1 : tensor<?xf32>
  }
  tg.compute ins(%b : memref<?xf32>) outs(%out0 : memref<?xf32>) {
  ^bb0(%e: tensor<?xf32>):
    %2 = tg.neg %e : tensor<?xf32>
    tg.fusion_yield %2 : tensor<?xf32>
  }
  tg.release %b : memref<?xf32>
  func.return
}

// -----

// A kernel with no ins and several outs, of static and 0-d shapes.
// CHECK-LABEL: func.func @no_ins(
// CHECK-SAME: %[[O1:[^:]+]]: memref<2x3xi32>, %[[O2:[^:]+]]: memref<i32>) {
// CHECK-NEXT: tg.compute outs(%[[O1]], %[[O2]] : memref<2x3xi32>, memref<i32>) {
// CHECK-NEXT: %[[C:.+]] = tg.constant dense<7> : tensor<2x3xi32>
// CHECK-NEXT: %[[Z:.+]] = tg.constant dense<0> : tensor<i32>
// CHECK-NEXT: tg.fusion_yield %[[C]], %[[Z]] : tensor<2x3xi32>, tensor<i32>
// CHECK-NEXT: }
func.func @no_ins(%o1: memref<2x3xi32>, %o2: memref<i32>) {
  tg.compute outs(%o1, %o2 : memref<2x3xi32>, memref<i32>) {
    %c = tg.constant dense<7> : tensor<2x3xi32>
    %z = tg.constant dense<0> : tensor<i32>
    tg.fusion_yield %c, %z : tensor<2x3xi32>, tensor<i32>
  }
  func.return
}
