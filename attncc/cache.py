"""The on-disk cache of built kernels, and the private copies kernels are loaded from.

A cache entry is native code that attncc will load, so the cache is trusted only as far as
it is checked. The attacker in mind is another local user: they may own directories on the
way to the cache, race attncc between a check and a load, or have been able to write the
cache directory once (before its owner ran the ``chmod`` this module asks for).

How each part is made safe, and why this way:

* **The directory.** ``$ATTNCC_CACHE_DIR``, else ``$XDG_CACHE_HOME/attncc``, else
  ``~/.cache/attncc`` (``ATTNCC_CACHE_DIR=off`` disables the cache). Missing directories are
  created ``0700`` whatever the umask. The directory is opened once and checked through its
  descriptor (``fstat``): it must be owned by the current user and writable by no one else
  (:class:`CacheError` otherwise, naming the ``chmod`` / ``chown`` or ``ATTNCC_CACHE_DIR``
  fix: a cache others can write is an attack or a mistake, never a silent slowdown). Every
  entry is then opened *relative to that descriptor* with ``O_NOFOLLOW``, so the path's other
  components do not need to be trusted: whoever replaces one of them (or plants a link as
  the directory itself) leaves attncc holding the directory it checked, or gets a directory
  attncc refuses. A link to a directory of one's own is followed and used.
* **What can and cannot be used.** A directory that exists but fails the checks is an error,
  wherever it is. One that cannot be created or opened is an error when the user named it
  (``ATTNCC_CACHE_DIR``: a typo must not hide), and means "no cache" for the default
  location (a read-only home in a container): the kernel is then built in memory. An entry
  that cannot be written (disk full) is simply not kept.
* **The entries.** One file per entry, ``KEY.SUFFIX.entry``, written ``0600`` under a
  temporary name and renamed (a crash never leaves half an entry; concurrent writers of the
  same key leave one whole entry). It starts with a header holding an HMAC-SHA256, under a
  per-user secret key, of the entry's cache key, suffix and bytes. The key lives in the
  cache directory (``cache.key``, 32 random bytes, ``0600``), created when the first entry is
  written; a key file that is not a private regular file of the user is replaced (entries
  sealed with a key someone else made, or could read, are rebuilt). An HMAC, rather than a
  plain hash kept next to the entry, means that bytes written by anyone without the key --
  a planted library, an entry copied under another key's name, a truncated file -- fail the
  check; entries owned by another user or writable by others fail it too. A failed entry is
  rebuilt and replaced, never loaded.
* **The load.** On a hit the entry is read once (at most :data:`MAX_ENTRY_BYTES`), checked,
  and its bytes are written to a *private copy*: a file ``0600`` in a ``0700`` directory
  this process made (``tempfile``, under ``$TMPDIR``, whose components are checked as for
  :func:`read_private`; removed at exit). Callers load that copy (``dlopen``, a Python
  import), never the cache file, so a file swapped in after the check is not the one
  loaded -- the same rule as :mod:`attncc.library.loader`. Copies are named by the sha256
  of their bytes: one process loads a given build from one path (``dlopen`` maps a path
  once) and never overwrites a file it may have mapped. Code that is generated in memory
  (the CUDA target's Triton modules) skips the cache and goes straight to a private copy.
* **Other data** kept under the cache directory (tuning data, hardware embeddings) gets its
  directory from :func:`cache_subdir`: made ``0700``, checked like the cache itself.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import hmac
import os
import pwd
import re
import secrets
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from attncc.errors import CacheError

__all__ = [
    "MAX_ENTRY_BYTES",
    "SECRET_NAME",
    "CacheError",
    "cache_dir",
    "cache_subdir",
    "cached_file",
    "private_copy",
    "read_private",
    "sha256_file",
]

#: Entries (and private files read back) larger than this are refused unread.
MAX_ENTRY_BYTES = 256 << 20
#: The per-user secret key's file name in the cache directory.
SECRET_NAME = "cache.key"

_SECRET_BYTES = 32
_MAGIC = b"attncc-cache 1"
_KEY = re.compile(r"[0-9A-Za-z_-]{1,128}")
_SUFFIX = re.compile(r"\.[0-9A-Za-z]{1,16}")
_OPEN = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_OFF = "ATTNCC_CACHE_DIR=off disables the cache"
_NATIVE = (".so", ".dylib")


def cache_dir() -> Path | None:
    """The cache directory's path (unchecked), or ``None`` when caching is off."""
    explicit = os.environ.get("ATTNCC_CACHE_DIR")
    if explicit == "off":
        return None
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "attncc"


def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cached_file(key: str, suffix: str, write: Callable[[str], None]) -> str | None:
    """A private copy of the checked cache entry for ``key``, built with ``write(path)``
    (which must create the file at the path it is given) when there is no valid entry.

    Returns ``None`` when caching is off or the default directory cannot be made: the
    caller then builds in memory. Raises :class:`CacheError` for a directory others could
    write (module docstring). The path returned is the one to load; it is not in the cache.
    """
    _check_name(key, suffix)
    root = cache_dir()
    if root is None:
        return None
    fd = _open_root(root, explicit=_explicit())
    if fd is None:
        return None
    try:
        data = _load(fd, key, suffix)
        if data is None:
            data = _build(write, suffix)
            _store(fd, key, suffix, data)
    finally:
        os.close(fd)
    return private_copy(key, suffix, data)


def cache_subdir(name: str) -> Path | None:
    """``<cache dir>/<name>`` for other data kept in the cache (tuning data, hardware
    embeddings), made ``0700`` after the directory checks of :func:`cached_file`; ``None``
    when caching is off or the default directory cannot be made. Files read back from it
    are data, not code: whoever reads them still decides what to trust in them."""
    _check_name(name, ".d")
    root = cache_dir()
    fd = None if root is None else _open_root(root, explicit=_explicit())
    if fd is None:
        return None
    try:
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, 0o700, dir_fd=fd)
        sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
        try:
            _check_root(sub, Path(os.path.abspath(root)) / name)
        finally:
            os.close(sub)
    except OSError:
        return None
    finally:
        os.close(fd)
    return Path(os.path.abspath(root)) / name


def private_copy(key: str, suffix: str, data: bytes) -> str:
    """The path of a file holding ``data`` in this process's private directory (``0600`` in
    ``0700``): what native code and generated modules are loaded from."""
    _check_name(key, suffix)
    digest = hashlib.sha256(data).hexdigest()[:16]
    directory = _private_dir()
    if suffix in _NATIVE:
        _check_exec(directory)
    path = os.path.join(directory, f"{key}-{digest}{suffix}")
    if _holds(path, data):  # written by this process before (named by the bytes' hash)
        return path
    tmp = f"{path}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, _CREATE, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)
            _write_all(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def _holds(path: str, data: bytes) -> bool:
    """Whether the private file ``path`` holds exactly ``data`` (else it is written again:
    a file already mapped by ``dlopen`` is replaced, never modified in place)."""
    try:
        fd = os.open(path, _OPEN)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if _unsafe_file(st) or st.st_size != len(data):
            return False
        return hmac.compare_digest(_read_all(fd, st.st_size), data)
    finally:
        os.close(fd)


def read_private(path: str | os.PathLike) -> bytes:
    """The bytes of ``path``, read once, when no other user could have written or replaced
    it: the file and every directory above it are owned by this user or root, and none is
    writable by others (a sticky directory such as ``/tmp`` excepted). Raises
    :class:`CacheError` otherwise."""
    real = os.path.realpath(path)
    unsafe = _unsafe_chain(os.path.dirname(real))
    if unsafe:
        raise CacheError(
            f"refusing to load {path}: {unsafe}, so another user could replace it. Fix: keep "
            "generated code in a directory only you can write (attncc's own files go under "
            "$TMPDIR and the cache directory)"
        )
    try:
        fd = os.open(real, _OPEN)
    except OSError as e:
        raise CacheError(f"cannot read {path}: {e.strerror}") from None
    try:
        st = os.fstat(fd)
        why = _unsafe_file(st)
        if why:
            raise CacheError(
                f"refusing to load {path}: it {why}. Fix: load only regular files of yours "
                f"that no one else can write (chmod 600 {path}), or build the kernel again"
            )
        return _read_all(fd, st.st_size)
    finally:
        os.close(fd)


# ----------------------------------------------------------------------------- the directory


def _check_name(key: str, suffix: str) -> None:
    if not (_KEY.fullmatch(key) and _SUFFIX.fullmatch(suffix)):
        raise CacheError(
            f"cache key {key!r} with suffix {suffix!r} is not a plain file name; expected "
            "letters, digits, '-' and '_' (a hash), and a suffix such as '.so'"
        )


def _explicit() -> bool:
    return bool(os.environ.get("ATTNCC_CACHE_DIR"))


def _open_root(root: Path, *, explicit: bool) -> int | None:
    """A descriptor of the checked cache directory (made if missing), or ``None``."""
    path = Path(os.path.abspath(root))
    try:
        _make_dirs(path)
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as e:
        if not explicit:
            return None  # the default location is unusable here: build in memory
        raise CacheError(
            f"ATTNCC_CACHE_DIR={root} cannot be used as attncc's build cache: {e.strerror}. "
            f"Fix: point ATTNCC_CACHE_DIR at a directory you can create and write ({_OFF})"
        ) from None
    try:
        _check_root(fd, path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _make_dirs(path: Path) -> None:
    """Create ``path`` and its missing parents ``0700`` (``mkdir``'s mode can only lose bits
    to the umask, never gain them)."""
    missing = []
    while not os.path.lexists(path) and path != path.parent:
        missing.append(path)
        path = path.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(d, 0o700)


def _check_root(fd: int, path: Path) -> None:
    st = os.fstat(fd)
    me = os.geteuid()
    real = os.path.realpath(path)
    shown = f"{path}" + (f" (a link to {real})" if real != str(path) else "")
    if st.st_uid != me:
        raise CacheError(
            f"attncc's build cache {shown} is owned by uid {st.st_uid}{_user(st.st_uid)}, not "
            f"by you (uid {me}{_user(me)}): its owner could plant code that attncc would load. "
            f"Fix: `chown -R {_user(me, bare=True)} {real}` if it is yours, or point "
            f"ATTNCC_CACHE_DIR at a directory of your own ({_OFF})"
        )
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o022:
        raise CacheError(
            f"attncc's build cache {shown} is writable by group or others (mode {mode:o}): "
            "anyone who can write it could plant code that attncc would load. Fix: "
            f"`chmod 700 {real}` (and empty it if you did not put everything in it there), "
            f"or point ATTNCC_CACHE_DIR at a directory only you can write ({_OFF})"
        )


def _user(uid: int, *, bare: bool = False) -> str:
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid) if bare else ""
    return name if bare else f" ({name})"


# ----------------------------------------------------------------------------- entries


def _load(fd: int, key: str, suffix: str) -> bytes | None:
    """The checked bytes of the entry for ``key``, or ``None`` (absent or not ours)."""
    try:
        efd = os.open(_entry_name(key, suffix), _OPEN, dir_fd=fd)
    except OSError:
        return None
    try:
        st = os.fstat(efd)
        if _unsafe_file(st) or st.st_uid != os.geteuid():
            return None
        blob = _read_all(efd, st.st_size)
    finally:
        os.close(efd)
    secret = _secret(fd, create=False)
    return None if secret is None else _unseal(secret, key, suffix, blob)


def _build(write: Callable[[str], None], suffix: str) -> bytes:
    staging = tempfile.mkdtemp(prefix="build-", dir=_private_dir())
    try:
        path = os.path.join(staging, f"entry{suffix}")
        write(path)
        with open(path, "rb") as f:
            return f.read()
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _store(fd: int, key: str, suffix: str, data: bytes) -> None:
    """Write the sealed entry under a temporary name and rename it into place; an entry
    that cannot be written (disk full, read-only directory) is not kept."""
    try:
        secret = _secret(fd, create=True)
    except OSError:
        return
    blob = None if secret is None else _seal(secret, key, suffix, data)
    if blob is None or len(blob) > MAX_ENTRY_BYTES:
        return
    name = _entry_name(key, suffix)
    tmp = f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        _write_new(fd, tmp, blob)
        os.rename(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
    except OSError:
        _unlink(fd, tmp)


def _entry_name(key: str, suffix: str) -> str:
    return f"{key}{suffix}.entry"


def _mac(secret: bytes, key: str, suffix: str, data: bytes) -> str:
    h = hmac.new(secret, b"\0".join((_MAGIC, key.encode(), suffix.encode(), b"")), "sha256")
    h.update(data)
    return h.hexdigest()


def _seal(secret: bytes, key: str, suffix: str, data: bytes) -> bytes:
    """An entry's file contents: a header with the HMAC, then the bytes."""
    return _MAGIC + b" " + _mac(secret, key, suffix, data).encode() + b"\n" + data


def _unseal(secret: bytes, key: str, suffix: str, blob: bytes) -> bytes | None:
    header, sep, data = blob.partition(b"\n")
    magic, _, mac = header.rpartition(b" ")
    if not sep or magic != _MAGIC:
        return None
    expected = _mac(secret, key, suffix, data).encode()
    return data if hmac.compare_digest(mac, expected) else None


def _secret(fd: int, *, create: bool) -> bytes | None:
    """The per-user key in the cache directory: ``None`` when there is none (or it is not
    a private file of this user) and ``create`` is false; a new one replaces it otherwise."""
    for _ in range(3):
        try:
            kfd = os.open(SECRET_NAME, _OPEN, dir_fd=fd)
        except FileNotFoundError:
            found = False
        except OSError:  # a link, a directory: not a key
            found = True
        else:
            try:
                st = os.fstat(kfd)
                private = not _unsafe_file(st) and st.st_uid == os.geteuid()
                if private and not stat.S_IMODE(st.st_mode) & 0o077:
                    secret = _read_all(kfd, _SECRET_BYTES + 1)
                    if len(secret) == _SECRET_BYTES:
                        return secret
            finally:
                os.close(kfd)
            found = True
        if not create:
            return None
        tmp = f".{SECRET_NAME}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        _write_new(fd, tmp, secrets.token_bytes(_SECRET_BYTES))
        try:
            if found:  # someone else's, or readable by others: entries sealed with it go
                os.unlink(SECRET_NAME, dir_fd=fd)
            os.link(tmp, SECRET_NAME, src_dir_fd=fd, dst_dir_fd=fd)  # fails if one appeared
        except FileExistsError:
            pass  # another process made one meanwhile: read it
        except FileNotFoundError:
            pass  # another process replaced the bad one meanwhile: read it
        finally:
            _unlink(fd, tmp)
    return None


# ----------------------------------------------------------------------------- files


def _unsafe_file(st: os.stat_result) -> str | None:
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file"
    if st.st_uid not in (os.geteuid(), 0):
        return f"is owned by uid {st.st_uid}"
    if st.st_mode & 0o022:
        return f"is writable by others (mode {stat.S_IMODE(st.st_mode):o})"
    if st.st_size > MAX_ENTRY_BYTES:
        return f"is larger than {MAX_ENTRY_BYTES} bytes"
    return None


def _unsafe_chain(directory: str) -> str | None:
    """Why another user could replace what is in ``directory`` (a real path), or ``None``."""
    me = os.geteuid()
    current = Path(directory)
    for d in (current, *current.parents):
        st = os.lstat(d)
        if st.st_uid not in (me, 0):
            return f"{d} is owned by uid {st.st_uid}"
        if st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX:
            return f"{d} is writable by others (mode {stat.S_IMODE(st.st_mode):o})"
    return None


def _write_new(fd: int, name: str, data: bytes) -> None:
    wfd = os.open(name, _CREATE, 0o600, dir_fd=fd)
    try:
        os.fchmod(wfd, 0o600)
        _write_all(wfd, data)
    except BaseException:
        os.close(wfd)
        _unlink(fd, name)
        raise
    os.close(wfd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_all(fd: int, size: int) -> bytes:
    """At most ``min(size, MAX_ENTRY_BYTES) + 1`` bytes: a file that grows is cut short and
    fails its check instead of filling memory."""
    limit, chunks, total = min(size, MAX_ENTRY_BYTES) + 1, [], 0
    while total < limit:
        block = os.read(fd, min(1 << 20, limit - total))
        if not block:
            break
        chunks.append(block)
        total += len(block)
    return b"".join(chunks)


def _unlink(fd: int, name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name, dir_fd=fd)


# ----------------------------------------------------------------------------- private copies

_PRIVATE: dict[int, str] = {}  # pid -> this process's private directory
_PRIVATE_PREFIX = "attncc-private-"


def _private_dir() -> str:
    """This process's private directory (``0700``, made on first use, removed at exit; a
    forked child makes its own and leaves its parent's alone). It is locked (``flock``) while
    its process lives, so that the directories of killed processes can be swept."""
    pid = os.getpid()
    path = _PRIVATE.get(pid)
    if path is not None and os.path.isdir(path):
        return path
    base = tempfile.gettempdir()
    unsafe = _unsafe_chain(os.path.realpath(base))
    if unsafe:
        raise CacheError(
            f"the temporary directory {base} is not safe to load kernels from: {unsafe}. "
            "Fix: set TMPDIR to a directory only you (or root) can write"
        )
    path = tempfile.mkdtemp(prefix=_PRIVATE_PREFIX, dir=base)
    os.chmod(path, 0o700)
    lock = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    fcntl.flock(lock, fcntl.LOCK_SH)  # held while this process lives (kept open on purpose)
    _PRIVATE[pid] = path
    atexit.register(_remove_private, path, pid)
    _sweep(base)
    return path


def _sweep(base: str, *, min_age: float = 60.0) -> None:
    """Remove private directories left by processes that died without running ``atexit``
    (a measurement killed on a timeout): ours, older than ``min_age`` seconds (a new one is
    locked right after it is made) and no longer locked by a living process."""

    me, now = os.geteuid(), time.time()
    try:
        names = [n for n in os.listdir(base) if n.startswith(_PRIVATE_PREFIX)]
    except OSError:
        return
    for name in names:
        path = os.path.join(base, name)
        try:
            st = os.lstat(path)
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != me or now - st.st_mtime < min_age:
                continue
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # its process is alive
        finally:
            os.close(fd)
        shutil.rmtree(path, ignore_errors=True)


def _check_exec(directory: str) -> None:
    """Shared objects are mapped executable: a ``noexec`` mount would fail in ``dlopen``
    with a message that does not say why."""
    flags = os.statvfs(directory).f_flag
    if flags & getattr(os, "ST_NOEXEC", 0):
        raise CacheError(
            f"kernels are loaded from private copies under {os.path.dirname(directory)}, "
            "which is on a filesystem mounted noexec: shared objects cannot be loaded from "
            "it. Fix: set TMPDIR to a directory of yours on a filesystem mounted with exec"
        )


def _remove_private(path: str, pid: int) -> None:
    if os.getpid() == pid:
        shutil.rmtree(path, ignore_errors=True)
