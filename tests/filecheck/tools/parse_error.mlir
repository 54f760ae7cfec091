// Malformed input: exit status 1, one message with file:line:column, no traceback.
// RUN: not tg-opt %s 2>&1 | filecheck %s

// CHECK-NOT: Traceback
// CHECK: tg-opt: error: {{.*}}parse_error.mlir:[[# @LINE + 5]]:18
// CHECK-NEXT: %0 = tg.add %a : tensor<?xf32>
// CHECK: Expected ','
// CHECK-NOT: Traceback
func.func @f(%a: tensor<?xf32>) -> tensor<?xf32> {
  %0 = tg.add %a : tensor<?xf32>
  func.return %0 : tensor<?xf32>
}
