// convert-tg-to-loops on random ops: each element's 64-bit words are computed in the
// loop body from the state's key and counter (splitmix64: add, multiply, xor-shift),
// then turned into draws with plain float arithmetic (no fast-math flags, so the
// compiled draws equal the interpreter's bit for bit).
// RUN: tg-opt %s -p convert-tg-to-loops --split-input-file | filecheck %s
// RUN: tg-opt %s -p convert-tg-to-loops,convert-scf-to-cf,convert-loops-to-llvm --split-input-file | filecheck %s --check-prefix=LLVM

// Uniform float32: word number counter + i of stream key, its top 24 bits times 2^-24.
// CHECK-LABEL: func.func @uniform(
// CHECK-SAME: %[[S:[^:]+]]: memref<2xi64>, %[[N:[^:]+]]: memref<i64>, %[[OUT:[^:]+]]: memref<?xf32>, %status: memref<i32>) {
// CHECK: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[C1:.+]] = arith.constant 1 : index
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK-NEXT: %[[KEY:.+]] = memref.load %[[S]][%[[C0]]] : memref<2xi64>
// CHECK-NEXT: %[[CTR:.+]] = memref.load %[[S]][%[[C1]]] : memref<2xi64>
// CHECK-NEXT: %[[I64:.+]] = arith.index_cast %[[I]] : index to i64
// CHECK-NEXT: %[[W:.+]] = arith.addi %[[CTR]], %[[I64]] : i64
// CHECK: %[[GAMMA:.+]] = arith.constant -7046029254386353131 : i64
// CHECK: arith.addi %[[KEY]], %{{.+}} : i64
// CHECK-COUNT-3: arith.xori
// CHECK: %[[TOP:.+]] = arith.shrui %{{.+}}, %{{.+}} : i64
// CHECK-NEXT: %[[F:.+]] = arith.sitofp %[[TOP]] : i64 to f32
// CHECK-NEXT: %[[SCALE:.+]] = arith.constant 5.96046448e-08 : f32
// CHECK-NEXT: %[[U:.+]] = arith.mulf %[[F]], %[[SCALE]] : f32
// CHECK-NEXT: memref.store %[[U]], %[[OUT]][%[[I]]] : memref<?xf32>
// CHECK-NEXT: }

// LLVM-LABEL: llvm.func @uniform(
// LLVM: llvm.lshr
// LLVM: llvm.xor
// LLVM: llvm.sitofp %{{.+}} : i64 to f32
// LLVM-NOT: fastmath
// LLVM: llvm.return
func.func @uniform(%s: tensor<2xi64>, %n: tensor<i64>) -> tensor<?xf32> {
  %0 = tg.random_uniform %s to %n : (tensor<2xi64>, tensor<i64>) -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// -----

// A draw read twice (here broadcast) is computed once into a buffer: both reads see
// the same value. Normal draws take two words each: -2 ln(u) from the float's
// exponent and an atanh series, a polynomial cosine, then sqrt; float32 is rounded
// once at the end.
// CHECK-LABEL: func.func @normal_read_twice(
// CHECK: %[[BUF:.+]] = memref.alloc() : memref<f32>
// CHECK: arith.bitcast %{{.+}} : f64 to i64
// CHECK: arith.bitcast %{{.+}} : i64 to f64
// CHECK: math.sqrt %{{.+}} : f64
// CHECK: %[[Z:.+]] = arith.truncf %{{.+}} : f64 to f32
// CHECK-NEXT: memref.store %[[Z]], %[[BUF]][] : memref<f32>
// CHECK-NOT: math.sqrt
// CHECK: scf.for
// CHECK-NEXT: %[[V:.+]] = memref.load %[[BUF]][] : memref<f32>
// CHECK-NEXT: arith.addf %[[V]], %[[V]] : f32
// CHECK: memref.dealloc %[[BUF]] : memref<f32>

// LLVM-LABEL: llvm.func @normal_read_twice(
// LLVM: llvm.bitcast %{{.+}} : f64 to i64
// LLVM: llvm.intr.sqrt
// LLVM: llvm.fptrunc
func.func @normal_read_twice(%s: tensor<2xi64>) -> tensor<3xf32> {
  %0 = tg.random_normal %s : (tensor<2xi64>) -> tensor<f32>
  %n = tg.constant dense<3> : tensor<i64>
  %1 = tg.broadcast %0 to %n : (tensor<f32>, tensor<i64>) -> tensor<3xf32>
  %2 = tg.add %1, %1 : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %2 : tensor<3xf32>
}

// -----

// Categorical: one pass over p stores its running sums (in order, in f64) in a scratch
// buffer, counts negative entries and finds the last positive one, raising ValueError
// for bad probabilities; each draw then bisects the sums for u * total, in
// bit_length(k) halvings.
// CHECK-LABEL: func.func @categorical(
// CHECK-SAME: %[[S:[^:]+]]: memref<2xi64>, %[[P:[^:]+]]: memref<?xf32>, %[[N:[^:]+]]: memref<i64>, %[[OUT:[^:]+]]: memref<?xi64>, %status: memref<i32>)
// CHECK-SAME: attributes {tg.errors = ["ValueError|tg.random_categorical: probabilities must be non-negative (and not NaN)", "ValueError|tg.random_categorical: probabilities must have a positive, finite sum"]}
// CHECK: %[[K:.+]] = memref.dim %[[P]], %{{.+}} : memref<?xf32>
// CHECK: %[[CDF:.+]] = memref.alloc(%[[K]]) : memref<?xf64>
// CHECK: %[[STEPS:.+]] = scf.for
// CHECK: %[[TOTAL:.+]], %[[BAD:.+]], %[[LAST:.+]] = scf.for %[[I:[^ ]+]] = %{{.+}} to %[[K]] step %{{.+}} iter_args(%{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) -> (f64, i64, i64) {
// CHECK: arith.cmpf ult
// CHECK: %[[SUM:.+]] = arith.addf
// CHECK-NEXT: memref.store %[[SUM]], %[[CDF]][%[[I]]] : memref<?xf64>
// CHECK: scf.if
// CHECK-NEXT: memref.store %{{.+}}, %status[] : memref<i32>
// CHECK: scf.if
// CHECK-NEXT: memref.store %{{.+}}, %status[] : memref<i32>
// CHECK: scf.for %[[E:[^ ]+]] =
// CHECK: %[[T:.+]] = arith.mulf %{{.+}}, %[[TOTAL]] : f64
// CHECK: %[[COUNT:.+]], %{{.+}} = scf.for %{{.+}} iter_args(%{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) -> (i64, i64) {
// CHECK: memref.load %[[CDF]][%{{.+}}] : memref<?xf64>
// CHECK-NEXT: arith.cmpf ole, %{{.+}}, %[[T]] : f64
// CHECK: %[[PICK:.+]] = arith.minsi %[[COUNT]], %[[LAST]] : i64
// CHECK-NEXT: memref.store %[[PICK]], %[[OUT]][%[[E]]] : memref<?xi64>
// CHECK: memref.dealloc %[[CDF]] : memref<?xf64>
func.func @categorical(%s: tensor<2xi64>, %p: tensor<?xf32>, %n: tensor<i64>) -> tensor<?xi64> {
  %0 = tg.random_categorical %s, %p to %n : (tensor<2xi64>, tensor<?xf32>, tensor<i64>) -> tensor<?xi64>
  func.return %0 : tensor<?xi64>
}

// -----

// Permutations: Fisher-Yates on a pool of [0, n), refilled for each row; entry t
// swaps with t + min(floor(u * (n - t)), n - t - 1).
// CHECK-LABEL: func.func @permutation(
// CHECK-SAME: %[[S:[^:]+]]: memref<2xi64>, %[[N:[^:]+]]: memref<i64>, %[[R:[^:]+]]: memref<i64>, %[[OUT:[^:]+]]: memref<?x?xi64>, %status: memref<i32>)
// CHECK: %[[POOL:.+]] = memref.alloc(%{{.+}}) : memref<?xi64>
// CHECK: scf.for %[[ROW:[^ ]+]] =
// CHECK: scf.for %[[J:[^ ]+]] =
// CHECK-NEXT: %[[J64:.+]] = arith.index_cast %[[J]] : index to i64
// CHECK-NEXT: memref.store %[[J64]], %[[POOL]][%[[J]]] : memref<?xi64>
// CHECK: scf.for %[[T:[^ ]+]] =
// CHECK: arith.fptosi %{{.+}} : f64 to i64
// CHECK: arith.minsi
// CHECK: %[[HERE:.+]] = memref.load %[[POOL]][%{{.+}}] : memref<?xi64>
// CHECK-NEXT: %[[CHOSEN:.+]] = memref.load %[[POOL]][%{{.+}}] : memref<?xi64>
// CHECK-NEXT: memref.store %[[CHOSEN]], %[[POOL]][%{{.+}}] : memref<?xi64>
// CHECK-NEXT: memref.store %[[HERE]], %[[POOL]][%{{.+}}] : memref<?xi64>
// CHECK-NEXT: memref.store %[[CHOSEN]], %[[OUT]][%[[ROW]], %[[T]]] : memref<?x?xi64>
// CHECK: memref.dealloc %[[POOL]] : memref<?xi64>
// CHECK-NEXT: func.return
func.func @permutation(%s: tensor<2xi64>, %n: tensor<i64>, %r: tensor<i64>) -> tensor<?x?xi64> {
  %0 = tg.random_permutation %s, %n to %r, %n {batch_dims = array<i64: 1>} : (tensor<2xi64>, tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?x?xi64>
  func.return %0 : tensor<?x?xi64>
}

// -----

// Multinomial: counts start at zero; each row checks its probabilities, then each of
// its n draws adds one to the category it picks.
// CHECK-LABEL: func.func @multinomial(
// CHECK-SAME: %[[S:[^:]+]]: memref<2xi64>, %[[N:[^:]+]]: memref<i64>, %[[P:[^:]+]]: memref<?x3xf64>, %[[OUT:[^:]+]]: memref<?x3xf32>, %status: memref<i32>)
// CHECK-SAME: "ValueError|tg.random_multinomial: the number of draws n must be non-negative"
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: memref.store %[[ZERO]], %[[OUT]]
// CHECK: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[CDF:.+]] = memref.alloc(%{{.+}}) : memref<?xf64>
// CHECK: %[[STEPS:.+]] = scf.for
// CHECK: scf.for %[[ROW:[^ ]+]] =
// CHECK: memref.load %[[P]][%[[ROW]], %{{.+}}] : memref<?x3xf64>
// CHECK: scf.if
// CHECK: scf.if
// CHECK: scf.for %{{.+}} =
// CHECK: %[[COUNT:.+]], %{{.+}} = scf.for %{{.+}} iter_args
// CHECK: scf.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[PICK:.+]] = arith.minsi %[[COUNT]], %{{.+}} : i64
// CHECK-NEXT: %[[C:.+]] = arith.index_cast %[[PICK]] : i64 to index
// CHECK-NEXT: %[[OLD:.+]] = memref.load %[[OUT]][%[[ROW]], %[[C]]] : memref<?x3xf32>
// CHECK-NEXT: %[[NEW:.+]] = arith.addf %[[OLD]], %[[ONE]] : f32
// CHECK-NEXT: memref.store %[[NEW]], %[[OUT]][%[[ROW]], %[[C]]] : memref<?x3xf32>
// CHECK: memref.dealloc %[[CDF]] : memref<?xf64>
func.func @multinomial(%s: tensor<2xi64>, %n: tensor<i64>, %p: tensor<?x3xf64>) -> tensor<?x3xf32> {
  %0 = tg.random_multinomial %s, %n, %p : (tensor<2xi64>, tensor<i64>, tensor<?x3xf64>) -> tensor<?x3xf32>
  func.return %0 : tensor<?x3xf32>
}
