"""Validation of ``pair_query`` arguments: every value checked, every error naming the allowed ones.

Where aisynphys silently ignores a value (``experiment_type='standard_multipatch'``,
``synapse_probed='True'``) or fails with an ``AssertionError``, these checks raise an
:class:`~synphys_ibis.errors.InvalidArgumentError` (a ``ValueError``) that names the bad value,
the allowed values and the closest match.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from synphys_ibis.errors import InvalidArgumentError
from synphys_ibis.query.cell_class import CellClass
from synphys_ibis.query.pairs import PRELOAD_GROUPS, PairQuery, Range
from synphys_ibis.schema.constants import COARSE_MATRIX_PROJECTS, SYNAPSE_TYPES
from synphys_ibis.schema.rules import VersionRules

__all__ = ["validate_pair_query"]


def validate_pair_query(
    *,
    pre_class: Any = None,
    post_class: Any = None,
    synapse: Any = None,
    synapse_type: Any = None,
    synapse_probed: Any = None,
    electrical: Any = None,
    experiment_type: Any = None,
    project_name: Any = None,
    acsf: Any = None,
    age: Any = None,
    species: Any = None,
    distance: Any = None,
    internal: Any = None,
    preload: Any = (),
    filter_exprs: Any = None,
    known_projects: Callable[[], Sequence[str | None]],
    rules: VersionRules,
) -> PairQuery:
    """Check every pair-query argument and return the validated :class:`PairQuery`.

    ``known_projects`` is called (only when project names are given) to check them against the
    project names present in the database. Cell classes and filters are checked against
    ``rules`` (those of the database's schema version) when the query is keyed or built
    (:meth:`PairQuery.cache_key`).
    """
    if experiment_type is not None:
        if experiment_type != "standard multipatch":
            raise InvalidArgumentError.for_value(
                "experiment_type",
                experiment_type,
                ["standard multipatch"],
                hint="Use project_name= to select other experiments.",
            )
        if project_name is not None:
            raise InvalidArgumentError(
                "cannot give both experiment_type and project_name; 'standard multipatch' "
                f"already selects the projects {list(COARSE_MATRIX_PROJECTS)}"
            )
        project_name = list(COARSE_MATRIX_PROJECTS)
    filters = () if filter_exprs is None else filter_exprs
    if not isinstance(filters, (list, tuple)):
        filters = (filters,)
    return PairQuery(
        pre_class=_cell_class("pre_class", pre_class),
        post_class=_cell_class("post_class", post_class),
        synapse=_optional_bool("synapse", synapse),
        synapse_type=_choice("synapse_type", synapse_type, SYNAPSE_TYPES),
        synapse_probed=bool(_optional_bool("synapse_probed", synapse_probed)),
        electrical=_optional_bool("electrical", electrical),
        project_names=_projects(project_name, known_projects),
        acsf=_strings("acsf", acsf),
        age=_range("age", age),
        species=_string("species", species),
        distance=_range("distance", distance),
        internal=_strings("internal", internal),
        preload=_preload(preload),
        filter_exprs=tuple(filters),
        rules=rules,
    )


def _cell_class(name: str, value: Any) -> CellClass | None:
    if value is None or isinstance(value, CellClass):
        return value
    raise InvalidArgumentError(
        f"{name} must be a CellClass or None, not {value!r} of type {type(value).__name__}; "
        f"build one with CellClass(cre_type='sst', ...)"
    )


def _optional_bool(name: str, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if type(value).__name__ == "bool_":  # numpy.bool_
        return bool(value)
    raise InvalidArgumentError.for_value(name, value, [True, False, None])


def _choice(name: str, value: Any, allowed: Sequence[str]) -> str | None:
    if value is None or (isinstance(value, str) and value in allowed):
        return value
    raise InvalidArgumentError.for_value(name, value, allowed)


def _string(name: str, value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise InvalidArgumentError(f"{name} must be a single string or None, not {value!r}")


def _strings(name: str, value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    values = (value,) if isinstance(value, str) else value
    if isinstance(values, (list, tuple, set, frozenset)) and all(
        isinstance(v, str) for v in values
    ):
        return tuple(values)
    raise InvalidArgumentError(
        f"{name} must be a string or a list of strings, not {value!r} of type {type(value).__name__}"
    )


def _range(name: str, value: Any) -> Range | None:
    if value is None:
        return None
    ok = isinstance(value, (tuple, list)) and len(value) == 2
    if ok:
        for bound in value:
            if bound is not None and (isinstance(bound, bool) or not _is_number(bound)):
                ok = False
    if not ok:
        raise InvalidArgumentError(
            f"{name} must be a (min, max) pair of numbers or None, e.g. (0, 100e-6); got {value!r}"
        )
    low, high = (None if b is None else float(b) for b in value)
    if low is not None and high is not None and low > high:
        raise InvalidArgumentError(f"{name}={value!r} has min > max; no pair could match")
    return (low, high)


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, str)


def _preload(value: Any) -> tuple[str, ...]:
    groups = (value,) if isinstance(value, str) else tuple(value or ())
    for group in groups:
        if group not in PRELOAD_GROUPS:
            raise InvalidArgumentError.for_value("preload", group, PRELOAD_GROUPS)
    return tuple(g for g in PRELOAD_GROUPS if g in groups)


def _projects(
    value: Any, known_projects: Callable[[], Sequence[str | None]]
) -> tuple[str, ...] | None:
    names = _strings("project_name", value)
    if names is None:
        return None
    known = list(known_projects())
    for name in names:
        if name not in known:
            raise InvalidArgumentError.for_value(
                "project_name",
                name,
                [k for k in known if k is not None],
                hint="(project names present in this database)",
            )
    return names
