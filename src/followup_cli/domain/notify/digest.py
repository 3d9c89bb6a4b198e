"""Each assignee's due digest, once a day (issue 19): how many callbacks wait for them
today and how many are overdue, and the first few customers of their due list (in its
order: urgency first). `escalate --auto`, cron's morning job, queues it; its cause is
the day, so a second run that day queues nothing."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from followup_cli.domain.callbacks.due import DueEntry, DueFilter, due_list
from followup_cli.domain.notify.outbox import Cause, queue_notice
from followup_cli.domain.notify.settings import notify_settings
from followup_cli.domain.session import Session
from followup_cli.domain.texts import Text, joined, message, read

TOP = 5  # customers named in a digest


@dataclass
class Digest:
    assignee: str
    due_today: int = 0
    overdue: int = 0
    top: list[tuple[DueEntry, str, Text]] = field(default_factory=list)  # row, due_on, reason


def due_digests(session: Session) -> list[Digest]:
    """Every assignee's digest of today's due list (read before the write lock: the due
    list reads in its own snapshot)."""
    settings = notify_settings(session.config)
    if not settings.email.host and not settings.robots:
        return []  # no channel at all: nobody could be reached, the due list is not read
    today = session.today.isoformat()
    per: dict[str, Digest] = {}
    for row in due_list(session, DueFilter(on=session.today)).rows:
        named: set[str] = set()
        for reason in row.reasons:
            if not reason.assignee:
                continue
            digest = per.setdefault(reason.assignee, Digest(reason.assignee))
            if reason.due_on < today:
                digest.overdue += 1
            else:
                digest.due_today += 1
            if reason.assignee not in named and len(digest.top) < TOP:
                named.add(reason.assignee)
                text = read(reason.detail, reason.detail_message) or reason.reason
                digest.top.append((row, reason.due_on, text))
    return list(per.values())


def digest_cause(session: Session, digest: Digest) -> Cause:
    parts: list[Text] = [
        message(
            "notice.digest",
            date=session.today.isoformat(),
            due=str(digest.due_today),
            overdue=str(digest.overdue),
        )
    ]
    parts += [
        message("notice.digest_item", code=row.code, name=row.name, date=due_on, detail=text)
        for row, due_on, text in digest.top
    ]
    parts.append(message("notice.digest_how", name=digest.assignee))
    key = f"digest:{session.today.isoformat()}:{digest.assignee}"
    return Cause("digest", key, joined(parts))


def queue_digests(session: Session, conn: sqlite3.Connection, digests: list[Digest]) -> int:
    """Queue each digest for its assignee, inside the caller's transaction."""
    return sum(queue_notice(session, conn, digest_cause(session, d), d.assignee) for d in digests)
