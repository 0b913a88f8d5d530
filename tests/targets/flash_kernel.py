"""Build a flash spec directly, without a program: the CPU flash generator's test harness.

:func:`build` generates, parses and compiles a hand-written ``FlashSpec``
(:mod:`attncc.targets.tvm.flash_spec`), and :class:`FlashKernel` runs it on numpy arrays. The mask
templates give a spec its mask and key bands as text. attncc's own path from a program to a
kernel is :func:`attncc.compile`; this harness checks the generator on its own (and
``bench/proto_flash.py`` times it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tvm

from attncc.errors import ArgumentError
from attncc.errors import LoweringError
from attncc.targets.cpu.flash import FlashConfig
from attncc.targets.cpu.flash import generate
from attncc.targets.cpu.host import host_target
from attncc.targets.tvm.flash_spec import Band
from attncc.targets.tvm.flash_spec import FlashSpec
from attncc.targets.tvm.flash_spec import m_is_arg
from attncc.targets.tvm.flash_spec import signature

__all__ = [
    "FlashKernel",
    "build",
    "causal",
    "pack_k",
    "prefix_lm",
    "sinks_window",
    "sliding_window",
]


def causal(offset: str = "0") -> dict:
    """Causal mask ``m <= p + offset`` (``offset = "M - P"``: bottom-right aligned)."""
    off = f"({offset})"
    return {
        "mask": f"{{m}} <= {{p}} + {off}",
        "bands": (Band("0", f"{{p1}} + {off}", "0", f"{{p0}} + {off} + 1"),),
    }


def sliding_window(window: str | int, offset: str = "0") -> dict:
    """Causal sliding window: ``p + offset - window < m <= p + offset``."""
    off, w = f"({offset})", f"({window})"
    return {
        "mask": f"T.And({{m}} <= {{p}} + {off}, {{m}} > {{p}} + {off} - {w})",
        "bands": (
            Band(
                f"{{p0}} + {off} - {w} + 1",
                f"{{p1}} + {off}",
                f"{{p1}} + {off} - {w}",
                f"{{p0}} + {off} + 1",
            ),
        ),
    }


def sinks_window(sinks: str | int, window: str | int, offset: str = "0") -> dict:
    """Attention sinks (the first ``sinks`` keys, causally) plus a causal sliding window."""
    off, w, s = f"({offset})", f"({window})", f"({sinks})"
    win = sliding_window(window, offset)
    return {
        "mask": f"T.And({{m}} <= {{p}} + {off}, T.Or({{m}} < {s}, {{m}} > {{p}} + {off} - {w}))",
        "bands": (
            Band("0", f"T.min({s}, {{p1}} + {off})", "0", f"T.min({s}, {{p0}} + {off} + 1)"),
            *win["bands"],
        ),
    }


def prefix_lm(prefix: str | int) -> dict:
    """Prefix-LM: keys below ``prefix`` are visible to every row, the rest causally."""
    n = f"({prefix})"
    return {
        "mask": f"T.Or({{m}} < {n}, {{m}} <= {{p}})",
        "bands": (Band("0", f"T.max({n}, {{p1}})", "0", f"T.max({n}, {{p0}} + 1)"),),
    }


def pack_k(k, bk: int):
    """K ``[B, HK, M, D]`` → the ``k_layout="packed"`` layout ``[B, HK, ceil(M/bk), D, bk]``
    (numpy; the key tail is zero-padded). A KV cache kept in this layout needs no pre-pass."""

    b, hk, m, d = k.shape
    nkt = -(-m // bk)
    padded = np.zeros((b, hk, nkt * bk, d), np.float32)
    padded[:, :, :m] = k
    return np.ascontiguousarray(padded.reshape(b, hk, nkt, bk, d).transpose(0, 1, 2, 4, 3))


@dataclass
class FlashKernel:
    """A built kernel: ``kernel(q, k, v, *tensors, **scalars) -> o`` on numpy arrays."""

    spec: FlashSpec
    config: FlashConfig
    source: str
    lib: object
    target: dict

    def asm(self) -> str:
        return self.lib.mod.inspect_source("asm")

    def run(self, *args) -> None:
        """Call on preallocated ``tvm.runtime.Tensor`` arguments in :func:`signature` order
        (no copies)."""
        self.lib[self.spec.name](*args)

    def __call__(self, q, k, v, *tensors, **scalars):
        """``o`` for numpy ``q``, ``k``, ``v`` (``None`` for an operand a hook loads), the
        extra tensors in order and the scalars by name (``M=`` when it is an argument)."""
        spec = self.spec
        if len(tensors) != len(spec.tensors):
            raise ArgumentError(
                f"expected {len(spec.tensors)} extra tensors "
                f"{[t.name for t in spec.tensors]}, got {len(tensors)}"
            )
        want_scalars = {s.name for s in spec.scalars} | ({"M"} if m_is_arg(spec) else set())
        missing = want_scalars - set(scalars)
        extra = set(scalars) - want_scalars
        if missing or extra:
            raise ArgumentError(f"scalars: missing {sorted(missing)}, unexpected {sorted(extra)}")
        names = signature(spec)
        given = {"q": q, "k": k, "v": v}
        want = {
            "q": (spec.B, spec.H, spec.P, spec.D),
            "k": (spec.B, spec.HK, spec.M, spec.D),
            "v": (spec.B, spec.HK, spec.M, spec.DV),
        }
        arrays = {}
        for name in "qkv":
            if name not in names:
                continue
            x = np.ascontiguousarray(given[name], dtype=np.float32)
            ok = x.ndim == 4 and all(
                w is None or w == n for w, n in zip(want[name], x.shape, strict=False)
            )
            if not ok or ("k" in names and "v" in names and k.shape[2] != v.shape[2]):
                raise ArgumentError(
                    f"{name}: expected shape {want[name]} (None = any), got "
                    f"{x.shape} (k and v must agree on M)"
                )
            arrays[name] = x
        if "k" in arrays and self.config.k_layout == "packed":  # run() takes K packed
            arrays["k"] = pack_k(arrays["k"], self.config.bk)
        arrays["o"] = np.zeros((*arrays["q"].shape[:3], spec.DV), np.float32)
        for x, t in zip(tensors, spec.tensors, strict=True):
            arrays[t.name] = np.ascontiguousarray(x, dtype=t.dtype)
        args = [scalars[n] if n in want_scalars else tvm.runtime.tensor(arrays[n]) for n in names]
        self.run(*args)
        return args[names.index("o")].numpy()


def build(spec: FlashSpec, config: FlashConfig | None = None, target: dict | None = None):
    """Generate, parse and compile; returns a :class:`FlashKernel`."""
    config = config or FlashConfig()
    source = generate(spec, config)
    try:
        func = tvm.script.from_source(source)
    except Exception as err:  # the parser reports TVMScript errors with a line excerpt
        raise LoweringError(f"generated TVMScript does not parse: {err}") from err
    target = target or host_target()
    lib = tvm.compile(func, target=target)
    return FlashKernel(spec, config, source, lib, target)
