"""``synphys-ibis demo``: the main job on the embedded default."""

from __future__ import annotations

import argparse
from typing import Any

from synphys_ibis.demo import DEMO_EXPERIMENTS, run_demo


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="build (once) a synthetic release and run a connectivity matrix and pair queries",
        description=(
            "Build a published-small-sized synthetic release into the cache on first use, open "
            "it on DuckDB and print a 17x17 mouse connectivity matrix and three pair queries "
            "with their timings. Needs no network."
        ),
    )
    parser.add_argument(
        "--experiments",
        type=int,
        default=DEMO_EXPERIMENTS,
        help=f"size of the synthetic release in experiments (default {DEMO_EXPERIMENTS}, "
        "about 92,000 pairs)",
    )
    parser.add_argument(
        "--cache-dir", default=None, help="cache directory (default: platform cache)"
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    run_demo(n_experiments=args.experiments, cache=args.cache_dir)
    return 0
