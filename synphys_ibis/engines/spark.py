"""A Parquet dataset of a release, opened on Apache Spark through Ibis' PySpark backend.

Spark reads the dataset where it is (a local path, ``hdfs://``, ``s3a://``, ... whatever the
session's Hadoop filesystems read): every table becomes a temporary view of its Parquet files,
named after the dataset (``_synphys_<hash>_pair``) so that several releases, and the user's own
views, can share one session. The Ibis connection returned here hands those views out under the
tables' own names; :class:`~synphys_ibis.catalog.Catalog` gives them their logical types in each
query, as for PostgreSQL. The connectivity matrix's confidence interval runs as two Python UDFs
registered on the session (``synphys_ci_lower`` / ``synphys_ci_upper``), pickled by value, so
the executors of a cluster need only Python and pyspark, not synphys_ibis.

PySpark is an optional dependency (``pip install "synphys_ibis[spark]"``) and needs Java 17.
Importing this module imports neither.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from synphys_ibis.engines.base import Capabilities, DatabaseHandle
from synphys_ibis.engines.dataset import (
    MANIFEST_NAME,
    DatasetEngine,
    DatasetLocation,
    DatasetManifest,
)
from synphys_ibis.errors import NotAReleaseError, SynphysError
from synphys_ibis.schema import Table, load_schema
from synphys_ibis.stats import _beta_quantile, duckdb_ci_lower, duckdb_ci_upper

__all__ = [
    "ENGINE",
    "LOCAL_CONFIG",
    "SparkEngine",
    "SparkMemoryError",
    "default_driver_memory",
    "local_session",
    "open_spark_release",
    "read_manifest",
    "register_functions",
    "spark_schema",
    "spark_unavailable_reason",
    "view_name",
]

logger = logging.getLogger("synphys_ibis")

_INSTALL = 'pip install "synphys_ibis[spark]"'

#: Configuration of the local session :func:`local_session` starts (a laptop or CI machine).
LOCAL_CONFIG: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}

_LOCAL_LOCK = threading.Lock()

#: The most driver memory :func:`local_session` gives itself (and the share of the machine's RAM).
DRIVER_MEMORY_CAP_MB = 8192
DRIVER_MEMORY_SHARE = 0.4


class SparkMemoryError(SynphysError, MemoryError):
    """The Spark driver ran out of memory collecting a result (``spark.driver.memory``)."""


def _total_memory_mb() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError, AttributeError):  # not a POSIX system
        return None


def default_driver_memory() -> str:
    """``spark.driver.memory`` of the local session: 40% of this machine's RAM, at most 8 GB.

    In local mode the driver's JVM also runs the executors, so its heap is all Spark has; the
    JVM default (1 GB) runs out of heap collecting a broad query of a 10x release.
    """
    total = _total_memory_mb()
    if total is None:
        return "2g"
    return f"{max(1024, min(DRIVER_MEMORY_CAP_MB, int(total * DRIVER_MEMORY_SHARE)))}m"


def spark_unavailable_reason() -> str | None:
    """Why Spark cannot run here (pyspark or Java missing), or None when it can."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return f"pyspark is not installed; install it with: {_INSTALL}"
    java_home = os.environ.get("JAVA_HOME")
    if not (
        java_home and os.path.exists(os.path.join(java_home, "bin", "java"))
    ) and not shutil.which("java"):
        return "Java is not installed (Spark needs Java 17: no JAVA_HOME and no java on PATH)"
    return None


def _import_pyspark() -> Any:
    try:
        import pyspark.sql
    except ImportError as err:
        raise ImportError(f"Spark support needs pyspark; install it with: {_INSTALL}") from err
    return pyspark.sql


def local_session(*, master: str = "local[2]", config: Mapping[str, str] | None = None) -> Any:
    """A local ``SparkSession`` (started on first use, then reused by the whole process).

    Parameters
    ----------
    master
        The Spark master (``'local[2]'``: two worker threads in this process's JVM).
    config
        Settings added to :data:`LOCAL_CONFIG` (``{"spark.driver.memory": "4g"}``); they take
        effect only when the session is started here.

    Notes
    -----
    The session binds to 127.0.0.1, has no web UI and uses 4 shuffle partitions. Its driver
    (which in local mode also runs the executors) gets :func:`default_driver_memory` unless
    ``config`` sets ``spark.driver.memory``. Its Python
    workers run this interpreter (``PYSPARK_PYTHON`` is set to it unless already set: PySpark
    reads the worker's interpreter only from there). Starting one takes 10-25 s;
    ``session.stop()`` ends it.
    """
    sql = _import_pyspark()
    with _LOCAL_LOCK:
        active = sql.SparkSession.getActiveSession()
        if active is not None:
            return active
        started = time.perf_counter()
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = sql.SparkSession.builder.master(master).appName("synphys_ibis")
        settings = {
            **LOCAL_CONFIG,
            "spark.driver.memory": default_driver_memory(),
            "spark.pyspark.python": sys.executable,
            "spark.pyspark.driver.python": sys.executable,
            **dict(config or {}),
        }
        for key, value in settings.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        logger.info("started a local Spark session in %.1f s", time.perf_counter() - started)
        return session


def _session(session: Any) -> Any:
    return local_session() if session is None else session


def read_manifest(target: str | os.PathLike[str], *, session: Any = None) -> DatasetManifest:
    """Read a dataset's manifest through Spark (so any URL the session reads works).

    Raises
    ------
    NotAReleaseError
        If ``target`` holds no dataset manifest.
    """
    location = DatasetLocation.parse(target)
    address = location.url(MANIFEST_NAME)
    try:
        rows = _session(session).read.text(address, wholetext=True).collect()
    except Exception as err:  # Spark raises AnalysisException (PATH_NOT_FOUND) and friends
        if "PATH_NOT_FOUND" in str(err) or "does not exist" in str(err):
            raise NotAReleaseError(
                f"{location.root} is not a synphys Parquet dataset: it has no {MANIFEST_NAME}"
            ) from err
        raise
    if len(rows) != 1:
        raise NotAReleaseError(f"{address} could not be read as one text file")
    return DatasetManifest.from_json(rows[0][0], where=address)


def view_name(location: DatasetLocation, table: str) -> str:
    """The session-wide temporary view name of ``table`` of the dataset at ``location``."""
    digest = hashlib.sha1(location.root.encode()).hexdigest()[:10]
    return f"_synphys_{digest}_{table}"


def register_functions(session: Any) -> None:
    """Register the Clopper-Pearson UDFs ``synphys_ci_lower(k, n, alpha)`` / ``synphys_ci_upper``."""
    from pyspark import cloudpickle
    from pyspark.sql.functions import udf
    from pyspark.sql.types import DoubleType

    from synphys_ibis import stats

    # By value: executors then run the functions without importing synphys_ibis.
    cloudpickle.register_pickle_by_value(stats)
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    session.udf.register("synphys_ci_lower", udf(_ci_lower, DoubleType()))
    session.udf.register("synphys_ci_upper", udf(_ci_upper, DoubleType()))


# The bounds of synphys_ibis.stats.clopper_pearson (level 1 - alpha), from its uncached beta
# quantile: the UDFs are pickled by value, and the cache of clopper_pearson would pickle by
# reference.
def _ci_lower(k: int | None, n: int | None, alpha: Any) -> float | None:
    if k is None or n is None or alpha is None or n <= 0:
        return None
    # float(): Spark SQL passes a literal such as 0.05 as a Decimal
    return 0.0 if k == 0 else _beta_quantile(float(alpha) / 2.0, k, n - k + 1)


def _ci_upper(k: int | None, n: int | None, alpha: Any) -> float | None:
    if k is None or n is None or alpha is None or n <= 0:
        return None
    return 1.0 if k == n else _beta_quantile(1.0 - float(alpha) / 2.0, k + 1, n - k)


@cache
def _backend_class() -> type:
    _import_pyspark()
    import ibis

    ibis.pyspark  # noqa: B018 - loading the backend this way registers its options (compiler reads them)
    from ibis.backends.pyspark import Backend
    from pyspark.errors import PySparkException

    from synphys_ibis.engines.compiled import CompiledSQLCache
    from synphys_ibis.engines.execution import QueryErrors

    class SynphysSparkBackend(QueryErrors, CompiledSQLCache, Backend):
        """Ibis' PySpark backend, serving a dataset's views under the tables' own names.

        Closing it leaves the session running: the session belongs to whoever started it
        (the user, or :func:`local_session` for the whole process).
        """

        _synphys_views: Mapping[str, str] = {}
        _synphys_engine_errors = (PySparkException,)
        _synphys_engine_label = "Spark"

        def table(self, name: str, /, *, database: Any = None) -> Any:
            if database is None and name in self._synphys_views:
                name = self._synphys_views[name]
            return super().table(name, database=database)

        def disconnect(self) -> None:
            pass

        def _dataframe(self, expr: Any, params: Any, limit: Any) -> Any:
            self._run_pre_execute_hooks(expr)
            sql = self.compile(expr, params=params, limit=limit)
            logger.debug("Spark SQL: %s", sql)
            return self._session.sql(sql)

        def to_pyarrow(
            self, expr: Any, /, *, params: Any = None, limit: Any = None, **kwargs: Any
        ) -> Any:
            """The whole result on the driver, collected as Arrow (not through pandas)."""
            from ibis.formats.pyarrow import PyArrowData

            table_expr = expr.as_table()
            frame = self._dataframe(table_expr, params, limit)
            with _driver_memory_hint(self._session):
                arrow = frame.toArrow()
            table = PyArrowData.convert_table(arrow, table_expr.schema())
            return expr.__pyarrow_result__(table)

        def to_pyarrow_batches(
            self,
            expr: Any,
            /,
            *,
            params: Any = None,
            limit: Any = None,
            chunk_size: int = 1_000_000,
            **kwargs: Any,
        ) -> Any:
            """The result as a stream of Arrow batches, one partition at a time.

            The executors encode each partition as Arrow IPC (``mapInArrow``); the driver
            fetches the partitions in order (``toLocalIterator``) and decodes them, so it
            holds at most two partitions, never the whole result.
            """
            import pyarrow as pa

            table_expr = expr.as_table()
            schema = table_expr.schema().to_pyarrow()
            frame = self._dataframe(table_expr, params, limit)
            return pa.RecordBatchReader.from_batches(
                schema, _stream_batches(frame, schema, chunk_size, self._session)
            )

        def write_parquet_parts(
            self, expr: Any, directory: str, *, compression: str, rows_per_file: int
        ) -> None:
            """Write the result from the executors (Spark's Parquet writer) into ``directory``.

            ``directory`` exists and is empty; it receives ``part-*.parquet`` files (at most
            ``rows_per_file`` rows each) and Spark's ``_SUCCESS`` marker.
            """
            frame = self._dataframe(expr.as_table(), None, None)
            codec = "uncompressed" if compression == "none" else compression
            writer = frame.write.option("compression", codec).option(
                "maxRecordsPerFile", str(rows_per_file)
            )
            writer.mode("append").parquet(directory)

    return SynphysSparkBackend


def _arrow_ipc_chunks(chunk_size: int) -> Any:
    """The executor side of :func:`_stream_batches`: Arrow batches -> IPC blobs of <= chunk_size rows."""

    def encode(batches: Any) -> Any:
        import pyarrow as pa

        def blob(pending: list[Any]) -> Any:
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, pending[0].schema) as writer:
                for batch in pending:
                    writer.write_batch(batch)
            data = sink.getvalue()
            offsets = pa.array([0, data.size], pa.int32()).buffers()[1]
            array = pa.Array.from_buffers(pa.binary(), 1, [None, offsets, data])
            return pa.RecordBatch.from_arrays([array], ["ipc"])

        pending: list[Any] = []
        rows = 0
        for batch in batches:
            while batch.num_rows:
                take = batch.slice(0, chunk_size - rows)
                batch = batch.slice(take.num_rows)
                pending.append(take)
                rows += take.num_rows
                if rows >= chunk_size:
                    yield blob(pending)
                    pending, rows = [], 0
        if pending:
            yield blob(pending)

    return encode


def _stream_batches(frame: Any, schema: Any, chunk_size: int, session: Any) -> Any:
    """Yield the rows of ``frame`` as Arrow batches of ``schema``, one partition in memory."""
    import pyarrow as pa
    from ibis.formats.pyarrow import PyArrowData, PyArrowSchema

    ibis_schema = PyArrowSchema.to_ibis(schema)
    encoded = frame.mapInArrow(_arrow_ipc_chunks(max(1, int(chunk_size))), "ipc binary")
    with _driver_memory_hint(session):
        for row in encoded.toLocalIterator(prefetchPartitions=True):
            with pa.ipc.open_stream(row[0]) as reader:
                for batch in reader:
                    table = PyArrowData.convert_table(pa.Table.from_batches([batch]), ibis_schema)
                    yield from table.to_batches()


@contextlib.contextmanager
def _driver_memory_hint(session: Any) -> Iterator[None]:
    """Turn the JVM's heap exhaustion into a :class:`SparkMemoryError` naming the setting."""
    try:
        yield
    except Exception as err:
        text = str(err)
        if "OutOfMemoryError" not in text and "Java heap space" not in text:
            raise
        try:
            memory = session.sparkContext.getConf().get("spark.driver.memory", "1g")
        except Exception:  # the JVM may be gone after an OOM
            memory = "unknown"
        raise SparkMemoryError(
            f"the Spark driver ran out of memory collecting the result "
            f"(spark.driver.memory={memory}); start the session with a larger "
            f"spark.driver.memory (local_session(config={{'spark.driver.memory': '8g'}})), or "
            f"stream the result with to_pyarrow_batches(), or write it from the executors with "
            f"export.to_parquet(query, path, dataset=True)"
        ) from err


def spark_schema(table: Table, columns: Sequence[str]) -> Any:
    """The Spark schema of an exported table's ``columns`` (None if one is not in ``table``)."""
    from pyspark.sql import types

    spark_types = {
        "int": types.LongType(),
        "bigint": types.LongType(),
        "float": types.DoubleType(),
        "bool": types.BooleanType(),
        "str": types.StringType(),
        "object": types.StringType(),
        "datetime": types.TimestampNTZType(),
        "array": types.BinaryType(),
    }
    if not all(table.has_column(name) for name in columns):
        return None
    return types.StructType(
        [types.StructField(name, spark_types[table.column(name).type]) for name in columns]
    )


def open_spark_release(
    target: str | os.PathLike[str],
    schema_version: str,
    *,
    session: Any = None,
    manifest: DatasetManifest | None = None,
) -> Any:
    """Open the Parquet dataset at ``target`` in ``session`` (default: :func:`local_session`).

    Returns an Ibis PySpark connection on which ``con.table("pair")`` is the raw pair table.
    Views get the schema of ``schema_version``, so Spark reads no file to open the dataset.
    """
    started = time.perf_counter()
    spark = _session(session)
    location = DatasetLocation.parse(target)
    if manifest is None:
        manifest = read_manifest(target, session=spark)
    schema = load_schema(schema_version)
    views = {}
    for table in manifest.tables.values():
        name = view_name(location, table.name)
        paths = [location.url(f.path) for f in table.files]
        reader = spark.read
        if table.name in schema:
            struct = spark_schema(schema.table(table.name), table.columns)
            reader = reader if struct is None else reader.schema(struct)
        reader.parquet(*paths).createOrReplaceTempView(name)
        views[table.name] = name
    register_functions(spark)
    con = _backend_class()().connect(spark)
    con._synphys_views = views
    logger.debug("opened %s on Spark in %.2f s", target, time.perf_counter() - started)
    return con


class SparkEngine(DatasetEngine):
    """A Parquet dataset of a release read by Apache Spark (``spark:///``); read-only."""

    name = "spark"
    option_names: tuple[str, ...] = ("session",)
    capabilities = Capabilities(
        writable=False,
        dataset=True,
        raw_batches=False,
        normalize_stored_types=True,
        temp_views=True,
        single_open_mode=False,
        planner_statistics=False,
        local_file=False,
        # the same two names, registered on the session as Python UDFs (register_functions)
        interval_functions=(duckdb_ci_lower, duckdb_ci_upper),
        writes_where_computed=True,
    )

    def open_reader(self, db: DatabaseHandle) -> Any:
        return open_spark_release(
            db.require_name(),
            db.schema_version,
            session=db.engine_options.get("session"),
            manifest=db.dataset_manifest(),
        )

    def read_manifest(self, db: DatabaseHandle) -> DatasetManifest:
        return read_manifest(db.require_name(), session=db.engine_options.get("session"))

    def exists(self, db: DatabaseHandle) -> bool:
        from synphys_ibis.engines.dataset import is_dataset

        return db.db_name is not None and is_dataset(db.db_name)

    def write_parquet_parts(
        self, table: Any, directory: Path, *, compression: str, rows_per_file: int
    ) -> None:
        """Spark's own writer, on the executors: one part file per partition (or more)."""
        import ibis

        ibis.get_backend(table).write_parquet_parts(
            table, str(directory), compression=compression, rows_per_file=rows_per_file
        )

    def apply_in_groups(self, table: Any, by: str, func: Callable[[Any], Any], schema: Any) -> Any:
        """``func`` on the executors, one call per group (``groupBy(by).applyInArrow``).

        ``func``'s module is pickled by value, so executors need only pyarrow and numpy.
        """
        import ibis
        from pyspark import cloudpickle
        from pyspark.sql.pandas.types import from_arrow_schema

        cloudpickle.register_pickle_by_value(sys.modules[func.__module__])
        backend = ibis.get_backend(table)
        frame = backend._dataframe(table.as_table(), None, None)
        grouped = frame.groupBy(by).applyInArrow(func, from_arrow_schema(schema))
        with _driver_memory_hint(backend._session):
            return grouped.toArrow().cast(schema)


ENGINE = SparkEngine()
