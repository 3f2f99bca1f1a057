"""A real HTTP server on 127.0.0.1 for tests, answering each path with a function of the test's own."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

Route = Callable[[http.server.BaseHTTPRequestHandler], None]


@dataclass
class Server:
    port: int
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    # The bodies of POST requests, in order.
    bodies: list[bytes] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def send(
    handler: http.server.BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    length: bool = True,
) -> None:
    """Answer with `body`; without `length` the body ends when the connection closes."""
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    if length:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@contextmanager
def serving(routes: dict[str, Route]) -> Iterator[Server]:
    """Serve `routes` (path -> function writing the answer), 404 for other paths, until the block ends."""
    server_info = Server(port=0)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server_info.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = routes.get(self.path.split("?", 1)[0])
            if route is None:
                send(self, 404, b"not here\n")
                return
            try:
                route(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as the tests of limits expect it to

        def do_POST(self) -> None:
            server_info.bodies.append(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            self.do_GET()

        def log_message(self, *args: object) -> None:
            pass

    class Quiet(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass

    server = Quiet(("127.0.0.1", 0), Handler)
    server_info.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_info
    finally:
        server.shutdown()
        server.server_close()
