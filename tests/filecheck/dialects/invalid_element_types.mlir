// Element types outside the ones tg supports (f32, f64, i1, i8, i16, i32, i64) are
// rejected by the verifier (they used to verify and miscompile, e.g. ui8 max as signed).
// RUN: tg-opt %s --split-input-file --verify-diagnostics | filecheck %s

// CHECK: Expected one of f32, f64, i1, i16, i32, i64, i8, but got
func.func @f(%a: tensor<?xui8>) {
  %0 = tg.maximum %a, %a : (tensor<?xui8>, tensor<?xui8>) -> tensor<?xui8>
  func.return
}

// -----

// CHECK: // {{-----}}
// CHECK: Expected one of f32, f64, i1, i16, i32, i64, i8, but got
func.func @f(%a: tensor<?xf16>) {
  %0 = tg.add %a, %a : (tensor<?xf16>, tensor<?xf16>) -> tensor<?xf16>
  func.return
}

// -----

// CHECK: // {{-----}}
// CHECK: Expected one of f32, f64, i1, i16, i32, i64, i8, but got
func.func @f(%a: tensor<?xf32>) {
  %0 = tg.cast %a : tensor<?xf32> to tensor<?xf16>
  func.return
}

// -----

// CHECK: // {{-----}}
// CHECK: Expected one of f32, f64, i1, i16, i32, i64, i8, but got
func.func @f(%a: tensor<?xindex>) {
  %0 = tg.neg %a : tensor<?xindex>
  func.return
}
