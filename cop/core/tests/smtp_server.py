"""A small real SMTP server on 127.0.0.1 for tests: it takes messages, or refuses recipients."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Server:
    port: int
    # The answer to RCPT TO: 250 takes the recipient, 550 refuses it.
    rcpt_code: int = 250
    messages: list[tuple[list[str], bytes]] = field(default_factory=list)


@contextmanager
def serving(rcpt_code: int = 250) -> Iterator[Server]:
    info = Server(port=0, rcpt_code=rcpt_code)

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")

        def handle(self) -> None:
            recipients: list[str] = []
            self.reply("220 127.0.0.1 test ESMTP")
            while line := self.rfile.readline():
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    self.reply("250 127.0.0.1")
                elif verb == b"MAIL":
                    recipients = []
                    self.reply("250 sender ok")
                elif verb == b"RCPT":
                    if info.rcpt_code == 250:
                        recipients.append(line.decode().split(":", 1)[1].strip(" <>\r\n"))
                        self.reply("250 recipient ok")
                    else:
                        self.reply(f"{info.rcpt_code} no such mailbox here")
                elif verb == b"DATA":
                    self.reply("354 go ahead")
                    body = b""
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        body += chunk
                    info.messages.append((recipients, body))
                    self.reply("250 queued")
                elif verb == b"QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("250 ok")

    class Quiet(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Quiet(("127.0.0.1", 0), Handler)
    info.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield info
    finally:
        server.shutdown()
        server.server_close()
