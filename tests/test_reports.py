"""`followup report ...` (SPEC 1 item 5, SPEC 3 early warning, SPEC 4 commands): the figures
of every report, checked against numbers worked out by hand from a small scenario.

The office fixture plans C001's (grade 1) and C002's (grade 4) visits from 2026-11-23; the
scenario adds one service event, four calls and four tickets at fixed dates.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest

from assertions import ok, refused

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

TODAY = "2026-11-23"  # a Monday, as in conftest
REPORTS = (
    "daily",
    "complaints",
    "satisfaction",
    "categories",
    "staff",
    "warnings",
    "discrepancies",
)
SPANNED = ("satisfaction", "categories", "staff", "discrepancies")  # take --from/--to/--period


def report(run: Run, name: str, *args: str, today: str = TODAY) -> dict[str, Any]:
    r = ok(run("report", name, *args, "--format", "json", today=today))
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def call(run: Run, code: str, by: str, at: str, *extra: str) -> None:
    ok(run("log-call", code, "--by", by, "--at", at, *extra))


def scenario(run: Run, rows: Rows) -> None:
    """T1 C001 service.late opened 10-19, closed 10-20 (its verify callback: 10-27, 李娜).
    Service event WO-1 on C002 dated 11-03 by 赵强 (callbacks 11-05, 11-10, 12-03, 李娜).
    Calls: 10-15 李娜→C001 sat 5 rec 10; 11-05 李娜→C002 sat 4 rec 7 (covers the 11-05
    event callback, plans 陈静's level-2 check 11-09); 11-20 王伟→C001 sat 2 rec 3 (covers
    the 10-27 verify and the 11-23 visit); 11-20 王伟→C002 no-answer (the 11-10 event
    callback comes back the next working day, Monday 11-23).
    T2 C001 product.failure minor 11-16 (SLA 3 working days: 11-19), T3 C001
    product.failure minor 11-20, resolved 11-23, not told; T4 C002 billing minor 11-20."""

    def ticket(code: str, category: str, day: str) -> None:
        ok(run("ticket", "open", code, "--summary", category, "--category", category, today=day))

    ticket("C001", "service.late", "2026-10-19")
    ok(run("ticket", "resolve", "1", "--resolution", "道歉", today="2026-10-20"))
    ok(run("ticket", "notify", "1", "--via", "phone", today="2026-10-20"))
    ok(run("ticket", "close", "1", today="2026-10-20"))
    ok(
        run(
            "event", "add", "C002", "--kind", "service", "--date", "2026-11-03", "--ref", "WO-1",
            "--staff", "赵强", "--result", "fixed",
        )
    )  # fmt: skip
    reached = ("--outcome", "reached", "--satisfaction")
    call(run, "C001", "李娜", "2026-10-15 10:00", *reached, "5", "--recommend", "10")
    call(run, "C002", "李娜", "2026-11-05 10:00", *reached, "4", "--recommend", "7")
    ticket("C001", "product.failure", "2026-11-16")
    call(run, "C001", "王伟", "2026-11-20 10:00", *reached, "2", "--recommend", "3")
    call(run, "C002", "王伟", "2026-11-20 11:00", "--outcome", "no-answer")
    ticket("C001", "product.failure", "2026-11-20")
    ticket("C002", "billing", "2026-11-20")
    ok(run("ticket", "resolve", "3", "--resolution", "换件"))
    # The premises the hand-worked figures below rest on (planning, not reports):
    pending = rows(
        "SELECT reason, due_on, assignee FROM callbacks WHERE status = 'pending'"
        " AND due_on <= ? ORDER BY due_on, assignee",
        TODAY,
    )
    assert pending == [
        {"reason": "second-level", "due_on": "2026-11-09", "assignee": "陈静"},
        {"reason": "event", "due_on": "2026-11-23", "assignee": "李娜"},
        {"reason": "visit", "due_on": "2026-11-23", "assignee": "王伟"},
    ]
    assert [t["due_by"] for t in rows("SELECT due_by FROM tickets ORDER BY id")][1] == "2026-11-19"


@pytest.fixture
def scene(office: Run, rows: Rows) -> Run:
    scenario(office, rows)
    return office


# -- satisfaction ----------------------------------------------------------------------------


def stats(n: int, dist: tuple[int, ...], avg: float, pct: float, recs: int, nps: float) -> Any:
    return {
        "responses": n,
        "distribution": dict(zip(("5", "4", "3", "2", "1"), dist, strict=True)),
        "average": avg,
        "satisfied_pct": pct,
        "recommend_responses": recs,
        "nps": nps,
    }


def test_satisfaction_figures(scene: Run) -> None:
    data = report(scene, "satisfaction", "--from", "2026-10-01")
    assert data["period"] == {"from": "2026-10-01", "to": TODAY}
    assert data["unit"] == "month"
    # scores 5, 4, 2 (the no-answer call has none): average 11/3 = 3.666 → 3.67; satisfied
    # (≥4) 2/3 = 66.7 %; recommend 10, 7, 3: one promoter, one detractor → NPS 0.0
    assert data["total"] == stats(3, (1, 1, 0, 1, 0), 3.67, 66.7, 3, 0.0)
    assert data["by_period"] == [
        {"period": "2026-10", **stats(1, (1, 0, 0, 0, 0), 5.0, 100.0, 1, 100.0)},
        # 4 and 2: average 3.0, 1/2 satisfied; rec 7 (passive), 3 (detractor) → -50.0
        {"period": "2026-11", **stats(2, (0, 1, 0, 1, 0), 3.0, 50.0, 2, -50.0)},
    ]
    assert data["by_staff"] == [
        # 李娜: 5 and 4 → 4.5, 100 %; rec 10, 7 → (1 − 0)/2 = 50.0
        {"staff": "李娜", **stats(2, (1, 1, 0, 0, 0), 4.5, 100.0, 2, 50.0)},
        {"staff": "王伟", **stats(1, (0, 0, 0, 1, 0), 2.0, 0.0, 1, -100.0)},
    ]
    # only the 11-05 call was for an event callback (service); the others had no event
    assert data["by_kind"] == [
        {"kind": "none", **stats(2, (1, 0, 0, 1, 0), 3.5, 50.0, 2, 0.0)},
        {"kind": "service", **stats(1, (0, 1, 0, 0, 0), 4.0, 100.0, 1, 0.0)},
    ]


def test_satisfaction_defaults_to_this_month_and_buckets_by_quarter(scene: Run) -> None:
    month = report(scene, "satisfaction")
    assert month["period"] == {"from": "2026-11-01", "to": TODAY}
    assert month["total"] == stats(2, (0, 1, 0, 1, 0), 3.0, 50.0, 2, -50.0)
    quarter = report(scene, "satisfaction", "--period", "quarter")
    assert quarter["period"] == {"from": "2026-10-01", "to": TODAY}
    assert [(p["period"], p["responses"], p["average"]) for p in quarter["by_period"]] == [
        ("2026-Q4", 3, 3.67)
    ]
    # --to cuts off the 11-20 call: 5 and 4 remain
    early = report(scene, "satisfaction", "--from", "2026-10-01", "--to", "2026-11-19")
    assert early["total"] == stats(2, (1, 1, 0, 0, 0), 4.5, 100.0, 2, 50.0)


def test_satisfaction_csv_has_a_header_and_a_row_per_group(scene: Run) -> None:
    r = ok(scene("report", "satisfaction", "--from", "2026-10-01", "--format", "csv"))
    table = list(csv.reader(io.StringIO(r.stdout)))
    assert table[0] == [
        "group", "name", "responses", "d5", "d4", "d3", "d2", "d1", "average",
        "satisfied_pct", "nps",
        "recommend_responses",  # what the JSON has besides, at the end (issue 15)
    ]  # fmt: skip
    assert table[1] == [
        "total", "all", "3", "1", "1", "0", "1", "0", "3.67", "66.7", "0.0", "3",
    ]  # fmt: skip
    assert [row[:2] for row in table[1:]] == [
        ["total", "all"],
        ["period", "2026-10"],
        ["period", "2026-11"],
        ["staff", "李娜"],
        ["staff", "王伟"],
        ["kind", "none"],
        ["kind", "service"],
    ]
    assert "\x1b[" not in r.stdout


# -- categories ------------------------------------------------------------------------------


def cat(
    name: str, label: str, now: int, before: int, pct: float | None, share: float, cum: float
) -> dict[str, Any]:
    status = "new" if before == 0 else "gone" if now == 0 else "up" if now > before else "down"
    return {
        "category": name,
        "label": label,
        "count": now,
        "previous": before,
        "change": now - before,
        "change_pct": pct,
        "share_pct": share,
        "cumulative_pct": cum,
        "status": status,
    }


FAILURE = "Product failure or breakdown"
LATE = "Service late (不守时)"


def test_categories_month_against_the_previous_month(scene: Run) -> None:
    data = report(scene, "categories", "--period", "month")
    assert data["period"] == {"from": "2026-11-01", "to": TODAY}
    assert data["previous_period"] == {"from": "2026-10-01", "to": "2026-10-31"}
    # November: failure ×2 (T2, T3), billing ×1 (T4); October: service.late ×1 (T1)
    assert (data["total"], data["previous_total"]) == (3, 1)
    assert data["categories"] == [
        cat("product.failure", FAILURE, 2, 0, None, 66.7, 66.7),  # 2/3
        cat("billing", "Billing", 1, 0, None, 33.3, 100.0),  # 1/3, running 3/3
        cat("service.late", LATE, 0, 1, -100.0, 0.0, 100.0),
    ]


def test_categories_previous_span_without_period_has_as_many_days(scene: Run) -> None:
    # 11-16..11-22 is 7 days; the period before is 11-09..11-15, with no ticket
    data = report(scene, "categories", "--from", "2026-11-16", "--to", "2026-11-22")
    assert data["previous_period"] == {"from": "2026-11-09", "to": "2026-11-15"}
    assert (data["total"], data["previous_total"]) == (3, 0)
    assert [(c["category"], c["count"], c["status"]) for c in data["categories"]] == [
        ("product.failure", 2, "new"),
        ("billing", 1, "new"),
    ]


def test_categories_quarter(scene: Run) -> None:
    data = report(scene, "categories", "--period", "quarter")
    assert data["period"] == {"from": "2026-10-01", "to": TODAY}
    assert data["previous_period"] == {"from": "2026-07-01", "to": "2026-09-30"}
    # all four tickets: failure 2/4 = 50 %, billing 1/4 → 75 %, service.late 1/4 → 100 %
    assert data["total"] == 4
    assert data["categories"] == [
        cat("product.failure", FAILURE, 2, 0, None, 50.0, 50.0),
        cat("billing", "Billing", 1, 0, None, 25.0, 75.0),
        cat("service.late", LATE, 1, 0, None, 25.0, 100.0),
    ]


def test_categories_up_and_down(office: Run) -> None:
    for category, day in (
        ("parts", "2026-10-12"),
        ("billing", "2026-10-13"),
        ("billing", "2026-10-14"),
        ("parts", "2026-11-16"),
        ("parts", "2026-11-17"),
        ("billing", "2026-11-18"),
    ):
        ok(office("ticket", "open", "C002", "--summary", "x", "--category", category, today=day))
    data = report(office, "categories", "--period", "month")
    # parts 1 → 2: +1, +100 %; billing 2 → 1: −1, −50 %
    assert data["categories"] == [
        cat("parts", "Parts", 2, 1, 100.0, 66.7, 66.7),
        cat("billing", "Billing", 1, 2, -50.0, 33.3, 100.0),
    ]
    # The csv's change is a figure, signed, never neutralised as a formula ('+1).
    out = ok(office("report", "categories", "--period", "month", "--format", "csv")).stdout
    lines = out.splitlines()
    assert lines[0].startswith("category,count,previous,change,status")
    assert lines[1].startswith("parts,2,1,+1,up,") and lines[2].startswith("billing,1,2,-1,down,")


# -- complaints, warnings, daily, escalation -------------------------------------------------


def test_complaints_before_escalation(scene: Run) -> None:
    data = report(scene, "complaints")
    assert data["date"] == TODAY
    got = [
        (t["ticket_id"], t["status"], t["age_days"], t["due_by"], t["sla"], t["breached"])
        for t in data["tickets"]
    ]
    assert got == [
        # T2 opened 11-16, due 11-19: 4 days late; breached tickets come first
        (2, "open", 7, "2026-11-19", "BREACHED 4d (resolve)", True),
        # T3 resolved 11-23: telling due 3 working days later, 11-26
        (3, "resolved", 3, "2026-11-26", "3d left (tell the customer)", False),
        # T4 opened Friday 11-20: Mon, Tue, Wed → 11-25
        (4, "open", 3, "2026-11-25", "2d left (resolve)", False),
    ]
    first = data["tickets"][0]
    assert (first["customer_code"], first["tier"], first["category"], first["told"]) == (
        "C001",
        "core",
        "product.failure",
        False,
    )
    # core ladder service_manager → gm; a minor ticket starts on rung 0
    assert (first["escalation_level"], first["escalated_role"], first["escalated_to"]) == (
        0,
        "service_manager",
        "刘洋",
    )


def brief(w: dict[str, Any]) -> tuple[Any, ...]:
    return (w["code"], w["indicator"], w["level"], w["value"], w["threshold"], w["responsible"])


def test_warnings(scene: Run) -> None:
    data = report(scene, "warnings")
    assert data["date"] == TODAY
    # C001: T2 and T3 not closed (2 ≥ 2); T1, T2, T3 within 90 days (3 ≥ 3); last
    # satisfaction 2 (≤ 2): breaches of a core customer, emergencies to the gm. C002:
    # one open ticket (approaching: 1 where 2 breaches), its level-2 check exactly 14
    # days overdue (approaching from 10; the breach needs > 14). One row per indicator
    # (issue 17), emergencies first, then by grade.
    assert [brief(w) for w in data["warnings"]] == [
        ("C001", "low_satisfaction", "emergency", 2, 2, "吴刚"),
        ("C001", "open_tickets", "emergency", 2, 2, "吴刚"),
        ("C001", "tickets_in_period", "emergency", 3, 3, "吴刚"),
        ("C002", "open_tickets", "approaching", 1, 1, "刘洋"),
        ("C002", "overdue", "approaching", 14, 10, "刘洋"),
    ]
    first = data["warnings"][0]
    assert {k: first[k] for k in first if k not in ("id", "indicator", "value", "text")} == {
        "scope": "customer",
        "level": "emergency",
        "stage": "breach",
        "emergency": True,
        "threshold": 2,
        "customer_id": 1,
        "code": "C001",
        "name": "山东鲁建机械有限公司",
        "grade": 1,
        "tier": "core",
        "role": "gm",
        "responsible": "吴刚",
        "raised_on": TODAY,
        "cleared_on": None,
        "ack_due": "2026-11-25",  # 2 working days
        "climbed_on": None,
        "climbed_from": None,
        "acknowledged_by": None,
        "acknowledged_at": None,
        "action": None,
        "status": "open",
    }
    assert first["text"] == "last satisfaction 2/5"


def test_warning_one_day_later_adds_the_overdue_indicator(scene: Run) -> None:
    first = {(w["code"], w["indicator"]): w["id"] for w in report(scene, "warnings")["warnings"]}
    # on 11-24 C002's check of 11-09 is 15 days overdue (> 14): a general customer's
    # breach, an emergency to its service manager (issue 17: every tier is reported)
    data = report(scene, "warnings", today="2026-11-24")
    c002 = [brief(w) for w in data["warnings"] if w["code"] == "C002"]
    assert c002 == [
        ("C002", "overdue", "emergency", 15, 14, "刘洋"),
        ("C002", "open_tickets", "approaching", 1, 1, "刘洋"),
    ]
    ids = {(w["code"], w["indicator"]): w["id"] for w in data["warnings"]}
    # lasting warnings keep their id; the approach that became a breach is a new one
    assert ids[("C001", "open_tickets")] == first[("C001", "open_tickets")]
    assert ids[("C002", "overdue")] not in first.values()


DUE_BY_ASSIGNEE = [
    # C002: 李娜's event callback back today, 陈静's level-2 check overdue since 11-09;
    # C001: 王伟's visit due today. Equal totals sort by name.
    {"assignee": "李娜", "due_today": 1, "overdue": 0, "customers": 1},
    {"assignee": "王伟", "due_today": 1, "overdue": 0, "customers": 1},
    {"assignee": "陈静", "due_today": 0, "overdue": 1, "customers": 1},
]


def test_daily_before_escalation(scene: Run) -> None:
    data = report(scene, "daily")
    assert data["date"] == TODAY
    assert (data["customers_due"], data["callbacks_due"], data["callbacks_overdue"]) == (2, 2, 1)
    assert data["by_assignee"] == DUE_BY_ASSIGNEE
    assert [(b["ticket_id"], b["due_by"], b["with"]) for b in data["breaches"]] == [
        (2, "2026-11-19", "刘洋")
    ]
    assert data["escalations"] == []
    assert data["new_warnings"] == []
    assert data["emergencies_open"] == 1  # C001, core


def test_daily_after_escalate_auto(scene: Run) -> None:
    ok(scene("escalate", "--auto"))
    data = report(scene, "daily")
    assert data["by_assignee"] == DUE_BY_ASSIGNEE
    # T2 climbed to gm 吴刚 with a new deadline (11-23 + 3 working days = 11-26)
    assert data["breaches"] == []
    assert [
        (e["ticket_id"], e["customer_code"], e["level"], e["role"], e["staff"], e["auto"])
        for e in data["escalations"]
    ] == [(2, "C001", 1, "gm", "吴刚", 1)]
    assert "2026-11-19" in data["escalations"][0]["reason"]
    # one emergency report per warning (issue 17: each has its id): C001's three breaches
    assert [(w["customer_code"], w["role"], w["staff"]) for w in data["new_warnings"]] == [
        ("C001", "gm", "吴刚")
    ] * 3
    assert data["emergencies_open"] == 1
    complaints = report(scene, "complaints")["tickets"]
    assert [
        (t["ticket_id"], t["due_by"], t["sla"], t["breached"], t["escalation_level"])
        for t in complaints
    ][0] == (2, "2026-11-26", "3d left (resolve)", False, 1)
    # the next day: escalations and new warnings are those of that day only
    later = report(scene, "daily", today="2026-11-24")
    assert later["escalations"] == []
    assert later["new_warnings"] == []


def test_daily_csv_and_table(scene: Run) -> None:
    r = ok(scene("report", "daily", "--format", "csv"))
    # every section of the JSON, each row named by its first column (issue 15)
    assert r.stdout.splitlines() == [
        "section,date,customers_due,callbacks_due,callbacks_overdue,emergencies_open,"
        "assignee,customers,due_today,overdue,ticket_id,customer_code,customer_name,"
        "severity,status,due_by,with,summary,role,staff,reason,reported_to,owner,note,"
        "notice_id,cause,recipient,channel,attempts,last_error,text",
        "summary,2026-11-23,2,2,1,1,,,,,,,,,,,,,,,,,,,,,,,,,",
        "assignee,,,,,,李娜,1,1,0,,,,,,,,,,,,,,,,,,,,,",
        "assignee,,,,,,王伟,1,1,0,,,,,,,,,,,,,,,,,,,,,",
        "assignee,,,,,,陈静,1,0,1,,,,,,,,,,,,,,,,,,,,,",
        "breach,,,,,,,,,,2,C001,山东鲁建机械有限公司,minor,open,2026-11-19,刘洋,product.failure,,,,,,"
        ",,,,,,,",
    ]
    table = ok(scene("report", "daily")).stdout
    assert "Daily report 2026-11-23" in table
    assert (
        "Customers to contact: 2; callbacks due today 2, overdue 1; emergency warnings open: 1"
        in table
    )
    assert "\x1b[" not in table


def test_complaints_csv(scene: Run) -> None:
    r = ok(scene("report", "complaints", "--format", "csv"))
    table = list(csv.reader(io.StringIO(r.stdout)))
    assert table[0][:12] == [
        "ticket_id", "customer_code", "customer_name", "tier", "age_days", "severity",
        "category", "sla", "escalation", "owner", "told", "summary",
    ]  # fmt: skip
    # then what the JSON has besides (issue 15)
    assert {"opened_on", "status", "due_by", "escalated_to"} <= set(table[0][12:])
    assert table[1][:9] == [
        "2", "C001", "山东鲁建机械有限公司", "core", "7", "minor", "product.failure",
        "BREACHED 4d (resolve)", "L0 service_manager 刘洋",
    ]  # fmt: skip
    assert len(table) == 4


# -- staff -----------------------------------------------------------------------------------


def test_staff_figures(scene: Run) -> None:
    data = report(scene, "staff", "--from", "2026-10-01")
    assert data["period"] == {"from": "2026-10-01", "to": TODAY}
    by = {r["staff"]: r for r in data["staff"]}
    assert set(by) == {"李娜", "王伟", "赵强", "陈静", "刘洋", "孙丽", "周杰", "吴刚"}

    def pick(name: str) -> tuple[Any, ...]:
        r = by[name]
        keys = ("assigned", "done", "done_on_time", "on_time_pct", "overdue_now", "calls")
        return tuple(r[k] for k in (*keys, "reached", "events", "avg_satisfaction", "complaints"))

    # 李娜: verify 10-27 (done 11-20, late), event 11-05 (done 11-05), event 11-23 (pending):
    # 3 assigned, 2 done, 1 on time → 33.3 %; two calls, both reached
    assert pick("李娜") == (3, 2, 1, 33.3, 0, 2, 2, 0, None, 0)
    # 王伟: visit 11-23 done 11-20 and the re-planned visit 11-23: 1/2 on time; one call
    # of two reached
    assert pick("王伟") == (2, 1, 1, 50.0, 0, 2, 1, 0, None, 0)
    # 陈静: the level-2 check of 11-09, still pending
    assert pick("陈静") == (1, 0, 0, 0.0, 1, 0, 0, 0, None, 0)
    # 赵强 did WO-1; its level-1 callback was answered with satisfaction 4
    assert pick("赵强") == (0, 0, 0, None, 0, 0, 0, 1, 4.0, 0)
    assert pick("吴刚") == (0, 0, 0, None, 0, 0, 0, 0, None, 0)


def test_staff_csv(scene: Run) -> None:
    r = ok(scene("report", "staff", "--from", "2026-10-01", "--format", "csv"))
    table = list(csv.reader(io.StringIO(r.stdout)))
    assert table[0] == [
        "staff", "role", "assigned", "done", "done_on_time", "on_time_pct", "overdue_now",
        "calls", "reached", "events", "avg_satisfaction", "complaints",
    ]  # fmt: skip
    assert ["李娜", "clerk", "3", "2", "1", "33.3", "0", "2", "2", "0", "", "0"] in table


# -- discrepancies ---------------------------------------------------------------------------


@pytest.fixture
def checked(office: Run, rows: Rows) -> Run:
    """WO-9 (service, 11-16, 赵强, result 已修复). 11-18 李娜: fixed=no, on_time=yes, sat 4.
    The level-2 check (planned 11-21, a Saturday → Monday 11-23) by 陈静: fixed=yes,
    on_time=no, sat 2."""
    ok(
        office(
            "event", "add", "C002", "--kind", "service", "--date", "2026-11-16", "--ref", "WO-9",
            "--staff", "赵强", "--result", "已修复",
        )
    )  # fmt: skip
    answers = ("--outcome", "reached", "--answer")
    call(office, "C002", "李娜", "2026-11-18 10:00", *answers, "fixed=no", "--answer",
         "on_time=yes", "--satisfaction", "4")  # fmt: skip
    level2 = rows("SELECT id, due_on FROM callbacks WHERE reason = 'second-level'")
    assert [r["due_on"] for r in level2] == ["2026-11-23"]
    call(office, "C002", "陈静", "2026-11-23 10:00", *answers, "fixed=yes", "--answer",
         "on_time=no", "--satisfaction", "2", "--callback", str(level2[0]["id"]))  # fmt: skip
    return office


def test_discrepancies(checked: Run) -> None:
    data = report(checked, "discrepancies")
    assert data["period"] == {"from": "2026-11-01", "to": TODAY}
    got = [{k: v for k, v in d.items() if k != "call_id"} for d in data["discrepancies"]]
    assert got == [
        {
            # the record says 已修复 (a "claimed" word for fixed), the customer said no
            "kind": "record",
            "customer_code": "C002",
            "customer_name": "泰安宏达建设",
            "event": "service 2026-11-16 WO-9",
            "staff": "赵强",
            "reported": "已修复",
            "customer_said": "no: Was the problem fixed?",
            "call_day": "2026-11-18",
            "caller": "李娜",
        },
        {
            # fixed no → yes, on_time yes → no, satisfaction 4 → 2 (differs by ≥ 2)
            "kind": "level2",
            "customer_code": "C002",
            "customer_name": "泰安宏达建设",
            "event": "service 2026-11-16 WO-9",
            "staff": "赵强",
            "reported": "level-1 call by 李娜",
            "customer_said": "fixed: level 1 no, level 2 yes; on_time: level 1 yes, level 2 no;"
            " satisfaction: level 1 4, level 2 2",
            "call_day": "2026-11-23",
            "caller": "陈静",
        },
    ]
    early = report(checked, "discrepancies", "--to", "2026-11-20")
    assert [d["kind"] for d in early["discrepancies"]] == ["record"]
    late = report(checked, "discrepancies", "--from", "2026-11-19")
    assert [d["kind"] for d in late["discrepancies"]] == ["level2"]


def test_staff_counts_complaints_raised_on_their_jobs(checked: Run) -> None:
    # the 11-18 "no" (product.failure) and the 11-23 "no" (service.late) each opened a ticket
    # from a call on 赵强's job
    by = {r["staff"]: r for r in report(checked, "staff")["staff"]}
    assert by["赵强"]["complaints"] == 2
    assert by["赵强"]["events"] == 1
    assert by["李娜"]["complaints"] == 0


# -- empty database, bad options -------------------------------------------------------------


def test_empty_database_gives_empty_reports(initdb: Run) -> None:
    daily = report(initdb, "daily")
    assert {k: daily[k] for k in daily if k not in ("report", "date")} == {
        "customers_due": 0,
        "callbacks_due": 0,
        "callbacks_overdue": 0,
        "by_assignee": [],
        "breaches": [],
        "escalations": [],
        "reported": [],
        "new_warnings": [],
        "emergencies_open": 0,
        "failed_notices": [],
    }
    assert report(initdb, "complaints")["tickets"] == []
    assert report(initdb, "warnings")["warnings"] == []
    assert report(initdb, "staff")["staff"] == []
    assert report(initdb, "discrepancies")["discrepancies"] == []
    sat = report(initdb, "satisfaction")
    assert sat["total"] == {
        "responses": 0,
        "distribution": {"5": 0, "4": 0, "3": 0, "2": 0, "1": 0},
        "average": None,
        "satisfied_pct": None,
        "recommend_responses": 0,
        "nps": None,
    }
    assert sat["by_period"] == sat["by_staff"] == sat["by_kind"] == []
    cats = report(initdb, "categories")
    assert (cats["total"], cats["previous_total"], cats["categories"]) == (0, 0, [])


@pytest.mark.parametrize("name", REPORTS)
def test_empty_database_table_form(initdb: Run, name: str) -> None:
    r = ok(initdb("report", name))
    assert "Traceback" not in r.output


@pytest.mark.parametrize("name", SPANNED)
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--from", "2026-13-01"), 65, "--from: '2026-13-01' is not a date"),
        (("--to", "someday"), 65, "--to: 'someday' is not a date"),
        (("--from", "2026-11-10", "--to", "2026-11-09"), 2, "--from 2026-11-10 is after --to"),
        (("--from", "2026-11-24"), 2, "--from 2026-11-24 is after --to 2026-11-23"),
        (("--period", "week"), 2, "unknown period 'week'"),
    ],
)
def test_bad_span(office: Run, name: str, args: tuple[str, ...], code: int, message: str) -> None:
    refused(office("report", name, *args, "--format", "json"), code, message)


def test_other_date_spellings_are_accepted(scene: Run) -> None:
    data = report(scene, "satisfaction", "--from", "2026年10月1日", "--to", "2026/11/23")
    assert data["period"] == {"from": "2026-10-01", "to": TODAY}
    assert data["total"]["responses"] == 3
