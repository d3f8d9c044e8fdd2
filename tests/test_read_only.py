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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from synphys_ibis import CellClass, Database, ReadOnlyError, SynphysDatabase, export, synthetic
from synphys_ibis.engines.duckdb_readonly import REFUSED_STATEMENTS
from synphys_ibis.engines.native import native_copy_path


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
