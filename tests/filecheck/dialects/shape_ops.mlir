// The shape ops (tg.reshape, tg.concatenate, tg.narrow, tg.arange) survive a
// print/parse round trip, in the custom and the generic form.
// RUN: TG_ROUNDTRIP
// RUN: TG_GENERIC_ROUNDTRIP

// CHECK-LABEL: func.func @reshape(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x?xf32>, %[[N:[^:]*]]: tensor<i64>, %[[M:[^:]*]]: tensor<i64>, %[[V:[^:]*]]: tensor<1xi8>
func.func @reshape(%x: tensor<?x?xf32>, %n: tensor<i64>, %m: tensor<i64>, %v: tensor<1xi8>) {
  // CHECK-NEXT: %{{.*}} = tg.reshape %[[X]] to %[[N]], %[[M]] : (tensor<?x?xf32>, tensor<i64>, tensor<i64>) -> tensor<?x4xf32>
  %0 = tg.reshape %x to %n, %m : (tensor<?x?xf32>, tensor<i64>, tensor<i64>) -> tensor<?x4xf32>
  // CHECK-NEXT: %{{.*}} = tg.reshape %[[X]] to %[[N]] : (tensor<?x?xf32>, tensor<i64>) -> tensor<?xf32>
  %1 = tg.reshape %x to %n : (tensor<?x?xf32>, tensor<i64>) -> tensor<?xf32>
  // a 0-d result takes no sizes
  // CHECK-NEXT: %{{.*}} = tg.reshape %[[V]] to : (tensor<1xi8>) -> tensor<i8>
  %2 = tg.reshape %v to : (tensor<1xi8>) -> tensor<i8>
  // CHECK-NEXT: %{{.*}} = tg.reshape %[[V]] to %[[N]], %[[N]], %[[N]] : (tensor<1xi8>, tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<1x1x1xi8>
  %3 = tg.reshape %v to %n, %n, %n : (tensor<1xi8>, tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<1x1x1xi8>
  func.return
}

// -----

// CHECK-LABEL: func.func @concatenate(
func.func @concatenate(%a: tensor<?x3xf64>, %b: tensor<2x3xf64>, %c: tensor<?x?xi1>, %d: tensor<1x?xi1>) {
  // CHECK-NEXT: tg.concatenate %{{.*}}, %{{.*}} {axis = array<i64: 0>} : (tensor<?x3xf64>, tensor<2x3xf64>) -> tensor<?x3xf64>
  %0 = tg.concatenate %a, %b {axis = array<i64: 0>} : (tensor<?x3xf64>, tensor<2x3xf64>) -> tensor<?x3xf64>
  // CHECK-NEXT: tg.concatenate %{{.*}}, %{{.*}}, %{{.*}} {axis = array<i64: 0>} : (tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<6x3xf64>
  %1 = tg.concatenate %b, %b, %b {axis = array<i64: 0>} : (tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<6x3xf64>
  // CHECK-NEXT: tg.concatenate %{{.*}}, %{{.*}} {axis = array<i64: 1>} : (tensor<?x3xf64>, tensor<2x3xf64>) -> tensor<2x6xf64>
  %2 = tg.concatenate %a, %b {axis = array<i64: 1>} : (tensor<?x3xf64>, tensor<2x3xf64>) -> tensor<2x6xf64>
  // CHECK-NEXT: tg.concatenate %{{.*}}, %{{.*}} {axis = array<i64: 1>} : (tensor<?x?xi1>, tensor<1x?xi1>) -> tensor<1x?xi1>
  %3 = tg.concatenate %c, %d {axis = array<i64: 1>} : (tensor<?x?xi1>, tensor<1x?xi1>) -> tensor<1x?xi1>
  // CHECK-NEXT: tg.concatenate %{{.*}} {axis = array<i64: 0>} : (tensor<?x?xi1>) -> tensor<?x?xi1>
  %4 = tg.concatenate %c {axis = array<i64: 0>} : (tensor<?x?xi1>) -> tensor<?x?xi1>
  func.return
}

// -----

// CHECK-LABEL: func.func @narrow(
func.func @narrow(%x: tensor<?x5xi32>, %s: tensor<i64>, %n: tensor<i64>) {
  // CHECK-NEXT: tg.narrow %{{.*}}, %{{.*}}, %{{.*}} {axis = array<i64: 0>} : (tensor<?x5xi32>, tensor<i64>, tensor<i64>) -> tensor<?x5xi32>
  %0 = tg.narrow %x, %s, %n {axis = array<i64: 0>} : (tensor<?x5xi32>, tensor<i64>, tensor<i64>) -> tensor<?x5xi32>
  // CHECK-NEXT: tg.narrow %{{.*}}, %{{.*}}, %{{.*}} {axis = array<i64: 1>} : (tensor<?x5xi32>, tensor<i64>, tensor<i64>) -> tensor<?x2xi32>
  %1 = tg.narrow %x, %s, %n {axis = array<i64: 1>} : (tensor<?x5xi32>, tensor<i64>, tensor<i64>) -> tensor<?x2xi32>
  // CHECK-NEXT: tg.narrow %{{.*}}, %{{.*}}, %{{.*}} {axis = array<i64: 1>} : (tensor<?x5xi32>, tensor<i64>, tensor<i64>) -> tensor<?x?xi32>
  %2 = tg.narrow %x, %s, %n {axis = array<i64: 1>} : (tensor<?x5xi32>, tensor<i64>, tensor<i64>) -> tensor<?x?xi32>
  func.return
}

// -----

// CHECK-LABEL: func.func @arange(
func.func @arange(%a: tensor<i64>, %b: tensor<i64>, %f: tensor<f32>, %g: tensor<f64>) {
  // CHECK-NEXT: tg.arange %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %0 = tg.arange %a, %b, %a : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  // CHECK-NEXT: tg.arange %{{.*}}, %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  %1 = tg.arange %f, %f, %f : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  // CHECK-NEXT: tg.arange %{{.*}}, %{{.*}}, %{{.*}} : (tensor<f64>, tensor<f64>, tensor<f64>) -> tensor<7xf64>
  %2 = tg.arange %g, %g, %g : (tensor<f64>, tensor<f64>, tensor<f64>) -> tensor<7xf64>
  func.return
}
