// convert-tg-to-loops: tensor functions become loop nests over buffers, in
// destination-passing style (results are trailing memref arguments).
// RUN: tg-opt %s -p convert-tg-to-loops --split-input-file | filecheck %s

// a*b + c is one loop nest: the product is computed inline, no temporary buffer.
// CHECK-LABEL: func.func @fused(
// CHECK-SAME: %[[A:[^:]+]]: memref<?x3xf32>, %[[B:[^:]+]]: memref<?x3xf32>, %[[C:[^:]+]]: memref<?x3xf32>, %[[OUT:[^:]+]]: memref<?x3xf32>, %status: memref<i32>) {
// CHECK-NOT: memref.alloc
// CHECK: scf.for %[[I:[^ ]+]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[J:[^ ]+]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %[[X:.+]] = memref.load %[[A]][%[[I]], %[[J]]] : memref<?x3xf32>
// CHECK-NEXT: %[[Y:.+]] = memref.load %[[B]][%[[I]], %[[J]]] : memref<?x3xf32>
// CHECK-NEXT: %[[P:.+]] = arith.mulf %[[X]], %[[Y]] : f32
// CHECK-NEXT: %[[Z:.+]] = memref.load %[[C]][%[[I]], %[[J]]] : memref<?x3xf32>
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[P]], %[[Z]] : f32
// CHECK-NEXT: memref.store %[[S]], %[[OUT]][%[[I]], %[[J]]] : memref<?x3xf32>
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NOT: scf.for
// CHECK-NOT: memref.alloc
// CHECK: func.return
func.func @fused(%a: tensor<?x3xf32>, %b: tensor<?x3xf32>, %c: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = tg.mul %a, %b : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %1 = tg.add %0, %c : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  func.return %1 : tensor<?x3xf32>
}

// -----

// A value read twice at the same index by one kernel is computed once per element,
// with no temporary buffer.
// CHECK-LABEL: func.func @used_twice(
// CHECK-SAME: %[[A:[^:]+]]: memref<?xf32>, %[[OUT:[^:]+]]: memref<?xf32>, %status: memref<i32>) {
// CHECK-NOT: memref.alloc
// CHECK: %[[N:.+]] = memref.dim %[[A]], %{{.*}} : memref<?xf32>
// CHECK-NEXT: scf.for %[[I:[^ ]+]] = %{{.*}} to %[[N]] step
// CHECK-NEXT: %[[X:.+]] = memref.load %[[A]][%[[I]]] : memref<?xf32>
// CHECK-NEXT: %[[E:.+]] = math.sqrt %[[X]] : f32
// CHECK-NEXT: %[[M:.+]] = arith.mulf %[[E]], %[[E]] : f32
// CHECK-NEXT: memref.store %[[M]], %[[OUT]][%[[I]]] : memref<?xf32>
// CHECK-NEXT: } {tg.parallel}
// CHECK-NEXT: func.return
func.func @used_twice(%a: tensor<?xf32>) -> tensor<?xf32> {
  %0 = tg.sqrt %a : tensor<?xf32>
  %1 = tg.mul %0, %0 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %1 : tensor<?xf32>
}

// A value that a dot reads many times is stored once in a temporary, freed after
// its last reader.
// CHECK-LABEL: func.func @temporary(
// CHECK-SAME: %[[A:[^:]+]]: memref<?x?xf32>, %[[OUT:[^:]+]]: memref<?x?xf32>, %status: memref<i32>) {
// CHECK: %[[N:.+]] = memref.dim %[[A]], %{{.*}} : memref<?x?xf32>
// CHECK-NEXT: %[[M:.+]] = memref.dim %[[A]], %{{.*}} : memref<?x?xf32>
// CHECK-NEXT: %[[BUF:.+]] = memref.alloc(%[[N]], %[[M]]) : memref<?x?xf32>
// CHECK-NEXT: scf.for %[[I:[^ ]+]] = %{{.*}} to %[[N]] step
// CHECK-NEXT: scf.for %[[J:[^ ]+]] = %{{.*}} to %[[M]] step
// CHECK-NEXT: %[[X:.+]] = memref.load %[[A]][%[[I]], %[[J]]] : memref<?x?xf32>
// CHECK-NEXT: %[[E:.+]] = math.sqrt %[[X]] : f32
// CHECK-NEXT: memref.store %[[E]], %[[BUF]][%[[I]], %[[J]]] : memref<?x?xf32>
// CHECK-NOT: math.sqrt
// CHECK: memref.load %[[BUF]]
// CHECK: memref.load %[[BUF]]
// CHECK-NOT: math.sqrt
// CHECK: memref.dealloc %[[BUF]] : memref<?x?xf32>
// CHECK-NEXT: func.return
func.func @temporary(%a: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = tg.sqrt %a : tensor<?x?xf32>
  %1 = tg.dot %0, %0 : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %1 : tensor<?x?xf32>
}

// -----

// A broadcastable (static 1) dimension is read at index 0.
// CHECK-LABEL: func.func @broadcast_dim(
// CHECK-SAME: %[[A:[^:]+]]: memref<?x?xf32>, %[[B:[^:]+]]: memref<1x?xf32>, %[[OUT:[^:]+]]: memref<?x?xf32>, %status: memref<i32>) {
// CHECK-NEXT: %[[C0:.+]] = arith.constant 0 : index
// CHECK-NOT: memref.alloc
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK-NEXT: scf.for %[[J:[^ ]+]] =
// CHECK-NEXT: %[[X:.+]] = memref.load %[[A]][%[[I]], %[[J]]] : memref<?x?xf32>
// CHECK-NEXT: %[[Y:.+]] = memref.load %[[B]][%[[C0]], %[[J]]] : memref<1x?xf32>
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK-NEXT: memref.store %[[S]], %[[OUT]][%[[I]], %[[J]]] : memref<?x?xf32>
func.func @broadcast_dim(%a: tensor<?x?xf32>, %b: tensor<1x?xf32>) -> tensor<?x?xf32> {
  %0 = tg.add %a, %b : (tensor<?x?xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  func.return %0 : tensor<?x?xf32>
}

// An elementwise value that a consumer broadcasts would be recomputed per element
// read, so it gets a buffer.
// CHECK-LABEL: func.func @broadcast_producer(
// CHECK-NEXT: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[BUF:.+]] = memref.alloc(%{{.*}}) : memref<?x1xf32>
// CHECK: math.sqrt
// CHECK: memref.store %{{.*}}, %[[BUF]]
// CHECK: memref.load %[[BUF]][%{{.*}}, %[[C0]]] : memref<?x1xf32>
// CHECK-NOT: math.sqrt
// CHECK: memref.dealloc %[[BUF]] : memref<?x1xf32>
func.func @broadcast_producer(%a: tensor<?x1xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = tg.sqrt %a : tensor<?x1xf32>
  %1 = tg.add %0, %b : (tensor<?x1xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %1 : tensor<?x?xf32>
}

// -----

// A sum over the innermost axis carries its accumulator in iter_args, starting at
// the identity: the output is written once per row, not filled first.
// CHECK-LABEL: func.func @sum_inner(
// CHECK-SAME: %[[A:[^:]+]]: memref<?x?xf32>, %[[OUT:[^:]+]]: memref<?xf32>, %status: memref<i32>) {
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NOT: memref.store
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK-NEXT: %[[R:.+]] = scf.for %[[K:[^ ]+]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:[^ ]+]] = %[[ZERO]]) -> (f32) {
// CHECK-NEXT: %[[X:.+]] = memref.load %[[A]][%[[I]], %[[K]]] : memref<?x?xf32>
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[ACC]], %[[X]] fastmath<reassoc,contract> : f32
// CHECK-NEXT: scf.yield %[[S]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: memref.store %[[R]], %[[OUT]][%[[I]]] : memref<?xf32>
func.func @sum_inner(%a: tensor<?x?xf32>) -> tensor<?xf32> {
  %0 = tg.sum %a {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// A sum over axis 0 accumulates in the output buffer, row by row.
// CHECK-LABEL: func.func @sum_outer(
// CHECK-SAME: %[[A:[^:]+]]: memref<?x?xf32>, %[[OUT:[^:]+]]: memref<?xf32>, %status: memref<i32>) {
// CHECK-NOT: iter_args
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: scf.for %[[F:[^ ]+]] =
// CHECK-NEXT: memref.store %[[ZERO]], %[[OUT]][%[[F]]] : memref<?xf32>
// CHECK-NEXT: }
// CHECK-NEXT: scf.for %[[I:[^ ]+]] =
// CHECK-NEXT: scf.for %[[J:[^ ]+]] =
// CHECK-NEXT: %[[ACC:.+]] = memref.load %[[OUT]][%[[J]]] : memref<?xf32>
// CHECK-NEXT: %[[X:.+]] = memref.load %[[A]][%[[I]], %[[J]]] : memref<?x?xf32>
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[ACC]], %[[X]] fastmath<reassoc,contract> : f32
// CHECK-NEXT: memref.store %[[S]], %[[OUT]][%[[J]]] : memref<?xf32>
// CHECK-NOT: iter_args
// CHECK: func.return
func.func @sum_outer(%a: tensor<?x?xf32>) -> tensor<?xf32> {
  %0 = tg.sum %a {axes = array<i64: 0>} : tensor<?x?xf32> -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// An elementwise producer read once by a reduction is computed inside it.
// CHECK-LABEL: func.func @sum_of_sqrt(
// CHECK-NOT: memref.alloc
// CHECK: iter_args(%[[ACC:[^ ]+]] = %{{.*}})
// CHECK-NEXT: memref.load
// CHECK-NEXT: %[[E:.+]] = math.sqrt %{{.*}} : f64
// CHECK-NEXT: arith.addf %[[ACC]], %[[E]] fastmath<reassoc,contract> : f64
// CHECK-NOT: memref.alloc
// CHECK: func.return
func.func @sum_of_sqrt(%a: tensor<?x?xf64>) -> tensor<?xf64> {
  %0 = tg.sqrt %a : tensor<?x?xf64>
  %1 = tg.sum %0 {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>
  func.return %1 : tensor<?xf64>
}

// A sum over every axis gives a 0-d buffer.
// CHECK-LABEL: func.func @sum_all(
// CHECK-SAME: %{{[^:]+}}: memref<?x?xi32>, %[[OUT:[^:]+]]: memref<i32>, %status: memref<i32>) {
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i32
// CHECK: memref.store %[[ZERO]], %[[OUT]][] : memref<i32>
// CHECK: iter_args
// CHECK: arith.addi
// CHECK: memref.store %{{.*}}, %[[OUT]][] : memref<i32>
func.func @sum_all(%a: tensor<?x?xi32>) -> tensor<i32> {
  %0 = tg.sum %a {axes = array<i64: 0, 1>} : tensor<?x?xi32> -> tensor<i32>
  func.return %0 : tensor<i32>
}

// -----

// max starts from -inf and combines with arith.maximumf (NaN propagates), in 16
// accumulators (see reduce.mlir) and then one for the columns left over.
// CHECK-LABEL: func.func @max(
// CHECK: %[[NEG_INF:.+]] = arith.constant 0xff800000 : f32
// CHECK-NOT: memref.store
// CHECK: scf.for {{.*}} iter_args(%[[A0:[0-9]+]] = %[[NEG_INF]], {{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK-NEXT: %[[X0:.+]] = memref.load
// CHECK-NEXT: arith.maximumf %[[A0]], %[[X0]] : f32
// CHECK: scf.for {{.*}} iter_args(%[[ACC:[^ ]+]] = %{{.*}}) -> (f32) {
// CHECK-NEXT: %[[X:.+]] = memref.load
// CHECK-NEXT: %[[M:.+]] = arith.maximumf %[[ACC]], %[[X]] : f32
// CHECK-NEXT: scf.yield %[[M]] : f32
func.func @max(%a: tensor<?x?xf32>) -> tensor<?xf32> {
  %0 = tg.max %a {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// Integer max starts from the type's minimum and uses arith.maxsi.
// CHECK-LABEL: func.func @max_int(
// CHECK: arith.constant -128 : i8
// CHECK: arith.maxsi %{{.*}}, %{{.*}} : i8
func.func @max_int(%a: tensor<?x?xi8>) -> tensor<?xi8> {
  %0 = tg.max %a {axes = array<i64: 0>} : tensor<?x?xi8> -> tensor<?xi8>
  func.return %0 : tensor<?xi8>
}

// -----

// matrix . matrix: zero-fill, then i-k-j loops with a[i, k] loaded outside the j loop.
// CHECK-LABEL: func.func @matmul(
// CHECK-SAME: %[[A:[^:]+]]: memref<?x?xf32>, %[[B:[^:]+]]: memref<?x?xf32>, %[[OUT:[^:]+]]: memref<?x?xf32>, %status: memref<i32>) {
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: memref.store %[[ZERO]], %[[OUT]]
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK-NEXT: scf.for %[[K:[^ ]+]] =
// CHECK-NEXT: %[[X:.+]] = memref.load %[[A]][%[[I]], %[[K]]] : memref<?x?xf32>
// CHECK-NEXT: scf.for %[[J:[^ ]+]] =
// CHECK-NEXT: %[[ACC:.+]] = memref.load %[[OUT]][%[[I]], %[[J]]] : memref<?x?xf32>
// CHECK-NEXT: %[[Y:.+]] = memref.load %[[B]][%[[K]], %[[J]]] : memref<?x?xf32>
// CHECK-NEXT: %[[P:.+]] = arith.mulf %[[X]], %[[Y]] fastmath<reassoc,contract> : f32
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[ACC]], %[[P]] fastmath<reassoc,contract> : f32
// CHECK-NEXT: memref.store %[[S]], %[[OUT]][%[[I]], %[[J]]] : memref<?x?xf32>
func.func @matmul(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = tg.dot %a, %b : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %0 : tensor<?x?xf32>
}

// matrix . vector: one inner product per row, accumulated in iter_args.
// CHECK-LABEL: func.func @matvec(
// CHECK-SAME: %[[A:[^:]+]]: memref<?x?xf32>, %[[V:[^:]+]]: memref<?xf32>, %[[OUT:[^:]+]]: memref<?xf32>, %status: memref<i32>) {
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK-NEXT: %[[R:.+]] = scf.for %[[K:[^ ]+]] = {{.*}} iter_args(%[[ACC:[^ ]+]] = %[[ZERO]]) -> (f32) {
// CHECK-NEXT: %[[X:.+]] = memref.load %[[A]][%[[I]], %[[K]]] : memref<?x?xf32>
// CHECK-NEXT: %[[Y:.+]] = memref.load %[[V]][%[[K]]] : memref<?xf32>
// CHECK-NEXT: %[[P:.+]] = arith.mulf %[[X]], %[[Y]] fastmath<reassoc,contract> : f32
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[ACC]], %[[P]] fastmath<reassoc,contract> : f32
// CHECK-NEXT: scf.yield %[[S]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: memref.store %[[R]], %[[OUT]][%[[I]]] : memref<?xf32>
func.func @matvec(%a: tensor<?x?xf32>, %v: tensor<?xf32>) -> tensor<?xf32> {
  %0 = tg.dot %a, %v : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// vector . vector: a single inner product stored in a 0-d buffer.
// CHECK-LABEL: func.func @vecvec(
// CHECK-SAME: %[[OUT:[^:]+]]: memref<f32>, %status: memref<i32>) {
// CHECK: %[[R:.+]] = scf.for {{.*}} iter_args
// CHECK: memref.store %[[R]], %[[OUT]][] : memref<f32>
func.func @vecvec(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<f32> {
  %0 = tg.dot %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<f32>
  func.return %0 : tensor<f32>
}

// -----

// transpose and dimshuffle are index remapping: no copy, no buffer.
// CHECK-LABEL: func.func @views(
// CHECK-SAME: %[[A:[^:]+]]: memref<?x?xf32>, %[[B:[^:]+]]: memref<?xf32>, %[[OUT:[^:]+]]: memref<?x?xf32>, %status: memref<i32>) {
// CHECK-NOT: memref.alloc
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK-NEXT: scf.for %[[J:[^ ]+]] =
// CHECK-NEXT: %[[X:.+]] = memref.load %[[A]][%[[J]], %[[I]]] : memref<?x?xf32>
// CHECK-NEXT: %[[Y:.+]] = memref.load %[[B]][%[[J]]] : memref<?xf32>
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK-NEXT: memref.store %[[S]], %[[OUT]][%[[I]], %[[J]]] : memref<?x?xf32>
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NOT: scf.for
// CHECK-NOT: memref.alloc
// CHECK: func.return
func.func @views(%a: tensor<?x?xf32>, %b: tensor<?xf32>) -> tensor<?x?xf32> {
  %t = tg.transpose %a {permutation = array<i64: 1, 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  %d = tg.dimshuffle %b {pattern = array<i64: -1, 0>} : tensor<?xf32> -> tensor<1x?xf32>
  %0 = tg.add %t, %d : (tensor<?x?xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  func.return %0 : tensor<?x?xf32>
}

// Dropping a broadcastable dimension reads it at index 0.
// CHECK-LABEL: func.func @drop_dim(
// CHECK-SAME: %[[A:[^:]+]]: memref<?x1xf32>, %[[OUT:[^:]+]]: memref<?xf32>, %status: memref<i32>) {
// CHECK-NEXT: %[[C0:.+]] = arith.constant 0 : index
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK-NEXT: %[[X:.+]] = memref.load %[[A]][%[[I]], %[[C0]]] : memref<?x1xf32>
// CHECK-NEXT: memref.store %[[X]], %[[OUT]][%[[I]]] : memref<?xf32>
func.func @drop_dim(%a: tensor<?x1xf32>) -> tensor<?xf32> {
  %0 = tg.dimshuffle %a {pattern = array<i64: 0>} : tensor<?x1xf32> -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// A sqrt read once through a transpose is computed inline at the permuted index.
// CHECK-LABEL: func.func @transpose_inline(
// CHECK-SAME: %[[A:[^:]+]]: memref<?x?xf32>, %[[B:[^:]+]]: memref<?x?xf32>, %[[OUT:[^:]+]]: memref<?x?xf32>, %status: memref<i32>) {
// CHECK-NOT: memref.alloc
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK-NEXT: scf.for %[[J:[^ ]+]] =
// CHECK-NEXT: %[[X:.+]] = memref.load %[[A]][%[[J]], %[[I]]] : memref<?x?xf32>
// CHECK-NEXT: %[[E:.+]] = math.sqrt %[[X]] : f32
// CHECK-NEXT: %[[Y:.+]] = memref.load %[[B]][%[[I]], %[[J]]] : memref<?x?xf32>
// CHECK-NEXT: arith.addf %[[E]], %[[Y]] : f32
func.func @transpose_inline(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = tg.sqrt %a : tensor<?x?xf32>
  %1 = tg.transpose %0 {permutation = array<i64: 1, 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  %2 = tg.add %1, %b : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %2 : tensor<?x?xf32>
}

// tg.broadcast takes its loop bounds from its size operands.
// CHECK-LABEL: func.func @broadcast_op(
// CHECK-SAME: %[[X:[^:]+]]: memref<?x3xf32>, %[[V:[^:]+]]: memref<1xf32>, %[[OUT:[^:]+]]: memref<?x?xf32>, %status: memref<i32>) {
// CHECK-NEXT: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[N:.+]] = memref.dim %[[X]], %[[C0]] : memref<?x3xf32>
// CHECK: %[[N64:.+]] = arith.index_cast %[[N]] : index to i64
// CHECK-NEXT: %[[NI:.+]] = arith.index_cast %[[N64]] : i64 to index
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[NI]] step
// CHECK-NEXT: scf.for
// CHECK-NEXT: memref.load %[[V]][%[[C0]]] : memref<1xf32>
func.func @broadcast_op(%x: tensor<?x3xf32>, %v: tensor<1xf32>) -> tensor<?x?xf32> {
  %n = tg.dim %x {axis = array<i64: 0>} : tensor<?x3xf32> -> tensor<i64>
  %m = tg.dim %x {axis = array<i64: 1>} : tensor<?x3xf32> -> tensor<i64>
  %b = tg.broadcast %v to %n, %m : (tensor<1xf32>, tensor<i64>, tensor<i64>) -> tensor<?x?xf32>
  func.return %b : tensor<?x?xf32>
}

// -----

// A constant that is not a splat becomes a memref.global; a splat is an arith.constant.
// CHECK: "memref.global"() <{sym_name = "[[G:[^"]+]]", type = memref<3xf32>, initial_value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>, sym_visibility = "private", constant}>
// CHECK-LABEL: func.func @constants(
// CHECK-SAME: %[[A:[^:]+]]: memref<3xf32>, %[[OUT:[^:]+]]: memref<3xf32>, %status: memref<i32>) {
// CHECK: %[[C:.+]] = memref.get_global @[[G]] : memref<3xf32>
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK-NEXT: %[[X:.+]] = memref.load %[[A]][%[[I]]] : memref<3xf32>
// CHECK-NEXT: %[[Y:.+]] = memref.load %[[C]][%[[I]]] : memref<3xf32>
// CHECK-NEXT: %[[P:.+]] = arith.mulf %[[X]], %[[Y]] : f32
// CHECK-NEXT: %[[TWO:.+]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT: arith.addf %[[P]], %[[TWO]] : f32
// CHECK-NOT: memref.alloc
func.func @constants(%a: tensor<3xf32>) -> tensor<3xf32> {
  %c = tg.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %s = tg.constant dense<2.0> : tensor<3xf32>
  %0 = tg.mul %a, %c : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = tg.add %0, %s : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %1 : tensor<3xf32>
}

// -----

// Casts: float to int truncates and saturates (NaN gives 0); bool to float selects
// 1 or 0; f32 to f64 extends.
// CHECK-LABEL: func.func @casts(
// CHECK-SAME: %[[A:[^:]+]]: memref<?xf32>, %[[B:[^:]+]]: memref<?xi1>, %[[O1:[^:]+]]: memref<?xi32>, %[[O2:[^:]+]]: memref<?xf32>, %[[O3:[^:]+]]: memref<?xf64>, %status: memref<i32>) {
// CHECK: %[[X:.+]] = memref.load %[[A]]
// CHECK-NEXT: %[[HI:.+]] = arith.constant 2.14748365e+09 : f32
// CHECK-NEXT: %[[LO:.+]] = arith.constant -2.14748365e+09 : f32
// CHECK-NEXT: %[[CONV:.+]] = arith.fptosi %[[X]] : f32 to i32
// CHECK-NEXT: %[[BIG:.+]] = arith.cmpf oge, %[[X]], %[[HI]] : f32
// CHECK-NEXT: %[[SMALL:.+]] = arith.cmpf ole, %[[X]], %[[LO]] : f32
// CHECK-NEXT: %[[NAN:.+]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK-NEXT: %[[MAX:.+]] = arith.constant 2147483647 : i32
// CHECK-NEXT: %[[R1:.+]] = arith.select %[[BIG]], %[[MAX]], %[[CONV]] : i32
// CHECK-NEXT: %[[MIN:.+]] = arith.constant -2147483648 : i32
// CHECK-NEXT: %[[R2:.+]] = arith.select %[[SMALL]], %[[MIN]], %[[R1]] : i32
// CHECK-NEXT: %[[ZERO:.+]] = arith.constant 0 : i32
// CHECK-NEXT: %[[R3:.+]] = arith.select %[[NAN]], %[[ZERO]], %[[R2]] : i32
// CHECK-NEXT: memref.store %[[R3]], %[[O1]]
// CHECK: %[[P:.+]] = memref.load %[[B]]
// CHECK-NEXT: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[FZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[F:.+]] = arith.select %[[P]], %[[ONE]], %[[FZERO]] : f32
// CHECK-NEXT: memref.store %[[F]], %[[O2]]
// CHECK: %[[Y:.+]] = memref.load %[[A]]
// CHECK-NEXT: %[[D:.+]] = arith.extf %[[Y]] : f32 to f64
// CHECK-NEXT: memref.store %[[D]], %[[O3]]
func.func @casts(%a: tensor<?xf32>, %b: tensor<?xi1>) -> (tensor<?xi32>, tensor<?xf32>, tensor<?xf64>) {
  %0 = tg.cast %a : tensor<?xf32> to tensor<?xi32>
  %1 = tg.cast %b : tensor<?xi1> to tensor<?xf32>
  %2 = tg.cast %a : tensor<?xf32> to tensor<?xf64>
  func.return %0, %1, %2 : tensor<?xi32>, tensor<?xf32>, tensor<?xf64>
}

// Other conversions: narrowing float, integer widening/narrowing, int to float and
// to bool, bool to int.
// CHECK-LABEL: func.func @more_casts(
// CHECK: arith.truncf %{{.*}} : f64 to f32
// CHECK: arith.extsi %{{.*}} : i8 to i64
// CHECK: arith.trunci %{{.*}} : i64 to i8
// CHECK: arith.sitofp %{{.*}} : i32 to f64
// CHECK: arith.cmpi ne, %{{.*}}, %{{.*}} : i32
// CHECK: arith.extui %{{.*}} : i1 to i32
func.func @more_casts(%d: tensor<?xf64>, %b: tensor<?xi8>, %l: tensor<?xi64>, %i: tensor<?xi32>, %p: tensor<?xi1>) -> (tensor<?xf32>, tensor<?xi64>, tensor<?xi8>, tensor<?xf64>, tensor<?xi1>, tensor<?xi32>) {
  %0 = tg.cast %d : tensor<?xf64> to tensor<?xf32>
  %1 = tg.cast %b : tensor<?xi8> to tensor<?xi64>
  %2 = tg.cast %l : tensor<?xi64> to tensor<?xi8>
  %3 = tg.cast %i : tensor<?xi32> to tensor<?xf64>
  %4 = tg.cast %i : tensor<?xi32> to tensor<?xi1>
  %5 = tg.cast %p : tensor<?xi1> to tensor<?xi32>
  func.return %0, %1, %2, %3, %4, %5 : tensor<?xf32>, tensor<?xi64>, tensor<?xi8>, tensor<?xf64>, tensor<?xi1>, tensor<?xi32>
}

// -----

// A result returned twice is computed once and copied; a returned argument is copied.
// CHECK-LABEL: func.func @returns(
// CHECK-SAME: %[[X:[^:]+]]: memref<?xf32>, %[[O1:[^:]+]]: memref<?xf32>, %[[O2:[^:]+]]: memref<?xf32>, %[[O3:[^:]+]]: memref<?xf32>, %status: memref<i32>) {
// CHECK-NOT: memref.alloc
// CHECK: math.sqrt
// CHECK-NEXT: memref.store %{{.*}}, %[[O1]]
// CHECK-NOT: math.sqrt
// CHECK: %[[V:.+]] = memref.load %[[O1]]
// CHECK-NEXT: memref.store %[[V]], %[[O2]]
// CHECK: %[[W:.+]] = memref.load %[[X]]
// CHECK-NEXT: memref.store %[[W]], %[[O3]]
func.func @returns(%x: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %0 = tg.sqrt %x : tensor<?xf32>
  func.return %0, %0, %x : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
}
