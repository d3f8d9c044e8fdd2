"""Moved to :mod:`synphys_ibis.export.codecs`; this module keeps the documented import path working."""

from synphys_ibis.export.codecs import *  # noqa: F403
from synphys_ibis.export.codecs import __all__  # noqa: F401
