"""Every notebook runs top to bottom on the offline demo release, and is committed without outputs.

The notebooks are executed with nbclient in a kernel that runs this interpreter (a kernelspec
written into a temporary ``JUPYTER_PATH``), offline (``SYNPHYS_IBIS_OFFLINE=1``) and against the
test session's isolated cache. The demo release is built once per session, at
``$SYNPHYS_IBIS_DEMO_EXPERIMENTS`` experiments (default here 600, a fifth of the published-small
size, to keep the run short; set it to 2900 to run them at full size).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebooks extra is in the dev extra")
nbclient = pytest.importorskip("nbclient", reason="the notebooks extra is in the dev extra")

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
KERNEL = "synphys-ibis-tests"
TEST_DEMO_EXPERIMENTS = "600"


def test_there_is_a_tutorial_and_at_least_four_workflow_notebooks() -> None:
    names = [p.name for p in NOTEBOOKS]
    assert any("tutorial" in n for n in names), names
    assert len(names) >= 5, names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebooks_have_no_outputs(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a cell has outputs"
            assert cell.execution_count is None, f"{path.name}: a cell has an execution count"
    source = "\n".join(c.source for c in book.cells if c.cell_type == "code")
    assert "load_demo()" in source, f"{path.name} does not open the demo release"


@pytest.fixture(scope="session")
def notebook_env(tmp_path_factory: pytest.TempPathFactory, isolated_cache: Path) -> Iterator[str]:
    """A kernelspec running this interpreter, offline, with the demo release built once."""
    from synphys_ibis.demo import load_demo

    jupyter_path = tmp_path_factory.mktemp("jupyter")
    spec_dir = jupyter_path / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "synphys_ibis tests",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(jupyter_path))
        mp.setenv("SYNPHYS_IBIS_OFFLINE", "1")
        mp.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        if not os.environ.get("SYNPHYS_IBIS_DEMO_EXPERIMENTS"):
            mp.setenv("SYNPHYS_IBIS_DEMO_EXPERIMENTS", TEST_DEMO_EXPERIMENTS)
        load_demo().close()  # build the release and its native copy once
        yield KERNEL


@pytest.mark.timeout(600)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path, notebook_env: str, tmp_path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        book,
        kernel_name=notebook_env,
        timeout=300,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    outputs = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = [o for o in outputs if o.output_type in ("execute_result", "display_data")]
    assert shown, f"{path.name} showed nothing"
    assert any("image/png" in o.get("data", {}) for o in shown), f"{path.name} drew no figure"
    if path.stem == "00_tutorial":
        _check_tutorial_results(book)


def _check_tutorial_results(book: nbformat.NotebookNode) -> None:
    """The tutorial opens in interactive mode, shows rows early and never shows an empty result."""
    code = [c for c in book.cells if c.cell_type == "code"]
    assert "ibis.options.interactive = True" in code[0].source
    texts = [
        o.get("data", {}).get("text/plain", "") or o.get("text", "")
        for c in code
        for o in c.outputs
    ]
    assert not [t for t in texts if "Empty DataFrame" in t or t.strip() in ("0", "(0, 0)")]
    first_rows = next(i for i, c in enumerate(code) if ".head(" in c.source)
    assert first_rows <= 4, "the tutorial shows rows within its first cells"
    assert any("CellClass(" in t and "cre_type=" in t for t in texts), "class criteria printed"
