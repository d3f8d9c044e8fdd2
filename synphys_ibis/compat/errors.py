"""Errors of the aisynphys compatibility layer: every one names the replacement to use.

The layer raises :class:`UnsupportedIdiomError` for an idiom of ``aisynphys.database`` that it
does not reproduce, with the compat form (where there is one) and the native synphys_ibis form
in the message. Unknown table and column names on handles raise the package's
:class:`~synphys_ibis.errors.TableNotFoundError` / :class:`~synphys_ibis.errors.ColumnNotFoundError`
subclasses below, which are also ``AttributeError`` so that ``hasattr`` and ``getattr(obj, name,
default)`` behave as on any Python object.

Examples
--------
>>> err = UnsupportedIdiomError.for_idiom(
...     "q.outerjoin(...)", native="db.table('gap_junction') joined in Ibis")
>>> isinstance(err, NotImplementedError)
True
>>> print(err)
q.outerjoin(...) is not supported by synphys_ibis.compat. Native synphys_ibis: db.table('gap_junction') joined in Ibis. See the README section "Migrating from aisynphys".
"""

from __future__ import annotations

from synphys_ibis.errors import ColumnNotFoundError, SynphysError, TableNotFoundError

__all__ = [
    "QueryLengthError",
    "UnknownColumnError",
    "UnknownTableError",
    "UnsupportedIdiomError",
]

_GUIDE = 'See the README section "Migrating from aisynphys".'


class UnsupportedIdiomError(SynphysError, NotImplementedError):
    """An aisynphys idiom the compat layer does not reproduce; the message names the replacement."""

    @classmethod
    def for_idiom(
        cls, idiom: str, *, compat: str | None = None, native: str | None = None, why: str = ""
    ) -> UnsupportedIdiomError:
        parts = [f"{idiom} is not supported by synphys_ibis.compat{f' ({why})' if why else ''}."]
        if compat:
            parts.append(f"Compat form: {compat}.")
        if native:
            parts.append(f"Native synphys_ibis: {native}.")
        parts.append(_GUIDE)
        return cls(" ".join(parts))


class QueryLengthError(SynphysError, TypeError):
    """``len(query)``: queries have no length in aisynphys either (SQLAlchemy ``Query``).

    It derives from ``TypeError`` as Python's own "object has no len()" does, so ``list(query)``
    still works (``list`` asks for a length hint and ignores a ``TypeError``).
    """


class UnknownTableError(TableNotFoundError, AttributeError):
    """``db.SomeTable`` names no published table (also an ``AttributeError``)."""


class UnknownColumnError(ColumnNotFoundError, AttributeError):
    """``db.Table.some_column`` or ``record.some_column`` names no column (also an
    ``AttributeError``)."""
