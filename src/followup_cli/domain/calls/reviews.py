"""A supervisor's review of a visit report (seed 003, 大客户回访的工作流程: "(8)主管领导
审阅。客服主管对大客户服务专员提交的…大客户回访报告表进行审查，并提出指导意见").

A call that may carry findings (`findings_allowed`: a visit, or a call to a key
account) is reviewed once, by a staff member holding one of `[visit_reports]
reviewer_roles` other than the caller; a review is never changed or deleted.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from typing import Any

from followup_cli.domain import fields
from followup_cli.domain.calls.log import findings_allowed
from followup_cli.domain.session import Session
from followup_cli.domain.staff.records import get_staff
from followup_cli.support.errors import Conflict, NotFound, Refused
from followup_cli.support.i18n import _, label


@dataclass
class CallReview:
    call_id: int
    customer_code: str
    customer_name: str
    caller: str
    reviewed_by: str
    reviewed_at: str
    note: str | None
    findings: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_review_note(note: str | None) -> str | None:
    """The reviewer's guidance (指导意见), as typed; control characters refused."""
    return fields.text(note, "note")


def review_call(session: Session, call_id: int, note: str | None) -> CallReview:
    """Record the acting staff member's review of call `call_id`, in one transaction.
    Refused (exit 1, nothing written): an unknown call, a call that is no visit report,
    a reviewer without a reviewing role, the caller themselves, a second review."""
    note = check_review_note(note)
    with session.write() as conn:
        call = _call(conn, call_id)
        if not findings_allowed(
            session, int(call["grade"]), call["channel"], _visit_callback(conn, call)
        ):
            raise Refused(
                _(
                    "call #{id} is neither a visit nor a call to a {tiers} customer:"
                    " it has no visit report to review"
                ).format(id=call_id, tiers=_tiers(session))
            )
        reviewer = get_staff(conn, session.actor, "--by")
        roles = list(session.config["visit_reports"]["reviewer_roles"])
        if reviewer.role not in roles:
            raise Refused(
                _("{name} ({role}) may not review visit reports: reviewers are {roles}").format(
                    name=reviewer.name,
                    role=label("role", reviewer.role),
                    roles=", ".join(label("role", r) for r in roles),
                ),
                _("Set `visit_reports.reviewer_roles` in the config to change who reviews."),
            )
        if reviewer.name == call["caller"]:
            raise Refused(
                _("{name} made call #{id}: a visit report is reviewed by someone else").format(
                    name=reviewer.name, id=call_id
                )
            )
        done = conn.execute(
            "SELECT reviewed_by, reviewed_at FROM call_reviews WHERE call_id = ?", (call_id,)
        ).fetchone()
        if done is not None:
            raise Conflict(
                _("call #{id} was already reviewed by {name} at {at}").format(
                    id=call_id, name=done["reviewed_by"], at=session.shown_time(done["reviewed_at"])
                )
            )
        conn.execute(
            "INSERT INTO call_reviews (call_id, reviewed_by, reviewed_at, note, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (call_id, reviewer.name, session.stamp, note, session.stamp),
        )
    return CallReview(
        call_id,
        call["code"],
        call["name"],
        call["caller"],
        reviewer.name,
        session.stamp,
        note,
        call["findings"],
    )


def _call(conn: sqlite3.Connection, call_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = None
    if call_id <= fields.ID_MAX:
        row = conn.execute(
            "SELECT k.id, k.caller, k.channel, k.findings, k.callback_id, c.code, c.name,"
            " c.grade FROM calls k JOIN customers c ON c.id = k.customer_id WHERE k.id = ?",
            (call_id,),
        ).fetchone()
    if row is None:
        raise NotFound(
            _("no call #{id}").format(id=call_id),
            _("See `followup report visits` for the visit reports and their calls."),
        )
    return row


def _visit_callback(conn: sqlite3.Connection, call: sqlite3.Row) -> sqlite3.Row | None:
    """A visit callback the call was logged against or completed (it makes it a visit)."""
    found: sqlite3.Row | None = conn.execute(
        "SELECT reason FROM callbacks WHERE (id = ? OR call_id = ?) AND reason = 'visit' LIMIT 1",
        (call["callback_id"], call["id"]),
    ).fetchone()
    return found


def _tiers(session: Session) -> str:
    return "/".join(label("tier", t) for t in session.config["visit_reports"]["tiers"])
