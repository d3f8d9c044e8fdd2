"""The README's and the documentation pages' code blocks run as written, on the demo release.

Every fenced ```` ```python ```` and ```` ```bash ```` block of ``README.md`` and ``docs/*.md`` is
extracted. Python blocks run in order in one namespace per page; bash blocks run command by command
in a shell with this interpreter's ``bin`` directory first on ``PATH``. Both run offline, in a
temporary working directory, against the test session's cache (``SYNPHYS_IBIS_CACHE_DIR``) and its
demo release (``load_demo()``, ``--db demo``).

Not run: the two set-up commands of the README (``.ci/run`` runs them), and blocks preceded by a
``<!-- no-run: REASON -->`` comment (a download, a server, a cluster): each is reported as a
skipped test naming its reason. A bash block whose commands are not ``synphys-ibis ...`` must be
marked so.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import demo_experiments_for_tests

pytestmark = pytest.mark.filterwarnings("ignore:fetch_record_batch:DeprecationWarning")

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

#: The README's two set-up commands ("Set up"), which CI runs as they are written here.
SETUP_COMMANDS = (
    "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/synphys-ibis demo",
    'python3 -m venv .venv && .venv/bin/pip install -e ".[dev]" && .venv/bin/python -m pytest',
)
FENCE = re.compile(r"^```(\S*)\s*$")
NO_RUN = re.compile(r"^<!--\s*no-run:\s*(?P<reason>.*?)\s*-->$")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # of the opening fence, 1-based
    language: str
    code: str
    no_run: str | None  # the reason, for a block marked no-run

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def code_blocks(page: Path) -> list[Block]:
    """The fenced code blocks of a Markdown page, with the no-run reason of each marked one."""
    blocks: list[Block] = []
    lines = page.read_text().splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening or not opening.group(1):
            i += 1 if not opening else _skip_fence(lines, i)
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marker = NO_RUN.match(before.strip())
        code = "\n".join(lines[i + 1 : end]) + "\n"
        blocks.append(Block(page, i + 1, opening.group(1), code, marker and marker["reason"]))
        i = end + 1
    return blocks


def _skip_fence(lines: list[str], i: int) -> int:
    """Length of an unlabelled fenced block starting at ``i`` (diagrams, output): not code."""
    end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
    return end - i + 1


def shell_commands(code: str) -> list[str]:
    """The commands of a bash block: continuation lines joined, comments and blank lines left out."""
    commands, current = [], ""
    for line in code.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            current += line[:-1]
            continue
        commands.append(" ".join((current + line).split()))
        current = ""
    return commands


ALL_BLOCKS = [b for page in PAGES for b in code_blocks(page) if b.language in ("python", "bash")]
MARKED = [b for b in ALL_BLOCKS if b.no_run is not None]


@pytest.fixture
def docs_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_cache: Path
) -> dict[str, str]:
    """Offline, the session's cache and demo size, a scratch working directory, no GUI."""
    monkeypatch.setenv("SYNPHYS_IBIS_CACHE_DIR", str(isolated_cache))
    monkeypatch.setenv("SYNPHYS_IBIS_OFFLINE", "1")
    monkeypatch.setenv("SYNPHYS_IBIS_DEMO_EXPERIMENTS", demo_experiments_for_tests())
    monkeypatch.setenv("SYNPHYS_IBIS_PROGRESS", "0")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(tmp_path)
    return dict(os.environ)


def test_the_readme_has_the_set_up_commands_ci_runs() -> None:
    readme = code_blocks(ROOT / "README.md")
    bash = [c for b in readme if b.language == "bash" for c in shell_commands(b.code)]
    for command in SETUP_COMMANDS:
        assert command in bash, f"README.md lost the set-up command {command!r}"
    ci = (ROOT / ".ci" / "run").read_text()
    assert SETUP_COMMANDS[1] in ci, ".ci/run no longer runs the README's test command"


def test_the_readme_quick_start_is_run() -> None:
    quick_start = next(b for b in code_blocks(ROOT / "README.md") if b.language == "python")
    assert quick_start.no_run is None
    assert "load_demo()" in quick_start.code


def test_every_no_run_marker_says_why() -> None:
    for block in MARKED:
        assert len(block.no_run or "") >= 10, f"{block.where}: no-run without a reason"


@pytest.mark.parametrize("block", MARKED, ids=[b.where for b in MARKED])
def test_block_marked_no_run(block: Block) -> None:
    pytest.skip(f"{block.where}: no-run: {block.no_run}")


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_python_blocks_run(page: Path, docs_env: dict[str, str]) -> None:
    blocks = [b for b in ALL_BLOCKS if b.page == page and b.language == "python" and not b.no_run]
    if not blocks:
        return
    namespace: dict[str, Any] = {"__name__": "__main__"}
    try:
        for block in blocks:
            try:
                exec(compile(block.code, block.where, "exec"), namespace)
            except Exception as err:
                raise AssertionError(f"{block.where}: the block fails: {err!r}") from err
    finally:
        _close(namespace)


def _close(namespace: dict[str, Any]) -> None:
    """Close the databases a page opened and the figures it drew."""
    for value in namespace.values():
        if type(value).__name__ == "SynphysDatabase" and hasattr(value, "close"):
            value.close()
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_bash_blocks_run(page: Path, docs_env: dict[str, str]) -> None:
    blocks = [b for b in ALL_BLOCKS if b.page == page and b.language == "bash" and not b.no_run]
    for block in blocks:
        for command in shell_commands(block.code):
            if command in SETUP_COMMANDS:
                continue  # .ci/run proves them
            assert shlex.split(command)[0] == "synphys-ibis", (
                f"{block.where}: {command!r} is not a synphys-ibis command; "
                "mark the block <!-- no-run: REASON --> if it cannot run here"
            )
            result = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", command],
                env=docs_env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert result.returncode == 0, (
                f"{block.where}: {command!r} exited {result.returncode}:\n"
                f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
            )
