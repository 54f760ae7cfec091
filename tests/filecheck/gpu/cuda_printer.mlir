// print_cuda: CUDA C++ from the gpu level (kernels only; the host function is the
// runtime's launch plan).
// RUN: tg-opt %s -p convert-buffers-to-gpu -t cuda | filecheck %s

// A broadcast elementwise kernel: extern "C", launch bounds, read-only pointers
// const __restrict__, the written one not const, sizes long long; a grid-stride loop
// over the flat index (its remainder by the row length in 32 bits when both fit);
// CUDA's tanhf for float32.
// CHECK: extern "C" __global__ void __launch_bounds__(256) bias_tanh_elementwise1(long long p0, long long p1, const float* __restrict__ p2, const float* __restrict__ p3, float* __restrict__ p4)
// CHECK-NEXT: {
// CHECK-NEXT: const long long [[N:v[0-9]+]] = p0 * p1;
// CHECK: const long long [[BLOCK:v[0-9]+]] = (long long)blockIdx.x;
// CHECK: const long long [[TID:v[0-9]+]] = (long long)threadIdx.x;
// CHECK: for (long long [[I:v[0-9]+]] = {{v[0-9]+}}; [[I]] < [[N]]; [[I]] += {{v[0-9]+}}) {
// CHECK-NEXT: const long long [[COL:v[0-9]+]] = (((unsigned long long)[[I]] | (unsigned long long)p1) >> 32) == 0 ? (long long)((unsigned int)[[I]] % (unsigned int)p1) : (long long)((unsigned long long)[[I]] % (unsigned long long)p1);
// CHECK-NEXT: const float [[X:v[0-9]+]] = p2[[[I]]];
// CHECK-NEXT: const float [[B:v[0-9]+]] = p3[[[COL]]];
// CHECK-NEXT: const float [[S:v[0-9]+]] = [[X]] + [[B]];
// CHECK-NEXT: const float [[T:v[0-9]+]] = tanhf([[S]]);
// CHECK-NEXT: p4[[[I]]] = [[T]];
// CHECK-NEXT: }
// CHECK-NEXT: }
func.func @bias_tanh(%x: tensor<?x?xf32>, %b: tensor<?xf32>) -> tensor<?x?xf32> {
  %0 = tg.dimshuffle %b {pattern = array<i64: -1, 0>} : tensor<?xf32> -> tensor<1x?xf32>
  %1 = tg.add %x, %0 : (tensor<?x?xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  %2 = tg.tanh %1 : tensor<?x?xf32>
  func.return %2 : tensor<?x?xf32>
}

// float64 with 16-byte accesses: double2 through the read-only cache (__ldg) when
// every pointer is aligned, the scalar loop for the rest; exp is CUDA's exp.
// CHECK: extern "C" __global__ void __launch_bounds__(256) scaled_exp_elementwise1(long long p0, long long p1, const double* __restrict__ p2, double* __restrict__ p3)
// CHECK: const bool [[OK:v[0-9]+]] = (((unsigned long long)p2 | (unsigned long long)p3) & 15ull) == 0ull;
// CHECK: if ([[OK]]) {
// CHECK: const double2 [[V:v[0-9]+]] = __ldg(reinterpret_cast<const double2*>(p2 + [[AT:v[0-9]+]]));
// CHECK: exp([[V]].x)
// CHECK: exp([[V]].y)
// CHECK: *reinterpret_cast<double2*>(p3 + [[AT]]) = make_double2(
// CHECK: const double {{v[0-9]+}} = exp(
func.func @scaled_exp(%x: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %0 = tg.exp %x : tensor<?x?xf64>
  %two = tg.constant dense<2.0> : tensor<1x1xf64>
  %1 = tg.mul %0, %two : (tensor<?x?xf64>, tensor<1x1xf64>) -> tensor<?x?xf64>
  func.return %1 : tensor<?x?xf64>
}

// A row maximum: the identity -inf by its bits; NaN-propagating maximum (fmaxf
// drops NaN); a shared array, warp shuffles and barriers.
// CHECK: extern "C" __global__ void __launch_bounds__(256) row_max_reduce_rows1(
// CHECK: __shared__ float [[SHARED:v[0-9]+]][32];
// CHECK: float [[ACC:v[0-9]+]] = __uint_as_float(0xff800000u);
// CHECK: const float [[M:v[0-9]+]] = ([[ACC]] != [[ACC]] || [[Y:v[0-9]+]] != [[Y]]) ? [[ACC]] + [[Y]] : fmaxf([[ACC]], [[Y]]);
// CHECK-NEXT: [[ACC]] = [[M]];
// CHECK: __shfl_xor_sync(0xffffffffu, [[ACC]], 16)
// CHECK: [[SHARED]][{{v[0-9]+}}] = {{v[0-9]+}};
// CHECK: __syncthreads();
func.func @row_max(%x: tensor<?x?xf32>) -> tensor<?xf32> {
  %0 = tg.max %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}

// A set with repeated indices keeps the last value: every writer first resets its
// row's claim, then claims it with a 64-bit atomic maximum of its position; only the
// claimant writes.
// CHECK: extern "C" __global__ void __launch_bounds__(256) last_row_scatter_claim{{[0-9]+}}(
// CHECK: atomicMax((p{{[0-9]+}} + v{{[0-9]+}}), v{{[0-9]+}});
// CHECK: extern "C" __global__ void __launch_bounds__(256) last_row_scatter{{[0-9]+}}(
// CHECK: if (v{{[0-9]+}}) {
func.func @last_row(%x: tensor<?x?xf32>, %i: tensor<?xi64>, %y: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = tg.advanced_set_subtensor %x[%i], %y : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xi64>
  func.return %0 : tensor<?x?xf32>
}

// nonzero: chunks counted, their counts summed, then each chunk's elements numbered
// with a warp prefix sum (shuffles up) and the coordinates written.
// CHECK: extern "C" __global__ void __launch_bounds__(256) mask_nonzero_count{{[0-9]+}}(
// CHECK: extern "C" __global__ void __launch_bounds__(256) mask_nonzero_offsets{{[0-9]+}}(
// CHECK: __shfl_up_sync(0xffffffffu, v{{[0-9]+}}, 1)
// CHECK: extern "C" __global__ void __launch_bounds__(256) mask_nonzero_write{{[0-9]+}}(
// CHECK: __shfl_up_sync(0xffffffffu, v{{[0-9]+}}, 16)
func.func @mask(%m: tensor<?x?xi1>) -> tensor<2x?xi64> {
  %0 = tg.nonzero %m : tensor<?x?xi1> -> tensor<2x?xi64>
  func.return %0 : tensor<2x?xi64>
}
