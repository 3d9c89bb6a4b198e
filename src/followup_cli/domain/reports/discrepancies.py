"""Information fidelity (seed 000): where a callback contradicts the service record (the
staff reported "fixed", the customer says no), or a level-2 check contradicts level 1."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from followup_cli.domain.reports.period import Period
from followup_cli.domain.session import Session
from followup_cli.domain.texts import Text, joined, message


@dataclass
class Discrepancy:
    kind: str  # record | level2
    customer_code: str
    customer_name: str
    event: str | None
    staff: str | None
    reported: Text | None  # the service record's result, as typed
    customer_said: Text
    call_id: int
    call_day: str
    caller: str


@dataclass
class DiscrepanciesReport:
    period: Period
    rows: list[Discrepancy]

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": "discrepancies",
            "period": self.period.as_dict(),
            "discrepancies": [asdict(r) for r in self.rows],
        }


def discrepancies_report(session: Session, period: Period) -> DiscrepanciesReport:
    conn = session.conn
    span = (period.start.isoformat(), period.end.isoformat())
    questions = {
        (kind, q["key"]): q for kind, qs in session.config["questions"].items() for q in qs
    }
    out: list[Discrepancy] = []
    for r in conn.execute(
        "SELECT DISTINCT k.id, k.day, k.caller, k.answers, e.kind, e.date, e.ref, e.staff,"
        " e.result, c.code, c.name FROM calls k JOIN callbacks cb ON cb.call_id = k.id"
        " JOIN events e ON e.id = cb.event_id JOIN customers c ON c.id = k.customer_id"
        " WHERE k.answers IS NOT NULL AND k.day BETWEEN ? AND ? ORDER BY k.day, k.id",
        span,
    ):
        result = (r["result"] or "").strip().lower()
        if not result:
            continue
        for key, answer in json.loads(r["answers"]).items():
            q = questions.get((r["kind"], key))
            if q is None or answer != "no":
                continue
            if any(word.lower() in result for word in q.get("claimed", [])):
                out.append(
                    Discrepancy(
                        kind="record",
                        customer_code=r["code"],
                        customer_name=r["name"],
                        event=f"{r['kind']} {r['date']} {r['ref']}".strip(),
                        staff=r["staff"],
                        reported=r["result"],
                        customer_said=message("report.said_no", question=q["text"]),
                        call_id=r["id"],
                        call_day=r["day"],
                        caller=r["caller"],
                    )
                )
    for r in conn.execute(
        "SELECT k2.id, k2.day, k2.caller, k2.answers AS a2, k2.satisfaction AS s2,"
        " k1.answers AS a1, k1.satisfaction AS s1, k1.caller AS caller1, e.kind, e.date,"
        " e.ref, e.staff, e.result, c.code, c.name FROM callbacks l2"
        " JOIN calls k2 ON k2.id = l2.call_id JOIN callbacks l1 ON l1.id = l2.parent_id"
        " JOIN calls k1 ON k1.id = l1.call_id LEFT JOIN events e ON e.id = l2.event_id"
        " JOIN customers c ON c.id = l2.customer_id"
        " WHERE l2.level = 2 AND l2.status = 'done' AND k2.day BETWEEN ? AND ?"
        " ORDER BY k2.day, k2.id",
        span,
    ):
        first = json.loads(r["a1"]) if r["a1"] else {}
        second = json.loads(r["a2"]) if r["a2"] else {}
        diffs: list[Text] = [
            message("report.levels_differ", key=k, first=first[k], second=second[k])
            for k in sorted(first)
            if k in second and first[k] != second[k]
        ]
        if r["s1"] is not None and r["s2"] is not None and abs(r["s1"] - r["s2"]) >= 2:
            diffs.append(
                message("report.levels_differ", key="satisfaction", first=r["s1"], second=r["s2"])
            )
        if diffs:
            out.append(
                Discrepancy(
                    kind="level2",
                    customer_code=r["code"],
                    customer_name=r["name"],
                    event=f"{r['kind']} {r['date']} {r['ref']}".strip() if r["kind"] else None,
                    staff=r["staff"],
                    reported=message("report.level1_call", name=r["caller1"]),
                    customer_said=joined(diffs),
                    call_id=r["id"],
                    call_day=r["day"],
                    caller=r["caller"],
                )
            )
    return DiscrepanciesReport(period, out)
