"""The published schema as data matches the published DDL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synphys_ibis.errors import ColumnNotFoundError, TableNotFoundError, UnsupportedSchemaError
from synphys_ibis.schema import (
    SCHEMA_VERSION,
    SUPPORTED_SCHEMA_VERSIONS,
    available_schema_versions,
    ddl,
    load_schema,
)
from synphys_ibis.schema._build import SCHEMA_DIR, build, describe_ddl

#: The published DDL of each version, kept in the repository (a copy of the upstream reference)
REFERENCE_DDL = Path(__file__).resolve().parent / "data" / "reference_schema"
VERSIONS = ["15", "16", "18", "19", "20", "21", "22"]


def test_every_published_schema_version_is_described() -> None:
    assert available_schema_versions() == VERSIONS
    assert SCHEMA_VERSION == "22"
    assert set(SUPPORTED_SCHEMA_VERSIONS) <= set(VERSIONS)


@pytest.mark.parametrize("version", VERSIONS)
def test_committed_json_matches_the_bundled_ddl(version: str) -> None:
    committed = json.loads((SCHEMA_DIR / f"v{version}.json").read_text())
    assert committed == build(version)


@pytest.mark.parametrize("version", VERSIONS)
def test_bundled_ddl_matches_the_reference(version: str) -> None:
    reference = REFERENCE_DDL / f"v{version}.sql"
    assert describe_ddl(reference.read_text(), version) == describe_ddl(ddl(version), version)


def test_v22_tables_columns_and_keys() -> None:
    schema = load_schema("22")
    assert len(schema.tables) == 32
    assert schema.table_names()[:4] == ["metadata", "pipeline", "slice", "experiment"]
    pair = schema.table("pair")
    assert pair.column_names == [
        "id", "experiment_id", "pre_cell_id", "post_cell_id", "has_synapse", "has_polysynapse",
        "has_electrical", "crosstalk_artifact", "n_ex_test_spikes", "n_in_test_spikes",
        "distance", "lateral_distance", "vertical_distance", "reciprocal_id", "meta",
    ]  # fmt: skip
    assert pair.column("has_synapse").type == "bool"
    assert pair.column("meta").type == "object"
    assert schema.table("cell").column("position").type == "object"
    assert schema.table("resting_state_fit").column("ic_avg_data").type == "array"
    assert schema.table("slice").column("date_of_birth").type == "datetime"
    assert {(fk.column, fk.table) for fk in pair.foreign_keys} == {
        ("experiment_id", "experiment"),
        ("pre_cell_id", "cell"),
        ("post_cell_id", "cell"),
        ("reciprocal_id", "pair"),
    }
    assert schema.table("morphology").unique_columns() == {"cell_id"}
    assert "cell_id" not in schema.table("cortical_cell_location").unique_columns()
    assert [c.name for c in schema.table("metadata").columns] == ["id", "meta"]
    assert all(not c.nullable for t in schema for c in t.columns if c.name == "id")
    assert all(c.nullable for t in schema for c in t.columns if c.name != "id")


@pytest.mark.parametrize("version", VERSIONS)
def test_tables_are_in_dependency_order(version: str) -> None:
    seen: set[str] = set()
    for table in load_schema(version):
        for fk in table.foreign_keys:
            assert fk.table in seen or fk.table == table.name, (table.name, fk.table)
        seen.add(table.name)


def test_lookup_errors_name_the_known_values() -> None:
    with pytest.raises(TableNotFoundError, match="Did you mean 'synapse'"):
        load_schema().table("synapses")
    with pytest.raises(ColumnNotFoundError, match="has_synapse"):
        load_schema().table("pair").column("has_synaps")
    with pytest.raises(UnsupportedSchemaError, match="17"):
        load_schema("17")
