//// attncc kernel: cascade_0_SP_kernel
@group(0) @binding(0) var<storage, read> KP_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> Q_ptr : array<f32>;
@group(0) @binding(2) var<storage, read_write> SP_ptr : array<f32>;

struct PODArgs {
  n_b: i32,
  n_g: i32,
  n_h: i32,
  n_p: i32,
  n_s: i32,
  packGridDimX: u32
}
@group(0) @binding(3) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn cascade_0_SP_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_SP : array<f32, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_p) * podArgs.n_s)) {
    acc_SP[0i] = 0.000000e+00f;
    for (var i_e : i32 = 0i; i_e < 24i; i_e++) {
            let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_s));
let rmod_1 : i32 = (select((rmod + ((podArgs.n_h * podArgs.n_p) * podArgs.n_s)), rmod, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_s) >= 0i) && (rmod >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_s) < 0i) && (rmod <= 0i)))) % podArgs.n_s);
            let rmod_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_s));
let rdiv : i32 = (select((rmod_2 + ((podArgs.n_h * podArgs.n_p) * podArgs.n_s)), rmod_2, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_s) >= 0i) && (rmod_2 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_s) < 0i) && (rmod_2 <= 0i)))) / podArgs.n_s);
      let rmod_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_s));
      let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * podArgs.n_s));
      var condval_1 : i32;
      if ((podArgs.n_g == 0i)) {
        condval_1 = 0i;
} else {
        let rmod_4 : i32 = (podArgs.n_h % podArgs.n_g);
        let rdiv_2 : i32 = (podArgs.n_h / podArgs.n_g);
        condval_1 = select((rdiv_2 - 1i), rdiv_2, (((podArgs.n_g >= 0i) && (rmod_4 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_4 <= 0i))));
}
      var condval : i32;
      if ((condval_1 == 0i)) {
        condval = 0i;
} else {
                        let rmod_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * podArgs.n_s));
        let rdiv_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * podArgs.n_s));
let rmod_6 : i32 = (select((rdiv_3 - 1i), rdiv_3, ((((podArgs.n_p * podArgs.n_s) >= 0i) && (rmod_5 >= 0i)) || (((podArgs.n_p * podArgs.n_s) < 0i) && (rmod_5 <= 0i)))) % podArgs.n_h);
        var condval_2 : i32;
        if ((podArgs.n_g == 0i)) {
          condval_2 = 0i;
} else {
          let rmod_7 : i32 = (podArgs.n_h % podArgs.n_g);
          let rdiv_4 : i32 = (podArgs.n_h / podArgs.n_g);
          condval_2 = select((rdiv_4 - 1i), rdiv_4, (((podArgs.n_g >= 0i) && (rmod_7 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_7 <= 0i))));
}
let rmod_8 : i32 = (select((rmod_6 + podArgs.n_h), rmod_6, (((podArgs.n_h >= 0i) && (rmod_6 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_6 <= 0i)))) % condval_2);
                        let rmod_9 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * podArgs.n_s));
        let rdiv_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * podArgs.n_s));
let rmod_10 : i32 = (select((rdiv_5 - 1i), rdiv_5, ((((podArgs.n_p * podArgs.n_s) >= 0i) && (rmod_9 >= 0i)) || (((podArgs.n_p * podArgs.n_s) < 0i) && (rmod_9 <= 0i)))) % podArgs.n_h);
        var condval_3 : i32;
        if ((podArgs.n_g == 0i)) {
          condval_3 = 0i;
} else {
          let rmod_11 : i32 = (podArgs.n_h % podArgs.n_g);
          let rdiv_6 : i32 = (podArgs.n_h / podArgs.n_g);
          condval_3 = select((rdiv_6 - 1i), rdiv_6, (((podArgs.n_g >= 0i) && (rmod_11 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_11 <= 0i))));
}
let rdiv_7 : i32 = (select((rmod_10 + podArgs.n_h), rmod_10, (((podArgs.n_h >= 0i) && (rmod_10 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_10 <= 0i)))) / condval_3);
        var condval_4 : i32;
        if ((podArgs.n_g == 0i)) {
          condval_4 = 0i;
} else {
          let rmod_12 : i32 = (podArgs.n_h % podArgs.n_g);
          let rdiv_8 : i32 = (podArgs.n_h / podArgs.n_g);
          condval_4 = select((rdiv_8 - 1i), rdiv_8, (((podArgs.n_g >= 0i) && (rmod_12 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_12 <= 0i))));
}
        var condval_5 : i32;
        if ((podArgs.n_g == 0i)) {
          condval_5 = 0i;
} else {
          let rmod_13 : i32 = (podArgs.n_h % podArgs.n_g);
          let rdiv_9 : i32 = (podArgs.n_h / podArgs.n_g);
          condval_5 = select((rdiv_9 - 1i), rdiv_9, (((podArgs.n_g >= 0i) && (rmod_13 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_13 <= 0i))));
}
        condval = select((rdiv_7 - 1i), rdiv_7, (((condval_4 >= 0i) && (rmod_8 >= 0i)) || ((condval_5 < 0i) && (rmod_8 <= 0i))));
}
      let rmod_14 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_s);
      acc_SP[0i] = fma((Q_ptr[(((select((rdiv - 1i), rdiv, (((podArgs.n_s >= 0i) && (rmod_1 >= 0i)) || ((podArgs.n_s < 0i) && (rmod_1 <= 0i)))) * 24i) + (((select((rdiv_1 - 1i), rdiv_1, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_s) >= 0i) && (rmod_3 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_s) < 0i) && (rmod_3 <= 0i)))) * podArgs.n_h) * podArgs.n_p) * 24i)) + i_e)] * KP_ptr[((((condval * podArgs.n_s) * 24i) + (select((rmod_14 + podArgs.n_s), rmod_14, (((podArgs.n_s >= 0i) && (rmod_14 >= 0i)) || ((podArgs.n_s < 0i) && (rmod_14 <= 0i)))) * 24i)) + i_e)]), 2.041242e-01f, acc_SP[0i]);
    }
    SP_ptr[((v__1 * 64i) + i32(threadIdx.x))] = acc_SP[0i];
  }
}
//// attncc kernel: cascade_1_MXP_kernel
@group(0) @binding(0) var<storage, read_write> MXP_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> SP_ptr : array<f32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  n_s: i32,
  packGridDimX: u32
}
@group(0) @binding(2) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn cascade_1_MXP_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_MXP : array<f32, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
    acc_MXP[0i] = -3.4028234663852886e+38f;
    for (var i_s : i32 = 0i; i_s < podArgs.n_s; i_s++) {
      var condval : f32;
      if (((acc_MXP[0i] < SP_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_s) + i_s)]) || (2139095040i < (bitcast<i32>(SP_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_s) + i_s)]) & 2147483647i)))) {
        condval = SP_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_s) + i_s)];
} else {
        condval = acc_MXP[0i];
}
      acc_MXP[0i] = condval;
    }
    var condval_1 : f32;
    if ((0i < podArgs.n_s)) {
      condval_1 = acc_MXP[0i];
} else {
      condval_1 = 0.000000e+00f;
}
    MXP_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval_1;
  }
}
//// attncc kernel: cascade_2_EP_kernel
@group(0) @binding(0) var<storage, read_write> EP_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> MXP_ptr : array<f32>;
@group(0) @binding(2) var<storage, read> SP_ptr : array<f32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  n_s: i32,
  packGridDimX: u32
}
@group(0) @binding(3) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn cascade_2_EP_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_p) * podArgs.n_s)) {
    let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_s));
    let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * podArgs.n_s));
        let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_s));
let rmod_2 : i32 = (select((rmod_1 + ((podArgs.n_h * podArgs.n_p) * podArgs.n_s)), rmod_1, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_s) >= 0i) && (rmod_1 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_s) < 0i) && (rmod_1 <= 0i)))) % podArgs.n_s);
        let rmod_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_s));
let rdiv_1 : i32 = (select((rmod_3 + ((podArgs.n_h * podArgs.n_p) * podArgs.n_s)), rmod_3, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_s) >= 0i) && (rmod_3 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_s) < 0i) && (rmod_3 <= 0i)))) / podArgs.n_s);
    EP_ptr[((v__1 * 64i) + i32(threadIdx.x))] = exp((SP_ptr[((v__1 * 64i) + i32(threadIdx.x))] - MXP_ptr[(((select((rdiv - 1i), rdiv, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_s) >= 0i) && (rmod >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_s) < 0i) && (rmod <= 0i)))) * podArgs.n_h) * podArgs.n_p) + select((rdiv_1 - 1i), rdiv_1, (((podArgs.n_s >= 0i) && (rmod_2 >= 0i)) || ((podArgs.n_s < 0i) && (rmod_2 <= 0i)))))]));
  }
}
//// attncc kernel: cascade_3_LP_kernel
@group(0) @binding(0) var<storage, read> EP_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> LP_ptr : array<f32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  n_s: i32,
  packGridDimX: u32
}
@group(0) @binding(2) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn cascade_3_LP_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_LP : array<f32, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
    acc_LP[0i] = 0.000000e+00f;
    for (var i_s : i32 = 0i; i_s < podArgs.n_s; i_s++) {
      acc_LP[0i] = (acc_LP[0i] + EP_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_s) + i_s)]);
    }
    var condval : f32;
    if ((0i < podArgs.n_s)) {
      condval = acc_LP[0i];
} else {
      condval = 0.000000e+00f;
}
    LP_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval;
  }
}
//// attncc kernel: cascade_4_OP_kernel
@group(0) @binding(0) var<storage, read> EP_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> LP_ptr : array<f32>;
@group(0) @binding(2) var<storage, read_write> OP_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> VP_ptr : array<f32>;

struct PODArgs {
  n_b: i32,
  n_g: i32,
  n_h: i32,
  n_p: i32,
  n_s: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn cascade_4_OP_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_OP : array<f32, 20>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
    for (var i_f : i32 = 0i; i_f < 20i; i_f++) {
      acc_OP[i_f] = 0.000000e+00f;
    }
    for (var i_s : i32 = 0i; i_s < podArgs.n_s; i_s++) {
      for (var i_f_1 : i32 = 0i; i_f_1 < 20i; i_f_1++) {
        var condval_1 : i32;
        if ((podArgs.n_g == 0i)) {
          condval_1 = 0i;
} else {
          let rmod : i32 = (podArgs.n_h % podArgs.n_g);
          let rdiv : i32 = (podArgs.n_h / podArgs.n_g);
          condval_1 = select((rdiv - 1i), rdiv, (((podArgs.n_g >= 0i) && (rmod >= 0i)) || ((podArgs.n_g < 0i) && (rmod <= 0i))));
}
        var condval : i32;
        if ((condval_1 == 0i)) {
          condval = 0i;
} else {
                              let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_p);
          let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_p);
let rmod_2 : i32 = (select((rdiv_1 - 1i), rdiv_1, (((podArgs.n_p >= 0i) && (rmod_1 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_1 <= 0i)))) % podArgs.n_h);
          var condval_2 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_2 = 0i;
} else {
            let rmod_3 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_2 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_2 = select((rdiv_2 - 1i), rdiv_2, (((podArgs.n_g >= 0i) && (rmod_3 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_3 <= 0i))));
}
let rmod_4 : i32 = (select((rmod_2 + podArgs.n_h), rmod_2, (((podArgs.n_h >= 0i) && (rmod_2 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_2 <= 0i)))) % condval_2);
                              let rmod_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_p);
          let rdiv_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_p);
let rmod_6 : i32 = (select((rdiv_3 - 1i), rdiv_3, (((podArgs.n_p >= 0i) && (rmod_5 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_5 <= 0i)))) % podArgs.n_h);
          var condval_3 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_3 = 0i;
} else {
            let rmod_7 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_4 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_3 = select((rdiv_4 - 1i), rdiv_4, (((podArgs.n_g >= 0i) && (rmod_7 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_7 <= 0i))));
}
let rdiv_5 : i32 = (select((rmod_6 + podArgs.n_h), rmod_6, (((podArgs.n_h >= 0i) && (rmod_6 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_6 <= 0i)))) / condval_3);
          var condval_4 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_4 = 0i;
} else {
            let rmod_8 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_6 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_4 = select((rdiv_6 - 1i), rdiv_6, (((podArgs.n_g >= 0i) && (rmod_8 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_8 <= 0i))));
}
          var condval_5 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_5 = 0i;
} else {
            let rmod_9 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_7 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_5 = select((rdiv_7 - 1i), rdiv_7, (((podArgs.n_g >= 0i) && (rmod_9 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_9 <= 0i))));
}
          condval = select((rdiv_5 - 1i), rdiv_5, (((condval_4 >= 0i) && (rmod_4 >= 0i)) || ((condval_5 < 0i) && (rmod_4 <= 0i))));
}
        acc_OP[i_f_1] = (acc_OP[i_f_1] + ((EP_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_s) + i_s)] * VP_ptr[((((condval * podArgs.n_s) * 20i) + (i_s * 20i)) + i_f_1)]) / LP_ptr[((v__1 * 64i) + i32(threadIdx.x))]));
      }
    }
    for (var i_f_2 : i32 = 0i; i_f_2 < 20i; i_f_2++) {
      var condval_6 : f32;
      if ((0i < podArgs.n_s)) {
        condval_6 = acc_OP[i_f_2];
} else {
        condval_6 = 0.000000e+00f;
}
      OP_ptr[(((v__1 * 1280i) + (i32(threadIdx.x) * 20i)) + i_f_2)] = condval_6;
    }
  }
}
//// attncc kernel: cascade_5_LSEP_kernel
@group(0) @binding(0) var<storage, read> LP_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> LSEP_ptr : array<f32>;
@group(0) @binding(2) var<storage, read> MXP_ptr : array<f32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  n_s: i32,
  packGridDimX: u32
}
@group(0) @binding(3) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn cascade_5_LSEP_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
    if (0i < podArgs.n_s) {
      LSEP_ptr[((v__1 * 64i) + i32(threadIdx.x))] = (MXP_ptr[((v__1 * 64i) + i32(threadIdx.x))] + log(LP_ptr[((v__1 * 64i) + i32(threadIdx.x))]));
    } else {
      LSEP_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
    }
  }
}
//// attncc kernel: cascade_6_SU_kernel
@group(0) @binding(0) var<storage, read> K_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> Q_ptr : array<f32>;
@group(0) @binding(2) var<storage, read_write> SU_ptr : array<f32>;
@group(0) @binding(3) var<storage, read_write> SU_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_g: i32,
  n_h: i32,
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn cascade_6_SU_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_SU : array<f32, 1>;
  var ok_SU : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_p) * podArgs.n_m)) {
    acc_SU[0i] = 0.000000e+00f;
    ok_SU[0i] = bool(bool(0));
    let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
        let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
    let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_m);
let rmod_2 : i32 = (select((rdiv - 1i), rdiv, (((podArgs.n_m >= 0i) && (rmod_1 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_1 <= 0i)))) % podArgs.n_p);
    if (select((rmod + podArgs.n_m), rmod, (((podArgs.n_m >= 0i) && (rmod >= 0i)) || ((podArgs.n_m < 0i) && (rmod <= 0i)))) <= ((select((rmod_2 + podArgs.n_p), rmod_2, (((podArgs.n_p >= 0i) && (rmod_2 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_2 <= 0i)))) + podArgs.n_m) - podArgs.n_p)) {
      for (var i_e : i32 = 0i; i_e < 24i; i_e++) {
        let rmod_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
        let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
                let rmod_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * podArgs.n_m));
        let rdiv_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * podArgs.n_m));
let rmod_5 : i32 = (select((rdiv_2 - 1i), rdiv_2, ((((podArgs.n_p * podArgs.n_m) >= 0i) && (rmod_4 >= 0i)) || (((podArgs.n_p * podArgs.n_m) < 0i) && (rmod_4 <= 0i)))) % podArgs.n_h);
                let rmod_6 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
        let rdiv_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_m);
let rmod_7 : i32 = (select((rdiv_3 - 1i), rdiv_3, (((podArgs.n_m >= 0i) && (rmod_6 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_6 <= 0i)))) % podArgs.n_p);
        let rmod_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
        let rdiv_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
        var condval_1 : i32;
        if ((podArgs.n_g == 0i)) {
          condval_1 = 0i;
} else {
          let rmod_9 : i32 = (podArgs.n_h % podArgs.n_g);
          let rdiv_5 : i32 = (podArgs.n_h / podArgs.n_g);
          condval_1 = select((rdiv_5 - 1i), rdiv_5, (((podArgs.n_g >= 0i) && (rmod_9 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_9 <= 0i))));
}
        var condval : i32;
        if ((condval_1 == 0i)) {
          condval = 0i;
} else {
                              let rmod_10 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * podArgs.n_m));
          let rdiv_6 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * podArgs.n_m));
let rmod_11 : i32 = (select((rdiv_6 - 1i), rdiv_6, ((((podArgs.n_p * podArgs.n_m) >= 0i) && (rmod_10 >= 0i)) || (((podArgs.n_p * podArgs.n_m) < 0i) && (rmod_10 <= 0i)))) % podArgs.n_h);
          var condval_2 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_2 = 0i;
} else {
            let rmod_12 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_7 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_2 = select((rdiv_7 - 1i), rdiv_7, (((podArgs.n_g >= 0i) && (rmod_12 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_12 <= 0i))));
}
let rmod_13 : i32 = (select((rmod_11 + podArgs.n_h), rmod_11, (((podArgs.n_h >= 0i) && (rmod_11 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_11 <= 0i)))) % condval_2);
                              let rmod_14 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * podArgs.n_m));
          let rdiv_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * podArgs.n_m));
let rmod_15 : i32 = (select((rdiv_8 - 1i), rdiv_8, ((((podArgs.n_p * podArgs.n_m) >= 0i) && (rmod_14 >= 0i)) || (((podArgs.n_p * podArgs.n_m) < 0i) && (rmod_14 <= 0i)))) % podArgs.n_h);
          var condval_3 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_3 = 0i;
} else {
            let rmod_16 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_9 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_3 = select((rdiv_9 - 1i), rdiv_9, (((podArgs.n_g >= 0i) && (rmod_16 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_16 <= 0i))));
}
let rdiv_10 : i32 = (select((rmod_15 + podArgs.n_h), rmod_15, (((podArgs.n_h >= 0i) && (rmod_15 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_15 <= 0i)))) / condval_3);
          var condval_4 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_4 = 0i;
} else {
            let rmod_17 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_11 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_4 = select((rdiv_11 - 1i), rdiv_11, (((podArgs.n_g >= 0i) && (rmod_17 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_17 <= 0i))));
}
          var condval_5 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_5 = 0i;
} else {
            let rmod_18 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_12 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_5 = select((rdiv_12 - 1i), rdiv_12, (((podArgs.n_g >= 0i) && (rmod_18 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_18 <= 0i))));
}
          condval = select((rdiv_10 - 1i), rdiv_10, (((condval_4 >= 0i) && (rmod_13 >= 0i)) || ((condval_5 < 0i) && (rmod_13 <= 0i))));
}
        let rmod_19 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
        acc_SU[0i] = fma((Q_ptr[((((((select((rdiv_1 - 1i), rdiv_1, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_3 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_3 <= 0i)))) * podArgs.n_h) + select((rmod_5 + podArgs.n_h), rmod_5, (((podArgs.n_h >= 0i) && (rmod_5 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_5 <= 0i))))) * podArgs.n_p) * 24i) + (select((rmod_7 + podArgs.n_p), rmod_7, (((podArgs.n_p >= 0i) && (rmod_7 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_7 <= 0i)))) * 24i)) + i_e)] * K_ptr[((((((select((rdiv_4 - 1i), rdiv_4, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_8 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_8 <= 0i)))) * podArgs.n_g) + condval) * podArgs.n_m) * 24i) + (select((rmod_19 + podArgs.n_m), rmod_19, (((podArgs.n_m >= 0i) && (rmod_19 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_19 <= 0i)))) * 24i)) + i_e)]), 2.041242e-01f, acc_SU[0i]);
      }
      ok_SU[0i] = bool(bool(1));
    }
    var condval_6 : f32;
    if (bool(ok_SU[0i])) {
      condval_6 = acc_SU[0i];
} else {
      condval_6 = 0.000000e+00f;
}
    SU_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval_6;
    SU_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = i32(bool(ok_SU[0i]));
  }
}
//// attncc kernel: cascade_7_MXU_kernel
@group(0) @binding(0) var<storage, read_write> MXU_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> MXU_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> SU_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> SU_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn cascade_7_MXU_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_MXU : array<f32, 1>;
  var ok_MXU : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
    acc_MXU[0i] = -3.4028234663852886e+38f;
    ok_MXU[0i] = bool(bool(0));
    for (var i_m : i32 = 0i; i_m < podArgs.n_m; i_m++) {
      if (SU_ok_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)] != 0i) {
        var condval : f32;
        if (((acc_MXU[0i] < SU_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)]) || (2139095040i < (bitcast<i32>(SU_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)]) & 2147483647i)))) {
          condval = SU_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)];
} else {
          condval = acc_MXU[0i];
}
        acc_MXU[0i] = condval;
        ok_MXU[0i] = bool(bool(1));
      }
    }
    var condval_1 : f32;
    if (bool(ok_MXU[0i])) {
      condval_1 = acc_MXU[0i];
} else {
      condval_1 = 0.000000e+00f;
}
    MXU_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval_1;
    MXU_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = i32(bool(ok_MXU[0i]));
  }
}
//// attncc kernel: cascade_8_EU_kernel
@group(0) @binding(0) var<storage, read_write> EU_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> EU_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> MXU_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> MXU_ok_ptr : array<i32>;
@group(0) @binding(4) var<storage, read> SU_ptr : array<f32>;
@group(0) @binding(5) var<storage, read> SU_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(6) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn cascade_8_EU_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_p) * podArgs.n_m)) {
    let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
    let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
        let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
let rmod_2 : i32 = (select((rmod_1 + ((podArgs.n_h * podArgs.n_p) * podArgs.n_m)), rmod_1, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_1 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_1 <= 0i)))) % podArgs.n_m);
        let rmod_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
let rdiv_1 : i32 = (select((rmod_3 + ((podArgs.n_h * podArgs.n_p) * podArgs.n_m)), rmod_3, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_3 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_3 <= 0i)))) / podArgs.n_m);
    if ((SU_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i) && (MXU_ok_ptr[(((select((rdiv - 1i), rdiv, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod <= 0i)))) * podArgs.n_h) * podArgs.n_p) + select((rdiv_1 - 1i), rdiv_1, (((podArgs.n_m >= 0i) && (rmod_2 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_2 <= 0i)))))] != 0i)) {
      let rmod_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      let rdiv_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
            let rmod_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
let rmod_6 : i32 = (select((rmod_5 + ((podArgs.n_h * podArgs.n_p) * podArgs.n_m)), rmod_5, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_5 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_5 <= 0i)))) % podArgs.n_m);
            let rmod_7 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
let rdiv_3 : i32 = (select((rmod_7 + ((podArgs.n_h * podArgs.n_p) * podArgs.n_m)), rmod_7, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_7 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_7 <= 0i)))) / podArgs.n_m);
      EU_ptr[((v__1 * 64i) + i32(threadIdx.x))] = exp((SU_ptr[((v__1 * 64i) + i32(threadIdx.x))] - MXU_ptr[(((select((rdiv_2 - 1i), rdiv_2, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_4 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_4 <= 0i)))) * podArgs.n_h) * podArgs.n_p) + select((rdiv_3 - 1i), rdiv_3, (((podArgs.n_m >= 0i) && (rmod_6 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_6 <= 0i)))))]));
      EU_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 1i;
    } else {
      EU_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
      EU_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0i;
    }
  }
}
//// attncc kernel: cascade_9_LU_kernel
@group(0) @binding(0) var<storage, read> EU_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> EU_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read_write> LU_ptr : array<f32>;
@group(0) @binding(3) var<storage, read_write> LU_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn cascade_9_LU_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_LU : array<f32, 1>;
  var ok_LU : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
    acc_LU[0i] = 0.000000e+00f;
    ok_LU[0i] = bool(bool(0));
    for (var i_m : i32 = 0i; i_m < podArgs.n_m; i_m++) {
      if (EU_ok_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)] != 0i) {
        acc_LU[0i] = (acc_LU[0i] + EU_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)]);
        ok_LU[0i] = bool(bool(1));
      }
    }
    var condval : f32;
    if (bool(ok_LU[0i])) {
      condval = acc_LU[0i];
} else {
      condval = 0.000000e+00f;
}
    LU_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval;
    LU_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = i32(bool(ok_LU[0i]));
  }
}
//// attncc kernel: cascade_10_OU_kernel
@group(0) @binding(0) var<storage, read> EU_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> EU_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> LU_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> LU_ok_ptr : array<i32>;
@group(0) @binding(4) var<storage, read_write> OU_ptr : array<f32>;
@group(0) @binding(5) var<storage, read_write> OU_ok_ptr : array<i32>;
@group(0) @binding(6) var<storage, read> V_ptr : array<f32>;

struct PODArgs {
  n_b: i32,
  n_g: i32,
  n_h: i32,
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(7) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn cascade_10_OU_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_OU : array<f32, 20>;
  var ok_OU : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
    for (var i_f : i32 = 0i; i_f < 20i; i_f++) {
      acc_OU[i_f] = 0.000000e+00f;
    }
    ok_OU[0i] = bool(bool(0));
    if (LU_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i) {
      for (var i_m : i32 = 0i; i_m < podArgs.n_m; i_m++) {
        if (EU_ok_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)] != 0i) {
          for (var i_f_1 : i32 = 0i; i_f_1 < 20i; i_f_1++) {
            let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_h * podArgs.n_p));
            let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_h * podArgs.n_p));
            var condval_1 : i32;
            if ((podArgs.n_g == 0i)) {
              condval_1 = 0i;
} else {
              let rmod_1 : i32 = (podArgs.n_h % podArgs.n_g);
              let rdiv_1 : i32 = (podArgs.n_h / podArgs.n_g);
              condval_1 = select((rdiv_1 - 1i), rdiv_1, (((podArgs.n_g >= 0i) && (rmod_1 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_1 <= 0i))));
}
            var condval : i32;
            if ((condval_1 == 0i)) {
              condval = 0i;
} else {
                                          let rmod_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_p);
              let rdiv_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_p);
let rmod_3 : i32 = (select((rdiv_2 - 1i), rdiv_2, (((podArgs.n_p >= 0i) && (rmod_2 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_2 <= 0i)))) % podArgs.n_h);
              var condval_2 : i32;
              if ((podArgs.n_g == 0i)) {
                condval_2 = 0i;
} else {
                let rmod_4 : i32 = (podArgs.n_h % podArgs.n_g);
                let rdiv_3 : i32 = (podArgs.n_h / podArgs.n_g);
                condval_2 = select((rdiv_3 - 1i), rdiv_3, (((podArgs.n_g >= 0i) && (rmod_4 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_4 <= 0i))));
}
let rmod_5 : i32 = (select((rmod_3 + podArgs.n_h), rmod_3, (((podArgs.n_h >= 0i) && (rmod_3 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_3 <= 0i)))) % condval_2);
                                          let rmod_6 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_p);
              let rdiv_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_p);
let rmod_7 : i32 = (select((rdiv_4 - 1i), rdiv_4, (((podArgs.n_p >= 0i) && (rmod_6 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_6 <= 0i)))) % podArgs.n_h);
              var condval_3 : i32;
              if ((podArgs.n_g == 0i)) {
                condval_3 = 0i;
} else {
                let rmod_8 : i32 = (podArgs.n_h % podArgs.n_g);
                let rdiv_5 : i32 = (podArgs.n_h / podArgs.n_g);
                condval_3 = select((rdiv_5 - 1i), rdiv_5, (((podArgs.n_g >= 0i) && (rmod_8 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_8 <= 0i))));
}
let rdiv_6 : i32 = (select((rmod_7 + podArgs.n_h), rmod_7, (((podArgs.n_h >= 0i) && (rmod_7 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_7 <= 0i)))) / condval_3);
              var condval_4 : i32;
              if ((podArgs.n_g == 0i)) {
                condval_4 = 0i;
} else {
                let rmod_9 : i32 = (podArgs.n_h % podArgs.n_g);
                let rdiv_7 : i32 = (podArgs.n_h / podArgs.n_g);
                condval_4 = select((rdiv_7 - 1i), rdiv_7, (((podArgs.n_g >= 0i) && (rmod_9 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_9 <= 0i))));
}
              var condval_5 : i32;
              if ((podArgs.n_g == 0i)) {
                condval_5 = 0i;
} else {
                let rmod_10 : i32 = (podArgs.n_h % podArgs.n_g);
                let rdiv_8 : i32 = (podArgs.n_h / podArgs.n_g);
                condval_5 = select((rdiv_8 - 1i), rdiv_8, (((podArgs.n_g >= 0i) && (rmod_10 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_10 <= 0i))));
}
              condval = select((rdiv_6 - 1i), rdiv_6, (((condval_4 >= 0i) && (rmod_5 >= 0i)) || ((condval_5 < 0i) && (rmod_5 <= 0i))));
}
            acc_OU[i_f_1] = (acc_OU[i_f_1] + ((EU_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)] * V_ptr[((((((select((rdiv - 1i), rdiv, ((((podArgs.n_h * podArgs.n_p) >= 0i) && (rmod >= 0i)) || (((podArgs.n_h * podArgs.n_p) < 0i) && (rmod <= 0i)))) * podArgs.n_g) + condval) * podArgs.n_m) * 20i) + (i_m * 20i)) + i_f_1)]) / LU_ptr[((v__1 * 64i) + i32(threadIdx.x))]));
          }
          ok_OU[0i] = bool(bool(1));
        }
      }
    }
    for (var i_f_2 : i32 = 0i; i_f_2 < 20i; i_f_2++) {
      var condval_6 : f32;
      if (bool(ok_OU[0i])) {
        condval_6 = acc_OU[i_f_2];
} else {
        condval_6 = 0.000000e+00f;
}
      OU_ptr[(((v__1 * 1280i) + (i32(threadIdx.x) * 20i)) + i_f_2)] = condval_6;
      OU_ok_ptr[(((v__1 * 1280i) + (i32(threadIdx.x) * 20i)) + i_f_2)] = i32(bool(ok_OU[0i]));
    }
  }
}
//// attncc kernel: cascade_11_LSEU_kernel
@group(0) @binding(0) var<storage, read_write> LSEU_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> LSEU_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> LU_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> LU_ok_ptr : array<i32>;
@group(0) @binding(4) var<storage, read> MXU_ptr : array<f32>;
@group(0) @binding(5) var<storage, read> MXU_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(6) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn cascade_11_LSEU_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
    if ((MXU_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i) && (LU_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i)) {
      LSEU_ptr[((v__1 * 64i) + i32(threadIdx.x))] = (MXU_ptr[((v__1 * 64i) + i32(threadIdx.x))] + log(LU_ptr[((v__1 * 64i) + i32(threadIdx.x))]));
      LSEU_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 1i;
    } else {
      LSEU_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
      LSEU_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0i;
    }
  }
}
//// attncc kernel: cascade_12_MM_kernel
@group(0) @binding(0) var<storage, read> LSEP_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> LSEU_ptr : array<f32>;
@group(0) @binding(2) var<storage, read> LSEU_ok_ptr : array<i32>;
@group(0) @binding(3) var<storage, read_write> MM_ptr : array<f32>;
@group(0) @binding(4) var<storage, read_write> MM_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  n_s: i32,
  packGridDimX: u32
}
@group(0) @binding(5) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn cascade_12_MM_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
    if (0i < podArgs.n_s) {
      if (LSEU_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i) {
        var condval : f32;
        if (((LSEP_ptr[((v__1 * 64i) + i32(threadIdx.x))] < LSEU_ptr[((v__1 * 64i) + i32(threadIdx.x))]) || (2139095040i < (bitcast<i32>(LSEU_ptr[((v__1 * 64i) + i32(threadIdx.x))]) & 2147483647i)))) {
          condval = LSEU_ptr[((v__1 * 64i) + i32(threadIdx.x))];
} else {
          condval = LSEP_ptr[((v__1 * 64i) + i32(threadIdx.x))];
}
        MM_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval;
        MM_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 1i;
      } else {
        MM_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
        MM_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0i;
      }
    } else {
      MM_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
      MM_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0i;
    }
  }
}
//// attncc kernel: cascade_13_WA_kernel
@group(0) @binding(0) var<storage, read> LSEP_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> MM_ptr : array<f32>;
@group(0) @binding(2) var<storage, read> MM_ok_ptr : array<i32>;
@group(0) @binding(3) var<storage, read_write> WA_ptr : array<f32>;
@group(0) @binding(4) var<storage, read_write> WA_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  n_s: i32,
  packGridDimX: u32
}
@group(0) @binding(5) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn cascade_13_WA_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
    if (0i < podArgs.n_s) {
      if (MM_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i) {
        WA_ptr[((v__1 * 64i) + i32(threadIdx.x))] = exp((LSEP_ptr[((v__1 * 64i) + i32(threadIdx.x))] - MM_ptr[((v__1 * 64i) + i32(threadIdx.x))]));
        WA_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 1i;
      } else {
        WA_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
        WA_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0i;
      }
    } else {
      WA_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
      WA_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0i;
    }
  }
}
//// attncc kernel: cascade_14_WB_kernel
@group(0) @binding(0) var<storage, read> LSEU_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> LSEU_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> MM_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> MM_ok_ptr : array<i32>;
@group(0) @binding(4) var<storage, read_write> WB_ptr : array<f32>;
@group(0) @binding(5) var<storage, read_write> WB_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  n_s: i32,
  packGridDimX: u32
}
@group(0) @binding(6) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn cascade_14_WB_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
    if (0i < podArgs.n_s) {
      if ((LSEU_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i) && (MM_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i)) {
        WB_ptr[((v__1 * 64i) + i32(threadIdx.x))] = exp((LSEU_ptr[((v__1 * 64i) + i32(threadIdx.x))] - MM_ptr[((v__1 * 64i) + i32(threadIdx.x))]));
        WB_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 1i;
      } else {
        WB_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
        WB_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0i;
      }
    } else {
      WB_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
      WB_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0i;
    }
  }
}
//// attncc kernel: cascade_15_O_kernel
@group(0) @binding(0) var<storage, read_write> O_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> OP_ptr : array<f32>;
@group(0) @binding(2) var<storage, read> OU_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> OU_ok_ptr : array<i32>;
@group(0) @binding(4) var<storage, read> WA_ptr : array<f32>;
@group(0) @binding(5) var<storage, read> WA_ok_ptr : array<i32>;
@group(0) @binding(6) var<storage, read> WB_ptr : array<f32>;
@group(0) @binding(7) var<storage, read> WB_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  n_s: i32,
  packGridDimX: u32
}
@group(0) @binding(8) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn cascade_15_O_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_p) * 20i)) {
    if (0i < podArgs.n_s) {
      if (((WA_ok_ptr[(((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i)] != 0i) && (OU_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i)) && (WB_ok_ptr[(((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i)] != 0i)) {
        O_ptr[((v__1 * 64i) + i32(threadIdx.x))] = (fma(OU_ptr[((v__1 * 64i) + i32(threadIdx.x))], WB_ptr[(((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i)], (OP_ptr[((v__1 * 64i) + i32(threadIdx.x))] * WA_ptr[(((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i)])) / (WA_ptr[(((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i)] + WB_ptr[(((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i)]));
      } else {
        O_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
      }
    } else {
      O_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
    }
  }
}
//// attncc kernel: cascade_16_LSE_kernel
@group(0) @binding(0) var<storage, read_write> LSE_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> MM_ptr : array<f32>;
@group(0) @binding(2) var<storage, read> MM_ok_ptr : array<i32>;
@group(0) @binding(3) var<storage, read> WA_ptr : array<f32>;
@group(0) @binding(4) var<storage, read> WA_ok_ptr : array<i32>;
@group(0) @binding(5) var<storage, read> WB_ptr : array<f32>;
@group(0) @binding(6) var<storage, read> WB_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  n_s: i32,
  packGridDimX: u32
}
@group(0) @binding(7) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn cascade_16_LSE_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
    if (0i < podArgs.n_s) {
      if (((MM_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i) && (WA_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i)) && (WB_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i)) {
        LSE_ptr[((v__1 * 64i) + i32(threadIdx.x))] = (MM_ptr[((v__1 * 64i) + i32(threadIdx.x))] + log((WA_ptr[((v__1 * 64i) + i32(threadIdx.x))] + WB_ptr[((v__1 * 64i) + i32(threadIdx.x))])));
      } else {
        LSE_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
      }
    } else {
      LSE_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
    }
  }
}
