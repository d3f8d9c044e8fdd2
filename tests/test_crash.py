"""Crashes and races: kill -9 during every copy, concurrent first opens, a damaged native copy.

Each fault-injection test starts the operation in a subprocess, waits until its temporary exists,
SIGKILLs it, then checks that the destination is absent or still the previous complete one, that
a re-run succeeds, and that nothing of the library's naming is left (files, directories,
PostgreSQL databases). The operations copy in batches of 10 rows so that they run for a second or
so: long enough to be killed mid-way.
"""

from __future__ import annotations

import doctest
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

from synphys_ibis import Database, SynphysDatabase, locks, synthetic
from synphys_ibis.engines.duckdb import connect
from synphys_ibis.engines.native import native_copy_path
from synphys_ibis.export import _tempdir

if TYPE_CHECKING:
    from tests.conftest import PostgresServer

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


@pytest.fixture(scope="module")
def previous_bake(slow_release: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete bake of a few tables: what a killed overwrite must leave as it is."""
    path = tmp_path_factory.mktemp("previous") / "previous.sqlite"
    Database("sqlite:///", None, slow_release).bake_sqlite(
        path, tables=["metadata", "slice"], progress=False
    )
    return path


@pytest.mark.parametrize("engine", ["sqlite", "duckdb"])
def test_killed_file_copy_keeps_the_previous_file(
    slow_release: Path, previous_bake: Path, tmp_path: Path, engine: str
) -> None:
    """bake_sqlite, and clone_database into a DuckDB file, killed while they write."""
    source = Database("sqlite:///", None, slow_release)
    dest = tmp_path / f"out.{engine}"
    if engine == "sqlite":
        os.link(previous_bake, dest)
        proc = _start("bake", slow_release, str(dest))
    else:
        source.clone_database(
            dest_db=Database("duckdb:///", "duckdb:///", dest), tables=["metadata"], progress=False
        )
        proc = _start("clone", slow_release, str(dest), "duckdb:///")
    before = _digest(dest)
    _wait_for(lambda: list(tmp_path.glob(f".{dest.name}.*.tmp")), proc)
    time.sleep(0.1)  # mid-way: rows are being written
    _kill(proc)
    assert _digest(dest) == before
    assert _hidden(tmp_path) != []  # what the killed copy left
    if engine == "sqlite":
        source.bake_sqlite(dest, overwrite=True, progress=False)
    else:
        source.clone_database(
            dest_db=Database("duckdb:///", "duckdb:///", dest), overwrite=True, progress=False
        )
    assert _hidden(tmp_path) == []
    assert _digest(dest) != before


def test_killed_parquet_export_keeps_the_previous_dataset(
    slow_release: Path, tmp_path: Path
) -> None:
    source = Database("sqlite:///", None, slow_release)
    dest = tmp_path / "out.parquet"
    source.export_parquet(dest, tables=["metadata", "slice"], progress=False)
    before = sorted(p.name for p in dest.iterdir())
    proc = _start("export", slow_release, str(dest))
    _wait_for(lambda: list(tmp_path.glob(".out.parquet.*.tmp")), proc)
    time.sleep(0.1)
    _kill(proc)
    assert sorted(p.name for p in dest.iterdir()) == before
    assert _hidden(tmp_path) != []
    source.export_parquet(dest, overwrite=True, progress=False)
    assert _hidden(tmp_path) == []
    assert len(list(dest.iterdir())) > len(before)


def test_a_dataset_moved_aside_by_a_killed_export_is_put_back(
    slow_release: Path, tmp_path: Path
) -> None:
    """A kill between the two renames of an overwriting export leaves no dataset under its name."""
    source = Database("sqlite:///", None, slow_release)
    dest = tmp_path / "out.parquet"
    source.export_parquet(dest, tables=["metadata"], progress=False)
    before = sorted(p.name for p in dest.iterdir())
    token = ".out.parquet.0123abcd.tmp"
    (tmp_path / token).mkdir()  # the killed export's unfinished temporary ...
    dest.rename(tmp_path / (token + ".old"))  # ... and the dataset it had moved aside
    with pytest.raises(Exception, match="exists; pass overwrite=True"):
        source.export_parquet(dest, tables=["metadata"], progress=False)
    assert sorted(p.name for p in dest.iterdir()) == before
    assert _hidden(tmp_path) == []


def test_a_query_written_to_parquet_removes_what_a_killed_write_left(
    slow_release: Path, tmp_path: Path
) -> None:
    """``to_parquet``'s temporaries ``.<name>-<token>.tmp`` (as a kill leaves them: no lock held)."""
    from synphys_ibis import export

    dest = tmp_path / "pairs.parquet"
    (tmp_path / ".pairs.parquet-0123abcd.tmp").mkdir()
    (tmp_path / ".pairs.parquet-0123abcd.tmp" / "pairs.parquet").write_bytes(b"PAR1 half")
    with SynphysDatabase.load_sqlite(slow_release, native_cache=False) as db:
        export.to_parquet(export.record(db, "pair_query", synapse=True), dest, progress=False)
    assert dest.is_file() and _hidden(tmp_path) == []


def test_a_live_copys_temporary_is_never_removed(slow_release: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out.sqlite"
    live = tmp_path / ".out.sqlite.0123456789.tmp"
    go = tmp_path / "go"
    holder = subprocess.Popen(
        [
            sys.executable, "-c",
            "import pathlib, sys, time\nfrom synphys_ibis import locks\n"
            "with locks.owning(pathlib.Path(sys.argv[1])):\n"
            "    pathlib.Path(sys.argv[1]).write_text('x')\n"
            "    while not pathlib.Path(sys.argv[2]).exists(): time.sleep(0.01)\n",
            str(live), str(go),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        _wait_for(lambda: live.exists(), holder)  # type: ignore[arg-type]
        Database("sqlite:///", None, slow_release).bake_sqlite(
            dest, tables=["metadata"], progress=False
        )
        assert live.exists()
    finally:
        go.touch()
        holder.wait(timeout=30)
    Database("sqlite:///", None, slow_release).bake_sqlite(
        dest, tables=["metadata"], overwrite=True, progress=False
    )
    assert _hidden(tmp_path) == []


def test_lock_and_tempdir_examples() -> None:
    for module in (locks, _tempdir):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0


# -- PostgreSQL ---------------------------------------------------------------------------------
def _pg_databases(maint: Any, prefix: str) -> list[str]:
    from synphys_ibis.engines.postgres import execute

    rows = execute(
        maint, "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]
    )
    return sorted(r[0] for r in rows)


def _end_sessions(maint: Any, tag: str, prefix: str) -> None:
    """End the killed process's sessions (one blocked in a statement outlives its client) and
    wait until nobody is connected to its temporaries (its DuckDB sessions end by themselves)."""
    from synphys_ibis.engines.postgres import execute

    deadline = time.monotonic() + 30
    while execute(
        maint,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE %s "
        "OR starts_with(datname, %s)",
        [f"%{tag}", prefix],
    ):
        assert time.monotonic() < deadline, "the killed process's sessions did not end"
        time.sleep(0.05)


@pytest.fixture
def pg_previous(
    slow_release: Path, postgres_server: PostgresServer
) -> tuple[Database, Database, int]:
    """(source, destination, rows of its slice table): a complete clone of a few tables."""
    source = Database("sqlite:///", None, slow_release)
    dest = postgres_server.database(postgres_server.new_name("crash"))
    source.clone_database(dest_db=dest, tables=["metadata", "slice"], progress=False)
    from synphys_ibis.engines.postgres import execute

    slices = execute(dest.ro, "SELECT count(*) FROM slice")[0][0]
    dest.dispose_engines()  # a session connected to it would stop the overwrite
    return source, dest, slices


def _assert_previous(dest: Database, slices: int) -> None:
    from synphys_ibis.engines.postgres import execute

    dest.dispose_engines()
    assert dest.exists
    assert execute(dest.ro, "SELECT count(*) FROM slice")[0][0] == slices
    assert execute(dest.ro, "SELECT count(*) FROM pair") == [(0,)]  # not the killed copy
    dest.dispose_engines()


@pytest.mark.postgres
def test_killed_postgres_clone_keeps_the_previous_database(
    pg_previous: tuple[Database, Database, int], slow_release: Path
) -> None:
    source, dest, slices = pg_previous
    name = dest.require_name()
    tag = uuid.uuid4().hex
    proc = _start("clone", slow_release, name, dest.ro_host, tag=tag)
    _wait_for(lambda: _pg_databases(dest.maint, f"{name[:40]}_tmp_"), proc)
    time.sleep(0.2)
    _kill(proc)
    _end_sessions(dest.maint, tag, f"{name[:40]}_")
    _assert_previous(dest, slices)
    assert _pg_databases(dest.maint, f"{name[:40]}_") != []  # what the killed clone left
    source.clone_database(dest_db=dest, overwrite=True, progress=False)
    assert _pg_databases(dest.maint, f"{name[:40]}_") == []
    from synphys_ibis.engines.postgres import execute

    assert execute(dest.ro, "SELECT count(*) FROM pair")[0][0] > 0
    dest.close()


@pytest.mark.postgres
def test_a_clone_killed_between_the_two_renames_is_recovered(
    pg_previous: tuple[Database, Database, int], slow_release: Path
) -> None:
    """The kill leaves ``_tmp_`` and ``_old_`` and no database under the name: the next call
    puts the previous database back, then copies."""
    import psycopg

    from synphys_ibis.engines.postgres import execute

    source, dest, slices = pg_previous
    name = dest.require_name()
    tag = uuid.uuid4().hex
    proc = _start("clone-to-the-end", slow_release, name, dest.ro_host, tag=tag)
    (temp,) = _wait_for(lambda: _pg_databases(dest.maint, f"{name[:40]}_tmp_"), proc)
    # hold the temporary's catalog row: its rename to the name waits, after the first rename
    blocker = psycopg.connect(os.environ["SYNPHYS_IBIS_TEST_POSTGRES"])
    try:
        blocker.execute("SELECT 1 FROM pg_database WHERE datname = %s FOR UPDATE", [temp])
        _wait_for(lambda: _pg_databases(dest.maint, f"{name[:40]}_old_"), proc, timeout=120)
        _kill(proc)
        _end_sessions(dest.maint, tag, f"{name[:40]}_")
    finally:
        blocker.rollback()
        blocker.close()
    assert not dest.exists
    assert len(_pg_databases(dest.maint, f"{name[:40]}_")) == 2  # _old_ and _tmp_
    with pytest.raises(Exception, match="exists; pass overwrite=True"):
        source.clone_database(dest_db=dest, progress=False)  # recovered: the previous is back
    _assert_previous(dest, slices)
    assert _pg_databases(dest.maint, f"{name[:40]}_") == []
    source.clone_database(dest_db=dest, overwrite=True, progress=False)
    assert execute(dest.ro, "SELECT count(*) FROM pair")[0][0] > 0
    dest.close()


@pytest.mark.postgres
def test_a_live_clones_temporary_database_is_never_dropped(
    pg_previous: tuple[Database, Database, int],
) -> None:
    source, dest, _ = pg_previous
    name = dest.require_name()
    temp_name = dest.engine.temporary_name(dest, "0123456789")
    temp = dest.on_host(dest.ro_host, temp_name, schema_version=source.schema_version)
    with dest.engine.hold_temporary(temp):
        temp.create_database()
        temp.dispose_engines()
        assert dest.engine.remove_abandoned(dest) == []
        assert _pg_databases(dest.maint, f"{name[:40]}_") == [temp_name]
    assert dest.engine.remove_abandoned(dest) == [temp_name]
    dest.close()
