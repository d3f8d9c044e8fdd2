"""Arrow/Parquet/CSV export with provenance: round trips, streaming, atomicity, the reader."""

from __future__ import annotations

import csv
import doctest
import hashlib
import io
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ibis import _

import synphys_ibis
from synphys_ibis import CellClass, InvalidArgumentError, SynphysDatabase, export, synthetic
from synphys_ibis.export import MissingProvenanceError, Provenance, RecordedQuery, writers
from synphys_ibis.export.codecs import DecodeError

pytestmark = pytest.mark.filterwarnings("ignore:fetch_record_batch:DeprecationWarning")

SST = CellClass(cre_type="sst", name="sst")


@pytest.fixture(scope="module")
def export_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "synphys_export_test.sqlite"
    return synthetic.write_release(path, n_experiments=40, seed=5)


@pytest.fixture(scope="module")
def xdb(export_release: Path) -> Iterator[SynphysDatabase]:
    db = SynphysDatabase.load_sqlite(export_release, native_cache=False)
    yield db
    db.close()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def same_rows(left: pa.Table, right: pa.Table) -> bool:
    """Equal values and types; nullability flags and metadata aside."""

    def plain(table: pa.Table) -> pa.Table:
        return table.cast(pa.schema([f.with_nullable(True) for f in table.schema]))

    return plain(left).equals(plain(right))


# -- recording ---------------------------------------------------------------------------------------
def test_record_builds_the_query_and_keeps_its_parameters(xdb: SynphysDatabase) -> None:
    query = export.record(xdb, "pair_query", pre_class=SST, synapse=True)
    assert isinstance(query, RecordedQuery)
    assert query.method == "pair_query" and query.params == {"pre_class": SST, "synapse": True}
    assert ibis.to_sql(query.table) == ibis.to_sql(xdb.pair_query(pre_class=SST, synapse=True))
    derived = query.derive(query.table.select("id", "distance"), columns=["id", "distance"])
    assert derived.params["columns"] == ["id", "distance"] and derived.db is xdb
    with pytest.raises(InvalidArgumentError, match="method='pair_querry'"):
        export.record(xdb, "pair_querry")


def test_describe_params_is_json_ready() -> None:
    described = export.describe_params(
        {
            "pre_class": CellClass(_.fractional_layer_depth < 0.5, cre_type=("sst", "pvalb")),
            "distance": (0, 100e-6),
            "filter_exprs": [_.synapse_psp_amplitude > 1e-4],
            "projects": {"b", "a"},
            "n": np.int64(3),
        }
    )
    json.dumps(described)
    assert described["pre_class"]["criteria"] == {"cre_type": ["sst", "pvalb"]}
    assert "fractional_layer_depth" in described["pre_class"]["exprs"][0]
    assert described["projects"] == ["a", "b"] and described["n"] == 3
    assert "synapse_psp_amplitude" in described["filter_exprs"][0]


# -- Parquet round trip ---------------------------------------------------------------------------
def test_parquet_round_trip_with_provenance(
    xdb: SynphysDatabase, export_release: Path, tmp_path: Path
) -> None:
    query = export.record(xdb, "pair_query", pre_class=SST, synapse=True, preload=["synapse"])
    out = tmp_path / "sst.parquet"
    written = export.to_parquet(query, out, progress=False)
    assert same_rows(pq.read_table(out), query.table.to_pyarrow())
    record = export.read_provenance(out)
    assert record == written
    assert record.release == "synphys_export_test.sqlite"
    assert record.release_sha256 == file_sha256(export_release)
    assert record.sha256_source == "computed"
    assert record.schema_version == "22"
    assert record.library_version == synphys_ibis.__version__
    assert record.ibis_version == ibis.__version__
    assert record.method == "pair_query"
    assert record.params == {
        "pre_class": {"name": "sst", "criteria": {"cre_type": "sst"}, "exprs": []},
        "synapse": True,
        "preload": ["synapse"],
    }
    assert record.sql == ibis.to_sql(query.table)
    raw = pq.read_metadata(out).metadata[export.PROVENANCE_KEY.encode()]
    assert json.loads(raw)["format"] == export.PROVENANCE_FORMAT


def test_the_release_cache_marker_supplies_the_sha256(export_release: Path, tmp_path: Path) -> None:
    from synphys_ibis.releases import cache as release_cache

    path = tmp_path / export_release.name
    path.write_bytes(export_release.read_bytes())
    release_cache.write_marker(path, None, sha256="ab" * 32)
    with SynphysDatabase.load_sqlite(path, native_cache=False) as db:
        assert export.release_sha256(db) == ("ab" * 32, "recorded")
        path.touch()  # the marker no longer describes the file: compute instead
        assert export.release_sha256(db) == (file_sha256(path), "computed")
        assert export.release_sha256(db, mode="skip") == (None, None)
        with pytest.raises(InvalidArgumentError, match="sha256='always'"):
            export.release_sha256(db, mode="always")  # type: ignore[arg-type]


def test_streams_in_batches_one_row_group_each(xdb: SynphysDatabase, tmp_path: Path) -> None:
    query = export.record(xdb, "pair_query", species="mouse")
    n_rows = query.table.count().to_pyarrow().as_py()
    out = tmp_path / "mouse.parquet"
    export.to_parquet(query, out, batch_size=500, progress=False)
    metadata = pq.read_metadata(out)
    assert metadata.num_rows == n_rows > 1000
    assert metadata.num_row_groups == -(-n_rows // 500)
    assert all(metadata.row_group(i).num_rows <= 500 for i in range(metadata.num_row_groups))


def test_progress_bar_reports_rows(
    xdb: SynphysDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export.to_parquet(export.record(xdb, synapse=True), tmp_path / "p.parquet", progress=True)
    err = capsys.readouterr().err
    assert "writing p.parquet" in err and "rows" in err


def test_dataset_export(xdb: SynphysDatabase, tmp_path: Path) -> None:
    query = export.record(xdb, "pair_query", species="mouse")
    out = tmp_path / "mouse_dataset"
    written = export.to_parquet(
        query, out, dataset=True, batch_size=300, rows_per_file=1000, progress=False
    )
    parts = sorted(out.glob("*.parquet"))
    assert len(parts) > 1 and parts[0].name == "part-00000.parquet"
    assert all(pq.read_metadata(p).num_rows <= 1200 for p in parts)  # rotated after 1000 rows
    for part in parts:
        assert (
            Provenance.from_json(pq.read_metadata(part).metadata[b"synphys_ibis.provenance"])
            == written
        )
    assert same_rows(pq.read_table(out).sort_by("id"), query.table.to_pyarrow())
    assert export.read_provenance(out) == written


@pytest.fixture
def umask_022() -> Iterator[int]:
    """The process umask set to 0o022 (a shared lab machine's usual one) for one test."""
    old = os.umask(0o022)
    try:
        yield 0o022
    finally:
        os.umask(old)


def _modes(root: Path) -> dict[str, int]:
    paths = [root, *root.rglob("*")] if root.is_dir() else [root]
    return {str(p.relative_to(root.parent)): stat.S_IMODE(p.stat().st_mode) for p in paths}


def test_exported_parquet_follows_the_umask(
    xdb: SynphysDatabase, export_release: Path, tmp_path: Path, umask_022: int
) -> None:
    """Outputs are readable by the group and others a umask allows (not mkdtemp's 0700)."""
    query = export.record(xdb, "pair_query", species="mouse")
    export.to_parquet(query, tmp_path / "file.parquet", progress=False)
    export.to_parquet(query, tmp_path / "dataset", dataset=True, progress=False)
    source = synphys_ibis.Database("sqlite:///", None, export_release)
    try:
        source.export_parquet(tmp_path / "release.parquet", progress=False)
    finally:
        source.close()
    modes: dict[str, int] = {}
    for name in ("file.parquet", "dataset", "release.parquet"):
        modes.update(_modes(tmp_path / name))
    assert len(modes) > 4
    expected = {
        name: (0o777 if (tmp_path / name).is_dir() else 0o666) & ~umask_022 for name in modes
    }
    assert modes == expected


def test_decoded_arrays_keep_one_schema_across_batches(
    xdb: SynphysDatabase, tmp_path: Path
) -> None:
    table = xdb.pair_query(preload=["synapse"]).select(
        "id", "resting_state_fit_ic_avg_data", "resting_state_fit_ic_pulse_ids"
    )
    # the first rows (by pair id) have no synapse: early batches hold only NULL arrays
    assert table.limit(5).to_pyarrow().column(1).null_count == 5
    out = tmp_path / "arrays.parquet"
    export.to_parquet(
        RecordedQuery(xdb, table), out, batch_size=5, decode_arrays=True, progress=False
    )
    written = pq.read_table(out)
    assert written.schema.field("resting_state_fit_ic_avg_data").type == pa.list_(pa.float64())
    raw = table.to_pyarrow()
    for stored, value in zip(raw.column(1).to_pylist(), written.column(1).to_pylist(), strict=True):
        assert (stored is None) == (value is None)
        if stored is not None:
            np.testing.assert_array_equal(np.load(io.BytesIO(stored)), value)


def test_array_decoder_falls_back_to_float64_when_no_array_shows_up() -> None:
    schema = pa.schema({"id": pa.int64(), "avg": pa.binary()})
    batches = [
        pa.record_batch([pa.array([i]), pa.array([None], type=pa.binary())], schema=schema)
        for i in range(20)
    ]
    decoder = writers._ArrayDecoder(schema, ["avg"], hold=4)
    out = list(decoder(iter(batches)))
    assert len(out) == 20 and {b.schema.field("avg").type for b in out} == {pa.list_(pa.float64())}


def test_a_failed_export_leaves_nothing_behind(
    xdb: SynphysDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0
    original = export.codecs.arrays_to_arrow

    def fail_later(*args: object, **kwargs: object) -> pa.Array:
        nonlocal calls
        calls += 1
        if calls > 3:
            raise DecodeError("simulated failure", column="x")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(export.codecs, "arrays_to_arrow", fail_later)
    query = export.record(xdb, preload=["synapse"])
    with pytest.raises(DecodeError, match="simulated"):
        export.to_parquet(
            query, tmp_path / "x.parquet", batch_size=50, decode_arrays=True, progress=False
        )
    assert list(tmp_path.iterdir()) == []


def test_existing_outputs_need_overwrite(xdb: SynphysDatabase, tmp_path: Path) -> None:
    out = tmp_path / "x.parquet"
    out.write_text("old")
    query = export.record(xdb, synapse=True)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export.to_parquet(query, out, progress=False)
    assert out.read_text() == "old"
    export.to_parquet(query, out, progress=False, overwrite=True)
    assert pq.read_metadata(out).num_rows == query.table.count().to_pyarrow().as_py()


def test_empty_results_still_carry_the_record(xdb: SynphysDatabase, tmp_path: Path) -> None:
    query = export.record(xdb, filter_exprs=[_.id < 0])
    out = tmp_path / "empty.parquet"
    written = export.to_parquet(query, out, progress=False, decode_arrays=True)
    assert pq.read_metadata(out).num_rows == 0
    assert export.read_provenance(out) == written


def test_bad_batch_sizes(xdb: SynphysDatabase, tmp_path: Path) -> None:
    query = export.record(xdb)
    for bad in (0, -5, 2.5, True):
        with pytest.raises(InvalidArgumentError, match="batch_size"):
            export.to_parquet(query, tmp_path / "x.parquet", batch_size=bad, progress=False)  # type: ignore[arg-type]


# -- CSV ---------------------------------------------------------------------------------------------
def test_csv_export_with_sidecar_record(xdb: SynphysDatabase, tmp_path: Path) -> None:
    table = xdb.pair_query(synapse=True, preload=["synapse"]).select(
        "id",
        "synapse_psp_amplitude",
        "resting_state_fit_ic_avg_data",
        "synapse_model_parameter_space",
    )
    query = RecordedQuery(xdb, table, method="custom", params={"note": "csv test"})
    out = tmp_path / "synapses.csv"
    written = export.to_csv(query, out, batch_size=7, progress=False)
    rows = list(csv.DictReader(out.open()))
    raw = table.to_pyarrow()
    assert [int(r["id"]) for r in rows] == raw.column("id").to_pylist()
    stored = raw.column("resting_state_fit_ic_avg_data").to_pylist()
    for row, blob in zip(rows, stored, strict=True):
        if blob is None:
            assert row["resting_state_fit_ic_avg_data"] == ""
        else:
            assert (
                json.loads(row["resting_state_fit_ic_avg_data"])
                == np.load(io.BytesIO(blob)).tolist()
            )
    assert export.read_provenance(out) == written
    assert written.params == {"note": "csv test"} and written.method == "custom"


# -- in-memory conversions ------------------------------------------------------------------------
def test_to_arrow_decodes_and_keeps_the_record(xdb: SynphysDatabase, tmp_path: Path) -> None:
    query = export.record(xdb, synapse=True, preload=["synapse"])
    table = export.to_arrow(query)
    assert pa.types.is_list(table.schema.field("resting_state_fit_ic_avg_data").type)
    record = Provenance.from_json(table.schema.metadata[export.PROVENANCE_KEY.encode()])
    assert record.params == {"synapse": True, "preload": ["synapse"]}
    pq.write_table(table, tmp_path / "t.parquet")
    assert export.read_provenance(tmp_path / "t.parquet") == record
    plain = export.to_arrow(query.table, decode_arrays=False, decode_json=False, limit=3)
    assert plain.num_rows == 3 and plain.schema.metadata in (None, {})
    assert plain.schema.field("resting_state_fit_ic_avg_data").type == pa.binary()


def test_to_pandas_decodes(xdb: SynphysDatabase) -> None:
    frame = export.to_pandas(
        xdb.pair_query(synapse=True, preload=["synapse"]).select(
            "id", "resting_state_fit_ic_avg_data"
        )
    )
    assert all(isinstance(v, np.ndarray) for v in frame.resting_state_fit_ic_avg_data.dropna())
    with pytest.raises(InvalidArgumentError, match="expected an Ibis table"):
        export.to_pandas("pairs")  # type: ignore[arg-type]


def test_exports_run_on_every_engine(db: SynphysDatabase, tmp_path: Path) -> None:
    query = export.record(
        db, "connectivity_matrix", pre_classes={"sst": SST}, post_classes={"sst": SST}
    )
    written = export.to_parquet(query, tmp_path / "cm.parquet", progress=False)
    assert written.backend == db.backend and written.method == "connectivity_matrix"
    assert written.params["pre_classes"]["sst"]["criteria"] == {"cre_type": "sst"}
    assert pq.read_table(tmp_path / "cm.parquet").num_rows == 1


# -- the reader -----------------------------------------------------------------------------------
def test_read_provenance_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        export.read_provenance(tmp_path / "missing.parquet")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(MissingProvenanceError):
        export.read_provenance(tmp_path / "notes.txt")
    pq.write_table(pa.table({"a": [1]}), tmp_path / "plain.parquet")
    with pytest.raises(MissingProvenanceError, match=r"synphys_ibis\.provenance"):
        export.read_provenance(tmp_path / "plain.parquet")
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(MissingProvenanceError, match="no Parquet files"):
        export.read_provenance(tmp_path / "empty_dir")
    with pytest.raises(MissingProvenanceError):
        Provenance.from_json('{"release": 1}')


def test_module_examples() -> None:
    result = doctest.testmod(export, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_rows_per_file_holds_exactly(xdb: SynphysDatabase, tmp_path: Path) -> None:
    """Parts hold exactly ``rows_per_file`` rows (the last the rest), whatever the batches."""
    query = export.record(xdb, "pair_query", species="mouse")
    total = query.table.count().to_pyarrow().as_py()
    for batch_size, rows_per_file in ((65_536, 200), (70, 200), (500, 200), (3, 7)):
        out = tmp_path / f"d_{batch_size}_{rows_per_file}"
        export.to_parquet(
            query,
            out,
            dataset=True,
            batch_size=batch_size,
            rows_per_file=rows_per_file,
            progress=False,
        )
        sizes = [pq.read_metadata(p).num_rows for p in sorted(out.glob("*.parquet"))]
        full, rest = divmod(total, rows_per_file)
        assert sizes == [rows_per_file] * full + ([rest] if rest else [])


def test_to_pandas_keeps_the_nullable_dtypes_of_ibis(xdb: SynphysDatabase) -> None:
    """``export.to_pandas`` and ``q.to_pandas()`` agree on every column they do not decode."""
    query = xdb.pair_query(synapse=True, preload=["synapse", "cell"]).order_by("id")
    ours, ibis_frame = export.to_pandas(query), query.to_pandas()
    schema = query.schema()
    # decoded: arrays (binary) and JSON text (strings); every other column must match exactly
    decoded = {c for c in ours.columns if schema[c].is_binary() or schema[c].is_string()}
    kept = [c for c in ours.columns if c not in decoded]
    assert (ours[kept].dtypes == ibis_frame[kept].dtypes).all()
    assert str(ours.has_synapse.dtype) == "boolean"
    assert "Int64" in set(ours.dtypes.astype(str))  # nullable integers stay integers
    assert not any(
        str(ours[c].dtype) == "float64" and str(ibis_frame[c].dtype) == "Int64" for c in kept
    )
