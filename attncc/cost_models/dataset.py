"""The cost model's measurement dataset: one compressed JSON-lines file per machine.

``bench/collect_cpu.py`` writes ``bench/data/cpu/<machine>.jsonl.gz`` (gzip members
appended as groups finish, so an interrupted run loses at most one group and resumes). One
row per measured config:

* ``schema`` (:data:`SCHEMA`), ``code_version`` (:func:`code_version` when measured),
  ``kernel_hash`` (sha256 of the generated kernel source), ``attncc`` (its version);
* ``hardware``: the machine (:func:`attncc.cost_models.hardware.host_hardware`: CPU model
  name, vendor / family / model, the host's LLVM CPU and the one kernels were built for,
  ISA, vector lanes and registers, threads, cores, cache sizes, the probe embedding) --
  every row is self-describing, so files from any number of machines mix;
* ``program`` (variant name), ``program_hash``, ``program_text`` (params baked in as
  defaults), ``extents``, ``config``, ``group`` (``name@shape``);
* ``seconds`` (``Infinity`` = failed, with ``error``): the lowest median of the row's
  timings, each a list of block means: ``blocks``, then ``blocks_again`` and
  ``blocks_more`` where it was timed again (interference only slows a kernel);
* ``build``: ``build_s`` and what the disassembly says
  (:func:`attncc.targets.cpu.asm_stats.assembly_stats`: instructions, vector, FMA, spills).

Staleness: a row whose ``code_version`` differs from this checkout's timed a kernel this
checkout no longer generates (the CPU lowering changed since). :func:`load_dataset` marks such
rows ``stale`` and leaves them out unless asked (``include_stale=True``): a model is never
trained on outdated kernels by accident. Rows of the first schema (``bench/data/*.jsonl``,
no version at all) are always stale.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import math
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attncc.cost_models.base import Candidate
from attncc.cost_models.base import Record
from attncc.ir.parser import parse

__all__ = [
    "SCHEMA",
    "Dataset",
    "append_rows",
    "code_version",
    "cpu_key",
    "is_stale",
    "load_dataset",
    "load_records",
    "load_rows",
    "machine_key",
    "to_records",
    "write_rows",
]

SCHEMA = 2
_ROOT = Path(__file__).resolve().parents[1]
#: The packages whose source decides what a CPU kernel is (its code version).
_CODEGEN = ("targets/cpu", "targets/tvm", "lowering", "targets/pipeline.py")


@functools.lru_cache(maxsize=4)
def code_version(target: str = "cpu") -> str:
    """sha256 (16 hex digits) of the source that generates ``target``'s kernels."""
    if target != "cpu":
        raise ValueError(f"code_version knows the cpu target only, got {target!r}")
    h = hashlib.sha256()
    for part in _CODEGEN:
        p = _ROOT / part
        files = sorted(p.rglob("*.py")) if p.is_dir() else [p]
        for f in files:
            if f.is_file():
                h.update(str(f.relative_to(_ROOT)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def machine_key(hardware: Mapping[str, Any]) -> str:
    """What tells machines apart in a split: the CPU (model name, and vendor / family /
    model where recorded: "AMD EPYC" names Zen 3, 4 and 5 alike), the LLVM CPU kernels were
    built for, ISA and threads. An AVX2 build on a Zen 4 (``mcpu`` znver3) and a real Zen 3
    thus stay two machines."""
    cpu = str(hardware.get("cpu", "?"))
    if hardware.get("cpu_id"):
        cpu += f" [{hardware['cpu_id']}]"
    return "/".join([cpu, *(str(hardware.get(k, "?")) for k in ("mcpu", "isa", "threads"))])


def cpu_key(hardware: Mapping[str, Any]) -> str:
    """The CPU alone (:func:`machine_key` without build and threads): what a
    leave-one-CPU-out split holds out."""
    return machine_key(hardware).split("/", 1)[0]


# ----------------------------------------------------------------------------- files


def load_rows(path: str | Path) -> list[dict[str, Any]]:
    """The rows of one file (``.jsonl`` or ``.jsonl.gz``); a truncated last line (a run
    killed mid-write) is skipped."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    rows = []
    try:
        with opener(path, "rt") as fh:
            for line in fh:
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError:
                        continue
    except EOFError:  # a gzip member cut short: keep what was whole
        pass
    return rows


def _encoded(path: Path, rows: Iterable[Mapping[str, Any]]) -> bytes:
    """``rows`` as JSON lines: one gzip member for a ``.gz`` file, else plain text."""
    text = "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows).encode()
    return gzip.compress(text, mtime=0) if text and path.suffix == ".gz" else text


def append_rows(path: str | Path, rows: Iterable[Mapping[str, Any]]) -> None:
    """Append rows as one gzip member (``.gz``) or plain lines."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = _encoded(path, rows)
    if data:
        with open(path, "ab") as fh:
            fh.write(data)


def write_rows(path: str | Path, rows: Iterable[Mapping[str, Any]]) -> None:
    """Replace the file with ``rows`` (atomically: a reader sees the old rows or the new)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(_encoded(path, rows))
    tmp.replace(path)


# ----------------------------------------------------------------------------- records


def to_records(
    rows: list[Mapping[str, Any]], hardware: Mapping[str, Any] | None = None
) -> list[Record]:
    """Rows → records; programs parsed once per text; ``hardware`` merged into each row's
    (fills in what first-schema rows lack)."""

    programs: dict[str, Any] = {}
    out = []
    for r in rows:
        text = r["program_text"]
        program = programs.get(text)
        if program is None:
            program = programs[text] = parse(text)
        hw = {**(hardware or {}), **r.get("hardware", {})}
        c = Candidate(program, dict(r["extents"]), dict(r["config"]), hw)
        seconds = float(r["seconds"]) if r.get("seconds") is not None else math.inf
        out.append(Record(c, seconds, r.get("error")))
    return out


def load_records(path: str | Path, hardware: Mapping[str, Any] | None = None) -> list[Record]:
    return to_records(load_rows(path), hardware)


@dataclass
class Dataset:
    """Records with their rows, the machine and variant of each, and what was left out."""

    records: list[Record]
    rows: list[dict[str, Any]]
    stale: int = 0

    def machine(self, i: int) -> str:
        return machine_key(self.records[i].candidate.hardware)

    def cpu(self, i: int) -> str:
        return cpu_key(self.records[i].candidate.hardware)

    def build(self, i: int) -> str:
        """The CPU and the ISA kernels were built for: :meth:`machine` without threads."""
        return self.machine(i).rsplit("/", 1)[0]

    def threads(self, i: int) -> int | None:
        return self.records[i].candidate.hardware.get("threads")

    def variant(self, i: int) -> str:
        return str(self.rows[i]["program"])

    @property
    def machines(self) -> list[str]:
        return sorted({self.machine(i) for i in range(len(self.records))})


def is_stale(row: Mapping[str, Any], version: str | None = None) -> bool:
    return row.get("schema") != SCHEMA or row.get("code_version") != (version or code_version())


def load_dataset(
    paths: Iterable[str | Path],
    *,
    include_stale: bool = False,
    legacy_hardware: Mapping[str, Any] | None = None,
) -> Dataset:
    """Every row of ``paths`` (files, or directories of ``*.jsonl.gz``), stale ones left out
    unless ``include_stale``; ``legacy_hardware`` completes first-schema rows' machine."""
    files: list[Path] = []
    for p in map(Path, paths):
        files += sorted(p.glob("*.jsonl.gz")) if p.is_dir() else [p]
    rows, stale = [], 0
    version = code_version()
    for f in files:
        for row in load_rows(f):
            if is_stale(row, version):
                stale += 1
                if not include_stale:
                    continue
            rows.append(row)
    return Dataset(to_records(rows, legacy_hardware), rows, stale)
