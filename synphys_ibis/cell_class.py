"""Moved to :mod:`synphys_ibis.query.cell_class`; this module keeps the documented import path working."""

from synphys_ibis.query.cell_class import *  # noqa: F403
from synphys_ibis.query.cell_class import __all__  # noqa: F401
