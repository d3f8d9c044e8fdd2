"""How queries read every published schema version (15 to 22) through one vocabulary.

The published releases use seven schema versions (there is no 17). Pair queries, cell classes and
matrices run unchanged on all of them; the differences are handled here:

* **Renamed columns are read under their newest name** (the data and declaration are the same;
  only the name changed). Every mapping, as ``name in queries <- stored name (versions)``:

  - ``intrinsic.ap_upstroke_downstroke_ratio`` <- ``upstroke_downstroke_ratio`` (16, 18)
  - ``intrinsic.ap_width``, ``ap_upstroke``, ``ap_downstroke``, ``ap_threshold_v``,
    ``ap_peak_deltav``, ``ap_fast_trough_deltav`` <- the same without ``ap_`` (18)
  - ``cortical_cell_location.cortical_layer`` <- ``layer`` (18)
  - ``patch_clamp_recording.baseline_noise_stdev`` <- ``baseline_rms_noise`` (15, 16, 18-20)

* **Columns that moved keep the lookup order of the original library.** A cell-class criterion
  resolves to the first of cell, morphology, intrinsic, cortical_cell_location, patch_seq that has
  the column, so ``CellClass(cortical_layer="5")`` reads ``morphology.cortical_layer`` in versions
  15-18 and ``cortical_cell_location.cortical_layer`` from 19 on, as each version's aisynphys did.
* **Joins follow the keys of each version.** ``resting_state_fit`` is joined to the pair by
  ``pair_id`` in versions 15-16 and through ``synapse`` (``synapse_id``) later.
* **The sign of a presynaptic cell** for ``synapse_probed`` and connectivity matrices comes from
  ``cell.cell_class`` (or ``cell_class_nonsynaptic``) from 16 on; version 15 records only
  ``cell.is_excitatory``, which is read as ``'ex'`` (true) / ``'in'`` (false).
* **What a version lacks is absent**: its tables are not joined and their columns are not in the
  result. Naming such a column in a criterion or filter raises :class:`ColumnNotFoundError` naming
  the version, the versions that have it, and what this version has instead where there is one
  (for instance ``cell_class`` on version 15 points to ``is_excitatory``).

Examples
--------
>>> from synphys_ibis.schema.versions import query_schema, stored_name
>>> query_schema("18").table("intrinsic").has_column("ap_width")
True
>>> stored_name("18", "intrinsic", "ap_width")
'width'
>>> stored_name("22", "intrinsic", "ap_width")
'ap_width'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache

from synphys_ibis.errors import SchemaMismatchError
from synphys_ibis.schema import Schema, available_schema_versions, load_schema

__all__ = [
    "RENAMES",
    "Rename",
    "check_stored_tables",
    "query_schema",
    "renamed_columns",
    "stored_name",
    "stored_table_differences",
]


@dataclass(frozen=True)
class Rename:
    """``table.old`` in ``versions`` holds what later versions call ``table.new``."""

    table: str
    old: str
    new: str
    versions: tuple[str, ...]


_AP_RENAMED = (
    "width",
    "upstroke",
    "downstroke",
    "threshold_v",
    "peak_deltav",
    "fast_trough_deltav",
)

#: Every column read under a newer name than the one it is stored under.
RENAMES: tuple[Rename, ...] = (
    Rename("intrinsic", "upstroke_downstroke_ratio", "ap_upstroke_downstroke_ratio", ("16", "18")),
    *(Rename("intrinsic", old, f"ap_{old}", ("18",)) for old in _AP_RENAMED),
    Rename("cortical_cell_location", "layer", "cortical_layer", ("18",)),
    Rename(
        "patch_clamp_recording",
        "baseline_rms_noise",
        "baseline_noise_stdev",
        ("15", "16", "18", "19", "20"),
    ),
)

#: What a version records instead of a column it lacks, where the original changelog says.
INSTEAD: dict[str, tuple[Callable[[str], bool], str]] = {
    "cell_class": (
        lambda v: int(v) < 16,
        "schema version 15 records the sign as cell.is_excitatory (True/False) instead",
    ),
    "cell_class_nonsynaptic": (
        lambda v: int(v) < 16,
        "schema version 15 records the sign as cell.is_excitatory (True/False) instead",
    ),
    "is_excitatory": (
        lambda v: int(v) >= 16,
        "from schema version 16 the sign is cell.cell_class or cell.cell_class_nonsynaptic "
        "('ex'/'in') instead",
    ),
    "paired_event_correlation_r": (
        lambda v: int(v) >= 18,
        "from schema version 18 it is replaced by paired_event_correlation_1_2_r, _2_4_r and "
        "_4_8_r (a changed definition)",
    ),
    "paired_event_correlation_p": (
        lambda v: int(v) >= 18,
        "from schema version 18 it is replaced by paired_event_correlation_1_2_p, _2_4_p and "
        "_4_8_p (a changed definition)",
    ),
    "avg_firing_rate": (
        lambda v: int(v) >= 19,
        "it was dropped in schema version 19; firing_rate_rheo and firing_rate_40pa are there",
    ),
}


def renamed_columns(version: str, table: str) -> dict[str, str]:
    """``{stored name: query name}`` of the renamed columns of ``table`` in ``version``."""
    return {r.old: r.new for r in RENAMES if r.table == table and str(version) in r.versions}


def stored_name(version: str, table: str, column: str) -> str:
    """The name ``table.column`` (a query name) is stored under in ``version``."""
    for rename in RENAMES:
        if rename.table == table and rename.new == column and str(version) in rename.versions:
            return rename.old
    return column


@cache
def query_schema(version: str) -> Schema:
    """The schema of ``version`` as queries see it: renamed columns under their newest names."""
    schema = load_schema(version)
    tables = []
    for table in schema:
        renames = renamed_columns(version, table.name)
        if renames:
            columns = tuple(replace(c, name=renames.get(c.name, c.name)) for c in table.columns)
            table = replace(table, columns=columns)
        tables.append(table)
    return replace(schema, tables=tuple(tables))


def stored_table_differences(version: str, stored: dict[str, list[str]]) -> list[str]:
    """How the stored tables ``{table: [column, ...]}`` differ from schema ``version``.

    Tables present in both must have the same columns; a stored table that ``version`` lacks but
    another published version has is a difference too. Tables of ``version`` that are absent
    (an incomplete copy) are not: queries report them when they need them.
    """
    schema = load_schema(version)
    other_tables = {t.name for v in available_schema_versions() for t in load_schema(v)}
    differences = []
    for name, columns in stored.items():
        if name not in schema:
            if name in other_tables:
                differences.append(f"it has table {name}, which schema version {version} lacks")
            continue
        expected = set(schema.table(name).column_names)
        extra = sorted(set(columns) - expected)
        missing = sorted(expected - set(columns))
        if extra or missing:
            parts = ([f"has {', '.join(extra)}"] if extra else []) + (
                [f"lacks {', '.join(missing)}"] if missing else []
            )
            differences.append(f"table {name} {' and '.join(parts)}")
    return differences


def check_stored_tables(version: str, stored: dict[str, list[str]], *, where: str) -> None:
    """Raise unless the stored tables are those of schema ``version`` (see above).

    Raises
    ------
    SchemaMismatchError
        Naming the recorded version, the versions the tables do match, and the differences.
    """
    differences = stored_table_differences(version, stored)
    if not differences:
        return
    matching = [v for v in available_schema_versions() if not stored_table_differences(v, stored)]
    fits = (
        f"its tables are those of schema version {', '.join(matching)}"
        if matching
        else "its tables match no published schema version"
    )
    shown = "; ".join(differences[:4]) + ("; ..." if len(differences) > 4 else "")
    raise SchemaMismatchError(
        f"{where} records schema version {version} in its metadata row, but {fits} ({shown}). "
        f"The metadata row or the tables are wrong; pass check_schema=False to open it anyway"
    )
