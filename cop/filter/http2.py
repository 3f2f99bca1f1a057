"""DNS over HTTPS on HTTP/2 (RFC 8484 over RFC 9113), the HTTP version browsers require.

One coroutine per connection feeds what it reads to h2's state machine; each complete request
becomes a task that asks the resolver through `doh.respond`, so a slow upstream answer does not
hold up the other streams of the connection. h2 enforces the protocol; this module adds the
limits a public server needs: streams at once, header and body sizes, an idle timeout, and
sending only as much as the client's flow-control windows allow.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings
from h2.errors import ErrorCodes

from cop.filter import doh
from cop.filter.resolver import Resolver

log = logging.getLogger(__name__)
MAX_STREAMS = 100
MAX_HEADER_LIST = doh.MAX_HEAD
READ_SIZE = 65536


@dataclass
class _Request:
    method: str = ""
    path: str = ""
    authority: str = ""
    content_type: str = ""
    body: bytearray = field(default_factory=bytearray)


def _text(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


class _Connection:
    def __init__(
        self, resolver: Resolver, writer: asyncio.StreamWriter, address: str, token: str, domain: str
    ) -> None:
        self.resolver = resolver
        self.writer = writer
        self.address = address
        self.token = token
        self.domain = domain
        self.h2 = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=False, header_encoding=None)
        )
        self.h2.local_settings = h2.settings.Settings(
            client=False,
            initial_values={
                h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: MAX_STREAMS,
                h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE: MAX_HEADER_LIST,
            },
        )
        self.requests: dict[int, _Request] = {}  # streams whose request is still arriving
        self.tasks: dict[int, asyncio.Task[None]] = {}  # requests being answered
        self.outgoing: dict[int, bytes] = {}  # answer bytes waiting for the client's window
        self.ended = False

    def start(self) -> None:
        self.h2.initiate_connection()
        self.flush()

    def flush(self) -> None:
        data = self.h2.data_to_send()
        if data and not self.writer.is_closing():
            self.writer.write(data)

    def receive(self, events: list[h2.events.Event]) -> None:
        for event in events:
            if isinstance(event, h2.events.RequestReceived):
                self._headers(event)
            elif isinstance(event, h2.events.DataReceived):
                self._data(event)
            elif isinstance(event, h2.events.StreamEnded):
                request = self.requests.pop(event.stream_id, None)
                if request is not None:
                    self._answer(event.stream_id, request)
            elif isinstance(event, h2.events.StreamReset):
                self._forget(event.stream_id)
            elif isinstance(event, (h2.events.WindowUpdated, h2.events.RemoteSettingsChanged)):
                self._send_waiting()
            elif isinstance(event, h2.events.ConnectionTerminated):
                self.ended = True

    def _headers(self, event: h2.events.RequestReceived) -> None:
        request = _Request()
        size = 0
        for name, value in event.headers:
            key, text = _text(name), _text(value)
            size += len(key) + len(text) + 32  # how RFC 9113 counts a header list's size
            if key == ":method":
                request.method = text
            elif key == ":path":
                request.path = text
            elif key == ":authority":
                request.authority = text
            elif key == "content-type":
                request.content_type = text
        if size > MAX_HEADER_LIST:
            self._reply(event.stream_id, doh.Reply(431), finished=False)
            return
        self.requests[event.stream_id] = request

    def _data(self, event: h2.events.DataReceived) -> None:
        # Give the window back at once: a request's size is limited below, not by stalling the client.
        self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        request = self.requests.get(event.stream_id)
        if request is None:
            return
        request.body += event.data
        if len(request.body) > doh.MAX_MESSAGE:
            del self.requests[event.stream_id]
            self._reply(event.stream_id, doh.Reply(413), finished=False)

    def _answer(self, stream_id: int, request: _Request) -> None:
        async def work() -> None:
            try:
                reply = await doh.respond(
                    self.resolver,
                    request.method,
                    request.path,
                    request.content_type,
                    bytes(request.body),
                    self.address,
                    doh.host_token(request.authority, self.domain, self.token),
                )
            except Exception:  # one bad request must not take the connection down
                log.exception("DNS-over-HTTPS request from %s could not be answered", self.address)
                reply = doh.Reply(400)
            self.tasks.pop(stream_id, None)
            self._reply(stream_id, reply)
            self.flush()

        self.tasks[stream_id] = asyncio.get_running_loop().create_task(work())

    def _reply(self, stream_id: int, reply: doh.Reply, finished: bool = True) -> None:
        """Send an answer; `finished=False` for a refusal (no body) while the client may still be sending."""
        headers = [(":status", str(reply.status)), *reply.headers()]
        try:
            self.h2.send_headers(stream_id, headers, end_stream=not reply.body)
            if not finished:
                # RFC 9113 8.1: a complete answer before the whole request, then RST_STREAM NO_ERROR.
                self.h2.reset_stream(stream_id, ErrorCodes.NO_ERROR)
        except h2.exceptions.ProtocolError:  # the client reset the stream or left meanwhile
            return
        if reply.body:
            self.outgoing[stream_id] = reply.body
            self._send_waiting()

    def _send_waiting(self) -> None:
        for stream_id in list(self.outgoing):
            data = self.outgoing.pop(stream_id)
            try:
                while data:
                    window = self.h2.local_flow_control_window(stream_id)
                    size = min(window, self.h2.max_outbound_frame_size, len(data))
                    if size <= 0:
                        self.outgoing[stream_id] = data  # wait for a WINDOW_UPDATE
                        break
                    self.h2.send_data(stream_id, data[:size], end_stream=size == len(data))
                    data = data[size:]
            except h2.exceptions.ProtocolError:
                continue  # the stream is gone
        self.flush()

    def _forget(self, stream_id: int) -> None:
        self.requests.pop(stream_id, None)
        self.outgoing.pop(stream_id, None)
        task = self.tasks.pop(stream_id, None)
        if task is not None:
            task.cancel()

    def close(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        self.writer.close()


async def serve_h2_client(
    resolver: Resolver,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    token: str = "",
    domain: str = "",
) -> None:
    """Serve one HTTP/2 connection (ALPN `h2`). `token` is the device the TLS server name named;
    an :authority `<token>.<domain>` names one too; the path wins over both."""
    peer = writer.get_extra_info("peername")
    connection = _Connection(resolver, writer, peer[0] if peer else "", token, domain)
    connection.start()
    try:
        while not connection.ended:
            try:
                data = await asyncio.wait_for(reader.read(READ_SIZE), doh.IDLE)
            except TimeoutError:
                if connection.tasks or connection.outgoing:
                    continue  # answers still on their way: not idle
                connection.h2.close_connection()  # GOAWAY, then close
                connection.flush()
                break
            if not data:
                break
            try:
                events = connection.h2.receive_data(data)
            except h2.exceptions.ProtocolError:
                connection.flush()  # h2 has queued a GOAWAY with the reason
                break
            connection.receive(events)
            connection.flush()
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        connection.close()
