// Every tg random op survives a print/parse round trip, in the custom and the generic
// form: states of static and dynamic size, 0-d results (no sizes), static and dynamic
// sizes, f32 and f64 draws, integer and float counts.
// RUN: TG_ROUNDTRIP
// RUN: TG_GENERIC_ROUNDTRIP

// CHECK-LABEL: func.func @uniform(
// CHECK-SAME: %[[S:[^:]*]]: tensor<2xi64>, %[[N:[^:]*]]: tensor<i64>, %[[M:[^:]*]]: tensor<i64>
func.func @uniform(%s: tensor<2xi64>, %n: tensor<i64>, %m: tensor<i64>) -> (tensor<?x?xf64>, tensor<f32>, tensor<3x?xf32>) {
  // CHECK-NEXT: %{{.*}} = tg.random_uniform %[[S]] to %[[N]], %[[M]] : (tensor<2xi64>, tensor<i64>, tensor<i64>) -> tensor<?x?xf64>
  %0 = tg.random_uniform %s to %n, %m : (tensor<2xi64>, tensor<i64>, tensor<i64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %{{.*}} = tg.random_uniform %[[S]] : (tensor<2xi64>) -> tensor<f32>
  %1 = tg.random_uniform %s : (tensor<2xi64>) -> tensor<f32>
  // CHECK-NEXT: %{{.*}} = tg.random_uniform %[[S]] to %[[N]], %[[M]] : (tensor<2xi64>, tensor<i64>, tensor<i64>) -> tensor<3x?xf32>
  %2 = tg.random_uniform %s to %n, %m : (tensor<2xi64>, tensor<i64>, tensor<i64>) -> tensor<3x?xf32>
  func.return %0, %1, %2 : tensor<?x?xf64>, tensor<f32>, tensor<3x?xf32>
}

// -----

// CHECK-LABEL: func.func @normal(
// CHECK-SAME: %[[S:[^:]*]]: tensor<?xi64>, %[[N:[^:]*]]: tensor<i64>
func.func @normal(%s: tensor<?xi64>, %n: tensor<i64>) -> (tensor<?xf32>, tensor<f64>) {
  // CHECK-NEXT: %{{.*}} = tg.random_normal %[[S]] to %[[N]] : (tensor<?xi64>, tensor<i64>) -> tensor<?xf32>
  %0 = tg.random_normal %s to %n : (tensor<?xi64>, tensor<i64>) -> tensor<?xf32>
  // CHECK-NEXT: %{{.*}} = tg.random_normal %[[S]] : (tensor<?xi64>) -> tensor<f64>
  %1 = tg.random_normal %s : (tensor<?xi64>) -> tensor<f64>
  func.return %0, %1 : tensor<?xf32>, tensor<f64>
}

// -----

// CHECK-LABEL: func.func @categorical(
// CHECK-SAME: %[[S:[^:]*]]: tensor<2xi64>, %[[P:[^:]*]]: tensor<?xf32>, %[[N:[^:]*]]: tensor<i64>
func.func @categorical(%s: tensor<2xi64>, %p: tensor<?xf32>, %n: tensor<i64>) -> (tensor<?x4xi64>, tensor<i64>) {
  // CHECK-NEXT: %{{.*}} = tg.random_categorical %[[S]], %[[P]] to %[[N]], %[[N]] : (tensor<2xi64>, tensor<?xf32>, tensor<i64>, tensor<i64>) -> tensor<?x4xi64>
  %0 = tg.random_categorical %s, %p to %n, %n : (tensor<2xi64>, tensor<?xf32>, tensor<i64>, tensor<i64>) -> tensor<?x4xi64>
  // CHECK-NEXT: %{{.*}} = tg.random_categorical %[[S]], %[[P]] : (tensor<2xi64>, tensor<?xf32>) -> tensor<i64>
  %1 = tg.random_categorical %s, %p : (tensor<2xi64>, tensor<?xf32>) -> tensor<i64>
  func.return %0, %1 : tensor<?x4xi64>, tensor<i64>
}

// -----

// batch_dims counts the leading dimensions indexing independent permutations.
// CHECK-LABEL: func.func @permutation(
// CHECK-SAME: %[[S:[^:]*]]: tensor<2xi64>, %[[N:[^:]*]]: tensor<i64>, %[[R:[^:]*]]: tensor<i64>
func.func @permutation(%s: tensor<2xi64>, %n: tensor<i64>, %r: tensor<i64>) -> (tensor<?x?xi64>, tensor<?xi64>, tensor<i64>) {
  // CHECK-NEXT: %{{.*}} = tg.random_permutation %[[S]], %[[N]] to %[[R]], %[[N]] {batch_dims = array<i64: 1>} : (tensor<2xi64>, tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?x?xi64>
  %0 = tg.random_permutation %s, %n to %r, %n {batch_dims = array<i64: 1>} : (tensor<2xi64>, tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?x?xi64>
  // CHECK-NEXT: %{{.*}} = tg.random_permutation %[[S]], %[[N]] to %[[R]] {batch_dims = array<i64: 0>} : (tensor<2xi64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %1 = tg.random_permutation %s, %n to %r {batch_dims = array<i64: 0>} : (tensor<2xi64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  // CHECK-NEXT: %{{.*}} = tg.random_permutation %[[S]], %[[N]] {batch_dims = array<i64: 0>} : (tensor<2xi64>, tensor<i64>) -> tensor<i64>
  %2 = tg.random_permutation %s, %n {batch_dims = array<i64: 0>} : (tensor<2xi64>, tensor<i64>) -> tensor<i64>
  func.return %0, %1, %2 : tensor<?x?xi64>, tensor<?xi64>, tensor<i64>
}

// -----

// CHECK-LABEL: func.func @multinomial(
// CHECK-SAME: %[[S:[^:]*]]: tensor<2xi64>, %[[N:[^:]*]]: tensor<i64>, %[[P:[^:]*]]: tensor<?x3xf32>, %[[Q:[^:]*]]: tensor<4xf64>
func.func @multinomial(%s: tensor<2xi64>, %n: tensor<i64>, %p: tensor<?x3xf32>, %q: tensor<4xf64>) -> (tensor<?x3xi64>, tensor<4xf32>) {
  // CHECK-NEXT: %{{.*}} = tg.random_multinomial %[[S]], %[[N]], %[[P]] : (tensor<2xi64>, tensor<i64>, tensor<?x3xf32>) -> tensor<?x3xi64>
  %0 = tg.random_multinomial %s, %n, %p : (tensor<2xi64>, tensor<i64>, tensor<?x3xf32>) -> tensor<?x3xi64>
  // CHECK-NEXT: %{{.*}} = tg.random_multinomial %[[S]], %[[N]], %[[Q]] : (tensor<2xi64>, tensor<i64>, tensor<4xf64>) -> tensor<4xf32>
  %1 = tg.random_multinomial %s, %n, %q : (tensor<2xi64>, tensor<i64>, tensor<4xf64>) -> tensor<4xf32>
  func.return %0, %1 : tensor<?x3xi64>, tensor<4xf32>
}
