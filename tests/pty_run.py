"""Run one command on a pseudo-terminal to its end, as a clerk's terminal runs it: the
pty is its controlling terminal, `width` columns wide, and the bytes come back as the
program wrote them (no \\r added before \\n). Shared by the tests that look at screens
without typing into them (tests/test_layout.py, tests/test_escapes.py)."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import termios
import time

ROWS = 50


def run_on_pty(
    argv: list[str], env: dict[str, str], width: int, timeout: float = 60
) -> tuple[bytes, int]:
    """What `argv` wrote on a terminal `width` columns wide, and its exit code."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, width, 0, 0))
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.ONLCR
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    proc = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
        start_new_session=True,
        preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
    )  # fmt: skip
    os.close(slave)
    out = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the program closed the terminal
                break
            if not data:
                break
            out += data
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        os.close(master)
    return bytes(out), code
