"""MkDocs hook: the notebooks of ``notebooks/`` become pages of the site.

They are rendered as committed (without outputs), or, when ``$SYNPHYS_IBIS_DOCS_NOTEBOOKS`` names
a directory called ``notebooks`` holding executed copies, with their outputs and figures
(``tests/test_docs.py`` executes the notebooks and builds the site that way).
"""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@event_priority(100)  # before mkdocs-jupyter's on_files, which turns .ipynb files into pages
def on_files(files: Files, config: MkDocsConfig) -> Files:
    source = Path(os.environ.get("SYNPHYS_IBIS_DOCS_NOTEBOOKS") or NOTEBOOKS).resolve()
    if source.name != "notebooks":
        raise PluginError(
            f"SYNPHYS_IBIS_DOCS_NOTEBOOKS={source} is not a directory named notebooks"
        )
    for committed in sorted(NOTEBOOKS.glob("*.ipynb")):
        if not (source / committed.name).is_file():
            raise PluginError(f"{source}: no executed copy of {committed.name}")
        uri = f"notebooks/{committed.name}"
        files.append(File(uri, str(source.parent), config.site_dir, config.use_directory_urls))
    return files
