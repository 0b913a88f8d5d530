"""The shape-bucket policy: exact on fixed ranks, powers of two on symbolic ones, nearest
bucket (larger first) as the fallback."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

import pytest

from attncc.errors import ExportError
from attncc.library.buckets import bucket_key
from attncc.library.buckets import bucket_of
from attncc.library.buckets import round_up_pow2
from attncc.library.buckets import select


@dataclass
class _Source:
    extents: dict


@dataclass
class Entry:
    bucket: dict
    source: _Source = field(default_factory=lambda: _Source({"h": 8, "p": None, "m": None}))


def entry(p: int, m: int, h: int = 8) -> Entry:
    return Entry({"h": h, "p": p, "m": m}, _Source({"h": h, "p": None, "m": None}))


def test_lengths_round_up_to_powers_of_two_and_fixed_ranks_stay():
    assert [round_up_pow2(n) for n in (1, 2, 3, 1024, 1025, 1500, 2048)] == [
        1, 2, 4, 1024, 2048, 2048, 2048,
    ]  # fmt: skip
    fixed = {"h": 8, "p": None, "e": 64}
    assert bucket_of({"h": 8, "p": 1500, "e": 64}, fixed) == {"h": 8, "p": 2048, "e": 64}
    assert bucket_key({"h": 8, "p": 2048}) == "h=8,p=2048"


def test_the_calls_own_bucket_wins():
    kernels = [entry(512, 512), entry(2048, 2048), entry(1024, 1024)]
    assert select(kernels, {"h": 8, "p": 1500, "m": 1025}, "x", "cpu") is kernels[1]
    assert select(kernels, {"h": 8, "p": 600, "m": 1000}, "x", "cpu") is kernels[2]


def test_else_the_nearest_bucket_larger_first():
    kernels = [entry(256, 256), entry(1024, 1024)]
    # 512 is one power of two from both: the larger bucket serves it
    assert select(kernels, {"h": 8, "p": 512, "m": 512}, "x", "cpu") is kernels[1]
    assert select(kernels, {"h": 8, "p": 100, "m": 100}, "x", "cpu") is kernels[0]
    assert select(kernels, {"h": 8, "p": 9000, "m": 9000}, "x", "cpu") is kernels[1]


def test_fixed_ranks_must_match_and_the_error_lists_the_buckets():
    kernels = [entry(256, 256), entry(1024, 1024, h=4)]
    assert select(kernels, {"h": 4, "p": 8, "m": 8}, "x", "cpu") is kernels[1]
    with pytest.raises(ExportError, match="no cpu kernel of x for h=16") as e:
        select(kernels, {"h": 16, "p": 8, "m": 8}, "x", "cpu")
    assert "its buckets: h=8,p=256,m=256; h=4,p=1024,m=1024" in str(e.value)


def test_a_build_that_fixes_every_rank_serves_only_its_own_shape():
    fixed = Entry({"h": 8, "p": 128}, _Source({"h": 8, "p": 128}))
    assert select([fixed], {"h": 8, "p": 128}, "x", "webgpu") is fixed
    with pytest.raises(ExportError, match="h=8,p=100"):
        select([fixed], {"h": 8, "p": 100}, "x", "webgpu")
