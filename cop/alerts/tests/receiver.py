"""A real HTTP server on 127.0.0.1, in a thread, that plays a webhook receiver for the tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next of `statuses` (then `then`), after `delay` seconds.

    With `trickle`, the whole answer, status line included, goes out one byte every `trickle` seconds.
    """

    statuses: list[int] = field(default_factory=list)
    then: int = 200
    delay: float = 0.0
    location: str = ""
    trickle: float = 0.0
    url: str = ""
    requests: list[Received] = field(default_factory=list)

    def next_status(self) -> int:
        return self.statuses.pop(0) if self.statuses else self.then


@contextmanager
def receiver(
    statuses: list[int] | None = None,
    *,
    then: int = 200,
    delay: float = 0.0,
    location: str = "",
    trickle: float = 0.0,
) -> Iterator[Receiver]:
    state = Receiver(list(statuses or []), then, delay, location, trickle)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append(Received(self.path, dict(self.headers.items()), body))
            if state.delay:
                time.sleep(state.delay)
            status = state.next_status()
            answer = b'{"ok": true}' if 200 <= status < 300 else b"<h1>Service unavailable</h1> try later"
            if state.trickle:
                self._trickle(
                    b"HTTP/1.1 %d OK\r\nContent-Length: %d\r\n\r\n%s" % (status, len(answer), answer)
                )
                return
            self.send_response(status)
            if state.location:
                self.send_header("Location", state.location)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            try:
                self.wfile.write(answer)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the platform gave up waiting (a timeout test)

        def _trickle(self, data: bytes) -> None:
            try:
                for byte in data:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(state.trickle)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the platform gave up at its deadline

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/cop"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
