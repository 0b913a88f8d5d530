//// attncc kernel: fused_int8_kv_kernel
@group(0) @binding(0) var<storage, read> KQ_ptr : array<i32>;
@group(0) @binding(1) var<storage, read> KS_ptr : array<f32>;
@group(0) @binding(2) var<storage, read_write> O_ptr : array<f32>;
@group(0) @binding(3) var<storage, read> Q_ptr : array<f32>;
@group(0) @binding(4) var<storage, read> VQ_ptr : array<i32>;
@group(0) @binding(5) var<storage, read> VS_ptr : array<f32>;

struct PODArgs {
  M: i32,
  P: i32,
  packGridDimX: u32
}
@group(0) @binding(6) var<uniform> podArgs : PODArgs;

var<workgroup> KV : array<f32, 768>;
var<workgroup> S : array<f32, 256>;
@compute @workgroup_size(16, 8, 1)
fn fused_int8_kv_kernel(
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
  for (var kt : i32 = 0i; kt < ((podArgs.M + 31i)>>5u); kt++) {
    for (var it : i32 = 0i; it < 6i; it++) {
      var condval : f32;
      if ((((kt * 32i) + ((((it * 16i) + (i32(threadIdx.y) * 2i)) + (i32(threadIdx.x)>>3u)) / 3i)) < podArgs.M)) {
        let rmod_4 : i32 = (v__1 % (((podArgs.P + 7i)>>3u) * 6i));
        let rdiv_3 : i32 = (v__1 / (((podArgs.P + 7i)>>3u) * 6i));
        let rmod_5 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_4 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        let rmod_6 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_5 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        let rmod_7 : i32 = (v__1 % (((podArgs.P + 7i)>>3u) * 6i));
        let rdiv_6 : i32 = (v__1 / (((podArgs.P + 7i)>>3u) * 6i));
        let rmod_8 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_7 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        let rmod_9 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_8 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        condval = (f32(KQ_ptr[(((min(((kt * 32i) + ((((it * 16i) + (i32(threadIdx.y) * 2i)) + (i32(threadIdx.x)>>3u)) / 3i)), (podArgs.M - 1i)) * 24i) + ((((select((rdiv_3 - 1i), rdiv_3, ((((((podArgs.P + 7i)>>3u) * 6i) >= 0i) && (rmod_4 >= 0i)) || (((((podArgs.P + 7i)>>3u) * 6i) < 0i) && (rmod_4 <= 0i)))) * 3i) + (((select((rdiv_4 - 1i), rdiv_4, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_5 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_5 <= 0i)))) % 6i) + (6i & ((select((rdiv_5 - 1i), rdiv_5, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_6 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_6 <= 0i)))) % 6i)>>31u)))>>1u)) * podArgs.M) * 24i)) + ((((it * 128i) + (i32(threadIdx.y) * 16i)) + i32(threadIdx.x)) % 24i))]) * KS_ptr[(min(((kt * 32i) + ((((it * 16i) + (i32(threadIdx.y) * 2i)) + (i32(threadIdx.x)>>3u)) / 3i)), (podArgs.M - 1i)) + (((select((rdiv_6 - 1i), rdiv_6, ((((((podArgs.P + 7i)>>3u) * 6i) >= 0i) && (rmod_7 >= 0i)) || (((((podArgs.P + 7i)>>3u) * 6i) < 0i) && (rmod_7 <= 0i)))) * 3i) + (((select((rdiv_7 - 1i), rdiv_7, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_8 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_8 <= 0i)))) % 6i) + (6i & ((select((rdiv_8 - 1i), rdiv_8, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_9 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_9 <= 0i)))) % 6i)>>31u)))>>1u)) * podArgs.M))]);
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
      let rmod_10 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      var condval_1 : f32;
      if (((((select((rmod_10 + ((podArgs.P + 7i)>>3u)), rmod_10, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_10 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_10 <= 0i)))) * 8i) + i32(threadIdx.y)) < podArgs.P) && ((((kt * 32i) + (c_1 * 16i)) + i32(threadIdx.x)) < podArgs.M))) {
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
      var condval_3 : f32;
      if ((((kt * 32i) + ((((it_1 * 32i) + (i32(threadIdx.y) * 4i)) + (i32(threadIdx.x)>>2u)) / 5i)) < podArgs.M)) {
        let rmod_11 : i32 = (v__1 % (((podArgs.P + 7i)>>3u) * 6i));
        let rdiv_9 : i32 = (v__1 / (((podArgs.P + 7i)>>3u) * 6i));
        let rmod_12 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_10 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        let rmod_13 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_11 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        let rmod_14 : i32 = (v__1 % (((podArgs.P + 7i)>>3u) * 6i));
        let rdiv_12 : i32 = (v__1 / (((podArgs.P + 7i)>>3u) * 6i));
        let rmod_15 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_13 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        let rmod_16 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
        let rdiv_14 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
        condval_3 = (f32(VQ_ptr[(((min(((kt * 32i) + ((((it_1 * 32i) + (i32(threadIdx.y) * 4i)) + (i32(threadIdx.x)>>2u)) / 5i)), (podArgs.M - 1i)) * 20i) + ((((select((rdiv_9 - 1i), rdiv_9, ((((((podArgs.P + 7i)>>3u) * 6i) >= 0i) && (rmod_11 >= 0i)) || (((((podArgs.P + 7i)>>3u) * 6i) < 0i) && (rmod_11 <= 0i)))) * 3i) + (((select((rdiv_10 - 1i), rdiv_10, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_12 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_12 <= 0i)))) % 6i) + (6i & ((select((rdiv_11 - 1i), rdiv_11, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_13 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_13 <= 0i)))) % 6i)>>31u)))>>1u)) * podArgs.M) * 20i)) + ((((it_1 * 128i) + (i32(threadIdx.y) * 16i)) + i32(threadIdx.x)) % 20i))]) * VS_ptr[(min(((kt * 32i) + ((((it_1 * 32i) + (i32(threadIdx.y) * 4i)) + (i32(threadIdx.x)>>2u)) / 5i)), (podArgs.M - 1i)) + (((select((rdiv_12 - 1i), rdiv_12, ((((((podArgs.P + 7i)>>3u) * 6i) >= 0i) && (rmod_14 >= 0i)) || (((((podArgs.P + 7i)>>3u) * 6i) < 0i) && (rmod_14 <= 0i)))) * 3i) + (((select((rdiv_13 - 1i), rdiv_13, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_15 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_15 <= 0i)))) % 6i) + (6i & ((select((rdiv_14 - 1i), rdiv_14, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_16 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_16 <= 0i)))) % 6i)>>31u)))>>1u)) * podArgs.M))]);
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
    let rmod_17 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
    if ((((select((rmod_17 + ((podArgs.P + 7i)>>3u)), rmod_17, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_17 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_17 <= 0i)))) * 8i) + i32(threadIdx.y)) < podArgs.P) && (((c_4 * 4i) + (i32(threadIdx.x)>>2u)) < 5i)) {
      let rmod_18 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rmod_19 : i32 = (v__1 % ((podArgs.P + 7i)>>3u));
      let rdiv_15 : i32 = (v__1 / ((podArgs.P + 7i)>>3u));
      var condval_5 : f32;
      if (((st[0i] == -3.000000e+38f) && (st[1i] == 0.000000e+00f))) {
        condval_5 = 0.000000e+00f;
} else {
        condval_5 = (acc[c_4] / st[1i]);
}
      O_ptr[(((((select((rmod_18 + ((podArgs.P + 7i)>>3u)), rmod_18, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_18 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_18 <= 0i)))) * 160i) + (i32(threadIdx.y) * 20i)) + ((select((rdiv_15 - 1i), rdiv_15, (((((podArgs.P + 7i)>>3u) >= 0i) && (rmod_19 >= 0i)) || ((((podArgs.P + 7i)>>3u) < 0i) && (rmod_19 <= 0i)))) * podArgs.P) * 20i)) + (c_4 * 16i)) + i32(threadIdx.x))] = condval_5;
    }
  }
}
