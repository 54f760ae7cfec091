// tg-opt's stage options, its help text, and its handling of bad stage names.
// RUN: tg-opt %s | filecheck %s --check-prefix=GRAPH
// RUN: tg-opt %s --to-stage optimized | filecheck %s --check-prefix=OPT
// RUN: tg-opt %s --to-stage fused | filecheck %s --check-prefix=FUSED
// RUN: tg-opt %s --to-stage buffers | filecheck %s --check-prefix=BUFFERS
// RUN: tg-opt %s --to-stage loops | filecheck %s --check-prefix=LOOPS
// RUN: tg-opt %s --to-stage buffers | tg-opt --from-stage buffers --to-stage loops | filecheck %s --check-prefix=LOOPS
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

// fused: the product and the sum are one kernel.
// FUSED: func.func @main(%[[A:[^:]+]]: tensor<?xf32>, %[[B:[^:]+]]: tensor<?xf32>) -> tensor<?xf32> {
// FUSED-NEXT: %[[K:.+]] = tg.fusion(%[[A]], %[[B]]) {
// FUSED-NEXT: ^bb0(%[[X:[^:]+]]: tensor<?xf32>, %[[Y:[^:]+]]: tensor<?xf32>):
// FUSED-NEXT: %[[M:.+]] = tg.mul %[[X]], %[[Y]]
// FUSED-NEXT: %[[S:.+]] = tg.add %[[M]], %[[M]]
// FUSED-NEXT: tg.fusion_yield %[[S]] : tensor<?xf32>
// FUSED-NEXT: } : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
// FUSED-NEXT: func.return %[[K]] : tensor<?xf32>

// buffers: the kernel writes the caller's output buffer; no intermediate buffer.
// BUFFERS: func.func @main(%[[A:[^:]+]]: memref<?xf32>, %[[B:[^:]+]]: memref<?xf32>, %[[OUT:[^:]+]]: memref<?xf32>, %status: memref<i32>) attributes {tg.buffers = 0 : i64, tg.peak_bytes = 0 : i64} {
// BUFFERS-NEXT: tg.compute ins(%[[A]], %[[B]] : memref<?xf32>, memref<?xf32>) outs(%[[OUT]] : memref<?xf32>) {
// BUFFERS-NOT: tg.buffer
// BUFFERS: func.return

// loops runs the optimized stage's passes first: no exp, and the product is
// computed once per element in the sum's loop, with no temporary buffer.
// LOOPS: func.func @main(%{{[^:]+}}: memref<?xf32>, %{{[^:]+}}: memref<?xf32>, %[[OUT:[^:]+]]: memref<?xf32>, %status: memref<i32>) {
// LOOPS-NOT: memref.alloc
// LOOPS: scf.for
// LOOPS-NEXT: memref.load
// LOOPS-NEXT: memref.load
// LOOPS-NEXT: %[[M:.+]] = arith.mulf
// LOOPS-NEXT: %[[S:.+]] = arith.addf %[[M]], %[[M]] : f32
// LOOPS-NEXT: memref.store %[[S]], %[[OUT]]
// LOOPS-NEXT: }
// LOOPS-NOT: memref.alloc
// LOOPS-NOT: tg.
// LOOPS-NOT: math.exp

// LLVM: llvm.func @main(%{{[^:]+}}: !llvm.ptr {llvm.noalias}, %{{[^:]+}}: i64, %{{[^:]+}}: !llvm.ptr {llvm.noalias}, %{{[^:]+}}: i64, %{{[^:]+}}: !llvm.ptr {llvm.noalias}, %{{[^:]+}}: i64, %{{[^:]+}}: !llvm.ptr {llvm.noalias}) {
// LLVM-NOT: scf.
// LLVM-NOT: memref.
// LLVM-NOT: arith.
// LLVM-NOT: llvm.call @malloc
// LLVM: llvm.fmul
// LLVM-NEXT: llvm.fadd
// LLVM: llvm.return
// LLVM-NOT: scf.
// LLVM-NOT: memref.
// LLVM-NOT: arith.
// LLVM-NOT: llvm.func @malloc

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
// HELP-DAG: {{^  }}tg-fuse{{$}}
// HELP-DAG: {{^  }}tg-bufferize{{$}}
// HELP: stages: cpu: graph, optimized, fused, buffers, loops, llvm, llvmir; cuda: graph, optimized, fused, buffers, gpu, cuda

// BAD-STAGE-NOT: Traceback
// BAD-STAGE: tg-opt: error: unknown stage 'bogus'; stages are graph, optimized, {{.*}}loops, {{.*}}llvm
// BAD-STAGE-NOT: Traceback

// BACKWARDS-NOT: Traceback
// BACKWARDS: tg-opt: error: stage 'loops' comes before 'llvm'
// BACKWARDS-NOT: Traceback
