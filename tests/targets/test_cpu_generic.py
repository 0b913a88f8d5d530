"""The generic CPU lowering against the reference interpreter, on every catalogue variant.

Inputs come from the torch cases of ``tests/variants/test_variants.py`` (page tables, segment
ids, int8 caches, ...), built for odd extents (p=37, m=53, e=24, f=20). Builds are shared
through a module-level cache: each takes 0.1-0.6 s of LLVM time on two cores, and one
symbolic build per variant serves every sequence length below.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from dataclasses import replace

import numpy as np
import pytest

tvm = pytest.importorskip("tvm")

from attncc import variants  # noqa: E402
from attncc.errors import ArgumentError  # noqa: E402
from attncc.errors import ShapeError  # noqa: E402
from attncc.ir.bind import bind  # noqa: E402
from attncc.ir.interpreter import interpret  # noqa: E402
from attncc.ir.parser import parse  # noqa: E402
from attncc.lowering.liveness import live_statements  # noqa: E402
from attncc.lowering.liveness import presence  # noqa: E402
from attncc.targets.cpu.host import configure_threads  # noqa: E402
from attncc.targets.cpu.host import host_cpu  # noqa: E402
from attncc.targets.tvm.generic import GenericConfig  # noqa: E402
from attncc.targets.tvm.generic import lower_generic  # noqa: E402
from tests.targets.generic_kernel import GenericKernel  # noqa: E402
from tests.targets.generic_kernel import build_generic  # noqa: E402
from tests.targets.generic_kernel import run_generic  # noqa: E402
from tests.variants.cases import CASES  # noqa: E402 -- after the TVM skip

TOL = 1e-4  # max |err| relative to max(1, max |reference|)


NAMES = sorted(variants.CATALOGUE)


@dataclass(frozen=True)
class Shape:
    """The fields the variant cases read; ``h`` and ``g`` are free (GQA groups h / g)."""

    heads: str = "gqa"
    b: int = 2
    p: int = 37
    m: int = 53
    e: int = 24
    f: int = 20
    h: int = 6
    g: int = 3


WIDE = Shape()
DECODE = Shape(p=1, m=29)  # a length-1 query against another key length
SHORT_KEYS = Shape(p=37, m=20)  # with a causal offset, the first 17 query rows see no key
HEADS = {"mha": (3, 3), "gqa": (6, 3), "mqa": (5, 1)}
# ranks that keep their extent in a "symbolic" build (heads and head dims)
FIXED = frozenset("bhgefda")

_BUILDS: dict[tuple, GenericKernel] = {}
COMPILE_SECONDS: list[tuple[str, float]] = []


def kernel(program, extents, config: GenericConfig | None = None) -> GenericKernel:
    key = (program.text, tuple(sorted(extents.items())), config)
    if key not in _BUILDS:
        t0 = time.perf_counter()
        _BUILDS[key] = build_generic(lower_generic(program, extents, config=config))
        COMPILE_SECONDS.append((program.name, time.perf_counter() - t0))
    return _BUILDS[key]


def case(name: str, shape: Shape, seed: int = 0):
    """(program, arguments) of a catalogue variant at ``shape``."""
    heads = name.split("_")[0] if name.split("_")[0] in HEADS else shape.heads
    if heads != shape.heads:
        h, g = HEADS[heads]
        shape = replace(shape, heads=heads, h=h, g=g)
    program, kwargs, _ = CASES[name](np.random.default_rng(seed), shape, name=name)
    return program, kwargs


def extents_of(program, kwargs, symbolic=frozenset()) -> dict:
    params = {p.name for p in program.params}
    shapes = {k: np.shape(v) for k, v in kwargs.items() if k not in params}
    values = {k: v for k, v in kwargs.items() if k in params}
    ext = dict(bind(program, shapes=shapes, params=values).extents)
    return {r: (None if r in symbolic else n) for r, n in ext.items()}


def check(program, kwargs, kern: GenericKernel) -> dict[str, np.ndarray]:
    want = interpret(program, **kwargs)
    got = kern.run(**kwargs)
    if not isinstance(want, dict):
        want, got = {program.outputs[0]: want}, {program.outputs[0]: got}
    assert set(got) == set(want)
    for out, w in want.items():
        g = got[out]
        assert g.shape == w.shape and g.dtype == w.dtype, out
        scale = max(1.0, float(np.max(np.abs(w), initial=0.0)))
        err = float(np.max(np.abs(g.astype(np.float64) - w), initial=0.0))
        assert err <= TOL * scale, f"{program.name}: {out} is off by {err:.3g} (scale {scale:.3g})"
    return got


def symbolic_kernel(program, kwargs) -> GenericKernel:
    ranks = extents_of(program, kwargs)
    return kernel(program, extents_of(program, kwargs, set(ranks) - FIXED))


# ----------------------------------------------------------------------------- variants


@pytest.mark.parametrize("name", NAMES)
def test_variant_matches_the_interpreter(name):
    """Every catalogue variant, all extents compiled in, on odd shapes."""
    program, kwargs = case(name, WIDE)
    check(program, kwargs, kernel(program, extents_of(program, kwargs)))


@pytest.mark.parametrize("name", NAMES)
def test_one_symbolic_build_serves_many_lengths(name):
    """Sequence ranks symbolic: one build runs at (p, m) = (37, 53) and (1, 29)."""
    program, kwargs = case(name, WIDE)
    kern = symbolic_kernel(program, kwargs)
    check(program, kwargs, kern)
    program2, kwargs2 = case(name, DECODE, seed=1)
    assert program2 == program
    check(program2, kwargs2, kern)


@pytest.mark.parametrize(
    "name", ["causal_offset", "mla_causal", "paged_causal", "split_kv_causal", "document"]
)
def test_fully_masked_rows_are_zero(name):
    shape = WIDE if name == "document" else SHORT_KEYS
    program, kwargs = case(name, shape)
    got = check(program, kwargs, symbolic_kernel(program, kwargs))
    out = got["O"] if isinstance(got, dict) else got
    rows = np.all(out == 0, axis=-1)
    assert rows.any() and not rows.all(), "the case should have some fully masked rows"


@pytest.mark.parametrize("name", ["gqa", "gqa_causal", "sliding_window"])
@pytest.mark.parametrize("h,g", [(2, 2), (8, 2), (8, 1)], ids=["group1", "group4", "group8"])
def test_gqa_groups(name, h, g):
    program, kwargs = case(name, replace(WIDE, h=h, g=g))
    check(program, kwargs, kernel(program, extents_of(program, kwargs)))


def test_one_build_serves_every_group_size():
    program, kwargs = case("gqa_causal", WIDE)
    kern = kernel(program, extents_of(program, kwargs, {"h", "g", "p", "m"}))
    for h, g in [(2, 2), (8, 2), (8, 1)]:
        check(*case("gqa_causal", replace(WIDE, h=h, g=g, p=9, m=17)), kern)


@pytest.mark.parametrize("name", ["gqa_causal", "fp16_kv", "int8_kv", "mla"])
@pytest.mark.parametrize("dim", [64, 128])
def test_head_dims(name, dim):
    program, kwargs = case(name, replace(WIDE, e=dim, f=dim, b=1, p=19, m=41))
    check(program, kwargs, kernel(program, extents_of(program, kwargs)))


@pytest.mark.parametrize(
    "config",
    [GenericConfig(parallel=False), GenericConfig(fuse=1), GenericConfig(fuse=3, unroll=24)],
    ids=["serial", "fuse1", "fuse3-unroll"],
)
@pytest.mark.parametrize("name", ["split_kv_causal", "paged", "tree_parent"])
def test_configs(name, config):
    program, kwargs = case(name, WIDE)
    check(program, kwargs, kernel(program, extents_of(program, kwargs), config))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["gqa_causal", "sliding_window", "document_causal", "mla"])
def test_longer_sequences(name):
    program, kwargs = case(name, replace(WIDE, b=1, p=300, m=300))
    check(program, kwargs, symbolic_kernel(program, kwargs))


# ----------------------------------------------------------------------------- the source


def test_source_is_one_loop_nest_per_live_statement():
    program = parse(
        """
program dead_and_live
input X[i, j]
A[i, j] = X[i, j] * 2.0
DEAD[i] = sum(j) X[i, j]
B[i] = max(j) A[i, j]
output B
"""
    )
    src = lower_generic(program, {"i": 5, "j": None})
    assert [s.out for s in live_statements(program)] == ["A", "B"]
    assert src.text.count("T.parallel(") == 2 and "DEAD" not in src.text
    assert "n_j = T.int32()" in src.text and "n_i" not in src.text
    assert "_ok" not in src.text  # fully present: no presence buffers
    assert "T.Select(n_j > 0" in src.text  # ... but max over a maybe-empty j can be absent
    assert [a.name for a in src.args] == ["X", "B"]
    got = build_generic(src).run(X=np.ones((5, 0), np.float32))
    np.testing.assert_array_equal(got, np.zeros(5, np.float32))


def test_presence_is_decided_statically():
    p = variants.gqa(causal=True)
    pres = presence(p, {r: 4 for r in "bhgpmef"})
    assert all(pres[t].masked for t in ("S", "MX", "E", "L", "O"))
    pres = presence(variants.gqa(), {r: 4 for r in "bhgpmef"})
    assert not any(x.masked or x.nonempty for x in pres.values())
    pres = presence(variants.gqa(), {**{r: 4 for r in "bhgpef"}, "m": None})
    assert pres["MX"].nonempty == {"m"} and not pres["E"].nonempty
    src = lower_generic(variants.gqa(causal=True), {r: 4 for r in "bhgpmef"})
    assert "S_ok = T.alloc_buffer" in src.text and "O_ok" not in src.text


def test_contractions_pick_their_loop_order():
    src = lower_generic(variants.gqa(), {"b": 1, "h": 4, "g": 2, "e": 64, "f": 64})
    text = src.text
    # S: a dot product over e per score; O: rows of f accumulated on the stack
    assert 'acc_S = T.alloc_buffer((1,), "float32")' in text
    assert 'acc_O = T.alloc_buffer((64,), "float32")' in text


GOLDEN = """\
# attncc generic lowering of `tiny`: one loop nest per statement
@T.prim_func
def tiny(X_h: T.handle, W: T.int32, O_h: T.handle):
    T.func_attr({"global_symbol": "tiny", "tirx.noalias": True})
    n_m = T.int32()
    X = T.match_buffer(X_h, (3, n_m), "float32")
    O = T.match_buffer(O_h, (3,), "float32")
    E = T.alloc_buffer((3, n_m), "float32")
    E_ok = T.alloc_buffer((3, n_m), "bool")

    # E[p, m] = exp(X[p, m]) where m <= p + W
    for i_p in T.parallel(3):
        for i_m in range(n_m):
            if i_m <= i_p + W:
                E[i_p, i_m] = T.exp(X[i_p, i_m])
                E_ok[i_p, i_m] = T.bool(True)
            else:
                E[i_p, i_m] = T.float32(0)
                E_ok[i_p, i_m] = T.bool(False)

    # O[p] = sum(m) E[p, m] / N
    for i_p in T.parallel(3):
        acc_O = T.alloc_buffer((1,), "float32")
        acc_O[0] = T.float32(0)
        ok_O = T.alloc_buffer((1,), "bool")
        ok_O[0] = T.bool(False)
        for i_m in range(n_m):
            if E_ok[i_p, i_m]:
                acc_O[0] = acc_O[0] + E[i_p, i_m] / T.Cast("float32", n_m)
                ok_O[0] = T.bool(True)
        O[i_p] = T.Select(ok_O[0], acc_O[0], T.float32(0))
"""


def test_golden_lowering():
    """A change to the generated text shows here as a diff."""
    program = parse(
        """
program tiny
input X[p, m]
param W : i32 = 0
let N = m
E[p, m] = exp(X[p, m]) where m <= p + W
O[p] = sum(m) E[p, m] / N
output O
"""
    )
    assert lower_generic(program, {"p": 3}).text == GOLDEN


# ----------------------------------------------------------------------------- errors


def test_a_constant_build_refuses_other_extents():
    program, kwargs = case("gqa", WIDE)
    kern = kernel(program, extents_of(program, kwargs))
    _, other = case("gqa", DECODE)
    with pytest.raises(ArgumentError, match="compiled for p = 37"):
        kern.run(**other)


def test_param_dependent_ranks_are_checked_when_compiled_in():
    program, kwargs = case("split_kv", WIDE)
    kern = kernel(program, extents_of(program, kwargs))  # c and n fixed by CH = 16
    with pytest.raises(ArgumentError, match="compiled for"):
        kern.run(**kwargs, CH=8)
    args = [tvm.runtime.tensor(kwargs[n]) for n in ("Q", "K", "V")]
    outs = [tvm.runtime.tensor(np.zeros(s, np.float32)) for s in [(2, 6, 37, 20), (2, 6, 37)]]
    with pytest.raises(RuntimeError, match="must be 4"):  # a direct call checks inside
        kern(*args, 8, *outs)
    program, kwargs = case("paged", WIDE)
    ext = extents_of(program, kwargs)  # rank m = j * P: known at compile time
    with pytest.raises(ShapeError, match="rank m"):
        lower_generic(program, {**ext, "m": ext["m"] + 1})


def test_symbolic_param_dependent_ranks_follow_the_param():
    program, kwargs = case("split_kv", WIDE)
    kern = symbolic_kernel(program, kwargs)
    for chunk in (5, 16, 64):
        check(program, {**kwargs, "CH": chunk}, kern)


def test_bad_arguments():
    program, kwargs = case("document", WIDE)
    kern = kernel(program, extents_of(program, kwargs))
    with pytest.raises(ArgumentError, match="missing input SQ"):
        kern.run(**{k: v for k, v in kwargs.items() if k != "SQ"})
    with pytest.raises(ArgumentError, match="no input or param named NOPE"):
        kern.run(**kwargs, NOPE=1)
    with pytest.raises(ArgumentError, match="SQ"):
        kern.run(**{**kwargs, "SQ": kwargs["SQ"].astype(np.float32)})
    with pytest.raises(ArgumentError, match="not a rank"):
        lower_generic(program, {"zz": 3})
    with pytest.raises(ArgumentError, match="fuse"):
        GenericConfig(fuse=0)


def test_run_generic_and_torch_inputs():
    torch = pytest.importorskip("torch")
    program, kwargs = case("mqa_causal", replace(WIDE, p=5, m=7))
    want = interpret(program, **kwargs)
    tensors = {k: torch.from_numpy(v) for k, v in kwargs.items()}
    got = run_generic(program, symbolic="p m", **tensors)
    np.testing.assert_allclose(got, want, atol=1e-5)


# ----------------------------------------------------------------------------- host


def test_host_cpu_and_threads(monkeypatch):
    from tvm.target import codegen

    cpu = host_cpu()
    assert cpu in codegen.llvm_get_cpu_archlist(tvm.target.Target({"kind": "llvm"}))
    monkeypatch.delenv("TVM_NUM_THREADS", raising=False)
    n = configure_threads()
    assert n >= 1 and int(os.environ["TVM_NUM_THREADS"]) == n
    monkeypatch.setenv("TVM_NUM_THREADS", "1")
    assert configure_threads() == 1  # the user's choice stands


def test_report_compile_times():
    """Not a check: prints the build times this module paid (run with -s to see them)."""
    if COMPILE_SECONDS:
        times = sorted(t for _, t in COMPILE_SECONDS)
        print(
            f"\n{len(times)} builds: median {times[len(times) // 2]:.2f} s, max "
            f"{times[-1]:.2f} s ({max(COMPILE_SECONDS, key=lambda x: x[1])[0]}), "
            f"total {sum(times):.1f} s"
        )
