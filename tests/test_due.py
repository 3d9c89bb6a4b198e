"""`followup due` (SPEC 3 merge/urgency, SPEC 4 output): one row per customer with every
pending reason up to the window, filters, ordering by documented urgency, output formats.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assertions import ok, refused
from conftest import copy_office, open_db
from due_queries import ranked_rows

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

TERMS = ("overdue", "grade", "reason", "reasons", "open_tickets", "level2", "retry", "unreachable")


def due(run: Run, *args: str, today: str = "2026-11-23") -> list[dict[str, Any]]:
    data = json.loads(ok(run("due", *args, "--format", "json", today=today)).stdout)
    assert isinstance(data, list)
    return data


def by_code(data: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    codes = [row["customer"]["code"] for row in data]
    assert len(codes) == len(set(codes)), "one row per customer"
    return {row["customer"]["code"]: row for row in data}


def event(run: Run, code: str, kind: str, day: str, ref: str, today: str = "2026-11-23") -> None:
    ok(run("event", "add", code, "--kind", kind, "--date", day, "--ref", ref, today=today))


def pending_ids(rows: Rows, code: str, until: str) -> set[int]:
    """The oracle: every pending callback of `code` due on or before `until`."""
    return {
        r["id"]
        for r in rows(
            "SELECT cb.id FROM callbacks cb JOIN customers c ON c.id = cb.customer_id"
            " WHERE c.code = ? AND cb.status = 'pending' AND cb.due_on <= ?",
            code,
            until,
        )
    }


def reason_ids(row: dict[str, Any]) -> set[int]:
    return {r["callback_id"] for r in row["reasons"]}


def event_cb(rows: Rows, ref: str, anchor: str) -> int:
    found = rows(
        "SELECT cb.id FROM callbacks cb JOIN events e ON e.id = cb.event_id"
        " WHERE e.ref = ? AND cb.planned_on = ?",
        ref,
        anchor,
    )
    assert len(found) == 1
    return int(found[0]["id"])


# -- merging ------------------------------------------------------------------------------


def test_one_row_per_customer_with_every_pending_reason(office: Run, rows: Rows) -> None:
    event(office, "C001", "service", "2026-11-20", "WO-1")  # +2d due today
    event(office, "C001", "sale", "2026-10-01", "S-2")  # +1m due 2 Nov: 21 days late
    row = by_code(due(office))["C001"]
    ids = reason_ids(row)
    assert ids == pending_ids(rows, "C001", "2026-11-23")
    assert event_cb(rows, "WO-1", "2026-11-22") in ids
    assert event_cb(rows, "S-2", "2026-11-01") in ids
    assert event_cb(rows, "WO-1", "2026-11-27") not in ids  # not due yet
    assert row["due_on"] == "2026-11-02"
    assert row["days_overdue"] == 21
    assert [r["due_on"] for r in row["reasons"]] == sorted(r["due_on"] for r in row["reasons"])


def test_json_shape_follows_the_spec(office: Run) -> None:
    event(office, "C001", "service", "2026-11-20", "WO-1")
    event(office, "C002", "service", "2026-11-20", "WO-2")
    data = by_code(due(office))
    for row in data.values():
        assert {
            "customer",
            "contact",
            "due_on",
            "days_overdue",
            "assignee",
            "urgency",
            "open_tickets",
            "reasons",
        } <= set(row)
        assert {"id", "code", "name", "grade"} <= set(row["customer"])
        assert isinstance(row["customer"]["id"], int)
        assert isinstance(row["customer"]["grade"], int)
        assert isinstance(row["days_overdue"], int)
        assert isinstance(row["urgency"], int | float)
        assert isinstance(row["open_tickets"], int)
        for reason in row["reasons"]:
            assert {"callback_id", "reason", "due_on", "level", "detail"} <= set(reason)
            assert isinstance(reason["callback_id"], int)
            assert reason["level"] in (1, 2)
    c001, c002 = data["C001"], data["C002"]
    assert c001["customer"]["name"] == "山东鲁建机械有限公司"
    assert c001["customer"]["grade"] == 1
    assert c001["contact"] == {
        "name": "张建国",
        "phone": "13905310001",
        "role": "decision-maker",
        "chosen_as": "decision-maker",
    }
    assert c002["contact"] is None  # C002 has no contacts
    wo2 = [r for r in c002["reasons"] if r["reason"] == "event"]
    assert wo2[0]["detail"] == "service 2026-11-20 WO-2 (+2d)"
    assert wo2[0]["due_on"] == "2026-11-23"
    assert c002["assignee"] is not None


def test_primary_contact_for_visits_decision_maker_for_event_callbacks(office: Run) -> None:
    row = by_code(due(office, "--days", "3"))["C001"]
    assert {r["reason"] for r in row["reasons"]} <= {"visit", "yearly", "holiday"}
    assert row["contact"]["name"] == "李明"  # the primary contact (operator)
    event(office, "C001", "service", "2026-11-20", "WO-1")
    row = by_code(due(office, "--days", "3"))["C001"]
    assert row["contact"] == {
        "name": "张建国",
        "phone": "13905310001",
        "role": "decision-maker",
        "chosen_as": "decision-maker",
    }


# -- window and filters ---------------------------------------------------------------------


def test_days_widens_the_window(office: Run, rows: Rows) -> None:
    event(office, "C002", "service", "2026-11-20", "WO-2")  # due 23 Nov, 27 Nov, 21 Dec
    later = event_cb(rows, "WO-2", "2026-11-27")
    three = by_code(due(office, "--days", "3"))["C002"]
    four = by_code(due(office, "--days", "4"))["C002"]
    assert later not in reason_ids(three)
    assert later in reason_ids(four)
    assert reason_ids(four) == pending_ids(rows, "C002", "2026-11-27")


def test_date_plans_another_day(office: Run, rows: Rows) -> None:
    event(office, "C002", "service", "2026-11-20", "WO-2")
    row = by_code(due(office, "--date", "2026-11-27"))["C002"]
    assert reason_ids(row) == pending_ids(rows, "C002", "2026-11-27")
    assert row["due_on"] == "2026-11-23"
    assert row["days_overdue"] == 4
    r = ok(office("due", "--date", "2026-11-27"))
    assert "Due 2026-11-27:" in r.stdout


def test_staff_filter_keeps_rows_with_work_for_that_person(office: Run, rows: Rows) -> None:
    event(office, "C002", "service", "2026-11-20", "WO-2")  # clerk 李娜
    data = by_code(due(office, "--staff", "李娜", "--days", "3"))
    expected = {
        r["code"]
        for r in rows(
            "SELECT DISTINCT c.code FROM callbacks cb JOIN customers c ON c.id = cb.customer_id"
            " WHERE cb.status = 'pending' AND cb.due_on <= '2026-11-26' AND cb.assignee = '李娜'"
        )
    }
    assert "C002" in expected
    assert set(data) == expected
    for row in data.values():
        assert row["assignee"] == "李娜"
        assert any(r["assignee"] == "李娜" for r in row["reasons"])
    wang = by_code(due(office, "--staff", "王伟", "--days", "3"))
    assert "C001" in wang  # the owner's account-manager visit falls within 3 days
    assert all(row["assignee"] == "王伟" for row in wang.values())


def test_role_filter(office: Run) -> None:
    event(office, "C002", "service", "2026-11-20", "WO-2")
    data = by_code(due(office, "--role", "account_manager", "--days", "3"))
    assert "C001" in data
    for row in data.values():
        assert any(r["role"] == "account_manager" for r in row["reasons"])
        assert row["assignee"] == "王伟"
    clerk = by_code(due(office, "--role", "clerk"))
    assert "C002" in clerk
    assert all(any(r["role"] == "clerk" for r in row["reasons"]) for row in clerk.values())


def test_grade_filter(office: Run) -> None:
    event(office, "C002", "service", "2026-11-20", "WO-2")
    assert set(by_code(due(office, "--grade", "4", "--days", "3"))) == {"C002"}
    assert set(by_code(due(office, "--grade", "一级", "--days", "3"))) == {"C001"}
    assert due(office, "--grade", "3", "--days", "3") == []
    r = ok(office("due", "--grade", "3"))
    assert "Nothing due." in r.stdout


def test_overdue_filter(office: Run) -> None:
    event(office, "C001", "sale", "2026-10-01", "S-2")  # 21 days late
    event(office, "C002", "service", "2026-11-20", "WO-2")  # due today
    everything = by_code(due(office))
    assert everything["C002"]["days_overdue"] == 0
    late = by_code(due(office, "--overdue"))
    assert set(late) == {"C001"}
    assert late["C001"]["days_overdue"] == 21


def test_limit_keeps_the_most_urgent(office: Run) -> None:
    event(office, "C001", "service", "2026-11-20", "WO-1")
    event(office, "C002", "service", "2026-11-20", "WO-2")
    full = due(office, "--days", "7")
    assert len(full) == 2
    top = due(office, "--days", "7", "--limit", "1")
    assert top == full[:1]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--staff", "无名"), 1, "Error: no staff member named '无名' (--staff)"),
        (("--date", "2026-11-31"), 65, "Error: --date: '2026-11-31' is not a date"),
        (("--date", "tomorrow"), 65, "Error: --date: 'tomorrow' is not a date"),
        (("--grade", "9"), 2, "'9' is not valid; expected a grade from 1"),
        (("--days", "-1"), 2, "Invalid value for '--days'"),
        (("--limit", "0"), 2, "Invalid value for '--limit'"),
        (("--format", "xml"), 2, "Invalid value for '--format'"),
    ],
)
def test_bad_options(office: Run, args: tuple[str, ...], code: int, message: str) -> None:
    refused(office("due", *args), code, message)


# -- urgency ---------------------------------------------------------------------------------


def add_customer(run: Run, code: str, grade: str) -> None:
    ok(run("customer", "add", f"客户{code}", "--code", code, "--grade", grade))


def test_grade_1_outranks_grade_5_with_the_same_lateness(office: Run) -> None:
    add_customer(office, "G1", "1")
    add_customer(office, "G5", "5")
    for code in ("G1", "G5"):
        event(office, code, "parts", "2026-11-13", f"P-{code}")  # due 20 Nov: 3 days late
    data = due(office, "--explain")
    order = [row["customer"]["code"] for row in data]
    rows_ = by_code(data)
    assert rows_["G1"]["days_overdue"] == rows_["G5"]["days_overdue"] == 3
    assert rows_["G1"]["terms"]["grade"] == 10
    assert rows_["G5"]["terms"]["grade"] == 2
    assert rows_["G1"]["urgency"] > rows_["G5"]["urgency"]
    assert order.index("G1") < order.index("G5")


def test_more_days_overdue_outranks(office: Run) -> None:
    add_customer(office, "D6", "4")
    add_customer(office, "D3", "4")
    event(office, "D6", "parts", "2026-11-10", "P-D6")  # due 17 Nov: 6 days late
    event(office, "D3", "parts", "2026-11-13", "P-D3")  # due 20 Nov: 3 days late
    data = due(office, "--explain")
    rows_ = by_code(data)
    assert (rows_["D6"]["days_overdue"], rows_["D3"]["days_overdue"]) == (6, 3)
    assert (rows_["D6"]["terms"]["overdue"], rows_["D3"]["terms"]["overdue"]) == (6, 3)
    order = [row["customer"]["code"] for row in data]
    assert order.index("D6") < order.index("D3")


def test_rows_are_sorted_by_urgency(office: Run) -> None:
    event(office, "C001", "sale", "2026-10-01", "S-2")
    event(office, "C002", "service", "2026-11-20", "WO-2")
    add_customer(office, "G5", "5")
    event(office, "G5", "parts", "2026-11-13", "P-G5")
    urgencies = [row["urgency"] for row in due(office, "--days", "7")]
    assert len(urgencies) >= 3
    assert urgencies == sorted(urgencies, reverse=True)


def test_open_tickets_raise_urgency(office: Run) -> None:
    event(office, "C002", "service", "2026-11-20", "WO-2")
    before = by_code(due(office, "--explain"))["C002"]
    ok(office("ticket", "open", "C002", "--summary", "漏油", "--category", "product.defect"))
    after = by_code(due(office, "--explain"))["C002"]
    assert (before["open_tickets"], after["open_tickets"]) == (0, 1)
    assert after["terms"]["open_tickets"] == 5
    assert after["urgency"] == before["urgency"] + 5


def test_explain_terms_sum_to_the_urgency(office: Run) -> None:
    event(office, "C001", "sale", "2026-10-01", "S-2")
    event(office, "C002", "service", "2026-11-20", "WO-2")
    # A failed attempt: the retry term.
    ok(office("log-call", "C002", "--outcome", "no-answer", "--by", "李娜",
              "--at", "2026-11-20 10:00"))  # fmt: skip
    data = due(office, "--explain", "--days", "3")
    assert len(data) == 2
    for row in data:
        assert set(row["terms"]) == set(TERMS)
        assert sum(row["terms"].values()) == pytest.approx(row["urgency"])
    assert by_code(data)["C002"]["terms"]["retry"] == 2
    table = ok(office("due", "--explain", "--days", "3")).stdout
    assert "Urgency terms" in table
    checked = 0
    for line in table.splitlines():
        if not re.search(r"\bC00[12]\b", line):
            continue
        urgency = float(line.split()[0])
        terms = re.findall(rf"\b({'|'.join(TERMS)})=(-?\d+(?:\.\d+)?)", line)
        assert terms, line
        assert sum(float(v) for _, v in terms) == pytest.approx(urgency)
        checked += 1
    assert checked == 2


ODD_URGENCY = """
[urgency]
overdue_day = 0.333
grade = 1.1
open_ticket = 0.7
level2 = 0.05
retry = 1.254
extra_reason = 0.1
unreachable = -0.3

[urgency.reason]
ticket-verify = 0.91
event = 0.77
second-level = 0.61
retry = 0.57
visit = 0.66
birthday = 0.13
holiday = 0.12
yearly = 0.11
"""
ODD_WEIGHTS = {"ticket-verify": 0.91, "event": 0.77, "second-level": 0.61, "retry": 0.57,
               "visit": 0.66, "birthday": 0.13, "holiday": 0.12, "yearly": 0.11}  # fmt: skip


def test_coefficients_that_are_not_quarters_are_rounded_to_the_hundredth(
    office: Run, tmp_path: Any
) -> None:
    """Shipped coefficients are whole quarters (exact sums); any others still give
    terms and urgencies rounded to 0.01, the terms summing to the urgency."""
    config = tmp_path / "odd.toml"
    config.write_text(ODD_URGENCY, encoding="utf-8")
    env = {"FOLLOWUP_CONFIG": str(config)}
    event(office, "C001", "sale", "2026-10-01", "S-2")
    ok(office("log-call", "C001", "--outcome", "no-answer", "--by", "李娜",
              "--at", "2026-11-20 10:00", env=env))  # fmt: skip
    event(office, "C002", "parts", "2026-11-12", "P-2")  # due 19 Nov: 4 days late
    r = ok(office("due", "--explain", "--days", "3", "--format", "json", env=env))
    rows_ = by_code(json.loads(r.stdout))
    late = rows_["C002"]["terms"]
    assert rows_["C002"]["days_overdue"] == 4
    assert late["overdue"] == round(0.333 * 4, 2) == 1.33
    assert late["grade"] == round(1.1 * (6 - 4), 2) == 2.2
    assert rows_["C001"]["terms"]["retry"] == 1.25
    for data in rows_.values():
        weights = [ODD_WEIGHTS[x["reason"]] for x in data["reasons"]]
        assert data["terms"]["reason"] == max(weights)
        assert data["terms"]["reasons"] == round(0.1 * (len(weights) - 1), 2)
    for data in rows_.values():
        terms = data["terms"]
        assert all(round(v, 2) == v for v in terms.values()), terms
        assert data["urgency"] == round(sum(terms.values()), 2)
    # The csv and the table say the same.
    csv_rows = list(csv.DictReader(io.StringIO(ok(office(
        "due", "--days", "3", "--format", "csv", env=env)).stdout)))  # fmt: skip
    assert {x["customer_code"]: float(x["urgency"]) for x in csv_rows} == {
        code: data["urgency"] for code, data in rows_.items()
    }


def test_due_entries_stream_the_rows_of_due_list(office: Run, session: Any) -> None:
    """The domain's two readings of the list agree: DueEntries (streamed, for csv and
    json) and due_list (all at once, for reports)."""
    from datetime import date

    from followup_cli.domain.callbacks.due import DueEntries, DueFilter, due_list

    event(office, "C001", "sale", "2026-10-01", "S-2")
    event(office, "C002", "service", "2026-11-20", "WO-2")
    s = session()
    for limit in (None, 1):
        flt = DueFilter(on=date(2026, 11, 23), days=3, limit=limit)
        entries = DueEntries(s, flt, terms=True)
        streamed = [e.record() for e in entries]
        listed = due_list(s, flt)
        assert streamed == [row.record() for row in listed.rows]
        assert entries.total == listed.total == 2
        assert len(streamed) == (limit or 2)


# -- output formats ----------------------------------------------------------------------------


def test_table_off_a_terminal_is_plain_text(office: Run) -> None:
    event(office, "C001", "service", "2026-11-20", "WO-1")
    out = ok(office("due")).stdout
    assert "\x1b[" not in out
    assert not any(ch in out for ch in "┃━│─┏")
    lines = out.splitlines()
    assert lines[0].startswith("Due 2026-11-23: ")
    assert lines[1].split()[:3] == ["Urg", "Code", "Customer"]
    assert "山东鲁建机械有限公司" in out
    again = ok(office("due", env={"NO_COLOR": "1"})).stdout
    assert again == out


def test_csv_has_a_header_and_one_line_per_row(office: Run) -> None:
    event(office, "C001", "service", "2026-11-20", "WO-1")
    event(office, "C002", "service", "2026-11-20", "WO-2")
    out = ok(office("due", "--format", "csv")).stdout
    assert "\x1b[" not in out
    header = out.splitlines()[0]
    assert header.startswith("urgency,customer_code,customer_name,grade,contact")
    records = list(csv.DictReader(io.StringIO(out)))
    assert sorted(r["customer_code"] for r in records) == ["C001", "C002"]
    json_rows = by_code(due(office))
    for record in records:
        row = json_rows[record["customer_code"]]
        ids = {int(x) for x in record["callback_ids"].split()}
        assert ids == reason_ids(row)
        assert record["due_on"] == row["due_on"]


def test_json_is_plain(office: Run) -> None:
    event(office, "C001", "service", "2026-11-20", "WO-1")
    out = ok(office("due", "--format", "json")).stdout
    assert "\x1b[" not in out
    assert json.loads(out)[0]["customer"]["code"] == "C001"


# -- the speed tricks of the ranking agree with their plain versions ---------------------------

COEFFICIENTS = st.sampled_from([0.0, 0.25, 0.5, 1.0, 2.75, 0.333, 1.1, 0.1, 3.0, 0.07, -0.5])


@given(
    factors=st.fixed_dictionaries(
        {
            name: COEFFICIENTS
            for name in ("overdue_day", "grade", "extra_reason", "open_ticket", "retry", "level2")
        }
    ),
    weights=st.lists(COEFFICIENTS, min_size=8, max_size=8),
    callbacks=st.lists(
        st.tuples(
            st.sampled_from([1, 2]),  # customer
            st.integers(-40, 5),  # due, days from today
            st.sampled_from(["event", "visit", "yearly", "holiday", "second-level", "retry"]),
            st.integers(0, 3),  # attempts
            st.sampled_from(["pending", "pending", "done"]),
        ),
        max_size=12,
    ),
    limit=st.sampled_from([None, 1, 5]),
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_fast_ranking_gives_the_rows_of_the_plain_one(
    office_template: Any, tmp_path: Any, factors: dict[str, float], weights: list[float],
    callbacks: list[tuple[int, int, str, int, str]], limit: int | None,
) -> None:  # fmt: skip
    """Skipped rounding (exact_term), the forced index (pending_source) and the one JSON
    parse per batch (parse_batch) change nothing: same rows, same values, same order."""
    import sqlite3
    from datetime import date, datetime, timedelta

    from followup_cli.domain.callbacks.due import (
        DueFilter,
        RankedRow,
        parse_batch,
        parse_each,
        ranking_sql,
    )
    from followup_cli.domain.session import Session
    from followup_cli.support.config import load_config

    path = tmp_path / f"rank-{abs(hash((str(factors), str(weights), str(callbacks), limit)))}.db"
    path = copy_office(office_template, path)
    conn = open_db(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    today = date(2026, 11, 23)
    for n, (customer, days, reason, attempts, status) in enumerate(callbacks):
        level = 2 if reason == "second-level" else 1
        conn.execute(
            "INSERT INTO callbacks (customer_id, due_on, reason, source, plan_key, level, status,"
            " attempts, planned_on, created_at, updated_at)"
            " VALUES (?, ?, ?, 'rule', ?, ?, ?, ?, '2026-11-01', 'x', 'x')",
            (customer, (today + timedelta(days=days)).isoformat(), reason, f"t{n}", level,
             status, attempts),
        )  # fmt: skip
    config = load_config(None)
    urgency = config["urgency"]
    urgency.update(factors)
    urgency["reason"] = dict(zip(sorted(urgency["reason"]), weights, strict=False))
    s = Session(conn=conn, config=config, today=today, now=datetime(2026, 11, 23, 10))
    try:
        flt = DueFilter(on=today, days=2, limit=limit)
        fast = ranked_rows(conn, *ranking_sql(s, flt))
        plain = ranked_rows(conn, *ranking_sql(s, flt, plain=True))
        assert fast == plain
        texts = [json.dumps(row[RankedRow._fields.index("reasons")]) for row in fast]
        assert parse_batch(texts) == parse_each(texts)
    finally:
        conn.close()


# -- unreachable (issue 14 item 10) -----------------------------------------------------------


def fail_three_times(run: Run, code: str) -> None:
    for at in ("09:00", "10:00", "11:00"):
        ok(run("log-call", code, "-o", "no-answer", "--by", "李娜", "--at", f"2026-11-23 {at}"))


def test_due_marks_an_unreachable_customer_in_every_format(office: Run, rows: Rows) -> None:
    event(office, "C002", "service", "2026-11-20", "WO-2")
    event(office, "C001", "service", "2026-11-20", "WO-1")
    fail_three_times(office, "C002")
    assert rows("SELECT unreachable FROM customers WHERE code = 'C002'") == [{"unreachable": 1}]
    table = ok(office("due", "--days", "3")).stdout
    line = next(x for x in table.splitlines() if "C002" in x)
    assert "13800138000 !" in line
    assert not any("!" in x for x in table.splitlines() if "C001" in x)
    assert (
        "! unreachable: the last calls did not reach the customer; check the phone numbers"
        " (`followup customer show CODE`)"
    ) in table
    data = by_code(due(office, "--days", "3"))
    assert (data["C002"]["unreachable"], data["C001"]["unreachable"]) == (True, False)
    out = ok(office("due", "--days", "3", "--format", "csv")).stdout
    header = out.splitlines()[0].split(",")
    assert header[12:14] == ["callback_ids", "unreachable"]  # added at the end (then more)
    records = {r["customer_code"]: r for r in csv.DictReader(io.StringIO(out))}
    assert (records["C002"]["unreachable"], records["C001"]["unreachable"]) == ("yes", "no")
    assert records["C002"]["phone"] == "13800138000"  # the number itself, unmarked
    explained = ok(office("due", "--days", "3", "--explain", "--format", "csv")).stdout
    assert explained.splitlines()[0].endswith(
        "callback_ids,unreachable,customer_id,tier,role,contact_chosen_as,appointment_at,"
        "appointment_place,terms"
    )


def test_the_next_reached_call_clears_the_mark(office: Run, rows: Rows) -> None:
    event(office, "C002", "service", "2026-11-20", "WO-2")
    fail_three_times(office, "C002")
    r = ok(office("log-call", "C002", "-o", "reached", "--by", "李娜", "--at", "2026-11-23 15:00"))
    assert "C002 is reachable again: its unreachable flag is cleared" in r.stdout
    assert rows("SELECT unreachable FROM customers WHERE code = 'C002'") == [{"unreachable": 0}]
    ok(office("event", "add", "C002", "--kind", "parts", "--date", "2026-11-16"))
    table = ok(office("due", "--days", "7")).stdout
    assert "C002" in table
    assert "unreachable" not in table
    assert all(row["unreachable"] is False for row in due(office, "--days", "7"))
