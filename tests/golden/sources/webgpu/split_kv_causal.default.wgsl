//// attncc kernel: split_kv_causal_0_SC_kernel
@group(0) @binding(0) var<storage, read> K_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> Q_ptr : array<f32>;
@group(0) @binding(2) var<storage, read_write> SC_ptr : array<f32>;
@group(0) @binding(3) var<storage, read_write> SC_ok_ptr : array<i32>;

struct PODArgs {
  CH: i32,
  n_b: i32,
  n_g: i32,
  n_h: i32,
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn split_kv_causal_0_SC_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_SC : array<f32, 1>;
  var ok_SC : array<bool, 1>;
  if ((v__1 - ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) < 0i) {
    acc_SC[0i] = 0.000000e+00f;
    ok_SC[0i] = bool(bool(0));
    let rmod : i32 = (v__1 % podArgs.n_p);
    if (((((i32(threadIdx.x)>>4u) * podArgs.CH) + (i32(threadIdx.x) & 15i)) < podArgs.n_m) && ((((i32(threadIdx.x)>>4u) * podArgs.CH) + (i32(threadIdx.x) & 15i)) <= ((select((rmod + podArgs.n_p), rmod, (((podArgs.n_p >= 0i) && (rmod >= 0i)) || ((podArgs.n_p < 0i) && (rmod <= 0i)))) + podArgs.n_m) - podArgs.n_p))) {
      for (var i_e : i32 = 0i; i_e < 24i; i_e++) {
        let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 64i));
        let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 64i));
                let rmod_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 64i));
        let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 64i));
let rmod_3 : i32 = (select((rdiv_1 - 1i), rdiv_1, ((((podArgs.n_p * 64i) >= 0i) && (rmod_2 >= 0i)) || (((podArgs.n_p * 64i) < 0i) && (rmod_2 <= 0i)))) % podArgs.n_h);
        let rmod_4 : i32 = (v__1 % podArgs.n_p);
        let rmod_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 64i));
        let rdiv_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 64i));
        var condval_1 : i32;
        if ((podArgs.n_g == 0i)) {
          condval_1 = 0i;
} else {
          let rmod_6 : i32 = (podArgs.n_h % podArgs.n_g);
          let rdiv_3 : i32 = (podArgs.n_h / podArgs.n_g);
          condval_1 = select((rdiv_3 - 1i), rdiv_3, (((podArgs.n_g >= 0i) && (rmod_6 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_6 <= 0i))));
}
        var condval : i32;
        if ((condval_1 == 0i)) {
          condval = 0i;
} else {
                              let rmod_7 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 64i));
          let rdiv_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 64i));
let rmod_8 : i32 = (select((rdiv_4 - 1i), rdiv_4, ((((podArgs.n_p * 64i) >= 0i) && (rmod_7 >= 0i)) || (((podArgs.n_p * 64i) < 0i) && (rmod_7 <= 0i)))) % podArgs.n_h);
          var condval_2 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_2 = 0i;
} else {
            let rmod_9 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_5 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_2 = select((rdiv_5 - 1i), rdiv_5, (((podArgs.n_g >= 0i) && (rmod_9 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_9 <= 0i))));
}
let rmod_10 : i32 = (select((rmod_8 + podArgs.n_h), rmod_8, (((podArgs.n_h >= 0i) && (rmod_8 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_8 <= 0i)))) % condval_2);
                              let rmod_11 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 64i));
          let rdiv_6 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 64i));
let rmod_12 : i32 = (select((rdiv_6 - 1i), rdiv_6, ((((podArgs.n_p * 64i) >= 0i) && (rmod_11 >= 0i)) || (((podArgs.n_p * 64i) < 0i) && (rmod_11 <= 0i)))) % podArgs.n_h);
          var condval_3 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_3 = 0i;
} else {
            let rmod_13 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_7 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_3 = select((rdiv_7 - 1i), rdiv_7, (((podArgs.n_g >= 0i) && (rmod_13 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_13 <= 0i))));
}
let rdiv_8 : i32 = (select((rmod_12 + podArgs.n_h), rmod_12, (((podArgs.n_h >= 0i) && (rmod_12 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_12 <= 0i)))) / condval_3);
          var condval_4 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_4 = 0i;
} else {
            let rmod_14 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_9 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_4 = select((rdiv_9 - 1i), rdiv_9, (((podArgs.n_g >= 0i) && (rmod_14 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_14 <= 0i))));
}
          var condval_5 : i32;
          if ((podArgs.n_g == 0i)) {
            condval_5 = 0i;
} else {
            let rmod_15 : i32 = (podArgs.n_h % podArgs.n_g);
            let rdiv_10 : i32 = (podArgs.n_h / podArgs.n_g);
            condval_5 = select((rdiv_10 - 1i), rdiv_10, (((podArgs.n_g >= 0i) && (rmod_15 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_15 <= 0i))));
}
          condval = select((rdiv_8 - 1i), rdiv_8, (((condval_4 >= 0i) && (rmod_10 >= 0i)) || ((condval_5 < 0i) && (rmod_10 <= 0i))));
}
        acc_SC[0i] = fma((Q_ptr[((((((select((rdiv - 1i), rdiv, (((((podArgs.n_h * podArgs.n_p) * 64i) >= 0i) && (rmod_1 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 64i) < 0i) && (rmod_1 <= 0i)))) * podArgs.n_h) + select((rmod_3 + podArgs.n_h), rmod_3, (((podArgs.n_h >= 0i) && (rmod_3 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_3 <= 0i))))) * podArgs.n_p) * 24i) + (select((rmod_4 + podArgs.n_p), rmod_4, (((podArgs.n_p >= 0i) && (rmod_4 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_4 <= 0i)))) * 24i)) + i_e)] * K_ptr[(((((((select((rdiv_2 - 1i), rdiv_2, (((((podArgs.n_h * podArgs.n_p) * 64i) >= 0i) && (rmod_5 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 64i) < 0i) && (rmod_5 <= 0i)))) * podArgs.n_g) + condval) * podArgs.n_m) * 24i) + (((i32(threadIdx.x)>>4u) * podArgs.CH) * 24i)) + ((i32(threadIdx.x) & 15i) * 24i)) + i_e)]), 2.041242e-01f, acc_SC[0i]);
      }
      ok_SC[0i] = bool(bool(1));
    }
    let rmod_16 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 64i));
    let rdiv_11 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 64i));
        let rmod_17 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 64i));
    let rdiv_12 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 64i));
let rmod_18 : i32 = (select((rdiv_12 - 1i), rdiv_12, ((((podArgs.n_p * 64i) >= 0i) && (rmod_17 >= 0i)) || (((podArgs.n_p * 64i) < 0i) && (rmod_17 <= 0i)))) % podArgs.n_h);
    let rmod_19 : i32 = (v__1 % podArgs.n_p);
    var condval_6 : f32;
    if (bool(ok_SC[0i])) {
      condval_6 = acc_SC[0i];
} else {
      condval_6 = 0.000000e+00f;
}
    SC_ptr[((((((select((rdiv_11 - 1i), rdiv_11, (((((podArgs.n_h * podArgs.n_p) * 64i) >= 0i) && (rmod_16 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 64i) < 0i) && (rmod_16 <= 0i)))) * podArgs.n_h) + select((rmod_18 + podArgs.n_h), rmod_18, (((podArgs.n_h >= 0i) && (rmod_18 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_18 <= 0i))))) * podArgs.n_p) * 64i) + (select((rmod_19 + podArgs.n_p), rmod_19, (((podArgs.n_p >= 0i) && (rmod_19 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_19 <= 0i)))) * 64i)) + i32(threadIdx.x))] = condval_6;
    let rmod_20 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 64i));
    let rdiv_13 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 64i));
        let rmod_21 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 64i));
    let rdiv_14 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 64i));
let rmod_22 : i32 = (select((rdiv_14 - 1i), rdiv_14, ((((podArgs.n_p * 64i) >= 0i) && (rmod_21 >= 0i)) || (((podArgs.n_p * 64i) < 0i) && (rmod_21 <= 0i)))) % podArgs.n_h);
    let rmod_23 : i32 = (v__1 % podArgs.n_p);
    SC_ok_ptr[((((((select((rdiv_13 - 1i), rdiv_13, (((((podArgs.n_h * podArgs.n_p) * 64i) >= 0i) && (rmod_20 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 64i) < 0i) && (rmod_20 <= 0i)))) * podArgs.n_h) + select((rmod_22 + podArgs.n_h), rmod_22, (((podArgs.n_h >= 0i) && (rmod_22 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_22 <= 0i))))) * podArgs.n_p) * 64i) + (select((rmod_23 + podArgs.n_p), rmod_23, (((podArgs.n_p >= 0i) && (rmod_23 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_23 <= 0i)))) * 64i)) + i32(threadIdx.x))] = i32(bool(ok_SC[0i]));
  }
}
//// attncc kernel: split_kv_causal_1_MXC_kernel
@group(0) @binding(0) var<storage, read_write> MXC_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> MXC_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> SC_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> SC_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn split_kv_causal_1_MXC_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_MXC : array<f32, 1>;
  var ok_MXC : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_p) * 4i)) {
    acc_MXC[0i] = -3.4028234663852886e+38f;
    ok_MXC[0i] = bool(bool(0));
    for (var i_n : i32 = 0i; i_n < 16i; i_n++) {
      let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
      let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
            let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
      let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_2 : i32 = (select((rdiv_1 - 1i), rdiv_1, ((((podArgs.n_p * 4i) >= 0i) && (rmod_1 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_1 <= 0i)))) % podArgs.n_h);
      let rmod_3 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
      if (SC_ok_ptr[(((((((select((rdiv - 1i), rdiv, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod <= 0i)))) * podArgs.n_h) + select((rmod_2 + podArgs.n_h), rmod_2, (((podArgs.n_h >= 0i) && (rmod_2 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_2 <= 0i))))) * podArgs.n_p) * 64i) + (select((rmod_3 + podArgs.n_p), rmod_3, (((podArgs.n_p >= 0i) && (rmod_3 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_3 <= 0i)))) * 64i)) + ((i32(threadIdx.x) & 3i) * 16i)) + i_n)] != 0i) {
        let rmod_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
        let rdiv_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
                let rmod_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
        let rdiv_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_6 : i32 = (select((rdiv_3 - 1i), rdiv_3, ((((podArgs.n_p * 4i) >= 0i) && (rmod_5 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_5 <= 0i)))) % podArgs.n_h);
        let rmod_7 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
        let rmod_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
        let rdiv_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
                let rmod_9 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
        let rdiv_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_10 : i32 = (select((rdiv_5 - 1i), rdiv_5, ((((podArgs.n_p * 4i) >= 0i) && (rmod_9 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_9 <= 0i)))) % podArgs.n_h);
        let rmod_11 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
        var condval : f32;
        if (((acc_MXC[0i] < SC_ptr[(((((((select((rdiv_2 - 1i), rdiv_2, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_4 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_4 <= 0i)))) * podArgs.n_h) + select((rmod_6 + podArgs.n_h), rmod_6, (((podArgs.n_h >= 0i) && (rmod_6 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_6 <= 0i))))) * podArgs.n_p) * 64i) + (select((rmod_7 + podArgs.n_p), rmod_7, (((podArgs.n_p >= 0i) && (rmod_7 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_7 <= 0i)))) * 64i)) + ((i32(threadIdx.x) & 3i) * 16i)) + i_n)]) || (2139095040i < (bitcast<i32>(SC_ptr[(((((((select((rdiv_4 - 1i), rdiv_4, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_8 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_8 <= 0i)))) * podArgs.n_h) + select((rmod_10 + podArgs.n_h), rmod_10, (((podArgs.n_h >= 0i) && (rmod_10 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_10 <= 0i))))) * podArgs.n_p) * 64i) + (select((rmod_11 + podArgs.n_p), rmod_11, (((podArgs.n_p >= 0i) && (rmod_11 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_11 <= 0i)))) * 64i)) + ((i32(threadIdx.x) & 3i) * 16i)) + i_n)]) & 2147483647i)))) {
          let rmod_12 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
          let rdiv_6 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
                    let rmod_13 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
          let rdiv_7 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_14 : i32 = (select((rdiv_7 - 1i), rdiv_7, ((((podArgs.n_p * 4i) >= 0i) && (rmod_13 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_13 <= 0i)))) % podArgs.n_h);
          let rmod_15 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
          condval = SC_ptr[(((((((select((rdiv_6 - 1i), rdiv_6, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_12 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_12 <= 0i)))) * podArgs.n_h) + select((rmod_14 + podArgs.n_h), rmod_14, (((podArgs.n_h >= 0i) && (rmod_14 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_14 <= 0i))))) * podArgs.n_p) * 64i) + (select((rmod_15 + podArgs.n_p), rmod_15, (((podArgs.n_p >= 0i) && (rmod_15 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_15 <= 0i)))) * 64i)) + ((i32(threadIdx.x) & 3i) * 16i)) + i_n)];
} else {
          condval = acc_MXC[0i];
}
        acc_MXC[0i] = condval;
        ok_MXC[0i] = bool(bool(1));
      }
    }
    let rmod_16 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
    let rdiv_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
        let rmod_17 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
    let rdiv_9 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_18 : i32 = (select((rdiv_9 - 1i), rdiv_9, ((((podArgs.n_p * 4i) >= 0i) && (rmod_17 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_17 <= 0i)))) % podArgs.n_h);
    let rmod_19 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
    var condval_1 : f32;
    if (bool(ok_MXC[0i])) {
      condval_1 = acc_MXC[0i];
} else {
      condval_1 = 0.000000e+00f;
}
    MXC_ptr[((((((select((rdiv_8 - 1i), rdiv_8, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_16 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_16 <= 0i)))) * podArgs.n_h) + select((rmod_18 + podArgs.n_h), rmod_18, (((podArgs.n_h >= 0i) && (rmod_18 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_18 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_19 + podArgs.n_p), rmod_19, (((podArgs.n_p >= 0i) && (rmod_19 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_19 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] = condval_1;
    let rmod_20 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
    let rdiv_10 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
        let rmod_21 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
    let rdiv_11 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_22 : i32 = (select((rdiv_11 - 1i), rdiv_11, ((((podArgs.n_p * 4i) >= 0i) && (rmod_21 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_21 <= 0i)))) % podArgs.n_h);
    let rmod_23 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
    MXC_ok_ptr[((((((select((rdiv_10 - 1i), rdiv_10, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_20 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_20 <= 0i)))) * podArgs.n_h) + select((rmod_22 + podArgs.n_h), rmod_22, (((podArgs.n_h >= 0i) && (rmod_22 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_22 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_23 + podArgs.n_p), rmod_23, (((podArgs.n_p >= 0i) && (rmod_23 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_23 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] = i32(bool(ok_MXC[0i]));
  }
}
//// attncc kernel: split_kv_causal_2_EC_kernel
@group(0) @binding(0) var<storage, read_write> EC_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> EC_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> MXC_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> MXC_ok_ptr : array<i32>;
@group(0) @binding(4) var<storage, read> SC_ptr : array<f32>;
@group(0) @binding(5) var<storage, read> SC_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(6) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn split_kv_causal_2_EC_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if ((v__1 - ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) < 0i) {
    let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 64i));
    let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 64i));
        let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 64i));
    let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 64i));
let rmod_2 : i32 = (select((rdiv_1 - 1i), rdiv_1, ((((podArgs.n_p * 64i) >= 0i) && (rmod_1 >= 0i)) || (((podArgs.n_p * 64i) < 0i) && (rmod_1 <= 0i)))) % podArgs.n_h);
    let rmod_3 : i32 = (v__1 % podArgs.n_p);
    let rmod_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 64i));
    let rdiv_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 64i));
        let rmod_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 64i));
    let rdiv_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 64i));
let rmod_6 : i32 = (select((rdiv_3 - 1i), rdiv_3, ((((podArgs.n_p * 64i) >= 0i) && (rmod_5 >= 0i)) || (((podArgs.n_p * 64i) < 0i) && (rmod_5 <= 0i)))) % podArgs.n_h);
    let rmod_7 : i32 = (v__1 % podArgs.n_p);
    if ((SC_ok_ptr[((((((select((rdiv - 1i), rdiv, (((((podArgs.n_h * podArgs.n_p) * 64i) >= 0i) && (rmod >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 64i) < 0i) && (rmod <= 0i)))) * podArgs.n_h) + select((rmod_2 + podArgs.n_h), rmod_2, (((podArgs.n_h >= 0i) && (rmod_2 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_2 <= 0i))))) * podArgs.n_p) * 64i) + (select((rmod_3 + podArgs.n_p), rmod_3, (((podArgs.n_p >= 0i) && (rmod_3 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_3 <= 0i)))) * 64i)) + i32(threadIdx.x))] != 0i) && (MXC_ok_ptr[((((((select((rdiv_2 - 1i), rdiv_2, (((((podArgs.n_h * podArgs.n_p) * 64i) >= 0i) && (rmod_4 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 64i) < 0i) && (rmod_4 <= 0i)))) * podArgs.n_h) + select((rmod_6 + podArgs.n_h), rmod_6, (((podArgs.n_h >= 0i) && (rmod_6 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_6 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_7 + podArgs.n_p), rmod_7, (((podArgs.n_p >= 0i) && (rmod_7 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_7 <= 0i)))) * 4i)) + (i32(threadIdx.x)>>4u))] != 0i)) {
      let rmod_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 64i));
      let rdiv_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 64i));
            let rmod_9 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 64i));
      let rdiv_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 64i));
let rmod_10 : i32 = (select((rdiv_5 - 1i), rdiv_5, ((((podArgs.n_p * 64i) >= 0i) && (rmod_9 >= 0i)) || (((podArgs.n_p * 64i) < 0i) && (rmod_9 <= 0i)))) % podArgs.n_h);
      let rmod_11 : i32 = (v__1 % podArgs.n_p);
      let rmod_12 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 64i));
      let rdiv_6 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 64i));
            let rmod_13 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 64i));
      let rdiv_7 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 64i));
let rmod_14 : i32 = (select((rdiv_7 - 1i), rdiv_7, ((((podArgs.n_p * 64i) >= 0i) && (rmod_13 >= 0i)) || (((podArgs.n_p * 64i) < 0i) && (rmod_13 <= 0i)))) % podArgs.n_h);
      let rmod_15 : i32 = (v__1 % podArgs.n_p);
      let rmod_16 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 64i));
      let rdiv_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 64i));
            let rmod_17 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 64i));
      let rdiv_9 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 64i));
let rmod_18 : i32 = (select((rdiv_9 - 1i), rdiv_9, ((((podArgs.n_p * 64i) >= 0i) && (rmod_17 >= 0i)) || (((podArgs.n_p * 64i) < 0i) && (rmod_17 <= 0i)))) % podArgs.n_h);
      let rmod_19 : i32 = (v__1 % podArgs.n_p);
      EC_ptr[((((((select((rdiv_4 - 1i), rdiv_4, (((((podArgs.n_h * podArgs.n_p) * 64i) >= 0i) && (rmod_8 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 64i) < 0i) && (rmod_8 <= 0i)))) * podArgs.n_h) + select((rmod_10 + podArgs.n_h), rmod_10, (((podArgs.n_h >= 0i) && (rmod_10 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_10 <= 0i))))) * podArgs.n_p) * 64i) + (select((rmod_11 + podArgs.n_p), rmod_11, (((podArgs.n_p >= 0i) && (rmod_11 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_11 <= 0i)))) * 64i)) + i32(threadIdx.x))] = exp((SC_ptr[((((((select((rdiv_6 - 1i), rdiv_6, (((((podArgs.n_h * podArgs.n_p) * 64i) >= 0i) && (rmod_12 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 64i) < 0i) && (rmod_12 <= 0i)))) * podArgs.n_h) + select((rmod_14 + podArgs.n_h), rmod_14, (((podArgs.n_h >= 0i) && (rmod_14 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_14 <= 0i))))) * podArgs.n_p) * 64i) + (select((rmod_15 + podArgs.n_p), rmod_15, (((podArgs.n_p >= 0i) && (rmod_15 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_15 <= 0i)))) * 64i)) + i32(threadIdx.x))] - MXC_ptr[((((((select((rdiv_8 - 1i), rdiv_8, (((((podArgs.n_h * podArgs.n_p) * 64i) >= 0i) && (rmod_16 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 64i) < 0i) && (rmod_16 <= 0i)))) * podArgs.n_h) + select((rmod_18 + podArgs.n_h), rmod_18, (((podArgs.n_h >= 0i) && (rmod_18 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_18 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_19 + podArgs.n_p), rmod_19, (((podArgs.n_p >= 0i) && (rmod_19 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_19 <= 0i)))) * 4i)) + (i32(threadIdx.x)>>4u))]));
      let rmod_20 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 64i));
      let rdiv_10 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 64i));
            let rmod_21 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 64i));
      let rdiv_11 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 64i));
let rmod_22 : i32 = (select((rdiv_11 - 1i), rdiv_11, ((((podArgs.n_p * 64i) >= 0i) && (rmod_21 >= 0i)) || (((podArgs.n_p * 64i) < 0i) && (rmod_21 <= 0i)))) % podArgs.n_h);
      let rmod_23 : i32 = (v__1 % podArgs.n_p);
      EC_ok_ptr[((((((select((rdiv_10 - 1i), rdiv_10, (((((podArgs.n_h * podArgs.n_p) * 64i) >= 0i) && (rmod_20 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 64i) < 0i) && (rmod_20 <= 0i)))) * podArgs.n_h) + select((rmod_22 + podArgs.n_h), rmod_22, (((podArgs.n_h >= 0i) && (rmod_22 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_22 <= 0i))))) * podArgs.n_p) * 64i) + (select((rmod_23 + podArgs.n_p), rmod_23, (((podArgs.n_p >= 0i) && (rmod_23 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_23 <= 0i)))) * 64i)) + i32(threadIdx.x))] = 1i;
    } else {
      let rmod_24 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 64i));
      let rdiv_12 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 64i));
            let rmod_25 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 64i));
      let rdiv_13 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 64i));
let rmod_26 : i32 = (select((rdiv_13 - 1i), rdiv_13, ((((podArgs.n_p * 64i) >= 0i) && (rmod_25 >= 0i)) || (((podArgs.n_p * 64i) < 0i) && (rmod_25 <= 0i)))) % podArgs.n_h);
      let rmod_27 : i32 = (v__1 % podArgs.n_p);
      EC_ptr[((((((select((rdiv_12 - 1i), rdiv_12, (((((podArgs.n_h * podArgs.n_p) * 64i) >= 0i) && (rmod_24 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 64i) < 0i) && (rmod_24 <= 0i)))) * podArgs.n_h) + select((rmod_26 + podArgs.n_h), rmod_26, (((podArgs.n_h >= 0i) && (rmod_26 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_26 <= 0i))))) * podArgs.n_p) * 64i) + (select((rmod_27 + podArgs.n_p), rmod_27, (((podArgs.n_p >= 0i) && (rmod_27 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_27 <= 0i)))) * 64i)) + i32(threadIdx.x))] = 0.000000e+00f;
      let rmod_28 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 64i));
      let rdiv_14 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 64i));
            let rmod_29 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 64i));
      let rdiv_15 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 64i));
let rmod_30 : i32 = (select((rdiv_15 - 1i), rdiv_15, ((((podArgs.n_p * 64i) >= 0i) && (rmod_29 >= 0i)) || (((podArgs.n_p * 64i) < 0i) && (rmod_29 <= 0i)))) % podArgs.n_h);
      let rmod_31 : i32 = (v__1 % podArgs.n_p);
      EC_ok_ptr[((((((select((rdiv_14 - 1i), rdiv_14, (((((podArgs.n_h * podArgs.n_p) * 64i) >= 0i) && (rmod_28 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 64i) < 0i) && (rmod_28 <= 0i)))) * podArgs.n_h) + select((rmod_30 + podArgs.n_h), rmod_30, (((podArgs.n_h >= 0i) && (rmod_30 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_30 <= 0i))))) * podArgs.n_p) * 64i) + (select((rmod_31 + podArgs.n_p), rmod_31, (((podArgs.n_p >= 0i) && (rmod_31 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_31 <= 0i)))) * 64i)) + i32(threadIdx.x))] = 0i;
    }
  }
}
//// attncc kernel: split_kv_causal_3_LC_kernel
@group(0) @binding(0) var<storage, read> EC_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> EC_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read_write> LC_ptr : array<f32>;
@group(0) @binding(3) var<storage, read_write> LC_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn split_kv_causal_3_LC_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_LC : array<f32, 1>;
  var ok_LC : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_p) * 4i)) {
    acc_LC[0i] = 0.000000e+00f;
    ok_LC[0i] = bool(bool(0));
    for (var i_n : i32 = 0i; i_n < 16i; i_n++) {
      let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
      let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
            let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
      let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_2 : i32 = (select((rdiv_1 - 1i), rdiv_1, ((((podArgs.n_p * 4i) >= 0i) && (rmod_1 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_1 <= 0i)))) % podArgs.n_h);
      let rmod_3 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
      if (EC_ok_ptr[(((((((select((rdiv - 1i), rdiv, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod <= 0i)))) * podArgs.n_h) + select((rmod_2 + podArgs.n_h), rmod_2, (((podArgs.n_h >= 0i) && (rmod_2 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_2 <= 0i))))) * podArgs.n_p) * 64i) + (select((rmod_3 + podArgs.n_p), rmod_3, (((podArgs.n_p >= 0i) && (rmod_3 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_3 <= 0i)))) * 64i)) + ((i32(threadIdx.x) & 3i) * 16i)) + i_n)] != 0i) {
        let rmod_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
        let rdiv_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
                let rmod_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
        let rdiv_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_6 : i32 = (select((rdiv_3 - 1i), rdiv_3, ((((podArgs.n_p * 4i) >= 0i) && (rmod_5 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_5 <= 0i)))) % podArgs.n_h);
        let rmod_7 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
        acc_LC[0i] = (acc_LC[0i] + EC_ptr[(((((((select((rdiv_2 - 1i), rdiv_2, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_4 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_4 <= 0i)))) * podArgs.n_h) + select((rmod_6 + podArgs.n_h), rmod_6, (((podArgs.n_h >= 0i) && (rmod_6 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_6 <= 0i))))) * podArgs.n_p) * 64i) + (select((rmod_7 + podArgs.n_p), rmod_7, (((podArgs.n_p >= 0i) && (rmod_7 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_7 <= 0i)))) * 64i)) + ((i32(threadIdx.x) & 3i) * 16i)) + i_n)]);
        ok_LC[0i] = bool(bool(1));
      }
    }
    let rmod_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
    let rdiv_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
        let rmod_9 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
    let rdiv_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_10 : i32 = (select((rdiv_5 - 1i), rdiv_5, ((((podArgs.n_p * 4i) >= 0i) && (rmod_9 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_9 <= 0i)))) % podArgs.n_h);
    let rmod_11 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
    var condval : f32;
    if (bool(ok_LC[0i])) {
      condval = acc_LC[0i];
} else {
      condval = 0.000000e+00f;
}
    LC_ptr[((((((select((rdiv_4 - 1i), rdiv_4, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_8 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_8 <= 0i)))) * podArgs.n_h) + select((rmod_10 + podArgs.n_h), rmod_10, (((podArgs.n_h >= 0i) && (rmod_10 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_10 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_11 + podArgs.n_p), rmod_11, (((podArgs.n_p >= 0i) && (rmod_11 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_11 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] = condval;
    let rmod_12 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
    let rdiv_6 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
        let rmod_13 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
    let rdiv_7 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_14 : i32 = (select((rdiv_7 - 1i), rdiv_7, ((((podArgs.n_p * 4i) >= 0i) && (rmod_13 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_13 <= 0i)))) % podArgs.n_h);
    let rmod_15 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
    LC_ok_ptr[((((((select((rdiv_6 - 1i), rdiv_6, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_12 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_12 <= 0i)))) * podArgs.n_h) + select((rmod_14 + podArgs.n_h), rmod_14, (((podArgs.n_h >= 0i) && (rmod_14 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_14 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_15 + podArgs.n_p), rmod_15, (((podArgs.n_p >= 0i) && (rmod_15 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_15 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] = i32(bool(ok_LC[0i]));
  }
}
//// attncc kernel: split_kv_causal_4_OC_kernel
@group(0) @binding(0) var<storage, read> EC_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> EC_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> LC_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> LC_ok_ptr : array<i32>;
@group(0) @binding(4) var<storage, read_write> OC_ptr : array<f32>;
@group(0) @binding(5) var<storage, read_write> OC_ok_ptr : array<i32>;
@group(0) @binding(6) var<storage, read> V_ptr : array<f32>;

struct PODArgs {
  CH: i32,
  n_b: i32,
  n_g: i32,
  n_h: i32,
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(7) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn split_kv_causal_4_OC_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_OC : array<f32, 20>;
  var ok_OC : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_p) * 4i)) {
    for (var i_f : i32 = 0i; i_f < 20i; i_f++) {
      acc_OC[i_f] = 0.000000e+00f;
    }
    ok_OC[0i] = bool(bool(0));
    for (var i_n : i32 = 0i; i_n < 16i; i_n++) {
      if ((((i32(threadIdx.x) & 3i) * podArgs.CH) + i_n) < podArgs.n_m) {
        let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
        let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
                let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
        let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_2 : i32 = (select((rdiv_1 - 1i), rdiv_1, ((((podArgs.n_p * 4i) >= 0i) && (rmod_1 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_1 <= 0i)))) % podArgs.n_h);
        let rmod_3 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
        let rmod_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
        let rdiv_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
                let rmod_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
        let rdiv_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_6 : i32 = (select((rdiv_3 - 1i), rdiv_3, ((((podArgs.n_p * 4i) >= 0i) && (rmod_5 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_5 <= 0i)))) % podArgs.n_h);
        let rmod_7 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
        if ((EC_ok_ptr[(((((((select((rdiv - 1i), rdiv, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod <= 0i)))) * podArgs.n_h) + select((rmod_2 + podArgs.n_h), rmod_2, (((podArgs.n_h >= 0i) && (rmod_2 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_2 <= 0i))))) * podArgs.n_p) * 64i) + (select((rmod_3 + podArgs.n_p), rmod_3, (((podArgs.n_p >= 0i) && (rmod_3 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_3 <= 0i)))) * 64i)) + ((i32(threadIdx.x) & 3i) * 16i)) + i_n)] != 0i) && (LC_ok_ptr[((((((select((rdiv_2 - 1i), rdiv_2, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_4 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_4 <= 0i)))) * podArgs.n_h) + select((rmod_6 + podArgs.n_h), rmod_6, (((podArgs.n_h >= 0i) && (rmod_6 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_6 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_7 + podArgs.n_p), rmod_7, (((podArgs.n_p >= 0i) && (rmod_7 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_7 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] != 0i)) {
          for (var i_f_1 : i32 = 0i; i_f_1 < 20i; i_f_1++) {
            let rmod_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
            let rdiv_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
                        let rmod_9 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
            let rdiv_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_10 : i32 = (select((rdiv_5 - 1i), rdiv_5, ((((podArgs.n_p * 4i) >= 0i) && (rmod_9 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_9 <= 0i)))) % podArgs.n_h);
            let rmod_11 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
            let rmod_12 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
            let rdiv_6 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
            var condval_1 : i32;
            if ((podArgs.n_g == 0i)) {
              condval_1 = 0i;
} else {
              let rmod_13 : i32 = (podArgs.n_h % podArgs.n_g);
              let rdiv_7 : i32 = (podArgs.n_h / podArgs.n_g);
              condval_1 = select((rdiv_7 - 1i), rdiv_7, (((podArgs.n_g >= 0i) && (rmod_13 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_13 <= 0i))));
}
            var condval : i32;
            if ((condval_1 == 0i)) {
              condval = 0i;
} else {
                                          let rmod_14 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
              let rdiv_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_15 : i32 = (select((rdiv_8 - 1i), rdiv_8, ((((podArgs.n_p * 4i) >= 0i) && (rmod_14 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_14 <= 0i)))) % podArgs.n_h);
              var condval_2 : i32;
              if ((podArgs.n_g == 0i)) {
                condval_2 = 0i;
} else {
                let rmod_16 : i32 = (podArgs.n_h % podArgs.n_g);
                let rdiv_9 : i32 = (podArgs.n_h / podArgs.n_g);
                condval_2 = select((rdiv_9 - 1i), rdiv_9, (((podArgs.n_g >= 0i) && (rmod_16 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_16 <= 0i))));
}
let rmod_17 : i32 = (select((rmod_15 + podArgs.n_h), rmod_15, (((podArgs.n_h >= 0i) && (rmod_15 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_15 <= 0i)))) % condval_2);
                                          let rmod_18 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
              let rdiv_10 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_19 : i32 = (select((rdiv_10 - 1i), rdiv_10, ((((podArgs.n_p * 4i) >= 0i) && (rmod_18 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_18 <= 0i)))) % podArgs.n_h);
              var condval_3 : i32;
              if ((podArgs.n_g == 0i)) {
                condval_3 = 0i;
} else {
                let rmod_20 : i32 = (podArgs.n_h % podArgs.n_g);
                let rdiv_11 : i32 = (podArgs.n_h / podArgs.n_g);
                condval_3 = select((rdiv_11 - 1i), rdiv_11, (((podArgs.n_g >= 0i) && (rmod_20 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_20 <= 0i))));
}
let rdiv_12 : i32 = (select((rmod_19 + podArgs.n_h), rmod_19, (((podArgs.n_h >= 0i) && (rmod_19 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_19 <= 0i)))) / condval_3);
              var condval_4 : i32;
              if ((podArgs.n_g == 0i)) {
                condval_4 = 0i;
} else {
                let rmod_21 : i32 = (podArgs.n_h % podArgs.n_g);
                let rdiv_13 : i32 = (podArgs.n_h / podArgs.n_g);
                condval_4 = select((rdiv_13 - 1i), rdiv_13, (((podArgs.n_g >= 0i) && (rmod_21 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_21 <= 0i))));
}
              var condval_5 : i32;
              if ((podArgs.n_g == 0i)) {
                condval_5 = 0i;
} else {
                let rmod_22 : i32 = (podArgs.n_h % podArgs.n_g);
                let rdiv_14 : i32 = (podArgs.n_h / podArgs.n_g);
                condval_5 = select((rdiv_14 - 1i), rdiv_14, (((podArgs.n_g >= 0i) && (rmod_22 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_22 <= 0i))));
}
              condval = select((rdiv_12 - 1i), rdiv_12, (((condval_4 >= 0i) && (rmod_17 >= 0i)) || ((condval_5 < 0i) && (rmod_17 <= 0i))));
}
            let rmod_23 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
            let rdiv_15 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
                        let rmod_24 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
            let rdiv_16 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_25 : i32 = (select((rdiv_16 - 1i), rdiv_16, ((((podArgs.n_p * 4i) >= 0i) && (rmod_24 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_24 <= 0i)))) % podArgs.n_h);
            let rmod_26 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
            acc_OC[i_f_1] = (acc_OC[i_f_1] + ((EC_ptr[(((((((select((rdiv_4 - 1i), rdiv_4, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_8 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_8 <= 0i)))) * podArgs.n_h) + select((rmod_10 + podArgs.n_h), rmod_10, (((podArgs.n_h >= 0i) && (rmod_10 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_10 <= 0i))))) * podArgs.n_p) * 64i) + (select((rmod_11 + podArgs.n_p), rmod_11, (((podArgs.n_p >= 0i) && (rmod_11 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_11 <= 0i)))) * 64i)) + ((i32(threadIdx.x) & 3i) * 16i)) + i_n)] * V_ptr[(((((((select((rdiv_6 - 1i), rdiv_6, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_12 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_12 <= 0i)))) * podArgs.n_g) + condval) * podArgs.n_m) * 20i) + (((i32(threadIdx.x) & 3i) * podArgs.CH) * 20i)) + (i_n * 20i)) + i_f_1)]) / LC_ptr[((((((select((rdiv_15 - 1i), rdiv_15, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_23 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_23 <= 0i)))) * podArgs.n_h) + select((rmod_25 + podArgs.n_h), rmod_25, (((podArgs.n_h >= 0i) && (rmod_25 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_25 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_26 + podArgs.n_p), rmod_26, (((podArgs.n_p >= 0i) && (rmod_26 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_26 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))]));
          }
          ok_OC[0i] = bool(bool(1));
        }
      }
    }
    for (var i_f_2 : i32 = 0i; i_f_2 < 20i; i_f_2++) {
      let rmod_27 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
      let rdiv_17 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
            let rmod_28 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
      let rdiv_18 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_29 : i32 = (select((rdiv_18 - 1i), rdiv_18, ((((podArgs.n_p * 4i) >= 0i) && (rmod_28 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_28 <= 0i)))) % podArgs.n_h);
      let rmod_30 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
      var condval_6 : f32;
      if (bool(ok_OC[0i])) {
        condval_6 = acc_OC[i_f_2];
} else {
        condval_6 = 0.000000e+00f;
}
      OC_ptr[(((((((select((rdiv_17 - 1i), rdiv_17, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_27 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_27 <= 0i)))) * podArgs.n_h) + select((rmod_29 + podArgs.n_h), rmod_29, (((podArgs.n_h >= 0i) && (rmod_29 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_29 <= 0i))))) * podArgs.n_p) * 80i) + (select((rmod_30 + podArgs.n_p), rmod_30, (((podArgs.n_p >= 0i) && (rmod_30 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_30 <= 0i)))) * 80i)) + ((i32(threadIdx.x) & 3i) * 20i)) + i_f_2)] = condval_6;
      let rmod_31 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
      let rdiv_19 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
            let rmod_32 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
      let rdiv_20 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_33 : i32 = (select((rdiv_20 - 1i), rdiv_20, ((((podArgs.n_p * 4i) >= 0i) && (rmod_32 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_32 <= 0i)))) % podArgs.n_h);
      let rmod_34 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
      OC_ok_ptr[(((((((select((rdiv_19 - 1i), rdiv_19, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_31 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_31 <= 0i)))) * podArgs.n_h) + select((rmod_33 + podArgs.n_h), rmod_33, (((podArgs.n_h >= 0i) && (rmod_33 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_33 <= 0i))))) * podArgs.n_p) * 80i) + (select((rmod_34 + podArgs.n_p), rmod_34, (((podArgs.n_p >= 0i) && (rmod_34 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_34 <= 0i)))) * 80i)) + ((i32(threadIdx.x) & 3i) * 20i)) + i_f_2)] = i32(bool(ok_OC[0i]));
    }
  }
}
//// attncc kernel: split_kv_causal_5_LSEC_kernel
@group(0) @binding(0) var<storage, read> LC_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> LC_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read_write> LSEC_ptr : array<f32>;
@group(0) @binding(3) var<storage, read_write> LSEC_ok_ptr : array<i32>;
@group(0) @binding(4) var<storage, read> MXC_ptr : array<f32>;
@group(0) @binding(5) var<storage, read> MXC_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(6) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn split_kv_causal_5_LSEC_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_p) * 4i)) {
    let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
    let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
        let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
    let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_2 : i32 = (select((rdiv_1 - 1i), rdiv_1, ((((podArgs.n_p * 4i) >= 0i) && (rmod_1 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_1 <= 0i)))) % podArgs.n_h);
    let rmod_3 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
    let rmod_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
    let rdiv_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
        let rmod_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
    let rdiv_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_6 : i32 = (select((rdiv_3 - 1i), rdiv_3, ((((podArgs.n_p * 4i) >= 0i) && (rmod_5 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_5 <= 0i)))) % podArgs.n_h);
    let rmod_7 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
    if ((MXC_ok_ptr[((((((select((rdiv - 1i), rdiv, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod <= 0i)))) * podArgs.n_h) + select((rmod_2 + podArgs.n_h), rmod_2, (((podArgs.n_h >= 0i) && (rmod_2 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_2 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_3 + podArgs.n_p), rmod_3, (((podArgs.n_p >= 0i) && (rmod_3 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_3 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] != 0i) && (LC_ok_ptr[((((((select((rdiv_2 - 1i), rdiv_2, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_4 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_4 <= 0i)))) * podArgs.n_h) + select((rmod_6 + podArgs.n_h), rmod_6, (((podArgs.n_h >= 0i) && (rmod_6 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_6 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_7 + podArgs.n_p), rmod_7, (((podArgs.n_p >= 0i) && (rmod_7 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_7 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] != 0i)) {
      let rmod_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
      let rdiv_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
            let rmod_9 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
      let rdiv_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_10 : i32 = (select((rdiv_5 - 1i), rdiv_5, ((((podArgs.n_p * 4i) >= 0i) && (rmod_9 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_9 <= 0i)))) % podArgs.n_h);
      let rmod_11 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
      let rmod_12 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
      let rdiv_6 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
            let rmod_13 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
      let rdiv_7 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_14 : i32 = (select((rdiv_7 - 1i), rdiv_7, ((((podArgs.n_p * 4i) >= 0i) && (rmod_13 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_13 <= 0i)))) % podArgs.n_h);
      let rmod_15 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
      let rmod_16 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
      let rdiv_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
            let rmod_17 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
      let rdiv_9 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_18 : i32 = (select((rdiv_9 - 1i), rdiv_9, ((((podArgs.n_p * 4i) >= 0i) && (rmod_17 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_17 <= 0i)))) % podArgs.n_h);
      let rmod_19 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
      LSEC_ptr[((((((select((rdiv_4 - 1i), rdiv_4, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_8 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_8 <= 0i)))) * podArgs.n_h) + select((rmod_10 + podArgs.n_h), rmod_10, (((podArgs.n_h >= 0i) && (rmod_10 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_10 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_11 + podArgs.n_p), rmod_11, (((podArgs.n_p >= 0i) && (rmod_11 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_11 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] = (MXC_ptr[((((((select((rdiv_6 - 1i), rdiv_6, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_12 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_12 <= 0i)))) * podArgs.n_h) + select((rmod_14 + podArgs.n_h), rmod_14, (((podArgs.n_h >= 0i) && (rmod_14 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_14 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_15 + podArgs.n_p), rmod_15, (((podArgs.n_p >= 0i) && (rmod_15 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_15 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] + log(LC_ptr[((((((select((rdiv_8 - 1i), rdiv_8, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_16 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_16 <= 0i)))) * podArgs.n_h) + select((rmod_18 + podArgs.n_h), rmod_18, (((podArgs.n_h >= 0i) && (rmod_18 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_18 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_19 + podArgs.n_p), rmod_19, (((podArgs.n_p >= 0i) && (rmod_19 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_19 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))]));
      let rmod_20 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
      let rdiv_10 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
            let rmod_21 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
      let rdiv_11 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_22 : i32 = (select((rdiv_11 - 1i), rdiv_11, ((((podArgs.n_p * 4i) >= 0i) && (rmod_21 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_21 <= 0i)))) % podArgs.n_h);
      let rmod_23 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
      LSEC_ok_ptr[((((((select((rdiv_10 - 1i), rdiv_10, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_20 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_20 <= 0i)))) * podArgs.n_h) + select((rmod_22 + podArgs.n_h), rmod_22, (((podArgs.n_h >= 0i) && (rmod_22 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_22 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_23 + podArgs.n_p), rmod_23, (((podArgs.n_p >= 0i) && (rmod_23 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_23 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] = 1i;
    } else {
      let rmod_24 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
      let rdiv_12 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
            let rmod_25 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
      let rdiv_13 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_26 : i32 = (select((rdiv_13 - 1i), rdiv_13, ((((podArgs.n_p * 4i) >= 0i) && (rmod_25 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_25 <= 0i)))) % podArgs.n_h);
      let rmod_27 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
      LSEC_ptr[((((((select((rdiv_12 - 1i), rdiv_12, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_24 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_24 <= 0i)))) * podArgs.n_h) + select((rmod_26 + podArgs.n_h), rmod_26, (((podArgs.n_h >= 0i) && (rmod_26 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_26 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_27 + podArgs.n_p), rmod_27, (((podArgs.n_p >= 0i) && (rmod_27 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_27 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] = 0.000000e+00f;
      let rmod_28 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
      let rdiv_14 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
            let rmod_29 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
      let rdiv_15 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_30 : i32 = (select((rdiv_15 - 1i), rdiv_15, ((((podArgs.n_p * 4i) >= 0i) && (rmod_29 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_29 <= 0i)))) % podArgs.n_h);
      let rmod_31 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
      LSEC_ok_ptr[((((((select((rdiv_14 - 1i), rdiv_14, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_28 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_28 <= 0i)))) * podArgs.n_h) + select((rmod_30 + podArgs.n_h), rmod_30, (((podArgs.n_h >= 0i) && (rmod_30 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_30 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_31 + podArgs.n_p), rmod_31, (((podArgs.n_p >= 0i) && (rmod_31 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_31 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] = 0i;
    }
  }
}
//// attncc kernel: split_kv_causal_6_LM_kernel
@group(0) @binding(0) var<storage, read_write> LM_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> LM_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> LSEC_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> LSEC_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn split_kv_causal_6_LM_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_LM : array<f32, 1>;
  var ok_LM : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
    acc_LM[0i] = -3.4028234663852886e+38f;
    ok_LM[0i] = bool(bool(0));
    for (var i_c : i32 = 0i; i_c < 4i; i_c++) {
      if (LSEC_ok_ptr[(((v__1 * 256i) + (i32(threadIdx.x) * 4i)) + i_c)] != 0i) {
        var condval : f32;
        if (((acc_LM[0i] < LSEC_ptr[(((v__1 * 256i) + (i32(threadIdx.x) * 4i)) + i_c)]) || (2139095040i < (bitcast<i32>(LSEC_ptr[(((v__1 * 256i) + (i32(threadIdx.x) * 4i)) + i_c)]) & 2147483647i)))) {
          condval = LSEC_ptr[(((v__1 * 256i) + (i32(threadIdx.x) * 4i)) + i_c)];
} else {
          condval = acc_LM[0i];
}
        acc_LM[0i] = condval;
        ok_LM[0i] = bool(bool(1));
      }
    }
    var condval_1 : f32;
    if (bool(ok_LM[0i])) {
      condval_1 = acc_LM[0i];
} else {
      condval_1 = 0.000000e+00f;
}
    LM_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval_1;
    LM_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = i32(bool(ok_LM[0i]));
  }
}
//// attncc kernel: split_kv_causal_7_W_kernel
@group(0) @binding(0) var<storage, read> LM_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> LM_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read> LSEC_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> LSEC_ok_ptr : array<i32>;
@group(0) @binding(4) var<storage, read_write> W_ptr : array<f32>;
@group(0) @binding(5) var<storage, read_write> W_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(6) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn split_kv_causal_7_W_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_p) * 4i)) {
    let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
    let rdiv : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
        let rmod_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
    let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_2 : i32 = (select((rdiv_1 - 1i), rdiv_1, ((((podArgs.n_p * 4i) >= 0i) && (rmod_1 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_1 <= 0i)))) % podArgs.n_h);
    let rmod_3 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
    let rmod_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
    let rdiv_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
        let rmod_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
    let rdiv_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_6 : i32 = (select((rdiv_3 - 1i), rdiv_3, ((((podArgs.n_p * 4i) >= 0i) && (rmod_5 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_5 <= 0i)))) % podArgs.n_h);
    let rmod_7 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
    if ((LSEC_ok_ptr[((((((select((rdiv - 1i), rdiv, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod <= 0i)))) * podArgs.n_h) + select((rmod_2 + podArgs.n_h), rmod_2, (((podArgs.n_h >= 0i) && (rmod_2 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_2 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_3 + podArgs.n_p), rmod_3, (((podArgs.n_p >= 0i) && (rmod_3 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_3 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] != 0i) && (LM_ok_ptr[((((select((rdiv_2 - 1i), rdiv_2, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_4 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_4 <= 0i)))) * podArgs.n_h) + select((rmod_6 + podArgs.n_h), rmod_6, (((podArgs.n_h >= 0i) && (rmod_6 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_6 <= 0i))))) * podArgs.n_p) + select((rmod_7 + podArgs.n_p), rmod_7, (((podArgs.n_p >= 0i) && (rmod_7 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_7 <= 0i)))))] != 0i)) {
      let rmod_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
      let rdiv_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
            let rmod_9 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
      let rdiv_5 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_10 : i32 = (select((rdiv_5 - 1i), rdiv_5, ((((podArgs.n_p * 4i) >= 0i) && (rmod_9 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_9 <= 0i)))) % podArgs.n_h);
      let rmod_11 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
      let rmod_12 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
      let rdiv_6 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
            let rmod_13 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
      let rdiv_7 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_14 : i32 = (select((rdiv_7 - 1i), rdiv_7, ((((podArgs.n_p * 4i) >= 0i) && (rmod_13 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_13 <= 0i)))) % podArgs.n_h);
      let rmod_15 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
      let rmod_16 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
      let rdiv_8 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
            let rmod_17 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
      let rdiv_9 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_18 : i32 = (select((rdiv_9 - 1i), rdiv_9, ((((podArgs.n_p * 4i) >= 0i) && (rmod_17 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_17 <= 0i)))) % podArgs.n_h);
      let rmod_19 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
      W_ptr[((((((select((rdiv_4 - 1i), rdiv_4, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_8 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_8 <= 0i)))) * podArgs.n_h) + select((rmod_10 + podArgs.n_h), rmod_10, (((podArgs.n_h >= 0i) && (rmod_10 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_10 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_11 + podArgs.n_p), rmod_11, (((podArgs.n_p >= 0i) && (rmod_11 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_11 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] = exp((LSEC_ptr[((((((select((rdiv_6 - 1i), rdiv_6, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_12 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_12 <= 0i)))) * podArgs.n_h) + select((rmod_14 + podArgs.n_h), rmod_14, (((podArgs.n_h >= 0i) && (rmod_14 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_14 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_15 + podArgs.n_p), rmod_15, (((podArgs.n_p >= 0i) && (rmod_15 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_15 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] - LM_ptr[((((select((rdiv_8 - 1i), rdiv_8, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_16 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_16 <= 0i)))) * podArgs.n_h) + select((rmod_18 + podArgs.n_h), rmod_18, (((podArgs.n_h >= 0i) && (rmod_18 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_18 <= 0i))))) * podArgs.n_p) + select((rmod_19 + podArgs.n_p), rmod_19, (((podArgs.n_p >= 0i) && (rmod_19 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_19 <= 0i)))))]));
      let rmod_20 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
      let rdiv_10 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
            let rmod_21 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
      let rdiv_11 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_22 : i32 = (select((rdiv_11 - 1i), rdiv_11, ((((podArgs.n_p * 4i) >= 0i) && (rmod_21 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_21 <= 0i)))) % podArgs.n_h);
      let rmod_23 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
      W_ok_ptr[((((((select((rdiv_10 - 1i), rdiv_10, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_20 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_20 <= 0i)))) * podArgs.n_h) + select((rmod_22 + podArgs.n_h), rmod_22, (((podArgs.n_h >= 0i) && (rmod_22 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_22 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_23 + podArgs.n_p), rmod_23, (((podArgs.n_p >= 0i) && (rmod_23 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_23 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] = 1i;
    } else {
      let rmod_24 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
      let rdiv_12 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
            let rmod_25 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
      let rdiv_13 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_26 : i32 = (select((rdiv_13 - 1i), rdiv_13, ((((podArgs.n_p * 4i) >= 0i) && (rmod_25 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_25 <= 0i)))) % podArgs.n_h);
      let rmod_27 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
      W_ptr[((((((select((rdiv_12 - 1i), rdiv_12, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_24 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_24 <= 0i)))) * podArgs.n_h) + select((rmod_26 + podArgs.n_h), rmod_26, (((podArgs.n_h >= 0i) && (rmod_26 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_26 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_27 + podArgs.n_p), rmod_27, (((podArgs.n_p >= 0i) && (rmod_27 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_27 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] = 0.000000e+00f;
      let rmod_28 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * 4i));
      let rdiv_14 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * 4i));
            let rmod_29 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * 4i));
      let rdiv_15 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * 4i));
let rmod_30 : i32 = (select((rdiv_15 - 1i), rdiv_15, ((((podArgs.n_p * 4i) >= 0i) && (rmod_29 >= 0i)) || (((podArgs.n_p * 4i) < 0i) && (rmod_29 <= 0i)))) % podArgs.n_h);
      let rmod_31 : i32 = (((v__1 * 16i) + (i32(threadIdx.x)>>2u)) % podArgs.n_p);
      W_ok_ptr[((((((select((rdiv_14 - 1i), rdiv_14, (((((podArgs.n_h * podArgs.n_p) * 4i) >= 0i) && (rmod_28 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * 4i) < 0i) && (rmod_28 <= 0i)))) * podArgs.n_h) + select((rmod_30 + podArgs.n_h), rmod_30, (((podArgs.n_h >= 0i) && (rmod_30 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_30 <= 0i))))) * podArgs.n_p) * 4i) + (select((rmod_31 + podArgs.n_p), rmod_31, (((podArgs.n_p >= 0i) && (rmod_31 >= 0i)) || ((podArgs.n_p < 0i) && (rmod_31 <= 0i)))) * 4i)) + (i32(threadIdx.x) & 3i))] = 0i;
    }
  }
}
//// attncc kernel: split_kv_causal_8_WS_kernel
@group(0) @binding(0) var<storage, read> W_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> WS_ptr : array<f32>;
@group(0) @binding(2) var<storage, read_write> WS_ok_ptr : array<i32>;
@group(0) @binding(3) var<storage, read> W_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn split_kv_causal_8_WS_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_WS : array<f32, 1>;
  var ok_WS : array<bool, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
    acc_WS[0i] = 0.000000e+00f;
    ok_WS[0i] = bool(bool(0));
    for (var i_c : i32 = 0i; i_c < 4i; i_c++) {
      if (W_ok_ptr[(((v__1 * 256i) + (i32(threadIdx.x) * 4i)) + i_c)] != 0i) {
        acc_WS[0i] = (acc_WS[0i] + W_ptr[(((v__1 * 256i) + (i32(threadIdx.x) * 4i)) + i_c)]);
        ok_WS[0i] = bool(bool(1));
      }
    }
    var condval : f32;
    if (bool(ok_WS[0i])) {
      condval = acc_WS[0i];
} else {
      condval = 0.000000e+00f;
}
    WS_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval;
    WS_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] = i32(bool(ok_WS[0i]));
  }
}
//// attncc kernel: split_kv_causal_9_O_kernel
@group(0) @binding(0) var<storage, read_write> O_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> OC_ptr : array<f32>;
@group(0) @binding(2) var<storage, read> OC_ok_ptr : array<i32>;
@group(0) @binding(3) var<storage, read> W_ptr : array<f32>;
@group(0) @binding(4) var<storage, read> WS_ptr : array<f32>;
@group(0) @binding(5) var<storage, read> WS_ok_ptr : array<i32>;
@group(0) @binding(6) var<storage, read> W_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(7) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn split_kv_causal_9_O_kernel(
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
    if (WS_ok_ptr[(((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i)] != 0i) {
      for (var i_c : i32 = 0i; i_c < 4i; i_c++) {
        if ((W_ok_ptr[(((((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i) * 4i) + i_c)] != 0i) && (OC_ok_ptr[((((((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i) * 80i) + (i_c * 20i)) + (((v__1 * 64i) + i32(threadIdx.x)) % 20i))] != 0i)) {
          acc_O[0i] = (acc_O[0i] + ((W_ptr[(((((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i) * 4i) + i_c)] * OC_ptr[((((((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i) * 80i) + (i_c * 20i)) + (((v__1 * 64i) + i32(threadIdx.x)) % 20i))]) / WS_ptr[(((v__1 * 16i) + (i32(threadIdx.x)>>2u)) / 5i)]));
          ok_O[0i] = bool(bool(1));
        }
      }
    }
    var condval : f32;
    if (bool(ok_O[0i])) {
      condval = acc_O[0i];
} else {
      condval = 0.000000e+00f;
}
    O_ptr[((v__1 * 64i) + i32(threadIdx.x))] = condval;
  }
}
//// attncc kernel: split_kv_causal_10_LSE_kernel
@group(0) @binding(0) var<storage, read> LM_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> LM_ok_ptr : array<i32>;
@group(0) @binding(2) var<storage, read_write> LSE_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> WS_ptr : array<f32>;
@group(0) @binding(4) var<storage, read> WS_ok_ptr : array<i32>;

struct PODArgs {
  n_b: i32,
  n_h: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(5) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn split_kv_causal_10_LSE_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
    if ((LM_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i) && (WS_ok_ptr[((v__1 * 64i) + i32(threadIdx.x))] != 0i)) {
      LSE_ptr[((v__1 * 64i) + i32(threadIdx.x))] = (LM_ptr[((v__1 * 64i) + i32(threadIdx.x))] + log(WS_ptr[((v__1 * 64i) + i32(threadIdx.x))]));
    } else {
      LSE_ptr[((v__1 * 64i) + i32(threadIdx.x))] = 0.000000e+00f;
    }
  }
}
