//// attncc kernel: fused_sinks_window_kernel
@group(0) @binding(0) var<storage, read> K_ptr : array<f32>;
@group(0) @binding(1) var<storage, read_write> O_ptr : array<f32>;
@group(0) @binding(2) var<storage, read> Q_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> V_ptr : array<f32>;

struct PODArgs {
  M: i32,
  P: i32,
  SINKS: i32,
  W: i32,
  packGridDimX: u32
}
@group(0) @binding(4) var<uniform> podArgs : PODArgs;

var<workgroup> KV : array<f32, 768>;
var<workgroup> S : array<f32, 256>;
@compute @workgroup_size(16, 8, 1)
fn fused_sinks_window_kernel(
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
  for (var kt : i32 = 0i; kt < max(((min(min(min(((select((rmod_4 + ((podArgs.P + 7i)>>3u)), rmod_4, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_4 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_4 <= 0i)))) * 8i) + 8i), podArgs.P), podArgs.SINKS), podArgs.M) + 31i) / 32i), 0i); kt++) {
    for (var it : i32 = 0i; it < 6i; it++) {
      var condval : f32;
      if ((((kt * 32i) + ((((it * 16i) + (i32(threadIdx.y) * 2i)) + (i32(threadIdx.x)>>3u)) / 3i)) < podArgs.M)) {
        let rmod_5 : i32 = (v__1 % (((podArgs.P + 7i)>>3u) * 6i));
        let rdiv_3 : i32 = (v__1 / (((podArgs.P + 7i)>>3u) * 6i));
        let rmod_6 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_4 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        let rmod_7 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_5 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        condval = K_ptr[(((min(((kt * 32i) + ((((it * 16i) + (i32(threadIdx.y) * 2i)) + (i32(threadIdx.x)>>3u)) / 3i)), (podArgs.M - 1i)) * 24i) + ((((select((rdiv_3 - 1i), rdiv_3, ((((((podArgs.P + 7i)>>3u) * 6i) >= 0i) && (rmod_5 >= 0i)) || (((((podArgs.P + 7i)>>3u) * 6i) < 0i) && (rmod_5 <= 0i)))) * 3i) + (((select((rdiv_4 - 1i), rdiv_4, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_6 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_6 <= 0i)))) % 6i) + (6i & ((select((rdiv_5 - 1i), rdiv_5, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_7 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_7 <= 0i)))) % 6i)>>31u)))>>1u)) * podArgs.M) * 24i)) + ((((it * 128i) + (i32(threadIdx.y) * 16i)) + i32(threadIdx.x)) % 24i))];
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
      st[3i] = ((st[3i] * 2.041241e-01f) * 1.442695e+00f);
      let rmod_8 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_9 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_10 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_11 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      var condval_1 : f32;
      if ((((((((select((rmod_8 + ((podArgs.P + 7i)>>3u)), rmod_8, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_8 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_8 <= 0i)))) * 8i) + i32(threadIdx.y)) < podArgs.P) && ((((kt * 32i) + (c_1 * 16i)) + i32(threadIdx.x)) < podArgs.M)) && (((((kt * 32i) + (c_1 * 16i)) + i32(threadIdx.x)) <= ((select((rmod_9 + ((podArgs.P + 7i)>>3u)), rmod_9, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_9 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_9 <= 0i)))) * 8i) + i32(threadIdx.y))) || (podArgs.M <= (((select((rmod_10 + ((podArgs.P + 7i)>>3u)), rmod_10, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_10 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_10 <= 0i)))) * 8i) + i32(threadIdx.y)) + 1i)))) && (((((kt * 32i) + (c_1 * 16i)) + i32(threadIdx.x)) < podArgs.P) || (podArgs.M <= podArgs.P))) && ((((((kt * 32i) + (c_1 * 16i)) + i32(threadIdx.x)) < podArgs.SINKS) || (podArgs.M <= podArgs.SINKS)) || ((min(((select((rmod_11 + ((podArgs.P + 7i)>>3u)), rmod_11, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_11 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_11 <= 0i)))) * 8i) + i32(threadIdx.y)), (podArgs.P - 1i)) - min((((kt * 32i) + (c_1 * 16i)) + i32(threadIdx.x)), (podArgs.M - 1i))) < podArgs.W)))) {
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
      let rmod_12 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      var condval_3 : f32;
      if ((((((kt * 32i) + ((((it_1 * 32i) + (i32(threadIdx.y) * 4i)) + (i32(threadIdx.x)>>2u)) / 5i)) < ((select((rmod_12 + ((podArgs.P + 7i)>>3u)), rmod_12, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_12 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_12 <= 0i)))) * 8i) + 8i)) && (((kt * 32i) + ((((it_1 * 32i) + (i32(threadIdx.y) * 4i)) + (i32(threadIdx.x)>>2u)) / 5i)) < podArgs.P)) && (((kt * 32i) + ((((it_1 * 32i) + (i32(threadIdx.y) * 4i)) + (i32(threadIdx.x)>>2u)) / 5i)) < podArgs.M))) {
        let rmod_13 : i32 = (v__1 % (((podArgs.P + 7i)>>3u) * 6i));
        let rdiv_6 : i32 = (v__1 / (((podArgs.P + 7i)>>3u) * 6i));
        let rmod_14 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_7 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        let rmod_15 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_8 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        condval_3 = V_ptr[(((min(((kt * 32i) + ((((it_1 * 32i) + (i32(threadIdx.y) * 4i)) + (i32(threadIdx.x)>>2u)) / 5i)), (podArgs.M - 1i)) * 20i) + ((((select((rdiv_6 - 1i), rdiv_6, ((((((podArgs.P + 7i)>>3u) * 6i) >= 0i) && (rmod_13 >= 0i)) || (((((podArgs.P + 7i)>>3u) * 6i) < 0i) && (rmod_13 <= 0i)))) * 3i) + (((select((rdiv_7 - 1i), rdiv_7, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_14 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_14 <= 0i)))) % 6i) + (6i & ((select((rdiv_8 - 1i), rdiv_8, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_15 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_15 <= 0i)))) % 6i)>>31u)))>>1u)) * podArgs.M) * 20i)) + ((((it_1 * 128i) + (i32(threadIdx.y) * 16i)) + i32(threadIdx.x)) % 20i))];
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
  let rmod_16 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
  let rmod_17 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
  let rmod_18 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
  for (var kt_1 : i32 = 0i; kt_1 < max((((min(min(((select((rmod_16 + ((podArgs.P + 7i)>>3u)), rmod_16, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_16 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_16 <= 0i)))) * 8i) + 8i), podArgs.P), podArgs.M) + 31i)>>5u) - max((max((((select((rmod_17 + ((podArgs.P + 7i)>>3u)), rmod_17, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_17 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_17 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u), max(((min(min(min(((select((rmod_18 + ((podArgs.P + 7i)>>3u)), rmod_18, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_18 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_18 <= 0i)))) * 8i) + 8i), podArgs.P), podArgs.SINKS), podArgs.M) + 31i) / 32i), 0i))), 0i); kt_1++) {
    for (var it_2 : i32 = 0i; it_2 < 6i; it_2++) {
      let rmod_19 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_20 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      var condval_5 : f32;
      if (((((max((max((((select((rmod_19 + ((podArgs.P + 7i)>>3u)), rmod_19, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_19 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_19 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u), max(((min(min(min(((select((rmod_20 + ((podArgs.P + 7i)>>3u)), rmod_20, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_20 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_20 <= 0i)))) * 8i) + 8i), podArgs.P), podArgs.SINKS), podArgs.M) + 31i) / 32i), 0i)) * 32i) + (kt_1 * 32i)) + ((((it_2 * 16i) + (i32(threadIdx.y) * 2i)) + (i32(threadIdx.x)>>3u)) / 3i)) < podArgs.M)) {
        let rmod_21 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rmod_22 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rmod_23 : i32 = (v__1 % (((podArgs.P + 7i)>>3u) * 6i));
        let rdiv_9 : i32 = (v__1 / (((podArgs.P + 7i)>>3u) * 6i));
        let rmod_24 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_10 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        let rmod_25 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_11 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        condval_5 = K_ptr[(((min((((max((max((((select((rmod_21 + ((podArgs.P + 7i)>>3u)), rmod_21, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_21 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_21 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u), max(((min(min(min(((select((rmod_22 + ((podArgs.P + 7i)>>3u)), rmod_22, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_22 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_22 <= 0i)))) * 8i) + 8i), podArgs.P), podArgs.SINKS), podArgs.M) + 31i) / 32i), 0i)) * 32i) + (kt_1 * 32i)) + ((((it_2 * 16i) + (i32(threadIdx.y) * 2i)) + (i32(threadIdx.x)>>3u)) / 3i)), (podArgs.M - 1i)) * 24i) + ((((select((rdiv_9 - 1i), rdiv_9, ((((((podArgs.P + 7i)>>3u) * 6i) >= 0i) && (rmod_23 >= 0i)) || (((((podArgs.P + 7i)>>3u) * 6i) < 0i) && (rmod_23 <= 0i)))) * 3i) + (((select((rdiv_10 - 1i), rdiv_10, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_24 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_24 <= 0i)))) % 6i) + (6i & ((select((rdiv_11 - 1i), rdiv_11, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_25 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_25 <= 0i)))) % 6i)>>31u)))>>1u)) * podArgs.M) * 24i)) + ((((it_2 * 128i) + (i32(threadIdx.y) * 16i)) + i32(threadIdx.x)) % 24i))];
} else {
        condval_5 = 0.000000e+00f;
}
      KV[(((it_2 * 128i) + (i32(threadIdx.y) * 16i)) + i32(threadIdx.x))] = condval_5;
    }
    workgroupBarrier();
    for (var c_4 : i32 = 0i; c_4 < 2i; c_4++) {
      st[3i] = 0.000000e+00f;
      for (var d_2 : i32 = 0i; d_2 < 24i; d_2++) {
        st[3i] = fma(qr[d_2], KV[(((c_4 * 384i) + (i32(threadIdx.x) * 24i)) + d_2)], st[3i]);
      }
      st[3i] = ((st[3i] * 2.041241e-01f) * 1.442695e+00f);
      let rmod_26 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_27 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_28 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_29 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_30 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_31 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_32 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_33 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_34 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_35 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_36 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_37 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_38 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_39 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      var condval_6 : f32;
      if ((((((((select((rmod_26 + ((podArgs.P + 7i)>>3u)), rmod_26, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_26 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_26 <= 0i)))) * 8i) + i32(threadIdx.y)) < podArgs.P) && (((((max((max((((select((rmod_27 + ((podArgs.P + 7i)>>3u)), rmod_27, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_27 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_27 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u), max(((min(min(min(((select((rmod_28 + ((podArgs.P + 7i)>>3u)), rmod_28, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_28 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_28 <= 0i)))) * 8i) + 8i), podArgs.P), podArgs.SINKS), podArgs.M) + 31i) / 32i), 0i)) * 32i) + (kt_1 * 32i)) + (c_4 * 16i)) + i32(threadIdx.x)) < podArgs.M)) && ((((((max((max((((select((rmod_29 + ((podArgs.P + 7i)>>3u)), rmod_29, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_29 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_29 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u), max(((min(min(min(((select((rmod_30 + ((podArgs.P + 7i)>>3u)), rmod_30, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_30 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_30 <= 0i)))) * 8i) + 8i), podArgs.P), podArgs.SINKS), podArgs.M) + 31i) / 32i), 0i)) * 32i) + (kt_1 * 32i)) + (c_4 * 16i)) + i32(threadIdx.x)) <= ((select((rmod_31 + ((podArgs.P + 7i)>>3u)), rmod_31, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_31 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_31 <= 0i)))) * 8i) + i32(threadIdx.y))) || (podArgs.M <= (((select((rmod_32 + ((podArgs.P + 7i)>>3u)), rmod_32, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_32 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_32 <= 0i)))) * 8i) + i32(threadIdx.y)) + 1i)))) && ((((((max((max((((select((rmod_33 + ((podArgs.P + 7i)>>3u)), rmod_33, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_33 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_33 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u), max(((min(min(min(((select((rmod_34 + ((podArgs.P + 7i)>>3u)), rmod_34, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_34 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_34 <= 0i)))) * 8i) + 8i), podArgs.P), podArgs.SINKS), podArgs.M) + 31i) / 32i), 0i)) * 32i) + (kt_1 * 32i)) + (c_4 * 16i)) + i32(threadIdx.x)) < podArgs.P) || (podArgs.M <= podArgs.P))) && (((((((max((max((((select((rmod_35 + ((podArgs.P + 7i)>>3u)), rmod_35, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_35 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_35 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u), max(((min(min(min(((select((rmod_36 + ((podArgs.P + 7i)>>3u)), rmod_36, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_36 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_36 <= 0i)))) * 8i) + 8i), podArgs.P), podArgs.SINKS), podArgs.M) + 31i) / 32i), 0i)) * 32i) + (kt_1 * 32i)) + (c_4 * 16i)) + i32(threadIdx.x)) < podArgs.SINKS) || (podArgs.M <= podArgs.SINKS)) || ((min(((select((rmod_37 + ((podArgs.P + 7i)>>3u)), rmod_37, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_37 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_37 <= 0i)))) * 8i) + i32(threadIdx.y)), (podArgs.P - 1i)) - min(((((max((max((((select((rmod_38 + ((podArgs.P + 7i)>>3u)), rmod_38, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_38 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_38 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u), max(((min(min(min(((select((rmod_39 + ((podArgs.P + 7i)>>3u)), rmod_39, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_39 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_39 <= 0i)))) * 8i) + 8i), podArgs.P), podArgs.SINKS), podArgs.M) + 31i) / 32i), 0i)) * 32i) + (kt_1 * 32i)) + (c_4 * 16i)) + i32(threadIdx.x)), (podArgs.M - 1i))) < podArgs.W)))) {
        var condval_7 : f32;
        if ((st[3i] < -2.000000e+38f)) {
          condval_7 = -2.000000e+38f;
} else {
          condval_7 = st[3i];
}
        condval_6 = condval_7;
} else {
        condval_6 = -3.000000e+38f;
}
      S[(((i32(threadIdx.y) * 32i) + (c_4 * 16i)) + i32(threadIdx.x))] = condval_6;
    }
    workgroupBarrier();
    for (var it_3 : i32 = 0i; it_3 < 5i; it_3++) {
      let rmod_40 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_41 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_42 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_43 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_44 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_45 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_46 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      var condval_8 : f32;
      if (((((((max((max((((select((rmod_40 + ((podArgs.P + 7i)>>3u)), rmod_40, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_40 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_40 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u), max(((min(min(min(((select((rmod_41 + ((podArgs.P + 7i)>>3u)), rmod_41, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_41 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_41 <= 0i)))) * 8i) + 8i), podArgs.P), podArgs.SINKS), podArgs.M) + 31i) / 32i), 0i)) * 32i) + (kt_1 * 32i)) + ((((it_3 * 32i) + (i32(threadIdx.y) * 4i)) + (i32(threadIdx.x)>>2u)) / 5i)) < ((select((rmod_42 + ((podArgs.P + 7i)>>3u)), rmod_42, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_42 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_42 <= 0i)))) * 8i) + 8i)) && ((((max((max((((select((rmod_43 + ((podArgs.P + 7i)>>3u)), rmod_43, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_43 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_43 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u), max(((min(min(min(((select((rmod_44 + ((podArgs.P + 7i)>>3u)), rmod_44, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_44 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_44 <= 0i)))) * 8i) + 8i), podArgs.P), podArgs.SINKS), podArgs.M) + 31i) / 32i), 0i)) * 32i) + (kt_1 * 32i)) + ((((it_3 * 32i) + (i32(threadIdx.y) * 4i)) + (i32(threadIdx.x)>>2u)) / 5i)) < podArgs.P)) && ((((max((max((((select((rmod_45 + ((podArgs.P + 7i)>>3u)), rmod_45, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_45 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_45 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u), max(((min(min(min(((select((rmod_46 + ((podArgs.P + 7i)>>3u)), rmod_46, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_46 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_46 <= 0i)))) * 8i) + 8i), podArgs.P), podArgs.SINKS), podArgs.M) + 31i) / 32i), 0i)) * 32i) + (kt_1 * 32i)) + ((((it_3 * 32i) + (i32(threadIdx.y) * 4i)) + (i32(threadIdx.x)>>2u)) / 5i)) < podArgs.M))) {
        let rmod_47 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rmod_48 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rmod_49 : i32 = (v__1 % (((podArgs.P + 7i)>>3u) * 6i));
        let rdiv_12 : i32 = (v__1 / (((podArgs.P + 7i)>>3u) * 6i));
        let rmod_50 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_13 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        let rmod_51 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_14 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        condval_8 = V_ptr[(((min((((max((max((((select((rmod_47 + ((podArgs.P + 7i)>>3u)), rmod_47, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_47 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_47 <= 0i)))) * 8i) + 1i) - podArgs.W), 0i)>>5u), max(((min(min(min(((select((rmod_48 + ((podArgs.P + 7i)>>3u)), rmod_48, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_48 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_48 <= 0i)))) * 8i) + 8i), podArgs.P), podArgs.SINKS), podArgs.M) + 31i) / 32i), 0i)) * 32i) + (kt_1 * 32i)) + ((((it_3 * 32i) + (i32(threadIdx.y) * 4i)) + (i32(threadIdx.x)>>2u)) / 5i)), (podArgs.M - 1i)) * 20i) + ((((select((rdiv_12 - 1i), rdiv_12, ((((((podArgs.P + 7i)>>3u) * 6i) >= 0i) && (rmod_49 >= 0i)) || (((((podArgs.P + 7i)>>3u) * 6i) < 0i) && (rmod_49 <= 0i)))) * 3i) + (((select((rdiv_13 - 1i), rdiv_13, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_50 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_50 <= 0i)))) % 6i) + (6i & ((select((rdiv_14 - 1i), rdiv_14, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_51 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_51 <= 0i)))) % 6i)>>31u)))>>1u)) * podArgs.M) * 20i)) + ((((it_3 * 128i) + (i32(threadIdx.y) * 16i)) + i32(threadIdx.x)) % 20i))];
} else {
        condval_8 = 0.000000e+00f;
}
      KV[(((it_3 * 128i) + (i32(threadIdx.y) * 16i)) + i32(threadIdx.x))] = condval_8;
    }
    st[3i] = st[0i];
    for (var j_3 : i32 = 0i; j_3 < 32i; j_3++) {
      st[3i] = max(st[3i], S[((i32(threadIdx.y) * 32i) + j_3)]);
    }
    st[2i] = exp2((st[0i] - st[3i]));
    st[0i] = st[3i];
    workgroupBarrier();
    for (var c_5 : i32 = 0i; c_5 < 2i; c_5++) {
      var condval_9 : f32;
      if ((S[(((i32(threadIdx.y) * 32i) + (c_5 * 16i)) + i32(threadIdx.x))] < -1.000000e+38f)) {
        condval_9 = 0.000000e+00f;
} else {
        condval_9 = exp2((S[(((i32(threadIdx.y) * 32i) + (c_5 * 16i)) + i32(threadIdx.x))] - st[0i]));
}
      S[(((i32(threadIdx.y) * 32i) + (c_5 * 16i)) + i32(threadIdx.x))] = condval_9;
    }
    workgroupBarrier();
    st[1i] = (st[1i] * st[2i]);
    for (var j_4 : i32 = 0i; j_4 < 32i; j_4++) {
      st[1i] = (st[1i] + S[((i32(threadIdx.y) * 32i) + j_4)]);
    }
    for (var c_6 : i32 = 0i; c_6 < 2i; c_6++) {
      acc[c_6] = (acc[c_6] * st[2i]);
      for (var j_5 : i32 = 0i; j_5 < 32i; j_5++) {
        acc[c_6] = fma(S[((i32(threadIdx.y) * 32i) + j_5)], KV[((j_5 * 20i) + min(((c_6 * 16i) + i32(threadIdx.x)), 19i))], acc[c_6]);
      }
    }
    workgroupBarrier();
  }
  for (var c_7 : i32 = 0i; c_7 < 2i; c_7++) {
    let rmod_52 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
    if ((((select((rmod_52 + ((podArgs.P + 7i)>>3u)), rmod_52, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_52 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_52 <= 0i)))) * 8i) + i32(threadIdx.y)) < podArgs.P) && (((c_7 * 4i) + (i32(threadIdx.x)>>2u)) < 5i)) {
      let rmod_53 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_54 : i32 = (v__1 % (((podArgs.P + 7i)>>3u) * 6i));
      let rdiv_15 : i32 = (v__1 / (((podArgs.P + 7i)>>3u) * 6i));
      let rmod_55 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rdiv_16 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
      let rmod_56 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rdiv_17 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
      var condval_10 : f32;
      if (((st[0i] == -3.000000e+38f) && (st[1i] == 0.000000e+00f))) {
        condval_10 = 0.000000e+00f;
} else {
        condval_10 = (acc[c_7] / st[1i]);
}
      O_ptr[(((((select((rmod_53 + ((podArgs.P + 7i)>>3u)), rmod_53, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_53 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_53 <= 0i)))) * 160i) + ((((select((rdiv_15 - 1i), rdiv_15, ((((((podArgs.P + 7i)>>3u) * 6i) >= 0i) && (rmod_54 >= 0i)) || (((((podArgs.P + 7i)>>3u) * 6i) < 0i) && (rmod_54 <= 0i)))) * 6i) + ((select((rdiv_16 - 1i), rdiv_16, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_55 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_55 <= 0i)))) % 6i) + (6i & ((select((rdiv_17 - 1i), rdiv_17, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_56 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_56 <= 0i)))) % 6i)>>31u)))) * podArgs.P) * 20i)) + (i32(threadIdx.y) * 20i)) + (c_7 * 16i)) + i32(threadIdx.x))] = condval_10;
    }
  }
}
