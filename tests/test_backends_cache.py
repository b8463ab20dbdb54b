"""The build cache (issue 17 item 3): size limit with least-recently-used eviction, in-use protection, ``hetnet cache``.

Fast: fake build folders with files of known sizes, nothing is compiled.
"""
import fcntl
import os
import subprocess
import sys
import threading
import time

import pytest

from hetnet.backends import cache
from hetnet.cli.main import main

DAY = 86400.0


def _build(root, key, size, age_days=0.0):
    """A fake build folder: the build lock, a ``main`` of ``size`` bytes, last used ``age_days`` ago."""
    folder = root / key
    folder.mkdir(parents=True)
    (folder / cache.BUILD_LOCK_NAME).touch()
    (folder / "main").write_bytes(b"x" * size)
    cache.touch_build(folder)
    used = time.time() - age_days * DAY
    os.utime(folder / cache.LAST_USE_NAME, (used, used))
    return folder


@pytest.fixture
def root(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setenv("HETNET_CACHE", str(folder))
    monkeypatch.delenv("HETNET_CACHE_MAX_GB", raising=False)
    yield folder
    for held in list(cache._held):
        cache.release_build(held)


def _keys(root):
    return [build.key for build in cache.list_builds(root)]


def test_eviction_removes_least_recently_used_first_down_to_the_limit(root):
    _build(root, "a", 3000, age_days=3)
    _build(root, "b", 2000, age_days=2)
    _build(root, "c", 1000, age_days=1)
    (root / "curand-link").mkdir()          # not a build: never listed, never removed
    (root / "curand-link" / "libcurand.so").write_bytes(b"y" * 10_000)
    assert _keys(root) == ["a", "b", "c"]
    assert [build.size_bytes for build in cache.list_builds(root)] == [3000, 2000, 1000]
    assert cache.evict(6000, root=root) == []                          # at the limit: nothing to do
    assert [build.key for build in cache.evict(3500, root=root)] == ["a"]
    assert _keys(root) == ["b", "c"]
    assert [build.key for build in cache.evict(999, root=root)] == ["b", "c"]
    assert _keys(root) == [] and (root / "curand-link" / "libcurand.so").exists()
    assert not [path for path in root.iterdir() if path.name.startswith(".removing-")]


def test_reuse_touches_the_last_use_and_changes_the_order(root):
    _build(root, "a", 3000, age_days=3)
    _build(root, "b", 2000, age_days=2)
    cache.touch_build(root / "a")                                      # a is reused now
    assert _keys(root) == ["b", "a"]
    assert [build.key for build in cache.evict(4000, root=root)] == ["b"]


def test_the_limit_comes_from_the_environment(root, monkeypatch):
    assert cache.max_cache_bytes() == int(cache.DEFAULT_MAX_GB * 1e9)
    monkeypatch.setenv("HETNET_CACHE_MAX_GB", "0.000004")
    assert cache.max_cache_bytes() == 4000
    _build(root, "a", 3000, age_days=2)
    _build(root, "b", 2000, age_days=1)
    assert [build.key for build in cache.evict(root=root)] == ["a"]
    monkeypatch.setenv("HETNET_CACHE_MAX_GB", "0")                     # no limit
    assert cache.max_cache_bytes() is None and cache.evict(root=root) == []
    from hetnet.errors import UsageError

    for bad in ("five", "-1", "nan", "inf"):
        monkeypatch.setenv("HETNET_CACHE_MAX_GB", bad)
        with pytest.raises(UsageError, match="HETNET_CACHE_MAX_GB"):
            cache.max_cache_bytes()


def test_builds_in_use_are_never_removed(root):
    held = _build(root, "held", 3000, age_days=5)
    compiling = _build(root, "compiling", 3000, age_days=4)
    other_process = _build(root, "other-process", 3000, age_days=3)
    _build(root, "free", 3000, age_days=2)
    cache.hold_build(held)                                             # this process uses it
    build_lock = open(compiling / cache.BUILD_LOCK_NAME, "a")          # being compiled (_directory_lock)
    fcntl.flock(build_lock, fcntl.LOCK_EX)
    holder = subprocess.Popen(                                         # another process holds its in-use lock
        [sys.executable, "-c", "import fcntl, sys, time; h = open(sys.argv[1], 'a'); fcntl.flock(h, fcntl.LOCK_SH); "
         "print('held', flush=True); time.sleep(60)", str(other_process / cache.IN_USE_LOCK_NAME)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert {build.key: build.in_use for build in cache.list_builds(root)} == {
            "held": True, "compiling": True, "other-process": True, "free": False}
        assert [build.key for build in cache.evict(1, root=root)] == ["free"]
        assert _keys(root) == ["compiling", "other-process", "held"]    # holding a build is a use of it
        removed, in_use, failed = cache.clear(root=root)
        assert removed == [] and failed == [] and [build.key for build in in_use] == ["compiling", "other-process",
                                                                                      "held"]
    finally:
        holder.kill()
        holder.wait()
        build_lock.close()
    cache.release_build(held)
    assert [build.key for build in cache.evict(1, root=root)] == ["compiling", "other-process", "held"]


def test_a_process_holds_only_its_latest_builds(root):
    folders = [_build(root, f"b{index}", 100, age_days=10 - index) for index in range(3)]
    for folder in folders:
        cache.hold_build(folder, keep=2)
    assert [build.in_use for build in cache.list_builds(root)] == [False, True, True]


def test_hold_waiting_on_a_build_being_removed_takes_the_new_folder(root):
    folder = _build(root, "k", 100)
    lock = open(folder / cache.IN_USE_LOCK_NAME, "a")
    fcntl.flock(lock, fcntl.LOCK_EX)                                   # a remover holds it ...
    waiter = threading.Thread(target=cache.hold_build, args=(folder,))
    waiter.start()
    time.sleep(0.2)
    os.rename(folder, root / ".removing-k-0")                          # ... moves the folder away ...
    lock.close()                                                       # ... and lets go
    waiter.join(10)
    assert not waiter.is_alive()
    assert folder.is_dir() and cache.is_in_use(folder)                 # a new folder, held
    handle = cache._held[str(folder)]
    assert os.fstat(handle.fileno()).st_ino == (folder / cache.IN_USE_LOCK_NAME).stat().st_ino


def test_cache_info_lists_location_limit_and_each_build(root, capsys, monkeypatch):
    _build(root, "cpp_standalone-150n-aaaaaaaaaaaaaaaa", 2_500_000, age_days=2)
    _build(root, "cpp_standalone-150n-bbbbbbbbbbbbbbbb", 1_000_000, age_days=1)
    cache.hold_build(root / "cpp_standalone-150n-bbbbbbbbbbbbbbbb")
    monkeypatch.setenv("HETNET_CACHE_MAX_GB", "2")
    assert main(["cache", "info"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"cache: {root}"
    assert lines[1].startswith("limit: 2.00 GB")
    assert lines[2] == "builds: 2, total 3.5 MB"
    assert lines[4].startswith("cpp_standalone-150n-aaaaaaaaaaaaaaaa") and "2.5 MB" in lines[4]
    assert not lines[4].endswith("in use")
    assert lines[5].startswith("cpp_standalone-150n-bbbbbbbbbbbbbbbb") and lines[5].endswith("in use")


def test_cache_info_of_a_missing_cache_and_a_bad_limit(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HETNET_CACHE", str(tmp_path / "nowhere"))
    monkeypatch.delenv("HETNET_CACHE_MAX_GB", raising=False)
    assert main(["cache", "info"]) == 0
    out = capsys.readouterr().out
    assert "does not exist yet" in out and "builds: 0, total 0 B" in out and "limit: 5.00 GB" in out
    monkeypatch.setenv("HETNET_CACHE_MAX_GB", "lots")
    assert main(["cache", "info"]) == 2
    assert "hetnet cache: error: HETNET_CACHE_MAX_GB = 'lots'" in capsys.readouterr().err


def test_cache_clear_older_than_keeps_recent_and_in_use_builds(root, capsys):
    _build(root, "old", 1000, age_days=10)
    _build(root, "old-in-use", 1000, age_days=9)
    _build(root, "recent", 1000, age_days=1)
    cache.hold_build(root / "old-in-use")                              # taken 9 days ago, still held
    os.utime(root / "old-in-use" / cache.LAST_USE_NAME, (time.time() - 9 * DAY,) * 2)
    assert main(["cache", "clear", "--older-than", "7"]) == 0
    out = capsys.readouterr().out
    assert "removed 1 build(s) last used more than 7 days ago" in out
    assert "kept 1 build(s) in use: old-in-use" in out
    assert _keys(root) == ["old-in-use", "recent"]
    assert main(["cache", "clear", "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    assert _keys(root) == ["old-in-use"]


def test_cache_clear_usage_and_failure_exit_codes(root, capsys, monkeypatch):
    with pytest.raises(SystemExit) as exit_:
        main(["cache", "clear", "--older-than", "-1"])
    assert exit_.value.code == 2
    assert "argument --older-than: must be a finite number >= 0.0; got '-1'" in capsys.readouterr().err
    assert main(["cache"]) == 2
    _build(root, "stuck", 1000)

    def refuse(source, target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cache.os, "rename", refuse)
    assert main(["cache", "clear"]) == 1
    err = capsys.readouterr().err
    assert "hetnet cache clear: error: could not remove 1 build(s)" in err and "Permission denied" in err
    assert _keys(root) == ["stuck"]
