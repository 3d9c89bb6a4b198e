"""Grades from value: `customer regrade` applies the grades `report value` suggests
(seed 004: "这前20%的客户就是关键客户，企业应该保证足够的投入，优先配置资源"), each
change recorded in the customer's history and their callbacks planned again, as a
grade changed by `customer edit` is."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from followup_cli.domain.customers.history import record_change
from followup_cli.domain.customers.records import set_grade
from followup_cli.domain.reports.value import ValueReport, ValueRow, value_report
from followup_cli.domain.session import Session
from followup_cli.domain.texts import Message, message
from followup_cli.support.errors import Refused
from followup_cli.support.i18n import _


@dataclass
class GradeChange:
    customer_id: int
    code: str
    name: str
    old: int
    new: int
    amount: float
    rank: int | None
    why: Message

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "why": str(self.why)}


@dataclass
class Regrade:
    report: ValueReport
    changes: list[GradeChange]
    applied: bool


def regrade_customers(session: Session, *, apply: bool, months: int | None = None) -> Regrade:
    """The grade changes value suggests; with `apply`, made in one transaction (each in
    the customer's history, callbacks planned again). Refused when no event in the window
    has an amount (nothing to rank by: every customer would fall to the last grade)."""
    if not apply:
        report = value_report(session, months)
        return Regrade(report, _changes(report), False)
    with session.write() as conn:
        report = value_report(session, months, conn)
        changes = _changes(report)
        for change in changes:
            set_grade(session, conn, change.customer_id, change.new)
            record_change(
                conn,
                change.customer_id,
                session.stamp,
                session.actor,
                "grade",
                change.old,
                change.new,
                change.why,
            )
    return Regrade(report, changes, True)


def _changes(report: ValueReport) -> list[GradeChange]:
    if not report.ranked:
        raise Refused(
            _("no event from {since} to {until} has an amount: nothing to rank customers by")
            .format(since=report.since, until=report.until),
            _("Record amounts with `followup event add --amount` or an events file's amount column."),
        )  # fmt: skip
    return [_change(report, r) for r in report.rows if r.changes]


def _change(report: ValueReport, row: ValueRow) -> GradeChange:
    assert row.suggested is not None
    window = {"since": report.since.isoformat(), "until": report.until.isoformat()}
    why = (
        message(
            "customer.regraded",
            old=row.grade,
            new=row.suggested,
            amount=f"{row.amount:.2f}",
            rank=row.rank,
            ranked=report.ranked,
            **window,
        )
        if row.rank is not None
        else message("customer.regraded_none", old=row.grade, new=row.suggested, **window)
    )
    return GradeChange(
        row.customer_id, row.code, row.name, row.grade, row.suggested, row.amount, row.rank, why
    )
