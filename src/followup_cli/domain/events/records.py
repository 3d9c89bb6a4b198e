"""Events: things that happened with a customer and want follow-up (a sale, a service job...)."""

from __future__ import annotations

import datetime
import sqlite3
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from followup_cli.domain import fields
from followup_cli.domain import vocabulary as vocab
from followup_cli.domain.callbacks.planning import Planner
from followup_cli.domain.customers.records import locked_customer_row, resolve_customer_row
from followup_cli.domain.session import Session
from followup_cli.domain.staff.records import get_staff
from followup_cli.domain.texts import record
from followup_cli.store.compare import columns_differ
from followup_cli.store.engines import stage_row
from followup_cli.support.dates import parse_date
from followup_cli.support.errors import Conflict, InvalidValue
from followup_cli.support.i18n import _, label


@dataclass
class Event:
    id: int
    customer_id: int
    customer_code: str
    customer_name: str
    kind: str
    date: str
    ref: str
    machine: str | None
    staff: str | None
    result: str | None
    note: str | None
    recorded_by: str | None = None  # who recorded it (--by); `staff` did the job
    in_use: str | None = None  # the day the machine went into use: callbacks count from it
    contact: str | None = None  # the customer's person for this job (a contact's name)
    amount: float | None = None  # 金额, in yuan: what customers are ranked by (seed 004)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class EventInput:
    kind: str
    date: date
    ref: str = ""
    machine: str | None = None
    staff: str | None = None
    result: str | None = None
    note: str | None = None
    in_use: datetime.date | None = None  # (`date` is the field above, in this class)
    contact: str | None = None  # a contact's name, found in the customer's contacts
    amount: float | None = None  # yuan (fields.amount)


# How long after the event its machine may go into use (a later day is a typo).
IN_USE_WITHIN_DAYS = 366


def check_in_use(event_day: date, in_use: date, value: object) -> None:
    """The day the machine went into use: on or after the event, and within a year of it
    (seed 000: call when the customer has begun to use it)."""
    if not event_day <= in_use <= event_day + timedelta(days=IN_USE_WITHIN_DAYS):
        raise InvalidValue(
            "in_use",
            value,
            _("a date on or after the event's date ({date}) and within a year of it").format(
                date=event_day.isoformat()
            ),
        )


def validate_event(
    session: Session,
    kind: str | None,
    day: str | date | None,
    *,
    ref: str | None = None,
    machine: str | None = None,
    staff: str | None = None,
    result: str | None = None,
    note: str | None = None,
    in_use: str | date | None = None,
    contact: str | None = None,
    amount: str | None = None,
) -> EventInput:
    """Check an event's fields. The date defaults to today; a future date is refused; the
    day the machine went into use is on or after the event's date, within a year."""
    kind_value = vocab.accept("event_kind", kind, "kind", session.config.event_kinds)
    if isinstance(day, date):
        when = day
    elif day is None or not day.strip():
        when = session.today
    else:
        when = parse_date(day, "date")
    if when > session.today:
        raise InvalidValue(
            "date",
            when.isoformat(),
            _("a date on or before today ({today})").format(today=session.today),
        )
    in_use_day: date | None = None
    if isinstance(in_use, date):
        in_use_day = in_use
    elif in_use is not None and in_use.strip():
        in_use_day = parse_date(in_use, "in_use")
    if in_use_day is not None:
        check_in_use(when, in_use_day, in_use_day.isoformat())
    return EventInput(
        kind=kind_value,
        date=when,
        ref=fields.text(ref, "ref", max_length=fields.MAX_NAME) or "",
        machine=fields.text(machine, "machine", max_length=fields.MAX_NAME),
        staff=fields.text(staff, "staff", max_length=fields.MAX_NAME),
        result=fields.text(result, "result"),
        note=fields.text(note, "note"),
        in_use=in_use_day,
        contact=fields.name(contact, "contact") if contact is not None else None,
        amount=fields.amount(amount, "amount"),
    )


_SELECT = (
    "SELECT e.*, c.code AS customer_code, c.name AS customer_name, k.name AS contact"
    " FROM events e JOIN customers c ON c.id = e.customer_id"
    " LEFT JOIN contacts k ON k.id = e.contact_id"
)


def _from_row(row: sqlite3.Row) -> Event:
    return Event(
        id=row["id"],
        customer_id=row["customer_id"],
        customer_code=row["customer_code"],
        customer_name=row["customer_name"],
        kind=row["kind"],
        date=row["date"],
        ref=row["ref"],
        machine=row["machine"],
        staff=row["staff"],
        result=row["result"],
        note=row["note"],
        recorded_by=row["recorded_by"],
        in_use=row["in_use"],
        contact=row["contact"],
        amount=row["amount"],
    )


@dataclass
class EventAdded:
    event: Event
    callbacks: list[dict[str, Any]]


def add_event(session: Session, customer_ref: str, data: EventInput) -> EventAdded:
    """Record an event and plan its callbacks, in one transaction."""

    with session.write(one_customer=True) as conn:
        customer = locked_customer_row(session, conn, customer_ref)
        if data.staff:
            get_staff(conn, data.staff, "--staff")
        contact_id = event_contact_id(conn, customer, data.contact) if data.contact else None
        if conn.execute(
            "SELECT 1 FROM events WHERE customer_id = ? AND kind = ? AND date = ? AND ref = ?",
            (customer["id"], data.kind, data.date.isoformat(), data.ref),
        ).fetchone():
            raise Conflict(
                _("this {kind} event on {date} (ref '{ref}') is already recorded").format(
                    kind=label("event_kind", data.kind), date=data.date, ref=data.ref
                ),
                _("Events are unique by customer, kind, date and ref."),
            )
        cur = conn.execute(
            "INSERT INTO events (customer_id, kind, date, ref, machine, staff, result, note,"
            " recorded_by, contact_id, created_at, in_use, amount)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                customer["id"],
                data.kind,
                data.date.isoformat(),
                data.ref,
                data.machine,
                data.staff,
                data.result,
                data.note,
                session.actor,
                contact_id,
                session.stamp,
                data.in_use.isoformat() if data.in_use else None,
                data.amount,
            ),
        )
        event_id = int(cur.lastrowid or 0)
        Planner(session, conn).plan_events([event_id])
        event = _from_row(conn.execute(_SELECT + " WHERE e.id = ?", (event_id,)).fetchone())
        callbacks = [
            record(r, "detail")
            for r in conn.execute(
                "SELECT id, due_on, reason, role, assignee, detail, detail_message FROM callbacks"
                " WHERE customer_id = ? AND event_id = ? AND status = 'pending' ORDER BY due_on",
                (customer["id"], event_id),
            )
        ]
    return EventAdded(event, callbacks)


def event_contact_id(conn: sqlite3.Connection, customer: sqlite3.Row, name: str) -> int:
    """The id of the customer's contact `name` (the event's person: seed 000 选择客户负责人
    进行回访); an InvalidValue listing the contacts otherwise (bad input, exit 65)."""
    found = conn.execute(
        "SELECT id FROM contacts WHERE customer_id = ? AND name = ?", (customer["id"], name)
    ).fetchone()
    if found is not None:
        return int(found[0])
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM contacts WHERE customer_id = ? AND left_on IS NULL ORDER BY id",
            (customer["id"],),
        )
    ]
    expected = (
        _("a contact of {code}: {names}").format(code=customer["code"], names=", ".join(names))
        if names
        else _(
            "a contact of {code}, which has none yet (`followup contact add {code} NAME`)"
        ).format(code=customer["code"])
    )
    raise InvalidValue("contact", name, expected)


def list_events(
    session: Session,
    customer_ref: str | None = None,
    kind: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
) -> list[Event]:
    where: list[str] = []
    params: list[Any] = []
    if customer_ref:
        customer = resolve_customer_row(session.conn, customer_ref)
        where.append("e.customer_id = ?")
        params.append(customer["id"])
    if kind:
        where.append("e.kind = ?")
        params.append(kind)
    if since:
        where.append("e.date >= ?")
        params.append(since.isoformat())
    if until:
        where.append("e.date <= ?")
        params.append(until.isoformat())
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY e.date DESC, e.id DESC"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    return [_from_row(r) for r in session.conn.execute(sql, params)]


def upsert_staged(conn: sqlite3.Connection, stage: str, cols: list[str], stamp: str) -> int:
    """An import's write (set-wise, from the temp table `stage` that transfer/ filled):
    one pass in key order (the stage is sorted: the unique index grows at its end), new
    keys inserted, known ones' `cols` updated where a value differs (the file's own keys
    are distinct). Returns the rows inserted or updated."""
    on_conflict = (
        f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in cols)}"
        f" WHERE {columns_differ(cols, 'excluded', 'events')}"
        if cols
        else "DO NOTHING"
    )
    # In the stage's row order (stage_row: SQLite's rowid, the sorted stage's key order),
    # and `WHERE true`, which SQLite's parser needs before ON CONFLICT in an INSERT ...
    # SELECT (harmless elsewhere).
    return conn.execute(
        "INSERT INTO events (customer_id, kind, date, ref, machine, staff, result, note,"
        " in_use, amount, contact_id, created_at) SELECT s.customer_id, s.kind, s.date, s.ref,"
        f" s.machine, s.staff, s.result, s.note, s.in_use, s.amount, {staged_contact_id('s')}, ?"
        f" FROM temp.{stage} s WHERE true ORDER BY {stage_row(conn, 's')}"
        f" ON CONFLICT (customer_id, kind, date, ref) {on_conflict}",
        (stamp,),
    ).rowcount


def staged_contact_id(row: str) -> str:
    """SQL: the id of the contact a staged event row `row` names (its `contact` column,
    a name among its customer's contacts; the import's checks refused any other)."""
    return (
        f"(SELECT k.id FROM contacts k WHERE k.customer_id = {row}.customer_id"
        f" AND k.name = {row}.contact)"
    )


def latest_event_of(
    conn: sqlite3.Connection, customer_id: int, kinds: tuple[str, ...], on: date
) -> tuple[str, str] | None:
    """The kind and date of the customer's latest event of one of `kinds` on or before
    `on` (a return is judged against the latest sale or parts), or None."""
    marks = ", ".join("?" for _kind in kinds)
    row = conn.execute(
        f"SELECT kind, date FROM events WHERE customer_id = ? AND kind IN ({marks})"
        " AND date <= ? ORDER BY date DESC, id DESC LIMIT 1",
        (customer_id, *kinds, on.isoformat()),
    ).fetchone()
    return (row[0], row[1]) if row else None
