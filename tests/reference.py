"""Reference pair queries in plain SQL over sqlite3, written from the aisynphys semantics.

This mirrors the original implementation, not the library: the full 17-relation join of
``pair_query``, one extra set of outer joins per cell class, and every filter in SQL with bound
parameters. Tests compare the library's pair ids against these.
"""

from __future__ import annotations

import sqlite3
from typing import Any

_BASE_JOIN = """
FROM pair
JOIN cell pre_cell ON pre_cell.id = pair.pre_cell_id
JOIN cell post_cell ON post_cell.id = pair.post_cell_id
LEFT JOIN morphology pre_morphology ON pre_morphology.cell_id = pre_cell.id
LEFT JOIN morphology post_morphology ON post_morphology.cell_id = post_cell.id
LEFT JOIN patch_seq pre_patch_seq ON pre_patch_seq.cell_id = pre_cell.id
LEFT JOIN patch_seq post_patch_seq ON post_patch_seq.cell_id = post_cell.id
LEFT JOIN intrinsic pre_intrinsic ON pre_intrinsic.cell_id = pre_cell.id
LEFT JOIN intrinsic post_intrinsic ON post_intrinsic.cell_id = post_cell.id
LEFT JOIN cortical_cell_location pre_cortical_cell_location
    ON pre_cortical_cell_location.cell_id = pre_cell.id
LEFT JOIN cortical_cell_location post_cortical_cell_location
    ON post_cortical_cell_location.cell_id = post_cell.id
JOIN experiment ON pair.experiment_id = experiment.id
LEFT JOIN slice ON experiment.slice_id = slice.id
LEFT JOIN synapse ON synapse.pair_id = pair.id
LEFT JOIN synapse_prediction ON synapse_prediction.pair_id = pair.id
LEFT JOIN dynamics ON dynamics.pair_id = pair.id
LEFT JOIN resting_state_fit ON resting_state_fit.synapse_id = synapse.id
LEFT JOIN synapse_model ON synapse_model.pair_id = pair.id
LEFT JOIN conductance ON conductance.synapse_id = synapse.id
"""

CLASS_TABLES = ("morphology", "intrinsic", "cortical_cell_location", "patch_seq")


def base_join(con: sqlite3.Connection) -> str:
    """The join of the original pair_query for the tables this file's schema version has.

    Older versions lack some tables (their join lines are dropped) and key resting_state_fit
    by pair_id (versions 15-16).
    """
    lines = []
    skipping = False
    for line in _BASE_JOIN.strip().splitlines():
        words = line.split()
        if words[0] in ("JOIN", "LEFT"):
            table = words[2] if words[0] == "LEFT" else words[1]
            skipping = not table_columns(con, table)
        if not skipping:
            lines.append(line)
    sql = "\n".join(lines)
    if "synapse_id" not in table_columns(con, "resting_state_fit"):
        sql = sql.replace(
            "resting_state_fit.synapse_id = synapse.id", "resting_state_fit.pair_id = pair.id"
        )
    return sql


def sign_sql(con: sqlite3.Connection, cell: str) -> str:
    """The presynaptic sign: cell_class, or in version 15 is_excitatory as 'ex'/'in'."""
    if "cell_class" in table_columns(con, "cell"):
        return f"{cell}.cell_class"
    return f"(CASE {cell}.is_excitatory WHEN 1 THEN 'ex' WHEN 0 THEN 'in' END)"


STANDARD_MULTIPATCH = ["mouse V1 coarse matrix", "mouse V1 pre-production", "human coarse matrix"]


def table_columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in con.execute(f"PRAGMA table_info({table})")]


def _class_sql(
    con: sqlite3.Connection, cell: str, criteria: dict[str, Any], extra_sql: str | None
) -> tuple[str, list[str], list[Any]]:
    """Joins, conditions and parameters for a cell class over cell alias ``cell``."""
    joins = []
    aliases = {"cell": cell}
    for table in CLASS_TABLES:
        if not table_columns(con, table):
            continue
        alias = f"{cell}_cls_{table}"
        aliases[table] = alias
        joins.append(f"LEFT JOIN {table} {alias} ON {alias}.cell_id = {cell}.id")
    conditions: list[str] = []
    params: list[Any] = []
    for key, value in criteria.items():
        owner = next(t for t in ("cell", *CLASS_TABLES) if key in table_columns(con, t))
        column = f"{aliases[owner]}.{key}"
        if value is None:
            conditions.append(f"{column} IS NULL")
        elif isinstance(value, (list, tuple)):
            values = [v for v in value]
            conditions.append(f"{column} IN ({', '.join('?' * len(values))})" if values else "0")
            params += values
        else:
            conditions.append(f"{column} = ?")
            params.append(value)
    if extra_sql:
        conditions.append(extra_sql.format(**aliases))
    return "\n".join(joins), conditions, params


def reference_pair_ids(con: sqlite3.Connection, **args: Any) -> set[int]:
    """Pair ids the original ``pair_query(**args)`` returns (classes given as dicts).

    ``pre_class`` / ``post_class`` are ``{criteria}`` dicts, optionally with a ``__sql`` entry
    holding an extra condition over ``{cell}``, ``{morphology}``, ``{intrinsic}``,
    ``{cortical_cell_location}``, ``{patch_seq}`` aliases. ``sql`` is an extra condition on the
    base join (the equivalent of ``filter_exprs``).
    """
    joins = [base_join(con)]
    conditions: list[str] = []
    params: list[Any] = []
    for side in ("pre", "post"):
        criteria = dict(args.pop(f"{side}_class", None) or {})
        extra = criteria.pop("__sql", None)
        criteria.pop("__expr", None)  # the library's spelling of __sql
        if criteria or extra:
            j, c, p = _class_sql(con, f"{side}_cell", criteria, extra)
            joins.append(j)
            conditions += c
            params += p
    if args.get("experiment_type") == "standard multipatch":
        args["project_name"] = STANDARD_MULTIPATCH
    for key, column in (("synapse", "pair.has_synapse"), ("electrical", "pair.has_electrical")):
        if args.get(key) is not None:
            conditions.append(f"{column} = ?")
            params.append(int(args[key]))
    if args.get("synapse_type") is not None:
        conditions.append("synapse.synapse_type = ?")
        params.append(args["synapse_type"])
    if args.get("synapse_probed") is True:
        sign = sign_sql(con, "pre_cell")
        conditions.append(
            f"(({sign} = 'ex' AND pair.n_ex_test_spikes > 10)"
            f" OR ({sign} = 'in' AND pair.n_in_test_spikes > 10)"
            " OR (pair.n_ex_test_spikes > 10 AND pair.n_in_test_spikes > 10))"
        )
    for key, column in (
        ("project_name", "experiment.project_name"),
        ("acsf", "experiment.acsf"),
        ("internal", "experiment.internal"),
    ):
        value = args.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            conditions.append(f"{column} = ?")
            params.append(value)
        else:
            conditions.append(f"{column} IN ({', '.join('?' * len(value))})")
            params += list(value)
    for key, column in (("age", "slice.age"), ("distance", "pair.distance")):
        bounds = args.get(key)
        if bounds is None:
            continue
        if bounds[0] is not None:
            conditions.append(f"{column} >= ?")
            params.append(bounds[0])
        if bounds[1] is not None:
            conditions.append(f"{column} <= ?")
            params.append(bounds[1])
    if args.get("species") is not None:
        conditions.append("slice.species = ?")
        params.append(args["species"])
    if args.get("sql"):
        conditions.append(args["sql"])
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    sql = f"SELECT DISTINCT pair.id {' '.join(joins)} {where}"
    return {row[0] for row in con.execute(sql, params)}
