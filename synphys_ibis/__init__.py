"""synphys_ibis: the Allen Institute Synaptic Physiology releases as lazy Ibis tables.

Open a release with :meth:`SynphysDatabase.load_sqlite` (or download one with
:meth:`SynphysDatabase.load_current`), describe cells with :class:`CellClass`, and query pairs with
:meth:`SynphysDatabase.pair_query` and :meth:`SynphysDatabase.matrix_pair_query`.
"""

from __future__ import annotations

from synphys_ibis import synthetic
from synphys_ibis._version import __version__
from synphys_ibis.database import Database, db_address
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
from synphys_ibis.query.cell_class import (
    CellClass,
    human_layer_classes,
    mouse_ei_classes,
    mouse_layer_classes,
    tutorial_classes,
)
from synphys_ibis.schema import SCHEMA_VERSION, SUPPORTED_SCHEMA_VERSIONS
from synphys_ibis.synphys import SynphysDatabase

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
    "db_address",
    "human_layer_classes",
    "mouse_ei_classes",
    "mouse_layer_classes",
    "synthetic",
    "tutorial_classes",
]
