"""The Examples of the user-facing API run as doctests, offline, on synthetic releases."""

from __future__ import annotations

import doctest
import functools
import importlib
import inspect
import re
from typing import Any

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
    "synphys_ibis.export.provenance",
    "synphys_ibis.stats",
    "synphys_ibis.plotting",
]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


#: The user-facing API whose callables must document themselves: for a class, every public
#: function and property it (or a base class of the package) defines; for a module, the names.
DOCUMENTED: dict[str, list[str] | None] = {
    "synphys_ibis.database.Database": None,
    "synphys_ibis.synphys.SynphysDatabase": None,
    "synphys_ibis.query.cell_class.CellClass": None,
    "synphys_ibis.query.cell_class": [
        "mouse_layer_classes",
        "human_layer_classes",
        "mouse_ei_classes",
        "tutorial_classes",
    ],
    "synphys_ibis.releases": [
        "cached_path",
        "fetch",
        "fetch_current",
        "find_release",
        "is_supported",
        "list_cache",
        "list_current_versions",
        "list_versions",
        "load_manifest",
        "verify_cache",
    ],
    "synphys_ibis.releases.inventory": ["cache_inventory", "clean_cache"],
    "synphys_ibis.export.writers": [
        "to_arrow",
        "to_pandas",
        "to_parquet",
        "to_csv",
        "record",
        "read_provenance",
        "provenance_of",
        "release_sha256",
    ],
    "synphys_ibis.plotting": [
        "connectivity_heatmap",
        "metric_matrix",
        "metric_summary",
        "connectivity_profile",
        "connectivity_vs_distance",
    ],
    "synphys_ibis.grids": ["connectivity_grid"],
    "synphys_ibis.stats": ["clopper_pearson"],
    "synphys_ibis.demo": ["load_demo"],
}

#: Exceptions of the library: a callable that raises one of them names it under Raises.
LIBRARY_ERRORS = {
    name
    for name, value in vars(importlib.import_module("synphys_ibis.errors")).items()
    if isinstance(value, type) and issubclass(value, Exception)
}


def _owner(owner: str) -> Any:
    try:
        return importlib.import_module(owner)
    except ImportError:
        module_name, _, class_name = owner.rpartition(".")
        return getattr(importlib.import_module(module_name), class_name)


def _public_members(cls: type) -> dict[str, Any]:
    """The public functions and properties ``cls`` and its package base classes define."""
    members: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if not klass.__module__.startswith("synphys_ibis"):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_"):
                continue
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            if inspect.isfunction(value) or isinstance(
                value, (property, functools.cached_property)
            ):
                members[name] = value
    return members


def documented() -> list[tuple[str, str, Any]]:
    """Every (owner, name, callable or property) that :data:`DOCUMENTED` covers."""
    found = []
    for owner, names in DOCUMENTED.items():
        target = _owner(owner)
        if names is None:
            found += [(owner, name, value) for name, value in _public_members(target).items()]
        else:
            found += [(owner, name, getattr(target, name)) for name in names]
    return found


def _raised_errors(function: Any) -> set[str]:
    """The library errors ``function``'s own body raises by name."""
    try:
        source = inspect.getsource(inspect.unwrap(function))
    except (OSError, TypeError):
        return set()
    return set(re.findall(r"raise (\w+)", source)) & LIBRARY_ERRORS


def _section(doc: str, name: str) -> str:
    """The text of section ``name`` of a numpydoc docstring ('' if it has none)."""
    body = doc.partition(f"{name}\n---")[2]
    return re.split(r"^\w+\n-{3,}$", body.partition("\n")[2], maxsplit=1, flags=re.M)[0]


def missing_sections(value: Any) -> list[str]:
    """The numpydoc sections the docstring of ``value`` lacks."""
    doc = inspect.getdoc(value) or ""
    has = {section for section in re.findall(r"^(\w+)\n-{3,}$", doc, re.M)}
    missing = [] if doc.strip() and doc.splitlines()[0].strip() else ["summary"]
    if isinstance(value, (property, functools.cached_property)):
        getter = value.fget if isinstance(value, property) else value.func
        raises = _section(doc, "Raises")
        missing += [f"Raises {e}" for e in sorted(_raised_errors(getter)) if e not in raises]
        if "Examples" not in has:
            missing.append("Examples")
        return missing
    signature = inspect.signature(value)
    if set(signature.parameters) - {"self", "cls"} and "Parameters" not in has:
        missing.append("Parameters")
    returns = signature.return_annotation
    if returns not in ("None", None) and not has & {"Returns", "Yields"}:
        missing.append("Returns")
    raises = _section(doc, "Raises")
    missing += [f"Raises {e}" for e in sorted(_raised_errors(value)) if e not in raises]
    if "Examples" not in has:
        missing.append("Examples")
    return missing


def test_the_user_facing_api_is_covered() -> None:
    names = {f"{owner}.{name}" for owner, name, _ in documented()}
    for required in (
        "synphys_ibis.database.Database.iter_copy_tables",
        "synphys_ibis.synphys.SynphysDatabase.connectivity_fit",
        "synphys_ibis.synphys.SynphysDatabase.table",
        "synphys_ibis.query.cell_class.CellClass.predicate",
    ):
        assert required in names
    assert len(names) >= 120


@pytest.mark.parametrize("owner", list(DOCUMENTED))
def test_numpydoc_sections(owner: str) -> None:
    gaps = [
        f"{name}: {', '.join(missing)}"
        for found_owner, name, value in documented()
        if found_owner == owner and (missing := missing_sections(value))
    ]
    assert not gaps, f"{owner} lacks sections: " + "; ".join(gaps)


def test_the_check_finds_missing_sections() -> None:
    from synphys_ibis.errors import InvalidArgumentError

    def undocumented(x: int) -> int:
        """Twice ``x``."""
        if x < 0:
            raise InvalidArgumentError("x < 0")
        return 2 * x

    assert missing_sections(undocumented) == [
        "Parameters",
        "Returns",
        "Raises InvalidArgumentError",
        "Examples",
    ]
    assert missing_sections(property(lambda self: 1)) == ["summary", "Examples"]
