//// attncc kernel: mla_causal_0_SN_kernel
@group(0) @binding(0) var<storage, read> CKV_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> QN_ptr : array<f32>;
@group(0) @binding(2) var<storage, read_write> SN_ptr : array<f32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(3) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn mla_causal_0_SN_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_SN : array<f32, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_p) * podArgs.n_m)) {
    acc_SN[0i] = 0.000000e+00f;
    for (var i_d : i32 = 0i; i_d < 24i; i_d++) {
            let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
let rmod_1 : i32 = (select((rmod + ((podArgs.n_h * podArgs.n_p) * podArgs.n_m)), rmod, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod <= 0i)))) % podArgs.n_m);
            let rmod_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
let rdiv : i32 = (select((rmod_2 + ((podArgs.n_h * podArgs.n_p) * podArgs.n_m)), rmod_2, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_2 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_2 <= 0i)))) / podArgs.n_m);
      let rmod_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      let rmod_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
      let rmod_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      let rdiv_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      acc_SN[0i] = fma(QN_ptr[(((select((rdiv - 1i), rdiv, (((podArgs.n_m >= 0i) && (rmod_1 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_1 <= 0i)))) * 24i) + (((select((rdiv_1 - 1i), rdiv_1, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_3 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_3 <= 0i)))) * podArgs.n_h) * podArgs.n_p) * 24i)) + i_d)], CKV_ptr[(((select((rmod_4 + podArgs.n_m), rmod_4, (((podArgs.n_m >= 0i) && (rmod_4 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_4 <= 0i)))) * 24i) + ((select((rdiv_2 - 1i), rdiv_2, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_5 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_5 <= 0i)))) * podArgs.n_m) * 24i)) + i_d)], acc_SN[0i]);
    }
    SN_ptr[((v__1 * 64i) + i32(threadIdx.x))] = acc_SN[0i];
  }
}
//// attncc kernel: mla_causal_1_SR_kernel
@group(0) @binding(0) var<storage, read> KR_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> QR_ptr : array<f32>;
@group(0) @binding(2) var<storage, read_write> SR_ptr : array<f32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(3) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn mla_causal_1_SR_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_SR : array<f32, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_p) * podArgs.n_m)) {
    acc_SR[0i] = 0.000000e+00f;
    for (var i_a : i32 = 0i; i_a < 8i; i_a++) {
            let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
let rmod_1 : i32 = (select((rmod + ((podArgs.n_h * podArgs.n_p) * podArgs.n_m)), rmod, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod <= 0i)))) % podArgs.n_m);
            let rmod_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
let rdiv : i32 = (select((rmod_2 + ((podArgs.n_h * podArgs.n_p) * podArgs.n_m)), rmod_2, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_2 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_2 <= 0i)))) / podArgs.n_m);
      let rmod_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      let rmod_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
      let rmod_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      let rdiv_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      acc_SR[0i] = fma(QR_ptr[(((select((rdiv - 1i), rdiv, (((podArgs.n_m >= 0i) && (rmod_1 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_1 <= 0i)))) * 8i) + (((select((rdiv_1 - 1i), rdiv_1, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_3 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_3 <= 0i)))) * podArgs.n_h) * podArgs.n_p) * 8i)) + i_a)], KR_ptr[(((select((rmod_4 + podArgs.n_m), rmod_4, (((podArgs.n_m >= 0i) && (rmod_4 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_4 <= 0i)))) * 8i) + ((select((rdiv_2 - 1i), rdiv_2, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_5 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_5 <= 0i)))) * podArgs.n_m) * 8i)) + i_a)], acc_SR[0i]);
    }
    SR_ptr[((v__1 * 64i) + i32(threadIdx.x))] = acc_SR[0i];
  }
}
//// attncc kernel: mla_causal_2_S_kernel
@group(0) @binding(0) var<storage, read_write> S_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> SN_ptr : array<f32>;
@group(0) @binding(2) var<storage, read> SR_ptr : array<f32>;
@group(0) @binding(3) var<storage, read_write> S_ok_ptr : array<i32>;

struct PODArgs {
  SCALE: f32,
  n_b: i32,
  n_h: i32,
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn mla_causal_2_S_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_p) * podArgs.n_m)) {
    let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
        let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
    let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_m);
let rmod_2 : i32 = (select((rdiv - 1i), rdiv, (((podArgs.n_m >= 0i) && (rmod_1 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_1 <= 0i)))) % podArgs.n_p);
    if (select((rmod + podArgs.n_m), rmod, (((podArgs.n_m >= 0i) && (rmod >= 0i)) || ((podArgs.n_m < 0i) && (rmod <= 0i)))) <= ((select((rmod_2 + podArgs.n_p), rmod_2, (((podArgs.n_p >= 0i) && (rmod_2 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_2 <= 0i)))) + podArgs.n_m) - podArgs.n_p)) {
      let rmod_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
            let rmod_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * podArgs.n_m));
      let rdiv_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * podArgs.n_m));
let rmod_5 : i32 = (select((rdiv_2 - 1i), rdiv_2, ((((podArgs.n_p * podArgs.n_m) >= 0i) && (rmod_4 >= 0i)) || (((podArgs.n_p * podArgs.n_m) < 0i) && (rmod_4 <= 0i)))) % podArgs.n_h);
            let rmod_6 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
      let rdiv_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_m);
let rmod_7 : i32 = (select((rdiv_3 - 1i), rdiv_3, (((podArgs.n_m >= 0i) && (rmod_6 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_6 <= 0i)))) % podArgs.n_p);
      let rmod_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
      let rmod_9 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      let rdiv_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
            let rmod_10 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * podArgs.n_m));
      let rdiv_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * podArgs.n_m));
let rmod_11 : i32 = (select((rdiv_5 - 1i), rdiv_5, ((((podArgs.n_p * podArgs.n_m) >= 0i) && (rmod_10 >= 0i)) || (((podArgs.n_p * podArgs.n_m) < 0i) && (rmod_10 <= 0i)))) % podArgs.n_h);
            let rmod_12 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
      let rdiv_6 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_m);
let rmod_13 : i32 = (select((rdiv_6 - 1i), rdiv_6, (((podArgs.n_m >= 0i) && (rmod_12 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_12 <= 0i)))) % podArgs.n_p);
      let rmod_14 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
      let rmod_15 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      let rdiv_7 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
            let rmod_16 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * podArgs.n_m));
      let rdiv_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * podArgs.n_m));
let rmod_17 : i32 = (select((rdiv_8 - 1i), rdiv_8, ((((podArgs.n_p * podArgs.n_m) >= 0i) && (rmod_16 >= 0i)) || (((podArgs.n_p * podArgs.n_m) < 0i) && (rmod_16 <= 0i)))) % podArgs.n_h);
            let rmod_18 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
      let rdiv_9 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_m);
let rmod_19 : i32 = (select((rdiv_9 - 1i), rdiv_9, (((podArgs.n_m >= 0i) && (rmod_18 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_18 <= 0i)))) % podArgs.n_p);
      let rmod_20 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
      S_ptr[((((((select((rdiv_1 - 1i), rdiv_1, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_3 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_3 <= 0i)))) * podArgs.n_h) + select((rmod_5 + podArgs.n_h), rmod_5, (((podArgs.n_h >= 0i) && (rmod_5 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_5 <= 0i))))) * podArgs.n_p) + select((rmod_7 + podArgs.n_p), rmod_7, (((podArgs.n_p >= 0i) && (rmod_7 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_7 <= 0i))))) * podArgs.n_m) + select((rmod_8 + podArgs.n_m), rmod_8, (((podArgs.n_m >= 0i) && (rmod_8 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_8 <= 0i)))))] = ((SN_ptr[((((((select((rdiv_4 - 1i), rdiv_4, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_9 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_9 <= 0i)))) * podArgs.n_h) + select((rmod_11 + podArgs.n_h), rmod_11, (((podArgs.n_h >= 0i) && (rmod_11 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_11 <= 0i))))) * podArgs.n_p) + select((rmod_13 + podArgs.n_p), rmod_13, (((podArgs.n_p >= 0i) && (rmod_13 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_13 <= 0i))))) * podArgs.n_m) + select((rmod_14 + podArgs.n_m), rmod_14, (((podArgs.n_m >= 0i) && (rmod_14 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_14 <= 0i)))))] + SR_ptr[((((((select((rdiv_7 - 1i), rdiv_7, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_15 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_15 <= 0i)))) * podArgs.n_h) + select((rmod_17 + podArgs.n_h), rmod_17, (((podArgs.n_h >= 0i) && (rmod_17 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_17 <= 0i))))) * podArgs.n_p) + select((rmod_19 + podArgs.n_p), rmod_19, (((podArgs.n_p >= 0i) && (rmod_19 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_19 <= 0i))))) * podArgs.n_m) + select((rmod_20 + podArgs.n_m), rmod_20, (((podArgs.n_m >= 0i) && (rmod_20 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_20 <= 0i)))))]) * podArgs.SCALE);
      let rmod_21 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      let rdiv_10 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
            let rmod_22 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * podArgs.n_m));
      let rdiv_11 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * podArgs.n_m));
let rmod_23 : i32 = (select((rdiv_11 - 1i), rdiv_11, ((((podArgs.n_p * podArgs.n_m) >= 0i) && (rmod_22 >= 0i)) || (((podArgs.n_p * podArgs.n_m) < 0i) && (rmod_22 <= 0i)))) % podArgs.n_h);
            let rmod_24 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
      let rdiv_12 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_m);
let rmod_25 : i32 = (select((rdiv_12 - 1i), rdiv_12, (((podArgs.n_m >= 0i) && (rmod_24 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_24 <= 0i)))) % podArgs.n_p);
      let rmod_26 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
      S_ok_ptr[((((((select((rdiv_10 - 1i), rdiv_10, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_21 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_21 <= 0i)))) * podArgs.n_h) + select((rmod_23 + podArgs.n_h), rmod_23, (((podArgs.n_h >= 0i) && (rmod_23 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_23 <= 0i))))) * podArgs.n_p) + select((rmod_25 + podArgs.n_p), rmod_25, (((podArgs.n_p >= 0i) && (rmod_25 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_25 <= 0i))))) * podArgs.n_m) + select((rmod_26 + podArgs.n_m), rmod_26, (((podArgs.n_m >= 0i) && (rmod_26 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_26 <= 0i)))))] = 1i;
    } else {
      S_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
      S_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0i;
    }
  }
}
//// attncc kernel: mla_causal_3_MX_kernel
@group(0) @binding(0) var<storage, read_write> MX_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> MX_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> S_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> S_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn mla_causal_3_MX_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_MX : array<f32, 1>;
  var ok_MX : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
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
//// attncc kernel: mla_causal_4_E_kernel
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
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(6) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn mla_causal_4_E_kernel(
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
    if ((S_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i) && (MX_ok_ptr[(((select((rdiv - 1i), rdiv, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod <= 0i)))) * podArgs.n_h) * podArgs.n_p) + select((rdiv_1 - 1i), rdiv_1, (((podArgs.n_m >= 0i) && (rmod_2 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_2 <= 0i)))))] != 0i)) {
      let rmod_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      let rdiv_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
            let rmod_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
let rmod_6 : i32 = (select((rmod_5 + ((podArgs.n_h * podArgs.n_p) * podArgs.n_m)), rmod_5, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_5 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_5 <= 0i)))) % podArgs.n_m);
            let rmod_7 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
let rdiv_3 : i32 = (select((rmod_7 + ((podArgs.n_h * podArgs.n_p) * podArgs.n_m)), rmod_7, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_7 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_7 <= 0i)))) / podArgs.n_m);
      E_ptr[((v__1 * 64i) + i32(threadIdx.x))] = exp((S_ptr[((v__1 * 64i) + i32(threadIdx.x))] - MX_ptr[(((select((rdiv_2 - 1i), rdiv_2, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_4 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_4 <= 0i)))) * podArgs.n_h) * podArgs.n_p) + select((rdiv_3 - 1i), rdiv_3, (((podArgs.n_m >= 0i) && (rmod_6 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_6 <= 0i)))))]));
      E_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 1i;
    } else {
      E_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
      E_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0i;
    }
  }
}
//// attncc kernel: mla_causal_5_L_kernel
@group(0) @binding(0) var<storage, read> E_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> E_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read_write> L_ptr : array<f32>;
@group(0) @binding(3) var<storage, read_write> L_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn mla_causal_5_L_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_L : array<f32, 1>;
  var ok_L : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
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
//// attncc kernel: mla_causal_6_O_kernel
@group(0) @binding(0) var<storage, read> CKV_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> E_ptr : array<f32>;
@group(0) @binding(2) var<storage, read> E_ok_ptr : array<i32>;
@group(0) @binding(3) var<storage, read> L_ptr : array<f32>;
@group(0) @binding(4) var<storage, read> L_ok_ptr : array<i32>;
@group(0) @binding(5) var<storage, read_write> O_ptr : array<f32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(6) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn mla_causal_6_O_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_O : array<f32, 24>;
  var ok_O : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
    for (var i_d : i32 = 0i; i_d < 24i; i_d++) {
      acc_O[i_d] = 0.000000e+00f;
    }
    ok_O[0i] = bool(bool(0));
    if (L_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i) {
      for (var i_m : i32 = 0i; i_m < podArgs.n_m; i_m++) {
        if (E_ok_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)] != 0i) {
          for (var i_d_1 : i32 = 0i; i_d_1 < 24i; i_d_1++) {
            let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_h * podArgs.n_p));
            let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_h * podArgs.n_p));
            acc_O[i_d_1] = (acc_O[i_d_1] + ((E_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)] * CKV_ptr[(((i_m * 24i) + ((select((rdiv - 1i), rdiv, ((((podArgs.n_h * podArgs.n_p) >= 0i) && (rmod >= 0i)) || (((podArgs.n_h * podArgs.n_p) < 0i) && (rmod <= 0i)))) * podArgs.n_m) * 24i)) + i_d_1)]) / L_ptr[((v__1 * 64i) + i32(threadIdx.x))]));
          }
          ok_O[0i] = bool(bool(1));
        }
      }
    }
    for (var i_d_2 : i32 = 0i; i_d_2 < 24i; i_d_2++) {
      var condval : f32;
      if (bool(ok_O[0i])) {
        condval = acc_O[i_d_2];
} else {
        condval = 0.000000e+00f;
}
      O_ptr[(((v__1 * 1536i) + (i32(threadIdx.x) * 24i)) + i_d_2)] = condval;
    }
  }
}
