"""Changing one planned callback by hand: move it, or skip it with a reason."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from followup_cli.domain import fields
from followup_cli.domain.callbacks import store
from followup_cli.domain.callbacks.owed import hold_customer
from followup_cli.domain.callbacks.planning import Planner
from followup_cli.domain.session import Session
from followup_cli.support.dates import parse_datetime
from followup_cli.support.errors import InvalidValue, NotFound, Refused
from followup_cli.support.i18n import _, label
from followup_cli.support.workdays import load_calendar


@dataclass
class CallbackChange:
    id: int
    customer_code: str
    customer_name: str
    reason: str
    due_on: str
    status: str
    note: str | None
    working_day: bool = True
    by: str | None = None  # who moved or skipped it
    appointment_at: str | None = None  # booked: when (a timestamp on the office's clock)
    appointment_place: str | None = None


def _pending(session: Session, conn: sqlite3.Connection, callback_id: int) -> sqlite3.Row:
    """In a one-customer write: the callback, pending, its customer's lock held to the end
    of the transaction, as it is once held (a clerk beside this one may have settled it)."""
    found = conn.execute(
        "SELECT customer_id FROM callbacks WHERE id = ?", (callback_id,)
    ).fetchone()
    if found is not None:
        hold_customer(session, conn, int(found[0]))
    row = conn.execute(
        "SELECT cb.*, c.code, c.name FROM callbacks cb JOIN customers c ON c.id = cb.customer_id"
        " WHERE cb.id = ?",
        (callback_id,),
    ).fetchone()
    if row is None:
        raise NotFound(
            _("no callback #{id}").format(id=callback_id),
            _("See `followup due --days 30` for ids."),
        )
    if row["status"] != "pending":
        raise Refused(
            _("callback #{id} is already {status}").format(
                id=callback_id, status=label("callback_status", row["status"])
            )
        )
    return row  # type: ignore[no-any-return]


def reschedule_callback(session: Session, callback_id: int, day: date) -> CallbackChange:
    """Move a pending callback to `day` (kept as given; a non-working day is flagged)."""

    if day < session.today:
        raise Refused(
            _("{date} is in the past; a callback can only be moved to today or later").format(
                date=day
            ),
            _("To record that it was done, log the call with `followup log-call`."),
        )
    with session.write(one_customer=True) as conn:
        row = _pending(session, conn, callback_id)
        moved = _same_hour(row["appointment_at"], day)
        store.reschedule(conn, callback_id, day, session.actor, session.stamp, moved)
        working = load_calendar(conn, session.today, store=True).is_working(day)
    return CallbackChange(
        callback_id,
        row["code"],
        row["name"],
        row["reason"],
        day.isoformat(),
        "pending",
        None,
        working,
        session.actor,
        moved,
        row["appointment_place"],
    )


def _same_hour(appointment_at: str | None, day: date) -> str | None:
    """A booked appointment moved to `day` at the same hour (None when not booked)."""
    if appointment_at is None:
        return None
    moment = datetime.fromisoformat(appointment_at)
    return datetime.combine(day, moment.timetz()).isoformat(timespec="seconds")


def appointment_moment(session: Session, raw: str) -> datetime:
    """When an appointment is, on the office's clock: a date and time as `--at` takes
    them (a naive time is the office's). Not in the past: from now on, or on a day given
    by --today (whose clock time is unknown), from that day on."""
    at = parse_datetime(raw, "at", session.now).astimezone(session.zone)
    if session.today_given:
        if at.date() < session.today:
            raise InvalidValue(
                "at",
                raw,
                _("an appointment on or after today ({today})").format(today=session.today),
            )
    elif at < session.now:
        raise InvalidValue(
            "at",
            raw,
            _("an appointment from now on ({now} or later)").format(
                now=session.now.strftime("%Y-%m-%d %H:%M")
            ),
        )
    return at


def book_callback(
    session: Session, callback_id: int, at: datetime, place: str | None
) -> CallbackChange:
    """Book a pending callback for an appointment `at` (a visit's time and place, seed
    003 大客户回访流程: 预约回访时间和地点): due that day, shown with its time and place
    in the due list and the call brief."""
    where = fields.text(place, "place", max_length=fields.MAX_NAME)
    if where is not None and ("\n" in where or "\r" in where):
        raise InvalidValue("place", where, _("a place on one line"))
    stamp = at.isoformat(timespec="seconds")
    with session.write(one_customer=True) as conn:
        row = _pending(session, conn, callback_id)
        store.book(conn, callback_id, stamp, where, session.actor, session.stamp)
        working = load_calendar(conn, session.today, store=True).is_working(at.date())
    return CallbackChange(
        callback_id,
        row["code"],
        row["name"],
        row["reason"],
        at.date().isoformat(),
        "pending",
        None,
        working,
        session.actor,
        stamp,
        where if where is not None else row["appointment_place"],
    )


def skip_callback(session: Session, callback_id: int, reason: str) -> CallbackChange:
    """Skip a pending callback; a periodic one is chained on from today."""

    why = fields.required_text(reason, "reason", max_length=2000)
    with session.write(one_customer=True) as conn:
        row = _pending(session, conn, callback_id)
        store.skip(conn, callback_id, why, session.actor, session.today, session.stamp)
        if row["reason"] in ("visit", "yearly"):
            Planner(session, conn).plan_customers([row["customer_id"]])
    return CallbackChange(
        callback_id,
        row["code"],
        row["name"],
        row["reason"],
        row["due_on"],
        "skipped",
        why,
        by=session.actor,
    )
