"""How big and how fast synthetic releases of every size are, and how to build a 10+ GB one.

Run ``python benchmarks/synthetic_sizes.py``: each size (small, medium, full) is written with the
same arguments (``--experiments``, ``--sweeps-per-pair``), each in a **fresh subprocess**, and the
file size, bytes per experiment and per pulse response, rows per experiment of the raw tables, the
write rate (MB of SQLite file per second) and the peak resident memory (``VmHWM``) are reported.

``--target-gb 12`` then builds one full release of about that size: the number of experiments is
taken from the bytes per experiment just measured, so the big file grows by adding experiments
(memory stays bounded: rows are generated and inserted in blocks of ``BLOCK_ROWS`` pulse
responses). ``--sweeps-per-pair`` is the other knob: the raw tables grow linearly with it.
Results go to ``benchmarks/results/synthetic_sizes.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "synthetic_sizes.json"
RAW = (
    "sync_rec",
    "recording",
    "patch_clamp_recording",
    "multi_patch_probe",
    "test_pulse",
    "stim_pulse",
    "stim_spike",
    "baseline",
    "pulse_response",
    "pulse_response_fit",
    "pulse_response_strength",
)


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(path: Path, size: str, experiments: int, sweeps: int) -> dict[str, Any]:
    """Write one release and measure it (runs in its own process)."""
    from synphys_ibis import synthetic

    started = time.perf_counter()
    synthetic.write_release(
        path,
        n_experiments=experiments,
        size=size,  # type: ignore[arg-type]
        sweeps_per_pair=sweeps,
        overwrite=True,
    )
    seconds = time.perf_counter() - started
    summary = synthetic.release_summary(path)
    size_bytes = path.stat().st_size
    responses = summary["pulse_response"]
    return {
        "size": size,
        "experiments": experiments,
        "sweeps_per_pair": sweeps,
        "pairs": summary["pair"],
        "pulse_responses": responses,
        "bytes": size_bytes,
        "mb_per_experiment": round(size_bytes / experiments / 1e6, 3),
        "bytes_per_pulse_response": round(size_bytes / responses) if responses else None,
        "rows_per_experiment": {t: round(summary[t] / experiments, 1) for t in RAW},
        "pulse_responses_per_pair": round(responses / summary["pair"], 1),
        "seconds": round(seconds, 2),
        "mb_per_s": round(size_bytes / 1e6 / seconds, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def measure(workdir: Path, size: str, experiments: int, sweeps: int, keep: bool) -> dict[str, Any]:
    path = workdir / f"synthetic_{size}_{experiments}x{sweeps}.sqlite"
    command = [sys.executable, __file__, "--child", str(path), size, str(experiments), str(sweeps)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    if not keep:
        path.unlink()
    print(
        f"{size:>6}: {experiments} experiments x {sweeps} sweeps, {result['pulse_responses']:,} "
        f"pulse responses, {result['bytes'] / 1e9:.3f} GB in {result['seconds']} s "
        f"({result['mb_per_s']} MB/s), {result['mb_per_experiment']} MB/experiment, "
        f"peak {result['peak_rss_mb']} MB"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=200)
    parser.add_argument("--sweeps-per-pair", type=int, default=8)
    parser.add_argument("--sizes", nargs="+", default=["small", "medium", "full"])
    parser.add_argument("--target-gb", type=float, help="then build a full release this big")
    parser.add_argument("--workdir", help="write releases here (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the releases")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        path, size, experiments, sweeps = args.child
        print(json.dumps(child(Path(path), size, int(experiments), int(sweeps))))
        return
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="synphys-sizes-"))
    workdir.mkdir(parents=True, exist_ok=True)
    runs = []
    try:
        for size in args.sizes:
            runs.append(measure(workdir, size, args.experiments, args.sweeps_per_pair, args.keep))
        if args.target_gb:
            probe = next((r for r in runs if r["size"] == "full"), None) or measure(
                workdir, "full", args.experiments, args.sweeps_per_pair, False
            )
            n = int(args.target_gb * 1e9 / (probe["bytes"] / probe["experiments"])) + 1
            runs.append(measure(workdir, "full", n, args.sweeps_per_pair, args.keep))
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    from synphys_ibis import __version__

    report = {
        "runs": runs,
        "synphys_ibis": __version__,
        "python": sys.version.split()[0],
        "machine": f"{platform.machine()}, {platform.system()}, {os.cpu_count()} cores",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
