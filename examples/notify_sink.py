"""Deliver the demo's notices to local sinks and show what they received.

    python examples/notify_sink.py PATH_TO_followup [--today DATE]

Starts an SMTP server (aiosmtpd, from the dev dependencies) and an HTTP server standing
in for a WeCom group robot, both on 127.0.0.1, runs `followup notify send` against them
(the config of FOLLOWUP_CONFIG with the sink's SMTP port; the robot's URL in
FOLLOWUP_DEMO_WECOM_URL), prints the first email and the first robot message as the
servers received them, and stops both. Nothing leaves this machine.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope.original_content)
        return "250 OK"


def main(argv: list[str]) -> int:
    followup, rest = argv[0], argv[1:]
    with socket.socket() as s:
        s.bind((HOST, 0))
        smtp_port = s.getsockname()[1]
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname=HOST, port=smtp_port)
    posts: list[dict[str, Any]] = []

    class Robot(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            posts.append(json.loads(body.decode("utf-8")))
            answer = b'{"errcode":0,"errmsg":"ok"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    robot = ThreadingHTTPServer((HOST, 0), Robot)
    threading.Thread(target=robot.serve_forever, daemon=True).start()
    smtp.start()
    try:
        config = Path(os.environ["FOLLOWUP_CONFIG"]).read_text(encoding="utf-8")
        with tempfile.TemporaryDirectory() as folder:
            local = Path(folder) / "notify.toml"
            local.write_text(re.sub(r"(?m)^port = \d+", f"port = {smtp_port}", config), "utf-8")
            env = {
                **os.environ,
                "FOLLOWUP_CONFIG": str(local),
                "FOLLOWUP_DEMO_WECOM_URL": f"http://{HOST}:{robot.server_address[1]}"
                "/cgi-bin/webhook/send?key=demo-robot-key",
            }
            done = subprocess.run(
                [followup, *rest, "notify", "send"],
                env=env,
                check=False,
                capture_output=True,
                text=True,
            )
    finally:
        smtp.stop()
        robot.shutdown()
        robot.server_close()
    lines = done.stdout.splitlines()
    print(lines[-1] if lines else "", file=sys.stdout)  # its summary ("32 notices sent; ...")
    sys.stderr.write(done.stderr)
    print(
        f"-- notify send exited {done.returncode}; the SMTP server received"
        f" {len(mailbox.messages)} emails, the robot {len(posts)} messages"
    )
    if mailbox.messages:
        mail = message_from_bytes(mailbox.messages[0], policy=policy.default)
        print("-- the first email, as the SMTP server received it:")
        for header in ("From", "To", "Subject"):
            print(f"{header}: {mail[header]}")
        print()
        print(mail.get_content().replace("\r\n", "\n").rstrip())  # type: ignore[attr-defined]
    if posts:
        print("-- the first robot message, as the robot received it:")
        print(json.dumps(posts[0], ensure_ascii=False, indent=2))
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
