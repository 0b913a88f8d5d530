//// attncc kernel: tree_parent_0_A2_kernel
@group(0) @binding(0) var<storage, read_write> A2_ptr : array<i32>;
@group(0) @binding(1) var<storage, read> PAR_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  packGridDimX: u32
}
@group(0) @binding(2) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn tree_parent_0_A2_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < (podArgs.n_b * 37i)) {
    var condval : i32;
    if ((PAR_ptr[((v__1 * 64i) + i32(threadIdx.x))] < 0i)) {
      condval = -1i;
} else {
      condval = PAR_ptr[(((((v__1 * 64i) + i32(threadIdx.x)) / 37i) * 37i) + PAR_ptr[((v__1 * 64i) + i32(threadIdx.x))])];
}
    A2_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval;
  }
}
//// attncc kernel: tree_parent_1_A3_kernel
@group(0) @binding(0) var<storage, read> A2_ptr : array<i32>;
@group(0) @binding(1) var<storage, read_write> A3_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> PAR_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  packGridDimX: u32
}
@group(0) @binding(3) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn tree_parent_1_A3_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < (podArgs.n_b * 37i)) {
    var condval : i32;
    if ((A2_ptr[((v__1 * 64i) + i32(threadIdx.x))] < 0i)) {
      condval = -1i;
} else {
      condval = PAR_ptr[(((((v__1 * 64i) + i32(threadIdx.x)) / 37i) * 37i) + A2_ptr[((v__1 * 64i) + i32(threadIdx.x))])];
}
    A3_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval;
  }
}
//// attncc kernel: tree_parent_2_A4_kernel
@group(0) @binding(0) var<storage, read> A3_ptr : array<i32>;
@group(0) @binding(1) var<storage, read_write> A4_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> PAR_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  packGridDimX: u32
}
@group(0) @binding(3) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn tree_parent_2_A4_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < (podArgs.n_b * 37i)) {
    var condval : i32;
    if ((A3_ptr[((v__1 * 64i) + i32(threadIdx.x))] < 0i)) {
      condval = -1i;
} else {
      condval = PAR_ptr[(((((v__1 * 64i) + i32(threadIdx.x)) / 37i) * 37i) + A3_ptr[((v__1 * 64i) + i32(threadIdx.x))])];
}
    A4_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval;
  }
}
//// attncc kernel: tree_parent_3_S_kernel
@group(0) @binding(0) var<storage, read> A2_ptr : array<i32>;
@group(0) @binding(1) var<storage, read> A3_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> A4_ptr : array<i32>;
@group(0) @binding(3) var<storage, read> K_ptr : array<f32>;
@group(0) @binding(4) var<storage, read> PAR_ptr : array<i32>;
@group(0) @binding(5) var<storage, read> Q_ptr : array<f32>;
@group(0) @binding(6) var<storage, read_write> S_ptr : array<f32>;
@group(0) @binding(7) var<storage, read_write> S_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_g: i32,
  n_h: i32,
  n_m: i32,
  packGridDimX: u32
}
@group(0) @binding(8) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn tree_parent_3_S_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_S : array<f32, 1>;
  var ok_S : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_m) * 37i)) {
    acc_S[0i] = 0.000000e+00f;
    ok_S[0i] = bool(bool(0));
    let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
    let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
    let rmod_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
    let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_m);
    let rmod_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
    let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_m);
    let rmod_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
    let rmod_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_m) * 37i));
    let rdiv_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_m) * 37i));
        let rmod_6 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_m * 37i));
let rmod_7 : i32 = (select((rmod_6 + (podArgs.n_m * 37i)), rmod_6, ((((podArgs.n_m * 37i) >= 0i) && (rmod_6 >= 0i)) || (((podArgs.n_m * 37i) < 0i) && (rmod_6 <= 0i)))) % podArgs.n_m);
        let rmod_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_m * 37i));
let rdiv_3 : i32 = (select((rmod_8 + (podArgs.n_m * 37i)), rmod_8, ((((podArgs.n_m * 37i) >= 0i) && (rmod_8 >= 0i)) || (((podArgs.n_m * 37i) < 0i) && (rmod_8 <= 0i)))) / podArgs.n_m);
    let rmod_9 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
    let rmod_10 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_m) * 37i));
    let rdiv_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_m) * 37i));
        let rmod_11 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_m * 37i));
let rmod_12 : i32 = (select((rmod_11 + (podArgs.n_m * 37i)), rmod_11, ((((podArgs.n_m * 37i) >= 0i) && (rmod_11 >= 0i)) || (((podArgs.n_m * 37i) < 0i) && (rmod_11 <= 0i)))) % podArgs.n_m);
        let rmod_13 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_m * 37i));
let rdiv_5 : i32 = (select((rmod_13 + (podArgs.n_m * 37i)), rmod_13, ((((podArgs.n_m * 37i) >= 0i) && (rmod_13 >= 0i)) || (((podArgs.n_m * 37i) < 0i) && (rmod_13 <= 0i)))) / podArgs.n_m);
    let rmod_14 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
    let rmod_15 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_m) * 37i));
    let rdiv_6 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_m) * 37i));
        let rmod_16 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_m * 37i));
let rmod_17 : i32 = (select((rmod_16 + (podArgs.n_m * 37i)), rmod_16, ((((podArgs.n_m * 37i) >= 0i) && (rmod_16 >= 0i)) || (((podArgs.n_m * 37i) < 0i) && (rmod_16 <= 0i)))) % podArgs.n_m);
        let rmod_18 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_m * 37i));
let rdiv_7 : i32 = (select((rmod_18 + (podArgs.n_m * 37i)), rmod_18, ((((podArgs.n_m * 37i) >= 0i) && (rmod_18 >= 0i)) || (((podArgs.n_m * 37i) < 0i) && (rmod_18 <= 0i)))) / podArgs.n_m);
    let rmod_19 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
    let rmod_20 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_m) * 37i));
    let rdiv_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_m) * 37i));
        let rmod_21 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_m * 37i));
let rmod_22 : i32 = (select((rmod_21 + (podArgs.n_m * 37i)), rmod_21, ((((podArgs.n_m * 37i) >= 0i) && (rmod_21 >= 0i)) || (((podArgs.n_m * 37i) < 0i) && (rmod_21 <= 0i)))) % podArgs.n_m);
        let rmod_23 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_m * 37i));
let rdiv_9 : i32 = (select((rmod_23 + (podArgs.n_m * 37i)), rmod_23, ((((podArgs.n_m * 37i) >= 0i) && (rmod_23 >= 0i)) || (((podArgs.n_m * 37i) < 0i) && (rmod_23 <= 0i)))) / podArgs.n_m);
    if (((((((select((rmod + podArgs.n_m), rmod, (((podArgs.n_m >= 0i) && (rmod >= 0i)) || ((podArgs.n_m < 0i) && (rmod <= 0i)))) + 37i) < podArgs.n_m) || (((select((rmod_1 + podArgs.n_m), rmod_1, (((podArgs.n_m >= 0i) && (rmod_1 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_1 <= 0i)))) + 37i) - podArgs.n_m) == ((select((rdiv - 1i), rdiv, (((podArgs.n_m >= 0i) && (rmod_2 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_2 <= 0i)))) % 37i) + (37i & ((select((rdiv_1 - 1i), rdiv_1, (((podArgs.n_m >= 0i) && (rmod_3 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_3 <= 0i)))) % 37i)>>31u))))) || (((select((rmod_4 + podArgs.n_m), rmod_4, (((podArgs.n_m >= 0i) && (rmod_4 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_4 <= 0i)))) + 37i) - podArgs.n_m) == PAR_ptr[((select((rdiv_2 - 1i), rdiv_2, (((((podArgs.n_h * podArgs.n_m) * 37i) >= 0i) && (rmod_5 >= 0i)) || ((((podArgs.n_h * podArgs.n_m) * 37i) < 0i) && (rmod_5 <= 0i)))) * 37i) + select((rdiv_3 - 1i), rdiv_3, (((podArgs.n_m >= 0i) && (rmod_7 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_7 <= 0i)))))])) || (((select((rmod_9 + podArgs.n_m), rmod_9, (((podArgs.n_m >= 0i) && (rmod_9 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_9 <= 0i)))) + 37i) - podArgs.n_m) == A2_ptr[((select((rdiv_4 - 1i), rdiv_4, (((((podArgs.n_h * podArgs.n_m) * 37i) >= 0i) && (rmod_10 >= 0i)) || ((((podArgs.n_h * podArgs.n_m) * 37i) < 0i) && (rmod_10 <= 0i)))) * 37i) + select((rdiv_5 - 1i), rdiv_5, (((podArgs.n_m >= 0i) && (rmod_12 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_12 <= 0i)))))])) || (((select((rmod_14 + podArgs.n_m), rmod_14, (((podArgs.n_m >= 0i) && (rmod_14 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_14 <= 0i)))) + 37i) - podArgs.n_m) == A3_ptr[((select((rdiv_6 - 1i), rdiv_6, (((((podArgs.n_h * podArgs.n_m) * 37i) >= 0i) && (rmod_15 >= 0i)) || ((((podArgs.n_h * podArgs.n_m) * 37i) < 0i) && (rmod_15 <= 0i)))) * 37i) + select((rdiv_7 - 1i), rdiv_7, (((podArgs.n_m >= 0i) && (rmod_17 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_17 <= 0i)))))])) || (((select((rmod_19 + podArgs.n_m), rmod_19, (((podArgs.n_m >= 0i) && (rmod_19 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_19 <= 0i)))) + 37i) - podArgs.n_m) == A4_ptr[((select((rdiv_8 - 1i), rdiv_8, (((((podArgs.n_h * podArgs.n_m) * 37i) >= 0i) && (rmod_20 >= 0i)) || ((((podArgs.n_h * podArgs.n_m) * 37i) < 0i) && (rmod_20 <= 0i)))) * 37i) + select((rdiv_9 - 1i), rdiv_9, (((podArgs.n_m >= 0i) && (rmod_22 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_22 <= 0i)))))])) {
      for (var i_e : i32 = 0i; i_e < 24i; i_e++) {
        let rmod_24 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
        let rdiv_10 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_m);
        let rmod_25 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_m) * 37i));
        let rdiv_11 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_m) * 37i));
        var condval_1 : i32;
        if ((podArgs.n_g == 0i)) {
          condval_1 = 0i;
} else {
          let rmod_26 : i32 = (podArgs.n_h % podArgs.n_g);
          let rdiv_12 : i32 = (podArgs.n_h / podArgs.n_g);
          condval_1 = select((rdiv_12 - 1i), rdiv_12, (((podArgs.n_g >= 0i) && (rmod_26 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_26 <= 0i))));
}
        var condval : i32;
        if ((condval_1 == 0i)) {
          condval = 0i;
} else {
                              let rmod_27 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_m * 37i));
          let rdiv_13 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_m * 37i));
let rmod_28 : i32 = (select((rdiv_13 - 1i), rdiv_13, ((((podArgs.n_m * 37i) >= 0i) && (rmod_27 >= 0i)) || (((podArgs.n_m * 37i) < 0i) && (rmod_27 <= 0i)))) % podArgs.n_h);
          var condval_2 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_2 = 0i;
} else {
            let rmod_29 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_14 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_2 = select((rdiv_14 - 1i), rdiv_14, (((podArgs.n_g >= 0i) && (rmod_29 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_29 <= 0i))));
}
let rmod_30 : i32 = (select((rmod_28 + podArgs.n_h), rmod_28, (((podArgs.n_h >= 0i) && (rmod_28 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_28 <= 0i)))) % condval_2);
                              let rmod_31 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_m * 37i));
          let rdiv_15 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_m * 37i));
let rmod_32 : i32 = (select((rdiv_15 - 1i), rdiv_15, ((((podArgs.n_m * 37i) >= 0i) && (rmod_31 >= 0i)) || (((podArgs.n_m * 37i) < 0i) && (rmod_31 <= 0i)))) % podArgs.n_h);
          var condval_3 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_3 = 0i;
} else {
            let rmod_33 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_16 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_3 = select((rdiv_16 - 1i), rdiv_16, (((podArgs.n_g >= 0i) && (rmod_33 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_33 <= 0i))));
}
let rdiv_17 : i32 = (select((rmod_32 + podArgs.n_h), rmod_32, (((podArgs.n_h >= 0i) && (rmod_32 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_32 <= 0i)))) / condval_3);
          var condval_4 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_4 = 0i;
} else {
            let rmod_34 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_18 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_4 = select((rdiv_18 - 1i), rdiv_18, (((podArgs.n_g >= 0i) && (rmod_34 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_34 <= 0i))));
}
          var condval_5 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_5 = 0i;
} else {
            let rmod_35 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_19 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_5 = select((rdiv_19 - 1i), rdiv_19, (((podArgs.n_g >= 0i) && (rmod_35 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_35 <= 0i))));
}
          condval = select((rdiv_17 - 1i), rdiv_17, (((condval_4 >= 0i) && (rmod_30 >= 0i)) || ((condval_5 < 0i) && (rmod_30 <= 0i))));
}
        let rmod_36 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
        acc_S[0i] = fma((Q_ptr[((select((rdiv_10 - 1i), rdiv_10, (((podArgs.n_m >= 0i) && (rmod_24 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_24 <= 0i)))) * 24i) + i_e)] * K_ptr[((((((select((rdiv_11 - 1i), rdiv_11, (((((podArgs.n_h * podArgs.n_m) * 37i) >= 0i) && (rmod_25 >= 0i)) || ((((podArgs.n_h * podArgs.n_m) * 37i) < 0i) && (rmod_25 <= 0i)))) * podArgs.n_g) + condval) * podArgs.n_m) * 24i) + (select((rmod_36 + podArgs.n_m), rmod_36, (((podArgs.n_m >= 0i) && (rmod_36 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_36 <= 0i)))) * 24i)) + i_e)]), 2.041242e-01f, acc_S[0i]);
      }
      ok_S[0i] = bool(bool(1));
    }
    var condval_6 : f32;
    if (bool(ok_S[0i])) {
      condval_6 = acc_S[0i];
} else {
      condval_6 = 0.000000e+00f;
}
    S_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval_6;
    S_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = i32(bool(ok_S[0i]));
  }
}
//// attncc kernel: tree_parent_4_MX_kernel
@group(0) @binding(0) var<storage, read_write> MX_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> MX_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> S_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> S_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_m: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn tree_parent_4_MX_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_MX : array<f32, 1>;
  var ok_MX : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * 37i)) {
    acc_MX[0i] = -3.4028234663852886e+38f;
    ok_MX[0i] = bool(bool(0));
    for (var i_m : i32 = 0i; i_m < podArgs.n_m; i_m++) {
      if (S_ok_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)] != 0i) {
        var condval : f32;
        if (((acc_MX[0i] < S_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)]) || (2139095040i < (bitcast<i32>(S_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)]) & 2147483647i)))) {
          condval = S_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)];
} else {
          condval = acc_MX[0i];
}
        acc_MX[0i] = condval;
        ok_MX[0i] = bool(bool(1));
      }
    }
    var condval_1 : f32;
    if (bool(ok_MX[0i])) {
      condval_1 = acc_MX[0i];
} else {
      condval_1 = 0.000000e+00f;
}
    MX_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval_1;
    MX_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = i32(bool(ok_MX[0i]));
  }
}
//// attncc kernel: tree_parent_5_E_kernel
@group(0) @binding(0) var<storage, read_write> E_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> E_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> MX_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> MX_ok_ptr : array<i32>;
@group(0) @binding(4) var<storage, read> S_ptr : array<f32>;
@group(0) @binding(5) var<storage, read> S_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_m: i32,
  packGridDimX: u32
}
@group(0) @binding(6) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn tree_parent_5_E_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_m) * 37i)) {
    let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
    let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_m);
    if ((S_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i) && (MX_ok_ptr[select((rdiv - 1i), rdiv, (((podArgs.n_m >= 0i) && (rmod >= 0i)) || ((podArgs.n_m < 0i) && (rmod <= 0i))))] != 0i)) {
      let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
      let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_m);
      E_ptr[((v__1 * 64i) + i32(threadIdx.x))] = exp((S_ptr[((v__1 * 64i) + i32(threadIdx.x))] - MX_ptr[select((rdiv_1 - 1i), rdiv_1, (((podArgs.n_m >= 0i) && (rmod_1 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_1 <= 0i))))]));
      E_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 1i;
    } else {
      E_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
      E_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0i;
    }
  }
}
//// attncc kernel: tree_parent_6_L_kernel
@group(0) @binding(0) var<storage, read> E_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> E_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read_write> L_ptr : array<f32>;
@group(0) @binding(3) var<storage, read_write> L_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_m: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn tree_parent_6_L_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_L : array<f32, 1>;
  var ok_L : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * 37i)) {
    acc_L[0i] = 0.000000e+00f;
    ok_L[0i] = bool(bool(0));
    for (var i_m : i32 = 0i; i_m < podArgs.n_m; i_m++) {
      if (E_ok_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)] != 0i) {
        acc_L[0i] = (acc_L[0i] + E_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)]);
        ok_L[0i] = bool(bool(1));
      }
    }
    var condval : f32;
    if (bool(ok_L[0i])) {
      condval = acc_L[0i];
} else {
      condval = 0.000000e+00f;
}
    L_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval;
    L_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = i32(bool(ok_L[0i]));
  }
}
//// attncc kernel: tree_parent_7_O_kernel
@group(0) @binding(0) var<storage, read> E_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> E_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> L_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> L_ok_ptr : array<i32>;
@group(0) @binding(4) var<storage, read_write> O_ptr : array<f32>;
@group(0) @binding(5) var<storage, read> V_ptr : array<f32>;

struct PODArgs {
  n_b: i32,
  n_g: i32,
  n_h: i32,
  n_m: i32,
  packGridDimX: u32
}
@group(0) @binding(6) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn tree_parent_7_O_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_O : array<f32, 20>;
  var ok_O : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * 37i)) {
    for (var i_f : i32 = 0i; i_f < 20i; i_f++) {
      acc_O[i_f] = 0.000000e+00f;
    }
    ok_O[0i] = bool(bool(0));
    if (L_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i) {
      for (var i_m : i32 = 0i; i_m < podArgs.n_m; i_m++) {
        if (E_ok_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)] != 0i) {
          for (var i_f_1 : i32 = 0i; i_f_1 < 20i; i_f_1++) {
            let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_h * 37i));
            let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_h * 37i));
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
                            let rmod_2 : i32 = ((((v__1 * 64i) + i32(threadIdx.x)) / 37i) % podArgs.n_h);
              var condval_2 : i32;
              if ((podArgs.n_g == 0i)) {
                condval_2 = 0i;
} else {
                let rmod_3 : i32 = (podArgs.n_h % podArgs.n_g);
                let rdiv_2 : i32 = (podArgs.n_h / podArgs.n_g);
                condval_2 = select((rdiv_2 - 1i), rdiv_2, (((podArgs.n_g >= 0i) && (rmod_3 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_3 <= 0i))));
}
let rmod_4 : i32 = (select((rmod_2 + podArgs.n_h), rmod_2, (((podArgs.n_h >= 0i) && (rmod_2 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_2 <= 0i)))) % condval_2);
                            let rmod_5 : i32 = ((((v__1 * 64i) + i32(threadIdx.x)) / 37i) % podArgs.n_h);
              var condval_3 : i32;
              if ((podArgs.n_g == 0i)) {
                condval_3 = 0i;
} else {
                let rmod_6 : i32 = (podArgs.n_h % podArgs.n_g);
                let rdiv_3 : i32 = (podArgs.n_h / podArgs.n_g);
                condval_3 = select((rdiv_3 - 1i), rdiv_3, (((podArgs.n_g >= 0i) && (rmod_6 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_6 <= 0i))));
}
let rdiv_4 : i32 = (select((rmod_5 + podArgs.n_h), rmod_5, (((podArgs.n_h >= 0i) && (rmod_5 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_5 <= 0i)))) / condval_3);
              var condval_4 : i32;
              if ((podArgs.n_g == 0i)) {
                condval_4 = 0i;
} else {
                let rmod_7 : i32 = (podArgs.n_h % podArgs.n_g);
                let rdiv_5 : i32 = (podArgs.n_h / podArgs.n_g);
                condval_4 = select((rdiv_5 - 1i), rdiv_5, (((podArgs.n_g >= 0i) && (rmod_7 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_7 <= 0i))));
}
              var condval_5 : i32;
              if ((podArgs.n_g == 0i)) {
                condval_5 = 0i;
} else {
                let rmod_8 : i32 = (podArgs.n_h % podArgs.n_g);
                let rdiv_6 : i32 = (podArgs.n_h / podArgs.n_g);
                condval_5 = select((rdiv_6 - 1i), rdiv_6, (((podArgs.n_g >= 0i) && (rmod_8 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_8 <= 0i))));
}
              condval = select((rdiv_4 - 1i), rdiv_4, (((condval_4 >= 0i) && (rmod_4 >= 0i)) || ((condval_5 < 0i) && (rmod_4 <= 0i))));
}
            acc_O[i_f_1] = (acc_O[i_f_1] + ((E_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)] * V_ptr[((((((select((rdiv - 1i), rdiv, ((((podArgs.n_h * 37i) >= 0i) && (rmod >= 0i)) || (((podArgs.n_h * 37i) < 0i) && (rmod <= 0i)))) * podArgs.n_g) + condval) * podArgs.n_m) * 20i) + (i_m * 20i)) + i_f_1)]) / L_ptr[((v__1 * 64i) + i32(threadIdx.x))]));
          }
          ok_O[0i] = bool(bool(1));
        }
      }
    }
    for (var i_f_2 : i32 = 0i; i_f_2 < 20i; i_f_2++) {
      var condval_6 : f32;
      if (bool(ok_O[0i])) {
        condval_6 = acc_O[i_f_2];
} else {
        condval_6 = 0.000000e+00f;
}
      O_ptr[(((v__1 * 1280i) + (i32(threadIdx.x) * 20i)) + i_f_2)] = condval_6;
    }
  }
}
