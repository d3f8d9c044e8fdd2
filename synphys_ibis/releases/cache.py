"""The release cache: where release files live, how they are verified, and what it holds.

Layout of ``<cache>/releases/`` (``<cache>`` is :func:`synphys_ibis.settings.cache_dir`)::

    synphys_r2.1_small.sqlite                 a verified release file (aliases share it)
    synphys_r2.1_small.sqlite.verified.json   its marker: sha256, size, mtime, schema version
    synphys_r2.1_small.sqlite.part            a partial download, resumed by the next call
    synphys_r2.1_small.sqlite.part.json       where the partial download comes from
    synphys_r2.1_small.sqlite.lock            held by the process that is downloading it
    .synphys_r2.1_small.sqlite.<pid>.download/  pooch's temporary file while it is checked
    manifests/<key>.json                      the last copy of each manifest read from a URL

A release file is *verified* when its marker records its current size and modification time:
opening it costs two ``stat`` calls, never a re-hash (pooch would re-hash the whole file on every
fetch). The marker is written after a download passed :func:`validate` (the manifest's sha256
where it has one, otherwise the sha256 of this first download is recorded: trust on first use),
or when :func:`verify_file` re-hashed and re-checked the file and found it unchanged.

:func:`validate` checks the file as SQLite itself does (``PRAGMA quick_check``, see
:func:`synphys_ibis.engines.sqlite.check_structure`) besides the manifest's size and sha256, the
header, the page count and the metadata; a file larger than
:func:`synphys_ibis.settings.quick_check_max_bytes` is checked in the tables queries read only.

A process killed while downloading leaves its ``.download`` directory (and perhaps a marker's
``.<name>.<pid>.tmp``); :func:`remove_stale_temporaries`, run by the next download of the same
file under its lock, removes them once their owner is gone. The ``.part`` file is kept and resumed.

Examples
--------
>>> import pathlib, tempfile
>>> from synphys_ibis import synthetic
>>> from synphys_ibis.releases.manifest import ReleaseFile
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> path = synthetic.write_release(tmp / "synphys_r2.1_small.sqlite", n_experiments=2)
>>> release = ReleaseFile(file=path.name, url="file:///unused", schema_version="22",
...                       release_version="2.1", db_size="small")
>>> cache_state(path, release)
'unmarked'
>>> digest = validate(path, release)
>>> _ = write_marker(path, release, sha256=digest)
>>> cache_state(path, release)
'verified'
>>> verify_file(path, release).ok
True
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

from synphys_ibis import locks, settings
from synphys_ibis.engines.sqlite import check_sqlite_header, check_structure, read_schema_version
from synphys_ibis.errors import NotAReleaseError, VerificationError
from synphys_ibis.releases.manifest import ReleaseFile

__all__ = [
    "CacheCheck",
    "CacheState",
    "CachedFile",
    "Marker",
    "cache_state",
    "discard",
    "download_lock",
    "file_sha256",
    "list_cache",
    "lock_path",
    "marker_path",
    "part_path",
    "read_marker",
    "releases_dir",
    "remove_stale_temporaries",
    "staging_dir",
    "validate",
    "verify_file",
    "write_marker",
]

logger = logging.getLogger("synphys_ibis")

#: ``verified``: marker matches size and mtime; ``missing``: no file; ``unmarked``: a file without
#: a marker; ``touched``: same size, other mtime (re-hash to tell); ``changed``: other size;
#: ``stale``: the manifest now names other content (sha256 or schema version).
CacheState = Literal["verified", "missing", "unmarked", "touched", "changed", "stale"]

_MARKER_SUFFIX = ".verified.json"
_STAGING_SUFFIX = ".download"
_PID_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.tmp$")
_SQLITE_HEADER_BYTES = 100


@dataclass(frozen=True)
class Marker:
    """What was verified about a cached release file."""

    sha256: str
    size: int
    mtime_ns: int
    schema_version: str | None
    url: str | None
    sha256_source: str  # 'manifest' or 'first download'
    verified_at: str


@dataclass(frozen=True)
class CachedFile:
    """A file in the release cache, as listed by :func:`list_cache`."""

    file: str
    path: Path
    size: int
    status: Literal["verified", "unverified", "partial"]


@dataclass(frozen=True)
class CacheCheck:
    """The result of re-hashing one cached release file (:func:`verify_file`)."""

    file: str
    path: Path
    size: int
    sha256: str | None
    ok: bool
    problem: str | None = None
    removed: bool = False


def releases_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """``<cache>/releases``: argument, else ``$SYNPHYS_IBIS_CACHE_DIR``, else the platform cache."""
    return settings.cache_dir(cache_dir) / "releases"


def marker_path(path: Path) -> Path:
    """The marker file of the release file ``path``."""
    return path.with_name(path.name + _MARKER_SUFFIX)


def part_path(path: Path) -> Path:
    """The partial download of the release file ``path``."""
    return path.with_name(path.name + ".part")


def lock_path(path: Path) -> Path:
    """The lock file guarding downloads of ``path``."""
    return path.with_name(path.name + ".lock")


def staging_dir(path: Path) -> Path:
    """The directory where this process downloads ``path`` before publishing it (pid-named)."""
    return path.with_name(f".{path.name}.{os.getpid()}{_STAGING_SUFFIX}")


def download_lock(path: Path) -> Any:
    """An inter-process lock (``filelock.FileLock``) for downloading ``path``."""
    return locks.file_lock(lock_path(path))


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks."""
    hasher = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            hasher.update(chunk)
    return hasher.hexdigest()


def read_marker(path: Path) -> Marker | None:
    """The marker of ``path``, or None if there is none (or it is unreadable)."""
    try:
        data = json.loads(marker_path(path).read_text(encoding="utf-8"))
        return Marker(**data)
    except (OSError, ValueError, TypeError):
        return None


def write_marker(
    path: Path, release: ReleaseFile | None, *, sha256: str, sha256_source: str | None = None
) -> Marker:
    """Record that ``path`` (as it is now) was verified to have ``sha256``; atomic."""
    stat = path.stat()
    if sha256_source is None:
        sha256_source = "manifest" if release is not None and release.sha256 else "first download"
    marker = Marker(
        sha256=sha256,
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        schema_version=release.schema_version if release is not None else None,
        url=release.url if release is not None else None,
        sha256_source=sha256_source,
        verified_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    )
    _write_marker_file(path, marker)
    return marker


def _write_marker_file(path: Path, marker: Marker) -> None:
    target = marker_path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(asdict(marker), indent=1), encoding="utf-8")
    os.replace(tmp, target)
    logger.debug("recorded %s: sha256 %s, %d bytes", target, marker.sha256, marker.size)


def cache_state(path: Path, release: ReleaseFile) -> CacheState:
    """How far the cached ``path`` can be trusted as ``release``, from two ``stat`` calls."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return "missing"
    marker = read_marker(path)
    if marker is None:
        return "unmarked"
    if marker.size != stat.st_size or (release.size is not None and release.size != stat.st_size):
        return "changed"
    if (release.sha256 and marker.sha256 != release.sha256) or (
        marker.schema_version is not None and marker.schema_version != release.schema_version
    ):
        return "stale"
    if marker.mtime_ns != stat.st_mtime_ns:
        return "touched"
    return "verified"


def validate(path: Path, release: ReleaseFile, *, sha256: str | None = None) -> str:
    """Check that ``path`` is ``release``; return its sha256.

    Checks, cheapest first: the manifest's size, the SQLite header, that the file size agrees
    with the page count in the header (a truncated file does not), the manifest's sha256, the
    structure as SQLite's ``PRAGMA quick_check`` sees it (of the whole file, or of the tables
    queries read for files above :func:`synphys_ibis.settings.quick_check_max_bytes`), and that
    the metadata row's ``db_version`` equals the manifest's ``schema_version``. Without a sha256
    in the manifest, the structure check is what catches a corrupt download (bytes of a wrong
    offset, a damaged or missing page); damaged values inside an intact page pass it.

    Parameters
    ----------
    path
        The file (usually a download not yet moved into place).
    release
        What the manifest says it is.
    sha256
        The file's sha256 if already known (computed while downloading); else it is computed.

    Raises
    ------
    VerificationError
        On any mismatch; the message names the file, the expected and the found value.
    """
    size = path.stat().st_size
    if release.size is not None and size != release.size:
        raise VerificationError(
            f"{release.file}: {size} bytes, but the manifest says {release.size} bytes"
        )
    _check_sqlite(path, release.file)
    digest = sha256 or file_sha256(path)
    if release.sha256 and digest != release.sha256:
        raise VerificationError(
            f"{release.file}: sha256 {digest} does not match the manifest's {release.sha256}; "
            "the download is corrupt or the manifest is out of date"
        )
    _check_structure(path, release.file)
    try:
        found = read_schema_version(path)
    except NotAReleaseError as err:
        raise VerificationError(f"{release.file}: {err}") from err
    if found != release.schema_version:
        raise VerificationError(
            f"{release.file}: its metadata records schema version {found!r}, but the manifest "
            f"says {release.schema_version!r}; the manifest or the file is wrong"
        )
    return digest


def verify_file(path: Path, release: ReleaseFile | None, *, remove_bad: bool = False) -> CacheCheck:
    """Re-hash and re-check the cached ``path`` against its marker and ``release``.

    The sha256 is compared with the one the marker recorded (the manifest's, or that of the
    first download), and the file is checked again as :func:`validate` checks a download
    (structure included); every problem found is reported. A file that passes gets a fresh
    marker; a file that fails is deleted with its marker when ``remove_bad`` is true, so that the
    next fetch downloads it again.
    """
    size = path.stat().st_size
    marker = read_marker(path)
    digest = file_sha256(path)
    problems = []
    if marker is not None and marker.sha256 != digest:
        problems.append(
            f"{path.name}: sha256 {digest} differs from {marker.sha256} recorded at "
            f"{marker.verified_at}; the file changed after it was verified"
        )
    try:
        if release is not None:
            validate(path, release, sha256=digest)
        else:
            _check_sqlite(path, path.name)
            _check_structure(path, path.name)
    except VerificationError as err:
        problems.append(str(err))
    if problems:
        removed = False
        if remove_bad:
            discard(path)
            removed = True
        return CacheCheck(
            path.name, path, size, digest, ok=False, problem="; ".join(problems), removed=removed
        )
    if release is None and marker is not None:  # keep what the download recorded
        stat = path.stat()
        refreshed = replace(marker, size=stat.st_size, mtime_ns=stat.st_mtime_ns)
        _write_marker_file(path, refreshed)
    else:
        source = marker.sha256_source if marker is not None else None
        write_marker(path, release, sha256=digest, sha256_source=source)
    return CacheCheck(path.name, path, size, digest, ok=True)


def discard(path: Path) -> None:
    """Delete a cached release file and its marker."""
    path.unlink(missing_ok=True)
    marker_path(path).unlink(missing_ok=True)


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove the temporaries that killed downloads of ``path`` left; return what was removed.

    Call it holding :func:`download_lock` of ``path``: every ``.download`` directory of
    ``path`` then belongs to a process that is gone (only the lock holder has one). A marker's
    ``.<name>.<pid>.tmp`` is removed only when no process has that pid. The ``.part`` file
    is not a temporary: the next download resumes it.
    """
    removed = []
    try:
        entries = list(path.parent.iterdir())
    except FileNotFoundError:
        return []
    own = staging_dir(path)
    for entry in entries:
        name = entry.name
        stale = False
        if name.startswith(f".{path.name}.") and name.endswith(_STAGING_SUFFIX):
            stale = entry != own
        elif (match := _PID_TEMPORARY.match(name)) and match["name"] == marker_path(path).name:
            stale = not locks.process_exists(int(match["pid"]))
        if stale:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            logger.info("removed %s, left by a download that did not finish", entry)
            removed.append(entry)
    return removed


def list_cache(cache_dir: str | os.PathLike[str] | None = None) -> list[CachedFile]:
    """Release files and partial downloads in the cache, by name."""
    directory = releases_dir(cache_dir)
    if not directory.is_dir():
        return []
    found = []
    for entry in sorted(directory.iterdir()):
        if not entry.is_file():
            continue
        if entry.name.endswith(".sqlite"):
            marker = read_marker(entry)
            stat = entry.stat()
            verified = marker is not None and (marker.size, marker.mtime_ns) == (
                stat.st_size,
                stat.st_mtime_ns,
            )
            status: Literal["verified", "unverified", "partial"]
            status = "verified" if verified else "unverified"
            found.append(CachedFile(entry.name, entry, stat.st_size, status))
        elif entry.name.endswith(".sqlite.part"):
            name = entry.name.removesuffix(".part")
            found.append(CachedFile(name, entry, entry.stat().st_size, "partial"))
    return found


def _check_sqlite(path: Path, name: str) -> None:
    try:
        check_sqlite_header(path)
    except NotAReleaseError as err:
        raise VerificationError(f"{name}: {err}") from err
    with open(path, "rb") as fh:
        header = fh.read(_SQLITE_HEADER_BYTES)
    if len(header) < _SQLITE_HEADER_BYTES:
        raise VerificationError(f"{name}: {len(header)} bytes is too short for a SQLite database")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    n_pages = int.from_bytes(header[28:32], "big")
    size = path.stat().st_size
    if page_size < 512 or size % page_size:
        raise VerificationError(
            f"{name}: {size} bytes is not a whole number of {page_size}-byte pages; "
            "the file is truncated or damaged"
        )
    # the in-header page count is valid when 'version-valid-for' equals the change counter
    if n_pages and header[24:28] == header[92:96] and n_pages * page_size != size:
        raise VerificationError(
            f"{name}: {size} bytes, but its header says {n_pages} pages of {page_size} bytes "
            f"({n_pages * page_size} bytes); the file is truncated or damaged"
        )


def _check_structure(path: Path, name: str) -> None:
    size = path.stat().st_size
    limit = settings.quick_check_max_bytes()
    tables = None
    scope = "the whole file"
    if size > limit:
        from synphys_ibis.engines.native import NATIVE_TABLES

        tables = NATIVE_TABLES
        scope = (
            f"the tables queries read (the file is {size / 1e9:.1f} GB, above "
            f"SYNPHYS_IBIS_QUICK_CHECK_MAX_GB={limit / 1e9:g})"
        )
    started = time.perf_counter()
    try:
        problems = check_structure(path, tables=tables)
    except NotAReleaseError as err:
        raise VerificationError(f"{name}: {err}") from err
    logger.debug(
        "quick_check of %s (%s): %d problems in %.2f s",
        name, scope, len(problems), time.perf_counter() - started,
    )  # fmt: skip
    if problems:
        shown = "; ".join(problems[:3]) + (" ..." if len(problems) > 3 else "")
        raise VerificationError(
            f"{name}: SQLite's PRAGMA quick_check of {scope} finds the file damaged ({shown}); "
            "it is not a faithful copy of the release"
        )
