"""Moved to :mod:`synphys_ibis.schema.versions`; this module keeps the documented import path working."""

from synphys_ibis.schema.versions import *  # noqa: F403
from synphys_ibis.schema.versions import __all__  # noqa: F401
