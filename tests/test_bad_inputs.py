"""Every bad input raises a SynphysError that names the argument and what is allowed (issue 12).

Each case here once escaped as a builtin or engine error (``OverflowError``, ``AttributeError``,
``_duckdb.ParserException``, Ibis' ``SignatureValidationError``, ``RecursionError``, ...).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from synphys_ibis import (
    ColumnNotFoundError,
    InvalidArgumentError,
    NotAReleaseError,
    SynphysDatabase,
    synthetic,
)
from synphys_ibis.errors import SynphysError

# -- metadata that no JSON parser can hold -------------------------------------------------------
DEEP = "[" * 100_000 + "]" * 100_000


def _with_metadata(path: Path, dest: Path, meta: str) -> Path:
    shutil.copy(path, dest)
    con = sqlite3.connect(dest)
    con.execute("UPDATE metadata SET meta = ?", (meta,))
    con.commit()
    con.close()
    return dest


@pytest.mark.parametrize("meta", [DEEP, '{"db_version": ' + DEEP + "}"])
def test_deeply_nested_metadata_is_not_a_release(tmp_path: Path, meta: str) -> None:
    source = synthetic.write_release(tmp_path / "r.sqlite", n_experiments=2, seed=1)
    path = _with_metadata(source, tmp_path / "deep.sqlite", meta)
    with pytest.raises(NotAReleaseError, match="metadata") as info:
        SynphysDatabase.load_sqlite(path, native_cache=False)
    assert len(str(info.value)) < 1000


def test_a_dataset_manifest_with_deeply_nested_metadata_is_not_a_release() -> None:
    from synphys_ibis.export.dataset import DatasetManifest

    with pytest.raises(NotAReleaseError):
        DatasetManifest.from_json('{"format": 1, "metadata": ' + DEEP + "}")


@pytest.mark.postgres
def test_deeply_nested_metadata_on_postgres_is_not_a_release(
    postgres_server: Any, tmp_path: Path
) -> None:
    from synphys_ibis import Database

    source = synthetic.write_release(tmp_path / "r.sqlite", n_experiments=2, seed=1)
    name = postgres_server.new_name("deepmeta")
    Database("sqlite:///", None, source).clone_database(
        dest_db=postgres_server.database(name), progress=False
    )
    writable = postgres_server.database(name)
    writable.rw.raw_sql(f"UPDATE metadata SET meta = '{DEEP}'")
    writable.close()
    with pytest.raises(NotAReleaseError, match="metadata"):
        SynphysDatabase(postgres_server.host, None, name)


def test_every_error_here_is_a_synphys_error() -> None:
    for cls in (InvalidArgumentError, ColumnNotFoundError, NotAReleaseError):
        assert issubclass(cls, SynphysError)
