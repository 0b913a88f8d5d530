//// attncc kernel: int8_kv_0_S_kernel
@group(0) @binding(0) var<storage, read> KQ_ptr : array<i32>;
@group(0) @binding(1) var<storage, read> KS_ptr : array<f32>;
@group(0) @binding(2) var<storage, read> Q_ptr : array<f32>;
@group(0) @binding(3) var<storage, read_write> S_ptr : array<f32>;

struct PODArgs {
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn int8_kv_0_S_kernel(
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
      let rmod_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_p * podArgs.n_m) * 2i));
      let rdiv_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_p * podArgs.n_m) * 2i));
      let rmod_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
      acc_S[0i] = fma((Q_ptr[((select((rdiv - 1i), rdiv, (((podArgs.n_m >= 0i) && (rmod >= 0i)) || ((podArgs.n_m < 0i) && (rmod <= 0i)))) * 24i) + i_e)] * (f32(KQ_ptr[(((select((rmod_1 + podArgs.n_m), rmod_1, (((podArgs.n_m >= 0i) && (rmod_1 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_1 <= 0i)))) * 24i) + ((select((rdiv_1 - 1i), rdiv_1, (((((podArgs.n_p * podArgs.n_m) * 2i) >= 0i) && (rmod_2 >= 0i)) || ((((podArgs.n_p * podArgs.n_m) * 2i) < 0i) && (rmod_2 <= 0i)))) * podArgs.n_m) * 24i)) + i_e)]) * KS_ptr[((select((rdiv_2 - 1i), rdiv_2, (((((podArgs.n_p * podArgs.n_m) * 2i) >= 0i) && (rmod_3 >= 0i)) || ((((podArgs.n_p * podArgs.n_m) * 2i) < 0i) && (rmod_3 <= 0i)))) * podArgs.n_m) + select((rmod_4 + podArgs.n_m), rmod_4, (((podArgs.n_m >= 0i) && (rmod_4 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_4 <= 0i)))))])), 2.041242e-01f, acc_S[0i]);
    }
    S_ptr[((v__1 * 64i) + i32(threadIdx.x))] = acc_S[0i];
  }
}
//// attncc kernel: int8_kv_1_MX_kernel
@group(0) @binding(0) var<storage, read_write> MX_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> S_ptr : array<f32>;

struct PODArgs {
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(2) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn int8_kv_1_MX_kernel(
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
//// attncc kernel: int8_kv_2_E_kernel
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
fn int8_kv_2_E_kernel(
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
//// attncc kernel: int8_kv_3_L_kernel
@group(0) @binding(0) var<storage, read> E_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> L_ptr : array<f32>;

struct PODArgs {
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(2) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn int8_kv_3_L_kernel(
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
//// attncc kernel: int8_kv_4_O_kernel
@group(0) @binding(0) var<storage, read> E_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> L_ptr : array<f32>;
@group(0) @binding(2) var<storage, read_write> O_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> VQ_ptr : array<i32>;
@group(0) @binding(4) var<storage, read> VS_ptr : array<f32>;

struct PODArgs {
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(5) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn int8_kv_4_O_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_O : array<f32, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < (podArgs.n_p * 240i)) {
    acc_O[0i] = 0.000000e+00f;
    for (var i_m : i32 = 0i; i_m < podArgs.n_m; i_m++) {
      let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 40i));
      let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 40i));
      let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 40i));
      let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 40i));
      acc_O[0i] = (acc_O[0i] + ((E_ptr[(((((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i) * podArgs.n_m) + i_m)] * (f32(VQ_ptr[(((i_m * 20i) + ((select((rdiv - 1i), rdiv, ((((podArgs.n_p * 40i) >= 0i) && (rmod >= 0i)) || (((podArgs.n_p * 40i) < 0i) && (rmod <= 0i)))) * podArgs.n_m) * 20i)) + (((v__1 * 64i) + i32(threadIdx.x)) % 20i))]) * VS_ptr[((select((rdiv_1 - 1i), rdiv_1, ((((podArgs.n_p * 40i) >= 0i) && (rmod_1 >= 0i)) || (((podArgs.n_p * 40i) < 0i) && (rmod_1 <= 0i)))) * podArgs.n_m) + i_m)])) / L_ptr[(((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i)]));
    }
    var condval : f32;
    if ((0i < podArgs.n_m)) {
      condval = acc_O[0i];
} else {
      condval = 0.000000e+00f;
}
    O_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval;
  }
}
