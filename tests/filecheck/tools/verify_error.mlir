// IR that parses but does not verify: exit status 1, the verifier's message, no
// traceback, nothing printed on stdout.
// RUN: not tg-opt %s 2>&1 | filecheck %s
// RUN: not tg-opt %s 2>/dev/null | filecheck %s --check-prefix=STDOUT --allow-empty

// CHECK-NOT: Traceback
// CHECK: tg-opt: error: {{.*}}tg.exp: operand must be floating point, got tensor<?xi32>
// CHECK-NOT: Traceback

// STDOUT-NOT: {{.}}
func.func @f(%a: tensor<?xi32>) -> tensor<?xi32> {
  %0 = tg.exp %a : tensor<?xi32>
  func.return %0 : tensor<?xi32>
}
