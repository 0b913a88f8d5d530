"""NaN and ±inf propagate as in the reference on every target and lowering.

Each case puts one NaN, +inf or -inf into a variant's Q, K or V (or what K and V are read
from: a page pool, a dequantisation scale), or into a param or a score input, and compares
the compiled kernel with the interpreter: NaN positions and the positions and signs of
infinities exactly, finite values to 1e-4.

The one exception (docs/language.md, "NaN and infinities"): a fused kernel multiplies a
whole key tile of P by V, so a NaN or ±inf in V at a key that is masked for a row but
visible to another row of its query tile reaches that row as NaN (P = 0 times it). For
V-side values on fused lowerings the kernel's NaN set must therefore contain the
reference's, with extra NaNs only where the reference is finite, in the poisoned element's
batch, kv head (and value column); everything else exact. A kernel may over-report a
non-finite value, never hide it. Keys masked for every row of a tile (past KVLEN) and keys
of skipped tiles stay exact: two tests below check that.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass

if "triton" not in sys.modules:
    os.environ["TRITON_INTERPRET"] = "1"

import numpy as np
import pytest

import attncc
from attncc.errors import UnsupportedError
from tests.variants.cases import CASES
from tests.variants.cases import Shape

# NaN inputs: numpy's warnings inside the interpreters (Triton's, attncc's) are expected
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

PREFILL = Shape(b=2, p=40, m=40, e=16, f=8)  # gqa: h = 6, g = 3
DECODE = Shape(b=2, p=1, m=61, e=16, f=8)
VALUES = (np.nan, np.inf, -np.inf)
#: Variants no fused lowering takes (an explicit merge cascade), and those only the CPU's
#: fused kernel takes (no softmax): generic on the other targets.
GENERIC_ONLY = {"split_kv"}
CPU_FUSED_ONLY = {"sigmoid_attention_causal"}


def _generic_only(name: str, target: str) -> bool:
    return name in GENERIC_ONLY or (target != "cpu" and name in CPU_FUSED_ONLY)


@dataclass(frozen=True)
class Lowering:
    target: str
    config: dict
    fused_only: bool = False  # knobs of the fused lowering: skip generic-only variants
    #: a slow runtime (Triton's interpreter, one kernel per statement): fewer variants, and
    #: this shape instead of the test's
    only: tuple[str, ...] | None = None
    shape: Shape | None = None


LOWERINGS = {
    "cpu": Lowering("cpu", {}),
    # several key tiles per row: full, partial and skipped ones
    "cpu-tiles": Lowering("cpu", {"bq": 16, "bk": 32, "rb": 2, "rbv": 2}, fused_only=True),
    "cpu-generic": Lowering("cpu", {"lowering": "generic"}),
    "webgpu": Lowering("webgpu", {}),
    "webgpu-generic": Lowering("webgpu", {"lowering": "generic"}),
    # Triton's interpreter is the slow runtime here: shorter sequences (still
    # several tiles of 16), and the generic lowering on the cascades only it takes.
    "cuda": Lowering(
        "cuda",
        {"BLOCK_M": 16, "BLOCK_N": 16},
        fused_only=True,
        shape=Shape(b=2, p=24, m=40, e=16, f=8),
    ),
    "cuda-generic": Lowering(
        "cuda",
        {"lowering": "generic"},
        only=("sigmoid_attention_causal", "split_kv"),
        shape=Shape(b=2, p=16, m=16, e=16, f=8),
    ),
}
DECODE_LOWERINGS = {
    "cpu": Lowering("cpu", {}),
    # decode: K read as rows, a group's heads as a tile's rows, split-KV and its merge
    "cpu-decode": Lowering(
        "cpu",
        {"k_layout": "rows", "pack_gqa": True, "split_kv": 2, "bq": 2, "rb": 2, "rbv": 2},
        fused_only=True,
    ),
    "cpu-split4": Lowering("cpu", {"split_kv": 4, "bk": 32}, fused_only=True),
    "webgpu": Lowering("webgpu", {}),
    "cuda-split": Lowering("cuda", {"split": 2, "BLOCK_M": 16, "BLOCK_N": 16}, fused_only=True),
    "cuda-generic": Lowering("cuda", {"lowering": "generic"}, only=("gqa",)),
}
PREFILL_VARIANTS = (
    "gqa_causal",
    "gqa_window_softcap",
    "alibi",
    "paged_causal",
    "int8_kv",
    "document_causal",  # a mask that reads data (block lists on cuda), rows with no key
    "sigmoid_attention_causal",
    "split_kv",
)
DECODE_VARIANTS = ("gqa", "paged_causal")


# ----------------------------------------------------------------------------- runtimes


@functools.cache
def _missing(target: str) -> str | None:
    """Why ``target`` cannot run here, or ``None``."""
    if target == "webgpu":
        try:
            import wgpu  # noqa: F401

            from attncc.targets.webgpu.runtime import device

            device()
        except (ImportError, UnsupportedError) as err:
            return f"no webgpu runtime: {err}"
    if target == "cuda":
        try:
            from attncc.targets.cuda.launch import interpreted_process
        except ImportError as err:
            return f"no triton: {err}"
        if not interpreted_process():
            return "triton was imported before TRITON_INTERPRET=1 could be set"
    return None


# ----------------------------------------------------------------------------- poisons


@dataclass(frozen=True)
class Poison:
    """One non-finite value put at ``index`` of input ``tensor`` (``index=None``: a param).
    ``reach`` (batch, kv head, value column or ``None``) marks a V-side element: the outputs
    a fused kernel may turn to NaN beyond the reference's (the documented exception)."""

    tensor: str
    index: tuple[int | slice, ...] | None
    value: float
    reach: tuple[int, int, int | None] | None = None

    def apply(self, kwargs: dict) -> dict:
        out = dict(kwargs)
        if self.index is None:
            out[self.tensor] = self.value
        else:
            out[self.tensor] = kwargs[self.tensor].copy()
            out[self.tensor][self.index] = self.value
        return out

    def __str__(self) -> str:
        where = "" if self.index is None else [str(i).replace("None", "") for i in self.index]
        return f"{self.tensor}{where}={self.value}"


def _poisons(name: str, s: Shape, kwargs: dict) -> list[Poison]:
    """Where each variant is poisoned: a query row (row 0 sees one key in causal masks: an
    all -inf row), a middle key of K and of V, params and score inputs."""
    mid, row = s.m // 2, s.p // 2
    points: list[tuple[str, tuple[int | slice, ...] | None, tuple | None]] = []
    if "Q" in kwargs:
        points += [("Q", (0, 1, 0, 2), None), ("Q", (1, 4, row, 3), None)]
    if "K" in kwargs:
        points += [("K", (0, 1, mid, 2), None), ("V", (1, 2, mid, 1), (1, 2, 1))]
    if "K" in kwargs and s.p == 1:  # decode: a split of -inf scores only, then every key
        points += [("K", (0, 1, slice(0, mid), 2), None), ("K", (0, 1, slice(None), 2), None)]
    if "KC" in kwargs:  # the pool slots of batch 0's middle key, and a page no table holds
        page, slot = int(kwargs["PT"][0, mid // 5]), mid % 5
        unused = sorted(set(range(kwargs["KC"].shape[0])) - set(kwargs["PT"].flat))[0]
        points += [("KC", (page, slot, 1, 2), None), ("VC", (page, slot, 2, 1), (0, 2, 1))]
        points += [("KC", (unused, 0, 0, 0), None), ("VC", (unused, 1, 0, 0), None)]
    if "KS" in kwargs:  # per-token dequantisation scales: a whole key row
        points += [("KS", (0, 1, mid), None), ("VS", (1, 0, mid), (1, 0, None))]
    if "SLOPE" in kwargs:
        points.append(("SLOPE", (1,), None))
    out = [Poison(t, i, v, r) for t, i, r in points for v in VALUES]
    if "cap" in kwargs:
        out += [Poison("cap", None, v) for v in VALUES]
    return out


def _inputs(name: str, s: Shape) -> tuple[attncc.Program, dict]:
    rng = np.random.default_rng(11)
    program, kwargs, _ = CASES[name](rng, s, name=name)
    if "K" in kwargs:  # key 0 positive along dim 2: a -inf in Q row 0 makes every score -inf
        kwargs["K"][:, :, 0, 2] = 1.0
    return program, kwargs


# ----------------------------------------------------------------------------- comparison


def _heads(kwargs: dict, out_heads: int) -> int:
    """Query heads per kv head."""
    for name in ("K", "KC", "KS"):
        if name in kwargs:
            g = kwargs[name].shape[2 if name == "KC" else 1]
            return out_heads // g
    return 1


def _compare(got, want, allowed: np.ndarray | None) -> list[str]:
    """What differs: NaN sets (``allowed``: where extra NaNs may be), infinities, values."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    errors = []
    nan_g, nan_w = np.isnan(got), np.isnan(want)
    hidden = nan_w & ~nan_g
    extra = nan_g & ~nan_w
    if hidden.any():
        errors.append(f"NaN hidden at {np.argwhere(hidden)[:4].tolist()}")
    bad_extra = extra if allowed is None else extra & ~allowed
    if bad_extra.any():
        errors.append(f"NaN invented at {np.argwhere(bad_extra)[:4].tolist()}")
    both = ~nan_g & ~nan_w
    for kind, test in (("+inf", np.isposinf), ("-inf", np.isneginf)):
        diff = both & (test(got) != test(want))
        if diff.any():
            errors.append(f"{kind} differs at {np.argwhere(diff)[:4].tolist()}")
    fin = np.isfinite(got) & np.isfinite(want)
    scale = max(1.0, float(np.abs(want[fin]).max(initial=0.0)))
    err = float(np.abs(got[fin] - want[fin]).max(initial=0.0)) / scale
    if err > 1e-4:
        errors.append(f"finite values differ by {err:.2e}")
    return errors


def _allowed(p: Poison, shape: tuple[int, ...], grp: int) -> np.ndarray | None:
    if p.reach is None:
        return None
    b, g, f = p.reach
    allowed = np.zeros(shape, bool)
    cols = slice(None) if f is None else f
    allowed[b, g * grp : (g + 1) * grp, :, cols] = True
    return allowed


def _run(name: str, s: Shape, lowering: Lowering) -> None:
    why = _missing(lowering.target)
    if why:
        pytest.skip(why)
    s = lowering.shape or s
    program, kwargs = _inputs(name, s)
    kernel = attncc.compile(program, lowering.target, config=lowering.config or None)
    clean = kernel(**kwargs)
    fused = kernel.config.get("lowering") == "fused"
    generic = _generic_only(name, lowering.target) or lowering.config.get("lowering") == "generic"
    assert fused != generic, kernel.config
    with np.errstate(all="ignore"):
        want_clean = attncc.interpret(program, **kwargs)
    failures = _failures(clean, want_clean, None, "clean inputs", kwargs)
    for p in _poisons(name, s, kwargs):
        args = p.apply(kwargs)
        with np.errstate(all="ignore"):
            want = attncc.interpret(program, **args)
            got = kernel(**args)
        failures += _failures(got, want, p if fused else None, str(p), kwargs)
    assert not failures, f"{name} on {lowering}:\n" + "\n".join(failures)


def _failures(got, want, poison: Poison | None, label: str, kwargs: dict) -> list[str]:
    """:func:`_compare` on every output (a dict for several)."""
    wants = want if isinstance(want, dict) else {"O": want}
    gots = got if isinstance(got, dict) else {"O": got}
    out = []
    for name, w in wants.items():
        allowed = None
        if poison is not None and w.ndim == 4:
            allowed = _allowed(poison, w.shape, _heads(kwargs, w.shape[1]))
        out += [f"{label} ({name}): {e}" for e in _compare(gots[name], w, allowed)]
    return out


def _cases(variants, lowerings) -> list:
    return [
        pytest.param(v, key, id=f"{key}-{v}")
        for key, low in lowerings.items()
        for v in variants
        if not (low.fused_only and _generic_only(v, low.target))
        and (low.only is None or v in low.only)
    ]


# ----------------------------------------------------------------------------- tests


@pytest.mark.parametrize("variant,lowering", _cases(PREFILL_VARIANTS, LOWERINGS))
def test_nonfinite_inputs_propagate_as_in_the_reference(variant, lowering):
    _run(variant, PREFILL, LOWERINGS[lowering])


@pytest.mark.parametrize("variant,lowering", _cases(DECODE_VARIANTS, DECODE_LOWERINGS))
def test_nonfinite_inputs_propagate_in_decode(variant, lowering):
    _run(variant, DECODE, DECODE_LOWERINGS[lowering])


WINDOW = Shape(b=1, p=200, m=200, e=16, f=8)


@pytest.mark.parametrize("lowering", ["cpu", "cpu-tiles", "webgpu", "cuda"])
def test_the_v_exception_stays_within_the_tiles_that_hold_the_key(lowering):
    """A NaN in V at key 10 under a window of 9: the rows that see key 10 are NaN, as in the
    reference; rows whose query tile's keys exclude key 10 (every tile here holds at most
    128 queries) are exact; only rows in between may over-report."""
    low = LOWERINGS[lowering]
    why = _missing(low.target)
    if why:
        pytest.skip(why)
    program, kwargs = _inputs("gqa_window_softcap", WINDOW)
    kernel = attncc.compile(program, low.target, config=low.config or None)
    poison = Poison("V", (0, 1, 10, 3), np.nan)
    args = poison.apply(kwargs)
    want, got = attncc.interpret(program, **args), kernel(**args)
    heads = slice(2, 4)  # kv head 1 of 3, for 6 query heads
    assert np.isnan(want[0, heads, 10:19, 3]).all() and np.isnan(got[0, heads, 10:19, 3]).all()
    far = 10 + 9 + 128
    assert not np.isnan(want[0, :, far:]).any()
    assert not _compare(got[0, :, far:], want[0, :, far:], None)
    assert not _compare(got, want, _allowed(Poison("V", (), 0.0, (0, 1, 3)), want.shape, 2))


@pytest.mark.parametrize("lowering", ["cpu", "cpu-tiles", "cpu-generic", "webgpu", "cuda"])
def test_poisoned_keys_masked_for_every_row_change_nothing(lowering):
    """Keys past a sequence's length (paged, KVLEN) are absent for every row, in a partial
    key tile: NaN / inf there, in K or V, must not reach any output."""
    low = LOWERINGS[lowering]
    if _missing(low.target):
        pytest.skip(_missing(low.target))
    program, kwargs = _inputs("paged", PREFILL)
    kvlen = int(kwargs["KVLEN"][1])
    page, slot = int(kwargs["PT"][1, (kvlen + 2) // 5]), (kvlen + 2) % 5
    want = attncc.interpret(program, **kwargs)
    kernel = attncc.compile(program, low.target, config=low.config or None)
    for tensor in ("KC", "VC"):
        for value in VALUES:
            got = kernel(**Poison(tensor, (page, slot, 1, 1), value).apply(kwargs))
            assert np.isfinite(got).all(), (tensor, value)
            assert not _compare(got, want, None), (tensor, value)


MAX_MIN = """
program max_min_keep_nan
input X[p, m] : f32
Y[p] = max(m) X[p, m] where m <= p
Z[p] = min(m) X[p, m] where m <= p
output Y, Z
"""


@pytest.mark.parametrize("target", ["cpu", "webgpu", "cuda"])
def test_max_and_min_reductions_keep_nan(target):
    if _missing(target):
        pytest.skip(_missing(target))
    program = attncc.parse(MAX_MIN)
    x = np.random.default_rng(5).standard_normal((7, 7)).astype(np.float32)
    x[3, 0], x[3, 3], x[5, 2], x[6, 6] = np.nan, np.nan, np.nan, np.nan  # first, last, middle
    x[4, 1], x[2, 2], x[1, 5] = np.inf, -np.inf, np.nan  # x[1, 5]: absent, never read
    want = attncc.interpret(program, X=x)
    assert np.isnan(want["Y"][[3, 5, 6]]).all() and not np.isnan(want["Y"][:3]).any()
    got = attncc.compile(program, target)(X=x)
    for out in ("Y", "Z"):
        assert not _compare(got[out], want[out], None), out


def test_cuda_max_and_min_reductions_keep_nan_on_a_gpu():
    """On a GPU ``tl.max`` / ``fmax`` drop a NaN (the interpreter's numpy keeps it): the
    compiled PTX must use the NaN-propagating instructions for float max / min."""
    if _missing("cuda"):
        pytest.skip(_missing("cuda"))
    kernel = attncc.compile(attncc.parse(MAX_MIN), "cuda", shapes={"p": 7, "m": 7})
    ptx = "\n".join(kernel.ptx.values())
    assert "max.NaN.f32" in ptx and "min.NaN.f32" in ptx
    assert "max.f32" not in ptx and "min.f32" not in ptx
