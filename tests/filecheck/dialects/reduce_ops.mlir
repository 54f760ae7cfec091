// The reduction and scan ops (tg.min, tg.prod, tg.argmax, tg.argmin, tg.cumsum,
// tg.cumprod) survive a print/parse round trip, in the custom and the generic form.
// RUN: TG_ROUNDTRIP
// RUN: TG_GENERIC_ROUNDTRIP

// CHECK-LABEL: func.func @reduce(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x3xf32>, %[[Y:[^:]*]]: tensor<2x?x1xi32>
func.func @reduce(%x: tensor<?x3xf32>, %y: tensor<2x?x1xi32>) {
  // CHECK-NEXT: tg.min %[[X]] {axes = array<i64: 1>} : tensor<?x3xf32> -> tensor<?xf32>
  %0 = tg.min %x {axes = array<i64: 1>} : tensor<?x3xf32> -> tensor<?xf32>
  // CHECK-NEXT: tg.min %[[X]] {axes = array<i64: 0, 1>} : tensor<?x3xf32> -> tensor<f32>
  %1 = tg.min %x {axes = array<i64: 0, 1>} : tensor<?x3xf32> -> tensor<f32>
  // CHECK-NEXT: tg.prod %[[X]] {axes = array<i64: 0>} : tensor<?x3xf32> -> tensor<3xf32>
  %2 = tg.prod %x {axes = array<i64: 0>} : tensor<?x3xf32> -> tensor<3xf32>
  // CHECK-NEXT: tg.prod %[[Y]] {axes = array<i64: 0, 2>} : tensor<2x?x1xi32> -> tensor<?xi32>
  %3 = tg.prod %y {axes = array<i64: 0, 2>} : tensor<2x?x1xi32> -> tensor<?xi32>
  func.return
}

// -----

// CHECK-LABEL: func.func @arg_reduce(
func.func @arg_reduce(%x: tensor<?x3xf64>, %y: tensor<2x?x4xi8>) {
  // CHECK-NEXT: tg.argmax %{{.*}} {axes = array<i64: 1>} : tensor<?x3xf64> -> tensor<?xi64>
  %0 = tg.argmax %x {axes = array<i64: 1>} : tensor<?x3xf64> -> tensor<?xi64>
  // CHECK-NEXT: tg.argmax %{{.*}} {axes = array<i64: 0, 1>} : tensor<?x3xf64> -> tensor<i64>
  %1 = tg.argmax %x {axes = array<i64: 0, 1>} : tensor<?x3xf64> -> tensor<i64>
  // CHECK-NEXT: tg.argmin %{{.*}} {axes = array<i64: 0>} : tensor<?x3xf64> -> tensor<3xi64>
  %2 = tg.argmin %x {axes = array<i64: 0>} : tensor<?x3xf64> -> tensor<3xi64>
  // CHECK-NEXT: tg.argmin %{{.*}} {axes = array<i64: 0, 2>} : tensor<2x?x4xi8> -> tensor<?xi64>
  %3 = tg.argmin %y {axes = array<i64: 0, 2>} : tensor<2x?x4xi8> -> tensor<?xi64>
  func.return
}

// -----

// CHECK-LABEL: func.func @scans(
func.func @scans(%x: tensor<?x3xf32>, %y: tensor<?xi64>) {
  // CHECK-NEXT: tg.cumsum %{{.*}} {axis = array<i64: 0>} : tensor<?x3xf32>
  %0 = tg.cumsum %x {axis = array<i64: 0>} : tensor<?x3xf32>
  // CHECK-NEXT: tg.cumsum %{{.*}} {axis = array<i64: 1>, reverse} : tensor<?x3xf32>
  %1 = tg.cumsum %x {axis = array<i64: 1>, reverse} : tensor<?x3xf32>
  // CHECK-NEXT: tg.cumprod %{{.*}} {axis = array<i64: 0>} : tensor<?xi64>
  %2 = tg.cumprod %y {axis = array<i64: 0>} : tensor<?xi64>
  // CHECK-NEXT: tg.cumprod %{{.*}} {axis = array<i64: 0>, reverse} : tensor<?x3xf32>
  %3 = tg.cumprod %x {axis = array<i64: 0>, reverse} : tensor<?x3xf32>
  func.return
}
