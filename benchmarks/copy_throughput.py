"""Copy throughput: SQLite -> PostgreSQL and PostgreSQL -> SQLite, against a row-by-row baseline.

Run ``python benchmarks/copy_throughput.py [--postgres postgresql://user@host:port]``. On a
published-small-sized synthetic release (``synthetic.PUBLISHED_SMALL_EXPERIMENTS`` experiments),
every table is copied in both directions by synphys_ibis and by a row-by-row baseline written the
way aisynphys' ``iter_copy_tables`` copies: the source is read in id windows of 1000 rows, each
row becomes a dict and is written with its own ``INSERT`` statement, one commit per table (through
the DB-API drivers directly, which is faster than the original's SQLAlchemy session; on
PostgreSQL the foreign-key triggers are off with ``session_replication_role = replica``, as in
the original). Two measurements:

* **copy**: the data movement alone, into the same destination for both methods (the published
  tables without secondary indexes or keys, created before timing): ``iter_copy_tables`` (Arrow
  batches through DuckDB's sqlite/postgres scanners; binary ``COPY`` into PostgreSQL, one
  prepared INSERT per batch into SQLite) against the row-by-row loop. This is the copy throughput.
* **end-to-end**: from nothing to a finished database: ``clone_database`` / ``bake_sqlite``
  (tables, copy, then indexes and keys, ``VACUUM [ANALYZE]``, publish by rename) against the
  original flow (``create_tables`` with every index, the row-by-row copy, then the vacuum the
  original ran). Index builds and ``ANALYZE`` cost the same for both and cap this ratio.

Rows/s counts every row of every table; MB/s is the size of the data as Arrow arrays (the same
bytes for every method). Results are printed and written to
``benchmarks/results/copy_throughput.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from synphys_ibis import Database, __version__, synthetic
from synphys_ibis.maintenance import operations as maintenance
from synphys_ibis.maintenance.ddl import quote
from synphys_ibis.schema import ddl, load_schema

RESULTS = Path(__file__).parent / "results" / "copy_throughput.json"
SCHEMA = load_schema("22")
WINDOW = 1000


def data_size(path: Path) -> tuple[int, int]:
    """Rows and Arrow bytes of every table of the release (as the copies read it)."""
    from synphys_ibis.maintenance.transfer import _Reader

    rows = size = 0
    with _Reader(Database("sqlite:///", None, path)) as reader:
        for table in SCHEMA:
            for batch in reader.batches(table.name, list(table.columns), 50_000):
                rows += batch.num_rows
                size += batch.nbytes
    return rows, size


# -- destinations -------------------------------------------------------------------------------
def postgres_destination(host: str, name: str, *, indexed: bool) -> Database:
    """A new PostgreSQL database with the published tables (and their indexes and keys)."""
    dest = Database(host, host, name)
    dest.create_database()
    if indexed:
        dest.create_tables(initialize=False)
    else:
        maintenance.create_schema(dest, list(SCHEMA), indexes=False, foreign_keys=False)
    dest.dispose_engines()
    return dest


def sqlite_destination(path: Path, *, indexed: bool) -> Database:
    """A new SQLite file with the published tables (and, if ``indexed``, their indexes)."""
    dest = Database("sqlite:///", "sqlite:///", path)
    maintenance.create_schema(dest, list(SCHEMA), indexes=indexed, foreign_keys=indexed)
    dest.dispose_engines()
    return dest


# -- the row-by-row baseline --------------------------------------------------------------------
def _windows(max_id: int) -> range:
    # the original stopped at max_id (range(0, max_id, 1000)); go one window further
    return range(0, max_id + 1, WINDOW)


def row_by_row_to_postgres(source: Path, host: str, name: str) -> None:
    """One INSERT per row from a SQLite file into existing tables, one commit per table."""
    import psycopg

    src = sqlite3.connect(source)
    pg = psycopg.connect(f"{host}/{name}")
    with pg.cursor() as cur:
        cur.execute("SET session_replication_role = 'replica'")
        for table in SCHEMA:
            names = [c.name for c in table.columns]
            bools = [c.type == "bool" for c in table.columns]
            insert = (
                f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
                f"VALUES ({', '.join(f'%({n})s' for n in names)})"
            )
            select = f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(table.name)}"
            max_id = src.execute(
                f"SELECT coalesce(max(id), 0) FROM {quote(table.name)}"
            ).fetchone()[0]
            for low in _windows(max_id):
                for row in src.execute(f"{select} WHERE id >= ? AND id < ?", (low, low + WINDOW)):
                    record = {
                        n: (None if v is None else bool(v)) if b else v
                        for n, v, b in zip(names, row, bools, strict=True)
                    }
                    cur.execute(insert, record)
            pg.commit()
        cur.execute("SET session_replication_role = 'origin'")
    pg.commit()
    pg.close()
    src.close()


def row_by_row_to_sqlite(host: str, name: str, target: Path) -> None:
    """One INSERT per row from PostgreSQL into the existing tables of a SQLite file."""
    import psycopg

    dest = sqlite3.connect(target)
    pg = psycopg.connect(f"{host}/{name}")
    for table in SCHEMA:
        names = [c.name for c in table.columns]
        kinds = [c.type for c in table.columns]
        insert = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
            f"VALUES ({', '.join(':' + n for n in names)})"
        )
        select = f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(table.name)}"
        with pg.cursor() as cur:
            max_id = cur.execute(
                f"SELECT coalesce(max(id), 0) FROM {quote(table.name)}"
            ).fetchone()[0]
            for low in _windows(max_id):
                cur.execute(f"{select} WHERE id >= %s AND id < %s", (low, low + WINDOW))
                for row in cur.fetchall():
                    record = {}
                    for n, kind, v in zip(names, kinds, row, strict=True):
                        if v is not None and kind == "datetime":
                            v = v.strftime("%Y-%m-%d %H:%M:%S.%f")
                        elif v is not None and kind == "array":
                            v = bytes(v)
                        record[n] = v
                    dest.execute(insert, record)
        pg.commit()
        dest.commit()
    pg.close()
    dest.close()


def timed(action: Any) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def count_rows(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return {t.name: con.execute(f"SELECT count(*) FROM {t.name}").fetchone()[0] for t in SCHEMA}
    finally:
        con.close()


def measure(host: str, source: Path, workdir: Path, names: list[str]) -> dict[str, float]:
    """Every timing, in seconds; ``names`` collects the PostgreSQL databases created."""

    def new_name(label: str) -> str:
        names.append(f"synphys_bench_{label}_{uuid.uuid4().hex[:8]}")
        return names[-1]

    sqlite_source = Database("sqlite:///", None, source)
    seconds: dict[str, float] = {}
    expected = count_rows(source)

    # 1. copy only: the same destination (published tables, no secondary indexes) for both
    print("copy only ...", flush=True)
    a = postgres_destination(host, new_name("copy_lib"), indexed=False)
    seconds["copy synphys_ibis sqlite->postgres"] = timed(
        lambda: list(Database.iter_copy_tables(sqlite_source, a, vacuum=False, progress=False))
    )
    b = postgres_destination(host, new_name("copy_rbr"), indexed=False)
    seconds["copy row-by-row sqlite->postgres"] = timed(
        lambda: row_by_row_to_postgres(source, host, b.db_name)
    )
    fast, slow = workdir / "copy_lib.sqlite", workdir / "copy_rbr.sqlite"
    fast_db = sqlite_destination(fast, indexed=False)
    seconds["copy synphys_ibis postgres->sqlite"] = timed(
        lambda: list(Database.iter_copy_tables(a, fast_db, vacuum=False, progress=False))
    )
    sqlite_destination(slow, indexed=False)
    seconds["copy row-by-row postgres->sqlite"] = timed(
        lambda: row_by_row_to_sqlite(host, a.db_name, slow)
    )
    assert count_rows(fast) == expected == count_rows(slow), "a copy lost rows"

    # 2. end to end: from nothing to a finished, indexed, vacuumed database
    print("end to end ...", flush=True)
    c = Database(host, host, new_name("e2e_lib"))
    seconds["end-to-end synphys_ibis sqlite->postgres"] = timed(
        lambda: sqlite_source.clone_database(dest_db=c, progress=False)
    )

    def original_to_postgres() -> None:
        dest = postgres_destination(host, new_name("e2e_rbr"), indexed=True)
        row_by_row_to_postgres(source, host, dest.db_name)
        dest.vacuum()
        dest.dispose_engines()

    seconds["end-to-end original sqlite->postgres"] = timed(original_to_postgres)
    baked = workdir / "e2e_lib.sqlite"
    seconds["end-to-end synphys_ibis postgres->sqlite"] = timed(
        lambda: c.bake_sqlite(baked, progress=False)
    )

    def original_to_sqlite() -> None:
        target = workdir / "e2e_rbr.sqlite"
        con = sqlite3.connect(target)
        con.executescript(ddl("22"))
        con.close()
        row_by_row_to_sqlite(host, c.db_name, target)
        con = sqlite3.connect(target)
        con.execute("VACUUM")
        con.close()

    seconds["end-to-end original postgres->sqlite"] = timed(original_to_sqlite)
    assert count_rows(baked) == expected == count_rows(workdir / "e2e_rbr.sqlite")
    return seconds


def run(host: str, n_experiments: int, workdir: Path) -> dict[str, Any]:
    source = workdir / "synphys_benchmark_small.sqlite"
    print(f"writing a synthetic release of {n_experiments} experiments ...", flush=True)
    synthetic.write_release(source, n_experiments=n_experiments, seed=0)
    rows, size = data_size(source)
    names: list[str] = []
    maint = Database(host, host, "postgres")
    try:
        seconds = measure(host, source, workdir, names)
    finally:
        Database.dispose_all_engines()
        for name in names:
            maint.get_database(name).drop_database(force=True)
        maint.close()
    table = {}
    for stage, baseline in (("copy", "row-by-row"), ("end-to-end", "original")):
        for direction in ("sqlite->postgres", "postgres->sqlite"):
            slow = seconds[f"{stage} {baseline} {direction}"]
            for method in ("synphys_ibis", baseline):
                took = seconds[f"{stage} {method} {direction}"]
                table[f"{stage} {method} {direction}"] = {
                    "seconds": round(took, 3),
                    "rows_per_s": round(rows / took),
                    "mb_per_s": round(size / 1e6 / took, 2),
                    "speedup": round(slow / took, 1),
                }
    return {
        "release": {
            "experiments": n_experiments,
            "rows": rows,
            "arrow_mb": round(size / 1e6, 1),
            "sqlite_file_mb": round(source.stat().st_size / 1e6, 1),
            "pairs": count_rows(source)["pair"],
        },
        "copies": table,
        "environment": {
            "synphys_ibis": __version__,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "SYNPHYS_IBIS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432"
        ),
        help="PostgreSQL server (a database name at the end is ignored)",
    )
    parser.add_argument("--experiments", type=int, default=synthetic.PUBLISHED_SMALL_EXPERIMENTS)
    args = parser.parse_args()
    url = args.postgres.split("?", 1)[0]
    host = url.rsplit("/", 1)[0] if url.count("/") > 2 else url.rstrip("/")
    with tempfile.TemporaryDirectory(prefix="synphys-copy-bench-") as tmp:
        report = run(host, args.experiments, Path(tmp))
    release = report["release"]
    print(
        f"\n{release['rows']:,} rows ({release['pairs']:,} pairs), {release['arrow_mb']} MB as "
        f"Arrow, {release['sqlite_file_mb']} MB as SQLite\n"
    )
    print(f"{'':<46}{'seconds':>9}{'rows/s':>11}{'MB/s':>8}{'speed-up':>10}")
    for name, row in report["copies"].items():
        print(
            f"{name:<46}{row['seconds']:>9.2f}{row['rows_per_s']:>11,}{row['mb_per_s']:>8.2f}"
            f"{row['speedup']:>9.1f}x"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
