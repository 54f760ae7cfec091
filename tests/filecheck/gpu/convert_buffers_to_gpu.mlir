// convert-buffers-to-gpu: kernels in gpu.module @kernels, a host function of launches.
// RUN: tg-opt %s -p convert-buffers-to-gpu --split-input-file | filecheck %s

// Elementwise with a broadcast operand: one thread per output element over the flat
// index (grid-stride), the bias read at the column index only (one remui, no
// division); the host sizes the grid from the output's sizes.
// CHECK: "gpu.module"() <{sym_name = "kernels"}>
// CHECK: "gpu.func"() <{function_type = (index, index, memref<?xf32>, memref<?xf32>, memref<?xf32>) -> (), kernel}>
// CHECK-NEXT: ^bb0(%[[M:.+]]: index, %[[N:.+]]: index, %[[X:.+]]: memref<?xf32>, %[[B:.+]]: memref<?xf32>, %[[OUT:.+]]: memref<?xf32>):
// CHECK: %[[TOTAL:.+]] = arith.muli %[[M]], %[[N]] : index
// CHECK: scf.for %[[I:.+]] = %{{.+}} to %[[TOTAL]] step %{{.+}} {
// CHECK-NEXT: %[[COL:.+]] = arith.remui %[[I]], %[[N]] : index
// CHECK-NEXT: %[[XI:.+]] = memref.load %[[X]][%[[I]]] : memref<?xf32>
// CHECK-NEXT: %[[BI:.+]] = memref.load %[[B]][%[[COL]]] : memref<?xf32>
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[XI]], %[[BI]] : f32
// CHECK-NEXT: %[[T:.+]] = math.tanh %[[S]] : f32
// CHECK-NEXT: memref.store %[[T]], %[[OUT]][%[[I]]] : memref<?xf32>
// CHECK: {sym_name = "bias_tanh_elementwise1", tg_gpu.launch_bounds = 256 : i64}
// CHECK: func.func @bias_tanh(%x: memref<?x?xf32>, %b: memref<?xf32>, %out0: memref<?x?xf32>, %status: memref<i32>)
// CHECK: %[[D0:.+]] = memref.dim %out0, %{{.+}} : memref<?x?xf32>
// CHECK-NEXT: %[[D1:.+]] = memref.dim %out0, %{{.+}} : memref<?x?xf32>
// CHECK-NEXT: %[[WORK:.+]] = arith.muli %[[D0]], %[[D1]] : index
// CHECK: %[[BLOCKS:.+]] = arith.ceildivui %[[WORK]], %{{.+}} : index
// CHECK: "gpu.launch_func"(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[D0]], %[[D1]], %x, %b, %out0) <{kernel = @kernels::@bias_tanh_elementwise1
// CHECK-NEXT: func.return
func.func @bias_tanh(%x: tensor<?x?xf32>, %b: tensor<?xf32>) -> tensor<?x?xf32> {
  %0 = tg.dimshuffle %b {pattern = array<i64: -1, 0>} : tensor<?xf32> -> tensor<1x?xf32>
  %1 = tg.add %x, %0 : (tensor<?x?xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  %2 = tg.tanh %1 : tensor<?x?xf32>
  func.return %2 : tensor<?x?xf32>
}

// -----

// Operands of the output's shape only: a 16-byte path (four f32 per thread, one
// vector load per operand and one vector store) taken when every pointer is
// 16-byte aligned; the scalar loop then does the remaining n % 4 elements (all of
// them on misaligned pointers). exp is CUDA's (math.exp), not a polynomial.
// CHECK: // {{-----}}
// CHECK: "gpu.func"
// CHECK: %[[OK:.+]] = tg_gpu.aligned %[[A:.+]], %[[B:.+]], %[[OUT:.+]] {bytes = 16 : i64} : memref<?xf32>, memref<?xf32>, memref<?xf32>
// CHECK: %[[VECTORS:.+]] = arith.divui %[[N:.+]], %[[FOUR:.+]] : index
// CHECK: %[[START:.+]] = arith.select %[[OK]], %{{.+}}, %{{.+}} : index
// CHECK: scf.if %[[OK]] {
// CHECK: scf.for %[[V:.+]] = %{{.+}} to %[[VECTORS]] step
// CHECK-NEXT: %[[BASE:.+]] = arith.muli %[[V]], %[[FOUR]] : index
// CHECK-NEXT: %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} = tg_gpu.vector_load %[[A]][%[[BASE]]] : memref<?xf32> -> f32, f32, f32, f32
// CHECK-NEXT: %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} = tg_gpu.vector_load %[[B]][%[[BASE]]] : memref<?xf32> -> f32, f32, f32, f32
// CHECK-COUNT-4: math.exp
// CHECK: tg_gpu.vector_store %[[OUT]][%[[BASE]]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : memref<?xf32>, f32, f32, f32, f32
// CHECK: scf.for %[[I:.+]] = %{{.+}} to %[[N]] step
// CHECK: memref.load %[[A]][%[[I]]]
// CHECK: memref.store %{{.+}}, %[[OUT]][%[[I]]] : memref<?xf32>
func.func @exp_mul(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = tg.exp %a : tensor<?x?xf32>
  %1 = tg.mul %0, %b : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %1 : tensor<?x?xf32>
}

// -----

// A last-axis reduction with a side output and an epilogue (the exp is stored as it
// is summed, the log of the sum stored instead of it): one block per row, its
// threads striding along the row; warp shuffles (xor 16 ... 1) then shared memory
// combine the partial sums; thread 0 stores the epilogue.
// CHECK: // {{-----}}
// CHECK: "gpu.func"
// CHECK: %[[SHARED:.+]] = tg_gpu.shared_array : memref<32xf32>
// CHECK: scf.for %[[ROW:.+]] = %[[BLOCK:.+]] to %{{.+}} step %{{.+}} {
// CHECK: %[[SUM:.+]] = scf.for %[[J:.+]] = %[[TID:.+]] to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}}) -> (f32) {
// CHECK: %[[E:.+]] = math.exp
// CHECK-NEXT: memref.store %[[E]]
// CHECK-NEXT: %[[NEXT:.+]] = arith.addf %[[ACC]], %[[E]]
// CHECK-NEXT: scf.yield %[[NEXT]] : f32
// CHECK: tg_gpu.shuffle_xor %[[SUM]], %{{.+}} : f32
// CHECK-COUNT-4: tg_gpu.shuffle_xor
// CHECK: memref.store %{{.+}}, %[[SHARED]][%{{.+}}] : memref<32xf32>
// CHECK: "gpu.barrier"() : () -> ()
// CHECK: memref.load %[[SHARED]]
// CHECK-COUNT-5: tg_gpu.shuffle_xor
// CHECK: "gpu.barrier"() : () -> ()
// CHECK: scf.if
// CHECK-NEXT: %[[LOG:.+]] = math.log
// CHECK-NEXT: memref.store %[[LOG]], %{{.+}}[%[[ROW]]] : memref<?xf32>
// CHECK: func.func @exp_sum_log
// CHECK: "gpu.launch_func"
func.func @exp_sum_log(%x: memref<?x?xf32>, %out0: memref<?x?xf32>, %out1: memref<?xf32>, %status: memref<i32>) {
  tg.compute ins(%x : memref<?x?xf32>) outs(%out0, %out1 : memref<?x?xf32>, memref<?xf32>) {
  ^bb0(%a: tensor<?x?xf32>):
    %e = tg.exp %a : tensor<?x?xf32>
    %s = tg.sum %e {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
    %l = tg.log %s : tensor<?xf32>
    tg.fusion_yield %e, %l : tensor<?x?xf32>, tensor<?xf32>
  }
  func.return
}

// -----

// Reducing the leading axis: one thread per output column looping over the rows
// (consecutive threads read consecutive elements); max keeps NaN (maximumf).
// CHECK: // {{-----}}
// CHECK: "gpu.func"
// CHECK: scf.for %[[COL:.+]] = %{{.+}} to %{{.+}} step %{{.+}} {
// CHECK-NEXT: %[[LOWEST:.+]] = arith.constant 0xff800000 : f32
// CHECK-NEXT: %[[MAX:.+]] = scf.for %[[R:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %[[LOWEST]]) -> (f32) {
// CHECK: %[[V:.+]] = memref.load
// CHECK-NEXT: %[[M:.+]] = arith.maximumf %[[ACC]], %[[V]] : f32
// CHECK: memref.store %[[MAX]], %{{.+}}[%[[COL]]] : memref<?xf32>
func.func @column_max(%x: tensor<?x?xf32>) -> tensor<?xf32> {
  %0 = tg.max %x {axes = array<i64: 0>} : tensor<?x?xf32> -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// -----

// Reducing every axis: grid-strided partial sums into a device buffer of one per
// block, then one block combines them; the host allocates and frees the partials.
// CHECK: // {{-----}}
// CHECK: "gpu.func"
// CHECK: tg_gpu.shuffle_xor
// CHECK: sym_name = "total_reduce_all1"
// CHECK: tg_gpu.shuffle_xor
// CHECK: sym_name = "total_reduce_partials2"
// CHECK: func.func @total
// CHECK: %[[PARTIALS:.+]] = "gpu.alloc"(%[[COUNT:.+]]) <{operandSegmentSizes = array<i32: 0, 1, 0>}> : (index) -> memref<?xf32>
// CHECK: "gpu.launch_func"(%[[COUNT]], {{.*}}@kernels::@total_reduce_all1
// CHECK: "gpu.launch_func"({{.*}}@kernels::@total_reduce_partials2
// CHECK: "gpu.dealloc"(%[[PARTIALS]])
func.func @total(%x: tensor<?x?xf32>) -> tensor<f32> {
  %0 = tg.sum %x {axes = array<i64: 0, 1>} : tensor<?x?xf32> -> tensor<f32>
  func.return %0 : tensor<f32>
}

// -----

// An advanced increment: the input copied into the output, then one thread per
// indexed element adds its value atomically (repeated indices accumulate); an index
// the function computed (unchecked before the call) out of range sets the status (compare-and-swap from 0: the first error wins) and
// its write is skipped. The message is in tg.errors.
// CHECK: // {{-----}}
// CHECK: "gpu.func"
// CHECK: sym_name = "scatter_elementwise{{[0-9]+}}"
// CHECK: tg_gpu.atomic_cas %{{.+}}[%{{.+}}], %{{.+}}, %{{.+}} : memref<?xi32>, i32
// CHECK: scf.if
// CHECK: } else {
// CHECK: tg_gpu.atomic_add %{{.+}}[%{{.+}}], %{{.+}} : memref<?xf32>, f32
// CHECK: sym_name = "scatter_scatter{{[0-9]+}}"
// CHECK: func.func @scatter({{.*}}) attributes {{{.*}}tg.errors = ["IndexError|tg.advanced_inc_subtensor: index array 0 holds an index out of bounds for axis 0
func.func @scatter(%x: tensor<?x?xf32>, %i: tensor<?xi64>, %v: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %one = tg.constant dense<1> : tensor<1xi64>
  %j = tg.add %i, %one : (tensor<?xi64>, tensor<1xi64>) -> tensor<?xi64>
  %0 = tg.advanced_inc_subtensor %x[%j], %v : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xi64>
  func.return %0 : tensor<?x?xf32>
}

// -----

// A GEMM is a host tg_gpu.gemm on row-major device buffers (sizes, leading
// dimensions at least 1, device scalars alpha and beta: beta, a constant, in a 0-d
// buffer a small kernel fills); the module carries the fallback tiled kernel
// tg_gemm_f32 (8 x 8 products per thread and step of k, unrolled) with its tile and
// block size.
// CHECK: // {{-----}}
// CHECK: "gpu.module"
// CHECK: tg_gpu.shared_array : memref<8x128xf32>
// CHECK-COUNT-512: arith.mulf
// CHECK: {sym_name = "tg_gemm_f32", tg_gpu.launch_bounds = 256 : i64, tg_gpu.gemm_tile = array<i64: 128, 128>, gpu.known_block_size = array<i32: 256, 1, 1>}
// CHECK: func.func @product
// CHECK: tg_gpu.gemm %x, %y, %out0, %alpha, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {trans_b} : memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>, memref<f32>, memref<f32>
func.func @product(%alpha: tensor<f32>, %x: tensor<?x?xf32>, %y: tensor<?x?xf32>, %beta: tensor<f32>) -> tensor<?x?xf32> {
  %0 = tg.gemm %alpha, %x, %y, %beta {trans_y} : (tensor<f32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
  func.return %0 : tensor<?x?xf32>
}

// -----

// A row chain (softmax: the row maximum; exp(x - max) and its sum; the division) is
// one kernel, one block per row: two block reductions, the row read three times
// (from cache after the first) and written once; max, exp and sum are not stored
// (no gpu.alloc), the exp computed again for the division.
// CHECK: // {{-----}}
// CHECK: "gpu.func"
// CHECK: scf.for %[[ROW:.+]] = %{{.+}} to %{{.+}} step %{{.+}} {
// CHECK: %[[MAX:.+]] = scf.for {{.*}} -> (f32) {
// CHECK: arith.maximumf
// CHECK-COUNT-5: tg_gpu.shuffle_xor
// CHECK: "gpu.barrier"
// CHECK-COUNT-5: tg_gpu.shuffle_xor
// CHECK: %[[SUM:.+]] = scf.for {{.*}} -> (f32) {
// CHECK: math.exp
// CHECK-NOT: memref.store
// CHECK: scf.yield
// CHECK-COUNT-10: tg_gpu.shuffle_xor
// CHECK: scf.for
// CHECK: math.exp
// CHECK-NEXT: %[[Y:.+]] = arith.divf
// CHECK-NEXT: memref.store %[[Y]]
// CHECK: sym_name = "softmax_rows1"
// CHECK: func.func @softmax
// CHECK-NOT: gpu.alloc
// CHECK: "gpu.launch_func"
// CHECK-NOT: gpu.launch_func
// CHECK: func.return
func.func @softmax(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %m = tg.max %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
  %mb = tg.dimshuffle %m {pattern = array<i64: 0, -1>} : tensor<?xf32> -> tensor<?x1xf32>
  %d = tg.sub %x, %mb : (tensor<?x?xf32>, tensor<?x1xf32>) -> tensor<?x?xf32>
  %e = tg.exp %d : tensor<?x?xf32>
  %s = tg.sum %e {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
  %sb = tg.dimshuffle %s {pattern = array<i64: 0, -1>} : tensor<?xf32> -> tensor<?x1xf32>
  %y = tg.div %e, %sb : (tensor<?x?xf32>, tensor<?x1xf32>) -> tensor<?x?xf32>
  func.return %y : tensor<?x?xf32>
}
