"""A library's kernels are called as compiled kernels are: inputs by position in
declaration order or by name, params by name, the same ArgumentError messages, and one
bounds check per loaded program -- a hostile page table is the interpreter's BoundsError."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import attncc
import attncc.library.loader
from attncc.errors import ArgumentError
from attncc.errors import BoundsError
from attncc.ir.bounds import BoundsCheck
from tests.library.conftest import GQA
from tests.library.conftest import SIGMOID
from tests.library.conftest import inputs
from tests.library.conftest import program

#: paged: b, h, g, p, head dims e/f; a pool of u pages of n slots; j logical pages (m = j * n)
PAGED = dict(b=1, h=2, g=1, p=3, e=8, f=8, u=5, n=4, j=4)


@pytest.fixture(scope="module")
def paged_library(tmp_path_factory) -> Path:
    """The ``paged`` variant exported at :data:`PAGED`, with its default schedule (no cost
    model consulted: quick)."""
    import attncc.cost_models.xgb as xgb

    out = tmp_path_factory.mktemp("paged") / "lib"
    storage = f"sqlite:///{out.parent / 'none.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xgb, "pretrained_path", lambda name: Path("/nonexistent/model.json"))
        attncc.export(out, storage, programs=["paged"], shapes=[PAGED])
    return out


def paged_inputs(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    b, h, g, p, e, f, u, n = (PAGED[r] for r in "bhgpefun")
    return {
        "Q": rng.standard_normal((b, h, p, e), dtype=np.float32),
        "KC": rng.standard_normal((u, n, g, e), dtype=np.float32),
        "VC": rng.standard_normal((u, n, g, f), dtype=np.float32),
        "PT": np.array([[3, 1, 4, 0]], dtype=np.int32),
        "KVLEN": np.array([10], dtype=np.int32),  # logical pages 0..2 are read, page 3 is not
    }


def test_positional_inputs_equal_named_ones_and_the_interpreter(library):
    lib = attncc.load_library(library)
    for name, shape in (("sigmoid_attention", SIGMOID), ("gqa_causal", {**GQA, "p": 9})):
        args = inputs(shape, seed=7)
        q, k, v = args["Q"], args["K"], args["V"]
        ref = attncc.interpret(program(name), **args)
        kernel = lib.kernel(name)
        for got in (lib(name, q, k, v), kernel(q, k, v), lib(name, q, K=k, V=v), kernel(**args)):
            np.testing.assert_allclose(got, ref, atol=1e-5)


def test_bad_positional_calls_raise_what_compiled_kernels_raise(library):
    lib = attncc.load_library(library)
    compiled = attncc.compile(program("sigmoid_attention"), "cpu")
    q, k, v = inputs(SIGMOID).values()
    calls = [
        ((q, k, v, q), {}),  # too many
        ((q, k), {"K": k, "V": v}),  # K by position and by name
        ((q, k, v), {"X": 1}),  # an unknown name
        ((q,), {}),  # missing inputs
    ]
    for positional, named in calls:
        with pytest.raises(ArgumentError) as want:
            compiled(*positional, **named)
        for call in (
            lib.kernel("sigmoid_attention"),
            lambda *a, **kw: lib("sigmoid_attention", *a, **kw),
        ):
            with pytest.raises(ArgumentError) as got:
                call(*positional, **named)
            assert got.value.message == want.value.message
    assert "takes at most 3 positional argument(s)" in _message(lib, q, k, v, q)
    assert "K given both by position and by name" in _message(lib, q, k, K=k, V=v)


def _message(lib, *positional, **named) -> str:
    with pytest.raises(ArgumentError) as info:
        lib("sigmoid_attention", *positional, **named)
    return info.value.message


def test_one_bounds_check_per_program_is_kept_across_calls(library, monkeypatch):
    seen = []
    real = attncc.library.loader.call_kernel

    def spy(*args, bounds=None, **kw):
        seen.append(bounds)
        return real(*args, bounds=bounds, **kw)

    monkeypatch.setattr(attncc.library.loader, "call_kernel", spy)
    lib = attncc.load_library(library)
    args = inputs(SIGMOID, seed=1)
    lib("sigmoid_attention", **args)
    lib("sigmoid_attention", *args.values())
    lib.kernel("sigmoid_attention")(**args)
    lib("gqa_causal", **inputs(GQA, seed=1))
    assert all(isinstance(b, BoundsCheck) for b in seen)
    assert seen[0] is seen[1] is seen[2] and seen[3] is not seen[0]
    assert seen[0].program == lib.kernel("sigmoid_attention").program


def test_a_hostile_page_table_is_the_interpreters_bounds_error(paged_library):
    lib = attncc.load_library(paged_library)
    paged = lib.kernel("paged").program
    args = paged_inputs()
    ref = attncc.interpret(paged, **args)
    np.testing.assert_allclose(lib("paged", *args.values()), ref, atol=1e-5)

    read = {**args, "PT": args["PT"].copy()}
    read["PT"][0, 1] = 2**24  # a page that is read (keys 4..7 < KVLEN)
    with pytest.raises(BoundsError) as want:
        attncc.interpret(paged, **read)
    with pytest.raises(BoundsError, match=r"PT\[b, m / P\]` = 16777216") as got:
        lib("paged", *read.values())
    assert "16777216" in str(want.value) and "KC" in str(got.value)

    unread = {**args, "PT": args["PT"].copy()}
    unread["PT"][0, 3] = 2**24  # a page past KVLEN: never read, so no error
    np.testing.assert_allclose(lib("paged", **unread), attncc.interpret(paged, **unread), atol=1e-5)
