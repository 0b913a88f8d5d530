//// attncc kernel: gqa_0_S_kernel
@group(0) @binding(0) var<storage, read> K_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> Q_ptr : array<f32>;
@group(0) @binding(2) var<storage, read_write> S_ptr : array<f32>;

struct PODArgs {
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(3) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn gqa_0_S_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_S : array<f32, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_p * podArgs.n_m) * 12i)) {
    acc_S[0i] = 0.000000e+00f;
    for (var i_e : i32 = 0i; i_e < 24i; i_e++) {
      let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
      let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_m);
      let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
      let rmod_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_p * podArgs.n_m) * 2i));
      let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_p * podArgs.n_m) * 2i));
      acc_S[0i] = fma((Q_ptr[((select((rdiv - 1i), rdiv, (((podArgs.n_m >= 0i) && (rmod >= 0i)) || ((podArgs.n_m < 0i) && (rmod <= 0i)))) * 24i) + i_e)] * K_ptr[(((select((rmod_1 + podArgs.n_m), rmod_1, (((podArgs.n_m >= 0i) && (rmod_1 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_1 <= 0i)))) * 24i) + ((select((rdiv_1 - 1i), rdiv_1, (((((podArgs.n_p * podArgs.n_m) * 2i) >= 0i) && (rmod_2 >= 0i)) || ((((podArgs.n_p * podArgs.n_m) * 2i) < 0i) && (rmod_2 <= 0i)))) * podArgs.n_m) * 24i)) + i_e)]), 2.041242e-01f, acc_S[0i]);
    }
    S_ptr[((v__1 * 64i) + i32(threadIdx.x))] = acc_S[0i];
  }
}
//// attncc kernel: gqa_1_MX_kernel
@group(0) @binding(0) var<storage, read_write> MX_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> S_ptr : array<f32>;

struct PODArgs {
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(2) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn gqa_1_MX_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_MX : array<f32, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < (podArgs.n_p * 12i)) {
    acc_MX[0i] = -3.4028234663852886e+38f;
    for (var i_m : i32 = 0i; i_m < podArgs.n_m; i_m++) {
      var condval : f32;
      if (((acc_MX[0i] < S_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)]) || (2139095040i < (bitcast<i32>(S_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)]) & 2147483647i)))) {
        condval = S_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)];
} else {
        condval = acc_MX[0i];
}
      acc_MX[0i] = condval;
    }
    var condval_1 : f32;
    if ((0i < podArgs.n_m)) {
      condval_1 = acc_MX[0i];
} else {
      condval_1 = 0.000000e+00f;
}
    MX_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval_1;
  }
}
//// attncc kernel: gqa_2_E_kernel
@group(0) @binding(0) var<storage, read_write> E_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> MX_ptr : array<f32>;
@group(0) @binding(2) var<storage, read> S_ptr : array<f32>;

struct PODArgs {
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(3) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn gqa_2_E_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_p * podArgs.n_m) * 12i)) {
    let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
    let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / podArgs.n_m);
    E_ptr[((v__1 * 64i) + i32(threadIdx.x))] = exp((S_ptr[((v__1 * 64i) + i32(threadIdx.x))] - MX_ptr[select((rdiv - 1i), rdiv, (((podArgs.n_m >= 0i) && (rmod >= 0i)) || ((podArgs.n_m < 0i) && (rmod <= 0i))))]));
  }
}
//// attncc kernel: gqa_3_L_kernel
@group(0) @binding(0) var<storage, read> E_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> L_ptr : array<f32>;

struct PODArgs {
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(2) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn gqa_3_L_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_L : array<f32, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < (podArgs.n_p * 12i)) {
    acc_L[0i] = 0.000000e+00f;
    for (var i_m : i32 = 0i; i_m < podArgs.n_m; i_m++) {
      acc_L[0i] = (acc_L[0i] + E_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)]);
    }
    var condval : f32;
    if ((0i < podArgs.n_m)) {
      condval = acc_L[0i];
} else {
      condval = 0.000000e+00f;
}
    L_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval;
  }
}
//// attncc kernel: gqa_4_O_kernel
@group(0) @binding(0) var<storage, read> E_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> L_ptr : array<f32>;
@group(0) @binding(2) var<storage, read_write> O_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> V_ptr : array<f32>;

struct PODArgs {
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn gqa_4_O_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_O : array<f32, 20>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < (podArgs.n_p * 12i)) {
    for (var i_f : i32 = 0i; i_f < 20i; i_f++) {
      acc_O[i_f] = 0.000000e+00f;
    }
    for (var i_m : i32 = 0i; i_m < podArgs.n_m; i_m++) {
      for (var i_f_1 : i32 = 0i; i_f_1 < 20i; i_f_1++) {
        let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 2i));
        let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 2i));
        acc_O[i_f_1] = (acc_O[i_f_1] + ((E_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)] * V_ptr[(((i_m * 20i) + ((select((rdiv - 1i), rdiv, ((((podArgs.n_p * 2i) >= 0i) && (rmod >= 0i)) || (((podArgs.n_p * 2i) < 0i) && (rmod <= 0i)))) * podArgs.n_m) * 20i)) + i_f_1)]) / L_ptr[((v__1 * 64i) + i32(threadIdx.x))]));
      }
    }
    for (var i_f_2 : i32 = 0i; i_f_2 < 20i; i_f_2++) {
      var condval : f32;
      if ((0i < podArgs.n_m)) {
        condval = acc_O[i_f_2];
} else {
        condval = 0.000000e+00f;
}
      O_ptr[(((v__1 * 1280i) + (i32(threadIdx.x) * 20i)) + i_f_2)] = condval;
    }
  }
}
