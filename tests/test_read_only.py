"""Read-only that holds: every known way of writing through ``db.ro`` is refused, queries still run.

Each DuckDB engine (the attached SQLite release, its native copy, a Parquet dataset, a DuckDB
file opened read-only) is attacked through ``raw_sql`` and ``sql`` with the bypasses found in
issue 12: re-ATTACH of the release READ_WRITE then INSERT, COPY TO any path (and onto the files
the connection reads), INSTALL/LOAD, turning external access back on, DETACH. The files read are
compared by sha256 before and after, and no file may appear. PostgreSQL: see
``test_postgres_read_only_role``.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from synphys_ibis import CellClass, Database, ReadOnlyError, SynphysDatabase, export, synthetic
from synphys_ibis.engines.duckdb_readonly import REFUSED_STATEMENTS
from synphys_ibis.engines.native import native_copy_path
from tests.conftest import PostgresServer


@dataclass
class Target:
    db: SynphysDatabase
    release: Path  # a SQLite release file on disk (the source, for the parquet engine)
    protected: list[Path]  # every file the connection reads
    watched: list[Path]  # directories where no file may appear
    main_is_file: bool  # the connection's main database is a DuckDB file (opened read-only)


def _sha256(paths: list[Path]) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def _listing(dirs: list[Path]) -> set[Path]:
    return {p for d in dirs for p in d.rglob("*")}


@pytest.fixture(params=["attached", "native", "parquet", "duckdb-file"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    (tmp_path / "rel").mkdir()
    release = synthetic.write_release(tmp_path / "rel" / "synphys_ro.sqlite", n_experiments=4)
    kind = request.param
    if kind in ("attached", "native"):
        db = SynphysDatabase.load_sqlite(release, native_cache=kind == "native")
        protected = [release] + ([native_copy_path(release)] if kind == "native" else [])
    elif kind == "parquet":
        dataset = Database("sqlite:///", None, release).export_parquet(
            tmp_path / "rel" / "synphys_ro.parquet", progress=False
        )
        db = SynphysDatabase.load_parquet(dataset)
        protected = sorted(p for p in dataset.rglob("*") if p.is_file())
    else:
        source = Database("sqlite:///", None, release)
        copy = source.clone_database(
            dest_db=Database("duckdb:///", "duckdb:///", tmp_path / "rel" / "synphys_ro.duckdb"),
            progress=False,
        )
        source.close()
        copy.close()
        db = SynphysDatabase("duckdb:///", None, copy.db_name, check_schema=False)
        protected = [Path(str(copy.db_name))]
    watched = [tmp_path / "rel", tmp_path / "out", protected[-1].parent]
    (tmp_path / "out").mkdir()
    yield Target(db, release, protected, watched, main_is_file=kind in ("native", "duckdb-file"))
    db.close()


def _bypasses(t: Target, out: Path) -> dict[str, str]:
    release = str(t.release)
    victim = str(t.protected[-1])
    return {
        "attach-read-write": f"ATTACH '{release}' AS w2 (TYPE sqlite, READ_WRITE)",
        "attach-duckdb": f"ATTACH '{out / 'new.duckdb'}' AS w3",
        "copy-anywhere": f"COPY (SELECT 1 AS a) TO '{out / 'any.csv'}'",
        "copy-onto-read-file": (
            f"COPY (SELECT 1 AS a) TO '{victim}' (FORMAT csv, USE_TMP_FILE false)"
        ),
        "export-database": f"EXPORT DATABASE '{out / 'exported'}'",
        "install": "INSTALL httpfs",
        "load": "LOAD httpfs",
        "external-access-on": "SET enable_external_access = true",
        "unlock": "SET lock_configuration = false",
        "detach": "DETACH release",
    }


def test_every_bypass_is_refused_and_nothing_is_written(target: Target, tmp_path: Path) -> None:
    before = _sha256(target.protected)
    listing = _listing(target.watched)
    con = target.db.ro
    for name, statement in _bypasses(target, tmp_path / "out").items():
        for run in (con.raw_sql, con.sql):
            with pytest.raises(ReadOnlyError, match="read-only"):
                run(statement)
                pytest.fail(f"{name} was not refused")
    # the write the re-ATTACH would have allowed
    with pytest.raises(duckdb.Error):
        con.raw_sql("INSERT INTO w2.slice (id) VALUES (999999)")
    # writes to what the connection reads are refused by DuckDB itself (an in-memory main
    # database, that of the attached and Parquet engines, takes tables: nothing reaches a file)
    writes = ["INSERT INTO pair (id) VALUES (999999)", "DELETE FROM pair"]
    if target.release in target.protected:  # the attached release itself
        writes += ["INSERT INTO release.slice (id) VALUES (999999)", "DELETE FROM release.pair"]
    if target.main_is_file:
        writes.append("CREATE TABLE main.extra AS SELECT 1 AS a")
    for statement in writes:
        with pytest.raises(duckdb.Error):
            con.raw_sql(statement)
    assert _sha256(target.protected) == before
    assert _listing(target.watched) == listing


def test_the_raw_duckdb_connection_has_external_access_off_and_settings_locked(
    target: Target, tmp_path: Path
) -> None:
    raw = target.db.ro.con
    listing = _listing(target.watched)
    for statement in (
        f"COPY (SELECT 1 AS a) TO '{tmp_path / 'out' / 'raw.csv'}'",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "SELECT * FROM read_csv('/etc/passwd')",
        f"ATTACH '{tmp_path / 'out' / 'raw.duckdb'}' AS w4",
    ):
        with pytest.raises(duckdb.Error, match=r"(?i)disabled|locked"):
            raw.execute(statement)
    assert _listing(target.watched) == listing


def test_queries_and_exports_still_run(target: Target, tmp_path: Path) -> None:
    before = _sha256(target.protected)
    db = target.db
    sst = CellClass(cre_type="sst")
    assert db.pair_query(preload=["cell", "synapse"]).to_pyarrow().num_rows > 0
    assert db.matrix_pair_query({"sst": sst}, {"all": CellClass()}).count().execute() >= 0
    assert db.connectivity_matrix({"sst": sst}, {"sst": sst}).to_pyarrow().num_rows == 1
    assert db.table("cell").count().to_pyarrow().as_py() > 0
    assert db.ro.sql("SELECT count(*) AS n FROM pair").to_pyarrow()["n"][0].as_py() > 0
    assert db.ro.raw_sql("SELECT 1").fetchall() == [(1,)]
    batches = list(db.pair_query().to_pyarrow_batches())
    assert sum(b.num_rows for b in batches) > 0
    query = export.record(db, "pair_query", synapse=True)
    export.to_parquet(query, tmp_path / "out" / "pairs.parquet", progress=False)
    export.to_csv(query, tmp_path / "out" / "pairs.csv", progress=False)
    assert (tmp_path / "out" / "pairs.parquet").stat().st_size > 0
    assert _sha256(target.protected) == before


def test_a_second_handle_on_the_same_native_copy_is_read_only_too(tmp_path: Path) -> None:
    release = synthetic.write_release(tmp_path / "synphys_two.sqlite", n_experiments=3)
    with (
        SynphysDatabase.load_sqlite(release) as first,
        SynphysDatabase.load_sqlite(release) as second,
    ):
        for db in (first, second):
            with pytest.raises(ReadOnlyError):
                db.ro.raw_sql(f"ATTACH '{release}' AS w (TYPE sqlite, READ_WRITE)")
            assert db.pair_query().count().execute() > 0


def test_refused_statement_types_are_named() -> None:
    assert {"ATTACH", "COPY", "DETACH", "INSTALL/LOAD"} <= set(REFUSED_STATEMENTS.values())


# -- PostgreSQL: the read-only role ------------------------------------------------------------
@pytest.fixture
def readonly_role(postgres_server: PostgresServer, release: Path) -> Iterator[tuple[str, str]]:
    """``(role, database)``: a clone of the release and a role made to read it only."""
    from synphys_ibis.maintenance.roles import create_readonly_role, drop_role

    name = postgres_server.new_name("role")
    source = Database("sqlite:///", None, release)
    admin = source.clone_database(dest_db=postgres_server.database(name), progress=False)
    source.close()
    role = f"synphys_reader_{uuid.uuid4().hex[:10]}"
    create_readonly_role(admin, role, password="not-logged")
    try:
        yield role, name
    finally:
        Database.dispose_all_engines()
        drop_role(admin, role)
        admin.close()


def _role_host(postgres_server: PostgresServer, role: str) -> str:
    return postgres_server.host.replace("postgres@", f"{role}@", 1)


@pytest.mark.postgres
def test_writes_through_the_read_only_role_fail(
    postgres_server: PostgresServer, readonly_role: tuple[str, str]
) -> None:
    from synphys_ibis.engines.postgres import execute

    role, name = readonly_role
    db = SynphysDatabase(_role_host(postgres_server, role), None, name)
    owner = postgres_server.database(name)
    counts = execute(owner.rw, "SELECT (SELECT count(*) FROM pair), (SELECT count(*) FROM slice)")
    con = db.ro
    attempts = [
        # each list: statements sent one by one (one string would be one implicit transaction)
        ["BEGIN READ WRITE", "INSERT INTO slice (id) VALUES (999999)"],
        ["SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", "DELETE FROM pair"],
        ["SET default_transaction_read_only = off", "CREATE TABLE extra (a int)"],
        ["SET default_transaction_read_only = off", "UPDATE pair SET distance = 0"],
        ["SET default_transaction_read_only = off", "TRUNCATE pair"],
        ["SET default_transaction_read_only = off", "CREATE SCHEMA extra"],
        ["BEGIN READ WRITE", "DROP TABLE slice CASCADE"],
    ]
    for statements in attempts:
        *setup, write = statements
        for statement in setup:
            execute(con, statement)
        with pytest.raises(Exception, match=r"permission denied|must be owner"):
            execute(con, write)
        execute(con, "ROLLBACK")  # end a BEGIN (a warning outside a transaction)
        execute(con, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    assert (
        execute(owner.rw, "SELECT (SELECT count(*) FROM pair), (SELECT count(*) FROM slice)")
        == counts
    )
    assert "extra" not in owner.rw.list_tables()
    # queries still run, the connectivity matrix's session functions included
    sst = CellClass(cre_type="sst")
    assert db.pair_query(preload=["cell", "synapse"]).to_pyarrow().num_rows == counts[0][0]
    assert db.connectivity_matrix({"sst": sst}, {"sst": sst}).to_pyarrow().num_rows == 1
    assert db.table("slice").count().execute() == counts[0][1]
    for handle in (db, owner):
        handle.close()


@pytest.mark.postgres
def test_a_read_only_role_is_refused_twice_and_checked(
    postgres_server: PostgresServer, readonly_role: tuple[str, str]
) -> None:
    from synphys_ibis import InvalidArgumentError
    from synphys_ibis.maintenance.roles import create_readonly_role

    role, name = readonly_role
    admin = postgres_server.database(name)
    with pytest.raises(InvalidArgumentError, match="exists already"):
        create_readonly_role(admin, role)
    create_readonly_role(admin, role, exist_ok=True)  # granted again: still read-only
    with pytest.raises(InvalidArgumentError, match="role="):
        create_readonly_role(admin, "pg_nope")
    with pytest.raises(ReadOnlyError):
        create_readonly_role(postgres_server.database(name, readonly=True), "synphys_x")
    admin.close()
