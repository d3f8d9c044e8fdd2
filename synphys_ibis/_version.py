"""The installed version of synphys_ibis (read from the package metadata)."""

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("synphys_ibis")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
