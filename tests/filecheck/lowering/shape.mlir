// convert-tg-to-loops on shape ops: reshapes and narrows are index arithmetic on
// their input (no buffer), an arange is computed where it is read, a concatenation
// is one loop nest per operand at its offset.
// RUN: tg-opt %s -p convert-tg-to-loops --split-input-file | filecheck %s

// Flattening leading dimensions: the shared trailing dimension passes through, the
// merged one is unraveled with one division; a DimOp-free size may be -1, so the
// result size is chosen at run time.
// CHECK-LABEL: func.func @flatten(
// CHECK-SAME: %[[X:[^:]+]]: memref<?x?x3xf32>, %[[N:[^:]+]]: memref<i64>, %[[OUT:[^:]+]]: memref<?x3xf32>, %status: memref<i32>) {
// CHECK: %[[NV:.+]] = memref.load %[[N]][] : memref<i64>
// CHECK: memref.dim %[[X]], %{{.*}} : memref<?x?x3xf32>
// CHECK-NEXT: %[[D1:.+]] = memref.dim %[[X]], %{{.*}} : memref<?x?x3xf32>
// CHECK: %[[INFERRED:.+]] = arith.divui
// CHECK: %[[ROWS:.+]] = arith.select %{{.*}}, %[[INFERRED]], %{{.*}} : index
// CHECK-NOT: memref.alloc
// CHECK: scf.for %[[I:[^ ]+]] = %{{.*}} to %[[ROWS]] step
// CHECK-NEXT: scf.for %[[J:[^ ]+]] = %{{.*}} to %{{.*}} step
// CHECK-NEXT: %[[INNER:.+]] = arith.remui %[[I]], %[[D1]] : index
// CHECK-NEXT: %[[OUTER:.+]] = arith.divui %[[I]], %[[D1]] : index
// CHECK-NEXT: %[[V:.+]] = memref.load %[[X]][%[[OUTER]], %[[INNER]], %[[J]]] : memref<?x?x3xf32>
// CHECK-NEXT: memref.store %[[V]], %[[OUT]][%[[I]], %[[J]]] : memref<?x3xf32>
func.func @flatten(%x: tensor<?x?x3xf32>, %n: tensor<i64>) -> tensor<?x3xf32> {
  %m = tg.constant dense<3> : tensor<i64>
  %0 = tg.reshape %x to %n, %m : (tensor<?x?x3xf32>, tensor<i64>, tensor<i64>) -> tensor<?x3xf32>
  func.return %0 : tensor<?x3xf32>
}

// -----

// Splitting a vector: the result index is linearized, no division; sizes that are
// dimensions of other values are never -1, so no run-time choice is made.
// CHECK-LABEL: func.func @split(
// CHECK-SAME: %[[X:[^:]+]]: memref<?xf32>, %[[Y:[^:]+]]: memref<?x?xf32>, %[[OUT:[^:]+]]: memref<?x?xf32>, %status: memref<i32>) {
// CHECK-NOT: arith.select
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK-NEXT: scf.for %[[J:[^ ]+]] = %{{.*}} to %[[M:[^ ]+]] step
// CHECK-NEXT: %[[ROW:.+]] = arith.muli %[[I]], %[[M]] : index
// CHECK-NEXT: %[[K:.+]] = arith.addi %[[ROW]], %[[J]] : index
// CHECK-NEXT: %[[V:.+]] = memref.load %[[X]][%[[K]]] : memref<?xf32>
// CHECK-NEXT: memref.store %[[V]], %[[OUT]][%[[I]], %[[J]]] : memref<?x?xf32>
func.func @split(%x: tensor<?xf32>, %y: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %n = tg.dim %y {axis = array<i64: 0>} : tensor<?x?xf32> -> tensor<i64>
  %m = tg.dim %y {axis = array<i64: 1>} : tensor<?x?xf32> -> tensor<i64>
  %0 = tg.reshape %x to %n, %m : (tensor<?xf32>, tensor<i64>, tensor<i64>) -> tensor<?x?xf32>
  func.return %0 : tensor<?x?xf32>
}

// -----

// Concatenation: one loop nest per operand, the second writing at the first's size;
// an elementwise operand read once is computed in its loop.
// CHECK-LABEL: func.func @concatenate(
// CHECK-SAME: %[[A:[^:]+]]: memref<?x3xf32>, %[[B:[^:]+]]: memref<?x3xf32>, %[[OUT:[^:]+]]: memref<?x3xf32>, %status: memref<i32>) {
// CHECK-NOT: memref.alloc
// CHECK: %[[NA:.+]] = memref.dim %[[A]], %{{.*}} : memref<?x3xf32>
// CHECK: scf.for %[[I:[^ ]+]] = %{{.*}} to %[[NA]] step
// CHECK-NEXT: scf.for %[[J:[^ ]+]] =
// CHECK-NEXT: %[[R:.+]] = arith.addi %[[I]], %{{.*}} : index
// CHECK-NEXT: %[[V:.+]] = memref.load %[[A]][%[[I]], %[[J]]] : memref<?x3xf32>
// CHECK-NEXT: memref.store %[[V]], %[[OUT]][%[[R]], %[[J]]] : memref<?x3xf32>
// CHECK: %[[OFFSET:.+]] = arith.addi %{{.*}}, %[[NA]] : index
// CHECK: scf.for %[[I2:[^ ]+]] =
// CHECK-NEXT: scf.for %[[J2:[^ ]+]] =
// CHECK-NEXT: %[[R2:.+]] = arith.addi %[[I2]], %[[OFFSET]] : index
// CHECK-NEXT: %[[W:.+]] = memref.load %[[B]][%[[I2]], %[[J2]]] : memref<?x3xf32>
// CHECK-NEXT: %[[E:.+]] = math.sqrt %[[W]] : f32
// CHECK-NEXT: memref.store %[[E]], %[[OUT]][%[[R2]], %[[J2]]] : memref<?x3xf32>
// CHECK-NOT: arith.addi
// CHECK: func.return
func.func @concatenate(%a: tensor<?x3xf32>, %b: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %e = tg.sqrt %b : tensor<?x3xf32>
  %0 = tg.concatenate %a, %e {axis = array<i64: 0>} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  func.return %0 : tensor<?x3xf32>
}

// -----

// Narrow: the length operand is the size, the start shifts the index.
// CHECK-LABEL: func.func @narrow(
// CHECK-SAME: %[[A:[^:]+]]: memref<?x3xf32>, %[[S:[^:]+]]: memref<i64>, %[[N:[^:]+]]: memref<i64>, %[[OUT:[^:]+]]: memref<?x3xf32>, %status: memref<i32>) {
// CHECK: %[[LEN:.+]] = memref.load %[[N]][] : memref<i64>
// CHECK-NEXT: %[[ROWS:.+]] = arith.index_cast %[[LEN]] : i64 to index
// CHECK-NEXT: scf.for %[[I:[^ ]+]] = %{{.*}} to %[[ROWS]] step
// CHECK-NEXT: scf.for %[[J:[^ ]+]] =
// CHECK-NEXT: %[[START:.+]] = memref.load %[[S]][] : memref<i64>
// CHECK-NEXT: %[[SI:.+]] = arith.index_cast %[[START]] : i64 to index
// CHECK-NEXT: %[[K:.+]] = arith.addi %[[I]], %[[SI]] : index
// CHECK-NEXT: %[[V:.+]] = memref.load %[[A]][%[[K]], %[[J]]] : memref<?x3xf32>
// CHECK-NEXT: memref.store %[[V]], %[[OUT]][%[[I]], %[[J]]] : memref<?x3xf32>
func.func @narrow(%a: tensor<?x3xf32>, %s: tensor<i64>, %n: tensor<i64>) -> tensor<?x3xf32> {
  %0 = tg.narrow %a, %s, %n {axis = array<i64: 0>} : (tensor<?x3xf32>, tensor<i64>, tensor<i64>) -> tensor<?x3xf32>
  func.return %0 : tensor<?x3xf32>
}

// -----

// Float arange: length ceil((stop - start) / step), at least 0; element start + i * step.
// CHECK-LABEL: func.func @arange_float(
// CHECK-SAME: %[[A:[^:]+]]: memref<f64>, %[[B:[^:]+]]: memref<f64>, %[[C:[^:]+]]: memref<f64>, %[[OUT:[^:]+]]: memref<?xf64>, %status: memref<i32>) {
// CHECK: %[[Q:.+]] = arith.divf
// CHECK-NEXT: %[[T:.+]] = arith.fptosi %[[Q]] : f64 to i64
// CHECK-NEXT: %[[TF:.+]] = arith.sitofp %[[T]] : i64 to f64
// CHECK-NEXT: %[[UP:.+]] = arith.cmpf olt, %[[TF]], %[[Q]] : f64
// CHECK: %[[LEN:.+]] = arith.index_cast %{{.*}} : i64 to index
// CHECK-NEXT: scf.for %[[I:[^ ]+]] = %{{.*}} to %[[LEN]] step
// CHECK: %[[IF:.+]] = arith.sitofp %{{.*}} : i64 to f64
// CHECK-NEXT: %[[P:.+]] = arith.mulf %[[IF]], %{{.*}} : f64
// CHECK-NEXT: %[[V:.+]] = arith.addf %{{.*}}, %[[P]] : f64
// CHECK-NEXT: memref.store %[[V]], %[[OUT]][%[[I]]] : memref<?xf64>
func.func @arange_float(%a: tensor<f64>, %b: tensor<f64>, %c: tensor<f64>) -> tensor<?xf64> {
  %0 = tg.arange %a, %b, %c : (tensor<f64>, tensor<f64>, tensor<f64>) -> tensor<?xf64>
  func.return %0 : tensor<?xf64>
}

// -----

// Integer arange: the length rounds the quotient up where the remainder has the
// step's sign.
// CHECK-LABEL: func.func @arange_int(
// CHECK: arith.divsi
// CHECK-NEXT: arith.remsi
// CHECK: arith.extui %{{.*}} : i1 to i64
// CHECK: scf.for
// CHECK: arith.muli %{{.*}}, %{{.*}} : i32
// CHECK-NEXT: arith.addi %{{.*}}, %{{.*}} : i32
func.func @arange_int(%a: tensor<i32>, %b: tensor<i32>) -> tensor<?xi32> {
  %0 = tg.arange %a, %b, %a : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<?xi32>
  func.return %0 : tensor<?xi32>
}
