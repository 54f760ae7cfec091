// RUN: tg-opt %s --split-input-file | tg-opt --split-input-file | filecheck %s
// RUN: tg-opt %s --split-input-file --print-op-generic | tg-opt --split-input-file | filecheck %s

// CHECK-LABEL: func.func @hints
// CHECK: tg.gradient_hint "zero", %{{.*}} : (tensor<?xf64>) -> tensor<?xf64>
// CHECK: tg.gradient_hint "disconnected", %{{.*}} : (tensor<?xf64>) -> tensor<?xf64>
// CHECK: tg.gradient_hint "clip", %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?xf64>, tensor<f64>, tensor<f64>) -> tensor<?xf64>
// CHECK: tg.gradient_hint "scale", %{{.*}}, %{{.*}} : (tensor<?xf64>, tensor<f64>) -> tensor<?xf64>
func.func @hints(%x: tensor<?xf64>, %lo: tensor<f64>, %hi: tensor<f64>) -> tensor<?xf64> {
  %0 = tg.gradient_hint "zero", %x : (tensor<?xf64>) -> tensor<?xf64>
  %1 = tg.gradient_hint "disconnected", %0 : (tensor<?xf64>) -> tensor<?xf64>
  %2 = tg.gradient_hint "clip", %1, %lo, %hi : (tensor<?xf64>, tensor<f64>, tensor<f64>) -> tensor<?xf64>
  %3 = tg.gradient_hint "scale", %2, %lo : (tensor<?xf64>, tensor<f64>) -> tensor<?xf64>
  func.return %3 : tensor<?xf64>
}
