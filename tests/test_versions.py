"""Every published schema version (15-22): detection, the same queries on each, mapped and
refused criteria, mismatched files, and maintenance of old versions.

Releases of every version are written from one seed, so they hold the same data stored as each
version stores it (see ``synphys_ibis.synthetic._versions``): questions every version can answer
must get the same answer from each.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ibis import _

from synphys_ibis import (
    SUPPORTED_SCHEMA_VERSIONS,
    CellClass,
    ColumnNotFoundError,
    Database,
    InvalidArgumentError,
    SchemaMismatchError,
    SynphysDatabase,
    mouse_layer_classes,
    synthetic,
)
from synphys_ibis.engines.sqlite import read_table_columns
from synphys_ibis.schema import BOOLEAN_CHECK_VERSIONS, ddl, load_schema
from synphys_ibis.schema._build import describe_ddl
from synphys_ibis.schema.versions import RENAMES, query_schema
from tests.conftest import ENGINES, PostgresServer, open_engine
from tests.reference import reference_pair_ids
from tests.test_copy import sqlite_master, table_rows

VERSIONS = list(SUPPORTED_SCHEMA_VERSIONS)
NEWEST = VERSIONS[-1]


@pytest.fixture(scope="session")
def versioned_release(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """``release(version)``: a release of that schema version, the same data in every version."""
    directory = tmp_path_factory.mktemp("versions")
    written: dict[str, Path] = {}

    def release(version: str) -> Path:
        if version not in written:
            path = directory / f"synphys_test_v{version}.sqlite"
            written[version] = synthetic.write_release(
                path, n_experiments=60, seed=23, schema_version=version
            )
        return written[version]

    return release


@pytest.fixture(scope="session")
def native_dbs(versioned_release: Callable[[str], Path]) -> Iterator[dict[str, SynphysDatabase]]:
    """Every version's release opened on DuckDB (native copy), for cross-version comparisons."""
    dbs = {v: SynphysDatabase.load_sqlite(versioned_release(v)) for v in VERSIONS}
    yield dbs
    for db in dbs.values():
        db.close()


@pytest.fixture(
    scope="module",
    params=[(v, e) for v in VERSIONS for e in ENGINES],
    ids=lambda p: f"v{p[0]}-{p[1]}",
)
def vdb(
    request: pytest.FixtureRequest, versioned_release: Callable[[str], Path]
) -> Iterator[tuple[str, SynphysDatabase, sqlite3.Connection]]:
    """(version, database on one engine, sqlite3 connection to its release for reference SQL)."""
    version, engine = request.param
    path = versioned_release(version)
    db = open_engine(engine, path, request)
    ref = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    yield version, db, ref
    ref.close()
    db.close()


def pair_ids(table: Any) -> set[int]:
    return set(table.select("id").to_pyarrow().column("id").to_pylist())


# Parameters every version can answer, as (library arguments, reference arguments).
COMMON_QUERIES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"species": "mouse", "synapse": True}, {"species": "mouse", "synapse": True}),
    (
        {"pre_class": CellClass(cre_type="sst"), "post_class": CellClass(cortical_layer="2/3")},
        {"pre_class": {"cre_type": "sst"}, "post_class": {"cortical_layer": "2/3"}},
    ),
    (
        {"pre_class": CellClass(cre_type=("sim1", "tlx3"), cortical_layer="5")},
        {"pre_class": {"cre_type": ("sim1", "tlx3"), "cortical_layer": "5"}},
    ),
    (
        {"pre_class": CellClass(dendrite_type="spiny"), "synapse_probed": True},
        {"pre_class": {"dendrite_type": "spiny"}, "synapse_probed": True},
    ),
    (
        {"experiment_type": "standard multipatch", "distance": (None, 100e-6)},
        {"experiment_type": "standard multipatch", "distance": (None, 100e-6)},
    ),
    (
        {"synapse_type": "ex", "filter_exprs": [_.synapse_psp_amplitude > 5e-4]},
        {"synapse_type": "ex", "sql": "synapse.psp_amplitude > 5e-4"},
    ),
    (
        {"filter_exprs": [_.resting_state_fit_ic_amp > 0]},
        {"sql": "resting_state_fit.ic_amp > 0"},
    ),
]


# -- detection and the same queries on every version and engine ---------------------------------
def test_the_version_is_read_from_the_metadata_row(vdb: Any) -> None:
    version, db, _ = vdb
    assert db.schema_version == version
    assert SynphysDatabase.supported_schema_versions == ("15", "16", "18", "19", "20", "21", "22")
    assert db.metadata is not None and db.metadata["db_version"] == version
    assert f"schema {version}" in repr(db)


@pytest.mark.parametrize("case", range(len(COMMON_QUERIES)))
def test_pair_queries_match_the_reference_sql_of_each_version(vdb: Any, case: int) -> None:
    version, db, ref = vdb
    args, reference_args = COMMON_QUERIES[case]
    expected = reference_pair_ids(ref, **reference_args)
    assert expected, f"query {case} selects nothing on version {version}: the test is vacuous"
    assert pair_ids(db.pair_query(**args)) == expected


def test_every_version_gives_the_newest_versions_answers(
    native_dbs: dict[str, SynphysDatabase],
) -> None:
    newest = native_dbs[NEWEST]
    for args, _reference in COMMON_QUERIES:
        expected = pair_ids(newest.pair_query(**args))
        for version, db in native_dbs.items():
            assert pair_ids(db.pair_query(**args)) == expected, (version, args)


def test_matrices_are_the_same_on_every_version(native_dbs: dict[str, SynphysDatabase]) -> None:
    classes = mouse_layer_classes()
    results = {}
    for version, db in native_dbs.items():
        matrix = db.connectivity_matrix(
            classes, classes, class_column="cell_class", species="mouse"
        ).to_pyarrow()
        members = db.matrix_pair_query(
            classes, classes, columns=["synapse.psp_amplitude"], pair_query_args={"synapse": True}
        ).to_pyarrow()
        rows = sorted(
            zip(
                *(members.column(c).to_pylist() for c in ("pre_class", "post_class", "id")),
                strict=True,
            )
        )
        results[version] = (matrix.to_pylist(), rows)
    assert sum(r["n_probed"] for r in results[NEWEST][0]) > 0
    assert sum(r["n_connected"] for r in results[NEWEST][0]) > 0
    for version, result in results.items():
        assert result == results[NEWEST], version


# -- what differs between versions ----------------------------------------------------------------
#: The upstream schema changelog, kept in the repository with the reference DDL
CHANGES = Path(__file__).resolve().parent / "data" / "reference_schema" / "CHANGES.md"


def test_every_rename_of_the_changelog_is_mapped_and_nothing_else() -> None:
    documented, table = set(), None
    for line in CHANGES.read_text().splitlines():
        if match := re.match(r"^- `(\w+)`", line):
            table = match.group(1)
        elif match := re.search(r"renamed `(\w+)` → `(\w+)`", line):
            documented.add((table, match.group(1), match.group(2)))
    assert len(documented) >= 9
    assert {(r.table, r.old, r.new) for r in RENAMES} == documented
    for rename in RENAMES:
        having_old = [
            v
            for v in VERSIONS
            if rename.table in load_schema(v)
            and load_schema(v).table(rename.table).has_column(rename.old)
        ]
        assert tuple(having_old) == rename.versions, rename
        for version in VERSIONS:
            if rename.table not in query_schema(version):
                continue
            names = query_schema(version).table(rename.table).column_names
            assert rename.old not in names
            assert len(names) == len(set(names))


def test_result_columns_follow_each_version(native_dbs: dict[str, SynphysDatabase]) -> None:
    def columns(version: str) -> list[str]:
        return native_dbs[version].pair_query(preload=["cell", "synapse"]).columns

    assert "pre_cell_is_excitatory" in columns("15")
    assert not any(c.startswith(("pre_intrinsic_", "pre_patch_seq_")) for c in columns("15"))
    assert not any(c.startswith(("synapse_model_", "conductance_")) for c in columns("15"))
    assert "resting_state_fit_ic_amp" in columns("15")  # joined by pair_id in 15 and 16
    assert "pre_morphology_cortical_layer" in columns("18")
    assert "pre_morphology_cortical_layer" not in columns("19")
    assert "has_polysynapse" not in columns("16") and "has_polysynapse" in columns("18")
    assert "synapse_model_ml_strength" in columns("19") and "conductance_id" not in columns("20")
    assert "conductance_adj_psp_amplitude" in columns("21")
    # renamed columns are read under their newest names
    assert "pre_intrinsic_ap_width" in columns("18") and "pre_intrinsic_width" not in columns("18")
    assert "pre_intrinsic_ap_upstroke_downstroke_ratio" in columns("16")
    assert "pre_cortical_cell_location_cortical_layer" in columns("18")
    assert columns("21") == columns("22")


def test_renamed_columns_hold_the_same_values(native_dbs: dict[str, SynphysDatabase]) -> None:
    wide = CellClass(_.ap_width > 0.0007, name="wide spikes")
    by_version = {v: pair_ids(native_dbs[v].pair_query(pre_class=wide)) for v in ("18", "19", "22")}
    assert by_version["18"] and by_version["18"] == by_version["19"] == by_version["22"]
    values = {}
    for version in ("18", "22"):
        table = native_dbs[version].pair_query(preload=["cell"]).order_by("id")
        values[version] = table.select(
            "id", "pre_intrinsic_ap_width", "pre_cortical_cell_location_cortical_layer"
        ).to_pyarrow()
    assert values["18"].equals(values["22"])


def test_the_layer_is_read_where_each_version_keeps_it(
    vdb: Any,
) -> None:
    version, db, ref = vdb
    table = "morphology" if version in ("15", "16", "18") else "cortical_cell_location"
    expected = {
        row[0]
        for row in ref.execute(
            f"SELECT pair.id FROM pair JOIN {table} loc ON loc.cell_id = pair.pre_cell_id "
            "WHERE loc.cortical_layer = '5'"
        )
    }
    assert expected
    assert pair_ids(db.pair_query(pre_class=CellClass(cortical_layer=5))) == expected


def test_version_15_has_is_excitatory(native_dbs: dict[str, SynphysDatabase]) -> None:
    db = native_dbs["15"]
    excitatory = pair_ids(db.pair_query(pre_class=CellClass(is_excitatory=True)))
    as_class = pair_ids(native_dbs[NEWEST].pair_query(pre_class=CellClass(cell_class="ex")))
    assert excitatory and excitatory == as_class


@pytest.mark.parametrize(
    ("version", "make", "expected"),
    [
        ("15", lambda: CellClass(cell_class="ex"), ["schema version 15", "is_excitatory", "16"]),
        ("15", lambda: CellClass(cell_class_nonsynaptic="in"), ["is_excitatory"]),
        ("15", lambda: CellClass(rheobase=1e-10), ["'rheobase'", "16, 18, 19, 20, 21, 22"]),
        ("16", lambda: CellClass(_.fractional_layer_depth < 0.5), ["18, 19"]),
        ("22", lambda: CellClass(is_excitatory=True), ["schema version 22", "cell_class"]),
        ("19", lambda: CellClass(avg_firing_rate=1.0), ["dropped in schema version 19"]),
    ],
)
def test_criteria_a_version_cannot_answer_are_refused(
    native_dbs: dict[str, SynphysDatabase], version: str, make: Any, expected: list[str]
) -> None:
    db = native_dbs[version]
    cls = make()  # valid in some version, so it can be made
    for call in (
        lambda: db.pair_query(pre_class=cls),
        lambda: db.matrix_pair_query({"a": cls}, {"b": CellClass(cre_type="sst")}),
    ):
        with pytest.raises(ColumnNotFoundError) as info:
            call()
        for text in expected:
            assert text in str(info.value)


def test_filters_and_columns_a_version_lacks_are_refused(
    native_dbs: dict[str, SynphysDatabase],
) -> None:
    with pytest.raises(ColumnNotFoundError, match=r"schema version 16.*18, 19, 20, 21, 22"):
        native_dbs["16"].pair_query(filter_exprs=[_.has_polysynapse == True])  # noqa: E712
    with pytest.raises(ColumnNotFoundError, match="schema version 18"):
        native_dbs["18"].matrix_pair_query(
            {"a": CellClass()}, {"b": CellClass()}, columns=["synapse_model.ml_strength"]
        )
    with pytest.raises(ColumnNotFoundError, match="is_excitatory"):
        native_dbs["15"].pair_query(filter_exprs=[_.pre_cell_cell_class == "ex"])
    with pytest.raises(ColumnNotFoundError):  # a name no version has
        CellClass(no_such_column=1)


def test_connectivity_on_version_15_uses_is_excitatory(
    native_dbs: dict[str, SynphysDatabase],
) -> None:
    classes = {"sst": CellClass(cre_type="sst"), "pvalb": CellClass(cre_type="pvalb")}
    old = native_dbs["15"].connectivity_matrix(classes, classes, species="mouse")
    new = native_dbs[NEWEST].connectivity_matrix(
        classes, classes, class_column="cell_class", species="mouse"
    )
    assert old.to_pyarrow().equals(new.to_pyarrow())


# -- mismatched and unknown files ---------------------------------------------------------------
def relabel(path: Path, dest: Path, version: str) -> Path:
    dest.write_bytes(path.read_bytes())
    con = sqlite3.connect(dest)
    meta = json.loads(con.execute("SELECT meta FROM metadata").fetchone()[0])
    con.execute("UPDATE metadata SET meta = ?", (json.dumps({**meta, "db_version": version}),))
    con.commit()
    con.close()
    return dest


def test_a_file_whose_tables_are_another_version_is_refused(
    versioned_release: Callable[[str], Path], tmp_path: Path
) -> None:
    wrong = relabel(versioned_release("15"), tmp_path / "wrong.sqlite", "22")
    with pytest.raises(SchemaMismatchError) as info:
        SynphysDatabase.load_sqlite(wrong)
    message = str(info.value)
    assert "records schema version 22" in message
    assert "those of schema version 15" in message
    assert "is_excitatory" in message and "check_schema=False" in message
    # 21 and 22 have identical tables: a v21 file labelled 22 is consistent
    relabelled = relabel(versioned_release("21"), tmp_path / "v21as22.sqlite", "22")
    with SynphysDatabase.load_sqlite(relabelled, native_cache=False) as db:
        assert db.schema_version == "22"
    # tables of no version at all
    with contextlib.closing(sqlite3.connect(relabelled)) as con, con:
        con.execute("ALTER TABLE pair ADD COLUMN surprise INTEGER")
    with pytest.raises(SchemaMismatchError, match="match no published schema version"):
        SynphysDatabase.load_sqlite(relabelled)


def test_a_requested_version_must_match_the_recorded_one(
    versioned_release: Callable[[str], Path],
) -> None:
    with pytest.raises(Exception, match="records schema version 15"):
        SynphysDatabase("sqlite:///", None, versioned_release("15"), schema_version="22")
    with pytest.raises(InvalidArgumentError, match="schema_version=17"):
        Database("sqlite:///", None, versioned_release("15"), schema_version=17)


# -- maintenance ----------------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["15", "18"])
def test_create_tables_targets_a_schema_version(version: str, tmp_path: Path) -> None:
    path = tmp_path / f"empty_v{version}.sqlite"
    with SynphysDatabase("sqlite:///", "sqlite:///", path, schema_version=version) as db:
        db.create_tables()
        assert db.schema_version == version
    stored = read_table_columns(path)
    assert stored == {t.name: t.column_names for t in load_schema(version)}
    con = sqlite3.connect(path)
    created = ";\n".join(r[0] for r in con.execute("SELECT sql FROM sqlite_master") if r[0])
    meta = json.loads(con.execute("SELECT meta FROM metadata").fetchone()[0])
    con.close()
    assert describe_ddl(created, version) == describe_ddl(ddl(version), version)
    assert meta["db_version"] == version
    with SynphysDatabase.load_sqlite(path, native_cache=False) as db:
        assert db.schema_version == version and db.pair_query().count().execute() == 0


@pytest.mark.parametrize("version", VERSIONS)
def test_the_pre_sqlalchemy_1_4_ddl_adds_only_boolean_checks(version: str) -> None:
    reference = CHANGES.parent / "sqlalchemy13" / f"v{version}.sql"
    with_checks = ddl(version, boolean_checks=True)
    # the same statements (CREATE INDEX order within a table is arbitrary, see CHANGES.md)
    assert sorted(with_checks.split(";\n")) == sorted(reference.read_text().split(";\n"))
    checks = re.findall(r"CHECK \((\w+) IN \(0, 1\)\)", with_checks)
    booleans = [c for t in load_schema(version) for c in t.columns_of_type("bool")]
    assert sorted(checks) == sorted(booleans)
    assert describe_ddl(with_checks, version) == describe_ddl(ddl(version), version)
    assert ddl(version, boolean_checks=None) == (
        with_checks if version in BOOLEAN_CHECK_VERSIONS else ddl(version)
    )


def check_constraints(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return sum(
            row[0].count("CHECK (")
            for row in con.execute("SELECT sql FROM sqlite_master")
            if row[0]
        )
    finally:
        con.close()


@pytest.mark.postgres
def test_a_version_15_release_survives_postgres_and_back(
    versioned_release: Callable[[str], Path], postgres_server: PostgresServer, tmp_path: Path
) -> None:
    source = versioned_release("15")
    name = postgres_server.new_name("v15")
    clone = Database("sqlite:///", None, source).clone_database(
        dest_db=postgres_server.database(name), progress=False
    )
    assert clone.schema_version == "15"
    with SynphysDatabase(postgres_server.host, None, name) as pg:
        assert pg.schema_version == "15"
        columns = pg.table("cell").columns
        assert "is_excitatory" in columns and "cell_class" not in columns
    baked = clone.bake_sqlite(tmp_path / "baked_v15.sqlite", progress=False)
    plain = clone.bake_sqlite(tmp_path / "plain_v15.sqlite", progress=False, boolean_checks=False)
    clone.close()
    assert table_rows(baked) == table_rows(source) == table_rows(plain)
    # the published r1.0 files were built before SQLAlchemy 1.4: boolean CHECKs, kept by a bake
    assert check_constraints(source) == 12
    assert sqlite_master(baked) == sqlite_master(source)
    assert check_constraints(plain) == 0


# -- the command line ---------------------------------------------------------------------------
def test_the_command_line_queries_an_old_release(
    capsys: pytest.CaptureFixture[str],
    versioned_release: Callable[[str], Path],
    native_dbs: dict[str, SynphysDatabase],
) -> None:
    from synphys_ibis.cli import main

    path = str(versioned_release("15"))
    argv = ["query", "--db", path, "--pre", "is_excitatory=true", "--format", "csv"]
    code = main([*argv, "--filter", "pre_morphology_cortical_layer=='5'", "--columns", "id"])
    out, _stderr = capsys.readouterr()
    expected = native_dbs["15"].pair_query(
        pre_class=CellClass(is_excitatory=True),
        filter_exprs=[_.pre_morphology_cortical_layer == "5"],
    )
    ids = sorted(int(line) for line in out.strip().splitlines()[1:])
    assert code == 0 and ids and ids == sorted(pair_ids(expected))
    code = main(["query", "--db", path, "--pre", "cell_class=ex"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "schema version 15" in err and "is_excitatory" in err


# -- downloads ----------------------------------------------------------------------------------
def test_an_r1_0_release_is_downloaded_and_opened(
    versioned_release: Callable[[str], Path],
    native_dbs: dict[str, SynphysDatabase],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``load_version`` of a schema-15 file over real HTTP; the list of supported files has it."""
    from synphys_ibis import releases
    from tests.release_server import ReleaseServer

    served = tmp_path / "served"
    served.mkdir()
    name = "synphys_r1.0_small.sqlite"
    (served / name).write_bytes(versioned_release("15").read_bytes())
    server = ReleaseServer(served).start()
    try:
        manifest = tmp_path / "manifest.json"
        manifest.write_text(
            json.dumps(
                {
                    "default_url_path": server.url,
                    "databases": [
                        {"file": name, "schema_version": "15"},
                        {"file": "synphys_r2.1_small.sqlite", "schema_version": "22"},
                    ],
                }
            )
        )
        monkeypatch.setenv("SYNPHYS_IBIS_MANIFEST", str(manifest))
        monkeypatch.setenv("SYNPHYS_IBIS_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.delenv("SYNPHYS_IBIS_OFFLINE", raising=False)  # the server is local
        supported = [v["db_file"] for v in releases.list_versions(only_supported=True)]
        assert supported == [name, "synphys_r2.1_small.sqlite"]
        with SynphysDatabase.load_version(name, progressbar=False) as db:
            assert db.schema_version == "15"
            expected = pair_ids(native_dbs[NEWEST].pair_query(synapse=True))
            assert expected and pair_ids(db.pair_query(synapse=True)) == expected
        assert [r[3] for r in server.requests_for(name)] == [200]
    finally:
        server.stop()
