// A pass that cannot lower its input fails with exit status 1 and a message, not a
// traceback: here graph-level IR is declared to be at the loops stage, so
// convert-loops-to-llvm meets a tg op.
// RUN: not tg-opt %s --from-stage loops --to-stage llvm 2>&1 | filecheck %s

// CHECK-NOT: Traceback
// CHECK: tg-opt: error: convert-loops-to-llvm cannot lower tg.exp
// CHECK-NOT: Traceback
func.func @f(%a: tensor<?xf32>) -> tensor<?xf32> {
  %0 = tg.exp %a : tensor<?xf32>
  func.return %0 : tensor<?xf32>
}
