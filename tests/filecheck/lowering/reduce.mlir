// convert-tg-to-loops on reductions and scans.
// RUN: tg-opt %s -p convert-tg-to-loops --split-input-file | filecheck %s

// min over the inner axis: +inf identity, NaN-propagating minimumf. The accumulator
// starts at the identity (the output is not filled first); 16 of them, in registers,
// take 16 columns per step, a tree combines them, and the columns left over are
// taken one by one. The split point is computed with the sizes, before the loops.
// CHECK-LABEL: func.func @min(
// CHECK-SAME: %[[X:[^:]+]]: memref<?x?xf32>, %[[OUT:[^:]+]]: memref<?xf32>, %status: memref<i32>) {
// CHECK: %[[INF:.+]] = arith.constant 0x7f800000 : f32
// CHECK-NEXT: memref.dim
// CHECK-NEXT: %[[N:.+]] = memref.dim %[[X]], %{{.*}} : memref<?x?xf32>
// CHECK-NOT: memref.store
// CHECK: %[[SIXTEEN:.+]] = arith.constant 16 : index
// CHECK-NEXT: %[[REM:.+]] = arith.remui %[[N]], %[[SIXTEEN]] : index
// CHECK-NEXT: %[[MAIN:.+]] = arith.subi %[[N]], %[[REM]] : index
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK: %[[FIRST:[0-9]+]], %[[SECOND:[0-9]+]], {{.*}} = scf.for
// CHECK-SAME: %[[J:[0-9]+]] = %{{.*}} to %[[MAIN]] step %[[SIXTEEN]]
// CHECK-SAME: iter_args(%[[A0:[0-9]+]] = %[[INF]], %[[A1:[0-9]+]] = %[[INF]], {{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK-NEXT: %[[V0:.+]] = memref.load %[[X]][%[[I]], %[[J]]] : memref<?x?xf32>
// CHECK-NEXT: arith.minimumf %[[A0]], %[[V0]] : f32
// CHECK-NEXT: %[[ONE:.+]] = arith.constant 1 : index
// CHECK-NEXT: %[[J1:.+]] = arith.addi %[[J]], %[[ONE]] : index
// CHECK-NEXT: %[[V1:.+]] = memref.load %[[X]][%[[I]], %[[J1]]] : memref<?x?xf32>
// CHECK-NEXT: arith.minimumf %[[A1]], %[[V1]] : f32
// CHECK-COUNT-14: arith.minimumf
// CHECK-NEXT: scf.yield
// CHECK-NEXT: }
// CHECK-NEXT: arith.minimumf %[[FIRST]], %[[SECOND]] : f32
// CHECK-COUNT-13: arith.minimumf
// CHECK-NEXT: %[[T:.+]] = arith.minimumf
// CHECK-NEXT: %[[R:.+]] = scf.for %[[K:[^ ]+]] = %[[MAIN]] to %[[N]] step %{{.*}} iter_args(%[[ACC:[^ ]+]] = %[[T]]) -> (f32) {
// CHECK-NEXT: %[[V:.+]] = memref.load %[[X]][%[[I]], %[[K]]] : memref<?x?xf32>
// CHECK-NEXT: %[[M:.+]] = arith.minimumf %[[ACC]], %[[V]] : f32
// CHECK-NEXT: scf.yield %[[M]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: memref.store %[[R]], %[[OUT]][%[[I]]] : memref<?xf32>
func.func @min(%x: tensor<?x?xf32>) -> tensor<?xf32> {
  %0 = tg.min %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// -----

// prod over the outer axis: rows multiply into the result, which starts at 1.
// CHECK-LABEL: func.func @prod(
// CHECK-SAME: %[[X:[^:]+]]: memref<?x?xi64>, %[[OUT:[^:]+]]: memref<?xi64>, %status: memref<i32>) {
// CHECK: %[[ONE:.+]] = arith.constant 1 : i64
// CHECK: memref.store %[[ONE]], %[[OUT]]
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK-NEXT: scf.for %[[J:[^ ]+]] =
// CHECK-NEXT: %[[ACC:.+]] = memref.load %[[OUT]][%[[J]]] : memref<?xi64>
// CHECK-NEXT: %[[V:.+]] = memref.load %[[X]][%[[I]], %[[J]]] : memref<?x?xi64>
// CHECK-NEXT: %[[P:.+]] = arith.muli %[[ACC]], %[[V]] : i64
// CHECK-NEXT: memref.store %[[P]], %[[OUT]][%[[J]]] : memref<?xi64>
func.func @prod(%x: tensor<?x?xi64>) -> tensor<?xi64> {
  %0 = tg.prod %x {axes = array<i64: 0>} : tensor<?x?xi64> -> tensor<?xi64>
  func.return %0 : tensor<?xi64>
}

// -----

// argmax: (best, its position, counter) carried over the reduced axis; a NaN wins
// over any number, the first NaN over later ones.
// CHECK-LABEL: func.func @argmax(
// CHECK-SAME: %[[X:[^:]+]]: memref<?x?xf32>, %[[OUT:[^:]+]]: memref<?xi64>, %status: memref<i32>) {
// CHECK: %[[NEGINF:.+]] = arith.constant 0xff800000 : f32
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK-NEXT: %{{.+}}, %[[WHERE:.+]], %{{.+}} = scf.for %[[J:[^ ]+]] = {{.*}} iter_args(%[[BEST:[^ ]+]] = %[[NEGINF]], %[[POS:[^ ]+]] = %{{.*}}, %[[COUNT:[^ ]+]] = %{{.*}}) -> (f32, i64, i64) {
// CHECK-NEXT: %[[V:.+]] = memref.load %[[X]][%[[I]], %[[J]]] : memref<?x?xf32>
// CHECK-NEXT: %[[GT:.+]] = arith.cmpf ogt, %[[V]], %[[BEST]] : f32
// CHECK-NEXT: %[[NAN:.+]] = arith.cmpf uno, %[[V]], %[[V]] : f32
// CHECK-NEXT: %[[ORD:.+]] = arith.cmpf ord, %[[BEST]], %[[BEST]] : f32
// CHECK-NEXT: %[[BETTER:.+]] = arith.select %[[NAN]], %[[ORD]], %[[GT]] : i1
// CHECK-NEXT: %[[NB:.+]] = arith.select %[[BETTER]], %[[V]], %[[BEST]] : f32
// CHECK-NEXT: %[[NP:.+]] = arith.select %[[BETTER]], %[[COUNT]], %[[POS]] : i64
// CHECK-NEXT: %[[NC:.+]] = arith.addi %[[COUNT]], %{{.*}} : i64
// CHECK-NEXT: scf.yield %[[NB]], %[[NP]], %[[NC]] : f32, i64, i64
// CHECK: memref.store %[[WHERE]], %[[OUT]][%[[I]]] : memref<?xi64>
func.func @argmax(%x: tensor<?x?xf32>) -> tensor<?xi64> {
  %0 = tg.argmax %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xi64>
  func.return %0 : tensor<?xi64>
}

// -----

// argmin of integers: strict signed less-than keeps the first minimum.
// CHECK-LABEL: func.func @argmin(
// CHECK: %[[MAX:.+]] = arith.constant 127 : i8
// CHECK: scf.for {{.*}} iter_args(%[[BEST:[^ ]+]] = %[[MAX]], {{.*}}) -> (i8, i64, i64) {
// CHECK-NEXT: scf.for {{.*}} iter_args({{.*}}) -> (i8, i64, i64) {
// CHECK-NEXT: %[[V:.+]] = memref.load
// CHECK-NEXT: arith.cmpi slt, %[[V]], %{{.*}} : i8
func.func @argmin(%x: tensor<?x?xi8>) -> tensor<i64> {
  %0 = tg.argmin %x {axes = array<i64: 0, 1>} : tensor<?x?xi8> -> tensor<i64>
  func.return %0 : tensor<i64>
}

// -----

// cumsum along the inner axis: the running sum stays in a register and every
// partial sum is stored (in order: no reassociation).
// CHECK-LABEL: func.func @cumsum_inner(
// CHECK-SAME: %[[X:[^:]+]]: memref<?x?xf32>, %[[OUT:[^:]+]]: memref<?x?xf32>, %status: memref<i32>) {
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK-NEXT: scf.for %[[J:[^ ]+]] = {{.*}} iter_args(%[[ACC:[^ ]+]] = %[[ZERO]]) -> (f32) {
// CHECK-NEXT: %[[V:.+]] = memref.load %[[X]][%[[I]], %[[J]]] : memref<?x?xf32>
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[ACC]], %[[V]] : f32
// CHECK-NEXT: memref.store %[[S]], %[[OUT]][%[[I]], %[[J]]] : memref<?x?xf32>
// CHECK-NEXT: scf.yield %[[S]] : f32
func.func @cumsum_inner(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = tg.cumsum %x {axis = array<i64: 1>} : tensor<?x?xf32>
  func.return %0 : tensor<?x?xf32>
}

// -----

// reverse cumprod along the outer axis: row n-1-k combines with the row stored
// before it (n-k), read back from the result; the first row is copied.
// CHECK-LABEL: func.func @cumprod_outer_reverse(
// CHECK-SAME: %[[X:[^:]+]]: memref<?x?xi32>, %[[OUT:[^:]+]]: memref<?x?xi32>, %status: memref<i32>) {
// CHECK: %[[N:.+]] = memref.dim %[[X]], %{{.*}} : memref<?x?xi32>
// CHECK: %[[LAST:.+]] = arith.subi %[[N]], %{{.*}} : index
// CHECK: scf.for %[[K:[^ ]+]] =
// CHECK-NEXT: scf.for %[[J:[^ ]+]] =
// CHECK-NEXT: %[[HERE:.+]] = arith.subi %[[LAST]], %[[K]] : index
// CHECK-NEXT: %[[FIRST:.+]] = arith.cmpi eq, %[[K]], %{{.*}} : index
// CHECK: %[[PREV:.+]] = arith.select %[[FIRST]], %[[HERE]], %{{.*}} : index
// CHECK-NEXT: %[[V:.+]] = memref.load %[[X]][%[[HERE]], %[[J]]] : memref<?x?xi32>
// CHECK-NEXT: %[[B:.+]] = memref.load %[[OUT]][%[[PREV]], %[[J]]] : memref<?x?xi32>
// CHECK-NEXT: %[[P:.+]] = arith.muli %[[B]], %[[V]] : i32
// CHECK-NEXT: %[[R:.+]] = arith.select %[[FIRST]], %[[V]], %[[P]] : i32
// CHECK-NEXT: memref.store %[[R]], %[[OUT]][%[[HERE]], %[[J]]] : memref<?x?xi32>
func.func @cumprod_outer_reverse(%x: tensor<?x?xi32>) -> tensor<?x?xi32> {
  %0 = tg.cumprod %x {axis = array<i64: 0>, reverse} : tensor<?x?xi32>
  func.return %0 : tensor<?x?xi32>
}
