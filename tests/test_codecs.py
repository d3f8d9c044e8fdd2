"""Decoding array (``.npy`` bytes) and object (JSON text) columns, including malformed values."""

from __future__ import annotations

import doctest
import io
import pickle
import shutil
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from synphys_ibis import SynphysDatabase, SynphysError, synthetic
from synphys_ibis.export import codecs
from synphys_ibis.export.codecs import DecodeError

pytestmark = pytest.mark.filterwarnings("ignore:fetch_record_batch:DeprecationWarning")


def npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


PICKLE_RAN: list[str] = []


class _Payload:
    """Unpickling this object records that code ran: a decoder must never let that happen."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (PICKLE_RAN.append, ("unpickled!",))


def malformed_values() -> dict[str, bytes]:
    object_array = io.BytesIO()
    np.save(object_array, np.array([_Payload()], dtype=object), allow_pickle=True)
    npz = io.BytesIO()
    with zipfile.ZipFile(npz, "w") as archive:
        archive.writestr("a.npy", npy(np.arange(3.0)))
    good = npy(np.arange(10.0))
    return {
        "truncated": good[:-9],
        "header only": good[:30],
        "garbage": b"definitely not numpy",
        "pickle": pickle.dumps(_Payload()),
        "object array": object_array.getvalue(),
        "npz archive": npz.getvalue(),
    }


# -- single values -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "array",
    [np.arange(5.0), np.arange(4, dtype=np.int32), np.zeros((2, 3)), np.array([], dtype=float)],
    ids=["float", "int32", "2d", "empty"],
)
def test_decode_array_round_trips(array: np.ndarray) -> None:
    decoded = codecs.decode_array(npy(array))
    assert decoded is not None
    assert decoded.dtype == array.dtype
    np.testing.assert_array_equal(decoded, array)


@pytest.mark.parametrize("missing", [None, b""])
def test_missing_arrays_decode_to_none(missing: bytes | None) -> None:
    assert codecs.decode_array(missing) is None


@pytest.mark.parametrize("kind", list(malformed_values()))
def test_malformed_array_bytes_raise_a_typed_error_and_never_unpickle(kind: str) -> None:
    PICKLE_RAN.clear()
    with pytest.raises(DecodeError) as info:
        codecs.decode_array(malformed_values()[kind], column="resting_state_fit_ic_avg_data", row=7)
    assert not PICKLE_RAN, "a pickle was executed"
    err = info.value
    assert isinstance(err, SynphysError) and isinstance(err, ValueError)
    assert err.column == "resting_state_fit_ic_avg_data" and err.row == 7
    assert str(err).startswith("column 'resting_state_fit_ic_avg_data', row 7: ")


def test_a_non_bytes_value_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match=r"expected \.npy bytes, got str"):
        codecs.decode_array("abc", column="c")  # type: ignore[arg-type]


def test_decode_json() -> None:
    assert codecs.decode_json('{"a": [1, 2.5], "b": null}') == {"a": [1, 2.5], "b": None}
    assert codecs.decode_json(None) is None
    assert codecs.decode_json("null") is None
    with pytest.raises(DecodeError, match=r"column 'meta', row 3 \(id=42\): not valid JSON"):
        codecs.decode_json("{not json", column="meta", row=3, row_id=42)


# -- columns ---------------------------------------------------------------------------------------------
def test_arrays_to_arrow_builds_list_columns_with_nulls() -> None:
    values = [npy(np.array([1.0, 2.0])), None, npy(np.array([3.0])), b""]
    result = codecs.arrays_to_arrow(values, column="c")
    assert result.type == pa.list_(pa.float64())
    assert result.to_pylist() == [[1.0, 2.0], None, [3.0], None]


def test_arrays_to_arrow_types() -> None:
    ints = codecs.arrays_to_arrow([npy(np.array([1, 2], dtype=np.int64))], column="c")
    assert ints.type == pa.list_(pa.int64())
    mixed = codecs.arrays_to_arrow(
        [npy(np.array([1, 2], dtype=np.int64)), npy(np.array([0.5]))], column="c"
    )
    assert mixed.type == pa.list_(pa.float64()) and mixed.to_pylist() == [[1.0, 2.0], [0.5]]
    cast = codecs.arrays_to_arrow([npy(np.array([1.5]))], column="c", value_type=pa.float32())
    assert cast.type == pa.list_(pa.float32())
    nested = codecs.arrays_to_arrow([npy(np.arange(4.0).reshape(2, 2)), None], column="c")
    assert nested.to_pylist() == [[[0.0, 1.0], [2.0, 3.0]], None]
    empty = codecs.arrays_to_arrow([None, None], column="c")
    assert empty.type == pa.list_(pa.float64()) and empty.null_count == 2


def test_column_errors_name_the_row_and_its_id() -> None:
    values = pa.array([npy(np.arange(3.0)), b"\x93NUMPY broken"], type=pa.binary())
    with pytest.raises(DecodeError) as info:
        codecs.arrays_to_arrow(values, column="avg", ids=[10, 11])
    assert (info.value.column, info.value.row, info.value.row_id) == ("avg", 1, 11)
    assert "column 'avg', row 1 (id=11)" in str(info.value)


def test_json_to_arrow_builds_structs() -> None:
    values = ['{"a": 1, "b": [1, 2]}', None, '{"a": 2}']
    result = codecs.json_to_arrow(values, column="meta")
    assert pa.types.is_struct(result.type)
    assert result.to_pylist() == [{"a": 1, "b": [1, 2]}, None, {"a": 2, "b": None}]


@pytest.mark.parametrize("values", [['{"a": 1}', "3"], ["{}"]], ids=["mixed", "empty object"])
def test_json_that_fits_no_arrow_type_is_a_column_level_error(values: list[str]) -> None:
    with pytest.raises(DecodeError) as info:
        codecs.json_to_arrow(values, column="meta")
    assert info.value.row is None


def test_encoded_columns_finds_arrays_by_type_and_json_by_name() -> None:
    schema = pa.schema(
        {
            "id": pa.int64(),
            "meta": pa.string(),
            "synapse_model_parameter_space": pa.string(),
            "pre_cell_cre_type": pa.string(),
            "resting_state_fit_ic_avg_data": pa.binary(),
        }
    )
    assert codecs.encoded_columns(schema) == {
        "meta": "json",
        "synapse_model_parameter_space": "json",
        "resting_state_fit_ic_avg_data": "array",
    }


# -- whole results from a release --------------------------------------------------------------------
@pytest.fixture(scope="module")
def codec_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("codecs") / "codecs.sqlite"
    return synthetic.write_release(path, n_experiments=30, seed=3)


@pytest.fixture(scope="module")
def codec_db(codec_release: Path) -> Iterator[SynphysDatabase]:
    db = SynphysDatabase.load_sqlite(codec_release, native_cache=False)
    yield db
    db.close()


ARRAY_AND_JSON = [
    "id",
    "resting_state_fit_ic_avg_data",
    "resting_state_fit_ic_pulse_ids",
    "synapse_model_parameter_space",
    "dynamics_stp_all_stimuli",
    "meta",
]


def test_decode_table_on_a_pair_query(codec_db: SynphysDatabase) -> None:
    query = codec_db.pair_query(synapse=True, preload=["synapse"]).select(ARRAY_AND_JSON)
    raw = query.to_pyarrow()
    decoded = codecs.decode_table(raw)
    assert decoded.column_names == raw.column_names
    assert decoded.num_rows == raw.num_rows > 0
    assert pa.types.is_list(decoded.schema.field("resting_state_fit_ic_avg_data").type)
    assert pa.types.is_struct(decoded.schema.field("synapse_model_parameter_space").type)
    for raw_value, value in zip(
        raw.column("resting_state_fit_ic_avg_data").to_pylist(),
        decoded.column("resting_state_fit_ic_avg_data").to_pylist(),
        strict=True,
    ):
        if raw_value is None:
            assert value is None
        else:
            np.testing.assert_array_equal(np.load(io.BytesIO(raw_value)), value)
    only_arrays = codecs.decode_table(raw, decode_json=False)
    assert only_arrays.schema.field("meta").type == pa.string()


def test_decode_frame_gives_numpy_arrays_and_python_objects(codec_db: SynphysDatabase) -> None:
    query = codec_db.pair_query(synapse=True, preload=["synapse"]).select(ARRAY_AND_JSON)
    frame = query.to_pyarrow().to_pandas()
    decoded = codecs.decode_frame(frame)
    present = decoded.resting_state_fit_ic_avg_data.dropna()
    assert len(present) and all(isinstance(v, np.ndarray) for v in present)
    spaces = decoded.synapse_model_parameter_space.dropna()
    assert len(spaces) and all(isinstance(v, dict) for v in spaces)
    assert isinstance(frame.resting_state_fit_ic_avg_data.dropna().iloc[0], bytes)  # input kept


def test_decode_frame_treats_nan_as_missing() -> None:
    frame = pd.DataFrame({"meta": ['{"a": 1}', np.nan, None]})
    assert codecs.decode_frame(frame).meta.tolist() == [{"a": 1}, None, None]


def test_explicit_columns_must_exist() -> None:
    table = pa.table({"x": pa.array(["1"])})
    assert codecs.decode_table(table, json_columns=["x"]).column("x").to_pylist() == [1]
    with pytest.raises(LookupError, match="unknown column 'y'"):
        codecs.decode_table(table, json_columns=["y"])


@pytest.fixture
def tampered_release(codec_release: Path, tmp_path: Path) -> tuple[Path, int, int]:
    """A copy of the release with one averaged response overwritten by a pickle, and one
    parameter space by broken JSON; returns the path and the two pair ids."""
    path = tmp_path / "tampered.sqlite"
    shutil.copy(codec_release, path)
    con = sqlite3.connect(path)
    with con:
        fit_id, pair_a = con.execute(
            "SELECT r.id, s.pair_id FROM resting_state_fit r JOIN synapse s ON s.id = r.synapse_id "
            "WHERE length(r.ic_avg_data) > 0 ORDER BY s.pair_id LIMIT 1"
        ).fetchone()
        con.execute(
            "UPDATE resting_state_fit SET ic_avg_data = ? WHERE id = ?",
            (pickle.dumps(_Payload()), fit_id),
        )
        model_id, pair_b = con.execute(
            "SELECT id, pair_id FROM synapse_model WHERE parameter_space != 'null' "
            "ORDER BY pair_id LIMIT 1"
        ).fetchone()
        con.execute(
            "UPDATE synapse_model SET parameter_space = '{broken' WHERE id = ?", (model_id,)
        )
    con.close()
    return path, pair_a, pair_b


def test_malformed_values_in_a_release_raise_naming_column_and_row(
    tampered_release: tuple[Path, int, int],
) -> None:
    from synphys_ibis import export

    path, pair_a, pair_b = tampered_release
    PICKLE_RAN.clear()
    with SynphysDatabase.load_sqlite(path, native_cache=False) as db:
        query = db.pair_query(synapse=True, preload=["synapse"]).select(ARRAY_AND_JSON)
        with pytest.raises(DecodeError) as info:
            export.to_arrow(query, decode_json=False)
        assert info.value.column == "resting_state_fit_ic_avg_data"
        assert info.value.row_id == pair_a
        with pytest.raises(DecodeError) as info:
            export.to_pandas(query, decode_arrays=False)
        assert info.value.column == "synapse_model_parameter_space"
        assert info.value.row_id == pair_b
        # without decoding, the bytes are returned untouched
        assert query.to_pyarrow().num_rows > 0
    assert not PICKLE_RAN


def test_module_examples() -> None:
    result = doctest.testmod(codecs, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
