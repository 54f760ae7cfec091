// tg-opt's stage options, its help text, and its handling of bad stage names.
// RUN: tg-opt %s | filecheck %s --check-prefix=GRAPH
// RUN: tg-opt %s --to-stage optimized | filecheck %s --check-prefix=OPT
// RUN: tg-opt %s --to-stage loops | filecheck %s --check-prefix=LOOPS
// RUN: tg-opt %s --to-stage llvm | filecheck %s --check-prefix=LLVM
// RUN: tg-opt %s --to-stage loops | tg-opt --from-stage loops --to-stage llvm | filecheck %s --check-prefix=LLVM
// RUN: tg-opt %s --to-stage llvm -t llvm | filecheck %s --check-prefix=LLVMIR
// RUN: tg-opt --help | filecheck %s --check-prefix=HELP
// RUN: not tg-opt %s --to-stage bogus 2>&1 | filecheck %s --check-prefix=BAD-STAGE
// RUN: not tg-opt %s --from-stage llvm --to-stage loops 2>&1 | filecheck %s --check-prefix=BACKWARDS

func.func @main(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %dead = tg.exp %a : tensor<?xf32>
  %0 = tg.mul %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %1 = tg.mul %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %2 = tg.add %0, %1 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %2 : tensor<?xf32>
}

// Without --to-stage nothing runs.
// GRAPH: func.func @main(%{{.*}}: tensor<?xf32>, %{{.*}}: tensor<?xf32>) -> tensor<?xf32> {
// GRAPH-NEXT: tg.exp
// GRAPH-NEXT: tg.mul
// GRAPH-NEXT: tg.mul
// GRAPH-NEXT: tg.add

// optimized: common subexpressions merged, dead ops removed.
// OPT: func.func @main(%[[A:[^:]+]]: tensor<?xf32>, %[[B:[^:]+]]: tensor<?xf32>) -> tensor<?xf32> {
// OPT-NEXT: %[[M:.+]] = tg.mul %[[A]], %[[B]] : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
// OPT-NEXT: %[[S:.+]] = tg.add %[[M]], %[[M]] : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
// OPT-NEXT: func.return %[[S]] : tensor<?xf32>

// loops runs the optimized stage's passes first: one product, stored once, no exp.
// LOOPS: func.func @main(%{{[^:]+}}: memref<?xf32>, %{{[^:]+}}: memref<?xf32>, %[[OUT:[^:]+]]: memref<?xf32>, %status: memref<i32>) {
// LOOPS-NOT: math.exp
// LOOPS: %[[BUF:.+]] = memref.alloc
// LOOPS: arith.mulf
// LOOPS-NOT: arith.mulf
// LOOPS: arith.addf
// LOOPS: memref.store %{{.*}}, %[[OUT]]
// LOOPS: memref.dealloc %[[BUF]]
// LOOPS-NOT: tg.
// LOOPS-NOT: math.exp

// LLVM: llvm.func @main(%{{[^:]+}}: !llvm.ptr {llvm.noalias}, %{{[^:]+}}: i64, %{{[^:]+}}: !llvm.ptr {llvm.noalias}, %{{[^:]+}}: i64, %{{[^:]+}}: !llvm.ptr {llvm.noalias}, %{{[^:]+}}: i64, %{{[^:]+}}: !llvm.ptr {llvm.noalias}) {
// LLVM-NOT: scf.
// LLVM-NOT: memref.
// LLVM-NOT: arith.
// LLVM: llvm.call @malloc
// LLVM: llvm.fmul
// LLVM: llvm.fadd
// LLVM: llvm.call @free
// LLVM: llvm.return
// LLVM-DAG: llvm.func @free(!llvm.ptr)
// LLVM-DAG: llvm.func @malloc(i64) -> !llvm.ptr

// LLVMIR: define void @{{"?}}main{{"?}}(ptr noalias
// LLVMIR: fmul float
// LLVMIR: fadd float
// LLVMIR: ret void

// HELP: usage: tg-opt
// HELP: --from-stage
// HELP: --to-stage
// HELP-LABEL: tg passes:
// HELP-DAG: {{^  }}cse{{$}}
// HELP-DAG: {{^  }}dce{{$}}
// HELP-DAG: {{^  }}convert-tg-to-loops{{$}}
// HELP-DAG: {{^  }}convert-scf-to-cf{{$}}
// HELP-DAG: {{^  }}convert-loops-to-llvm{{$}}
// HELP: stages: graph, optimized, {{.*}}loops, {{.*}}llvm

// BAD-STAGE-NOT: Traceback
// BAD-STAGE: tg-opt: error: unknown stage 'bogus'; stages are graph, optimized, {{.*}}loops, {{.*}}llvm
// BAD-STAGE-NOT: Traceback

// BACKWARDS-NOT: Traceback
// BACKWARDS: tg-opt: error: stage 'loops' comes before 'llvm'
// BACKWARDS-NOT: Traceback
