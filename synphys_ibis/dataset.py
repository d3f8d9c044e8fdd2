"""Moved to :mod:`synphys_ibis.export.dataset`; this module keeps the documented import path working."""

from synphys_ibis.export.dataset import *  # noqa: F403
from synphys_ibis.export.dataset import __all__  # noqa: F401
