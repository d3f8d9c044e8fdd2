"""pooch downloaders that resume: HTTP(S) with Range requests, and any fsspec URL.

pooch's own HTTP downloader starts again from byte 0 after every failure and rejects ``file://``
and other fsspec URLs. The downloaders here are pooch downloaders (callables
``(url, output_file, pooch)``) that write into a fixed ``<name>.part`` file beside the cache, so a
later call -- in this process or another -- continues where a dropped connection or a killed
process stopped. Only when every byte has arrived is the partial file moved onto pooch's
temporary ``output_file``; pooch (and the caller's verification) decide whether it is published.

A ``<name>.part.json`` sidecar records the URL, the total size and the server's validator (ETag or
Last-Modified, sent back as ``If-Range``) so that a partial file is never completed with bytes of
another URL or of a changed file. The SHA-256 of the file is computed while it streams, so the
caller needs no second pass over the data (:attr:`ResumableHTTPDownloader.sha256`).

Examples
--------
A ``file://`` URL goes through fsspec; pooch is optional for calling a downloader directly:

>>> import pathlib, tempfile
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> _ = (tmp / "source.bin").write_bytes(b"x" * 1000)
>>> download = downloader_for((tmp / "source.bin").as_uri(), tmp / "copy.bin.part",
...                           progressbar=False)
>>> download((tmp / "source.bin").as_uri(), str(tmp / "copy.bin"), None)
>>> (tmp / "copy.bin").stat().st_size, download.sha256[:12]
(1000, '44f8354494a5')
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from synphys_ibis.errors import DownloadError

__all__ = ["FSSpecDownloader", "ResumableHTTPDownloader", "downloader_for"]

logger = logging.getLogger("synphys_ibis")

_CHUNK = 256 * 1024
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")
_TRANSIENT_STATUS = {408, 429, 502, 503, 504}


class _Interrupted(Exception):
    """An attempt stopped before the last byte; the partial file is kept for the next one."""


class _PartFile:
    """The ``.part`` file a download streams into, its sidecar and the running SHA-256."""

    def __init__(self, path: Path, url: str) -> None:
        self.path = path
        self.state_path = path.with_name(path.name + ".json")
        self.url = url
        self.total: int | None = None
        self.validator: str | None = None
        self._hasher = hashlib.sha256()
        self._hashed = 0
        state = self._read_state()
        if state is None or state.get("url") != url:
            if self.path.exists():
                logger.debug("discarding partial download %s (other or unknown source)", path)
            self.discard()
        else:
            self.total = state.get("total")
            self.validator = state.get("validator")

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
        self.state_path.unlink(missing_ok=True)
        self._hasher, self._hashed = hashlib.sha256(), 0

    def begin(self, start: int, total: int | None, validator: str | None) -> None:
        """Cut the partial file to ``start`` bytes and make the hash cover exactly those."""
        if total != self.total or validator != self.validator or start < self._hashed:
            self._hasher, self._hashed = hashlib.sha256(), 0
        self.total, self.validator = total, validator
        self.path.parent.mkdir(parents=True, exist_ok=True)
        state = {"url": self.url, "total": total, "validator": validator}
        self.state_path.write_text(json.dumps(state), encoding="utf-8")
        with open(self.path, "ab") as fh:
            fh.truncate(start)
        if self._hashed < start:
            with open(self.path, "rb") as fh:
                fh.seek(self._hashed)
                while chunk := fh.read(min(_CHUNK, start - self._hashed)):
                    self._hasher.update(chunk)
                    self._hashed += len(chunk)

    @contextmanager
    def appending(self) -> Iterator[Any]:
        with open(self.path, "ab") as fh:
            yield self._Writer(self, fh)

    class _Writer:
        def __init__(self, part: _PartFile, fh: Any) -> None:
            self.part, self.fh = part, fh

        def write(self, chunk: bytes) -> None:
            self.fh.write(chunk)
            self.part._hasher.update(chunk)
            self.part._hashed += len(chunk)

    def publish(self, output_file: str | os.PathLike[str]) -> str:
        """Move the complete file onto ``output_file``; return its SHA-256."""
        digest = self._hasher.hexdigest()
        os.replace(self.path, output_file)
        self.state_path.unlink(missing_ok=True)
        return digest

    def _read_state(self) -> dict[str, Any] | None:
        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return state if isinstance(state, dict) else None


class _Base:
    def __init__(
        self,
        part_file: str | os.PathLike[str],
        *,
        expected_size: int | None = None,
        progressbar: bool = True,
        desc: str | None = None,
        chunk_size: int = _CHUNK,
    ) -> None:
        self.part_file = Path(part_file)
        self.expected_size = expected_size
        self.progressbar = progressbar
        self.desc = desc or self.part_file.name.removesuffix(".part")
        self.chunk_size = chunk_size
        #: SHA-256 (hex) of the downloaded file, set when a download completes.
        self.sha256: str | None = None
        #: Offsets at which the last download continued a partial file (empty: from byte 0).
        self.resumed_at: list[int] = []

    @contextmanager
    def _bar(self) -> Iterator[Any]:
        from synphys_ibis import progress

        bar = progress.bar(
            total=self.expected_size,
            desc=self.desc,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            progress=self.progressbar,
            file=sys.stderr,
            dynamic_ncols=True,
        )
        try:
            yield bar
        finally:
            bar.close()

    def _check_total(self, part: _PartFile, total: int | None) -> None:
        if total is not None and self.expected_size is not None and total != self.expected_size:
            part.discard()
            raise DownloadError(
                f"{part.url} is {total} bytes but the manifest says {self.expected_size}; "
                "the manifest or the server is out of date"
            )


class ResumableHTTPDownloader(_Base):
    """Download over HTTP(S) into a ``.part`` file, resuming with Range requests.

    A 206 answer is used only when its ``Content-Range`` starts exactly at the size of the
    partial file. Otherwise its bytes are never appended: a warning is logged, the partial file
    is discarded and the download restarts from byte 0, without Range requests for the rest of
    the call. (A server that sends the wrong bytes under a right ``Content-Range`` cannot be
    caught here; the caller's structure check catches it, see
    :func:`synphys_ibis.releases.cache.validate`.)

    Parameters
    ----------
    part_file
        The partial file (kept between calls and processes until the download completes).
    expected_size
        Size from the manifest, if known: the progress total before the server answers, and a
        check of the server's size.
    progressbar
        Show a tqdm bar with size, rate and time left on stderr.
    desc
        Label of the bar (default: the file name).
    timeout
        ``(connect, read)`` timeouts in seconds of each request.
    max_failures
        Attempts in a row that add no bytes to the partial file before the download gives up;
        an attempt that adds bytes resets the count.
    backoff
        Seconds to wait after the first failure; doubled after each further failure.
    chunk_size
        Bytes read per iteration.

    Raises
    ------
    DownloadError
        On an HTTP error status, or when attempts stop making progress. The partial file stays
        (except on a size conflict), and the next call resumes it.
    """

    def __init__(
        self,
        part_file: str | os.PathLike[str],
        *,
        expected_size: int | None = None,
        progressbar: bool = True,
        desc: str | None = None,
        timeout: tuple[float, float] = (10.0, 60.0),
        max_failures: int = 3,
        backoff: float = 0.2,
        chunk_size: int = _CHUNK,
    ) -> None:
        super().__init__(
            part_file,
            expected_size=expected_size,
            progressbar=progressbar,
            desc=desc,
            chunk_size=chunk_size,
        )
        self.timeout = timeout
        self.max_failures = max_failures
        self.backoff = backoff
        self._use_range = True

    def __call__(self, url: str, output_file: str | os.PathLike[str], pooch: Any = None) -> None:
        import requests

        part = _PartFile(self.part_file, url)
        best, failures = part.size(), 0
        self.resumed_at, self._use_range = [], True
        with self._bar() as bar, requests.Session() as session:
            while True:
                try:
                    self._attempt(session, url, part, bar)
                    break
                except (_Interrupted, requests.ConnectionError, requests.Timeout) as err:
                    if part.size() > best:
                        best, failures = part.size(), 0
                    else:
                        failures += 1
                    if failures >= self.max_failures:
                        raise DownloadError(
                            f"downloading {url} failed: {err} ({failures} attempts without "
                            f"progress; {part.size()} bytes kept in {part.path}, which the next "
                            "call resumes)"
                        ) from err
                    wait = self.backoff * 2 ** max(failures - 1, 0)
                    logger.info(
                        "download of %s interrupted (%s); resuming in %.1f s", url, err, wait
                    )
                    time.sleep(wait)
        self.sha256 = part.publish(output_file)

    def _attempt(self, session: Any, url: str, part: _PartFile, bar: Any) -> None:
        import requests

        if not self._use_range:
            part.discard()  # this server cannot resume: every attempt starts from byte 0
        offset = part.size()
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
            if part.validator:
                headers["If-Range"] = part.validator
        logger.debug("GET %s (Range: %s)", url, headers.get("Range"))
        with session.get(url, headers=headers, stream=True, timeout=self.timeout) as response:
            start, total = self._start_and_total(response, url, part, offset)
            validator = _validator(response.headers)
            if start and part.validator and validator and validator != part.validator:
                part.discard()  # the server ignored If-Range: the file changed since
                raise _Interrupted("the file changed on the server since the partial download")
            self._check_total(part, total)
            if offset and start == 0:
                logger.debug("server sent the whole file; restarting %s from byte 0", url)
            if start:
                self.resumed_at.append(start)
            part.begin(start, total, validator)
            bar.reset(total=total)
            bar.update(start)
            try:
                with part.appending() as out:
                    for chunk in response.iter_content(chunk_size=self.chunk_size):
                        out.write(chunk)
                        bar.update(len(chunk))
            except requests.exceptions.ChunkedEncodingError as err:
                raise _Interrupted(f"connection broken at byte {part.size()}") from err
        size = part.size()
        if total is not None and size < total:
            raise _Interrupted(f"connection closed at byte {size} of {total}")
        if total is not None and size > total:
            part.discard()
            raise DownloadError(f"{url} sent {size} bytes, more than the {total} announced")

    def _start_and_total(
        self, response: Any, url: str, part: _PartFile, offset: int
    ) -> tuple[int, int | None]:
        status = response.status_code
        if status == 206:
            content_range = response.headers.get("Content-Range")
            match = _CONTENT_RANGE.match(content_range or "")
            if match is None or int(match[1]) != offset:
                # the bytes would not continue the partial file: never append them
                asked = f"'Range: bytes={offset}-'" if offset else "no Range"
                logger.warning(
                    "%s answered %s with HTTP 206 and Content-Range %r, not starting at byte %d; "
                    "discarding the %d bytes downloaded and restarting from byte 0 without "
                    "Range requests",
                    url, asked, content_range, offset, offset,
                )  # fmt: skip
                part.discard()
                self._use_range = False
                raise _Interrupted(f"unusable Content-Range {content_range!r}")
            return offset, None if match[3] == "*" else int(match[3])
        if status == 200:
            length = response.headers.get("Content-Length")
            return 0, int(length) if length and length.isdigit() else None
        if status == 416 and offset:
            part.discard()  # the partial file is not a prefix of the current file
            raise _Interrupted("the server rejected the resume range")
        if status in _TRANSIENT_STATUS:
            raise _Interrupted(f"HTTP {status} {response.reason}")
        raise DownloadError(f"HTTP {status} {response.reason} for {url}")


class FSSpecDownloader(_Base):
    """Download any fsspec URL (``file://``, ``s3://`` with s3fs, ...) into a ``.part`` file.

    A partial file is resumed by seeking when the source supports it. Parameters are those of
    :class:`ResumableHTTPDownloader` without the HTTP ones.

    Raises
    ------
    DownloadError
        If the source does not exist or reading it fails (the partial file stays).
    ImportError
        If the URL's protocol needs a package that is not installed (e.g. s3fs).
    """

    def __call__(self, url: str, output_file: str | os.PathLike[str], pooch: Any = None) -> None:
        import fsspec

        part = _PartFile(self.part_file, url)
        try:
            fs, path = fsspec.core.url_to_fs(url)
            total = _fs_size(fs, path)
            self._check_total(part, total)
            offset = part.size() if total is None or part.size() <= total else 0
            with self._bar() as bar, fs.open(path, "rb") as source:
                if offset:
                    try:
                        source.seek(offset)
                    except (OSError, ValueError):
                        offset = 0
                self.resumed_at = [offset] if offset else []
                part.begin(offset, total, None)
                bar.reset(total=total)
                bar.update(offset)
                with part.appending() as out:
                    while chunk := source.read(self.chunk_size):
                        out.write(chunk)
                        bar.update(len(chunk))
        except FileNotFoundError as err:
            part.discard()
            raise DownloadError(f"no file at {url}") from err
        except OSError as err:
            raise DownloadError(f"reading {url} failed: {err}") from err
        if total is not None and part.size() != total:
            raise DownloadError(f"reading {url} stopped at byte {part.size()} of {total}")
        self.sha256 = part.publish(output_file)


def downloader_for(
    url: str, part_file: str | os.PathLike[str], **options: Any
) -> ResumableHTTPDownloader | FSSpecDownloader:
    """The downloader for ``url``: resumable HTTP for ``http(s)://``, fsspec for anything else.

    ``options`` go to the downloader's constructor.
    """
    if url.startswith(("http://", "https://")):
        return ResumableHTTPDownloader(part_file, **options)
    return FSSpecDownloader(part_file, **options)


def _validator(headers: Any) -> str | None:
    etag = headers.get("ETag")
    if etag and not etag.startswith("W/"):
        return str(etag)
    modified = headers.get("Last-Modified")
    return str(modified) if modified else None


def _fs_size(fs: Any, path: str) -> int | None:
    try:
        size = fs.size(path)
    except FileNotFoundError:
        raise
    except Exception:  # some filesystems cannot tell; the download still works without
        return None
    return int(size) if size is not None else None
