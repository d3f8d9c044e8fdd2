"""The same queries on Spark (local[2], over a Parquet export) as on DuckDB: identical results.

A Spark query costs seconds, so Spark is not one of the ``db`` fixture's engines; these tests run
a representative set instead (every pair-query parameter at least once, a fan-out release,
``filter_exprs``, a matrix pair query and a connectivity matrix) against DuckDB over the same
dataset. They need pyspark and Java: without them they are skipped, unless
``SYNPHYS_IBIS_REQUIRE_SPARK=1`` (CI), which makes them fail instead. One Spark session serves
the whole test session.
"""

from __future__ import annotations

import math
import pickle
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ibis import _

from synphys_ibis import CellClass, SynphysDatabase, mouse_layer_classes
from synphys_ibis.errors import NotAReleaseError

pytestmark = pytest.mark.spark


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    from synphys_ibis.engines.spark import local_session, spark_unavailable_reason
    from synphys_ibis.settings import env_flag

    reason = spark_unavailable_reason()
    if reason is not None:
        if env_flag("SYNPHYS_IBIS_REQUIRE_SPARK", default=False):
            pytest.fail(f"{reason} (SYNPHYS_IBIS_REQUIRE_SPARK is set)", pytrace=False)
        pytest.skip(reason)
    session = local_session()
    yield session
    session.stop()


@pytest.fixture(scope="module")
def datasets(release: Path, fanout_release: Path, parquet_export: Any) -> dict[str, Path]:
    return {"small": parquet_export(release), "fanout": parquet_export(fanout_release)}


@pytest.fixture(scope="module")
def engines(
    spark_session: Any, datasets: dict[str, Path]
) -> Iterator[dict[str, tuple[SynphysDatabase, SynphysDatabase]]]:
    """``{release: (spark, duckdb)}`` over the same Parquet datasets."""
    pairs = {
        name: (
            SynphysDatabase.load_spark(path, session=spark_session),
            SynphysDatabase.load_parquet(path),
        )
        for name, path in datasets.items()
    }
    yield pairs
    for spark, duck in pairs.values():
        spark.close()
        duck.close()


def rows(table: Any) -> list[dict[str, Any]]:
    """All rows, in pair order (pair queries come in no guaranteed order)."""
    data = table.to_pyarrow().to_pylist()
    return sorted(data, key=lambda r: r["id"]) if data and "id" in data[0] else data


def same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12)
    return bool(a == b)


SST = CellClass(cre_type="sst")
CASES: list[tuple[str, dict[str, Any]]] = [
    ("classes", {"pre_class": CellClass(cre_type=("sst", "pvalb")),
                 "post_class": CellClass(cortical_layer="5", dendrite_type="spiny")}),
    ("class-expression", {"pre_class": CellClass(_.fractional_layer_depth < 0.5,
                                                 cortical_layer="2/3")}),
    ("synapse-type-species", {"synapse": True, "synapse_type": "ex", "species": "mouse"}),
    ("probed-experiment-type", {"synapse_probed": True, "experiment_type": "standard multipatch"}),
    ("electrical-project", {"electrical": False,
                            "project_name": ["mouse V1 coarse matrix", "human coarse matrix"]}),
    ("acsf-internal-age", {"acsf": "2mM Ca & Mg", "internal": "Standard K-Gluc",
                           "age": (40, None)}),
    ("distance-preload", {"distance": (0, 100e-6), "species": "mouse",
                          "preload": ["experiment", "cell", "synapse", "synapse_prediction"]}),
    ("filter-exprs", {"synapse": True, "preload": ["synapse"],
                      "filter_exprs": [_.synapse_psp_amplitude > 0,
                                       _.pre_intrinsic_rheobase.notnull()]}),
]  # fmt: skip


@pytest.mark.parametrize(("label", "args"), CASES, ids=[c[0] for c in CASES])
def test_pair_query_matches_duckdb(
    engines: dict[str, tuple[SynphysDatabase, SynphysDatabase]], label: str, args: dict[str, Any]
) -> None:
    spark, duck = engines["small"]
    got, expected = rows(spark.pair_query(**args)), rows(duck.pair_query(**args))
    assert [r["id"] for r in got] == [r["id"] for r in expected]
    assert expected, label  # every case selects something
    assert list(got[0]) == list(expected[0])  # same columns, same order
    for a, b in zip(got, expected, strict=True):
        for column in a:
            assert same_value(a[column], b[column]), (label, a["id"], column)


@pytest.mark.parametrize(
    "args",
    [
        {"synapse_type": "in", "preload": ["synapse"]},
        {"pre_class": CellClass(cortical_layer="2/3", cre_type=("sst", "pvalb", "vip"))},
    ],
    ids=["synapse-children", "cell-children"],
)
def test_fan_out_release_matches_duckdb(
    engines: dict[str, tuple[SynphysDatabase, SynphysDatabase]], args: dict[str, Any]
) -> None:
    spark, duck = engines["fanout"]
    got, expected = rows(spark.pair_query(**args)), rows(duck.pair_query(**args))
    assert [r["id"] for r in got] == [r["id"] for r in expected] != []


def test_matrix_pair_query_matches_duckdb(
    engines: dict[str, tuple[SynphysDatabase, SynphysDatabase]],
) -> None:
    spark, duck = engines["small"]
    classes = {
        "sst": SST,
        "inhibitory": CellClass(cre_type=("sst", "pvalb", "vip")),
        "l5": CellClass(cortical_layer="5"),
    }
    args = {"pre_classes": classes, "post_classes": classes,
            "columns": ["synapse_psp_amplitude"], "pair_query_args": {"species": "mouse"}}  # fmt: skip

    def members(db: SynphysDatabase) -> Counter[tuple[Any, ...]]:
        data = rows(db.matrix_pair_query(**args))
        return Counter((r["pre_class"], r["post_class"], r["id"], r["synapse_psp_amplitude"])
                       for r in data)  # fmt: skip

    expected = members(duck)
    assert members(spark) == expected and sum(expected.values()) > 0


def test_connectivity_matrix_matches_duckdb(
    engines: dict[str, tuple[SynphysDatabase, SynphysDatabase]],
) -> None:
    spark, duck = engines["small"]
    classes = mouse_layer_classes()
    got = rows(spark.connectivity_matrix(classes, classes, species="mouse"))
    expected = rows(duck.connectivity_matrix(classes, classes, species="mouse"))
    assert len(got) == len(expected) == 17 * 17
    assert sum(r["n_probed"] for r in expected) > 0
    for a, b in zip(got, expected, strict=True):
        assert (a["pre_class"], a["post_class"], a["n_probed"], a["n_connected"]) == (
            b["pre_class"], b["post_class"], b["n_probed"], b["n_connected"],
        )  # fmt: skip
        for column in ("connection_probability", "ci_lower", "ci_upper"):
            if b[column] is None:
                assert a[column] is None
            else:
                assert math.isclose(a[column], b[column], rel_tol=1e-9), (a, b)


def test_sessions_are_shared_and_never_stopped_by_close(
    spark_session: Any, datasets: dict[str, Path]
) -> None:
    from synphys_ibis.engines.spark import local_session

    assert local_session() is spark_session  # one session per process
    db = SynphysDatabase.load_spark(datasets["small"])  # the default: the local session
    assert db.backend == "spark" and db.version_name.endswith(".sqlite")
    n_cells = db.table("cell").count().to_pyarrow().as_py()
    db.close()
    assert spark_session.range(3).count() == 3  # still running
    copy = pickle.loads(pickle.dumps(db))  # a copy opens in the receiving process' session
    assert copy.table("cell").count().to_pyarrow().as_py() == n_cells
    copy.close()


def test_a_missing_dataset_is_named(spark_session: Any, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(NotAReleaseError, match=r"synphys_dataset\.json"):
        SynphysDatabase.load_spark(tmp_path / "empty", session=spark_session)


@pytest.mark.parametrize("version", ["15", "18"])
def test_old_schema_versions_on_spark(
    spark_session: Any, parquet_export: Any, tmp_path_factory: pytest.TempPathFactory, version: str
) -> None:
    """Renamed columns, the layer in morphology and the v15 sign work on Spark as on DuckDB."""
    from synphys_ibis import synthetic

    path = tmp_path_factory.mktemp("spark_versions") / f"synphys_test_v{version}.sqlite"
    dataset = parquet_export(
        synthetic.write_release(path, n_experiments=30, seed=4, schema_version=version)
    )
    spark = SynphysDatabase.load_spark(dataset, session=spark_session)
    duck = SynphysDatabase.load_parquet(dataset)
    try:
        assert spark.schema_version == duck.schema_version == version
        query = {
            "pre_class": CellClass(cortical_layer=("2/3", "5")),
            "synapse_probed": True,
            "preload": ["cell", "synapse"],
        }
        on_spark, on_duckdb = rows(spark.pair_query(**query)), rows(duck.pair_query(**query))
        assert on_spark and len(on_spark) == len(on_duckdb)
        for a, b in zip(on_spark, on_duckdb, strict=True):
            assert a.keys() == b.keys()
            assert all(same_value(a[k], b[k]) for k in a if not isinstance(a[k], bytes))
        classes = {"sst": CellClass(cre_type="sst"), "l5": CellClass(cortical_layer="5")}
        got = rows(spark.connectivity_matrix(classes, classes))
        expected = rows(duck.connectivity_matrix(classes, classes))
        assert sum(r["n_probed"] for r in expected) > 0
        counts = ("pre_class", "post_class", "n_probed", "n_connected")
        assert [[r[c] for c in counts] for r in got] == [[r[c] for c in counts] for r in expected]
    finally:
        spark.close()
        duck.close()


# -- results that stay distributed ---------------------------------------------------------------
def test_batches_stream_one_partition_at_a_time(
    spark_session: Any, engines: dict[str, tuple[SynphysDatabase, SynphysDatabase]]
) -> None:
    """``to_pyarrow_batches`` fetches partitions as they are read (one Spark job each), so the
    driver never holds the whole result; the batches have the Ibis schema and every row."""
    spark, duck = engines["small"]
    context = spark_session.sparkContext
    spark_session.conf.set("spark.sql.adaptive.coalescePartitions.enabled", "false")
    try:
        context.setJobGroup("synphys-streaming-test", "streaming test")
        table = spark.table("pair").order_by("id")  # range-partitioned into 4 partitions
        reader = table.to_pyarrow_batches(chunk_size=200)
        batches = iter(reader)
        first = next(batches)
        jobs_at_first = len(context.statusTracker().getJobIdsForGroup("synphys-streaming-test"))
        rest = list(batches)
        jobs_at_end = len(context.statusTracker().getJobIdsForGroup("synphys-streaming-test"))
    finally:
        spark_session.conf.unset("spark.sql.adaptive.coalescePartitions.enabled")
        context.setJobGroup("", "")
    assert jobs_at_first < jobs_at_end  # later partitions were computed only when read
    assert all(b.num_rows <= 200 for b in [first, *rest]) and rest
    got = pa.Table.from_batches([first, *rest], schema=reader.schema)
    expected = duck.table("pair").order_by("id").to_pyarrow()
    assert got.schema == spark.table("pair").schema().to_pyarrow()
    assert got.column("id").to_pylist() == expected.column("id").to_pylist()


def test_to_pyarrow_collects_as_arrow_with_the_ibis_schema(
    engines: dict[str, tuple[SynphysDatabase, SynphysDatabase]],
) -> None:
    spark, duck = engines["small"]
    query = {"synapse": True, "preload": ["synapse"]}
    got = spark.pair_query(**query).to_pyarrow()
    assert got.schema == duck.pair_query(**query).to_pyarrow().schema
    empty = spark.pair_query(species="no such species").to_pyarrow_batches()
    assert empty.read_all().num_rows == 0


def test_export_of_a_spark_query_is_written_by_the_executors(
    engines: dict[str, tuple[SynphysDatabase, SynphysDatabase]], tmp_path: Path
) -> None:
    from synphys_ibis import export

    spark, duck = engines["small"]
    args = {"species": "mouse", "preload": ["synapse"]}
    query = export.record(spark, "pair_query", **args)
    written = export.to_parquet(query, tmp_path / "mouse", dataset=True, rows_per_file=500)
    names = sorted(p.name for p in (tmp_path / "mouse").iterdir() if not p.name.startswith("."))
    parts = [n for n in names if n.endswith(".parquet")]
    # Spark's writer names its part files part-<task>-<uuid>-c<file>; maxRecordsPerFile splits
    assert len(parts) > 1 and all(re.fullmatch(r"part-\d{5}-[0-9a-f-]{36}-c\d{3}\..*parquet", n)
                                  for n in parts)  # fmt: skip
    assert "_SUCCESS" in names
    assert export.read_provenance(tmp_path / "mouse") == written
    assert written.backend == "spark" and written.params["species"] == "mouse"
    got = pq.read_table(tmp_path / "mouse").sort_by("id")
    expected = duck.pair_query(**args).to_pyarrow().sort_by("id")
    assert got.column_names == expected.column_names
    assert got.column("id").to_pylist() == expected.column("id").to_pylist()
    assert got.column("synapse_psp_amplitude").equals(expected.column("synapse_psp_amplitude"))
    with pytest.raises(FileExistsError):
        export.to_parquet(query, tmp_path / "mouse", dataset=True)


def test_the_local_session_is_sized_from_the_machine(spark_session: Any) -> None:
    from synphys_ibis.engines.spark import default_driver_memory

    memory = default_driver_memory()
    assert re.fullmatch(r"\d+m", memory) and 1024 <= int(memory[:-1]) <= 8192
    conf = spark_session.sparkContext.getConf()
    assert conf.get("spark.driver.memory") == memory


def test_heap_exhaustion_names_the_driver_memory_setting(spark_session: Any) -> None:
    from synphys_ibis.engines.spark import SparkMemoryError, _driver_memory_hint

    memory = r"spark\.driver\.memory=\d+m"
    with (
        pytest.raises(SparkMemoryError, match=memory) as caught,
        _driver_memory_hint(spark_session),
    ):
        raise RuntimeError("java.lang.OutOfMemoryError: Java heap space")
    assert isinstance(caught.value, MemoryError) and "to_pyarrow_batches" in str(caught.value)
    with pytest.raises(ValueError, match="unrelated"), _driver_memory_hint(spark_session):
        raise ValueError("unrelated")


def test_pulse_workflow_decodes_on_the_executors_with_duckdb_results(
    spark_session: Any, full_release: Path, parquet_export: Any
) -> None:
    from synphys_ibis.pulses import average_pulse_responses, pulse_amplitudes

    dataset = parquet_export(full_release)
    spark = SynphysDatabase.load_spark(dataset, session=spark_session)
    duck = SynphysDatabase.load_parquet(dataset)
    try:
        expected = average_pulse_responses(duck)
        assert expected.num_rows > 3
        assert average_pulse_responses(spark).equals(expected)
        assert pulse_amplitudes(spark, synapse_type="in").equals(
            pulse_amplitudes(duck, synapse_type="in")
        )
    finally:
        spark.close()
        duck.close()
