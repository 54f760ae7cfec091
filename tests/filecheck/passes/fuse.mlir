// tg-fuse: ops grouped into tg.fusion kernels (the fused level).
// RUN: tg-opt %s -p tg-fuse --split-input-file | filecheck %s
// RUN: tg-opt %s -p 'tg-fuse{fuse=false}' --split-input-file | filecheck %s --check-prefix=NOFUSE
// RUN: env TG_FLAGS=fusion=0 tg-opt %s -p tg-fuse --split-input-file | filecheck %s --check-prefix=NOFUSE

// A diamond is one kernel, and the shared value is computed once in it.
// CHECK-LABEL: func.func @diamond(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?xf32>) -> tensor<?xf32> {
// CHECK-NEXT: %[[R:.+]] = tg.fusion(%[[X]]) {
// CHECK-NEXT: ^{{.+}}(%[[A:[^:]+]]: tensor<?xf32>):
// CHECK-NEXT: %[[S:.+]] = tg.sqrt %[[A]] : tensor<?xf32>
// CHECK-NEXT: %[[E:.+]] = tg.exp %[[S]] : tensor<?xf32>
// CHECK-NEXT: %[[N:.+]] = tg.neg %[[S]] : tensor<?xf32>
// CHECK-NEXT: %[[Y:.+]] = tg.add %[[E]], %[[N]]
// CHECK-NEXT: tg.fusion_yield %[[Y]] : tensor<?xf32>
// CHECK-NEXT: } : (tensor<?xf32>) -> tensor<?xf32>
// CHECK-NEXT: func.return %[[R]] : tensor<?xf32>

// Without fusion every op is a kernel of its own.
// NOFUSE-LABEL: func.func @diamond(
// NOFUSE: %[[S:.+]] = tg.fusion(
// NOFUSE: tg.sqrt
// NOFUSE-NEXT: tg.fusion_yield
// NOFUSE: %[[E:.+]] = tg.fusion(%[[S]]) {
// NOFUSE: tg.exp
// NOFUSE-NEXT: tg.fusion_yield
// NOFUSE: %[[N:.+]] = tg.fusion(%[[S]]) {
// NOFUSE: tg.neg
// NOFUSE-NEXT: tg.fusion_yield
// NOFUSE: %[[R:.+]] = tg.fusion(%[[E]], %[[N]]) {
// NOFUSE: tg.add
// NOFUSE-NEXT: tg.fusion_yield
// NOFUSE: func.return %[[R]]
func.func @diamond(%x: tensor<?xf32>) -> tensor<?xf32> {
  %s = tg.sqrt %x : tensor<?xf32>
  %a = tg.exp %s : tensor<?xf32>
  %b = tg.neg %s : tensor<?xf32>
  %r = tg.add %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %r : tensor<?xf32>
}

// -----

// a -> dot -> c and a -> c: fusing a into c would make a kernel that both feeds the
// dot and needs its result (not convex), so a, the dot and c are three kernels.
// CHECK-LABEL: func.func @not_convex(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?xf32>) -> tensor<?x?xf32> {
// CHECK-NEXT: %[[A:.+]] = tg.fusion(%[[X]]) {
// CHECK: tg.exp
// CHECK-NEXT: tg.fusion_yield
// CHECK: %[[D:.+]] = tg.fusion(%[[A]], %[[X]]) {
// CHECK-NEXT: ^{{.+}}
// CHECK-NEXT: tg.dot
// CHECK-NEXT: tg.fusion_yield
// CHECK: %[[C:.+]] = tg.fusion(%[[A]], %[[D]]) {
// CHECK-NEXT: ^{{.+}}
// CHECK-NEXT: tg.add
// CHECK-NEXT: tg.fusion_yield
// CHECK: func.return %[[C]]
func.func @not_convex(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %a = tg.exp %x : tensor<?x?xf32>
  %d = tg.dot %a, %x : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %c = tg.add %a, %d : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %c : tensor<?x?xf32>
}

// -----

// x + row vector, then tanh: one kernel; the view (dimshuffle) is copied into it.
// CHECK-LABEL: func.func @broadcasting(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?xf32>, %[[V:[^:]+]]: tensor<?xf32>) -> tensor<?x?xf32> {
// CHECK-NEXT: %[[R:.+]] = tg.fusion(%[[X]], %[[V]]) {
// CHECK-NEXT: ^{{.+}}(%[[A:[^:]+]]: tensor<?x?xf32>, %[[B:[^:]+]]: tensor<?xf32>):
// CHECK-NEXT: %[[ROW:.+]] = tg.dimshuffle %[[B]]
// CHECK-NEXT: %[[S:.+]] = tg.add %[[A]], %[[ROW]] : (tensor<?x?xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
// CHECK-NEXT: %[[T:.+]] = tg.tanh %[[S]]
// CHECK-NEXT: tg.fusion_yield %[[T]]
// CHECK-NEXT: } : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
// CHECK-NEXT: func.return %[[R]]
func.func @broadcasting(%x: tensor<?x?xf32>, %v: tensor<?xf32>) -> tensor<?x?xf32> {
  %r = tg.dimshuffle %v {pattern = array<i64: -1, 0>} : tensor<?xf32> -> tensor<1x?xf32>
  %s = tg.add %x, %r : (tensor<?x?xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  %t = tg.tanh %s : tensor<?x?xf32>
  func.return %t : tensor<?x?xf32>
}

// -----

// An exp that two consumers read with broadcasting would be recomputed for every
// element they read: it stays a kernel of its own, computed once, stored, and read
// by both.
// CHECK-LABEL: func.func @no_duplicate(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x1xf32>, %[[Y:[^:]+]]: tensor<?x?xf32>, %[[Z:[^:]+]]: tensor<?x?xf32>)
// CHECK-NEXT: %[[E:.+]] = tg.fusion(%[[X]]) {
// CHECK: tg.exp
// CHECK-NEXT: tg.fusion_yield
// CHECK-NOT: tg.exp
// CHECK: %[[A:.+]] = tg.fusion(%[[E]], %[[Y]]) {
// CHECK-NEXT: ^{{.+}}
// CHECK-NEXT: tg.add
// CHECK-NEXT: tg.fusion_yield
// CHECK-NOT: tg.exp
// CHECK: %[[B:.+]] = tg.fusion(%[[E]], %[[Z]]) {
// CHECK-NEXT: ^{{.+}}
// CHECK-NEXT: tg.mul
// CHECK-NEXT: tg.fusion_yield
// CHECK-NOT: tg.exp
// CHECK: func.return %[[A]], %[[B]]
func.func @no_duplicate(%x: tensor<?x1xf32>, %y: tensor<?x?xf32>, %z: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %e = tg.exp %x : tensor<?x1xf32>
  %a = tg.add %e, %y : (tensor<?x1xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %b = tg.mul %e, %z : (tensor<?x1xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %a, %b : tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// A chain of 34 additions of 35 inputs: kernels read at most 32 buffers each.
// CHECK-LABEL: func.func @wide(
// CHECK-NEXT: %[[P:.+]] = tg.fusion(%x0, %x1, %x2, %x3) {
// CHECK-COUNT-3: tg.add
// CHECK-NEXT: tg.fusion_yield
// CHECK: %[[R:.+]] = tg.fusion(%[[P]], %x4, %x5, %x6, %x7, %x8, %x9, %x10, %x11, %x12, %x13, %x14, %x15, %x16, %x17, %x18, %x19, %x20, %x21, %x22, %x23, %x24, %x25, %x26, %x27, %x28, %x29, %x30, %x31, %x32, %x33, %x34) {
// CHECK-COUNT-31: tg.add
// CHECK-NEXT: tg.fusion_yield
// CHECK-NOT: tg.fusion(
// CHECK: func.return %[[R]]
func.func @wide(%x0: tensor<?xf32>, %x1: tensor<?xf32>, %x2: tensor<?xf32>, %x3: tensor<?xf32>, %x4: tensor<?xf32>, %x5: tensor<?xf32>, %x6: tensor<?xf32>, %x7: tensor<?xf32>, %x8: tensor<?xf32>, %x9: tensor<?xf32>, %x10: tensor<?xf32>, %x11: tensor<?xf32>, %x12: tensor<?xf32>, %x13: tensor<?xf32>, %x14: tensor<?xf32>, %x15: tensor<?xf32>, %x16: tensor<?xf32>, %x17: tensor<?xf32>, %x18: tensor<?xf32>, %x19: tensor<?xf32>, %x20: tensor<?xf32>, %x21: tensor<?xf32>, %x22: tensor<?xf32>, %x23: tensor<?xf32>, %x24: tensor<?xf32>, %x25: tensor<?xf32>, %x26: tensor<?xf32>, %x27: tensor<?xf32>, %x28: tensor<?xf32>, %x29: tensor<?xf32>, %x30: tensor<?xf32>, %x31: tensor<?xf32>, %x32: tensor<?xf32>, %x33: tensor<?xf32>, %x34: tensor<?xf32>) -> tensor<?xf32> {
  %s1 = tg.add %x0, %x1 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s2 = tg.add %s1, %x2 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s3 = tg.add %s2, %x3 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s4 = tg.add %s3, %x4 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s5 = tg.add %s4, %x5 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s6 = tg.add %s5, %x6 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s7 = tg.add %s6, %x7 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s8 = tg.add %s7, %x8 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s9 = tg.add %s8, %x9 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s10 = tg.add %s9, %x10 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s11 = tg.add %s10, %x11 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s12 = tg.add %s11, %x12 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s13 = tg.add %s12, %x13 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s14 = tg.add %s13, %x14 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s15 = tg.add %s14, %x15 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s16 = tg.add %s15, %x16 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s17 = tg.add %s16, %x17 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s18 = tg.add %s17, %x18 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s19 = tg.add %s18, %x19 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s20 = tg.add %s19, %x20 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s21 = tg.add %s20, %x21 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s22 = tg.add %s21, %x22 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s23 = tg.add %s22, %x23 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s24 = tg.add %s23, %x24 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s25 = tg.add %s24, %x25 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s26 = tg.add %s25, %x26 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s27 = tg.add %s26, %x27 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s28 = tg.add %s27, %x28 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s29 = tg.add %s28, %x29 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s30 = tg.add %s29, %x30 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s31 = tg.add %s30, %x31 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s32 = tg.add %s31, %x32 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s33 = tg.add %s32, %x33 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %s34 = tg.add %s33, %x34 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %s34 : tensor<?xf32>
}

// -----

// sum(exp(x - max(x))): the max is one kernel; the subtraction, exp and sum are
// another, which reads x once.
// CHECK-LABEL: func.func @sum_exp(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?xf32>) -> tensor<?xf32> {
// CHECK-NEXT: %[[M:.+]] = tg.fusion(%[[X]]) {
// CHECK-NEXT: ^{{.+}}
// CHECK-NEXT: tg.max
// CHECK-NEXT: tg.fusion_yield
// CHECK-NEXT: } : (tensor<?x?xf32>) -> tensor<?xf32>
// CHECK-NEXT: %[[S:.+]] = tg.fusion(%[[X]], %[[M]]) {
// CHECK-NEXT: ^{{.+}}
// CHECK-NEXT: tg.dimshuffle
// CHECK-NEXT: tg.sub
// CHECK-NEXT: tg.exp
// CHECK-NEXT: %[[T:.+]] = tg.sum
// CHECK-NEXT: tg.fusion_yield %[[T]] : tensor<?xf32>
// CHECK-NEXT: } : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?xf32>
// CHECK-NEXT: func.return %[[S]]
func.func @sum_exp(%x: tensor<?x?xf32>) -> tensor<?xf32> {
  %m = tg.max %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
  %mr = tg.dimshuffle %m {pattern = array<i64: 0, -1>} : tensor<?xf32> -> tensor<?x1xf32>
  %d = tg.sub %x, %mr : (tensor<?x?xf32>, tensor<?x1xf32>) -> tensor<?x?xf32>
  %e = tg.exp %d : tensor<?x?xf32>
  %s = tg.sum %e {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
  func.return %s : tensor<?xf32>
}

// -----

// log(sum(exp(x))) over rows: the log is an epilogue in the sum's kernel, applied as
// each row's total is known.
// CHECK-LABEL: func.func @logsumexp(
// CHECK-NEXT: %[[R:.+]] = tg.fusion(%{{.+}}) {
// CHECK-NEXT: ^{{.+}}
// CHECK-NEXT: tg.exp
// CHECK-NEXT: %[[S:.+]] = tg.sum
// CHECK-NEXT: %[[L:.+]] = tg.log %[[S]]
// CHECK-NEXT: tg.fusion_yield %[[L]] : tensor<?xf32>
// CHECK-NEXT: } : (tensor<?x?xf32>) -> tensor<?xf32>
// CHECK-NEXT: func.return %[[R]]
func.func @logsumexp(%x: tensor<?x?xf32>) -> tensor<?xf32> {
  %e = tg.exp %x : tensor<?x?xf32>
  %s = tg.sum %e {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
  %l = tg.log %s : tensor<?xf32>
  func.return %l : tensor<?xf32>
}

// -----

// A sum over columns keeps its log apart: the total is known only after the last row.
// CHECK-LABEL: func.func @column_logsumexp(
// CHECK: tg.sum
// CHECK-NEXT: tg.fusion_yield
// CHECK: tg.fusion(
// CHECK-NEXT: ^{{.+}}
// CHECK-NEXT: tg.log
func.func @column_logsumexp(%x: tensor<?x?xf32>) -> tensor<?xf32> {
  %e = tg.exp %x : tensor<?x?xf32>
  %s = tg.sum %e {axes = array<i64: 0>} : tensor<?x?xf32> -> tensor<?xf32>
  %l = tg.log %s : tensor<?xf32>
  func.return %l : tensor<?xf32>
}

// -----

// softmax: max; then exp(x - max) stored while it is summed (one kernel with two
// outputs); then the division.
// CHECK-LABEL: func.func @softmax(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?xf32>) -> tensor<?x?xf32> {
// CHECK-NEXT: %[[M:.+]] = tg.fusion(%[[X]]) {
// CHECK-NEXT: ^{{.+}}
// CHECK-NEXT: tg.max
// CHECK-NEXT: tg.fusion_yield
// CHECK-NEXT: } : (tensor<?x?xf32>) -> tensor<?xf32>
// CHECK-NEXT: %[[E:[^,]+]], %[[S:.+]] = tg.fusion(%[[X]], %[[M]]) {
// CHECK-NEXT: ^{{.+}}
// CHECK-NEXT: tg.dimshuffle
// CHECK-NEXT: tg.sub
// CHECK-NEXT: %[[EI:.+]] = tg.exp
// CHECK-NEXT: %[[SI:.+]] = tg.sum %[[EI]]
// CHECK-NEXT: tg.fusion_yield %[[EI]], %[[SI]] : tensor<?x?xf32>, tensor<?xf32>
// CHECK-NEXT: } : (tensor<?x?xf32>, tensor<?xf32>) -> (tensor<?x?xf32>, tensor<?xf32>)
// CHECK-NEXT: %[[Y:.+]] = tg.fusion(%[[E]], %[[S]]) {
// CHECK-NEXT: ^{{.+}}
// CHECK-NEXT: tg.dimshuffle
// CHECK-NEXT: tg.div
// CHECK-NEXT: tg.fusion_yield
// CHECK-NEXT: } : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
// CHECK-NEXT: func.return %[[Y]]

// NOFUSE-LABEL: func.func @softmax(
// NOFUSE-COUNT-5: tg.fusion(
// NOFUSE-NOT: tg.fusion(
// NOFUSE: func.return
func.func @softmax(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %m = tg.max %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
  %mr = tg.dimshuffle %m {pattern = array<i64: 0, -1>} : tensor<?xf32> -> tensor<?x1xf32>
  %d = tg.sub %x, %mr : (tensor<?x?xf32>, tensor<?x1xf32>) -> tensor<?x?xf32>
  %e = tg.exp %d : tensor<?x?xf32>
  %s = tg.sum %e {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
  %sr = tg.dimshuffle %s {pattern = array<i64: 0, -1>} : tensor<?xf32> -> tensor<?x1xf32>
  %y = tg.div %e, %sr : (tensor<?x?xf32>, tensor<?x1xf32>) -> tensor<?x?xf32>
  func.return %y : tensor<?x?xf32>
}

// -----

// A non-splat constant stays outside (a global read by the kernel); a splat is
// copied into the kernel that reads it.
// CHECK-LABEL: func.func @constants(
// CHECK-NEXT: %[[C:.+]] = tg.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK-NEXT: %[[R:.+]] = tg.fusion(%{{.+}}, %[[C]]) {
// CHECK-NEXT: ^{{.+}}
// CHECK-NEXT: tg.constant dense<2.000000e+00> : tensor<3xf32>
// CHECK-NEXT: tg.mul
// CHECK-NEXT: tg.add
// CHECK-NEXT: tg.fusion_yield
func.func @constants(%a: tensor<3xf32>) -> tensor<3xf32> {
  %c = tg.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %s = tg.constant dense<2.0> : tensor<3xf32>
  %0 = tg.mul %a, %s : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = tg.add %0, %c : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %1 : tensor<3xf32>
}
