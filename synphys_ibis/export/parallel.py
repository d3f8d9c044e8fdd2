"""Writing the tables of a Parquet dataset in parallel, in pieces, with per-table checkpoints.

A table of more than :data:`PIECE_ROWS` rows is cut into pieces by ranges of its ``id`` (the
published tables are stored in id order, so each piece is a contiguous run of rows). Every piece
of every table is one task of a pool of ``workers`` threads; each reads its rows on its own
cursor of the source's DuckDB connection and writes its own files, so reading (DuckDB), encoding
and compressing (Arrow's Parquet writer) run in parallel, all of them outside the GIL. Memory is
bounded by ``workers`` x (a row group + a batch). When every piece of a table is written, its
files are renamed into row order (``part-00000.parquet``, ...) and the table is verified.

With a checkpoint directory (``export_parquet(..., resume=True)``), each verified table is
recorded there (``<table>.done.json``: the source, the row count, the columns and the writing
options); a later export of the same source with the same options takes the recorded tables
as they are and writes only the others.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from synphys_ibis.engines.dataset import DatasetFile, DatasetTable
from synphys_ibis.schema import Table

__all__ = ["PIECE_ROWS", "Piece", "default_workers", "plan_pieces", "read_checkpoint"]

#: Tables of more rows than this are written in pieces of about this many rows.
PIECE_ROWS = 250_000


def default_workers() -> int:
    """Threads of an export: one per core, at most 4 (memory grows with each)."""
    return max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class Piece:
    """Rows ``where`` of ``table`` (all rows if None), the ``index``-th of its ``count`` pieces."""

    table: Table
    index: int
    count: int
    where: str | None
    rows: int


def plan_pieces(
    table: Table, expected: int, id_range: Callable[[], tuple[int | None, int | None]]
) -> list[Piece]:
    """The pieces of ``table`` (``expected`` rows; ``id_range()`` gives its min and max id)."""
    if expected <= PIECE_ROWS or not table.has_column("id"):
        return [Piece(table, 0, 1, None, expected)]
    low, high = id_range()
    if low is None or high is None:
        return [Piece(table, 0, 1, None, expected)]
    count = math.ceil(expected / PIECE_ROWS)
    step = math.ceil((high - low + 1) / count)
    bounds = [low + k * step for k in range(count)] + [high + 1]
    pieces = []
    for k in range(count):
        where = f'"id" >= {bounds[k]} AND "id" < {bounds[k + 1]}'
        if k == count - 1:
            where += ' OR "id" IS NULL'
        pieces.append(Piece(table, k, count, where, expected // count))
    return pieces


def run_pieces(
    pieces: list[Piece],
    write: Callable[[Piece], list[Path]],
    finish: Callable[[Table, list[list[Path]]], None],
    *,
    workers: int,
) -> None:
    """``write`` every piece on a pool of ``workers`` threads, largest tables first; when all
    pieces of a table are written, ``finish(table, files of each piece in order)`` (in this
    thread). The first failure cancels what has not started and is raised."""
    order = sorted(pieces, key=lambda p: (-p.rows * p.count, p.table.name, p.index))
    results: dict[str, list[list[Path] | None]] = {p.table.name: [None] * p.count for p in pieces}
    tables = {p.table.name: p.table for p in pieces}
    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="synphys-export") as pool:
        futures: dict[Future[list[Path]], Piece] = {pool.submit(write, p): p for p in order}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in done:
                error = future.exception()
                if error is not None:
                    for other in pending:
                        other.cancel()
                    raise error
                piece = futures[future]
                with lock:
                    slots = results[piece.table.name]
                    slots[piece.index] = future.result()
                    complete = all(s is not None for s in slots)
                if complete:
                    finish(tables[piece.table.name], [s for s in slots if s is not None])


def join_pieces(directory: Path, pieces: list[list[Path]]) -> list[Path]:
    """Rename the files of ``pieces`` (in order) to ``directory/part-00000.parquet``, ...; the
    pieces' own directories are removed."""
    files: list[Path] = []
    for path in (f for piece in pieces for f in piece):
        target = directory / f"part-{len(files):05d}.parquet"
        os.replace(path, target)
        files.append(target)
    for piece in pieces:
        for parent in {p.parent for p in piece}:
            if parent != directory:
                shutil.rmtree(parent, ignore_errors=True)
    return files


# -- checkpoints --------------------------------------------------------------------------------
def _done_path(checkpoint: Path, table: str) -> Path:
    return checkpoint / f"{table}.done.json"


def write_checkpoint(checkpoint: Path, entry: DatasetTable, fingerprint: dict[str, Any]) -> None:
    """Record that ``entry``'s files in ``checkpoint`` are complete and verified."""
    record = {
        "fingerprint": fingerprint,
        "rows": entry.rows,
        "columns": list(entry.columns),
        "files": [{"path": f.path, "rows": f.rows, "bytes": f.bytes} for f in entry.files],
    }
    temp = _done_path(checkpoint, entry.name).with_suffix(".tmp")
    temp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(temp, _done_path(checkpoint, entry.name))


def read_checkpoint(
    checkpoint: Path, table: Table, fingerprint: dict[str, Any]
) -> DatasetTable | None:
    """The recorded table, if it was written from the same source with the same options and
    its files are still there with the recorded sizes; else None."""
    path = _done_path(checkpoint, table.name)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if record["fingerprint"] != fingerprint or record["columns"] != table.column_names:
            return None
        files = tuple(
            DatasetFile(f["path"], int(f["rows"]), int(f["bytes"])) for f in record["files"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if any(
        not (checkpoint / f.path).is_file() or (checkpoint / f.path).stat().st_size != f.bytes
        for f in files
    ):
        return None
    return DatasetTable(table.name, int(record["rows"]), files, tuple(table.column_names))


class Progress:
    """A thread-safe row counter over a progress-bar update function."""

    def __init__(self, update: Callable[[pa.RecordBatch], None]) -> None:
        self._update = update
        self._lock = threading.Lock()

    def __call__(self, batch: pa.RecordBatch) -> None:
        with self._lock:
            self._update(batch)
