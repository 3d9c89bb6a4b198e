"""Keeping the due summary (due_summary.py) settled, with each summarised customer's
line of the full list (issue 20).

A full list (cron's `due --format csv` of every row, a script's `--format json`) spends
most of its time making each row's text: the reasons line, the contact chosen, the
cells escaped. That text changes only when the customer's due state does, and it is
the same whatever the day but for two numbers (the urgency and the days overdue). So
when a customer's summary row is settled, its csv and json lines are made by the very
code that prints them (due_text.csv_cells, the one csv writer's `line_text`,
DueEntry.record and the JSON encoder of `render`'s long lists) and kept (due_csv_lines, due_json_lines),
split around those two numbers; the full list then reads the lines and puts the day's
numbers in (due.DueEntries.items). The plain table that cron mails is kept alike, in
each interface language: each row's cells but those two, as the table's columns print
them (render/due_rows.py), with their widths. A test holds every kept line to the line
made.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import date, datetime, tzinfo
from datetime import time as day_time
from functools import partial
from typing import Any

from followup_cli.domain.callbacks import due_summary
from followup_cli.domain.callbacks.due import CELL_SEPARATOR, DueEntries, DueEntry, DueFilter
from followup_cli.domain.callbacks.due_text import ContactText, ReasonText, csv_cells
from followup_cli.domain.callbacks.owed import (
    events_owed,
    owed,
    plan_owed,
    plan_owed_events,
    reanchor_owed,
    yearly_owed,
)
from followup_cli.domain.session import Session
from followup_cli.render.csv_writer import line_text
from followup_cli.render.due_rows import DAYS_CELL, URGENCY_CELL, due_columns, due_record
from followup_cli.render.output import cell_width, row_cells
from followup_cli.store.busy import leave_free
from followup_cli.store.connection import write_if_free
from followup_cli.support.controls import json_visible
from followup_cli.support.i18n import LANGUAGES, english, in_language

# Stand-ins for the day's two numbers while a line is made, found again in its text.
_DAYS = -7_777_777_777_777
_URGENCY = -7_777_777_777_777.5
_DAYS_TEXT = f'"days_overdue": {_DAYS}'
_URGENCY_TEXT = f'"urgency": {_URGENCY!r}'
# As render.output encodes a long list's record (a due record holds no Message).
_encode = json.JSONEncoder(ensure_ascii=False).encode


def line_parts(e: DueEntry, reasons: ReasonText) -> tuple[str, str, str, str, str]:
    """A row's kept lines: the csv line around its urgency (the first cell) and days
    overdue (the ninth), the json record around "days_overdue" and "urgency". Made
    inside `english()`, as the csv and json lists are. (Each stand-in is found once: in
    a string of the record, its quotes would be escaped.)"""
    cells = csv_cells(e, reasons)
    csv_head, csv_tail = line_text(cells[1:8]), line_text(cells[9:])
    record = e.record(terms=False)
    record["days_overdue"] = _DAYS
    record["urgency"] = _URGENCY
    text = json_visible(_encode(record))
    assert text.count(_DAYS_TEXT) == 1 and text.count(_URGENCY_TEXT) == 1, text
    head, _sep, rest = text.partition(_DAYS_TEXT)
    mid, _sep, tail = rest.partition(_URGENCY_TEXT)
    return (
        csv_head,
        csv_tail,
        head + _DAYS_TEXT[: -len(str(_DAYS))],
        mid + _URGENCY_TEXT[: -len(repr(_URGENCY))],
        tail,
    )


def table_rows(
    made: list[DueEntry], language: str, zone: tzinfo | None
) -> list[tuple[int, str, str, str]]:
    """Each row's plain table cells in `language`, but the day's two (the urgency, the
    days overdue), made by the table's own columns (render/due_rows.py) and kept with
    their widths: (customer_id, language, cells, widths)."""
    rows = []
    with in_language(language):
        reasons, contact, columns = ReasonText(zone), ContactText(), due_columns(False)
        for e in made:
            cells = row_cells(columns, due_record(e, reasons, contact, False))
            del cells[DAYS_CELL], cells[URGENCY_CELL]  # (the later one first)
            widths = ",".join(str(cell_width(c)) for c in cells)
            rows.append((e.customer_id, language, CELL_SEPARATOR.join(cells), widths))
    return rows


def keep_lines(session: Session, day: date, most: int) -> int:
    """The lines of up to `most` summarised customers without theirs (due_unlined),
    made as of `day` (the summary's) and kept, in the caller's write transaction;
    returns how many customers were taken."""
    conn = session.conn
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS due_batch (customer_id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.due_batch")
    taken = conn.execute(
        f"INSERT INTO temp.due_batch SELECT customer_id FROM due_unlined LIMIT {int(most)}"
    ).rowcount
    if taken <= 0:
        return 0
    on_day = replace(
        session, today=day, now=datetime.combine(day, day_time(12), tzinfo=session.zone)
    )
    made = list(DueEntries(on_day, DueFilter(on=day, within="due_batch"), counted=False))
    kept: list[tuple[Any, ...]] = []
    with english():
        reasons = ReasonText()
        for e in made:
            kept.append((e.customer_id, *line_parts(e, reasons)))
    rows = [row for language in LANGUAGES for row in table_rows(made, language, session.zone)]
    batch = "SELECT customer_id FROM temp.due_batch"
    conn.execute(f"DELETE FROM due_csv_lines WHERE customer_id IN ({batch})")
    conn.execute(f"DELETE FROM due_json_lines WHERE customer_id IN ({batch})")
    conn.execute(f"DELETE FROM due_table_lines WHERE customer_id IN ({batch})")
    conn.executemany(
        "INSERT INTO due_table_lines (customer_id, language, cells, widths) VALUES (?, ?, ?, ?)",
        rows,
    )
    conn.executemany(
        "INSERT INTO due_csv_lines (customer_id, head, tail) VALUES (?, ?, ?)",
        [(k[0], k[1], k[2]) for k in kept],
    )
    conn.executemany(
        "INSERT INTO due_json_lines (customer_id, head, mid, tail) VALUES (?, ?, ?, ?)",
        [(k[0], k[3], k[4], k[5]) for k in kept],
    )
    conn.execute(
        "DELETE FROM due_unlined WHERE customer_id IN (SELECT customer_id FROM temp.due_batch)"
    )
    conn.execute("DELETE FROM temp.due_batch")
    return taken


def tidy(session: Session, seconds: float | None) -> int:
    """Roll the summary to the session's day and settle its marks, then make the lines
    it lacks, in batches, each its own short transaction taken only when the write lock
    is free (a read never waits for it), for at most `seconds` (None: until done);
    returns the customers settled or lined."""
    conn, config, today = session.conn, session.config, session.today
    started = time.monotonic()
    summary = due_summary.summary_of(conn, config)
    if summary is None or summary.day < today:
        write_if_free(conn, lambda: due_summary.roll(conn, config, today))
    done = 0
    batch = _Batches(conn, seconds)
    # First what a cut-off import still owed: its new customers' callbacks, its reached
    # calls' yearly floors, its new events' callbacks (owed.py).
    owing = ((owed, plan_owed), (yearly_owed, reanchor_owed), (events_owed, plan_owed_events))
    for record, step in owing:
        while (seconds is None or time.monotonic() - started < seconds) and record(conn):
            planned: list[int] = []
            if not batch.run(partial(step, session, planned)) or not planned[0]:
                break
            done += planned[0]
    for pending, step in (("due_dirty", _settle_batch), ("due_unlined", _line_batch)):
        while seconds is None or time.monotonic() - started < seconds:
            if conn.execute(f"SELECT 1 FROM {pending} LIMIT 1").fetchone() is None:
                break
            counted: list[int] = []
            if not batch.run(partial(step, session, counted)) or not counted[:1]:
                return done
            if not counted[0]:
                break
            done += counted[0]
    return done


class _Batches:
    """Tidying's batches, each its own transaction if the lock is free. Tidying until
    done (after an import), the lock is left free before each batch but the first as
    long as the last one held it while a clerk waits for it (store/busy.py leave_free);
    a read's tidying has a moment only and goes on at once."""

    def __init__(self, conn: Any, seconds: float | None) -> None:
        self.conn, self.seconds = conn, seconds
        self.last: float | None = None  # how long the last batch held the lock

    def run(self, work: Any) -> bool:
        if self.seconds is None and self.last is not None:
            leave_free(self.conn, self.last, at_most=float("inf"))  # (as long as it held it)
        began = time.monotonic()
        ran = bool(write_if_free(self.conn, work))
        self.last = time.monotonic() - began if ran else None
        return ran


def _settle_batch(session: Session, counted: list[int]) -> bool:
    found = due_summary.summary_of(session.conn, session.config)
    if found is None:
        return False
    counted.append(due_summary.settle(session.conn, session.config, found.day, due_summary.BATCH))
    return True


def _line_batch(session: Session, counted: list[int]) -> bool:
    found = due_summary.summary_of(session.conn, session.config)
    if found is None:
        return False
    counted.append(keep_lines(session, found.day, due_summary.BATCH))
    return True
