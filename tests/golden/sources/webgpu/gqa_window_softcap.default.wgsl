//// attncc kernel: fused_gqa_window_softcap_kernel
@group(0) @binding(0) var<storage, read> K_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> O_ptr : array<f32>;
@group(0) @binding(2) var<storage, read> Q_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> V_ptr : array<f32>;

struct PODArgs {
  M: i32,
  P: i32,
  W: i32,
  cap: f32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

var<workgroup> KV : array<f32, 768>;
var<workgroup> S : array<f32, 256>;
@compute @workgroup_size(16, 8, 1)
fn fused_gqa_window_softcap_kernel(
  @builtin(workgroup_id) blockIdx : vec3<u32>,
  @builtin(num_workgroups) gridDim : vec3<u32>,
  @builtin(local_invocation_id) threadIdx : vec3<u32>
) {
  if (blockIdx.z * gridDim.x + blockIdx.x > podArgs.packGridDimX) { return; }
  let v__1 : i32 = i32(blockIdx.z * gridDim.x + blockIdx.x);
  var qr : array<f32, 24>;
  var st : array<f32, 4>;
  var acc : array<f32, 2>;
  for (var d : i32 = 0i; d < 24i; d++) {
    let rmod : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
    let rmod_1 : i32 = (v__1 % (((podArgs.P + 7i)>>3u) * 6i));
    let rdiv : i32 = (v__1 / (((podArgs.P + 7i)>>3u) * 6i));
    let rmod_2 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
    let rdiv_1 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
    let rmod_3 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
    let rdiv_2 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
    qr[d] = Q_ptr[(((min(((select((rmod + ((podArgs.P + 7i)>>3u)), rmod, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod <= 0i)))) * 8i) + i32(threadIdx.y)), (podArgs.P - 1i)) * 24i) + ((((select((rdiv - 1i), rdiv, ((((((podArgs.P + 7i)>>3u) * 6i) >= 0i) && (rmod_1 >= 0i)) || (((((podArgs.P + 7i)>>3u) * 6i) < 0i) && (rmod_1 <= 0i)))) * 6i) + ((select((rdiv_1 - 1i), rdiv_1, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_2 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_2 <= 0i)))) % 6i) + (6i & ((select((rdiv_2 - 1i), rdiv_2, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_3 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_3 <= 0i)))) % 6i)>>31u)))) * podArgs.P) * 24i)) + d)];
  }
  st[0i] = -3.000000e+38f;
  st[1i] = 0.000000e+00f;
  for (var c : i32 = 0i; c < 2i; c++) {
    acc[c] = 0.000000e+00f;
  }
  let rmod_4 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
  let rmod_5 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
  let rmod_6 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
  for (var kt : i32 = 0i; kt < ((max((min(min(((select((rmod_4 + ((podArgs.P + 7i)>>3u)), rmod_4, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_4 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_4 <= 0i)))) * 8i) + 8i), podArgs.P), podArgs.M) + 31i), max((((select((rmod_5 + ((podArgs.P + 7i)>>3u)), rmod_5, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_5 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_5 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i))>>5u) - (max((((select((rmod_6 + ((podArgs.P + 7i)>>3u)), rmod_6, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_6 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_6 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u)); kt++) {
    for (var it : i32 = 0i; it < 6i; it++) {
      let rmod_7 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      var condval : f32;
      if ((((((max((((select((rmod_7 + ((podArgs.P + 7i)>>3u)), rmod_7, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_7 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_7 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u) * 32i) + (kt * 32i)) + ((((it * 16i) + (i32(threadIdx.y) * 2i)) + (i32(threadIdx.x)>>3u)) / 3i)) < podArgs.M)) {
        let rmod_8 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rmod_9 : i32 = (v__1 % (((podArgs.P + 7i)>>3u) * 6i));
        let rdiv_3 : i32 = (v__1 / (((podArgs.P + 7i)>>3u) * 6i));
        let rmod_10 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_4 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        let rmod_11 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_5 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        condval = K_ptr[(((min(((((max((((select((rmod_8 + ((podArgs.P + 7i)>>3u)), rmod_8, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_8 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_8 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u) * 32i) + (kt * 32i)) + ((((it * 16i) + (i32(threadIdx.y) * 2i)) + (i32(threadIdx.x)>>3u)) / 3i)), (podArgs.M - 1i)) * 24i) + ((((select((rdiv_3 - 1i), rdiv_3, ((((((podArgs.P + 7i)>>3u) * 6i) >= 0i) && (rmod_9 >= 0i)) || (((((podArgs.P + 7i)>>3u) * 6i) < 0i) && (rmod_9 <= 0i)))) * 3i) + (((select((rdiv_4 - 1i), rdiv_4, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_10 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_10 <= 0i)))) % 6i) + (6i & ((select((rdiv_5 - 1i), rdiv_5, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_11 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_11 <= 0i)))) % 6i)>>31u)))>>1u)) * podArgs.M) * 24i)) + ((((it * 128i) + (i32(threadIdx.y) * 16i)) + i32(threadIdx.x)) % 24i))];
} else {
        condval = 0.000000e+00f;
}
      KV[(((it * 128i) + (i32(threadIdx.y) * 16i)) + i32(threadIdx.x))] = condval;
    }
    workgroupBarrier();
    for (var c_1 : i32 = 0i; c_1 < 2i; c_1++) {
      st[3i] = 0.000000e+00f;
      for (var d_1 : i32 = 0i; d_1 < 24i; d_1++) {
        st[3i] = fma(qr[d_1], KV[(((c_1 * 384i) + (i32(threadIdx.x) * 24i)) + d_1)], st[3i]);
      }
      st[3i] = ((podArgs.cap * select(((exp((2.000000e+00f * ((st[3i] * 2.041241e-01f) / podArgs.cap))) - 1.000000e+00f) / (exp((2.000000e+00f * ((st[3i] * 2.041241e-01f) / podArgs.cap))) + 1.000000e+00f)), ((1.000000e+00f - exp((-2.000000e+00f * ((st[3i] * 2.041241e-01f) / podArgs.cap)))) / (1.000000e+00f + exp((-2.000000e+00f * ((st[3i] * 2.041241e-01f) / podArgs.cap))))), (((st[3i] * 2.041241e-01f) / podArgs.cap) >= 0.000000e+00f))) * 1.442695e+00f);
      let rmod_12 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_13 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_14 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_15 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_16 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_17 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_18 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_19 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      var condval_1 : f32;
      if ((((((((select((rmod_12 + ((podArgs.P + 7i)>>3u)), rmod_12, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_12 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_12 <= 0i)))) * 8i) + i32(threadIdx.y)) < podArgs.P) && ((((((max((((select((rmod_13 + ((podArgs.P + 7i)>>3u)), rmod_13, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_13 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_13 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u) * 32i) + (kt * 32i)) + (c_1 * 16i)) + i32(threadIdx.x)) < podArgs.M)) && (((((((max((((select((rmod_14 + ((podArgs.P + 7i)>>3u)), rmod_14, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_14 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_14 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u) * 32i) + (kt * 32i)) + (c_1 * 16i)) + i32(threadIdx.x)) <= ((select((rmod_15 + ((podArgs.P + 7i)>>3u)), rmod_15, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_15 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_15 <= 0i)))) * 8i) + i32(threadIdx.y))) || (podArgs.M <= (((select((rmod_16 + ((podArgs.P + 7i)>>3u)), rmod_16, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_16 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_16 <= 0i)))) * 8i) + i32(threadIdx.y)) + 1i)))) && (((((((max((((select((rmod_17 + ((podArgs.P + 7i)>>3u)), rmod_17, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_17 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_17 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u) * 32i) + (kt * 32i)) + (c_1 * 16i)) + i32(threadIdx.x)) < podArgs.P) || (podArgs.M <= podArgs.P))) && ((min(((select((rmod_18 + ((podArgs.P + 7i)>>3u)), rmod_18, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_18 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_18 <= 0i)))) * 8i) + i32(threadIdx.y)), (podArgs.P - 1i)) - min((((((max((((select((rmod_19 + ((podArgs.P + 7i)>>3u)), rmod_19, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_19 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_19 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u) * 32i) + (kt * 32i)) + (c_1 * 16i)) + i32(threadIdx.x)), (podArgs.M - 1i))) < podArgs.W))) {
        var condval_2 : f32;
        if ((st[3i] < -2.000000e+38f)) {
          condval_2 = -2.000000e+38f;
} else {
          condval_2 = st[3i];
}
        condval_1 = condval_2;
} else {
        condval_1 = -3.000000e+38f;
}
      S[(((i32(threadIdx.y) * 32i) + (c_1 * 16i)) + i32(threadIdx.x))] = condval_1;
    }
    workgroupBarrier();
    for (var it_1 : i32 = 0i; it_1 < 5i; it_1++) {
      let rmod_20 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_21 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_22 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_23 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_24 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_25 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      var condval_3 : f32;
      if (((((((select((rmod_20 + ((podArgs.P + 7i)>>3u)), rmod_20, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_20 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_20 <= 0i)))) * 8i) - podArgs.W) < ((((max((((select((rmod_21 + ((podArgs.P + 7i)>>3u)), rmod_21, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_21 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_21 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u) * 32i) + (kt * 32i)) + ((((it_1 * 32i) + (i32(threadIdx.y) * 4i)) + (i32(threadIdx.x)>>2u)) / 5i))) && (((((max((((select((rmod_22 + ((podArgs.P + 7i)>>3u)), rmod_22, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_22 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_22 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u) * 32i) + (kt * 32i)) + ((((it_1 * 32i) + (i32(threadIdx.y) * 4i)) + (i32(threadIdx.x)>>2u)) / 5i)) < ((select((rmod_23 + ((podArgs.P + 7i)>>3u)), rmod_23, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_23 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_23 <= 0i)))) * 8i) + 8i))) && (((((max((((select((rmod_24 + ((podArgs.P + 7i)>>3u)), rmod_24, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_24 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_24 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u) * 32i) + (kt * 32i)) + ((((it_1 * 32i) + (i32(threadIdx.y) * 4i)) + (i32(threadIdx.x)>>2u)) / 5i)) < podArgs.P)) && (((((max((((select((rmod_25 + ((podArgs.P + 7i)>>3u)), rmod_25, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_25 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_25 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u) * 32i) + (kt * 32i)) + ((((it_1 * 32i) + (i32(threadIdx.y) * 4i)) + (i32(threadIdx.x)>>2u)) / 5i)) < podArgs.M))) {
        let rmod_26 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rmod_27 : i32 = (v__1 % (((podArgs.P + 7i)>>3u) * 6i));
        let rdiv_6 : i32 = (v__1 / (((podArgs.P + 7i)>>3u) * 6i));
        let rmod_28 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_7 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        let rmod_29 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_8 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        condval_3 = V_ptr[(((min(((((max((((select((rmod_26 + ((podArgs.P + 7i)>>3u)), rmod_26, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_26 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_26 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u) * 32i) + (kt * 32i)) + ((((it_1 * 32i) + (i32(threadIdx.y) * 4i)) + (i32(threadIdx.x)>>2u)) / 5i)), (podArgs.M - 1i)) * 20i) + ((((select((rdiv_6 - 1i), rdiv_6, ((((((podArgs.P + 7i)>>3u) * 6i) >= 0i) && (rmod_27 >= 0i)) || (((((podArgs.P + 7i)>>3u) * 6i) < 0i) && (rmod_27 <= 0i)))) * 3i) + (((select((rdiv_7 - 1i), rdiv_7, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_28 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_28 <= 0i)))) % 6i) + (6i & ((select((rdiv_8 - 1i), rdiv_8, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_29 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_29 <= 0i)))) % 6i)>>31u)))>>1u)) * podArgs.M) * 20i)) + ((((it_1 * 128i) + (i32(threadIdx.y) * 16i)) + i32(threadIdx.x)) % 20i))];
} else {
        condval_3 = 0.000000e+00f;
}
      KV[(((it_1 * 128i) + (i32(threadIdx.y) * 16i)) + i32(threadIdx.x))] = condval_3;
    }
    st[3i] = st[0i];
    for (var j : i32 = 0i; j < 32i; j++) {
      st[3i] = max(st[3i], S[((i32(threadIdx.y) * 32i) + j)]);
    }
    st[2i] = exp2((st[0i] - st[3i]));
    st[0i] = st[3i];
    workgroupBarrier();
    for (var c_2 : i32 = 0i; c_2 < 2i; c_2++) {
      var condval_4 : f32;
      if ((S[(((i32(threadIdx.y) * 32i) + (c_2 * 16i)) + i32(threadIdx.x))] < -1.000000e+38f)) {
        condval_4 = 0.000000e+00f;
} else {
        condval_4 = exp2((S[(((i32(threadIdx.y) * 32i) + (c_2 * 16i)) + i32(threadIdx.x))] - st[0i]));
}
      S[(((i32(threadIdx.y) * 32i) + (c_2 * 16i)) + i32(threadIdx.x))] = condval_4;
    }
    workgroupBarrier();
    st[1i] = (st[1i] * st[2i]);
    for (var j_1 : i32 = 0i; j_1 < 32i; j_1++) {
      st[1i] = (st[1i] + S[((i32(threadIdx.y) * 32i) + j_1)]);
    }
    for (var c_3 : i32 = 0i; c_3 < 2i; c_3++) {
      acc[c_3] = (acc[c_3] * st[2i]);
      for (var j_2 : i32 = 0i; j_2 < 32i; j_2++) {
        acc[c_3] = fma(S[((i32(threadIdx.y) * 32i) + j_2)], KV[((j_2 * 20i) + min(((c_3 * 16i) + i32(threadIdx.x)), 19i))], acc[c_3]);
      }
    }
    workgroupBarrier();
  }
  for (var c_4 : i32 = 0i; c_4 < 2i; c_4++) {
    let rmod_30 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
    if ((((select((rmod_30 + ((podArgs.P + 7i)>>3u)), rmod_30, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_30 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_30 <= 0i)))) * 8i) + i32(threadIdx.y)) < podArgs.P) && (((c_4 * 4i) + (i32(threadIdx.x)>>2u)) < 5i)) {
      let rmod_31 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_32 : i32 = (v__1 % (((podArgs.P + 7i)>>3u) * 6i));
      let rdiv_9 : i32 = (v__1 / (((podArgs.P + 7i)>>3u) * 6i));
      let rmod_33 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rdiv_10 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
      let rmod_34 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rdiv_11 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
      var condval_5 : f32;
      if (((st[0i] == -3.000000e+38f) && (st[1i] == 0.000000e+00f))) {
        condval_5 = 0.000000e+00f;
} else {
        condval_5 = (acc[c_4] / st[1i]);
}
      O_ptr[(((((select((rmod_31 + ((podArgs.P + 7i)>>3u)), rmod_31, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_31 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_31 <= 0i)))) * 160i) + ((((select((rdiv_9 - 1i), rdiv_9, ((((((podArgs.P + 7i)>>3u) * 6i) >= 0i) && (rmod_32 >= 0i)) || (((((podArgs.P + 7i)>>3u) * 6i) < 0i) && (rmod_32 <= 0i)))) * 6i) + ((select((rdiv_10 - 1i), rdiv_10, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_33 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_33 <= 0i)))) % 6i) + (6i & ((select((rdiv_11 - 1i), rdiv_11, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_34 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_34 <= 0i)))) % 6i)>>31u)))) * podArgs.P) * 20i)) + (i32(threadIdx.y) * 20i)) + (c_4 * 16i)) + i32(threadIdx.x))] = condval_5;
    }
  }
}
