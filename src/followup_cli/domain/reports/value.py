"""Customers ranked by value, with the grade it suggests (seed 004, 客户分级管理:
"企业前20%的客户产生约150%的利润…按客户分级，这前20%的客户就是关键客户").

The value of a customer is the sum of the amounts of their events (`event add
--amount`) dated in the window: the last `[value] months` months up to today. The
customers with a positive value are ranked; the top `[value.shares]` percent of them,
cumulatively and in grade order, get those grades, the others `rest_grade`, and the
customers without any value in the window `none_grade`. A rank's share is rounded up
(the first customer of ten is the top 5%), and equal values get the same grade.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from followup_cli.domain.reports.queries import customer_amounts
from followup_cli.domain.session import Session
from followup_cli.support.dates import add_months


@dataclass
class ValueRow:
    customer_id: int
    code: str
    name: str
    grade: int
    amount: float
    rank: int | None  # None: no amount in the window
    share_pct: float | None  # of the window's total
    cumulative_pct: float | None
    suggested: int | None  # None when nothing in the window has an amount

    @property
    def changes(self) -> bool:
        return self.suggested is not None and self.suggested != self.grade

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "changes": self.changes}


@dataclass
class ValueReport:
    since: date
    until: date
    months: int
    ranked: int  # customers with a positive amount in the window
    total: float
    rows: list[ValueRow]

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.since.isoformat(),
            "to": self.until.isoformat(),
            "months": self.months,
            "ranked": self.ranked,
            "total": self.total,
            "customers": [r.to_dict() for r in self.rows],
        }


def suggest_grades(
    amounts: list[float], shares: dict[int, float], rest_grade: int, none_grade: int
) -> list[int]:
    """The suggested grade of each amount of `amounts` (sorted highest first): the top
    shares[1] percent grade 1, the next shares[2] percent grade 2, ... (cumulative,
    each bound rounded up), the other positive amounts `rest_grade`, zero `none_grade`;
    an amount equal to the one before it gets its grade."""
    ranked = sum(1 for a in amounts if a > 0)
    bounds: list[tuple[int, int]] = []
    cumulative = 0.0
    for grade in sorted(shares):
        cumulative += shares[grade]
        # (a tiny margin: 20% of 10 customers is 2, not 2.0000000004 rounded up to 3)
        bounds.append((math.ceil(ranked * cumulative / 100 - 1e-9), grade))
    out: list[int] = []
    for i, amount in enumerate(amounts):
        if amount <= 0:
            out.append(none_grade)
        elif i and amount == amounts[i - 1]:
            out.append(out[-1])
        else:
            rank = i + 1
            out.append(next((g for bound, g in bounds if rank <= bound), rest_grade))
    return out


def window(today: date, months: int) -> tuple[date, date]:
    """The first and last day of the last `months` months up to `today`."""
    return add_months(today, -months) + timedelta(days=1), today


def value_report(
    session: Session, months: int | None = None, conn: sqlite3.Connection | None = None
) -> ValueReport:
    """Every active customer with their value over the window and the grade it suggests
    (suggested None for all when no event in the window has an amount). `conn`: inside
    the caller's transaction (`customer regrade --apply`)."""
    cfg = session.config["value"]
    months = int(cfg["months"]) if months is None else months
    since, until = window(session.today, months)
    if conn is None:
        with session.read() as reading:
            found = customer_amounts(reading, since, until)
    else:
        found = customer_amounts(conn, since, until)
    amounts = [float(r["amount"]) for r in found]
    ranked = sum(1 for a in amounts if a > 0)
    total = round(sum(amounts), 2)
    grades: list[int | None] = (
        list(
            suggest_grades(
                amounts,
                {int(g): float(s) for g, s in cfg["shares"].items()},
                int(cfg["rest_grade"]),
                int(cfg["none_grade"]),
            )
        )
        if ranked
        else [None] * len(amounts)
    )
    rows: list[ValueRow] = []
    running = 0.0
    for i, (r, amount, grade) in enumerate(zip(found, amounts, grades, strict=True)):
        positive = amount > 0
        running += amount
        rows.append(
            ValueRow(
                r["id"],
                r["code"],
                r["name"],
                r["grade"],
                round(amount, 2),
                i + 1 if positive else None,
                round(100 * amount / total, 1) if positive else None,
                round(100 * running / total, 1) if positive else None,
                grade,
            )
        )
    return ValueReport(since, until, months, ranked, total, rows)
