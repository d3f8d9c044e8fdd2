"""Every notebook runs top to bottom on the offline demo release, and is committed without outputs.

The notebooks are executed once per session by the ``execute_notebook`` fixture of ``conftest.py``
(``tests/test_docs.py`` renders the same executed notebooks into the documentation site).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebooks extra is in the dev extra")

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


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


@pytest.mark.timeout(600)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(
    path: Path, execute_notebook: Callable[[Path], nbformat.NotebookNode]
) -> None:
    book = execute_notebook(path)  # raises CellExecutionError, naming the cell, on any error
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
