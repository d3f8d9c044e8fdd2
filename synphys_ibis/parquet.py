"""Moved to :mod:`synphys_ibis.export.parquet`; this module keeps the documented import path working."""

from synphys_ibis.export.parquet import *  # noqa: F403
from synphys_ibis.export.parquet import __all__  # noqa: F401
