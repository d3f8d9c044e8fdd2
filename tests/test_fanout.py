"""One row per pair when one-to-many child tables hold several rows for a key."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from ibis import _

from synphys_ibis import CellClass, SynphysDatabase
from tests.reference import reference_pair_ids


def rows(table: Any) -> list[dict[str, Any]]:
    return table.to_pyarrow().to_pylist()


def test_release_really_fans_out(fanout_ref: sqlite3.Connection) -> None:
    for table, key in (
        ("synapse", "pair_id"),
        ("intrinsic", "cell_id"),
        ("cortical_cell_location", "cell_id"),
        ("resting_state_fit", "synapse_id"),
        ("conductance", "synapse_id"),
        ("synapse_prediction", "pair_id"),
    ):
        extra = fanout_ref.execute(
            f"SELECT count({key}) - count(DISTINCT {key}) FROM {table}"
        ).fetchone()[0]
        assert extra > 0, table


@pytest.mark.parametrize(
    "case",
    [
        {"synapse_type": "in"},
        {"synapse_type": "ex", "species": "mouse"},
        {"post_class": {"cortical_layer": "5"}},
        {"pre_class": {"cortical_layer": "2/3", "cre_type": ("sst", "pvalb", "vip")}},
        {"sql": "pre_intrinsic.rheobase > 1e-10"},
        {"sql": "resting_state_fit.ic_amp > 0 AND conductance.effective_conductance > 0"},
    ],
    ids=lambda c: ",".join(c)[:60],
)
def test_pair_sets_match_reference_with_fan_out(
    fanout_db: SynphysDatabase, fanout_ref: sqlite3.Connection, case: dict[str, Any]
) -> None:
    expected = reference_pair_ids(fanout_ref, **dict(case))
    args = dict(case)
    for side in ("pre_class", "post_class"):
        if side in args:
            args[side] = CellClass(**args[side])
    if "sql" in args:
        sql = args.pop("sql")
        if sql.startswith("pre_intrinsic"):
            args["filter_exprs"] = [_.pre_intrinsic_rheobase > 1e-10]
        else:
            args["filter_exprs"] = [
                _.resting_state_fit_ic_amp > 0,
                _.conductance_effective_conductance > 0,
            ]
    table = fanout_db.pair_query(preload=["cell", "synapse"], **args)
    got = [r["id"] for r in rows(table.select("id"))]
    assert len(got) == len(set(got)), "a pair appeared twice"
    assert set(got) == expected
    assert expected


def test_conditions_on_one_alias_hold_on_the_same_row(
    fanout_db: SynphysDatabase, fanout_ref: sqlite3.Connection
) -> None:
    sql = (
        "post_cortical_cell_location.cortical_layer = '5' "
        "AND post_cortical_cell_location.fractional_depth < 0.6"
    )
    expected = reference_pair_ids(fanout_ref, sql=sql)
    table = fanout_db.pair_query(
        filter_exprs=[
            _.post_cortical_cell_location_cortical_layer == "5",
            _.post_cortical_cell_location_fractional_depth < 0.6,
        ]
    )
    assert {r["id"] for r in rows(table.select("id"))} == expected


def test_shown_values_come_from_the_lowest_matching_child_ids(
    fanout_db: SynphysDatabase, fanout_ref: sqlite3.Connection
) -> None:
    table = fanout_db.pair_query(synapse_type="in", preload=["synapse"])
    got = {r["id"]: r["synapse_id"] for r in rows(table.select("id", "synapse_id"))}
    expected = dict(
        fanout_ref.execute(
            "SELECT pair_id, min(id) FROM synapse WHERE synapse_type = 'in' GROUP BY pair_id"
        ).fetchall()
    )
    # pairs whose experiment or cells are missing are dropped by the inner joins
    assert got == {k: v for k, v in expected.items() if k in got}
    assert len(got) == len(reference_pair_ids(fanout_ref, synapse_type="in"))
    multi = fanout_ref.execute(
        "SELECT count(*) FROM (SELECT pair_id FROM synapse GROUP BY pair_id "
        "HAVING count(DISTINCT synapse_type) > 1)"
    ).fetchone()[0]
    assert multi > 0, "the release should have pairs with an 'ex' and an 'in' synapse row"


def test_unfiltered_values_are_the_lowest_child_ids(
    fanout_db: SynphysDatabase, fanout_ref: sqlite3.Connection
) -> None:
    table = fanout_db.pair_query(preload=["cell"])
    got = {r["id"]: r["pre_intrinsic_id"] for r in rows(table.select("id", "pre_intrinsic_id"))}
    lowest = dict(fanout_ref.execute("SELECT cell_id, min(id) FROM intrinsic GROUP BY cell_id"))
    pre_cells = dict(fanout_ref.execute("SELECT id, pre_cell_id FROM pair"))
    for pair_id, intrinsic_id in got.items():
        assert intrinsic_id == lowest.get(pre_cells[pair_id])
