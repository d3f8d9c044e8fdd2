"""The ``synphys-ibis`` command: a thin layer over the library.

Each subcommand lives in a module of this package with a ``register(subparsers)`` function; every
error the library raises is turned into a one-line message and a non-zero exit code here, in one
place, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from synphys_ibis.errors import SynphysError

__all__ = ["EXIT_ERROR", "EXIT_USAGE", "build_parser", "main"]

EXIT_ERROR = 1
EXIT_USAGE = 2

# Modules defining subcommands, in the order they are listed by --help.
_COMMAND_MODULES = ("demo", "releases", "query", "maintenance", "parquet")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    from synphys_ibis import __version__

    parser = _OneLineErrorParser(
        prog="synphys-ibis",
        description="Query the Allen Institute Synaptic Physiology releases with Ibis.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log progress (-v) or SQL (-vv)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in _COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(subparsers)
    return parser


class _OneLineErrorParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"synphys-ibis: error: {message} (see '{self.prog} --help')\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verbose:
        logging.basicConfig(
            level=logging.DEBUG if args.verbose > 1 else logging.INFO,
            format="%(levelname)s %(name)s: %(message)s",
        )
    try:
        result = args.handler(args)
    except KeyboardInterrupt:
        print("synphys-ibis: interrupted", file=sys.stderr)
        return 130
    except (SynphysError, OSError, ImportError) as err:
        print(f"synphys-ibis: error: {_one_line(err)}", file=sys.stderr)
        return EXIT_ERROR
    return int(result or 0)


#: Python arguments the library's messages name, and the options that set them on the CLI.
_FLAGS = {
    "overwrite=True": "--overwrite",
    "progressbar=False": "--no-progress",
    "progress=False": "--no-progress",
    "skip_errors=True": "--skip-errors",
}


def _one_line(err: BaseException) -> str:
    """The error as one line, naming CLI options where the library names Python arguments."""
    text = " ".join((str(err).strip() or type(err).__name__).split())
    for argument, flag in _FLAGS.items():
        text = text.replace(f"pass {argument}", f"pass {flag}").replace(argument, flag)
    return text


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
