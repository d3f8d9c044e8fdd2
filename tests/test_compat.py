"""synphys_ibis.compat: aisynphys' query idioms give aisynphys' results, on every engine.

Every test takes the ``db`` fixture (DuckDB over the SQLite file, its native copy, a Parquet
export, and PostgreSQL) wrapped in the compat layer, and compares with independent sqlite3 SQL on
the same release (``ref``), written from ``aisynphys_semantics.md``. Statements are counted by
wrapping the running methods of the database's Ibis connection.
"""

from __future__ import annotations

import io
import json
import math
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import pytest

from synphys_ibis import (
    CellClass,
    ColumnNotFoundError,
    InvalidArgumentError,
    SynphysError,
    TableNotFoundError,
)
from synphys_ibis import SynphysDatabase as NativeDatabase
from synphys_ibis.compat import (
    QueryLengthError,
    SynphysDatabase,
    UnsupportedIdiomError,
    classify_cells,
    classify_pairs,
    measure_connectivity,
    or_,
)
from tests.reference import reference_pair_ids

PAIR_COLUMNS = [
    "id", "experiment_id", "pre_cell_id", "post_cell_id", "has_synapse", "has_polysynapse",
    "has_electrical", "crosstalk_artifact", "n_ex_test_spikes", "n_in_test_spikes", "distance",
    "lateral_distance", "vertical_distance", "reciprocal_id", "meta",
]  # fmt: skip

ENTITY_ORDER = [
    "pair", "experiment", "slice", "pre_cell", "post_cell", "pre_morphology", "post_morphology",
    "pre_patch_seq", "post_patch_seq", "pre_intrinsic", "post_intrinsic",
    "pre_cortical_cell_location", "post_cortical_cell_location", "synapse", "resting_state_fit",
    "dynamics", "synapse_model", "synapse_prediction",
]  # fmt: skip


@pytest.fixture(scope="module")
def cdb(db: NativeDatabase) -> SynphysDatabase:
    # facts a connection learns once (which child tables repeat keys, the project names) are
    # read before any statement is counted
    db.catalog.multi_row_tables()
    db.list_project_names()
    return SynphysDatabase.wrap(db)


class StatementCounter:
    """Counts the statements run on an Ibis connection (outermost calls of its run methods)."""

    METHODS = ("to_pyarrow", "to_pyarrow_batches", "execute", "raw_sql")

    def __init__(self) -> None:
        self.count = 0
        self._depth = 0

    def wrap(self, method: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            if self._depth == 0:
                self.count += 1
            self._depth += 1
            try:
                return method(*args, **kwargs)
            finally:
                self._depth -= 1

        return counted


@contextmanager
def statements(cdb: SynphysDatabase) -> Iterator[StatementCounter]:
    con = cdb.native.ro
    counter = StatementCounter()
    with pytest.MonkeyPatch.context() as mp:
        for name in StatementCounter.METHODS:
            mp.setattr(con, name, counter.wrap(getattr(con, name)))
        yield counter


def ref_rows(ref: sqlite3.Connection, sql: str, *params: Any) -> dict[Any, Any]:
    """``{first column: rest}`` of a reference query (rest: one value or a tuple)."""
    out = {}
    for row in ref.execute(sql, params):
        out[row[0]] = row[1] if len(row) == 2 else row[1:]
    return out


def same(a: Any, b: Any) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        return (a is None or a != a) and (b is None or b != b)
    return bool(a == b) if not isinstance(a, float) else math.isclose(a, b, rel_tol=1e-12)


# -- pairs: .all(), .count(), iteration, indexing ------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        {},
        {"species": "mouse", "synapse": True},
        {"pre_class": {"cre_type": "sst"}, "post_class": {"cortical_layer": "5"}},
        {"synapse_probed": True, "experiment_type": "standard multipatch"},
        {"synapse_type": "in", "distance": (None, 150e-6)},
    ],
    ids=["all", "mouse-synapses", "classes", "probed", "in-near"],
)
def test_all_returns_one_record_per_pair_as_the_original(
    cdb: SynphysDatabase, ref: sqlite3.Connection, args: dict[str, Any]
) -> None:
    expected = reference_pair_ids(ref, **{k: dict(v) if isinstance(v, dict) else v
                                          for k, v in args.items()})  # fmt: skip
    compat_args = {k: CellClass(**v) if isinstance(v, dict) else v for k, v in args.items()}
    q = cdb.pair_query(**compat_args)
    with statements(cdb) as counter:
        pairs = q.all()
    assert counter.count == 1
    ids = [p.id for p in pairs]
    assert len(ids) == len(set(ids)) == len(expected) > 0
    assert set(ids) == expected
    assert ids == sorted(ids)  # id order unless order_by says otherwise
    assert q.count() == len(expected)
    assert [p.id for p in q] == ids


def test_first_limit_offset_indexing_and_no_len(cdb: SynphysDatabase) -> None:
    q = cdb.pair_query(species="mouse")
    ids = [p.id for p in q.all()]
    assert q.first().id == ids[0]
    assert [p.id for p in q.limit(3).all()] == ids[:3]
    assert [p.id for p in q.offset(2).limit(2)] == ids[2:4]
    assert q[1].id == ids[1] and q[-1].id == ids[-1]
    assert [p.id for p in q[2:5]] == ids[2:5]
    assert cdb.pair_query(species="no such species").first() is None
    with pytest.raises(QueryLengthError, match=r"q\.count\(\)") as err:
        len(q)
    assert isinstance(err.value, TypeError) and isinstance(err.value, SynphysError)
    assert [p.id for p in list(q.limit(4))] == ids[:4]  # list() survives the missing len()
    assert [p.id for p in q.order_by(cdb.Pair.distance.desc()).limit(5)] == [
        p.id
        for p in sorted(
            (p for p in q.all() if p.distance is not None), key=lambda p: (-p.distance, p.id)
        )[:5]
    ]


# -- dataframe ----------------------------------------------------------------------------------
def test_dataframe_names_order_and_types_as_the_original(
    cdb: SynphysDatabase, ref: sqlite3.Connection
) -> None:
    q = cdb.pair_query(synapse=True, preload=["cell", "synapse"])
    with statements(cdb) as counter:
        df = q.dataframe()
    assert counter.count == 1
    assert df.shape[1] == 364  # as the original, with preload cell + synapse
    assert list(df.columns[:15]) == [f"pair.{c}" for c in PAIR_COLUMNS]
    entities = list(dict.fromkeys(c.split(".")[0] for c in df.columns))
    assert entities == [e for e in ENTITY_ORDER if e not in ("experiment", "slice",
                                                             "synapse_prediction")]  # fmt: skip
    cell_columns = [r[1] for r in ref.execute("PRAGMA table_info(cell)")]
    assert [c for c in df.columns if c.startswith("pre_cell.")] == [
        f"pre_cell.{c}" for c in cell_columns
    ]
    assert "dynamics.stp_all_stimuli" not in df.columns  # deferred in aisynphys
    assert "synapse_model.parameter_space" not in df.columns
    assert "conductance.effective_conductance" not in df.columns  # not in its 'synapse' group
    assert str(df["pair.id"].dtype) == "Int64" and str(df["pair.n_ex_test_spikes"].dtype) == "Int64"
    assert df["pair.distance"].dtype == np.float64
    assert df["pair.has_synapse"].dtype == object and set(df["pair.has_synapse"]) == {True}
    assert len(df) == df["pair.id"].nunique()  # one row per pair

    expected = ref_rows(
        ref,
        "SELECT pair.id, synapse.psp_amplitude, dynamics.stp_induction_50hz, "
        "m.dendrite_type, ccl.cortical_layer, c.cre_type FROM pair "
        "JOIN cell c ON c.id = pair.pre_cell_id "
        "LEFT JOIN synapse ON synapse.pair_id = pair.id "
        "LEFT JOIN dynamics ON dynamics.pair_id = pair.id "
        "LEFT JOIN morphology m ON m.cell_id = pair.post_cell_id "
        "LEFT JOIN cortical_cell_location ccl ON ccl.cell_id = pair.pre_cell_id "
        "WHERE pair.has_synapse = 1",
    )
    assert set(df["pair.id"]) == set(expected)
    columns = [
        "synapse.psp_amplitude",
        "dynamics.stp_induction_50hz",
        "post_morphology.dendrite_type",
        "pre_cortical_cell_location.cortical_layer",
        "pre_cell.cre_type",
    ]
    nulls = 0
    for row in df[["pair.id", *columns]].itertuples(index=False):
        for got, want in zip(row[1:], expected[row[0]], strict=True):
            assert same(None if got is pd.NA else got, want), (row[0], got, want)
            nulls += want is None
    assert nulls > 0  # missing related rows give None/NaN


def test_dataframe_rename_columns_false_gives_bare_names(cdb: SynphysDatabase) -> None:
    plain = cdb.pair_query(species="human").dataframe(rename_columns=False)
    assert list(plain.columns) == PAIR_COLUMNS
    wide = cdb.pair_query(species="human", preload=["experiment"]).dataframe(rename_columns=False)
    assert wide.columns[15:17].tolist() == ["id_1", "ext_id"]  # experiment.id, disambiguated
    assert "id_2" in wide.columns and "meta_2" in wide.columns  # slice.id, slice.meta
    assert not any("." in c for c in wide.columns)


def test_dataframe_decodes_json_and_one_experiment_per_row(
    cdb: SynphysDatabase, ref: sqlite3.Connection
) -> None:
    df = cdb.pair_query(preload=["experiment", "cell"]).dataframe()
    expected = ref_rows(
        ref,
        "SELECT pair.id, c.position, slice.species FROM pair JOIN cell c ON c.id = pair.pre_cell_id "
        "JOIN experiment e ON e.id = pair.experiment_id LEFT JOIN slice ON slice.id = e.slice_id",
    )
    for pid, position, species in df[["pair.id", "pre_cell.position", "slice.species"]].itertuples(
        index=False
    ):
        raw, want_species = expected[pid]
        want = None if raw in (None, "null") else json.loads(raw)
        assert position == want and species == want_species
    assert any(isinstance(p, list) for p in df["pre_cell.position"])


# -- add_columns, labels, filters -----------------------------------------------------------------
def test_add_columns_keep_their_labels_and_values(
    cdb: SynphysDatabase, ref: sqlite3.Connection
) -> None:
    q = cdb.pair_query(species="mouse", synapse=True).add_columns(
        cdb.Synapse.psp_amplitude,
        cdb.Dynamics.stp_induction_50hz.label("stp"),
        (cdb.Pair.distance * 1e6).label("distance_um"),
        cdb.Experiment.target_temperature + 1,
    )
    df = q.dataframe()
    assert list(df.columns) == [
        *(f"pair.{c}" for c in PAIR_COLUMNS),
        "synapse.psp_amplitude",
        "stp",
        "distance_um",
        "experiment.target_temperature + 1",
    ]
    expected = ref_rows(
        ref,
        "SELECT pair.id, synapse.psp_amplitude, dynamics.stp_induction_50hz, pair.distance "
        "FROM pair JOIN experiment e ON e.id = pair.experiment_id "
        "LEFT JOIN slice ON slice.id = e.slice_id "
        "LEFT JOIN synapse ON synapse.pair_id = pair.id "
        "LEFT JOIN dynamics ON dynamics.pair_id = pair.id "
        "WHERE slice.species = 'mouse' AND pair.has_synapse = 1",
    )
    assert set(df["pair.id"]) == set(expected)
    for pid, amp, stp, um in df[["pair.id", "synapse.psp_amplitude", "stp", "distance_um"]].values:
        want_amp, want_stp, want_distance = expected[pid]
        assert same(amp, want_amp) and same(stp, want_stp)
        assert same(um, None if want_distance is None else want_distance * 1e6) or math.isclose(
            um, want_distance * 1e6
        )
    raw = q.dataframe(rename_columns=False)
    assert list(raw.columns[15:]) == ["psp_amplitude", "stp", "distance_um",
                                      "experiment.target_temperature + 1"]  # fmt: skip
    records = q.all()
    assert records[0]["stp"] == df["stp"][0] or math.isnan(df["stp"][0])
    # repeated names get suffixes, as the original's
    again = cdb.pair_query(synapse=True, preload=["synapse"]).add_columns(cdb.Synapse.latency)
    assert "synapse.latency_1" in again.dataframe().columns


def test_filters_from_table_handles_match_reference(
    cdb: SynphysDatabase, ref: sqlite3.Connection
) -> None:
    q = cdb.pair_query(filter_exprs=[cdb.Synapse.psp_amplitude > 1e-4])
    q = q.filter(or_(q.pre_cell.cre_type == "sst", q.pre_cell.cell_class == "ex"))
    q = q.filter(q.post_location.cortical_layer.notin_(["1"]), cdb.Pair.distance.isnot(None))
    expected = reference_pair_ids(
        ref,
        sql="synapse.psp_amplitude > 1e-4 AND (pre_cell.cre_type = 'sst' "
        "OR pre_cell.cell_class = 'ex') "
        "AND post_cortical_cell_location.cortical_layer NOT IN ('1') "
        "AND pair.distance IS NOT NULL",
    )
    assert {p.id for p in q.all()} == expected and expected
    # a compat expression is also a CellClass criterion (only the column name counts)
    spiny = CellClass(cdb.Morphology.dendrite_type == "spiny", name="spiny")
    got = {p.id for p in cdb.pair_query(pre_class=spiny).all()}
    assert got == reference_pair_ids(ref, pre_class={"dendrite_type": "spiny"})
    with pytest.raises(ColumnNotFoundError):
        CellClass(cdb.Pair.n_ex_test_spikes < 10)


# -- records that navigate like ORM objects ----------------------------------------------------
NAVIGATION_SQL = """
SELECT pair.id, pre.cre_type, pm.dendrite_type, ccl.cortical_layer, synapse.psp_amplitude,
       dynamics.stp_induction_50hz, slice.species, pair.reciprocal_id
FROM pair
JOIN cell pre ON pre.id = pair.pre_cell_id
LEFT JOIN morphology pm ON pm.cell_id = pair.post_cell_id
LEFT JOIN cortical_cell_location ccl ON ccl.cell_id = pair.pre_cell_id
LEFT JOIN synapse ON synapse.pair_id = pair.id
LEFT JOIN dynamics ON dynamics.pair_id = pair.id
JOIN experiment e ON e.id = pair.experiment_id
LEFT JOIN slice ON slice.id = e.slice_id
"""


def _navigate(pair: Any, *, reciprocal: bool = True) -> tuple[Any, ...]:
    morphology = pair.post_cell.morphology
    location = pair.pre_cell.cortical_location
    return (
        pair.pre_cell.cre_type,
        None if morphology is None else morphology.dendrite_type,
        None if location is None else location.cortical_layer,
        None if pair.synapse is None else pair.synapse.psp_amplitude,
        None if pair.dynamics is None else pair.dynamics.stp_induction_50hz,
        pair.experiment.slice.species,
        *([None if pair.reciprocal is None else pair.reciprocal.id] if reciprocal else []),
    )


def test_records_navigate_and_load_each_relationship_once(
    cdb: SynphysDatabase, ref: sqlite3.Connection
) -> None:
    expected = ref_rows(ref, NAVIGATION_SQL)
    with statements(cdb) as counter:
        pairs = cdb.pair_query().all()
        navigated = {p.id: _navigate(p) for p in pairs}
    # 1 for the pairs + one per relationship: pre_cell, post_cell, post_cell.morphology,
    # pre_cell.cortical_location, synapse, dynamics, experiment, experiment.slice, reciprocal
    assert counter.count == 10
    assert len(pairs) > 100  # so a per-record load would have shown
    assert navigated.keys() == expected.keys()
    for pid, values in navigated.items():
        assert all(same(a, b) for a, b in zip(values, expected[pid], strict=True)), pid
    by_id = {p.id: p for p in pairs}
    some = next(p for p in pairs if p.reciprocal is not None)
    assert some.reciprocal is by_id[some.reciprocal_id]  # one object per row
    assert some.reciprocal.reciprocal is some


def test_preloaded_relationships_need_no_statement(
    cdb: SynphysDatabase, ref: sqlite3.Connection
) -> None:
    expected = ref_rows(ref, NAVIGATION_SQL)
    q = cdb.pair_query(species="mouse", preload=["experiment", "cell", "synapse"])
    with statements(cdb) as counter:
        pairs = q.all()
        values = {p.id: _navigate(p, reciprocal=False) for p in pairs}
    assert counter.count == 1
    assert all(
        all(same(a, b) for a, b in zip(v, expected[pid][:6], strict=True))
        for pid, v in values.items()
    )
    with statements(cdb) as counter:
        conductances = [p.synapse.conductance for p in pairs if p.synapse is not None]
        _ = [p.reciprocal for p in pairs]
    assert counter.count == 2  # conductance (a list, not preloaded) and reciprocal
    assert all(isinstance(c, list) for c in conductances)


def test_records_decode_arrays_and_json_as_the_orm(
    cdb: SynphysDatabase, ref: sqlite3.Connection
) -> None:
    raw = ref_rows(
        ref,
        "SELECT pair.id, sm.sparse_pca_vector, sm.parameter_space, pair.meta FROM pair "
        "LEFT JOIN synapse_model sm ON sm.pair_id = pair.id",
    )
    pairs = cdb.pair_query(synapse=True).all()
    arrays = 0
    for pair in pairs:
        vector, space, meta = raw[pair.id]
        model = pair.synapse_model
        if model is None:
            assert vector is None
            continue
        if vector in (None, b""):
            assert model.sparse_pca_vector is None
        else:
            arrays += 1
            want = np.load(io.BytesIO(vector), allow_pickle=False)
            np.testing.assert_array_equal(model.sparse_pca_vector, want)
        assert model.parameter_space == (None if space in (None, "null") else json.loads(space))
        assert pair.meta == (None if meta in (None, "null") else json.loads(meta))
    assert arrays > 0


# -- classify_cells / classify_pairs / measure_connectivity -------------------------------------
def test_classify_and_measure_connectivity_as_the_original(
    cdb: SynphysDatabase, ref: sqlite3.Connection
) -> None:
    classes = {
        "ex": CellClass(cell_class_nonsynaptic="ex", name="ex"),
        "sst": CellClass(cre_type="sst", name="sst"),
        "l5": CellClass(cortical_layer="5", name="l5"),
    }
    pairs = cdb.pair_query(species="mouse", synapse_probed=True).all()
    with statements(cdb) as counter:
        groups = classify_cells(classes.values(), pairs=pairs)
    assert counter.count == 3  # pre cells, post cells, class membership
    members = {
        name: {
            r[0]
            for r in ref.execute(
                f"SELECT DISTINCT cell.id FROM cell LEFT JOIN cortical_cell_location l "
                f"ON l.cell_id = cell.id WHERE {where}"
            )
        }
        for name, where in (
            ("ex", "cell.cell_class_nonsynaptic = 'ex'"),
            ("sst", "cell.cre_type = 'sst'"),
            ("l5", "l.cortical_layer = '5'"),
        )
    }
    cells = {c.id for p in pairs for c in (p.pre_cell, p.post_cell)}
    assert [c.name for c in groups] == ["ex", "sst", "l5"]
    for cls, group in groups.items():
        assert {c.id for c in group} == members[cls.name] & cells
    pair_groups = classify_pairs(pairs, groups)
    assert len(pair_groups) == 9
    results = measure_connectivity(pair_groups, sigma=100e-6, dist_measure="lateral_distance")
    matrix = cdb.native.connectivity_matrix(
        classes, classes, species="mouse", synapse_probed=True
    ).to_pandas()
    for (pre, post), result in results.items():
        row = matrix[(matrix.pre_class == pre.name) & (matrix.post_class == post.name)].iloc[0]
        assert result["n_probed"] == row.n_probed and result["n_connected"] == row.n_connected
        cp, low, high = result["connection_probability"]
        if result["n_probed"]:
            assert math.isclose(cp, row.connection_probability)
            assert math.isclose(low, row.ci_lower, abs_tol=1e-9)
            assert math.isclose(high, row.ci_upper, abs_tol=1e-9)
        assert {p.id for p in result["connected_pairs"]} <= {p.id for p in result["probed_pairs"]}
        assert len(result["adjusted_connectivity"]) == 3
    assert any(r["n_connected"] for r in results.values())
    with pytest.raises(UnsupportedIdiomError, match="connectivity_vs_distance"):
        measure_connectivity(pair_groups, fit_model=object())


def test_matrix_pair_query_returns_the_original_frame(
    cdb: SynphysDatabase, ref: sqlite3.Connection
) -> None:
    classes = {"sst": CellClass(cre_type="sst"), "pv": CellClass(cre_type="pvalb")}
    frame = cdb.matrix_pair_query(
        classes,
        classes,
        columns=[cdb.Synapse.latency, cdb.Dynamics.stp_initial_50hz.label("stp0")],
        pair_query_args={"synapse": True},
    )
    assert list(frame.columns) == [*PAIR_COLUMNS, "latency", "stp0", "pre_class", "post_class"]
    for pre in classes:
        for post in classes:
            part = frame[(frame.pre_class == pre) & (frame.post_class == post)]
            want = reference_pair_ids(
                ref,
                synapse=True,
                pre_class={"cre_type": classes[pre].criteria["cre_type"]},
                post_class={"cre_type": classes[post].criteria["cre_type"]},
            )
            assert set(part.id) == want
            assert list(part.index) == list(range(len(part)))  # as concatenated frames
    assert cdb.matrix_pair_query({}, classes) is None


# -- table handles, db.query, errors that teach ------------------------------------------------
def test_table_handles_and_single_table_queries(
    cdb: SynphysDatabase, ref: sqlite3.Connection
) -> None:
    assert cdb.CorticalCellLocation.cortical_layer.public is None  # not a pair-query table
    assert cdb.slice is cdb.Slice
    meta = cdb.query(cdb.Metadata).all()[0].meta
    assert meta["db_version"] == "22"
    mouse = cdb.query(cdb.Slice).filter(cdb.Slice.species == "mouse")
    assert {s.id for s in mouse} == {r[0] for r in ref.execute(
        "SELECT id FROM slice WHERE species = 'mouse'")}  # fmt: skip
    df = mouse.dataframe()
    assert df.columns[0] == "slice.id" and len(df) == mouse.count()
    ext_id = ref.execute("SELECT ext_id FROM experiment ORDER BY id LIMIT 1").fetchone()[0]
    expt = cdb.experiment_from_ext_id(ext_id)
    assert expt.ext_id == ext_id
    ext = [c.ext_id for c in expt.cell_list]
    assert ext == sorted(ext)  # cell_list is ordered by ext_id, as the ORM's
    pair = expt.pair_list[0]
    assert cdb.pair_from_ext_id((ext_id, pair.pre_cell.ext_id, pair.post_cell.ext_id)).id == pair.id


def test_unknown_names_raise_with_did_you_mean(cdb: SynphysDatabase) -> None:
    with pytest.raises(TableNotFoundError, match="Did you mean 'Synapse'"):
        _ = cdb.Synaps
    with pytest.raises(ColumnNotFoundError, match="Did you mean 'psp_amplitude'"):
        _ = cdb.Synapse.psp_amplitud
    assert not hasattr(cdb, "CellTypes") and not hasattr(cdb.Pair, "no_such_column")
    pair = cdb.pair_query().first()
    with pytest.raises(ColumnNotFoundError, match="Did you mean 'distance'"):
        _ = pair.distanse
    with pytest.raises(InvalidArgumentError, match="synapse_type"):
        cdb.pair_query(synapse_type="exc")


def test_unsupported_idioms_name_their_replacement(cdb: SynphysDatabase) -> None:
    q = cdb.pair_query(species="mouse")
    cases = [
        (lambda: q.outerjoin(cdb.GapJunction), "left_join"),
        (lambda: cdb.session().query(cdb.Pair.id, cdb.Pair.distance), "db.table"),
        (lambda: q.filter(cdb.Cell.cre_type == "sst"), "q.pre_cell.cre_type"),
        (lambda: q.add_columns(cdb.GapJunction.junctional_conductance), "gap_junction"),
        (lambda: q.dataframe(expand_tables=False), "to_pandas"),
        (lambda: q.statement, "rename_columns=False"),
        (lambda: q.filter(cdb.Pair.pre_cell == 1), "record.pre_cell"),
        (lambda: cdb.session(readonly=False), "maintenance"),
    ]
    for action, hint in cases:
        with pytest.raises(UnsupportedIdiomError, match=hint) as err:
            action()
        assert isinstance(err.value, SynphysError)
    with pytest.raises(TypeError, match="truth value"):
        bool(cdb.Pair.distance < 1)


def test_query_is_lazy_and_exposes_its_ibis_table(cdb: SynphysDatabase) -> None:
    import ibis

    with statements(cdb) as counter:
        q = cdb.pair_query(species="mouse", preload=["synapse"]).filter(cdb.Synapse.latency < 2e-3)
        q = q.add_columns(cdb.Dynamics.paired_pulse_ratio_50hz.label("ppr")).limit(5)
        sql = ibis.to_sql(q.expr)
    assert counter.count == 0
    assert "ppr" in q.table.columns and "synapse_latency" in q.expr.columns
    assert "LIMIT" in sql.upper()
    assert q.expr.to_pyarrow().num_rows == len(q.all()) <= 5
