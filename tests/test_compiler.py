"""attncc.compile(): the front door's contract, on the CPU target."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import attncc
from attncc.errors import ArgumentError
from attncc.errors import AttnccError
from attncc.errors import ShapeError
from attncc.errors import UnsupportedError

RNG = np.random.default_rng(7)


def _qkv(p=13, m=29, h=4, g=2, e=16):
    q = RNG.standard_normal((1, h, p, e)).astype(np.float32)
    k = RNG.standard_normal((1, g, m, e)).astype(np.float32)
    v = RNG.standard_normal((1, g, m, e)).astype(np.float32)
    return q, k, v


@pytest.fixture(scope="module")
def window_kernel():
    return attncc.compile(attncc.variants.sliding_window(), "cpu")


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("ATTNCC_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "kernels"))


def test_kernel_equals_reference_and_serves_several_lengths(window_kernel):
    for p, m in ((13, 29), (1, 40), (31, 31), (1, 77)):
        q, k, v = _qkv(p, m)
        out = window_kernel(Q=q, K=k, V=v, W=5)
        ref = attncc.interpret(window_kernel.program, Q=q, K=k, V=v, W=5)
        np.testing.assert_allclose(out, ref, atol=1e-5, rtol=1e-5)
    # lengths are symbolic: one build for every prefill length, one for single-query decode
    assert len(window_kernel._builds) == 2


def test_program_text_compiles_like_the_program():
    text = str(attncc.variants.CATALOGUE["mha_causal"]())
    q, k, v = _qkv(7, 7, h=2, g=2)
    out = attncc.compile(text)(Q=q, K=k, V=v)
    np.testing.assert_allclose(out, attncc.interpret(text, Q=q, K=k, V=v), atol=1e-5)


def test_torch_in_torch_out(window_kernel):
    q, k, v = (torch.from_numpy(x) for x in _qkv())
    out = window_kernel(Q=q, K=k, V=v)
    assert isinstance(out, torch.Tensor)
    ref = attncc.interpret(window_kernel.program, Q=q, K=k, V=v)
    np.testing.assert_allclose(out.numpy(), ref, atol=1e-5)


def test_non_contiguous_inputs_are_copied(window_kernel):
    q, k, v = _qkv()
    qt = np.ascontiguousarray(q.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3)
    assert not qt.flags.c_contiguous
    out = window_kernel(Q=qt, K=k, V=v)
    np.testing.assert_allclose(out, window_kernel(Q=q, K=k, V=v), atol=1e-6)


def test_no_silent_precision_change(window_kernel):
    """A float64 or bfloat16 array for an f32 input would be rounded (or come back in
    another dtype) without a word: an ArgumentError names the input, both dtypes and the
    fix. The interpreter, exact in float64, takes any float array."""
    q, k, v = _qkv()
    with pytest.raises(ArgumentError, match=r"input K is declared f32 but the array is float64"):
        window_kernel(Q=q, K=k.astype(np.float64), V=v)
    with pytest.raises(
        ArgumentError,
        match=r"input Q is declared f32 but the array is bfloat16.*"
        r"Q\.to\(torch\.float32\)",
    ):
        window_kernel(
            Q=torch.from_numpy(q).bfloat16(), K=torch.from_numpy(k), V=torch.from_numpy(v)
        )
    ref = attncc.interpret(window_kernel.program, Q=q.astype(np.float64), K=k, V=v)
    np.testing.assert_allclose(window_kernel(Q=q, K=k, V=v), ref, atol=1e-5)


def test_positional_inputs_in_declaration_order(window_kernel):
    q, k, v = _qkv()
    want = window_kernel(Q=q, K=k, V=v)
    np.testing.assert_array_equal(window_kernel(q, k, v), want)
    np.testing.assert_array_equal(window_kernel(q, k, V=v), want)
    with pytest.raises(
        ArgumentError,
        match=r"at most 3 positional argument\(s\), its inputs "
        r"Q, K, V in that order; got 4",
    ):
        window_kernel(q, k, v, v)
    with pytest.raises(ArgumentError, match="K given both by position and by name"):
        window_kernel(q, k, K=k, V=v)
    with pytest.raises(ArgumentError, match="has no input or param named X"):
        window_kernel(q, k, v, X=v)


def test_meta_tensors_are_refused(window_kernel):
    q, k, v = (torch.empty(1, 2, 4, 8, device="meta") for _ in range(3))
    with pytest.raises(ArgumentError, match="input Q is a torch meta tensor"):
        window_kernel(Q=q, K=k, V=v)
    with pytest.raises(ArgumentError, match="meta tensor"):
        attncc.interpret(window_kernel.program, Q=q, K=k, V=v)


def test_impossible_sizes_are_refused_before_allocating():
    """Outputs larger than the machine's memory, or tensors beyond 32-bit offsets, are
    refused with the tensor, its size and the fix -- no MemoryError, nothing allocated."""
    program = attncc.parse(
        "program outer\ninput A[i] : f32\ninput B[j] : f32\nY[i, j] = A[i] * B[j]\noutput Y\n"
    )
    a = np.ones(2**20, np.float32)
    with pytest.raises(ShapeError, match=r"needs 4\.0 TB .*Y\[i=1048576, j=1048576\]"):
        attncc.compile(program)(A=a, B=a)
    with pytest.raises(ShapeError, match=r"interpret needs 8\.0 TB"):
        attncc.interpret(program, A=a, B=a)
    b = np.ones(2**11 + 1, np.float32)
    with pytest.raises(
        UnsupportedError,
        match=r"Y\[i=1048576, j=2049\] .* has 2148532224 "
        r"elements; kernels on target cpu address at most 2147483647",
    ):
        attncc.compile(program)(A=a, B=b)


def test_source_and_config_describe_the_build(window_kernel):
    q, k, v = _qkv()
    window_kernel(Q=q, K=k, V=v)
    assert "T.prim_func" in window_kernel.source
    assert window_kernel.config["lowering"] in ("fused", "generic")
    assert window_kernel.program.name == "sliding_window"


def test_shapes_build_ahead_of_time():
    program = attncc.variants.mha()
    kernel = attncc.compile(program, shapes={"b": 1, "h": 2, "p": 5, "m": 6, "e": 8, "f": 8})
    assert "T.prim_func" in kernel.source


def test_several_configs_agree():
    program = attncc.variants.alibi()
    q, k, v = _qkv(11, 17)
    slopes = RNG.uniform(0.1, 1, 4).astype(np.float32)
    ref = attncc.interpret(program, Q=q, K=k, V=v, SLOPE=slopes)
    for config in ({"lowering": "generic", "fuse": 1, "unroll": 4}, {"lowering": "generic"}):
        out = attncc.compile(program, config=config)(Q=q, K=k, V=v, SLOPE=slopes)
        np.testing.assert_allclose(out, ref, atol=1e-5)


def test_cache_is_reused_across_kernels():
    program = attncc.variants.mqa()
    q, k, v = _qkv(5, 6, h=2, g=1)
    first = attncc.compile(program)
    first(Q=q, K=k, V=v)
    second = attncc.compile(program)
    second(Q=q, K=k, V=v)
    path = second.artifact.path
    assert path is not None and path == first.artifact.path


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (lambda k, q, kk, v: k(Q=q, K=kk), ArgumentError, "missing input"),
        (lambda k, q, kk, v: k(Q=q, K=kk, V=v, X=q), ArgumentError, "no input or param named X"),
        (lambda k, q, kk, v: k(Q=q[0], K=kk, V=v), ShapeError, "4 ranks"),
        (lambda k, q, kk, v: k(Q=q, K=kk[:, :, :5], V=v), ShapeError, "rank m"),
        (lambda k, q, kk, v: k(Q=q.astype(np.int32), K=kk, V=v), ArgumentError, "float"),
        (lambda k, q, kk, v: k(Q=q[:, :, :0], K=kk, V=v), ShapeError, "extent 0"),
    ],
)
def test_bad_calls_raise_clear_errors(window_kernel, call, error, fragment):
    q, k, v = _qkv()
    with pytest.raises(error, match=fragment):
        call(window_kernel, q, k, v)


def test_bad_compile_requests():
    with pytest.raises(UnsupportedError, match="unknown target 'tpu'"):
        attncc.compile(attncc.variants.mha(), "tpu")
    with pytest.raises(ShapeError, match="does not have"):
        attncc.compile(attncc.variants.mha(), shapes={"zz": 3})
    kernel = attncc.compile(attncc.variants.mha(), config={"tile": 3})
    with pytest.raises(UnsupportedError, match="unknown knob"):
        kernel(**dict(zip("QKV", _qkv(h=2, g=2), strict=True)))
    with pytest.raises(AttnccError):
        attncc.compile("program broken\n")
    with pytest.raises(ArgumentError, match="not been built"):
        _ = attncc.compile(attncc.variants.mha()).source
    with pytest.raises(ArgumentError, match="not been built"):
        _ = attncc.compile(attncc.variants.mha()).artifact


def _hostile_calls():
    p = attncc.variants.gqa_window_softcap()
    q, k = np.zeros((1, 4, 8, 16), np.float32), np.zeros((1, 2, 8, 16), np.float32)
    return {
        "target_int": lambda: attncc.compile(p, 3),
        "config_list": lambda: attncc.compile(p, config=[1, 2]),
        "config_value": lambda: attncc.compile(p, config={"bk": "x"})(q, k, k),
        "shapes_list": lambda: attncc.compile(p, shapes=[1]),
        "shapes_negative": lambda: attncc.compile(p, shapes={"h": -1}),
        "shapes_float": lambda: attncc.compile(p, shapes={"h": 2.5}),
        "ragged_list": lambda: attncc.compile(p)([[1], [1, 2]], k, k),
        "complex": lambda: attncc.compile(p)(q.astype(np.complex64), k, k),
        "strings": lambda: attncc.compile(p)("abc", k, k),
        "torch_complex": lambda: attncc.compile(p)(torch.zeros(1, 4, 8, 16).cfloat(), k, k),
        "param_nan_for_i32": lambda: attncc.compile(p)(q, k, k, W=float("nan")),
        "param_array": lambda: attncc.compile(p)(q, k, k, cap=np.ones(3)),
    }


@pytest.mark.parametrize("case", sorted(_hostile_calls()))
def test_hostile_arguments_give_attncc_errors(case):
    with pytest.raises(AttnccError):
        _hostile_calls()[case]()


def test_inputs_that_require_grad_are_refused_while_grad_is_on(window_kernel):
    """Kernels are forward-only: a result without grad_fn would cut the graph silently."""
    q, k, v = (torch.from_numpy(a) for a in _qkv())
    with pytest.raises(ArgumentError, match="input Q of sliding_window requires grad"):
        window_kernel(q.requires_grad_(), k, v)
    with torch.no_grad():
        out = window_kernel(q, k, v)
    assert out.grad_fn is None and not out.requires_grad
