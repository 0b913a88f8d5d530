"""The shape-bucket policy: which of a program's kernels serves a call.

A kernel's build fixes some ranks and keeps others symbolic (``Source.extents``: an int or
``None``); the CPU target keeps sequence lengths symbolic, so one build serves every
length. Tuning is done per *bucket* (as the tuning database names its studies,
:func:`attncc.search.problem.shape_bucket`):

* a rank the build fixes (heads, head dims, ...) is exact: ``h=8`` serves only ``h = 8``;
* a rank the build keeps symbolic is rounded up to a power of two: ``p=2048`` is the bucket
  of every ``p`` in ``1025 .. 2048``.

A call is served by a kernel whose fixed ranks all equal the call's extents (any other
kernel would compute for the wrong shape; if there is none, the call is an
:class:`~attncc.errors.ExportError` that lists the buckets that exist). Among those:

1. the kernel of the call's own bucket (tuned for lengths like these);
2. else the nearest bucket: the smallest total distance in powers of two over the
   symbolic ranks, a larger bucket before a smaller one at equal distance (tiles tuned
   for longer sequences waste less than ones tuned for shorter), then the bucket text.

The fallback is always correct -- a symbolic build serves any length -- only its speed was
tuned for other lengths. A target whose builds fix every rank gets exact matches only.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import Protocol

from attncc.errors import ExportError

__all__ = ["bucket_key", "bucket_of", "round_up_pow2", "select"]


class _Bucketed(Protocol):
    bucket: dict[str, int]

    @property
    def source(self) -> Any: ...


def round_up_pow2(n: int) -> int:
    """The power of two a length rounds up to: 1, 2, 4, 8, ... (``1500`` → ``2048``)."""
    return 1 << max(0, int(n) - 1).bit_length()


def bucket_of(extents: Mapping[str, int], fixed: Mapping[str, int | None]) -> dict[str, int]:
    """The bucket of ``extents`` for a build with ``fixed`` extents (``None``: symbolic)."""
    return {
        r: (round_up_pow2(n) if fixed.get(r, n) is None else int(n)) for r, n in extents.items()
    }


def bucket_key(bucket: Mapping[str, int]) -> str:
    """``b=1,h=8,p=2048``: a bucket as text, in the order of its ranks."""
    return ",".join(f"{r}={n}" for r, n in bucket.items())


def select(
    kernels: Sequence[_Bucketed], extents: Mapping[str, int], program: str, target: str
) -> _Bucketed:
    """The kernel that serves a call at ``extents`` (every rank bound), by the policy above."""
    serving = [
        k
        for k in kernels
        if all(n is None or extents.get(r) == n for r, n in k.source.extents.items())
    ]
    if not serving:
        have = "; ".join(bucket_key(k.bucket) for k in kernels) or "none"
        fixed = sorted({r for k in kernels for r, n in k.source.extents.items() if n is not None})
        call = ",".join(f"{r}={extents[r]}" for r in fixed if r in extents)
        raise ExportError(
            f"the library has no {target} kernel of {program} for {call or 'these extents'} "
            f"(ranks {', '.join(fixed)} must match exactly); its buckets: {have}. Fix: tune "
            "this shape and export again, or export it with --program/--shape (cost-model pick)"
        )

    def distance(k: _Bucketed) -> tuple[int, int, str]:
        far, smaller = 0, 0
        for r, n in k.source.extents.items():
            if n is None and r in extents:
                want = round_up_pow2(extents[r]).bit_length()
                have = k.bucket[r].bit_length()
                far += abs(have - want)
                smaller += have < want
        return far, smaller, bucket_key(k.bucket)

    return min(serving, key=distance)
