"""Tests of the raw-recording tables of medium and full synthetic releases (``size=``)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from synphys_ibis import Database, SynphysDatabase
from synphys_ibis.errors import InvalidArgumentError
from synphys_ibis.export.codecs import decode_array
from synphys_ibis.schema import available_schema_versions, ddl, load_schema
from synphys_ibis.schema.versions import stored_name
from synphys_ibis.synthetic import release_summary, write_release
from tests.test_synthetic import connect, schema_of, sha256

RAW = (
    "sync_rec",
    "recording",
    "patch_clamp_recording",
    "multi_patch_probe",
    "test_pulse",
    "stim_pulse",
    "stim_spike",
    "pulse_response",
    "baseline",
    "pulse_response_fit",
    "pulse_response_strength",
)
TRACES = ("pulse_response", "baseline", "stim_pulse")  # whose data/meta medium files leave NULL
#: Columns of the raw tables the generator leaves NULL (as the pipeline does for multipatch data).
UNKNOWN = {("stim_pulse", "data"), ("pulse_response", "data"), ("baseline", "data")}
SWEEPS = 2
EXPERIMENTS = 6

#: sha256 of ``write_release(path, n_experiments=5, seed=3, schema_version=v)`` (first) and of
#: ``write_release(path, n_experiments=4, seed=1, schema_version=v, fan_out=True)`` (second),
#: recorded with the generator as it was before ``size=`` existed (numpy 2 / SQLite 3 of the
#: project's environment; a new SQLite or numpy may change the bytes and need new values).
SMALL_HASHES = {
    "15": ("8992420bd1008f97c2c63a620f8d4e611a49f1033433607ad32f0d003d5d76f6",
           "953bbe48fd56d16056ac57fd80d00c047daff420fbd05d316cfaa8aa396c0436"),
    "16": ("d6bf290643d5b54937d59b368928d343526e90abd8add956231e411176d54720",
           "7616564d7e86f8c7c73d1fa06ee6cd9a9d0e9b13e1713fcdde2285c19e77deff"),
    "18": ("ddf0d0a5bc799c8fdf3ec49ba46a5289d4bfc4a55dc830775092ac243279fdef",
           "74841abc9cc99b1468f3663ce1f7ff65354c8005275594d12964a044b55e2360"),
    "19": ("e71844c2f52ec835eaca3af0d82b1d6e22d9ac166256c04421bc18a1023609ee",
           "b80c2eeceb085ba4b8b15f6c2c6dfb906cb8ed76a987b9e03caa69152de6a11f"),
    "20": ("7ac9e05966f516243918c144615b0fda229904bf1fca0148f79dee516637e3d8",
           "dca90c5fc0721df411e8cbdf690b5e30c1d0c558802629bb4f2062525c098804"),
    "21": ("4f997f8f4523d3df5ce6181249d93dc8bc6ba8e1d426e9c58f6e0d920765b063",
           "427e5720bfa2627cfb30b30f0692917d0093ff8e19d1ac1497a2e3b098e5fb98"),
    "22": ("38756476adc36c55aeb940d70aa4069be65250a5cb3b5b5bbb39ff62fb982d99",
           "93bb43f3779565dc73c0973969028e743ac133ee396fa97c7bda46ffcb50c3cf"),
}  # fmt: skip


def write(directory: Path, size: str, version: str = "22", **kwargs: object) -> Path:
    options = {"n_experiments": EXPERIMENTS, "seed": 5, "sweeps_per_pair": SWEEPS, **kwargs}
    return write_release(
        directory / f"{size}-v{version}.sqlite",
        size=size,  # type: ignore[arg-type]
        schema_version=version,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same arguments in every size (schema 22)."""
    directory = tmp_path_factory.mktemp("sizes")
    return {size: write(directory, size) for size in ("small", "medium", "full")}


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A medium release in every schema version."""
    directory = tmp_path_factory.mktemp("versions")
    return {v: write(directory, "medium", v) for v in available_schema_versions()}


def gap_probed_pairs(con: sqlite3.Connection, version: str) -> int:
    """Pairs both of whose cells' electrodes have a recording with a TargetV stimulus."""
    stimulus = (
        "recording r JOIN patch_clamp_recording s ON s.recording_id = r.id"
        if load_schema(version).table("patch_clamp_recording").has_column("stim_name")
        else "recording r JOIN recording s ON s.id = r.id"
    )
    return con.execute(
        f"""WITH gj AS (SELECT DISTINCT r.electrode_id FROM {stimulus}
                        WHERE s.stim_name LIKE '%TargetV%')
            SELECT count(*) FROM pair p JOIN cell a ON a.id = p.pre_cell_id
            JOIN cell b ON b.id = p.post_cell_id
            WHERE a.electrode_id IN (SELECT * FROM gj) AND b.electrode_id IN (SELECT * FROM gj)"""
    ).fetchone()[0]


# --------------------------------------------------------------------------- arguments, sizes


def test_default_size_is_small_byte_for_byte(tmp_path: Path) -> None:
    omitted = write_release(tmp_path / "a.sqlite", n_experiments=5, seed=3)
    small = write_release(tmp_path / "b.sqlite", n_experiments=5, seed=3, size="small")
    ignored = write_release(
        tmp_path / "c.sqlite", n_experiments=5, seed=3, size="small", sweeps_per_pair=50
    )
    assert sha256(omitted) == sha256(small) == sha256(ignored)


@pytest.mark.parametrize("version", sorted(SMALL_HASHES))
def test_small_release_bytes_are_as_before_the_size_option(tmp_path: Path, version: str) -> None:
    plain = write_release(tmp_path / "a.sqlite", n_experiments=5, seed=3, schema_version=version)
    fanned = write_release(
        tmp_path / "b.sqlite", n_experiments=4, seed=1, schema_version=version, fan_out=True
    )
    assert (sha256(plain), sha256(fanned)) == SMALL_HASHES[version]


@pytest.mark.parametrize(
    ("kwargs", "bad"),
    [
        ({"size": "large"}, "size='large'"),
        ({"size": "Medium"}, "size='Medium'"),
        ({"size": None}, "size=None"),
        ({"sweeps_per_pair": 0}, "sweeps_per_pair=0"),
        ({"sweeps_per_pair": 1.5}, "sweeps_per_pair=1.5"),
        ({"sweeps_per_pair": True}, "sweeps_per_pair=True"),
    ],
)
def test_bad_size_arguments(tmp_path: Path, kwargs: dict[str, object], bad: str) -> None:
    with pytest.raises(InvalidArgumentError, match="allowed values") as info:
        write_release(tmp_path / "r.sqlite", n_experiments=1, **kwargs)  # type: ignore[arg-type]
    assert bad in str(info.value)
    if "size" in kwargs:
        assert "'full', 'medium', 'small'" in str(info.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("size", ["medium", "full"])
def test_same_arguments_give_identical_bytes(tmp_path: Path, size: str) -> None:
    a = write_release(tmp_path / "a.sqlite", n_experiments=3, seed=2, size=size, sweeps_per_pair=1)  # type: ignore[arg-type]
    b = write_release(tmp_path / "b.sqlite", n_experiments=3, seed=2, size=size, sweeps_per_pair=1)  # type: ignore[arg-type]
    c = write_release(tmp_path / "c.sqlite", n_experiments=3, seed=3, size=size, sweeps_per_pair=1)  # type: ignore[arg-type]
    assert sha256(a) == sha256(b) != sha256(c)


# --------------------------------------------------------------------------- schema and keys


@pytest.mark.parametrize("size", ["medium", "full"])
@pytest.mark.parametrize("version", available_schema_versions())
def test_schema_equals_published_ddl(tmp_path: Path, version: str, size: str) -> None:
    path = write_release(
        tmp_path / "r.sqlite",
        n_experiments=2,
        schema_version=version,
        size=size,  # type: ignore[arg-type]
        sweeps_per_pair=1,
    )
    expected = sqlite3.connect(":memory:")
    expected.executescript(ddl(version, boolean_checks=None))
    with connect(path) as written:
        assert schema_of(written) == schema_of(expected)


@pytest.mark.parametrize("version", available_schema_versions())
def test_every_raw_column_is_filled_in_every_version(
    versions: dict[str, Path], version: str
) -> None:
    schema = load_schema(version)
    with connect(versions[version]) as con:
        for table in (*RAW, "baseline_response_strength"):
            if table not in schema:
                continue
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
            for column in schema.table(table).column_names:
                if column == "meta" or (table, column) in UNKNOWN:
                    continue
                filled = con.execute(
                    f"SELECT count(*) FROM {table} WHERE {column} IS NOT NULL"
                ).fetchone()[0]
                assert filled > 0, (version, table, column)


@pytest.mark.parametrize("version", available_schema_versions())
def test_foreign_keys_of_raw_tables_are_valid(versions: dict[str, Path], version: str) -> None:
    with connect(versions[version]) as con:
        for table in load_schema(version):
            for fk in table.foreign_keys:
                missing, total = con.execute(
                    f"SELECT count(*) FILTER (WHERE p.{fk.references} IS NULL), count(*)"
                    f" FROM {table.name} c LEFT JOIN {fk.table} p"
                    f" ON p.{fk.references} = c.{fk.column} WHERE c.{fk.column} IS NOT NULL"
                ).fetchone()
                assert missing == 0, (version, table.name, fk.column)
                if table.name in RAW and fk.table != "test_pulse":
                    assert total > 0, (version, table.name, fk.column)


def test_raw_rows_are_consistent(releases: dict[str, Path]) -> None:
    with connect(releases["medium"]) as con:

        def one(sql: str) -> object:
            return con.execute(sql).fetchone()[0]

        # every pulse response: a pulse of the pair's presynaptic cell, recorded on the
        # postsynaptic cell's electrode in the same sweep, with a baseline of that recording
        assert (
            one(
                """SELECT count(*) FROM pulse_response pr JOIN pair p ON p.id = pr.pair_id
               JOIN stim_pulse sp ON sp.id = pr.stim_pulse_id
               JOIN recording pre ON pre.id = sp.recording_id
               JOIN recording post ON post.id = pr.recording_id
               JOIN cell a ON a.id = p.pre_cell_id JOIN cell b ON b.id = p.post_cell_id
               JOIN baseline bl ON bl.id = pr.baseline_id
               WHERE sp.cell_id != a.id OR pre.electrode_id != a.electrode_id
                  OR post.electrode_id != b.electrode_id OR pre.sync_rec_id != post.sync_rec_id
                  OR bl.recording_id != post.id"""
            )
            == 0
        )
        for table, key in (
            ("patch_clamp_recording", "recording_id"),
            ("multi_patch_probe", "patch_clamp_recording_id"),
            ("pulse_response_fit", "pulse_response_id"),
            ("pulse_response_strength", "pulse_response_id"),
        ):  # the unique keys of the published schema
            assert one(f"SELECT count(*) = count(DISTINCT {key}) FROM {table}") == 1, table
        assert (
            one(
                "SELECT count(*) FROM pulse_response pr JOIN pulse_response_strength s"
                " ON s.pulse_response_id = pr.id WHERE s.baseline_id != pr.baseline_id"
            )
            == 0
        )
        assert (
            one(
                "SELECT count(*) FROM stim_spike x JOIN stim_pulse p ON p.id = x.stim_pulse_id"
                " WHERE p.n_spikes != 1"
            )
            == 0
        )
        assert (
            one(
                "SELECT count(*) FROM multi_patch_probe m"
                " JOIN patch_clamp_recording c ON c.id = m.patch_clamp_recording_id"
                " WHERE m.n_spikes_evoked != (SELECT sum(n_spikes) FROM stim_pulse"
                " WHERE recording_id = c.recording_id)"
            )
            == 0
        )
        assert (
            one("SELECT count(DISTINCT sample_rate) || ':' || min(sample_rate) FROM recording")
            == "1:20000"
        )


def test_row_counts_per_pair_and_experiment(releases: dict[str, Path]) -> None:
    counts = release_summary(releases["medium"])
    with connect(releases["medium"]) as con:
        per_pair = {
            n for (n,) in con.execute("SELECT count(*) FROM pulse_response GROUP BY pair_id")
        }
        cells = con.execute("SELECT count(*) FROM cell").fetchone()[0]
    assert per_pair == {12 * SWEEPS}  # 12 pulses per train, every ordered pair in every sweep
    assert counts["pulse_response"] == 12 * SWEEPS * counts["pair"]
    assert (
        counts["pulse_response_fit"]
        == counts["pulse_response_strength"]
        == counts["pulse_response"]
    )
    assert counts["stim_pulse"] == 12 * SWEEPS * cells
    assert counts["baseline"] == 4 * SWEEPS * cells
    assert counts["multi_patch_probe"] == SWEEPS * cells
    assert counts["recording"] > SWEEPS * cells  # and the TargetV recordings
    assert counts["recording"] == counts["patch_clamp_recording"] == counts["test_pulse"]
    assert 0.5 * counts["stim_pulse"] < counts["stim_spike"] <= counts["stim_pulse"]
    small = release_summary(releases["small"])
    assert {t: n for t, n in counts.items() if t not in RAW} == {
        t: n for t, n in small.items() if t not in RAW
    }
    assert all(small[t] == 0 for t in RAW)


# --------------------------------------------------------------------------- stimuli


@pytest.mark.parametrize("version", available_schema_versions())
def test_gap_junction_stimuli(versions: dict[str, Path], version: str) -> None:
    table = "patch_clamp_recording" if version in ("15", "16") else "recording"
    with connect(versions[version]) as con:
        names = dict(con.execute(f"SELECT stim_name, count(*) FROM {table} GROUP BY 1").fetchall())
        electrodes, with_gj = con.execute(
            "SELECT count(DISTINCT r.electrode_id), count(DISTINCT CASE WHEN s.stim_name"
            " LIKE '%TargetV%' THEN r.electrode_id END) FROM recording r"
            f" JOIN {table} s ON s.{'recording_id' if table != 'recording' else 'id'} = r.id"
        ).fetchone()
        probed = gap_probed_pairs(con, version)
        coupled = con.execute("SELECT count(*) FROM pair WHERE has_electrical = 1").fetchone()[0]
    assert names["TargetV_DA_0"] > 0
    assert all(n == "TargetV_DA_0" or re.fullmatch(r"\d+Hz_DA_0", n) for n in names)
    assert 0 < with_gj < electrodes  # some electrodes, not all
    assert probed > 0
    assert coupled > 0


def test_every_coupled_pair_was_probed_for_gap_junctions(releases: dict[str, Path]) -> None:
    with connect(releases["medium"]) as con:
        rows = con.execute(
            """SELECT count(*) FROM pair p JOIN cell a ON a.id = p.pre_cell_id
               JOIN cell b ON b.id = p.post_cell_id WHERE p.has_electrical = 1 AND (
               a.electrode_id NOT IN (SELECT electrode_id FROM recording
                                      WHERE stim_name LIKE '%TargetV%')
               OR b.electrode_id NOT IN (SELECT electrode_id FROM recording
                                         WHERE stim_name LIKE '%TargetV%'))"""
        ).fetchone()[0]
    assert rows == 0


def test_train_names_match_their_probe(releases: dict[str, Path]) -> None:
    with connect(releases["medium"]) as con:
        rows = con.execute(
            "SELECT r.stim_name, m.induction_frequency FROM multi_patch_probe m"
            " JOIN patch_clamp_recording c ON c.id = m.patch_clamp_recording_id"
            " JOIN recording r ON r.id = c.recording_id"
        ).fetchall()
    assert rows and all(name == f"{freq:g}Hz_DA_0" for name, freq in rows)
    assert len({freq for _, freq in rows}) > 2


# --------------------------------------------------------------------------- traces


def test_medium_leaves_data_and_meta_null(releases: dict[str, Path]) -> None:
    with connect(releases["medium"]) as con:
        for table in TRACES:
            kinds = con.execute(
                f"SELECT DISTINCT typeof(data), typeof(meta) FROM {table}"
            ).fetchall()
            assert kinds == [("null", "null")], table
        # every other table's meta is the JSON text 'null', as the ORM writes it
        assert con.execute("SELECT DISTINCT meta FROM recording").fetchall() == [("null",)]


def test_medium_and_full_differ_only_in_traces(releases: dict[str, Path]) -> None:
    with connect(releases["full"]) as con:
        con.execute("ATTACH ? AS medium", (f"{releases['medium'].resolve().as_uri()}?mode=ro",))
        for table in load_schema("22"):
            columns = [
                c
                for c in table.column_names
                if table.name not in TRACES or c not in ("data", "meta")
            ]
            listed = ", ".join(columns)
            differ = con.execute(
                f"SELECT count(*) FROM (SELECT {listed} FROM main.{table.name}"
                f" EXCEPT SELECT {listed} FROM medium.{table.name})"
            ).fetchone()[0]
            assert differ == 0, table.name


@pytest.mark.parametrize("table", TRACES)
def test_full_arrays_decode(releases: dict[str, Path], table: str) -> None:
    with connect(releases["full"]) as con:
        rows = con.execute(f"SELECT id, data, meta, data_start_time FROM {table}").fetchall()
    assert rows
    for row_id, blob, meta, start in rows:
        array = decode_array(blob, column="data", row_id=row_id)
        assert array is not None and array.dtype == np.float32 and array.shape == (500,)
        assert np.isfinite(array).all()
        assert meta == "null" and start is not None


def averaged_deflections(con: sqlite3.Connection) -> dict[int, float]:
    """Per pair, the mean current-clamp response 5-25 ms after the pulse minus the 5 ms before."""
    sums: dict[int, np.ndarray] = {}
    counts: dict[int, int] = {}
    rows = con.execute(
        "SELECT pr.pair_id, pr.data FROM pulse_response pr"
        " JOIN patch_clamp_recording c ON c.recording_id = pr.recording_id"
        " WHERE c.clamp_mode = 'ic'"
    )
    for pair, blob in rows:
        trace = decode_array(blob).astype(np.float64)  # type: ignore[union-attr]
        sums[pair] = sums.get(pair, 0.0) + trace
        counts[pair] = counts.get(pair, 0) + 1
    return {p: float(s[100:].mean() - s[:100].mean()) / counts[p] for p, s in sums.items()}


def test_averaged_response_shows_the_synapse(tmp_path: Path) -> None:
    path = write_release(
        tmp_path / "full.sqlite", n_experiments=20, seed=4, size="full", sweeps_per_pair=4
    )
    with connect(path) as con:
        deflection = averaged_deflections(con)
        signs = dict(
            con.execute(
                "SELECT pair_id, sign(psp_amplitude) FROM synapse WHERE psp_amplitude IS NOT NULL"
            ).fetchall()
        )
        unconnected = [
            p for (p,) in con.execute("SELECT id FROM pair WHERE has_synapse = 0").fetchall()
        ]
        fitted = dict(
            con.execute(
                "SELECT pr.pair_id, avg(f.fit_amp) FROM pulse_response pr"
                " JOIN pulse_response_fit f ON f.pulse_response_id = pr.id"
                " JOIN patch_clamp_recording c ON c.recording_id = pr.recording_id"
                " WHERE c.clamp_mode = 'ic' GROUP BY 1"
            ).fetchall()
        )
    connected = [p for p in signs if p in deflection]
    assert len(connected) >= 5 and {signs[p] for p in connected} == {-1.0, 1.0}
    noise = max(abs(deflection[p]) for p in unconnected if p in deflection)
    assert noise < 20e-6  # volts: averaged noise
    for pair in connected:
        assert deflection[pair] * signs[pair] > 2 * noise, pair
        assert fitted[pair] * signs[pair] > 0, pair  # the fits agree with the traces


# --------------------------------------------------------------------------- engines, copies


def test_pair_query_on_duckdb_is_the_same_in_every_size(releases: dict[str, Path]) -> None:
    results = {}
    for size, path in releases.items():
        db = SynphysDatabase.load_sqlite(path, native_cache=False)
        try:
            table = db.pair_query(preload=["synapse"]).order_by("id").to_pyarrow()
            raw = db.table("pulse_response").count().to_pyarrow().as_py()
        finally:
            db.close()
        results[size] = table
        assert (raw > 0) == (size != "small")
    assert results["small"].num_rows > 0
    assert results["medium"].equals(results["small"])
    assert results["full"].equals(results["small"])


def table_contents(path: Path, table: str) -> list[tuple[object, ...]]:
    with connect(path) as con:
        return con.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


@pytest.mark.parametrize("size", ["medium", "full"])
def test_bake_sqlite_copies_the_raw_tables(
    releases: dict[str, Path], tmp_path: Path, size: str
) -> None:
    source = Database("sqlite:///", None, releases[size])
    try:
        baked = source.bake_sqlite(tmp_path / "baked.sqlite", progress=False)
    finally:
        source.close()
    assert release_summary(baked) == release_summary(releases[size])
    for table in (*TRACES, "pulse_response_fit", "recording"):
        assert table_contents(baked, table) == table_contents(releases[size], table), table


@pytest.mark.parametrize("size", ["medium", "full"])
def test_clone_to_duckdb_copies_the_raw_tables(
    releases: dict[str, Path], tmp_path: Path, size: str
) -> None:
    source = Database("sqlite:///", None, releases[size])
    dest = Database("duckdb:///", "duckdb:///", tmp_path / "copy.duckdb")
    try:
        clone = source.clone_database(dest_db=dest, progress=False)
        for table in TRACES:
            copied = clone.table(table).order_by("id").to_pyarrow()
            with connect(releases[size]) as con:
                original = con.execute(f"SELECT id, data FROM {table} ORDER BY id").fetchall()
            assert copied.num_rows == len(original)
            assert copied.column("id").to_pylist() == [r[0] for r in original]
            assert copied.column("data").to_pylist() == [r[1] for r in original], table
        clone.close()
    finally:
        source.close()


@pytest.mark.parametrize("size", ["medium", "full"])
def test_export_parquet_copies_the_raw_tables(
    releases: dict[str, Path], tmp_path: Path, size: str
) -> None:
    source = Database("sqlite:///", None, releases[size])
    try:
        dataset = source.export_parquet(tmp_path / "release.parquet", progress=False)
    finally:
        source.close()
    db = SynphysDatabase.load_parquet(dataset)
    try:
        summary = release_summary(releases[size])
        for table in (*RAW, *TRACES):
            rows = db.table(table).count().to_pyarrow().as_py()
            assert rows == summary[table], table
        for table in TRACES:
            exported = db.table(table).order_by("id").select("id", "data").to_pyarrow()
            with connect(releases[size]) as con:
                original = con.execute(f"SELECT data FROM {table} ORDER BY id").fetchall()
            assert exported.column("data").to_pylist() == [r[0] for r in original], table
    finally:
        db.close()


def test_stored_names_of_renamed_raw_columns(versions: dict[str, Path]) -> None:
    """Version 15-20 files keep the noise under its old name; the values are the same."""

    def noise(version: str) -> list[float]:
        column = stored_name(version, "patch_clamp_recording", "baseline_noise_stdev")
        with connect(versions[version]) as con:
            sql = f"SELECT {column} FROM patch_clamp_recording ORDER BY id"
            return [v for (v,) in con.execute(sql)]

    assert (
        stored_name("15", "patch_clamp_recording", "baseline_noise_stdev") != "baseline_noise_stdev"
    )
    expected = noise("22")
    assert expected and noise("15") == noise("20") == expected
