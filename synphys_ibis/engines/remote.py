"""Reading a remote Parquet dataset with few, concurrent requests.

A dataset's manifest lists every file with its size, so nothing needs to be asked of the server
to open one but the Parquet footers. :class:`DatasetFiles` keeps, per opened dataset:

* the size of every file (from the manifest: no ``HEAD`` request, ever);
* the tail of every file (its footer), fetched for all files at once when the dataset is opened
  (one batch of concurrent range requests) and kept;
* a bounded in-memory cache of the blocks queries have read (``MEMORY_CACHE_BYTES``, least
  recently used dropped first), so a warm query reads what it read before from memory.

Missing blocks of one read are fetched in one request per contiguous run, concurrently
(``cat_ranges``). :func:`dataset_filesystem` wraps it in an fsspec filesystem that DuckDB reads
through (``con.register_filesystem``). With ``cache_storage`` the underlying filesystem is first
wrapped in fsspec's ``blockcache``: blocks are kept on local disk across processes.

A server that ignores ``Range`` (``python -m http.server``) is detected on the first read and
refused with :class:`RangeRequestsUnsupportedError`, which says what to do instead.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from fsspec.spec import AbstractBufferedFile, AbstractFileSystem

from synphys_ibis.errors import SynphysError

__all__ = [
    "BLOCK_BYTES",
    "MEMORY_CACHE_BYTES",
    "TAIL_BYTES",
    "DatasetFiles",
    "RangeRequestsUnsupportedError",
    "block_cached",
    "dataset_filesystem",
]

logger = logging.getLogger("synphys_ibis")

#: Bytes of each file's end fetched when the dataset is opened (a footer is usually smaller).
TAIL_BYTES = 64 * 1024
#: Granularity of the block cache: a read fetches the blocks it touches that are not cached.
BLOCK_BYTES = 1024**2
#: Most bytes of blocks kept in memory per dataset.
MEMORY_CACHE_BYTES = 256 * 1024**2
#: Epoch "modification time" of every file: datasets are immutable once published.
_MTIME = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


class RangeRequestsUnsupportedError(SynphysError, OSError):
    """The server of a remote dataset ignores HTTP ``Range`` requests."""

    @classmethod
    def for_url(cls, url: str) -> RangeRequestsUnsupportedError:
        return cls(
            f"the server of {url} ignores HTTP Range requests (it sent the whole file for a byte "
            f"range), so a dataset cannot be read from it lazily; serve the dataset with a "
            f"Range-capable server (nginx, Apache, caddy, any object store; not "
            f"`python -m http.server`), or download it with fsspec or rsync and open it locally "
            f"(SynphysDatabase.load_parquet('/local/copy'))"
        )


class DatasetFiles:
    """The files of one remote dataset: sizes, footers and read blocks, read once and kept.

    Parameters
    ----------
    fs
        The fsspec filesystem the files are read with.
    sizes
        ``{url: size in bytes}`` of every file (from the manifest).
    block_bytes, memory_bytes, tail_bytes
        See :data:`BLOCK_BYTES`, :data:`MEMORY_CACHE_BYTES`, :data:`TAIL_BYTES`.
    """

    def __init__(
        self,
        fs: Any,
        sizes: Mapping[str, int],
        *,
        block_bytes: int = BLOCK_BYTES,
        memory_bytes: int = MEMORY_CACHE_BYTES,
        tail_bytes: int = TAIL_BYTES,
    ) -> None:
        self.fs = fs
        self.sizes = dict(sizes)
        self.block_bytes = block_bytes
        self.memory_bytes = memory_bytes
        self.tail_bytes = tail_bytes
        self.tails: dict[str, tuple[int, bytes]] = {}
        self.blocks: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self.cached_bytes = 0
        self.requests = 0
        self._lock = threading.Lock()

    # -- fetching
    def _fetch(self, ranges: list[tuple[str, int, int]]) -> list[bytes]:
        """The bytes of every ``(url, start, end)``, requested concurrently."""
        if not ranges:
            return []
        paths, starts, ends = (list(x) for x in zip(*ranges, strict=True))
        with self._lock:
            self.requests += len(ranges)
        if len(ranges) == 1:
            results: list[Any] = [self.fs.cat_file(paths[0], start=starts[0], end=ends[0])]
        else:
            results = self.fs.cat_ranges(paths, starts, ends, on_error="return")
        out = []
        for (url, start, end), data in zip(ranges, results, strict=True):
            if isinstance(data, BaseException):
                raise data
            if len(data) > end - start:
                raise RangeRequestsUnsupportedError.for_url(url)
            if len(data) != end - start:
                raise OSError(f"{url}: asked for bytes {start}-{end}, received {len(data)} bytes")
            out.append(bytes(data))
        return out

    def prefetch_tails(self, urls: Iterable[str] | None = None) -> None:
        """Fetch the last :attr:`tail_bytes` of every file (or of ``urls``) at once."""
        wanted = [u for u in (self.sizes if urls is None else urls) if u not in self.tails]
        ranges = [(u, max(0, self.sizes[u] - self.tail_bytes), self.sizes[u]) for u in wanted]
        ranges = [r for r in ranges if r[2] > r[1]]
        for (url, start, _), data in zip(ranges, self._fetch(ranges), strict=True):
            self.tails[url] = (start, data)

    def read(self, url: str, start: int, end: int) -> bytes:
        """Bytes ``start:end`` of the file at ``url``."""
        end = min(end, self.sizes[url])
        if end <= start:
            return b""
        tail = self.tails.get(url)
        if tail is not None and start >= tail[0]:
            return tail[1][start - tail[0] : end - tail[0]]
        size, block = self.sizes[url], self.block_bytes
        first, last = start // block, (end - 1) // block
        with self._lock:
            held = {i: self.blocks.get((url, i)) for i in range(first, last + 1)}
            for i, data in held.items():
                if data is not None:
                    self.blocks.move_to_end((url, i))
        runs: list[tuple[int, int]] = []  # contiguous runs of missing blocks
        for i in range(first, last + 1):
            if held[i] is None:
                if runs and runs[-1][1] == i:
                    runs[-1] = (runs[-1][0], i + 1)
                else:
                    runs.append((i, i + 1))
        ranges = [(url, a * block, min(size, b * block)) for a, b in runs]
        for (a, b), data in zip(runs, self._fetch(ranges), strict=True):
            for i in range(a, b):
                held[i] = data[(i - a) * block : (i - a + 1) * block]
            self._keep(url, a, b, data)
        joined = b"".join(held[i] or b"" for i in range(first, last + 1))
        return joined[start - first * block : end - first * block]

    def _keep(self, url: str, a: int, b: int, data: bytes) -> None:
        block = self.block_bytes
        with self._lock:
            for i in range(a, b):
                piece = data[(i - a) * block : (i - a + 1) * block]
                if (url, i) not in self.blocks:
                    self.blocks[(url, i)] = piece
                    self.cached_bytes += len(piece)
            while self.cached_bytes > self.memory_bytes and self.blocks:
                _, dropped = self.blocks.popitem(last=False)
                self.cached_bytes -= len(dropped)


class _DatasetFile(AbstractBufferedFile):
    """A read-only file of a dataset whose reads go through :class:`DatasetFiles`."""

    def __init__(self, fs: _DatasetFileSystem, path: str) -> None:
        self.files = fs.files
        super().__init__(
            fs, path, mode="rb", block_size=fs.files.block_bytes, cache_type="none",
            size=fs.files.sizes[path],
        )  # fmt: skip

    def _fetch_range(self, start: int, end: int) -> bytes:
        return self.files.read(self.path, start, end)


class _DatasetFileSystem(AbstractFileSystem):
    """The files a manifest lists, served from :class:`DatasetFiles`; others from ``files.fs``."""

    cachable = False

    def __init__(self, files: DatasetFiles, protocol: str | tuple[str, ...]) -> None:
        super().__init__()
        self.files = files
        self.protocol = protocol

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        return path

    def _open(self, path: str, mode: str = "rb", **kwargs: Any) -> Any:
        if path in self.files.sizes and mode == "rb":
            return _DatasetFile(self, path)
        return self.files.fs.open(path, mode, **kwargs)

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        if path in self.files.sizes:
            return {"name": path, "size": self.files.sizes[path], "type": "file"}
        return dict(self.files.fs.info(path, **kwargs))

    def exists(self, path: str, **kwargs: Any) -> bool:
        if path in self.files.sizes:
            return True
        try:
            self.files.fs.info(path, **kwargs)
        except FileNotFoundError:
            return False
        return True

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        entry = self.info(path)
        return [entry] if detail else [path]

    def glob(self, path: str, **kwargs: Any) -> list[str]:
        return [path] if self.exists(path) else []

    def modified(self, path: str) -> datetime.datetime:
        return _MTIME


def block_cached(fs: Any, cache_storage: str | Path) -> Any:
    """``fs`` behind fsspec's ``blockcache``: the blocks read are kept in ``cache_storage``."""
    from fsspec.implementations.cached import CachingFileSystem

    Path(cache_storage).mkdir(parents=True, exist_ok=True)
    return CachingFileSystem(
        fs=fs, cache_storage=str(cache_storage), check_files=False, expiry_time=False
    )


def dataset_filesystem(
    fs: Any,
    sizes: Mapping[str, int],
    *,
    protocol: str | tuple[str, ...] | None = None,
    block_bytes: int = BLOCK_BYTES,
    prefetch: bool = True,
) -> Any:
    """An fsspec filesystem serving the files ``sizes`` lists through a :class:`DatasetFiles`.

    ``protocol`` is that of the URLs (default: ``fs``'s; give it when ``fs`` wraps another
    filesystem, as ``blockcache`` does). ``block_bytes`` is the block size of the cache. With
    ``prefetch``, the footers of every file are fetched now, concurrently.

    Raises
    ------
    RangeRequestsUnsupportedError
        If the server ignores Range requests.
    """
    files = DatasetFiles(fs, sizes, block_bytes=block_bytes)
    if prefetch:
        files.prefetch_tails()
    return _DatasetFileSystem(files, fs.protocol if protocol is None else protocol)
