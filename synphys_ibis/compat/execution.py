"""Running the compat layer's statements, and decoding stored values the way aisynphys' ORM does.

Every statement the compat layer executes goes through :func:`run`, one Ibis expression = one
SQL statement, logged at DEBUG on the ``synphys_ibis`` logger with what it is for.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pyarrow as pa
from ibis.expr.types import Table as IbisTable

from synphys_ibis.export.codecs import decode_array, decode_json

__all__ = ["decoder", "run"]

logger = logging.getLogger("synphys_ibis")


def run(expr: IbisTable, purpose: str) -> pa.Table:
    """Execute ``expr`` (one SQL statement) and return its rows as Arrow."""
    started = time.perf_counter()
    result = expr.to_pyarrow()
    logger.debug(
        "compat: %s: %d rows in %.3f s", purpose, result.num_rows, time.perf_counter() - started
    )
    return result


def decoder(kind: str, column: str) -> Callable[[Any], Any] | None:
    """A function decoding one stored value of logical type ``kind``, or None if none is needed.

    ``array`` values (``.npy`` bytes) become NumPy arrays and ``object`` values (JSON text)
    Python objects; SQL NULL stays None (the typed tables already turn the on-disk markers of a
    missing value, ``b''`` and ``'null'``, into NULL, which the ORM also reads back as None).
    """
    if kind == "array":
        return lambda value: decode_array(value, column=column)
    if kind == "object":
        return lambda value: decode_json(value, column=column)
    return None
