"""What an attacker with write access to the build cache does, for the cache's tests.

``plant`` replaces every entry under a cache root with the attacker's bytes, as convincingly
as someone without the per-user key can: a sha256 record next to an entry is rewritten to
match, and an entry carrying a header keeps it (a replayed authentication code). Files are
replaced by a new inode (write then rename), as an attacker's copy would be.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

#: The cache's per-user secret: the attacker cannot read it, so it is left alone.
SECRET_NAMES = {"cache.key"}

CONSTRUCTOR_C = r"""
#include <stdio.h>
#include <stdlib.h>
__attribute__((constructor)) static void planted(void) {
    const char *marker = getenv("ATTNCC_PLANTED_MARKER");
    if (marker) {
        FILE *f = fopen(marker, "w");
        if (f) { fputs("the planted constructor ran\n", f); fclose(f); }
    }
}
"""


def plant(root: Path, evil: bytes) -> list[Path]:
    """Every entry under ``root`` replaced by ``evil``; returns the files touched."""
    touched = []
    for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
        if path.name in SECRET_NAMES:
            continue
        old = path.read_bytes()
        if path.suffix == ".json":
            new = json.dumps({"sha256": hashlib.sha256(evil).hexdigest()}).encode()
        elif old.startswith(b"attncc-cache"):
            new = old.split(b"\n", 1)[0] + b"\n" + evil
        else:
            new = evil
        _replace(path, new)
        touched.append(path)
    return touched


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".planting")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def constructor_so(directory: Path) -> bytes:
    """A shared object whose constructor writes ``$ATTNCC_PLANTED_MARKER`` when loaded."""
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        import pytest

        pytest.skip("no C compiler to build the planted shared object")
    src, out = Path(directory) / "planted.c", Path(directory) / "planted.so"
    src.write_text(CONSTRUCTOR_C)
    subprocess.run([gcc, "-shared", "-fPIC", "-o", str(out), str(src)], check=True)
    return out.read_bytes()


def evil_python(marker: Path) -> bytes:
    """Python that writes ``marker`` when it is executed."""
    return f"open({str(marker)!r}, 'w').write('planted python ran')\n".encode()


def plant_key(root: Path, key: str, suffix: str, evil: bytes) -> None:
    """``evil`` planted for ``key`` under every name a cache of attncc has used: ``KEY.SUFFIX``
    with a ``KEY.json`` sha256 record, and ``KEY.SUFFIX.entry`` with a forged header."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{key}{suffix}").write_bytes(evil)
    record = {"sha256": hashlib.sha256(evil).hexdigest()}
    (root / f"{key}.json").write_text(json.dumps(record))
    forged = b"attncc-cache 1 " + b"0" * 64 + b"\n" + evil
    (root / f"{key}{suffix}.entry").write_bytes(forged)
