"""Information fidelity (seed 000): where a callback contradicts the service record (the
staff reported "fixed", the customer says no), or a level-2 check contradicts level 1."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from followup_cli.domain.reports.period import Period
from followup_cli.domain.reports.queries import answered_event_calls, second_level_calls
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
    questions = {
        (kind, q["key"]): q for kind, qs in session.config["questions"].items() for q in qs
    }
    out: list[Discrepancy] = []
    for r in answered_event_calls(conn, period):
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
    for r in second_level_calls(conn, period):
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
