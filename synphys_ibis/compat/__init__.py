"""aisynphys' query API on synphys_ibis: change one import and existing code runs.

Replace ``from aisynphys.database import SynphysDatabase`` by
``from synphys_ibis.compat import SynphysDatabase`` (and ``aisynphys.cell_class`` /
``aisynphys.connectivity`` imports by this module): the loaders, ``db.Pair``-style table
handles, ``pair_query(...).all()`` / ``.dataframe()`` / ``.add_columns(...)``, ORM-style record
navigation (``pair.pre_cell.morphology.dendrite_type``), ``classify_cells``, ``classify_pairs``
and ``measure_connectivity`` behave as in aisynphys. Each query runs one SQL statement; each
relationship that was not preloaded is loaded once for a whole result. Idioms that are not
reproduced raise :class:`UnsupportedIdiomError` naming the replacement. The native, lazy Ibis
API stays one attribute away: ``q.expr`` of any query, ``db.native`` of the database.
"""

from __future__ import annotations

from synphys_ibis.compat.classify import classify_cells, classify_pairs
from synphys_ibis.compat.connectivity import (
    connection_probability_ci,
    measure_connectivity,
    pair_was_probed,
)
from synphys_ibis.compat.database import CompatSession, SynphysDatabase
from synphys_ibis.compat.demo import load_demo
from synphys_ibis.compat.errors import (
    QueryLengthError,
    UnknownColumnError,
    UnknownTableError,
    UnsupportedIdiomError,
)
from synphys_ibis.compat.expressions import and_, not_, or_
from synphys_ibis.compat.pair_query import CompatPairQuery
from synphys_ibis.compat.query import TableQuery
from synphys_ibis.compat.records import Record
from synphys_ibis.query.cell_class import CellClass

__all__ = [
    "CellClass",
    "CompatPairQuery",
    "CompatSession",
    "QueryLengthError",
    "Record",
    "SynphysDatabase",
    "TableQuery",
    "UnknownColumnError",
    "UnknownTableError",
    "UnsupportedIdiomError",
    "and_",
    "classify_cells",
    "classify_pairs",
    "connection_probability_ci",
    "load_demo",
    "measure_connectivity",
    "not_",
    "or_",
    "pair_was_probed",
]
