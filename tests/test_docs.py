"""The documentation site builds offline with warnings as errors, notebooks rendered executed.

``mkdocs build --strict`` (the configuration is ``mkdocs.yml``) runs in a subprocess over the
notebooks the ``execute_notebook`` fixture has executed, with every proxy pointing at a closed
port so that any network access fails the build. ``SYNPHYS_IBIS_DOCS_SITE=DIR`` keeps the site.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mkdocs", reason="the documentation tools are in the dev extra")
pytest.importorskip("mkdocstrings", reason="the documentation tools are in the dev extra")
pytest.importorskip("mkdocs_jupyter", reason="the documentation tools are in the dev extra")
nbformat = pytest.importorskip("nbformat", reason="the notebooks extra is in the dev extra")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: A port nothing listens on: a request through these proxies fails at once.
NO_NETWORK = "http://127.0.0.1:9"

#: Objects the API reference must document (HTML anchors mkdocstrings writes).
API_OBJECTS = {
    "api/synphys": [
        "synphys_ibis.synphys.SynphysDatabase",
        "synphys_ibis.synphys.SynphysDatabase.pair_query",
        "synphys_ibis.synphys.SynphysDatabase.matrix_pair_query",
        "synphys_ibis.synphys.SynphysDatabase.connectivity_matrix",
        "synphys_ibis.synphys.SynphysDatabase.load_sqlite",
    ],
    "api/database": [
        "synphys_ibis.database.Database",
        "synphys_ibis.database.Database.table",
        "synphys_ibis.database.Database.ro",
        "synphys_ibis.database.Database.iter_copy_tables",
        "synphys_ibis.database.db_address",
    ],
    "api/cell-classes": [
        "synphys_ibis.query.cell_class.CellClass",
        "synphys_ibis.query.cell_class.CellClass.predicate",
        "synphys_ibis.query.cell_class.mouse_layer_classes",
        "synphys_ibis.query.cell_class.human_layer_classes",
        "synphys_ibis.query.cell_class.mouse_ei_classes",
        "synphys_ibis.query.cell_class.tutorial_classes",
    ],
    "api/export": [
        "synphys_ibis.export.to_parquet",
        "synphys_ibis.export.record",
        "synphys_ibis.export.to_csv",
        "synphys_ibis.export.read_provenance",
        "synphys_ibis.export.codecs.decode_array",
        "synphys_ibis.export.parquet.export_parquet",
    ],
    "api/releases": [
        "synphys_ibis.releases.fetch",
        "synphys_ibis.releases.fetch_current",
        "synphys_ibis.releases.list_versions",
    ],
    "api/plotting": [
        "synphys_ibis.plotting.connectivity_heatmap",
        "synphys_ibis.plotting.metric_matrix",
        "synphys_ibis.plotting.connectivity_vs_distance",
    ],
    "api/grids": ["synphys_ibis.grids.connectivity_grid"],
    "api/compat": ["synphys_ibis.compat.SynphysDatabase", "synphys_ibis.compat.CellClass"],
    "api/errors": ["synphys_ibis.errors.SynphysError", "synphys_ibis.errors.ColumnNotFoundError"],
    "api/stats": ["synphys_ibis.stats.clopper_pearson"],
    "api/demo": ["synphys_ibis.demo.load_demo", "synphys_ibis.synthetic"],
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, execute_notebook: Callable[[Path], Any]) -> Path:
    """The site, built by ``mkdocs build --strict`` from the executed notebooks."""
    executed = tmp_path_factory.mktemp("executed") / "notebooks"
    executed.mkdir()
    for path in NOTEBOOKS:
        nbformat.write(execute_notebook(path), executed / path.name)
    kept = os.environ.get("SYNPHYS_IBIS_DOCS_SITE")
    site_dir = Path(kept) if kept else tmp_path_factory.mktemp("site") / "site"
    env = {
        **os.environ,
        "SYNPHYS_IBIS_DOCS_NOTEBOOKS": str(executed),
        "NO_MKDOCS_2_WARNING": "1",  # Material's banner about MkDocs 2.0, not a build warning
        **{name: NO_NETWORK for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")},
    }
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean"]
    command += ["--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(site_dir)]
    started = time.perf_counter()
    # mkdocs-jupyter keeps a cache in the working directory: not in the repository
    cwd = tmp_path_factory.mktemp("build")
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    took = time.perf_counter() - started
    assert result.returncode == 0, f"mkdocs build failed:\n{result.stdout}\n{result.stderr}"
    assert "WARNING" not in result.stderr, result.stderr
    print(f"mkdocs build --strict: {took:.1f} s")
    return site_dir


def test_every_page_is_built(site: Path) -> None:
    pages = sorted(p.relative_to(DOCS).with_suffix("") for p in DOCS.rglob("*.md"))
    assert len(pages) >= 12
    for page in pages:
        html = site / ("" if page.name == "index" else page) / "index.html"
        assert html.is_file(), f"{page}.md was not built"
    assert not (site / "hooks.py").exists(), "the build hook is not part of the site"


def test_the_api_reference_documents_the_public_objects(site: Path) -> None:
    for page, objects in API_OBJECTS.items():
        html = (site / page / "index.html").read_text()
        for name in objects:
            assert f'id="{name}"' in html, f"{page} does not document {name}"
    # the numpydoc sections are rendered, not shown as text
    synphys = (site / "api/synphys/index.html").read_text()
    assert "Parameters:" in synphys or "Parameters</" in synphys
    assert "----------" not in synphys
    # the generator's Yields section too
    database = (site / "api/database/index.html").read_text()
    assert "Yields" in database and "----------" not in database


def test_the_notebooks_are_rendered_with_their_outputs(site: Path) -> None:
    for path in NOTEBOOKS:
        html = (site / "notebooks" / path.stem / "index.html").read_text()
        assert "data:image/png;base64," in html, f"{path.name}: no figure rendered"
    tutorial = (site / "notebooks/00_tutorial/index.html").read_text()
    assert "pair_query" in tutorial


def test_the_site_needs_no_network(site: Path) -> None:
    """No page loads a script, style sheet or font from another site."""
    external = re.compile(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"')
    for html in site.rglob("*.html"):
        found = [url for url in external.findall(html.read_text()) if "ibis-project" not in url]
        assert not found, f"{html.relative_to(site)} loads {found[:3]}"


def test_the_readme_links_every_guide_page() -> None:
    """The README's table of contents reaches every user-guide page; its relative links resolve."""
    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"\]\(((?!https?://)[^)#]+)(?:#[^)]*)?\)", readme)
    for link in links:
        assert (ROOT / link).exists(), f"README.md links to {link}, which does not exist"
    guides = {p.relative_to(ROOT).as_posix() for p in DOCS.glob("*.md")} - {"docs/index.md"}
    assert guides <= set(links), f"README.md does not link {sorted(guides - set(links))}"
