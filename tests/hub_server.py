"""A loopback stand-in for the Hugging Face hub's file endpoint, for download tests.

Serves ``HEAD``/``GET /{repo}/resolve/{revision}/{file}`` with the headers the hub sends
(X-Repo-Commit, X-Linked-Etag = the file's SHA-256, X-Linked-Size), byte ranges, and the
hub's error codes. Faults on request: drop the connection mid-file, stall, or 404.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class HostedFile:
    data: bytes
    commit: str = "a" * 40
    drop_after: list[int] = field(default_factory=list)  # per GET, bytes before hanging up
    delay_s: float = 0.0  # between chunks, so a test can cancel mid-file
    reported_sha256: str | None = None  # a hub whose report disagrees with its bytes

    @property
    def sha256(self) -> str:
        return self.reported_sha256 or hashlib.sha256(self.data).hexdigest()


class Hub:
    def __init__(self) -> None:
        self.files: dict[tuple[str, str], HostedFile] = {}
        self.gated: set[str] = set()
        self.bytes_sent = 0
        self.ranges: list[str | None] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_HEAD(self) -> None:
                hub.answer(self, body=False)

            def do_GET(self) -> None:
                hub.answer(self, body=True)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def host(self, repo: str, file: str, data: bytes, **faults) -> HostedFile:
        hosted = HostedFile(data, **faults)
        self.files[(repo, file)] = hosted
        return hosted

    def answer(self, request: BaseHTTPRequestHandler, body: bool) -> None:
        parts = request.path.lstrip("/").split("/")
        if len(parts) < 5 or parts[2] != "resolve":
            return self.error(request, 404, "RepoNotFound")
        repo, revision, name = "/".join(parts[:2]), parts[3], "/".join(parts[4:])
        if repo in self.gated:
            return self.error(request, 401, "GatedRepo")
        if not any(key[0] == repo for key in self.files):
            return self.error(request, 404, "RepoNotFound")
        hosted = self.files.get((repo, name))
        if hosted is None:
            return self.error(request, 404, "EntryNotFound")
        if revision not in ("main", hosted.commit):
            return self.error(request, 404, "RevisionNotFound")
        start = 0
        header = request.headers.get("Range")
        if body:
            self.ranges.append(header)
        if header and header.startswith("bytes="):
            start = int(header[6:].split("-")[0])
        chunk = hosted.data[start:]
        request.send_response(206 if start else 200)
        request.send_header("X-Repo-Commit", hosted.commit)
        request.send_header("X-Linked-Etag", f'"{hosted.sha256}"')
        request.send_header("X-Linked-Size", str(len(hosted.data)))
        request.send_header("ETag", f'"{hosted.sha256}"')
        request.send_header("Accept-Ranges", "bytes")
        request.send_header("Content-Length", str(len(chunk)))
        if start:
            request.send_header("Content-Range",
                                f"bytes {start}-{len(hosted.data) - 1}/{len(hosted.data)}")
        request.end_headers()
        if not body:
            return
        limit = hosted.drop_after.pop(0) if hosted.drop_after else len(chunk)
        sent = 0
        try:
            while sent < min(limit, len(chunk)):
                piece = chunk[sent:min(limit, sent + 64 * 1024)]
                request.wfile.write(piece)
                sent += len(piece)
                self.bytes_sent += len(piece)
                if hosted.delay_s:
                    time.sleep(hosted.delay_s)
        except (BrokenPipeError, ConnectionResetError):
            return
        if sent < len(chunk):
            request.close_connection = True
            request.wfile.flush()
            request.connection.shutdown(2)

    def error(self, request: BaseHTTPRequestHandler, status: int, code: str) -> None:
        request.send_response(status)
        request.send_header("X-Error-Code", code)
        request.send_header("Content-Length", "0")
        request.end_headers()

