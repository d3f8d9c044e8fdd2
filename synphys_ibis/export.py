"""Export query results to Arrow, pandas, Parquet and CSV, with a record of where they came from.

A :class:`RecordedQuery` is a lazy query together with the release it reads and the arguments that
built it (:func:`record` makes one from a ``SynphysDatabase`` method). Exporting it writes, next to
the rows, a :class:`Provenance` record: the release name and its sha256 (when known), the schema
version, the library and Ibis versions, the query's method and parameters, and its SQL. Parquet
files carry the record in their key-value metadata (key ``synphys_ibis.provenance``, JSON text);
CSV files get a ``<file>.provenance.json`` sidecar; :func:`read_provenance` reads either back.

Exports stream: rows come from ``to_pyarrow_batches`` in batches of ``batch_size`` and are written
as they arrive (memory stays bounded by a few batches), with a progress bar. Files are written
under a temporary name and renamed into place only when complete.

The release's sha256 is taken from the marker the release cache writes next to a downloaded and
verified file (``<release>.verified.json``, see :mod:`synphys_ibis.release_cache`) when it still
describes the file (same size and modification time), or else computed by reading the file
(``sha256='auto'`` computes it for files up to :data:`SHA256_AUTO_LIMIT` bytes, once per process
and file state; ``'compute'`` always, ``'skip'`` never). Releases without a local file (PostgreSQL)
record None.

Examples
--------
>>> import tempfile, os
>>> from synphys_ibis import SynphysDatabase, CellClass, synthetic, export
>>> tmp = tempfile.mkdtemp()
>>> path = synthetic.write_release(os.path.join(tmp, "demo.sqlite"), n_experiments=5)
>>> with SynphysDatabase.load_sqlite(path, native_cache=False) as db:
...     query = export.record(db, "pair_query", pre_class=CellClass(cre_type="sst"), synapse=True)
...     written = export.to_parquet(query, os.path.join(tmp, "sst.parquet"), progress=False)
>>> record = export.read_provenance(os.path.join(tmp, "sst.parquet"))
>>> record.release, record.params["synapse"], record.params["pre_class"]["criteria"]
('demo.sqlite', True, {'cre_type': 'sst'})
>>> record == written
True
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
from ibis.expr.types import Table as IbisTable

from synphys_ibis import codecs
from synphys_ibis.cell_class import CellClass
from synphys_ibis.errors import InvalidArgumentError, SynphysError

if TYPE_CHECKING:
    from synphys_ibis.synphys import SynphysDatabase

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

#: Key of the provenance record in Parquet key-value metadata and Arrow schema metadata.
PROVENANCE_KEY = "synphys_ibis.provenance"
#: Version tag of the provenance record's layout.
PROVENANCE_FORMAT = "synphys_ibis.provenance/1"
#: ``sha256='auto'`` hashes release files up to this size (bytes); larger ones need a marker.
SHA256_AUTO_LIMIT = 4 * 1024**3
#: The ``SynphysDatabase`` methods :func:`record` can call.
RECORDABLE_METHODS = ("pair_query", "matrix_pair_query", "connectivity_matrix", "table")

Sha256Mode = Literal["auto", "compute", "skip"]


class MissingProvenanceError(SynphysError, LookupError):
    """A file holds no synphys_ibis provenance record."""


# -- the recorded query ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordedQuery:
    """A lazy query with the release it reads and the parameters that built it.

    Parameters
    ----------
    db
        The release the query reads.
    table
        The lazy Ibis table.
    method
        How ``table`` was made: a ``SynphysDatabase`` method name, or any label (``'custom'``).
    params
        The arguments of that call (any values; recorded through :func:`describe_params`).
    """

    db: SynphysDatabase
    table: IbisTable
    method: str = "custom"
    params: Mapping[str, Any] = field(default_factory=dict)

    def derive(self, table: IbisTable, **extra: Any) -> RecordedQuery:
        """The same release and parameters for a table derived from this one.

        ``table`` is typically ``query.table.select(...)`` or ``.filter(...)``; the SQL of the
        record shows exactly what was derived, ``extra`` adds descriptive parameters.
        """
        return replace(self, table=table, params={**self.params, **extra})


def record(db: SynphysDatabase, method: str = "pair_query", /, **params: Any) -> RecordedQuery:
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

    Raises
    ------
    InvalidArgumentError
        For an unknown method, or any invalid argument of the method itself.
    """
    if method not in RECORDABLE_METHODS:
        raise InvalidArgumentError.for_value("method", method, RECORDABLE_METHODS)
    table = getattr(db, method)(**params)
    return RecordedQuery(db=db, table=table, method=method, params=dict(params))


def describe_params(value: Any) -> Any:
    """A JSON-ready description of query parameters (cell classes, expressions, ranges).

    Examples
    --------
    >>> from ibis import _
    >>> from synphys_ibis import CellClass
    >>> describe_params({"pre_class": CellClass(cre_type="sst", name="sst"), "age": (40, None),
    ...                  "filter_exprs": [_.synapse_psp_amplitude > 1e-4]})
    {'pre_class': {'name': 'sst', 'criteria': {'cre_type': 'sst'}, 'exprs': []}, 'age': [40, None], 'filter_exprs': ['(_.synapse_psp_amplitude > 0.0001)']}
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, CellClass):
        return {
            "name": value.name,
            "criteria": describe_params(value.criteria),
            "exprs": [_describe_callable(e) for e in value.exprs],
        }
    if isinstance(value, Mapping):
        return {str(k): describe_params(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [describe_params(v) for v in items]
    if isinstance(value, np.generic):
        return value.item()
    return _describe_callable(value)


def _describe_callable(value: Any) -> str:
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{value.__module__}.{value.__qualname__}"
    return repr(value)


# -- the provenance record ----------------------------------------------------------------------
@dataclass(frozen=True)
class Provenance:
    """Where exported rows came from.

    Attributes
    ----------
    release
        The release's name (``db.version_name``: its file name, or the database name).
    release_sha256
        The sha256 of the release file, or None when unknown.
    sha256_source
        ``'recorded'`` (the release cache's marker), ``'computed'``, or None.
    schema_version, backend
        The release's schema version and the engine that ran the query.
    library_version, ibis_version
        Versions of synphys_ibis and Ibis.
    method, params
        How the query was built (see :class:`RecordedQuery`).
    sql
        The SQL of the query (``ibis.to_sql``).
    created
        When the export started (ISO 8601, UTC).
    """

    release: str | None
    release_sha256: str | None
    sha256_source: str | None
    schema_version: str | None
    backend: str | None
    library_version: str
    ibis_version: str
    method: str
    params: dict[str, Any]
    sql: str
    created: str
    format: str = PROVENANCE_FORMAT

    def to_json(self) -> str:
        """The record as JSON text."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Provenance:
        """Read a record written by :meth:`to_json`.

        Raises
        ------
        MissingProvenanceError
            When the text is not a provenance record.
        """
        try:
            data = json.loads(text)
            return cls(**data)
        except (ValueError, TypeError) as err:
            raise MissingProvenanceError(f"not a synphys_ibis provenance record: {err}") from err


def provenance_of(query: RecordedQuery, *, sha256: Sha256Mode = "auto") -> Provenance:
    """The provenance record of ``query`` (computing the release's sha256 as ``sha256`` says)."""
    from synphys_ibis import __version__

    db = query.db
    digest, source = release_sha256(db, mode=sha256)
    return Provenance(
        release=db.version_name or None,
        release_sha256=digest,
        sha256_source=source,
        schema_version=db.schema_version,
        backend=getattr(db, "backend", None),
        library_version=__version__,
        ibis_version=ibis.__version__,
        method=query.method,
        params=describe_params(dict(query.params)),
        sql=str(ibis.to_sql(query.table)),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def release_sha256(
    db: SynphysDatabase, *, mode: Sha256Mode = "auto"
) -> tuple[str | None, str | None]:
    """``(sha256, source)`` of the release file: recorded by the release cache, or computed.

    Returns ``(None, None)`` for releases without a local file, with ``mode='skip'``, and with
    ``mode='auto'`` for files larger than :data:`SHA256_AUTO_LIMIT` that have no marker.
    """
    if mode not in ("auto", "compute", "skip"):
        raise InvalidArgumentError.for_value("sha256", mode, ["auto", "compute", "skip"])
    path = Path(db.db_name) if db.db_name else None
    if mode == "skip" or path is None or not path.is_file():
        return None, None
    recorded = _recorded_sha256(path)
    if recorded is not None:
        return recorded, "recorded"
    stat = path.stat()
    if mode == "auto" and stat.st_size > SHA256_AUTO_LIMIT:
        return None, None
    return _file_sha256(str(path.resolve()), stat.st_size, stat.st_mtime_ns), "computed"


def _recorded_sha256(path: Path) -> str | None:
    """The sha256 in the release cache's marker, if it describes the file as it is now."""
    try:
        from synphys_ibis.release_cache import read_marker
    except ImportError:  # pragma: no cover - the release cache ships with the package
        return None
    marker = read_marker(path)
    if marker is None:
        return None
    stat = path.stat()
    if (marker.size, marker.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
        return None
    return marker.sha256


_SHA256_MEMO: dict[tuple[str, int, int], str] = {}


def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    key = (path, size, mtime_ns)
    if key not in _SHA256_MEMO:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(4 * 1024**2), b""):
                digest.update(block)
        _SHA256_MEMO[key] = digest.hexdigest()
    return _SHA256_MEMO[key]


def read_provenance(path: str | os.PathLike[str]) -> Provenance:
    """Read the provenance record of an export: a Parquet file, a Parquet dataset directory, or
    a CSV file (its ``.provenance.json`` sidecar).

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    MissingProvenanceError
        When it holds no record.
    """
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file or directory: {path}")
    sidecar = _sidecar(path)
    if sidecar.is_file():
        return Provenance.from_json(sidecar.read_text())
    if path.is_dir():
        parts = sorted(path.rglob("*.parquet"))
        if not parts:
            raise MissingProvenanceError(f"{path} holds no Parquet files")
        path = parts[0]
    try:
        metadata = pq.read_metadata(path).metadata or {}
    except (pa.ArrowInvalid, OSError) as err:
        raise MissingProvenanceError(
            f"{path} is not a Parquet file with a provenance record"
        ) from err
    raw = metadata.get(PROVENANCE_KEY.encode())
    if raw is None:
        raise MissingProvenanceError(f"{path} has no {PROVENANCE_KEY!r} metadata entry")
    return Provenance.from_json(raw)


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".provenance.json")


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

    Raises
    ------
    DecodeError
        For a malformed stored value (see :func:`synphys_ibis.codecs.decode_table`).
    """
    table = _table_of(source)
    result = table.to_pyarrow(limit=limit)
    result = result.cast(_nullable(result.schema))
    result = codecs.decode_table(result, decode_arrays=decode_arrays, decode_json=decode_json)
    if isinstance(source, RecordedQuery):
        record_json = provenance_of(source, sha256=sha256).to_json()
        result = result.replace_schema_metadata(
            {**(result.schema.metadata or {}), PROVENANCE_KEY.encode(): record_json.encode()}
        )
    return result


def to_pandas(
    source: IbisTable | RecordedQuery,
    *,
    decode_arrays: bool = True,
    decode_json: bool = True,
    limit: int | None = None,
) -> pd.DataFrame:
    """Run a query and return a pandas frame with NumPy arrays and Python objects decoded.

    Raises
    ------
    DecodeError
        For a malformed stored value.
    """
    frame = _table_of(source).to_pyarrow(limit=limit).to_pandas()
    return codecs.decode_frame(frame, decode_arrays=decode_arrays, decode_json=decode_json)


# -- streaming exports ---------------------------------------------------------------------------------
def _check_batching(batch_size: int, name: str = "batch_size") -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidArgumentError(f"{name} must be a positive integer, not {batch_size!r}")


@contextmanager
def _progress(table: IbisTable, *, enabled: bool, desc: str) -> Iterator[Callable[[int], None]]:
    if not enabled:

        def ignore(rows: int) -> None:
            return None

        yield ignore
        return
    from tqdm import tqdm

    total = int(table.count().to_pyarrow().as_py())
    with tqdm(total=total, desc=desc, unit="rows", unit_scale=True, leave=False) as bar:

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
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", suffix=".tmp", dir=target.parent))
    work = tmp if directory else tmp / target.name
    try:
        yield work
        if target.is_dir() and not directory:
            raise IsADirectoryError(f"{target} is a directory; cannot replace it with a file")
        if target.exists():
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink()
        os.replace(work, target)
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
        ``rows_per_file`` rows and the provenance record).
    batch_size
        Rows fetched and written at a time; memory use is a few batches.
    decode_arrays
        Store ``array`` columns as ``list<T>`` instead of ``.npy`` bytes. JSON columns stay JSON
        text (their structure varies from row to row); decode them on reading with
        :func:`synphys_ibis.codecs.decode_table`.
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
    """
    import pyarrow.parquet as pq

    _check_batching(batch_size)
    _check_batching(rows_per_file, "rows_per_file")
    provenance = provenance_of(query, sha256=sha256)
    target = Path(path)
    metadata = {PROVENANCE_KEY: provenance.to_json()}
    with (
        _atomic_path(target, overwrite=overwrite, directory=dataset) as work,
        _progress(query.table, enabled=progress, desc=f"writing {target.name}") as advance,
    ):
        schema, batches = _batches(query.table, batch_size=batch_size, decode_arrays=decode_arrays)
        schema = schema.with_metadata({**(schema.metadata or {}), **metadata})
        if dataset:
            work.mkdir(parents=True, exist_ok=True)
        part, rows_in_part, writer = 0, 0, None
        try:
            for batch in batches:
                if writer is None or (dataset and rows_in_part >= rows_per_file):
                    if writer is not None:
                        writer.close()
                        part += 1
                    file = work / f"part-{part:05d}.parquet" if dataset else work
                    writer = pq.ParquetWriter(file, schema, compression=compression)
                    rows_in_part = 0
                writer.write_batch(batch.replace_schema_metadata(schema.metadata))
                rows_in_part += batch.num_rows
                advance(batch.num_rows)
            if writer is None:  # no rows: still write an empty file with the schema and record
                file = work / "part-00000.parquet" if dataset else work
                pq.ParquetWriter(file, schema, compression=compression).close()
        finally:
            if writer is not None:
                writer.close()
    logger.info("exported %s (%s) to %s", provenance.method, provenance.release, target)
    return provenance


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

    Raises
    ------
    FileExistsError
        When ``path`` exists and ``overwrite`` is False.
    DecodeError
        For malformed array bytes.
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
    sidecar = _sidecar(target)
    sidecar.write_text(provenance.to_json())
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
