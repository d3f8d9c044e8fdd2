"""Parquet datasets of a release: where they live, their manifest, and checking them.

A release exported with :func:`synphys_ibis.export.parquet.export_parquet` is a directory holding one
sub-directory of Parquet files per table and a small manifest, ``synphys_dataset.json``::

    synphys_r2.1_small.parquet/
        synphys_dataset.json          schema version, metadata row, source, files and row counts
        pair/part-00000.parquet
        cell/part-00000.parquet
        ...

The directory can be local (a path or ``file://`` URL) or remote, at any URL an installed fsspec
filesystem understands: ``http(s)://`` (``pip install "synphys_ibis[http]"``), ``s3://``
(``pip install "synphys_ibis[s3]"``), ``gs://``, ... Files are listed in the manifest, so no
directory listing is ever needed (an HTTP server cannot give one).

Examples
--------
>>> location = DatasetLocation.parse("/data/synphys_r2.1_small.parquet")
>>> location.is_local, location.url("pair/part-00000.parquet")
(True, '/data/synphys_r2.1_small.parquet/pair/part-00000.parquet')
>>> DatasetLocation.parse("https://example.org/releases/small/").url("pair/part-00000.parquet")
'https://example.org/releases/small/pair/part-00000.parquet'
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from synphys_ibis.engines.base import DatabaseHandle, UnsupportedEngine
from synphys_ibis.engines.files import path_address
from synphys_ibis.errors import NotAReleaseError, VerificationError

__all__ = [
    "MANIFEST_FORMAT",
    "MANIFEST_NAME",
    "DatasetEngine",
    "DatasetFile",
    "DatasetLocation",
    "DatasetManifest",
    "DatasetTable",
    "is_dataset",
    "read_manifest",
    "validate_dataset",
]

#: The manifest's file name, at the root of the dataset directory.
MANIFEST_NAME = "synphys_dataset.json"
#: The layout version written into every manifest.
MANIFEST_FORMAT = "synphys_ibis.parquet/1"

# fsspec protocols whose implementation is an extra of this package.
_EXTRAS = {"http": "http", "https": "http", "s3": "s3", "s3a": "s3"}


# -- the manifest -------------------------------------------------------------------------------
@dataclass(frozen=True)
class DatasetFile:
    """One Parquet file of a table: its path relative to the dataset root, rows and bytes."""

    path: str
    rows: int
    bytes: int


@dataclass(frozen=True)
class DatasetTable:
    """One table of a dataset: its row count and files (in row order)."""

    name: str
    rows: int
    files: tuple[DatasetFile, ...]
    columns: tuple[str, ...]


@dataclass(frozen=True)
class DatasetManifest:
    """What ``synphys_dataset.json`` records about a Parquet dataset of a release.

    Parameters
    ----------
    schema_version
        The schema version of the release the dataset was exported from.
    metadata
        The release's metadata row (``db_version``, ``creation_date``, ``origin``), or None.
    tables
        Every exported table, in dependency order.
    source
        Where the dataset came from: ``name``, ``address`` and, for files, ``size`` and
        ``mtime_ns``.
    created
        When the export finished (ISO 8601, UTC).
    library
        The synphys_ibis version that wrote it.
    """

    schema_version: str
    metadata: dict[str, Any] | None
    tables: dict[str, DatasetTable]
    source: dict[str, Any] = field(default_factory=dict)
    created: str = ""
    library: str = ""
    format: str = MANIFEST_FORMAT

    def to_json(self) -> str:
        """The manifest as JSON text (what is written to ``synphys_dataset.json``)."""
        return json.dumps(
            {
                "format": self.format,
                "schema_version": self.schema_version,
                "metadata": self.metadata,
                "source": self.source,
                "created": self.created,
                "synphys_ibis": self.library,
                "tables": {
                    name: {
                        "rows": table.rows,
                        "columns": list(table.columns),
                        "files": [
                            {"path": f.path, "rows": f.rows, "bytes": f.bytes} for f in table.files
                        ],
                    }
                    for name, table in self.tables.items()
                },
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str, *, where: str = "the manifest") -> DatasetManifest:
        """Parse manifest JSON text.

        Raises
        ------
        NotAReleaseError
            If the text is not a manifest of a known format.
        """
        try:
            data = json.loads(text)
            if data.get("format") != MANIFEST_FORMAT:
                raise NotAReleaseError(
                    f"{where} has format {data.get('format')!r}; this version of synphys_ibis "
                    f"reads {MANIFEST_FORMAT!r}"
                )
            tables = {
                name: DatasetTable(
                    name=name,
                    rows=int(entry["rows"]),
                    columns=tuple(entry["columns"]),
                    files=tuple(
                        DatasetFile(str(f["path"]), int(f["rows"]), int(f["bytes"]))
                        for f in entry["files"]
                    ),
                )
                for name, entry in data["tables"].items()
            }
            return cls(
                schema_version=str(data["schema_version"]),
                metadata=data.get("metadata"),
                tables=tables,
                source=dict(data.get("source") or {}),
                created=str(data.get("created", "")),
                library=str(data.get("synphys_ibis", "")),
            )
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as err:
            raise NotAReleaseError(f"{where} is not a valid dataset manifest: {err}") from err

    @property
    def total_rows(self) -> int:
        """Rows in all tables."""
        return sum(t.rows for t in self.tables.values())

    @property
    def total_bytes(self) -> int:
        """Bytes of all Parquet files."""
        return sum(f.bytes for t in self.tables.values() for f in t.files)


# -- where a dataset lives ------------------------------------------------------------------------
@dataclass(frozen=True)
class DatasetLocation:
    """The root of a dataset: a local directory, or a URL of an fsspec filesystem.

    ``url(relative)`` gives the address engines read a file at: a local path, or the URL with its
    protocol (so that a filesystem registered for that protocol serves it).
    """

    root: str
    protocol: str | None = None

    @classmethod
    def parse(cls, target: str | os.PathLike[str]) -> DatasetLocation:
        """A local path, a ``file://`` URL, or any ``protocol://`` URL."""
        text = os.fspath(target)
        if "://" not in text:
            return cls(str(Path(text).expanduser().resolve()))
        protocol = text.split("://", 1)[0].lower()
        if protocol in ("file", "local"):
            return cls(str(Path(unquote(urlparse(text).path)).resolve()))
        return cls(text.rstrip("/"), protocol)

    @property
    def is_local(self) -> bool:
        return self.protocol is None

    def url(self, relative: str = "") -> str:
        """The address of ``relative`` (a ``/``-separated path) under the root."""
        if not relative:
            return self.root
        if self.is_local:
            return str(Path(self.root, *relative.split("/")))
        return f"{self.root}/{relative}"

    def filesystem(self, storage_options: Mapping[str, Any] | None = None) -> Any:
        """The fsspec filesystem of a remote root (None for a local one).

        Raises
        ------
        ImportError
            If the filesystem's implementation is not installed; the message names the
            install command.
        """
        if self.is_local:
            return None
        assert self.protocol is not None
        return _filesystem(self.protocol, **dict(storage_options or {}))


def _filesystem(protocol: str, **storage_options: Any) -> Any:
    import fsspec

    extra = _EXTRAS.get(protocol)
    install = (
        f'pip install "synphys_ibis[{extra}]"'
        if extra
        else f"pip install the fsspec implementation of {protocol}://"
    )
    try:
        base = fsspec.get_filesystem_class(protocol)
        return _engine_friendly(base)(**storage_options)
    except ImportError as err:
        raise ImportError(
            f"reading {protocol}:// datasets needs an fsspec filesystem that is not installed "
            f"({err}); install it with: {install}"
        ) from err
    except ValueError as err:  # fsspec: "Protocol not known"
        raise ImportError(f"fsspec knows no {protocol}:// filesystem ({err}); {install}") from err


@cache
def _engine_friendly(base: type) -> type:
    """``base`` with the two methods engines call that some filesystems lack or do badly.

    DuckDB asks every file for its modification time (the HTTP filesystem has none) and checks
    existence, also through ``glob`` (which the HTTP filesystem does with a GET of the whole
    file); ``info`` (a HEAD request over HTTP) answers without reading the file.
    """

    def modified(self: Any, path: str) -> datetime.datetime:
        try:
            result: datetime.datetime = getattr(base, "modified")(self, path)  # noqa: B009
            return result
        except NotImplementedError:
            return datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)

    def exists(self: Any, path: str, **kwargs: Any) -> bool:
        try:
            self.info(path, **kwargs)
        except FileNotFoundError:
            return False
        return True

    methods: dict[str, Any] = {"modified": modified, "exists": exists}
    if getattr(base, "async_impl", False):

        async def _exists(self: Any, path: str, **kwargs: Any) -> bool:
            try:
                await self._info(path, **kwargs)
            except FileNotFoundError:
                return False
            return True

        methods["_exists"] = _exists
    return type(f"Synphys{base.__name__}", (base,), methods)


# -- reading and checking -----------------------------------------------------------------------
def _read_text(location: DatasetLocation, relative: str, fs: Any) -> str:
    if fs is None:
        return Path(location.url(relative)).read_text(encoding="utf-8")
    with fs.open(location.url(relative), "rb") as fh:
        return bytes(fh.read()).decode("utf-8")


def is_dataset(
    target: str | os.PathLike[str], *, storage_options: Mapping[str, Any] | None = None
) -> bool:
    """Whether ``target`` holds a dataset manifest (a cheap check: no Parquet file is read)."""
    location = DatasetLocation.parse(target)
    if location.is_local:
        return Path(location.url(MANIFEST_NAME)).is_file()
    return bool(location.filesystem(storage_options).exists(location.url(MANIFEST_NAME)))


def read_manifest(
    target: str | os.PathLike[str], *, storage_options: Mapping[str, Any] | None = None
) -> DatasetManifest:
    """Read the manifest of the dataset at ``target`` (a path or fsspec URL).

    Parameters
    ----------
    target
        The dataset directory: a local path, ``file://``, ``http(s)://``, ``s3://``, ... URL.
    storage_options
        Keyword arguments of the fsspec filesystem (``{"anon": True}`` for public S3 buckets,
        ``{"block_size": 2**20}`` ...).

    Raises
    ------
    FileNotFoundError
        If there is nothing at ``target``.
    NotAReleaseError
        If ``target`` has no (valid) manifest.
    """
    location = DatasetLocation.parse(target)
    fs = location.filesystem(storage_options)
    if location.is_local and not Path(location.root).exists():
        raise FileNotFoundError(f"no such dataset directory: {location.root}")
    try:
        text = _read_text(location, MANIFEST_NAME, fs)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as err:
        raise NotAReleaseError(
            f"{location.root} is not a synphys Parquet dataset: it has no {MANIFEST_NAME} (write "
            f"one with synphys_ibis.export.parquet.export_parquet or `synphys-ibis export-parquet`)"
        ) from err
    return DatasetManifest.from_json(text, where=location.url(MANIFEST_NAME))


def validate_dataset(
    target: str | os.PathLike[str], *, storage_options: Mapping[str, Any] | None = None
) -> DatasetManifest:
    """Check that every file the manifest lists is there and holds the rows it records.

    Only the Parquet footers are read (a few kilobytes per file, also over the network).

    Raises
    ------
    VerificationError
        Naming the first file that is missing or whose row count or columns differ.
    """
    import pyarrow.parquet as pq

    location = DatasetLocation.parse(target)
    manifest = read_manifest(target, storage_options=storage_options)
    fs = location.filesystem(storage_options)
    for table in manifest.tables.values():
        total = 0
        for file in table.files:
            address = location.url(file.path)
            try:
                if fs is None:
                    metadata = pq.read_metadata(address)
                else:
                    with fs.open(address, "rb") as fh:
                        metadata = pq.read_metadata(fh)
            except (OSError, ValueError) as err:  # missing, or not Parquet (ArrowInvalid)
                raise VerificationError(f"{address} of table {table.name!r}: {err}") from err
            if metadata.num_rows != file.rows:
                raise VerificationError(
                    f"{address} holds {metadata.num_rows} rows; the manifest records {file.rows}"
                )
            names = tuple(metadata.schema.to_arrow_schema().names)
            if names != table.columns:
                raise VerificationError(
                    f"{address} has columns {list(names)}; the manifest records "
                    f"{list(table.columns)}"
                )
            total += metadata.num_rows
        if total != table.rows:
            raise VerificationError(
                f"table {table.name!r} holds {total} rows; the manifest records {table.rows}"
            )
    return manifest


class DatasetEngine(UnsupportedEngine):
    """What the engines reading an exported dataset (DuckDB, Spark) share: a read-only release
    addressed by its directory, whose facts come from the manifest."""

    gap_hint = "Parquet datasets are read-only; write a new one with export_parquet()"

    def address(self, host: str, db_name: str | None, app_name: str | None) -> str:
        return path_address(host, db_name)

    def read_metadata(self, db: DatabaseHandle) -> dict[str, Any] | None:
        return db.dataset_manifest().metadata

    def list_tables(self, db: DatabaseHandle) -> set[str]:
        return set(db.dataset_manifest().tables)

    def release_name(self, db: DatabaseHandle) -> str:
        """The name the manifest records for the dataset's source, else the directory's name."""
        name = db.dataset_manifest().source.get("name")
        return str(name) if name else os.path.basename(db.db_name or "")
