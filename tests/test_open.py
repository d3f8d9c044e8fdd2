"""Opening releases: checks, read-only guarantees, the native cache, typed tables."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import time
from pathlib import Path

import ibis
import pytest

from synphys_ibis import (
    NotAReleaseError,
    SynphysDatabase,
    TableNotFoundError,
    UnsupportedSchemaError,
    synthetic,
)
from synphys_ibis.engines.native import native_copy_path


def fingerprint(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_mtime_ns, stat.st_size


@pytest.fixture
def small_release(tmp_path: Path) -> Path:
    return synthetic.write_release(tmp_path / "synphys_r9.9_small.sqlite", n_experiments=4, seed=5)


def test_missing_path_raises_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nope.sqlite"
    with pytest.raises(FileNotFoundError, match=r"nope\.sqlite"):
        SynphysDatabase.load_sqlite(missing)
    with pytest.raises(FileNotFoundError):
        SynphysDatabase("sqlite:///", None, str(missing))
    assert not missing.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_text("this is not a database")
    with pytest.raises(NotAReleaseError, match="not a SQLite database"):
        SynphysDatabase.load_sqlite(bogus)


def test_a_sqlite_file_without_metadata(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE something (id INTEGER)")
    con.close()
    with pytest.raises(NotAReleaseError, match="metadata"):
        SynphysDatabase.load_sqlite(path)
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    with pytest.raises(NotAReleaseError, match="empty"):
        SynphysDatabase.load_sqlite(empty)


def test_an_empty_metadata_table_needs_check_schema_false(
    small_release: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "no_meta.sqlite"
    shutil.copy(small_release, copy)
    con = sqlite3.connect(copy)
    con.execute("DELETE FROM metadata")
    con.commit()
    con.close()
    with pytest.raises(NotAReleaseError, match="check_schema=False"):
        SynphysDatabase.load_sqlite(copy)
    with SynphysDatabase(
        "sqlite:///", None, str(copy), check_schema=False, native_cache=False
    ) as db:
        assert db.schema_version == "22"
        assert db.pair_query().count().to_pyarrow().as_py() > 0


def test_an_unsupported_schema_version_names_both_versions(tmp_path: Path) -> None:
    old = synthetic.write_release(tmp_path / "old.sqlite", n_experiments=2, schema_version="15")
    with sqlite3.connect(old) as con:
        con.execute("""UPDATE metadata SET meta = replace(meta, '"15"', '"14"')""")
    con.close()
    with pytest.raises(UnsupportedSchemaError) as info:
        SynphysDatabase.load_sqlite(old)
    message = str(info.value)
    assert "schema version 14" in message and "15, 16, 18, 19, 20, 21, 22" in message
    assert isinstance(info.value, ValueError)
    with SynphysDatabase(
        "sqlite:///", None, str(old), check_schema=False, native_cache=False, schema_version="15"
    ) as db:
        assert db.schema_version == "15"
        assert db.table("pair").count().to_pyarrow().as_py() > 0


@pytest.mark.parametrize("native", [False, True], ids=["attached", "native"])
def test_opening_and_querying_never_writes_the_release(small_release: Path, native: bool) -> None:
    before = fingerprint(small_release)
    siblings = set(small_release.parent.iterdir())
    time.sleep(0.01)
    with SynphysDatabase.load_sqlite(small_release, native_cache=native) as db:
        db.pair_query(preload=["cell", "synapse"]).to_pyarrow()
        db.connectivity_matrix({"a": db_class()}, {"b": db_class()}).to_pyarrow()
        db.table("pulse_response").count().to_pyarrow()
    assert fingerprint(small_release) == before
    assert set(small_release.parent.iterdir()) == siblings  # no journal, WAL or lock file left


def db_class():  # a class reading every cell-side table
    from ibis import _

    from synphys_ibis import CellClass

    return CellClass(_.rheobase > 0, cortical_layer="5", dendrite_type="spiny", t_type=None)


def test_the_attached_release_cannot_be_written(small_release: Path) -> None:
    with (
        SynphysDatabase.load_sqlite(small_release, native_cache=False) as db,
        pytest.raises(Exception, match=r"(?i)read.only"),
    ):
        db.ro.raw_sql("DELETE FROM release.pair")


def test_native_copy_is_built_once_and_reused(small_release: Path) -> None:
    target = native_copy_path(small_release)
    assert not target.exists()
    with SynphysDatabase.load_sqlite(small_release, native_cache=True) as db:
        first = db.pair_query(species="mouse").order_by("id").to_pyarrow()
    assert target.exists()
    built = target.stat().st_mtime_ns
    with SynphysDatabase.load_sqlite(small_release, native_cache=True) as db:
        assert (
            db.pair_query(species="mouse").order_by("id").to_pyarrow().to_pylist()
            == first.to_pylist()
        )
    assert target.stat().st_mtime_ns == built
    with SynphysDatabase.load_sqlite(small_release, native_cache=False) as db:
        assert (
            db.pair_query(species="mouse").order_by("id").to_pyarrow().to_pylist()
            == first.to_pylist()
        )


def test_native_copy_is_rebuilt_when_the_release_changes(small_release: Path) -> None:
    with SynphysDatabase.load_sqlite(small_release) as db:
        before = db.table("pair").count().to_pyarrow().as_py()
    old_copy = native_copy_path(small_release)
    con = sqlite3.connect(small_release)
    con.execute("DELETE FROM pair WHERE id % 2 = 0")
    con.commit()
    con.close()
    os.utime(small_release, ns=(time.time_ns(), time.time_ns()))
    new_copy = native_copy_path(small_release)
    assert new_copy != old_copy
    with SynphysDatabase.load_sqlite(small_release) as db:
        after = db.table("pair").count().to_pyarrow().as_py()
    assert 0 < after < before
    assert new_copy.exists() and not old_copy.exists()


def test_native_cache_can_be_disabled_by_environment(
    small_release: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNPHYS_IBIS_NATIVE_CACHE", "0")
    with SynphysDatabase.load_sqlite(small_release) as db:
        db.pair_query().count().to_pyarrow()
    assert not native_copy_path(small_release).exists()
    monkeypatch.setenv("SYNPHYS_IBIS_NATIVE_CACHE", "maybe")
    with pytest.raises(ValueError, match="SYNPHYS_IBIS_NATIVE_CACHE='maybe'"):
        SynphysDatabase.load_sqlite(small_release)


def test_properties_tables_and_projects(db: SynphysDatabase, ref: sqlite3.Connection) -> None:
    assert db.schema_version == "22"
    # a release file's name; a PostgreSQL clone's database name; a dataset's source release
    expected = "synphys_test_small.sqlite"
    if db.backend == "postgresql":
        expected = os.path.basename(db.db_name)
    assert db.version_name == expected
    assert "22" in repr(db)
    names = db.table_names()
    assert names[:3] == ["metadata", "pipeline", "slice"] and "pulse_response" in names
    expected_projects = {r[0] for r in ref.execute("SELECT DISTINCT project_name FROM experiment")}
    assert set(db.list_project_names()) == expected_projects
    assert None in db.list_project_names()
    assert db.mouse_projects == ["mouse V1 coarse matrix", "mouse V1 pre-production"]
    assert db.human_projects == ["human coarse matrix"]
    cell = db.table("cell")
    assert (
        cell.count().to_pyarrow().as_py() == ref.execute("SELECT count(*) FROM cell").fetchone()[0]
    )
    assert db.table("morphology").schema()["pyramidal"].is_boolean()
    assert db.table("slice").schema()["date_of_birth"].is_timestamp()
    with pytest.raises(TableNotFoundError, match="Did you mean 'synapse'"):
        db.table("synapses")


def test_seed_compatible_constructor_and_context_manager(release: Path) -> None:
    db = SynphysDatabase("sqlite:///", None, str(release), check_schema=True, native_cache=False)
    with db:
        assert db.backend == "sqlite"
        assert db.ro_address == f"sqlite:///{release}"
        assert db.metadata["db_version"] == "22"
        sql = ibis.to_sql(db.pair_query(species="human"))
        assert "human" in sql
    assert db._ro is None  # closed on exit


def test_connect_routes_paths(release: Path, tmp_path: Path) -> None:
    with SynphysDatabase.connect(release, native_cache=False) as db:
        assert db.version_name == release.name
    with pytest.raises(FileNotFoundError):
        SynphysDatabase.connect(tmp_path / "missing.sqlite")
