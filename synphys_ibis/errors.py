"""Errors raised by synphys_ibis.

Every error derives from :class:`SynphysError`; each also derives from the builtin exception users
already catch for that kind of mistake (``ValueError``, ``LookupError``, ...). Messages name the bad
value, the allowed values and, where one is close, the value that was probably meant.

Examples
--------
>>> from synphys_ibis.errors import InvalidArgumentError
>>> err = InvalidArgumentError.for_value("synapse_type", "exc", ["ex", "in", "mixed"])
>>> print(err)
synapse_type='exc' is not allowed; allowed values: 'ex', 'in', 'mixed'. Did you mean 'ex'?
>>> isinstance(err, ValueError)
True
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, Self

__all__ = [
    "ColumnNotFoundError",
    "ConnectionFailedError",
    "CopyError",
    "DecodeError",
    "DownloadError",
    "ExtensionLoadError",
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "ManifestError",
    "MissingProvenanceError",
    "NotAReleaseError",
    "QueryError",
    "QueryFailedError",
    "ReadOnlyError",
    "SchemaMismatchError",
    "SynphysError",
    "TableNotFoundError",
    "UnknownReleaseError",
    "UnsupportedOperationError",
    "UnsupportedSchemaError",
    "VerificationError",
]

_MAX_LISTED = 20
_MAX_SHOWN = 200


def format_value(value: Any, *, limit: int = _MAX_SHOWN) -> str:
    """``repr(value)`` cut after ``limit`` characters (a huge number or text stays readable)."""
    try:
        text = repr(value)
    except ValueError:  # an int past sys.get_int_max_str_digits()
        text = f"<int of {value.bit_length()} bits>" if isinstance(value, int) else "<value>"
    return text if len(text) <= limit else f"{text[: limit - 5]}...{text[-2:]}"


def format_allowed(allowed: Iterable[Any], *, limit: int = _MAX_LISTED) -> str:
    """Render allowed values sorted, quoted, and cut after ``limit`` entries."""
    values = sorted({repr(v) for v in allowed})
    shown = ", ".join(values[:limit])
    if len(values) > limit:
        shown += f", ... ({len(values) - limit} more)"
    return shown or "(none)"


def did_you_mean(bad: Any, allowed: Iterable[Any]) -> str:
    """Return ``" Did you mean 'x'?"`` when a close match of ``bad`` exists, else ``""``."""
    if not isinstance(bad, str):
        return ""
    candidates = {str(a): a for a in allowed if a is not None}
    matches = difflib.get_close_matches(bad, list(candidates), n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in candidates}
        if bad.lower() in lowered:
            matches = [lowered[bad.lower()]]
    return f" Did you mean {candidates[matches[0]]!r}?" if matches else ""


class SynphysError(Exception):
    """Base class of every error raised by synphys_ibis."""


class InvalidArgumentError(SynphysError, ValueError):
    """An argument has a value (or type) that the function does not accept."""

    @classmethod
    def for_value(
        cls, name: str, value: Any, allowed: Iterable[Any], *, hint: str = ""
    ) -> InvalidArgumentError:
        allowed = list(allowed)
        message = (
            f"{name}={format_value(value)} is not allowed; allowed values: {format_allowed(allowed)}."
            f"{did_you_mean(value, allowed)}"
        )
        return cls(message + (f" {hint}" if hint else ""))


class InvalidArgumentTypeError(InvalidArgumentError, TypeError):
    """An argument has a type that the function does not accept (also a ``TypeError``)."""


class _NotFound(SynphysError, LookupError):
    kind = "name"

    @classmethod
    def for_name(cls, name: Any, known: Iterable[Any], *, where: str = "", hint: str = "") -> Self:
        known = list(known)
        location = f" in {where}" if where else ""
        message = (
            f"unknown {cls.kind} {format_value(name)}{location}; "
            f"known {cls.kind}s: {format_allowed(known)}."
            f"{did_you_mean(name, known)}"
        )
        return cls(message + (f" {hint}" if hint else ""))

    def __str__(self) -> str:  # LookupError would quote the message like a KeyError
        return str(self.args[0]) if self.args else ""


class ColumnNotFoundError(_NotFound, ValueError):
    """A column (or cell-class criterion) name does not exist."""

    kind = "column"


class TableNotFoundError(_NotFound, ValueError):
    """A table name does not exist in the schema or database."""

    kind = "table"

    @classmethod
    def for_missing(
        cls, table: str, *, schema_version: str, needed_by: str | None = None
    ) -> TableNotFoundError:
        """A table of schema ``schema_version`` that the database does not hold (a partial copy).

        ``needed_by`` names the query argument that needs it (e.g. ``"preload='synapse'"``).
        """
        if needed_by is None:
            return cls(
                f"table {table!r} of schema version {schema_version} is not in this database "
                f"(a partial copy of the release); open a complete release to read it"
            )
        return cls(
            f"{needed_by} needs table {table}, which this database (schema version "
            f"{schema_version}) does not hold (a partial copy of the release); leave out "
            f"that argument or open a complete release"
        )


class UnknownReleaseError(_NotFound, ValueError):
    """A release name or size is not in the release manifest."""

    kind = "release"


class UnsupportedSchemaError(SynphysError, ValueError):
    """A database has a schema version that this library cannot query."""


class SchemaMismatchError(UnsupportedSchemaError):
    """A database's tables are not those of the schema version its metadata row records."""


class NotAReleaseError(SynphysError, ValueError):
    """A file or database is not a synphys release (no SQLite header, no metadata row, ...)."""


class ExtensionLoadError(SynphysError, ImportError):
    """A DuckDB extension could not be loaded offline."""


class UnsupportedOperationError(InvalidArgumentError):
    """An engine does not do this operation (a declared gap, e.g. writing a Parquet dataset).

    The message names the engine and the operation.
    """

    @classmethod
    def for_engine(
        cls, engine: str, operation: str, *, hint: str = ""
    ) -> UnsupportedOperationError:
        return cls(
            f"the {engine} engine does not support {operation}" + (f"; {hint}" if hint else "")
        )


class ReadOnlyError(SynphysError, PermissionError):
    """A write was attempted through a read-only database handle."""


class DownloadError(SynphysError, OSError):
    """A release could not be downloaded (network error, offline mode, server error)."""


class VerificationError(SynphysError, ValueError):
    """A file failed verification: checksum, size, SQLite header or schema version."""


class CopyError(SynphysError, RuntimeError):
    """A table copy between databases failed; the destination was left untouched."""


class ManifestError(SynphysError, ValueError):
    """A release manifest is malformed: missing keys, bad names, sizes or checksums."""


class DecodeError(SynphysError, ValueError):
    """A stored value could not be decoded (malformed ``.npy`` bytes or JSON text).

    Attributes
    ----------
    column
        The column the value came from.
    row
        Its position in the decoded column (0-based), or None when unknown.
    row_id
        The row's ``id`` when the table has one, else None.
    """

    def __init__(
        self, message: str, *, column: str, row: int | None = None, row_id: Any = None
    ) -> None:
        where = f"column {column!r}"
        if row is not None:
            where += f", row {row}"
        if row_id is not None:
            where += f" (id={row_id})"
        super().__init__(f"{where}: {message}")
        self.column = column
        self.row = row
        self.row_id = row_id


class MissingProvenanceError(SynphysError, LookupError):
    """A file holds no synphys_ibis provenance record."""


class QueryError(SynphysError, RuntimeError):
    """The engine failed while running a query (a value out of range, a logarithm of a negative
    number, ...); the engine's own error is the cause (``__cause__``) and its message is kept."""


class QueryFailedError(QueryError):
    """A command of the command line failed in the engine (a :class:`QueryError`)."""


class ConnectionFailedError(SynphysError, ConnectionError):
    """A database server could not be reached or refused the connection (host, port, database
    name or credentials); the message names the address with its password redacted and keeps
    the driver's error as the cause."""
