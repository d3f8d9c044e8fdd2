"""The ORM relationships of aisynphys' schema, by the names its mapped classes use.

Every foreign key ``x_id`` of a table gives a many-to-one relationship ``x`` (``pair.pre_cell``,
``pair.reciprocal``, ``experiment.slice``, ``cortical_cell_location.cortical_site``); the reverse
relationships are listed explicitly with aisynphys' names and shapes: scalar ones
(``uselist=False``: ``cell.morphology``, ``cell.cortical_location``, ``pair.synapse``,
``synapse.resting_state_fit``) and lists (``experiment.cell_list``, ``pair.poly_synapse``,
``synapse.conductance``, which is a list in aisynphys too). A scalar relationship over a table
that is not unique on its key (``synapse.pair_id``, ``cortical_cell_location.cell_id``) takes
the row with the lowest id, as the deduplicated pair query does.

Examples
--------
>>> from synphys_ibis.schema.rules import version_rules
>>> rels = relationships(version_rules("22"))
>>> rels["pair"]["pre_cell"]
Relationship(name='pre_cell', target='cell', local='pre_cell_id', remote='id', uselist=False, order_by='id')
>>> rels["cell"]["cortical_location"].target, rels["synapse"]["conductance"].uselist
('cortical_cell_location', True)
>>> rels["experiment"]["cell_list"].order_by
'ext_id'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from synphys_ibis.schema.rules import VersionRules, version_rules

__all__ = ["PRELOAD_LINKS", "Relationship", "relationships"]


@dataclass(frozen=True)
class Relationship:
    """``source.<name>``: rows of ``target`` whose ``remote`` equals the source's ``local``."""

    name: str
    target: str
    local: str
    remote: str
    uselist: bool
    order_by: str = "id"


#: Reverse relationships: (source table, name, target table, target's key column, uselist,
#: order). Rows whose table or column a schema version lacks are dropped for that version.
_REVERSE: tuple[tuple[str, str, str, str, bool, str], ...] = (
    ("slice", "experiments", "experiment", "slice_id", True, "id"),
    ("slice", "cortical_sites", "cortical_site", "slice_id", True, "id"),
    ("experiment", "electrodes", "electrode", "experiment_id", True, "id"),
    ("experiment", "cell_list", "cell", "experiment_id", True, "ext_id"),
    ("experiment", "pair_list", "pair", "experiment_id", True, "id"),
    ("experiment", "sync_recs", "sync_rec", "experiment_id", True, "id"),
    ("experiment", "cortical_sites", "cortical_site", "experiment_id", True, "id"),
    ("cortical_site", "cell_locations", "cortical_cell_location", "cortical_site_id", True, "id"),
    ("electrode", "cell", "cell", "electrode_id", False, "id"),
    ("electrode", "recordings", "recording", "electrode_id", True, "id"),
    ("electrode", "test_pulses", "test_pulse", "electrode_id", True, "id"),
    ("sync_rec", "recordings", "recording", "sync_rec_id", True, "id"),
    ("cell", "intrinsic", "intrinsic", "cell_id", False, "id"),
    ("cell", "morphology", "morphology", "cell_id", False, "id"),
    ("cell", "patch_seq", "patch_seq", "cell_id", False, "id"),
    ("cell", "cortical_location", "cortical_cell_location", "cell_id", False, "id"),
    ("cell", "stim_pulses", "stim_pulse", "cell_id", True, "id"),
    ("recording", "patch_clamp_recording", "patch_clamp_recording", "recording_id", False, "id"),
    ("recording", "test_pulses", "test_pulse", "recording_id", True, "id"),
    ("recording", "stim_pulses", "stim_pulse", "recording_id", True, "id"),
    ("recording", "baselines", "baseline", "recording_id", True, "id"),
    (
        "patch_clamp_recording",
        "multi_patch_probe",
        "multi_patch_probe",
        "patch_clamp_recording_id",
        False,
        "id",
    ),
    ("stim_pulse", "spikes", "stim_spike", "stim_pulse_id", True, "id"),
    ("stim_pulse", "pulse_response", "pulse_response", "stim_pulse_id", True, "id"),
    (
        "pulse_response",
        "pulse_response_fit",
        "pulse_response_fit",
        "pulse_response_id",
        False,
        "id",
    ),
    (
        "pulse_response",
        "pulse_response_strength",
        "pulse_response_strength",
        "pulse_response_id",
        False,
        "id",
    ),
    ("baseline", "pulse_responses", "pulse_response", "baseline_id", True, "id"),
    ("pair", "pulse_responses", "pulse_response", "pair_id", True, "id"),
    ("pair", "synapse", "synapse", "pair_id", False, "id"),
    ("pair", "poly_synapse", "poly_synapse", "pair_id", True, "id"),
    ("pair", "dynamics", "dynamics", "pair_id", False, "id"),
    ("pair", "synapse_prediction", "synapse_prediction", "pair_id", False, "id"),
    ("pair", "gap_junction", "gap_junction", "pair_id", False, "id"),
    ("pair", "synapse_model", "synapse_model", "pair_id", False, "id"),
    ("pair", "resting_state_fit", "resting_state_fit", "pair_id", False, "id"),  # versions 15-16
    ("synapse", "avg_response_fits", "avg_response_fit", "synapse_id", True, "id"),
    ("synapse", "resting_state_fit", "resting_state_fit", "synapse_id", False, "id"),
    ("synapse", "conductance", "conductance", "synapse_id", True, "id"),
    ("poly_synapse", "avg_response_fits", "avg_response_fit", "poly_synapse_id", True, "id"),
    ("poly_synapse", "resting_state_fit", "resting_state_fit", "poly_synapse_id", False, "id"),
)

#: How the preloaded aliases of a pair query hang together: alias -> (parent alias or None for
#: the pair, relationship name on the parent). ``conductance`` is absent: it is a list in
#: aisynphys and not part of its ``preload=['synapse']``, so it is loaded on first access.
PRELOAD_LINKS: Mapping[str, tuple[str | None, str]] = {
    "experiment": (None, "experiment"),
    "slice": ("experiment", "slice"),
    "pre_cell": (None, "pre_cell"),
    "post_cell": (None, "post_cell"),
    **{
        f"{side}_{table}": (f"{side}_cell", name)
        for side in ("pre", "post")
        for table, name in (
            ("morphology", "morphology"),
            ("patch_seq", "patch_seq"),
            ("intrinsic", "intrinsic"),
            ("cortical_cell_location", "cortical_location"),
        )
    },
    "synapse": (None, "synapse"),
    "resting_state_fit": ("synapse", "resting_state_fit"),
    "dynamics": (None, "dynamics"),
    "synapse_model": (None, "synapse_model"),
    "synapse_prediction": (None, "synapse_prediction"),
}


def relationships(rules: VersionRules) -> Mapping[str, Mapping[str, Relationship]]:
    """``{table: {relationship name: Relationship}}`` for the schema version of ``rules``."""
    return _relationships(rules.version)


@cache
def _relationships(version: str) -> dict[str, dict[str, Relationship]]:
    schema = version_rules(version).schema
    result: dict[str, dict[str, Relationship]] = {name: {} for name in schema.table_names()}
    for table in schema:
        for fk in table.foreign_keys:
            if fk.column.endswith("_id") and fk.table in schema:
                name = fk.column.removesuffix("_id")
                result[table.name][name] = Relationship(
                    name, fk.table, fk.column, fk.references, uselist=False
                )
    for source, name, target, key, uselist, order in _REVERSE:
        if source not in schema or target not in schema:
            continue
        spec = schema.table(target)
        if not spec.has_column(key) or not spec.has_column(order):
            continue
        if name in result[source]:
            continue  # a foreign key of the same name wins (never the case in published schemas)
        result[source][name] = Relationship(name, target, "id", key, uselist, order)
    return result
