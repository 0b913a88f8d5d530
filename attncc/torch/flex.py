"""``attncc.torch.flex_attention`` and ``scaled_dot_product_attention``: torch's signatures,
attncc's kernels.

Each call traces the mods (a fraction of a millisecond) into a program and calls the
``attncc::flex_attention`` op (:mod:`attncc.torch.op`) with the program's text; kernels are
cached by that text, so new lengths, batches and captured values build nothing. Under
``torch.compile`` the tracing runs once, when the graph is made (:func:`_graph_spec`), and
the graph holds the op with the program's text and the captured tensors as inputs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import torch

from attncc.errors import ArgumentError
from attncc.errors import ShapeError
from attncc.errors import UnsupportedError
from attncc.ir.nodes import Program
from attncc.torch.op import flex_attention_op
from attncc.torch.op import spec_of
from attncc.torch.trace import trace_mods
from attncc.variants import in_dtype
from attncc.variants import with_lse

__all__ = ["flex_attention", "scaled_dot_product_attention"]

_HALF = {torch.bfloat16: "bf16", torch.float16: "f16"}
_FLOATS = (torch.float32, *_HALF)
_graph_captured: dict[str, tuple[torch.Tensor, ...]] = {}  # by graph token (_graph_spec)
_graph_tokens = itertools.count()


def flex_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    score_mod: Callable | None = None,
    block_mask: Any = None,
    *,
    mask_mod: Callable | None = None,
    scale: float | None = None,
    enable_gqa: bool = False,
    return_lse: bool = False,
    target: str = "cpu",
    config: dict | None = None,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """torch's ``flex_attention`` on an attncc kernel: ``query [B, Hq, L, E]``, ``key
    [B, Hkv, S, E]``, ``value [B, Hkv, S, Ev]`` → ``[B, Hq, L, Ev]`` in the query's dtype
    (float32 accumulation for bfloat16 / float16). ``score_mod(score, b, h, q_idx, kv_idx)``
    and ``mask_mod(b, h, q_idx, kv_idx)`` (or a ``BlockMask``, whose ``mask_mod`` is read:
    attncc classifies tiles itself) are traced as they are (see :mod:`attncc.torch.trace`).
    A query that sees no key gets zeros. ``return_lse`` adds the natural-log log-sum-exp
    ``[B, Hq, L]`` (float32; 0 for a query that sees no key, where torch gives -inf).
    ``target`` is ``"cpu"``, ``"cuda"`` or ``"webgpu"``; ``config`` picks schedule knobs.
    Forward only: inputs that require grad while grad mode is on are refused."""
    if block_mask is not None:
        if mask_mod is not None:
            raise ArgumentError("pass block_mask= or mask_mod=, not both")
        mask_mod = _block_mask_mod(block_mask, query, key)
    _check(query, key, value, enable_gqa)
    if torch.compiler.is_compiling():
        token = _graph_spec(
            score_mod, mask_mod, enable_gqa, scale, return_lse, str(query.dtype), target, config
        )
        captured = _graph_captured[token]
        spec = token.split("\n", 1)[1]
    else:
        spec, captured = _spec(
            score_mod, mask_mod, enable_gqa, scale, return_lse, str(query.dtype), target, config
        )
    out, lse = flex_attention_op(query, key, value, list(captured), spec)
    return (out, lse) if return_lse else out


def scaled_dot_product_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attn_mask: torch.Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
    *,
    target: str = "cpu",
    config: dict | None = None,
) -> torch.Tensor:
    """torch's ``scaled_dot_product_attention`` on an attncc kernel. ``is_causal`` is
    top-left aligned (query ``i`` sees keys ``0..i``), as torch's; a boolean ``attn_mask``
    says which keys a query sees, a float one is added to the scores (either broadcasts to
    ``[B, Hq, L, S]``). No dropout."""
    if dropout_p:
        raise UnsupportedError("attncc.torch.scaled_dot_product_attention: dropout_p > 0")
    if attn_mask is not None and is_causal:
        raise ArgumentError("pass attn_mask= or is_causal=True, not both (as torch requires)")
    if attn_mask is None:
        mask_mod = _causal if is_causal else None
        return flex_attention(
            query, key, value, mask_mod=mask_mod, scale=scale, enable_gqa=enable_gqa,
            target=target, config=config,
        )  # fmt: skip
    if not isinstance(attn_mask, torch.Tensor) or attn_mask.dim() > 4:
        raise ShapeError("attn_mask must be a tensor of rank 2 to 4 broadcasting to [B, H, L, S]")
    shape = (query.shape[0], query.shape[1], query.shape[2], key.shape[2])
    full = attn_mask.reshape((1,) * (4 - attn_mask.dim()) + tuple(attn_mask.shape))
    for axis, (n, want) in enumerate(zip(full.shape, shape, strict=True)):
        if n not in (1, want):
            raise ShapeError(
                f"attn_mask of shape {tuple(attn_mask.shape)} does not broadcast to "
                f"[B, H, L, S] = {list(shape)}: dimension {axis} is {n}, not 1 or {want}"
            )
    mods = _mask_mods(full)
    return flex_attention(
        query, key, value, score_mod=mods[0], mask_mod=mods[1], scale=scale,
        enable_gqa=enable_gqa, target=target, config=config,
    )  # fmt: skip


def _causal(b, h, q_idx, kv_idx):
    return q_idx >= kv_idx


def _mask_mods(attn_mask: torch.Tensor) -> tuple[Callable | None, Callable | None]:
    """SDPA's ``attn_mask`` (rank 4, dimensions of size 1 broadcast) as flex mods."""
    ones = tuple(n == 1 for n in attn_mask.shape)

    def at(b, h, q_idx, kv_idx):
        return tuple(0 if one else i for one, i in zip(ones, (b, h, q_idx, kv_idx), strict=True))

    if attn_mask.dtype == torch.bool:

        def attn_mask_mod(b, h, q_idx, kv_idx):
            return attn_mask[at(b, h, q_idx, kv_idx)]

        return None, attn_mask_mod

    if attn_mask.dtype != torch.float32:
        raise UnsupportedError(
            f"a float attn_mask of dtype {attn_mask.dtype} (attncc reads float32 biases)"
        )

    def attn_bias_mod(score, b, h, q_idx, kv_idx):
        return score + attn_mask[at(b, h, q_idx, kv_idx)]

    return attn_bias_mod, None


def _block_mask_mod(block_mask: Any, query: torch.Tensor, key: torch.Tensor) -> Callable:
    """A ``BlockMask``'s ``mask_mod`` (its lengths checked against the call's, as torch
    does); its block tables are not read: attncc classifies tiles itself."""
    mod = getattr(block_mask, "mask_mod", None)
    lengths = getattr(block_mask, "seq_lengths", None)
    if mod is None or lengths is None:
        raise ArgumentError(
            f"block_mask must be a torch BlockMask (from create_block_mask), got "
            f"{type(block_mask).__name__}"
        )
    if tuple(lengths) != (query.shape[-2], key.shape[-2]):
        raise ShapeError(
            f"block_mask was made for (query, key) lengths {tuple(lengths)}, but the call "
            f"has ({query.shape[-2]}, {key.shape[-2]})"
        )
    return mod


def _check(query: Any, key: Any, value: Any, enable_gqa: bool) -> None:
    """torch's rules for flex_attention's tensors, as attncc errors."""
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, torch.Tensor):
            raise ArgumentError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if t.dim() != 4:
            raise ShapeError(f"{name} must have rank 4 [B, H, S, D], got rank {t.dim()}")
        if t.dtype != query.dtype or t.dtype not in _FLOATS:
            raise ArgumentError(
                f"query, key and value must share one dtype of float32, bfloat16 or float16; "
                f"got {query.dtype}, {key.dtype}, {value.dtype}"
            )
        if t.device.type != "cpu":  # the kernels' call path reads host memory
            raise UnsupportedError(
                f"{name} is on {t.device}: attncc.torch takes CPU tensors for every target "
                "for now (the cuda target runs them through Triton)"
            )
        if t.requires_grad and torch.is_grad_enabled():
            raise UnsupportedError(
                f"{name} requires grad, but attncc kernels are forward-only: the result "
                "would have no grad_fn. Fix: call under torch.no_grad() (inference), or "
                "detach the inputs"
            )
    pairs = (
        ("batch", 0, query, key), ("batch", 0, key, value), ("length", 2, key, value),
        ("head dim", 3, query, key), ("heads", 1, key, value),
    )  # fmt: skip
    for what, axis, a, b in pairs:
        if a.shape[axis] != b.shape[axis]:
            raise ShapeError(
                f"the {what} (dimension {axis}) differs: {tuple(a.shape)} against {tuple(b.shape)}"
            )
    hq, hkv = query.shape[1], key.shape[1]
    if (hq != hkv and not enable_gqa) or hq % hkv:
        raise ShapeError(
            f"query has {hq} heads and key {hkv}: equal heads, or enable_gqa=True with the "
            "query's heads a multiple of the key's"
        )


def _program(
    score_mod: Callable | None,
    mask_mod: Callable | None,
    enable_gqa: bool,
    scale: float | None,
    return_lse: bool,
    dtype: str,
) -> tuple[Program, dict[str, torch.Tensor]]:
    program, captured = trace_mods(score_mod, mask_mod, enable_gqa=enable_gqa, scale=scale)
    half = _HALF.get(getattr(torch, dtype.removeprefix("torch.")))
    if half is not None:
        program = in_dtype(program, half, inputs=["Q", "K", "V"])
    if return_lse:
        program = with_lse(program)
    return program, captured


def _spec(
    score_mod, mask_mod, enable_gqa, scale, return_lse, dtype, target, config
) -> tuple[str, tuple[torch.Tensor, ...]]:
    program, captured = _program(score_mod, mask_mod, enable_gqa, scale, return_lse, dtype)
    return spec_of(program, list(captured), target, config), tuple(captured.values())


@torch._dynamo.assume_constant_result
def _graph_spec(score_mod, mask_mod, enable_gqa, scale, return_lse, dtype, target, config):
    """:func:`_spec` when ``torch.compile`` makes a graph: the spec is a constant of the
    graph, the captured tensors its inputs (read from ``_graph_captured`` by a token of their
    own, so two mods of the same program keep their own tensors)."""
    spec, captured = _spec(
        score_mod, mask_mod, enable_gqa, scale, return_lse, dtype, target, config
    )
    token = f"{next(_graph_tokens)}\n{spec}"
    _graph_captured[token] = captured
    return token
