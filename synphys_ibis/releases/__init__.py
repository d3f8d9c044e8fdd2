"""Published releases: list them, pick the current ones, and download, verify and cache them.

The list of published files comes from a manifest (:mod:`synphys_ibis.releases.manifest`): the copy
bundled with the package, or one named by argument or by ``SYNPHYS_IBIS_MANIFEST`` (a path or a
URL, in the upstream format), optionally refreshed from the live upstream list. Files are
downloaded through pooch with a resumable downloader (:mod:`synphys_ibis.releases.downloaders`) into
``<cache>/releases/`` and checked before they are moved into place (:mod:`synphys_ibis.releases.cache`).

=========================== ============================================================
``SYNPHYS_IBIS_MANIFEST``   path or URL of a manifest replacing the bundled one
``SYNPHYS_IBIS_CACHE_DIR``  cache directory (default: ``pooch.os_cache("synphys_ibis")``)
``SYNPHYS_IBIS_OFFLINE``    ``1``: never touch the network; only cached files are opened
=========================== ============================================================

Examples
--------
The bundled manifest lists every published file, oldest release first:

>>> from synphys_ibis import releases
>>> versions = releases.list_versions()
>>> versions[0]["db_file"], versions[-1]["db_file"]
('synphys_r1.0_2019-08-29_small.sqlite', 'synphys_r2.1_full.sqlite')
>>> releases.list_current_versions()["small"]["db_file"]
'synphys_r2.1_small.sqlite'

Any manifest in the upstream format works, here one serving a local mirror directory:

>>> import pathlib, tempfile
>>> from synphys_ibis import synthetic
>>> mirror = pathlib.Path(tempfile.mkdtemp())
>>> _ = synthetic.write_release(mirror / "synphys_r9.0_small.sqlite", n_experiments=2)
>>> manifest = {"default_url_path": mirror.as_uri(),
...             "databases": [{"file": "synphys_r9.0_small.sqlite", "schema_version": "22"}]}
>>> cache = tempfile.mkdtemp()
>>> path = releases.fetch("small", manifest=manifest, cache_dir=cache, progressbar=False)
>>> path.name, path.parent.name
('synphys_r9.0_small.sqlite', 'releases')
>>> [(c.file, c.ok) for c in releases.verify_cache(cache_dir=cache, manifest=manifest)]
[('synphys_r9.0_small.sqlite', True)]
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from synphys_ibis import locks, settings
from synphys_ibis.errors import DownloadError, UnknownReleaseError, VerificationError
from synphys_ibis.releases import cache as release_cache
from synphys_ibis.releases import downloaders
from synphys_ibis.releases.cache import CacheCheck, CachedFile
from synphys_ibis.releases.manifest import (
    DB_SIZES,
    DbSize,
    Manifest,
    ManifestError,
    ReleaseFile,
    bundled_manifest,
    is_url,
    parse_manifest,
    read_manifest,
)

__all__ = [
    "DB_SIZES",
    "MANIFEST_TIMEOUT",
    "ManifestSource",
    "cached_path",
    "fetch",
    "fetch_current",
    "find_release",
    "is_supported",
    "list_cache",
    "list_current_versions",
    "list_versions",
    "load_manifest",
    "verify_cache",
]

logger = logging.getLogger("synphys_ibis")

#: Seconds to wait for a manifest URL before falling back to a saved or the bundled copy.
MANIFEST_TIMEOUT = 5.0

#: What a ``manifest`` argument may be: a parsed manifest, its decoded JSON, a path or a URL;
#: None means ``$SYNPHYS_IBIS_MANIFEST``, else the bundled copy.
ManifestSource = Manifest | Mapping[str, Any] | str | os.PathLike[str] | None


# -- manifests ---------------------------------------------------------------------------------
def load_manifest(
    source: ManifestSource = None,
    *,
    refresh: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
    timeout: float = MANIFEST_TIMEOUT,
) -> Manifest:
    """The release manifest to use.

    Parameters
    ----------
    source
        A :class:`~synphys_ibis.releases.manifest.Manifest`, a mapping in the upstream format, a path or a
        URL. None: ``$SYNPHYS_IBIS_MANIFEST`` if set, else the bundled copy.
    refresh
        Replace the manifest by the live one it names (``live_manifest_url``; the bundled copy
        names the upstream list). If that cannot be read within ``timeout`` seconds, the last
        saved copy of it, else the manifest itself, is used, with a warning.
    cache_dir
        Cache directory where copies of manifests read from URLs are saved.
    timeout
        Seconds to wait for a manifest URL.

    Returns
    -------
    Manifest

    Raises
    ------
    ManifestError
        If the manifest is malformed.
    FileNotFoundError
        If a manifest path does not exist.
    DownloadError
        If a manifest URL given explicitly cannot be read and no copy of it was saved.

    Examples
    --------
    >>> manifest = load_manifest()
    >>> manifest.source, len(manifest.files), manifest.files[-1].file
    ('<bundled>', 20, 'synphys_r2.1_full.sqlite')
    """
    manifest = _load_named_manifest(source, cache_dir, timeout)
    live = manifest.live_manifest_url
    if refresh and live and live != manifest.source:
        return _remote_manifest(live, cache_dir, timeout, fallback=manifest)
    return manifest


def _load_named_manifest(source: ManifestSource, cache_dir: Any, timeout: float) -> Manifest:
    if isinstance(source, Manifest):
        return source
    if isinstance(source, Mapping):
        return parse_manifest(source)
    location = os.fspath(source) if source is not None else settings.manifest_location()
    if location is None:
        return bundled_manifest()
    if is_url(location):
        return _remote_manifest(location, cache_dir, timeout, fallback=None)
    return read_manifest(location)


def _remote_manifest(
    url: str, cache_dir: Any, timeout: float, *, fallback: Manifest | None
) -> Manifest:
    saved = (
        release_cache.releases_dir(cache_dir)
        / "manifests"
        / (hashlib.sha256(url.encode()).hexdigest()[:16] + ".json")
    )
    if settings.offline():
        problem: str = "offline mode (SYNPHYS_IBIS_OFFLINE=1)"
    else:
        try:
            manifest = read_manifest(url, timeout=timeout)
        except (OSError, ManifestError) as err:  # requests' errors are OSErrors
            problem = f"{type(err).__name__}: {err}"
        else:
            _save_manifest(saved, manifest)
            return manifest
    if saved.is_file():
        saved_copy = _read_saved_manifest(saved, url)
        if saved_copy is not None:
            _warn_unless_offline(
                f"could not read the release manifest {url} ({problem}); "
                f"using the copy saved at {saved}"
            )
            return saved_copy
    if fallback is not None:
        _warn_unless_offline(
            f"could not read the release manifest {url} ({problem}); using {_describe(fallback)}"
        )
        return fallback
    raise DownloadError(
        f"could not read the release manifest {url} ({problem}) and no copy of it is saved in "
        f"{saved.parent}; unset SYNPHYS_IBIS_MANIFEST to use the bundled list"
    )


def _describe(manifest: Manifest) -> str:
    return "the bundled manifest" if manifest.source == "<bundled>" else manifest.source


def _warn_unless_offline(message: str) -> None:
    if settings.offline():
        logger.debug(message)
    else:
        warnings.warn(message, stacklevel=4)


def _save_manifest(path: Path, manifest: Manifest) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"source": manifest.source, **manifest.to_json()}), "utf-8")
        os.replace(tmp, path)
    except OSError as err:  # a read-only cache only loses the offline copy
        logger.debug("could not save manifest %s: %s", path, err)


def _read_saved_manifest(path: Path, url: str) -> Manifest | None:
    try:
        return parse_manifest(json.loads(path.read_text("utf-8")), source=f"{url} (saved copy)")
    except (OSError, ValueError) as err:
        logger.debug("ignoring unreadable saved manifest %s: %s", path, err)
        return None


# -- listing -----------------------------------------------------------------------------------
def is_supported(schema_version: str) -> bool:
    """Whether this library queries releases of ``schema_version``.

    Support is a property of the library: :data:`synphys_ibis.schema.SUPPORTED_SCHEMA_VERSIONS`.

    Parameters
    ----------
    schema_version
        A schema version, e.g. ``'22'``.

    Returns
    -------
    bool
        Whether releases of that version can be opened.

    Examples
    --------
    >>> is_supported("22"), is_supported("11")
    (True, False)
    """
    from synphys_ibis import schema

    return str(schema_version) in schema.SUPPORTED_SCHEMA_VERSIONS


def list_versions(
    *, only_supported: bool = False, manifest: ManifestSource = None
) -> list[dict[str, Any]]:
    """Every published release name, oldest release first.

    Pre-releases sort before their release; within a release the manifest order is kept, with
    a file's aliases before the file (the order aisynphys lists them in).

    Parameters
    ----------
    only_supported
        Only releases whose schema version this library supports.
    manifest
        See :func:`load_manifest`.

    Returns
    -------
    list of dict
        Keys ``db_file`` (the name), ``release_version``, ``db_size``, ``schema_version``,
        ``file`` (the file the name downloads), ``url``, ``sha256`` and ``size`` (None where
        unknown) and ``supported``.

    Examples
    --------
    >>> [v["db_file"] for v in list_versions(only_supported=True)][:2]
    ['synphys_r1.0_2019-08-29_small.sqlite', 'synphys_r1.0_small.sqlite']
    """
    manifest = load_manifest(manifest)
    rows = [_version_row(release, name) for release, name in manifest.versions()]
    return [row for row in rows if row["supported"]] if only_supported else rows


def list_current_versions(*, manifest: ManifestSource = None) -> dict[str, dict[str, Any] | None]:
    """The newest supported release of each size, or None for a size without one.

    Parameters
    ----------
    manifest
        See :func:`load_manifest`.

    Returns
    -------
    dict
        ``'small'``, ``'medium'`` and ``'full'`` to a row as :func:`list_versions` gives it, or
        None.

    Examples
    --------
    >>> {size: v["db_file"] for size, v in list_current_versions().items()}
    ... # doctest: +NORMALIZE_WHITESPACE
    {'small': 'synphys_r2.1_small.sqlite', 'medium': 'synphys_r2.1_medium.sqlite',
     'full': 'synphys_r2.1_full.sqlite'}
    """
    current: dict[str, dict[str, Any] | None] = dict.fromkeys(DB_SIZES)
    for row in list_versions(only_supported=True, manifest=manifest):
        current[row["db_size"]] = row  # the last one of each size is the newest
    return current


def _version_row(release: ReleaseFile, name: str) -> dict[str, Any]:
    return {
        "db_file": name,
        "release_version": release.release_version,
        "db_size": release.db_size,
        "schema_version": release.schema_version,
        "file": release.file,
        "url": release.url,
        "sha256": release.sha256,
        "size": release.size,
        "supported": is_supported(release.schema_version),
    }


def find_release(name: str, *, manifest: ManifestSource = None) -> ReleaseFile:
    """The release file named ``name``: a file name, an alias, or a size for the current one.

    Parameters
    ----------
    name
        A release file name, an alias, or a size (``'small'``, ``'medium'``, ``'full'``).
    manifest
        See :func:`load_manifest`.

    Returns
    -------
    ReleaseFile
        The release file's entry in the manifest.

    Raises
    ------
    UnknownReleaseError
        If no release has that name (the message lists them and suggests the closest), or no
        release of that size has a supported schema version.

    Examples
    --------
    >>> find_release("synphys_r1.0_2019-08-29_small.sqlite").file
    'synphys_r1.0_small.sqlite'
    >>> find_release("medium").file
    'synphys_r2.1_medium.sqlite'
    >>> find_release("synphys_r2.1_smal.sqlite")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    synphys_ibis.errors.UnknownReleaseError: unknown release 'synphys_r2.1_smal.sqlite' ...
    """
    manifest = load_manifest(manifest)
    if name in DB_SIZES:
        return _current(name, manifest)
    release = manifest.lookup(name) if isinstance(name, str) else None
    if release is None:
        raise UnknownReleaseError.for_name(
            name,
            [*manifest.names(), *DB_SIZES],
            where=f"the manifest {manifest.source}",
            hint="`synphys-ibis versions` lists them; a size picks the newest supported release.",
        )
    return release


def _current(db_size: str, manifest: Manifest) -> ReleaseFile:
    if db_size not in DB_SIZES:
        raise UnknownReleaseError.for_name(db_size, DB_SIZES, hint="Sizes are small, medium, full.")
    candidates = [
        f for f in manifest.files if f.db_size == db_size and is_supported(f.schema_version)
    ]
    if not candidates:
        from synphys_ibis import schema

        raise UnknownReleaseError(
            f"no {db_size!r} release in the manifest {manifest.source} has a supported schema "
            f"version ({', '.join(schema.SUPPORTED_SCHEMA_VERSIONS)}); name a file instead "
            "(see `synphys-ibis versions`)"
        )
    return candidates[-1]


# -- fetching ----------------------------------------------------------------------------------
def fetch(
    name: str,
    *,
    manifest: ManifestSource = None,
    cache_dir: str | os.PathLike[str] | None = None,
    progressbar: bool = True,
) -> Path:
    """The local path of release ``name``, downloaded and verified on first use.

    A cached file whose marker still matches its size and modification time is returned without
    network access or re-hashing. Otherwise, unless ``SYNPHYS_IBIS_OFFLINE=1``, the file is
    downloaded (once, under a file lock shared by all processes) into a ``.part`` file that a
    later call resumes after an interruption, checked by
    :func:`synphys_ibis.releases.cache.validate` and only then moved into place.

    Parameters
    ----------
    name
        File name, alias, or size (``'small'``, ``'medium'``, ``'full'``: the current release).
    manifest
        See :func:`load_manifest`.
    cache_dir
        Cache directory; files go to ``<cache_dir>/releases/``. Default
        ``$SYNPHYS_IBIS_CACHE_DIR``, else ``pooch.os_cache("synphys_ibis")``.
    progressbar
        Show a progress bar (size, rate, time left) on stderr while downloading.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    UnknownReleaseError
        If the manifest has no such release.
    DownloadError
        On network or server errors, or offline without a cached copy (the message names the
        missing file).
    VerificationError
        If the download fails a check (sha256, size, SQLite header and page count, SQLite's
        ``PRAGMA quick_check``, schema version); nothing is left in the cache, and the message
        says what failed and where the download was resumed, if it was.

    Examples
    --------
    A manifest can serve releases from any URL; here a synthetic release from a local
    directory (``file://``), downloaded into a temporary cache:

    >>> import pathlib, tempfile
    >>> from synphys_ibis import synthetic
    >>> source = pathlib.Path(tempfile.mkdtemp())
    >>> _ = synthetic.write_release(source / "synphys_r2.1_small.sqlite", n_experiments=5)
    >>> manifest = {"default_url_path": source.as_uri() + "/",
    ...             "databases": [{"file": "synphys_r2.1_small.sqlite", "schema_version": "22"}]}
    >>> cache = tempfile.mkdtemp()
    >>> path = fetch("synphys_r2.1_small.sqlite", manifest=manifest, cache_dir=cache,
    ...              progressbar=False)
    >>> path.name, path.parent.name
    ('synphys_r2.1_small.sqlite', 'releases')
    """
    loaded = load_manifest(manifest, cache_dir=cache_dir)
    release = find_release(name, manifest=loaded)
    return _fetch_release(release, cache_dir=cache_dir, progressbar=progressbar)


def fetch_current(
    db_size: DbSize,
    *,
    manifest: ManifestSource = None,
    cache_dir: str | os.PathLike[str] | None = None,
    progressbar: bool = True,
) -> Path:
    """The local path of the newest supported release of ``db_size``; see :func:`fetch`.

    Parameters
    ----------
    db_size
        ``'small'``, ``'medium'`` or ``'full'``.
    manifest, cache_dir, progressbar
        As for :func:`fetch`.

    Returns
    -------
    pathlib.Path
        The local path of the release file.

    Raises
    ------
    UnknownReleaseError
        If ``db_size`` is not a size, or no release of that size has a supported schema.
    DownloadError, VerificationError
        As for :func:`fetch`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from synphys_ibis import synthetic
    >>> source = pathlib.Path(tempfile.mkdtemp())
    >>> _ = synthetic.write_release(source / "synphys_r2.1_small.sqlite", n_experiments=5)
    >>> manifest = {"default_url_path": source.as_uri() + "/",
    ...             "databases": [{"file": "synphys_r2.1_small.sqlite", "schema_version": "22"}]}
    >>> cache = tempfile.mkdtemp()
    >>> fetch_current("small", manifest=manifest, cache_dir=cache, progressbar=False).name
    'synphys_r2.1_small.sqlite'
    """
    loaded = load_manifest(manifest, cache_dir=cache_dir)
    return _fetch_release(_current(db_size, loaded), cache_dir=cache_dir, progressbar=progressbar)


def cached_path(
    name: str,
    *,
    manifest: ManifestSource = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Path | None:
    """The verified cached copy of release ``name``, or None; never downloads or re-hashes.

    Parameters
    ----------
    name
        File name, alias, or size (``'small'``, ``'medium'``, ``'full'``: the current release).
    manifest
        See :func:`load_manifest`.
    cache_dir
        Cache directory, as for :func:`fetch`.

    Returns
    -------
    pathlib.Path or None
        The cached file, or None if it is not in the cache (or no longer verified).

    Raises
    ------
    UnknownReleaseError
        If the manifest has no such release.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from synphys_ibis import synthetic
    >>> source = pathlib.Path(tempfile.mkdtemp())
    >>> _ = synthetic.write_release(source / "synphys_r2.1_small.sqlite", n_experiments=5)
    >>> manifest = {"default_url_path": source.as_uri() + "/",
    ...             "databases": [{"file": "synphys_r2.1_small.sqlite", "schema_version": "22"}]}
    >>> cache = tempfile.mkdtemp()
    >>> print(cached_path("small", manifest=manifest, cache_dir=cache))
    None
    >>> path = fetch("small", manifest=manifest, cache_dir=cache, progressbar=False)
    >>> cached_path("small", manifest=manifest, cache_dir=cache) == path
    True
    """
    release = find_release(name, manifest=load_manifest(manifest, cache_dir=cache_dir))
    path = release_cache.releases_dir(cache_dir) / release.file
    return path if release_cache.cache_state(path, release) == "verified" else None


def _fetch_release(release: ReleaseFile, *, cache_dir: Any, progressbar: bool) -> Path:
    path = release_cache.releases_dir(cache_dir) / release.file
    if _usable(path, release):
        return path
    if settings.offline():
        raise _offline_error(path, release)
    with locks.held(release_cache.lock_path(path), doing=f"downloading {path.name}"):
        release_cache.remove_stale_temporaries(path)  # of killed downloads, now that we own it
        if _usable(path, release):  # another process downloaded it while we waited
            return path
        release_cache.discard(path)
        _download(release, path, progressbar=progressbar)
    return path


def _usable(path: Path, release: ReleaseFile) -> bool:
    state = release_cache.cache_state(path, release)
    if state == "verified":
        logger.debug("using verified cached release %s", path)
        return True
    if state in ("unmarked", "touched"):
        logger.info("re-verifying cached %s (%s)", path, state)
        check = release_cache.verify_file(path, release)
        if check.ok:
            return True
        logger.warning("cached %s failed verification: %s", path, check.problem)
    elif state != "missing":
        logger.info("cached %s is %s; it will be downloaded again", path, state)
    return False


def _offline_error(path: Path, release: ReleaseFile) -> DownloadError:
    where = (
        f"is in the cache at {path} but does not match the manifest"
        if path.exists()
        else f"is not in the cache (expected at {path})"
    )
    return DownloadError(
        f"offline mode (SYNPHYS_IBIS_OFFLINE=1): {release.file} {where}; download it while "
        f"online (`synphys-ibis download {release.file}`), copy it there, or unset "
        "SYNPHYS_IBIS_OFFLINE"
    )


@contextmanager
def _quiet(pooch_logger: logging.Logger) -> Iterator[None]:
    """Silence pooch's own 'Downloading ...' line (printed to stderr by its handler)."""
    level = pooch_logger.level
    pooch_logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        pooch_logger.setLevel(level)


class _VerifiedDownload:
    """pooch downloader: download with ``inner``, then validate before pooch moves the file."""

    def __init__(self, inner: Any, release: ReleaseFile) -> None:
        self.inner = inner
        self.release = release
        self.sha256: str | None = None

    def __call__(self, url: str, output_file: str, pooch: Any) -> None:
        self.inner(url, output_file, pooch)
        try:
            self.sha256 = release_cache.validate(
                Path(output_file), self.release, sha256=self.inner.sha256
            )
        except VerificationError as err:
            raise VerificationError(f"{err}; {self._advice(url)}") from err

    def _advice(self, url: str) -> str:
        resumed = getattr(self.inner, "resumed_at", [])
        if resumed:
            where = ", ".join(str(offset) for offset in resumed)
            return (
                f"the download from {url} was resumed at byte {where} with a Range request, "
                "and the server may have sent the wrong bytes; nothing was kept, and the next "
                "fetch downloads it again from byte 0 (if that fails too, the mirror serves a "
                "damaged file: use another mirror or tell its maintainers)"
            )
        return (
            f"nothing was kept; fetch it again to download it from byte 0 (if that fails too, "
            f"the mirror at {url} serves a damaged file: use another mirror or tell its "
            "maintainers)"
        )


def _download(release: ReleaseFile, path: Path, *, progressbar: bool) -> None:
    import pooch
    import requests

    # pooch writes its temporary file beside its target: a pid-named directory of ours, so that
    # a killed process's temporary can be told from a live one's (remove_stale_temporaries)
    staging = release_cache.staging_dir(path)
    staging.mkdir(parents=True, exist_ok=True)
    registry = pooch.create(
        path=staging,
        base_url=release.url.rsplit("/", 1)[0] + "/",
        registry={release.file: None},  # verified by _VerifiedDownload, not by re-hashing
        urls={release.file: release.url},
        retry_if_failed=0,
    )
    inner = downloaders.downloader_for(
        release.url,
        release_cache.part_path(path),
        expected_size=release.size,
        progressbar=progressbar,
        desc=release.file,
    )
    download = _VerifiedDownload(inner, release)
    logger.info("downloading %s from %s to %s", release.file, release.url, path.parent)
    started = time.perf_counter()
    try:
        with _quiet(pooch.get_logger()):
            registry.fetch(release.file, downloader=download)
        os.replace(staging / release.file, path)  # publish: checked, complete
    except VerificationError:
        logger.warning("download of %s failed verification; nothing was kept", release.url)
        raise
    except requests.RequestException as err:
        raise DownloadError(f"downloading {release.url} failed: {err}") from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    sha256 = download.sha256 or release_cache.file_sha256(path)
    release_cache.write_marker(path, release, sha256=sha256)
    elapsed = time.perf_counter() - started
    size = path.stat().st_size
    logger.info(
        "downloaded %s (%.1f MB) in %.2f s (%.1f MB/s)",
        release.file,
        size / 1e6,
        elapsed,
        size / 1e6 / max(elapsed, 1e-9),
    )


# -- the cache ---------------------------------------------------------------------------------
def list_cache(cache_dir: str | os.PathLike[str] | None = None) -> list[CachedFile]:
    """Release files (verified or not) and partial downloads in the cache.

    Parameters
    ----------
    cache_dir
        Cache directory, as for :func:`fetch`.

    Returns
    -------
    list of CachedFile
        One per file: ``file``, ``path``, ``size`` and ``status`` (``'verified'``,
        ``'unverified'`` or ``'partial'``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from synphys_ibis import synthetic
    >>> source = pathlib.Path(tempfile.mkdtemp())
    >>> _ = synthetic.write_release(source / "synphys_r2.1_small.sqlite", n_experiments=5)
    >>> manifest = {"default_url_path": source.as_uri() + "/",
    ...             "databases": [{"file": "synphys_r2.1_small.sqlite", "schema_version": "22"}]}
    >>> cache = tempfile.mkdtemp()
    >>> _ = fetch("small", manifest=manifest, cache_dir=cache, progressbar=False)
    >>> [(item.file, item.status) for item in list_cache(cache)]
    [('synphys_r2.1_small.sqlite', 'verified')]
    """
    return release_cache.list_cache(cache_dir)


def verify_cache(
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    manifest: ManifestSource = None,
    remove_bad: bool = False,
) -> list[CacheCheck]:
    """Re-hash and re-check every cached release file against its marker and the manifest.

    Each file's sha256 is compared with the one recorded when it was downloaded (the manifest's,
    or that of the first download), and the file is checked again as a download is
    (:func:`synphys_ibis.releases.cache.validate`: header, page count, SQLite's
    ``PRAGMA quick_check``, schema version); a problem found by either is reported.

    Parameters
    ----------
    cache_dir, manifest
        As for :func:`fetch`.
    remove_bad
        Delete files that fail, so that the next :func:`fetch` downloads them again.

    Returns
    -------
    list of CacheCheck
        One per cached file: ``ok``, and ``problem`` saying what failed.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from synphys_ibis import synthetic
    >>> source = pathlib.Path(tempfile.mkdtemp())
    >>> _ = synthetic.write_release(source / "synphys_r2.1_small.sqlite", n_experiments=5)
    >>> manifest = {"default_url_path": source.as_uri() + "/",
    ...             "databases": [{"file": "synphys_r2.1_small.sqlite", "schema_version": "22"}]}
    >>> cache = tempfile.mkdtemp()
    >>> _ = fetch("small", manifest=manifest, cache_dir=cache, progressbar=False)
    >>> [(check.file, check.ok) for check in verify_cache(cache_dir=cache, manifest=manifest)]
    [('synphys_r2.1_small.sqlite', True)]
    """
    loaded = load_manifest(manifest, cache_dir=cache_dir)
    return [
        release_cache.verify_file(item.path, loaded.lookup(item.file), remove_bad=remove_bad)
        for item in release_cache.list_cache(cache_dir)
        if item.status != "partial"
    ]
