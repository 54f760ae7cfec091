// RUN: tg-opt %s -p tg-blas --split-input-file | filecheck %s
// RUN: tg-opt %s -p tg-blas{combine=false} --split-input-file | filecheck %s --check-prefix=BARE

// a matrix product: gemm with alpha 1 (beta is not read without z)
// CHECK-LABEL: func.func @gemm
// CHECK-NEXT: %[[ONE:.*]] = tg.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[ZERO:.*]] = tg.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[R:.*]] = tg.gemm %[[ONE]], %x, %y, %[[ZERO]] : (tensor<f32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
// CHECK-NEXT: func.return %[[R]]
func.func @gemm(%x: tensor<?x?xf32>, %y: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = tg.dot %x, %y : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %0 : tensor<?x?xf32>
}

// -----

// a transpose and a dimshuffle that is one fold into the flags
// CHECK-LABEL: func.func @transposes
// CHECK-NOT: tg.transpose
// CHECK-NOT: tg.dimshuffle
// CHECK: tg.gemm %{{.*}}, %y, %x, %{{.*}} {trans_x, trans_y} : (tensor<f64>, tensor<?x?xf64>, tensor<3x?xf64>, tensor<f64>) -> tensor<?x3xf64>
// BARE-LABEL: func.func @transposes
// BARE: tg.gemm %{{.*}}, %y, %x, %{{.*}} {trans_x, trans_y}
func.func @transposes(%x: tensor<3x?xf64>, %y: tensor<?x?xf64>) -> tensor<?x3xf64> {
  %0 = tg.dimshuffle %x {pattern = array<i64: 1, 0>} : tensor<3x?xf64> -> tensor<?x3xf64>
  %1 = tg.transpose %y {permutation = array<i64: 1, 0>} : tensor<?x?xf64> -> tensor<?x?xf64>
  %2 = tg.dot %1, %0 : (tensor<?x?xf64>, tensor<?x3xf64>) -> tensor<?x3xf64>
  func.return %2 : tensor<?x3xf64>
}

// -----

// 0.5*z - dot(-x, y*lr)/4: negations, constant and computed scalars fold into alpha
// (0.25*lr) and beta (0.5)
// CHECK-LABEL: func.func @scalars
// CHECK-NEXT: %[[Q:.*]] = tg.constant dense<2.500000e-01> : tensor<f32>
// CHECK-NEXT: %[[A:.*]] = tg.mul %[[Q]], %lr : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[B:.*]] = tg.constant dense<5.000000e-01> : tensor<f32>
// CHECK-NEXT: %[[R:.*]] = tg.gemm %z, %[[A]], %x, %y, %[[B]] : (tensor<?x?xf32>, tensor<f32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
// CHECK-NEXT: func.return %[[R]]
// BARE-LABEL: func.func @scalars
// BARE: tg.gemm %{{.*}}, %nx, %ys, %{{.*}} :
// BARE: tg.sub
func.func @scalars(%z: tensor<?x?xf32>, %x: tensor<?x?xf32>, %y: tensor<?x?xf32>, %lr: tensor<f32>) -> tensor<?x?xf32> {
  %half = tg.constant dense<0.5> : tensor<1x1xf32>
  %four = tg.constant dense<4.0> : tensor<1x1xf32>
  %s = tg.dimshuffle %lr {pattern = array<i64: -1, -1>} : tensor<f32> -> tensor<1x1xf32>
  %nx = tg.neg %x : tensor<?x?xf32>
  %ys = tg.mul %y, %s : (tensor<?x?xf32>, tensor<1x1xf32>) -> tensor<?x?xf32>
  %d = tg.dot %nx, %ys : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %zh = tg.mul %half, %z : (tensor<1x1xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %dq = tg.div %d, %four : (tensor<?x?xf32>, tensor<1x1xf32>) -> tensor<?x?xf32>
  %r = tg.sub %zh, %dq : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %r : tensor<?x?xf32>
}

// -----

// the SGD update W - lr * (dot(x.T, d) + 0.01 * W), as tg.function builds it: one
// gemm into W with alpha = -lr and beta = 1 - 0.01*lr
// CHECK-LABEL: func.func @sgd
// CHECK-NEXT: %[[A:.*]] = tg.neg %lr : tensor<f32>
// CHECK-NEXT: %[[ONE:.*]] = tg.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[L2:.*]] = tg.constant dense<1.000000e-02> : tensor<f32>
// CHECK-NEXT: %[[T:.*]] = tg.mul %[[L2]], %lr : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[B:.*]] = tg.sub %[[ONE]], %[[T]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[R:.*]] = tg.gemm %W, %[[A]], %x, %d, %[[B]] {trans_x} : (tensor<?x?xf32>, tensor<f32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
// CHECK-NEXT: func.return %[[R]]
func.func @sgd(%x: tensor<?x?xf32>, %d: tensor<?x?xf32>, %lr: tensor<f32>, %W: tensor<?x?xf32>) -> tensor<?x?xf32> attributes {tg.updates = array<i64: 0, 3>} {
  %0 = tg.dimshuffle %lr {pattern = array<i64: -1, -1>} : tensor<f32> -> tensor<1x1xf32>
  %1 = tg.transpose %x {permutation = array<i64: 1, 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  %2 = tg.dot %1, %d : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %3 = tg.constant dense<1.000000e-02> : tensor<1x1xf32>
  %4 = tg.mul %3, %W : (tensor<1x1xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %5 = tg.add %2, %4 : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %6 = tg.mul %0, %5 : (tensor<1x1xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %7 = tg.sub %W, %6 : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %7 : tensor<?x?xf32>
}

// -----

// an L2 term whose constant is broadcast to W's own sizes (as tg.grad builds it)
// still folds into beta: 1 - 0.1 * (0.01 * 2)
// CHECK-LABEL: func.func @l2_broadcast
// CHECK: %[[A:.*]] = tg.constant dense<-1.000000e-01> : tensor<f32>
// CHECK-NEXT: %[[B:.*]] = tg.constant dense<9.980000e-01> : tensor<f32>
// CHECK-NEXT: %[[R:.*]] = tg.gemm %W, %[[A]], %x, %d, %[[B]] {trans_x}
// CHECK-NOT: tg.mul
// CHECK: func.return %[[R]]
func.func @l2_broadcast(%x: tensor<?x?xf32>, %d: tensor<?x?xf32>, %W: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c = tg.constant dense<1.000000e-02> : tensor<1x1xf32>
  %two = tg.constant dense<2.000000e+00> : tensor<1x1xf32>
  %tenth = tg.constant dense<1.000000e-01> : tensor<1x1xf32>
  %m = tg.dim %W {axis = array<i64: 0>} : tensor<?x?xf32> -> tensor<i64>
  %n = tg.dim %W {axis = array<i64: 1>} : tensor<?x?xf32> -> tensor<i64>
  %cb = tg.broadcast %c to %m, %n : (tensor<1x1xf32>, tensor<i64>, tensor<i64>) -> tensor<?x?xf32>
  %c2 = tg.mul %cb, %two : (tensor<?x?xf32>, tensor<1x1xf32>) -> tensor<?x?xf32>
  %l2 = tg.mul %c2, %W : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %xt = tg.transpose %x {permutation = array<i64: 1, 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  %g = tg.dot %xt, %d : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %s = tg.add %g, %l2 : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %u = tg.mul %tenth, %s : (tensor<1x1xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = tg.sub %W, %u : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %r : tensor<?x?xf32>
}

// -----

// matrix-vector products: z + dot(a, v) is gemv with z; dot(v, a) is gemv with
// trans_a, and dot(v, a.T) without (the two flips cancel); a sum of two products is
// left to an elementwise add
// CHECK-LABEL: func.func @gemv
// CHECK: %[[G1:.*]] = tg.gemv %z, %[[ONE:.*]], %a, %v, %[[ONE]] : (tensor<?xf64>, tensor<f64>, tensor<?x?xf64>, tensor<?xf64>, tensor<f64>) -> tensor<?xf64>
// CHECK: %[[G2:.*]] = tg.gemv %{{.*}}, %a, %v, %{{.*}} : (tensor<f64>, tensor<?x?xf64>, tensor<?xf64>, tensor<f64>) -> tensor<?xf64>
// CHECK: %[[G3:.*]] = tg.gemv %{{.*}}, %a, %v, %{{.*}} {trans_a} : (tensor<f64>, tensor<?x?xf64>, tensor<?xf64>, tensor<f64>) -> tensor<?xf64>
// CHECK: %[[S:.*]] = tg.add %[[G2]], %[[G3]]
// CHECK: func.return %[[G1]], %[[S]]
func.func @gemv(%a: tensor<?x?xf64>, %v: tensor<?xf64>, %z: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  %0 = tg.dot %a, %v : (tensor<?x?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %1 = tg.add %z, %0 : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %at = tg.transpose %a {permutation = array<i64: 1, 0>} : tensor<?x?xf64> -> tensor<?x?xf64>
  %2 = tg.dot %v, %at : (tensor<?xf64>, tensor<?x?xf64>) -> tensor<?xf64>
  %3 = tg.dot %v, %a : (tensor<?xf64>, tensor<?x?xf64>) -> tensor<?xf64>
  %4 = tg.add %2, %3 : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %1, %4 : tensor<?xf64>, tensor<?xf64>
}

// -----

// M + 0.5 * outer(u, -v) (T.outer builds a column times a row): ger, alpha -0.5
// CHECK-LABEL: func.func @ger
// CHECK-NEXT: %[[A:.*]] = tg.constant dense<-5.000000e-01> : tensor<f64>
// CHECK-NEXT: %[[R:.*]] = tg.ger %M, %[[A]], %u, %v : (tensor<?x?xf64>, tensor<f64>, tensor<?xf64>, tensor<?xf64>) -> tensor<?x?xf64>
// CHECK-NEXT: func.return %[[R]]
// BARE-LABEL: func.func @ger
// BARE-NOT: tg.ger
func.func @ger(%M: tensor<?x?xf64>, %u: tensor<?xf64>, %v: tensor<?xf64>) -> tensor<?x?xf64> {
  %0 = tg.constant dense<5.000000e-01> : tensor<1x1xf64>
  %nv = tg.neg %v : tensor<?xf64>
  %1 = tg.dimshuffle %u {pattern = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
  %2 = tg.dimshuffle %nv {pattern = array<i64: -1, 0>} : tensor<?xf64> -> tensor<1x?xf64>
  %3 = tg.mul %1, %2 : (tensor<?x1xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  %4 = tg.mul %0, %3 : (tensor<1x1xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %5 = tg.add %M, %4 : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %5 : tensor<?x?xf64>
}

// -----

// an outer product alone, or added to 2*M (ger has no beta), stays elementwise
// CHECK-LABEL: func.func @outer_alone
// CHECK-NOT: tg.ger
// CHECK: func.return
func.func @outer_alone(%M: tensor<?x?xf32>, %u: tensor<?xf32>, %v: tensor<?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %two = tg.constant dense<2.0> : tensor<1x1xf32>
  %1 = tg.dimshuffle %u {pattern = array<i64: 0, -1>} : tensor<?xf32> -> tensor<?x1xf32>
  %2 = tg.dimshuffle %v {pattern = array<i64: -1, 0>} : tensor<?xf32> -> tensor<1x?xf32>
  %3 = tg.mul %1, %2 : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  %4 = tg.mul %two, %M : (tensor<1x1xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %5 = tg.mul %1, %2 : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  %6 = tg.add %4, %5 : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %3, %6 : tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// an inner product of vectors: vdot
// CHECK-LABEL: func.func @vdot
// CHECK-NEXT: %[[R:.*]] = tg.vdot %u, %v : (tensor<?xf32>, tensor<?xf32>) -> tensor<f32>
// CHECK-NEXT: func.return %[[R]]
func.func @vdot(%u: tensor<?xf32>, %v: tensor<?xf32>) -> tensor<f32> {
  %0 = tg.dot %u, %v : (tensor<?xf32>, tensor<?xf32>) -> tensor<f32>
  func.return %0 : tensor<f32>
}

// -----

// batched_dot / matmul of stacks: sum over k of x[b,i,k,1] * y[b,1,k,j]; x given
// as (b, k, i) and y as (b, j, k) sets both flags
// CHECK-LABEL: func.func @batched
// CHECK-NEXT: %[[R1:.*]] = tg.batched_gemm %x, %y : (tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
// CHECK-NEXT: %[[R2:.*]] = tg.batched_gemm %x, %y {trans_x, trans_y} : (tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
// CHECK-NEXT: func.return %[[R1]], %[[R2]]
func.func @batched(%x: tensor<?x?x?xf32>, %y: tensor<?x?x?xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x?xf32>) {
  %0 = tg.dimshuffle %x {pattern = array<i64: 0, 1, 2, -1>} : tensor<?x?x?xf32> -> tensor<?x?x?x1xf32>
  %1 = tg.dimshuffle %y {pattern = array<i64: 0, -1, 1, 2>} : tensor<?x?x?xf32> -> tensor<?x1x?x?xf32>
  %2 = tg.mul %0, %1 : (tensor<?x?x?x1xf32>, tensor<?x1x?x?xf32>) -> tensor<?x?x?x?xf32>
  %3 = tg.sum %2 {axes = array<i64: 2>} : tensor<?x?x?x?xf32> -> tensor<?x?x?xf32>
  %4 = tg.dimshuffle %x {pattern = array<i64: 0, 2, 1, -1>} : tensor<?x?x?xf32> -> tensor<?x?x?x1xf32>
  %5 = tg.dimshuffle %y {pattern = array<i64: 0, -1, 2, 1>} : tensor<?x?x?xf32> -> tensor<?x1x?x?xf32>
  %6 = tg.mul %5, %4 : (tensor<?x1x?x?xf32>, tensor<?x?x?x1xf32>) -> tensor<?x?x?x?xf32>
  %7 = tg.sum %6 {axes = array<i64: 2>} : tensor<?x?x?x?xf32> -> tensor<?x?x?xf32>
  func.return %3, %7 : tensor<?x?x?xf32>, tensor<?x?x?xf32>
}

// -----

// a batch axis that broadcasts (matmul of a 1-stack with a stack) is not a batched gemm
// CHECK-LABEL: func.func @batched_broadcast
// CHECK-NOT: tg.batched_gemm
// CHECK: tg.sum
func.func @batched_broadcast(%x: tensor<1x?x?xf32>, %y: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  %0 = tg.dimshuffle %x {pattern = array<i64: 0, 1, 2, -1>} : tensor<1x?x?xf32> -> tensor<1x?x?x1xf32>
  %1 = tg.dimshuffle %y {pattern = array<i64: 0, -1, 1, 2>} : tensor<?x?x?xf32> -> tensor<?x1x?x?xf32>
  %2 = tg.mul %0, %1 : (tensor<1x?x?x1xf32>, tensor<?x1x?x?xf32>) -> tensor<?x?x?x?xf32>
  %3 = tg.sum %2 {axes = array<i64: 2>} : tensor<?x?x?x?xf32> -> tensor<?x?x?xf32>
  func.return %3 : tensor<?x?x?xf32>
}

// -----

// integers stay tg.dot
// CHECK-LABEL: func.func @integers
// CHECK-NEXT: tg.dot %i, %i
// CHECK-NEXT: tg.add
// CHECK-NOT: tg.gemm
func.func @integers(%i: tensor<?x?xi32>) -> tensor<?x?xi32> {
  %0 = tg.dot %i, %i : (tensor<?x?xi32>, tensor<?x?xi32>) -> tensor<?x?xi32>
  %1 = tg.add %0, %i : (tensor<?x?xi32>, tensor<?x?xi32>) -> tensor<?x?xi32>
  func.return %1 : tensor<?x?xi32>
}

// -----

// mixed precisions: a float32 product cast to float64 is no term of a float64 gemm
// CHECK-LABEL: func.func @mixed
// CHECK: %[[P:.*]] = tg.gemm %{{.*}}, %x, %x, %{{.*}} : (tensor<f32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
// CHECK-NEXT: %[[C:.*]] = tg.cast %[[P]]
// CHECK-NEXT: tg.add %w, %[[C]]
func.func @mixed(%x: tensor<?x?xf32>, %w: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %0 = tg.dot %x, %x : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %1 = tg.cast %0 : tensor<?x?xf32> to tensor<?x?xf64>
  %2 = tg.add %w, %1 : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %2 : tensor<?x?xf64>
}

// -----

// Z an intermediate value still read elsewhere: the product alone is a gemm
// CHECK-LABEL: func.func @z_read_elsewhere
// CHECK: %[[P:.*]] = tg.gemm %{{.*}}, %x, %x, %{{.*}} : (tensor<f32>,
// CHECK-NEXT: %[[S:.*]] = tg.add %e, %[[P]]
// CHECK-NEXT: func.return %[[S]], %e
func.func @z_read_elsewhere(%x: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %e = tg.exp %x : tensor<?x?xf32>
  %0 = tg.dot %x, %x : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %1 = tg.add %e, %0 : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %1, %e : tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// Z a function argument also read elsewhere: still folded (bufferization decides
// whether the gemm may write over it)
// CHECK-LABEL: func.func @z_argument
// CHECK: %[[R:.*]] = tg.gemm %w, %{{.*}}, %x, %x, %{{.*}} :
// CHECK: func.return %[[R]], %w
func.func @z_argument(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %0 = tg.dot %x, %x : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %1 = tg.sub %w, %0 : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %1, %w : tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// the product also read un-scaled: folding Z would compute it twice, so one gemm
// computes it and the sum stays elementwise; a scaled product read elsewhere is a
// gemm with that alpha, and the sum reads it
// CHECK-LABEL: func.func @product_read_elsewhere
// CHECK: %[[P:.*]] = tg.gemm %{{.*}}, %x, %x, %{{.*}} : (tensor<f32>,
// CHECK-NEXT: %[[S:.*]] = tg.add %w, %[[P]]
// CHECK-NEXT: %[[TWO:.*]] = tg.constant dense<2.000000e+00> : tensor<f32>
// CHECK: %[[Q:.*]] = tg.gemm %[[TWO]], %x, %w, %{{.*}} : (tensor<f32>,
// CHECK-NEXT: %[[U:.*]] = tg.add %w, %[[Q]]
// CHECK-NEXT: func.return %[[S]], %[[P]], %[[U]], %[[Q]]
func.func @product_read_elsewhere(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) {
  %0 = tg.dot %x, %x : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %1 = tg.add %w, %0 : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %two = tg.constant dense<2.0> : tensor<1x1xf32>
  %2 = tg.dot %x, %w : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %3 = tg.mul %two, %2 : (tensor<1x1xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %4 = tg.add %w, %3 : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %1, %0, %4, %3 : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// a broadcast Z (a bias row) is not an accumulator: gemm, then the add
// CHECK-LABEL: func.func @broadcast_z
// CHECK: %[[P:.*]] = tg.gemm %{{.*}}, %x, %x, %{{.*}} : (tensor<f32>,
// CHECK-NEXT: tg.add %[[P]], %b
func.func @broadcast_z(%x: tensor<?x?xf32>, %b: tensor<1x?xf32>) -> tensor<?x?xf32> {
  %0 = tg.dot %x, %x : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %1 = tg.add %0, %b : (tensor<?x?xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  func.return %1 : tensor<?x?xf32>
}
