"""Database: addresses, connections, read-only guarantees, fork safety, the published schema on
every backend, the metadata row, drop/reset/vacuum."""

from __future__ import annotations

import datetime
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from synphys_ibis import Database, SynphysDatabase, db_address, synthetic
from synphys_ibis.errors import InvalidArgumentError, ReadOnlyError
from synphys_ibis.maintenance.ddl import POSTGRES_TYPES
from synphys_ibis.schema import ddl, load_schema

if TYPE_CHECKING:
    from tests.conftest import PostgresServer

SCHEMA = load_schema("22")

# -- addresses and handles ------------------------------------------------------------------------


def test_addresses_and_backends(tmp_path: Path) -> None:
    assert db_address("sqlite:///", "/abs/x.sqlite") == "sqlite:////abs/x.sqlite"
    assert db_address("duckdb:///", "/abs/x.duckdb") == "duckdb:////abs/x.duckdb"
    address = db_address("postgres://u:pw@h:5433", "synphys", app_name="my app")
    assert address == "postgres://u:pw@h:5433/synphys?application_name=my%20app"
    db = Database("postgres://u:secret@h:5433", None, "synphys")
    assert db.backend == "postgresql" and db.rw_address is None
    assert "secret" not in repr(db)
    with pytest.raises(InvalidArgumentError, match="'mysql'"):
        Database("mysql://h", None, "x")
    with pytest.raises(InvalidArgumentError, match="different backend"):
        Database("sqlite:///", "postgresql://h", "x")
    with pytest.raises(InvalidArgumentError, match="db_name"):
        Database("postgresql://h", None, "x" * 64)
    other = Database("sqlite:///", "sqlite:///", tmp_path / "a.sqlite").get_database(tmp_path / "b")
    assert type(other) is Database and other.rw_host == "sqlite:///"
    assert other.db_name == str(tmp_path / "b")


def test_a_read_only_handle_refuses_maintenance(tmp_path: Path) -> None:
    path = synthetic.write_release(tmp_path / "r.sqlite", n_experiments=2)
    db = Database("sqlite:///", None, path, native_cache=False)
    for attempt in (
        lambda: db.rw,
        lambda: db.session(readonly=False),
        lambda: db.create_tables(),
        lambda: db.drop_tables(),
        lambda: db.vacuum(),
        lambda: db.drop_database(),
        lambda: db.reset_db(),
    ):
        with pytest.raises(ReadOnlyError, match="rw_host is None"):
            attempt()
    with pytest.raises(InvalidArgumentError, match="maintenance"):
        db.maint  # noqa: B018
    assert db.session() is db.ro
    assert path.exists()


def test_read_only_sqlite_and_duckdb_connections_cannot_write(tmp_path: Path) -> None:
    path = synthetic.write_release(tmp_path / "r.sqlite", n_experiments=2)
    db = Database("sqlite:///", None, path, native_cache=False)
    with pytest.raises(Exception, match=r"(?i)read.only"):
        db.ro.raw_sql("INSERT INTO release.slice (id) VALUES (12345)")
    duck = Database("sqlite:///", None, path).clone_database(
        dest_db=Database("duckdb:///", "duckdb:///", tmp_path / "r.duckdb"), progress=False
    )
    reader = Database("duckdb:///", None, duck.db_name)
    with pytest.raises(Exception, match=r"(?i)read.only"):
        reader.ro.raw_sql("DELETE FROM pair")
    assert reader.ro.con.execute("SELECT count(*) FROM pair").fetchone()[0] > 0
    for handle in (db, duck, reader):
        handle.close()


@pytest.mark.postgres
def test_read_only_postgres_session_cannot_write(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    from synphys_ibis.engines.postgres import execute

    name = postgres_server.new_name("ro")
    dest = postgres_server.database(name)
    dest.create_database()
    dest.create_tables(tables=["metadata", "slice"])
    reader = postgres_server.database(name, readonly=True)
    for statement in (
        "INSERT INTO slice (id) VALUES (1)",
        "DELETE FROM metadata",
        "CREATE TABLE extra (a int)",
        "DROP TABLE slice",
    ):
        with pytest.raises(Exception, match="read-only transaction"):
            execute(reader.ro, statement)
    assert execute(reader.ro, "SELECT count(*) FROM slice") == [(0,)]  # still usable
    execute(dest.rw, "INSERT INTO slice (id, species) VALUES (1, 'mouse')")
    assert execute(reader.ro, "SELECT species FROM slice") == [("mouse",)]
    # the session functions exist in the read-only session
    assert execute(reader.ro, "SELECT pg_temp.synphys_ci_upper(3, 20) > 0.37") == [(True,)]
    for handle in (dest, reader):
        handle.close()


@pytest.mark.postgres
def test_forked_child_gets_its_own_connection(postgres_server: PostgresServer) -> None:
    from synphys_ibis.engines.postgres import execute

    name = postgres_server.new_name("fork")
    db = postgres_server.database(name)
    db.create_database()
    db.create_tables(tables=["metadata"])
    parent_pid = execute(db.ro, "SELECT pg_backend_pid()")[0][0]
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            pid = execute(db.ro, "SELECT pg_backend_pid()")[0][0]
            os.write(write, str(pid).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child_pid = int(pipe.read() or 0)
    os.waitpid(child, 0)
    assert child_pid and child_pid != parent_pid
    assert execute(db.ro, "SELECT pg_backend_pid()")[0][0] == parent_pid  # parent unaffected
    Database.dispose_all_engines()
    assert db._ro is None and db._maint is None
    assert execute(db.ro, "SELECT pg_backend_pid()")[0][0] != parent_pid
    db.close()


# -- the published schema on every backend --------------------------------------------------------


def sqlite_pragmas(path: Path) -> dict[str, object]:
    con = sqlite3.connect(path)
    try:
        result: dict[str, object] = {
            "master": sorted(con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        }
        for table in SCHEMA.table_names():
            indexes = con.execute(f"PRAGMA index_list({table})").fetchall()
            result[table] = (
                con.execute(f"PRAGMA table_info({table})").fetchall(),
                con.execute(f"PRAGMA foreign_key_list({table})").fetchall(),
                sorted(
                    (ix[1], ix[2], con.execute(f"PRAGMA index_info({ix[1]})").fetchall())
                    for ix in indexes
                ),
            )
        return result
    finally:
        con.close()


def test_create_tables_on_sqlite_is_the_published_ddl(tmp_path: Path) -> None:
    reference = tmp_path / "reference.sqlite"
    con = sqlite3.connect(reference)
    con.executescript(ddl("22"))
    con.close()
    db = Database("sqlite:///", "sqlite:///", tmp_path / "created.sqlite")
    assert not db.exists
    db.create_tables()
    assert db.exists
    assert sqlite_pragmas(tmp_path / "created.sqlite") == sqlite_pragmas(reference)
    assert db.table_names() == SCHEMA.table_names()
    assert list(db.metadata_tables()) == SCHEMA.table_names()
    db.create_tables()  # existing tables are left alone
    db.drop_tables(tables=["pair", "synapse"])
    assert "pair" not in db.table_names() and "cell" in db.table_names()
    db.reset_db()
    assert sqlite_pragmas(tmp_path / "created.sqlite") == sqlite_pragmas(reference)
    with pytest.raises(InvalidArgumentError, match="Did you mean 'pair'"):
        db.create_tables(tables=["pairs"])
    db.drop_database()
    assert not db.exists


def expected_postgres_columns() -> set[tuple[str, int, str, str, str]]:
    types = {
        "INTEGER": "integer",
        "BIGINT": "bigint",
        "DOUBLE PRECISION": "double precision",
        "BOOLEAN": "boolean",
        "VARCHAR": "character varying",
        "TIMESTAMP WITHOUT TIME ZONE": "timestamp without time zone",
        "BYTEA": "bytea",
    }
    return {
        (t.name, i, c.name, types[POSTGRES_TYPES[c.type]], "YES" if c.nullable else "NO")
        for t in SCHEMA
        for i, c in enumerate(t.columns, start=1)
    }


@pytest.mark.postgres
def test_create_tables_on_postgres_matches_the_published_schema(
    postgres_server: PostgresServer,
) -> None:
    from synphys_ibis.engines.postgres import execute

    db = postgres_server.database(postgres_server.new_name("ddl"))
    assert not db.exists
    db.create_database()
    assert db.exists
    db.create_tables()
    columns = execute(
        db.ro,
        "SELECT table_name, ordinal_position, column_name, data_type, is_nullable "
        "FROM information_schema.columns WHERE table_schema = 'public'",
    )
    assert set(columns) == expected_postgres_columns()
    indexes = execute(
        db.ro,
        "SELECT t.relname, i.relname, ix.indisunique, ix.indisprimary, "
        "array_agg(a.attname ORDER BY k.n) FROM pg_index ix "
        "JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid "
        "JOIN pg_namespace s ON s.oid = t.relnamespace "
        "CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n) "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
        "WHERE s.nspname = 'public' GROUP BY 1, 2, 3, 4",
    )
    expected_indexes = {(t.name, f"{t.name}_pkey", True, True, ("id",)) for t in SCHEMA} | {
        (t.name, ix.name, ix.unique, False, ix.columns) for t in SCHEMA for ix in t.indexes
    }
    assert {(r[0], r[1], r[2], r[3], tuple(r[4])) for r in indexes} == expected_indexes
    keys = execute(
        db.ro,
        "SELECT kcu.table_name, kcu.column_name, ccu.table_name, ccu.column_name "
        "FROM information_schema.table_constraints tc "
        "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name "
        "JOIN information_schema.constraint_column_usage ccu "
        "  ON ccu.constraint_name = tc.constraint_name "
        "WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'",
    )
    assert set(keys) == {
        (t.name, fk.column, fk.table, fk.references) for t in SCHEMA for fk in t.foreign_keys
    }
    assert db.table_names() == SCHEMA.table_names()
    assert execute(db.ro, "SELECT count(*) FROM metadata") == [(0,)]  # plain Database: no row
    db.vacuum(tables=["pair"])
    db.vacuum()
    db.drop_tables()
    assert db.table_names() == []
    db.close()


def test_create_tables_on_duckdb(tmp_path: Path) -> None:
    db = Database("duckdb:///", "duckdb:///", tmp_path / "schema.duckdb")
    db.create_tables()
    con = db.rw.con
    columns = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main'"
    ).fetchall()
    assert len(columns) == sum(len(t.columns) for t in SCHEMA)
    indexes = {
        r[0]
        for r in con.execute(
            "SELECT index_name FROM duckdb_indexes() WHERE database_name = current_database()"
        ).fetchall()
    }
    assert indexes == {ix.name for t in SCHEMA for ix in t.indexes}
    assert db.table_names() == SCHEMA.table_names()
    db.vacuum()
    db.drop_tables(tables=["pair"])
    assert "pair" not in db.table_names()
    db.close()


# -- the metadata row -----------------------------------------------------------------------------


@pytest.fixture
def new_sqlite(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "new.sqlite"


def expected_metadata() -> str:
    today = datetime.date.today().isoformat()
    return json.dumps(
        {
            "db_version": "22",
            "creation_date": today,
            "origin": "Allen Institute for Brain Science / Synaptic Physiology",
        }
    )


def test_synphys_database_writes_the_metadata_row(new_sqlite: Path) -> None:
    db = SynphysDatabase("sqlite:///", "sqlite:///", new_sqlite)
    assert db.schema_version == "22" and db.metadata is None
    db.create_tables()
    con = sqlite3.connect(new_sqlite)
    assert con.execute("SELECT id, meta FROM metadata").fetchall() == [(1, expected_metadata())]
    con.close()
    assert db.metadata is not None and db.metadata["db_version"] == "22"
    db.initialize_database()  # idempotent: the row is checked, not written twice
    with SynphysDatabase.load_sqlite(new_sqlite, native_cache=False) as opened:
        assert opened.pair_query().count().to_pyarrow().as_py() == 0
    db.close()


def test_plain_database_writes_no_metadata_row(new_sqlite: Path) -> None:
    Database("sqlite:///", "sqlite:///", new_sqlite).create_tables()
    con = sqlite3.connect(new_sqlite)
    assert con.execute("SELECT count(*) FROM metadata").fetchone() == (0,)
    con.close()


@pytest.mark.postgres
def test_synphys_database_on_postgres(postgres_server: PostgresServer) -> None:
    from synphys_ibis.engines.postgres import execute

    name = postgres_server.new_name("meta")
    Database(postgres_server.host, postgres_server.host, name).create_database()
    db = SynphysDatabase(postgres_server.host, postgres_server.host, name)
    db.create_tables()
    assert execute(db.ro, "SELECT id, meta FROM metadata") == [(1, expected_metadata())]
    db.close()
    reader = SynphysDatabase(postgres_server.host, None, name)
    assert reader.schema_version == "22" and reader.metadata["origin"].startswith("Allen")
    assert reader.pair_query(species="mouse").count().to_pyarrow().as_py() == 0
    assert list(reader.orm_tables())[:2] == ["metadata", "pipeline"]
    reader.close()
