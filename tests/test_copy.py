"""Streaming copies: clone into PostgreSQL and bake back to SQLite, byte for byte; failures leave
nothing half-written; skip_tables / skip_columns / skip_errors."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from synphys_ibis import Database, SynphysDatabase, synthetic
from synphys_ibis.errors import CopyError, InvalidArgumentError, ReadOnlyError

if TYPE_CHECKING:
    from tests.conftest import PostgresServer

# -- a source release exercising every stored encoding -------------------------------------------


def _add_pipeline_rows(path: Path, n: int = 1000) -> None:
    """Give ``pipeline`` exactly ``n`` rows (max id = 1000: the original dropped that row)."""
    rows = []
    for i in range(1, n + 1):
        finish = (
            None
            if i % 7 == 0
            else f"2023-0{1 + i % 9}-1{i % 10} 0{i % 10}:1{i % 6}:2{i % 10}.{(i * 7919) % 1000000:06d}"
        )
        if i % 11 == 0:
            finish = "2024-05-07 12:00:00.000000"  # zero microseconds keep their six digits
        success = None if i % 5 == 0 else i % 2
        error = None if i % 3 else f"Tracebäck {i} — ünïcode ✓"
        meta = (
            "null"
            if i % 4 == 0
            else (None if i % 4 == 1 else json.dumps({"i": i, "x": [1.5, None]}))
        )
        rows.append((i, f"module_{i % 13}", f"job{i}", finish, success, error, meta))
    con = sqlite3.connect(path)
    con.executemany("INSERT INTO pipeline VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    con.commit()
    con.close()


@pytest.fixture(scope="module")
def source_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("copy") / "synphys_copy_source.sqlite"
    synthetic.write_release(path, n_experiments=12, seed=3, fan_out=True)
    _add_pipeline_rows(path)
    return path


def table_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, with the SQLite storage class of each value."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        result = {}
        for name in names:
            rows = con.execute(f'SELECT * FROM "{name}" ORDER BY id').fetchall()
            result[name] = [tuple((type(v).__name__, v) for v in row) for row in rows]
        return result
    finally:
        con.close()


def sqlite_master(path: Path) -> list[tuple[str, ...]]:
    con = sqlite3.connect(path)
    try:
        return sorted(con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


# -- the round trip -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_clone(source_release: Path, postgres_server: PostgresServer) -> Iterator[Database]:
    name = postgres_server.new_name("roundtrip")
    source = Database("sqlite:///", None, source_release)
    dest = source.clone_database(dest_db=postgres_server.database(name), progress=False)
    yield dest
    dest.close()


@pytest.mark.postgres
def test_round_trip_sqlite_postgres_sqlite_is_exact(
    source_release: Path, pg_clone: Database, tmp_path: Path
) -> None:
    source = table_rows(source_release)
    assert len(source["pipeline"]) == 1000 and source["pipeline"][-1][0] == ("int", 1000)
    assert any(("str", "null") in row for row in source["pair"])  # JSON None as the text 'null'
    assert any(("bytes", b"") in row for row in source["synapse_prediction"])  # empty .npy blob
    baked = pg_clone.bake_sqlite(tmp_path / "baked.sqlite", progress=False)
    assert table_rows(baked) == source
    assert sqlite_master(baked) == sqlite_master(source_release)
    assert leftovers(tmp_path) == []
    # the baked file is a release that the library and plain sqlite3 open
    with SynphysDatabase.load_sqlite(baked, native_cache=False) as db:
        assert db.metadata == json.loads(source["metadata"][0][1][1])
        assert db.pair_query(synapse=True).count().to_pyarrow().as_py() > 0
    con = sqlite3.connect(baked)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()


@pytest.mark.postgres
def test_postgres_clone_holds_the_raw_values_with_native_types(
    source_release: Path, pg_clone: Database
) -> None:
    from synphys_ibis.engines.postgres import execute

    con = pg_clone.ro
    assert execute(con, "SELECT count(*), max(id) FROM pipeline") == [(1000, 1000)]
    types = dict(
        execute(
            con,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'pipeline'",
        )
    )
    assert types["success"] == "boolean" and types["finish_time"].startswith("timestamp")
    assert execute(con, "SELECT count(*) FROM pair WHERE meta = 'null'")[0][0] > 0
    empty = execute(
        con, "SELECT count(*) FROM synapse_prediction WHERE ic_average_response = ''::bytea"
    )
    assert empty[0][0] > 0
    # the id sequences continue after the copied ids
    assert execute(con, "SELECT last_value >= 1000 FROM pipeline_id_seq") == [(True,)]


@pytest.mark.postgres
def test_nan_survives_postgres_to_postgres_and_duckdb(
    pg_clone: Database, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    from synphys_ibis.engines.postgres import execute

    work = pg_clone.clone_database(
        dest_db=postgres_server.database(postgres_server.new_name("nan")), progress=False
    )
    execute(work.rw, "UPDATE pair SET distance = 'NaN'::float8 WHERE id IN (1, 2)")
    execute(work.rw, "UPDATE pair SET distance = '-0'::float8 WHERE id = 3")
    again = work.clone_database(
        dest_db=postgres_server.database(postgres_server.new_name("nan2")), progress=False
    )
    rows = execute(again.ro, "SELECT id, distance FROM pair WHERE id <= 3 ORDER BY id")
    assert math.isnan(rows[0][1]) and math.isnan(rows[1][1])
    assert rows[2][1] == 0.0 and math.copysign(1, rows[2][1]) == -1
    duck = work.clone_database(
        dest_db=Database("duckdb:///", "duckdb:///", tmp_path / "nan.duckdb"), progress=False
    )
    values = duck.ro.con.execute("SELECT distance FROM pair WHERE id <= 2").fetchall()
    assert all(math.isnan(v[0]) for v in values)
    for db in (work, again, duck):
        db.close()


def test_sqlite_to_duckdb_and_back_is_exact(source_release: Path, tmp_path: Path) -> None:
    source = Database("sqlite:///", None, source_release)
    duck = source.clone_database(
        dest_db=Database("duckdb:///", "duckdb:///", tmp_path / "copy.duckdb"), progress=False
    )
    baked = duck.bake_sqlite(tmp_path / "back.sqlite", progress=False)
    assert table_rows(baked) == table_rows(source_release)
    assert leftovers(tmp_path) == []
    duck.close()


def test_bake_refuses_an_existing_file_unless_overwrite(
    source_release: Path, tmp_path: Path
) -> None:
    source = Database("sqlite:///", None, source_release)
    target = tmp_path / "release.sqlite"
    target.write_bytes(b"previous")
    with pytest.raises(CopyError, match="overwrite=True"):
        source.bake_sqlite(target, tables=["metadata"], progress=False)
    assert target.read_bytes() == b"previous"
    source.bake_sqlite(target, overwrite=True, tables=["metadata", "slice"], progress=False)
    rows = table_rows(target)
    assert rows["slice"] == table_rows(source_release)["slice"] and rows["pair"] == []
    assert leftovers(tmp_path) == []


# -- failures half-way ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def broken_release(source_release: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The source with a text value in a FLOAT column of ``synapse``: that table is unreadable."""
    path = tmp_path_factory.mktemp("broken") / "synphys_broken.sqlite"
    shutil.copy(source_release, path)
    con = sqlite3.connect(path)
    con.execute("UPDATE synapse SET psp_amplitude = 'not a number' WHERE id = 2")
    con.commit()
    con.close()
    return path


def test_a_failing_bake_leaves_no_file_and_keeps_the_previous_one(
    broken_release: Path, source_release: Path, tmp_path: Path
) -> None:
    broken = Database("sqlite:///", None, broken_release)
    target = tmp_path / "out.sqlite"
    with pytest.raises(CopyError, match="'synapse'"):
        broken.bake_sqlite(target, progress=False)
    assert not target.exists() and leftovers(tmp_path) == []
    Database("sqlite:///", None, source_release).bake_sqlite(target, progress=False)
    before = digest(target)
    with pytest.raises(CopyError, match="'synapse'"):
        broken.bake_sqlite(target, overwrite=True, progress=False)
    assert digest(target) == before and leftovers(tmp_path) == []


@pytest.mark.postgres
def test_a_failing_clone_leaves_no_database_and_keeps_the_previous_one(
    broken_release: Path, source_release: Path, postgres_server: PostgresServer
) -> None:
    from synphys_ibis.engines.postgres import execute

    broken = Database("sqlite:///", None, broken_release)
    name = postgres_server.new_name("fail")
    dest = postgres_server.database(name)
    with pytest.raises(CopyError, match="'synapse'"):
        broken.clone_database(dest_db=dest, progress=False)
    assert not dest.exists
    temps = execute(
        dest.maint, "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{name[:40]}%"]
    )
    assert temps == []
    Database("sqlite:///", None, source_release).clone_database(
        dest_db=dest, tables=["metadata", "slice", "experiment"], progress=False
    )
    with pytest.raises(CopyError, match="overwrite=True"):
        Database("sqlite:///", None, source_release).clone_database(dest_db=dest, progress=False)
    with pytest.raises(CopyError, match="'synapse'"):
        broken.clone_database(dest_db=dest, overwrite=True, progress=False)
    assert execute(dest.ro, "SELECT count(*) FROM slice")[0][0] > 0
    assert execute(dest.ro, "SELECT count(*) FROM pair") == [(0,)]  # still the previous clone
    temps = execute(
        dest.maint, "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{name[:40]}_%"]
    )
    assert temps == []
    dest.close()


def test_skip_errors_copies_the_other_tables(
    broken_release: Path, source_release: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = Database("sqlite:///", None, broken_release)
    with caplog.at_level(logging.WARNING, logger="synphys_ibis"):
        baked = broken.bake_sqlite(tmp_path / "partial.sqlite", skip_errors=True, progress=False)
    assert "'synapse'" in caplog.text and "skip_errors" in caplog.text
    got, want = table_rows(baked), table_rows(source_release)
    assert got["synapse"] == []
    assert {k: v for k, v in got.items() if k != "synapse"} == {
        k: v for k, v in want.items() if k != "synapse"
    }


def test_skip_tables_and_skip_columns(source_release: Path, tmp_path: Path) -> None:
    source = Database("sqlite:///", None, source_release)
    baked = source.bake_sqlite(
        tmp_path / "small.sqlite",
        skip_tables=["pair", "pipeline"],
        skip_columns={"synapse_prediction": ["ic_average_response", "meta"]},
        progress=False,
    )
    got, want = table_rows(baked), table_rows(source_release)
    assert got["pair"] == [] and got["pipeline"] == []
    names = [r[1] for r in sqlite3.connect(baked).execute("PRAGMA table_info(synapse_prediction)")]
    skipped = {names.index("ic_average_response"), names.index("meta")}
    for got_row, want_row in zip(
        got["synapse_prediction"], want["synapse_prediction"], strict=True
    ):
        for i, (value, expected) in enumerate(zip(got_row, want_row, strict=True)):
            assert value == (("NoneType", None) if i in skipped else expected)
    assert got["cell"] == want["cell"]


def test_copy_arguments_are_checked_before_anything_runs(
    source_release: Path, tmp_path: Path
) -> None:
    source = Database("sqlite:///", None, source_release)
    dest = Database("sqlite:///", "sqlite:///", tmp_path / "d.sqlite")
    with pytest.raises(InvalidArgumentError, match="Did you mean 'synapse'"):
        Database.iter_copy_tables(source, dest, tables=["synapses"])
    with pytest.raises(InvalidArgumentError, match="skip_columns"):
        Database.iter_copy_tables(source, dest, skip_columns={"pair": ["id"]})
    with pytest.raises(InvalidArgumentError, match="distance"):
        Database.iter_copy_tables(source, dest, skip_columns={"pair": ["distanse"]})
    with pytest.raises(ReadOnlyError):
        Database.iter_copy_tables(dest, source)
    with pytest.raises(InvalidArgumentError, match="exactly one"):
        source.clone_database()
    assert not (tmp_path / "d.sqlite").exists()


def test_copy_into_a_non_empty_table_is_refused_and_rolled_back(
    source_release: Path, tmp_path: Path
) -> None:
    source = Database("sqlite:///", None, source_release)
    dest = Database("sqlite:///", "sqlite:///", tmp_path / "d.sqlite")
    dest.create_tables(initialize=False)
    copied = list(source.iter_copy_tables(source, dest, tables=["slice"], progress=False))
    assert copied == ["slice"]
    before = table_rows(tmp_path / "d.sqlite")
    with pytest.raises(CopyError, match="already holds"):
        list(source.iter_copy_tables(source, dest, tables=["slice", "experiment"], progress=False))
    assert table_rows(tmp_path / "d.sqlite") == before
    dest.close()


@pytest.mark.postgres
def test_copy_into_tables_with_foreign_keys(
    source_release: Path, postgres_server: PostgresServer
) -> None:
    """create_tables declares the keys; copying rows that reference unpublished rows still works
    and the keys are declared again (NOT VALID: existing rows are not checked) afterwards."""
    from synphys_ibis.engines.postgres import execute

    dest = postgres_server.database(postgres_server.new_name("fk"))
    dest.create_database()
    dest.create_tables()
    keys = "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"
    declared = execute(dest.ro, keys)[0][0]
    assert declared > 30
    source = Database("sqlite:///", None, source_release)
    names = ["metadata", "slice", "experiment", "electrode", "cell", "pair", "synapse"]
    assert list(Database.iter_copy_tables(source, dest, tables=names, progress=False)) == names
    assert execute(dest.ro, keys)[0][0] == declared
    assert execute(dest.ro, "SELECT count(*) FROM pair")[0][0] == len(
        table_rows(source_release)["pair"]
    )
    with pytest.raises(Exception, match="foreign key"):
        execute(dest.rw, "INSERT INTO pair (id, experiment_id) VALUES (999999, 999999)")
    dest.close()
