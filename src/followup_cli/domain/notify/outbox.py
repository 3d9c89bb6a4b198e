"""The notices table's one writer (store/migrations.py aside, which creates it): the
outbox. A notice is queued inside the write transaction of its cause (an escalation, an
early warning, a new complaint, an approval waiting), one per recipient, channel and
cause (`cause_key`): queuing the same cause again adds nothing, so re-running
`escalate --auto` tells nobody twice. `notify send` then marks each one sent, or keeps
it pending with the error and the next try's time, or marks it failed.

No secret is written here: a channel is a name (`email`, or a robot's name in
[notify.webhooks]) and an email address; a robot's URL stays in the environment."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from followup_cli.domain.notify.settings import NotifySettings, notify_settings
from followup_cli.domain.session import Session
from followup_cli.domain.texts import Message, columns
from followup_cli.support.dates import timestamp

STATUSES = ("pending", "sent", "failed")
CAUSES = ("escalation", "warning", "ticket", "approval", "digest")


@dataclass(frozen=True)
class Cause:
    """Why a notice is sent: its kind, the key that makes it once-only (with the
    recipient and channel), what it is about, and its text (a joined message: the
    title, then one line per part)."""

    cause: str
    key: str
    text: Message
    ticket_id: int | None = None
    customer_id: int | None = None


def queue_notice(
    session: Session, conn: sqlite3.Connection, cause: Cause, recipient: str | None
) -> int:
    """Queue `cause` for `recipient` (a staff name) on every channel that reaches them,
    inside the caller's transaction; how many notices were added (0: nobody named, not
    active staff, no channel reaches them, or queued before)."""
    if not recipient:
        return 0
    member = conn.execute(
        "SELECT role, email FROM staff WHERE name = ? AND active = 1", (recipient,)
    ).fetchone()
    if member is None:
        return 0
    settings = notify_settings(session.config)
    text, stored = columns(cause.text)
    added = 0
    for channel, address in settings.channels_for(member["role"], member["email"]):
        cur = conn.execute(
            "INSERT INTO notices (cause, cause_key, ticket_id, customer_id, recipient, channel,"
            " address, text, text_message, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (cause_key, recipient, channel) DO NOTHING",
            (
                cause.cause,
                cause.key,
                cause.ticket_id,
                cause.customer_id,
                recipient,
                channel,
                address,
                text,
                stored,
                session.stamp,
                session.stamp,
            ),
        )
        added += cur.rowcount
    return added


# What a notice is read with: its customer's code and name, the recipient's phone.
SELECT = (
    "SELECT n.*, c.code AS customer_code, c.name AS customer_name, s.phone AS phone"
    " FROM notices n LEFT JOIN customers c ON c.id = n.customer_id"
    " LEFT JOIN staff s ON s.name = n.recipient"
)


def due_notices(conn: sqlite3.Connection, now: datetime) -> list[sqlite3.Row]:
    """Pending notices whose next try has come (never tried, or its wait is over),
    oldest first."""
    return conn.execute(
        SELECT + " WHERE n.status = 'pending' AND (n.next_try_at IS NULL OR n.next_try_at <= ?)"
        " ORDER BY n.id",
        (timestamp(now),),
    ).fetchall()


def notices(conn: sqlite3.Connection, status: str | None = None) -> list[sqlite3.Row]:
    """Every notice (or those of `status`), oldest first."""
    if status is None:
        return conn.execute(SELECT + " ORDER BY n.id").fetchall()
    return conn.execute(SELECT + " WHERE n.status = ? ORDER BY n.id", (status,)).fetchall()


def failed_since(conn: sqlite3.Connection, day: date) -> list[sqlite3.Row]:
    """Notices marked failed (no more tries) on `day` or later, oldest first."""
    return conn.execute(
        SELECT + " WHERE n.status = 'failed' AND substr(n.updated_at, 1, 10) >= ? ORDER BY n.id",
        (day.isoformat(),),
    ).fetchall()


# How long a notice taken for delivery is left alone by another `notify send` (and, if
# the one that took it died before marking it, when it is tried again).
CLAIM_MINUTES = 10


def claim(conn: sqlite3.Connection, notice_id: int, now: datetime) -> bool:
    """Take a due notice for delivery: its next try moved CLAIM_MINUTES on, so a second
    `notify send` running meanwhile passes it over; False when another took it first."""
    stamp = timestamp(now)
    cur = conn.execute(
        "UPDATE notices SET next_try_at = ?, updated_at = ? WHERE id = ? AND status = 'pending'"
        " AND (next_try_at IS NULL OR next_try_at <= ?)",
        (timestamp(now + timedelta(minutes=CLAIM_MINUTES)), stamp, notice_id, stamp),
    )
    return cur.rowcount == 1


def mark_sent(conn: sqlite3.Connection, notice_id: int, stamp: str) -> None:
    conn.execute(
        "UPDATE notices SET status = 'sent', attempts = attempts + 1, sent_at = ?,"
        " next_try_at = NULL, updated_at = ? WHERE id = ? AND status = 'pending'",
        (stamp, stamp, notice_id),
    )


def mark_failed_try(
    conn: sqlite3.Connection,
    settings: NotifySettings,
    notice_id: int,
    error: str,
    now: datetime,
) -> str:
    """A try that failed: pending again after its wait, or failed after max_attempts;
    the status it is left in."""
    row = conn.execute("SELECT attempts FROM notices WHERE id = ?", (notice_id,)).fetchone()
    attempts = int(row["attempts"]) + 1
    stamp = timestamp(now)
    if attempts >= settings.max_attempts:
        conn.execute(
            "UPDATE notices SET status = 'failed', attempts = ?, last_error = ?,"
            " next_try_at = NULL, updated_at = ? WHERE id = ?",
            (attempts, error, stamp, notice_id),
        )
        return "failed"
    next_try = timestamp(now + timedelta(minutes=settings.wait_after(attempts)))
    conn.execute(
        "UPDATE notices SET attempts = ?, last_error = ?, next_try_at = ?, updated_at = ?"
        " WHERE id = ?",
        (attempts, error, next_try, stamp, notice_id),
    )
    return "pending"
