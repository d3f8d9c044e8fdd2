"""What a result looks like to a newcomer (issue 13): the database's reprs, the public names."""

from __future__ import annotations

from pathlib import Path

import pytest

import synphys_ibis
from synphys_ibis import SynphysDatabase


def test_the_repr_names_release_path_engine_schema_and_counts(release: Path) -> None:
    with SynphysDatabase.load_sqlite(release, progress=False) as db:
        text = repr(db)
        counts = {
            t: db.table(t).count().to_pyarrow().as_py() for t in ("experiment", "cell", "pair")
        }
        html = db._repr_html_()
    for shown in (text, html):
        assert release.name in shown and str(release.resolve()) in shown
        assert "DuckDB (native copy of the SQLite file)" in shown
        assert "22" in shown
        for n in counts.values():
            assert f"{n:,}" in shown
    assert "schema 22" in text and "\n" not in text
    assert html.startswith("<table>")


def test_the_repr_of_an_attached_file_says_so(release: Path) -> None:
    with SynphysDatabase.load_sqlite(release, native_cache=False) as db:
        assert "DuckDB (SQLite file attached read-only)" in repr(db)


def test_the_repr_on_every_engine_hides_passwords(db: SynphysDatabase) -> None:
    text = repr(db)
    assert db.engine_description in text and "pairs" in text
    assert ":***@" in text or "@" not in text or "password" not in text


def test_connectivity_grid_is_a_public_name() -> None:
    from synphys_ibis.grids import connectivity_grid

    assert synphys_ibis.connectivity_grid is connectivity_grid
    assert "connectivity_grid" in synphys_ibis.__all__


def test_every_public_name_resolves() -> None:
    for name in synphys_ibis.__all__:
        assert getattr(synphys_ibis, name) is not None
    with pytest.raises(AttributeError):
        synphys_ibis.no_such_name  # noqa: B018
