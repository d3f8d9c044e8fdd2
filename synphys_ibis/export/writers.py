"""Export query results to Arrow, pandas, Parquet and CSV, with a record of where they came from.

A :class:`RecordedQuery` is a lazy query together with the release it reads and the arguments that
built it (:func:`record` makes one from a ``SynphysDatabase`` method). Exporting it writes, next to
the rows, a :class:`~synphys_ibis.export.provenance.Provenance` record: the release name and its sha256
(when known), the schema version, the library and Ibis versions, the query's method and
parameters, and its SQL. Parquet files carry the record in their key-value metadata (key
``synphys_ibis.provenance``, JSON text); CSV files get a ``<file>.provenance.json`` sidecar;
:func:`read_provenance` reads either back. The record itself (building it, finding the release's
sha256, storing and reading it) lives in :mod:`synphys_ibis.export.provenance`; its names are re-exported
here (``export.Provenance``, ``export.read_provenance``, ...).

Exports stream: rows come from ``to_pyarrow_batches`` in batches of ``batch_size`` and are written
as they arrive (memory stays bounded by a few batches), with a progress bar. Files are written
under a temporary name and renamed into place only when complete.

Examples: see :mod:`synphys_ibis.export`, which re-exports these writers.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, TypeAlias

import pandas as pd
import pyarrow as pa
from ibis.expr.types import Table as IbisTable

from synphys_ibis.errors import InvalidArgumentError, MissingProvenanceError
from synphys_ibis.export import codecs
from synphys_ibis.export._tempdir import owned_temp_dir, remove_abandoned, replace_with
from synphys_ibis.export.provenance import (
    DATASET_PROVENANCE,
    PROVENANCE_FORMAT,
    PROVENANCE_KEY,
    SHA256_AUTO_LIMIT,
    Provenance,
    QueriedRelease,
    RecordedQuery,
    Sha256Mode,
    describe_params,
    provenance_of,
    read_provenance,
    release_sha256,
    schema_metadata,
    write_sidecar,
)

__all__ = [
    "PROVENANCE_FORMAT",
    "PROVENANCE_KEY",
    "SHA256_AUTO_LIMIT",
    "MissingProvenanceError",
    "Provenance",
    "RecordedQuery",
    "describe_params",
    "provenance_of",
    "read_provenance",
    "record",
    "release_sha256",
    "to_arrow",
    "to_csv",
    "to_pandas",
    "to_parquet",
]

logger = logging.getLogger("synphys_ibis")

#: The ``SynphysDatabase`` methods :func:`record` can call.
RECORDABLE_METHODS = ("pair_query", "matrix_pair_query", "connectivity_matrix", "table")
#: A method of ``SynphysDatabase`` that :func:`record` records.
RecordableMethod: TypeAlias = Literal[
    "pair_query", "matrix_pair_query", "connectivity_matrix", "table"
]


# -- the recorded query ---------------------------------------------------------------------------
def record(
    db: QueriedRelease, method: RecordableMethod = "pair_query", /, **params: Any
) -> RecordedQuery:
    """Build a lazy query with ``db.<method>(**params)`` and remember how it was built.

    Parameters
    ----------
    db
        An open release.
    method
        ``'pair_query'`` (default), ``'matrix_pair_query'``, ``'connectivity_matrix'`` or
        ``'table'`` (``name=``).
    **params
        Keyword arguments of that method.

    Returns
    -------
    RecordedQuery
        The lazy query (``.table``), the release (``.db``), ``.method`` and ``.params``.

    Raises
    ------
    InvalidArgumentError
        For an unknown method, or any invalid argument of the method itself.

    Examples
    --------
    >>> import os, tempfile
    >>> from synphys_ibis import SynphysDatabase, CellClass, synthetic
    >>> tmp = tempfile.mkdtemp()
    >>> path = synthetic.write_release(os.path.join(tmp, "r.sqlite"), n_experiments=5)
    >>> db = SynphysDatabase.load_sqlite(path, native_cache=False)
    >>> query = record(db, "connectivity_matrix", pre_classes=[CellClass(cre_type="sst")],
    ...                post_classes=[CellClass(cre_type="pvalb")])
    >>> query.method, sorted(query.params)
    ('connectivity_matrix', ['post_classes', 'pre_classes'])
    >>> record(db, "drop_tables")
    Traceback (most recent call last):
    ...
    synphys_ibis.errors.InvalidArgumentError: ...
    """
    if method not in RECORDABLE_METHODS:
        raise InvalidArgumentError.for_value("method", method, RECORDABLE_METHODS)
    table = getattr(db, method)(**params)
    return RecordedQuery(db=db, table=table, method=method, params=dict(params))


# -- in-memory conversions ---------------------------------------------------------------------
def _table_of(source: IbisTable | RecordedQuery) -> IbisTable:
    if isinstance(source, RecordedQuery):
        return source.table
    if isinstance(source, IbisTable):
        return source
    raise InvalidArgumentError(
        f"expected an Ibis table or a RecordedQuery, not {type(source).__name__}"
    )


def to_arrow(
    source: IbisTable | RecordedQuery,
    *,
    decode_arrays: bool = True,
    decode_json: bool = True,
    limit: int | None = None,
    sha256: Sha256Mode = "auto",
) -> pa.Table:
    """Run a query and return an Arrow table with arrays as lists and JSON as structs.

    A :class:`RecordedQuery` also stores its provenance record in the schema metadata (under
    :data:`PROVENANCE_KEY`), so ``pyarrow.parquet.write_table`` keeps it. Every field is
    nullable (engines declare some joined columns NOT NULL although they hold NULLs, which
    Parquet writers refuse).

    Parameters
    ----------
    source
        A lazy Ibis table, or a :class:`RecordedQuery` (see :func:`record`).
    decode_arrays
        Decode ``array`` columns (``.npy`` bytes) into ``list<T>`` columns.
    decode_json
        Decode JSON text columns into structs.
    limit
        Return at most this many rows (None: all).
    sha256
        How to find the release's sha256 for the record (see :func:`release_sha256`).

    Returns
    -------
    pyarrow.Table
        The rows, decoded as asked.

    Raises
    ------
    DecodeError
        For a malformed stored value (see :func:`synphys_ibis.export.codecs.decode_table`).

    Examples
    --------
    >>> import os, tempfile
    >>> from synphys_ibis import SynphysDatabase, CellClass, synthetic
    >>> tmp = tempfile.mkdtemp()
    >>> path = synthetic.write_release(os.path.join(tmp, "r.sqlite"), n_experiments=5)
    >>> db = SynphysDatabase.load_sqlite(path, native_cache=False)
    >>> table = to_arrow(record(db, "pair_query", synapse=True, preload=["synapse"]), limit=3)
    >>> table.num_rows, str(table.schema.field("resting_state_fit_ic_avg_data").type)
    (3, 'list<item: double>')
    >>> b"synphys_ibis.provenance" in table.schema.metadata
    True
    """
    table = _table_of(source)
    result = table.to_pyarrow(limit=limit)
    result = result.cast(_nullable(result.schema))
    result = codecs.decode_table(result, decode_arrays=decode_arrays, decode_json=decode_json)
    if isinstance(source, RecordedQuery):
        provenance = provenance_of(source, sha256=sha256)
        result = result.replace_schema_metadata(schema_metadata(provenance, result.schema.metadata))
    return result


def to_pandas(
    source: IbisTable | RecordedQuery,
    *,
    decode_arrays: bool = True,
    decode_json: bool = True,
    limit: int | None = None,
) -> pd.DataFrame:
    """Run a query and return a pandas frame with NumPy arrays and Python objects decoded.

    The frame has the dtypes of ``table.to_pandas()``: integer columns holding NULLs are
    nullable ``Int64``, boolean columns ``boolean`` (never float64 or object); only the decoded
    array and JSON columns become object columns.

    Parameters
    ----------
    source
        A lazy Ibis table, or a query recorded with :func:`record`.
    decode_arrays
        Turn ``.npy`` bytes into NumPy arrays.
    decode_json
        Turn JSON text into Python objects.
    limit
        At most this many rows (default: all).

    Returns
    -------
    pandas.DataFrame
        One row per result row.

    Raises
    ------
    DecodeError
        For a malformed stored value.

    Examples
    --------
    >>> import os, tempfile
    >>> from synphys_ibis import SynphysDatabase, synthetic
    >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
    >>> with SynphysDatabase.load_sqlite(path, native_cache=False) as db:
    ...     frame = to_pandas(db.pair_query(synapse=True, preload=["synapse"]), limit=5)
    >>> str(frame.has_synapse.dtype)
    'boolean'
    >>> type(frame.resting_state_fit_ic_avg_data.dropna().iloc[0]).__name__
    'ndarray'
    """
    frame = _table_of(source).to_pandas(limit=limit)
    return codecs.decode_frame(frame, decode_arrays=decode_arrays, decode_json=decode_json)


# -- streaming exports ---------------------------------------------------------------------------------
def _check_batching(batch_size: int, name: str = "batch_size") -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidArgumentError(f"{name} must be a positive integer, not {batch_size!r}")


@contextmanager
def _progress(table: IbisTable, *, enabled: bool, desc: str) -> Iterator[Callable[[int], None]]:
    from synphys_ibis import progress

    if not progress.enabled(enabled):

        def ignore(rows: int) -> None:
            return None

        yield ignore
        return
    total = int(table.count().to_pyarrow().as_py())
    with progress.bar(total=total, desc=desc, unit="rows", unit_scale=True, leave=False) as bar:

        def advance(rows: int) -> None:
            bar.update(rows)

        yield advance


class _ArrayDecoder:
    """Decodes the array columns of a stream of batches to ``list<T>`` with one stable schema.

    ``T`` is the NumPy type of the first array seen in each column; batches that come before a
    column's first array are held back (at most ``hold`` of them, then ``T`` is float64).
    """

    def __init__(self, schema: pa.Schema, columns: list[str], *, hold: int = 16) -> None:
        self.schema = schema
        self.columns = columns
        self.types: dict[str, pa.DataType] = {}
        self.hold = hold
        self.pending: list[pa.RecordBatch] = []

    def _decode(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        arrays = list(batch.columns)
        names = batch.schema.names
        ids = batch.column("id").to_pylist() if "id" in names else None
        for name in self.columns:
            index = names.index(name)
            decoded = codecs.arrays_to_arrow(
                batch.column(index), column=name, ids=ids, value_type=self.types.get(name)
            )
            if name not in self.types and decoded.null_count < len(decoded):
                self.types[name] = decoded.type.value_type
            arrays[index] = decoded
        return pa.RecordBatch.from_arrays(arrays, names=names)

    def _final_schema(self) -> pa.Schema:
        schema = self.schema
        for name in self.columns:
            value_type = self.types.setdefault(name, pa.float64())
            index = schema.get_field_index(name)
            schema = schema.set(index, pa.field(name, pa.list_(value_type)))
        return schema

    def _conform(self, batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
        try:
            return batch.cast(schema)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
            raise codecs.DecodeError(
                f"arrays change type within the column ({err})", column=", ".join(self.columns)
            ) from err

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """Yield decoded batches, all with :meth:`_final_schema` (metadata aside)."""
        schema = None
        for batch in batches:
            decoded = self._decode(batch)
            if schema is None:
                self.pending.append(decoded)
                if len(self.types) < len(self.columns) and len(self.pending) < self.hold:
                    continue
                schema = self._final_schema()
                for held in self.pending:
                    yield self._conform(held, schema)
                self.pending = []
                continue
            yield self._conform(decoded, schema)
        if schema is None:
            schema = self._final_schema()
            for held in self.pending:
                yield self._conform(held, schema)
            self.pending = []


def _nullable(schema: pa.Schema) -> pa.Schema:
    """``schema`` with every field nullable.

    The engines' declared NOT NULL flags are not reliable for joined results (a left-joined
    primary key is declared NOT NULL yet holds NULLs), and Parquet writers refuse NULLs in a
    NOT NULL column.
    """
    return pa.schema([f.with_nullable(True) for f in schema], metadata=schema.metadata)


def _batches(
    table: IbisTable, *, batch_size: int, decode_arrays: bool
) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """The schema of the written rows and their batches, every batch conforming to it.

    Every field is nullable (see :func:`_nullable`); every batch is cast to the schema.
    """
    reader = table.to_pyarrow_batches(chunk_size=batch_size)
    array_columns = [n for n, k in codecs.encoded_columns(reader.schema).items() if k == "array"]
    if decode_arrays and array_columns:
        decoder = _ArrayDecoder(_nullable(reader.schema), array_columns)
        stream = decoder(iter(reader))
        first = next(stream, None)
        schema = _nullable(decoder._final_schema())
        head = [] if first is None else [first]
    else:
        stream, head, schema = iter(reader), [], _nullable(reader.schema)

    def conforming() -> Iterator[pa.RecordBatch]:
        for batch in head:
            yield batch.cast(schema)
        for batch in stream:
            yield batch.cast(schema)

    return schema, conforming()


@contextmanager
def _atomic_path(target: Path, *, overwrite: bool, directory: bool) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it only if the block succeeds."""
    remove_abandoned(target, separator="-")  # of killed writes (a previous target put back)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    with owned_temp_dir(target, separator="-") as tmp:  # umask mode, its lock held
        work = tmp if directory else tmp / target.name
        try:
            yield work
            if target.is_dir() and not directory:
                raise IsADirectoryError(f"{target} is a directory; cannot replace it with a file")
            replace_with(work, target, temp=tmp)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)


def to_parquet(
    query: RecordedQuery,
    path: str | os.PathLike[str],
    *,
    dataset: bool = False,
    batch_size: int = 65_536,
    rows_per_file: int = 1_000_000,
    decode_arrays: bool = False,
    compression: str = "zstd",
    progress: bool = True,
    sha256: Sha256Mode = "auto",
    overwrite: bool = False,
) -> Provenance:
    """Stream a recorded query to a Parquet file (or a dataset directory) with its provenance.

    Parameters
    ----------
    query
        The query and where it came from (see :func:`record`).
    path
        The file to write, or with ``dataset=True`` the directory to fill with
        ``part-00000.parquet``, ``part-00001.parquet``, ... (each holding at most
        ``rows_per_file`` rows and the provenance record). On an engine that writes where it
        computes (Spark), a dataset is written by its executors with its own Parquet writer:
        nothing passes through this process, part files are named by Spark, and the record
        is kept in ``_synphys_provenance.json`` in the directory (``read_provenance`` reads it).
    batch_size
        Rows fetched and written at a time; memory use is a few batches.
    decode_arrays
        Store ``array`` columns as ``list<T>`` instead of ``.npy`` bytes. JSON columns stay JSON
        text (their structure varies from row to row); decode them on reading with
        :func:`synphys_ibis.export.codecs.decode_table`.
    compression
        Parquet compression codec.
    progress
        Show a progress bar (this counts the rows first, with one more query).
    sha256
        How to find the release's sha256 (see :func:`release_sha256`).
    overwrite
        Replace an existing file or directory.

    Returns
    -------
    Provenance
        The record written into the file's metadata.

    Raises
    ------
    FileExistsError
        When ``path`` exists and ``overwrite`` is False.
    DecodeError
        With ``decode_arrays=True``, for malformed array bytes.

    Examples
    --------
    >>> import os, tempfile
    >>> from synphys_ibis import SynphysDatabase, CellClass, synthetic
    >>> tmp = tempfile.mkdtemp()
    >>> path = synthetic.write_release(os.path.join(tmp, "r.sqlite"), n_experiments=5)
    >>> db = SynphysDatabase.load_sqlite(path, native_cache=False)
    >>> query = record(db, "pair_query", pre_class=CellClass(cre_type="sst"))
    >>> written = to_parquet(query, os.path.join(tmp, "sst.parquet"), progress=False)
    >>> written.method, written.params["pre_class"]["criteria"]
    ('pair_query', {'cre_type': 'sst'})
    >>> to_parquet(query, os.path.join(tmp, "sst.parquet"), progress=False)
    Traceback (most recent call last):
    ...
    FileExistsError: ...
    """
    import pyarrow.parquet as pq

    _check_batching(batch_size)
    _check_batching(rows_per_file, "rows_per_file")
    provenance = provenance_of(query, sha256=sha256)
    target = Path(path)
    engine = query.db.engine
    if dataset and not decode_arrays and engine.capabilities.writes_where_computed:
        with _atomic_path(target, overwrite=overwrite, directory=True) as work:
            engine.write_parquet_parts(
                query.table, work, compression=compression, rows_per_file=rows_per_file
            )
            (work / DATASET_PROVENANCE).write_text(provenance.to_json())
        logger.info("exported %s (%s) to %s from the engine's workers", provenance.method,
                    provenance.release, target)  # fmt: skip
        return provenance
    with (
        _atomic_path(target, overwrite=overwrite, directory=dataset) as work,
        _progress(query.table, enabled=progress, desc=f"writing {target.name}") as advance,
    ):
        schema, batches = _batches(query.table, batch_size=batch_size, decode_arrays=decode_arrays)
        schema = schema.with_metadata(schema_metadata(provenance, schema.metadata))
        if dataset:
            work.mkdir(parents=True, exist_ok=True)
        part, rows_in_part, writer = 0, 0, None
        try:
            for batch in batches:
                # a dataset's part holds exactly rows_per_file rows: batches are split to fit
                for piece in _split(batch, rows_per_file - rows_in_part, rows_per_file, dataset):
                    if writer is None or (dataset and rows_in_part >= rows_per_file):
                        if writer is not None:
                            writer.close()
                            part += 1
                        file = work / f"part-{part:05d}.parquet" if dataset else work
                        writer = pq.ParquetWriter(file, schema, compression=compression)
                        rows_in_part = 0
                    writer.write_batch(piece.replace_schema_metadata(schema.metadata))
                    rows_in_part += piece.num_rows
                advance(batch.num_rows)
            if writer is None:  # no rows: still write an empty file with the schema and record
                file = work / "part-00000.parquet" if dataset else work
                pq.ParquetWriter(file, schema, compression=compression).close()
        finally:
            if writer is not None:
                writer.close()
    logger.info("exported %s (%s) to %s", provenance.method, provenance.release, target)
    return provenance


def _split(
    batch: pa.RecordBatch, room: int, rows_per_file: int, dataset: bool
) -> Iterator[pa.RecordBatch]:
    """``batch`` cut so the first piece fills the ``room`` left in the current part and each
    further piece a whole part (one piece when not writing a dataset)."""
    if not dataset or room <= 0:
        room = rows_per_file
    if not dataset or batch.num_rows <= room:
        yield batch
        return
    yield batch.slice(0, room)
    for start in range(room, batch.num_rows, rows_per_file):
        yield batch.slice(start, rows_per_file)


def to_csv(
    query: RecordedQuery,
    path: str | os.PathLike[str],
    *,
    batch_size: int = 65_536,
    progress: bool = True,
    sha256: Sha256Mode = "auto",
    overwrite: bool = False,
) -> Provenance:
    """Stream a recorded query to a CSV file, with its provenance in ``<path>.provenance.json``.

    Array columns are written as JSON lists of numbers (CSV has no binary type); JSON columns as
    their JSON text.

    Parameters
    ----------
    query
        The query and where it came from (see :func:`record`).
    path
        The CSV file to write.
    batch_size
        Rows fetched and written at a time.
    progress
        Show a progress bar (this counts the rows first, with one more query).
    sha256
        How to find the release's sha256 (see :func:`release_sha256`).
    overwrite
        Replace an existing file.

    Returns
    -------
    Provenance
        The record written to ``<path>.provenance.json``.

    Raises
    ------
    FileExistsError
        When ``path`` exists and ``overwrite`` is False.
    DecodeError
        For malformed array bytes.

    Examples
    --------
    >>> import os, tempfile
    >>> from synphys_ibis import SynphysDatabase, CellClass, synthetic
    >>> tmp = tempfile.mkdtemp()
    >>> path = synthetic.write_release(os.path.join(tmp, "r.sqlite"), n_experiments=5)
    >>> db = SynphysDatabase.load_sqlite(path, native_cache=False)
    >>> written = to_csv(record(db, "table", name="cell"), os.path.join(tmp, "cells.csv"),
    ...                  progress=False)
    >>> os.path.exists(os.path.join(tmp, "cells.csv.provenance.json")), written.params
    (True, {'name': 'cell'})
    """
    import pyarrow.csv as pacsv

    _check_batching(batch_size)
    provenance = provenance_of(query, sha256=sha256)
    target = Path(path)
    with (
        _atomic_path(target, overwrite=overwrite, directory=False) as work,
        _progress(query.table, enabled=progress, desc=f"writing {target.name}") as advance,
    ):
        reader = query.table.to_pyarrow_batches(chunk_size=batch_size)
        kinds = codecs.encoded_columns(reader.schema)
        arrays = [n for n, k in kinds.items() if k == "array"]
        schema = reader.schema
        for name in arrays:
            schema = schema.set(schema.get_field_index(name), pa.field(name, pa.string()))
        with pacsv.CSVWriter(work, schema) as writer:
            for batch in reader:
                writer.write_batch(_arrays_as_json_text(batch, arrays).cast(schema))
                advance(batch.num_rows)
    write_sidecar(target, provenance)
    return provenance


def _arrays_as_json_text(batch: pa.RecordBatch, columns: list[str]) -> pa.RecordBatch:
    if not columns:
        return batch
    names = batch.schema.names
    ids = batch.column("id").to_pylist() if "id" in names else None
    arrays = list(batch.columns)
    for name in columns:
        index = names.index(name)
        decoded = codecs.arrays_to_numpy(batch.column(index), column=name, ids=ids)
        arrays[index] = pa.array(
            [None if a is None else json.dumps(a.tolist()) for a in decoded], type=pa.string()
        )
    return pa.RecordBatch.from_arrays(arrays, names=names)
