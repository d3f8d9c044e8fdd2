"""Engine errors of running a query, raised as the library's :class:`~synphys_ibis.errors.QueryError`.

A query the library builds runs only when rows are asked for (``to_pyarrow``, ``to_pandas``,
``execute``, ``to_pyarrow_batches``, ``count().execute()``, ...), and a user's expression can fail
there in the engine: a cast out of range, the logarithm of a negative number. Each engine's Ibis
backend class mixes in :class:`QueryErrors`, naming its driver's error classes, so every engine
raises one error type for them, with the driver's error as the cause.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, ClassVar

import pyarrow as pa

from synphys_ibis.errors import QueryError, SynphysError

__all__ = ["QueryErrors"]


class QueryErrors:
    """Mixin for an Ibis backend: the driver's errors while running a query become QueryError."""

    #: The driver's error classes (each backend class sets them).
    _synphys_engine_errors: ClassVar[tuple[type[BaseException], ...]] = ()
    #: The engine's name in messages.
    _synphys_engine_label: ClassVar[str] = "the engine"

    @contextlib.contextmanager
    def _query_errors(self) -> Iterator[None]:
        try:
            yield
        except SynphysError:
            raise
        except self._synphys_engine_errors as err:
            raise QueryError(
                f"the query failed in {self._synphys_engine_label}: {err} (ibis.to_sql(query) "
                f"shows the SQL that ran; check the values the filters and expressions compute)"
            ) from err

    def execute(self, expr: Any, /, **kwargs: Any) -> Any:
        with self._query_errors():
            return super().execute(expr, **kwargs)  # type: ignore[misc]

    def to_pyarrow(self, expr: Any, /, **kwargs: Any) -> Any:
        with self._query_errors():
            return super().to_pyarrow(expr, **kwargs)  # type: ignore[misc]

    def to_pyarrow_batches(self, expr: Any, /, **kwargs: Any) -> pa.RecordBatchReader:
        with self._query_errors():
            reader = super().to_pyarrow_batches(expr, **kwargs)  # type: ignore[misc]
        return pa.RecordBatchReader.from_batches(reader.schema, self._checked(reader))

    def _checked(self, reader: pa.RecordBatchReader) -> Iterator[pa.RecordBatch]:
        """The batches of ``reader``; an engine error while reading one is a QueryError."""
        with self._query_errors():
            yield from reader
