"""``synphys-ibis demo``: the main job on the embedded default."""

from __future__ import annotations

import argparse
from typing import Any

#: :data:`synphys_ibis.synthetic.PUBLISHED_SMALL_EXPERIMENTS`, repeated here so that ``--help``
#: imports nothing heavy (a test keeps the two equal).
DEFAULT_EXPERIMENTS = 2900


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
        default=None,
        help="size of the synthetic release in experiments (default: "
        f"$SYNPHYS_IBIS_DEMO_EXPERIMENTS, else {DEFAULT_EXPERIMENTS}, about 92,000 pairs)",
    )
    parser.add_argument(
        "--cache-dir",
        default=None,
        help="cache directory (default: $SYNPHYS_IBIS_CACHE_DIR, else the platform cache)",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from synphys_ibis.demo import run_demo

    run_demo(n_experiments=args.experiments, cache=args.cache_dir, progress=not args.no_progress)
    return 0
