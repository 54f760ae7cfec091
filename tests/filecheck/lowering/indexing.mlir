// convert-tg-to-loops for indexing ops: basic subtensors are index arithmetic in
// their consumer's loop, gathers read their index arrays in place (checking, and
// guarding, only indices the shape program did not check), scatters and nonzero
// have loop nests of their own.
// RUN: tg-opt %s -p convert-tg-to-loops --split-input-file | filecheck %s

// A slice is a view: sqrt(x[1:, ::-1]) is one loop nest reading x at start + i*step,
// with the start and length computed once before it, and no temporary buffer.
// CHECK-LABEL: func.func @view(
// CHECK-SAME: %[[X:[^:]+]]: memref<?x?xf32>, %[[OUT:[^:]+]]: memref<?x?xf32>, %status: memref<i32>) {
// CHECK-NOT: memref.alloc
// CHECK: arith.floordivsi
// CHECK: arith.floordivsi
// CHECK: %[[COLS:.+]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : index
// CHECK-NEXT: scf.for %[[I:[^ ]+]] = %{{.*}} to %{{.*}} step
// CHECK-NEXT: scf.for %[[J:[^ ]+]] = %{{.*}} to %[[COLS]] step
// CHECK-NEXT: %[[R:.+]] = arith.addi %{{.*}}, %[[I]] : index
// CHECK-NEXT: %[[JS:.+]] = arith.muli %[[J]], %{{.*}} : index
// CHECK-NEXT: %[[C:.+]] = arith.addi %{{.*}}, %[[JS]] : index
// CHECK-NEXT: %[[V:.+]] = memref.load %[[X]][%[[R]], %[[C]]] : memref<?x?xf32>
// CHECK-NEXT: %[[E:.+]] = math.sqrt %[[V]] : f32
// CHECK-NEXT: memref.store %[[E]], %[[OUT]][%[[I]], %[[J]]] : memref<?x?xf32>
// CHECK-NOT: memref.alloc
// CHECK: func.return
func.func @view(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = tg.subtensor %x[1:, ::-1] : tensor<?x?xf32> -> tensor<?x?xf32>
  %1 = tg.sqrt %0 : tensor<?x?xf32>
  func.return %1 : tensor<?x?xf32>
}

// -----

// An integer index from an operand is read once, before the loop, and wrapped if
// negative. The shape program checked it; it is checked again once per call (for
// bodies whose shape program saw other values) and clamped, so the row read is
// always in bounds.
// CHECK-LABEL: func.func @index(
// CHECK-SAME: %[[X:[^:]+]]: memref<?x?xf64>, %[[I:[^:]+]]: memref<i64>, %[[OUT:[^:]+]]: memref<?xf64>, %status: memref<i32>)
// CHECK-SAME: attributes {tg.errors = ["IndexError|tg.subtensor: index out of bounds for axis 0"]}
// CHECK: %[[N:.+]] = memref.dim %[[X]], %{{.*}} : memref<?x?xf64>
// CHECK: %[[RAW:.+]] = memref.load %[[I]][] : memref<i64>
// CHECK-NEXT: %[[IDX:.+]] = arith.index_cast %[[RAW]] : i64 to index
// CHECK-NEXT: %[[NEG:.+]] = arith.cmpi slt, %[[IDX]], %{{.*}} : index
// CHECK-NEXT: %[[UP:.+]] = arith.addi %[[IDX]], %[[N]] : index
// CHECK-NEXT: %[[W:.+]] = arith.select %[[NEG]], %[[UP]], %[[IDX]] : index
// CHECK-NEXT: %[[LOW:.+]] = arith.cmpi slt, %[[W]], %{{.*}} : index
// CHECK-NEXT: %[[HIGH:.+]] = arith.cmpi sge, %[[W]], %[[N]] : index
// CHECK-NEXT: %[[BAD:.+]] = arith.ori %[[LOW]], %[[HIGH]] : i1
// CHECK: scf.if %[[BAD]] {
// CHECK: %[[MAX:.+]] = arith.subi %[[N]], %{{.*}} : index
// CHECK-NEXT: %[[MIN:.+]] = arith.minsi %[[W]], %[[MAX]] : index
// CHECK-NEXT: %[[ROW:.+]] = arith.maxsi %{{.*}}, %[[MIN]] : index
// CHECK-NEXT: scf.for %[[J:[^ ]+]] =
// CHECK-NEXT: %[[V:.+]] = memref.load %[[X]][%[[ROW]], %[[J]]] : memref<?x?xf64>
// CHECK-NEXT: memref.store %[[V]], %[[OUT]][%[[J]]] : memref<?xf64>
// CHECK-NOT: scf.if
// CHECK: func.return
func.func @index(%x: tensor<?x?xf64>, %i: tensor<i64>) -> tensor<?xf64> {
  %0 = tg.subtensor %x[%i] : tensor<?x?xf64> -> tensor<?xf64>
  func.return %0 : tensor<?xf64>
}

// -----

// A gather by an argument's indices (checked before the call) is computed inside the
// sum's loop: load the index, wrap it, load the element. No error is registered.
// CHECK-LABEL: func.func @gather(
// CHECK-SAME: %[[X:[^:]+]]: memref<?x?xf32>, %[[I:[^:]+]]: memref<?xi32>, %[[OUT:[^:]+]]: memref<?xf32>, %status: memref<i32>) {
// CHECK-NOT: memref.alloc
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NOT: memref.store
// CHECK: scf.for %[[R:[^ ]+]] =
// CHECK-NEXT: %[[SUM:.+]] = scf.for %[[K:[^ ]+]] = {{.*}} iter_args(%[[ACC:[^ ]+]] = %[[ZERO]]) -> (f32) {
// CHECK-NEXT: %[[RAW:.+]] = memref.load %[[I]][%[[K]]] : memref<?xi32>
// CHECK-NEXT: %[[IDX:.+]] = arith.index_cast %[[RAW]] : i32 to index
// CHECK-NEXT: arith.cmpi slt
// CHECK-NEXT: arith.addi
// CHECK-NEXT: %[[COL:.+]] = arith.select
// CHECK-NEXT: %[[V:.+]] = memref.load %[[X]][%[[R]], %[[COL]]] : memref<?x?xf32>
// CHECK-NEXT: arith.addf %[[ACC]], %[[V]]
// CHECK: memref.store %[[SUM]], %[[OUT]][%[[R]]] : memref<?xf32>
// CHECK-NOT: scf.if
// CHECK: func.return
func.func @gather(%x: tensor<?x?xf32>, %i: tensor<?xi32>) -> tensor<?xf32> {
  %0 = tg.advanced_subtensor %x[:, %i] : tensor<?x?xf32>, tensor<?xi32> -> tensor<?x?xf32>
  %1 = tg.sum %0 {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
  func.return %1 : tensor<?xf32>
}

// -----

// Indices computed by the function are checked in the loop: an out-of-bounds index
// sets the status (IndexError after the call) and the load it would do is skipped.
// CHECK-LABEL: func.func @gather_checked(
// CHECK-SAME: %[[X:[^:]+]]: memref<?xf32>, %{{[^:]+}}: memref<?xi64>, %[[OUT:[^:]+]]: memref<?xf32>, %status: memref<i32>)
// CHECK-SAME: attributes {tg.errors = ["IndexError|tg.advanced_subtensor: index array 0 holds an index out of bounds for axis 0{{.*}}"]}
// CHECK: %[[N:.+]] = memref.dim %[[X]], %{{.*}} : memref<?xf32>
// CHECK-NEXT: scf.for %[[K:[^ ]+]] =
// CHECK: %[[IDX:.+]] = arith.select
// CHECK-NEXT: %[[LOW:.+]] = arith.cmpi slt, %[[IDX]], %{{.*}} : index
// CHECK-NEXT: %[[HIGH:.+]] = arith.cmpi sge, %[[IDX]], %[[N]] : index
// CHECK-NEXT: %[[BAD:.+]] = arith.ori %[[LOW]], %[[HIGH]] : i1
// CHECK-NEXT: %[[CODE:.+]] = arith.constant 1 : i32
// CHECK-NEXT: scf.if %[[BAD]] {
// CHECK-NEXT: memref.store %[[CODE]], %status[] : memref<i32>
// CHECK-NEXT: }
// CHECK-NEXT: %[[V:.+]] = scf.if %[[BAD]] -> (f32) {
// CHECK-NEXT: %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: scf.yield %[[Z]] : f32
// CHECK-NEXT: } else {
// CHECK-NEXT: %[[L:.+]] = memref.load %[[X]][%[[IDX]]] : memref<?xf32>
// CHECK-NEXT: scf.yield %[[L]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: memref.store %[[V]], %[[OUT]][%[[K]]] : memref<?xf32>
func.func @gather_checked(%x: tensor<?xf32>, %i: tensor<?xi64>) -> tensor<?xf32> {
  %c = tg.constant dense<1> : tensor<1xi64>
  %j = tg.add %i, %c : (tensor<?xi64>, tensor<1xi64>) -> tensor<?xi64>
  %0 = tg.advanced_subtensor %x[%j] : tensor<?xf32>, tensor<?xi64> -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// -----

// set_subtensor copies its input, then writes the (broadcast) value into the slice.
// CHECK-LABEL: func.func @set(
// CHECK-SAME: %[[X:[^:]+]]: memref<?xf32>, %[[Y:[^:]+]]: memref<1xf32>, %[[OUT:[^:]+]]: memref<?xf32>, %status: memref<i32>) {
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK-NEXT: %[[V:.+]] = memref.load %[[X]][%[[I]]] : memref<?xf32>
// CHECK-NEXT: memref.store %[[V]], %[[OUT]][%[[I]]] : memref<?xf32>
// CHECK-NEXT: }
// CHECK: %[[TWO:.+]] = arith.constant 2 : index
// CHECK: %[[LEN:.+]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : index
// CHECK-NEXT: scf.for %[[K:[^ ]+]] = %{{.*}} to %[[LEN]] step
// CHECK-NEXT: %[[KS:.+]] = arith.muli %[[K]], %[[TWO]] : index
// CHECK-NEXT: %[[P:.+]] = arith.addi %{{.*}}, %[[KS]] : index
// CHECK-NEXT: %[[W:.+]] = memref.load %[[Y]][%{{.*}}] : memref<1xf32>
// CHECK-NEXT: memref.store %[[W]], %[[OUT]][%[[P]]] : memref<?xf32>
func.func @set(%x: tensor<?xf32>, %y: tensor<1xf32>) -> tensor<?xf32> {
  %0 = tg.set_subtensor %x[::2], %y : tensor<?xf32>, tensor<1xf32>
  func.return %0 : tensor<?xf32>
}

// -----

// advanced_inc_subtensor accumulates in order: repeated indices add up.
// CHECK-LABEL: func.func @scatter(
// CHECK-SAME: %[[X:[^:]+]]: memref<?xf64>, %[[I:[^:]+]]: memref<?xi64>, %[[Y:[^:]+]]: memref<?xf64>, %[[OUT:[^:]+]]: memref<?xf64>, %status: memref<i32>) {
// CHECK: memref.store %{{.*}}, %[[OUT]][%{{.*}}] : memref<?xf64>
// CHECK: scf.for %[[K:[^ ]+]] =
// CHECK-NEXT: %[[RAW:.+]] = memref.load %[[I]][%[[K]]] : memref<?xi64>
// CHECK: %[[P:.+]] = arith.select
// CHECK-NEXT: %[[V:.+]] = memref.load %[[Y]][%[[K]]] : memref<?xf64>
// CHECK-NEXT: %[[OLD:.+]] = memref.load %[[OUT]][%[[P]]] : memref<?xf64>
// CHECK-NEXT: %[[NEW:.+]] = arith.addf %[[OLD]], %[[V]]
// CHECK-NEXT: memref.store %[[NEW]], %[[OUT]][%[[P]]] : memref<?xf64>
func.func @scatter(%x: tensor<?xf64>, %i: tensor<?xi64>, %y: tensor<?xf64>) -> tensor<?xf64> {
  %0 = tg.advanced_inc_subtensor %x[%i], %y : tensor<?xf64>, tensor<?xf64>, tensor<?xi64>
  func.return %0 : tensor<?xf64>
}

// -----

// nonzero walks the input carrying the count of true elements, writing the
// coordinates of each into the next column.
// CHECK-LABEL: func.func @nonzero(
// CHECK-SAME: %[[M:[^:]+]]: memref<?xi1>, %[[OUT:[^:]+]]: memref<1x?xi64>, %status: memref<i32>) {
// CHECK: %{{.*}} = scf.for %[[I:[^ ]+]] = {{.*}} iter_args(%[[COUNT:[^ ]+]] = %{{.*}}) -> (index) {
// CHECK-NEXT: %[[HIT:.+]] = memref.load %[[M]][%[[I]]] : memref<?xi1>
// CHECK-NEXT: scf.if %[[HIT]] {
// CHECK-NEXT: %[[ROW:.+]] = arith.constant 0 : index
// CHECK-NEXT: %[[C:.+]] = arith.index_cast %[[I]] : index to i64
// CHECK-NEXT: memref.store %[[C]], %[[OUT]][%[[ROW]], %[[COUNT]]] : memref<1x?xi64>
// CHECK-NEXT: }
// CHECK-NEXT: %[[ONE:.+]] = arith.select %[[HIT]], %{{.*}}, %{{.*}} : index
// CHECK-NEXT: %[[NEXT:.+]] = arith.addi %[[COUNT]], %[[ONE]] : index
// CHECK-NEXT: scf.yield %[[NEXT]] : index
func.func @nonzero(%m: tensor<?xi1>) -> tensor<1x?xi64> {
  %0 = tg.nonzero %m : tensor<?xi1> -> tensor<1x?xi64>
  func.return %0 : tensor<1x?xi64>
}

// -----

// A nonzero read by a later op is stored: its column count is computed by a first
// walk (to size the buffer), then the coordinates are written by a second.
// CHECK-LABEL: func.func @nonzero_rows(
// CHECK: %[[COUNT:.+]] = scf.for
// CHECK: %[[BUF:.+]] = memref.alloc(%[[COUNT]]) : memref<2x?xi64>
// CHECK: scf.for
// CHECK: memref.store %{{.*}}, %[[BUF]][%{{.*}}, %{{.*}}] : memref<2x?xi64>
// CHECK: memref.load %[[BUF]]
// CHECK: memref.dealloc %[[BUF]] : memref<2x?xi64>
func.func @nonzero_rows(%m: tensor<?x?xi1>) -> tensor<?xi64> {
  %0 = tg.nonzero %m : tensor<?x?xi1> -> tensor<2x?xi64>
  %1 = tg.subtensor %0[1] : tensor<2x?xi64> -> tensor<?xi64>
  func.return %1 : tensor<?xi64>
}
