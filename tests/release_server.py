"""A real HTTP server on 127.0.0.1 serving release files, with misbehaviour the tests control.

Modes per file name: ``ok`` (Range requests answered with 206, ETag and If-Range honoured),
``no_range`` (Range ignored, always 200), ``truncate`` (every response announces the full length
but the connection closes after half the body), ``truncate_once`` (only the first response is cut),
``error`` (HTTP 500) and ``slow`` (``ok``, with a pause after every 64 KiB). Faults of broken
mirrors: ``resume_from_zero`` (the first response is cut; a resumed request gets a 206 whose
``Content-Range`` names the asked-for offset but whose body starts again at byte 0),
``wrong_range`` (the first response is cut; a resumed request gets a 206 with a ``Content-Range``
starting at byte 0 and the whole file), ``flip`` (4 KiB in the middle of the file inverted) and
``short_close`` (no ``Content-Length``: the body stops half-way, at a page boundary, and the
connection closes as if the file ended there). Every request is logged as
``(method, name, Range header, status)``.
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
        if mode != "short_close":
            self.send_header("Content-Length", str(len(data) - start))
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        if start:
            first = 0 if mode == "wrong_range" else start
            self.send_header("Content-Range", f"bytes {first}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        body = memoryview(_faulty(data, mode))[start:]
        if mode == "resume_from_zero" and start:
            body = memoryview(data)[: len(data) - start]  # the right length, the wrong bytes
        elif mode == "wrong_range" and start:
            body = memoryview(data)
        elif mode == "short_close":
            body = body[: len(body) // 2 // 4096 * 4096]
        cut_once = mode in ("truncate_once", "resume_from_zero", "wrong_range")
        if mode == "truncate" or (cut_once and server.cut_now(name)):
            body = body[: len(body) // 2]  # announce everything, send half, close (HTTP/1.0)
        for offset in range(0, len(body), _CHUNK):
            try:
                self.wfile.write(body[offset : offset + _CHUNK])
            except (BrokenPipeError, ConnectionResetError):
                return
            if mode == "slow":
                time.sleep(server.slow_pause)


def _faulty(data: bytes, mode: str) -> bytes:
    """``data`` as the mirror in ``mode`` serves it from byte 0."""
    if mode != "flip":
        return data
    middle = len(data) // 2 // 4096 * 4096
    flipped = bytes(b ^ 0xFF for b in data[middle : middle + 4096])
    return data[:middle] + flipped + data[middle + 4096 :]
