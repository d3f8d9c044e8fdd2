"""The rules of a schema version are resolved once, frozen, and handed to every query builder."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import pytest

import synphys_ibis.query
from synphys_ibis import SynphysDatabase
from synphys_ibis.schema import available_schema_versions
from synphys_ibis.schema.rules import VersionRules, version_rules


@pytest.mark.parametrize("version", available_schema_versions())
def test_one_frozen_rules_object_per_version(version: str) -> None:
    rules = version_rules(version)
    assert version_rules(version) is rules
    assert rules.version == version
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.version = "22"  # type: ignore[misc]
    with pytest.raises(TypeError):
        rules.pair_columns["x"] = (None, "x")  # type: ignore[index]
    # the renames of the version are applied to what queries see, never to what is stored
    for table in rules.schema:
        for stored, query_name in rules.renamed_columns(table.name).items():
            assert query_name in table.column_names
            assert stored in rules.stored.table(table.name).column_names
            assert rules.stored_name(table.name, query_name) == stored


def test_a_database_makes_its_rules_once_when_it_opens(db: SynphysDatabase) -> None:
    assert db.rules is version_rules(db.schema_version)
    assert db.catalog.rules is db.rules


def test_the_version_rules_differ_where_the_versions_do() -> None:
    assert version_rules("15").sign_column("cell_class") == "is_excitatory"
    assert version_rules("16").sign_column("cell_class") == "cell_class"
    assert version_rules("18").cell_columns["cortical_layer"][0] == "morphology"
    assert version_rules("19").cell_columns["cortical_layer"][0] == "cortical_cell_location"
    assert version_rules("16").aliases["resting_state_fit"].key == "pair_id"
    assert version_rules("18").aliases["resting_state_fit"].parent == "synapse"
    assert "cell_class" in version_rules("15").missing_hint("cell_class", "cell")
    assert "is_excitatory" in version_rules("15").missing_hint("cell_class", "cell")


def _query_layer_callables() -> list[tuple[str, object]]:
    found = []
    for info in pkgutil.iter_modules(synphys_ibis.query.__path__):
        module = importlib.import_module(f"synphys_ibis.query.{info.name}")
        for name, obj in vars(module).items():
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                found.append((f"{module.__name__}.{name}", obj))
            elif inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if inspect.isfunction(member):
                        found.append((f"{module.__name__}.{name}.{attr}", member))
    return found


def test_no_query_builder_assumes_a_schema_version() -> None:
    callables = _query_layer_callables()
    assert len(callables) > 20
    defaulted = []
    for qualified, function in callables:
        for parameter in inspect.signature(function).parameters.values():  # type: ignore[arg-type]
            if parameter.name in ("schema_version", "version", "rules") and (
                parameter.default is not inspect.Parameter.empty
            ):
                defaulted.append(f"{qualified}({parameter.name}={parameter.default!r})")
    assert defaulted == []
    fields = {f.name: f for f in dataclasses.fields(synphys_ibis.query.pairs.PairQuery)}
    assert fields["rules"].default is dataclasses.MISSING
    assert fields["rules"].type in ("VersionRules", VersionRules)
