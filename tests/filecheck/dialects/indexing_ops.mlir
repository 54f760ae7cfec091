// Every tg indexing op survives a print/parse round trip, in the custom and the
// generic form: basic keys (integers, slices with constant and operand bounds, empty
// keys), integer-array keys, set/inc forms and nonzero, with static and dynamic shapes.
// RUN: TG_ROUNDTRIP
// RUN: TG_GENERIC_ROUNDTRIP

// CHECK-LABEL: func.func @subtensor(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?x?x?xf32>, %[[I:[^:]+]]: tensor<i64>, %[[A:[^:]+]]: tensor<i64>, %[[B:[^:]+]]: tensor<i64>
func.func @subtensor(%x: tensor<?x?x?x?xf32>, %i: tensor<i64>, %a: tensor<i64>, %b: tensor<i64>) -> tensor<?x?x?xf32> {
  // CHECK-NEXT: %[[R:.*]] = tg.subtensor %[[X]][%[[I]], 1:-1, ::-2, %[[A]]:%[[B]]:%[[I]]] : tensor<?x?x?x?xf32> -> tensor<?x?x?xf32>
  %0 = tg.subtensor %x[%i, 1:-1, ::-2, %a:%b:%i] : tensor<?x?x?x?xf32> -> tensor<?x?x?xf32>
  // CHECK-NEXT: tg.subtensor %[[X]][:, :, 0] : tensor<?x?x?x?xf32> -> tensor<?x?x?xf32>
  %1 = tg.subtensor %x[:, :, 0] : tensor<?x?x?x?xf32> -> tensor<?x?x?xf32>
  // CHECK-NEXT: tg.subtensor %[[X]][] : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  %2 = tg.subtensor %x[] : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  // CHECK-NEXT: tg.subtensor %[[X]][%[[A]]:, :%[[B]], -3] : tensor<?x?x?x?xf32> -> tensor<?x?x?xf32>
  %3 = tg.subtensor %x[%a:, :%b, -3] : tensor<?x?x?x?xf32> -> tensor<?x?x?xf32>
  // CHECK-NEXT: func.return %[[R]] : tensor<?x?x?xf32>
  func.return %0 : tensor<?x?x?xf32>
}

// -----

// Static sizes: a slice of a static dimension has a static length; integer indices
// drop dimensions down to a 0-d result.
// CHECK-LABEL: func.func @subtensor_static(
func.func @subtensor_static(%x: tensor<5x1x?xi8>, %i: tensor<i64>) {
  // CHECK-NEXT: tg.subtensor %{{.*}}[1:3, :, ::2] : tensor<5x1x?xi8> -> tensor<2x1x?xi8>
  %0 = tg.subtensor %x[1:3, :, ::2] : tensor<5x1x?xi8> -> tensor<2x1x?xi8>
  // CHECK-NEXT: tg.subtensor %{{.*}}[::-2, 0, 7:] : tensor<5x1x?xi8> -> tensor<3x?xi8>
  %1 = tg.subtensor %x[::-2, 0, 7:] : tensor<5x1x?xi8> -> tensor<3x?xi8>
  // CHECK-NEXT: tg.subtensor %{{.*}}[%{{.*}}, 0, -1] : tensor<5x1x?xi8> -> tensor<i8>
  %2 = tg.subtensor %x[%i, 0, -1] : tensor<5x1x?xi8> -> tensor<i8>
  // CHECK-NEXT: tg.subtensor %{{.*}}[%{{.*}}:] : tensor<5x1x?xi8> -> tensor<?x1x?xi8>
  %3 = tg.subtensor %x[%i:] : tensor<5x1x?xi8> -> tensor<?x1x?xi8>
  // CHECK-NEXT: tg.subtensor %{{.*}}[10:20] : tensor<5x1x?xi8> -> tensor<0x1x?xi8>
  %4 = tg.subtensor %x[10:20] : tensor<5x1x?xi8> -> tensor<0x1x?xi8>
  func.return
}

// -----

// CHECK-LABEL: func.func @set_inc(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?xf64>, %[[Y:[^:]+]]: tensor<?x1xf64>, %[[N:[^:]+]]: tensor<i64>, %[[V:[^:]+]]: tensor<?xf64>, %[[B:[^:]+]]: tensor<3xi1>, %[[C:[^:]+]]: tensor<i1>
func.func @set_inc(%x: tensor<?x?xf64>, %y: tensor<?x1xf64>, %n: tensor<i64>, %v: tensor<?xf64>, %b: tensor<3xi1>, %c: tensor<i1>) {
  // CHECK-NEXT: tg.set_subtensor %[[X]][1:%[[N]]], %[[Y]] : tensor<?x?xf64>, tensor<?x1xf64>
  %0 = tg.set_subtensor %x[1:%n], %y : tensor<?x?xf64>, tensor<?x1xf64>
  // CHECK-NEXT: tg.inc_subtensor %[[X]][%[[N]]], %[[V]] : tensor<?x?xf64>, tensor<?xf64>
  %1 = tg.inc_subtensor %x[%n], %v : tensor<?x?xf64>, tensor<?xf64>
  // CHECK-NEXT: tg.inc_subtensor %[[X]][], %[[Y]] : tensor<?x?xf64>, tensor<?x1xf64>
  %2 = tg.inc_subtensor %x[], %y : tensor<?x?xf64>, tensor<?x1xf64>
  // CHECK-NEXT: tg.set_subtensor %[[B]][-1], %[[C]] : tensor<3xi1>, tensor<i1>
  %3 = tg.set_subtensor %b[-1], %c : tensor<3xi1>, tensor<i1>
  func.return
}

// -----

// CHECK-LABEL: func.func @advanced(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?x4xf32>, %[[R:[^:]+]]: tensor<?xi64>, %[[C:[^:]+]]: tensor<?xi32>, %[[M:[^:]+]]: tensor<?x1xi8>, %[[I:[^:]+]]: tensor<i16>
func.func @advanced(%x: tensor<?x?x4xf32>, %r: tensor<?xi64>, %c: tensor<?xi32>, %m: tensor<?x1xi8>, %i: tensor<i16>) {
  // CHECK-NEXT: tg.advanced_subtensor %[[X]][%[[R]], %[[C]]] : tensor<?x?x4xf32>, tensor<?xi64>, tensor<?xi32> -> tensor<?x4xf32>
  %0 = tg.advanced_subtensor %x[%r, %c] : tensor<?x?x4xf32>, tensor<?xi64>, tensor<?xi32> -> tensor<?x4xf32>
  // CHECK-NEXT: tg.advanced_subtensor %[[X]][:, %[[R]]] : tensor<?x?x4xf32>, tensor<?xi64> -> tensor<?x?x4xf32>
  %1 = tg.advanced_subtensor %x[:, %r] : tensor<?x?x4xf32>, tensor<?xi64> -> tensor<?x?x4xf32>
  // broadcast index arrays (aligned right); separated axes put their dimensions first
  // CHECK-NEXT: tg.advanced_subtensor %[[X]][%[[M]], :, %[[C]]] : tensor<?x?x4xf32>, tensor<?x1xi8>, tensor<?xi32> -> tensor<?x?x?xf32>
  %2 = tg.advanced_subtensor %x[%m, :, %c] : tensor<?x?x4xf32>, tensor<?x1xi8>, tensor<?xi32> -> tensor<?x?x?xf32>
  // a 0-d index array among others
  // CHECK-NEXT: tg.advanced_subtensor %[[X]][:, %[[I]], %[[C]]] : tensor<?x?x4xf32>, tensor<i16>, tensor<?xi32> -> tensor<?x?xf32>
  %3 = tg.advanced_subtensor %x[:, %i, %c] : tensor<?x?x4xf32>, tensor<i16>, tensor<?xi32> -> tensor<?x?xf32>
  func.return
}

// -----

// CHECK-LABEL: func.func @advanced_put(
func.func @advanced_put(%x: tensor<?x?xf32>, %r: tensor<?xi64>, %c: tensor<?xi32>, %y: tensor<1x?xf32>, %z: tensor<?xf32>) {
  // CHECK-NEXT: tg.advanced_set_subtensor %{{.*}}[:, %{{.*}}], %{{.*}} : tensor<?x?xf32>, tensor<1x?xf32>, tensor<?xi64>
  %0 = tg.advanced_set_subtensor %x[:, %r], %y : tensor<?x?xf32>, tensor<1x?xf32>, tensor<?xi64>
  // CHECK-NEXT: tg.advanced_inc_subtensor %{{.*}}[%{{.*}}, %{{.*}}], %{{.*}} : tensor<?x?xf32>, tensor<?xf32>, tensor<?xi64>, tensor<?xi32>
  %1 = tg.advanced_inc_subtensor %x[%r, %c], %z : tensor<?x?xf32>, tensor<?xf32>, tensor<?xi64>, tensor<?xi32>
  func.return
}

// -----

// CHECK-LABEL: func.func @nonzero(
// CHECK-SAME: %[[M:[^:]+]]: tensor<?x?xi1>, %[[X:[^:]+]]: tensor<?x?x?xf32>, %[[F:[^:]+]]: tensor<3xf64>
func.func @nonzero(%m: tensor<?x?xi1>, %x: tensor<?x?x?xf32>, %f: tensor<3xf64>) {
  // CHECK-NEXT: tg.nonzero %[[M]] : tensor<?x?xi1> -> tensor<2x?xi64>
  %0 = tg.nonzero %m : tensor<?x?xi1> -> tensor<2x?xi64>
  // CHECK-NEXT: tg.nonzero %[[M]] for %[[X]] at 1 : tensor<?x?xi1>, tensor<?x?x?xf32> -> tensor<2x?xi64>
  %1 = tg.nonzero %m for %x at 1 : tensor<?x?xi1>, tensor<?x?x?xf32> -> tensor<2x?xi64>
  // CHECK-NEXT: tg.nonzero %[[F]] : tensor<3xf64> -> tensor<1x?xi64>
  %2 = tg.nonzero %f : tensor<3xf64> -> tensor<1x?xi64>
  func.return
}
