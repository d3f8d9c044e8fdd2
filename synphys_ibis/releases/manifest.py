"""Release manifests: parse, validate and order the list of published release files.

A manifest is JSON in the upstream format (aisynphys' ``download_urls.json``)::

    {"default_url_path": "https://allen-synphys.s3-us-west-2.amazonaws.com",
     "databases": [{"file": "synphys_r2.1_small.sqlite", "schema_version": "22"},
                   {"file": "synphys_r1.0_small.sqlite", "schema_version": "15",
                    "aliases": ["synphys_r1.0_2019-08-29_small.sqlite"]}]}

Each ``databases`` entry may also carry ``url`` (instead of ``default_url_path/file``),
``sha256`` and ``size`` (bytes), and, for a file whose name does not follow the published pattern,
``release_version`` and ``db_size``; other keys are ignored. A ``default_url_path`` without a
scheme is a directory: absolute, or relative to the manifest file.

Release files are ordered like aisynphys orders them: by release version, a pre-release
(``2.0-pre3``) before its release (``2.0``); within a release the manifest order is kept.

Examples
--------
>>> from synphys_ibis.releases.manifest import parse_manifest
>>> manifest = parse_manifest({
...     "default_url_path": "https://example.org/synphys",
...     "databases": [{"file": "synphys_r2.0_small.sqlite", "schema_version": "22"},
...                   {"file": "synphys_r2.0-pre1_small.sqlite", "schema_version": 16}]})
>>> [f.file for f in manifest.files]
['synphys_r2.0-pre1_small.sqlite', 'synphys_r2.0_small.sqlite']
>>> manifest.lookup("synphys_r2.0_small.sqlite").url
'https://example.org/synphys/synphys_r2.0_small.sqlite'
>>> manifest.files[0].release_version, manifest.files[0].db_size, manifest.files[0].schema_version
('2.0-pre1', 'small', '16')
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeAlias

from synphys_ibis.errors import ManifestError

__all__ = [
    "DB_SIZES",
    "Manifest",
    "ManifestError",
    "ReleaseFile",
    "bundled_manifest",
    "is_url",
    "parse_manifest",
    "parse_release_name",
    "read_manifest",
    "release_sort_key",
]

logger = logging.getLogger("synphys_ibis")

#: Sizes of the published releases, smallest first.
DB_SIZES: tuple[str, ...] = ("small", "medium", "full")
#: A release size.
DbSize: TypeAlias = Literal["small", "medium", "full"]

# synphys_r<major>.<minor>[-pre<N>][_<date>]_<small|medium|full>.sqlite (anchored, '.' escaped:
# stricter than aisynphys' re.match, which accepts anything after the size)
_NAME_RE = re.compile(
    r"^synphys_r(?P<release>\d+\.\d+(?:-pre\d+)?)(?:_\d{4}-\d{2}-\d{2})?"
    r"_(?P<size>small|medium|full)\.sqlite$"
)
_RELEASE_RE = re.compile(r"^(?P<major>\d+)\.(?P<minor>\d+)(?:-pre(?P<pre>\d+))?$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_BUNDLED = "published_releases.json"


@dataclass(frozen=True)
class ReleaseFile:
    """One published release file and the names it is known by.

    Attributes
    ----------
    file
        The canonical file name; it is what gets downloaded and cached.
    aliases
        Other names of the same file (``synphys_r1.0_2019-08-29_small.sqlite``).
    url
        Where the file is served (``http(s)://``, ``file://`` or any fsspec URL).
    schema_version
        The ``db_version`` its metadata row records.
    release_version
        ``'2.1'``, ``'2.0-pre4'``, ...
    db_size
        ``'small'``, ``'medium'`` or ``'full'``.
    sha256, size
        Checksum (lower-case hex) and size in bytes, where the manifest gives them.
    """

    file: str
    url: str
    schema_version: str
    release_version: str
    db_size: str
    aliases: tuple[str, ...] = ()
    sha256: str | None = None
    size: int | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every name of the file, aliases first (the order aisynphys lists them in)."""
        return (*self.aliases, self.file)

    @property
    def sort_key(self) -> tuple[int, int, int, int]:
        """Ordering key of :attr:`release_version`."""
        return release_sort_key(self.release_version)


@dataclass(frozen=True)
class Manifest:
    """A parsed manifest: release files ordered oldest release first.

    Attributes
    ----------
    files
        The release files, sorted by :func:`release_sort_key` (stable: manifest order within a
        release).
    source
        Where the manifest came from (a path, URL or ``'<bundled>'``), for messages.
    live_manifest_url
        URL of the live upstream manifest, where the manifest names one.
    """

    files: tuple[ReleaseFile, ...]
    source: str = "<mapping>"
    live_manifest_url: str | None = None
    _by_name: dict[str, ReleaseFile] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, ReleaseFile] = {}
        for release in self.files:
            for name in release.names:
                if name in by_name:
                    raise ManifestError(f"release name {name!r} appears twice in {self.source}")
                by_name[name] = release
        object.__setattr__(self, "_by_name", by_name)

    def names(self) -> list[str]:
        """Every release name (aliases included) in listing order."""
        return [name for _, name in self.versions()]

    def versions(self) -> Iterator[tuple[ReleaseFile, str]]:
        """``(release file, name)`` for every name, oldest release first, aliases before files."""
        for release in self.files:
            for name in release.names:
                yield release, name

    def lookup(self, name: str) -> ReleaseFile | None:
        """The release file called ``name`` (file name or alias), or None."""
        return self._by_name.get(name)

    def to_json(self) -> dict[str, Any]:
        """The manifest in the upstream format, every entry with its explicit ``url``.

        :func:`parse_manifest` reads it back to an equal manifest.
        """
        databases = []
        for release in self.files:
            entry: dict[str, Any] = {
                "file": release.file,
                "schema_version": release.schema_version,
                "url": release.url,
                "release_version": release.release_version,
                "db_size": release.db_size,
            }
            if release.aliases:
                entry["aliases"] = list(release.aliases)
            if release.sha256:
                entry["sha256"] = release.sha256
            if release.size is not None:
                entry["size"] = release.size
            databases.append(entry)
        data: dict[str, Any] = {"databases": databases}
        if self.live_manifest_url:
            data["live_manifest_url"] = self.live_manifest_url
        return data


def parse_release_name(name: str) -> tuple[str, str] | None:
    """``(release_version, db_size)`` of a published file name, or None if it does not match.

    Examples
    --------
    >>> parse_release_name("synphys_r1.0_2019-08-29_medium.sqlite")
    ('1.0', 'medium')
    >>> parse_release_name("synphys_r2.0-pre5_small.sqlite")
    ('2.0-pre5', 'small')
    >>> parse_release_name("notes.txt") is None
    True
    """
    match = _NAME_RE.match(name)
    return (match["release"], match["size"]) if match else None


def release_sort_key(release_version: str) -> tuple[int, int, int, int]:
    """Key ordering release versions, a pre-release before its release.

    Examples
    --------
    >>> sorted(["2.1", "2.0", "2.0-pre2", "1.0", "2.0-pre10"], key=release_sort_key)
    ['1.0', '2.0-pre2', '2.0-pre10', '2.0', '2.1']
    """
    match = _RELEASE_RE.match(release_version)
    if match is None:
        raise ManifestError(
            f"release version {release_version!r} is not <major>.<minor>[-pre<N>], e.g. '2.1'"
        )
    pre = match["pre"]
    return (int(match["major"]), int(match["minor"]), 0 if pre else 1, int(pre or 0))


def is_url(location: str | os.PathLike[str]) -> bool:
    """Whether ``location`` is a URL (``scheme://...``) rather than a local path."""
    text = os.fspath(location)
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text) is not None


def parse_manifest(data: Mapping[str, Any], *, source: str = "<mapping>") -> Manifest:
    """Validate a manifest in the upstream format and return it parsed and ordered.

    Parameters
    ----------
    data
        The decoded JSON object.
    source
        Where it came from: used in messages, and a local path there is the base of a relative
        ``default_url_path``.

    Raises
    ------
    ManifestError
        If a required key is missing or a value is malformed; the message names the entry.
    """
    if not isinstance(data, Mapping):
        raise ManifestError(f"manifest {source} is a {type(data).__name__}, not a JSON object")
    entries = data.get("databases")
    if not isinstance(entries, list):
        raise ManifestError(f"manifest {source} has no 'databases' list")
    base = _base_url(data.get("default_url_path"), source)
    files = [_parse_entry(entry, i, base, source) for i, entry in enumerate(entries)]
    files.sort(key=lambda f: f.sort_key)  # stable: manifest order within a release
    live = data.get("live_manifest_url")
    return Manifest(
        tuple(files), source=source, live_manifest_url=live if isinstance(live, str) else None
    )


def read_manifest(location: str | os.PathLike[str], *, timeout: float = 10.0) -> Manifest:
    """Read and parse a manifest from a local path or a URL (http(s) or any fsspec URL).

    Raises
    ------
    FileNotFoundError
        If a local manifest does not exist.
    ManifestError
        If the content is not a valid manifest.
    OSError
        If a URL cannot be read (``requests`` errors are OSErrors too).
    """
    text = os.fspath(location)
    if is_url(text):
        raw = _read_url(text, timeout=timeout)
    else:
        raw = Path(text).expanduser().read_bytes()
        text = str(Path(text).expanduser().resolve())
    try:
        data = json.loads(raw)
    except ValueError as err:
        raise ManifestError(f"manifest {text} is not valid JSON: {err}") from err
    logger.debug("read release manifest %s", text)
    return parse_manifest(data, source=text)


def bundled_manifest() -> Manifest:
    """The published release list shipped with the package (no network access)."""
    raw = resources.files("synphys_ibis").joinpath("data", _BUNDLED).read_text(encoding="utf-8")
    return parse_manifest(json.loads(raw), source="<bundled>")


def _read_url(url: str, *, timeout: float) -> bytes:
    if url.startswith(("http://", "https://")):
        import requests

        response = requests.get(url, timeout=timeout)
        response.raise_for_status()
        return response.content
    import fsspec

    with fsspec.open(url, "rb") as fh:
        return fh.read()


def _base_url(value: Any, source: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ManifestError(f"manifest {source}: default_url_path={value!r} is not a URL or path")
    if is_url(value):
        return value.rstrip("/")
    directory = Path(value).expanduser()
    if not directory.is_absolute():
        if is_url(source) or source.startswith("<"):
            raise ManifestError(
                f"manifest {source}: relative default_url_path={value!r} needs a manifest file "
                "to be relative to; use an absolute path or a URL"
            )
        directory = Path(source).parent / directory
    return directory.resolve().as_uri()


def _parse_entry(entry: Any, index: int, base: str | None, source: str) -> ReleaseFile:
    where = f"manifest {source}, databases[{index}]"
    if not isinstance(entry, Mapping):
        raise ManifestError(f"{where} is a {type(entry).__name__}, not an object")
    file = entry.get("file")
    if not isinstance(file, str) or not file or "/" in file or "\\" in file:
        raise ManifestError(f"{where}: file={file!r} is not a file name")
    schema_version = entry.get("schema_version")
    if isinstance(schema_version, bool) or not isinstance(schema_version, str | int):
        raise ManifestError(
            f"{where} ({file}): schema_version={schema_version!r} is missing or invalid"
        )
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise ManifestError(f"{where} ({file}): aliases={aliases!r} is not a list of names")
    release_version, db_size = _release_and_size(entry, file, where)
    url = entry.get("url")
    if url is None:
        if base is None:
            raise ManifestError(
                f"{where} ({file}): no url, and the manifest has no default_url_path"
            )
        url = f"{base}/{file}"
    elif not isinstance(url, str) or not is_url(url):
        raise ManifestError(f"{where} ({file}): url={url!r} is not a URL")
    return ReleaseFile(
        file=file,
        url=url,
        schema_version=str(schema_version),
        release_version=release_version,
        db_size=db_size,
        aliases=tuple(aliases),
        sha256=_sha256(entry.get("sha256"), where, file),
        size=_size(entry.get("size"), where, file),
    )


def _release_and_size(entry: Mapping[str, Any], file: str, where: str) -> tuple[str, str]:
    parsed = parse_release_name(file)
    release_version = entry.get("release_version", parsed[0] if parsed else None)
    db_size = entry.get("db_size", parsed[1] if parsed else None)
    if release_version is None or db_size is None:
        raise ManifestError(
            f"{where}: file {file!r} does not match "
            "synphys_r<major>.<minor>[-pre<N>][_<date>]_<small|medium|full>.sqlite; "
            "give release_version and db_size in the entry"
        )
    if db_size not in DB_SIZES:
        raise ManifestError(
            f"{where} ({file}): db_size={db_size!r}; allowed: {', '.join(DB_SIZES)}"
        )
    release_version = str(release_version)
    try:
        release_sort_key(release_version)
    except ManifestError as err:
        raise ManifestError(f"{where} ({file}): {err}") from err
    return release_version, db_size


def _sha256(value: Any, where: str, file: str) -> str | None:
    if value is None:
        return None
    text = str(value).lower().removeprefix("sha256:")
    if not _SHA256_RE.match(text):
        raise ManifestError(f"{where} ({file}): sha256={value!r} is not 64 hex digits")
    return text


def _size(value: Any, where: str, file: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ManifestError(f"{where} ({file}): size={value!r} is not a byte count")
    return value
