// tg-bufferize: fused functions become buffers-level functions (inputs, outputs and a
// status as memrefs), with in-place writes and a liveness-based buffer plan.
// RUN: tg-opt %s -p tg-fuse,tg-bufferize --split-input-file | filecheck %s
// RUN: tg-opt %s -p 'tg-fuse{fuse=false},tg-bufferize' --split-input-file | filecheck %s --check-prefix=NOFUSE

// exp(dot(x, x)) is written over the dot's result, which dies there: one buffer.
// CHECK-LABEL: func.func @inplace_intermediate(
// CHECK-SAME: %[[X:[^:]+]]: memref<?x?xf32>, %[[OUT:[^:]+]]: memref<?x?xf32>, %status: memref<i32>)
// CHECK-SAME: attributes {tg.buffers = 1 : i64, tg.peak_bytes = -1 : i64} {
// CHECK-NEXT: %[[B:.+]] = tg.buffer : memref<?x?xf32>
// CHECK-NEXT: tg.compute ins(%[[X]] : memref<?x?xf32>) outs(%[[B]] : memref<?x?xf32>) {
// CHECK: tg.dot
// CHECK: tg.compute ins(%[[B]] : memref<?x?xf32>) outs(%[[B]] : memref<?x?xf32>) {
// CHECK-NEXT: ^{{.+}}
// CHECK-NEXT: tg.exp
// CHECK: tg.compute ins(%[[B]] : memref<?x?xf32>) outs(%[[OUT]] : memref<?x?xf32>) {
// CHECK: tg.dot
// CHECK: tg.fusion_yield
// CHECK-NEXT: }
// CHECK-NEXT: tg.release %[[B]] : memref<?x?xf32>
// CHECK-NEXT: func.return
func.func @inplace_intermediate(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %d = tg.dot %x, %x : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %e = tg.exp %d : tensor<?x?xf32>
  %f = tg.dot %e, %e : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %f : tensor<?x?xf32>
}

// -----

// The caller's input is never written, even where it dies: exp(x) gets a buffer.
// CHECK-LABEL: func.func @input_kept(
// CHECK-SAME: %[[X:[^:]+]]: memref<?x?xf32>, %[[OUT:[^:]+]]: memref<?x?xf32>, %status: memref<i32>)
// CHECK-SAME: tg.buffers = 1 : i64
// CHECK-NEXT: %[[B:.+]] = tg.buffer : memref<?x?xf32>
// CHECK-NEXT: tg.compute ins(%[[X]] : memref<?x?xf32>) outs(%[[B]] : memref<?x?xf32>) {
// CHECK-NOT: outs(%[[X]]
// CHECK: tg.compute ins(%[[B]] : memref<?x?xf32>) outs(%[[OUT]] : memref<?x?xf32>) {
// CHECK-NOT: outs(%[[X]]
// CHECK: func.return
func.func @input_kept(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %e = tg.exp %x : tensor<?x?xf32>
  %f = tg.dot %e, %e : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %f : tensor<?x?xf32>
}

// -----

// An input the caller lends (tg.mutable) is written in place: no buffer.
// CHECK-LABEL: func.func @input_lent(
// CHECK-SAME: %[[X:[^:]+]]: memref<?x?xf32>, %[[OUT:[^:]+]]: memref<?x?xf32>, %status: memref<i32>)
// CHECK-SAME: tg.buffers = 0 : i64
// CHECK-NOT: tg.buffer :
// CHECK: tg.compute ins(%[[X]] : memref<?x?xf32>) outs(%[[X]] : memref<?x?xf32>) {
// CHECK-NEXT: ^{{.+}}
// CHECK-NEXT: tg.exp
// CHECK: tg.compute ins(%[[X]] : memref<?x?xf32>) outs(%[[OUT]] : memref<?x?xf32>) {
// CHECK: tg.dot
// CHECK-NOT: tg.release
// CHECK: func.return
func.func @input_lent(%x: tensor<?x?xf32>) -> tensor<?x?xf32> attributes {tg.mutable = array<i64: 0>} {
  %e = tg.exp %x : tensor<?x?xf32>
  %f = tg.dot %e, %e : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %f : tensor<?x?xf32>
}

// -----

// A shared variable's update (output 0 updates argument 0) is written into the
// variable's storage: the output buffer is dropped from the signature and the
// choice recorded in tg.inplace_updates.
// CHECK-LABEL: func.func @update(
// CHECK-SAME: %[[W:[^:]+]]: memref<?xf32>, %[[G:[^:]+]]: memref<?xf32>, %status: memref<i32>)
// CHECK-SAME: tg.inplace_updates = array<i64: 0, 0>
// CHECK-SAME: tg.buffers = 0 : i64
// CHECK-NEXT: tg.compute ins(%[[G]], %[[W]] : memref<?xf32>, memref<?xf32>) outs(%[[W]] : memref<?xf32>) {
// CHECK: tg.sub
// CHECK-NEXT: tg.fusion_yield
// CHECK-NEXT: }
// CHECK-NEXT: func.return
func.func @update(%w: tensor<?xf32>, %g: tensor<?xf32>) -> tensor<?xf32> attributes {tg.updates = array<i64: 0, 0>} {
  %c = tg.constant dense<0.1> : tensor<1xf32>
  %d = tg.mul %g, %c : (tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>
  %n = tg.sub %w, %d : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %n : tensor<?xf32>
}

// -----

// Not in place when a later kernel reads the variable's old value: the update goes
// to its output buffer.
// CHECK-LABEL: func.func @update_old_value_read(
// CHECK-SAME: %[[W:[^:]+]]: memref<?x?xf32>, %[[G:[^:]+]]: memref<?x?xf32>, %[[O0:[^:]+]]: memref<?x?xf32>, %[[O1:[^:]+]]: memref<?x?xf32>, %status: memref<i32>)
// CHECK-SAME: attributes {tg.updates = array<i64: 0, 0>, tg.buffers = 0 : i64, tg.peak_bytes = 0 : i64} {
// CHECK-NEXT: tg.compute ins(%[[W]], %[[G]] : memref<?x?xf32>, memref<?x?xf32>) outs(%[[O0]] : memref<?x?xf32>) {
// CHECK: tg.compute ins(%[[W]], %[[O0]] : memref<?x?xf32>, memref<?x?xf32>) outs(%[[O1]] : memref<?x?xf32>) {
// CHECK: tg.dot
func.func @update_old_value_read(%w: tensor<?x?xf32>, %g: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) attributes {tg.updates = array<i64: 0, 0>} {
  %n = tg.sub %w, %g : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %o = tg.dot %w, %n : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %n, %o : tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// Not in place when a kernel that checks indices at run time (a gather by computed
// indices) comes later: a failed call must leave the variable as it was.
// CHECK-LABEL: func.func @update_then_check(
// CHECK-SAME: %[[W:[^:]+]]: memref<?xf32>, %[[G:[^:]+]]: memref<?xf32>, %[[I:[^:]+]]: memref<?xi64>, %[[O0:[^:]+]]: memref<?xf32>, %[[O1:[^:]+]]: memref<?xf32>, %status: memref<i32>)
// CHECK-SAME: attributes {tg.updates = array<i64: 0, 0>, tg.buffers = 0 : i64, tg.peak_bytes = 0 : i64} {
// CHECK-NEXT: tg.compute ins(%[[W]], %[[G]] : memref<?xf32>, memref<?xf32>) outs(%[[O0]] : memref<?xf32>) {
// CHECK: tg.compute ins(%[[I]], %[[G]] : memref<?xi64>, memref<?xf32>) outs(%[[O1]] : memref<?xf32>) {
// CHECK: tg.advanced_subtensor
func.func @update_then_check(%w: tensor<?xf32>, %g: tensor<?xf32>, %i: tensor<?xi64>) -> (tensor<?xf32>, tensor<?xf32>) attributes {tg.updates = array<i64: 0, 0>} {
  %n = tg.sub %w, %g : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %c = tg.constant dense<1> : tensor<1xi64>
  %j = tg.add %i, %c : (tensor<?xi64>, tensor<1xi64>) -> tensor<?xi64>
  %h = tg.advanced_subtensor %g[%j] : tensor<?xf32>, tensor<?xi64> -> tensor<?xf32>
  func.return %n, %h : tensor<?xf32>, tensor<?xf32>
}

// -----

// A chain of products: each result dies at the next product, which cannot write
// over its input; the first buffer is free again for the third value: two buffers
// for three intermediates, at most two live at once (2 x 64 bytes).
// CHECK-LABEL: func.func @reuse(
// CHECK-SAME: %[[X:[^:]+]]: memref<4x4xf32>, %[[OUT:[^:]+]]: memref<4x4xf32>, %status: memref<i32>)
// CHECK-SAME: attributes {tg.buffers = 2 : i64, tg.peak_bytes = 128 : i64} {
// CHECK-NEXT: %[[B0:.+]] = tg.buffer : memref<4x4xf32>
// CHECK-NEXT: tg.compute ins(%[[X]] : memref<4x4xf32>) outs(%[[B0]] : memref<4x4xf32>) {
// CHECK: %[[B1:.+]] = tg.buffer : memref<4x4xf32>
// CHECK-NEXT: tg.compute ins(%[[B0]] : memref<4x4xf32>) outs(%[[B1]] : memref<4x4xf32>) {
// CHECK-NOT: tg.buffer :
// CHECK: tg.compute ins(%[[B1]] : memref<4x4xf32>) outs(%[[B0]] : memref<4x4xf32>) {
// CHECK: tg.fusion_yield
// CHECK-NEXT: }
// CHECK-NEXT: tg.release %[[B1]] : memref<4x4xf32>
// CHECK-NEXT: tg.compute ins(%[[B0]] : memref<4x4xf32>) outs(%[[OUT]] : memref<4x4xf32>) {
// CHECK: tg.fusion_yield
// CHECK-NEXT: }
// CHECK-NEXT: tg.release %[[B0]] : memref<4x4xf32>
// CHECK-NEXT: func.return
func.func @reuse(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %a = tg.dot %x, %x : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %b = tg.dot %a, %a : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %c = tg.dot %b, %b : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %d = tg.dot %c, %c : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  func.return %d : tensor<4x4xf32>
}

// -----

// A dead buffer is reused only by a value of the same shape: the 4x4 buffer freed
// after the second product does not hold the 4x8 value (peak: 64 + 128 bytes).
// CHECK-LABEL: func.func @reuse_same_shape_only(
// CHECK-SAME: tg.buffers = 3 : i64, tg.peak_bytes = 192 : i64
// CHECK-NEXT: %[[B0:.+]] = tg.buffer : memref<4x4xf32>
// CHECK: %[[B1:.+]] = tg.buffer : memref<4x4xf32>
// CHECK: tg.release %[[B0]]
// CHECK: %[[B2:.+]] = tg.buffer : memref<4x8xf32>
// CHECK-NEXT: tg.compute ins(%[[B1]], %{{.+}} : memref<4x4xf32>, memref<4x8xf32>) outs(%[[B2]] : memref<4x8xf32>) {
func.func @reuse_same_shape_only(%x: tensor<4x4xf32>, %y: tensor<4x8xf32>) -> tensor<8x8xf32> {
  %a = tg.dot %x, %x : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %b = tg.dot %a, %a : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %c = tg.dot %b, %y : (tensor<4x4xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %t = tg.transpose %c {permutation = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<8x4xf32>
  %d = tg.dot %t, %c : (tensor<8x4xf32>, tensor<4x8xf32>) -> tensor<8x8xf32>
  func.return %d : tensor<8x8xf32>
}

// -----

// Ten elementwise ops, one kernel each (fuse=false): each writes over the value it
// reads, which dies there, so at most two buffers are needed.
// NOFUSE-LABEL: func.func @chain(
// NOFUSE-SAME: %[[X:[^:]+]]: memref<?x3xf32>, %[[OUT:[^:]+]]: memref<?x3xf32>, %status: memref<i32>)
// NOFUSE-SAME: tg.buffers = {{[12]}} : i64
// NOFUSE-COUNT-10: tg.compute
// NOFUSE-NOT: tg.compute
// NOFUSE: func.return
// CHECK-LABEL: func.func @chain(
// CHECK-SAME: tg.buffers = 0 : i64
// CHECK-NEXT: tg.compute ins(%{{.+}} : memref<?x3xf32>) outs(%{{.+}} : memref<?x3xf32>) {
// CHECK-NOT: tg.compute
// CHECK: func.return
func.func @chain(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = tg.exp %x : tensor<?x3xf32>
  %1 = tg.neg %0 : tensor<?x3xf32>
  %2 = tg.tanh %1 : tensor<?x3xf32>
  %3 = tg.abs %2 : tensor<?x3xf32>
  %4 = tg.sqrt %3 : tensor<?x3xf32>
  %5 = tg.add %4, %x : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %6 = tg.mul %5, %5 : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %7 = tg.sigmoid %6 : tensor<?x3xf32>
  %8 = tg.log %7 : tensor<?x3xf32>
  %9 = tg.sub %8, %x : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  func.return %9 : tensor<?x3xf32>
}

// -----

// softmax on a static 4x8 input: the row maxima (16 bytes), exp(x - max) and its row
// sums (128 + 16 bytes, one kernel writing both) are live together: 160 bytes at
// the peak. The division writes the output directly.
// CHECK-LABEL: func.func @softmax(
// CHECK-SAME: %[[X:[^:]+]]: memref<4x8xf32>, %[[OUT:[^:]+]]: memref<4x8xf32>, %status: memref<i32>)
// CHECK-SAME: attributes {tg.buffers = 3 : i64, tg.peak_bytes = 160 : i64} {
// CHECK-NEXT: %[[M:.+]] = tg.buffer : memref<4xf32>
// CHECK-NEXT: tg.compute ins(%[[X]] : memref<4x8xf32>) outs(%[[M]] : memref<4xf32>) {
// CHECK: %[[E:.+]] = tg.buffer : memref<4x8xf32>
// CHECK-NEXT: %[[S:.+]] = tg.buffer : memref<4xf32>
// CHECK-NEXT: tg.compute ins(%[[X]], %[[M]] : memref<4x8xf32>, memref<4xf32>) outs(%[[E]], %[[S]] : memref<4x8xf32>, memref<4xf32>) {
// CHECK: tg.fusion_yield
// CHECK-NEXT: }
// CHECK-NEXT: tg.release %[[M]] : memref<4xf32>
// CHECK-NEXT: tg.compute ins(%[[E]], %[[S]] : memref<4x8xf32>, memref<4xf32>) outs(%[[OUT]] : memref<4x8xf32>) {
// CHECK: tg.fusion_yield
// CHECK-NEXT: }
// CHECK-DAG: tg.release %[[E]] : memref<4x8xf32>
// CHECK-DAG: tg.release %[[S]] : memref<4xf32>
// CHECK: func.return
func.func @softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %m = tg.max %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4xf32>
  %mr = tg.dimshuffle %m {pattern = array<i64: 0, -1>} : tensor<4xf32> -> tensor<4x1xf32>
  %d = tg.sub %x, %mr : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %e = tg.exp %d : tensor<4x8xf32>
  %s = tg.sum %e {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4xf32>
  %sr = tg.dimshuffle %s {pattern = array<i64: 0, -1>} : tensor<4xf32> -> tensor<4x1xf32>
  %y = tg.div %e, %sr : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  func.return %y : tensor<4x8xf32>
}
