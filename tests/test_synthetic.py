"""Tests of the synthetic release generator against real SQLite files."""

from __future__ import annotations

import hashlib
import io
import json
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from synphys_ibis.errors import InvalidArgumentError
from synphys_ibis.schema import available_schema_versions, ddl, load_schema
from synphys_ibis.schema.constants import (
    ALL_CRE_TYPES,
    COARSE_MATRIX_PROJECTS,
    EXCITATORY_CRE_TYPES,
    INHIBITORY_CRE_TYPES,
)
from synphys_ibis.synthetic import (
    PUBLISHED_SMALL_EXPERIMENTS,
    _tables,
    release_summary,
    write_release,
)

ONE_TO_MANY = {
    "intrinsic": "cell_id",
    "cortical_cell_location": "cell_id",
    "synapse": "pair_id",
    "synapse_prediction": "pair_id",
    "resting_state_fit": "synapse_id",
    "conductance": "synapse_id",
}
UNIQUE_KEYS = {
    "morphology": "cell_id",
    "patch_seq": "cell_id",
    "dynamics": "pair_id",
    "synapse_model": "pair_id",
}
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_release(tmp_path_factory.mktemp("release") / "default.sqlite")


@pytest.fixture(scope="module")
def fanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_release(tmp_path_factory.mktemp("fanned") / "fan.sqlite", fan_out=True)


@pytest.fixture
def con(release: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(release)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    path = tmp_path_factory.mktemp("published") / "small.sqlite"
    start = time.perf_counter()
    write_release(path, n_experiments=PUBLISHED_SMALL_EXPERIMENTS)
    return path, time.perf_counter() - start


def non_empty_columns(con: sqlite3.Connection, *types: str) -> Iterator[tuple[str, str]]:
    """(table, column) of the given logical types in the tables that have rows."""
    for table in load_schema("22"):
        if con.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]:
            for column in table.columns_of_type(*types):  # type: ignore[arg-type]
                yield table.name, column


def schema_of(connection: sqlite3.Connection) -> dict[str, object]:
    master = connection.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    ).fetchall()
    tables = [r[1] for r in master if r[0] == "table"]
    return {
        "master": master,
        "columns": {t: connection.execute(f"PRAGMA table_info({t})").fetchall() for t in tables},
        "indexes": {t: connection.execute(f"PRAGMA index_list({t})").fetchall() for t in tables},
        "index_columns": {
            r[1]: connection.execute(f"PRAGMA index_info({r[1]})").fetchall()
            for r in master
            if r[0] == "index"
        },
    }


# --------------------------------------------------------------------------- schema and metadata


@pytest.mark.parametrize("version", available_schema_versions())
def test_schema_equals_published_ddl(tmp_path: Path, version: str) -> None:
    path = write_release(tmp_path / "r.sqlite", n_experiments=2, schema_version=version)
    expected = sqlite3.connect(":memory:")
    expected.executescript(ddl(version, boolean_checks=None))  # as that version was published
    with connect(path) as written:
        assert schema_of(written) == schema_of(expected)
        meta = json.loads(written.execute("SELECT meta FROM metadata").fetchone()[0])
    assert meta["db_version"] == version


def test_metadata_row(tmp_path: Path) -> None:
    path = write_release(tmp_path / "r.sqlite", n_experiments=1, creation_date="2023-01-31")
    with connect(path) as con:
        rows = con.execute("SELECT id, meta FROM metadata").fetchall()
    expected = {
        "db_version": "22",
        "creation_date": "2023-01-31",
        "origin": "Allen Institute for Brain Science / Synaptic Physiology",
    }
    assert rows == [(1, json.dumps(expected))]
    assert list(json.loads(rows[0][1])) == ["db_version", "creation_date", "origin"]


def test_v15_release_is_valid(tmp_path: Path) -> None:
    path = write_release(tmp_path / "v15.sqlite", n_experiments=5, schema_version="15")
    newest = write_release(tmp_path / "v22.sqlite", n_experiments=5, schema_version="22")
    counts = release_summary(path)
    assert "patch_seq" not in counts and "cortical_cell_location" not in counts
    assert counts["pair"] > 0 and counts["cell"] > 0
    with connect(path) as con:
        meta = json.loads(con.execute("SELECT meta FROM metadata").fetchone()[0])
        con.execute("ATTACH ? AS newest", (str(newest),))
        signs = con.execute(
            "SELECT c.is_excitatory, n.cell_class FROM cell c JOIN newest.cell n USING (id)"
        ).fetchall()
        unknown = con.execute("SELECT count(*) FROM gap_junction WHERE strength IS NOT NULL")
        assert unknown.fetchone()[0] == 0  # a column the generator does not know stays NULL
    # version 15 records the sign the newer versions call cell_class
    expected = {"ex": 1, "in": 0}
    assert signs and all(flag == expected.get(cls) for flag, cls in signs)
    assert {flag for flag, _ in signs} == {0, 1, None}
    assert meta["db_version"] == "15"


def test_release_summary_counts_every_table(release: Path, con: sqlite3.Connection) -> None:
    summary = release_summary(release)
    assert list(summary) == load_schema("22").table_names()
    for table, count in summary.items():
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count
    assert summary["metadata"] == 1
    assert summary["experiment"] == 60 and summary["electrode"] == 480
    for empty in ("pipeline", "recording", "pulse_response", "stim_pulse", "baseline"):
        assert summary[empty] == 0


def test_release_summary_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        release_summary(tmp_path / "absent.sqlite")


# --------------------------------------------------------------------------- determinism, writing


def test_same_arguments_give_identical_bytes(tmp_path: Path) -> None:
    a = write_release(tmp_path / "a.sqlite", n_experiments=20, seed=7)
    b = write_release(tmp_path / "b.sqlite", n_experiments=20, seed=7)
    c = write_release(tmp_path / "c.sqlite", n_experiments=20, seed=8)
    assert sha256(a) == sha256(b)
    assert sha256(a) != sha256(c)


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    path = write_release(tmp_path / "r.sqlite", n_experiments=2, seed=1)
    before = sha256(path)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_release(path, n_experiments=2, seed=2)
    assert sha256(path) == before
    write_release(path, n_experiments=2, seed=2, overwrite=True)
    assert sha256(path) != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.sqlite"]


def test_failure_mid_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("generator failed")

    monkeypatch.setattr(_tables, "_dynamics_rows", broken)  # after pair etc. were inserted
    with pytest.raises(RuntimeError, match="generator failed"):
        write_release(tmp_path / "r.sqlite", n_experiments=3)
    assert list(tmp_path.iterdir()) == []


def test_failed_overwrite_keeps_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_release(tmp_path / "r.sqlite", n_experiments=2)
    before = sha256(path)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("generator failed")

    monkeypatch.setattr(_tables, "_cell_rows", broken)
    with pytest.raises(RuntimeError):
        write_release(path, n_experiments=4, overwrite=True)
    assert sha256(path) == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.sqlite"]


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_release(tmp_path / "gone" / "r.sqlite", n_experiments=1)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "bad"),
    [
        ({"n_experiments": 0}, "n_experiments=0"),
        ({"n_experiments": -3}, "n_experiments=-3"),
        ({"n_experiments": 2.5}, "n_experiments=2.5"),
        ({"n_experiments": True}, "n_experiments=True"),
        ({"n_experiments": "10"}, "n_experiments='10'"),
        ({"seed": -1}, "seed=-1"),
        ({"schema_version": "23"}, "schema_version='23'"),
        ({"schema_version": "v22"}, "schema_version='v22'"),
        ({"creation_date": "2024/05/07"}, "creation_date='2024/05/07'"),
        ({"creation_date": "2024-13-01"}, "creation_date='2024-13-01'"),
    ],
)
def test_bad_arguments(tmp_path: Path, kwargs: dict[str, object], bad: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        write_release(tmp_path / "r.sqlite", **kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)
    assert bad in str(info.value)
    assert "allowed values" in str(info.value)
    if "schema_version" in kwargs:
        assert "'22'" in str(info.value) and "'15'" in str(info.value)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- on-disk encodings


def test_booleans_are_integers_0_1_or_null(con: sqlite3.Connection) -> None:
    seen = set()
    for table, column in non_empty_columns(con, "bool"):
        values = con.execute(f"SELECT DISTINCT typeof({column}), {column} FROM {table}")
        for kind, value in values:
            assert (kind, value) in {("integer", 0), ("integer", 1), ("null", None)}
            seen.add(value)
    assert seen == {0, 1, None}


def test_numbers_have_their_storage_class(con: sqlite3.Connection) -> None:
    for table, column in non_empty_columns(con, "float"):
        kinds = {r[0] for r in con.execute(f"SELECT DISTINCT typeof({column}) FROM {table}")}
        assert kinds <= {"real", "null"}, (table, column, kinds)
    for table, column in non_empty_columns(con, "int"):
        kinds = {r[0] for r in con.execute(f"SELECT DISTINCT typeof({column}) FROM {table}")}
        assert kinds <= {"integer", "null"}, (table, column, kinds)


def test_json_columns_hold_json_text_and_null_text(con: sqlite3.Connection) -> None:
    null_text = 0
    for table, column in non_empty_columns(con, "object"):
        rows = con.execute(f"SELECT typeof({column}), {column} FROM {table}").fetchall()
        assert {kind for kind, _ in rows} == {"text"}, (table, column)  # never SQL NULL
        values = [json.loads(text) for _, text in rows]
        null_text += sum(v is None for v in values)
    assert null_text > 0
    for table in release_summary_tables(con):
        metas = [json.loads(m) for (m,) in con.execute(f"SELECT meta FROM {table}")]
        assert all(m is None or isinstance(m, dict) for m in metas)
    cell_meta = [json.loads(m) for (m,) in con.execute("SELECT meta FROM cell")]
    assert None in cell_meta and any(isinstance(m, dict) for m in cell_meta)


def release_summary_tables(con: sqlite3.Connection) -> list[str]:
    return [t.name for t in load_schema("22") if con.execute(f"SELECT 1 FROM {t.name}").fetchone()]


def test_array_columns_hold_npy_bytes_or_empty_blob(con: sqlite3.Connection) -> None:
    empty = loaded = 0
    for table, column in non_empty_columns(con, "array"):
        for kind, blob in con.execute(f"SELECT typeof({column}), {column} FROM {table}"):
            assert kind == "blob", (table, column)  # never SQL NULL
            if blob == b"":
                empty += 1
                continue
            array = np.load(io.BytesIO(blob), allow_pickle=False)
            assert array.ndim == 1 and array.dtype.kind in "fi" and len(array) > 0
            loaded += 1
    assert empty > 0 and loaded > 0


def test_datetimes_are_text_with_microseconds(con: sqlite3.Connection) -> None:
    checked = 0
    for table, column in non_empty_columns(con, "datetime"):
        for kind, value in con.execute(f"SELECT typeof({column}), {column} FROM {table}"):
            assert kind in ("text", "null")
            if value is not None:
                assert DATETIME.fullmatch(value), value
                checked += 1
    assert checked > 0


def test_columns_have_missing_values(con: sqlite3.Connection) -> None:
    for table, column in [
        ("slice", "age"),
        ("experiment", "acsf"),
        ("cell", "cre_type"),
        ("cell", "target_layer"),
        ("cell", "depth"),
        ("pair", "has_synapse"),
        ("pair", "distance"),
        ("pair", "n_ex_test_spikes"),
        ("intrinsic", "rheobase"),
        ("synapse", "latency"),
    ]:
        nulls = con.execute(f"SELECT count(*) FROM {table} WHERE {column} IS NULL").fetchone()[0]
        assert nulls > 0, (table, column)


# --------------------------------------------------------------------------- content


def test_species_and_projects(con: sqlite3.Connection) -> None:
    species = {r[0] for r in con.execute("SELECT DISTINCT species FROM slice")}
    assert species == {"mouse", "human"}
    projects = {r[0] for r in con.execute("SELECT DISTINCT project_name FROM experiment")}
    assert set(COARSE_MATRIX_PROJECTS) <= projects
    human_genotypes = con.execute(
        "SELECT count(*) FROM slice WHERE species = 'human' AND genotype IS NOT NULL"
    ).fetchone()[0]
    assert human_genotypes == 0
    ext_ids = con.execute("SELECT ext_id, acq_timestamp FROM experiment").fetchall()
    assert all(ext == "%0.3f" % ts for ext, ts in ext_ids)  # noqa: UP031


def test_cells_sit_on_their_electrodes(con: sqlite3.Connection) -> None:
    rows = con.execute(
        "SELECT c.ext_id, e.ext_id, c.experiment_id, e.experiment_id"
        " FROM cell c JOIN electrode e ON e.id = c.electrode_id"
    ).fetchall()
    assert rows and all(a == b and x == y for a, b, x, y in rows)
    per_experiment = con.execute("SELECT count(*) FROM cell GROUP BY experiment_id").fetchall()
    assert {n for (n,) in per_experiment} <= set(range(2, 9))


def test_cre_types_match_the_slice_genotype(con: sqlite3.Connection) -> None:
    rows = con.execute(
        "SELECT c.cre_type, s.genotype, s.species FROM cell c"
        " JOIN experiment e ON e.id = c.experiment_id JOIN slice s ON s.id = e.slice_id"
    ).fetchall()
    for cre, genotype, species in rows:
        if species == "human":
            assert cre in (None, "unknown")
        elif cre not in (None, "unknown"):
            for driver in cre.split(","):
                assert driver in ALL_CRE_TYPES
                assert driver.capitalize() in genotype


def test_layers(con: sqlite3.Connection) -> None:
    rows = con.execute(
        "SELECT s.species, c.target_layer, l.cortical_layer FROM cell c"
        " JOIN experiment e ON e.id = c.experiment_id JOIN slice s ON s.id = e.slice_id"
        " LEFT JOIN cortical_cell_location l ON l.cell_id = c.id"
    ).fetchall()
    targets = {"mouse": {"2/3", "4", "5", "6", None}, "human": {"2", "3", "4", "5", "6", None}}
    layers = {
        "mouse": {"1", "2/3", "4", "5", "6a", "6b", None},
        "human": {"1", "2", "3", "4", "5", "6", None},
    }
    for species, target, layer in rows:
        assert target in targets[species] and layer in layers[species]
    same = sum(t is not None and layer is not None and layer.startswith(t) for _, t, layer in rows)
    assert same > 0.7 * len(rows)


def test_pairs_are_every_ordered_pair(con: sqlite3.Connection) -> None:
    cells = dict(con.execute("SELECT experiment_id, count(*) FROM cell GROUP BY 1").fetchall())
    pairs = dict(con.execute("SELECT experiment_id, count(*) FROM pair GROUP BY 1").fetchall())
    assert pairs == {e: n * (n - 1) for e, n in cells.items()}
    wrong = con.execute(
        "SELECT count(*) FROM pair p JOIN cell a ON a.id = p.pre_cell_id"
        " JOIN cell b ON b.id = p.post_cell_id"
        " WHERE a.experiment_id != p.experiment_id OR b.experiment_id != p.experiment_id"
        " OR a.id = b.id"
    ).fetchone()[0]
    assert wrong == 0


def test_reciprocal_ids(con: sqlite3.Connection) -> None:
    rows = con.execute(
        "SELECT p.id, r.id, r.reciprocal_id, p.pre_cell_id = r.post_cell_id"
        " AND p.post_cell_id = r.pre_cell_id FROM pair p LEFT JOIN pair r ON r.id = p.reciprocal_id"
    ).fetchall()
    assert rows and all(
        rid is not None and back == pid and swapped for pid, rid, back, swapped in rows
    )


def test_test_spike_counts(con: sqlite3.Connection) -> None:
    counts = [n for (n,) in con.execute("SELECT n_ex_test_spikes FROM pair")]
    known = [n for n in counts if n is not None]
    assert min(known) >= 0 and max(known) <= 200
    assert sum(n <= 10 for n in known) > 100 and sum(n > 10 for n in known) > 100
    assert 0.02 < counts.count(None) / len(counts) < 0.1


def test_distances_in_metres(con: sqlite3.Connection) -> None:
    rows = con.execute(
        "SELECT distance, lateral_distance, vertical_distance FROM pair WHERE distance IS NOT NULL"
    ).fetchall()
    d, lateral, vertical = np.array(rows).T
    assert d.min() > 0 and d.max() < 1e-3 and 20e-6 < np.median(d) < 300e-6
    np.testing.assert_allclose(d**2, lateral**2 + vertical**2, rtol=1e-9)


def test_cell_classes(con: sqlite3.Connection) -> None:
    classes = dict(con.execute("SELECT cell_class, count(*) FROM cell GROUP BY 1").fetchall())
    assert set(classes) == {"ex", "in", "mixed", None}
    rows = con.execute("SELECT cre_type, cell_class_nonsynaptic FROM cell").fetchall()
    for cre, cls in rows:
        if cre in EXCITATORY_CRE_TYPES:
            assert cls in ("ex", "mixed")
        elif cre in INHIBITORY_CRE_TYPES:
            assert cls in ("in", "mixed")
    for (meta,) in con.execute("SELECT meta FROM cell WHERE meta != 'null'"):
        assert set(json.loads(meta)) == {
            "transgenic_cell_class",
            "morpho_cell_class",
            "transcriptomic_cell_class",
            "synaptic_cell_class",
        }


def test_synapse_types_follow_the_presynaptic_class(con: sqlite3.Connection) -> None:
    rows = con.execute(
        "SELECT c.cell_class, s.synapse_type, s.psp_amplitude FROM synapse s"
        " JOIN pair p ON p.id = s.pair_id JOIN cell c ON c.id = p.pre_cell_id"
    ).fetchall()
    assert rows
    for cell_class, synapse_type, amplitude in rows:
        if cell_class in ("ex", "in"):
            assert synapse_type == cell_class
        if amplitude is not None and synapse_type != "mixed":
            assert (amplitude > 0) == (synapse_type == "ex")
    flagged = con.execute(
        "SELECT count(*) FROM synapse s JOIN pair p ON p.id = s.pair_id WHERE p.has_synapse IS NOT 1"
    ).fetchone()[0]
    assert flagged == 0


def test_child_rows_point_at_existing_parents(con: sqlite3.Connection) -> None:
    schema = load_schema("22")
    for table in schema:
        for fk in table.foreign_keys:
            dangling = con.execute(
                f"SELECT count(*) FROM {table.name} c LEFT JOIN {fk.table} p"
                f" ON p.{fk.references} = c.{fk.column}"
                f" WHERE c.{fk.column} IS NOT NULL AND p.{fk.references} IS NULL"
            ).fetchone()[0]
            assert dangling == 0, (table.name, fk.column)


def test_ids_are_consecutive(con: sqlite3.Connection) -> None:
    for table in release_summary_tables(con):
        low, high, n = con.execute(f"SELECT min(id), max(id), count(*) FROM {table}").fetchone()
        assert (low, high) == (1, n), table


# --------------------------------------------------------------------------- fan-out


@pytest.mark.parametrize("table", sorted(UNIQUE_KEYS))
@pytest.mark.parametrize("fixture", ["release", "fanned"])
def test_unique_key_tables_have_one_row_per_key(
    request: pytest.FixtureRequest, fixture: str, table: str
) -> None:
    with connect(request.getfixturevalue(fixture)) as con:
        key = UNIQUE_KEYS[table]
        rows, keys = con.execute(f"SELECT count(*), count(DISTINCT {key}) FROM {table}").fetchone()
    assert rows == keys > 0


@pytest.mark.parametrize("table", sorted(ONE_TO_MANY))
def test_without_fan_out_one_row_per_key(con: sqlite3.Connection, table: str) -> None:
    key = ONE_TO_MANY[table]
    rows, keys = con.execute(f"SELECT count(*), count(DISTINCT {key}) FROM {table}").fetchone()
    assert rows == keys > 0


@pytest.mark.parametrize("table", sorted(ONE_TO_MANY))
def test_fan_out_repeats_keys(fanned: Path, table: str) -> None:
    with connect(fanned) as con:
        key = ONE_TO_MANY[table]
        rows, keys = con.execute(f"SELECT count(*), count(DISTINCT {key}) FROM {table}").fetchone()
    assert keys < rows < 1.3 * keys


def test_fan_out_rows_differ(fanned: Path) -> None:
    with connect(fanned) as con:
        layers = con.execute(
            "SELECT count(*) FROM (SELECT cell_id FROM cortical_cell_location"
            " GROUP BY cell_id HAVING count(DISTINCT cortical_layer) > 1)"
        ).fetchone()[0]
        types = con.execute(
            "SELECT count(*) FROM (SELECT pair_id FROM synapse"
            " GROUP BY pair_id HAVING count(DISTINCT synapse_type) > 1)"
        ).fetchone()[0]
    assert layers > 0 and types > 0


# --------------------------------------------------------------------------- published size


@pytest.mark.slow
def test_published_small_size(published: tuple[Path, float]) -> None:
    path, seconds = published
    with connect(path) as con:
        by_species = dict(
            con.execute(
                "SELECT s.species, count(*) FROM pair p JOIN experiment e ON e.id = p.experiment_id"
                " JOIN slice s ON s.id = e.slice_id GROUP BY 1"
            ).fetchall()
        )
    total = sum(by_species.values())
    assert 80_000 <= total <= 100_000
    assert 0.85 < by_species["mouse"] / total < 0.93
    assert 10e6 < path.stat().st_size < 200e6
    assert seconds < 60  # ~9 s on 2 cores; generous for a shared machine
