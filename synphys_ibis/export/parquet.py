"""Export a whole release to a Parquet dataset, verified before it is published.

Every table becomes a directory of Parquet files (``<dest>/<table>/part-00000.parquet``, ...)
holding the table's **raw stored values**, exactly as :func:`~synphys_ibis.maintenance.transfer.iter_copy_tables`
moves them between databases: ids, NULLs, booleans (as Parquet booleans), floats (NaN too),
JSON text (the published text ``'null'`` included), ``.npy`` bytes (the empty blob included)
and datetimes (as Parquet timestamps, microseconds, no time zone). Reading a file back gives the
rows of the source. Engines give these the logical types users see
(:func:`synphys_ibis.schema.normalize.typed_table`) when they open the dataset.

Row groups hold up to :data:`ROW_GROUP_ROWS` rows (DuckDB's own row-group size, which lets
engines scan in parallel and skip row groups by their min/max statistics), fewer for wide rows
so that one row group stays near :data:`ROW_GROUP_BYTES` uncompressed; a table's rows are split
into files of about :data:`FILE_BYTES` (uncompressed). Columns are compressed with zstd.

The dataset is written into a hidden temporary directory next to ``dest``
(``.<name>.<random>.tmp``); each table's files are checked (their footers must record the rows
the source holds) and the manifest ``synphys_dataset.json`` is written last. Only then is the
directory renamed to ``dest`` (a previous ``dest`` is moved aside to ``<temporary>.old`` for the
rename, and removed after it). On any failure the temporary directory is removed and ``dest`` is
as before. A killed export leaves its temporary: the next export to ``dest`` removes it once its
lock says its process is gone, and puts a previous ``dest`` that was moved aside back in place
(:mod:`synphys_ibis.export._tempdir`).

Examples
--------
>>> import os, tempfile
>>> from synphys_ibis import Database, synthetic
>>> from synphys_ibis.export.parquet import export_parquet
>>> from synphys_ibis.engines.dataset import read_manifest
>>> tmp = tempfile.mkdtemp()
>>> source = Database("sqlite:///", None, synthetic.write_release(os.path.join(tmp, "r.sqlite"),
...                                                               n_experiments=3))
>>> dest = export_parquet(source, os.path.join(tmp, "r.parquet"), progress=False)
>>> manifest = read_manifest(dest)
>>> manifest.schema_version, manifest.tables["pair"].rows > 0
('22', True)
>>> source.close()
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa

from synphys_ibis.engines.base import DatabaseHandle
from synphys_ibis.engines.dataset import (
    MANIFEST_NAME,
    DatasetFile,
    DatasetManifest,
    DatasetTable,
    is_dataset,
)
from synphys_ibis.engines.registry import engine_names, redact_password
from synphys_ibis.errors import CopyError, InvalidArgumentError
from synphys_ibis.export._tempdir import owned_temp_dir, remove_abandoned, replace_with
from synphys_ibis.export.parallel import (
    Piece,
    Progress,
    default_workers,
    join_pieces,
    plan_pieces,
    read_checkpoint,
    run_pieces,
    write_checkpoint,
)
from synphys_ibis.maintenance.transfer import DEFAULT_BATCH_ROWS, RawReader, progress_bar
from synphys_ibis.schema import Column, Table, load_schema

__all__ = [
    "ARROW_TYPES",
    "FILE_BYTES",
    "ROW_GROUP_BYTES",
    "ROW_GROUP_ROWS",
    "arrow_schema",
    "export_parquet",
]

logger = logging.getLogger("synphys_ibis")

#: Most rows in one row group (DuckDB's row-group size: 60 vectors of 2048 rows).
ROW_GROUP_ROWS = 122_880
#: Target uncompressed size of one row group: tables of wide rows get fewer rows per group.
ROW_GROUP_BYTES = 64 * 1024**2
#: Target uncompressed size of one file; larger tables are split into several files.
FILE_BYTES = 1024**3

#: The Arrow (and so Parquet) type of each logical column type in an exported dataset.
ARROW_TYPES: dict[str, pa.DataType] = {
    "int": pa.int64(),
    "bigint": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "str": pa.string(),
    "object": pa.string(),
    "datetime": pa.timestamp("us"),
    "array": pa.binary(),
}

_COMPRESSIONS = ("zstd", "snappy", "gzip", "lz4", "none")


def arrow_schema(columns: Iterable[Column]) -> pa.Schema:
    """The Arrow schema of an exported table with ``columns``."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in columns])


def export_parquet(
    source: DatabaseHandle,
    dest: str | os.PathLike[str],
    *,
    tables: Iterable[str] | None = None,
    skip_tables: Iterable[str] = (),
    row_group_rows: int | None = None,
    compression: str = "zstd",
    overwrite: bool = False,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    progress: bool = True,
    workers: int | None = None,
    resume: bool = False,
) -> Path:
    """Write the release ``source`` to a Parquet dataset at ``dest`` (a local directory).

    Parameters
    ----------
    source
        Any database (a SQLite release, a DuckDB file, PostgreSQL); read through DuckDB in
        Arrow batches, never modified.
    dest
        The dataset directory to create. Copy it anywhere afterwards (an S3 bucket, a web
        server): :meth:`~synphys_ibis.synphys.SynphysDatabase.load_parquet` opens it at any
        fsspec URL.
    tables
        The tables to export (default: every release table the source has).
    skip_tables
        Tables not to export (``["pulse_response", "recording"]`` keeps a dataset small).
    row_group_rows
        Rows per row group (default: chosen per table, see :data:`ROW_GROUP_ROWS`).
    compression
        Parquet compression codec: ``'zstd'`` (default), ``'snappy'``, ``'gzip'``, ``'lz4'`` or
        ``'none'``.
    overwrite
        Replace an existing dataset at ``dest`` (swapped out only after the new one is
        complete and verified).
    batch_rows
        Rows read from the source at a time (memory is bounded by a row group or a batch).
    progress
        Show a progress bar (rows of every table).
    workers
        Threads writing tables and pieces of big tables at once (default: one per core, at
        most 4; see :mod:`synphys_ibis.export.parallel`). Memory grows with each, by about a
        row group and a batch.
    resume
        Keep each finished table in ``.<dest name>.partial`` next to ``dest`` until the whole
        dataset is published, so that running the same export again after an interruption
        writes only the tables that were not finished (the source and the options must be
        the same). Without it a failed export leaves nothing behind.

    Returns
    -------
    pathlib.Path
        ``dest``.

    Raises
    ------
    InvalidArgumentError
        For an unknown table, codec or row-group size.
    CopyError
        If ``dest`` exists (and ``overwrite`` is false), or a table could not be exported or
        verified; nothing is left at ``dest`` then.
    """
    schema = load_schema(source.schema_version)
    names = _select(schema.table_names(), tables, "tables")
    skipped = set(_select(schema.table_names(), skip_tables, "skip_tables"))
    if compression not in _COMPRESSIONS:
        raise InvalidArgumentError.for_value("compression", compression, _COMPRESSIONS)
    for name, value in (
        ("row_group_rows", row_group_rows), ("batch_rows", batch_rows), ("workers", workers)
    ):  # fmt: skip
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise InvalidArgumentError(
                f"{name}={value!r} is not allowed; allowed values: an integer >= 1."
            )
    if not source.engine.capabilities.raw_batches:
        raise InvalidArgumentError.for_value(
            "source backend",
            source.backend,
            engine_names(lambda c: c.raw_batches),
            hint="A Parquet dataset is already exported; copy its directory instead.",
        )
    target = Path(dest).expanduser().absolute()
    remove_abandoned(target, separator=".")  # of killed exports (a previous target put back)
    if _occupied(target) and not overwrite:
        raise CopyError(f"{target} exists; pass overwrite=True to replace it")
    plan = [t for t in schema if t.name in names and t.name not in skipped]
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    with owned_temp_dir(target, separator=".") as temp:  # umask mode, its lock held
        try:
            manifest = _write_dataset(
                source, temp, plan, explicit=tables is not None,
                row_group_rows=row_group_rows, compression=compression,
                batch_rows=batch_rows, progress=progress, workers=workers,
                checkpoint=target.parent / f".{target.name}.partial" if resume else None,
            )  # fmt: skip
            _publish(temp, target, overwrite=overwrite)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
    logger.info(
        "exported %s to %s (%d tables, %d rows, %.1f MB) in %.2f s",
        source, target, len(manifest.tables), manifest.total_rows,
        manifest.total_bytes / 1e6, time.perf_counter() - started,
    )  # fmt: skip
    return target


def _select(known: list[str], names: Iterable[str] | None, argument: str) -> list[str]:
    if names is None:
        return list(known)
    names = [names] if isinstance(names, str) else list(names)
    for name in names:
        if name not in known:
            raise InvalidArgumentError.for_value(argument, name, known)
    return names


def _occupied(target: Path) -> bool:
    return target.exists() and (not target.is_dir() or any(target.iterdir()))


def _write_dataset(
    source: DatabaseHandle,
    root: Path,
    plan: list[Table],
    *,
    explicit: bool,
    row_group_rows: int | None,
    compression: str,
    batch_rows: int,
    progress: bool,
    workers: int | None = None,
    checkpoint: Path | None = None,
) -> DatasetManifest:
    """Write every table of ``plan`` into ``root``, in parallel pieces (:mod:`.parallel`).

    With ``checkpoint``, tables are written there first, each recorded when verified, and tables
    recorded by an earlier run of the same export are taken as they are; all are moved into
    ``root`` at the end and the checkpoint removed.
    """
    staging = root if checkpoint is None else checkpoint
    staging.mkdir(parents=True, exist_ok=True)
    written: dict[str, DatasetTable] = {}
    with RawReader(source) as reader:
        available = reader.tables()
        missing = [t.name for t in plan if t.name not in available]
        if explicit and missing:
            raise CopyError(f"{source!r} has no table(s) {missing}")
        specs = [t for t in plan if t.name in available]
        expected = {spec.name: reader.count(spec.name) for spec in specs}
        described = _describe_source(source)

        def fingerprint(spec: Table) -> dict[str, Any]:
            return {"source": described, "rows": expected[spec.name], "compression": compression,
                    "row_group_rows": row_group_rows, "schema_version": source.schema_version}  # fmt: skip

        todo = []
        for spec in specs:
            entry = (
                None if checkpoint is None else read_checkpoint(checkpoint, spec, fingerprint(spec))
            )
            if entry is None:
                shutil.rmtree(staging / spec.name, ignore_errors=True)
                todo.append(spec)
            else:
                logger.info("export of %s: table %r taken from the checkpoint", source, spec.name)
                written[spec.name] = entry
        pieces = [
            piece for spec in todo
            for piece in plan_pieces(spec, expected[spec.name], partial(_id_range, reader, spec))
        ]  # fmt: skip
        total = sum(expected[spec.name] for spec in todo)
        with progress_bar("export", total, progress) as update:
            advance = Progress(update)

            def write(piece: Piece) -> list[Path]:
                return _write_piece(reader, staging, piece, advance, batch_rows=batch_rows,
                                    row_group_rows=row_group_rows, compression=compression)  # fmt: skip

            def finish(spec: Table, parts: list[list[Path]]) -> None:
                files = join_pieces(staging / spec.name, parts) if len(parts) > 1 else parts[0]
                written[spec.name] = _verify_table(staging, spec, files, expected[spec.name])
                if checkpoint is not None:
                    write_checkpoint(checkpoint, written[spec.name], fingerprint(spec))

            try:
                run_pieces(pieces, write, finish, workers=workers or default_workers())
            except CopyError:
                raise
            except Exception as err:
                raise CopyError(f"exporting {source!r} failed: {err}") from err
    if checkpoint is not None:
        for spec in specs:
            os.replace(checkpoint / spec.name, root / spec.name)
        shutil.rmtree(checkpoint, ignore_errors=True)
    written = {spec.name: written[spec.name] for spec in specs}  # dependency order
    manifest = DatasetManifest(
        schema_version=source.schema_version,
        metadata=_metadata_row(root, written),
        tables=written,
        source=described,
        created=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        library=_library_version(),
    )
    (root / MANIFEST_NAME).write_text(manifest.to_json() + "\n", encoding="utf-8")
    return manifest


def _id_range(reader: RawReader, spec: Table) -> tuple[int | None, int | None]:
    raw = reader.raw
    low, high = raw.con.execute(
        f'SELECT min("id"), max("id") FROM {raw.prefix}"{spec.name}"'
    ).fetchone()
    return low, high


def _write_piece(
    reader: RawReader,
    root: Path,
    piece: Piece,
    advance: Callable[[pa.RecordBatch], None],
    *,
    batch_rows: int,
    row_group_rows: int | None,
    compression: str,
) -> list[Path]:
    """Write one piece of a table on its own cursor: into ``root/<table>`` if it is the only
    piece, else into ``root/<table>/piece-<k>`` (joined in order when all are written)."""
    spec, columns = piece.table, list(piece.table.columns)
    cursor = reader.raw.con.cursor()
    try:
        batches = reader.batches(spec.name, columns, batch_rows, where=piece.where, con=cursor)
        where, name = (root, spec.name) if piece.count == 1 else (
            root / spec.name, f"piece-{piece.index:05d}")  # fmt: skip
        return _write_table(
            where, name, arrow_schema(columns), batches, advance,
            row_group_rows=row_group_rows, compression=compression,
        )  # fmt: skip
    except Exception as err:
        raise CopyError(f"exporting table {spec.name!r} failed: {err}") from err
    finally:
        cursor.close()


def _rows_per_group(batch: pa.RecordBatch, fixed: int | None) -> int:
    if fixed is not None:
        return fixed
    per_row = max(1, batch.nbytes // max(1, batch.num_rows))
    return max(1024, min(ROW_GROUP_ROWS, ROW_GROUP_BYTES // per_row))


def _write_table(
    root: Path,
    name: str,
    schema: pa.Schema,
    batches: Iterator[pa.RecordBatch],
    update: Callable[[pa.RecordBatch], None],
    *,
    row_group_rows: int | None,
    compression: str,
) -> list[Path]:
    """Write ``batches`` as row groups of a fixed size into files of about FILE_BYTES."""
    directory = root / name
    directory.mkdir(parents=True)
    files: list[Path] = []
    writer: _FileWriter | None = None
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    group_rows: int | None = None

    def flush(rows: int) -> None:
        nonlocal writer, pending, pending_rows
        table = pa.Table.from_batches(pending, schema=schema)
        chunk, rest = table.slice(0, rows), table.slice(rows)
        if writer is None or writer.bytes >= FILE_BYTES:
            if writer is not None:
                writer.close()
            writer = _FileWriter(directory / f"part-{len(files):05d}.parquet", schema, compression)
            files.append(writer.path)
        writer.write(chunk, rows)
        pending = rest.to_batches()
        pending_rows = rest.num_rows

    try:
        for batch in batches:
            update(batch)
            batch = batch.cast(schema) if batch.schema != schema else batch
            if group_rows is None and batch.num_rows:
                group_rows = _rows_per_group(batch, row_group_rows)
            pending.append(batch)
            pending_rows += batch.num_rows
            while group_rows is not None and pending_rows >= group_rows:
                flush(group_rows)
        if pending_rows or not files:  # the rest, or an empty file holding the schema
            flush(pending_rows)
    finally:
        if writer is not None:
            writer.close()
    return files


class _FileWriter:
    """One Parquet file being written, with the uncompressed bytes it has received."""

    def __init__(self, path: Path, schema: pa.Schema, compression: str) -> None:
        import pyarrow.parquet as pq

        self.path = path
        self.bytes = 0
        self._writer = pq.ParquetWriter(
            path, schema, compression=compression, write_statistics=True
        )

    def write(self, table: pa.Table, rows: int) -> None:
        self._writer.write_table(table, row_group_size=max(1, rows))
        self.bytes += table.nbytes

    def close(self) -> None:
        self._writer.close()


def _verify_table(root: Path, spec: Table, files: list[Path], expected: int) -> DatasetTable:
    """Read back the footers: the files must hold the source's rows under the table's columns."""
    import pyarrow.parquet as pq

    entries = []
    for path in files:
        metadata = pq.read_metadata(path)
        names = metadata.schema.to_arrow_schema().names
        if names != spec.column_names:
            raise CopyError(f"{path} has columns {names}, not those of {spec.name!r}")
        relative = path.relative_to(root).as_posix()
        entries.append(DatasetFile(relative, metadata.num_rows, path.stat().st_size))
    held = sum(f.rows for f in entries)
    if held != expected:
        raise CopyError(
            f"row counts of {spec.name!r} differ: source {expected}, Parquet files {held}"
        )
    return DatasetTable(spec.name, held, tuple(entries), tuple(spec.column_names))


def _metadata_row(root: Path, tables: dict[str, DatasetTable]) -> dict[str, Any] | None:
    """The release's metadata row, read back from the exported ``metadata`` table."""
    if "metadata" not in tables or tables["metadata"].rows != 1:
        return None
    import pyarrow.parquet as pq

    (file,) = [f for f in tables["metadata"].files if f.rows]
    meta = pq.read_table(root / file.path, columns=["meta"]).column("meta")[0].as_py()
    try:
        value = json.loads(meta) if meta is not None else None
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _describe_source(source: DatabaseHandle) -> dict[str, Any]:
    described: dict[str, Any] = {
        "name": os.path.basename(source.db_name or ""),
        "backend": source.backend,
        "address": redact_password(source.ro_address),
    }
    if source.engine.capabilities.local_file and source.db_name and Path(source.db_name).is_file():
        stat = Path(source.db_name).stat()
        described.update(size=stat.st_size, mtime_ns=stat.st_mtime_ns)
    return described


def _library_version() -> str:
    from synphys_ibis._version import __version__

    return __version__


def _publish(temp: Path, target: Path, *, overwrite: bool) -> None:
    """Rename the finished ``temp`` to ``target``; an old ``target`` is removed only after."""
    if not is_dataset(temp):  # pragma: no cover - written just before
        raise CopyError(f"{temp} has no manifest; refusing to publish it")
    if target.exists() and not overwrite and _occupied(target):
        raise CopyError(f"{target} appeared during the export; pass overwrite=True")
    replace_with(temp, target, temp=temp)
