"""Real servers on 127.0.0.1 for the notice tests (issue 19): an SMTP server (aiosmtpd)
keeping every message it accepts, and an HTTP server standing in for the group robots,
keeping every POST and answering as the test scripts it. Nothing here reaches any
other address."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import shutil
import socket
import ssl
import subprocess
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port on the loopback nobody listens on (an SMTP server that is down)."""
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


@dataclass
class SmtpSink:
    """Messages the SMTP server accepted: (envelope recipients, parsed message)."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self) -> None:
        self.sink = SmtpSink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname=LOOPBACK, port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[tuple[list[str], EmailMessage]]:
        return self.sink.messages


@dataclass
class Post:
    path: str
    query: dict[str, str]
    body: dict[str, Any]


class RobotServer:
    """Records each POST; answers with the next scripted (status, body), then with
    `ok` for good. `dingtalk_secret`: check DingTalk's signing of each request."""

    def __init__(self, ok: str = '{"errcode":0,"errmsg":"ok"}') -> None:
        self.posts: list[Post] = []
        self.answers: list[tuple[int, str]] = []
        self.ok = ok
        self.dingtalk_secret: str | None = None
        self.bad_signatures = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                server.posts.append(Post(parts.path, query, json.loads(raw.decode("utf-8"))))
                status, body = server.answers.pop(0) if server.answers else (200, server.ok)
                if server.dingtalk_secret is not None and not server.signed(query):
                    server.bad_signatures += 1
                    status, body = 200, '{"errcode":310000,"errmsg":"sign not match"}'
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.port = int(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def signed(self, query: dict[str, str]) -> bool:
        """DingTalk's check: sign = base64(HMAC-SHA256(secret, "timestamp\\nsecret"))."""
        assert self.dingtalk_secret is not None
        stamp = query.get("timestamp", "")
        digest = hmac.new(
            self.dingtalk_secret.encode(),
            f"{stamp}\n{self.dingtalk_secret}".encode(),
            hashlib.sha256,
        ).digest()
        return stamp.isdigit() and hmac.compare_digest(
            query.get("sign", ""), base64.b64encode(digest).decode()
        )

    def url(self, path: str = "/cgi-bin/webhook/send", key: str = "") -> str:
        suffix = f"?key={key}" if key else ""
        return f"http://{LOOPBACK}:{self.port}{path}{suffix}"

    def __enter__(self) -> RobotServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def servers() -> Iterator[tuple[SmtpServer, RobotServer]]:
    with SmtpServer() as smtp, RobotServer() as robot:
        yield smtp, robot


def self_signed(folder: Path) -> tuple[Path, Path] | None:
    """A certificate for 127.0.0.1 and its key, made by the openssl command (None
    without it): what the TLS tests serve, and trust through SSL_CERT_FILE."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


class TlsSmtpServer(SmtpServer):
    """The SMTP server over TLS: implicit (`ssl`, SMTPS) or required STARTTLS."""

    def __init__(self, cert: Path, key: Path, mode: str) -> None:
        super().__init__()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        if mode == "ssl":
            self.controller = Controller(
                self.sink, hostname=LOOPBACK, port=self.port, ssl_context=context
            )
        else:
            self.controller = Controller(
                self.sink, hostname=LOOPBACK, port=self.port, tls_context=context,
                require_starttls=True,
            )  # fmt: skip
