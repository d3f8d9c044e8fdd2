"""Shared fixtures: synthetic releases on disk and the engines every query test runs on.

Engine-neutral tests take the ``db`` fixture, which is parametrised over every engine (DuckDB over
the attached SQLite file, DuckDB over its native copy, DuckDB over a Parquet export of the release,
and PostgreSQL when ``SYNPHYS_IBIS_TEST_POSTGRES`` names a server); the same assertions run on
each. Spark is compared with DuckDB in ``test_spark.py`` instead (a query there takes seconds).
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from synphys_ibis import Database, SynphysDatabase, synthetic

ENGINES = ["duckdb-sqlite", "duckdb-native", "duckdb-parquet"]
if os.environ.get("SYNPHYS_IBIS_TEST_POSTGRES"):
    ENGINES.append("postgres")


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test run gets its own cache directory (native copies, DuckDB extensions)."""
    cache = tmp_path_factory.mktemp("synphys-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SYNPHYS_IBIS_CACHE_DIR", str(cache))
        mp.delenv("SYNPHYS_IBIS_NATIVE_CACHE", raising=False)
        mp.delenv("SYNPHYS_IBIS_OFFLINE", raising=False)
        yield cache


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic release with one row per key in every child table (like published files)."""
    path = tmp_path_factory.mktemp("releases") / "synphys_test_small.sqlite"
    return synthetic.write_release(path, n_experiments=80, seed=7)


@pytest.fixture(scope="session")
def fanout_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic release whose one-to-many child tables hold several rows for some keys."""
    path = tmp_path_factory.mktemp("releases") / "synphys_test_fanout.sqlite"
    return synthetic.write_release(path, n_experiments=60, seed=11, fan_out=True)


@pytest.fixture(scope="session")
def full_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A full-size release (raw traces in pulse_response) of 12 experiments: ~40 MB."""
    path = tmp_path_factory.mktemp("releases") / "synphys_test_full.sqlite"
    return synthetic.write_release(path, n_experiments=12, seed=5, size="full", sweeps_per_pair=2)


def open_engine(engine: str, path: Path, request: pytest.FixtureRequest) -> SynphysDatabase:
    if engine == "duckdb-sqlite":
        return SynphysDatabase.load_sqlite(path, native_cache=False)
    if engine == "duckdb-native":
        return SynphysDatabase.load_sqlite(path, native_cache=True)
    if engine == "duckdb-parquet":
        return SynphysDatabase.load_parquet(request.getfixturevalue("parquet_export")(path))
    if engine == "postgres":
        clone = request.getfixturevalue("postgres_clone")
        return clone(path)
    raise AssertionError(engine)


@pytest.fixture(scope="session", params=ENGINES)
def db(request: pytest.FixtureRequest, release: Path) -> Iterator[SynphysDatabase]:
    database = open_engine(request.param, release, request)
    yield database
    database.close()


@pytest.fixture(scope="session", params=ENGINES)
def fanout_db(request: pytest.FixtureRequest, fanout_release: Path) -> Iterator[SynphysDatabase]:
    database = open_engine(request.param, fanout_release, request)
    yield database
    database.close()


@pytest.fixture(scope="session")
def parquet_export(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Path]:
    """``export(sqlite_path)``: the release exported to a Parquet dataset (once per release)."""
    exports: dict[Path, Path] = {}

    def export(path: Path) -> Path:
        if path not in exports:
            dest = tmp_path_factory.mktemp("parquet") / f"{Path(path).stem}.parquet"
            source = Database("sqlite:///", None, path)
            try:
                exports[path] = source.export_parquet(dest, progress=False)
            finally:
                source.close()
        return exports[path]

    return export


@pytest.fixture(scope="session")
def ref(release: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection to the release, for independently written reference SQL."""
    con = sqlite3.connect(f"{release.resolve().as_uri()}?mode=ro", uri=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def fanout_ref(fanout_release: Path) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(f"{fanout_release.resolve().as_uri()}?mode=ro", uri=True)
    yield con
    con.close()


# -- PostgreSQL --------------------------------------------------------------------------------
class PostgresServer:
    """The server named by ``SYNPHYS_IBIS_TEST_POSTGRES``; hands out uniquely named databases."""

    def __init__(self, url: str) -> None:
        head, _, _ = url.partition("?")
        self.host = head.rsplit("/", 1)[0] if head.count("/") > 2 else head.rstrip("/")
        self.created: list[str] = []

    def new_name(self, label: str) -> str:
        """A database name no other test (or concurrent test run) uses; dropped at session end."""
        name = f"synphys_test_{label}_{os.getpid()}_{uuid.uuid4().hex[:8]}"[:63]
        self.created.append(name)
        return name

    def database(self, name: str, *, readonly: bool = False) -> Database:
        return Database(self.host, None if readonly else self.host, name)

    def drop_all(self) -> None:
        Database.dispose_all_engines()
        maint = Database(self.host, self.host, "postgres")
        try:
            for name in self.created:
                maint.get_database(name).drop_database(force=True)
        finally:
            maint.close()


def _postgres_unavailable(message: str) -> None:
    """Skip, unless CI requires PostgreSQL (``SYNPHYS_IBIS_REQUIRE_POSTGRES=1``): then fail."""
    from synphys_ibis.settings import env_flag

    if env_flag("SYNPHYS_IBIS_REQUIRE_POSTGRES", default=False):
        pytest.fail(f"{message} (SYNPHYS_IBIS_REQUIRE_POSTGRES is set)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The test PostgreSQL server; every database the tests create on it is dropped at the end."""
    url = os.environ.get("SYNPHYS_IBIS_TEST_POSTGRES")
    if not url:
        _postgres_unavailable("SYNPHYS_IBIS_TEST_POSTGRES does not name a PostgreSQL server")
    assert url is not None
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=10).close()
    except Exception as err:
        _postgres_unavailable(f"PostgreSQL at {url} is not reachable: {err}")
    server = PostgresServer(url)
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def postgres_clone(
    postgres_server: PostgresServer,
) -> Callable[[Path], SynphysDatabase]:
    """``clone(sqlite_path)``: the release cloned into a new PostgreSQL database, opened read-only."""
    clones: dict[Path, str] = {}

    def clone(path: Path) -> SynphysDatabase:
        if path not in clones:
            name = postgres_server.new_name(Path(path).stem.replace("synphys_test_", ""))
            source = Database("sqlite:///", None, path)
            source.clone_database(dest_db=postgres_server.database(name), progress=False)
            source.close()
            clones[path] = name
        return SynphysDatabase(postgres_server.host, None, clones[path])

    return clone


# -- notebooks ---------------------------------------------------------------------------------
NOTEBOOK_KERNEL = "synphys-ibis-tests"
#: Size of the demo release the notebooks (and the README's examples) run on in the tests: a fifth
#: of the published-small size, to keep the run short (set $SYNPHYS_IBIS_DEMO_EXPERIMENTS to 2900 to
#: run them at full size).
TEST_DEMO_EXPERIMENTS = "600"


def demo_experiments_for_tests() -> str:
    return os.environ.get("SYNPHYS_IBIS_DEMO_EXPERIMENTS") or TEST_DEMO_EXPERIMENTS


@pytest.fixture(scope="session")
def notebook_kernel(
    tmp_path_factory: pytest.TempPathFactory, isolated_cache: Path
) -> Iterator[str]:
    """A kernelspec running this interpreter, offline, on the session's cache and demo release.

    The kernel's environment is set in its kernelspec, so the test process keeps its own (but for
    ``JUPYTER_PATH``, where the kernelspec is found). The demo release is built here, once.
    """
    jupyter_path = tmp_path_factory.mktemp("jupyter")
    spec_dir = jupyter_path / "kernels" / NOTEBOOK_KERNEL
    spec_dir.mkdir(parents=True)
    env = {
        "SYNPHYS_IBIS_CACHE_DIR": str(isolated_cache),
        "SYNPHYS_IBIS_OFFLINE": "1",
        "SYNPHYS_IBIS_DEMO_EXPERIMENTS": demo_experiments_for_tests(),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "synphys_ibis tests",
        "language": "python",
        "env": env,
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    from synphys_ibis.demo import load_demo

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SYNPHYS_IBIS_DEMO_EXPERIMENTS", env["SYNPHYS_IBIS_DEMO_EXPERIMENTS"])
        load_demo(progress=False).close()  # build the release and its native copy once
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(jupyter_path))
        yield NOTEBOOK_KERNEL


@pytest.fixture(scope="session")
def execute_notebook(
    notebook_kernel: str, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[Path], Any]:
    """``execute_notebook(path)``: the notebook executed top to bottom (once per session).

    Each runs in its own working directory; a failing cell raises ``CellExecutionError``.
    """
    nbformat = pytest.importorskip("nbformat", reason="the notebooks extra is in the dev extra")
    nbclient = pytest.importorskip("nbclient", reason="the notebooks extra is in the dev extra")
    executed: dict[Path, Any] = {}

    def execute(path: Path) -> Any:
        if path not in executed:
            book = nbformat.read(path, as_version=4)
            client = nbclient.NotebookClient(
                book,
                kernel_name=notebook_kernel,
                timeout=300,
                resources={"metadata": {"path": str(tmp_path_factory.mktemp(path.stem))}},
            )
            client.execute()
            executed[path] = book
        return executed[path]

    return execute
