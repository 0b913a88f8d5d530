"""FlexAttention mods traced into attncc programs, against torch's own flex_attention."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.nn.attention.flex_attention import create_block_mask  # noqa: E402
from torch.nn.attention.flex_attention import flex_attention  # noqa: E402

import attncc  # noqa: E402
from attncc.errors import UnsupportedError  # noqa: E402
from attncc.torch import trace  # noqa: E402
from attncc.torch import trace_mods  # noqa: E402

B, H, S, D = 2, 4, 37, 16
W, CAP = 5, 2.0
DOC = torch.tensor([0] * 10 + [1] * 20 + [2] * 7)
SLOPES = torch.exp2(-torch.arange(1, H + 1).float())


def causal(b, h, q_idx, kv_idx):
    return q_idx >= kv_idx


def window(b, h, q_idx, kv_idx):
    return (q_idx >= kv_idx) & (q_idx - kv_idx < W)


def document(b, h, q_idx, kv_idx):
    return (DOC[q_idx] == DOC[kv_idx]) & (q_idx >= kv_idx)


def softcap(score, b, h, q_idx, kv_idx):
    return CAP * torch.tanh(score / CAP)


def alibi(score, b, h, q_idx, kv_idx):
    return score + SLOPES[h] * (kv_idx - q_idx)


def _numpy(t):
    return t.numpy().astype(np.int32) if t.dtype == torch.int64 else t.numpy()


@pytest.mark.parametrize(
    ("score_mod", "mask_mod"),
    [(None, causal), (None, window), (None, document), (softcap, None), (alibi, causal),
     (softcap, window)],
)  # fmt: skip
@pytest.mark.parametrize("target", ["interpreter", "cpu"])
def test_traced_mods_equal_flex_attention(score_mod, mask_mod, target):
    gen = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(B, H, S, D, generator=gen) for _ in "qkv")
    program, extra = trace_mods(score_mod, mask_mod)
    args = {"Q": q.numpy(), "K": k.numpy(), "V": v.numpy()}
    args |= {n: _numpy(t) for n, t in extra.items()}
    if target == "cpu":
        kernel = attncc.compile(program, "cpu")
        got = kernel(**args)
        assert kernel.config["lowering"] == "fused"
    else:
        got = attncc.interpret(program, **args)
    mask = mask_mod and create_block_mask(mask_mod, None, None, S, S, device="cpu", BLOCK_SIZE=16)
    want = flex_attention(q, k, v, score_mod=score_mod, block_mask=mask or None)
    np.testing.assert_allclose(got, want.numpy(), atol=1e-5)


def test_captured_numbers_are_params_and_tensors_inputs():
    program, extra = trace_mods(softcap, document)
    params = {d.name: d.default for d in program.decls if type(d).__name__ == "Param"}
    assert params == {"CAP": CAP} and set(extra) == {"DOC"}
    assert attncc.parse(program.text) == program  # it prints as attncc text


def test_python_control_flow_names_the_users_line():
    def branchy(b, h, q_idx, kv_idx):
        if q_idx > kv_idx:  # noqa: SIM103 -- the construct under test
            return True
        return False

    with pytest.raises(UnsupportedError, match=r"control flow .*test_trace\.py:\d+: if q_idx"):
        trace(None, branchy)
