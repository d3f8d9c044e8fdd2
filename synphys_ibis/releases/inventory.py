"""Everything the library keeps in its cache directory, and cleaning it.

``<cache>`` (:func:`synphys_ibis.settings.cache_dir`) holds::

    releases/<file>.sqlite            downloaded releases (+ .verified.json, .part, .lock)
    releases/manifests/               manifests read from URLs, for offline use
    demo/synphys_demo_<n>.sqlite      the synthetic demo releases
    native/<stem>-<key>-<key>.duckdb  native DuckDB copies of the query tables of SQLite files
    duckdb-extensions/                DuckDB's extensions, installed from their wheels
    any directory holding synphys_dataset.json: a Parquet dataset of a release

:func:`cache_inventory` lists each of them with its size; :func:`clean_cache` removes the kinds
asked for, only inside the cache directory, never following a symbolic link out of it, and never
anything it does not recognise.

Examples
--------
>>> import pathlib, tempfile
>>> from synphys_ibis import synthetic
>>> cache = pathlib.Path(tempfile.mkdtemp())
>>> (cache / "demo").mkdir()
>>> _ = synthetic.write_release(cache / "demo" / "synphys_demo_2.sqlite", n_experiments=2)
>>> [(e.kind, e.name) for e in cache_inventory(cache)]
[('demo', 'synphys_demo_2.sqlite')]
>>> [e.name for e in clean_cache(cache, kinds=["demo"])]
['synphys_demo_2.sqlite']
>>> cache_inventory(cache)
[]
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeAlias

from synphys_ibis import settings
from synphys_ibis.errors import InvalidArgumentError
from synphys_ibis.releases.cache import list_cache, lock_path, marker_path

__all__ = [
    "CACHE_KINDS",
    "DERIVED_KINDS",
    "CacheEntry",
    "CacheKind",
    "cache_inventory",
    "clean_cache",
]

CacheKind: TypeAlias = Literal[
    "release", "partial", "manifest", "demo", "native", "extensions", "dataset", "other"
]
#: Every kind of entry, in the order :func:`cache_inventory` lists them.
CACHE_KINDS: tuple[CacheKind, ...] = (
    "release",
    "partial",
    "manifest",
    "demo",
    "native",
    "extensions",
    "dataset",
    "other",
)
#: Kinds that are rebuilt on demand without the network: what ``cache clean`` removes by default.
DERIVED_KINDS: tuple[CacheKind, ...] = ("partial", "demo", "native")
_DATASET_MANIFEST = "synphys_dataset.json"
_KNOWN_DIRS = {"releases", "demo", "native", "duckdb-extensions"}


@dataclass(frozen=True)
class CacheEntry:
    """One thing in the cache: a file or a directory, with its total size in bytes."""

    kind: CacheKind
    path: Path
    size: int
    #: For releases: ``verified`` or ``unverified``; else empty.
    status: str = ""

    @property
    def name(self) -> str:
        """The file or directory name."""
        return self.path.name


def cache_inventory(cache_dir: str | os.PathLike[str] | None = None) -> list[CacheEntry]:
    """Every file and directory the library keeps in the cache, by kind, with sizes.

    Parameters
    ----------
    cache_dir
        The cache directory (default: ``$SYNPHYS_IBIS_CACHE_DIR``, else the platform cache).

    Returns
    -------
    list of CacheEntry
        Sorted by kind (in :data:`CACHE_KINDS` order), then name. Top-level entries the library
        did not write are listed as ``other`` (and never cleaned).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from synphys_ibis import synthetic
    >>> cache = pathlib.Path(tempfile.mkdtemp())
    >>> (cache / "demo").mkdir()
    >>> _ = synthetic.write_release(cache / "demo" / "synphys_demo_2.sqlite", n_experiments=2)
    >>> [(e.kind, e.name) for e in cache_inventory(cache)]
    [('demo', 'synphys_demo_2.sqlite')]
    """
    root = settings.cache_dir(cache_dir)
    if not root.is_dir():
        return []
    entries = list(_releases(root)) + list(_known(root))
    order = {kind: i for i, kind in enumerate(CACHE_KINDS)}
    return sorted(entries, key=lambda e: (order[e.kind], e.name))


def clean_cache(
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    kinds: Iterable[CacheKind] = DERIVED_KINDS,
) -> list[CacheEntry]:
    """Remove the cache entries of the given kinds; return what was removed.

    Parameters
    ----------
    cache_dir
        As for :func:`cache_inventory`.
    kinds
        Kinds to remove (default :data:`DERIVED_KINDS`: partial downloads, demo releases and
        native copies, all rebuilt offline on demand). ``other`` is refused.

    Returns
    -------
    list of CacheEntry
        The entries removed.

    Raises
    ------
    InvalidArgumentError
        For an unknown kind, or ``other``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from synphys_ibis import synthetic
    >>> cache = pathlib.Path(tempfile.mkdtemp())
    >>> (cache / "demo").mkdir()
    >>> _ = synthetic.write_release(cache / "demo" / "synphys_demo_2.sqlite", n_experiments=2)
    >>> [e.name for e in clean_cache(cache, kinds=["demo"])]
    ['synphys_demo_2.sqlite']
    >>> cache_inventory(cache)
    []
    """
    wanted = set(kinds)
    allowed = set(CACHE_KINDS) - {"other"}
    for kind in sorted(wanted - allowed):
        raise InvalidArgumentError.for_value("kinds", kind, sorted(allowed))
    root = settings.cache_dir(cache_dir).resolve()
    removed = []
    for entry in cache_inventory(cache_dir):
        if entry.kind in wanted and _inside(entry.path, root):
            _remove(entry)
            removed.append(entry)
    return removed


def _releases(root: Path) -> Iterator[CacheEntry]:
    for cached in list_cache(root):
        if cached.status == "partial":
            yield CacheEntry("partial", cached.path, cached.size)
        else:
            yield CacheEntry("release", cached.path, cached.size, cached.status)
    manifests = root / "releases" / "manifests"
    if manifests.is_dir():
        yield CacheEntry("manifest", manifests, _size(manifests))


def _known(root: Path) -> Iterator[CacheEntry]:
    for path in sorted((root / "demo").glob("*.sqlite")):
        yield CacheEntry("demo", path, _size(path))
    for path in sorted((root / "native").glob("*.duckdb")):
        yield CacheEntry("native", path, _size(path))
    extensions = root / "duckdb-extensions"
    if extensions.is_dir():
        yield CacheEntry("extensions", extensions, _size(extensions))
    for path in sorted(root.iterdir()):
        if path.name in _KNOWN_DIRS or path.name.startswith("."):
            continue
        if path.is_dir() and not path.is_symlink() and (path / _DATASET_MANIFEST).is_file():
            yield CacheEntry("dataset", path, _size(path))
        elif path.is_dir() and not path.is_symlink():
            for child in sorted(path.iterdir()):
                if child.is_dir() and (child / _DATASET_MANIFEST).is_file():
                    yield CacheEntry("dataset", child, _size(child))
                else:
                    yield CacheEntry("other", child, _size(child))
        else:
            yield CacheEntry("other", path, _size(path))


def _size(path: Path) -> int:
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path`` itself (not what a link points to) lies inside ``root``."""
    return Path(os.path.abspath(path.parent)).resolve().is_relative_to(root)


def _remove(entry: CacheEntry) -> None:
    path = entry.path
    if path.is_symlink() or path.is_file():
        path.unlink()  # a link is removed, never what it points to
    elif path.is_dir():
        shutil.rmtree(path)
    if entry.kind == "release":
        for extra in (marker_path(path), lock_path(path)):
            if extra.is_file():
                extra.unlink()
    elif entry.kind == "native":
        wal = path.with_name(path.name + ".wal")
        if wal.is_file():
            wal.unlink()
