// Every math op of the tg dialect survives a print/parse round trip, in the custom and
// the generic form, over dynamic, broadcastable and 0-d shapes and every element type
// each op accepts.
// RUN: TG_ROUNDTRIP
// RUN: TG_GENERIC_ROUNDTRIP

// Float functions of one operand, chained so that each result feeds the next op.
// CHECK-LABEL: func.func @float_unary(
// CHECK-SAME: %[[X:.*]]: tensor<?x1xf32>, %[[Y:.*]]: tensor<f64>
func.func @float_unary(%x: tensor<?x1xf32>, %y: tensor<f64>) {
  // CHECK-NEXT: %[[V0:.*]] = tg.sin %[[X]] : tensor<?x1xf32>
  %0 = tg.sin %x : tensor<?x1xf32>
  // CHECK-NEXT: %[[V1:.*]] = tg.cos %[[V0]] : tensor<?x1xf32>
  %1 = tg.cos %0 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V2:.*]] = tg.tan %[[V1]] : tensor<?x1xf32>
  %2 = tg.tan %1 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V3:.*]] = tg.arcsin %[[V2]] : tensor<?x1xf32>
  %3 = tg.arcsin %2 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V4:.*]] = tg.arccos %[[V3]] : tensor<?x1xf32>
  %4 = tg.arccos %3 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V5:.*]] = tg.arctan %[[V4]] : tensor<?x1xf32>
  %5 = tg.arctan %4 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V6:.*]] = tg.sinh %[[V5]] : tensor<?x1xf32>
  %6 = tg.sinh %5 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V7:.*]] = tg.cosh %[[V6]] : tensor<?x1xf32>
  %7 = tg.cosh %6 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V8:.*]] = tg.arcsinh %[[V7]] : tensor<?x1xf32>
  %8 = tg.arcsinh %7 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V9:.*]] = tg.arccosh %[[V8]] : tensor<?x1xf32>
  %9 = tg.arccosh %8 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V10:.*]] = tg.arctanh %[[V9]] : tensor<?x1xf32>
  %10 = tg.arctanh %9 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V11:.*]] = tg.erf %[[V10]] : tensor<?x1xf32>
  %11 = tg.erf %10 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V12:.*]] = tg.erfc %[[V11]] : tensor<?x1xf32>
  %12 = tg.erfc %11 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V13:.*]] = tg.log1p %[[V12]] : tensor<?x1xf32>
  %13 = tg.log1p %12 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V14:.*]] = tg.expm1 %[[V13]] : tensor<?x1xf32>
  %14 = tg.expm1 %13 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V15:.*]] = tg.log2 %[[V14]] : tensor<?x1xf32>
  %15 = tg.log2 %14 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V16:.*]] = tg.log10 %[[V15]] : tensor<?x1xf32>
  %16 = tg.log10 %15 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V17:.*]] = tg.exp2 %[[V16]] : tensor<?x1xf32>
  %17 = tg.exp2 %16 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V18:.*]] = tg.reciprocal %[[V17]] : tensor<?x1xf32>
  %18 = tg.reciprocal %17 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V19:.*]] = tg.floor %[[V18]] : tensor<?x1xf32>
  %19 = tg.floor %18 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V20:.*]] = tg.ceil %[[V19]] : tensor<?x1xf32>
  %20 = tg.ceil %19 : tensor<?x1xf32>
  // CHECK-NEXT: %[[V21:.*]] = tg.trunc %[[V20]] : tensor<?x1xf32>
  %21 = tg.trunc %20 : tensor<?x1xf32>
  // CHECK-NEXT: tg.sin %[[Y]] : tensor<f64>
  %22 = tg.sin %y : tensor<f64>
  // CHECK-NEXT: tg.cos %[[Y]] : tensor<f64>
  %23 = tg.cos %y : tensor<f64>
  // CHECK-NEXT: tg.tan %[[Y]] : tensor<f64>
  %24 = tg.tan %y : tensor<f64>
  // CHECK-NEXT: tg.arcsin %[[Y]] : tensor<f64>
  %25 = tg.arcsin %y : tensor<f64>
  // CHECK-NEXT: tg.arccos %[[Y]] : tensor<f64>
  %26 = tg.arccos %y : tensor<f64>
  // CHECK-NEXT: tg.arctan %[[Y]] : tensor<f64>
  %27 = tg.arctan %y : tensor<f64>
  // CHECK-NEXT: tg.sinh %[[Y]] : tensor<f64>
  %28 = tg.sinh %y : tensor<f64>
  // CHECK-NEXT: tg.cosh %[[Y]] : tensor<f64>
  %29 = tg.cosh %y : tensor<f64>
  // CHECK-NEXT: tg.arcsinh %[[Y]] : tensor<f64>
  %30 = tg.arcsinh %y : tensor<f64>
  // CHECK-NEXT: tg.arccosh %[[Y]] : tensor<f64>
  %31 = tg.arccosh %y : tensor<f64>
  // CHECK-NEXT: tg.arctanh %[[Y]] : tensor<f64>
  %32 = tg.arctanh %y : tensor<f64>
  // CHECK-NEXT: tg.erf %[[Y]] : tensor<f64>
  %33 = tg.erf %y : tensor<f64>
  // CHECK-NEXT: tg.erfc %[[Y]] : tensor<f64>
  %34 = tg.erfc %y : tensor<f64>
  // CHECK-NEXT: tg.log1p %[[Y]] : tensor<f64>
  %35 = tg.log1p %y : tensor<f64>
  // CHECK-NEXT: tg.expm1 %[[Y]] : tensor<f64>
  %36 = tg.expm1 %y : tensor<f64>
  // CHECK-NEXT: tg.log2 %[[Y]] : tensor<f64>
  %37 = tg.log2 %y : tensor<f64>
  // CHECK-NEXT: tg.log10 %[[Y]] : tensor<f64>
  %38 = tg.log10 %y : tensor<f64>
  // CHECK-NEXT: tg.exp2 %[[Y]] : tensor<f64>
  %39 = tg.exp2 %y : tensor<f64>
  // CHECK-NEXT: tg.reciprocal %[[Y]] : tensor<f64>
  %40 = tg.reciprocal %y : tensor<f64>
  // CHECK-NEXT: tg.floor %[[Y]] : tensor<f64>
  %41 = tg.floor %y : tensor<f64>
  // CHECK-NEXT: tg.ceil %[[Y]] : tensor<f64>
  %42 = tg.ceil %y : tensor<f64>
  // CHECK-NEXT: tg.trunc %[[Y]] : tensor<f64>
  %43 = tg.trunc %y : tensor<f64>
  // CHECK-NEXT: func.return
  func.return
}

// -----

// round names its tie-breaking rule.
// CHECK-LABEL: func.func @round(
func.func @round(%x: tensor<?x3xf32>, %y: tensor<f64>) {
  // CHECK-NEXT: tg.round "half_to_even", %{{.*}} : tensor<?x3xf32>
  %0 = tg.round "half_to_even", %x : tensor<?x3xf32>
  // CHECK-NEXT: tg.round "half_away_from_zero", %{{.*}} : tensor<?x3xf32>
  %1 = tg.round "half_away_from_zero", %x : tensor<?x3xf32>
  // CHECK-NEXT: tg.round "half_to_even", %{{.*}} : tensor<f64>
  %2 = tg.round "half_to_even", %y : tensor<f64>
  // CHECK-NEXT: func.return
  func.return
}

// sqr and sgn take integers and floats.
// CHECK-LABEL: func.func @int_or_float_unary(
func.func @int_or_float_unary(%x: tensor<?xf64>, %i: tensor<2x?xi8>, %k: tensor<i64>) {
  // CHECK-NEXT: tg.sqr %{{.*}} : tensor<?xf64>
  %0 = tg.sqr %x : tensor<?xf64>
  // CHECK-NEXT: tg.sgn %{{.*}} : tensor<?xf64>
  %1 = tg.sgn %x : tensor<?xf64>
  // CHECK-NEXT: tg.sqr %{{.*}} : tensor<2x?xi8>
  %2 = tg.sqr %i : tensor<2x?xi8>
  // CHECK-NEXT: tg.sgn %{{.*}} : tensor<i64>
  %3 = tg.sgn %k : tensor<i64>
  // CHECK-NEXT: func.return
  func.return
}

// -----

// Bitwise ops take integers (bitwise) and booleans (logical), with broadcasting.
// CHECK-LABEL: func.func @bitwise(
// CHECK-SAME: %[[P:.*]]: tensor<?x1xi1>, %[[Q:.*]]: tensor<1x4xi1>, %[[I:.*]]: tensor<?xi32>, %[[J:.*]]: tensor<1xi32>
func.func @bitwise(%p: tensor<?x1xi1>, %q: tensor<1x4xi1>, %i: tensor<?xi32>, %j: tensor<1xi32>, %s: tensor<i16>, %l: tensor<3xi64>, %b: tensor<i8>) {
  // CHECK-NEXT: %[[AND:.*]] = tg.and %[[P]], %[[Q]] : (tensor<?x1xi1>, tensor<1x4xi1>) -> tensor<?x4xi1>
  %0 = tg.and %p, %q : (tensor<?x1xi1>, tensor<1x4xi1>) -> tensor<?x4xi1>
  // CHECK-NEXT: %[[OR:.*]] = tg.or %[[AND]], %[[AND]] : (tensor<?x4xi1>, tensor<?x4xi1>) -> tensor<?x4xi1>
  %1 = tg.or %0, %0 : (tensor<?x4xi1>, tensor<?x4xi1>) -> tensor<?x4xi1>
  // CHECK-NEXT: %[[XOR:.*]] = tg.xor %[[OR]], %[[Q]] : (tensor<?x4xi1>, tensor<1x4xi1>) -> tensor<?x4xi1>
  %2 = tg.xor %1, %q : (tensor<?x4xi1>, tensor<1x4xi1>) -> tensor<?x4xi1>
  // CHECK-NEXT: tg.invert %[[XOR]] : tensor<?x4xi1>
  %3 = tg.invert %2 : tensor<?x4xi1>
  // CHECK-NEXT: tg.and %[[I]], %[[J]] : (tensor<?xi32>, tensor<1xi32>) -> tensor<?xi32>
  %4 = tg.and %i, %j : (tensor<?xi32>, tensor<1xi32>) -> tensor<?xi32>
  // CHECK-NEXT: tg.or %{{.*}}, %{{.*}} : (tensor<i16>, tensor<i16>) -> tensor<i16>
  %5 = tg.or %s, %s : (tensor<i16>, tensor<i16>) -> tensor<i16>
  // CHECK-NEXT: tg.xor %{{.*}}, %{{.*}} : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %6 = tg.xor %l, %l : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  // CHECK-NEXT: tg.invert %{{.*}} : tensor<i8>
  %7 = tg.invert %b : tensor<i8>
  // CHECK-NEXT: func.return
  func.return
}

// isnan and isinf give booleans for every element type.
// CHECK-LABEL: func.func @predicates(
func.func @predicates(%x: tensor<?x1xf32>, %y: tensor<f64>, %i: tensor<?xi32>, %p: tensor<2xi1>) {
  // CHECK-NEXT: tg.isnan %{{.*}} : tensor<?x1xf32> -> tensor<?x1xi1>
  %0 = tg.isnan %x : tensor<?x1xf32> -> tensor<?x1xi1>
  // CHECK-NEXT: tg.isinf %{{.*}} : tensor<?x1xf32> -> tensor<?x1xi1>
  %1 = tg.isinf %x : tensor<?x1xf32> -> tensor<?x1xi1>
  // CHECK-NEXT: tg.isnan %{{.*}} : tensor<f64> -> tensor<i1>
  %2 = tg.isnan %y : tensor<f64> -> tensor<i1>
  // CHECK-NEXT: tg.isinf %{{.*}} : tensor<?xi32> -> tensor<?xi1>
  %3 = tg.isinf %i : tensor<?xi32> -> tensor<?xi1>
  // CHECK-NEXT: tg.isnan %{{.*}} : tensor<2xi1> -> tensor<2xi1>
  %4 = tg.isnan %p : tensor<2xi1> -> tensor<2xi1>
  // CHECK-NEXT: func.return
  func.return
}

// -----

// CHECK-LABEL: func.func @binary(
// CHECK-SAME: %[[A:.*]]: tensor<?x3xf32>, %[[B:.*]]: tensor<1x3xf32>
func.func @binary(%a: tensor<?x3xf32>, %b: tensor<1x3xf32>, %i: tensor<?xi8>, %j: tensor<1xi8>, %k: tensor<i64>, %y: tensor<f64>) {
  // CHECK-NEXT: tg.arctan2 %[[A]], %[[B]] : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  %0 = tg.arctan2 %a, %b : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  // CHECK-NEXT: tg.int_div %[[A]], %[[B]] : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  %1 = tg.int_div %a, %b : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  // CHECK-NEXT: tg.mod %[[B]], %[[A]] : (tensor<1x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %2 = tg.mod %b, %a : (tensor<1x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  // CHECK-NEXT: tg.int_div %{{.*}}, %{{.*}} : (tensor<?xi8>, tensor<1xi8>) -> tensor<?xi8>
  %3 = tg.int_div %i, %j : (tensor<?xi8>, tensor<1xi8>) -> tensor<?xi8>
  // CHECK-NEXT: tg.mod %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>) -> tensor<i64>
  %4 = tg.mod %k, %k : (tensor<i64>, tensor<i64>) -> tensor<i64>
  // CHECK-NEXT: tg.arctan2 %{{.*}}, %{{.*}} : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %5 = tg.arctan2 %y, %y : (tensor<f64>, tensor<f64>) -> tensor<f64>
  // CHECK-NEXT: func.return
  func.return
}

// CHECK-LABEL: func.func @clip(
// CHECK-SAME: %[[X:.*]]: tensor<?x3xf32>, %[[LO:.*]]: tensor<1x1xf32>, %[[HI:.*]]: tensor<1x3xf32>
func.func @clip(%x: tensor<?x3xf32>, %lo: tensor<1x1xf32>, %hi: tensor<1x3xf32>, %i: tensor<?xi16>, %p: tensor<i1>) -> tensor<?x3xf32> {
  // CHECK-NEXT: %[[R:.*]] = tg.clip %[[X]], %[[LO]], %[[HI]] : (tensor<?x3xf32>, tensor<1x1xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  %0 = tg.clip %x, %lo, %hi : (tensor<?x3xf32>, tensor<1x1xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  // CHECK-NEXT: tg.clip %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?xi16>, tensor<?xi16>, tensor<?xi16>) -> tensor<?xi16>
  %1 = tg.clip %i, %i, %i : (tensor<?xi16>, tensor<?xi16>, tensor<?xi16>) -> tensor<?xi16>
  // CHECK-NEXT: tg.clip %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i1>, tensor<i1>, tensor<i1>) -> tensor<i1>
  %2 = tg.clip %p, %p, %p : (tensor<i1>, tensor<i1>, tensor<i1>) -> tensor<i1>
  // CHECK-NEXT: func.return %[[R]] : tensor<?x3xf32>
  func.return %0 : tensor<?x3xf32>
}
