"""CellClass: construction, naming, excitatory/inhibitory inference, membership in SQL."""

from __future__ import annotations

import sqlite3

import pytest
from ibis import _

from synphys_ibis import (
    CellClass,
    ColumnNotFoundError,
    InvalidArgumentError,
    SynphysDatabase,
    human_layer_classes,
    mouse_ei_classes,
    mouse_layer_classes,
    tutorial_classes,
)
from synphys_ibis.query.cell_class import CELL_SIDE_TABLES, cell_columns
from synphys_ibis.schema.rules import version_rules
from tests.reference import reference_pair_ids

NEWEST = version_rules("22")


def test_unknown_criterion_lists_the_valid_ones() -> None:
    with pytest.raises(ColumnNotFoundError) as info:
        CellClass(cre_typ="sst")
    message = str(info.value)
    assert "cre_typ" in message and "Did you mean 'cre_type'" in message
    assert isinstance(info.value, ValueError) and isinstance(info.value, LookupError)


def test_unknown_column_in_a_predicate() -> None:
    with pytest.raises(ColumnNotFoundError, match="fractional_layer_depth"):
        CellClass(_.fractional_layer_dept < 0.5)


@pytest.mark.parametrize("bad", [["sst"], "cre_type == 'sst'", 5])
def test_positional_arguments_must_be_predicates(bad: object) -> None:
    with pytest.raises(InvalidArgumentError, match="deferred"):
        CellClass(bad)  # type: ignore[arg-type]


def test_predicate_must_be_boolean() -> None:
    with pytest.raises(InvalidArgumentError, match="boolean"):
        CellClass(_.depth + 1)


def test_name_must_be_a_string() -> None:
    with pytest.raises(InvalidArgumentError, match="name"):
        CellClass(cre_type="sst", name=5)  # type: ignore[arg-type]


def test_criteria_keys_are_the_97_cell_side_columns() -> None:
    names = cell_columns(NEWEST)
    assert len(names) == 97
    assert names["cortical_layer"][0] == "cortical_cell_location"
    assert names["cell_id"][0] == "morphology"  # first table with the column wins
    assert names["position"][0] == "cell"
    assert names["t_type"][0] == "patch_seq"
    assert CELL_SIDE_TABLES[0] == "cell"


@pytest.mark.parametrize(
    ("criteria", "excitatory"),
    [
        ({"cre_type": "sst"}, False),
        ({"cre_type": "sim1"}, True),
        ({"cre_type": ("sst", "pvalb")}, False),
        ({"cre_type": ("sst", "tlx3")}, None),
        ({"cre_type": ("sst",), "dendrite_type": "spiny"}, None),
        ({"cre_type": "rorb", "dendrite_type": "spiny"}, True),
        ({"cre_type": "rorb", "dendrite_type": "sparsely spiny"}, None),
        ({"cre_type": ("sst", "vip"), "dendrite_type": "sparsely spiny"}, False),
        ({"cell_class": "ex"}, True),
        ({"cell_class": "in"}, False),
        ({"cell_class_nonsynaptic": "ex"}, True),
        ({"cell_class_nonsynaptic": "in"}, False),
        ({"cell_class": "ex", "cell_class_nonsynaptic": "in"}, None),
        ({"cell_class": "mixed"}, None),
        ({"target_layer": "2/3"}, None),
        ({"target_layer": "2/3", "cell_class": "ex"}, True),
        ({"dendrite_type": ("spiny", "aspiny")}, None),
        ({"cre_type": ()}, True),
    ],
)
def test_is_excitatory_table(criteria: dict, excitatory: bool | None) -> None:
    cls = CellClass(**criteria)
    assert cls.is_excitatory is excitatory
    assert cls.output_synapse_type == {True: "ex", False: "in", None: None}[excitatory]


def test_is_excitatory_rejects_unknown_class_values() -> None:
    with pytest.raises(InvalidArgumentError, match="cell_class"):
        _ = CellClass(cell_class=("ex", "in")).is_excitatory


def test_names_and_identity() -> None:
    assert CellClass(cre_type=("nr5a1", "rorb"), cortical_layer="4").name == "L4 ('nr5a1', 'rorb')"
    assert CellClass(
        target_layer="2/3", dendrite_type="spiny", pyramidal=True, cre_type="cux2", t_type="L2/3 IT"
    ).as_tuple == ("L2/3", "spiny", "pyr", "cux2", "L2/3 IT")
    assert CellClass(pyramidal=False).name == "nonpyr"
    assert CellClass(cell_class="ex").name == ""
    named = CellClass(cre_type="sst", cortical_layer="2/3", name="l23sst")
    assert named == "l23sst" and named == CellClass(cre_type="vip", name="l23sst")
    assert hash(named) == hash("l23sst")
    assert {named: 1}["l23sst"] == 1
    assert CellClass(cell_class="ex") == CellClass(cell_class="in")  # both unnamed: ''
    with pytest.raises(TypeError, match="target layers"):
        _ = CellClass(target_layer=("5", "6")).name
    assert "cre_type='sst'" in repr(named)


def test_standard_class_sets() -> None:
    layers = mouse_layer_classes()
    assert len(layers) == 17
    assert list(layers)[:5] == ["l23pyr", "l23pv", "l23sst", "l23vip", "l4pyr"]
    assert layers["l5et"].criteria == {"cre_type": ("sim1", "fam84b"), "cortical_layer": "5"}
    assert layers["l6pyr"].criteria["cortical_layer"] == ("6a", "6b")
    assert layers["l23pyr"].is_excitatory is True and layers["l4sst"].is_excitatory is False
    assert list(tutorial_classes()) == ["Excit.", "Pvalb", "Sst", "Vip"]
    assert tutorial_classes(layer="2/3")["Sst"].criteria["cortical_layer"] == "2/3"
    assert list(human_layer_classes()) == ["l2pyr", "l3pyr", "l4pyr", "l5pyr"]
    assert {k: v.is_excitatory for k, v in mouse_ei_classes().items()} == {"ex": True, "in": False}


def test_tables_read_by_a_class() -> None:
    assert CellClass(cre_type="sst").tables(NEWEST) == {"cell"}
    assert CellClass(_.rheobase > 0, t_type="x").tables(NEWEST) == {
        "cell",
        "intrinsic",
        "patch_seq",
    }
    assert CellClass().tables(NEWEST) == {"cell"}


def test_empty_class_contains_every_cell(db: SynphysDatabase, ref: sqlite3.Connection) -> None:
    everything = reference_pair_ids(ref)
    got = db.pair_query(pre_class=CellClass(), post_class=CellClass(name="any"))
    assert set(got.select("id").to_pyarrow().column("id").to_pylist()) == everything


def test_bad_criterion_value_types() -> None:
    with pytest.raises(InvalidArgumentError, match="depth='deep'"):
        CellClass(depth="deep")
    with pytest.raises(InvalidArgumentError, match="pyramidal='yes'"):
        CellClass(pyramidal="yes")
    with pytest.raises(InvalidArgumentError, match="cre_type"):
        CellClass(cre_type=["sst", object()])


def test_class_criteria_across_tables_hold_on_the_same_location_row(
    fanout_db: SynphysDatabase, fanout_ref: sqlite3.Connection
) -> None:
    criteria = {"cortical_layer": "5", "__sql": "{cortical_cell_location}.fractional_depth < 0.6"}
    expected = reference_pair_ids(fanout_ref, post_class=criteria)
    cls = CellClass(_.fractional_depth < 0.6, cortical_layer="5")
    got = fanout_db.pair_query(post_class=cls)
    assert set(got.select("id").to_pyarrow().column("id").to_pylist()) == expected
    assert expected
