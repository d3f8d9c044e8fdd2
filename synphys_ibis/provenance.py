"""Moved to :mod:`synphys_ibis.export.provenance`; this module keeps the documented import path working."""

from synphys_ibis.export.provenance import *  # noqa: F403
from synphys_ibis.export.provenance import __all__  # noqa: F401
