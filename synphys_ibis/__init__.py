"""synphys_ibis: the Allen Institute Synaptic Physiology releases as lazy Ibis tables.

Open a release with :meth:`SynphysDatabase.load_sqlite` (or download one with
:meth:`SynphysDatabase.load_current`), describe cells with :class:`CellClass`, and query pairs with
:meth:`SynphysDatabase.pair_query` and :meth:`SynphysDatabase.matrix_pair_query`.

The names below are imported on first use (PEP 562), so ``import synphys_ibis`` and the
``synphys-ibis`` command's ``--help`` load neither Ibis, DuckDB, pandas nor pyarrow.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from synphys_ibis._version import __version__
from synphys_ibis.errors import (
    ColumnNotFoundError,
    ConnectionFailedError,
    CopyError,
    DecodeError,
    DownloadError,
    ExtensionLoadError,
    InvalidArgumentError,
    ManifestError,
    NotAReleaseError,
    QueryError,
    ReadOnlyError,
    SchemaMismatchError,
    SynphysError,
    TableNotFoundError,
    UnknownReleaseError,
    UnsupportedSchemaError,
    VerificationError,
)

if TYPE_CHECKING:
    from synphys_ibis import synthetic
    from synphys_ibis.database import Database, db_address
    from synphys_ibis.grids import connectivity_grid
    from synphys_ibis.query.cell_class import (
        CellClass,
        human_layer_classes,
        mouse_ei_classes,
        mouse_layer_classes,
        tutorial_classes,
    )
    from synphys_ibis.schema import SCHEMA_VERSION, SUPPORTED_SCHEMA_VERSIONS
    from synphys_ibis.synphys import SynphysDatabase

#: Lazily imported public names: name -> the module defining it.
_LAZY = {
    "Database": "synphys_ibis.database",
    "db_address": "synphys_ibis.database",
    "connectivity_grid": "synphys_ibis.grids",
    "CellClass": "synphys_ibis.query.cell_class",
    "human_layer_classes": "synphys_ibis.query.cell_class",
    "mouse_ei_classes": "synphys_ibis.query.cell_class",
    "mouse_layer_classes": "synphys_ibis.query.cell_class",
    "tutorial_classes": "synphys_ibis.query.cell_class",
    "SCHEMA_VERSION": "synphys_ibis.schema",
    "SUPPORTED_SCHEMA_VERSIONS": "synphys_ibis.schema",
    "SynphysDatabase": "synphys_ibis.synphys",
}
_SUBMODULES = ("synthetic",)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "SCHEMA_VERSION",
    "SUPPORTED_SCHEMA_VERSIONS",
    "CellClass",
    "ColumnNotFoundError",
    "ConnectionFailedError",
    "CopyError",
    "Database",
    "DecodeError",
    "DownloadError",
    "ExtensionLoadError",
    "InvalidArgumentError",
    "ManifestError",
    "NotAReleaseError",
    "QueryError",
    "ReadOnlyError",
    "SchemaMismatchError",
    "SynphysDatabase",
    "SynphysError",
    "TableNotFoundError",
    "UnknownReleaseError",
    "UnsupportedSchemaError",
    "VerificationError",
    "__version__",
    "connectivity_grid",
    "db_address",
    "human_layer_classes",
    "mouse_ei_classes",
    "mouse_layer_classes",
    "synthetic",
    "tutorial_classes",
]
