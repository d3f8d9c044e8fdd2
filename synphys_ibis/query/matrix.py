"""Class-by-class pair matrices as single Ibis expressions.

aisynphys runs one pair query per (pre class, post class) combination; here the whole matrix is one
statement. Class membership of every cell is computed once per class dict (a union of one filter per
class over the per-cell join, so overlapping classes are fine), then joined to the filtered pairs
on the presynaptic and postsynaptic cell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ibis
import ibis.expr.datatypes as dt
from ibis.expr.types import Table as IbisTable

from synphys_ibis.errors import InvalidArgumentError, format_value
from synphys_ibis.query.cell_class import CellClass, classify
from synphys_ibis.query.connectivity import (
    adjusted_aggregates,
    adjusted_columns,
    with_gap_junction_flags,
)
from synphys_ibis.query.pairs import PairQuery, column_not_found, probed_condition
from synphys_ibis.schema.rules import VersionRules

__all__ = [
    "build_connectivity_matrix",
    "build_matrix_pair_query",
    "class_grid",
    "class_membership",
    "public_column_names",
]


def public_column_names(columns: Sequence[str] | None, rules: VersionRules) -> tuple[str, ...]:
    """Validate joined-column names, accepting ``synapse_psp_amplitude`` or ``synapse.psp_amplitude``."""
    if columns is None:
        return ()
    if isinstance(columns, str):
        columns = [columns]
    if not isinstance(columns, (list, tuple)):
        raise InvalidArgumentError(
            f"columns must be a column name or a list of them, not {format_value(columns)} of type "
            f"{type(columns).__name__}"
        )
    known = rules.pair_columns
    names = []
    for column in columns:
        if not isinstance(column, str):
            raise InvalidArgumentError(f"column names must be strings, not {format_value(column)}")
        name = column
        if "." in column:
            alias, _, col = column.partition(".")
            name = col if alias == "pair" else f"{alias}_{col}"
        if name not in known:
            raise column_not_found(
                name,
                rules,
                where="pair query columns",
                hint="Joined columns are named <alias>_<column>, e.g. synapse_psp_amplitude.",
                spelled=column,
            )
        names.append(name)
    return tuple(dict.fromkeys(names))


def class_membership(
    classes: Mapping[str, CellClass],
    cell_view: Callable[[frozenset[str]], IbisTable],
    cells_repeat: Callable[[frozenset[str]], bool],
    rules: VersionRules,
) -> IbisTable:
    """``(cell_id, class_name)`` for every cell in every class, each membership once.

    One pass over the per-cell join: each row gets the list of the classes it satisfies, which
    is unnested. A cell with several related rows (several locations, say) is in a class when
    one of its rows satisfies all the class's criteria; when ``cells_repeat(tables)`` says the
    join can repeat a cell, memberships are made distinct.
    """
    tables: frozenset[str] = frozenset().union(*(cls.tables(rules) for cls in classes.values()))
    cells = cell_view(tables)
    no_class = ibis.null(dt.string)
    matches = ibis.array(
        [
            ibis.ifelse(cls.predicate(cells, rules), ibis.literal(name, type=dt.string), no_class)
            for name, cls in classes.items()
        ]
    ).filter(lambda name: name.notnull())
    members = cells.select(cell_id=cells.id, class_name=matches.unnest())
    return members.distinct() if cells_repeat(tables) else members


def build_matrix_pair_query(
    pre_classes: Mapping[str, CellClass],
    post_classes: Mapping[str, CellClass],
    query: PairQuery,
    *,
    columns: Sequence[str] | None,
    build_pairs: Callable[[PairQuery], IbisTable],
    cell_view: Callable[[frozenset[str]], IbisTable],
    cells_repeat: Callable[[frozenset[str]], bool] = lambda tables: True,
) -> IbisTable:
    """One row per (pre_class, post_class, pair) membership, with the pair columns and ``columns``."""
    pre = classify(pre_classes)
    post = classify(post_classes)
    extra = public_column_names(columns, query.rules)
    pairs = build_pairs(query.with_columns(*extra))
    output = ["pre_class", "post_class", *pairs.columns]
    if not pre or not post:
        empty = ibis.literal(None, type=dt.string)
        return (
            pairs.filter(ibis.literal(False))
            .mutate(pre_class=empty, post_class=empty)
            .select(output)
        )
    rules = query.rules
    membership = class_membership(pre, cell_view, cells_repeat, rules)
    # the same classes on both sides (the usual square matrix): one membership, built once
    same = pre.keys() == post.keys() and all(pre[k] is post[k] for k in pre)
    pre_members = membership.rename(__pre_member="cell_id", pre_class="class_name")
    post_members = (
        membership if same else class_membership(post, cell_view, cells_repeat, rules)
    ).rename(__post_member="cell_id", post_class="class_name")
    joined = pairs.join(pre_members, pairs.pre_cell_id == pre_members["__pre_member"]).join(
        post_members, pairs.post_cell_id == post_members["__post_member"]
    )
    return joined.select(output)


def class_grid(pre_names: Sequence[str], post_names: Sequence[str]) -> IbisTable:
    """``(pre_class, post_class, __order)`` for every combination, from literals only.

    The rows come from unnesting a literal array in a one-row ``SELECT`` (no table), so the grid
    needs no temporary table: it works on read-only connections (an ``ibis.memtable`` is a
    temporary table on PostgreSQL).
    """
    n_post = len(post_names)
    size = len(pre_names) * n_post
    pre = ibis.literal([p for p in pre_names for _ in post_names] or [""], type="array<string>")
    post = ibis.literal([q for _ in pre_names for q in post_names] or [""], type="array<string>")
    one_row = ibis.literal(0, type=dt.int64).name("__one").as_table()
    orders = ibis.literal(list(range(size)) or [0], type="array<int64>")
    index = one_row.select(__order=orders.unnest())
    if size == 0:
        index = index.filter(ibis.literal(False))
    return index.select(
        pre_class=pre[index["__order"]], post_class=post[index["__order"]], __order=index["__order"]
    )


def build_connectivity_matrix(
    members: IbisTable,
    pre_names: Sequence[str],
    post_names: Sequence[str],
    *,
    class_column: str,
    interval_functions: tuple[Callable[..., Any], Callable[..., Any]],
    alpha: float = 0.05,
    sigma: float | None = None,
    distance_column: str = "distance",
    gap_junction_electrodes: IbisTable | None = None,
) -> IbisTable:
    """Probed and connected counts, probability and ``1 - alpha`` interval per class pair.

    ``members`` is a matrix pair query holding ``class_column`` (the presynaptic cell's class
    column used to decide which test spikes count); every combination of ``pre_names`` and
    ``post_names`` gets a row, in that order. ``interval_functions`` are the (lower, upper) Ibis
    functions ``f(k, n, alpha)`` of the interval that the engine's connections have.

    With ``sigma``, ``members`` must also hold ``distance_column`` and ``synapse_id``, and the
    distance-adjusted columns are added (:mod:`synphys_ibis.query.connectivity`). With
    ``gap_junction_electrodes`` (:func:`~synphys_ibis.query.connectivity.gap_junction_electrodes`),
    ``members`` must hold both cells' ``electrode_id`` and the gap-junction columns are added.
    """
    ci_lower, ci_upper = interval_functions
    gaps = gap_junction_electrodes is not None
    if gap_junction_electrodes is not None:
        members = with_gap_junction_flags(members, gap_junction_electrodes)
    probed = probed_condition(members, class_column)
    connected = probed & (members.has_synapse == True)  # noqa: E712 - SQL comparison, NULL-safe
    aggregates: dict[str, Any] = {
        "n_probed": members.id.count(where=probed),
        "n_connected": members.id.count(where=connected),
    }
    if sigma is not None:  # "connected" = has a synapse row, as aisynphys' adjusted figures
        aggregates |= adjusted_aggregates(
            members, prefix="adj", included=probed, connected=members.synapse_id.notnull(),
            distance_column=distance_column, sigma=sigma,
        )  # fmt: skip
    if gaps:
        gap_probed = members["__gap_probed"]
        electrical = gap_probed & (members.has_electrical == True)  # noqa: E712
        aggregates |= {
            "n_gaps_probed": members.id.count(where=gap_probed),
            "n_gaps": members.id.count(where=electrical),
        }
        if sigma is not None:
            aggregates |= adjusted_aggregates(
                members, prefix="gadj", included=gap_probed, connected=electrical,
                distance_column=distance_column, sigma=sigma,
            )  # fmt: skip
    counts = members.group_by(["pre_class", "post_class"]).aggregate(**aggregates)
    grid = class_grid(pre_names, post_names)
    joined = grid.left_join(
        counts,
        [grid.pre_class == counts.pre_class, grid.post_class == counts.post_class],
    )
    level = ibis.literal(alpha, type=dt.float64)
    n_probed = joined.n_probed.fill_null(0).cast("int64")
    n_connected = joined.n_connected.fill_null(0).cast("int64")
    columns: dict[str, Any] = {
        "pre_class": joined.pre_class,
        "post_class": joined.post_class,
        "n_probed": n_probed,
        "n_connected": n_connected,
        "connection_probability": n_connected.cast("float64") / n_probed.nullif(0),
        "ci_lower": ci_lower(n_connected, n_probed.nullif(0), level),
        "ci_upper": ci_upper(n_connected, n_probed.nullif(0), level),
    }
    if sigma is not None:
        names = ("adjusted_connection_probability", "adjusted_ci_lower", "adjusted_ci_upper")
        columns |= adjusted_columns(
            joined, prefix="adj", names=names, alpha=alpha, interval_functions=interval_functions
        )
    if gaps:
        n_gaps_probed = joined.n_gaps_probed.fill_null(0).cast("int64")
        n_gaps = joined.n_gaps.fill_null(0).cast("int64")
        columns |= {
            "n_gaps_probed": n_gaps_probed,
            "n_gaps": n_gaps,
            "gap_probability": n_gaps.cast("float64") / n_gaps_probed.nullif(0),
            "gap_ci_lower": ci_lower(n_gaps, n_gaps_probed.nullif(0), level),
            "gap_ci_upper": ci_upper(n_gaps, n_gaps_probed.nullif(0), level),
        }
        if sigma is not None:
            names = ("adjusted_gap_probability", "adjusted_gap_ci_lower", "adjusted_gap_ci_upper")
            columns |= adjusted_columns(
                joined,
                prefix="gadj",
                names=names,
                alpha=alpha,
                interval_functions=interval_functions,
            )
    result = joined.select(**columns, __order=joined["__order"])
    return result.order_by("__order").drop("__order")
