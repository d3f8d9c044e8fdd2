"""Every bad input raises a SynphysError that names the argument and what is allowed (issue 12).

Each case here once escaped as a builtin or engine error (``OverflowError``, ``AttributeError``,
``_duckdb.ParserException``, Ibis' ``SignatureValidationError``, ``RecursionError``, ...).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from ibis import _

from synphys_ibis import (
    CellClass,
    ColumnNotFoundError,
    InvalidArgumentError,
    NotAReleaseError,
    SynphysDatabase,
    synthetic,
)
from synphys_ibis.errors import SynphysError
from tests.reference import reference_pair_ids


def ids(table: Any) -> set[int]:
    return set(table.select("id").to_pyarrow().column("id").to_pylist())


# -- bounds: NaN, infinities, numbers no float holds ---------------------------------------------
NAN = float("nan")


@pytest.mark.parametrize("argument", ["age", "distance"])
@pytest.mark.parametrize(
    "bounds",
    [(None, NAN), (NAN, None), (NAN, NAN), (0, NAN), (NAN, 100), (0, np.float32("nan"))],
    ids=repr,
)
def test_a_nan_bound_is_refused(db: SynphysDatabase, argument: str, bounds: tuple) -> None:
    with pytest.raises(InvalidArgumentError, match=f"{argument}=.*NaN"):
        db.pair_query(**{argument: bounds})


@pytest.mark.parametrize("argument", ["age", "distance"])
def test_infinite_bounds_are_no_bound(
    db: SynphysDatabase, ref: sqlite3.Connection, argument: str
) -> None:
    inf = float("inf")
    assert ids(db.pair_query(**{argument: (None, inf)})) == reference_pair_ids(ref)
    assert ids(db.pair_query(**{argument: (-inf, inf)})) == reference_pair_ids(ref)
    low = 40 if argument == "age" else 50e-6
    expected = reference_pair_ids(ref, **{argument: (low, None)})
    assert expected and expected != reference_pair_ids(ref)
    assert ids(db.pair_query(**{argument: (low, inf)})) == expected
    for empty in ((inf, None), (None, -inf), (inf, inf)):
        with pytest.raises(InvalidArgumentError, match=argument):
            db.pair_query(**{argument: empty})


@pytest.mark.parametrize(
    "bound", [10**400, -(10**400), 10**5000], ids=["1e400", "-1e400", "1e5000"]
)
def test_a_bound_no_float_holds_is_refused(db: SynphysDatabase, bound: int) -> None:
    with pytest.raises(InvalidArgumentError, match="age") as info:
        db.pair_query(age=(None, bound) if bound > 0 else (bound, None))
    assert len(str(info.value)) < 1000  # the huge number is cut, not printed in full


# -- text with NUL characters --------------------------------------------------------------------
NUL = "a\x00b"


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ({"species": NUL}, "species"),
        ({"acsf": ["Standard", NUL]}, "acsf"),
        ({"internal": NUL}, "internal"),
        ({"project_name": NUL}, "project_name"),
        ({"filter_exprs": [_.experiment_rig_name == NUL]}, "filter_exprs"),
        ({"filter_exprs": [_.experiment_rig_name.isin(["x", NUL])]}, "filter_exprs"),
    ],
)
def test_text_with_a_nul_character_is_refused(
    db: SynphysDatabase, args: dict[str, Any], name: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=name) as info:
        db.pair_query(**args).count().execute()
    assert "NUL" in str(info.value)


def test_class_criteria_and_names_with_a_nul_character_are_refused(db: SynphysDatabase) -> None:
    with pytest.raises(InvalidArgumentError, match=r"cre_type.*NUL"):
        CellClass(cre_type=NUL)
    with pytest.raises(InvalidArgumentError, match=r"cre_type.*NUL"):
        CellClass(cre_type=["sst", NUL])
    with pytest.raises(InvalidArgumentError, match="NUL"):
        CellClass(_.cre_type == NUL)
    with pytest.raises(InvalidArgumentError, match=r"name.*NUL"):
        CellClass(cre_type="sst", name=NUL)
    with pytest.raises(InvalidArgumentError, match=r"pre_classes.*NUL"):
        db.matrix_pair_query({NUL: CellClass(cre_type="sst")}, {"any": CellClass()})


# -- arguments of the wrong type -----------------------------------------------------------------
def test_session_must_be_an_ibis_connection(db: SynphysDatabase) -> None:
    with pytest.raises(InvalidArgumentError, match="session=5"):
        db.pair_query(session=5)  # type: ignore[arg-type]
    assert db.pair_query(session=db.ro).count().execute() > 0


@pytest.mark.parametrize("preload", [5, [["cell"]], {"cell": 1}.values(), b"cell"])
def test_preload_must_be_group_names(db: SynphysDatabase, preload: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="preload") as info:
        db.pair_query(preload=preload)
    assert "'synapse_prediction'" in str(info.value)  # the allowed groups are listed


@pytest.mark.parametrize("classes", [None, 5, {"a": None}])
def test_matrix_classes_must_be_cell_classes(db: SynphysDatabase, classes: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="pre_classes"):
        db.matrix_pair_query(classes, {})
    with pytest.raises(InvalidArgumentError, match="post_classes"):
        db.connectivity_matrix({}, classes)


def test_pair_query_args_name_the_bad_key_and_the_allowed_ones(db: SynphysDatabase) -> None:
    with pytest.raises(InvalidArgumentError, match="'bogus'") as info:
        db.matrix_pair_query({}, {}, pair_query_args={"bogus": 1})
    assert "'species'" in str(info.value) and "'distance'" in str(info.value)
    with pytest.raises(InvalidArgumentError, match="Did you mean 'species'"):
        db.connectivity_matrix({}, {}, specie="mouse")
    with pytest.raises(InvalidArgumentError, match="pair_query_args"):
        db.matrix_pair_query({}, {}, pair_query_args=5)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="pair_query_args"):
        db.matrix_pair_query({}, {}, pair_query_args={5: 1})  # type: ignore[dict-item]
    with pytest.raises(InvalidArgumentError, match="'session'"):
        db.matrix_pair_query({}, {}, pair_query_args={"session": db.ro})
    for internal in ("rules", "known_projects"):  # the database supplies these itself
        with pytest.raises(InvalidArgumentError, match=repr(internal)):
            db.matrix_pair_query({}, {}, pair_query_args={internal: None})


@pytest.mark.parametrize("columns", [5, {"a": 1}.keys()])
def test_matrix_columns_must_be_names(db: SynphysDatabase, columns: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="columns"):
        db.matrix_pair_query({}, {}, columns=columns)


@pytest.mark.parametrize("name", [["pair"], {"pair": 1}, None])
def test_a_table_name_must_be_a_string(db: SynphysDatabase, name: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="table name") as info:
        db.table(name)
    assert "'pair'" in str(info.value)  # the tables are listed


# -- class criteria of the wrong type for their column -------------------------------------------
@pytest.mark.parametrize(
    ("criteria", "fragment"),
    [
        ({"id": (2**63, 1.5)}, "id=9223372036854775808"),
        ({"id": 2**63}, "integer"),
        ({"id": -(2**63) - 1}, "integer"),
        ({"id": 1.5}, "id=1.5"),
        ({"id": float("nan")}, "integer"),
        ({"id": "1" * 5000}, "integer"),
        ({"experiment_id": float("inf")}, "integer"),
        ({"fractional_layer_depth": float("nan")}, "NaN"),
        ({"fractional_layer_depth": 10**400}, "number"),
        ({"fractional_layer_depth": "nan"}, "NaN"),
        ({"cre_type": 10**5000}, "cre_type"),
        ({"pyramidal": float("nan")}, "True/False"),
    ],
)
def test_criteria_outside_their_column_type_are_refused(
    criteria: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=next(iter(criteria))) as info:
        CellClass(**criteria)
    assert fragment in str(info.value)


def test_criteria_at_the_edges_of_their_column_type_still_work(
    db: SynphysDatabase, ref: sqlite3.Connection
) -> None:
    every = reference_pair_ids(ref)
    assert ids(db.pair_query(pre_class=CellClass(id=(2**63 - 1, -(2**63))))) == set()
    assert ids(db.pair_query(pre_class=CellClass(id=[1, 2.0]))) == reference_pair_ids(
        ref, pre_class={"id": [1, 2]}
    )
    assert ids(db.pair_query(pre_class=CellClass(fractional_layer_depth=2**70))) == set()
    assert ids(db.pair_query(pre_class=CellClass(depth=(1, 2.5, 2**64)))) == reference_pair_ids(
        ref, pre_class={"depth": [1, 2.5, float(2**64)]}
    )
    assert every


# -- unknown columns in filters and predicates ---------------------------------------------------
@pytest.mark.parametrize(
    "expr",
    [
        _["synapse_psp_amplitud"] > 1,
        _.synapse_psp_amplitud > 1,
        lambda t: t["synapse_psp_amplitud"] > 1,
    ],
)
def test_an_unknown_filter_column_is_a_column_not_found_error(
    db: SynphysDatabase, expr: Any
) -> None:
    with pytest.raises(ColumnNotFoundError, match="Did you mean 'synapse_psp_amplitude'"):
        db.pair_query(filter_exprs=[expr])


@pytest.mark.parametrize("expr", [_["fractional_layer_dept"] < 1, _.fractional_layer_dept < 1])
def test_an_unknown_predicate_column_is_a_column_not_found_error(expr: Any) -> None:
    with pytest.raises(ColumnNotFoundError, match="Did you mean 'fractional_layer_depth'"):
        CellClass(expr)


def test_an_ill_typed_filter_is_an_invalid_argument(db: SynphysDatabase) -> None:
    with pytest.raises(InvalidArgumentError, match="filter"):
        db.pair_query(filter_exprs=[_.pre_cell_cre_type > 1])
    with pytest.raises(InvalidArgumentError, match="filter"):
        db.pair_query(filter_exprs=[_.distance > 10**400])
    with pytest.raises(InvalidArgumentError, match="predicate"):
        CellClass(_.cre_type > 1)


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


def test_naming_a_class_of_several_target_layers_is_a_typed_error(db: SynphysDatabase) -> None:
    several = CellClass(target_layer=("5", "6"))
    with pytest.raises(InvalidArgumentError, match="pass name=") as info:
        db.matrix_pair_query([several], {"any": CellClass()})
    assert isinstance(info.value, TypeError)  # as before: a TypeError too
