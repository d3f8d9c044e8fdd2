"""One progress policy (issue 13): tqdm.auto through ``synphys_ibis.progress``, a ``progress=``
switch on every long operation, and ``SYNPHYS_IBIS_PROGRESS=0`` to silence them all."""

from __future__ import annotations

import ast
import shutil
import tomllib
from pathlib import Path

import pytest

from synphys_ibis import Database, SynphysDatabase, export, progress, synthetic
from synphys_ibis.errors import InvalidArgumentError

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.filterwarnings("ignore:fetch_record_batch:DeprecationWarning")


@pytest.fixture(scope="module")
def small_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic.write_release(
        tmp_path_factory.mktemp("progress") / "r.sqlite", n_experiments=6
    )


def fresh_open(path: Path, cache: Path, **options: object) -> None:
    """Open ``path`` with an empty cache, so the native copy (and its bar) is built."""
    shutil.rmtree(cache, ignore_errors=True)
    SynphysDatabase.load_sqlite(path, cache_dir=cache, **options).close()  # type: ignore[arg-type]


def test_every_bar_goes_through_the_one_helper() -> None:
    """No module but ``progress.py`` imports tqdm: one policy, tqdm.auto."""
    offenders = []
    for path in sorted((ROOT / "synphys_ibis").rglob("*.py")):
        if path.name == "progress.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "tqdm" or n.startswith("tqdm.") for n in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
    from tqdm.auto import tqdm as auto

    assert isinstance(progress.bar(total=1, progress=False), auto)


def test_ipywidgets_is_in_the_notebooks_extra() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert any(dep.startswith("ipywidgets") for dep in extras["notebooks"])


def test_the_native_copy_bar_follows_progress_and_the_environment(
    small_release: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fresh_open(small_release, tmp_path / "c")
    assert "indexing r.sqlite" in capfd.readouterr().err
    fresh_open(small_release, tmp_path / "c", progress=False)
    assert "indexing" not in capfd.readouterr().err
    monkeypatch.setenv("SYNPHYS_IBIS_PROGRESS", "0")
    fresh_open(small_release, tmp_path / "c", progress=True)
    assert "indexing" not in capfd.readouterr().err


def test_load_version_progressbar_false_silences_the_indexing_bar_too(
    small_release: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a download from the local mirror, whatever offline mode an earlier test left set
    monkeypatch.delenv("SYNPHYS_IBIS_OFFLINE", raising=False)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    shutil.copy(small_release, mirror / "synphys_r9.0_small.sqlite")
    manifest = {
        "default_url_path": mirror.as_uri(),
        "databases": [{"file": "synphys_r9.0_small.sqlite", "schema_version": "22"}],
    }
    capfd.readouterr()
    SynphysDatabase.load_version(
        "synphys_r9.0_small.sqlite", manifest=manifest, cache_dir=tmp_path / "c", progressbar=False
    ).close()
    assert capfd.readouterr().err == ""


def test_export_and_copy_bars_are_silenced_by_the_environment(
    small_release: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with SynphysDatabase.load_sqlite(small_release, native_cache=False) as db:
        query = export.record(db, "pair_query", species="mouse")
        export.to_parquet(query, tmp_path / "a.parquet")
        assert "writing a.parquet" in capfd.readouterr().err
        monkeypatch.setenv("SYNPHYS_IBIS_PROGRESS", "0")
        export.to_parquet(query, tmp_path / "b.parquet")
        source = Database("sqlite:///", None, small_release)
        source.bake_sqlite(tmp_path / "copy.sqlite", vacuum=False)
        assert capfd.readouterr().err == ""


def test_a_bad_progress_variable_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNPHYS_IBIS_PROGRESS", "sometimes")
    with pytest.raises(InvalidArgumentError, match="SYNPHYS_IBIS_PROGRESS"):
        progress.enabled(True)
