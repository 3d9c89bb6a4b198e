"""Writing the staged rows: one transaction of set-based upserts per import, then the
callbacks they plan. This module decides what to write, counts it for the report and
plans; the statements that write a table are its concept's (`upsert_staged` and the
like, in domain/<concept>/), given the temp stage table's name."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from followup_cli.domain.callbacks import store as callbacks
from followup_cli.domain.callbacks.due_keeping import tidy
from followup_cli.domain.callbacks.owed import (
    events_owed,
    owed,
    reanchor_yearly,
    record_events_owed,
    record_owed,
    record_yearly_owed,
    yearly_owed,
)
from followup_cli.domain.callbacks.planning import Planner
from followup_cli.domain.calls import log as calls
from followup_cli.domain.calls import waves
from followup_cli.domain.contacts import records as contacts
from followup_cli.domain.customers import records as customers
from followup_cli.domain.events import records as events
from followup_cli.domain.session import Session
from followup_cli.domain.staff import records as staff
from followup_cli.store.busy import (
    IMPORT_WRITING_KEY,
    import_record,
    leave_free,
)
from followup_cli.store.compare import columns_differ
from followup_cli.store.connection import write_if_free, write_transaction, writes_beside_others
from followup_cli.store.engines import stage_row
from followup_cli.store.meta import delete_meta, set_meta
from followup_cli.support.errors import DatabaseBusy, StorageError
from followup_cli.support.i18n import N_
from followup_cli.transfer import rehearsal
from followup_cli.transfer.results import ImportReport, Progress

# -- writing ------------------------------------------------------------------------


def _planned(conn: sqlite3.Connection) -> int:
    return _count(conn, "SELECT count(*) FROM callbacks WHERE status = 'pending'")


def _count(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> int:
    return int(conn.execute(sql, params).fetchone()[0])


def _write_staff(
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    report: ImportReport,
    write: bool,
    progress: Progress | None,
) -> None:
    cols = [c for c in ("role", "department", "phone", "email") if c in present]
    match = f"FROM temp.{stage} s JOIN staff t ON t.name = s.name"
    report.inserted = _count(
        conn, f"SELECT count(*) FROM temp.{stage} s WHERE s.name NOT IN (SELECT name FROM staff)"
    )
    report.updated = _count(conn, f"SELECT count(*) {match} WHERE {columns_differ(cols, 's', 't')}")
    report.unchanged = report.rows - report.inserted - report.updated
    if not write:
        return
    new_roles = [
        (r[0], r[1])
        for r in conn.execute(
            f"SELECT name, role FROM temp.{stage} WHERE name NOT IN (SELECT name FROM staff)"
        )
    ]
    staff.upsert_staged(conn, stage, cols, session.stamp)

    before = _planned(conn)
    for name, role in new_roles:
        staff.staff_joined(session, name, role)
    report.callbacks_planned = _planned(conn) - before


def _write_customers(
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    report: ImportReport,
    write: bool,
    progress: Progress | None,
) -> None:
    # (Rows without a code took the code of the one customer with that name, if any,
    # in `checks`; those still without one are new.)
    cols = [c for c in ("name", "grade", *customers.TEXT_FIELDS) if c in present]
    match = f"FROM temp.{stage} s JOIN customers t ON t.code = s.code"
    differs = customers.staged_differs(cols, "s", "t")
    report.inserted = _count(
        conn,
        f"SELECT count(*) FROM temp.{stage} s WHERE s.code IS NULL"
        " OR s.code NOT IN (SELECT code FROM customers)",
    )
    report.updated = _count(conn, f"SELECT count(*) {match} WHERE {differs}")
    report.unchanged = report.rows - report.inserted - report.updated
    if not write:
        return
    # Generated codes for new customers without one.
    cfg = session.config["customer"]

    codeless = [r[0] for r in conn.execute(f"SELECT line FROM temp.{stage} WHERE code IS NULL")]
    if codeless:
        first = customers.next_code(conn, cfg["code_prefix"], int(cfg["code_digits"]))
        prefix, digits = cfg["code_prefix"], int(cfg["code_digits"])
        n = int(first[len(prefix) :])
        taken = {r[0] for r in conn.execute("SELECT code FROM customers")}
        updates = []
        for line in codeless:
            while f"{prefix}{n:0{digits}d}" in taken:
                n += 1
            updates.append((f"{prefix}{n:0{digits}d}", line))
            n += 1
        conn.executemany(f"UPDATE temp.{stage} SET code = ? WHERE line = ?", updates)
    before_id = _count(conn, "SELECT coalesce(max(id), 0) FROM customers")
    default_grade = int(cfg["default_grade"])
    customers.insert_staged(conn, stage, default_grade, session.stamp)
    replan: list[int] = []
    if report.updated:
        replan = [
            r[0]
            for r in conn.execute(
                f"SELECT t.id {match} WHERE"
                " (s.grade IS NOT NULL AND s.grade != t.grade)"
                + (" OR s.owner IS NOT t.owner" if "owner" in cols else "")
                + (" OR s.department IS NOT t.department" if "department" in cols else "")
            )
        ]
        customers.update_staged(conn, stage, cols, session.stamp)

    before = _planned(conn)
    planner = Planner(session, conn)
    new_ids = [r[0] for r in conn.execute("SELECT id FROM customers WHERE id > ?", (before_id,))]
    planner.plan_customers(new_ids)
    if replan:
        planner.plan_customers(replan, replan=True)
    report.callbacks_planned = _planned(conn) - before


def _counts(conn: sqlite3.Connection, join: str, differs: str, report: ImportReport) -> None:
    """New, updated and unchanged rows, counted before anything is written (dry run)."""
    report.inserted = _count(conn, f"SELECT count(*) {join} WHERE t.id IS NULL")
    report.updated = _count(conn, f"SELECT count(*) {join} WHERE t.id IS NOT NULL AND ({differs})")
    report.unchanged = report.rows - report.inserted - report.updated


def _write_contacts(
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    report: ImportReport,
    write: bool,
    progress: Progress | None,
) -> None:
    """Contacts upsert by (customer, name). The primary contact of a customer is the last
    one the file marks as primary; a file that marks none leaves the primary alone (and a
    customer without one gets its first contact)."""
    cols = [c for c in ("role", "phone", "wechat", "email", "birthday") if c in present]
    has_primary = "primary" in present
    differs = columns_differ(cols, "s", "t")
    if has_primary:
        marked = (
            f"(SELECT p.name FROM ({contacts.staged_primaries(stage)}) p"
            " WHERE p.customer_id = s.customer_id)"
        )
        # (CASE, not a comparison's truth value: the same SQL on both engines.)
        differs = (
            f"({differs}) OR (t.is_primary != CASE WHEN s.name = {marked} THEN 1"
            f" WHEN {marked} IS NOT NULL THEN 0 END)"
        )
    _counts(conn, contacts.staged_join(stage), differs, report)
    if not write:
        return
    contacts.upsert_staged(conn, stage, cols, has_primary, session.stamp)

    # A contact plans its birthday greeting (planning.greetings): only the customers of
    # the file's contacts with a birthday are planned again (inside the lock, so few).
    if "birthday" not in present:
        return
    before = _planned(conn)
    ids = [
        r[0]
        for r in conn.execute(
            f"SELECT DISTINCT customer_id FROM temp.{stage} WHERE birthday IS NOT NULL"
        )
    ]
    Planner(session, conn).plan_customers(ids)
    report.callbacks_planned = _planned(conn) - before


def write_events(
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    report: ImportReport,
    write: bool,
    progress: Progress | None,
    plans: str | None = None,
    later: bool = False,
) -> tuple[int, int]:
    """The staged events upserted and their new events' callbacks planned (`later`:
    recorded as owed instead, for `_write_event_plans_later`); returns the ids of the
    new events, first and last."""
    # (a corrected in_use is recorded; callbacks already planned keep their dates)
    cols = [c for c in ("machine", "staff", "result", "note", "in_use", "amount") if c in present]
    join = (
        f"FROM temp.{stage} s LEFT JOIN events t ON t.customer_id = s.customer_id"
        " AND t.kind = s.kind AND t.date = s.date AND t.ref = s.ref"
    )
    if not write:
        differs = columns_differ(cols, "s", "t")
        if "contact" in present:
            differs = f"({differs}) OR {events.staged_contact_id('s')} IS NOT t.contact_id"
        _counts(conn, join, differs, report)
        return 0, -1
    if "contact" in present:
        cols.append("contact_id")
    if progress:
        progress(N_("writing"), 0, None)
    before_id = _count(conn, "SELECT coalesce(max(id), 0) FROM events")
    changed = events.upsert_staged(conn, stage, cols, session.stamp)
    report.inserted = _count(conn, "SELECT count(*) FROM events WHERE id > ?", (before_id,))
    report.updated = changed - report.inserted
    report.unchanged = report.rows - report.inserted - report.updated
    new_events = (before_id + 1, _count(conn, "SELECT coalesce(max(id), 0) FROM events"))
    if later:
        record_events_owed(conn, *new_events)
        return new_events

    plans = plans or plan_staged_events(session, conn, stage)
    # Planned before the lock: a customer archived meanwhile gets no callback.
    conn.execute(
        f"DELETE FROM temp.{plans} WHERE row IN (SELECT {stage_row(conn, 's')} FROM temp.{stage} s"
        " JOIN customers c ON c.id = s.customer_id WHERE c.archived = 1)"
    )
    report.callbacks_planned = Planner(session, conn).insert_event_plans(stage, plans, before_id)
    return new_events


def write_events_file(
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """An events file: sorted and its callbacks planned before the write lock; then the
    events written in one transaction, and their callbacks with them, or, when they
    are LATER_AT_LEAST or more (a large history: 240,000 for 1,000,000 events), after
    them in short transactions (`_write_event_plans_later`). On a server the import
    holds only its file's customers, and writes them with the file."""
    stage = f"{stage}_sorted"
    plans = plan_staged_events(session, conn, stage)
    later = not writes_beside_others(conn) and (
        _count(conn, f"SELECT count(*) FROM temp.{plans}") >= rehearsal.LATER_AT_LEAST
    )
    with write_phase(session, report, customers_in=stage, tidy_after=not later):
        first, last = write_events(session, conn, stage, present, report, True, progress,
                                   plans, later)  # fmt: skip
    if later:
        _write_event_plans_later(session, report, stage, plans, first, last)


EVENT_PLANS_LATER = "_event_plans_later"


def _write_event_plans_later(
    session: Session, report: ImportReport, stage: str, plans: str, first: int, last: int
) -> None:
    """A large events import's new events' callbacks, after the file, as planned before
    the lock, in short transactions of their own (about LATER_CHUNK rows each): a
    clerk's command gets the lock between two. Each moves the record of the events
    still owed on (domain/callbacks/owed.py); a customer another command planned
    meanwhile, the plain way (owed.plan_owed_events_of), is passed over; killed
    meanwhile, the next command plans the rest."""
    conn = session.conn
    role = session.config["planning"]["event_role"]
    callbacks.event_plans_with_ids(conn, stage, plans, first - 1, EVENT_PLANS_LATER)

    def run(bounds: tuple[int, int], _others_wrote: bool) -> int:
        found = events_owed(conn)
        passed_over = found.planned if found is not None else ()
        written = callbacks.insert_event_plans_run(
            conn, EVENT_PLANS_LATER, *bounds, role, session.stamp, passed_over
        )
        record_events_owed(conn, bounds[1] + 1, last, passed_over)
        return written

    def left() -> int:
        found = events_owed(conn)
        if found is None:
            return 0
        return _count(
            conn, "SELECT count(*) FROM events WHERE id BETWEEN ? AND ?", (found.first, found.last)
        )

    def drop(c: sqlite3.Connection) -> None:
        c.execute(f"DROP TABLE IF EXISTS temp.{EVENT_PLANS_LATER}")

    steps = [partial(run, b) for b in _event_runs(conn, first, last)]
    _in_short_transactions(session, report, steps, left, drop)


def _event_runs(conn: sqlite3.Connection, first: int, last: int) -> list[tuple[int, int]]:
    """The events first..last cut into runs of about LATER_CHUNK planned callbacks, each
    a run of event ids (the last reaching `last`, so that the record ends with it)."""
    runs: list[tuple[int, int]] = []
    start, rows = first, 0
    for event_id, n in conn.execute(
        f"SELECT event_id, count(*) FROM temp.{EVENT_PLANS_LATER} GROUP BY event_id ORDER BY 1"
    ):
        rows += int(n)
        if rows >= rehearsal.LATER_CHUNK:
            runs.append((start, int(event_id)))
            start, rows = int(event_id) + 1, 0
    if start <= last:
        runs.append((start, last))
    return runs


def plan_staged_events(session: Session, conn: sqlite3.Connection, stage: str) -> str:
    planner = Planner(session, conn, writing=conn.in_transaction)
    return planner.stage_event_plans(stage, _earliest_plannable(session))


def _earliest_plannable(session: Session) -> date:
    """Events older than this cannot plan a callback that is not stale."""
    longest = 0
    for kind, by_tier in session.config["planning"]["event_offsets"].items():
        for text in (t for offsets in by_tier.values() for t in offsets):
            iv = session.config.interval(text, f"planning.event_offsets.{kind}")
            longest = max(longest, iv.approx_days + (iv.count * 2 if iv.unit in "my" else 0))
    stale = int(session.config["planning"]["stale_after_days"])
    return session.today - timedelta(days=stale + longest + 10)


CALL_COLUMNS = (
    "satisfaction",
    "recommend",
    "repurchase",
    "answers",
    "note",
    "channel",
    "findings",
)


def _calls_join(stage: str) -> str:
    return (
        f"FROM temp.{stage} s LEFT JOIN calls t ON t.customer_id = s.customer_id"
        " AND t.at = s.at AND t.caller = s.by"
    )


def _write_calls(
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    report: ImportReport,
    write: bool,
    progress: Progress | None,
) -> None:
    """The plain way, inside the write transaction: the corrections to calls already
    logged, then each new call settled in time order (see `write_calls` for the import's
    way, which settles them before the lock)."""
    cols = [c for c in CALL_COLUMNS if c in present]
    _counts(conn, _calls_join(stage), columns_differ(cols, "s", "t"), report)
    if not write:
        return
    if cols and report.updated:
        calls.update_staged(conn, stage, cols)
    report.callbacks_planned = settle_calls(session, conn, stage, progress)


def settle_calls(
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    progress: Progress | None,
    *,
    writing: bool = True,
    one_by_one: bool = False,
) -> int:
    """Record and settle the staged calls that are new, in time order, a wave at a time
    (domain/calls/waves.py); returns how many callbacks they planned. `one_by_one`: each
    as `log-call` does (`record_call`), the rule the waves are held to. `writing` False:
    on a rehearsal's private copy (transfer/rehearsal.py), outside the write lock."""
    planner = Planner(session, conn, writing=writing)
    before = _planned(conn)
    join = _calls_join(stage)
    # The new rows, in time order; read a batch at a time (never while writing calls).
    lines = [
        r[0] for r in conn.execute(f"SELECT s.line {join} WHERE t.id IS NULL ORDER BY s.at, s.line")
    ]
    for start in range(0, len(lines), 1000):
        chunk = lines[start : start + 1000]
        batch = conn.execute(
            f"SELECT s.*, c.id, c.code, c.name, c.grade, c.department FROM temp.{stage} s"
            " JOIN customers c ON c.id = s.customer_id"
            f" WHERE s.line IN ({', '.join('?' for _ in chunk)}) ORDER BY s.at, s.line",
            chunk,
        ).fetchall()
        staged = [(row, _call_input(session, row)) for row in batch]
        if one_by_one:
            for row, data in staged:
                calls.record_call(session, planner, row, data)
        else:
            waves.settle_imported(session, planner, staged)
        if progress:
            progress(N_("writing"), start + len(chunk), len(lines))
    return max(_planned(conn) - before, 0)


def _call_input(session: Session, row: sqlite3.Row) -> calls.CallInput:
    return calls.CallInput(
        outcome=row["outcome"],
        by=row["by"],
        at=datetime.fromisoformat(row["at"]),
        channel=row["channel"] or "phone",
        contact=row["contact"],
        satisfaction=row["satisfaction"],
        recommend=row["recommend"],
        repurchase=row["repurchase"],
        answers=json.loads(row["answers"]) if row["answers"] else {},
        note=row["note"],
        findings=row["findings"],
        imported=True,
        zone=session.zone,
    )


def write_calls(
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """A calls import: settled on a private copy before the write lock, then written in
    a short phase (transfer/rehearsal.py); the calls of customers a clerk wrote to
    meanwhile are settled again there, on their rows as they are now."""
    cols = [c for c in CALL_COLUMNS if c in present]

    def corrections() -> None:
        _counts(conn, _calls_join(stage), columns_differ(cols, "s", "t"), report)
        if cols and report.updated:
            calls.update_staged(conn, stage, cols)

    def again(ids: list[int]) -> None:
        subset = _stage_of(conn, stage, "customer_id", ids)
        settle_calls(session, conn, subset, None)

    _rehearsed_write(
        session,
        report,
        rehearsal.Plan(
            "calls",
            stage,
            on_copy=lambda copy: settle_calls(session, copy, stage, progress, writing=False),
            again=again,
            plain=lambda: _write_calls(session, conn, stage, present, report, True, progress),
            first=corrections,
        ),
    )


def write_customers(
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """A customers import: written and planned on a private copy before the write lock,
    then written in a short phase (transfer/rehearsal.py); the file's customers another
    process changed meanwhile are written again there, on their rows as they are now.
    New codes are drawn again at each rehearsal."""
    codeless = f"{stage}_codeless"
    conn.execute(f"DROP TABLE IF EXISTS temp.{codeless}")
    conn.execute(
        f"CREATE TEMP TABLE {codeless} AS SELECT line FROM temp.{stage} WHERE code IS NULL"
    )

    def codes_drawn_again() -> None:
        conn.execute(
            f"UPDATE temp.{stage} SET code = NULL WHERE line IN (SELECT line FROM temp.{codeless})"
        )

    def on_the_copy(copy: sqlite3.Connection) -> int:
        codes_drawn_again()
        _write_customers(session, copy, stage, present, report, True, progress)
        return report.callbacks_planned

    def again(ids: list[int]) -> None:
        codes = [r[0] for r in conn.execute(
            f"SELECT code FROM customers WHERE id IN ({', '.join('?' for _ in ids)})", ids
        )]  # fmt: skip
        subset = _stage_of(conn, stage, "code", codes)
        counted = ImportReport(report.kind, report.path, report.encoding)
        _write_customers(session, conn, subset, present, counted, True, None)

    def plain() -> None:
        codes_drawn_again()
        _write_customers(session, conn, stage, present, report, True, progress)

    _rehearsed_write(session, report, rehearsal.Plan("customers", stage, on_the_copy, again, plain))


def _stage_of(conn: sqlite3.Connection, stage: str, column: str, keys: list[Any]) -> str:
    """`temp.{stage}_again`: the staged rows whose `column` is one of `keys`."""
    subset = f"{stage}_again"
    conn.execute(f"DROP TABLE IF EXISTS temp.{subset}")
    conn.execute(f"CREATE TEMP TABLE {subset} AS SELECT * FROM temp.{stage} WHERE 1 = 0")
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        conn.execute(
            f"INSERT INTO temp.{subset} SELECT * FROM temp.{stage}"
            f" WHERE {column} IN ({', '.join('?' for _ in chunk)})",
            chunk,
        )
    return subset


def _rehearsed_write(session: Session, report: ImportReport, plan: rehearsal.Plan) -> None:
    """Rehearse `plan`, then write it in a short phase: what the rehearsal settled is
    applied, except for the customers another process wrote to meanwhile, whose rows
    are settled again inside the lock (few: a clerk's calls). Rehearsed again when what
    every customer depends on changed (the staff, a new customer), or many of the file's
    customers did; the plain way, inside the lock, after REHEARSALS tries."""
    conn = session.conn
    for _attempt in range(rehearsal.REHEARSALS):
        try:
            rehearsed = rehearsal.rehearse(session, plan.stage, plan.kind, plan.on_copy)
        except rehearsal.RehearsalUnsupported:
            break
        later = rehearsal.hold_back_new_customers_callbacks(conn, rehearsed)
        yearly = rehearsal.hold_back_reanchored_yearly(conn, rehearsed)
        with write_phase(session, report, tidy_after=not (later or yearly)):
            changed = rehearsal.changed_customers(conn, rehearsed)
            if changed is None or len(changed) > rehearsal.SETTLE_AGAIN_AT_MOST:
                continue  # (nothing written: rehearse again)
            before = _planned(conn)
            if plan.first is not None:
                plan.first()
            rehearsal.forget_customers(conn, changed)
            if yearly:
                rehearsal.forget_held_yearly(conn, changed)
            moved = rehearsal.apply_rehearsal(conn, rehearsed)
            if changed:
                plan.again(changed)
            report.callbacks_planned = max(_planned(conn) - before, 0)
            report.settled_again = len(changed)
            new_customers = (
                rehearsed.last_customer + 1,
                _count(conn, "SELECT max(id) FROM customers"),
            )
            file_calls = (
                rehearsed.last_call + moved.calls + 1,
                _count(conn, "SELECT coalesce(max(id), 0) FROM calls"),
            )
            if later:
                record_owed(conn, *new_customers)
            if yearly:
                first_held, last_held = conn.execute(
                    f"SELECT min(id), max(id) FROM temp.{rehearsal.YEARLY_HELD}"
                ).fetchone()
                if first_held is not None:
                    record_yearly_owed(conn, int(first_held), int(last_held), file_calls)
        if later:
            _write_later(session, report, *new_customers, moved.callbacks)
        if yearly:
            _write_yearly_later(session, report, moved.callbacks, file_calls)
        return
    rehearsal.drop_later(conn)
    rehearsal.drop_held_yearly(conn)
    # (a calls file writes to its customers alone; a customers file may add customers)
    with write_phase(session, report, customers_in=plan.stage if plan.kind == "calls" else None):
        plan.plain()


def _write_later(session: Session, report: ImportReport, first: int, last: int, shift: int) -> None:
    """A large customers import's new customers' callbacks, after the file, as its
    rehearsal planned them (held back: rehearsal.hold_back_new_customers_callbacks), in
    short transactions of their own: a clerk's command gets the lock between two. The
    customers another process wrote to meanwhile are planned the plain way, on their rows
    as they are now. Each transaction moves the record of the customers still owed on
    (domain/callbacks/owed.py): killed meanwhile, the next command plans the rest."""
    conn = session.conn

    def run(chunk: rehearsal.Chunk, others_wrote: bool) -> int:
        touched: list[int] = []
        if others_wrote:
            touched = rehearsal.touched_meanwhile(conn, chunk.first, chunk.last)
            rehearsal.forget_later(conn, touched)
        written = callbacks.insert_rehearsed_run(
            conn, rehearsal.LATER, chunk.first_id, chunk.last_id, shift
        )
        if touched:
            before = _planned(conn)
            Planner(session, conn).plan_customers(touched)
            written += max(_planned(conn) - before, 0)
            report.settled_again += len(touched)
        record_owed(conn, chunk.last + 1, last)
        return written

    def left() -> int:
        found = owed(conn)
        return 0 if found is None else max(found.last - found.first + 1, 0)

    try:
        steps = [partial(run, c) for c in rehearsal.later_chunks(conn, first, last)]
    except BaseException:
        rehearsal.drop_later(conn)
        raise
    _in_short_transactions(session, report, steps, left, rehearsal.drop_later)


def _write_yearly_later(
    session: Session, report: ImportReport, shift: int, calls: tuple[int, int]
) -> None:
    """A large calls import's re-anchored yearly floors, after the file (held back:
    rehearsal.hold_back_reanchored_yearly), as `_write_later` writes a customers
    import's callbacks: a held customer another process wrote to meanwhile is
    re-anchored the plain way, on its rows as they are now (owed.reanchor_yearly)."""
    conn = session.conn
    runs = rehearsal.yearly_runs(conn)
    last = runs[-1][1] if runs else 0
    run_table = "_rehearsed_yearly_run"

    def run(bounds: tuple[int, int], others_wrote: bool) -> int:
        first_id, last_id = bounds
        touched: list[int] = []
        if others_wrote:
            touched = rehearsal.yearly_touched(conn, first_id, last_id, calls[1])
            rehearsal.forget_held_yearly(conn, touched)
        before = _planned(conn)
        conn.execute(f"DROP TABLE IF EXISTS temp.{run_table}")
        conn.execute(
            f"CREATE TEMP TABLE {run_table} AS SELECT * FROM temp.{rehearsal.YEARLY_CHANGES_LATER}"
            " WHERE customer_id BETWEEN ? AND ?",
            (first_id, last_id),
        )
        ids = callbacks.IdShift(2**62, 0, 2**62, 0)  # (no call or callback of the file named)
        callbacks.apply_rehearsed_changes(conn, run_table, ids)
        callbacks.insert_rehearsed_run(
            conn, rehearsal.YEARLY_LATER, first_id, last_id, shift, by="customer_id"
        )
        conn.execute(f"DROP TABLE temp.{run_table}")
        if touched:
            reanchor_yearly(session, conn, touched)
            report.settled_again += len(touched)
        record_yearly_owed(conn, last_id + 1, last, calls)
        return _planned(conn) - before  # (a floor re-anchored: one pending for another)

    def left() -> int:
        found = yearly_owed(conn)
        if found is None:
            return 0
        return _count(
            conn,
            "SELECT count(DISTINCT customer_id) FROM calls WHERE id BETWEEN ? AND ?"
            " AND outcome = 'reached' AND customer_id BETWEEN ? AND ?",
            (found.first_call, found.last_call, found.first, found.last),
        )

    steps = [partial(run, r) for r in runs]
    _in_short_transactions(session, report, steps, left, rehearsal.drop_held_yearly)


def _in_short_transactions(
    session: Session,
    report: ImportReport,
    steps: Sequence[Callable[[bool], int]],
    left: Callable[[], int],
    drop: Callable[[sqlite3.Connection], None],
) -> None:
    """Run each step (told whether another process wrote since the first) in a write
    transaction of its own, the lock left free before each, while another write waits
    for it, as long as it was last held (the first: as long as the file's transaction
    held it; LEAVE_FREE_AT_MOST_S at most); what each wrote counted as planned. A
    step that cannot write (the database busy past the timeout, the disk full) ends
    it: `left()` says what is still owed (report.owed_left; the next command writes
    it). Then the held-back rows' temp
    tables are dropped (`drop`) and, if all was written, the due list tidied."""
    conn = session.conn
    seen = rehearsal.data_version(conn)  # (this connection's own commits leave it as it is)
    others_wrote = False
    held = report.lock_longest_s  # (the file's transaction, just committed)
    try:
        for step in steps:
            leave_free(conn, held)  # (store/busy.py: only while a write waits)
            with write_transaction(conn):
                started = time.perf_counter()
                others_wrote = others_wrote or rehearsal.data_version(conn) != seen
                written = step(others_wrote)
            held = time.perf_counter() - started
            report.held(held)
            report.callbacks_planned += written
    except (sqlite3.Error, DatabaseBusy, StorageError):
        # The file is in; what is still owed stays recorded, for the next command.
        with suppress(sqlite3.Error):
            report.owed_left = left()
        return
    finally:
        drop(conn)  # (the held-back rows' temp tables)
    tidy(session, None)


@contextmanager
def write_phase(
    session: Session,
    report: ImportReport,
    *,
    tidy_after: bool = True,
    customers_in: str | None = None,
) -> Iterator[sqlite3.Connection]:
    """The import's write transaction, the time it held the write lock (from BEGIN
    IMMEDIATE to COMMIT) added to the report. The import is recorded as writing first,
    in a short transaction of its own, and the record removed with its rows: a clerk's
    command finding the database busy meanwhile waits for it (store/busy.py).
    `customers_in`: the staged rows (a temp table with `customer_id`) of an import that
    writes to their customers alone; on a server it writes beside clerks on others."""
    with session.write() as conn:
        record = import_record(conn, report.kind, report.path, report.rows, session.stamp)
        set_meta(conn, IMPORT_WRITING_KEY, record)
    try:
        with session.write(customers_in=customers_in) as conn:
            started = time.perf_counter()
            yield conn
            delete_meta(conn, IMPORT_WRITING_KEY)
    except BaseException:
        _forget_the_record(session)
        raise
    report.held(time.perf_counter() - started)
    # The due list's state for the customers the import changed: settled afterwards, in
    # short batches that let a clerk's write in between (callbacks/due_summary.py); the
    # list is right meanwhile, ranking those customers live.
    if tidy_after:
        tidy(session, None)


def _forget_the_record(session: Session) -> None:
    """After a failed write phase: the import's record removed, if the lock is free (a
    crashed import's record is ignored anyway: its process is gone)."""

    def forget() -> bool:
        delete_meta(session.conn, IMPORT_WRITING_KEY)
        return True

    with suppress(sqlite3.Error):
        write_if_free(session.conn, forget)


WRITERS: dict[str, Callable[..., object]] = {
    "staff": _write_staff,
    "customers": _write_customers,
    "contacts": _write_contacts,
    "events": write_events,  # (the real run: write_events_file)
    "calls": _write_calls,
}
