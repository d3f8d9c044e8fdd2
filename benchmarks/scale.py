"""How query cost grows with release size, on every engine: DuckDB (attached SQLite, native copy,
local Parquet) and Spark local[2] over Parquet.

Run ``python benchmarks/scale.py``. Two synthetic releases are built: the published small size
(``PUBLISHED_SMALL_EXPERIMENTS`` experiments, ~92,000 pairs) and 10x that (~920,000 pairs;
generating it takes a minute or two). Each is prepared once for the engines that need it (the
native DuckDB copy, the Parquet export; both timed). Then every engine runs two queries, each in
a **fresh subprocess**:

* broad: ``pair_query(species='mouse', preload=['synapse'])`` to Arrow: every mouse pair (~82,000
  at 1x, ~820,000 at 10x) with the pair's columns and the synapse group (synapse, resting-state
  fit, dynamics, release model, conductance: 159 columns). The heavier ``preload=['cell',
  'synapse']`` (375 columns) is impractical at 10x: on Spark it took 43 s and 4.4 GB at 1x, which
  extrapolates to ~40 GB at 10x on a 24 GB machine (``--broad-preload cell synapse`` runs it);
* matrix: ``connectivity_matrix`` of the 17 mouse layer classes (17x17), one statement.

A child process opens the release (timed; for Spark this includes starting the session), runs
the query once cold (compiling it), then ``--repeat`` times warm (``--spark-repeat`` for Spark;
median reported), and reports its peak resident memory: its own plus, for Spark, that of the JVM
and Python workers it started (``VmHWM`` of each process, read from ``/proc``; ``getrusage``'s
``ru_maxrss`` would include the parent's memory at the fork). The growth exponent of an engine is
``log(t10 / t1) / log(10)`` on the warm median: 1 is linear, below 1 means fixed costs still
dominate at 1x. Results go to ``benchmarks/results/scale.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "scale.json"
ENGINES = ("duckdb-sqlite", "duckdb-native", "duckdb-parquet", "spark")
QUERIES = ("broad", "matrix")
SPARK_DRIVER_MEMORY = "8g"  # local[2]: the driver JVM also holds the executor's heap
BROAD_PRELOAD = ["synapse"]


# -- the child: one engine, one query, one process -------------------------------------------------
def _open(engine: str, release: Path, dataset: Path) -> Any:
    from synphys_ibis import SynphysDatabase

    if engine == "duckdb-sqlite":
        return SynphysDatabase.load_sqlite(release, native_cache=False)
    if engine == "duckdb-native":
        return SynphysDatabase.load_sqlite(release, native_cache=True)
    if engine == "duckdb-parquet":
        return SynphysDatabase.load_parquet(dataset)
    from synphys_ibis.engines.spark import local_session

    session = local_session(config={"spark.driver.memory": SPARK_DRIVER_MEMORY})
    return SynphysDatabase.load_spark(dataset, session=session)


def _run_query(db: Any, query: str) -> int:
    from synphys_ibis import mouse_layer_classes

    if query == "broad":
        table = db.pair_query(species="mouse", preload=BROAD_PRELOAD)
    else:
        classes = mouse_layer_classes()
        table = db.connectivity_matrix(classes, classes, species="mouse")
    result = table.to_pyarrow()
    rows = result.num_rows
    del result
    return rows


def _peak_kb(pid: int | str = "self") -> int:
    """Peak resident memory (VmHWM) of one process since it started its program.

    (``getrusage``'s ``ru_maxrss`` would also count the parent's memory at the fork.)
    """
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants_peak_kb() -> int:
    """Peak RSS (VmHWM) summed over every descendant process (Spark's JVM and workers)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                parent = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total, stack = 0, list(children.get(os.getpid(), []))
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        total += _peak_kb(pid)
    return total


def child(engine: str, query: str, release: Path, dataset: Path, repeat: int) -> dict[str, Any]:
    started = time.perf_counter()
    db = _open(engine, release, dataset)
    opened = time.perf_counter() - started
    started = time.perf_counter()
    rows = _run_query(db, query)
    cold = time.perf_counter() - started
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        _run_query(db, query)
        times.append(time.perf_counter() - started)
    own_kb = _peak_kb()
    others_kb = _descendants_peak_kb()
    return {
        "open_s": round(opened, 3),
        "cold_s": round(cold, 3),
        "warm_s": round(statistics.median(times), 3),
        "warm_runs_s": [round(t, 3) for t in times],
        "rows": rows,
        "peak_rss_mb": round((own_kb + others_kb) / 1024, 1),
        "peak_rss_python_mb": round(own_kb / 1024, 1),
    }


# -- the parent: releases, preparation, one child per measurement ---------------------------------
def prepare(
    workdir: Path, scale: int, experiments: int, *, size: str = "small", sweeps_per_pair: int = 8
) -> dict[str, Any]:
    from synphys_ibis import Database, SynphysDatabase, synthetic

    release = workdir / f"synphys_scale_{scale}x.sqlite"
    started = time.perf_counter()
    synthetic.write_release(
        release,
        n_experiments=experiments * scale,
        size=size,  # type: ignore[arg-type]
        sweeps_per_pair=sweeps_per_pair,
    )
    generated = time.perf_counter() - started
    started = time.perf_counter()
    SynphysDatabase.load_sqlite(release, native_cache=True).close()
    native = time.perf_counter() - started
    started = time.perf_counter()
    source = Database("sqlite:///", None, release)
    dataset = source.export_parquet(workdir / f"synphys_scale_{scale}x.parquet", progress=False)
    source.close()
    exported = time.perf_counter() - started
    summary = synthetic.release_summary(release)
    dataset_bytes = sum(p.stat().st_size for p in dataset.rglob("*") if p.is_file())
    native_bytes = sum(p.stat().st_size for p in (workdir / "cache" / "native").glob("*.duckdb"))
    return {
        "release": release,
        "dataset": dataset,
        "experiments": experiments * scale,
        "size": size,
        "sweeps_per_pair": sweeps_per_pair if size != "small" else None,
        "pairs": summary["pair"],
        "pulse_responses": summary["pulse_response"],
        "sqlite_mb": round(release.stat().st_size / 1e6, 1),
        "parquet_mb": round(dataset_bytes / 1e6, 1),
        "native_mb (all copies in the cache)": round(native_bytes / 1e6, 1),
        "generate_s": round(generated, 1),
        "native_copy_s": round(native, 1),
        "parquet_export_s": round(exported, 1),
    }


def measure(
    engine: str,
    query: str,
    prepared: dict[str, Any],
    repeat: int,
    cache: Path,
    timeout: int,
    preload: list[str],
) -> dict[str, Any]:
    command = [
        sys.executable, __file__, "--child", engine, query,
        str(prepared["release"]), str(prepared["dataset"]), "--repeat", str(repeat),
        "--broad-preload", *preload,
    ]  # fmt: skip
    env = {**os.environ, "SYNPHYS_IBIS_CACHE_DIR": str(cache)}
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    wall = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"error": f"exit {done.returncode}: {' | '.join(tail)}"}
    result: dict[str, Any] = json.loads(lines[-1])
    result["process_wall_s"] = round(wall, 1)
    return result


def exponent(small: dict[str, Any], large: dict[str, Any], key: str) -> float | None:
    if "error" in small or "error" in large or not small.get(key) or not large.get(key):
        return None
    return round(math.log(large[key] / small[key]) / math.log(10), 2)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from synphys_ibis import synthetic

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="synphys-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    cache = workdir / "cache"
    os.environ["SYNPHYS_IBIS_CACHE_DIR"] = str(cache)
    experiments = args.experiments or synthetic.PUBLISHED_SMALL_EXPERIMENTS
    report: dict[str, Any] = {"scales": {}, "results": {}, "growth_exponent": {}}
    try:
        for scale in args.scales:
            prepared = prepare(workdir, scale, experiments, size=args.size,
                               sweeps_per_pair=args.sweeps_per_pair)  # fmt: skip
            print(
                f"{scale}x: {prepared['pairs']:,} pairs, SQLite {prepared['sqlite_mb']} MB, "
                f"Parquet {prepared['parquet_mb']} MB; generated in {prepared['generate_s']} s, "
                f"native copy {prepared['native_copy_s']} s, Parquet export "
                f"{prepared['parquet_export_s']} s",
                flush=True,
            )
            report["scales"][f"{scale}x"] = {k: v for k, v in prepared.items()
                                             if k not in ("release", "dataset")}  # fmt: skip
            for engine in args.engines:
                for query in QUERIES:
                    repeat = args.spark_repeat if engine == "spark" else args.repeat
                    result = measure(
                        engine, query, prepared, repeat, cache, args.timeout, args.broad_preload
                    )
                    report["results"].setdefault(engine, {}).setdefault(query, {})[f"{scale}x"] = (
                        result
                    )
                    print(f"  {engine:>15} {query:>6}: {_cell(result)}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if len(args.scales) == 2:
        small, large = (f"{s}x" for s in args.scales)
        for engine, queries in report["results"].items():
            for query, by_scale in queries.items():
                report["growth_exponent"].setdefault(engine, {})[query] = {
                    "warm": exponent(by_scale[small], by_scale[large], "warm_s"),
                    "cold": exponent(by_scale[small], by_scale[large], "cold_s"),
                    "peak_rss": exponent(by_scale[small], by_scale[large], "peak_rss_mb"),
                }
    return report


def _cell(result: dict[str, Any]) -> str:
    if "error" in result:
        return f"FAILED ({result['error']})"
    return (
        f"open {result['open_s']:7.2f} s  cold {result['cold_s']:7.2f} s  warm "
        f"{result['warm_s']:7.2f} s  peak {result['peak_rss_mb']:7.0f} MB  ({result['rows']:,} rows)"
    )


def print_table(report: dict[str, Any], scales: list[int]) -> None:
    labels = [f"{s}x" for s in scales]
    header = f"{'engine':>15} {'query':>6} " + " ".join(
        f"{label + ' warm s':>11} {label + ' peak MB':>11}" for label in labels
    )
    print("\n" + header + f" {'exponent':>9}")
    for engine, queries in report["results"].items():
        for query, by_scale in queries.items():
            cells = []
            for label in labels:
                result = by_scale.get(label, {"error": "-"})
                if "error" in result:
                    cells.append(f"{'failed':>11} {'':>11}")
                else:
                    cells.append(f"{result['warm_s']:>11.2f} {result['peak_rss_mb']:>11.0f}")
            growth = report["growth_exponent"].get(engine, {}).get(query, {}).get("warm")
            print(f"{engine:>15} {query:>6} " + " ".join(cells) + f" {growth!s:>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument(
        "--experiments", type=int, help="experiments at 1x (default: published small)"
    )
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument(
        "--size",
        default="small",
        choices=("small", "medium", "full"),
        help="synthetic release size: medium/full fill the raw-recording tables",
    )
    parser.add_argument(
        "--sweeps-per-pair", type=int, default=8, help="pulse-train sweeps per experiment"
    )
    parser.add_argument("--repeat", type=int, default=3, help="warm runs per DuckDB measurement")
    parser.add_argument("--spark-repeat", type=int, default=1, help="warm runs per Spark one")
    parser.add_argument("--broad-preload", nargs="+", default=["synapse"], metavar="GROUP")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per measurement")
    parser.add_argument("--workdir", help="keep releases here (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="do not delete the work directory")
    parser.add_argument("--child", nargs=4, metavar=("ENGINE", "QUERY", "RELEASE", "DATASET"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args()
    BROAD_PRELOAD[:] = args.broad_preload
    if args.child:
        engine, query, release, dataset = args.child
        print(json.dumps(child(engine, query, Path(release), Path(dataset), args.repeat)))
        return
    started = time.perf_counter()
    report = run(args)
    print_table(report, args.scales)
    from synphys_ibis import __version__

    report.update(
        synphys_ibis=__version__,
        python=sys.version.split()[0],
        machine=f"{platform.machine()}, {platform.system()}, {os.cpu_count()} cores",
        repeat=args.repeat,
        spark_repeat=args.spark_repeat,
        broad_query=f"pair_query(species='mouse', preload={args.broad_preload!r})",
        matrix_query="connectivity_matrix(mouse_layer_classes() x 2, species='mouse')",
        spark_driver_memory=SPARK_DRIVER_MEMORY,
        total_s=round(time.perf_counter() - started, 1),
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
