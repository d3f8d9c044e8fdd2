"""matrix_pair_query and connectivity_matrix: one statement equal to the per-class-pair loop."""

from __future__ import annotations

import sqlite3
from collections import Counter

import ibis
import pytest
from scipy.stats import beta

from synphys_ibis import CellClass, SynphysDatabase, mouse_layer_classes, tutorial_classes
from synphys_ibis.errors import ColumnNotFoundError, InvalidArgumentError
from synphys_ibis.stats import clopper_pearson

OVERLAPPING = {
    "sst": CellClass(cre_type="sst", name="sst"),
    "inhibitory": CellClass(cre_type=("sst", "pvalb", "vip"), name="inhibitory"),
    "l5": CellClass(cortical_layer="5", name="l5"),
    "everything": CellClass(name="everything"),
}


def memberships(table: ibis.Table) -> Counter[tuple[str, str, int]]:
    data = table.select("pre_class", "post_class", "id").to_pyarrow().to_pylist()
    return Counter((r["pre_class"], r["post_class"], r["id"]) for r in data)


@pytest.mark.parametrize(
    ("pre", "post", "args"),
    [
        (OVERLAPPING, OVERLAPPING, {}),
        (tutorial_classes(), tutorial_classes(layer="2/3"), {"species": "mouse"}),
        (mouse_layer_classes(), mouse_layer_classes(), {"synapse_probed": True}),
    ],
    ids=["overlapping", "tutorial", "layer-17x17"],
)
def test_matrix_equals_union_of_pair_queries(
    db: SynphysDatabase, pre: dict[str, CellClass], post: dict[str, CellClass], args: dict
) -> None:
    expected: Counter[tuple[str, str, int]] = Counter()
    for pre_name, pre_class in pre.items():
        for post_name, post_class in post.items():
            result = db.pair_query(pre_class=pre_class, post_class=post_class, **args)
            for pair_id in result.select("id").to_pyarrow().column("id").to_pylist():
                expected[(pre_name, post_name, pair_id)] += 1
    got = memberships(db.matrix_pair_query(pre, post, pair_query_args=args))
    assert got == expected
    assert sum(expected.values()) > 0


def test_matrix_rows_carry_pair_and_requested_columns(db: SynphysDatabase) -> None:
    table = db.matrix_pair_query(
        OVERLAPPING,
        OVERLAPPING,
        columns=["synapse.psp_amplitude", "pre_cell_cre_type", "dynamics_stp_induction_50hz"],
        pair_query_args={"synapse": True},
    )
    pair_columns = list(db.pair_query().columns)
    assert list(table.columns) == [
        "pre_class",
        "post_class",
        *pair_columns,
        "synapse_psp_amplitude",
        "pre_cell_cre_type",
        "dynamics_stp_induction_50hz",
    ]
    data = table.to_pyarrow().to_pylist()
    assert data and all(r["has_synapse"] for r in data)
    sst_rows = [r for r in data if r["pre_class"] == "sst"]
    assert sst_rows and all(r["pre_cell_cre_type"] == "sst" for r in sst_rows)


def test_matrix_of_empty_dicts_is_an_empty_table(db: SynphysDatabase) -> None:
    table = db.matrix_pair_query({}, OVERLAPPING, columns=["synapse_latency"])
    assert table.count().to_pyarrow().as_py() == 0
    assert list(table.columns)[:3] == ["pre_class", "post_class", "id"]
    assert "synapse_latency" in table.columns


def test_matrix_is_one_statement(db: SynphysDatabase) -> None:
    sql = ibis.to_sql(db.matrix_pair_query(mouse_layer_classes(), tutorial_classes()))
    for name in [*mouse_layer_classes(), *tutorial_classes()]:
        assert f"'{name}'" in sql  # every class inside the same statement
    assert ";" not in sql.strip().rstrip(";")


def test_matrix_rejects_bad_arguments(db: SynphysDatabase) -> None:
    with pytest.raises(ColumnNotFoundError, match="synapse_psp_amplitude"):
        db.matrix_pair_query(OVERLAPPING, OVERLAPPING, columns=["synapse.psp_amplitud"])
    with pytest.raises(InvalidArgumentError, match="pre_class"):
        db.matrix_pair_query(OVERLAPPING, OVERLAPPING, pair_query_args={"pre_class": None})
    with pytest.raises(InvalidArgumentError, match="expected a CellClass"):
        db.matrix_pair_query({"x": "sst"}, OVERLAPPING)  # type: ignore[dict-item]


def test_connectivity_matrix_counts_and_intervals(
    db: SynphysDatabase, ref: sqlite3.Connection
) -> None:
    classes = tutorial_classes()
    table = db.connectivity_matrix(classes, classes, species="mouse")
    result = table.to_pyarrow().to_pylist()
    assert [(r["pre_class"], r["post_class"]) for r in result] == [
        (a, b) for a in classes for b in classes
    ]
    probed_total = 0
    for r in result:
        members = (
            db.pair_query(
                pre_class=classes[r["pre_class"]],
                post_class=classes[r["post_class"]],
                species="mouse",
                preload=["cell"],
            )
            .to_pyarrow()
            .to_pylist()
        )
        probed = [
            m
            for m in members
            if (m["pre_cell_cell_class_nonsynaptic"] == "ex" and (m["n_ex_test_spikes"] or 0) > 10)
            or (m["pre_cell_cell_class_nonsynaptic"] == "in" and (m["n_in_test_spikes"] or 0) > 10)
            or ((m["n_ex_test_spikes"] or 0) > 10 and (m["n_in_test_spikes"] or 0) > 10)
        ]
        connected = [m for m in probed if m["has_synapse"]]
        assert r["n_probed"] == len(probed)
        assert r["n_connected"] == len(connected)
        probed_total += len(probed)
        if probed:
            k, n = len(connected), len(probed)
            assert r["connection_probability"] == pytest.approx(k / n)
            low = 0.0 if k == 0 else beta.ppf(0.025, k, n - k + 1)
            high = 1.0 if k == n else beta.ppf(0.975, k + 1, n - k)
            assert r["ci_lower"] == pytest.approx(low, abs=1e-9)
            assert r["ci_upper"] == pytest.approx(high, abs=1e-9)
        else:
            assert r["connection_probability"] is None
            assert r["ci_lower"] is None and r["ci_upper"] is None
    assert probed_total > 0


def test_connectivity_matrix_class_column_choice(db: SynphysDatabase) -> None:
    classes = tutorial_classes()
    by_class = db.connectivity_matrix(classes, classes, class_column="cell_class")
    assert by_class.count().to_pyarrow().as_py() == 16
    with pytest.raises(InvalidArgumentError, match="cell_class_nonsynaptic"):
        db.connectivity_matrix(classes, classes, class_column="cre_type")


@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (3, 20), (7, 7), (12, 500), (250, 500)])
def test_clopper_pearson_matches_scipy(k: int, n: int) -> None:
    low, high = clopper_pearson(k, n)
    assert low == pytest.approx(0.0 if k == 0 else beta.ppf(0.025, k, n - k + 1), abs=1e-10)
    assert high == pytest.approx(1.0 if k == n else beta.ppf(0.975, k + 1, n - k), abs=1e-10)


def test_clopper_pearson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="k=5, n=3"):
        clopper_pearson(5, 3)
