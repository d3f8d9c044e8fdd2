"""The package's architecture: the import layers hold, and only engines/ knows engine names."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "synphys_ibis"

#: Names of engines (and of their Ibis backends) that a switch on the engine would compare with.
ENGINE_NAMES = {"sqlite", "duckdb", "postgres", "postgresql", "parquet", "spark", "pyspark"}
#: Names whose comparison is a switch on the engine whatever they are compared with.
ENGINE_VARIABLES = {"backend", "DATASET_BACKENDS"}


def _lint_imports() -> str:
    found = Path(sys.executable).parent / "lint-imports"
    if found.is_file():
        return str(found)
    on_path = shutil.which("lint-imports")
    if on_path is None:
        pytest.fail('lint-imports is not installed; install the dev extra: pip install -e ".[dev]"')
    return on_path


def test_import_contracts_hold() -> None:
    """``lint-imports`` (the contracts in pyproject.toml): layers without cycles."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [_lint_imports(), "--no-cache"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _is_engine_name(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value in ENGINE_NAMES
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_is_engine_name(e) for e in node.elts)
    if isinstance(node, ast.Name):
        return node.id in ENGINE_VARIABLES
    if isinstance(node, ast.Attribute):
        return node.attr in ENGINE_VARIABLES
    return False


def engine_switches(root: Path = PACKAGE) -> list[str]:
    """``path:line`` of every comparison with an engine name outside ``engines/``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if "engines" in path.relative_to(root).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and any(
                _is_engine_name(operand) for operand in (node.left, *node.comparators)
            ):
                found.append(f"{path.relative_to(root).as_posix()}:{node.lineno}")
    return found


def test_no_engine_switch_outside_engines() -> None:
    """Only engines/ compares engine names: everything else asks its engine."""
    assert engine_switches() == []


def test_the_scan_finds_engine_switches(tmp_path: Path) -> None:
    (tmp_path / "module.py").write_text(
        'if db.backend == "sqlite":\n    pass\n'
        'if name in ("duckdb", "spark"):\n    pass\n'
        "if table.name in shape:\n    pass\n",
        encoding="utf-8",
    )
    found = engine_switches(tmp_path)
    assert [f.rsplit(":", 1)[1] for f in found] == ["1", "3"]
