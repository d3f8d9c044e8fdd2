"""Parquet datasets of a release: exact export, verify-then-publish, opening locally and over HTTP.

The query tests themselves run on Parquet-backed DuckDB through the ``db`` fixture (engine
``duckdb-parquet`` in conftest); these tests cover what is particular to datasets.
"""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synphys_ibis import CellClass, Database, SynphysDatabase
from synphys_ibis.cli import main as cli
from synphys_ibis.errors import (
    CopyError,
    InvalidArgumentError,
    NotAReleaseError,
    UnsupportedSchemaError,
    VerificationError,
)
from synphys_ibis.export.dataset import MANIFEST_NAME, read_manifest, validate_dataset
from synphys_ibis.schema import load_schema
from tests.range_server import RangeServer

SCHEMA = load_schema("22")


@pytest.fixture(scope="module")
def dataset(release: Path, parquet_export: Any) -> Path:
    return parquet_export(release)


def copy_dataset(dataset: Path, dest: Path) -> Path:
    shutil.copytree(dataset, dest)
    return dest


# -- export ------------------------------------------------------------------------------------
def stored(value: Any, kind: str) -> Any:
    """A Parquet value as SQLite stores it (booleans as 0/1, datetimes as published text)."""
    if value is None:
        return None
    if kind == "bool":
        return int(value)
    if kind == "datetime":
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def test_export_round_trip_gives_every_row_and_byte_of_the_source(
    dataset: Path, ref: sqlite3.Connection
) -> None:
    manifest = read_manifest(dataset)
    source_tables = {r[0] for r in ref.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert set(manifest.tables) == source_tables & set(SCHEMA.table_names())
    seen = {"null_json": 0, "empty_blob": 0, "blob": 0, "bool": 0, "null": 0, "datetime": 0}
    for name, entry in manifest.tables.items():
        spec = SCHEMA.table(name)
        names = spec.column_names
        expected = ref.execute(f"SELECT {', '.join(names)} FROM {name} ORDER BY rowid").fetchall()
        tables = [pq.read_table(dataset / f.path) for f in entry.files]
        got_table = pa.concat_tables(tables)
        assert got_table.column_names == names
        kinds = [spec.column(c).type for c in names]
        got = [
            tuple(stored(v, k) for v, k in zip(row.values(), kinds, strict=True))
            for row in got_table.to_pylist()
        ]
        assert len(got) == len(expected) == entry.rows, name
        for row_got, row_expected in zip(got, expected, strict=True):
            assert all(same(a, b) for a, b in zip(row_got, row_expected, strict=True)), (
                name,
                row_got,
                row_expected,
            )
            for value, kind in zip(row_expected, kinds, strict=True):
                seen["null"] += value is None
                seen["null_json"] += kind == "object" and value == "null"
                seen["empty_blob"] += kind == "array" and value == b""
                seen["blob"] += kind == "array" and bool(value)
                seen["bool"] += kind == "bool" and value is not None
                seen["datetime"] += kind == "datetime" and value is not None
    assert all(seen.values()), seen  # the release really holds every published encoding


def test_export_keeps_nan_and_uses_parquet_types(tmp_path: Path) -> None:
    source = SynphysDatabase("duckdb:///", "duckdb:///", tmp_path / "nan.duckdb")
    source.create_tables(tables=["metadata", "slice"])
    source.rw.raw_sql(
        "INSERT INTO slice (id, species, acq_timestamp, age) VALUES "
        "(1, 'mouse', 'nan'::DOUBLE, NULL), (2, 'human', 40.5, 7)"
    )
    dest = source.export_parquet(tmp_path / "nan.parquet", progress=False)
    source.close()
    (file,) = read_manifest(dest).tables["slice"].files
    table = pq.read_table(dest / file.path)
    assert table.schema.field("acq_timestamp").type == pa.float64()
    assert table.schema.field("age").type == pa.int64()
    stamps = table.column("acq_timestamp").to_pylist()
    assert math.isnan(stamps[0]) and stamps[1] == 40.5
    assert table.column("age").to_pylist() == [None, 7]
    metadata = pq.read_metadata(dest / file.path)
    assert metadata.row_group(0).column(0).compression == "ZSTD"


def test_manifest_records_schema_source_and_counts(dataset: Path, release: Path) -> None:
    manifest = validate_dataset(dataset)
    assert manifest.schema_version == "22"
    assert manifest.metadata is not None and manifest.metadata["db_version"] == "22"
    assert manifest.source["name"] == release.name
    assert manifest.source["size"] == release.stat().st_size
    con = sqlite3.connect(release)
    for name, table in manifest.tables.items():
        assert table.rows == con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        assert sum(f.rows for f in table.files) == table.rows
    con.close()
    text = json.loads((dataset / MANIFEST_NAME).read_text())
    assert text["format"] == "synphys_ibis.parquet/1"


def test_row_groups_and_files(release: Path, tmp_path: Path) -> None:
    source = Database("sqlite:///", None, release)
    dest = source.export_parquet(
        tmp_path / "small-groups.parquet", tables=["metadata", "pair"], row_group_rows=100,
        progress=False,
    )  # fmt: skip
    source.close()
    manifest = read_manifest(dest)
    assert set(manifest.tables) == {"metadata", "pair"}
    (file,) = manifest.tables["pair"].files
    metadata = pq.read_metadata(dest / file.path)
    sizes = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    assert sizes[:-1] == [100] * (len(sizes) - 1) and 0 < sizes[-1] <= 100
    assert sum(sizes) == manifest.tables["pair"].rows
    ids = pq.read_table(dest / file.path, columns=["id"]).column("id").to_pylist()
    assert ids == sorted(ids)  # rows keep the source's order: min/max statistics prune by id


def test_export_is_published_only_when_complete(
    release: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import synphys_ibis.export.parquet as parquet

    source = Database("sqlite:///", None, release)
    dest = tmp_path / "out.parquet"
    real = parquet._verify_table

    def fail_on_pair(root: Path, spec: Any, files: Any, expected: int) -> Any:
        if spec.name == "pair":
            return real(root, spec, files, expected + 1)
        return real(root, spec, files, expected)

    monkeypatch.setattr(parquet, "_verify_table", fail_on_pair)
    with pytest.raises(CopyError, match="row counts of 'pair' differ"):
        source.export_parquet(dest, progress=False)
    assert list(tmp_path.iterdir()) == []  # no dataset, no temporary directory

    monkeypatch.setattr(parquet, "_verify_table", real)
    first = source.export_parquet(dest, tables=["metadata", "slice"], progress=False)
    with pytest.raises(CopyError, match="overwrite=True"):
        source.export_parquet(dest, progress=False)
    monkeypatch.setattr(parquet, "_verify_table", fail_on_pair)
    with pytest.raises(CopyError):
        source.export_parquet(dest, overwrite=True, progress=False)
    assert set(read_manifest(first).tables) == {"metadata", "slice"}  # the old one, intact
    monkeypatch.setattr(parquet, "_verify_table", real)
    source.export_parquet(dest, overwrite=True, progress=False)
    assert "pair" in read_manifest(dest).tables
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.parquet"]
    source.close()


def test_export_arguments_are_checked(release: Path, tmp_path: Path) -> None:
    source = Database("sqlite:///", None, release)
    with pytest.raises(InvalidArgumentError, match="Did you mean 'pair'"):
        source.export_parquet(tmp_path / "x", tables=["pairs"])
    with pytest.raises(InvalidArgumentError, match="compression='brotli'"):
        source.export_parquet(tmp_path / "x", compression="brotli")
    with pytest.raises(InvalidArgumentError, match="row_group_rows=0"):
        source.export_parquet(tmp_path / "x", row_group_rows=0)
    assert not (tmp_path / "x").exists()
    source.close()


# -- opening -----------------------------------------------------------------------------------
def test_opening_checks_the_manifest_and_schema_version(dataset: Path, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        SynphysDatabase.load_parquet(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(NotAReleaseError, match=MANIFEST_NAME):
        SynphysDatabase.load_parquet(tmp_path / "empty")
    old = copy_dataset(dataset, tmp_path / "old")
    manifest = json.loads((old / MANIFEST_NAME).read_text())
    manifest["metadata"]["db_version"] = "14"
    (old / MANIFEST_NAME).write_text(json.dumps(manifest))
    with pytest.raises(UnsupportedSchemaError, match="schema version 14"):
        SynphysDatabase.load_parquet(old)
    manifest["metadata"] = None
    (old / MANIFEST_NAME).write_text(json.dumps(manifest))
    with pytest.raises(NotAReleaseError, match="no metadata row"):
        SynphysDatabase.load_parquet(old)
    with SynphysDatabase.load_parquet(old, check_schema=False) as db:
        assert db.schema_version == "22" and db.table("cell").count().to_pyarrow().as_py() > 0
    manifest["format"] = "something else/2"
    (old / MANIFEST_NAME).write_text(json.dumps(manifest))
    with pytest.raises(NotAReleaseError, match="format"):
        SynphysDatabase.load_parquet(old)


def test_validate_finds_missing_and_truncated_files(dataset: Path, tmp_path: Path) -> None:
    broken = copy_dataset(dataset, tmp_path / "broken")
    file = read_manifest(broken).tables["cell"].files[0]
    data = (broken / file.path).read_bytes()
    (broken / file.path).write_bytes(data[: len(data) // 2])
    with pytest.raises(VerificationError, match="cell"):
        validate_dataset(broken)
    (broken / file.path).unlink()
    with pytest.raises(VerificationError, match="cell"):
        validate_dataset(broken)
    assert cli(["check-parquet", str(broken)]) == 1
    assert cli(["check-parquet", str(dataset)]) == 0


def test_a_dataset_is_read_only_and_typed(dataset: Path, ref: sqlite3.Connection) -> None:
    with SynphysDatabase.connect(dataset) as db:
        assert db.backend == "parquet"
        with pytest.raises(PermissionError):
            db.rw  # noqa: B018
        with pytest.raises(InvalidArgumentError, match="read-only"):
            SynphysDatabase("parquet:///", "parquet:///", str(dataset))
        pair = db.table("pair")
        assert pair.has_synapse.type().is_boolean()
        counts = (
            pair.aggregate(n=pair.count(), missing_meta=pair.meta.isnull().sum())
            .to_pyarrow()
            .to_pylist()[0]
        )
        expected = ref.execute(
            "SELECT count(*), sum(meta IS NULL OR meta = 'null') FROM pair"
        ).fetchone()
        assert (counts["n"], counts["missing_meta"]) == expected
        assert db.exists and "pair" in db.table_names()


def test_cli_export(release: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "cli.parquet"
    code = cli(["export-parquet", str(release), str(dest), "--tables", "metadata", "slice",
                "--no-progress"])  # fmt: skip
    assert code == 0
    assert "exported" in capsys.readouterr().out
    assert set(read_manifest(dest).tables) == {"metadata", "slice"}
    assert cli(["export-parquet", str(release), str(dest), "--no-progress"]) == 1
    assert "overwrite" in capsys.readouterr().err


# -- remote datasets -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(dataset: Path) -> Iterator[RangeServer]:
    server = RangeServer(dataset.parent)
    yield server
    server.stop()


def test_remote_dataset_over_http_matches_local_and_reads_lazily(
    dataset: Path, served: RangeServer
) -> None:
    url = f"{served.url}/{dataset.name}"
    local = SynphysDatabase.load_parquet(dataset)
    remote = SynphysDatabase.load_parquet(url, storage_options={"block_size": 8192})
    assert remote.version_name == local.version_name
    sst = CellClass(cre_type="sst")
    for args in ({"pre_class": sst, "species": "mouse"}, {"synapse": True, "preload": ["synapse"]}):
        assert (
            remote.pair_query(**args).to_pyarrow().to_pylist()
            == local.pair_query(**args).to_pyarrow().to_pylist()
        )
    remote.close()
    local.close()

    manifest = read_manifest(dataset)
    slice_files = {f"{dataset.name}/{f.path}" for f in manifest.tables["slice"].files}
    remote = SynphysDatabase.load_parquet(url, storage_options={"block_size": 8192})
    served.clear()
    assert remote.table("slice").count().to_pyarrow().as_py() == manifest.tables["slice"].rows
    touched = {p for p in served.paths() if p.endswith(".parquet")}
    assert touched <= slice_files  # no other table's file is touched
    served.clear()
    ids = remote.table("pair").select("id").to_pyarrow()
    one_column = served.bytes_for(f"{dataset.name}/pair/")
    served.clear()
    everything = remote.table("pair").to_pyarrow()
    other_columns = served.bytes_for(f"{dataset.name}/pair/")
    assert ids.num_rows == everything.num_rows == manifest.tables["pair"].rows
    assert 0 < one_column < other_columns  # only the id column's blocks were fetched first
    served.clear()
    assert remote.table("pair").to_pyarrow().equals(everything)
    assert served.counts() == {}  # a warm query is answered from the blocks already read
    remote.close()


def test_opening_a_remote_dataset_reads_the_footers_once_and_concurrently(
    dataset: Path, served: RangeServer
) -> None:
    manifest = read_manifest(dataset)
    n_files = sum(len(t.files) for t in manifest.tables.values())
    served.latency = 0.02
    served.clear()
    try:
        db = SynphysDatabase.load_parquet(f"{served.url}/{dataset.name}")
        opened = served.counts()
        most_at_once = served.most_in_flight
        classes = {"sst": CellClass(cre_type="sst"), "l5": CellClass(cortical_layer="5")}
        first = db.connectivity_matrix(classes, classes).to_pyarrow()
        served.clear()
        again = db.connectivity_matrix(classes, classes).to_pyarrow()
        warm = served.counts()
        db.close()
    finally:
        served.latency = 0.0
    # the manifest (a HEAD to find it, a GET to read it), then one GET per file for its footer;
    # file sizes come from the manifest: no HEAD per file
    assert opened == {"HEAD": 1, "GET": 1 + n_files}
    assert most_at_once > 1  # the footers were fetched concurrently
    assert warm == {} and again.equals(first)


def test_a_local_block_cache_serves_later_opens(
    dataset: Path, served: RangeServer, tmp_path: Path
) -> None:
    url = f"{served.url}/{dataset.name}"
    query = {"synapse": True, "preload": ["synapse"]}
    with SynphysDatabase.load_parquet(url, cache_storage=tmp_path / "blocks") as db:
        expected = db.pair_query(**query).to_pyarrow()
    served.clear()
    with SynphysDatabase.load_parquet(url, cache_storage=tmp_path / "blocks") as db:
        assert db.pair_query(**query).to_pyarrow().equals(expected)
    parquet_requests = [p for _, p, _ in served.log if p.endswith(".parquet")]
    assert parquet_requests == []  # footers and blocks came from the local cache
    assert any((tmp_path / "blocks").iterdir())


def test_a_server_without_range_support_is_named_with_what_to_do(
    dataset: Path, tmp_path: Path
) -> None:
    from synphys_ibis.engines.remote import RangeRequestsUnsupportedError

    server = RangeServer(dataset.parent, ranges=False)
    try:
        with pytest.raises(RangeRequestsUnsupportedError) as caught:
            SynphysDatabase.load_parquet(f"{server.url}/{dataset.name}")
    finally:
        server.stop()
    message = str(caught.value)
    assert "ignores HTTP Range requests" in message and "python -m http.server" in message
    assert "Range-capable server" in message and "open it locally" in message
    assert isinstance(caught.value, OSError)


def test_connect_routes_urls_and_names_missing_extras(
    dataset: Path, served: RangeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SynphysDatabase.connect(f"{served.url}/{dataset.name}") as db:
        assert db.backend == "parquet"
    with SynphysDatabase.connect(dataset.as_uri()) as db:
        assert db.backend == "parquet" and db.table("cell").count().to_pyarrow().as_py() > 0
    with pytest.raises(NotAReleaseError):
        SynphysDatabase.load_parquet(f"{served.url}/nothing-here")

    import fsspec

    def missing(protocol: str) -> Any:
        raise ImportError("Install s3fs to access S3")

    monkeypatch.setattr(fsspec, "get_filesystem_class", missing)
    with pytest.raises(ImportError, match=r'pip install "synphys_ibis\[s3\]"'):
        SynphysDatabase.load_parquet("s3://bucket/synphys_r2.1_small.parquet")


def test_docstring_examples_run() -> None:
    import doctest

    import synphys_ibis.export.dataset
    import synphys_ibis.export.parquet

    for module in (synphys_ibis.export.dataset, synphys_ibis.export.parquet):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0 and result.attempted > 0, module.__name__
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in doctest.DocTestFinder().find(SynphysDatabase.load_parquet, "load_parquet"):
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


# -- parallel and resumable exports --------------------------------------------------------------
def test_big_tables_are_written_in_parallel_pieces_in_row_order(
    release: Path, dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import synphys_ibis.export.parallel as parallel

    monkeypatch.setattr(parallel, "PIECE_ROWS", 700)  # the pair table (~2,500 rows): 4 pieces
    source = Database("sqlite:///", None, release)
    pieces = source.export_parquet(tmp_path / "pieces.parquet", progress=False, workers=3)
    source.close()
    manifest, reference = read_manifest(pieces), read_manifest(dataset)
    assert len(manifest.tables["pair"].files) == 4 > len(reference.tables["pair"].files)
    names = [f.path for f in manifest.tables["pair"].files]
    assert names == [f"pair/part-{i:05d}.parquet" for i in range(4)]
    assert sorted(p.name for p in (pieces / "pair").iterdir()) == [n.split("/")[1] for n in names]
    for name, entry in reference.tables.items():
        got = pa.concat_tables(
            [pq.read_table(pieces / f.path) for f in manifest.tables[name].files]
        )
        expected = pa.concat_tables([pq.read_table(dataset / f.path) for f in entry.files])
        assert got.equals(expected), name  # the same rows in the same (id) order
    validate_dataset(pieces)


def test_a_resumed_export_writes_only_the_unfinished_tables(
    release: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    import synphys_ibis.export.parquet as parquet

    source = Database("sqlite:///", None, release)
    dest = tmp_path / "out.parquet"
    real = parquet._verify_table

    def fail_on_pair(root: Path, spec: Any, files: Any, expected: int) -> Any:
        return real(root, spec, files, expected + (spec.name == "pair"))

    monkeypatch.setattr(parquet, "_verify_table", fail_on_pair)
    with pytest.raises(CopyError, match="row counts of 'pair' differ"):
        source.export_parquet(dest, progress=False, resume=True, workers=1)
    checkpoint = tmp_path / ".out.parquet.partial"
    finished = {p.name.removesuffix(".done.json") for p in checkpoint.glob("*.done.json")}
    assert not dest.exists() and finished and "pair" not in finished

    monkeypatch.setattr(parquet, "_verify_table", real)
    with caplog.at_level(logging.INFO, logger="synphys_ibis"):
        source.export_parquet(dest, progress=False, resume=True)
    taken = {r.args[1] for r in caplog.records if "taken from the checkpoint" in r.getMessage()}
    assert taken == finished  # only the unfinished tables were written again
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.parquet"]  # checkpoint removed
    manifest = validate_dataset(dest)
    again = source.export_parquet(tmp_path / "plain.parquet", progress=False)
    assert {n: t.rows for n, t in manifest.tables.items()} == {
        n: t.rows for n, t in read_manifest(again).tables.items()
    }
    with pytest.raises(InvalidArgumentError, match="workers=0"):
        source.export_parquet(tmp_path / "x", workers=0)
    source.close()
