"""attncc (cuda target) vs torch SDPA (flash backend) vs FlexAttention on one GPU.

Protocol of the FlashAttention-3 paper: head dim 64 and 128, sequence length 512 … 16k with
batch · length = 16k tokens, hidden size 2048 (heads = 2048 / head dim), causal and not,
fp16 and bf16. FLOPs counted as ``4 · B · H · S² · D`` (halved when causal). Each case runs
the peers interleaved (round robin, ``--rounds`` rounds of ``--reps`` timed calls after a
warm-up) and reports the median TFLOP/s per peer. attncc launches its fused kernel directly
on the device tensors (``dot`` = the input dtype: fp16 / bf16 tensor-core operands, fp32
accumulation, as FlashAttention does); outputs are checked against SDPA first.

Without a GPU it says so and exits 0. Run: ``python bench/gpu.py [--quick]``.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import statistics
import sys
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Case:
    d: int
    s: int
    causal: bool
    dtype: str

    @property
    def b(self) -> int:
        return 16384 // self.s

    @property
    def h(self) -> int:
        return 2048 // self.d

    def flops(self) -> float:
        f = 4.0 * self.b * self.h * self.s * self.s * self.d
        return f / 2 if self.causal else f


def cases(quick: bool) -> list[Case]:
    lengths = (512, 2048) if quick else (512, 1024, 2048, 4096, 8192, 16384)
    return [
        Case(d, s, c, t)
        for t, d, c, s in itertools.product(("fp16", "bf16"), (64, 128), (False, True), lengths)
    ]


def attncc_build(case: Case):
    """The fused attncc kernel for ``case``, compiled (its config checked with ptxas)."""
    import attncc
    from attncc.targets import get_target

    program = attncc.variants.attention(heads="mha", causal=case.causal)
    target = get_target("cuda")
    return attncc.compile(program, target, shapes=_extents(case), config={"dot": case.dtype})


def _extents(case: Case) -> dict[str, int]:
    # (mha has no kv-head rank g: naming one is a ShapeError)
    return {"b": case.b, "h": case.h, "p": case.s, "m": case.s, "e": case.d, "f": case.d}


def attncc_runner(kernel, case: Case, q, k, v):
    """``kernel`` (:func:`attncc_build`) launched directly on the device tensors."""
    from attncc.targets.cuda.launch import launch_all

    handle = kernel.artifact.handle
    module = handle.module(interpret=False)
    out = q.new_full(q.shape, float("nan"))  # poisoned: an unwritten element shows in the error
    tensors = {"Q": q, "K": k, "V": v, "O": out}
    scalars = {"scale": case.d**-0.5}
    extents = _extents(case)

    def run():
        launch_all(handle.launch, module, tensors, scalars, extents, interpret=False)
        return out

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two lengths only")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import torch

    if not torch.cuda.is_available():
        print("bench/gpu.py needs a CUDA GPU; none is present here, nothing to measure.")
        return 0
    import torch._dynamo
    import torch.nn.functional as F
    import triton
    from torch.nn.attention import SDPBackend
    from torch.nn.attention import sdpa_kernel
    from torch.nn.attention.flex_attention import create_block_mask
    from torch.nn.attention.flex_attention import flex_attention

    # 16 cases (dtype, head dim, mask, length) recompile FlexAttention; past dynamo's default
    # limit (8) it would fall back to eager flex_attention, which is not what is measured here
    for knob in ("recompile_limit", "cache_size_limit"):
        if hasattr(torch._dynamo.config, knob):
            setattr(torch._dynamo.config, knob, 64)
    flex = torch.compile(flex_attention)
    print(f"device: {torch.cuda.get_device_name(0)}; torch {torch.__version__}; "
          f"triton {triton.__version__}")  # fmt: skip
    print("case                         attncc   SDPA-flash  FlexAttention   (TFLOP/s, medians)")
    # attncc's kernels are compiled before torch.compile runs: inductor switches Triton in this
    # process to a newer ptxas (its PTX is then .version 9.0), which the ptxas attncc checks
    # configs with (Triton's bundled ptxas-blackwell, 8.8 on triton 3.6) rejects
    built: dict[Case, Any] = {}
    for case in cases(args.quick):
        try:
            built[case] = attncc_build(case)
        except Exception as e:
            built[case] = e
    torch.manual_seed(args.seed)
    for case in cases(args.quick):
        dtype = getattr(torch, {"fp16": "float16", "bf16": "bfloat16"}[case.dtype])
        shape = (case.b, case.h, case.s, case.d)
        q, k, v = (torch.randn(shape, device="cuda", dtype=dtype) for _ in range(3))

        def sdpa(q=q, k=k, v=v, causal=case.causal):
            with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
                return F.scaled_dot_product_attention(q, k, v, is_causal=causal)

        mask = None
        if case.causal:
            mask = create_block_mask(lambda b, h, qi, ki: qi >= ki, None, None, case.s, case.s)

        def flexattention(q=q, k=k, v=v, mask=mask):
            return flex(q, k, v, block_mask=mask)

        peers = {  # name -> what builds its runner (attncc compiles here)
            "attncc": functools.partial(attncc_runner, built[case], case, q, k, v),
            "sdpa": lambda fn=sdpa: fn,
            "flex": lambda fn=flexattention: fn,
        }
        ref = sdpa().float()
        runners, errs, failed = {}, {}, []
        for name, make in peers.items():  # build, warm up (compiles) and check each peer
            try:
                if name == "attncc" and isinstance(built[case], Exception):
                    raise built[case]
                fn = make()
                errs[name] = (fn().float() - ref).abs().max().item()
                torch.cuda.synchronize()
                runners[name] = fn
            except Exception as e:  # one peer failing must not end the run
                failed.append(f"{name}: {type(e).__name__}: {str(e).strip()[:300]}")
        times: dict[str, list[float]] = {n: [] for n in runners}
        for _ in range(args.rounds):
            for name, fn in runners.items():
                start, end = torch.cuda.Event(True), torch.cuda.Event(True)
                start.record()
                for _ in range(args.reps):
                    fn()
                end.record()
                torch.cuda.synchronize()
                times[name].append(start.elapsed_time(end) / 1e3 / args.reps)
        tf = {n: f"{case.flops() / statistics.median(t) / 1e12:.1f}" for n, t in times.items()}
        label = (
            f"D{case.d} S{case.s} B{case.b} {'causal' if case.causal else 'dense '} {case.dtype}"
        )
        err = {n: f"{errs[n]:.1e}" for n in ("attncc", "flex") if n in errs}
        print(f"{label:28s} {tf.get('attncc', 'error'):>7s} {tf.get('sdpa', 'error'):>11s} "
              f"{tf.get('flex', 'error'):>14s}   max|x - SDPA| = {err}")  # fmt: skip
        for line in failed:
            print(f"  failed: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
