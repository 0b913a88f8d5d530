"""The webgpu target on wgpu-native (lavapipe here): configs beyond WebGPU's limits are
rejected before compilation, the binding / uniform convention read from TVM's WGSL is the
one the runtimes use, and exported artifacts load back. Every catalogue variant against the
reference is in ``test_conformance.py``."""

from __future__ import annotations

import re

import numpy as np
import pytest

import attncc
from attncc.errors import UnsupportedError
from tests.targets.conformance import FUSED
from tests.targets.conformance import max_rel_err as _max_rel_err
from tests.variants.cases import CASES
from tests.variants.cases import WIDE

wgpu = pytest.importorskip("wgpu", reason="the webgpu target needs the wgpu package")


@pytest.fixture(scope="module", autouse=True)
def _adapter():
    from attncc.targets.webgpu.runtime import device

    try:
        device()
    except UnsupportedError as err:  # no Vulkan driver: CI installs mesa-vulkan-drivers
        pytest.skip(str(err))


def _kernel(name: str, shape=WIDE, **config):
    rng = np.random.default_rng(7)
    program, kwargs, _ = CASES[name](rng, shape, name=name)
    return program, kwargs, attncc.compile(program, "webgpu", config=config or None)


@pytest.mark.parametrize("name", ["gqa", "topk_gather"])
def test_default_lowering_and_source_is_wgsl(name):
    _, kwargs, kernel = _kernel(name)
    kernel(**kwargs)
    assert kernel.config["lowering"] == ("fused" if name in FUSED else "generic")
    assert "@compute" in kernel.source and "PODArgs" in kernel.source
    launch = kernel.built.meta["launch"]
    assert (len(launch["kernels"]) > 1) == (name not in FUSED)  # one kernel per statement
    assert launch["kernels"][0]["workgroup_bytes"] <= 16384


def test_generic_lowering_of_a_fusable_variant_matches():
    program, kwargs, kernel = _kernel("gqa_window_softcap", lowering="generic", wg=128)
    want = attncc.interpret(program, **kwargs)
    assert _max_rel_err(kernel(**kwargs), want) <= 1e-4
    assert len(kernel.built.meta["launch"]["kernels"]) > 1


@pytest.mark.parametrize(
    "config",
    [
        {"wg_x": 32, "bq": 8, "bk": 16, "vpt": 1},
        {"wg_x": 8, "bq": 2, "bk": 64, "vpt": 3},
        {"wg_x": 64, "bq": 4, "bk": 16, "vpt": 1},
    ],
)
def test_fused_knobs_change_the_kernel_not_the_result(config):
    program, kwargs, kernel = _kernel("sinks_window", **config)
    want = attncc.interpret(program, **kwargs)
    assert _max_rel_err(kernel(**kwargs), want) <= 1e-4
    x, y, _ = kernel.built.meta["launch"]["kernels"][0]["workgroup_size"]
    assert (x, y) == (config["wg_x"], config["bq"])


def test_one_build_serves_every_length():
    program = attncc.variants.gqa(causal=True)
    kernel = attncc.compile(program, "webgpu")
    rng = np.random.default_rng(1)
    for p, m in ((5, 9), (40, 70)):
        q = rng.standard_normal((1, 4, p, 16)).astype(np.float32)
        k = rng.standard_normal((1, 2, m, 16)).astype(np.float32)
        got = kernel(Q=q, K=k, V=k)
        assert _max_rel_err(got, attncc.interpret(program, Q=q, K=k, V=k)) <= 1e-4
    assert len(kernel._builds) == 1


# ---------------------------------------------------------------------------- limits


def _no_compilation(monkeypatch):
    import attncc.targets.webgpu.build as build

    def refuse(*args, **kwargs):
        raise AssertionError("a config beyond the limits reached compilation")

    monkeypatch.setattr(build, "compile_wgsl", refuse)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"wg_x": 64, "bq": 8, "vpt": 2}, "512 invocations"),
        ({"bq": 16, "bk": 64, "wg_x": 16, "vpt": 8}, "bytes of workgroup storage"),
    ],
)
def test_limit_violations_are_rejected_before_compilation(monkeypatch, config, message):
    _no_compilation(monkeypatch)
    program = attncc.variants.gqa()
    rng = np.random.default_rng(3)
    q = rng.standard_normal((1, 4, 5, 128)).astype(np.float32)
    k = rng.standard_normal((1, 2, 7, 128)).astype(np.float32)
    kernel = attncc.compile(program, "webgpu", config=config)
    with pytest.raises(UnsupportedError, match=message) as err:
        kernel(Q=q, K=k, V=k)
    assert "webgpu" in str(err.value) and "limit" in str(err.value)


def test_too_many_storage_buffers_are_rejected_before_compilation(monkeypatch):
    _no_compilation(monkeypatch)
    names = "ABCDEFGHI"
    text = "program wide\n" + "".join(f"input {n}[i] : f32\n" for n in names)
    text += "O[i] = " + " + ".join(f"{n}[i]" for n in names) + "\noutput O\n"
    kernel = attncc.compile(text, "webgpu")
    arrays = {n: np.ones(4, np.float32) for n in names}
    with pytest.raises(UnsupportedError, match=r"binds 10 storage buffers.*limit of 8"):
        kernel(**arrays)
    space = attncc.targets.get_target("webgpu").space(kernel.program, {"i": None})
    assert space.size == 0


def test_the_space_only_holds_configs_within_the_limits():
    from attncc.targets.webgpu.flash import workgroup_bytes
    from attncc.targets.webgpu.fused import _config
    from attncc.targets.webgpu.fused import render

    program = attncc.variants.gqa(causal=True)
    extents = {"b": 1, "h": 8, "g": 2, "p": None, "m": None, "e": 128, "f": 128}
    target = attncc.targets.get_target("webgpu")
    space = target.space(program, extents)
    from attncc.lowering.plan import plan_attention

    spec = render(plan_attention(program), extents).spec
    fused = [c for c in space if c["lowering"] == "fused"]
    assert fused and len(fused) < space.size
    for c in fused:
        assert c["wg_x"] * c["bq"] <= 256
        assert workgroup_bytes(spec, _config(c)) <= 16384


# ---------------------------------------------------------------------------- convention

_PROBE = """
@T.prim_func
def probe(z_h: T.handle, a_h: T.handle, out_h: T.handle, n: T.int32, beta: T.float32,
          alpha: T.int32):
    T.func_attr({"global_symbol": "probe", "tirx.noalias": True})
    Z = T.match_buffer(z_h, (n,), "float32")
    A = T.match_buffer(a_h, (n,), "float32")
    Out = T.match_buffer(out_h, (n + 64,), "float32")
    for bx in T.thread_binding((n + 63) // 64, thread="blockIdx.x"):
        for tx in T.thread_binding(64, thread="threadIdx.x"):
            i = T.meta_var(bx * 64 + tx)
            if i < n + 64:
                Out[i] = Z[T.min(i, n - 1)] * beta + A[T.min(i, n - 1)] + T.Cast("float32", alpha)
"""


def test_wgsl_convention_bindings_by_name_then_scalars_then_grid():
    """TVM binds buffers by name (not signature order), then one uniform whose fields are
    the scalars by name and packGridDimX; the guard is ``>``, so the runtime writes the
    workgroup count minus one. Running it shows the runtime packs what the WGSL declares:
    the workgroup after the grid must not run."""
    from attncc.targets.webgpu.runtime import DeviceProgram
    from attncc.targets.webgpu.wgsl import compile_wgsl

    (k,) = compile_wgsl(_PROBE)
    assert [b[0] for b in k.buffers] == ["A", "Out", "Z"]
    assert [(b[0], b[1]) for b in k.buffers][1] == ("Out", "read_write")
    assert k.pod == (("alpha", "i32"), ("beta", "f32"), ("n", "i32"), ("packGridDimX", "u32"))
    assert k.pack_offset == -1 and re.search(r"> podArgs\.packGridDimX", k.wgsl)
    n = 100
    from attncc.targets.webgpu.launch import join_wgsl

    def run(groups: int, pack_offset: int) -> np.ndarray:
        launch = {
            "buffers": [
                {"name": "Z", "role": "input", "arg": "Z", "ranks": ["n"], "type": "f32"},
                {"name": "A", "role": "input", "arg": "A", "ranks": ["n"], "type": "f32"},
                {"name": "Out", "role": "output", "arg": "Out", "ranks": ["n64"], "type": "f32"},
            ],
            "scalars": {
                "n": {"kind": "extent", "of": "n"},
                "beta": {"kind": "scalar", "of": "beta"},
                "alpha": {"kind": "scalar", "of": "alpha"},
            },
            "kernels": [{**k.to_json(), "buffers": [b[0] for b in k.buffers],
                         "pack_offset": pack_offset,
                         "grid": {"factors": [{"const": groups}], "div": 1}}],
            "outputs": ["Out"],
        }  # fmt: skip
        prog = DeviceProgram(join_wgsl([(k.entry, k.wgsl)]), launch)
        scalars = {"beta": 2.0, "alpha": 3}
        return prog.run({"Z": z, "A": a}, scalars, {"n": n, "n64": n + 64})["Out"]

    z = np.arange(n, dtype=np.float32)
    a = np.full(n, 0.5, np.float32)
    want = np.concatenate([z * 2 + 3.5, np.full(64, z[-1] * 2 + 3.5, np.float32)])
    assert np.array_equal(run(3, k.pack_offset), want)  # count - 1: all three run
    short = run(3, k.pack_offset - 1)  # one less: the third workgroup returns at the guard
    assert np.array_equal(short[:128], want[:128]) and not short[128:].any()


# ---------------------------------------------------------------------------- f16, export


def test_f16_kv_is_read_as_f16_or_widened(monkeypatch):
    import attncc.targets.webgpu.runtime as runtime
    import attncc.targets.webgpu.target as webgpu

    program, kwargs, kernel = _kernel("fp16_kv")
    want = attncc.interpret(program, **kwargs)
    with pytest.warns(UserWarning, match="f16 tensors are"):
        webgpu._F16_TOLD.clear()
        got = kernel(**kwargs)
    assert _max_rel_err(got, want) <= 1e-4
    has_f16 = runtime.device().f16
    assert ("array<f16>" in kernel.source) == has_f16
    widened = runtime.Device(runtime.device().handle, runtime.device().info, False)
    monkeypatch.setattr(runtime, "device", lambda: widened)
    webgpu._F16_TOLD.clear()
    kernel = attncc.compile(program, "webgpu")
    with pytest.warns(UserWarning, match="widened to f32"):
        got = kernel(**kwargs)
    assert "f16" not in kernel.source and _max_rel_err(got, want) <= 1e-4


def test_save_and_load_round_trip(tmp_path):
    import json

    program, kwargs, kernel = _kernel("paged")
    want = kernel(**kwargs)
    target = kernel.target
    artifact = kernel.artifact
    files = target.save(artifact, tmp_path, "k0")
    assert files == {"wgsl": "k0.wgsl", "launch": "k0.json"}
    launch = json.loads((tmp_path / "k0.json").read_text())
    assert launch["format"] == "attncc-webgpu-launch/1"
    loaded = target.load(artifact.source, {k: tmp_path / v for k, v in files.items()})
    from attncc.ir.arguments import split_arguments
    from attncc.ir.bind import bind
    from attncc.targets.invoke import storage_array

    given, params = split_arguments(program, kwargs)
    binding = bind(program, shapes={n: a.shape for n, a in given.items()}, params=params)
    arrays = {d.name: storage_array(given[d.name], d.dtype) for d in program.inputs}
    got = target.run(loaded, arrays, binding.scalars, binding.extents)["O"]
    assert np.array_equal(got, want)
    assert target.incompatibility(target.describe()) is None


def test_describe_names_the_adapter():
    d = attncc.targets.get_target("webgpu").describe()
    assert d["target"] == "webgpu" and d["device"] and isinstance(d["shader-f16"], bool)
