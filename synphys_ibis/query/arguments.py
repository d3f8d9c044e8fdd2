"""Validation of ``pair_query`` arguments: every value checked, every error naming the allowed ones.

Where aisynphys silently ignores a value (``experiment_type='standard_multipatch'``,
``synapse_probed='True'``) or fails with an ``AssertionError``, these checks raise an
:class:`~synphys_ibis.errors.InvalidArgumentError` (a ``ValueError``) that names the bad value,
the allowed values and the closest match.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from synphys_ibis.errors import InvalidArgumentError, did_you_mean, format_allowed, format_value
from synphys_ibis.query.cell_class import CellClass
from synphys_ibis.query.checks import check_text, is_nan
from synphys_ibis.query.pairs import PRELOAD_GROUPS, PairQuery, Range
from synphys_ibis.schema.constants import COARSE_MATRIX_PROJECTS, SYNAPSE_TYPES
from synphys_ibis.schema.rules import VersionRules

__all__ = ["MATRIX_PAIR_QUERY_ARGS", "matrix_pair_query_args", "validate_pair_query"]


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
        f"{name} must be a CellClass or None, not {format_value(value)} of type {type(value).__name__}; "
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
    if value is None:
        return None
    if isinstance(value, str):
        return check_text(name, value)
    raise InvalidArgumentError(f"{name} must be a single string or None, not {format_value(value)}")


def _strings(name: str, value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    values = (value,) if isinstance(value, str) else value
    if isinstance(values, (list, tuple, set, frozenset)) and all(
        isinstance(v, str) for v in values
    ):
        return tuple(check_text(name, v) for v in values)
    raise InvalidArgumentError(
        f"{name} must be a string or a list of strings, not {format_value(value)} of type "
        f"{type(value).__name__}"
    )


def _range(name: str, value: Any) -> Range | None:
    """``(min, max)`` as floats; None or an infinity on its own side is no bound.

    NaN, a number past the float range, and an infinity on the wrong side (``(inf, None)``) are
    refused: each would otherwise filter differently on each engine, or select nothing.
    """
    if value is None:
        return None
    ok = isinstance(value, (tuple, list)) and len(value) == 2
    if ok:
        for bound in value:
            if bound is not None and (isinstance(bound, bool) or not _is_number(bound)):
                ok = False
    if not ok:
        raise InvalidArgumentError(
            f"{name} must be a (min, max) pair of numbers or None, e.g. (0, 100e-6); "
            f"got {format_value(value)}"
        )
    bounds: list[float | None] = []
    for side, bound in zip(("min", "max"), value, strict=True):
        if bound is None:
            bounds.append(None)
            continue
        try:
            number = float(bound)
        except OverflowError as err:
            raise InvalidArgumentError(
                f"{name}={format_value(value)}: the {side} {format_value(bound, limit=40)} is "
                f"past the float range; give a number within +-1.8e308, or None for no bound"
            ) from err
        if math.isnan(number) or is_nan(bound):
            raise InvalidArgumentError(
                f"{name}={format_value(value)} has a NaN {side}; give a number, or None for no bound"
            )
        if math.isinf(number) and (number < 0) == (side == "min"):
            bounds.append(None)  # -inf as min, +inf as max: no bound, the same as None
        elif math.isinf(number):
            raise InvalidArgumentError(
                f"{name}={format_value(value)} has {side} {number}; no pair could match"
            )
        else:
            bounds.append(number)
    low, high = bounds
    if low is not None and high is not None and low > high:
        raise InvalidArgumentError(
            f"{name}={format_value(value)} has min > max; no pair could match"
        )
    return (low, high)


def _is_number(value: Any) -> bool:
    if isinstance(value, (str, bytes, bytearray)):
        return False
    try:
        float(value)
    except OverflowError:
        return True  # a huge int: a number, refused with its own message
    except (TypeError, ValueError):
        return False
    return True


def _preload(value: Any) -> tuple[str, ...]:
    if value is None:
        groups: tuple[Any, ...] = ()
    elif isinstance(value, str):
        groups = (value,)
    elif isinstance(value, (list, tuple, set, frozenset)):
        groups = tuple(value)
    else:
        raise InvalidArgumentError(
            f"preload must be a group name or a list of them, not {format_value(value)} of type "
            f"{type(value).__name__}; groups: {format_allowed(PRELOAD_GROUPS)}"
        )
    for group in groups:
        if not isinstance(group, str) or group not in PRELOAD_GROUPS:
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


#: Arguments of ``pair_query`` that a matrix query passes on (it sets the classes and session).
MATRIX_PAIR_QUERY_ARGS: tuple[str, ...] = tuple(
    name
    for name in inspect.signature(validate_pair_query).parameters
    if name not in ("pre_class", "post_class", "known_projects", "rules")
)
_SET_BY_THE_MATRIX = ("pre_class", "post_class", "session")


def matrix_pair_query_args(value: Any) -> dict[str, Any]:
    """Check the ``pair_query_args`` of a matrix query: a mapping of pair-query argument names.

    Raises
    ------
    InvalidArgumentError
        For a value that is not a mapping, a key that is not a pair-query argument (naming the
        allowed ones), or a key the matrix sets itself (``pre_class``, ``post_class``,
        ``session``).
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidArgumentError(
            f"pair_query_args must be a dict of pair_query arguments or None, not "
            f"{format_value(value)} of type {type(value).__name__}"
        )
    for key in value:
        if key in _SET_BY_THE_MATRIX:
            raise InvalidArgumentError(
                f"pair_query_args may not contain {key!r}; the matrix sets it"
            )
        if key not in MATRIX_PAIR_QUERY_ARGS:
            raise InvalidArgumentError(
                f"pair_query_args has the unknown argument {format_value(key)}; allowed "
                f"arguments: {format_allowed(MATRIX_PAIR_QUERY_ARGS)}."
                f"{did_you_mean(key, MATRIX_PAIR_QUERY_ARGS)}"
            )
    return dict(value)
