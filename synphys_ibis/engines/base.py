"""The engine contract: the named operations every engine offers, and what they need of a database.

An *engine* is one way of storing and reaching a synphys database (a SQLite release file, a
DuckDB file, a PostgreSQL database, a Parquet dataset read by DuckDB or by Spark). Each engine
module holds one object implementing :class:`Engine`; :mod:`synphys_ibis.engines.registry` maps
host schemes to them. :class:`~synphys_ibis.database.Database`, ``maintenance/``, ``export/`` and
the catalog call these operations and never ask which engine they hold.

Engines are stateless: every operation takes the database it acts on, typed as
:class:`DatabaseHandle` (what an engine may use of a ``Database``: its address, its open
connections and its schema version). What an engine cannot do is declared, not tested for:
:class:`Capabilities` says it, and the operation raises
:class:`~synphys_ibis.errors.UnsupportedOperationError` naming the engine and the operation
(:class:`UnsupportedEngine` supplies those refusals for engines to inherit).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyarrow as pa

from synphys_ibis.errors import CopyError, UnsupportedOperationError
from synphys_ibis.schema import Column, Table

if TYPE_CHECKING:  # annotations only: the dataset layout is an engines/ module
    from synphys_ibis.engines.dataset import DatasetManifest

__all__ = [
    "BatchWriter",
    "Capabilities",
    "DatabaseHandle",
    "Engine",
    "RawTables",
    "UnsupportedEngine",
    "require_empty",
    "verify_counts",
]


@dataclass(frozen=True)
class Capabilities:
    """What an engine can do, declared once.

    Attributes
    ----------
    writable
        It has a read-write connection and the schema operations (create, drop, copy into).
    dataset
        It reads an exported Parquet dataset (``db_name`` is a directory path or URL).
    raw_batches
        Its raw stored tables can be streamed as Arrow batches (the source of copies, clones,
        bakes and Parquet exports).
    normalize_stored_types
        Its read connection exposes the raw stored tables, which the catalog gives their
        logical types in each query (otherwise the connection's tables already have them).
    temp_views
        Its read connection exposes the release through temporary views it creates when opened.
    single_open_mode
        A database opens either read-only or read-write at one time (a DuckDB file): opening
        one connection closes the other.
    planner_statistics
        ``ANALYZE`` after a bulk load keeps the published tables as they are (not SQLite, where
        it adds ``sqlite_stat1``, a table releases do not have).
    local_file
        The database is one local file (``db_name`` is its path).
    interval_functions
        The (lower, upper) Ibis functions ``f(k, n, alpha)`` of the ``1 - alpha``
        Clopper-Pearson interval that queries on its read connection call (session functions
        registered when the connection opens).
    writes_where_computed
        Query results can be written to Parquet by the engine's own workers
        (:meth:`Engine.write_parquet_parts`) instead of being streamed through this process.
    """

    writable: bool
    dataset: bool
    raw_batches: bool
    normalize_stored_types: bool
    temp_views: bool
    single_open_mode: bool
    planner_statistics: bool
    local_file: bool
    interval_functions: tuple[Any, Any]
    writes_where_computed: bool = False


class DatabaseHandle(Protocol):
    """What engines, ``maintenance/`` and ``export/`` use of a database (a ``Database``)."""

    ro_host: str
    rw_host: str | None
    db_name: str | None

    @property
    def backend(self) -> str: ...
    @property
    def engine(self) -> Engine: ...
    @property
    def schema_version(self) -> str: ...
    @property
    def ro_address(self) -> str: ...
    @property
    def cache_dir(self) -> Path | None: ...
    @property
    def native_cache(self) -> bool | None: ...
    @property
    def progress(self) -> bool: ...
    @property
    def engine_options(self) -> Mapping[str, Any]: ...
    @property
    def ro(self) -> Any: ...
    @property
    def rw(self) -> Any: ...
    @property
    def maint(self) -> Any: ...
    @property
    def exists(self) -> bool: ...
    @property
    def current_writer(self) -> Any | None: ...

    def require_name(self) -> str: ...
    def require_path(self) -> Path: ...
    def dataset_manifest(self) -> DatasetManifest: ...
    def reset_reader(self) -> None: ...
    def dispose_engines(self) -> None: ...
    def create_database(self) -> None: ...
    def drop_database(self, *, force: bool = False) -> None: ...
    def vacuum(self, tables: Any = None) -> None: ...
    def get_database(self, db_name: str | os.PathLike[str]) -> DatabaseHandle: ...
    def on_host(
        self, host: str, db_name: str | os.PathLike[str], *, schema_version: str
    ) -> DatabaseHandle: ...


@dataclass
class RawTables:
    """A DuckDB connection on which a database's raw stored tables can be read.

    ``prefix`` goes before each quoted table name (``'synphys_source.'`` for an attached
    database, ``''`` for the connection's own tables); ``count`` is the source's own row count of
    a table, where it is cheaper than DuckDB's.
    """

    con: Any
    prefix: str
    catalog: str | None
    count: Callable[[str], int] | None = None


class BatchWriter(Protocol):
    """Writes Arrow batches into the (empty) tables of a database, one transaction per table."""

    def prepare(self, tables: Sequence[Table]) -> None:
        """Get ready to load ``tables`` (e.g. drop foreign keys, restored on exit)."""

    def copy(
        self,
        spec: Table,
        columns: list[Column],
        batches: Iterator[pa.RecordBatch],
        expected: int,
        update: Callable[[pa.RecordBatch], None],
    ) -> int:
        """Load ``batches`` into ``spec``; check the row counts against ``expected``."""
        ...


class Engine(Protocol):
    """The named operations of one engine (see the module docstring)."""

    #: The name users see as ``Database.backend``.
    name: str
    capabilities: Capabilities
    #: The ``engine_options`` keys it takes.
    option_names: tuple[str, ...]

    # -- addresses and connections
    def check_name(self, db_name: str) -> None: ...
    def address(self, host: str, db_name: str | None, app_name: str | None) -> str: ...
    def open_reader(self, db: DatabaseHandle) -> Any: ...
    def open_writer(self, db: DatabaseHandle) -> Any: ...
    def open_maintenance(self, db: DatabaseHandle) -> Any: ...

    # -- reading facts
    def exists(self, db: DatabaseHandle) -> bool: ...
    def read_metadata(self, db: DatabaseHandle) -> dict[str, Any] | None: ...
    def read_manifest(self, db: DatabaseHandle) -> DatasetManifest: ...
    def stored_columns(self, db: DatabaseHandle) -> dict[str, list[str]] | None: ...
    def list_tables(self, db: DatabaseHandle) -> set[str]: ...
    def release_name(self, db: DatabaseHandle) -> str: ...

    # -- databases and schema
    def create_database(self, db: DatabaseHandle) -> None: ...
    def drop_database(self, db: DatabaseHandle, *, force: bool) -> None: ...
    def create_schema(
        self,
        db: DatabaseHandle,
        tables: Sequence[Table],
        *,
        present: set[str],
        indexes: bool,
        foreign_keys: bool,
        boolean_checks: bool | None,
    ) -> None: ...
    def finish_schema(self, db: DatabaseHandle, tables: Sequence[Table]) -> None: ...
    def drop_schema(self, db: DatabaseHandle, tables: Sequence[Table]) -> None: ...
    def vacuum(
        self, db: DatabaseHandle, tables: Sequence[Table] | None, *, analyze: bool
    ) -> None: ...
    def analyze(self, db: DatabaseHandle) -> None: ...
    def insert_metadata(self, db: DatabaseHandle, meta_json: str) -> None: ...

    # -- copies
    def raw_tables(self, db: DatabaseHandle) -> contextlib.AbstractContextManager[RawTables]: ...
    def batch_writer(
        self, db: DatabaseHandle
    ) -> contextlib.AbstractContextManager[BatchWriter]: ...
    def same_database(self, a: DatabaseHandle, b: DatabaseHandle) -> bool: ...
    def temporary_name(self, db: DatabaseHandle, token: str) -> str: ...
    def hold_temporary(self, temp: DatabaseHandle) -> contextlib.AbstractContextManager[None]:
        """Mark ``temp`` as this process's work for the block (from before it is created until it
        is published or removed), so that :meth:`remove_abandoned` leaves it alone."""
        ...

    def remove_abandoned(self, dest: DatabaseHandle) -> list[str]:
        """Remove the temporaries of copies into ``dest`` whose process is gone; return them.

        An overwrite interrupted between taking the previous ``dest`` away and publishing the
        new one is recovered: the previous ``dest`` is put back.
        """
        ...

    def publish(self, temp: DatabaseHandle, dest: DatabaseHandle, *, overwrite: bool) -> None: ...

    # -- query results
    def write_parquet_parts(
        self, table: Any, directory: Path, *, compression: str, rows_per_file: int
    ) -> None: ...
    def apply_in_groups(
        self, table: Any, by: str, func: Callable[[pa.Table], pa.Table], schema: pa.Schema
    ) -> pa.Table: ...
    # -- access
    def create_readonly_role(
        self, db: DatabaseHandle, role: str, *, password: str | None, exist_ok: bool
    ) -> None: ...
    def drop_role(self, db: DatabaseHandle, role: str) -> None: ...


class UnsupportedEngine:
    """Refusals of every operation, for engines to inherit and override what they support.

    Each refusal raises :class:`~synphys_ibis.errors.UnsupportedOperationError` naming the engine
    and the operation: a declared gap.
    """

    name: str = "unknown"
    option_names: tuple[str, ...] = ()
    #: Said after the refusal (how to do it another way).
    gap_hint: str = ""

    def _gap(self, operation: str) -> UnsupportedOperationError:
        return UnsupportedOperationError.for_engine(self.name, operation, hint=self.gap_hint)

    def check_name(self, db_name: str) -> None:
        """Every name is allowed (engines with rules override this)."""

    def open_writer(self, db: DatabaseHandle) -> Any:
        raise self._gap("read-write connections")

    def open_maintenance(self, db: DatabaseHandle) -> Any:
        raise self._gap("maintenance connections")

    def read_manifest(self, db: DatabaseHandle) -> DatasetManifest:
        raise self._gap("dataset manifests")

    def stored_columns(self, db: DatabaseHandle) -> dict[str, list[str]] | None:
        """None: reading the stored columns is not cheap here (checks are skipped)."""
        return None

    def release_name(self, db: DatabaseHandle) -> str:
        return os.path.basename(db.db_name or "")

    def create_database(self, db: DatabaseHandle) -> None:
        raise self._gap("creating databases")

    def drop_database(self, db: DatabaseHandle, *, force: bool) -> None:
        raise self._gap("dropping databases")

    def create_schema(
        self,
        db: DatabaseHandle,
        tables: Sequence[Table],
        *,
        present: set[str],
        indexes: bool,
        foreign_keys: bool,
        boolean_checks: bool | None,
    ) -> None:
        raise self._gap("creating tables")

    def finish_schema(self, db: DatabaseHandle, tables: Sequence[Table]) -> None:
        raise self._gap("creating indexes")

    def drop_schema(self, db: DatabaseHandle, tables: Sequence[Table]) -> None:
        raise self._gap("dropping tables")

    def vacuum(self, db: DatabaseHandle, tables: Sequence[Table] | None, *, analyze: bool) -> None:
        raise self._gap("vacuum")

    def analyze(self, db: DatabaseHandle) -> None:
        """Nothing: the engine keeps no planner statistics worth refreshing."""

    def insert_metadata(self, db: DatabaseHandle, meta_json: str) -> None:
        raise self._gap("writing the metadata row")

    def raw_tables(self, db: DatabaseHandle) -> contextlib.AbstractContextManager[RawTables]:
        raise self._gap("reading raw tables as Arrow batches")

    def batch_writer(self, db: DatabaseHandle) -> contextlib.AbstractContextManager[BatchWriter]:
        raise self._gap("batch writes")

    def same_database(self, a: DatabaseHandle, b: DatabaseHandle) -> bool:
        if a.engine is not b.engine or a.db_name is None or b.db_name is None:
            return False
        return a.db_name == b.db_name

    def temporary_name(self, db: DatabaseHandle, token: str) -> str:
        raise self._gap("temporary copies")

    def hold_temporary(self, temp: DatabaseHandle) -> contextlib.AbstractContextManager[None]:
        """Nothing to hold: an engine without temporary copies leaves none behind."""
        return contextlib.nullcontext()

    def remove_abandoned(self, dest: DatabaseHandle) -> list[str]:
        """Nothing: an engine without temporary copies leaves none behind."""
        return []

    def publish(self, temp: DatabaseHandle, dest: DatabaseHandle, *, overwrite: bool) -> None:
        raise self._gap("publishing copies")

    def write_parquet_parts(
        self, table: Any, directory: Path, *, compression: str, rows_per_file: int
    ) -> None:
        raise self._gap("writing query results from its own workers")

    def apply_in_groups(
        self, table: Any, by: str, func: Callable[[pa.Table], pa.Table], schema: pa.Schema
    ) -> pa.Table:
        """``func`` over each group of ``table``'s rows by ``by``, in this process (the rows
        stream in order of ``by``: see :mod:`synphys_ibis.engines.grouped`)."""
        from synphys_ibis.engines.grouped import apply_locally

        return apply_locally(table, by, func, schema)

    def create_readonly_role(
        self, db: DatabaseHandle, role: str, *, password: str | None, exist_ok: bool
    ) -> None:
        raise self._gap("database roles (files are read-only through their file permissions)")

    def drop_role(self, db: DatabaseHandle, role: str) -> None:
        raise self._gap("database roles")


def require_empty(table: str, rows: int) -> None:
    """Refuse to copy into ``table`` when it already holds ``rows`` > 0 rows."""
    if rows > 0:
        raise CopyError(
            f"destination table {table!r} already holds {rows} rows; copies go into empty tables "
            f"(drop_tables() and create_tables() it first, or clone into a new database)"
        )


def verify_counts(table: str, expected: int, written: int, held: int) -> None:
    """The rows read, written and held after a copy must all be equal."""
    if not expected == written == held:
        raise CopyError(
            f"row counts of {table!r} differ: source {expected}, written {written}, "
            f"destination {held}"
        )
