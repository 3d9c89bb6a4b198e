"""Standard output that cannot be written: closed (`>&-`), a full disk (`> /dev/full`).

A failed write becomes one `Error: cannot write the output: ...` line on stderr and
exit 1, never a traceback or exit 70. A reader that went away (`| head -1`, EPIPE) is
not an error: Click exits quietly, as it always has. After a failure the buffered rest
is sent to /dev/null, so the interpreter's last flush has nothing left to fail on.
"""

from __future__ import annotations

import errno
import os
from typing import Any

from followup_cli.support.errors import FollowupError
from followup_cli.support.i18n import _


class OutputFailed(FollowupError):
    """Standard output could not be written (exit 1)."""


class ClosedStream:
    """What stands for stdout or stderr when the process started with it closed."""

    encoding = "utf-8"
    errors = "strict"

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))


class GuardedOutput:
    """`stream` whose write failures (other than a broken pipe) raise OutputFailed once;
    on stderr (`quiet`) they are dropped: there is nowhere left to say so."""

    def __init__(self, stream: Any, *, quiet: bool = False) -> None:
        self.stream = stream if stream is not None else ClosedStream()
        self.quiet = quiet
        self.failed = False
        # The error of the first failed write: reported at the end even if whoever wrote
        # swallowed it (Click probes a stream with write("") inside `except Exception`).
        self.failure: OutputFailed | None = None

    def write(self, text: str) -> int:
        if self.failed:
            return len(text)
        try:
            return int(self.stream.write(text))
        except BrokenPipeError:
            raise
        except OSError as exc:
            self._fail(exc)
        return len(text)

    def flush(self) -> None:
        if self.failed:
            return
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            self._fail(exc)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def _fail(self, exc: OSError) -> None:
        self.failed = True
        self.discard()
        if self.quiet:
            return
        if isinstance(self.stream, ClosedStream) or exc.errno == errno.EBADF:
            reason = _("standard output is closed")
        elif exc.errno == errno.ENOSPC:
            reason = _("the disk is full")
        else:
            reason = exc.strerror or str(exc)
        self.failure = OutputFailed(
            _("cannot write the output: {reason}").format(reason=reason),
            _("Send the output somewhere that can take it (a file on a disk with room)."),
        )
        raise self.failure from None

    def discard(self) -> None:
        """Point the file descriptor at /dev/null, so what is still buffered goes there."""
        try:
            fd = self.stream.fileno()
        except (OSError, ValueError, AttributeError):
            return  # not a real file (a test's buffer, a closed stream)
        try:
            null = os.open(os.devnull, os.O_WRONLY)
        except OSError:
            return
        try:
            os.dup2(null, fd)
        except OSError:
            pass
        finally:
            os.close(null)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)
