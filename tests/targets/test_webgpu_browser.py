"""The webgpu target's kernels in a real headless Chromium (SwiftShader), dispatched by
``attncc.js`` from the WGSL and launch metadata attncc exports, equal the reference
interpreter. The page is served from a temp directory by a stdlib HTTP server on localhost
and driven through selenium with Debian's chromedriver."""

from __future__ import annotations

import base64
import json
import shutil
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import attncc
from attncc.ir.arguments import split_arguments
from attncc.ir.bind import bind
from attncc.runtime import js_path
from attncc.targets.invoke import storage_array
from attncc.targets.webgpu import WebGpuTarget
from tests.browser import call
from tests.browser import needs_chromium
from tests.browser import open_page
from tests.browser import serve
from tests.targets.conformance import max_rel_err as _max_rel_err
from tests.variants.cases import CASES
from tests.variants.cases import DECODE
from tests.variants.cases import WIDE

pytestmark = needs_chromium

#: (variant, shape): GQA + window + softcap, decode, paged KV, a bool mask input, int8 KV,
#: f16 KV, and a multi-kernel generic lowering with two outputs.
BROWSER_CASES = (
    ("gqa_window_softcap", WIDE),
    ("gqa_window_softcap", replace(DECODE, m=61)),
    ("paged", WIDE),
    ("tree_mask", WIDE),
    ("int8_kv", WIDE),
    ("fp16_kv", WIDE),
    ("cascade", WIDE),
)

_PAGE = """<!doctype html>
<meta charset="utf-8">
<title>attncc webgpu conformance</title>
<script type="module">
import { requestDevice, loadKernel, workgroups, dispatchSize, podBytes } from "./attncc.js";

const TYPED = { f32: Float32Array, f16: Uint16Array, i32: Int32Array, i8: Int8Array,
                bool: Uint8Array };
const decode = (b64, dtype) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new TYPED[dtype](bytes.buffer);
};
const encode = (typed) => {
  const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
};

let gpu = null;
window.adapter = async () => {
  gpu = await requestDevice();
  const info = gpu.adapter.info || {};
  return { f16: gpu.f16, vendor: info.vendor || "", architecture: info.architecture || "" };
};
window.runCase = async (name) => {
  const args = await (await fetch(`${name}.args.json`)).json();
  const kernel = await loadKernel(gpu, `${name}.wgsl`, `${name}.json`);
  const inputs = {};
  for (const [k, v] of Object.entries(args.inputs)) inputs[k] = decode(v.data, v.dtype);
  const { shapes, extents, scalars } = args;
  const out = await kernel.run(inputs, { shapes, extents, scalars });
  const result = {};
  for (const [k, v] of Object.entries(out)) result[k] = encode(v);
  return result;
};
window.arithmetic = async (cases) => cases.map(({ kernel, sources, extents, scalars }) => {
  const groups = workgroups(kernel.grid, extents);
  const pod = new Uint8Array(podBytes(kernel, sources, extents, scalars, groups));
  return { groups, dispatch: dispatchSize(groups), pod: Array.from(pod) };
});
window.attnccReady = true;
</script>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    shutil.copy(js_path(), root / "attncc.js")
    (root / "index.html").write_text(_PAGE)
    with serve(root) as url:
        yield root, url


@pytest.fixture(scope="module")
def browser(site):
    with open_page(site[1] + "/index.html") as driver:
        yield driver, call(driver, "adapter")


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode()


_WIRE = {"f32": np.float32, "f16": np.uint16, "i32": np.int32, "i8": np.int8, "bool": np.uint8}


def _export(root: Path, stem: str, name: str, shape, f16: bool):
    """Compile for the browser's device, write WGSL + launch + arguments; return the
    reference outputs."""
    rng = np.random.default_rng(zlib.crc32(f"browser/{name}/{shape.p}".encode()))
    program, kwargs, _ = CASES[name](rng, shape, name=name)
    want = attncc.interpret(program, **kwargs)
    kernel = attncc.compile(program, WebGpuTarget(f16=f16))
    kernel(**kwargs)  # builds (and runs on wgpu here)
    artifact = kernel.artifact
    files = kernel.target.save(artifact, root, stem)
    arrays, params = split_arguments(program, kwargs)
    binding = bind(program, shapes={n: a.shape for n, a in arrays.items()}, params=params)
    inputs = {}
    for d in program.inputs:
        x = storage_array(arrays[d.name], d.dtype)
        wire = d.dtype.value if d.dtype.value in _WIRE else "f32"
        inputs[d.name] = {"dtype": wire, "data": _b64(x.view(_WIRE[wire]))}
    in_shapes = {r for d in program.inputs for r in d.ranks}
    args = {
        "inputs": inputs,
        "extents": {r: n for r, n in binding.extents.items() if r not in in_shapes},
        "shapes": {n: list(a.shape) for n, a in arrays.items()},
        # params only: attncc.js computes the lets (OFF = m - t, ...) from the launch's decls
        "scalars": {k: (v.item() if hasattr(v, "item") else v) for k, v in params.items()},
    }
    (root / f"{stem}.args.json").write_text(json.dumps(args))
    assert files == {"wgsl": f"{stem}.wgsl", "launch": f"{stem}.json"}
    want = want if isinstance(want, dict) else {program.outputs[0]: want}
    return want, artifact.source.meta["launch"]


@pytest.mark.parametrize(("name", "shape"), BROWSER_CASES, ids=lambda x: getattr(x, "p", x))
def test_variant_in_chromium_matches_reference(site, browser, name, shape):
    root, _ = site
    driver, adapter = browser
    stem = f"{name}_p{shape.p}"
    want, launch = _export(root, stem, name, shape, f16=adapter["f16"])
    got = call(driver, "runCase", stem)
    assert set(got) == set(want)
    types = {b["arg"]: b["type"] for b in launch["buffers"] if b["role"] == "output"}
    for out, ref in want.items():
        value = np.frombuffer(base64.b64decode(got[out]), _WIRE[types[out]])
        value = value.reshape(np.shape(ref))
        assert _max_rel_err(value, ref) <= 1e-4, f"{name} in Chromium: {out}"


def test_launch_arithmetic_is_the_same_in_python_and_javascript(browser):
    """Grids, dispatch folding and the PODArgs bytes, from one launch rule, in both runtimes."""
    from attncc.targets.webgpu.launch import dispatch_size
    from attncc.targets.webgpu.launch import pod_bytes
    from attncc.targets.webgpu.launch import workgroups

    driver, _ = browser
    kernel = {
        "entry": "k",
        "pod": [{"name": n, "type": t} for n, t in
                (("M", "i32"), ("P", "i32"), ("cap", "f32"), ("packGridDimX", "u32"))],
        "pack_offset": -1,
    }  # fmt: skip
    sources = {
        "M": {"kind": "extent", "of": "m"},
        "P": {"kind": "extent", "of": "p"},
        "cap": {"kind": "scalar", "of": "cap"},
    }
    cases = []
    for p, m, factors, div in (
        (37, 53, [{"const": 12}, {"rank": "p", "per": 8}], 1),
        (1, 4097, [{"const": 2}, {"rank": "p"}, {"rank": "m"}], 64),
        (100000, 7, [{"const": 48}, {"rank": "p", "per": 2}], 1),
    ):
        grid = {"factors": factors, "div": div}
        cases.append(
            {"kernel": {**kernel, "grid": grid}, "sources": sources,
             "extents": {"p": p, "m": m}, "scalars": {"cap": 30.5}}
        )  # fmt: skip
    got = call(driver, "arithmetic", cases)
    for case, js in zip(cases, got, strict=True):
        groups = workgroups(case["kernel"]["grid"], case["extents"])
        pod = pod_bytes(case["kernel"], sources, case["extents"], case["scalars"], groups)
        assert js == {"groups": groups, "dispatch": list(dispatch_size(groups)), "pod": list(pod)}
    assert got[2]["dispatch"][2] > 1  # 2.4 million workgroups fold into z
