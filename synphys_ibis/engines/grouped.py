"""Running a Python function over groups of a query's rows, as Arrow tables, where the rows are.

``apply_in_groups(table, by, func, schema)`` calls ``func(group)`` for the rows of ``table``
sharing a value of the column ``by`` (one ``pyarrow.Table`` per group) and gathers what it
returns (``pyarrow.Table``\\ s of ``schema``). This module holds the local way, used by every engine
whose rows reach this process (DuckDB, PostgreSQL, SQLite): the rows stream in order of ``by``
(``to_pyarrow_batches``), so memory holds one group and one batch, never the whole result.
Engines with workers of their own run the function there (Spark: ``groupBy().applyInArrow``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pyarrow as pa
import pyarrow.compute as pc
from ibis.expr.types import Table as IbisTable

__all__ = ["GroupFunction", "apply_locally"]

GroupFunction = Callable[[pa.Table], pa.Table]


def apply_locally(
    table: IbisTable, by: str, func: GroupFunction, schema: pa.Schema, *, batch_rows: int = 65_536
) -> pa.Table:
    """``func`` over the groups of ``table`` by ``by``, in this process (see the module doc)."""
    reader = table.order_by(by).to_pyarrow_batches(chunk_size=batch_rows)
    results = [func(group).cast(schema) for group in _groups(reader, by)]
    return pa.concat_tables(results) if results else schema.empty_table()


def _groups(reader: pa.RecordBatchReader, by: str) -> Iterator[pa.Table]:
    """The rows of ``reader`` (sorted by ``by``) as one table per value of ``by``."""
    pending: list[pa.Table] = []
    key: object = None
    for batch in reader:
        if not batch.num_rows:
            continue
        chunk = pa.Table.from_batches([batch])
        keys = chunk.column(by)
        changes = pc.indices_nonzero(pc.not_equal(keys.slice(1), keys.slice(0, len(keys) - 1)))
        bounds = [0, *(int(i) + 1 for i in changes.to_pylist()), len(keys)]
        for start, stop in itertools.pairwise(bounds):
            segment = chunk.slice(start, stop - start)
            value = keys[start].as_py()
            if pending and value != key:
                yield pa.concat_tables(pending)
                pending = []
            pending.append(segment)
            key = value
    if pending:
        yield pa.concat_tables(pending)
