"""Generate ``v<NN>.json`` from the published DDL in ``ddl/v<NN>.sql``.

Run ``python -m synphys_ibis.schema._build`` after changing a DDL file; ``tests/test_schema.py``
checks that the committed JSON still matches the DDL.

The DDL alone does not say which VARCHAR columns hold JSON (aisynphys' ``object`` type) and which
hold plain text, so that one fact is listed here by hand, from the aisynphys schema modules.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).parent
DDL_DIR = SCHEMA_DIR / "ddl"

# Every table's ``meta`` column is JSON too.
JSON_COLUMNS: dict[str, frozenset[str]] = {
    "slice": frozenset({"slice_conditions"}),
    "cortical_site": frozenset({"pia_position", "wm_position", "layer_boundaries"}),
    "sync_rec": frozenset({"ext_id"}),
    "cell": frozenset({"position"}),
    "recording": frozenset({"stim_meta"}),
    "stim_pulse": frozenset({"position"}),
    "cortical_cell_location": frozenset({"position"}),
    "dynamics": frozenset({"stp_all_stimuli"}),
    "synapse_model": frozenset(
        {
            "parameter_space",
            "marginal_distributions",
            "confidence_intervals",
            "ml_strength_ci",
            "ml_quanta_per_spike_ci",
            "ml_sites_pr_ratio_ci",
            "ml_stp_all_stimuli",
        }
    ),
}

_LOGICAL_TYPES = {
    "INTEGER": "int",
    "BIGINT": "bigint",
    "FLOAT": "float",
    "BOOLEAN": "bool",
    "DATETIME": "datetime",
    "BLOB": "array",
    "VARCHAR": "str",
}


def ddl_versions() -> list[str]:
    """Schema versions with a bundled DDL file, oldest first."""
    return sorted((p.stem[1:] for p in DDL_DIR.glob("v*.sql")), key=int)


def describe_ddl(ddl: str, schema_version: str) -> dict[str, Any]:
    """Describe a DDL script as plain data by running it in an in-memory SQLite database."""
    con = sqlite3.connect(":memory:")
    try:
        con.executescript(ddl)
        names = [
            row[0]
            for row in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid"
            )
        ]
        return {
            "schema_version": schema_version,
            "tables": [_describe_table(con, name) for name in names],
        }
    finally:
        con.close()


def _describe_table(con: sqlite3.Connection, table: str) -> dict[str, Any]:
    json_columns = JSON_COLUMNS.get(table, frozenset()) | {"meta"}
    columns = []
    for _cid, name, sql_type, notnull, _default, pk in con.execute(f'PRAGMA table_info("{table}")'):
        logical = _LOGICAL_TYPES[sql_type]
        if logical == "str" and name in json_columns:
            logical = "object"
        columns.append(
            {
                "name": name,
                "sql_type": sql_type,
                "type": logical,
                "nullable": not notnull,
                "primary_key": bool(pk),
            }
        )
    foreign_keys = [
        {"column": row[3], "table": row[2], "references": row[4]}
        for row in con.execute(f'PRAGMA foreign_key_list("{table}")')
    ]
    foreign_keys.sort(key=lambda fk: fk["column"])
    indexes = []
    for _seq, index_name, unique, origin, _partial in con.execute(f'PRAGMA index_list("{table}")'):
        if origin != "c":  # skip the automatic primary-key index
            continue
        index_columns = [r[2] for r in con.execute(f'PRAGMA index_info("{index_name}")')]
        indexes.append({"name": index_name, "columns": index_columns, "unique": bool(unique)})
    indexes.sort(key=lambda ix: ix["name"])
    return {"name": table, "columns": columns, "foreign_keys": foreign_keys, "indexes": indexes}


def build(version: str) -> dict[str, Any]:
    """Describe the bundled DDL of one schema version."""
    return describe_ddl((DDL_DIR / f"v{version}.sql").read_text(), version)


def dump(description: dict[str, Any]) -> str:
    """Serialise a description with one line per column, index and foreign key."""
    lines = [
        "{",
        f' "schema_version": {json.dumps(description["schema_version"])},',
        ' "tables": [',
    ]
    for t_index, table in enumerate(description["tables"]):
        lines.append(f'  {{"name": {json.dumps(table["name"])},')
        for key in ("columns", "foreign_keys", "indexes"):
            items = [f"   {json.dumps(item)}" for item in table[key]]
            body = ",\n".join(items)
            end = "]" if key == "indexes" else "],"
            lines.append(
                f'  "{key}": [\n{body}\n  {end}'
                if items
                else f'  "{key}": []' + ("" if key == "indexes" else ",")
            )
        lines.append("  }" + ("," if t_index < len(description["tables"]) - 1 else ""))
    lines.append(" ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    for version in ddl_versions():
        out = SCHEMA_DIR / f"v{version}.json"
        out.write_text(dump(build(version)))
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
