// RUN: tg-opt %s -p convert-tg-to-loops | filecheck %s

// The body runs once per index with its own buffers, and each row is copied into
// the result.
// CHECK-LABEL: func.func @rows
// CHECK: memref.alloc() : memref<i64>
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: memref.store %{{.*}}, %{{.*}}[] : memref<i64>
// CHECK: scf.for
// CHECK: math.sqrt
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[I]], %{{.*}}] : memref<?x?xf64>
// CHECK: memref.dealloc
func.func @rows(%n: tensor<i64>, %x: tensor<?xf64>) -> tensor<?x?xf64> {
  %0 = tg.map %n, %x {
  ^bb0(%i: tensor<i64>, %y: tensor<?xf64>):
    %1 = tg.sqrt %y : tensor<?xf64>
    tg.yield %1 : tensor<?xf64>
  } : (tensor<i64>, tensor<?xf64>) -> tensor<?x?xf64>
  func.return %0 : tensor<?x?xf64>
}
