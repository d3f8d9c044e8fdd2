"""A real HTTP server on 127.0.0.1 serving release files, with misbehaviour the tests control.

Modes per file name: ``ok`` (Range requests answered with 206, ETag and If-Range honoured),
``no_range`` (Range ignored, always 200), ``truncate`` (every response announces the full length
but the connection closes after half the body), ``truncate_once`` (only the first response is cut),
``error`` (HTTP 500) and ``slow`` (``ok``, with a pause after every 64 KiB). Every request is
logged as ``(method, name, Range header, status)``.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_CHUNK = 64 * 1024


class ReleaseServer:
    """Serve the files of ``root`` at ``http://127.0.0.1:<port>/<name>``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.modes: dict[str, str] = {}
        self.slow_pause = 0.05
        self.log: list[tuple[str, str, str | None, int]] = []
        self._lock = threading.Lock()
        self._cut: set[str] = set()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> ReleaseServer:
        handler = type("Handler", (_Handler,), {"release_server": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def requests_for(self, name: str) -> list[tuple[str, str, str | None, int]]:
        with self._lock:
            return [entry for entry in self.log if entry[1] == name]

    def record(self, method: str, name: str, range_header: str | None, status: int) -> None:
        with self._lock:
            self.log.append((method, name, range_header, status))

    def cut_now(self, name: str) -> bool:
        """For ``truncate_once``: whether this response is the one to cut."""
        with self._lock:
            if name in self._cut:
                return False
            self._cut.add(name)
            return True


class _Handler(BaseHTTPRequestHandler):
    release_server: ReleaseServer

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        server = self.release_server
        name = self.path.lstrip("/").split("?")[0]
        range_header = self.headers.get("Range")
        path = server.root / name
        mode = server.modes.get(name, "ok")
        if not path.is_file():
            server.record("GET", name, range_header, 404)
            self.send_error(404)
            return
        if mode == "error":
            server.record("GET", name, range_header, 500)
            self.send_error(500, "synthetic failure")
            return
        data = path.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        start = 0
        match = re.match(r"^bytes=(\d+)-$", range_header or "")
        if_range = self.headers.get("If-Range")
        if match and mode not in ("no_range", "truncate") and if_range in (None, etag):
            start = int(match[1])
        if start >= len(data) and start:
            server.record("GET", name, range_header, 416)
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(data)}")
            self.end_headers()
            return
        status = 206 if start else 200
        server.record("GET", name, range_header, status)
        self.send_response(status)
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        body = memoryview(data)[start:]
        if mode == "truncate" or (mode == "truncate_once" and server.cut_now(name)):
            body = body[: len(body) // 2]  # announce everything, send half, close (HTTP/1.0)
        for offset in range(0, len(body), _CHUNK):
            try:
                self.wfile.write(body[offset : offset + _CHUNK])
            except (BrokenPipeError, ConnectionResetError):
                return
            if mode == "slow":
                time.sleep(server.slow_pause)
