// When verification fails, tg-opt prints the IR with the failing op marked, since
// xDSL 0.74 records no source locations on parsed ops.
// RUN: not tg-opt %s 2>&1 | filecheck %s

// CHECK: tg-opt: error: tg.exp: operand must be floating point, got tensor<?xi32>
// CHECK: "tg.exp"(%{{.*}}) : (tensor<?xi32>) -> tensor<?xi32>
// CHECK-NEXT: ^^^^
// CHECK-NEXT: | Operation does not verify: tg.exp: operand must be floating point
// CHECK-NOT: Traceback
func.func @f(%a: tensor<?xi32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %0 = tg.exp %b : tensor<?xf32>
  %1 = tg.exp %a : tensor<?xi32>
  func.return %0 : tensor<?xf32>
}
