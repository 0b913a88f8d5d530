//// attncc kernel: sigmoid_attention_0_S_kernel
@group(0) @binding(0) var<storage, read> K_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> Q_ptr : array<f32>;
@group(0) @binding(2) var<storage, read_write> S_ptr : array<f32>;

struct PODArgs {
  n_b: i32,
  n_g: i32,
  n_h: i32,
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(3) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn sigmoid_attention_0_S_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_S : array<f32, 1>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < (((podArgs.n_b * podArgs.n_h) * podArgs.n_p) * podArgs.n_m)) {
    acc_S[0i] = 0.000000e+00f;
    for (var i_e : i32 = 0i; i_e < 24i; i_e++) {
            let rmod : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
let rmod_1 : i32 = (select((rmod + ((podArgs.n_h * podArgs.n_p) * podArgs.n_m)), rmod, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod <= 0i)))) % podArgs.n_m);
            let rmod_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
let rdiv : i32 = (select((rmod_2 + ((podArgs.n_h * podArgs.n_p) * podArgs.n_m)), rmod_2, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_2 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_2 <= 0i)))) / podArgs.n_m);
      let rmod_3 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      let rdiv_1 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      let rmod_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      let rdiv_2 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / ((podArgs.n_h * podArgs.n_p) * podArgs.n_m));
      var condval_1 : i32;
      if ((podArgs.n_g == 0i)) {
        condval_1 = 0i;
} else {
        let rmod_5 : i32 = (podArgs.n_h % podArgs.n_g);
        let rdiv_3 : i32 = (podArgs.n_h / podArgs.n_g);
        condval_1 = select((rdiv_3 - 1i), rdiv_3, (((podArgs.n_g >= 0i) && (rmod_5 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_5 <= 0i))));
}
      var condval : i32;
      if ((condval_1 == 0i)) {
        condval = 0i;
} else {
                        let rmod_6 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * podArgs.n_m));
        let rdiv_4 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * podArgs.n_m));
let rmod_7 : i32 = (select((rdiv_4 - 1i), rdiv_4, ((((podArgs.n_p * podArgs.n_m) >= 0i) && (rmod_6 >= 0i)) || (((podArgs.n_p * podArgs.n_m) < 0i) && (rmod_6 <= 0i)))) % podArgs.n_h);
        var condval_2 : i32;
        if ((podArgs.n_g == 0i)) {
          condval_2 = 0i;
} else {
          let rmod_8 : i32 = (podArgs.n_h % podArgs.n_g);
          let rdiv_5 : i32 = (podArgs.n_h / podArgs.n_g);
          condval_2 = select((rdiv_5 - 1i), rdiv_5, (((podArgs.n_g >= 0i) && (rmod_8 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_8 <= 0i))));
}
let rmod_9 : i32 = (select((rmod_7 + podArgs.n_h), rmod_7, (((podArgs.n_h >= 0i) && (rmod_7 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_7 <= 0i)))) % condval_2);
                        let rmod_10 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % (podArgs.n_p * podArgs.n_m));
        let rdiv_6 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) / (podArgs.n_p * podArgs.n_m));
let rmod_11 : i32 = (select((rdiv_6 - 1i), rdiv_6, ((((podArgs.n_p * podArgs.n_m) >= 0i) && (rmod_10 >= 0i)) || (((podArgs.n_p * podArgs.n_m) < 0i) && (rmod_10 <= 0i)))) % podArgs.n_h);
        var condval_3 : i32;
        if ((podArgs.n_g == 0i)) {
          condval_3 = 0i;
} else {
          let rmod_12 : i32 = (podArgs.n_h % podArgs.n_g);
          let rdiv_7 : i32 = (podArgs.n_h / podArgs.n_g);
          condval_3 = select((rdiv_7 - 1i), rdiv_7, (((podArgs.n_g >= 0i) && (rmod_12 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_12 <= 0i))));
}
let rdiv_8 : i32 = (select((rmod_11 + podArgs.n_h), rmod_11, (((podArgs.n_h >= 0i) && (rmod_11 >= 0i)) || ((podArgs.n_h < 0i) && (rmod_11 <= 0i)))) / condval_3);
        var condval_4 : i32;
        if ((podArgs.n_g == 0i)) {
          condval_4 = 0i;
} else {
          let rmod_13 : i32 = (podArgs.n_h % podArgs.n_g);
          let rdiv_9 : i32 = (podArgs.n_h / podArgs.n_g);
          condval_4 = select((rdiv_9 - 1i), rdiv_9, (((podArgs.n_g >= 0i) && (rmod_13 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_13 <= 0i))));
}
        var condval_5 : i32;
        if ((podArgs.n_g == 0i)) {
          condval_5 = 0i;
} else {
          let rmod_14 : i32 = (podArgs.n_h % podArgs.n_g);
          let rdiv_10 : i32 = (podArgs.n_h / podArgs.n_g);
          condval_5 = select((rdiv_10 - 1i), rdiv_10, (((podArgs.n_g >= 0i) && (rmod_14 >= 0i)) || ((podArgs.n_g < 0i) && (rmod_14 <= 0i))));
}
        condval = select((rdiv_8 - 1i), rdiv_8, (((condval_4 >= 0i) && (rmod_9 >= 0i)) || ((condval_5 < 0i) && (rmod_9 <= 0i))));
}
      let rmod_15 : i32 = (((v__1 * 64i) + i32(threadIdx.x)) % podArgs.n_m);
      acc_S[0i] = fma((Q_ptr[(((select((rdiv - 1i), rdiv, (((podArgs.n_m >= 0i) && (rmod_1 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_1 <= 0i)))) * 24i) + (((select((rdiv_1 - 1i), rdiv_1, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_3 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_3 <= 0i)))) * podArgs.n_h) * podArgs.n_p) * 24i)) + i_e)] * K_ptr[((((((select((rdiv_2 - 1i), rdiv_2, (((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) >= 0i) && (rmod_4 >= 0i)) || ((((podArgs.n_h * podArgs.n_p) * podArgs.n_m) < 0i) && (rmod_4 <= 0i)))) * podArgs.n_g) + condval) * podArgs.n_m) * 24i) + (select((rmod_15 + podArgs.n_m), rmod_15, (((podArgs.n_m >= 0i) && (rmod_15 >= 0i)) || ((podArgs.n_m < 0i) && (rmod_15 <= 0i)))) * 24i)) + i_e)]), 2.041242e-01f, acc_S[0i]);
    }
    S_ptr[((v__1 * 64i) + i32(threadIdx.x))] = acc_S[0i];
  }
}
//// attncc kernel: sigmoid_attention_1_O_kernel
@group(0) @binding(0) var<storage, read_write> O_ptr : array<f32>;
@group(0) @binding(1) var<storage, read> S_ptr : array<f32>;
@group(0) @binding(2) var<storage, read> V_ptr : array<f32>;

struct PODArgs {
  n_b: i32,
  n_g: i32,
  n_h: i32,
  n_m: i32,
  n_p: i32,
  packGridDimX: u32
}
@group(0) @binding(3) var<uniform> podArgs : PODArgs;

@compute @workgroup_size(64, 1, 1)
fn sigmoid_attention_1_O_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var acc_O : array<f32, 20>;
  if (((v__1 * 64i) + i32(threadIdx.x)) < ((podArgs.n_b * podArgs.n_h) * podArgs.n_p)) {
    for (var i_f : i32 = 0i; i_f < 20i; i_f++) {
      acc_O[i_f] = 0.000000e+00f;
    }
    for (var i_m : i32 = 0i; i_m < podArgs.n_m; i_m++) {
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
        acc_O[i_f_1] = fma((1.000000e+00f / (1.000000e+00f + exp((0.000000e+00f - fma(log(f32(podArgs.n_m)), -1.000000e+00f, S_ptr[((((v__1 * 64i) + i32(threadIdx.x)) * podArgs.n_m) + i_m)]))))), V_ptr[((((((select((rdiv - 1i), rdiv, ((((podArgs.n_h * podArgs.n_p) >= 0i) && (rmod >= 0i)) || (((podArgs.n_h * podArgs.n_p) < 0i) && (rmod <= 0i)))) * podArgs.n_g) + condval) * podArgs.n_m) * 20i) + (i_m * 20i)) + i_f_1)], acc_O[i_f_1]);
      }
    }
    for (var i_f_2 : i32 = 0i; i_f_2 < 20i; i_f_2++) {
      var condval_6 : f32;
      if ((0i < podArgs.n_m)) {
        condval_6 = acc_O[i_f_2];
} else {
        condval_6 = 0.000000e+00f;
}
      O_ptr[(((v__1 * 1280i) + (i32(threadIdx.x) * 20i)) + i_f_2)] = condval_6;
    }
  }
}
