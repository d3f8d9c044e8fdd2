"""Expressions of the connectivity analysis: distance-adjusted and gap-junction figures, fit input.

The figures follow aisynphys' ``measure_connectivity`` (``aisynphys/connectivity.py``):

* *Distance-adjusted connection probability* of a class pair, with a Gaussian profile of width
  ``sigma``: over the probed pairs with a finite distance ``x_i``, ``mean_cp = mean(exp(-x_i**2 /
  (2 sigma**2)))`` and ``pmax = (n_connected / n_probed) / mean_cp``; its interval is the
  Clopper-Pearson interval of ``n_connected`` of ``n_probed`` divided by ``mean_cp`` (not
  clipped: ``pmax`` above 1 happens). Here "connected" means *has a synapse row*, as aisynphys'
  adjusted figures and fits take it (``bool(pair.synapse)``), while the raw ratio uses
  ``pair.has_synapse``. The sum of Gaussian weights is computed in the database.
* *Gap junctions*: a pair was probed for one when both cells' electrodes have a recording whose
  stimulus name contains ``TargetV`` (the long hyperpolarising steps the coupling is measured
  with), whichever its test spikes; it has one when ``pair.has_electrical``.

Nothing here runs a query: functions return Ibis expressions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeAlias

import ibis
import ibis.expr.types as ir
from ibis.expr.types import Table as IbisTable

from synphys_ibis.errors import InvalidArgumentError, format_value
from synphys_ibis.query.pairs import probed_condition
from synphys_ibis.schema.rules import VersionRules

__all__ = [
    "DISTANCE_COLUMNS",
    "GAP_JUNCTION_STIMULUS",
    "DistanceColumn",
    "adjusted_aggregates",
    "adjusted_columns",
    "build_fit_input",
    "finite",
    "gap_junction_electrodes",
    "validate_alpha",
    "validate_distance_column",
    "validate_sigma",
    "with_gap_junction_flags",
]

DistanceColumn: TypeAlias = Literal["distance", "lateral_distance", "vertical_distance"]
#: The pair distance columns the adjusted figures and the fits can use.
DISTANCE_COLUMNS: tuple[str, ...] = ("distance", "lateral_distance", "vertical_distance")
#: Substring of the stimulus names of gap-junction recordings (aisynphys' ``pair_probed_gj``).
GAP_JUNCTION_STIMULUS = "TargetV"


def finite(value: ir.FloatingValue) -> ir.BooleanValue:
    """Whether ``value`` is neither NULL, NaN nor infinite (``numpy.isfinite`` of a float)."""
    return value.notnull() & ~value.isnan() & ~value.isinf()


def gap_junction_electrodes(table: Callable[[str], IbisTable], rules: VersionRules) -> IbisTable:
    """``electrode_id`` of every electrode with a recording of a ``TargetV`` stimulus, once each.

    Schema versions 15 and 16 store the stimulus name on ``patch_clamp_recording``, later ones on
    ``recording``.
    """
    recording = table("recording")
    if rules.schema.table("recording").has_column("stim_name"):
        targeted = recording.filter(recording.stim_name.contains(GAP_JUNCTION_STIMULUS))
        return targeted.select(electrode_id=targeted.electrode_id).distinct()
    pcr = table("patch_clamp_recording")
    joined = recording.join(pcr, recording.id == pcr.recording_id)
    targeted = joined.filter(joined.stim_name.contains(GAP_JUNCTION_STIMULUS))
    return targeted.select(electrode_id=targeted.electrode_id).distinct()


def with_gap_junction_flags(members: IbisTable, electrodes: IbisTable) -> IbisTable:
    """``members`` with ``__gap_probed``: both cells' electrodes are in ``electrodes``.

    ``members`` must hold ``pre_cell_electrode_id`` and ``post_cell_electrode_id``. Left joins
    (not ``IN`` subqueries, which Spark refuses inside aggregates) on a distinct key keep one
    row per member.
    """
    pre = electrodes.select(__gj_pre=electrodes.electrode_id)
    post = electrodes.select(__gj_post=electrodes.electrode_id)
    joined = members.left_join(pre, [("pre_cell_electrode_id", "__gj_pre")]).left_join(
        post, [("post_cell_electrode_id", "__gj_post")]
    )
    probed = joined["__gj_pre"].notnull() & joined["__gj_post"].notnull()
    # an explicit column list: drop() compiles to an EXCLUDE list in no fixed order
    return joined.select(*members.columns, __gap_probed=probed)


def adjusted_aggregates(
    members: IbisTable,
    *,
    prefix: str,
    included: ir.BooleanValue,
    connected: ir.BooleanValue,
    distance_column: str,
    sigma: float,
) -> dict[str, ir.Value]:
    """Counts and Gaussian weight sum of the ``included`` members with a finite distance.

    Keys ``__<prefix>_n`` (pairs), ``__<prefix>_k`` (of them ``connected``) and ``__<prefix>_w``
    (the sum of ``exp(-x**2 / (2 sigma**2))``), for :func:`adjusted_columns`.
    """
    x = members[distance_column]
    rows = included & finite(x)
    weight = (-(x * x) / (2.0 * sigma * sigma)).exp()
    return {
        f"__{prefix}_n": members.id.count(where=rows),
        f"__{prefix}_k": members.id.count(where=rows & connected),
        f"__{prefix}_w": weight.sum(where=rows),
    }


def adjusted_columns(
    counts: IbisTable,
    *,
    prefix: str,
    names: Sequence[str],
    alpha: float,
    interval_functions: tuple[Callable[..., Any], Callable[..., Any]],
) -> dict[str, ir.Value]:
    """``pmax`` and its interval from :func:`adjusted_aggregates`, under ``names``.

    ``pmax = k / w`` (the same as ``(k / n) / (w / n)``) and the bounds are the Clopper-Pearson
    bounds of ``k`` of ``n`` times ``n / w``. NULL where no pair has a finite distance or every
    weight is 0 (aisynphys gives NaN, or inf when the weights underflow).
    """
    ci_lower, ci_upper = interval_functions
    n = counts[f"__{prefix}_n"].fill_null(0).cast("int64")
    k = counts[f"__{prefix}_k"].fill_null(0).cast("int64")
    w = counts[f"__{prefix}_w"].cast("float64")
    n_or_null = n.nullif(0)
    scale = n.cast("float64") / w.nullif(0.0)
    level = ibis.literal(alpha, type="float64")
    probability, lower, upper = names
    return {
        probability: k.cast("float64") / w.nullif(0.0),
        lower: ci_lower(k, n_or_null, level) * scale,
        upper: ci_upper(k, n_or_null, level) * scale,
    }


def build_fit_input(members: IbisTable, *, class_column: str, distance_column: str) -> IbisTable:
    """Probed pairs with a finite distance, counted per class pair, distance and outcome.

    Rows ``(pre_class, post_class, distance, connected, n)``: the data a connectivity-vs-distance
    fit needs, aggregated in the database (pairs at the same distance with the same outcome are
    one row). "Connected" is "has a synapse row", as aisynphys' fits take it. Class pairs with no
    such pair have no row.
    """
    x = members[distance_column].cast("float64")
    rows = members.filter(probed_condition(members, class_column) & finite(x))
    return rows.group_by(
        pre_class=rows.pre_class,
        post_class=rows.post_class,
        distance=rows[distance_column].cast("float64"),
        connected=rows.synapse_id.notnull(),
    ).aggregate(n=rows.id.count())


def validate_alpha(alpha: Any) -> float:
    """``alpha`` as a float in (0, 1) (the interval's level is ``1 - alpha``)."""
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise InvalidArgumentError(
            f"alpha={format_value(alpha)} is not allowed; it must be a number between 0 and 1 "
            f"(exclusive): the intervals' level is 1 - alpha, e.g. alpha=0.05 for 95%"
        )
    return float(alpha)


def validate_sigma(sigma: Any, *, argument: str = "sigma") -> float | None:
    """``sigma`` (metres) as a positive finite float, or None."""
    if sigma is None:
        return None
    if (
        isinstance(sigma, bool)
        or not isinstance(sigma, (int, float))
        or not math.isfinite(sigma)
        or sigma <= 0
    ):
        raise InvalidArgumentError(
            f"{argument}={format_value(sigma)} is not allowed; it must be a positive number of "
            f"metres (e.g. {argument}=100e-6 for 100 µm) or None"
        )
    return float(sigma)


def validate_distance_column(column: Any, rules: VersionRules) -> str:
    """A distance column of the pair table of ``rules``' schema version."""
    if column not in DISTANCE_COLUMNS:
        raise InvalidArgumentError.for_value("distance_column", column, DISTANCE_COLUMNS)
    if column not in rules.pair_columns:
        present = [c for c in DISTANCE_COLUMNS if c in rules.pair_columns]
        raise InvalidArgumentError.for_value(
            "distance_column",
            column,
            present,
            hint=f"Schema version {rules.version} has no pair.{column}.",
        )
    return str(column)
