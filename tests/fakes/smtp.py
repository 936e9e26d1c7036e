"""A minimal SMTP server on 127.0.0.1 for tests (RFC 5321 subset: EHLO/HELO, MAIL, RCPT, DATA,
RSET, NOOP, QUIT; no TLS, no AUTH). Received messages land in ``server.messages``.

For the outbox's retries: ``fail_first`` answers the first N ``MAIL`` commands with a
temporary ``451``; ``refuse`` answers ``RCPT`` to those addresses with a permanent ``550``,
``defer`` with a temporary ``451``;
``gate`` (an event) holds every new connection before the greeting until it is set;
``connections`` counts the connections accepted."""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes
from email.message import Message
from typing import Any


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        with self.server.lock:
            self.server.connections += 1
        if self.server.gate is not None:
            self.server.gate.wait()
        self._reply("220 fake-smtp ready")
        sender, recipients = "", []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command = raw.decode(errors="replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250 fake-smtp")
            elif verb == "MAIL":
                with self.server.lock:
                    refuse = self.server.fail_first > 0
                    self.server.fail_first -= 1 if refuse else 0
                if refuse:
                    self._reply("451 4.3.0 try again later")
                    continue
                sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                self._reply("250 ok")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip(" <>")
                if address in self.server.refuse:
                    self._reply("550 5.1.1 no such mailbox")
                    continue
                if address in self.server.defer:
                    self._reply("451 4.2.1 mailbox busy, try later")
                    continue
                recipients.append(address)
                self._reply("250 ok")
            elif verb == "DATA":
                self._reply("354 end with .")
                lines = []
                while True:
                    line = self.rfile.readline()
                    if line in (b".\r\n", b".\n", b""):
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                self.server.messages.append(
                    {"from": sender, "to": recipients, "message": message_from_bytes(b"".join(lines))}
                )
                self._reply("250 queued")
            elif verb in ("RSET", "NOOP"):
                self._reply("250 ok")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    messages: list[dict[str, Any]]
    fail_first: int
    refuse: set[str]
    defer: set[str]
    gate: threading.Event | None
    connections: int
    lock: threading.Lock


class FakeSmtpServer:
    def __init__(
        self,
        *,
        fail_first: int = 0,
        refuse: set[str] | None = None,
        defer: set[str] | None = None,
        gate: threading.Event | None = None,
    ) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.messages = []
        self._server.fail_first = fail_first
        self._server.refuse = set(refuse or ())
        self._server.defer = set(defer or ())
        self._server.gate = gate
        self._server.connections = 0
        self._server.lock = threading.Lock()
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self._server.messages

    @property
    def connections(self) -> int:
        return self._server.connections

    def __enter__(self) -> FakeSmtpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server.gate is not None:
            self._server.gate.set()
        self._server.shutdown()
        self._server.server_close()


def body_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    return payload.decode() if isinstance(payload, bytes) else str(payload)
