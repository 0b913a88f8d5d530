"""Labelled tensor contraction for the reference interpreter.

``sum(m) E[b,h,p,m] * V[b,h/G,m,f] / L[b,h,p]`` is evaluated as a contraction of its factors,
each over its own ranks: the product space ``[b, h, p, m, f]`` is never materialised. Pairs
of operands are contracted greedily (smallest intermediate first), each pair as one batched
``np.matmul`` (BLAS) when both sides keep a matrix, ``np.einsum`` when one side is a vector,
and a broadcast multiply when nothing is summed. ``np.einsum`` alone would do, but its
batched contractions (``bhpe,bhme->bhpm``) do not reach BLAS and run 10-50x slower.

An operand is ``(array, labels)``: one label (a rank name) per axis, distinct.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Factor", "Mask", "Operand", "and_masks", "compact", "contract", "masked_sum"]

Operand = tuple[np.ndarray, tuple[str, ...]]
Mask = np.ndarray | None


@dataclass(frozen=True, slots=True)
class Factor:
    """One factor of a product, in canonical layout; ``clean``: 0 wherever absent."""

    arr: np.ndarray
    mask: Mask = None
    clean: bool = False


def and_masks(*masks: Mask) -> Mask:
    present = [m for m in masks if m is not None]
    if not present:
        return None
    out = present[0]
    for m in present[1:]:
        out = np.logical_and(out, m)
    return out


def normalise(mask: Mask) -> Mask:
    """``None`` for a mask that is all True: keeps the fully-present fast path."""
    return None if mask is None or bool(np.all(mask)) else mask


def compact(arr: np.ndarray, labels: Sequence[str]) -> Operand:
    """Drop the axes an array is constant along (size 1, or stride 0 from broadcasting)."""
    arr = np.asarray(arr)
    keep_index: list[int | slice] = []
    kept: list[str] = []
    for axis, label in enumerate(labels):
        if arr.shape[axis] == 1 or (arr.strides[axis] == 0 and arr.shape[axis] > 0):
            keep_index.append(0)
        else:
            keep_index.append(slice(None))
            kept.append(label)
    return arr[tuple(keep_index)], tuple(kept)


# ----------------------------------------------------------------------------- masked sums


def masked_sum(
    terms: Sequence[tuple[int, Sequence[Factor]]],
    ctx: Mask,
    ranks: tuple[str, ...],
    out: tuple[str, ...],
    sizes: Mapping[str, int],
) -> tuple[np.ndarray, Mask]:
    """``Σ(ranks not in out) Σ_t sign_t · Π factors_t`` over present points, and presence.

    A point is present where ``ctx`` and every factor's mask hold (a map is absent where
    anything it reads is); the result is present where any point is. Each term is one
    contraction; the masks of the other terms and ``ctx`` join it as zeroing or 0/1 operands.
    """
    masks = [f.mask for _, term in terms for f in term if f.mask is not None]
    ctx_masks = [] if ctx is None else [ctx]
    presence = _sum_presence([*masks, *ctx_masks], ranks, out, sizes)
    total: np.ndarray | None = None
    for sign, term in terms:
        others = [m for m in masks if not any(m is f.mask for f in term)]
        value = _contract_term(term, [*others, *ctx_masks], ranks, out, sizes)
        value = -value if sign < 0 else value
        total = value if total is None else total + value
    assert total is not None
    return total, presence


def _sum_presence(masks, ranks, out, sizes) -> Mask:
    """Present where any point is: ``any(over) AND(masks)``, without the product space."""
    if any(sizes[r] == 0 for r in ranks if r not in out):
        return np.zeros((1,) * len(out), bool)
    if not masks:
        return None
    ops = [compact(m, ranks) for m in masks]
    if len(ops) == 1:
        arr, labels = ops[0]
        axes = tuple(k for k, r in enumerate(labels) if r not in out)
        arr, labels = np.any(arr, axis=axes), tuple(r for r in labels if r in out)
    else:  # a count of present points, in float32 (exact enough for "> 0", and BLAS)
        arr, labels = contract([(m.astype(np.float32), la) for m, la in ops], out)
        arr = arr > 0
    return normalise(_to_layout(arr, labels, out))


def _contract_term(term: Sequence[Factor], masks, ranks, out, sizes) -> np.ndarray:
    """Σ of the product of ``term`` where every mask holds; absent factor elements are
    zeroed first, so garbage (inf, NaN) at absent points never enters. A non-finite value
    present where another factor or mask may be absent takes the exact path
    (:func:`_exact_term`): zeroing would turn it into ``0 · inf = NaN`` there."""
    arrs = [f.arr if f.mask is None or f.clean else np.where(f.mask, f.arr, 0) for f in term]
    own = [f.mask for f in term]
    if _meets_absence(arrs, own, masks):
        return _exact_term(arrs, [*(m for m in own if m is not None), *masks], ranks, out, sizes)
    return _product_sum(arrs, masks, ranks, out, sizes)


def _meets_absence(arrs: Sequence[np.ndarray], own: Sequence[Mask], masks) -> bool:
    """Whether a factor holds a non-finite value and some other factor's mask (or the
    statement's) may be absent: only those factors are scanned, so the common case (a
    masked weight times a dense value) checks just the small dense side."""
    for i, arr in enumerate(arrs):
        others = bool(masks) or any(m is not None and m is not own[i] for m in own)
        if others and arr.dtype.kind == "f" and not np.isfinite(arr).all():
            return True
    return False


def _exact_term(arrs: Sequence[np.ndarray], masks, ranks, out, sizes) -> np.ndarray:
    """Σ over present points of Π ``arrs`` with IEEE products at present points only.

    A sum that meets a non-finite product is decided by which kinds it met: NaN if any
    product is NaN (a NaN factor, or ``inf · 0``) or both signs of inf are met, else ±inf;
    without any, the finite value. So: the finite value with the non-finite elements
    zeroed (BLAS), plus counts of present points per kind, each a contraction of 0/±1
    indicator operands with the same masks (exact integers in float64, no product space).
    """

    def total(ops: list[np.ndarray]) -> np.ndarray:
        return _product_sum(ops, masks, ranks, out, sizes)

    def each(fn) -> list[np.ndarray]:
        return [fn(a).astype(np.float64) for a in arrs]

    value = total([np.where(np.isfinite(a), a, 0) for a in arrs])
    fin = each(np.isfinite)
    nz = each(lambda a: (a != 0) & ~np.isnan(a))
    fnz = each(lambda a: np.isfinite(a) & (a != 0))
    everywhere = total([])
    n_fin, n_nz, n_fnz = total(fin), total(nz), total(fnz)
    signed = total(each(lambda a: np.where(np.isnan(a), 0, np.sign(a))))
    signed_fin = total(each(lambda a: np.where(np.isfinite(a), np.sign(a), 0)))
    # products that are NaN: present points minus those all non-NaN with no inf or no zero
    n_nan = everywhere - n_fin - n_nz + n_fnz
    n_inf, s_inf = n_nz - n_fnz, signed - signed_fin  # ±inf products, and their sign sum
    pos, neg = (n_inf + s_inf) > 0, (n_inf - s_inf) > 0
    return (
        value
        + np.where(pos, np.inf, 0.0)
        + np.where(neg, -np.inf, 0.0)
        + np.where(n_nan > 0, np.nan, 0.0)
    )


def _product_sum(arrs: Sequence[np.ndarray], masks, ranks, out, sizes) -> np.ndarray:
    """Σ of the product of ``arrs`` (zero where absent) where every mask holds."""
    scale: np.ndarray | None = None
    ops: list[list] = []
    for arr in arrs:
        if arr.ndim == 0:
            scale = arr if scale is None else scale * arr
            continue
        ops.append(list(compact(arr, ranks)))
    for m in masks:
        _fold_mask(ops, compact(m, ranks))
    if not ops:
        ops.append([np.asarray(1, np.int64), ()])
    if scale is not None:  # fold scalars into the smallest operand: one cheap pass
        smallest = min(ops, key=lambda op: op[0].size)
        smallest[0] = smallest[0] * scale
    arr, labels = contract([(op[0], op[1]) for op in ops], out)
    covered = {label for _, la in ops for label in la}
    # a reduced rank that no operand varies along: every point of it counts once
    count = math.prod(sizes[r] for r in ranks if r not in out and r not in covered)
    arr = arr * count if count != 1 else arr
    return _to_layout(arr, labels, out)


def _fold_mask(ops: list[list], mask: Operand) -> None:
    """Zero the smallest operand spanning the mask's ranks where it is False, or add the
    mask as a 0/1 operand when none spans them."""
    m, labels = mask
    spanning = [op for op in ops if set(labels) <= set(op[1])]
    if spanning:
        op = min(spanning, key=lambda o: o[0].size)
        arr, la = op
        # both label tuples are in canonical order: the mask only needs its missing axes
        m = m.reshape([arr.shape[k] if r in labels else 1 for k, r in enumerate(la)])
        op[0] = np.where(m, arr, 0)
        return
    dtype = np.result_type(*(op[0] for op in ops)) if ops else np.dtype(np.float64)
    ops.append([m.astype(dtype), labels])


def _to_layout(arr: np.ndarray, labels: tuple[str, ...], out: tuple[str, ...]) -> np.ndarray:
    """Labelled result → ``out`` layout (size-1 axes for ranks it does not vary along)."""
    shape = [arr.shape[labels.index(r)] if r in labels else 1 for r in out]
    return np.asarray(arr).reshape(shape)


# ----------------------------------------------------------------------------- contraction


def contract(operands: Sequence[Operand], out: Sequence[str]) -> Operand:
    """Sum over every label not in ``out`` of the product of ``operands``.

    The result is labelled by the labels of ``out`` that some operand has, in ``out``
    order; a label of ``out`` that no operand has is the caller's to broadcast.
    """
    assert operands, "contract needs at least one operand"
    keep_out = set(out)
    ops = [
        _sum_unshared(a, la, keep_out | _labels(operands, skip=i))
        for i, (a, la) in enumerate(operands)
    ]
    while len(ops) > 1:
        i, j = _cheapest_pair(ops, keep_out)
        rest = [op for k, op in enumerate(ops) if k not in (i, j)]
        keep = keep_out | _labels(rest)
        ops = [*rest, _contract_pair(ops[i], ops[j], keep)]
    arr, labels = _sum_unshared(*ops[0], keep_out)
    order = tuple(label for label in out if label in labels)
    return np.transpose(arr, [labels.index(label) for label in order]), order


def _labels(ops: Sequence[Operand], skip: int = -1) -> set[str]:
    return {label for k, (_, la) in enumerate(ops) if k != skip for label in la}


def _sum_unshared(arr: np.ndarray, labels: tuple[str, ...], keep: set[str]) -> Operand:
    """Sum out the labels that nothing later needs (cheapest place to do it: first)."""
    axes = tuple(k for k, label in enumerate(labels) if label not in keep)
    if not axes:
        return arr, labels
    return np.sum(arr, axis=axes), tuple(label for label in labels if label in keep)


def _cheapest_pair(ops: Sequence[Operand], keep_out: set[str]) -> tuple[int, int]:
    """The pair whose contraction leaves the smallest intermediate (ties: first pair)."""
    best: tuple[int, int, int] | None = None
    for i in range(len(ops)):
        for j in range(i + 1, len(ops)):
            keep = keep_out | _labels([op for k, op in enumerate(ops) if k not in (i, j)])
            size = math.prod(n for label, n in _extents(ops[i], ops[j]).items() if label in keep)
            if best is None or size < best[0]:
                best = (size, i, j)
    assert best is not None
    return best[1], best[2]


def _extents(*ops: Operand) -> dict[str, int]:
    return {label: n for arr, la in ops for label, n in zip(la, arr.shape, strict=True)}


def _contract_pair(a: Operand, b: Operand, keep: set[str]) -> Operand:
    """``a * b`` summed over the shared labels not in ``keep``."""
    (x, lx), (y, ly) = _sum_unshared(*a, keep | set(b[1])), _sum_unshared(*b, keep | set(a[1]))
    ext = _extents((x, lx), (y, ly))
    batch = [label for label in lx if label in ly and label in keep]
    summed = [label for label in lx if label in ly and label not in keep]
    left = [label for label in lx if label not in ly]
    right = [label for label in ly if label not in lx]
    nl, nr = math.prod(ext[k] for k in left), math.prod(ext[k] for k in right)
    if not summed:
        return _outer(x, lx, y, ly, batch, left, right)
    if min(nl, nr) < 4:
        return _einsum_pair(x, lx, y, ly, [*batch, *left, *right])
    return _matmul_pair(x, lx, y, ly, batch, summed, left, right, ext)


def _outer(x, lx, y, ly, batch, left, right) -> Operand:
    """Nothing summed: a broadcast multiply, labelled batch + left + right."""
    xs = np.transpose(x, [lx.index(k) for k in (*batch, *left)])
    ys = np.transpose(y, [ly.index(k) for k in (*batch, *right)])
    xs = xs.reshape(xs.shape + (1,) * len(right))
    ys = ys.reshape(ys.shape[: len(batch)] + (1,) * len(left) + ys.shape[len(batch) :])
    return np.multiply(xs, ys), (*batch, *left, *right)


def _einsum_pair(x, lx, y, ly, out: list[str]) -> Operand:
    letters = {label: string.ascii_letters[k] for k, label in enumerate({*lx, *ly})}
    spec = "{},{}->{}".format(*("".join(letters[k] for k in ls) for ls in (lx, ly, out)))
    return np.einsum(spec, x, y), tuple(out)


def _matmul_pair(x, lx, y, ly, batch, summed, left, right, ext) -> Operand:
    """Batched BLAS: ``[batch, left, summed] @ [batch, summed, right]``."""
    nb, nk = math.prod(ext[k] for k in batch), math.prod(ext[k] for k in summed)
    nl, nr = math.prod(ext[k] for k in left), math.prod(ext[k] for k in right)
    xm = np.transpose(x, [lx.index(k) for k in (*batch, *left, *summed)]).reshape(nb, nl, nk)
    ym = np.transpose(y, [ly.index(k) for k in (*batch, *summed, *right)]).reshape(nb, nk, nr)
    shape = tuple(ext[k] for k in (*batch, *left, *right))
    return np.matmul(xm, ym).reshape(shape), (*batch, *left, *right)
