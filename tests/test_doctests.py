"""The Examples of the user-facing API run as doctests, offline, on synthetic releases."""

from __future__ import annotations

import doctest
import importlib
import inspect

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:fetch_record_batch:DeprecationWarning")

#: Modules of the user-facing API whose docstring examples must run.
MODULES = [
    "synphys_ibis.synphys",
    "synphys_ibis.database",
    "synphys_ibis.query.cell_class",
    "synphys_ibis.query.pairs",
    "synphys_ibis.demo",
    "synphys_ibis.export.writers",
    "synphys_ibis.releases",
    "synphys_ibis.releases.inventory",
    "synphys_ibis.progress",
    "synphys_ibis.grids",
    "synphys_ibis.engines.registry",
    "synphys_ibis.cli._options",
]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


#: Public callables of the user-facing classes and functions that must document themselves.
DOCUMENTED = {
    "synphys_ibis.synphys.SynphysDatabase": [
        "load_sqlite",
        "load_parquet",
        "load_current",
        "load_version",
        "pair_query",
        "matrix_pair_query",
        "connectivity_matrix",
        "summary",
    ],
    "synphys_ibis.demo": ["load_demo"],
    "synphys_ibis.export.writers": ["to_pandas"],
    "synphys_ibis.releases.inventory": ["cache_inventory", "clean_cache"],
}


@pytest.mark.parametrize("owner", sorted(DOCUMENTED))
def test_numpydoc_sections(owner: str) -> None:
    module_name, _, class_name = owner.rpartition(".")
    try:
        target = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError):
        target = importlib.import_module(owner)
    for name in DOCUMENTED[owner]:
        doc = inspect.getdoc(getattr(target, name)) or ""
        for section in ("Parameters", "Returns"):
            arguments = set(inspect.signature(getattr(target, name)).parameters) - {"self", "cls"}
            if section == "Parameters" and not arguments:
                continue
            assert f"{section}\n---" in doc, f"{owner}.{name} has no {section} section"
        if owner.endswith("SynphysDatabase") or name in ("load_demo", "to_pandas"):
            assert "Examples\n---" in doc, f"{owner}.{name} has no Examples section"
