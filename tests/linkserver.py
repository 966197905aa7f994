"""A local HTTP server for the link checker's tests: 127.0.0.1 only, never a real host."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW_SECONDS = 2.0
HOLD_SECONDS = 0.2
# path -> (status, headers) for every request; stateful paths are handled in the handler
FIXED: dict[str, tuple[int, dict[str, str]]] = {
    "/ok": (200, {}),
    "/missing": (404, {}),
    "/gone": (410, {}),
    "/r1": (301, {"Location": "/r2"}),
    "/r2": (301, {"Location": "/ok"}),
    "/r-missing": (302, {"Location": "/missing"}),
    "/loop-a": (301, {"Location": "/loop-b"}),
    "/loop-b": (301, {"Location": "/loop-a"}),
    "/busy-forever": (429, {"Retry-After": "3600"}),
    "/teapot": (418, {}),
}


class Server:
    """Counts requests per path; `base` is http://127.0.0.1:PORT."""

    def __init__(self, httpd: ThreadingHTTPServer) -> None:
        self.httpd = httpd
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.base = f"http://127.0.0.1:{httpd.server_address[1]}"

    def url(self, path: str) -> str:
        """The full URL of path on this server."""
        return self.base + path


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            with server.lock:
                server.hits[self.path] += 1
                count = server.hits[self.path]
            status, headers = self._answer(count)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _answer(self, count: int) -> tuple[int, dict[str, str]]:
            if self.path in FIXED:
                return FIXED[self.path]
            if self.path == "/busy":  # 429 with Retry-After once, then fine
                return (429, {"Retry-After": "1"}) if count == 1 else (200, {})
            if self.path == "/flaky":  # 503 twice, then fine
                return (503, {}) if count <= 2 else (200, {})
            if self.path == "/slow":
                time.sleep(SLOW_SECONDS)
                return 200, {}
            if self.path.startswith("/hold"):  # counts how many requests overlap
                return self._hold()
            return 404, {}

        def _hold(self) -> tuple[int, dict[str, str]]:
            with server.lock:
                server.in_flight += 1
                server.most_in_flight = max(server.most_in_flight, server.in_flight)
            time.sleep(HOLD_SECONDS)
            with server.lock:
                server.in_flight -= 1
            return 200, {}

    return Handler


@contextmanager
def serving() -> Iterator[Server]:
    """Start the server on a free port of 127.0.0.1; stop it afterwards."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server = Server(httpd)
    httpd.RequestHandlerClass = _handler(server)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
