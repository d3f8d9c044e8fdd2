"""pair_query: the same pairs as the original semantics, on every engine."""

from __future__ import annotations

import sqlite3
from typing import Any

import ibis
import pyarrow as pa
import pytest
from ibis import _

from synphys_ibis import CellClass, ColumnNotFoundError, InvalidArgumentError, SynphysDatabase
from synphys_ibis.errors import SynphysError
from tests.reference import reference_pair_ids, table_columns


def ids(table: ibis.Table) -> set[int]:
    return set(table.select("id").to_pyarrow().column("id").to_pylist())


def library_args(args: dict[str, Any]) -> dict[str, Any]:
    """Turn reference arguments (classes as dicts) into pair_query arguments."""
    out = dict(args)
    for side in ("pre_class", "post_class"):
        if side in out:
            criteria = dict(out[side])
            expr = criteria.pop("__expr", None)
            criteria.pop("__sql", None)
            out[side] = CellClass(*(expr,) if expr is not None else (), **criteria)
    if "sql" in out:
        out.pop("sql")
        out["filter_exprs"] = out.pop("filter_exprs")
    return out


# Each case is (reference arguments, human-readable id). Classes are dicts of criteria.
SINGLE_PARAMETER_CASES: list[dict[str, Any]] = [
    {},
    {"pre_class": {"cre_type": "sst"}},
    {"pre_class": {"cre_type": ("sst", "pvalb", "vip")}},
    {"post_class": {"cortical_layer": "5"}},
    {"post_class": {"cortical_layer": ("6a", "6b")}},
    {"pre_class": {"dendrite_type": "spiny", "cortical_layer": "2/3"}},
    {"pre_class": {"cell_class": None}},
    {"pre_class": {"dendrite_type": None}},
    {"pre_class": {"cre_type": ["sst", None]}},
    {"pre_class": {"cre_type": []}},
    {"post_class": {"t_type": None, "cell_class_nonsynaptic": "ex"}},
    {"post_class": {"pyramidal": True}},
    {
        "pre_class": {
            "cortical_layer": "2/3",
            "__expr": _.fractional_layer_depth < 0.5,
            "__sql": "{cortical_cell_location}.fractional_layer_depth < 0.5",
        }
    },
    {
        "pre_class": {
            "__expr": _.rheobase > 1e-10,
            "__sql": "{intrinsic}.rheobase > 1e-10",
        }
    },
    {"synapse": True},
    {"synapse": False},
    {"synapse_type": "ex"},
    {"synapse_type": "in"},
    {"synapse_type": "mixed"},
    {"synapse_probed": True},
    {"electrical": True},
    {"electrical": False},
    {"experiment_type": "standard multipatch"},
    {"project_name": "mouse V1 coarse matrix"},
    {"project_name": ["mouse V1 pre-production", "human coarse matrix"]},
    {"acsf": "2mM Ca & Mg"},
    {"acsf": ["Standard", "1.3mM Ca & 1mM Mg"]},
    {"acsf": "no such recipe"},
    {"internal": "Standard K-Gluc"},
    {"internal": ["PatchSeq", "Cesium"]},
    {"age": (40, None)},
    {"age": (None, 60)},
    {"age": (40, 60)},
    {"age": (None, None)},
    {"species": "mouse"},
    {"species": "human"},
    {"distance": (0, 100e-6)},
    {"distance": (50e-6, None)},
    {"distance": (None, None)},
]


def _case_id(case: dict[str, Any]) -> str:
    return ",".join(f"{k}={v!r}" for k, v in case.items())[:80] or "no-filters"


@pytest.mark.parametrize("case", SINGLE_PARAMETER_CASES, ids=_case_id)
def test_every_parameter_matches_reference(
    db: SynphysDatabase, ref: sqlite3.Connection, case: dict[str, Any]
) -> None:
    expected = reference_pair_ids(ref, **dict(case))
    assert ids(db.pair_query(**library_args(case))) == expected


COMBINED_CASES: list[dict[str, Any]] = [
    {
        "pre_class": {"cre_type": ("sst", "pvalb")},
        "post_class": {"cortical_layer": "5"},
        "species": "mouse",
        "distance": (0, 100e-6),
    },
    {
        "experiment_type": "standard multipatch",
        "synapse_probed": True,
        "species": "mouse",
        "pre_class": {"cell_class_nonsynaptic": "ex"},
        "post_class": {"cell_class_nonsynaptic": "in"},
    },
    {"synapse": True, "synapse_type": "ex", "species": "human", "age": (20, None)},
    {
        "project_name": ["mouse V1 coarse matrix"],
        "acsf": "2mM Ca & Mg",
        "internal": "Standard K-Gluc",
    },
    {"electrical": True, "pre_class": {"cre_type": "pvalb"}, "post_class": {"cre_type": "pvalb"}},
]


@pytest.mark.parametrize("case", COMBINED_CASES, ids=_case_id)
def test_combined_parameters_match_reference(
    db: SynphysDatabase, ref: sqlite3.Connection, case: dict[str, Any]
) -> None:
    expected = reference_pair_ids(ref, **dict(case))
    assert ids(db.pair_query(**library_args(case))) == expected


def test_parameters_are_not_vacuous(ref: sqlite3.Connection) -> None:
    """The synthetic release exercises each filter: it keeps some pairs and drops others."""
    everything = reference_pair_ids(ref)
    for case in SINGLE_PARAMETER_CASES[1:]:
        selected = reference_pair_ids(ref, **dict(case))
        no_op = case in ({"age": (None, None)}, {"distance": (None, None)})
        empty_by_design = case in ({"pre_class": {"cre_type": []}}, {"acsf": "no such recipe"})
        if no_op:
            assert selected == everything
        elif empty_by_design:
            assert selected == set()
        else:
            assert 0 < len(selected) < len(everything), case


@pytest.mark.parametrize(
    ("filter_expr", "sql"),
    [
        (_.synapse_psp_amplitude > 0.5e-3, "synapse.psp_amplitude > 0.0005"),
        (lambda t: t.pre_cell_depth < 60e-6, "pre_cell.depth < 0.00006"),
        (
            _.post_cortical_cell_location_cortical_layer.isin(["4", "5"]),
            "post_cortical_cell_location.cortical_layer IN ('4', '5')",
        ),
        (_.dynamics_stp_induction_50hz < 0, "dynamics.stp_induction_50hz < 0"),
        (_.slice_quality >= 3, "slice.quality >= 3"),
    ],
    ids=["deferred", "callable", "isin", "dynamics", "slice"],
)
def test_filter_exprs_on_any_joined_column(
    db: SynphysDatabase, ref: sqlite3.Connection, filter_expr: Any, sql: str
) -> None:
    expected = reference_pair_ids(ref, sql=sql)
    assert len(expected) > 0
    result = db.pair_query(filter_exprs=[filter_expr])
    assert ids(result) == expected
    assert list(result.columns) == table_columns(ref, "pair")  # no preload: pair columns only


def test_filter_expr_bound_to_another_table(db: SynphysDatabase, ref: sqlite3.Connection) -> None:
    loaded = db.pair_query(preload=["synapse"])
    expected = reference_pair_ids(ref, sql="synapse.latency > 0.0015")
    assert ids(db.pair_query(filter_exprs=[loaded.synapse_latency > 1.5e-3])) == expected


def test_one_row_per_pair(db: SynphysDatabase) -> None:
    table = db.pair_query(preload=["experiment", "cell", "synapse", "synapse_prediction"])
    pair_ids = table.select("id").to_pyarrow().column("id").to_pylist()
    assert len(pair_ids) == len(set(pair_ids))
    assert len(pair_ids) == db.table("pair").count().to_pyarrow().as_py()


def test_column_naming_and_preload_groups(db: SynphysDatabase, ref: sqlite3.Connection) -> None:
    pair_cols = table_columns(ref, "pair")
    assert list(db.pair_query().columns) == pair_cols
    experiment = db.pair_query(preload=["experiment"]).columns
    expected = (
        pair_cols
        + [f"experiment_{c}" for c in table_columns(ref, "experiment") if c != "id"]
        + [f"slice_{c}" for c in table_columns(ref, "slice")]
    )
    assert list(experiment) == expected
    cell = set(db.pair_query(preload="cell").columns)
    for side in ("pre", "post"):
        assert {f"{side}_cell_{c}" for c in table_columns(ref, "cell") if c != "id"} <= cell
        for table in ("morphology", "patch_seq", "intrinsic", "cortical_cell_location"):
            assert {f"{side}_{table}_{c}" for c in table_columns(ref, table)} <= cell
    synapse = set(db.pair_query(preload=["synapse"]).columns)
    for table in ("synapse", "resting_state_fit", "dynamics", "synapse_model", "conductance"):
        assert {f"{table}_{c}" for c in table_columns(ref, table)} <= synapse
    assert "synapse_prediction_id" in db.pair_query(preload=["synapse_prediction"]).columns
    everything = db.pair_query(preload=["experiment", "cell", "synapse", "synapse_prediction"])
    names = list(everything.columns)
    assert len(names) == len(set(names))
    assert all(name.isidentifier() for name in names)


def test_preloaded_values_match_reference(db: SynphysDatabase, ref: sqlite3.Connection) -> None:
    table = db.pair_query(species="mouse", synapse=True, preload=["cell", "synapse"])
    got = {
        row["id"]: (
            row["pre_cell_cre_type"],
            row["synapse_psp_amplitude"],
            row["post_cortical_cell_location_cortical_layer"],
        )
        for row in table.to_pyarrow().to_pylist()
    }
    rows = ref.execute(
        """SELECT pair.id, pre.cre_type, s.psp_amplitude, loc.cortical_layer
        FROM pair JOIN cell pre ON pre.id = pair.pre_cell_id
        JOIN experiment e ON e.id = pair.experiment_id JOIN slice sl ON sl.id = e.slice_id
        LEFT JOIN synapse s ON s.pair_id = pair.id
        LEFT JOIN cortical_cell_location loc ON loc.cell_id = pair.post_cell_id
        WHERE sl.species = 'mouse' AND pair.has_synapse = 1"""
    ).fetchall()
    assert got == {r[0]: tuple(r[1:]) for r in rows}
    assert len(got) > 10


def test_typed_booleans_and_decoded_nulls(db: SynphysDatabase, ref: sqlite3.Connection) -> None:
    table = db.pair_query(preload=["synapse"])
    schema = table.schema()
    assert schema["has_synapse"].is_boolean()
    assert schema["dynamics_qc_pass"].is_boolean()
    arrow = table.to_pyarrow()
    assert arrow.schema.field("has_synapse").type == pa.bool_()
    # JSON 'null' text and empty array blobs are SQL NULL to users
    stored_null_json = ref.execute("SELECT count(*) FROM pair WHERE meta = 'null'").fetchone()[0]
    assert stored_null_json > 0
    assert (
        arrow.column("meta").null_count
        == stored_null_json
        + ref.execute("SELECT count(*) FROM pair WHERE meta IS NULL").fetchone()[0]
    )
    empty_blobs = ref.execute(
        "SELECT count(*) FROM resting_state_fit WHERE ic_avg_data = x''"
    ).fetchone()[0]
    rsf = db.table("resting_state_fit")
    assert empty_blobs > 0
    assert rsf.ic_avg_data.isnull().sum().to_pyarrow().as_py() == empty_blobs


def test_sql_of_a_pair_query_is_visible(db: SynphysDatabase) -> None:
    sql = ibis.to_sql(db.pair_query(species="mouse", pre_class=CellClass(cre_type="sst")))
    assert "SELECT" in sql and "'sst'" in sql and "'mouse'" in sql


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ({"synapse": "yes"}, "synapse='yes'"),
        ({"synapse_type": "exc"}, "Did you mean 'ex'"),
        ({"synapse_probed": "True"}, "synapse_probed='True'"),
        ({"synapse_probed": 1}, "synapse_probed=1"),
        ({"electrical": 2}, "electrical=2"),
        ({"experiment_type": "standard_multipatch"}, "'standard multipatch'"),
        ({"experiment_type": "standard multipatch", "project_name": "x"}, "both"),
        ({"project_name": "mouse V1 coarse matrx"}, "Did you mean 'mouse V1 coarse matrix'"),
        ({"project_name": 5}, "project_name"),
        ({"acsf": 3}, "acsf"),
        ({"internal": {"a": 1}}, "internal"),
        ({"age": 40}, "age"),
        ({"age": (60, 40)}, "min > max"),
        ({"age": ("a", None)}, "age"),
        ({"distance": (0, 1, 2)}, "distance"),
        ({"species": ["mouse"]}, "species"),
        ({"preload": ["cells"]}, "Did you mean 'cell'"),
        ({"pre_class": "sst"}, "pre_class"),
        ({"post_class": {"cre_type": "sst"}}, "post_class"),
        ({"filter_exprs": [42]}, "filter_exprs"),
        ({"filter_exprs": [_.pre_cell_cre_typo == "sst"]}, "pre_cell_cre_type"),
    ],
)
def test_bad_arguments_raise_typed_errors(
    db: SynphysDatabase, args: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(SynphysError) as info:
        db.pair_query(**args)
    assert isinstance(info.value, ValueError)
    assert fragment in str(info.value)


def test_unknown_filter_column_is_a_lookup_error(db: SynphysDatabase) -> None:
    with pytest.raises(ColumnNotFoundError) as info:
        db.pair_query(filter_exprs=[_.synapse_psp_amplitud > 0])
    assert isinstance(info.value, LookupError)
    assert "synapse_psp_amplitude" in str(info.value)


def test_standard_multipatch_requires_the_three_projects(tmp_path: Any) -> None:
    """As in the original, a file lacking one of the coarse-matrix projects refuses the shortcut."""
    import shutil

    from synphys_ibis import synthetic

    path = synthetic.write_release(tmp_path / "one.sqlite", n_experiments=3, seed=3)
    copy = tmp_path / "no_human.sqlite"
    shutil.copy(path, copy)
    con = sqlite3.connect(copy)
    con.execute(
        "UPDATE experiment SET project_name = 'other' WHERE project_name = 'human coarse matrix'"
    )
    con.commit()
    con.close()
    with (
        SynphysDatabase.load_sqlite(copy, native_cache=False) as db,
        pytest.raises(InvalidArgumentError, match="human coarse matrix"),
    ):
        db.pair_query(experiment_type="standard multipatch")


@pytest.mark.parametrize(
    "value",
    ["mouse' OR '1'='1", "x'; DROP TABLE pair; --", 'mouse" OR 1=1 --', "SELECT * FROM cell"],
)
def test_values_with_quotes_and_sql_are_harmless(
    db: SynphysDatabase, ref: sqlite3.Connection, value: str
) -> None:
    assert ids(db.pair_query(species=value)) == set()
    assert ids(db.pair_query(acsf=[value, "Standard"])) == reference_pair_ids(
        ref, acsf=["Standard"]
    )
    assert ids(db.pair_query(pre_class=CellClass(cre_type=value))) == set()
    assert ids(db.pair_query(filter_exprs=[_.experiment_rig_name == value])) == set()
    assert db.table("pair").count().to_pyarrow().as_py() > 0


def test_number_for_text_criterion_is_compared_as_text(
    db: SynphysDatabase, ref: sqlite3.Connection
) -> None:
    expected = reference_pair_ids(ref, post_class={"cortical_layer": "5"})
    assert ids(db.pair_query(post_class=CellClass(cortical_layer=5))) == expected
    assert ids(db.pair_query(post_class=CellClass(cortical_layer=[5, "4"]))) == reference_pair_ids(
        ref, post_class={"cortical_layer": ["5", "4"]}
    )
