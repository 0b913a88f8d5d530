import dataclasses
import json
import random
from pathlib import Path

import numpy as np
import pytest
from _data import records
from _data import variant

from attncc.cost_models import metrics
from attncc.cost_models.features import LAYOUT_VERSION
from attncc.cost_models.xgb import OBJECTIVES
from attncc.cost_models.xgb import XGBConfig
from attncc.cost_models.xgb import XGBModel
from attncc.cost_models.xgb import group_key
from attncc.cost_models.xgb import pretrained
from attncc.errors import TuningError

SMALL = XGBConfig(num_boost_round=20, num_warmup_samples=8, adapt_rounds=10, adapt_guard=False)
#: A value for every config field that differs from SMALL's.
MOVES = {
    "objective": "reg:squarederror",
    "max_depth": 2,
    "eta": 0.3,
    "num_boost_round": 40,
    "min_child_weight": 20.0,
    "subsample": 0.5,
    "colsample_bytree": 0.4,
    "reg_lambda": 50.0,
    "num_warmup_samples": 100_000,
    "adapt_rounds": 3,
    "adapt_eta": 0.5,
    "adapt_guard": True,
    "members": 3,
    "seed": 1,
}
ADAPT_FIELDS = {"adapt_rounds", "adapt_eta", "adapt_guard"}


def split(held_out=("sliding_window", "softcap")):
    recs = records()
    train = [r for r in recs if variant(r) not in held_out]
    test = [r for r in recs if variant(r) in held_out]
    return train, test


def groups(recs):
    out = {}
    for r in recs:
        out.setdefault(group_key(r.candidate), []).append(r)
    return list(out.values())


def contradicting(shots):
    """Ten records of five configs, each measured twice with opposite orders: whatever one
    half teaches, the other half refutes (the guard's two folds are alternate records)."""
    five = shots[:5]
    times = sorted(r.seconds for r in five)
    out = []
    for i, r in enumerate(five):
        out.append(dataclasses.replace(r, seconds=times[i]))
        out.append(dataclasses.replace(r, seconds=times[4 - i]))
    return out


def predictions(config, train, test, shots=()):
    model = XGBModel(config)
    model.fit(train)
    if shots:
        model._base = model._booster.save_raw("ubj")  # as if loaded: fit adapts
        model.fit(list(shots))
    return np.array(model.predict([r.candidate for r in test]))


def test_every_config_field_is_tested():
    assert set(MOVES) == {f.name for f in dataclasses.fields(XGBConfig)}


@pytest.mark.parametrize("name", sorted(MOVES))
def test_every_config_field_takes_effect(name):
    train, test = split()
    train = random.Random(0).sample(train, 160)
    shots = groups(test)[0][:10]  # ~10 measurements of one new problem
    if name == "adapt_guard":  # shots that contradict themselves: the guard refuses them
        shots = contradicting(shots)
    test = test[:40]
    moved = dataclasses.replace(SMALL, **{name: MOVES[name]})
    if name in ADAPT_FIELDS:
        a = predictions(SMALL, train, test, shots)
        b = predictions(moved, train, test, shots)
    else:
        a, b = predictions(SMALL, train, test), predictions(moved, train, test)
    assert not np.allclose(a, b), name


def test_warmup_gives_random_scores_then_trains():
    train, test = split()
    model = XGBModel(XGBConfig(num_warmup_samples=50, num_boost_round=10))
    assert not model.trained
    model.fit(train[:20])
    assert not model.trained
    s1, s2 = (
        model.predict([r.candidate for r in test[:5]]),
        model.predict([r.candidate for r in test[:5]]),
    )
    assert len(s1) == 5 and s1 != s2 and all(0 <= s < 1 for s in s1)
    model.fit(train)
    assert model.trained
    c = [r.candidate for r in test[:5]]
    assert model.predict(c) == model.predict(c)


@pytest.mark.parametrize("suffix", [".json", ".ubj"])
def test_save_load_round_trip(tmp_path, suffix):
    train, test = split()
    model = XGBModel(dataclasses.replace(SMALL, eta=0.2), info={"note": "x"})
    model.fit(train)
    path = tmp_path / f"m{suffix}"
    model.save(str(path))
    meta = json.loads((tmp_path / "m.meta.json").read_text())
    assert meta["config"]["eta"] == 0.2 and meta["layout_version"] == LAYOUT_VERSION
    loaded = XGBModel.load(str(path))
    assert loaded.config == model.config and loaded.info == {"note": "x"} and loaded.has_base
    c = [r.candidate for r in test]
    assert loaded.predict(c) == model.predict(c)


def test_layout_mismatch_and_missing_sidecar_raise(tmp_path):
    model = XGBModel(SMALL)
    model.fit(split()[0])
    model.save(str(tmp_path / "m.json"))
    meta = json.loads((tmp_path / "m.meta.json").read_text())
    meta["layout_version"] = 0
    (tmp_path / "m.meta.json").write_text(json.dumps(meta))
    with pytest.raises(TuningError, match="feature layout"):
        XGBModel.load(str(tmp_path / "m.json"))
    with pytest.raises(TuningError, match="sidecar"):
        XGBModel.load(str(tmp_path / "other.json"))
    with pytest.raises(ValueError, match="objective"):
        XGBConfig(objective="rank:ndcg_typo")


def test_an_ensemble_bags_by_group_saves_every_member_and_adapts_each(tmp_path):
    """Members train on different groups (they disagree), the score is their mean, the
    files hold every member, and a loaded ensemble continues boosting each of them."""
    train, test = split()
    config = dataclasses.replace(SMALL, members=3)
    model = XGBModel(config)
    model.fit(train)
    c = [r.candidate for r in test[:30]]
    members = model.predict_members(c)
    assert members.shape == (3, 30) and not np.allclose(members[0], members[1])
    np.testing.assert_allclose(model.predict(c), members.mean(axis=0))
    model.save(str(tmp_path / "m.json"))
    meta = json.loads((tmp_path / "m.meta.json").read_text())
    assert meta["members"] == ["m.member1.json", "m.member2.json"]
    loaded = XGBModel.load(str(tmp_path / "m.json"))
    np.testing.assert_allclose(loaded.predict_members(c), members)
    loaded.fit(test[:10])
    rounds = [b.num_boosted_rounds() for b in (loaded._booster, *loaded._others)]
    assert rounds == [SMALL.num_boost_round + SMALL.adapt_rounds] * 3
    meta["members"] = ["../m.json"]
    (tmp_path / "m.meta.json").write_text(json.dumps(meta))
    with pytest.raises(TuningError, match="member file"):
        XGBModel.load(str(tmp_path / "m.json"))


@pytest.mark.parametrize("suffix", [".json", ".ubj"])
def test_a_booster_file_changed_after_save_is_refused(tmp_path, suffix):
    """Every booster file is checked against the SHA-256 its sidecar recorded before XGBoost
    parses it: a member swapped for another model, an edited byte, or a sidecar without
    digests is refused with the file's name."""
    config = dataclasses.replace(SMALL, members=2)
    model = XGBModel(config)
    model.fit(split()[0])
    path = tmp_path / f"m{suffix}"
    model.save(str(path))
    member = tmp_path / f"m.member1{suffix}"
    assert XGBModel.load(str(path)).trained
    original = member.read_bytes()
    member.write_bytes(path.read_bytes())  # a valid booster, not the one saved there
    with pytest.raises(TuningError, match=r"m\.member1.* is not the one its sidecar"):
        XGBModel.load(str(path))
    member.write_bytes(original)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 1
    path.write_bytes(bytes(raw))
    with pytest.raises(TuningError, match="is not the one its sidecar"):
        XGBModel.load(str(path))
    meta_path = tmp_path / "m.meta.json"
    meta = json.loads(meta_path.read_text())
    del meta["sha256"]
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(TuningError, match="records no SHA-256"):
        XGBModel.load(str(path))


def test_fit_on_a_loaded_model_adapts_from_its_base(tmp_path):
    train, test = split()
    model = XGBModel(SMALL)
    model.fit(train)
    model.save(str(tmp_path / "m.json"))
    loaded = XGBModel.load(str(tmp_path / "m.json"))
    before = loaded.predict([r.candidate for r in test])
    loaded.fit(test[:10])  # ~10 new measurements: continued boosting, never from scratch
    after = loaded.predict([r.candidate for r in test])
    assert before != after and loaded.trained
    assert loaded._booster.num_boosted_rounds() == SMALL.num_boost_round + SMALL.adapt_rounds


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_held_out_variants_rank_better_than_random(objective):
    train, test = split()
    model = XGBModel(XGBConfig(objective=objective, num_boost_round=100))
    model.fit(train)
    pairs = [
        (model.predict([r.candidate for r in g]), [r.seconds for r in g]) for g in groups(test)
    ]
    got = metrics.evaluate(pairs)
    rng = np.random.default_rng(0)
    rand = [metrics.evaluate([(rng.random(len(s)), s) for _, s in pairs]) for _ in range(20)]
    assert got["spearman"] > 0.2 > np.mean([r["spearman"] for r in rand])
    assert got["pairwise"] > np.mean([r["pairwise"] for r in rand]) + 0.08


def test_shipped_model_loads_and_ranks_the_stored_data():
    """The shipped model ranks the data it was trained on (bench/data/cpu/, every machine):
    a check that the file, its layout and the machine descriptions fit together; held-out
    quality is bench/eval_cost_model.py's job."""
    from attncc.cost_models.dataset import load_dataset

    model = pretrained("cpu")
    assert model.trained and model.info["records"] >= 1000 and len(model.info["machines"]) >= 2
    assert model.info["keep_default_margin"] >= 0
    data = Path(__file__).resolve().parents[2] / "bench" / "data" / "cpu"
    ds = load_dataset([data], include_stale=True)
    some = [g for g in groups(ds.records) if variant(g[0]) in {"mha_causal", "gqa", "alibi"}]
    assert len({g[0].candidate.hardware["isa"] for g in some}) >= 2
    pairs = [(model.predict([r.candidate for r in g]), [r.seconds for r in g]) for g in some]
    got = metrics.evaluate(pairs)
    assert got["spearman"] > 0.5 and got["pairwise"] > 0.7
