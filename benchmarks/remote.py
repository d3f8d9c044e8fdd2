"""Requests and time to open a Parquet dataset over HTTP, and to query it, with network latency.

Run ``python benchmarks/remote.py``. It builds the published-small-sized synthetic release
(~92,000 pairs, 40 MB of Parquet), serves its dataset from a Range-capable HTTP server on
127.0.0.1 (``tests/range_server.py``) that waits ``--latency`` seconds (default 20 ms) before every
response, and measures, in this process:

* open: ``SynphysDatabase.load_parquet(url)`` (manifest, footers, views);
* matrix: the 17x17 ``connectivity_matrix`` of ``mouse_layer_classes()`` (cold, then warm runs);
* narrow: ``pair_query(pre_class=sst, species="mouse")``.

For each: the HEAD and GET requests the server saw and the wall time (warm: median of
``--repeat`` runs). With ``--block-cache`` the dataset is opened with a local block cache
(``cache_storage``) and measured again after reopening. Results go to
``benchmarks/results/remote.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.range_server import RangeServer

RESULTS = Path(__file__).parent / "results" / "remote.json"


def build(workdir: Path, experiments: int) -> Path:
    from synphys_ibis import Database, synthetic

    release = synthetic.write_release(workdir / "synphys_remote.sqlite", n_experiments=experiments)
    source = Database("sqlite:///", None, release)
    dataset = source.export_parquet(workdir / "synphys_remote.parquet", progress=False)
    source.close()
    return dataset


def timed(server: RangeServer, action: Any) -> dict[str, Any]:
    server.clear()
    started = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - started
    counts = server.counts()
    return {"s": round(elapsed, 3), "HEAD": counts["HEAD"], "GET": counts["GET"],
            "result": result}  # fmt: skip


def measure(url: str, server: RangeServer, repeat: int, **options: Any) -> dict[str, Any]:
    from synphys_ibis import CellClass, SynphysDatabase, mouse_layer_classes

    classes = mouse_layer_classes()
    report: dict[str, Any] = {}
    opened = timed(server, lambda: SynphysDatabase.load_parquet(url, **options))
    db = opened.pop("result")
    report["open"] = opened

    def matrix() -> int:
        return int(db.connectivity_matrix(classes, classes, species="mouse").to_pyarrow().num_rows)

    def narrow() -> int:
        query = db.pair_query(pre_class=CellClass(cre_type="sst"), species="mouse")
        return int(query.to_pyarrow().num_rows)

    for name, action in (("matrix", matrix), ("narrow", narrow)):
        cold = timed(server, action)
        warm = [timed(server, action) for _ in range(repeat)]
        report[f"{name}_cold"] = {k: v for k, v in cold.items() if k != "result"}
        report[f"{name}_warm"] = {
            "s": statistics.median(w["s"] for w in warm),
            "HEAD": max(w["HEAD"] for w in warm),
            "GET": max(w["GET"] for w in warm),
            "rows": warm[0]["result"],
        }
    db.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per response")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--experiments", type=int, help="default: the published small size")
    parser.add_argument("--label", default="current", help="key of this run in the results")
    parser.add_argument("--block-cache", action="store_true", help="also measure cache_storage")
    args = parser.parse_args()
    from synphys_ibis import synthetic

    workdir = Path(tempfile.mkdtemp(prefix="synphys-remote-"))
    try:
        dataset = build(workdir, args.experiments or synthetic.PUBLISHED_SMALL_EXPERIMENTS)
        server = RangeServer(workdir, latency=args.latency)
        url = f"{server.url}/{dataset.name}"
        runs = {"plain": measure(url, server, args.repeat)}
        if args.block_cache:
            cache = workdir / "blocks"
            measure(url, server, 1, cache_storage=cache)  # fills the cache
            runs["block_cache_reopened"] = measure(url, server, args.repeat, cache_storage=cache)
        server.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for label, run in runs.items():
        for step, values in run.items():
            print(f"{label:>22} {step:>12}: {values}")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[args.label] = {"latency_s": args.latency, "repeat": args.repeat, **runs}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
