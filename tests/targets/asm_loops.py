"""Innermost loops of generated assembly, and what they do: FMAs and vector reloads from
the stack (a register block that did not fit). x86 (AT&T syntax) and AArch64."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LIBM_CALL", "Loop", "innermost_loops"]

_RELOAD = {
    "x86": re.compile(r"\bvmov\w*\s+-?\d*\(%r[sb]p\),\s*%[xyz]mm\d+"),
    "aarch64": re.compile(r"\bld[rp]\s+q\d+,.*\[sp"),
}
_FMA = {"x86": re.compile(r"\bvfn?m(?:add|sub)\w*\s"), "aarch64": re.compile(r"\bfml[as]\s+v")}
#: A call to a libm function (x86 ``call``, AArch64 ``bl``): exp, exp2, log, tanh, pow...
LIBM_CALL = re.compile(r"\b(?:call\w*|bl)\s+\S*\b(?:exp|log|tanh|pow)\w*")
_LABEL = re.compile(r"^(\.LBB\w+):")
_BRANCH = re.compile(r"^\s+(?:b\.\w+|b|cbn?z|tbn?z|j\w+)\s+(?:.*,\s*)?(\.LBB\w+)\s*$")


@dataclass(frozen=True)
class Loop:
    """One innermost loop: its line span, vector FMAs and vector reloads from the stack."""

    first: int
    last: int
    fmas: int
    reloads: int


def innermost_loops(asm: str, arch: str) -> list[Loop]:
    """Loops (a backward branch to a label) that contain no other loop, most FMAs first."""
    lines = asm.splitlines()
    labels: dict[str, int] = {}
    spans = []
    for i, line in enumerate(lines):
        if m := _LABEL.match(line):
            labels[m.group(1)] = i
        if (b := _BRANCH.match(line)) and b.group(1) in labels:
            spans.append((labels[b.group(1)], i))
    inner = [s for s in spans if not any(o != s and s[0] <= o[0] and o[1] <= s[1] for o in spans)]
    out = []
    for a, b in inner:
        body = "\n".join(lines[a : b + 1])
        out.append(Loop(a, b, len(_FMA[arch].findall(body)), len(_RELOAD[arch].findall(body))))
    return sorted(out, key=lambda x: -x.fmas)
