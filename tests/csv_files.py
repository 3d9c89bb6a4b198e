"""CSV files for the import tests (encodings and structure): written as the test means
them, and the tables an import may touch, to prove a refusal wrote nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

Rows = Callable[..., list[dict[str, Any]]]

TABLES = ("staff", "customers", "contacts", "events", "calls", "callbacks", "tickets")


def csv_bytes(records: list[list[str]], codec: str = "utf-8", delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(records)
    return buf.getvalue().encode(codec)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def dump(rows: Rows) -> dict[str, list[dict[str, Any]]]:
    return {t: rows(f"SELECT * FROM {t} ORDER BY id") for t in TABLES}


def refused_file(r: Any, lines: list[str]) -> None:
    """Exit 65, no traceback, nothing on stdout, and exactly these lines on stderr."""
    assert r.exit_code == 65, r.output
    assert r.exception is None, r.exception
    assert "Traceback" not in r.output
    assert r.stdout == ""
    assert r.stderr.splitlines() == lines, r.stderr
