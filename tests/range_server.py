"""An HTTP server on 127.0.0.1 that serves a directory with Range requests and optional latency.

Every request is logged as ``(method, path, bytes sent)``. ``latency`` seconds are slept before
each response (a remote object store is ~20 ms away); ``ranges=False`` makes it ignore Range
headers like ``python -m http.server``. Used by ``tests/test_parquet.py`` and
``benchmarks/remote.py``.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["RangeServer"]


class RangeServer:
    """Serve ``root`` at ``http://127.0.0.1:<port>/``, logging every request."""

    def __init__(self, root: Path, *, latency: float = 0.0, ranges: bool = True) -> None:
        self.root = root
        self.latency = latency
        self.ranges = ranges
        self.log: list[tuple[str, str, int]] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0  # the most requests being answered at once since clear()
        handler = type("Handler", (_RangeHandler,), {"server_state": self})
        self.httpd = _Server(("127.0.0.1", 0), handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def bytes_for(self, prefix: str) -> int:
        with self.lock:
            return sum(n for method, path, n in self.log if path.startswith(prefix))

    def paths(self) -> set[str]:
        with self.lock:
            return {path for _, path, _ in self.log}

    def counts(self) -> Counter[str]:
        """Requests per method since the last :meth:`clear`."""
        with self.lock:
            return Counter(method for method, _, _ in self.log)

    def clear(self) -> None:
        with self.lock:
            self.log.clear()
            self.most_in_flight = 0

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(self.latency)
            yield
        finally:
            with self.lock:
                self.in_flight -= 1

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # concurrent clients connect at once (the default backlog is 5)


class _RangeHandler(BaseHTTPRequestHandler):
    server_state: RangeServer
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _target(self) -> tuple[str, Path | None]:
        name = self.path.split("?")[0].lstrip("/")
        path = self.server_state.root / name
        return name, path if path.is_file() else None

    def _record(self, method: str, name: str, sent: int) -> None:
        with self.server_state.lock:
            self.server_state.log.append((method, name, sent))

    def do_HEAD(self) -> None:
        with self.server_state.answering():
            self._head()

    def do_GET(self) -> None:
        with self.server_state.answering():
            self._get()

    def _head(self) -> None:
        name, path = self._target()
        self._record("HEAD", name, 0)
        if path is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(path.stat().st_size))
        if self.server_state.ranges:
            self.send_header("Accept-Ranges", "bytes")
        self.end_headers()

    def _get(self) -> None:
        name, path = self._target()
        if path is None:
            self._record("GET", name, 0)
            self.send_error(404)
            return
        data = path.read_bytes()
        match = re.match(r"^bytes=(\d+)-(\d*)$", self.headers.get("Range") or "")
        if match and self.server_state.ranges:
            start = int(match[1])
            end = min(int(match[2]) if match[2] else len(data) - 1, len(data) - 1)
            body = data[start : end + 1]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        else:
            body = data
            self.send_response(200)
        self._record("GET", name, len(body))
        self.send_header("Content-Length", str(len(body)))
        if self.server_state.ranges:
            self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)
