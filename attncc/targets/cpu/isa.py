"""The vector unit kernels are built for: lanes, registers, and what a register block may use.

The flash kernel's register blocks (``rb × bk`` QKᵀ accumulators, ``rbv × pv_cols`` PV
accumulators) must fit the vector registers with a few to spare, or LLVM spills them to the
stack inside the inner loops (measured on a Zen 4: a block needing 29 of 32 zmm registers
ran 2× slower). AVX-512 has 32 registers of 16 float32 lanes; AVX2 16 of 8; NEON 32 of 4.
The unit comes from the ISA of the CPU kernels are built for
(:func:`~attncc.targets.cpu.host.build_cpu`), not from the flags of the host alone, so
that an AVX-512 host can build, run and measure AVX2 code.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

__all__ = ["AVX2", "AVX512", "NEON", "SSE", "VectorUnit", "vector_unit"]


@dataclass(frozen=True, slots=True)
class VectorUnit:
    name: str
    lanes: int  # float32 lanes in one vector register
    registers: int  # architectural vector registers

    @property
    def budget(self) -> int:
        """Registers a microkernel may keep live: all but an eighth (28 of 32, 14 of 16),
        left for loads, broadcasts and addresses."""
        return self.registers - self.registers // 8


AVX512 = VectorUnit("avx512", 16, 32)
AVX2 = VectorUnit("avx2", 8, 16)
NEON = VectorUnit("neon", 4, 32)
SSE = VectorUnit("sse", 4, 16)


def vector_unit(features: Set[str]) -> VectorUnit:
    """The widest float32 vector unit an ISA feature set (LLVM names) provides."""
    if "avx512f" in features:
        return AVX512
    if "avx2" in features and "fma" in features:
        return AVX2
    if "neon" in features or "sve" in features:  # SVE: at least NEON's 128-bit width
        return NEON
    return SSE
