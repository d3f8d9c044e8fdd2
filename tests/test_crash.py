"""Crashes and races: kill -9 during every copy, concurrent first opens, a damaged native copy.

Each fault-injection test starts the operation in a subprocess, waits until its temporary exists,
SIGKILLs it, then checks that the destination is absent or still the previous complete one, that
a re-run succeeds, and that nothing of the library's naming is left (files, directories,
PostgreSQL databases). The operations copy in batches of 10 rows so that they run for a second or
so: long enough to be killed mid-way.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pytest

from synphys_ibis import SynphysDatabase, synthetic
from synphys_ibis.engines.duckdb import connect
from synphys_ibis.engines.native import native_copy_path

if TYPE_CHECKING:
    pass

ROOT = Path(__file__).resolve().parents[1]

_CHILD = """
import logging, sys
from synphys_ibis import Database, SynphysDatabase
logging.basicConfig(level=logging.INFO)
operation, source, dest, host = sys.argv[1:5]
go = sys.argv[5] if len(sys.argv) > 5 else None
if go:
    import pathlib, time
    while not pathlib.Path(go).exists():
        time.sleep(0.005)
src = Database("sqlite:///", None, source)
slow = {"batch_rows": 10, "progress": False, "overwrite": True}
if operation == "open":
    with SynphysDatabase.load_sqlite(source) as db:
        print(db.pair_query().count().execute())
elif operation == "bake":
    src.bake_sqlite(dest, **slow)
elif operation == "clone":
    src.clone_database(dest_db=Database(host, host, dest), **slow)
elif operation == "clone-to-the-end":  # (VACUUM would update the database's catalog row)
    src.clone_database(dest_db=Database(host, host, dest), vacuum=False, overwrite=True)
elif operation == "export":
    src.export_parquet(dest, **slow)
"""


def _start(
    operation: str,
    source: Path,
    dest: str = "",
    host: str = "",
    *,
    cache: Path | None = None,
    go: Path | None = None,
    tag: str = "",
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    if cache is not None:
        env["SYNPHYS_IBIS_CACHE_DIR"] = str(cache)
    args = [operation, str(source), dest, host, str(go) if go else ""]
    # the last argument ends the command line: PostgreSQL sessions carry it as application_name
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, *args, tag or uuid.uuid4().hex],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def _wait_for(
    condition: Callable[[], Any], proc: subprocess.Popen[str], timeout: float = 60.0
) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.fail(f"the operation ended (rc {proc.returncode}) before it was killed:\n{err}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the operation's temporary never appeared")
        time.sleep(0.005)


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _hidden(directory: Path) -> list[str]:
    """Names of the library's temporaries (all hidden) in ``directory``."""
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def slow_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release whose copies in batches of 10 rows take about a second."""
    path = tmp_path_factory.mktemp("crash") / "synphys_crash.sqlite"
    return synthetic.write_release(path, n_experiments=300, seed=4)


# -- concurrency --------------------------------------------------------------------------------
def test_connections_never_install_or_load_extensions_by_themselves() -> None:
    """Autoinstall would try the network (``Failed to download extension ... http://``)."""
    con = connect()
    try:
        settings = con.con.execute(
            "SELECT current_setting('autoinstall_known_extensions'), "
            "current_setting('autoload_known_extensions')"
        ).fetchone()
    finally:
        con.disconnect()
    assert settings == (False, False)


def test_concurrent_first_opens_install_once_and_build_the_native_copy_once(
    slow_release: Path, tmp_path: Path
) -> None:
    cache, go = tmp_path / "cache", tmp_path / "go"
    procs = [_start("open", slow_release, cache=cache, go=go) for _ in range(6)]
    time.sleep(1.0)  # let them all import and wait for the signal
    go.touch()
    outputs = [proc.communicate(timeout=240) for proc in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert int(out) > 0
    errs = [err for _, err in outputs]
    assert sum(err.count("built native copy") for err in errs) == 1, errs
    native = cache / "native"
    assert [p.name for p in native.glob("*.duckdb")] == [
        native_copy_path(slow_release, cache=cache).name
    ]
    assert [p for p in native.iterdir() if p.suffix in (".tmp", ".wal")] == []
    assert [p.name for p in (cache / "duckdb-extensions").rglob("*tmp*")] == []


# -- a damaged native copy ----------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_a_damaged_native_copy_is_rebuilt_with_a_warning(
    slow_release: Path, tmp_path: Path, damage: str
) -> None:
    cache = tmp_path / "cache"
    with SynphysDatabase.load_sqlite(slow_release, cache_dir=cache) as db:
        expected = db.pair_query().count().execute()
    copy = native_copy_path(slow_release, cache=cache)
    data = copy.read_bytes()
    if damage == "truncated":
        copy.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        copy.write_bytes(data[:4096] + bytes(range(256)) * ((len(data) - 4096) // 256))
    else:
        copy.write_bytes(b"")
    with pytest.warns(UserWarning, match="cannot be opened .* it is rebuilt"):
        db = SynphysDatabase.load_sqlite(slow_release, cache_dir=cache)
    with db:
        assert db.pair_query().count().execute() == expected
    duckdb.connect(str(copy), read_only=True).close()


# -- kill -9 during each copy -------------------------------------------------------------------
def test_killed_native_copy_build(slow_release: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    proc = _start("open", slow_release, cache=cache)
    native = cache / "native"
    _wait_for(lambda: native.is_dir() and list(native.glob(".*.tmp")), proc)
    _kill(proc)
    copy = native_copy_path(slow_release, cache=cache)
    assert not copy.exists()
    assert _hidden(native) != []  # what the killed build left
    rerun = _start("open", slow_release, cache=cache)
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert "removed" in err and int(out) > 0
    assert copy.is_file() and _hidden(native) == []
