"""The build cache trusts nothing it has not checked: it refuses a directory others can
write, writes entries 0600 in 0700 directories whatever the umask, rebuilds (never returns)
an entry it did not write, and hands its caller a private copy of the bytes it checked."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from attncc import cache
from attncc.errors import AttnccError
from tests.cache_attacks import SECRET_NAMES
from tests.cache_attacks import plant

OTHER_UID = 54321  # "another user": the tests run as root, so they can chown to it


@pytest.fixture
def cache_root(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTNCC_CACHE_DIR", str(tmp_path / "c"))
    return tmp_path / "c"


def _writer(calls: list[str], payload: bytes):
    def write(path: str) -> None:
        calls.append(path)
        Path(path).write_bytes(payload)

    return write


def _entries(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name not in SECRET_NAMES)


def _mode(path: Path | str) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


# ----------------------------------------------------------------------------- entries


def test_entry_is_written_once_and_reused(cache_root):
    calls: list[str] = []
    first = cache.cached_file("k1", ".so", _writer(calls, b"abc"))
    second = cache.cached_file("k1", ".so", _writer(calls, b"abc"))
    assert first == second
    assert len(calls) == 1
    assert Path(first).read_bytes() == b"abc"
    assert len(_entries(cache_root)) == 1


def test_the_caller_gets_a_private_copy_outside_the_cache(cache_root):
    path = Path(cache.cached_file("k1", ".so", _writer([], b"abc")))
    assert cache_root.resolve() not in path.resolve().parents
    assert path.parent.stat().st_uid == os.geteuid()
    assert _mode(path.parent) == 0o700
    assert _mode(path) == 0o600
    assert path.suffix == ".so"  # loaders pick the format by it


def test_an_entry_swapped_after_the_check_is_not_what_the_caller_reads(cache_root):
    path = cache.cached_file("k2", ".so", _writer([], b"good"))
    assert plant(cache_root, b"evil")
    assert Path(path).read_bytes() == b"good"


def test_a_planted_entry_with_a_matching_record_is_rebuilt(cache_root):
    calls: list[str] = []
    cache.cached_file("k3", ".so", _writer(calls, b"good"))
    assert plant(cache_root, b"evil")
    again = cache.cached_file("k3", ".so", _writer(calls, b"good"))
    assert len(calls) == 2
    assert Path(again).read_bytes() == b"good"
    assert all(b"evil" not in p.read_bytes() for p in _entries(cache_root))


def test_truncated_entry_is_rebuilt(cache_root):
    calls: list[str] = []
    cache.cached_file("k4", ".so", _writer(calls, b"x" * 1000))
    for p in _entries(cache_root):
        os.truncate(p, p.stat().st_size // 2)
    again = cache.cached_file("k4", ".so", _writer(calls, b"x" * 1000))
    assert len(calls) == 2
    assert Path(again).read_bytes() == b"x" * 1000


def test_an_entry_copied_under_another_key_is_rebuilt(cache_root):
    calls: list[str] = []
    cache.cached_file("aaaa", ".so", _writer(calls, b"A"))
    cache.cached_file("bbbb", ".so", _writer(calls, b"B"))
    for p in _entries(cache_root):
        if p.name.startswith("aaaa"):
            shutil.copyfile(p, p.with_name("bbbb" + p.name[4:]))
    again = cache.cached_file("bbbb", ".so", _writer(calls, b"B"))
    assert len(calls) == 3
    assert Path(again).read_bytes() == b"B"


def test_an_entry_owned_by_another_user_is_rebuilt(cache_root):
    calls: list[str] = []
    cache.cached_file("k5", ".so", _writer(calls, b"good"))
    for p in _entries(cache_root):
        os.chown(p, OTHER_UID, OTHER_UID)
    cache.cached_file("k5", ".so", _writer(calls, b"good"))
    assert len(calls) == 2
    assert all(p.stat().st_uid == os.geteuid() for p in _entries(cache_root))


def test_a_key_planted_by_another_user_is_replaced_and_its_entries_rebuilt(cache_root):
    """An attacker who could write the directory once (before a chmod) left a key of
    their own and an entry authenticated with it: neither is trusted."""
    calls: list[str] = []
    cache.cached_file("k6", ".so", _writer(calls, b"good"))
    theirs = b"k" * 32
    key_file = cache_root / cache.SECRET_NAME
    key_file.write_bytes(theirs)
    os.chown(key_file, OTHER_UID, OTHER_UID)
    (entry,) = _entries(cache_root)
    entry.write_bytes(cache._seal(theirs, "k6", ".so", b"evil"))
    again = cache.cached_file("k6", ".so", _writer(calls, b"good"))
    assert len(calls) == 2
    assert Path(again).read_bytes() == b"good"
    assert key_file.stat().st_uid == os.geteuid() and _mode(key_file) == 0o600
    assert key_file.read_bytes() != theirs


def test_a_key_others_could_read_is_replaced(cache_root):
    calls: list[str] = []
    cache.cached_file("k7", ".so", _writer(calls, b"good"))
    key_file = cache_root / cache.SECRET_NAME
    leaked = key_file.read_bytes()
    key_file.chmod(0o644)
    cache.cached_file("k7", ".so", _writer(calls, b"good"))
    assert len(calls) == 2  # entries sealed with a key that may have leaked are rebuilt
    assert key_file.read_bytes() != leaked and _mode(key_file) == 0o600


def test_failed_write_leaves_no_entry(cache_root):
    def broken(path: str) -> None:
        Path(path).write_bytes(b"half")
        raise RuntimeError("compiler crashed")

    with pytest.raises(RuntimeError):
        cache.cached_file("k8", ".so", broken)
    assert list(cache_root.iterdir()) == []


def test_bad_key_names_are_refused(cache_root):
    with pytest.raises(AttnccError, match="cache key"):
        cache.cached_file("../escape", ".so", _writer([], b"x"))


# ----------------------------------------------------------------------------- the directory


def test_entries_are_private_whatever_the_umask(tmp_path, monkeypatch):
    root = tmp_path / "a" / "b" / "c"
    monkeypatch.setenv("ATTNCC_CACHE_DIR", str(root))
    old = os.umask(0)
    try:
        path = cache.cached_file("k9", ".so", _writer([], b"abc"))
    finally:
        os.umask(old)
    for d in (tmp_path / "a", tmp_path / "a" / "b", root, Path(path).parent):
        assert _mode(d) == 0o700, d
    for f in (*_entries(root), root / cache.SECRET_NAME, Path(path)):
        assert _mode(f) == 0o600, f


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702])
def test_a_root_others_can_write_is_refused_with_the_fix(cache_root, mode):
    cache_root.mkdir()
    cache_root.chmod(mode)
    calls: list[str] = []
    with pytest.raises(cache.CacheError) as err:
        cache.cached_file("k", ".so", _writer(calls, b"x"))
    message = str(err.value)
    assert str(cache_root) in message and oct(mode)[2:] in message
    assert f"chmod 700 {cache_root}" in message and "ATTNCC_CACHE_DIR" in message
    assert calls == [] and list(cache_root.iterdir()) == []


def test_a_root_owned_by_another_user_is_refused_with_the_fix(cache_root):
    cache_root.mkdir(mode=0o755)
    os.chown(cache_root, OTHER_UID, OTHER_UID)
    with pytest.raises(cache.CacheError) as err:
        cache.cached_file("k", ".so", _writer([], b"x"))
    message = str(err.value)
    assert str(OTHER_UID) in message and "chown" in message and "ATTNCC_CACHE_DIR" in message
    assert isinstance(err.value, AttnccError)


def test_a_link_to_another_users_directory_is_refused(tmp_path, monkeypatch):
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o755)
    os.chown(theirs, OTHER_UID, OTHER_UID)
    link = tmp_path / "link"
    link.symlink_to(theirs)
    monkeypatch.setenv("ATTNCC_CACHE_DIR", str(link))
    with pytest.raises(cache.CacheError, match="owned by uid"):
        cache.cached_file("k", ".so", _writer([], b"x"))
    assert list(theirs.iterdir()) == []


def test_a_link_to_a_directory_of_ones_own_is_used(tmp_path, monkeypatch):
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(mine)
    monkeypatch.setenv("ATTNCC_CACHE_DIR", str(tmp_path / "link"))
    cache.cached_file("k", ".so", _writer([], b"x"))
    assert len(_entries(mine)) == 1


def test_an_explicit_directory_that_cannot_be_made_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("not a directory")
    monkeypatch.setenv("ATTNCC_CACHE_DIR", str(tmp_path / "file" / "cache"))
    with pytest.raises(cache.CacheError, match="ATTNCC_CACHE_DIR"):
        cache.cached_file("k", ".so", _writer([], b"x"))


def test_a_default_directory_that_cannot_be_made_means_no_cache(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("not a directory")
    monkeypatch.delenv("ATTNCC_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    assert cache.cached_file("k", ".so", _writer([], b"x")) is None


def test_cache_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("ATTNCC_CACHE_DIR", "off")
    assert cache.cache_dir() is None
    assert cache.cached_file("k", ".so", lambda p: None) is None


def test_private_copies_are_written_once_per_content():
    first = cache.private_copy("k", ".py", b"x = 1\n")
    assert cache.private_copy("k", ".py", b"x = 1\n") == first
    other = cache.private_copy("k", ".py", b"x = 2\n")
    assert other != first and Path(other).read_bytes() == b"x = 2\n"
    assert _mode(first) == 0o600 and _mode(Path(first).parent) == 0o700


def test_read_private_refuses_a_file_others_can_replace(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    (shared / "m.py").write_text("x = 1\n")
    with pytest.raises(cache.CacheError, match="writable by others"):
        cache.read_private(shared / "m.py")
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    (mine / "m.py").write_text("x = 1\n")
    (mine / "m.py").chmod(0o666)
    with pytest.raises(cache.CacheError, match="writable by others"):
        cache.read_private(mine / "m.py")
    (mine / "m.py").chmod(0o600)
    assert cache.read_private(mine / "m.py") == b"x = 1\n"


def test_a_noexec_temporary_directory_is_named_before_dlopen_fails(monkeypatch):
    class NoExec:
        f_flag = os.ST_NOEXEC

    monkeypatch.setattr(cache.os, "statvfs", lambda path: NoExec())
    with pytest.raises(cache.CacheError, match=r"noexec.*TMPDIR"):
        cache.private_copy("k", ".so", b"\x7fELF")
    assert cache.private_copy("k", ".py", b"x = 1\n")  # Python needs no exec mount


def test_cache_subdirs_are_private_and_checked(cache_root):
    old = os.umask(0)
    try:
        sub = cache.cache_subdir("tuning")
    finally:
        os.umask(old)
    assert sub == cache_root / "tuning" and _mode(sub) == 0o700 and _mode(cache_root) == 0o700
    sub.chmod(0o777)
    with pytest.raises(cache.CacheError, match="chmod 700"):
        cache.cache_subdir("tuning")


def test_private_directories_of_dead_processes_are_swept(tmp_path):
    import fcntl

    dead, alive, young = (tmp_path / f"attncc-private-{n}" for n in ("dead", "alive", "young"))
    for d in (dead, alive, young):
        d.mkdir(mode=0o700)
        (d / "k.so").write_bytes(b"x")
    for d in (dead, alive):
        os.utime(d, (1, 1))  # long ago
    holder = os.open(alive, os.O_RDONLY)  # a living process's lock
    fcntl.flock(holder, fcntl.LOCK_SH)
    try:
        cache._sweep(str(tmp_path))
    finally:
        os.close(holder)
    assert not dead.exists() and alive.exists() and young.exists()
