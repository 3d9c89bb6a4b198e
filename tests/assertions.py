"""What every CLI test asserts of a Result (conftest's `run`): success, or a clean error."""

from __future__ import annotations

from typing import Any


def ok(result: Any) -> Any:
    """Exit 0 and no exception; the result, for its output."""
    assert result.exit_code == 0, result.output
    assert result.exception is None
    return result


def refused(result: Any, code: int, message: str) -> None:
    """A clean error: exit `code`, `message` on stderr, no traceback."""
    assert result.exit_code == code, result.output
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output
