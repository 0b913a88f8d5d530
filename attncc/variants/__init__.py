"""A catalogue of standard attention programs, built with the Python builder.

Every variant is a function with keyword-only options (``heads="mha" | "gqa" | "mqa"``,
``causal``, window sizes, ...) that returns a :class:`~attncc.ir.nodes.Program`; its text
is ``str(program)`` and its documentation (``program.doc``, the leading comment lines)
says what it computes and what its inputs are. :data:`CATALOGUE` names every standard
configuration; :func:`catalogue` builds them all.

Rank legend, the same in every program (an input's dimensions are named by these ranks, so
one shape binds them all):

====  ==========================================================================
b     batch
h     query heads
g     key/value heads (MHA programs use ``h`` instead: one KV head per query head)
p     query positions
m     key positions
e     query/key head dim
f     value head dim
====  ==========================================================================

Ranks of particular variants: ``t`` tree tokens (tree masks), ``r`` relative-distance
table entries (relative bias), ``k`` selected keys per query (top-k gather), ``u`` pages in
the pool, ``n`` slots per page or keys per chunk, ``j`` page-table entries per sequence
(paged KV), ``c`` chunks (split-KV), ``s`` shared-prefix positions (cascade), ``d`` latent
rank and ``a`` RoPE dims (MLA).

Head mapping: query head ``h`` reads key/value head ``h`` (MHA), ``h / G`` with
``let G = h / g`` (GQA) or ``0`` (MQA, ``g == 1``). Declarations come in one order:
inputs, params, lets, ranks. Softmax programs name their cascade ``S`` (scores), ``T``
(modified scores, when there is a score modification), ``MX``, ``E``, ``L``, ``O``; a
mask is the filter of the statement that makes the logits, so a query row that sees no
key gives an output row of exactly 0.

>>> from attncc import variants
>>> p = variants.gqa(causal=True)
>>> p.name, [i.name for i in p.inputs], p.outputs
('gqa_causal', ['Q', 'K', 'V'], ('O',))
>>> print(p.stmt("S").where)
p >= m
>>> print(str(p).splitlines()[-6])
S[b, h, p, m] = sum(e) Q[b, h, p, e] * K[b, h / G, m, e] * scale where p >= m
>>> sorted(variants.catalogue())[:3]
['alibi', 'cascade', 'causal_offset']
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from attncc.ir.nodes import Program
from attncc.variants.dense import attention
from attncc.variants.dense import gqa
from attncc.variants.dense import mha
from attncc.variants.dense import mqa
from attncc.variants.kv import fp16_kv
from attncc.variants.kv import int8_kv
from attncc.variants.kv import paged
from attncc.variants.kv import topk_gather
from attncc.variants.masks import causal_offset
from attncc.variants.masks import document
from attncc.variants.masks import prefix_lm
from attncc.variants.masks import sinks_window
from attncc.variants.masks import sliding_window
from attncc.variants.masks import tree_mask
from attncc.variants.masks import tree_parent
from attncc.variants.mla import mla
from attncc.variants.nonsoftmax import linear_causal
from attncc.variants.nonsoftmax import sigmoid_attention
from attncc.variants.precision import in_dtype
from attncc.variants.scores import alibi
from attncc.variants.scores import gqa_window_softcap
from attncc.variants.scores import relative_bias
from attncc.variants.scores import softcap
from attncc.variants.scores import temperature
from attncc.variants.states import cascade
from attncc.variants.states import split_kv
from attncc.variants.states import with_lse

__all__ = [
    "CATALOGUE",
    "alibi",
    "attention",
    "cascade",
    "catalogue",
    "causal_offset",
    "document",
    "fp16_kv",
    "gqa",
    "gqa_window_softcap",
    "in_dtype",
    "int8_kv",
    "linear_causal",
    "mha",
    "mla",
    "mqa",
    "paged",
    "prefix_lm",
    "relative_bias",
    "sigmoid_attention",
    "sinks_window",
    "sliding_window",
    "softcap",
    "split_kv",
    "temperature",
    "topk_gather",
    "tree_mask",
    "tree_parent",
    "with_lse",
]

#: Every standard configuration, by program name: ``CATALOGUE[name]()`` builds the program
#: called ``name`` (keyword arguments change its options and, with them, its name).
CATALOGUE: dict[str, Callable[..., Program]] = {
    # dense: head mappings
    "mha": mha,
    "mha_causal": partial(mha, causal=True),
    "gqa": gqa,
    "gqa_causal": partial(gqa, causal=True),
    "mqa": mqa,
    "mqa_causal": partial(mqa, causal=True),
    # masks
    "causal_offset": causal_offset,
    "sliding_window": sliding_window,
    "sinks_window": sinks_window,
    "prefix_lm": prefix_lm,
    "document": document,
    "document_causal": partial(document, causal=True),
    "tree_mask": tree_mask,
    "tree_parent": tree_parent,
    # score modifications
    "alibi": alibi,
    "softcap": softcap,
    "relative_bias": relative_bias,
    "temperature": temperature,
    "gqa_window_softcap": gqa_window_softcap,
    # KV-cache forms
    "paged": paged,
    "paged_causal": partial(paged, causal=True),
    "int8_kv": int8_kv,
    "int8_kv_channel": partial(int8_kv, scales="channel"),
    "fp16_kv": fp16_kv,
    "topk_gather": topk_gather,
    # MLA
    "mla": mla,
    "mla_causal": partial(mla, causal=True),
    # without softmax
    "sigmoid_attention": sigmoid_attention,
    "sigmoid_attention_causal": partial(sigmoid_attention, causal=True),
    "linear_causal": linear_causal,
    "linear_causal_identity_unnormalized": partial(
        linear_causal, feature="identity", normalize=False
    ),
    # partial states
    "split_kv": split_kv,
    "split_kv_causal": partial(split_kv, causal=True),
    "cascade": cascade,
}


def catalogue() -> dict[str, Program]:
    """Every :data:`CATALOGUE` variant built with its default options, by program name."""
    return {name: build() for name, build in CATALOGUE.items()}
