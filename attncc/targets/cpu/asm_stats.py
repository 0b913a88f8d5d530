"""What a built CPU kernel is made of, read from its shared object's disassembly.

The cost model's dataset keeps these next to each measurement (build metadata: how many
instructions, how many of them vector and FMA, how many vector spills to the stack), so a
later model can learn from them and a reader can see why two configs differ. Reading needs
``objdump`` (binutils) or ``llvm-objdump``; without one the stats are empty, never guessed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter

__all__ = ["assembly_stats"]

_LINE = re.compile(r"^\s*[0-9a-f]+:\s+([a-z][a-z0-9.]*)\s*(.*)$")
_STACK = re.compile(r"\((%rsp|%rbp)[),]")


def _disassemble(path: str) -> str | None:
    for tool in ("objdump", "llvm-objdump"):
        exe = shutil.which(tool)
        if exe is None:
            continue
        try:
            done = subprocess.run(
                [exe, "-d", "--no-show-raw-insn", path],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return done.stdout
    return None


def assembly_stats(path: str) -> dict[str, int]:
    """Counts over the whole shared object's code (TVM's small call wrappers included):
    ``instructions``, ``vector`` (an xmm/ymm/zmm operand), ``wide`` (ymm/zmm), ``fma``,
    ``spills`` (vector stores to the stack), ``reloads`` (vector loads from it). ``{}`` when
    no disassembler is installed or the file cannot be read."""
    text = _disassemble(path)
    if text is None:
        return {}
    n: Counter[str] = Counter()
    for line in text.splitlines():
        m = _LINE.match(line)
        if m is None:
            continue
        op, args = m.groups()
        n["instructions"] += 1
        vec = "%xmm" in args or "%ymm" in args or "%zmm" in args
        if not vec:
            continue
        n["vector"] += 1
        n["wide"] += "%ymm" in args or "%zmm" in args
        n["fma"] += op.startswith(("vfmadd", "vfmsub", "vfnmadd", "vfnmsub"))
        if op.startswith("vmov") and _STACK.search(args):
            # AT&T order: source first; a stack operand last is a store (spill)
            if _STACK.search(args.rsplit(",", 1)[-1]):
                n["spills"] += 1
            else:
                n["reloads"] += 1
    return {k: int(n[k]) for k in ("instructions", "vector", "wide", "fma", "spills", "reloads")}
