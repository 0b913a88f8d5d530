//// attncc kernel: topk_gather_0_S_kernel
@group(0) @binding(0) var<storage, read> IDX_ptr : array<i32>;
@group(0) @binding(1) var<storage, read> K_ptr : array<f32>;
@group(0) @binding(2) var<storage, read> Q_ptr : array<f32>;
@group(0) @binding(3) var<storage, read_write> S_ptr : array<f32>;
@group(0) @binding(4) var<storage, read_write> S_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_g: i32,
  n_h: i32,
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(5) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn topk_gather_0_S_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_S : array<f32, 1>;
  var ok_S : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_p) * 7i)) {
    acc_S[0i] = 0.000000e+00f;
    ok_S[0i] = bool(bool(0));
    let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 7i));
    let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 7i));
    let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 7i));
    if (0i <= IDX_ptr[(((select((rdiv - 1i), rdiv, (((((podArgs.n_h * podArgs.n_p) * 7i) >= 0i) && (rmod >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 7i) < 0i) && (rmod <= 0i)))) * podArgs.n_p) * 7i) + select((rmod_1 + (podArgs.n_p * 7i)), rmod_1, ((((podArgs.n_p * 7i) >= 0i) && (rmod_1 >= 0i)) || (((podArgs.n_p * 7i) < 0i) && (rmod_1 <= 0i)))))]) {
      for (var i_e : i32 = 0i; i_e < 24i; i_e++) {
        let rmod_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 7i));
        let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 7i));
        var condval_1 : i32;
        if ((podArgs.n_g == 0i)) {
          condval_1 = 0i;
} else {
          let rmod_3 : i32 = (podArgs.n_h % podArgs.n_g);
          let rdiv_2 : i32 = (podArgs.n_h / podArgs.n_g);
          condval_1 = select((rdiv_2 - 1i), rdiv_2, (((podArgs.n_g >= 0i) && (rmod_3 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_3 <= 0i))));
}
        var condval : i32;
        if ((condval_1 == 0i)) {
          condval = 0i;
} else {
                              let rmod_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 7i));
          let rdiv_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 7i));
let rmod_5 : i32 = (select((rdiv_3 - 1i), rdiv_3, ((((podArgs.n_p * 7i) >= 0i) && (rmod_4 >= 0i)) || (((podArgs.n_p * 7i) < 0i) && (rmod_4 <= 0i)))) % podArgs.n_h);
          var condval_2 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_2 = 0i;
} else {
            let rmod_6 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_4 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_2 = select((rdiv_4 - 1i), rdiv_4, (((podArgs.n_g >= 0i) && (rmod_6 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_6 <= 0i))));
}
let rmod_7 : i32 = (select((rmod_5 + podArgs.n_h), rmod_5, (((podArgs.n_h >= 0i) && (rmod_5 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_5 <= 0i)))) % condval_2);
                              let rmod_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 7i));
          let rdiv_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 7i));
let rmod_9 : i32 = (select((rdiv_5 - 1i), rdiv_5, ((((podArgs.n_p * 7i) >= 0i) && (rmod_8 >= 0i)) || (((podArgs.n_p * 7i) < 0i) && (rmod_8 <= 0i)))) % podArgs.n_h);
          var condval_3 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_3 = 0i;
} else {
            let rmod_10 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_6 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_3 = select((rdiv_6 - 1i), rdiv_6, (((podArgs.n_g >= 0i) && (rmod_10 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_10 <= 0i))));
}
let rdiv_7 : i32 = (select((rmod_9 + podArgs.n_h), rmod_9, (((podArgs.n_h >= 0i) && (rmod_9 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_9 <= 0i)))) / condval_3);
          var condval_4 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_4 = 0i;
} else {
            let rmod_11 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_8 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_4 = select((rdiv_8 - 1i), rdiv_8, (((podArgs.n_g >= 0i) && (rmod_11 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_11 <= 0i))));
}
          var condval_5 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_5 = 0i;
} else {
            let rmod_12 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_9 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_5 = select((rdiv_9 - 1i), rdiv_9, (((podArgs.n_g >= 0i) && (rmod_12 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_12 <= 0i))));
}
          condval = select((rdiv_7 - 1i), rdiv_7, (((condval_4 >= 0i) && (rmod_7 >= 0i)) || ((condval_5 < 0i) && (rmod_7 <= 0i))));
}
        let rmod_13 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 7i));
        let rdiv_10 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 7i));
        let rmod_14 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 7i));
        acc_S[0i] = fma((Q_ptr[(((((v__1 * 64i) + i32(threadIdx.x)) / 7i) * 24i) + i_e)] * K_ptr[((((((select((rdiv_1 - 1i), rdiv_1, (((((podArgs.n_h * podArgs.n_p) * 7i) >= 0i) && (rmod_2 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 7i) < 0i) && (rmod_2 <= 0i)))) * podArgs.n_g) + condval) * podArgs.n_m) * 24i) + (IDX_ptr[(((select((rdiv_10 - 1i), rdiv_10, (((((podArgs.n_h * podArgs.n_p) * 7i) >= 0i) && (rmod_13 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 7i) < 0i) && (rmod_13 <= 0i)))) * podArgs.n_p) * 7i) + select((rmod_14 + (podArgs.n_p * 7i)), rmod_14, ((((podArgs.n_p * 7i) >= 0i) && (rmod_14 >= 0i)) || (((podArgs.n_p * 7i) < 0i) && (rmod_14 <= 0i)))))] * 24i)) + i_e)]), 2.041242e-01f, acc_S[0i]);
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
//// attncc kernel: topk_gather_1_MX_kernel
@group(0) @binding(0) var<storage, read_write> MX_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> MX_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> S_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> S_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn topk_gather_1_MX_kernel(
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
    for (var i_k : i32 = 0i; i_k < 7i; i_k++) {
      if (S_ok_ptr[(((v__1 * 448i) + (i32(threadIdx.x) * 7i)) + i_k)] != 0i) {
        var condval : f32;
        if (((acc_MX[0i] < S_ptr[(((v__1 * 448i) + (i32(threadIdx.x) * 7i)) + i_k)]) || (2139095040i < (bitcast<i32>(S_ptr[(((v__1 * 448i) + (i32(threadIdx.x) * 7i)) + i_k)]) & 2147483647i)))) {
          condval = S_ptr[(((v__1 * 448i) + (i32(threadIdx.x) * 7i)) + i_k)];
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
//// attncc kernel: topk_gather_2_E_kernel
@group(0) @binding(0) var<storage, read_write> E_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> E_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> MX_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> MX_ok_ptr : array<i32>;
@group(0) @binding(4) var<storage, read> S_ptr : array<f32>;
@group(0) @binding(5) var<storage, read> S_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(6) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn topk_gather_2_E_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_p) * 7i)) {
    if ((S_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i) && (MX_ok_ptr[(((v__1 * 64i) + i32(threadIdx.x)) / 7i)] != 0i)) {
      E_ptr[((v__1 * 64i) + i32(threadIdx.x))] = exp((S_ptr[((v__1 * 64i) + i32(threadIdx.x))] - MX_ptr[(((v__1 * 64i) + i32(threadIdx.x)) / 7i)]));
      E_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 1i;
    } else {
      E_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
      E_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0i;
    }
  }
}
//// attncc kernel: topk_gather_3_L_kernel
@group(0) @binding(0) var<storage, read> E_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> E_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read_write> L_ptr : array<f32>;
@group(0) @binding(3) var<storage, read_write> L_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn topk_gather_3_L_kernel(
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
    for (var i_k : i32 = 0i; i_k < 7i; i_k++) {
      if (E_ok_ptr[(((v__1 * 448i) + (i32(threadIdx.x) * 7i)) + i_k)] != 0i) {
        acc_L[0i] = (acc_L[0i] + E_ptr[(((v__1 * 448i) + (i32(threadIdx.x) * 7i)) + i_k)]);
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
//// attncc kernel: topk_gather_4_O_kernel
@group(0) @binding(0) var<storage, read> E_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> E_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> IDX_ptr : array<i32>;
@group(0) @binding(3) var<storage, read> L_ptr : array<f32>;
@group(0) @binding(4) var<storage, read> L_ok_ptr : array<i32>;
@group(0) @binding(5) var<storage, read_write> O_ptr : array<f32>;
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
fn topk_gather_4_O_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_O : array<f32, 1>;
  var ok_O : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_p) * 20i)) {
    acc_O[0i] = 0.000000e+00f;
    ok_O[0i] = bool(bool(0));
    for (var i_k : i32 = 0i; i_k < 7i; i_k++) {
      let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 20i));
      let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 20i));
      let rmod_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 20i));
      let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 20i));
      if (0i <= IDX_ptr[(((((select((rmod + (podArgs.n_p * 20i)), rmod, ((((podArgs.n_p * 20i) >= 0i) && (rmod >= 0i)) || (((podArgs.n_p * 20i) < 0i) && (rmod <= 0i)))) / 20i) + ((select((rmod_1 + (podArgs.n_p * 20i)), rmod_1, ((((podArgs.n_p * 20i) >= 0i) && (rmod_1 >= 0i)) || (((podArgs.n_p * 20i) < 0i) && (rmod_1 <= 0i)))) % 20i)>>31u)) * 7i) + ((select((rdiv - 1i), rdiv, (((((podArgs.n_h * podArgs.n_p) * 20i) >= 0i) && (rmod_2 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 20i) < 0i) && (rmod_2 <= 0i)))) * podArgs.n_p) * 7i)) + i_k)]) {
        if ((E_ok_ptr[(((((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i) * 7i) + i_k)] != 0i) && (L_ok_ptr[(((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i)] != 0i)) {
          let rmod_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 20i));
          let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 20i));
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
                                    let rmod_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 20i));
            let rdiv_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 20i));
let rmod_6 : i32 = (select((rdiv_3 - 1i), rdiv_3, ((((podArgs.n_p * 20i) >= 0i) && (rmod_5 >= 0i)) || (((podArgs.n_p * 20i) < 0i) && (rmod_5 <= 0i)))) % podArgs.n_h);
            var condval_2 : i32;
            if ((podArgs.n_g == 0i)) {
              condval_2 = 0i;
} else {
              let rmod_7 : i32 = (podArgs.n_h % podArgs.n_g);
              let rdiv_4 : i32 = (podArgs.n_h / podArgs.n_g);
              condval_2 = select((rdiv_4 - 1i), rdiv_4, (((podArgs.n_g >= 0i) && (rmod_7 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_7 <= 0i))));
}
let rmod_8 : i32 = (select((rmod_6 + podArgs.n_h), rmod_6, (((podArgs.n_h >= 0i) && (rmod_6 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_6 <= 0i)))) % condval_2);
                                    let rmod_9 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 20i));
            let rdiv_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 20i));
let rmod_10 : i32 = (select((rdiv_5 - 1i), rdiv_5, ((((podArgs.n_p * 20i) >= 0i) && (rmod_9 >= 0i)) || (((podArgs.n_p * 20i) < 0i) && (rmod_9 <= 0i)))) % podArgs.n_h);
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
          let rmod_14 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 20i));
          let rmod_15 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 20i));
          let rmod_16 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 20i));
          let rdiv_10 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 20i));
          acc_O[0i] = (acc_O[0i] + ((E_ptr[(((((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i) * 7i) + i_k)] * V_ptr[((((((select((rdiv_1 - 1i), rdiv_1, (((((podArgs.n_h * podArgs.n_p) * 20i) >= 0i) && (rmod_3 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 20i) < 0i) && (rmod_3 <= 0i)))) * podArgs.n_g) + condval) * podArgs.n_m) * 20i) + (IDX_ptr[(((((select((rmod_14 + (podArgs.n_p * 20i)), rmod_14, ((((podArgs.n_p * 20i) >= 0i) && (rmod_14 >= 0i)) || (((podArgs.n_p * 20i) < 0i) && (rmod_14 <= 0i)))) / 20i) + ((select((rmod_15 + (podArgs.n_p * 20i)), rmod_15, ((((podArgs.n_p * 20i) >= 0i) && (rmod_15 >= 0i)) || (((podArgs.n_p * 20i) < 0i) && (rmod_15 <= 0i)))) % 20i)>>31u)) * 7i) + ((select((rdiv_10 - 1i), rdiv_10, (((((podArgs.n_h * podArgs.n_p) * 20i) >= 0i) && (rmod_16 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 20i) < 0i) && (rmod_16 <= 0i)))) * podArgs.n_p) * 7i)) + i_k)] * 20i)) + (((v__1 * 64i) + i32(threadIdx.x)) % 20i))]) / L_ptr[(((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i)]));
          ok_O[0i] = bool(bool(1));
        }
      }
    }
    var condval_6 : f32;
    if (bool(ok_O[0i])) {
      condval_6 = acc_O[0i];
} else {
      condval_6 = 0.000000e+00f;
}
    O_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval_6;
  }
}
