"""A real SMTP server on the loopback (aiosmtpd), and the mails it received, read back."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.server import free_port


@dataclass(frozen=True)
class Received:
    """One message as the SMTP server got it: envelope recipients and raw bytes."""

    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        """The decoded text of the ``text/<subtype>`` part."""
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None and body.get_content_subtype() == subtype, subtype
        return str(body.get_content())

    @property
    def text(self) -> str:
        return " ".join(self.part("plain").split())

    @property
    def html(self) -> str:
        return self.part("html")

    def everything(self) -> str:
        """Headers, raw bytes and every decoded part: where a leak would show."""
        parts = [str(p.get_content()) for p in self.message.walk() if not p.is_multipart()]
        return "\n".join([self.raw.decode("utf-8", "replace"), *parts])


@dataclass
class Collector:
    """The aiosmtpd handler: keeps every message it accepts."""

    received: list[Received] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(Received(list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    """What the tests need of the running server: its port and what it received."""

    port: int
    collector: Collector

    @property
    def received(self) -> list[Received]:
        return self.collector.received

    def to(self, address: str) -> list[Received]:
        """The messages delivered to one address."""
        return [m for m in self.received if address in m.recipients]


@contextmanager
def running_smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server on a free loopback port until the block ends."""
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(port, collector)
    finally:
        controller.stop()
