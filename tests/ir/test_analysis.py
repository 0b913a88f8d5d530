"""Analysis: the dataflow DAG, FuseMax pass counts and the check report."""

from __future__ import annotations

import networkx as nx
import pytest

from attncc.errors import CycleError
from attncc.errors import NameResolutionError
from attncc.ir.analysis import ANALYSES
from attncc.ir.analysis import Use
from attncc.ir.analysis import analyse
from attncc.ir.analysis import count_passes
from attncc.ir.analysis import dataflow_graph
from attncc.ir.analysis import format_report
from attncc.ir.analysis import pass_schedule
from attncc.ir.analysis import reduced_ranks
from attncc.ir.analysis import render_report
from attncc.ir.analysis import report
from attncc.ir.analysis import topological_order
from attncc.ir.builder import ProgramBuilder
from attncc.ir.builder import exp
from attncc.ir.builder import rsqrt
from attncc.ir.builder import sigmoid
from attncc.ir.builder import sqrt
from attncc.ir.builder import tanh
from attncc.ir.nodes import Access
from attncc.ir.nodes import Input
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.ir.nodes import ReduceOp
from attncc.ir.nodes import Stmt

# ----------------------------------------------------------------------------- programs


def softmax_3pass() -> Program:
    """The plain cascade: max, exp, sum, then divide inside the contraction."""
    pb = ProgramBuilder("softmax_3pass")
    Q, K, V = pb.input("Q", "p e"), pb.input("K", "m e"), pb.input("V", "m f")
    p, m, e, f = pb.ranks("p m e f")
    S = pb.sum("S", "p m", Q[p, e] * K[m, e], over="e")
    MX = pb.max("MX", "p", S[p, m], over="m")
    E = pb.stmt("E", "p m", exp(S[p, m] - MX[p]))
    L = pb.sum("L", "p", E[p, m], over="m")
    O = pb.sum("O", "p f", E[p, m] * V[m, f] / L[p], over="m")
    pb.output(O)
    return pb.build()


def softmax_2pass() -> Program:
    """FuseMax's 2-pass cascade: the division is deferred until after the m loop."""
    pb = ProgramBuilder("softmax_2pass")
    Q, K, V = pb.input("Q", "p e"), pb.input("K", "m e"), pb.input("V", "m f")
    p, m, e, f = pb.ranks("p m e f")
    S = pb.sum("S", "p m", Q[p, e] * K[m, e], over="e")
    MX = pb.max("MX", "p", S[p, m], over="m")
    E = pb.stmt("E", "p m", exp(S[p, m] - MX[p]))
    L = pb.sum("L", "p", E[p, m], over="m")
    N = pb.sum("N", "p f", E[p, m] * V[m, f], over="m")
    O = pb.stmt("O", "p f", N[p, f] / L[p])
    pb.output(O)
    return pb.build()


def sigmoid_attention() -> Program:
    pb = ProgramBuilder("sigmoid_attention")
    Q, K, V = pb.input("Q", "p e"), pb.input("K", "m e"), pb.input("V", "m f")
    bias = pb.param("bias", "f32", -4.0)
    p, m, e, f = pb.ranks("p m e f")
    S = pb.sum("S", "p m", Q[p, e] * K[m, e] / sqrt(e), over="e")
    O = pb.sum("O", "p f", sigmoid(S[p, m] + bias) * V[m, f], over="m")
    pb.output(O)
    return pb.build()


def linear_attention() -> Program:
    """Non-causal linear attention: phi(Q) (phi(K)^T V) / (phi(Q) sum phi(K))."""
    pb = ProgramBuilder("linear_attention")
    Q, K, V = pb.input("Q", "p e"), pb.input("K", "m e"), pb.input("V", "m f")
    p, m, e, f = pb.ranks("p m e f")
    KV = pb.sum("KV", "e f", exp(K[m, e]) * V[m, f], over="m")
    Z = pb.sum("Z", "e", exp(K[m, e]), over="m")
    N = pb.sum("N", "p f", exp(Q[p, e]) * KV[e, f], over="e")
    D = pb.sum("D", "p", exp(Q[p, e]) * Z[e], over="e")
    O = pb.stmt("O", "p f", N[p, f] / D[p])
    pb.output(O)
    return pb.build()


def bounded_softmax_1pass() -> Program:
    """A hand-written one-pass softmax: soft-capped logits are < cap, so cap replaces the max."""
    pb = ProgramBuilder("bounded_softmax_1pass")
    Q, K, V = pb.input("Q", "p e"), pb.input("K", "m e"), pb.input("V", "m f")
    cap = pb.param("cap", "f32", 30.0)
    p, m, e, f = pb.ranks("p m e f")
    S = pb.sum("S", "p m", Q[p, e] * K[m, e], over="e")
    E = pb.stmt("E", "p m", exp(cap * tanh(S[p, m] / cap) - cap), where=p >= m)
    L = pb.sum("L", "p", E[p, m], over="m")
    N = pb.sum("N", "p f", E[p, m] * V[m, f], over="m")
    O = pb.stmt("O", "p f", N[p, f] / L[p])
    pb.output(O)
    return pb.build()


def qk_norm_softmax() -> Program:
    """RMS-normalised queries: a reduction over e read back over e, then the 3-pass softmax."""
    pb = ProgramBuilder("qk_norm")
    Q, K, V = pb.input("Q", "p e"), pb.input("K", "m e"), pb.input("V", "m f")
    p, m, e, f = pb.ranks("p m e f")
    SS = pb.sum("SS", "p", Q[p, e] * Q[p, e], over="e")
    QN = pb.stmt("QN", "p e", Q[p, e] * rsqrt(SS[p] / e + 1e-6))
    S = pb.sum("S", "p m", QN[p, e] * K[m, e], over="e")
    MX = pb.max("MX", "p", S[p, m], over="m")
    E = pb.stmt("E", "p m", exp(S[p, m] - MX[p]))
    L = pb.sum("L", "p", E[p, m], over="m")
    O = pb.sum("O", "p f", E[p, m] * V[m, f] / L[p], over="m")
    pb.output(O)
    return pb.build()


def split_kv() -> Program:
    """Split-KV: a softmax per chunk over i, then a merge of partial states over chunks c."""
    pb = ProgramBuilder("split_kv")
    Q, K, V = pb.input("Q", "p e"), pb.input("K", "c i e"), pb.input("V", "c i f")
    p, c, i, e, f = pb.ranks("p c i e f")
    S = pb.sum("S", "p c i", Q[p, e] * K[c, i, e], over="e")
    LM = pb.max("LM", "p c", S[p, c, i], over="i")
    LE = pb.stmt("LE", "p c i", exp(S[p, c, i] - LM[p, c]))
    LS = pb.sum("LS", "p c", LE[p, c, i], over="i")
    LO = pb.sum("LO", "p c f", LE[p, c, i] * V[c, i, f], over="i")
    GM = pb.max("GM", "p", LM[p, c], over="c")
    W = pb.stmt("W", "p c", exp(LM[p, c] - GM[p]))
    L = pb.sum("L", "p", LS[p, c] * W[p, c], over="c")
    O = pb.sum("O", "p f", LO[p, c, f] * W[p, c] / L[p], over="c")
    pb.output(O)
    return pb.build()


def gqa_window_softcap() -> Program:
    """The DESIGN §2 program, with an int8 K and per-token scales to exercise dtypes."""
    pb = ProgramBuilder("gqa_window_softcap", doc="GQA, sliding window, soft-capping")
    Q = pb.input("Q", "b h p e")
    K = pb.input("K", "b g m e", "i8")
    KS = pb.input("KS", "b g m")
    V = pb.input("V", "b g m f")
    cap = pb.param("cap", "f32", 50.0)
    W = pb.param("W", "i32", 4096)
    b, h, p, m, e, f, g = pb.ranks("b h p m e f g")
    G = pb.let("G", h / g)
    scale = pb.let("scale", 1 / sqrt(e))
    S = pb.sum(
        "S", "b h p m", Q[b, h, p, e] * K[b, h / G, m, e] * KS[b, h / G, m] * scale, over="e"
    )
    T = pb.stmt("T", "b h p m", cap * tanh(S[b, h, p, m] / cap), where=(p >= m) & (p - m < W))
    MX = pb.max("MX", "b h p", T[b, h, p, m], over="m")
    E = pb.stmt("E", "b h p m", exp(T[b, h, p, m] - MX[b, h, p]))
    L = pb.sum("L", "b h p", E[b, h, p, m], over="m")
    O = pb.sum("O", "b h p f", E[b, h, p, m] * V[b, h / G, m, f] / L[b, h, p], over="m")
    pb.output(O)
    return pb.build()


def paged_documents() -> Program:
    """Paged KV through a page table, and a document mask read in the filter."""
    pb = ProgramBuilder("paged_documents")
    Q = pb.input("Q", "p e")
    KC = pb.input("KC", "n s e")
    PT = pb.input("PT", "j", "i32")
    SEG = pb.input("SEG", "m", "i32")
    P = pb.param("P", "i32", 16)
    p, m, e = pb.ranks("p m e")
    S = pb.sum("S", "p m", Q[p, e] * KC[PT[m / P], m % P, e], over="e", where=SEG[p].eq(SEG[m]))
    pb.output(S)
    return pb.build()


# ----------------------------------------------------------------------------- dataflow


def test_dataflow_graph_nodes_and_edges() -> None:
    g = dataflow_graph(softmax_3pass())
    assert isinstance(g, nx.DiGraph) and nx.is_directed_acyclic_graph(g)
    assert list(g.nodes) == ["Q", "K", "V", "S", "MX", "E", "L", "O"]
    assert set(g.edges) == {
        ("Q", "S"), ("K", "S"), ("S", "MX"), ("S", "E"), ("MX", "E"),
        ("E", "L"), ("E", "O"), ("V", "O"), ("L", "O"),
    }  # fmt: skip
    q, mx, o = g.nodes["Q"], g.nodes["MX"], g.nodes["O"]
    assert q["kind"] == "input" and q["ranks"] == ("p", "e") and not q["is_output"]
    assert mx["kind"] == "stmt" and mx["reduce"] is ReduceOp.MAX and mx["over"] == ("m",)
    assert mx["space"] == ("p", "m") and not mx["is_output"]
    assert o["is_output"] and o["text"] == "O[p, f] = sum(m) E[p, m] * V[m, f] / L[p]"
    assert g.nodes["E"]["reduce"] is None
    edge = g.edges["L", "O"]
    assert [u.text for u in edge["uses"]] == ["L[p]"]
    assert edge["roles"] == {"value"} and edge["access"] == {"direct"}


def test_dataflow_graph_indirect_index_and_filter_reads() -> None:
    g = dataflow_graph(paged_documents())
    kc, pt, seg = g.edges["KC", "S"], g.edges["PT", "S"], g.edges["SEG", "S"]
    assert kc["access"] == {"indirect"} and kc["roles"] == {"value"}
    assert kc["uses"][0].indices == ("PT[m / P]", "m % P", "e")
    assert pt["access"] == {"index"} and pt["uses"][0].text == "PT[m / P]"
    assert seg["roles"] == {"filter"} and seg["access"] == {"direct"}
    assert [u.text for u in seg["uses"]] == ["SEG[p]", "SEG[m]"]
    assert all(isinstance(u, Use) and u.tensor == "SEG" for u in seg["uses"])


def test_topological_order_and_reduced_ranks() -> None:
    prog = split_kv()
    order = topological_order(dataflow_graph(prog))
    assert order[:3] == ("Q", "K", "V")
    assert order.index("LM") < order.index("LE") < order.index("W") < order.index("O")
    assert reduced_ranks(prog) == ("e", "i", "c")


def test_unknown_tensor_and_self_read_are_errors() -> None:
    x = Input("X", ("p",))
    p = Name("p")
    late = Program("late", (x,), (Stmt("A", ("p",), Access("B", (p,))),), ("A",))
    with pytest.raises(NameResolutionError, match="A reads B"):
        dataflow_graph(late)
    selfref = Program(
        "selfref", (x,), (Stmt("A", ("p",), Access("A", (p,)) + Access("X", (p,))),), ("A",)
    )
    with pytest.raises(CycleError, match="A -> A"):
        topological_order(dataflow_graph(selfref))


# ----------------------------------------------------------------------------- passes


def test_three_pass_softmax() -> None:
    prog = softmax_3pass()
    assert count_passes(prog) == {"e": 1, "m": 3}
    assert pass_schedule(prog)["m"] == {"S": 1, "MX": 1, "E": 2, "L": 2, "O": 3}
    assert pass_schedule(prog)["e"] == {"S": 1}


def test_three_pass_gqa_window_softcap() -> None:
    assert count_passes(gqa_window_softcap()) == {"e": 1, "m": 3}


def test_two_pass_softmax_defers_the_division() -> None:
    prog = softmax_2pass()
    assert count_passes(prog) == {"e": 1, "m": 2}
    sched = pass_schedule(prog)["m"]
    assert sched == {"S": 1, "MX": 1, "E": 2, "L": 2, "N": 2}
    assert "O" not in sched  # O = N / L does not iterate m


@pytest.mark.parametrize(
    "build, expected",
    [
        (sigmoid_attention, {"e": 1, "m": 1}),
        (linear_attention, {"m": 1, "e": 1}),
        (bounded_softmax_1pass, {"e": 1, "m": 1}),
    ],
)
def test_one_pass_cascades(build, expected) -> None:
    assert count_passes(build()) == expected


def test_passes_are_counted_per_rank() -> None:
    # RMS norm over e read back over e: 2 passes over e; the softmax still needs 3 over m.
    prog = qk_norm_softmax()
    assert count_passes(prog) == {"e": 2, "m": 3}
    assert pass_schedule(prog)["e"] == {"SS": 1, "QN": 2, "S": 2}
    # split-KV: a local softmax per chunk (2 passes over i, division deferred), then a
    # 3-pass merge over the chunks c.
    assert count_passes(split_kv()) == {"e": 1, "i": 2, "c": 3}


def test_read_at_another_point_needs_a_new_pass() -> None:
    pb = ProgramBuilder("shifted")
    X = pb.input("X", "p m")
    p, m = pb.ranks("p m")
    E = pb.stmt("E", "p m", exp(X[p, m]))
    F = pb.stmt("F", "p m", E[p, m] - E[p, 0])  # E[p, 0] is another m-point
    pb.sum("L", "p", F[p, m], over="m")
    pb.output("L")
    assert pass_schedule(pb.build())["m"] == {"E": 1, "F": 2, "L": 2}


def test_reduction_read_through_a_map_without_the_rank() -> None:
    # MX is finished by a reduction over m; R = -MX has no m but still depends on it.
    pb = ProgramBuilder("through_map")
    X = pb.input("X", "p m")
    p, m = pb.ranks("p m")
    MX = pb.max("MX", "p", X[p, m], over="m")
    R = pb.stmt("R", "p", -MX[p])
    E = pb.stmt("E", "p m", exp(X[p, m] + R[p]))
    pb.sum("L", "p", E[p, m], over="m")
    pb.output("L")
    assert count_passes(pb.build()) == {"m": 2}


# ----------------------------------------------------------------------------- report


def test_analyses_are_a_flat_named_list() -> None:
    names = [a.name for a in ANALYSES]
    assert names == ["validate", "dataflow", "order", "passes", "elementwise"]
    partial = analyse(softmax_3pass(), upto="dataflow")
    assert list(partial) == ["validate", "dataflow"]
    with pytest.raises(ValueError, match="unknown analysis"):
        analyse(softmax_3pass(), upto="nope")


def test_report_contents() -> None:
    rep = report(gqa_window_softcap())
    assert rep.program == "gqa_window_softcap" and rep.doc.startswith("GQA")
    ranks = {r.name: r.bound_by for r in rep.ranks}
    assert ranks["m"] == "K dim 2, KS dim 2, V dim 2" and ranks["h"] == "Q dim 1"
    tensors = {t.name: t for t in rep.tensors}
    assert (tensors["K"].dtype, tensors["K"].role) == ("i8", "input")
    assert (tensors["E"].ranks, tensors["E"].role) == (("b", "h", "p", "m"), "intermediate")
    assert (tensors["O"].dtype, tensors["O"].role) == ("f32", "output")
    stmts = {s.name: s for s in rep.stmts}
    assert stmts["S"].kind == "sum(e)" and stmts["S"].space == ("b", "h", "p", "m", "e")
    assert stmts["S"].passes == (("e", 1), ("m", 1))
    assert stmts["T"].kind == "map" and "where p >= m and p - m < W" in stmts["T"].text
    assert stmts["O"].passes == (("m", 3),)
    assert ("MX", "E") in {(e.src, e.dst) for e in rep.edges}
    assert rep.order[-1] == "O" and rep.passes == {"e": 1, "m": 3}
    assert rep.elementwise == {"T": ("MX", "E"), "E": ("L", "O")}
    assert rep.inlinable == ("T", "E")


def test_report_names_rank_declarations() -> None:
    pb = ProgramBuilder("chunked")
    X = pb.input("X", "p m")
    p, m = pb.ranks("p m")
    c = pb.rank("c", (m + 63) / 64)
    M = pb.let("M", m)  # in a declaration, a rank name is its extent
    pb.stmt("C", "p c", X[p, c * 64], where=c * 64 < M)
    pb.output("C")
    rep = report(pb.build())
    assert {r.name: r.bound_by for r in rep.ranks}["c"] == "rank c = (m + 63) / 64"
    assert rep.passes == {}


def test_format_report_is_plain_text() -> None:
    text = format_report(report(gqa_window_softcap()))
    assert "\x1b[" not in text
    for needle in [
        "program gqa_window_softcap",
        "K[b, h / G, m, e]",  # brackets survive (no rich markup)
        "intermediate",
        "sum(m)",
        "m: 3 passes  (pass 1: S, T, MX; pass 2: E, L; pass 3: O)",
        "e: 1 pass  (pass 1: S)",
        "inlinable into their readers: T, E",
        "order: Q -> K -> KS -> V -> S -> T -> MX -> E -> L -> O",
    ]:
        assert needle in text, needle
    assert render_report(report(softmax_2pass())) is not None


@pytest.mark.parametrize(
    "name, expected",
    [
        ("mha", {"e": 1, "m": 3}),
        ("gqa_window_softcap", {"e": 1, "m": 3}),
        ("sigmoid_attention", {"e": 1, "m": 1}),
        ("linear_causal_identity_unnormalized", {"e": 1, "m": 1}),
        ("linear_causal", {"e": 1, "m": 2}),  # O = sum(m) A / Z * V: the division inside
        ("mla", {"d": 2, "a": 1, "m": 3}),  # CKV is both key and value: d is read twice
    ],
)
def test_catalogue_pass_counts(name: str, expected: dict[str, int]) -> None:
    from attncc.variants import CATALOGUE

    assert count_passes(CATALOGUE[name]()) == expected


def test_every_catalogue_program_reports() -> None:
    from attncc.variants import catalogue

    for name, program in catalogue().items():
        rep = report(program)
        assert rep.program == name and all(n >= 1 for n in rep.passes.values())
        assert set(rep.order) == {
            *(i.name for i in program.inputs),
            *(s.out for s in program.stmts),
        }
