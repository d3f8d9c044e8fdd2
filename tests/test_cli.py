"""The ``synphys-ibis`` command line: every command on a synthetic release, its output and exit
code, every command's --help and documentation section, and one error case per kind of bad input."""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ibis
import matplotlib.image as mpimg
import pyarrow.parquet as pq
import pytest

from synphys_ibis import CellClass, SynphysDatabase, mouse_layer_classes, synthetic
from synphys_ibis.cli import build_parser, main
from synphys_ibis.export import read_provenance

pytestmark = pytest.mark.filterwarnings("ignore:fetch_record_batch:DeprecationWarning")

#: The command-line reference: a section per command.
CLI_DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


@pytest.fixture(scope="module")
def cli_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CLI's own release: a command opens and closes it, so no other handle may be open."""
    path = tmp_path_factory.mktemp("cli") / "synphys_cli_test.sqlite"
    return synthetic.write_release(path, n_experiments=40, seed=9)


@pytest.fixture(scope="module")
def reference(cli_release: Path) -> Iterator[SynphysDatabase]:
    """The same release opened directly (without the native copy the CLI uses), for expectations."""
    db = SynphysDatabase.load_sqlite(cli_release, native_cache=False)
    yield db
    db.close()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


# -- help and documentation ------------------------------------------------------------------
def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    commands = subcommands()
    assert {"query", "matrix", "export", "sql", "provenance"} <= set(commands)
    for name, parser in commands.items():
        assert parser.description, f"{name} has no description"
        with pytest.raises(SystemExit) as info:
            main([name, "--help"])
        assert info.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith(f"usage: synphys-ibis {name}")
        assert parser.description.split()[0] in out


def test_the_docs_document_every_command() -> None:
    text = CLI_DOCS.read_text()
    for name in subcommands():
        assert re.search(rf"^## `synphys-ibis {name}[` ]", text, re.MULTILINE), (
            f"docs/cli.md has no '## `synphys-ibis {name}`' section"
        )


# -- query ------------------------------------------------------------------------------------------
def test_query_prints_a_table(
    capsys: pytest.CaptureFixture[str], cli_release: Path, reference: SynphysDatabase
) -> None:
    code, out, err = run(
        capsys,
        "query",
        "--db",
        cli_release,
        "--pre",
        "cre_type=sst",
        "--synapse",
        "--columns",
        "id,pre_cell_id,distance",
        "--limit",
        "1",
    )
    expected = reference.pair_query(pre_class=CellClass(cre_type="sst"), synapse=True)
    ids = expected.id.to_pyarrow().to_pylist()
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].split() == ["id", "pre_cell_id", "distance"]
    assert len(ids) > 1
    assert [int(line.split()[0]) for line in lines[1:]] == ids[:1]
    assert f"(1 of {len(ids)} rows" in err


def test_query_csv_matches_the_library(
    capsys: pytest.CaptureFixture[str], cli_release: Path, reference: SynphysDatabase
) -> None:
    code, out, _ = run(
        capsys,
        "query",
        "--db",
        cli_release,
        "--pre",
        "cre_type=pvalb|sst,name=inhibitory",
        "--species",
        "mouse",
        "--distance",
        ":150e-6",
        "--preload",
        "synapse",
        "--filter",
        "synapse_psp_amplitude < 0",
        "--synapse-probed",
        "--format",
        "csv",
        "--columns",
        "id,synapse_psp_amplitude",
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    expected = reference.pair_query(
        pre_class=CellClass(cre_type=("pvalb", "sst")),
        species="mouse",
        distance=(None, 150e-6),
        synapse_probed=True,
        filter_exprs=[ibis._.synapse_psp_amplitude < 0],
    )
    assert [int(r["id"]) for r in rows] == sorted(expected.id.to_pyarrow().to_pylist())
    assert rows and all(float(r["synapse_psp_amplitude"]) < 0 for r in rows)


def test_query_output_file_and_demo_release(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNPHYS_IBIS_DEMO_EXPERIMENTS", "3")
    out_file = tmp_path / "pairs.csv"
    code, out, _ = run(
        capsys, "query", "--db", "demo", "--format", "csv", "--output", out_file, "--columns", "id"
    )
    assert code == 0 and out == ""
    rows = out_file.read_text().splitlines()
    assert rows[0] == "id" and len(rows) > 1


# -- matrix ------------------------------------------------------------------------------------------
def matrix_cells(out: str) -> dict[tuple[str, str], str]:
    lines = out.strip().splitlines()
    header = lines[0].split()[1:]
    cells = {}
    for line in lines[1:]:
        pre, *values = line.split()
        cells.update({(pre, post): value for post, value in zip(header, values, strict=True)})
    return cells


def test_matrix_prints_connected_over_probed(
    capsys: pytest.CaptureFixture[str],
    cli_release: Path,
    reference: SynphysDatabase,
    tmp_path: Path,
) -> None:
    png = tmp_path / "matrix.png"
    code, out, err = run(
        capsys,
        "matrix",
        "--db",
        cli_release,
        "--classes",
        "mouse-layer",
        "--species",
        "mouse",
        "--png",
        png,
        "--dpi",
        "40",
        "--show-ci",
    )
    assert code == 0
    classes = mouse_layer_classes()
    frame = (
        reference.connectivity_matrix(classes, classes, species="mouse").to_pyarrow().to_pandas()
    )
    cells = matrix_cells(out)
    assert len(cells) == 17 * 17
    for row in frame.itertuples():
        assert cells[(row.pre_class, row.post_class)] == f"{row.n_connected}/{row.n_probed}"
    image = mpimg.imread(png)
    assert image.shape[0] > 200 and image.shape[1] > 200
    assert f"wrote {png}" in err


def test_matrix_csv_with_a_class_file(
    capsys: pytest.CaptureFixture[str],
    cli_release: Path,
    reference: SynphysDatabase,
    tmp_path: Path,
) -> None:
    spec = {"inh": {"cre_type": ["sst", "pvalb", "vip"]}, "exc": {"cell_class": "ex"}}
    json_file = tmp_path / "classes.json"
    json_file.write_text(json.dumps(spec))
    code, out, _ = run(
        capsys, "matrix", "--db", cli_release, "--classes", json_file, "--format", "csv"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    classes = {
        "inh": CellClass(cre_type=("sst", "pvalb", "vip"), name="inh"),
        "exc": CellClass(cell_class="ex", name="exc"),
    }
    frame = reference.connectivity_matrix(classes, classes).to_pyarrow().to_pandas()
    assert [(r["pre_class"], r["post_class"]) for r in rows] == list(
        zip(frame.pre_class, frame.post_class, strict=True)
    )
    assert [int(r["n_probed"]) for r in rows] == frame.n_probed.tolist()
    assert set(rows[0]) >= {"connection_probability", "ci_lower", "ci_upper"}


def test_matrix_with_a_yaml_class_file(
    capsys: pytest.CaptureFixture[str], cli_release: Path, tmp_path: Path
) -> None:
    pytest.importorskip("yaml", reason="PyYAML is in the dev extra")
    yaml_file = tmp_path / "classes.yaml"
    yaml_file.write_text("l23:\n  cortical_layer: '2/3'\nl5:\n  cortical_layer: '5'\n")
    code, out, _ = run(capsys, "matrix", "--db", cli_release, "--classes", yaml_file)
    assert code == 0
    assert set(matrix_cells(out)) == {("l23", "l23"), ("l23", "l5"), ("l5", "l23"), ("l5", "l5")}


# -- export and provenance ----------------------------------------------------------------------------
def test_export_parquet_then_show_provenance(
    capsys: pytest.CaptureFixture[str],
    cli_release: Path,
    reference: SynphysDatabase,
    tmp_path: Path,
) -> None:
    out_file = tmp_path / "sst.parquet"
    code, out, _ = run(
        capsys,
        "export",
        "--db",
        cli_release,
        "--pre",
        "cre_type=sst",
        "--synapse",
        "--preload",
        "synapse",
        "--output",
        out_file,
        "--decode-arrays",
        "--batch-size",
        "7",
    )
    assert code == 0 and f"wrote {out_file} from synphys_cli_test.sqlite" in out
    expected = reference.pair_query(
        pre_class=CellClass(cre_type="sst"), synapse=True, preload=["synapse"]
    )
    table = pq.read_table(out_file)
    assert table.column("id").to_pylist() == expected.id.to_pyarrow().to_pylist()
    assert str(table.schema.field("resting_state_fit_ic_avg_data").type).startswith("list")
    record = read_provenance(out_file)
    assert record.params == {
        "pre_class": {"name": "sst", "criteria": {"cre_type": "sst"}, "exprs": []},
        "synapse": True,
        "preload": ["synapse"],
    }

    code, out, _ = run(capsys, "provenance", out_file)
    assert code == 0
    assert re.search(r"^release\s+synphys_cli_test.sqlite$", out, re.MULTILINE)
    assert re.search(rf"^release_sha256\s+{record.release_sha256}$", out, re.MULTILINE)
    assert "SELECT" in out
    code, out, _ = run(capsys, "provenance", out_file, "--json")
    assert code == 0 and json.loads(out)["sql"] == record.sql


def test_export_parquet_workers_and_resume(
    capsys: pytest.CaptureFixture[str],
    cli_release: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    import synphys_ibis.export.parquet as parquet
    from synphys_ibis.export.dataset import validate_dataset

    dest = tmp_path / "out.parquet"
    real = parquet._verify_table

    verified: list[str] = []

    def fail_on_the_second(root: Path, spec: Any, files: Any, expected: int) -> Any:
        verified.append(spec.name)  # one worker: the first table is finished by then
        return real(root, spec, files, expected + (len(verified) == 2))

    monkeypatch.setattr(parquet, "_verify_table", fail_on_the_second)
    code, _, err = run(
        capsys, "export-parquet", cli_release, dest, "--workers", "1", "--resume", "--no-progress"
    )
    assert code != 0 and f"row counts of '{verified[1]}' differ" in err
    checkpoint = tmp_path / ".out.parquet.partial"  # --resume kept the finished tables
    finished = {p.name.removesuffix(".done.json") for p in checkpoint.glob("*.done.json")}
    assert not dest.exists() and verified[0] in finished and verified[1] not in finished

    monkeypatch.setattr(parquet, "_verify_table", real)
    with caplog.at_level(logging.INFO, logger="synphys_ibis"):
        code, out, _ = run(
            capsys, "export-parquet", cli_release, dest, "--workers", "2", "--resume",
            "--no-progress",
        )  # fmt: skip
    assert code == 0 and f"exported {cli_release} to {dest}" in out
    taken = {r.args[1] for r in caplog.records if "taken from the checkpoint" in r.getMessage()}
    assert taken == finished  # the checkpoint was honoured: only the unfinished tables rewritten
    assert not checkpoint.exists()
    validate_dataset(dest)

    code, _, err = run(capsys, "export-parquet", cli_release, tmp_path / "x", "--workers", "0")
    assert code != 0 and "workers=0 is not allowed" in err  # the flag reaches export_parquet
    assert "--workers" in subcommands()["export-parquet"].format_help()
    assert "--resume" in subcommands()["export-parquet"].format_help()


def test_export_csv_and_dataset(
    capsys: pytest.CaptureFixture[str], cli_release: Path, tmp_path: Path
) -> None:
    csv_file = tmp_path / "pairs.csv"
    code, _, _ = run(
        capsys,
        "export",
        "--db",
        cli_release,
        "--species",
        "human",
        "--output",
        csv_file,
        "--columns",
        "id,distance",
        "--no-progress",
    )
    assert code == 0
    assert csv_file.read_text().splitlines()[0] == '"id","distance"'
    assert read_provenance(csv_file).params["columns"] == ["id", "distance"]
    dataset = tmp_path / "pairs_dataset"
    code, _, _ = run(
        capsys, "export", "--db", cli_release, "--output", dataset, "--dataset", "--no-progress"
    )
    assert code == 0 and (dataset / "part-00000.parquet").is_file()
    assert read_provenance(dataset).method == "pair_query"


# -- sql -------------------------------------------------------------------------------------------
def test_sql_prints_the_statement(
    capsys: pytest.CaptureFixture[str], cli_release: Path, reference: SynphysDatabase
) -> None:
    code, out, _ = run(
        capsys, "sql", "--db", cli_release, "--pre", "cre_type=sst", "--species", "mouse"
    )
    assert code == 0 and out.lstrip().startswith("SELECT")
    assert "'mouse'" in out and "'sst'" in out
    code, out, _ = run(capsys, "sql", "--db", cli_release, "--matrix", "mouse-ei")
    assert code == 0 and "cell_class_nonsynaptic" in out
    expected = ibis.to_sql(reference.pair_query(species="mouse"))
    code, out, _ = run(capsys, "sql", "--db", cli_release, "--species", "mouse")
    # the same statement up to the names of per-connection temporary views
    assert re.sub(r"_synphys_\w+", "V", out.strip()) == re.sub(
        r"_synphys_\w+", "V", expected.strip()
    )


def test_printed_sql_and_the_provenance_record_run_on_a_fresh_connection(
    capsys: pytest.CaptureFixture[str], cli_release: Path, tmp_path: Path
) -> None:
    code, out, _ = run(
        capsys, "sql", "--db", cli_release, "--pre", "cre_type=sst", "--species", "mouse"
    )
    assert code == 0
    parquet = tmp_path / "sst.parquet"
    code, _, _ = run(
        capsys,
        "export",
        "--db",
        cli_release,
        "--pre",
        "cre_type=sst",
        "--species",
        "mouse",
        "--output",
        parquet,
        "--no-progress",
    )
    assert code == 0
    recorded = read_provenance(parquet).sql
    assert recorded.strip() == out.strip()
    exported = sorted(pq.read_table(parquet).column("id").to_pylist())
    assert exported
    with SynphysDatabase.load_sqlite(cli_release) as fresh:
        rerun = fresh.ro.sql(out).to_pyarrow()
    assert sorted(rerun.column("id").to_pylist()) == exported


# -- errors: one line, non-zero exit, no traceback -----------------------------------------------
@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    files = {
        "malformed.json": "{not json",
        "list.json": '["sst", "pvalb"]',
        "bad_column.json": '{"x": {"cre_typo": "sst"}}',
        "existing.parquet": "already here",
        "notes.txt": "hello",
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    return {name: folder / name for name in files}


ERROR_CASES = {
    # bad --db
    "missing release file": (["query", "--db", "{dir}/missing.sqlite"], "no such release file"),
    "unknown release name": (["query", "--db", "synphys_r9.9_small.sqlite"], "unknown release"),
    "not a release": (["query", "--db", "{bad}/notes.txt"], "notes.txt"),
    # bad class specs
    "class spec without =": (["query", "--db", "{db}", "--pre", "sst"], "is not key=value"),
    "unknown class column": (
        ["query", "--db", "{db}", "--post", "cre_typ=sst"],
        "Did you mean 'cre_type'",
    ),
    "bad boolean criterion": (
        ["query", "--db", "{db}", "--pre", "pyramidal=maybe"],
        "--pre='maybe'",
    ),
    # bad option values
    "synapse type": (["query", "--db", "{db}", "--synapse-type", "exc"], "synapse_type='exc'"),
    "range": (["query", "--db", "{db}", "--age", "10-20"], "is not MIN:MAX"),
    "filter form": (["query", "--db", "{db}", "--filter", "psp big"], "is not COLUMN OP VALUE"),
    "filter type": (["query", "--db", "{db}", "--filter", "pre_cell_cre_type>3"], "cannot compare"),
    "filter column": (
        ["query", "--db", "{db}", "--filter", "psp_amp>3"],
        "unknown column 'psp_amp'",
    ),
    "limit": (["query", "--db", "{db}", "--limit", "-1"], "--limit '-1'"),
    "format": (["query", "--db", "{db}", "--format", "xml"], "--format='xml'"),
    "columns": (["query", "--db", "{db}", "--columns", "id,nope"], "unknown column 'nope'"),
    "preload": (["query", "--db", "{db}", "--preload", "synapses"], "preload='synapses'"),
    "project": (["query", "--db", "{db}", "--project-name", "no such project"], "project_name"),
    "class column": (["matrix", "--db", "{db}", "--class-column", "klass"], "class_column='klass'"),
    "batch size": (
        ["export", "--db", "{db}", "--output", "{dir}/x.parquet", "--batch-size", "0"],
        "--batch-size",
    ),
    "csv dataset": (
        ["export", "--db", "{db}", "--output", "{dir}/x.csv", "--dataset"],
        "Parquet exports only",
    ),
    "dpi": (["matrix", "--db", "{db}", "--png", "{dir}/x.png", "--dpi", "lots"], "--dpi"),
    # class sets and files
    "unknown standard class set": (
        ["matrix", "--db", "{db}", "--classes", "mouse-layers"],
        "Did you mean 'mouse-layer'",
    ),
    "missing class file": (
        ["matrix", "--db", "{db}", "--classes", "{dir}/missing.json"],
        "no such class file",
    ),
    "malformed class file": (
        ["matrix", "--db", "{db}", "--classes", "{bad}/malformed.json"],
        "is not valid JSON",
    ),
    "class file not a mapping": (
        ["matrix", "--db", "{db}", "--classes", "{bad}/list.json"],
        "must map class names",
    ),
    "class file bad column": (
        ["sql", "--db", "{db}", "--matrix", "{bad}/bad_column.json"],
        "unknown column 'cre_typo'",
    ),
    # files
    "existing output": (
        ["export", "--db", "{db}", "--output", "{bad}/existing.parquet"],
        "overwrite",
    ),
    "missing provenance file": (["provenance", "{dir}/missing.parquet"], "no such file"),
    "file without provenance": (["provenance", "{bad}/notes.txt"], "provenance"),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_bad_input_is_one_line_and_exit_code_1(
    case: str,
    capsys: pytest.CaptureFixture[str],
    cli_release: Path,
    bad_files: dict[str, Path],
    tmp_path: Path,
) -> None:
    argv, message = ERROR_CASES[case]
    values = {"db": cli_release, "dir": tmp_path, "bad": bad_files["notes.txt"].parent}
    code, _, err = run(capsys, *(a.format(**values) for a in argv))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("synphys-ibis: error: ")
    assert message in lines[0]
    assert "Traceback" not in err


def test_missing_required_options_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["query"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "the following arguments are required: --db" in err and "Traceback" not in err


def test_the_installed_command_reports_errors_without_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "synphys_ibis", "matrix", "--db", str(tmp_path / "nope.sqlite")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"synphys-ibis: error: no such release file: {tmp_path / 'nope.sqlite'}"
    ]


# -- issue 13: the command line as a newcomer meets it -------------------------------------------
HEAVY_MODULES = ("ibis", "duckdb", "pandas", "pyarrow")


@pytest.mark.parametrize(
    "argv", [["--help"], ["query", "--help"], ["cache", "--help"], ["query", "--bogus"]]
)
def test_help_and_usage_errors_import_no_heavy_module(argv: list[str]) -> None:
    """``--help`` and argument errors return before Ibis, DuckDB, pandas or pyarrow load."""
    probe = (
        "import sys\n"
        "from synphys_ibis.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr


def test_import_synphys_ibis_loads_nothing_heavy() -> None:
    probe = (
        f"import sys, synphys_ibis\nprint(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


def test_the_readme_query_example_works_columns_imply_their_preload_group(
    capsys: pytest.CaptureFixture[str], cli_release: Path, reference: SynphysDatabase
) -> None:
    """The query example of docs/cli.md: ``post_cell_cre_type`` is in the cell group (--columns)."""
    code, out, err = run(
        capsys,
        "query",
        "--db",
        cli_release,
        "--pre",
        "cre_type=sst",
        "--synapse",
        "--preload",
        "synapse",
        "--columns",
        "id,post_cell_cre_type,synapse_psp_amplitude,synapse_latency",
        "--format",
        "csv",
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    expected = reference.pair_query(pre_class=CellClass(cre_type="sst"), synapse=True)
    assert rows and len(rows) == expected.count().to_pyarrow().as_py()
    assert set(rows[0]) == {"id", "post_cell_cre_type", "synapse_psp_amplitude", "synapse_latency"}
    # --columns alone, without any --preload
    code, out, err = run(
        capsys, "query", "--db", cli_release, "--synapse", "--columns", "synapse_psp_amplitude"
    )
    assert code == 0, err
    assert out.splitlines()[0].strip() == "synapse_psp_amplitude"


def test_an_unknown_column_says_what_is_close(
    capsys: pytest.CaptureFixture[str], cli_release: Path
) -> None:
    code, _, err = run(capsys, "query", "--db", cli_release, "--columns", "post_cell_cre_typ")
    assert code == 1
    assert "post_cell_cre_typ" in err and "post_cell_cre_type" in err


def test_export_twice_names_the_flag(
    capsys: pytest.CaptureFixture[str], cli_release: Path, tmp_path: Path
) -> None:
    target = tmp_path / "sst.csv"
    argv = ("export", "--db", cli_release, "--pre", "cre_type=sst", "--output", target)
    assert run(capsys, *argv, "--no-progress")[0] == 0
    code, out, err = run(capsys, *argv, "--no-progress")
    assert code == 1 and out == ""
    assert "pass --overwrite" in err and "overwrite=True" not in err
    assert run(capsys, *argv, "--no-progress", "--overwrite")[0] == 0


def test_library_messages_name_cli_flags(
    capsys: pytest.CaptureFixture[str], cli_release: Path, tmp_path: Path
) -> None:
    """The library's own 'pass overwrite=True' reaches the user as 'pass --overwrite'."""
    dest = tmp_path / "copy.sqlite"
    assert run(capsys, "bake", cli_release, dest, "--no-progress", "--no-vacuum")[0] == 0
    code, _, err = run(capsys, "bake", cli_release, dest, "--no-progress")
    assert code == 1
    assert "--overwrite" in err and "overwrite=True" not in err


def test_matrix_png_without_matplotlib_fails_first_naming_the_extra(
    capsys: pytest.CaptureFixture[str],
    cli_release: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    code, out, err = run(
        capsys, "matrix", "--db", cli_release, "--classes", "tutorial", "--png", tmp_path / "m.png"
    )
    assert code == 1 and out == ""
    assert "pip install 'synphys_ibis[plot]'" in err
    assert not (tmp_path / "m.png").exists()


def test_cache_lists_every_kind_and_clean_needs_yes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    (cache / "demo").mkdir(parents=True)
    synthetic.write_release(cache / "demo" / "synphys_demo_3.sqlite", n_experiments=3)
    SynphysDatabase.load_sqlite(
        cache / "demo" / "synphys_demo_3.sqlite", cache_dir=cache, progress=False
    ).close()
    (cache / "releases").mkdir()
    (cache / "releases" / "synphys_r2.1_small.sqlite.part").write_bytes(b"x" * 10)
    dataset = cache / "datasets" / "r.parquet"
    dataset.mkdir(parents=True)
    (dataset / "synphys_dataset.json").write_text("{}")
    user_file = tmp_path / "mine.sqlite"
    user_file.write_bytes(b"keep me")
    (cache / "demo" / "link.sqlite").symlink_to(user_file)

    code, out, _ = run(capsys, "cache", "--cache-dir", cache)
    assert code == 0
    kinds = {line.split()[0] for line in out.splitlines()[2:-1]}
    assert {"demo", "native", "partial", "dataset", "extensions"} <= kinds
    assert "synphys_demo_3.sqlite" in out and "MiB" in out

    code, out, _ = run(capsys, "cache", "clean", "--cache-dir", cache)
    assert code == 0 and "pass --yes" in out
    assert (cache / "demo" / "synphys_demo_3.sqlite").exists()  # nothing removed without --yes

    code, out, _ = run(capsys, "cache", "clean", "--yes", "--cache-dir", cache)
    assert code == 0
    assert not (cache / "demo" / "synphys_demo_3.sqlite").exists()
    assert not list((cache / "native").glob("*.duckdb"))
    assert not (cache / "releases" / "synphys_r2.1_small.sqlite.part").exists()
    assert dataset.exists()  # not derived: kept without --all
    assert user_file.read_bytes() == b"keep me"  # a link into the cache never takes its target

    assert run(capsys, "cache", "clean", "--all", "--yes", "--cache-dir", cache)[0] == 0
    assert not dataset.exists() and user_file.read_bytes() == b"keep me"


def test_demo_notes_the_native_copy_only_on_a_cold_run_and_its_examples_return_rows(
    tmp_path: Path,
) -> None:
    from synphys_ibis.demo import run_demo

    def demo() -> list[str]:
        lines: list[str] = []
        run_demo(n_experiments=60, cache=tmp_path, echo=lines.append, progress=False)
        return lines

    cold, warm = demo(), demo()
    note = "built the native DuckDB copy"
    assert any(note in line for line in cold)
    assert not any(note in line for line in warm)
    examples = [line for line in warm if " rows x " in line]
    assert len(examples) == 3
    assert all(not line.split(": ", 1)[1].startswith("0 rows") for line in examples)


def test_demo_help_names_the_environment_and_the_default_size(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from synphys_ibis.cli.demo import DEFAULT_EXPERIMENTS

    assert synthetic.PUBLISHED_SMALL_EXPERIMENTS == DEFAULT_EXPERIMENTS
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "$SYNPHYS_IBIS_CACHE_DIR" in out and "$SYNPHYS_IBIS_DEMO_EXPERIMENTS" in out


def test_every_option_has_help() -> None:
    for name, parser in subcommands().items():
        for action in parser._actions:
            if action.option_strings and action.dest != "help":
                assert action.help, f"{name} {action.option_strings[0]} has no help"
