"""Satisfaction: responses, the five-level distribution, average, share satisfied and a
recommend score (NPS-style), over the period and by month/quarter, staff and event kind."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from followup_cli.domain.reports.period import Period, bucket_label, bucket_start
from followup_cli.domain.reports.queries import satisfaction_responses
from followup_cli.domain.session import Session
from followup_cli.domain.vocabulary import SATISFACTION

LEVELS = tuple(level.score for level in SATISFACTION)  # 5 高度满意 … 1 极不满意


@dataclass
class Stats:
    responses: int = 0
    distribution: dict[int, int] = field(default_factory=lambda: {k: 0 for k in LEVELS})
    average: float | None = None
    satisfied_pct: float | None = None
    recommend_responses: int = 0
    nps: float | None = None
    _scores: list[int] = field(default_factory=list, repr=False)
    _recommend: list[int] = field(default_factory=list, repr=False)

    def add(self, satisfaction: int | None, recommend: int | None) -> None:
        if satisfaction is not None:
            self._scores.append(satisfaction)
        if recommend is not None:
            self._recommend.append(recommend)

    def finish(self) -> Stats:
        scores, rec = self._scores, self._recommend
        self.responses = len(scores)
        for s in scores:
            self.distribution[s] += 1
        if scores:
            self.average = round(sum(scores) / len(scores), 2)
            self.satisfied_pct = round(100 * sum(1 for s in scores if s >= 4) / len(scores), 1)
        self.recommend_responses = len(rec)
        if rec:
            promoters = sum(1 for r in rec if r >= 9)
            detractors = sum(1 for r in rec if r <= 6)
            self.nps = round(100 * (promoters - detractors) / len(rec), 1)
        return self

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("_scores")
        data.pop("_recommend")
        data["distribution"] = {str(k): v for k, v in self.distribution.items()}
        return data


@dataclass
class SatisfactionReport:
    period: Period
    unit: str
    total: Stats
    by_period: list[tuple[str, Stats]]
    by_staff: list[tuple[str, Stats]]
    by_kind: list[tuple[str, Stats]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": "satisfaction",
            "period": self.period.as_dict(),
            "unit": self.unit,
            "total": self.total.to_dict(),
            "by_period": [{"period": k, **s.to_dict()} for k, s in self.by_period],
            "by_staff": [{"staff": k, **s.to_dict()} for k, s in self.by_staff],
            "by_kind": [{"kind": k, **s.to_dict()} for k, s in self.by_kind],
        }


def satisfaction_report(session: Session, period: Period, unit: str) -> SatisfactionReport:
    total = Stats()
    by_period: dict[str, Stats] = defaultdict(Stats)
    by_staff: dict[str, Stats] = defaultdict(Stats)
    by_kind: dict[str, Stats] = defaultdict(Stats)
    for day, caller, score, recommend, kind in satisfaction_responses(session.conn, period):
        label = bucket_label(bucket_start(date.fromisoformat(day), unit), unit)
        for stats in (total, by_period[label], by_staff[caller], by_kind[kind or "none"]):
            stats.add(score, recommend)
    return SatisfactionReport(
        period=period,
        unit=unit,
        total=total.finish(),
        by_period=[(k, s.finish()) for k, s in sorted(by_period.items())],
        by_staff=[(k, s.finish()) for k, s in sorted(by_staff.items())],
        by_kind=[(k, s.finish()) for k, s in sorted(by_kind.items())],
    )
