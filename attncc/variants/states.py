"""Partial attention states and their merge: split-KV decode and shared-prefix cascades.

A state is ``(O, LSE)``: the softmax-normalised output over some keys and the log-sum-exp
of their logits, as FlashInfer keeps it. Two states over disjoint keys merge into the state
over their union (``merge_state``); a whole rank of them merges by a max and two sums
(``merge_states``). Both merges are in :mod:`._blocks`; each program outputs ``O`` and
``LSE``.
"""

from __future__ import annotations

from attncc.errors import ArgumentError
from attncc.ir.builder import ProgramBuilder
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.ir.parser import parse
from attncc.variants._blocks import OFFSET_CAUSAL_DOC
from attncc.variants._blocks import HeadMap
from attncc.variants._blocks import b
from attncc.variants._blocks import check_positive
from attncc.variants._blocks import dense_inputs
from attncc.variants._blocks import doc
from attncc.variants._blocks import e
from attncc.variants._blocks import f
from attncc.variants._blocks import h
from attncc.variants._blocks import heads_suffix
from attncc.variants._blocks import join_name
from attncc.variants._blocks import m
from attncc.variants._blocks import merge_pair
from attncc.variants._blocks import merge_states
from attncc.variants._blocks import p
from attncc.variants._blocks import partial_state
from attncc.variants._blocks import query_position
from attncc.variants._blocks import scale_let

__all__ = ["cascade", "split_kv", "with_lse"]

c, n, s = Name("c"), Name("n"), Name("s")

_STATE_DOC = "Outputs: O[b, h, p, f] and LSE[b, h, p], the log-sum-exp of the visible logits."


def split_kv(*, heads: str = "gqa", chunk: int = 16, causal: bool = False) -> Program:
    """Split-KV (flash-decoding): partial states over key chunks, then ``merge_states``.

    ``rank c = (m + CH - 1) / CH`` numbers the chunks and ``rank n = CH`` the keys within
    one; key ``c * CH + n`` exists when it is ``< M`` (``let M = m``), which guards the
    ragged last chunk. A chunk whose keys are all masked has an absent state, which the
    merge skips.
    """
    check_positive("chunk", chunk)
    hm = HeadMap.of(heads)
    pb = ProgramBuilder(
        join_name("split_kv", heads_suffix(heads), "causal" if causal else ""),
        doc(
            "Split-KV attention (flash-decoding): softmax states per chunk of CH keys, merged"
            " with the FlashInfer merge_states algebra.",
            hm.doc,
            f"Inputs: Q[b, h, p, e], K[b, {hm.rank}, m, e], V[b, {hm.rank}, m, f]."
            " Param CH: the chunk size.",
            "Ranks: c = (m + CH - 1) / CH chunks, n = CH keys per chunk; key c * CH + n exists"
            " when < M = m.",
            "Per chunk: MXC, LC, OC (normalised) and LSEC = MXC + log(LC).",
            "Merge: LM = max(c) LSEC, W = exp(LSEC - LM), WS = sum(c) W, O = sum(c) W * OC / WS,"
            " LSE = LM + log(WS).",
            *([OFFSET_CAUSAL_DOC] if causal else []),
            _STATE_DOC,
        ),
    )
    Q, K, V = dense_inputs(pb, hm)
    CH = pb.param("CH", "i32", chunk)
    kv = hm.bind(pb)
    scale = scale_let(pb)
    M = pb.let("M", m)
    q = query_position(pb, True) if causal else None
    pb.rank("c", (m + CH - 1) / CH)
    pb.rank("n", CH)
    key = c * CH + n
    where = in_range = key < M
    if q is not None:
        where = where & (key <= q)
    state = partial_state(
        pb,
        Q[b, h, p, e] * K[b, kv, key, e] * scale,
        V[b, kv, key, f],
        rows=(b, h, p, c),
        key=n,
        where=where,
        guard=in_range,
        tag="C",
    )
    merged = merge_states(pb, state, (b, h, p), c)
    pb.output(merged.o, merged.lse)
    return pb.build()


def cascade(*, heads: str = "gqa", causal: bool = True) -> Program:
    """Shared-prefix (cascade) attention: one prefix KV for the whole batch + per-request KV.

    The prefix state attends every query to the shared prefix ``KP``/``VP`` (no batch
    rank: stored once); the unique state attends to each request's own ``K``/``V``; the two
    merge with ``merge_state``. The merge is a map, so both states must be present: with
    ``causal`` (bottom-right) every query sees at least its own key as long as ``p <= m``.
    """
    hm = HeadMap.of(heads)
    kvr = hm.rank
    pb = ProgramBuilder(
        join_name("cascade", heads_suffix(heads), "" if causal else "bidir"),
        doc(
            "Shared-prefix cascade attention (FlashInfer cascade): a state over the prefix"
            " shared by the batch, a state over each request's unique KV, merged by"
            " merge_state.",
            hm.doc,
            f"Inputs: Q[b, h, p, e]; KP[{kvr}, s, e], VP[{kvr}, s, f]: the shared prefix"
            f" (s positions, no batch rank); K[b, {kvr}, m, e], V[b, {kvr}, m, f]: the unique"
            " suffix of each request.",
            "Prefix state: SP, MXP, EP, LP, OP, LSEP (every prefix key visible). Unique state:"
            " SU, ..., OU, LSEU.",
            "Merge: MM = max(LSEP, LSEU), WA = exp(LSEP - MM), WB = exp(LSEU - MM),"
            " O = (OP * WA + OU * WB) / (WA + WB), LSE = MM + log(WA + WB).",
            *(
                [
                    "Unique-part mask: key m is visible to query p when m <= p + OFF,"
                    " OFF = m - p (the queries are the newest p tokens)."
                ]
                if causal
                else []
            ),
            _STATE_DOC,
        ),
    )
    Q = pb.input("Q", "b h p e")
    KP = pb.input("KP", f"{kvr} s e")
    VP = pb.input("VP", f"{kvr} s f")
    K = pb.input("K", f"b {kvr} m e")
    V = pb.input("V", f"b {kvr} m f")
    kv = hm.bind(pb)
    scale = scale_let(pb)
    where = m <= query_position(pb, True) if causal else None
    prefix = partial_state(
        pb, Q[b, h, p, e] * KP[kv, s, e] * scale, VP[kv, s, f], rows=(b, h, p), key=s, tag="P"
    )
    unique = partial_state(
        pb,
        Q[b, h, p, e] * K[b, kv, m, e] * scale,
        V[b, kv, m, f],
        rows=(b, h, p),
        key=m,
        where=where,
        tag="U",
    )
    merged = merge_pair(pb, prefix, unique, (b, h, p))
    pb.output(merged.o, merged.lse)
    return pb.build()


def with_lse(program: Program) -> Program:
    """``program`` returning its softmax's log-sum-exp too: ``LSE[b, h, p] = MX[b, h, p] +
    log(L[b, h, p])`` (natural log), what FlashInfer's ``merge_state`` and FlexAttention's
    ``return_lse`` use; a row with no visible key gets 0. The program must follow the
    catalogue's naming (``MX``, ``L`` over ``b, h, p``); renamed ``<name>_lse``.

    >>> from attncc import variants
    >>> variants.with_lse(variants.gqa(causal=True)).outputs
    ('O', 'LSE')
    """
    names = {s.out: s for s in program.stmts}
    mx, total = names.get("MX"), names.get("L")
    if mx is None or total is None or mx.ranks != total.ranks or "LSE" in names:
        raise ArgumentError(
            f"with_lse: {program.name} has no softmax statements MX and L over the same "
            "ranks (or already has an LSE)"
        )
    rows = ", ".join(mx.ranks)
    lines = program.text.rstrip("\n").splitlines()
    last = lines.pop()
    if not last.startswith("output "):
        raise ArgumentError(f"with_lse: {program.name}'s text does not end with its outputs")
    lines[lines.index(f"program {program.name}")] = f"program {program.name}_lse"
    lines += [f"LSE[{rows}] = MX[{rows}] + log(L[{rows}])", f"{last}, LSE"]
    return parse("\n".join(lines) + "\n")
