"""The reference interpreter against independent torch / numpy formulations.

Every reference here is written separately from the interpreter: attention through
``torch.nn.functional.scaled_dot_product_attention`` in float64 with an explicit boolean
mask (fully masked rows set to 0, which is what the language defines), gathers through
torch indexing, integer semantics through Python's ``//`` and ``%``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np
import pytest
import torch

import attncc.ir._interp_contract as contract_mod
import attncc.ir.interpreter as interp_mod
from attncc.errors import ArgumentError
from attncc.errors import BoundsError
from attncc.errors import ShapeError
from attncc.ir.builder import ProgramBuilder
from attncc.ir.builder import cast
from attncc.ir.builder import exp
from attncc.ir.builder import select
from attncc.ir.builder import sigmoid
from attncc.ir.builder import sqrt
from attncc.ir.builder import tanh
from attncc.ir.interpreter import interpret
from attncc.ir.interpreter import plan_chunks
from attncc.ir.nodes import Program
from attncc.ir.validate import validate

RNG = np.random.default_rng(20240611)


def randn(*shape: int, dtype=np.float32) -> np.ndarray:
    return RNG.standard_normal(shape).astype(dtype)


# ----------------------------------------------------------------------------- programs


def softmax_attention(
    *, gqa: bool = False, where=None, softcap: bool = False, name: str = "attn"
) -> Program:
    """The DESIGN §2 cascade; ``where(b, h, p, m)`` builds the filter from rank names."""
    pb = ProgramBuilder(name)
    Q = pb.input("Q", "b h p e")
    K = pb.input("K", "b g m e" if gqa else "b h m e")
    V = pb.input("V", "b g m f" if gqa else "b h m f")
    b, h, p, m, e, f, g = pb.ranks("b h p m e f g")
    G = pb.let("G", h / g) if gqa else None
    kh = h / G if gqa else h
    scale = pb.let("scale", 1 / sqrt(e))
    S = pb.sum("S", [b, h, p, m], Q[b, h, p, e] * K[b, kh, m, e] * scale, over=[e])
    value = S[b, h, p, m]
    if softcap:
        cap = pb.param("cap", "f32", 50.0)
        value = cap * tanh(value / cap)
    T = pb.stmt("T", [b, h, p, m], value, where=None if where is None else where(b, h, p, m))
    MX = pb.max("MX", [b, h, p], T[b, h, p, m], over=[m])
    E = pb.stmt("E", [b, h, p, m], exp(T[b, h, p, m] - MX[b, h, p]))
    L = pb.sum("L", [b, h, p], E[b, h, p, m], over=[m])
    O = pb.sum("O", [b, h, p, f], E[b, h, p, m] * V[b, kh, m, f] / L[b, h, p], over=[m])
    pb.output(O)
    return pb.build()


def sdpa(q, k, v, mask=None, *, scale=None, score=None) -> np.ndarray:
    """float64 reference; rows with no allowed key are 0 (the language's absent rows)."""
    q, k, v = (torch.as_tensor(np.asarray(x, np.float64)) for x in (q, k, v))
    if q.ndim == 4 and k.shape[1] != q.shape[1]:  # GQA: query head h reads key head h / G
        k = k.repeat_interleave(q.shape[1] // k.shape[1], dim=1)
        v = v.repeat_interleave(q.shape[1] // v.shape[1], dim=1)
    scale = q.shape[-1] ** -0.5 if scale is None else scale
    if score is not None:  # a score modification: plain math, then softmax
        s = score(q @ k.transpose(-1, -2) * scale)
        if mask is not None:
            s = s.masked_fill(~mask, -torch.inf)
        out = torch.softmax(s, dim=-1) @ v
    else:
        out = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=scale)
    if mask is not None:
        empty = ~torch.broadcast_to(mask, (*out.shape[:-1], k.shape[-2])).any(-1)
        out = out.masked_fill(empty[..., None], 0.0)
    return out.numpy()


def close(a, b, tol=2e-6) -> None:
    """Outputs are float32: compare to a float64 reference at float32 resolution."""
    np.testing.assert_allclose(np.asarray(a, np.float64), b, rtol=tol, atol=tol)


# ----------------------------------------------------------------------------- attention


def test_dense_mha_matches_sdpa() -> None:
    q, k, v = randn(2, 3, 16, 8), randn(2, 3, 20, 8), randn(2, 3, 20, 6)
    out = interpret(softmax_attention(), Q=q, K=k, V=v)
    assert out.dtype == np.float32 and out.shape == (2, 3, 16, 6)
    close(out, sdpa(q, k, v))


def test_causal_and_torch_inputs() -> None:
    q, k, v = randn(1, 2, 24, 16), randn(1, 2, 24, 16), randn(1, 2, 24, 16)
    prog = softmax_attention(where=lambda b, h, p, m: p >= m)
    mask = torch.ones(24, 24, dtype=torch.bool).tril()
    out = interpret(prog, Q=torch.from_numpy(q), K=torch.from_numpy(k), V=v)
    close(out, sdpa(q, k, v, mask))


def test_gqa_head_mapping() -> None:
    q, k, v = randn(2, 8, 12, 16), randn(2, 2, 15, 16), randn(2, 2, 15, 4)
    mask = torch.ones(12, 15, dtype=torch.bool).tril(diagonal=3)
    prog = softmax_attention(gqa=True, where=lambda b, h, p, m: m <= p + 3)
    close(interpret(prog, Q=q, K=k, V=v), sdpa(q, k, v, mask))


@pytest.mark.filterwarnings("error")
def test_sliding_window_with_empty_rows_gives_zero_not_nan() -> None:
    # keys before position 6 are dropped, so the rows p < 6 have no key at all
    q, k, v = randn(1, 2, 20, 8), randn(1, 2, 20, 8), randn(1, 2, 20, 8)
    prog = softmax_attention(where=lambda b, h, p, m: (p >= m) & (p - m < 4) & (m >= 6))
    pos = torch.arange(20)
    mask = (pos[:, None] >= pos) & (pos[:, None] - pos < 4) & (pos >= 6)
    out = interpret(prog, Q=q, K=k, V=v)
    assert np.isfinite(out).all()
    assert (out[:, :, :6] == 0).all() and (out[:, :, 6:] != 0).all()
    close(out, sdpa(q, k, v, mask))


def test_single_query_decode_with_offset() -> None:
    # causal with a query offset: the query sits at position m - p + its index
    pb = ProgramBuilder("decode")
    Q, K, V = pb.input("Q", "h p e"), pb.input("K", "h m e"), pb.input("V", "h m f")
    h, p, m, e, f = pb.ranks("h p m e f")
    off = pb.let("off", m - p)  # extents: rank names in a let are sizes
    S = pb.sum("S", [h, p, m], Q[h, p, e] * K[h, m, e] * 0.25, over=[e], where=m <= p + off)
    MX = pb.max("MX", [h, p], S[h, p, m], over=[m])
    E = pb.stmt("E", [h, p, m], exp(S[h, p, m] - MX[h, p]))
    L = pb.sum("L", [h, p], E[h, p, m], over=[m])
    O = pb.sum("O", [h, p, f], E[h, p, m] * V[h, m, f] / L[h, p], over=[m])
    pb.output(O)
    q, k, v = randn(4, 1, 16), randn(4, 33, 16), randn(4, 33, 8)
    out = interpret(pb.build(), Q=q, K=k, V=v)
    assert out.shape == (4, 1, 8)
    close(out, sdpa(q[None], k[None], v[None], scale=0.25)[0])


def test_odd_shapes_with_softcap_param_default_and_override() -> None:
    q, k, v = randn(1, 3, 37, 24) * 4, randn(1, 3, 53, 24) * 4, randn(1, 3, 53, 11)
    prog = softmax_attention(softcap=True, where=lambda b, h, p, m: p + 16 >= m)
    mask = torch.ones(37, 53, dtype=torch.bool).tril(diagonal=16)
    for cap, kwargs in ((50.0, {}), (2.5, {"cap": 2.5}), (3.0, {"cap": 3})):
        out = interpret(prog, Q=q, K=k, V=v, **kwargs)
        close(out, sdpa(q, k, v, mask, score=lambda s, c=cap: c * torch.tanh(s / c)))
    assert not np.allclose(interpret(prog, Q=q, K=k, V=v), interpret(prog, Q=q, K=k, V=v, cap=2.5))


def test_paged_kv_through_a_page_table() -> None:
    P, pages = 4, 12  # slots per page, pages in the cache
    pb = ProgramBuilder("paged")
    Q = pb.input("Q", "b h p e")
    KC, VC = pb.input("KC", "n s h e"), pb.input("VC", "n s h f")
    PT, LEN = pb.input("PT", "b j", "i32"), pb.input("LEN", "b", "i32")
    b, h, p, m, e, f, s = pb.ranks("b h p m e f s")
    pb.rank("m", pb.rank("j") * s)
    P_ = pb.let("P", s)  # in a let, s is the extent: slots per page
    S = pb.sum(
        "S",
        [b, h, p, m],
        Q[b, h, p, e] * KC[PT[b, m / P_], m % P_, h, e] * 0.5,
        over=[e],
        where=m < LEN[b],
    )
    MX = pb.max("MX", [b, h, p], S[b, h, p, m], over=[m])
    E = pb.stmt("E", [b, h, p, m], exp(S[b, h, p, m] - MX[b, h, p]))
    L = pb.sum("L", [b, h, p], E[b, h, p, m], over=[m])
    # O reads the cache through the table too, so it needs the same guard: bounds are
    # checked wherever a statement's own filter holds
    O = pb.sum(
        "O",
        [b, h, p, f],
        E[b, h, p, m] * VC[PT[b, m / P_], m % P_, h, f] / L[b, h, p],
        over=[m],
        where=m < LEN[b],
    )
    pb.output(O)
    kc, vc, q = randn(pages, P, 2, 8), randn(pages, P, 2, 8), randn(3, 2, 5, 8)
    lens = np.array([9, 16, 1], np.int32)
    pt = np.full((3, 4), -1, np.int32)  # -1: an unused page, never read at a present point
    pt[0, :3] = [5, 0, 7]
    pt[1, :] = [11, 2, 3, 9]
    pt[2, :1] = [4]
    out = interpret(pb.build(), Q=q, KC=kc, VC=vc, PT=pt, LEN=lens)
    for i, n in enumerate(lens):  # torch gathers the pages of each sequence
        table = torch.as_tensor(pt[i, : -(-n // P)], dtype=torch.long)
        k = torch.as_tensor(kc)[table].reshape(-1, 2, 8)[:n].permute(1, 0, 2)
        vv = torch.as_tensor(vc)[table].reshape(-1, 2, 8)[:n].permute(1, 0, 2)
        ref = sdpa(q[i : i + 1], k[None].numpy(), vv[None].numpy(), scale=0.5)
        close(out[i : i + 1], ref)


def test_int8_kv_dequantised_with_per_token_scale() -> None:
    pb = ProgramBuilder("int8_kv")
    Q, K8 = pb.input("Q", "h p e"), pb.input("K8", "h m e", "i8")
    KS, V = pb.input("KS", "h m"), pb.input("V", "h m f", "f16")
    h, p, m, e, f = pb.ranks("h p m e f")
    S = pb.sum("S", [h, p, m], Q[h, p, e] * cast(K8[h, m, e], "f32") * KS[h, m], over=[e])
    MX = pb.max("MX", [h, p], S[h, p, m], over=[m])
    E = pb.stmt("E", [h, p, m], exp(S[h, p, m] - MX[h, p]))
    L = pb.sum("L", [h, p], E[h, p, m], over=[m])
    O = pb.sum("O", [h, p, f], E[h, p, m] * V[h, m, f] / L[h, p], over=[m])
    pb.output(O)
    q = randn(2, 7, 16)
    k8 = RNG.integers(-128, 128, size=(2, 9, 16), dtype=np.int8)
    ks = (RNG.random((2, 9)) * 0.02).astype(np.float32)
    v = randn(2, 9, 8).astype(np.float16)
    out = interpret(pb.build(), Q=q, K8=k8, KS=ks, V=v)
    k = k8.astype(np.float64) * ks[..., None]
    close(out, sdpa(q[None], k[None], v[None], scale=1.0)[0])


def test_sigmoid_attention_and_alibi_with_select() -> None:
    pb = ProgramBuilder("sigmoid_alibi")
    Q, K, V = pb.input("Q", "h p e"), pb.input("K", "h m e"), pb.input("V", "h m f")
    SL = pb.input("SLOPE", "h")
    h, p, m, e, f = pb.ranks("h p m e f")
    S = pb.sum("S", [h, p, m], Q[h, p, e] * K[h, m, e], over=[e])
    B = pb.stmt("B", [h, p, m], S[h, p, m] - SL[h] * cast(p - m, "f32"))
    O = pb.sum("O", [h, p, f], select(p >= m, sigmoid(B[h, p, m]), 0.0) * V[h, m, f], over=[m])
    pb.output(O)
    q, k, v, sl = randn(2, 6, 4), randn(2, 6, 4), randn(2, 6, 3), np.array([0.5, 0.25], np.float32)
    out = interpret(pb.build(), Q=q, K=k, V=v, SLOPE=sl)
    qt, kt, vt = (torch.as_tensor(x, dtype=torch.float64) for x in (q, k, v))
    pos = torch.arange(6)
    bias = torch.as_tensor(sl, dtype=torch.float64)[:, None, None] * (pos[:, None] - pos)
    w = torch.sigmoid(qt @ kt.transpose(-1, -2) - bias) * (pos[:, None] >= pos)
    close(out, (w @ vt).numpy())


def test_multiple_outputs_and_program_text() -> None:
    text = textwrap.dedent(
        """\
        program partial_state
        input  Q[p, e] : f32
        input  K[m, e] : f32
        S[p, m]  = sum(e) Q[p, e] * K[m, e]  where m <= p
        MX[p]    = max(m) S[p, m]
        L[p]     = sum(m) exp(S[p, m] - MX[p])
        output MX, L
        """
    )
    q, k = randn(5, 3), randn(5, 3)
    out = interpret(text, Q=q, K=k)
    assert isinstance(out, dict) and list(out) == ["MX", "L"]
    s = np.where(
        np.tril(np.ones((5, 5), bool)), q.astype(np.float64) @ k.T.astype(np.float64), -np.inf
    )
    close(out["MX"], s.max(1))
    close(out["L"], np.exp(s - s.max(1, keepdims=True)).sum(1))


# ----------------------------------------------------------------------------- chunk ranks


def split_kv_decode() -> Program:
    """Split-KV decode: partial (max, sum, out) states per key chunk c, then their merge."""
    pb = ProgramBuilder("split_kv")
    Q, K, V = pb.input("Q", "h e"), pb.input("K", "h m e"), pb.input("V", "h m f")
    h, e, f, m = pb.ranks("h e f m")
    N = pb.let("N", 16)
    M = pb.let("M", m)
    c = pb.rank("c", (m + N - 1) / N)
    n = pb.rank("n", N)
    key = c * N + n
    S = pb.sum("S", [h, c, n], Q[h, e] * K[h, key, e] * 0.25, over=[e], where=key < M)
    MXp = pb.max("MXp", [h, c], S[h, c, n], over=[n])
    Ep = pb.stmt("Ep", [h, c, n], exp(S[h, c, n] - MXp[h, c]))
    Lp = pb.sum("Lp", [h, c], Ep[h, c, n], over=[n])
    Op = pb.sum("Op", [h, c, f], Ep[h, c, n] * V[h, key, f], over=[n], where=key < M)
    MX = pb.max("MX", [h], MXp[h, c], over=[c])
    W = pb.stmt("W", [h, c], exp(MXp[h, c] - MX[h]))
    L = pb.sum("L", [h], W[h, c] * Lp[h, c], over=[c])
    O = pb.sum("O", [h, f], W[h, c] * Op[h, c, f] / L[h], over=[c])
    pb.output(O)
    return pb.build()


def test_declared_chunk_rank_with_guarded_access() -> None:
    q, k, v = randn(3, 8), randn(3, 53, 8), randn(3, 53, 5)  # 53 keys: the last chunk is partial
    out = interpret(split_kv_decode(), Q=q, K=k, V=v)
    close(out, sdpa(q[None, :, None], k[None], v[None], scale=0.25)[0, :, 0])


def chunk_sums(*, guard: bool) -> Program:
    """Sums of X in chunks of 4; the last chunk reads past X unless guarded."""
    pb = ProgramBuilder("chunk_sums")
    X = pb.input("X", "m")
    m = pb.rank("m")
    M = pb.let("M", m)
    c, n = pb.rank("c", (m + 3) / 4), pb.rank("n", 4)
    pb.output(pb.sum("P", [c], X[c * 4 + n], over=[n], where=(c * 4 + n < M) if guard else None))
    return pb.build()


def test_guarded_access_is_legal_and_unguarded_is_a_bounds_error() -> None:
    x = randn(10)
    close(interpret(chunk_sums(guard=True), X=x), np.add.reduceat(x.astype(np.float64), [0, 4, 8]))
    with pytest.raises(BoundsError) as err:
        interpret(chunk_sums(guard=False), X=x)
    msg = str(err.value)
    assert "`X[c * 4 + n]`" in msg and "= 10" in msg and "dim 0 of X (rank m)" in msg
    assert "extent 10" in msg and "c=2" in msg and "n=2" in msg


def test_oob_through_an_index_tensor_at_a_present_point() -> None:
    pb = ProgramBuilder("gather")
    X, I = pb.input("X", "n"), pb.input("I", "j", "i32")
    j = pb.rank("j")
    pb.output(pb.stmt("Y", [j], X[I[j]]))
    x = randn(5)
    close(interpret(pb.build(), X=x, I=np.array([4, 0, 2], np.int32)), x[[4, 0, 2]])
    with pytest.raises(BoundsError, match=r"= -1 .*extent 5"):
        interpret(pb.build(), X=x, I=np.array([4, -1, 2], np.int32))


def test_chunked_and_whole_evaluation_agree(monkeypatch) -> None:
    q, k, v = randn(1, 2, 40, 8), randn(1, 2, 40, 8), randn(1, 2, 40, 8)
    prog = softmax_attention(gqa=False, where=lambda b, h, p, m: p >= m)
    whole = interpret(prog, Q=q, K=k, V=v)
    info = validate(prog)
    extents = {"b": 1, "h": 2, "p": 40, "m": 40, "e": 8, "f": 8}
    assert plan_chunks(prog, info, extents).rank is None
    monkeypatch.setattr(interp_mod, "CHUNK_ELEMS", 700)
    plan = plan_chunks(prog, info, extents)
    assert plan.rank == "p" and 1 <= plan.size < 40
    np.testing.assert_array_equal(interpret(prog, Q=q, K=k, V=v), whole)
    split = split_kv_decode()  # chunking rank f of the merge must also agree
    q2, k2, v2 = randn(3, 8), randn(3, 53, 8), randn(3, 53, 40)
    monkeypatch.setattr(interp_mod, "CHUNK_ELEMS", 1 << 25)
    ref = interpret(split, Q=q2, K=k2, V=v2)
    monkeypatch.setattr(interp_mod, "CHUNK_ELEMS", 50)
    np.testing.assert_allclose(interpret(split, Q=q2, K=k2, V=v2), ref, rtol=1e-6)


def test_chunk_rank_choice() -> None:
    prog = softmax_attention(where=lambda b, h, p, m: p >= m)
    ext = {"b": 1, "h": 8, "p": 64, "m": 64, "e": 8, "f": 8}
    assert interp_mod.chunk_rank(prog, validate(prog), ext) == "p"
    pb = ProgramBuilder("shifted")  # a read at p - 1 disqualifies p; h stays eligible
    X = pb.input("X", "h p")
    h, p = pb.ranks("h p")
    Y = pb.stmt("Y", [h, p], X[h, p] * 2.0)
    pb.output(pb.stmt("Z", [h, p], Y[h, (p + 1) % 4]))
    prog = pb.build()
    assert interp_mod.chunk_rank(prog, validate(prog), {"h": 3, "p": 4}) == "h"


# ----------------------------------------------------------------------------- contraction


def test_contraction_never_builds_the_product_space(monkeypatch) -> None:
    pb = ProgramBuilder("wide")
    A, B = pb.input("A", "p e"), pb.input("B", "m e")
    p, m, e = pb.ranks("p m e")
    pb.output(pb.sum("S", [p, m], A[p, e] * B[m, e] * 0.5, over=[e]))
    a, b = randn(64, 50_000), randn(64, 50_000)  # product space: 64·64·50000 float64 = 1.6 GB
    calls = []
    real = contract_mod._matmul_pair
    monkeypatch.setattr(contract_mod, "_matmul_pair", lambda *x: calls.append(x[1]) or real(*x))
    tracemalloc.start()
    out = interpret(pb.build(), A=a, B=b)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert calls == [("p", "e")], "the contraction goes through one batched BLAS matmul"
    assert peak < 200 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    close(out, a.astype(np.float64) @ b.T.astype(np.float64) * 0.5, tol=1e-5)


def test_sum_of_terms_respects_every_factors_absence() -> None:
    pb = ProgramBuilder("terms")
    X, Y = pb.input("X", "p m"), pb.input("Y", "m")
    p, m = pb.ranks("p m")
    A = pb.stmt("A", [p, m], X[p, m], where=p >= m)  # absent above the diagonal
    pb.output(pb.sum("R", [p], A[p, m] * 2.0 + Y[m] - 1, over=[m]))
    x, y = randn(4, 6), randn(6)
    lower = np.tril(np.ones((4, 6), bool))
    ref = np.where(lower, x.astype(np.float64) * 2 + y - 1, 0).sum(1)
    close(interpret(pb.build(), X=x, Y=y), ref)


@pytest.mark.filterwarnings("error")
def test_garbage_at_filtered_points_never_leaks() -> None:
    pb = ProgramBuilder("overflow_above_diagonal")
    X, V = pb.input("X", "p m"), pb.input("V", "m")
    p, m = pb.ranks("p m")
    pb.output(
        pb.sum("Y", [p], exp(X[p, m]) * V[m], over=[m], where=m <= p),
        pb.max("Z", [p], exp(X[p, m]), over=[m], where=m <= p),
    )
    x, v = randn(5, 5), randn(5)
    x[np.triu_indices(5, 1)] = 1e4  # exp overflows to inf, only where the filter is false
    out = interpret(pb.build(), X=x, V=v)
    lower = np.tril(np.ones((5, 5), bool))
    e = np.exp(np.where(lower, x.astype(np.float64), 0.0))
    close(out["Y"], np.where(lower, e * v, 0).sum(1))
    close(out["Z"], np.where(lower, e, -np.inf).max(1))


# ----------------------------------------------------------------------------- non-finite values
#
# An absent element takes no part in arithmetic: a NaN / inf in a present factor at a point
# where another factor (or the filter) is absent contributes nothing. The references build
# the whole product space in plain numpy, multiply there (IEEE), and sum only the present
# points: nothing shared with the interpreter's contraction.


def brute_sum(factors, present, axes) -> np.ndarray:
    """Σ over ``axes`` of the product of broadcast ``factors`` at ``present`` points."""
    with np.errstate(all="ignore"):
        prod = np.ones(np.broadcast_shapes(*(np.shape(f) for f in factors)))
        for f in factors:
            prod = prod * np.asarray(f, np.float64)
        prod, present = np.broadcast_arrays(prod, present)
        return np.where(present, prod, 0.0).sum(axis=axes)


def same_nonfinite(got, want) -> None:
    """NaN and ±inf at exactly the same places; finite values close."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.isposinf(got), np.isposinf(want))
    np.testing.assert_array_equal(np.isneginf(got), np.isneginf(want))
    fin = np.isfinite(want)
    np.testing.assert_allclose(got[fin], want[fin], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("c", [2.0, np.inf, -np.inf, np.nan])
def test_nonfinite_factors_at_absent_points_contribute_nothing(c) -> None:
    pb = ProgramBuilder("masked_weight_times_value")
    X, V = pb.input("X", "p m"), pb.input("V", "m f")
    cap = pb.param("c", "f32", 1.0)
    p, m, f = pb.ranks("p m f")
    A = pb.stmt("A", [p, m], X[p, m], where=m <= p)  # absent above the diagonal
    pb.output(pb.sum("Y", [p, f], A[p, m] * V[m, f] * cap, over=[m]))
    x, v = randn(6, 6), randn(6, 3)
    x[4, 2] = 0.0  # a present zero: 0 · inf is NaN there, as IEEE says
    v[2, 0], v[3, 1], v[4, 2], v[5, 0] = np.nan, np.inf, -np.inf, np.inf
    lower = np.tril(np.ones((6, 6), bool))
    want = brute_sum([x[:, :, None], v[None], c], lower[:, :, None], axes=1)
    got = interpret(pb.build(), X=x, V=v, c=c)
    same_nonfinite(got, want)
    if np.isfinite(c):  # rows above the bad keys stay finite, whatever V holds there
        assert np.isfinite(got[:2]).all() and np.isnan(got[2:, 0]).all()


def test_nonfinite_values_with_masks_on_several_factors_and_terms() -> None:
    pb = ProgramBuilder("two_terms_three_masks")
    X, B, W, U = pb.input("X", "p m"), pb.input("B", "m n"), pb.input("W", "n"), pb.input("U", "n")
    p, m, n = pb.ranks("p m n")
    A = pb.stmt("A", [p, m], X[p, m], where=m <= p)
    C = pb.stmt("C", [m, n], B[m, n], where=(m + n) % 3 > 0)
    value = A[p, m] * C[m, n] * W[n] - A[p, m] * U[n]
    pb.output(pb.sum("Z", [p], value, over=[m, n], where=n <= p + 1))
    x, b = np.abs(randn(7, 7)) + 0.1, np.abs(randn(7, 5)) + 0.1  # positive: inf keeps its sign
    w, u = randn(5), randn(5)
    w[2], u[4] = np.inf, np.nan  # reached by rows p >= 1 and p >= 3 (the filter n <= p + 1)
    x[0, 5], b[1, 2] = np.nan, np.inf  # garbage where A and C are absent: never read
    prog = pb.build()
    pi, mi, ni = np.ogrid[:7, :7, :5]
    present = (mi <= pi) & ((mi + ni) % 3 != 0) & (ni <= pi + 1)
    first = brute_sum([x[:, :, None], b[None], w[None, None]], present, axes=(1, 2))
    present2 = (mi <= pi) & (ni <= pi + 1) & np.ones((1, 1, 5), bool)
    present2 = present2 & ((mi + ni) % 3 != 0)  # a map is absent where anything it reads is
    second = brute_sum([x[:, :, None], u[None, None]], present2, axes=(1, 2))
    with np.errstate(invalid="ignore"):
        want = first - second
    got = interpret(prog, X=x, B=b, W=w, U=u)
    same_nonfinite(got, want)
    assert np.isfinite(got[0]) and np.isposinf(got[1:3]).all() and np.isnan(got[3:]).all()


def test_nan_and_inf_in_v_reach_exactly_the_rows_that_attend_to_them() -> None:
    prog = softmax_attention(where=lambda b, h, p, m: p >= m)
    q, k, v = randn(1, 2, 9, 8), randn(1, 2, 9, 8), randn(1, 2, 9, 4)
    v[0, 0, 3, 1], v[0, 1, 5, 2], v[0, 1, 6, 3] = np.nan, np.inf, -np.inf
    got = interpret(prog, Q=q, K=k, V=v)
    s = torch.from_numpy(q.astype(np.float64)) @ torch.from_numpy(k.astype(np.float64)).mT
    s = s / np.sqrt(8)
    want = np.zeros((1, 2, 9, 4))
    for h in range(2):
        for row in range(9):  # the visible keys alone: softmax, then the weighted sum (IEEE)
            w = torch.softmax(s[0, h, row, : row + 1], dim=-1).numpy()
            with np.errstate(invalid="ignore"):
                want[0, h, row] = (w[:, None] * v[0, h, : row + 1].astype(np.float64)).sum(0)
    same_nonfinite(got, want)
    assert np.isfinite(got[0, 0, :3]).all() and np.isnan(got[0, 0, 3:, 1]).all()
    assert np.isposinf(got[0, 1, 5, 2]) and np.isfinite(got[0, 1, :5]).all()


def test_finite_sums_keep_the_fast_path(monkeypatch) -> None:
    calls, exact = [], contract_mod._exact_term

    def spy(*args):
        calls.append(args)
        return exact(*args)

    monkeypatch.setattr(contract_mod, "_exact_term", spy)
    prog = softmax_attention(where=lambda b, h, p, m: p >= m)
    q, k, v = randn(1, 2, 9, 8), randn(1, 2, 9, 8), randn(1, 2, 9, 4)
    interpret(prog, Q=q, K=k, V=v)
    assert not calls  # finite data: BLAS only
    v[0, 0, 3, 1] = np.nan  # a NaN in V meets E's absent points: the exact path
    assert np.isfinite(interpret(prog, Q=q, K=k, V=v)[0, 0, :3]).all()
    assert len(calls) == 1


def test_a_filter_conjunct_guards_the_reads_after_it() -> None:
    pb = ProgramBuilder("guarded_filter")
    X, I = pb.input("X", "n"), pb.input("I", "j", "i32")
    n, j = pb.ranks("n j")
    N = pb.let("N", n)
    pb.output(pb.stmt("Y", [j], X[I[j]] * 2.0, where=(I[j] < N) & (X[I[j]] > 0.0)))
    x, i = np.array([1.0, -1.0, 3.0], np.float32), np.array([0, 5, 1, 2], np.int32)
    close(interpret(pb.build(), X=x, I=i), [2.0, 0.0, 0.0, 6.0])


# ----------------------------------------------------------------------------- integers, casts


def test_floor_division_and_modulo_with_negatives() -> None:
    pb = ProgramBuilder("intdiv")
    p, m = pb.rank("p", 5), pb.rank("m", 9)  # no inputs: declared ranks give the extents
    D = pb.stmt("D", [p, m], (p - m) / 3)
    R = pb.stmt("R", [p, m], (p - m) % 3)
    F = pb.stmt("F", [p, m], (p - m) / 3.0)
    N = pb.stmt("N", [p, m], (p - m) / -4)
    pb.output(D, R, F, N)
    out = interpret(pb.build())
    d = np.subtract.outer(np.arange(5), np.arange(9))
    assert out["D"].dtype == np.int32 and out["F"].dtype == np.float32
    np.testing.assert_array_equal(out["D"], [[x // 3 for x in row] for row in d.tolist()])
    np.testing.assert_array_equal(out["R"], [[x % 3 for x in row] for row in d.tolist()])
    np.testing.assert_array_equal(out["N"], [[x // -4 for x in row] for row in d.tolist()])
    close(out["F"], d / 3.0)


def test_casts_round_and_wrap() -> None:
    pb = ProgramBuilder("casts")
    X = pb.input("X", "n")
    n = pb.rank("n")
    pb.output(
        pb.stmt("H", [n], cast(cast(X[n], "f16"), "f32")),
        pb.stmt("B", [n], cast(X[n], "bf16")),
        pb.stmt("I", [n], cast(X[n], "i32")),
        pb.stmt("J", [n], cast(cast(X[n], "i32"), "i8"), dtype="i8"),
        pb.stmt("H16", [n], cast(X[n] * 2.0, "f16"), dtype="f16"),
    )
    x = np.array([0.1, -2.7, 2.7, 200.0, 65519.0, 1e6, 1.00390625, -3.5], np.float32)
    out = interpret(pb.build(), X=x)
    with np.errstate(over="ignore"):  # 1e6 overflows f16 to inf, as it should
        h, h16 = x.astype(np.float16), (x * 2).astype(np.float16)
    np.testing.assert_array_equal(out["H"], h.astype(np.float32))
    assert out["H16"].dtype == np.float16  # the declared dtype, not the compute type
    np.testing.assert_array_equal(out["H16"], h16)
    np.testing.assert_array_equal(out["B"], torch.from_numpy(x).bfloat16().float().numpy())
    np.testing.assert_array_equal(out["I"], [0, -2, 2, 200, 65519, 1000000, 1, -3])
    np.testing.assert_array_equal(out["J"], [0, -2, 2, -56, -17, 64, 1, -3])
    assert out["I"].dtype == np.int32 and out["J"].dtype == np.int8


def test_bf16_rounding_is_exact_from_float64() -> None:
    from attncc.ir._interp_eval import round_bf16

    # 1 + 2^-8 + 2^-40 lies just above a bf16 tie: float64 → float32 alone would land on
    # the tie (1 + 2^-8) and round to even (1.0); the correct answer rounds up.
    x = np.array([1 + 2**-8 + 2**-40, 1 + 2**-8, -(1 + 3 * 2**-8), 3.4e38, np.inf, np.nan])
    got = round_bf16(x)
    assert got[0] == 1 + 2**-7 and got[1] == 1.0 and got[2] == -(1 + 2**-6)
    assert got[3] == np.inf or got[3] == float(torch.tensor(3.4e38).bfloat16())
    assert got[4] == np.inf and np.isnan(got[5])


def test_f16_inputs_round_on_load_and_bf16_torch_tensors_are_accepted() -> None:
    pb = ProgramBuilder("load")
    X, Y = pb.input("X", "n", "f16"), pb.input("Y", "n", "bf16")
    n = pb.rank("n")
    pb.output(pb.stmt("Z", [n], X[n] + Y[n]))
    x = np.array([0.1, 1 / 3], np.float64)
    y = torch.tensor([0.1, 1 / 3]).bfloat16()
    out = interpret(pb.build(), X=x, Y=y)
    ref = x.astype(np.float16).astype(np.float64) + y.double().numpy()
    close(out, ref, tol=1e-7)


# ----------------------------------------------------------------------------- argument errors


def tiny() -> Program:
    pb = ProgramBuilder("tiny")
    X, I = pb.input("X", "p m"), pb.input("I", "p", "i32")
    p, m = pb.ranks("p m")
    s = pb.param("s", "f32", 2.0)
    pb.output(pb.sum("Y", [p], X[p, m] * s + cast(I[p], "f32"), over=[m]))
    return pb.build()


def test_missing_and_extra_arguments() -> None:
    x, i = randn(3, 4), np.arange(3, dtype=np.int32)
    close(interpret(tiny(), X=x, I=i), (x.astype(np.float64) * 2 + i[:, None]).sum(1))
    close(
        interpret(tiny(), X=x, I=i, s=np.float32(1.0)), (x.astype(np.float64) + i[:, None]).sum(1)
    )
    with pytest.raises(ArgumentError, match=r"missing input\(s\) I.*expects inputs X\[p, m\]"):
        interpret(tiny(), X=x)
    with pytest.raises(ArgumentError, match=r"no input or param named Z.*params s : f32"):
        interpret(tiny(), X=x, I=i, Z=x)


def test_wrong_dtype_kind_and_range() -> None:
    x, i = randn(3, 4), np.arange(3, dtype=np.int32)
    with pytest.raises(ArgumentError, match=r"X is declared f32 but the array has dtype int64"):
        interpret(tiny(), X=np.ones((3, 4), np.int64), I=i)
    with pytest.raises(ArgumentError, match=r"I is declared i32 but .* float32"):
        interpret(tiny(), X=x, I=i.astype(np.float32))
    with pytest.raises(ArgumentError, match=r"outside \[-2147483648"):
        interpret(tiny(), X=x, I=np.array([0, 1, 2**40]))
    with pytest.raises(ArgumentError, match=r"param s"):
        interpret(tiny(), X=x, I=i, s="big")


def test_shape_mismatch_is_a_shape_error() -> None:
    with pytest.raises(ShapeError, match=r"rank p"):
        interpret(tiny(), X=randn(3, 4), I=np.arange(5, dtype=np.int32))
    with pytest.raises(ShapeError, match=r"2 ranks"):
        interpret(tiny(), X=randn(3), I=np.arange(3, dtype=np.int32))


def test_int_statement_output_and_absent_reads_as_zero() -> None:
    pb = ProgramBuilder("counts")
    X = pb.input("X", "p m")
    p, m = pb.ranks("p m")
    C = pb.sum("C", [p], cast(X[p, m] > 0.0, "i32"), over=[m], where=m < p)
    pb.output(C, pb.max("MXX", [p], X[p, m], over=[m], where=m < p))
    x = randn(4, 4)
    out = interpret(pb.build(), X=x)
    assert out["C"].dtype == np.int32
    np.testing.assert_array_equal(out["C"], [int((x[r, :r] > 0).sum()) for r in range(4)])
    assert out["MXX"][0] == 0  # row 0 has no point: absent, reads 0
    close(out["MXX"][1:], [x[r, :r].max() for r in range(1, 4)])


# ----------------------------------------------------------------------------- scale


MEMORY_SCRIPT = """
import json, resource, sys, time
import numpy as np
sys.path.insert(0, {tests!r})
from test_interpreter import softmax_attention
from attncc.ir.interpreter import interpret
N = 8192
rng = np.random.default_rng(0)
q, k, v = (rng.standard_normal((1, 8, N, 64), dtype=np.float32) for _ in range(3))
prog = softmax_attention(where=lambda b, h, p, m: p >= m)
interpret(prog, Q=q[:, :, :8], K=k[:, :, :8], V=v[:, :, :8])  # warm up imports and BLAS
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
out = interpret(prog, Q=q, K=k, V=v)
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rows = [0, 1, 4097, N - 1]
s = np.einsum("hqe,hke->hqk", q[0][:, rows].astype(np.float64), k[0].astype(np.float64)) / 8
s = np.where(np.arange(N) <= np.array(rows)[:, None], s, -np.inf)
w = np.exp(s - s.max(-1, keepdims=True))
ref = (w / w.sum(-1, keepdims=True)) @ v[0].astype(np.float64)
err = float(np.abs(out[0][:, rows] - ref).max())
print(json.dumps({{"seconds": seconds, "rss_mib": (peak - base) / 1024, "err": err}}))
"""


@pytest.mark.slow
def test_long_causal_attention_stays_small_and_fast(tmp_path) -> None:
    script = MEMORY_SCRIPT.format(tests=str(__import__("pathlib").Path(__file__).parent))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    )
    stats = json.loads(result.stdout.strip().splitlines()[-1])
    print(stats)
    assert stats["err"] < 1e-6
    assert stats["rss_mib"] < 2048, stats
    assert stats["seconds"] < 60, stats


def test_a_runtime_bounds_error_through_a_scalar_index(monkeypatch) -> None:
    """The statements' own check (behind attncc.ir.bounds) names the point even when the
    index is one element for every point (``X[N[0]]``): once a ValueError while building
    the message."""
    monkeypatch.setattr(interp_mod, "check_bounds", lambda *a, **k: None)
    text = "program a\ninput X[i] : f32\ninput N[j] : i32\nY[i] = X[i] * X[N[0]]\noutput Y\n"
    with pytest.raises(BoundsError, match=r"`N\[0\]` = 100 at a point where Y is present"):
        interpret(text, X=np.ones(3, np.float32), N=np.array([100], np.int32))
