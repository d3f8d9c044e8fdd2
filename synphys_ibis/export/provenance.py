"""The provenance record of an export: where exported rows came from, and how to read it back.

A :class:`Provenance` record holds the release name and its sha256 (when known), the schema
version, the library and Ibis versions, the query's method and parameters, and its SQL;
:func:`provenance_of` builds it from a :class:`~synphys_ibis.export.RecordedQuery`. The writers of
:mod:`synphys_ibis.export.writers` store it with the rows: Parquet files carry it in their key-value
metadata (key :data:`PROVENANCE_KEY`, JSON text, see :func:`schema_metadata`); CSV files get a
``<file>.provenance.json`` sidecar (:func:`write_sidecar`). :func:`read_provenance` reads either
back.

The release's sha256 is taken from the marker the release cache writes next to a downloaded and
verified file (``<release>.verified.json``, see :mod:`synphys_ibis.releases.cache`) when it still
describes the file (same size and modification time), or else computed by reading the file
(``sha256='auto'`` computes it for files up to :data:`SHA256_AUTO_LIMIT` bytes, once per process
and file state; ``'compute'`` always, ``'skip'`` never). Releases without a local file (PostgreSQL)
record None.

Examples
--------
>>> import tempfile, os
>>> from synphys_ibis import SynphysDatabase, synthetic, export
>>> from synphys_ibis.export import provenance
>>> tmp = tempfile.mkdtemp()
>>> path = synthetic.write_release(os.path.join(tmp, "demo.sqlite"), n_experiments=5)
>>> with SynphysDatabase.load_sqlite(path, native_cache=False) as db:
...     query = export.record(db, "pair_query", synapse=True)
...     record = provenance.provenance_of(query)
>>> record.release, record.method, record.params, record.sha256_source
('demo.sqlite', 'pair_query', {'synapse': True}, 'computed')
>>> provenance.Provenance.from_json(record.to_json()) == record
True
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import ibis
import numpy as np
import pyarrow as pa
from ibis.expr.types import Table as IbisTable

from synphys_ibis.errors import InvalidArgumentError, MissingProvenanceError
from synphys_ibis.query.cell_class import CellClass

if TYPE_CHECKING:
    from synphys_ibis.engines.base import Engine

__all__ = [
    "PROVENANCE_FORMAT",
    "PROVENANCE_KEY",
    "SHA256_AUTO_LIMIT",
    "MissingProvenanceError",
    "Provenance",
    "QueriedRelease",
    "RecordedQuery",
    "Sha256Mode",
    "describe_params",
    "provenance_of",
    "read_provenance",
    "release_sha256",
    "schema_metadata",
    "sidecar_path",
    "write_sidecar",
]


class QueriedRelease(Protocol):
    """What a provenance record reads of the release a query runs on (a ``SynphysDatabase``)."""

    db_name: str | None

    @property
    def backend(self) -> str: ...
    @property
    def schema_version(self) -> str: ...
    @property
    def version_name(self) -> str: ...
    @property
    def engine(self) -> Engine: ...


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
        The arguments of that call (any values; recorded through
        :func:`~synphys_ibis.export.provenance.describe_params`).
    """

    db: QueriedRelease
    table: IbisTable
    method: str = "custom"
    params: Mapping[str, Any] = field(default_factory=dict)

    def derive(self, table: IbisTable, **extra: Any) -> RecordedQuery:
        """The same release and parameters for a table derived from this one.

        ``table`` is typically ``query.table.select(...)`` or ``.filter(...)``; the SQL of the
        record shows exactly what was derived, ``extra`` adds descriptive parameters.
        """
        return replace(self, table=table, params={**self.params, **extra})


#: Key of the provenance record in Parquet key-value metadata and Arrow schema metadata.
PROVENANCE_KEY = "synphys_ibis.provenance"
#: Version tag of the provenance record's layout.
PROVENANCE_FORMAT = "synphys_ibis.provenance/1"
#: ``sha256='auto'`` hashes release files up to this size (bytes); larger ones need a marker.
SHA256_AUTO_LIMIT = 4 * 1024**3

Sha256Mode = Literal["auto", "compute", "skip"]


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
        How the query was built (see :class:`~synphys_ibis.export.RecordedQuery`).
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
    """The provenance record of ``query`` (computing the release's sha256 as ``sha256`` says).

    Parameters
    ----------
    query
        The recorded query (see :func:`synphys_ibis.export.record`).
    sha256
        How to find the release's sha256 (see :func:`release_sha256`).

    Returns
    -------
    Provenance
        The record: release, its sha256, schema, versions, method, parameters and SQL.

    Raises
    ------
    InvalidArgumentError
        For a ``sha256`` mode other than ``'auto'``, ``'compute'`` or ``'skip'``.

    Examples
    --------
    >>> import os, tempfile
    >>> from synphys_ibis import SynphysDatabase, export, synthetic
    >>> tmp = tempfile.mkdtemp()
    >>> path = synthetic.write_release(os.path.join(tmp, "r.sqlite"), n_experiments=5)
    >>> db = SynphysDatabase.load_sqlite(path, native_cache=False)
    >>> record = provenance_of(export.record(db, "pair_query", synapse=True))
    >>> record.release, record.method, record.params, record.sha256_source
    ('r.sqlite', 'pair_query', {'synapse': True}, 'computed')
    """
    from synphys_ibis._version import __version__

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
    db: QueriedRelease, *, mode: Sha256Mode = "auto"
) -> tuple[str | None, str | None]:
    """``(sha256, source)`` of the release file: recorded by the release cache, or computed.

    Parameters
    ----------
    db
        The open release.
    mode
        ``'auto'``: the recorded sha256, else computed for files up to
        :data:`SHA256_AUTO_LIMIT` bytes; ``'compute'``: always; ``'skip'``: never.

    Returns
    -------
    tuple
        ``(sha256, source)``, ``source`` being ``'recorded'`` or ``'computed'``; ``(None, None)``
        for releases without a local file, with ``mode='skip'``, and with ``mode='auto'`` for
        files larger than :data:`SHA256_AUTO_LIMIT` that have no marker.

    Raises
    ------
    InvalidArgumentError
        For an unknown ``mode``.

    Examples
    --------
    >>> import os, tempfile
    >>> from synphys_ibis import SynphysDatabase, export, synthetic
    >>> tmp = tempfile.mkdtemp()
    >>> path = synthetic.write_release(os.path.join(tmp, "r.sqlite"), n_experiments=5)
    >>> db = SynphysDatabase.load_sqlite(path, native_cache=False)
    >>> digest, source = release_sha256(db)
    >>> len(digest), source
    (64, 'computed')
    >>> release_sha256(db, mode="skip")
    (None, None)
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
        from synphys_ibis.releases.cache import read_marker
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


# -- storing and reading the record ---------------------------------------------------------------
def schema_metadata(
    record: Provenance, base: Mapping[bytes, bytes] | None = None
) -> dict[bytes, bytes]:
    """Arrow schema metadata ``base`` with ``record`` added under :data:`PROVENANCE_KEY`.

    Parquet writers copy a schema's metadata into the file's key-value metadata.
    """
    return {**(base or {}), PROVENANCE_KEY.encode(): record.to_json().encode()}


#: The record of a dataset directory whose part files an engine's own workers wrote (their
#: footers cannot carry it); readers skip files whose names start with ``_``.
DATASET_PROVENANCE = "_synphys_provenance.json"


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    """Where the record of the exported file ``path`` is kept: ``<path>.provenance.json``."""
    path = Path(path)
    return path.with_name(path.name + ".provenance.json")


def write_sidecar(path: str | os.PathLike[str], record: Provenance) -> Path:
    """Write ``record`` next to the exported file ``path`` (see :func:`sidecar_path`)."""
    sidecar = sidecar_path(path)
    sidecar.write_text(record.to_json())
    return sidecar


def read_provenance(path: str | os.PathLike[str]) -> Provenance:
    """Read the provenance record of an export: a Parquet file, a Parquet dataset directory, or
    a CSV file (its ``.provenance.json`` sidecar).

    Parameters
    ----------
    path
        The Parquet file, dataset directory or CSV file.

    Returns
    -------
    Provenance
        The record written with the export.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    MissingProvenanceError
        When it holds no record.

    Examples
    --------
    >>> import os, tempfile
    >>> from synphys_ibis import SynphysDatabase, export, synthetic
    >>> tmp = tempfile.mkdtemp()
    >>> path = synthetic.write_release(os.path.join(tmp, "r.sqlite"), n_experiments=5)
    >>> db = SynphysDatabase.load_sqlite(path, native_cache=False)
    >>> written = export.to_csv(export.record(db, "table", name="slice"),
    ...                         os.path.join(tmp, "slices.csv"), progress=False)
    >>> read_provenance(os.path.join(tmp, "slices.csv")) == written
    True
    >>> read_provenance(path)
    Traceback (most recent call last):
    ...
    synphys_ibis.errors.MissingProvenanceError: ...
    """
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file or directory: {path}")
    sidecar = sidecar_path(path)
    if sidecar.is_file():
        return Provenance.from_json(sidecar.read_text())
    if path.is_dir() and (path / DATASET_PROVENANCE).is_file():
        return Provenance.from_json((path / DATASET_PROVENANCE).read_text())
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


# -- describing query parameters ------------------------------------------------------------------
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
