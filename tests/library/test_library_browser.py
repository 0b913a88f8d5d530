"""A webgpu kernel library in a real headless Chromium (SwiftShader): exported here with no
tuning, served on localhost, loaded by ``loadLibrary`` from ``attncc.js`` -- results equal
the reference interpreter, lets are computed in JavaScript, the bucket choice is Python's,
and a tampered, edited, future or path-escaping library is refused before any GPU call:
JavaScript reads JSON within Python's bounds and hashes fields in Python's canonical form."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

import attncc
from attncc.errors import AttnccError
from attncc.errors import ExportError
from attncc.ir.bind import bind
from attncc.ir.bind import eval_scalar
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Name
from attncc.ir.nodes import Unary
from attncc.ir.nodes import UnaryOp
from attncc.library.buckets import bucket_key
from attncc.library.buckets import select
from attncc.library.manifest import MAX_MANIFEST_BYTES
from attncc.library.manifest import parse_manifest
from attncc.library.manifest import seal
from attncc.runtime import js_path
from attncc.targets.webgpu.launch import binding_meta
from attncc.targets.webgpu.launch import expr_tree
from tests.browser import call
from tests.browser import needs_chromium
from tests.browser import open_page
from tests.browser import serve

pytestmark = needs_chromium

#: GQA + sliding window + softcap (fused), a query offset let (fused: OFF = m - p is a
#: kernel argument), and sigmoid attention (generic: one kernel per statement).
PROGRAMS = ("gqa_window_softcap", "causal_offset", "sigmoid_attention")
PREFILL = dict(b=1, h=4, g=2, p=37, m=53, e=16, f=16)
DECODE = {**PREFILL, "p": 1, "m": 61}

#: Input shapes at PREFILL (Q, K, V).
SHAPES = {
    "Q": [PREFILL[r] for r in "bhpe"],
    "K": [PREFILL[r] for r in "bgme"],
    "V": [PREFILL[r] for r in "bgmf"],
}

#: (program, extents, params): exported buckets, a shape between them and one beyond.
CALLS = (
    ("gqa_window_softcap", PREFILL, {"W": 16, "cap": 20.0}),
    ("gqa_window_softcap", DECODE, {}),
    ("causal_offset", DECODE, {}),
    ("causal_offset", {**PREFILL, "p": 20, "m": 45}, {}),
    ("causal_offset", {**PREFILL, "p": 5, "m": 300}, {}),
    ("sigmoid_attention", PREFILL, {}),
)

_PAGE = """<!doctype html>
<meta charset="utf-8">
<title>attncc library</title>
<script type="module">
import {
  requestDevice, loadLibrary, bind, evalScalar, selectKernel, readJson, canonicalJson, fieldHash,
} from "./attncc.js";

const decode = (b64) => new Float32Array(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer);
const encode = (typed) => {
  const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
};
const failure = (err) => ({ name: err.name, message: err.message });
const plain = (x) => (Number.isFinite(x.value) || typeof x.value === "boolean"
  ? x : { value: String(x.value), kind: x.kind });

window.runLibrary = async (url, calls) => {
  const lib = await loadLibrary(url, { gpu: await requestDevice() });
  const out = [];
  for (const { program, inputs, shapes, scalars } of calls) {
    const arrays = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, decode(v)]));
    const kernel = lib.kernel(program);
    const bucket = kernel.select(kernel.bind({ shapes, scalars }).extents).bucket;
    const result = await lib.run(program, arrays, { shapes, scalars });
    const outputs = Object.fromEntries(Object.entries(result).map(([k, v]) => [k, encode(v)]));
    out.push({ bucket, outputs });
  }
  let refusedLet = null;
  try {
    await lib.run("causal_offset", {}, { shapes: calls[0].shapes, scalars: { OFF: 0 } });
  } catch (err) {
    refusedLet = failure(err);
  }
  return { programs: lib.programs, out, refusedLet };
};
// A library that must be refused, with a device that records every use.
window.refuse = async (url, program, shapes, options = {}) => {
  const uses = [];
  const device = new Proxy({}, { get: (_, key) => { uses.push(String(key)); return () => {}; } });
  const size = (shape) => shape.reduce((a, b) => a * b, 1);
  const zeros = ([k, shape]) => [k, new Float32Array(size(shape))];
  const inputs = Object.fromEntries(Object.entries(shapes).map(zeros));
  let lib = null;
  try {
    lib = await loadLibrary(url, { gpu: { f16: false, device }, ...options });
    await lib.run(program, inputs, { shapes });
    return { refused: null, uses, sha256: lib.sha256 };
  } catch (err) {
    return { refused: failure(err), uses, sha256: lib?.sha256 ?? null };
  }
};
// JSON texts read as readJson reads them, then in canonical form and as a field hash
window.canonicalCases = async (texts) => Promise.all(texts.map(async (text) => {
  try {
    const value = readJson(text, "case");
    return { ok: canonicalJson(value), hash: await fieldHash("scope", "field", value) };
  } catch (err) { return { error: failure(err) }; }
}));
window.bindCases = async (cases) => cases.map(([launch, options]) => {
  try { return { ok: bind(launch, options) }; } catch (err) { return { error: failure(err) }; }
});
window.evalCases = async (trees, env) => trees.map((tree) => {
  try { return { ok: plain(evalScalar(tree, env)) }; }
  catch (err) { return { error: failure(err) }; }
});
// kernels as JSON text: selenium would reorder an object's keys, JSON.parse keeps them
window.selectCases = async (kernelsJson, calls) => calls.map((extents) => {
  const kernels = JSON.parse(kernelsJson);
  try { return selectKernel(kernels, extents, "p").bucket; }
  catch (err) { return failure(err).message; }
});
window.attnccReady = true;
</script>
"""


def _inputs(shape: dict, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    b, h, g, p, m, e, f = (shape[r] for r in "bhgpmef")
    return {
        "Q": rng.standard_normal((b, h, p, e), dtype=np.float32),
        "K": rng.standard_normal((b, g, m, e), dtype=np.float32),
        "V": rng.standard_normal((b, g, m, f), dtype=np.float32),
    }


def _variant(root: Path, name: str, edit) -> str:
    """A copy of the library with ``edit(manifest dict, directory)`` applied; its URL path."""
    out = Path(shutil.copytree(root / "lib", root / name))
    manifest = json.loads((out / "manifest.json").read_text())
    edit(manifest, out)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return f"{name}/"


def _first_wgsl(manifest: dict) -> dict:
    return manifest["programs"]["gqa_window_softcap"]["kernels"][0]["files"]["wgsl"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    report = attncc.export(
        root / "lib",
        f"sqlite:///{root / 'nothing-tuned.db'}",
        targets=["webgpu"],
        programs=list(PROGRAMS),
        shapes=[PREFILL, DECODE],
    )
    assert {k.provenance for k in report.kernels} == {"default"}  # nothing measured
    shutil.copy(js_path(), root / "attncc.js")
    (root / "index.html").write_text(_PAGE)
    requested: list[str] = []
    with serve(root, requested) as url:
        yield root, url, requested


@pytest.fixture(scope="module")
def page(site):
    with open_page(site[1] + "/index.html") as driver:
        yield driver


def test_load_library_runs_every_program_like_the_interpreter(site, page):
    root, _, _ = site
    manifest = parse_manifest((root / "lib" / "manifest.json").read_bytes())
    calls, wants, buckets = [], [], []
    for i, (name, shape, params) in enumerate(CALLS):
        program = attncc.variants.CATALOGUE[name]()
        arrays = _inputs(shape, seed=i)
        wants.append(attncc.interpret(program, **arrays, **params))
        entries = [k for k in manifest.programs[name].kernels if k.target == "webgpu"]
        buckets.append(
            select(
                entries, bind(program, shapes=arrays, params=params).extents, name, "webgpu"
            ).bucket
        )
        calls.append(
            {
                "program": name,
                "inputs": {k: base64.b64encode(v.tobytes()).decode() for k, v in arrays.items()},
                "shapes": {k: list(v.shape) for k, v in arrays.items()},
                "scalars": params,  # params only: lets (OFF, scale, G, SB) are computed
            }
        )
    got = call(page, "runLibrary", "lib/", calls)
    assert got["programs"] == sorted(PROGRAMS)
    for (name, shape, _), want, bucket, result in zip(
        CALLS, wants, buckets, got["out"], strict=True
    ):
        assert result["bucket"] == bucket, f"{name} at {shape}: JS picked another bucket"
        value = np.frombuffer(base64.b64decode(result["outputs"]["O"]), np.float32)
        err = np.abs(value.reshape(want.shape) - want).max() / max(1.0, np.abs(want).max())
        assert err <= 1e-4, f"{name} at {shape} in Chromium"
    assert buckets[4]["m"] == 64 and buckets[4]["p"] == 64  # m=300 falls back to the nearest
    assert got["refusedLet"]["name"] == "AttnccError"
    assert "OFF is a let" in got["refusedLet"]["message"]


def test_a_tampered_artifact_is_refused_before_any_gpucall(site, page):
    root, _, _ = site

    def flip_a_byte(manifest, out):
        path = out / _first_wgsl(manifest)["path"]
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x20
        path.write_bytes(bytes(data))

    url = _variant(root, "tampered", flip_a_byte)
    manifest = json.loads((root / "tampered" / "manifest.json").read_text())
    ref = _first_wgsl(manifest)
    found = hashlib.sha256((root / "tampered" / ref["path"]).read_bytes()).hexdigest()
    got = call(page, "refuse", url, "gqa_window_softcap", SHAPES)
    assert got["uses"] == [], "the device was used before the library was checked"
    assert got["refused"]["name"] == "AttnccError"
    message = got["refused"]["message"]
    assert ref["path"] in message and ref["sha256"] in message and found in message


@pytest.mark.parametrize(
    "path",
    [
        "../lib/kernels/{name}",
        "/lib/kernels/{name}",
        "kernels/../../lib/kernels/{name}",
        "kernels\\{name}",
        "http://127.0.0.1:1/{name}",
        "kernels/%2e%2e/%2e%2e/lib/kernels/{name}",
    ],
)
def test_a_path_leaving_the_library_is_refused_and_never_fetched(site, page, path):
    root, _, requested = site
    name = "escape_" + hashlib.sha256(path.encode()).hexdigest()[:8]

    def escape(manifest, out):
        ref = _first_wgsl(manifest)
        ref["path"] = path.format(name=Path(ref["path"]).name)

    url = _variant(root, name, escape)
    before = len(requested)
    got = call(page, "refuse", url, "gqa_window_softcap", SHAPES)
    assert got["uses"] == []
    assert "is not a plain relative path inside the library" in got["refused"]["message"]
    asked = requested[before:]  # (fetches of an earlier test may still arrive)
    assert f"/{url}manifest.json" in asked
    assert not [r for r in asked if r.startswith(("/lib/", f"/{url}kernels"))], asked


def test_an_unknown_schema_version_is_refused(site, page):
    root, _, _ = site
    url = _variant(root, "future", lambda m, _: m.update(schema_version=3))
    got = call(page, "refuse", url, "gqa_window_softcap", SHAPES)
    assert got["uses"] == []
    assert (
        "schema version 3, newer than the version this attncc.js reads (2)"
        in got["refused"]["message"]
    )


# ----------------------------------------------------------------------------- hashes


def _first_kernel(manifest: dict) -> dict:
    return manifest["programs"]["gqa_window_softcap"]["kernels"][0]


def _swap_k_and_v(buffers: list) -> None:
    k, v = (next(i for i, b in enumerate(buffers) if b["arg"] == n) for n in "KV")
    buffers[k]["arg"], buffers[v]["arg"] = buffers[v]["arg"], buffers[k]["arg"]


#: (edit of the first gqa kernel entry, the field the error must name)
FIELD_EDITS = {
    "launch meta: K and V swapped": (
        lambda k: _swap_k_and_v(k["source"]["meta"]["launch"]["buffers"]),
        "source.meta.launch",
    ),
    "extents changed": (lambda k: k["source"]["extents"].update(h=None), "source.extents"),
    "entry renamed": (lambda k: k["source"].update(entry="main"), "source.entry"),
    "bucket moved": (lambda k: k["bucket"].update(p=4096), "bucket"),
}


@pytest.mark.parametrize("edit, field", FIELD_EDITS.values(), ids=list(FIELD_EDITS))
def test_an_edited_field_is_refused_naming_it(site, page, edit, field):
    root, _, _ = site
    name = "edited_" + field.replace(".", "_")
    url = _variant(root, name, lambda manifest, _: edit(_first_kernel(manifest)))
    got = call(page, "refuse", url, "gqa_window_softcap", SHAPES)
    assert got["uses"] == [], "the device was used before the library was checked"
    assert got["refused"]["name"] == "AttnccError"
    where = "manifest.programs.gqa_window_softcap.kernels[0]"
    assert f"{where}.{field} does not match its hash in {where}.hashes" in got["refused"]["message"]


def test_an_edited_launch_file_is_refused(site, page):
    root, _, _ = site

    def swap_in_file(manifest, out):
        path = out / _first_kernel(manifest)["files"]["launch"]["path"]
        launch = json.loads(path.read_text())
        _swap_k_and_v(launch["buffers"])
        path.write_text(json.dumps(launch, indent=1))

    url = _variant(root, "launch_edited", swap_in_file)
    got = call(page, "refuse", url, "gqa_window_softcap", SHAPES)
    assert got["uses"] == []
    ref = _first_kernel(json.loads((root / "lib" / "manifest.json").read_text()))["files"]
    assert f"{ref['launch']['path']} in library" in got["refused"]["message"]
    assert "does not match its sha256" in got["refused"]["message"]


def test_the_digest_is_pythons_and_pins_the_library(site, page):
    """lib.sha256 equals the Python loader's digest; a manifest re-sealed after an edit (every
    hash recomputed, as whoever can rewrite it can) passes the hashes but not the pin."""
    root, _, _ = site
    digest = parse_manifest((root / "lib" / "manifest.json").read_bytes()).sha256
    pinned = call(page, "refuse", "lib/", "gqa_window_softcap", SHAPES, {"sha256": digest})
    assert pinned["sha256"] == digest and pinned["uses"], pinned  # loaded, ran (on the fake)

    def swap_and_reseal(manifest, _):
        _swap_k_and_v(_first_kernel(manifest)["source"]["meta"]["launch"]["buffers"])
        seal(manifest)

    url = _variant(root, "resealed", swap_and_reseal)
    unpinned = call(page, "refuse", url, "gqa_window_softcap", SHAPES)
    assert unpinned["sha256"] not in (None, digest)  # the hashes match: it loads
    got = call(page, "refuse", url, "gqa_window_softcap", SHAPES, {"sha256": digest})
    assert got["uses"] == [] and f"not the pinned {digest}" in got["refused"]["message"]


def test_a_huge_manifest_is_refused_unread(site, page):
    root, _, _ = site
    url = _variant(root, "huge", lambda manifest, out: None)
    with open(root / "huge" / "manifest.json", "r+b") as f:
        f.truncate(MAX_MANIFEST_BYTES + 1)  # sparse: zeros past the JSON
    got = call(page, "refuse", url, "gqa_window_softcap", SHAPES)
    assert got["uses"] == []
    assert "manifest.json is larger than any file attncc writes" in got["refused"]["message"]


#: JSON texts both loaders must read alike: the same canonical form, or both refuse.
JSON_CASES = [
    '{"b": 1, "a": [true, null, "x"]}',
    "[50.0, -0, 1.5, 9007199254740991, -9007199254740991, 1e300, 0.1, 5e-324, 2.66e-05]",
    json.dumps('é\u2028\x7f\n\x01\t"\\/😀 \uffff'),
    json.dumps({"\uffff": 1, "😀": 2, "z": 3, "__proto__": 4, "10": 5, "9": 6}),
    '{"k": {"nested": [[[{"deep": [1]}]]]}}',
    "[" * 64 + "]" * 64,
    "[" * 65 + "]" * 65,
    '{"a": 1, "a": 2}',
    '{"a": {"x": 1}, "b": {"x": 2}}',
    "[9007199254740992]",
    "[" + "1" * 5000 + "]",
    "[1e999]",
    "[NaN]",
    '["\\ud800"]',
    '["\\ud83d\\ude00"]',
    "[0." + "0" * 60 + "1]",
    '{"a": [1, 2',
]


def test_json_is_read_and_hashed_as_python_does(page):
    from attncc.library.canonical import canonical
    from attncc.library.canonical import field_hash
    from attncc.library.canonical import load_json

    got = call(page, "canonicalCases", JSON_CASES)
    for text, js in zip(JSON_CASES, got, strict=True):
        try:
            value = load_json(text.encode(), "case")
        except ExportError:
            assert "error" in js, f"{text[:60]}: Python refuses it, JavaScript read {js}"
            assert js["error"]["name"] == "AttnccError"
            continue
        assert "ok" in js, f"{text[:60]}: {js}"
        assert js["ok"] == canonical(value).decode(), text[:60]
        assert js["hash"] == field_hash("scope", "field", value), text[:60]


# ----------------------------------------------------------------------------- lets


_E = {"a": -7, "b": 3, "x": -7.5, "y": 2.0, "t": True, "z": 0}


def _bin(op: BinaryOp, lhs, rhs) -> Binary:
    return Binary(op, lhs, rhs)


def _fn(fn: Fn, *args) -> Call:
    return Call(fn, tuple(args))


_A, _B, _X, _Y, _T, _Z = (Name(n) for n in "abxytz")
_D, _M = BinaryOp.DIV, BinaryOp.MOD
#: Expressions whose value depends on bind's integer / float / bool rules.
EXPRESSIONS = (
    _bin(_D, _A, _B), _bin(_M, _A, _B), _bin(_D, _A, Unary(UnaryOp.NEG, _B)),
    _bin(_M, _A, Unary(UnaryOp.NEG, _B)), _bin(_D, _X, _Y), _bin(_M, _X, _Y),
    _bin(_M, _X, Unary(UnaryOp.NEG, _Y)), _bin(_M, _A, _Y), _bin(BinaryOp.MUL, _A, _X),
    _bin(BinaryOp.ADD, _A, _T), _bin(BinaryOp.ADD, _T, _T), Unary(UnaryOp.NEG, _T),
    Unary(UnaryOp.NOT, _Z), _bin(BinaryOp.LT, _A, _B),
    _bin(BinaryOp.AND, _bin(BinaryOp.LT, _A, _B), _bin(BinaryOp.GT, _X, _Y)),
    _bin(BinaryOp.OR, _Z, _A), _bin(BinaryOp.EQ, _T, Const(1)),
    _fn(Fn.SELECT, _Z, _A, _B), _fn(Fn.SELECT, _X, _A, _B), _fn(Fn.MAX, _A, _X),
    _fn(Fn.MAX, _B, _A), _fn(Fn.MIN, _T, _B), _fn(Fn.ABS, _A), _fn(Fn.ABS, _X),
    _fn(Fn.FLOOR, _X), _fn(Fn.CEIL, _X), _fn(Fn.FLOOR, _A), _fn(Fn.SQRT, _B),
    _fn(Fn.RSQRT, _Y), _fn(Fn.EXP, _X), _fn(Fn.EXP2, _B), _fn(Fn.LOG, _B),
    _fn(Fn.LOG2, Const(8)), _fn(Fn.TANH, _X), _fn(Fn.SIGMOID, _X), _fn(Fn.LOG, _Z),
    _fn(Fn.I32, _X), _fn(Fn.I8, Const(300)), _fn(Fn.I8, Const(-200)),
    _fn(Fn.I32, Const(3.0e9)), _fn(Fn.F16, Const(0.1)), _fn(Fn.F16, Const(65519.0)),
    _fn(Fn.F16, Const(65520.0)), _fn(Fn.F16, Const(3.0e-8)), _fn(Fn.F16, Const(2.0**-25)),
    _fn(Fn.BF16, Const(1 / 3)), _fn(Fn.BF16, Const(-0.1)), _fn(Fn.BF16, Const(3.4e38)),
    _fn(Fn.F32, _A), _fn(Fn.BOOL, _X), _fn(Fn.BOOL, _Z),
    _bin(BinaryOp.SUB, Const(1.0), Const(float("inf"))),
    _bin(_D, Const(1), _Z), _bin(_M, _X, Const(0.0)), _fn(Fn.I32, Const(float("nan"))),
)  # fmt: skip


def test_scalar_expressions_evaluate_as_bind_does(page):
    env = {
        k: {"value": v, "kind": "bool" if isinstance(v, bool) else type(v).__name__}
        for k, v in _E.items()
    }
    got = call(page, "evalCases", [expr_tree(e) for e in EXPRESSIONS], env)
    for e, js in zip(EXPRESSIONS, got, strict=True):
        try:
            want = eval_scalar(e, _E)
        except AttnccError:
            assert "error" in js, f"{e}: Python refuses it, JavaScript gave {js}"
            continue
        assert "ok" in js, f"{e}: {js}"
        kind = "bool" if isinstance(want, bool) else type(want).__name__
        value = js["ok"]["value"]
        assert js["ok"]["kind"] == kind, f"{e}: {js['ok']} vs {want!r}"
        if isinstance(value, str):  # inf and nan travel as text
            value = {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}[value]
        same = value == want or (math.isnan(value) and math.isnan(want))
        assert same or math.isclose(value, want, rel_tol=1e-15), f"{e}: {value} vs {want!r}"


#: Programs with lets and declared ranks: paged (rank m = j * P), split_kv (c, n), tree_mask
#: (OFF = m - t), sigmoid (SB = -log(m)), causal_offset; each at a prefill and a decode.
BIND_PROGRAMS = ("paged", "split_kv_causal", "tree_mask", "sigmoid_attention", "causal_offset")
_RANKS = dict(b=2, h=6, g=3, p=37, m=53, e=24, f=20, t=5, u=7, n=8, j=7)


def test_lets_and_declared_ranks_bind_as_in_python(page):
    cases, wants = [], []
    for name in BIND_PROGRAMS:
        program = attncc.variants.CATALOGUE[name]()
        launch = {"program": name, "buffers": [], **binding_meta(program)}
        params = {"CH": 16} if any(p.name == "CH" for p in program.params) else {}
        for p in (_RANKS["p"], 1):
            extents = {**_RANKS, "p": p}
            shapes = {d.name: [extents[r] for r in d.ranks] for d in program.inputs}
            binding = bind(program, shapes=shapes, params=params)
            cases.append([launch, {"shapes": shapes, "scalars": params}])
            wants.append(binding)
    cases.append([cases[0][0], {"shapes": cases[0][1]["shapes"], "scalars": {"P": 4}}])
    got = call(page, "bindCases", cases)
    for (launch, _), want, js in zip(cases[:-1], wants, got[:-1], strict=True):
        assert "ok" in js, js
        assert js["ok"]["extents"] == dict(want.extents), launch["program"]
        assert js["ok"]["scalars"].keys() == want.scalars.keys()
        for k, v in want.scalars.items():
            assert math.isclose(js["ok"]["scalars"][k], v, rel_tol=1e-15), (launch["program"], k)
    assert "P is a let" in got[-1]["error"]["message"]  # a let is computed, never passed


def test_bucket_choice_is_pythons(page):
    """The bucket policy, ported: exact fixed ranks, powers of two, the nearest otherwise."""
    extents_of = {"h": 8, "e": 64}
    kernels = []
    # (256, 64) wins over (64, 64) by being larger; (128, 256) over (256, 128) by its text
    for p, m in ((1, 64), (64, 64), (2048, 2048), (512, 4096), (256, 64), (128, 256), (256, 128)):
        kernels.append(
            {
                "bucket": {"h": 8, "p": p, "m": m, "e": 64},
                "source": {"extents": {"h": 8, "p": None, "m": None, "e": 64}},
            }
        )
    kernels.append(
        {
            "bucket": {"h": 4, "p": 64, "m": 64, "e": 64},
            "source": {"extents": {"h": 4, "p": None, "m": None, "e": 64}},
        }
    )
    calls = [
        {**extents_of, "p": p, "m": m}
        for p, m in (
            (1, 61),
            (37, 53),
            (100, 100),
            (200, 200),
            (128, 64),
            (700, 3000),
            (1, 5000),
            (3, 3),
            (1024, 1025),
        )
    ]
    calls.append({"h": 2, "p": 4, "m": 4, "e": 64})

    class _K:
        def __init__(self, k):
            self.bucket = k["bucket"]
            self.source = type("S", (), {"extents": k["source"]["extents"]})

    got = call(page, "selectCases", json.dumps(kernels), calls)
    py = [_K(k) for k in kernels]
    for extents, js in zip(calls[:-1], got[:-1], strict=True):
        assert js == select(py, extents, "p", "webgpu").bucket, extents
    assert "its buckets: " + "; ".join(bucket_key(k["bucket"]) for k in kernels) in got[-1]
