// Every verifier error of the kernel ops (tg.fusion, tg.fusion_yield, tg.compute,
// tg.buffer, tg.release), one malformed op per split.
// RUN: tg-opt %s --split-input-file --verify-diagnostics | filecheck %s

// tg.fusion: one body argument per input, of the input's type
// CHECK: tg.fusion: the body's arguments must have the inputs' types (tensor<?xf32>), got tensor<?xf64>
func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = tg.fusion(%x) {
  ^bb0(%a: tensor<?xf64>):
    %1 = tg.cast %a : tensor<?xf64> to tensor<?xf32>
    tg.fusion_yield %1 : tensor<?xf32>
  } : (tensor<?xf32>) -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// -----

// tg.fusion: as many body arguments as inputs
// CHECK: // {{-----}}
// CHECK-NEXT: tg.fusion: the body's arguments must have the inputs' types (tensor<?xf32>, tensor<?xf32>), got tensor<?xf32>
func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = tg.fusion(%x, %x) {
  ^bb0(%a: tensor<?xf32>):
    tg.fusion_yield %a : tensor<?xf32>
  } : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// -----

// tg.fusion: the body ends with a terminator
// CHECK: // {{-----}}
// CHECK-NEXT: Operation tg.exp terminates block in single-block region but is not a terminator
func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = tg.fusion(%x) {
  ^bb0(%a: tensor<?xf32>):
    %1 = tg.exp %a : tensor<?xf32>
  } : (tensor<?xf32>) -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// -----

// tg.fusion: an empty body has no terminator
// CHECK: // {{-----}}
// CHECK-NEXT: Operation tg.fusion contains empty block in single-block region that expects at least a terminator
func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = "tg.fusion"(%x) ({
  ^bb0(%a: tensor<?xf32>):
  }) : (tensor<?xf32>) -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// -----

// tg.fusion: the body yields one value per output, of the output's type
// CHECK: // {{-----}}
// CHECK-NEXT: tg.fusion: the body yields tensor<?xf32>, tensor<?xf32> but the outputs are tensor<?xf32>
func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = tg.fusion(%x) {
  ^bb0(%a: tensor<?xf32>):
    %1 = tg.exp %a : tensor<?xf32>
    tg.fusion_yield %1, %1 : tensor<?xf32>, tensor<?xf32>
  } : (tensor<?xf32>) -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// -----

// tg.fusion: a yielded type differs from the output's
// CHECK: // {{-----}}
// CHECK-NEXT: tg.fusion: the body yields tensor<3xf32> but the outputs are tensor<?xf32>
func.func @f(%x: tensor<3xf32>) -> tensor<?xf32> {
  %0 = tg.fusion(%x) {
  ^bb0(%a: tensor<3xf32>):
    tg.fusion_yield %a : tensor<3xf32>
  } : (tensor<3xf32>) -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// -----

// tg.fusion: a kernel computes something
// CHECK: // {{-----}}
// CHECK-NEXT: tg.fusion: a kernel has at least one output
func.func @f(%x: tensor<?xf32>) {
  "tg.fusion"(%x) ({
  ^bb0(%a: tensor<?xf32>):
    "tg.fusion_yield"() : () -> ()
  }) : (tensor<?xf32>) -> ()
  func.return
}

// -----

// tg.fusion: at most MAX_KERNEL_OPERANDS (32) inputs
// CHECK: // {{-----}}
// CHECK-NEXT: tg.fusion: 33 inputs, more than the cap of 32
func.func @f(%x0: tensor<?xf32>, %x1: tensor<?xf32>, %x2: tensor<?xf32>, %x3: tensor<?xf32>, %x4: tensor<?xf32>, %x5: tensor<?xf32>, %x6: tensor<?xf32>, %x7: tensor<?xf32>, %x8: tensor<?xf32>, %x9: tensor<?xf32>, %x10: tensor<?xf32>, %x11: tensor<?xf32>, %x12: tensor<?xf32>, %x13: tensor<?xf32>, %x14: tensor<?xf32>, %x15: tensor<?xf32>, %x16: tensor<?xf32>, %x17: tensor<?xf32>, %x18: tensor<?xf32>, %x19: tensor<?xf32>, %x20: tensor<?xf32>, %x21: tensor<?xf32>, %x22: tensor<?xf32>, %x23: tensor<?xf32>, %x24: tensor<?xf32>, %x25: tensor<?xf32>, %x26: tensor<?xf32>, %x27: tensor<?xf32>, %x28: tensor<?xf32>, %x29: tensor<?xf32>, %x30: tensor<?xf32>, %x31: tensor<?xf32>, %x32: tensor<?xf32>) -> tensor<?xf32> {
  %0 = tg.fusion(%x0, %x1, %x2, %x3, %x4, %x5, %x6, %x7, %x8, %x9, %x10, %x11, %x12, %x13, %x14, %x15, %x16, %x17, %x18, %x19, %x20, %x21, %x22, %x23, %x24, %x25, %x26, %x27, %x28, %x29, %x30, %x31, %x32) {
  ^bb0(%a0: tensor<?xf32>, %a1: tensor<?xf32>, %a2: tensor<?xf32>, %a3: tensor<?xf32>, %a4: tensor<?xf32>, %a5: tensor<?xf32>, %a6: tensor<?xf32>, %a7: tensor<?xf32>, %a8: tensor<?xf32>, %a9: tensor<?xf32>, %a10: tensor<?xf32>, %a11: tensor<?xf32>, %a12: tensor<?xf32>, %a13: tensor<?xf32>, %a14: tensor<?xf32>, %a15: tensor<?xf32>, %a16: tensor<?xf32>, %a17: tensor<?xf32>, %a18: tensor<?xf32>, %a19: tensor<?xf32>, %a20: tensor<?xf32>, %a21: tensor<?xf32>, %a22: tensor<?xf32>, %a23: tensor<?xf32>, %a24: tensor<?xf32>, %a25: tensor<?xf32>, %a26: tensor<?xf32>, %a27: tensor<?xf32>, %a28: tensor<?xf32>, %a29: tensor<?xf32>, %a30: tensor<?xf32>, %a31: tensor<?xf32>, %a32: tensor<?xf32>):
    tg.fusion_yield %a0 : tensor<?xf32>
  } : (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// -----

// tg.fusion_yield: only in a kernel body
// CHECK: // {{-----}}
// CHECK-NEXT: 'tg.fusion_yield' expects parent op to be one of 'tg.fusion', 'tg.compute'
func.func @f(%n: tensor<i64>, %x: tensor<?xf64>) -> tensor<?x?xf64> {
  %0 = tg.map %n, %x {
  ^bb0(%i: tensor<i64>, %y: tensor<?xf64>):
    tg.fusion_yield %y : tensor<?xf64>
  } : (tensor<i64>, tensor<?xf64>) -> tensor<?x?xf64>
  func.return %0 : tensor<?x?xf64>
}

// -----

// tg.compute: the body takes the tensor types of the ins
// CHECK: // {{-----}}
// CHECK-NEXT: tg.compute: the body's arguments must have the inputs' types (tensor<?xf32>), got tensor<3xf32>
func.func @f(%x: memref<?xf32>, %o: memref<?xf32>) {
  tg.compute ins(%x : memref<?xf32>) outs(%o : memref<?xf32>) {
  ^bb0(%a: tensor<3xf32>):
    %1 = tg.exp %a : tensor<3xf32>
    tg.fusion_yield %1 : tensor<3xf32>
  }
  func.return
}

// -----

// tg.compute: the body yields the tensor types of the outs
// CHECK: // {{-----}}
// CHECK-NEXT: tg.compute: the body yields tensor<?xf32> but the outputs are tensor<?xf64>
func.func @f(%x: memref<?xf32>, %o: memref<?xf64>) {
  tg.compute ins(%x : memref<?xf32>) outs(%o : memref<?xf64>) {
  ^bb0(%a: tensor<?xf32>):
    %1 = tg.exp %a : tensor<?xf32>
    tg.fusion_yield %1 : tensor<?xf32>
  }
  func.return
}

// -----

// tg.compute: a buffer is written once
// CHECK: // {{-----}}
// CHECK-NEXT: tg.compute: a buffer appears twice among the outputs
func.func @f(%x: memref<?xf32>, %o: memref<?xf32>) {
  tg.compute ins(%x : memref<?xf32>) outs(%o, %o : memref<?xf32>, memref<?xf32>) {
  ^bb0(%a: tensor<?xf32>):
    %1 = tg.exp %a : tensor<?xf32>
    tg.fusion_yield %1, %1 : tensor<?xf32>, tensor<?xf32>
  }
  func.return
}

// -----

// tg.compute: operands are buffers
// CHECK: // {{-----}}
// CHECK-NEXT: tensor<?xf32> should be of base attribute memref
func.func @f(%x: tensor<?xf32>, %o: memref<?xf32>) {
  tg.compute ins(%x : tensor<?xf32>) outs(%o : memref<?xf32>) {
  ^bb0(%a: tensor<?xf32>):
    tg.fusion_yield %a : tensor<?xf32>
  }
  func.return
}

// -----

// tg.release: only an intermediate buffer, not an argument
// CHECK: // {{-----}}
// CHECK-NEXT: tg.release: only a tg.buffer can be released
func.func @f(%x: memref<?xf32>) {
  tg.release %x : memref<?xf32>
  func.return
}

// -----

// tg.buffer: a memref
// CHECK: // {{-----}}
// CHECK-NEXT: tensor<?xf32> should be of base attribute memref
func.func @f() {
  %b = tg.buffer : tensor<?xf32>
  func.return
}
