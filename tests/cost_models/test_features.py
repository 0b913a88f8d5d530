import math

import numpy as np
import pytest
from _data import HW

from attncc import variants
from attncc.cost_models import features as F
from attncc.cost_models.base import Candidate
from attncc.cost_models.mask_density import mask_tiles

EXT = {"b": 1, "h": 6, "g": 3, "p": 512, "m": 512, "e": 64, "f": 64}
FUSED = {
    "lowering": "fused",
    "bq": 48,
    "bk": 64,
    "rb": 4,
    "rbv": 4,
    "pv_cols": 64,
    "k_layout": "tiles",
    "parallel_over": "bhq",
    "pack_gqa": False,
    "split_kv": 1,
    "parallel": True,
    "fuse": 2,
    "unroll": 0,
}
ALWAYS_NAN_ON_CPU = {n for n in F.FEATURES if n.startswith("art_")}


def cand(name="sliding_window", config=FUSED, ext=EXT, hw=HW):
    return Candidate(variants.catalogue()[name], dict(ext), dict(config), hw)


def test_layout_is_fixed():
    assert F.LAYOUT_VERSION == 5
    assert len(F.FEATURES) == len(set(F.FEATURES)) == 81
    assert F.FEATURES[:3] == (
        "ir_log_flops_contract",
        "ir_log_flops_elementwise",
        "ir_log_flops_visible",
    )
    assert F.FEATURES[-6:] == (
        "hw_log_threads",
        "hw_vector_lanes",
        "hw_vector_registers",
        "hw_log_l1d",
        "hw_log_l2",
        "hw_log_l3",
    )


@pytest.mark.parametrize("name", ["sliding_window", "mha_causal", "document_causal", "softcap"])
def test_deterministic_and_finite(name):
    a, b = F.featurize(cand(name)), F.featurize(cand(name))
    assert a.shape == (len(F.FEATURES),) and np.array_equal(a, b, equal_nan=True)
    generic_knobs = {n for n in F.FEATURES if n.startswith("sched_generic")}
    for n, v in zip(F.FEATURES, a, strict=True):
        if n in ALWAYS_NAN_ON_CPU or n in generic_knobs:
            assert math.isnan(v), n
        elif n == "ir_mask_affine" and name == "document_causal":
            assert v == 0.0
        elif n == "sched_prepass":  # FUSED has no prepass knob: not applicable
            assert math.isnan(v), n
        else:
            assert math.isfinite(v), n


def test_generic_only_program_is_finite_where_defined():
    c = cand("split_kv", {"lowering": "generic", "parallel": True, "fuse": 2, "unroll": 4})
    x = dict(zip(F.FEATURES, F.featurize(c), strict=True))
    assert x["ir_fusable"] == 0 and x["sched_fused"] == 0 and x["sched_generic_unroll"] == 4
    assert math.isfinite(x["ir_log_flops_contract"]) and math.isnan(x["sched_bq"])


def test_knobs_and_hardware_move_features():
    base = F.featurize(cand())
    for knob, value in [("bq", 24), ("bk", 32), ("rb", 2), ("k_layout", "rows"), ("split_kv", 2)]:
        moved = F.featurize(cand(config={**FUSED, knob: value}))
        assert not np.array_equal(base, moved, equal_nan=True), knob
    other = {**HW, "embedding": {**HW["embedding"], "fma": 1.0}}
    assert F.featurize(cand(hw=other))[F.FEATURES.index("hw_probe_fma")] == 1.0
    art = Candidate(variants.catalogue()["mha"], EXT, FUSED, HW, {"registers": 30, "spills": 2})
    x = dict(zip(F.FEATURES, F.featurize(art), strict=True))
    assert x["art_registers"] == 30 and x["art_spills"] == 2


def test_mask_tiles_match_classify():
    from attncc.ir.tiles import classify

    program = variants.catalogue()["sliding_window"]
    facts = F._program(program, tuple(sorted(EXT.items())))
    bands, env = facts["bands"], {**facts["env"], facts["bands"].extent: 512}
    brute = {"empty": 0, "full": 0, "partial": 0}
    for p0 in range(0, 512, 48):
        for m0 in range(0, 512, 32):
            brute[classify(bands, p0, min(p0 + 48, 512), m0, m0 + 32, env)] += 1
    assert mask_tiles(facts, 48, 32) == (brute["empty"], brute["full"], brute["partial"])
    x = dict(zip(F.FEATURES, F.featurize(cand()), strict=True))
    assert x["tile_empty"] > 0.4 and x["tile_full"] > 0 and x["tile_partial"] > 0
    assert 0.3 < x["ir_visible_fraction"] < 0.45  # W=256 of 512 keys: ~3/8 visible


def test_featurize_many_shape():
    assert F.featurize_many([]).shape == (0, len(F.FEATURES))
    assert F.featurize_many([cand(), cand()]).shape == (2, len(F.FEATURES))


def test_vector_unit_comes_from_the_machine_description():
    """An AVX2 machine's record is featurised with 8 lanes and 16 registers wherever it is
    read (its own description, else its LLVM CPU name), never with this host's unit."""
    at = {n: i for i, n in enumerate(F.FEATURES)}
    wide = F.featurize(cand(hw={**HW, "lanes": 16, "vector_registers": 32}))
    narrow = F.featurize(cand(hw={**HW, "lanes": 8, "vector_registers": 16}))
    by_name = F.featurize(cand(hw={**HW, "mcpu": "znver3"}))
    assert wide[at["hw_vector_lanes"]] == 16 and narrow[at["hw_vector_lanes"]] == 8
    assert by_name[at["hw_vector_lanes"]] == 8 and by_name[at["hw_vector_registers"]] == 16
    for name in ("sched_regs_qk", "sched_bk_vectors", "sched_regs_qk_share"):
        assert narrow[at[name]] > wide[at[name]], name
    assert narrow[at["sched_bk_vectors"]] == FUSED["bk"] / 8


def test_parallel_over_bq_gather_and_prepass_are_seen():
    """``parallel_over="bq"`` makes one work item per query tile holding every head's state,
    ``gather_kv`` copies key tiles, ``prepass`` is a knob only where the mask needs it."""
    at = {n: i for i, n in enumerate(F.FEATURES)}
    bhq = F.featurize(cand("gqa_causal"))
    bq = F.featurize(cand("gqa_causal", {**FUSED, "parallel_over": "bq"}))
    rows = {**FUSED, "parallel_over": "bq", "k_layout": "rows"}
    gathered = F.featurize(cand("gqa_causal", {**rows, "gather_kv": True}))
    plain = F.featurize(cand("gqa_causal", rows))
    tiles_512 = math.ceil(512 / 48)
    assert bhq[at["sched_log_work_items"]] == pytest.approx(math.log2(1 + 6 * tiles_512))
    assert bq[at["sched_log_work_items"]] == pytest.approx(math.log2(1 + tiles_512))
    assert bq[at["sched_log_heads_per_item"]] == pytest.approx(math.log2(7))
    assert bq[at["sched_ws_tile_l1"]] > bhq[at["sched_ws_tile_l1"]]
    assert bq[at["sched_parallel_over_bq"]] == 1 and bhq[at["sched_parallel_over_bq"]] == 0
    assert gathered[at["sched_gather_kv"]] == 1 and plain[at["sched_gather_kv"]] == 0
    assert gathered[at["sched_log_gather_bytes"]] > 0 == plain[at["sched_log_gather_bytes"]]
    doc = {**FUSED, "prepass": False}
    assert F.featurize(cand("document_causal", doc))[at["sched_prepass"]] == 0
    assert F.featurize(cand("document_causal", {**doc, "prepass": True}))[at["sched_prepass"]] == 1


NEIGHBOURHOOD = """program neighbourhood
input Q[b, h, p, e] : f32
input K[b, g, m, e] : f32
input V[b, g, m, f] : f32
param CW : i32 = 16
param R : i32 = 1
let G = h / g
S[b, h, p, m] = sum(e) Q[b, h, p, e] * K[b, h / G, m, e] where {mask}
MX[b, h, p] = max(m) S[b, h, p, m]
E[b, h, p, m] = exp(S[b, h, p, m] - MX[b, h, p])
L[b, h, p] = sum(m) E[b, h, p, m]
O[b, h, p, f] = sum(m) E[b, h, p, m] * V[b, h / G, m, f] / L[b, h, p]
output O
""".format(mask="abs(p / CW - m / CW) <= R and abs(p % CW - m % CW) <= R")


def test_a_mask_of_indices_is_classified_pair_by_pair_where_the_bands_cannot():
    """A 2-D neighbourhood (``//`` and ``%``): the bands call every tile partial; with the
    tile pre-pass on, the features count the tiles a brute-force check finds empty / full,
    and the visible fraction is the mask's own. A mask reading a tensor stays band-based."""
    import attncc

    program = attncc.parse(NEIGHBOURHOOD)
    ext = {**EXT, "p": 200, "m": 200}
    p, m = np.arange(200)[:, None], np.arange(200)[None, :]
    visible = (np.abs(p // 16 - m // 16) <= 1) & (np.abs(p % 16 - m % 16) <= 1)
    facts = F._program(program, tuple(sorted(ext.items())))
    for bq, bk in ((48, 64), (24, 16), (7, 13)):
        brute = [0, 0, 0]
        for p0 in range(0, 200, bq):
            for m0 in range(0, 200, bk):
                tile = visible[p0 : p0 + bq, m0 : m0 + bk]
                brute[0 if not tile.any() else 1 if tile.all() else 2] += 1
        assert mask_tiles(facts, bq, bk, exact=True) == tuple(map(float, brute))
        assert mask_tiles(facts, bq, bk) != mask_tiles(facts, bq, bk, exact=True)
    cfg = {**FUSED, "prepass": True}
    at = {n: i for i, n in enumerate(F.FEATURES)}
    on = F.featurize(Candidate(program, ext, cfg, HW))
    off = F.featurize(Candidate(program, ext, {**cfg, "prepass": False}, HW))
    assert on[at["ir_visible_fraction"]] == pytest.approx(visible.mean())
    assert on[at["tile_empty"]] > 0.5 and off[at["tile_empty"]] < on[at["tile_empty"]]
    doc = F._program(variants.catalogue()["document_causal"], tuple(sorted(EXT.items())))
    assert doc["grid"] is None


def test_a_cache_length_read_from_a_tensor_counts_as_a_full_cache():
    """Paged decode's mask ``m < KVLEN[b]`` reads a tensor: its bound is taken at the key
    extent, so the tiles are those of the unmasked decode it is (not NaN, which the model
    read as a document mask and priced prefill schedules for it)."""
    paged = variants.paged(heads="gqa")
    ext = {"b": 1, "h": 6, "g": 3, "p": 1, "e": 64, "f": 64, "u": 40, "n": 16, "j": 32}
    ext["m"] = ext["j"] * ext["n"]
    at = {n: i for i, n in enumerate(F.FEATURES)}
    x = F.featurize(Candidate(paged, ext, {**FUSED, "bq": 3, "pack_gqa": True}, HW))
    assert x[at["ir_has_mask"]] == 1.0
    assert x[at["ir_visible_fraction"]] == 1.0
    assert (x[at["tile_empty"]], x[at["tile_full"]], x[at["tile_partial"]]) == (0.0, 1.0, 0.0)
    assert x[at["tile_log_computed_pairs"]] == pytest.approx(math.log2(1 + ext["m"]))


def test_the_qk_head_dim_sums_every_contraction_of_the_score():
    """MLA scores sum the latent contraction and the RoPE one; the kernel contracts both as
    one head dim (512 + 64 at DeepSeek-V3's sizes), and the model sees that width."""
    ext = {"b": 1, "h": 16, "p": 1, "m": 4096, "d": 512, "a": 64}
    at = {n: i for i, n in enumerate(F.FEATURES)}
    x = F.featurize(Candidate(variants.mla(), ext, {**FUSED, "bq": 16, "pack_gqa": True}, HW))
    assert x[at["ir_log_qk_dim"]] == pytest.approx(math.log2(1 + 512 + 64))
    assert x[at["ir_log_v_dim"]] == pytest.approx(math.log2(1 + 512))
    plain = F.featurize(cand("gqa"))
    assert plain[at["ir_log_qk_dim"]] == pytest.approx(math.log2(1 + EXT["e"]))


@pytest.mark.parametrize(
    ("p", "kind"), [(1, "decode"), (16, "decode"), (17, "prefill"), (512, "prefill")]
)
def test_workload_kind_follows_the_decode_feature(p, kind):
    c = cand("gqa_causal", ext={**EXT, "p": p})
    assert F.workload_kind(c) == kind
    assert F.featurize(c)[F.FEATURES.index("ir_decode")] == float(kind == "decode")
