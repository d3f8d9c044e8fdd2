"""The SQL of a query is one self-contained statement over the release's own tables.

``ibis.to_sql`` of a pair query, a matrix pair query or a connectivity matrix names only the
release's tables (and, for the matrix, the interval's session functions), so the printed statement
runs unchanged on a fresh connection of the same release, and building a query creates nothing on
its connection. The statements of the key queries are kept as golden files per dialect
(``tests/snapshots/sql/<dialect>/<query>.sql``); set ``SYNPHYS_IBIS_UPDATE_SNAPSHOTS=1`` to
rewrite them after an intended change, and review the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import ibis
import ibis.expr.operations as ops
import pyarrow as pa
import pytest
from ibis import _
from ibis.expr.types import Table

from synphys_ibis import CellClass, SynphysDatabase, mouse_ei_classes, mouse_layer_classes
from tests.conftest import ENGINES, open_engine

SNAPSHOTS = Path(__file__).parent / "snapshots" / "sql"

KEY_QUERIES: dict[str, Callable[[SynphysDatabase], Table]] = {
    "narrow_pair_query": lambda db: db.pair_query(
        pre_class=CellClass(cre_type=("sst", "pvalb", "vip")),
        post_class=CellClass(cortical_layer="5"),
        species="mouse",
        distance=(0, 100e-6),
    ),
    "synapse_pair_query": lambda db: db.pair_query(
        synapse=True,
        synapse_probed=True,
        preload=["synapse"],
        filter_exprs=[_.synapse_psp_amplitude > 0],
    ),
    "matrix_pair_query": lambda db: db.matrix_pair_query(
        mouse_ei_classes(),
        mouse_ei_classes(),
        columns=["synapse_psp_amplitude"],
        pair_query_args={"species": "mouse"},
    ),
    "connectivity_matrix": lambda db: db.connectivity_matrix(
        mouse_layer_classes(), mouse_layer_classes(), species="mouse"
    ),
    # distance-adjusted and gap-junction columns, at a 90% level
    "adjusted_connectivity_matrix": lambda db: db.connectivity_matrix(
        mouse_layer_classes(),
        mouse_layer_classes(),
        sigma=100e-6,
        gap_junctions=True,
        alpha=0.1,
        species="mouse",
    ),
}

#: Engines whose connections are opened on the release itself (Parquet has its own SQL test).
REOPENED = [e for e in ENGINES if e != "duckdb-parquet"]
#: The dialect of each engine's snapshots (DuckDB over the attached file prints the same SQL as
#: over the native copy: both expose the typed tables under their own names).
SNAPSHOT_DIALECTS = {"duckdb-native": "duckdb", "postgres": "postgres"}


def sorted_rows(table: pa.Table) -> list[dict[str, object]]:
    keys = [c for c in ("pre_class", "post_class", "id") if c in table.column_names]
    if keys:
        table = table.sort_by([(k, "ascending") for k in keys])
    return table.to_pylist()


@pytest.mark.parametrize("name", sorted(KEY_QUERIES))
@pytest.mark.parametrize("engine", REOPENED)
def test_printed_sql_runs_unchanged_on_a_fresh_connection(
    engine: str, name: str, release: Path, request: pytest.FixtureRequest
) -> None:
    with open_engine(engine, release, request) as db:
        query = KEY_QUERIES[name](db)
        # an expression over the release's tables, not an opaque wrapper of compiled SQL
        assert not query.op().find(ops.SQLQueryResult)
        assert query.op().find(ops.DatabaseTable)
        expected = sorted_rows(query.to_pyarrow())
        sql = str(ibis.to_sql(query))
    assert "_synphys_" not in sql
    assert expected, f"{name} returns no rows on the test release; the comparison proves nothing"
    with open_engine(engine, release, request) as fresh:
        assert sorted_rows(run_sql(fresh, sql)) == expected


def run_sql(db: SynphysDatabase, sql: str) -> pa.Table:
    """Run ``sql`` as it is on the read-only connection of ``db``."""
    if db.ro.name == "duckdb":
        return db.ro.sql(sql).to_pyarrow()
    # Ibis' con.sql() on PostgreSQL creates a view to learn the schema, which a read-only session
    # refuses; the statement itself goes to the server unchanged.
    with db.ro.raw_sql(sql) as cursor:
        names = [d.name for d in cursor.description]
        return pa.Table.from_pylist([dict(zip(names, row, strict=True)) for row in cursor])


@pytest.mark.parametrize("engine", sorted(e for e in SNAPSHOT_DIALECTS if e in ENGINES))
@pytest.mark.parametrize("name", sorted(KEY_QUERIES))
def test_key_queries_compile_to_their_golden_sql(
    engine: str, name: str, release: Path, request: pytest.FixtureRequest
) -> None:
    with open_engine(engine, release, request) as db:
        sql = str(ibis.to_sql(KEY_QUERIES[name](db))).strip() + "\n"
    golden = SNAPSHOTS / SNAPSHOT_DIALECTS[engine] / f"{name}.sql"
    if os.environ.get("SYNPHYS_IBIS_UPDATE_SNAPSHOTS") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(sql)
    assert golden.is_file(), f"{golden} is missing; run with SYNPHYS_IBIS_UPDATE_SNAPSHOTS=1"
    assert sql == golden.read_text()


def _session_objects(db: SynphysDatabase) -> set[tuple[str, str]]:
    rows = db.ro.raw_sql(
        "SELECT 'view', view_name FROM duckdb_views() WHERE NOT internal "
        "UNION ALL SELECT 'table', table_name FROM duckdb_tables() "
        "UNION ALL SELECT 'macro', function_name FROM duckdb_functions() "
        "WHERE function_type = 'macro' AND NOT internal"
    ).fetchall()
    return {(kind, name) for kind, name in rows}


@pytest.mark.parametrize("native", [False, True], ids=["attached", "native"])
def test_building_queries_creates_nothing_on_the_connection(release: Path, native: bool) -> None:
    with SynphysDatabase.load_sqlite(release, native_cache=native) as db:
        before = _session_objects(db)
        queries = [build(db) for build in KEY_QUERIES.values()]
        assert _session_objects(db) == before
        for query in queries:
            query.count().execute()
        assert _session_objects(db) == before


def test_an_equal_query_is_built_and_compiled_once(release: Path) -> None:
    with SynphysDatabase.load_sqlite(release) as db:
        first = KEY_QUERIES["narrow_pair_query"](db)
        again = KEY_QUERIES["narrow_pair_query"](db)
        assert again is first
        assert db.ro.compile(first) is db.ro.compile(again)
        other = db.pair_query(species="human")
        assert other is not first
        assert db.ro.compile(other) != db.ro.compile(first)


def test_the_compiled_sql_cache_follows_the_default_limit(release: Path) -> None:
    with SynphysDatabase.load_sqlite(release) as db:
        query = db.pair_query(species="mouse")
        everything = query.execute().shape[0]
        assert everything > 3
        ibis.options.sql.default_limit = 3
        try:
            assert query.execute().shape[0] == 3
        finally:
            ibis.options.sql.default_limit = None
        assert query.execute().shape[0] == everything


@pytest.mark.parametrize("native", [False, True], ids=["attached", "native"])
def test_ibis_file_writers_run_on_a_read_only_connection(
    release: Path, native: bool, tmp_path: Path
) -> None:
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    with SynphysDatabase.load_sqlite(release, native_cache=native) as db:
        query = db.pair_query(species="mouse").select("id", "distance")
        expected = sorted_rows(query.to_pyarrow())
        query.to_parquet(tmp_path / "pairs.parquet")
        query.to_csv(tmp_path / "pairs.csv")
    assert sorted_rows(pq.read_table(tmp_path / "pairs.parquet")) == expected
    assert len(pcsv.read_csv(tmp_path / "pairs.csv")) == len(expected)
