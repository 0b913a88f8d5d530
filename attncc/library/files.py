"""Reading a library's files without trusting its directory.

Whoever could write the library could have put anything at a path the manifest names: a
link out of the library, a directory, a FIFO (whose ``open`` blocks forever), a sparse file
of terabytes, a file that grows while it is read. So a file is opened component by
component from the library's directory with ``O_NOFOLLOW`` (no link is followed, inside or
out), checked to be a regular file before and after it is opened, and read in chunks up to
a size cap -- never whole into memory. :func:`copy_verified` streams it into a private
directory while hashing it, so the bytes that were hashed are the bytes that are loaded, and
a file swapped in the library afterwards is never what runs.

Every failure is an :class:`~attncc.errors.ExportError` naming the file and the fix.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

from attncc.errors import ExportError

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_LIBRARY_BYTES",
    "Budget",
    "copy_hashing",
    "copy_verified",
    "open_library",
    "private_dirs",
    "read_capped",
]

#: A file larger than this is not one attncc wrote (shared objects and cubins are a few MB).
MAX_FILE_BYTES = 1 << 30
#: All the files of one library together (each is copied once, to a private directory).
MAX_LIBRARY_BYTES = 4 << 30

_CHUNK = 1 << 20
# POSIX flags (Linux, macOS); the lstat checks below refuse links and special files anyway
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW
_FILE_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _NOFOLLOW
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW  # as attncc.cache writes entries


class Budget:
    """Bytes a load may still copy (all files together)."""

    def __init__(self, total: int):
        self.left = total


def open_library(root: Path) -> int:
    """A descriptor of the library directory ``root`` (the one path that may be a link:
    the user chose it)."""
    try:
        flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
        return os.open(root, flags)
    except (OSError, ValueError) as e:
        if isinstance(e, OSError) and e.errno == errno.ENOENT:
            raise ExportError(f"{root} is not a kernel library: no such directory") from None
        if isinstance(e, OSError) and e.errno == errno.ENOTDIR:
            raise ExportError(f"{root} is not a kernel library: not a directory") from None
        raise ExportError(f"cannot open the library directory {root}: {_why(e)}") from None


def _why(e: BaseException) -> str:
    return (e.strerror or str(e)) if isinstance(e, OSError) else str(e)


def _open_regular(root_fd: int, rel: str, library: Path, cap: int) -> tuple[int, int]:
    """(descriptor, size) of the regular file ``rel`` under ``root_fd``, never following a
    link, nor blocking on a FIFO; a missing, linked, special or too large file is refused."""
    parts = rel.split("/")
    fds: list[int] = []
    where = f"{rel} in library {library}"
    try:
        parent = root_fd
        for i, part in enumerate(parts):
            info = os.stat(part, dir_fd=parent, follow_symlinks=False)
            last = i == len(parts) - 1
            if stat.S_ISLNK(info.st_mode):
                raise ExportError(
                    f"{'/'.join(parts[: i + 1])} in library {library} is a symbolic link; a "
                    "library's files are regular files inside it (a link could lead anywhere). "
                    "Fix: export the library again, or copy it without links (cp -rL)"
                )
            kind_ok = stat.S_ISREG(info.st_mode) if last else stat.S_ISDIR(info.st_mode)
            if not kind_ok:
                want = "a regular file" if last else "a directory"
                raise ExportError(
                    f"{'/'.join(parts[: i + 1])} in library {library} is not {want}. Fix: "
                    "export the library again"
                )
            fds.append(os.open(part, _FILE_FLAGS if last else _DIR_FLAGS, dir_fd=parent))
            parent = fds[-1]
        fd = fds.pop()
    except FileNotFoundError:
        raise ExportError(f"library {library} is missing {rel}. Fix: export it again") from None
    except (OSError, ValueError) as e:
        if isinstance(e, OSError) and e.errno in (errno.ELOOP, errno.ENOTDIR):
            raise ExportError(f"{where} changed into a link while it was opened") from None
        raise ExportError(f"cannot open {where}: {_why(e)}") from None
    finally:
        for d in fds:
            os.close(d)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise ExportError(f"{where} is not a regular file. Fix: export the library again")
    if info.st_size > cap:
        os.close(fd)
        raise ExportError(
            f"{where} has {info.st_size:,} bytes, more than any file attncc writes "
            f"({cap:,}); refusing it. Fix: export the library again"
        )
    return fd, info.st_size


def private_dirs(private: Path, directory: Path) -> None:
    """Make ``directory`` (inside ``private``) and the folders between, each ``0700``
    whatever the umask: the copies are checked by :func:`attncc.cache.read_private` when a
    loaded kernel is saved again, which refuses a folder others can write (umask 000), and
    ``mkdir -p`` would give the folders between the umask's mode (or none: umask 277)."""
    private.chmod(0o700)
    current = private
    for part in directory.relative_to(private).parts:
        current = current / part
        current.mkdir(mode=0o700, exist_ok=True)
        current.chmod(0o700)


def read_capped(root_fd: int, rel: str, library: Path, cap: int) -> bytes:
    """The bytes of ``rel`` (at most ``cap``: a file that grows past it is refused)."""
    fd, _ = _open_regular(root_fd, rel, library, cap)
    with os.fdopen(fd, "rb") as f:
        try:
            data = f.read(cap + 1)
        except OSError as e:
            raise ExportError(f"cannot read {rel} in library {library}: {_why(e)}") from None
    if len(data) > cap:
        raise ExportError(f"{rel} in library {library} grew past {cap:,} bytes while read")
    return data


def copy_hashing(src: BinaryIO, dst: BinaryIO, cap: int, what: str) -> str:
    """Copy ``src`` to ``dst`` in chunks while hashing; the sha256 of what was copied. More
    than ``cap`` bytes (a file that grew while it was read) is an ExportError."""
    h, total = hashlib.sha256(), 0
    while chunk := src.read(_CHUNK):
        total += len(chunk)
        if total > cap:
            raise ExportError(
                f"{what} grew past {cap:,} bytes while it was read; refusing it. Fix: do not "
                "write into a library while it is loaded"
            )
        h.update(chunk)
        dst.write(chunk)
    return h.hexdigest()


def copy_verified(
    root_fd: int, library: Path, rel: str, sha256: str, private: Path, budget: Budget
) -> Path:
    """A private copy of the library file ``rel`` once the bytes copied match ``sha256``:
    read once, streamed, capped by :data:`MAX_FILE_BYTES` and by what ``budget`` has left."""
    fd, size = _open_regular(root_fd, rel, library, MAX_FILE_BYTES)
    what = f"{rel} in library {library}"
    if size > budget.left:
        os.close(fd)
        raise ExportError(
            f"the files of library {library} add up to more than {MAX_LIBRARY_BYTES:,} bytes "
            f"(at {rel}), more than attncc loads from one library; refusing it"
        )
    cap = min(MAX_FILE_BYTES, budget.left)
    copy = private / rel  # rel was checked plain and relative by the manifest
    try:
        with os.fdopen(fd, "rb") as src:
            private_dirs(private, copy.parent)
            out = os.open(copy, _CREATE, 0o600)
            os.fchmod(out, 0o600)  # whatever the umask
            with os.fdopen(out, "wb") as dst:
                actual = copy_hashing(src, dst, cap, what)
    except OSError as e:
        raise ExportError(f"cannot copy {what} to {private}: {_why(e)}") from None
    budget.left -= max(size, copy.stat().st_size)
    if actual != sha256:
        raise ExportError(
            f"{rel} in library {library} does not match its sha256 in manifest.json (expected "
            f"{sha256[:16]}..., found {actual[:16]}...): it was changed or corrupted after "
            "export. Nothing was loaded. Fix: export the library again"
        )
    return copy
