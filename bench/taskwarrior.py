"""Taskwarrior as the peer of `due` (issue 20): the same office's due list as pending tasks.

The tasks are built from `followup due --format json` of the database measured (one
task per customer due, so `task` ranks as many pending tasks as `due` prints rows), and
written straight into taskwarrior 2.6's data file (`pending.data`, one `[name:"value"
...]` line per task), so that building them costs no `task import` run. Standard library
only; taskwarrior itself is the system's package (`apt-get install -y taskwarrior`), and
the bench skips its rows with a note when `task` is not installed.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

OFFICE = timezone(timedelta(hours=8))  # Asia/Shanghai: the office's midnight
NAMESPACE = uuid.UUID("6f9a3c1e-2b7d-4e58-9a61-0c2f5d8e7b41")


def task_binary() -> str | None:
    return shutil.which("task")


def _epoch(day: str) -> int:
    moment = datetime.combine(date.fromisoformat(day), time(0), OFFICE)
    return int(moment.astimezone(UTC).timestamp())


def _quoted(value: str) -> str:
    """A value of a pending.data attribute: JSON string escapes, as taskwarrior's own."""
    return json.dumps(value, ensure_ascii=False)


def task_line(row: dict[str, Any], entry: str) -> str:
    """The pending.data line of one `due --format json` row."""
    customer = row["customer"]
    reasons = "; ".join(
        f"{r['reason']} {r.get('detail') or ''}".strip() for r in row.get("reasons") or []
    )
    grade = int(customer["grade"])
    attrs = {
        "description": f"{customer['code']} {customer['name']}: {reasons}",
        "due": str(_epoch(row["due_on"])),
        "entry": str(_epoch(entry)),
        "priority": "H" if grade <= 1 else "M" if grade <= 3 else "L",
        "project": f"grade{grade}",
        "status": "pending",
        "uuid": str(uuid.uuid5(NAMESPACE, str(customer["code"]))),
    }
    if row.get("assignee"):
        attrs["tags"] = str(row["assignee"])
    return "[" + " ".join(f"{k}:{_quoted(v)}" for k, v in sorted(attrs.items())) + "]"


def task_lines(rows: Iterable[dict[str, Any]], entry: str) -> Iterator[str]:
    for row in rows:
        yield task_line(row, entry)


def build(rows: list[dict[str, Any]], folder: Path, entry: str) -> Path:
    """A taskwarrior data folder holding `rows` as pending tasks; returns its taskrc."""
    data = folder / "data"
    if folder.exists():
        shutil.rmtree(folder)
    data.mkdir(parents=True)
    with (data / "pending.data").open("w", encoding="utf-8") as fh:
        for line in task_lines(rows, entry):
            fh.write(line + "\n")
    (data / "completed.data").touch()
    rc = folder / "taskrc"
    rc.write_text(
        f"data.location={data}\nconfirmation=no\nhooks=off\nnews.version=2.6.2\n",
        encoding="utf-8",
    )
    return rc
