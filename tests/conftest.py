"""Shared fixtures: synthetic releases on disk and the engines every query test runs on.

Engine-neutral tests take the ``db`` fixture, which is parametrised over every engine (DuckDB over
the attached SQLite file, DuckDB over its native copy, and PostgreSQL when
``SYNPHYS_IBIS_TEST_POSTGRES`` names a server); the same assertions run on each.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from synphys_ibis import SynphysDatabase, synthetic

ENGINES = ["duckdb-sqlite", "duckdb-native"]
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


def open_engine(engine: str, path: Path, request: pytest.FixtureRequest) -> SynphysDatabase:
    if engine == "duckdb-sqlite":
        return SynphysDatabase.load_sqlite(path, native_cache=False)
    if engine == "duckdb-native":
        return SynphysDatabase.load_sqlite(path, native_cache=True)
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
