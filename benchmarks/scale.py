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
* matrix: ``connectivity_matrix`` of the 17 mouse layer classes (17x17), one statement;
* pulses (``--size full`` only): ``average_pulse_responses`` (:mod:`synphys_ibis.pulses`), the
  averaged trace of every synapse, decoded from the ``.npy`` arrays of ``pulse_response``.

A child process opens the release (timed; for Spark this includes starting the session), runs
the query once cold (compiling it), then ``--repeat`` times warm (``--spark-repeat``, default 3,
for Spark; median reported), and reports its peak resident memory: the largest *simultaneous*
sum of the resident sets of the process and of every process it started (Spark's JVM and Python
workers), sampled every 50 ms from ``/proc`` (``peak_rss_mb``); the sum of each process' own peak
(``VmHWM``), which can count peaks that never coincided, is kept as an upper bound
(``peak_rss_upper_mb``). Spark runs with the library's default local session (driver memory sized
from the machine: :func:`synphys_ibis.engines.spark.default_driver_memory`) unless
``--spark-driver-memory`` is given.

Every result is hashed (:func:`digest`: row count and an order-insensitive hash of the rows,
floats rounded to 10 decimals); engines that disagree on a query make the run exit with status 1
after the results are written. The rate of the Parquet export (MB of SQLite per second, GB per
minute) is reported for each release. The growth exponent of an engine is
``log(t10 / t1) / log(10)`` on the warm median: 1 is linear, below 1 means fixed costs still
dominate at 1x. Results go to ``benchmarks/results/scale.json``; ``--markdown`` prints the
README's table.
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
FULL_QUERIES = ("broad", "matrix", "pulses")
SPARK_DRIVER_MEMORY: list[str] = []  # --spark-driver-memory (default: the library's sizing)
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

    config = {"spark.driver.memory": SPARK_DRIVER_MEMORY[0]} if SPARK_DRIVER_MEMORY else None
    return SynphysDatabase.load_spark(dataset, session=local_session(config=config))


def _run_query(db: Any, query: str) -> Any:
    from synphys_ibis import mouse_layer_classes
    from synphys_ibis.pulses import average_pulse_responses

    if query == "pulses":
        return average_pulse_responses(db)
    if query == "broad":
        table = db.pair_query(species="mouse", preload=BROAD_PRELOAD)
    else:
        classes = mouse_layer_classes()
        table = db.connectivity_matrix(classes, classes, species="mouse")
    return table.to_pyarrow()


def digest(result: Any) -> str:
    """``<rows>:<hash>`` of an Arrow table, whatever its row order; floats rounded to 10 decimals
    (engines may differ in the last bits of a computed double), lists and bytes by their text."""
    import hashlib

    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = {}
    for name, column in zip(result.column_names, result.columns, strict=True):
        kind = column.type
        if pa.types.is_floating(kind):
            column = pc.round(column, 10)
        elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
            column = pa.array([None if v is None else repr([round(x, 10) for x in v])
                               for v in column.to_pylist()])  # fmt: skip
        elif pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
            column = pa.array([None if v is None else hashlib.sha1(v).hexdigest()
                               for v in column.to_pylist()])  # fmt: skip
        columns[name] = column
    frame = pa.table(columns).to_pandas()
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype="uint64")
    total = int(rows.sum(dtype="uint64"))  # wraps modulo 2**64: order-insensitive
    return f"{result.num_rows}:{total:016x}"


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


def _tree_rss_kb() -> int:
    """Resident memory (VmRSS) now, summed over this process and all its descendants."""
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
    total, stack = 0, [os.getpid()]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status") as fh:
                total += next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
        except OSError:
            pass
    return total


class _Sampler:
    """The largest simultaneous resident memory of the process tree, sampled every 50 ms."""

    def __init__(self) -> None:
        import threading

        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak_kb = max(self.peak_kb, _tree_rss_kb())

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return max(self.peak_kb, _tree_rss_kb())


def child(engine: str, query: str, release: Path, dataset: Path, repeat: int) -> dict[str, Any]:
    sampler = _Sampler()
    started = time.perf_counter()
    db = _open(engine, release, dataset)
    opened = time.perf_counter() - started
    started = time.perf_counter()
    result = _run_query(db, query)
    cold = time.perf_counter() - started
    rows, hashed = result.num_rows, digest(result)
    del result
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        again = _run_query(db, query)
        times.append(time.perf_counter() - started)
        if digest(again) != hashed:
            raise SystemExit(f"{engine} {query}: a warm run gave another result than the cold one")
        del again
    peak_kb = sampler.stop()
    own_kb = _peak_kb()
    others_kb = _descendants_peak_kb()
    return {
        "open_s": round(opened, 3),
        "cold_s": round(cold, 3),
        "warm_s": round(statistics.median(times), 3),
        "warm_runs_s": [round(t, 3) for t in times],
        "rows": rows,
        "digest": hashed,
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "peak_rss_upper_mb": round((own_kb + others_kb) / 1024, 1),
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
    sqlite_mb = release.stat().st_size / 1e6
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
        "export_mb_per_s": round(sqlite_mb / exported, 1),
        "export_gb_per_min": round(sqlite_mb / 1e3 / exported * 60, 2),
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
            queries = FULL_QUERIES if args.size == "full" else QUERIES
            for engine in args.engines:
                for query in queries:
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
    report["disagreements"] = disagreements(report["results"])
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


def disagreements(results: dict[str, Any]) -> list[str]:
    """Queries whose result digest is not the same on every engine that answered them."""
    found = []
    by_query: dict[tuple[str, str], dict[str, str]] = {}
    for engine, queries in results.items():
        for query, by_scale in queries.items():
            for scale, result in by_scale.items():
                if "digest" in result:
                    by_query.setdefault((query, scale), {})[engine] = result["digest"]
    for (query, scale), digests in sorted(by_query.items()):
        if len(set(digests.values())) > 1:
            found.append(f"{query} at {scale}: {digests}")
    return found


def _cell(result: dict[str, Any]) -> str:
    if "error" in result:
        return f"FAILED ({result['error']})"
    return (
        f"open {result['open_s']:7.2f} s  cold {result['cold_s']:7.2f} s  warm "
        f"{result['warm_s']:7.2f} s  peak {result['peak_rss_mb']:7.0f} MB  ({result['rows']:,} rows, "
        f"{result['digest']})"
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


LABELS = {
    "duckdb-sqlite": "DuckDB, attached SQLite",
    "duckdb-native": "DuckDB, native copy",
    "duckdb-parquet": "DuckDB, local Parquet",
    "spark": "Spark local[2], Parquet",
}


def markdown_table(report: dict[str, Any]) -> str:
    """The README's table: warm median and simultaneous peak memory per engine, query, scale."""
    labels = list(report["scales"])
    header = "| engine | query | " + " | ".join(
        f"{label} warm s | {label} peak MB" for label in labels
    )
    exponent_column = len(labels) == 2
    lines = [header + (" | exponent |" if exponent_column else " |")]
    lines.append("| --- | --- |" + " ---: |" * (2 * len(labels) + exponent_column))
    queries = sorted({q for e in report["results"].values() for q in e}, key=FULL_QUERIES.index)
    for query in queries:
        for engine, by_query in report["results"].items():
            if query not in by_query:
                continue
            cells = []
            for label in labels:
                result = by_query[query].get(label, {"error": "-"})
                if "error" in result:
                    cells += ["failed", ""]
                else:
                    cells += [f"{result['warm_s']:.2f}", f"{result['peak_rss_mb']:,.0f}"]
            growth = report["growth_exponent"].get(engine, {}).get(query, {}).get("warm")
            tail = f" | {growth} |" if exponent_column else " |"
            lines.append(f"| {LABELS[engine]} | {query} | " + " | ".join(cells) + tail)
    return "\n".join(lines)


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
    parser.add_argument("--spark-repeat", type=int, default=3, help="warm runs per Spark one")
    parser.add_argument("--spark-driver-memory", help="e.g. 8g (default: the library's sizing)")
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    parser.add_argument("--broad-preload", nargs="+", default=["synapse"], metavar="GROUP")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per measurement")
    parser.add_argument("--workdir", help="keep releases here (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="do not delete the work directory")
    parser.add_argument("--results", help=f"results file (default: {RESULTS})")
    parser.add_argument("--child", nargs=4, metavar=("ENGINE", "QUERY", "RELEASE", "DATASET"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args()
    BROAD_PRELOAD[:] = args.broad_preload
    SPARK_DRIVER_MEMORY[:] = [args.spark_driver_memory] if args.spark_driver_memory else []
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
        spark_driver_memory=args.spark_driver_memory or "default (library sizing)",
        total_s=round(time.perf_counter() - started, 1),
    )
    results = Path(args.results) if args.results else RESULTS
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {results}")
    if args.markdown:
        print(markdown_table(report))
    if report["disagreements"]:
        print("engines disagree:\n  " + "\n  ".join(report["disagreements"]), file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
