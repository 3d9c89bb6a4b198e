"""`followup log-call` (SPEC 3 retry/merge/cooldown/second level, SPEC 4): what a call
settles, what it plans, the tickets it opens, and every bad input.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from assertions import ok, refused
from followup_cli.domain.calls.log import log_call, targets_of, validate_call

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

PERIODIC = {"visit", "yearly", "holiday"}


def snapshot(rows: Rows) -> dict[str, list[dict[str, Any]]]:
    return {
        table: rows(f"SELECT * FROM {table} ORDER BY id")
        for table in ("calls", "callbacks", "tickets", "ticket_history", "customers")
    }


def event(run: Run, code: str, kind: str, day: str, ref: str, today: str = "2026-11-23") -> None:
    ok(run("event", "add", code, "--kind", kind, "--date", day, "--ref", ref, today=today))


def call(run: Run, code: str, outcome: str, by: str, at: str, *extra: str) -> Any:
    return run("log-call", code, "--outcome", outcome, "--by", by, "--at", at, *extra,
               today=at[:10])  # fmt: skip


def callbacks(rows: Rows, code: str) -> dict[int, dict[str, Any]]:
    return {
        r["id"]: r
        for r in rows(
            "SELECT cb.* FROM callbacks cb JOIN customers c ON c.id = cb.customer_id"
            " WHERE c.code = ? ORDER BY cb.id",
            code,
        )
    }


def event_cb(rows: Rows, ref: str, anchor: str) -> dict[str, Any]:
    found = rows(
        "SELECT cb.* FROM callbacks cb JOIN events e ON e.id = cb.event_id"
        " WHERE e.ref = ? AND cb.reason = 'event' AND cb.planned_on = ?",
        ref,
        anchor,
    )
    assert len(found) == 1, found
    return found[0]


def get_cb(rows: Rows, callback_id: int) -> dict[str, Any]:
    return rows("SELECT * FROM callbacks WHERE id = ?", callback_id)[0]


def last_call(rows: Rows) -> dict[str, Any]:
    return rows("SELECT * FROM calls ORDER BY id DESC LIMIT 1")[0]


def second_level(rows: Rows) -> list[dict[str, Any]]:
    return rows("SELECT * FROM callbacks WHERE reason = 'second-level' ORDER BY id")


# -- a reached call ----------------------------------------------------------------------


def test_reached_call_settles_the_merge_window_and_periodic_cooldown(
    office: Run, rows: Rows
) -> None:
    event(office, "C001", "service", "2026-11-20", "WO-1")  # due 23 Nov, 27 Nov, 21 Dec
    event(office, "C001", "sale", "2026-11-19", "S-1")  # due 23 Nov, 26 Nov, 21 Dec, ...
    yearly = [cb for cb in callbacks(rows, "C001").values() if cb["reason"] == "yearly"][0]
    ok(office("callback", "reschedule", str(yearly["id"]), "2026-11-30"))
    before = {i: cb for i, cb in callbacks(rows, "C001").items() if cb["status"] == "pending"}

    r = ok(call(office, "C001", "reached", "李娜", "2026-11-23 10:00", "--satisfaction", "4"))
    the_call = last_call(rows)
    assert (the_call["outcome"], the_call["caller"], the_call["day"]) == (
        "reached",
        "李娜",
        "2026-11-23",
    )
    assert the_call["satisfaction"] == 4
    # Visits are their roles' duties (issue 14 item 4): a clerk's call settles none.
    expected = {
        i
        for i, cb in before.items()
        if (cb["reason"] in PERIODIC - {"visit"} and cb["due_on"] <= "2026-11-30")
        or (cb["reason"] not in PERIODIC and cb["due_on"] <= "2026-11-26")
    }
    # The edges of both windows are inside the expected set:
    assert event_cb(rows, "S-1", "2026-11-26")["id"] in expected  # merge window: 3 days
    assert yearly["id"] in expected  # periodic: 7 days
    after = callbacks(rows, "C001")
    done = {i for i, cb in after.items() if cb["status"] == "done"}
    assert done == expected
    for i in done:
        assert after[i]["call_id"] == the_call["id"]
        assert after[i]["closed_on"] == "2026-11-23"
        assert f"done: #{i} " in r.stdout
    for anchor in ("2026-11-27", "2026-12-20"):  # outside the merge window: still pending
        assert event_cb(rows, "WO-1", anchor)["status"] == "pending"
    holiday = [cb for cb in after.values() if cb["reason"] == "holiday"]
    assert [cb["status"] for cb in holiday] == ["pending"]


def test_reached_call_records_its_details(office: Run, rows: Rows) -> None:
    event(office, "C001", "service", "2026-11-20", "WO-1")
    ok(call(office, "C001", "reached", "李娜", "2026-11-23 14:30", "--contact", "张建国",
            "--channel", "wechat", "--satisfaction", "5", "--recommend", "9",
            "--repurchase", "yes", "--note", "满意"))  # fmt: skip
    c = last_call(rows)
    contact = rows("SELECT id FROM contacts WHERE name = '张建国'")[0]["id"]
    assert c["contact_id"] == contact
    assert (c["channel"], c["satisfaction"], c["recommend"], c["repurchase"], c["note"]) == (
        "wechat",
        5,
        9,
        "yes",
        "满意",
    )
    # (the offset is the process's local one: TZ is not re-read inside the test process)
    assert c["at"].startswith("2026-11-23T14:30:00")
    assert c["callback_id"] is not None


def test_by_can_come_from_followup_staff(office: Run, rows: Rows) -> None:
    ok(office("log-call", "C002", "--outcome", "reached", env={"FOLLOWUP_STAFF": "李娜"}))
    assert last_call(rows)["caller"] == "李娜"


def test_backfilled_call_counts_on_its_own_day(office: Run, rows: Rows) -> None:
    event(office, "C002", "service", "2026-11-20", "WO-2")
    ok(office("log-call", "C002", "--outcome", "reached", "--by", "李娜",
              "--at", "2026/11/23 08:15"))  # fmt: skip
    ok(office("log-call", "C002", "--outcome", "reached", "--by", "李娜",
              "--at", "2026-11-20 16:00"))  # fmt: skip
    assert [c["day"] for c in rows("SELECT day FROM calls ORDER BY id")] == [
        "2026-11-23",
        "2026-11-20",
    ]


# -- not reached -------------------------------------------------------------------------------


def test_not_reached_counts_an_attempt_and_retries_next_working_day(
    office: Run, rows: Rows
) -> None:
    event(office, "C002", "service", "2026-11-25", "WO-2", today="2026-11-27")  # +2d: Fri 27
    cb = event_cb(rows, "WO-2", "2026-11-27")
    r = ok(call(office, "C002", "no-answer", "李娜", "2026-11-27 10:00"))
    after = get_cb(rows, cb["id"])
    assert (after["status"], after["attempts"], after["due_on"]) == ("pending", 1, "2026-11-30")
    assert after["call_id"] is None
    assert f"try again 2026-11-30: #{cb['id']} event" in r.stdout
    assert "1 failed attempt(s) in a row" in r.stdout
    assert last_call(rows)["outcome"] == "no-answer"
    ok(call(office, "C002", "busy", "李娜", "2026-11-30 10:00"))
    after = get_cb(rows, cb["id"])
    assert (after["attempts"], after["due_on"]) == (2, "2026-12-01")


def unreachable(rows: Rows, code: str) -> int:
    return int(rows("SELECT unreachable FROM customers WHERE code = ?", code)[0]["unreachable"])


def test_three_failed_calls_in_a_row_flag_the_customer_unreachable(office: Run, rows: Rows) -> None:
    event(office, "C001", "service", "2026-11-20", "WO-1")
    cb = event_cb(rows, "WO-1", "2026-11-22")
    for n, (outcome, at) in enumerate(
        [("no-answer", "09:00"), ("busy", "11:00"), ("wrong-number", "15:00")], 1
    ):
        r = ok(call(office, "C001", outcome, "李娜", f"2026-11-23 {at}"))
        if n < 3:
            assert unreachable(rows, "C001") == 0
            assert "unreachable" not in r.stderr
    assert unreachable(rows, "C001") == 1
    assert "Warning: C001 is now flagged unreachable: check the phone numbers" in r.stderr
    assert get_cb(rows, cb["id"])["attempts"] == 3
    r = ok(call(office, "C001", "reached", "李娜", "2026-11-24 09:00"))
    assert unreachable(rows, "C001") == 0
    assert get_cb(rows, cb["id"])["status"] == "done"


def test_a_reached_call_breaks_the_streak(office: Run, rows: Rows) -> None:
    for outcome, at in [
        ("no-answer", "2026-11-23 09:00"),
        ("no-answer", "2026-11-23 10:00"),
        ("reached", "2026-11-23 11:00"),
        ("no-answer", "2026-11-24 09:00"),
        ("no-answer", "2026-11-24 10:00"),
    ]:
        ok(call(office, "C002", outcome, "李娜", at))
    assert unreachable(rows, "C002") == 0


# -- second level --------------------------------------------------------------------------


def test_first_completed_service_callback_plans_a_supervisor_check(office: Run, rows: Rows) -> None:
    event(office, "C001", "service", "2026-11-24", "WO-3", today="2026-11-26")
    first = event_cb(rows, "WO-3", "2026-11-26")
    r = ok(call(office, "C001", "reached", "李娜", "2026-11-26 10:00"))
    checks = second_level(rows)
    assert len(checks) == 1
    check = checks[0]
    assert (check["level"], check["role"], check["assignee"], check["status"]) == (
        2,
        "service_supervisor",
        "陈静",
        "pending",
    )
    # 26 Nov + 3 days = Sunday 29 Nov -> Monday 30 Nov.
    assert (check["planned_on"], check["due_on"]) == ("2026-11-29", "2026-11-30")
    assert check["parent_id"] == first["id"]
    assert check["event_id"] == first["event_id"]
    assert f"planned: #{check['id']} second-level due 2026-11-30" in r.stdout
    # Completing the next level-1 callback of the same event plans no second check.
    ok(call(office, "C001", "reached", "李娜", "2026-12-01 10:00"))
    assert event_cb(rows, "WO-3", "2026-12-01")["status"] == "done"
    assert len(second_level(rows)) == 1


def test_a_sale_callback_plans_a_second_level_check_too(office: Run, rows: Rows) -> None:
    """Seed 000 "兩級回訪…服務人員進行第一次回訪，而安排服務監督人員進行第二次回訪": every
    kind gets its level-2 check, by the service supervisor unless config names another."""
    event(office, "C001", "sale", "2026-11-19", "S-1")
    r = ok(call(office, "C001", "reached", "李娜", "2026-11-23 10:00"))
    assert event_cb(rows, "S-1", "2026-11-21")["status"] == "done"
    (check,) = second_level(rows)
    assert (check["due_on"], check["level"], check["role"], check["assignee"]) == (
        "2026-11-26",
        2,
        "service_supervisor",
        "陈静",
    )
    assert check["detail"] == "check of the sale 2026-11-19 callback S-1"
    assert f"planned: #{check['id']} second-level due 2026-11-26" in r.stdout


def test_each_kind_has_its_own_checking_role_in_config(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    config = tmp_path / "mine.toml"
    config.write_text('[planning.second_level.roles]\nsale = "sales_manager"\n', encoding="utf-8")
    event(office, "C001", "sale", "2026-11-19", "S-1")
    ok(office("--config", str(config), "log-call", "C001", "--outcome", "reached",
              "--by", "李娜", "--at", "2026-11-23 10:00"))  # fmt: skip
    (check,) = second_level(rows)
    assert (check["role"], check["assignee"]) == ("sales_manager", "孙丽")
    # Only the checking role settles it: the supervisor's call does not, the manager's does.
    ok(office("--config", str(config), "log-call", "C001", "--outcome", "reached",
              "--by", "陈静", "--at", "2026-11-26 10:00", today="2026-11-26"))  # fmt: skip
    assert second_level(rows)[0]["status"] == "pending"
    ok(office("--config", str(config), "log-call", "C001", "--outcome", "reached",
              "--by", "孙丽", "--at", "2026-11-26 11:00", today="2026-11-26"))  # fmt: skip
    assert second_level(rows)[0]["status"] == "done"


def test_a_kind_left_out_of_event_kinds_plans_no_second_level(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    config = tmp_path / "mine.toml"
    config.write_text('[planning.second_level]\nevent_kinds = ["service"]\n', encoding="utf-8")
    event(office, "C001", "sale", "2026-11-19", "S-1")
    ok(office("--config", str(config), "log-call", "C001", "--outcome", "reached",
              "--by", "李娜", "--at", "2026-11-23 10:00"))  # fmt: skip
    assert event_cb(rows, "S-1", "2026-11-21")["status"] == "done"
    assert second_level(rows) == []


def planned_check(office: Run, rows: Rows) -> dict[str, Any]:
    event(office, "C001", "service", "2026-11-24", "WO-3", today="2026-11-26")
    ok(call(office, "C001", "reached", "李娜", "2026-11-26 10:00"))
    return second_level(rows)[0]


def test_second_level_is_not_settled_by_someone_elses_call(office: Run, rows: Rows) -> None:
    check = planned_check(office, rows)
    ok(call(office, "C001", "reached", "王伟", "2026-11-30 09:00"))
    ok(call(office, "C001", "reached", "李娜", "2026-11-30 10:00"))
    assert get_cb(rows, check["id"])["status"] == "pending"
    ok(call(office, "C001", "reached", "陈静", "2026-11-30 11:00"))
    done = get_cb(rows, check["id"])
    assert done["status"] == "done"
    assert done["call_id"] == last_call(rows)["id"]


def test_second_level_can_be_named_with_callback(office: Run, rows: Rows) -> None:
    check = planned_check(office, rows)
    ok(call(office, "C001", "reached", "王伟", "2026-11-30 09:00", "--callback", str(check["id"])))
    assert get_cb(rows, check["id"])["status"] == "done"
    assert last_call(rows)["callback_id"] == check["id"]


def test_second_level_shows_in_the_supervisors_due_list(office: Run, rows: Rows) -> None:
    check = planned_check(office, rows)
    r = ok(office("due", "--staff", "陈静", "--explain", "--format", "json", today="2026-11-30"))
    data = json.loads(r.stdout)
    assert [row["customer"]["code"] for row in data] == ["C001"]
    row = data[0]
    assert row["assignee"] == "陈静"
    levels = {x["callback_id"]: x["level"] for x in row["reasons"]}
    assert levels[check["id"]] == 2
    assert row["terms"]["level2"] == 3


def test_domain_targets_leave_level_2_to_the_supervisor(
    office: Run, rows: Rows, session: Callable[..., Any]
) -> None:
    check = planned_check(office, rows)
    s = session(today="2026-11-30")
    cid = rows("SELECT id FROM customers WHERE code = 'C001'")[0]["id"]
    for role, expected in (("clerk", False), ("service_supervisor", True)):
        ids = [t["id"] for t in targets_of(s, s.conn, cid, date(2026, 11, 30), True, role)]
        assert (check["id"] in ids) is expected


# -- answers and complaints -----------------------------------------------------------------


def test_a_no_answer_to_a_key_question_opens_a_ticket(office: Run, rows: Rows) -> None:
    event(office, "C001", "service", "2026-11-20", "WO-1", today="2026-11-23")
    r = ok(call(office, "C001", "reached", "李娜", "2026-11-23 10:00", "--answer", "fixed=no",
                "--answer", "on_time=是"))  # fmt: skip
    c = last_call(rows)
    assert json.loads(c["answers"]) == {"fixed": "no", "on_time": "yes"}
    tickets = rows("SELECT * FROM tickets")
    assert len(tickets) == 1
    t = tickets[0]
    assert (t["category"], t["call_id"], t["status"]) == ("product.failure", c["id"], "open")
    assert t["summary"] == "Customer answered no: Was the problem fixed?"
    assert f"opened ticket #{t['id']}" in r.stdout


def test_yes_answers_open_no_ticket(office: Run, rows: Rows) -> None:
    event(office, "C001", "service", "2026-11-20", "WO-1")
    ok(call(office, "C001", "reached", "李娜", "2026-11-23 10:00", "--answer", "fixed=yes"))
    assert json.loads(last_call(rows)["answers"]) == {"fixed": "yes"}
    assert rows("SELECT * FROM tickets") == []


def test_complaint_opens_a_ticket_linked_to_the_call(office: Run, rows: Rows) -> None:
    r = ok(call(office, "C001", "reached", "李娜", "2026-11-23 10:00",
                "--complaint", "发动机漏油", "--category", "product.defect",
                "--severity", "major"))  # fmt: skip
    c = last_call(rows)
    t = rows("SELECT * FROM tickets")[0]
    assert (t["summary"], t["category"], t["severity"], t["call_id"]) == (
        "发动机漏油",
        "product.defect",
        "major",
        c["id"],
    )
    assert t["customer_id"] == c["customer_id"]
    assert f"opened ticket #{t['id']}" in r.stdout


def test_complaint_stores_the_category_and_severity_its_checks_accepted(
    office: Run, rows: Rows
) -> None:
    # The checks take `MAJOR` and `Product.Defect`; the ticket holds the stored values
    # (it held the words as typed, and the severity's CHECK constraint failed).
    ok(call(office, "C001", "reached", "李娜", "2026-11-23 10:00",
            "--complaint", "发动机漏油", "--category", "Product.Defect",
            "--severity", "MAJOR"))  # fmt: skip
    t = rows("SELECT category, severity FROM tickets")[0]
    assert t == {"category": "product.defect", "severity": "major"}


def test_complaint_without_category_is_other(office: Run, rows: Rows) -> None:
    ok(call(office, "C002", "reached", "李娜", "2026-11-23 10:00", "--complaint", "态度差"))
    t = rows("SELECT * FROM tickets")[0]
    assert (t["category"], t["severity"], t["call_id"]) == (
        "other",
        "minor",
        last_call(rows)["id"],
    )


def test_a_complaint_holds_the_calls_no_answers_in_one_ticket(office: Run, rows: Rows) -> None:
    """Issue 14.1: a complaint and a "no" about the same repair are one problem, one
    ticket (it opened a second, "Customer answered no", owned by someone else)."""
    event(office, "C001", "service", "2026-11-20", "WO-1")
    r = ok(call(office, "C001", "reached", "李娜", "2026-11-23 10:00", "-s", "2",
                "--answer", "fixed=no", "--answer", "on_time=no",
                "--complaint", "修完第二天又漏油", "--category", "product.failure",
                "--severity", "major", "--note", "客户很生气"))  # fmt: skip
    c = last_call(rows)
    [t] = rows("SELECT * FROM tickets")
    assert (t["summary"], t["category"], t["severity"], t["call_id"], t["details"]) == (
        "修完第二天又漏油",
        "product.failure",
        "major",
        c["id"],
        "客户很生气",
    )
    assert r.stdout.count("opened ticket #") == 1
    assert f"opened ticket #{t['id']}" in r.stdout
    history = rows("SELECT * FROM ticket_history WHERE ticket_id = ? ORDER BY id", t["id"])
    # issue 17: reported at once to the sales manager, then the call's "no" answers
    assert [h["action"] for h in history] == ["open", "report", "note", "note"]
    assert history[1]["note"] == "reported at once to the sales_manager 孙丽"
    assert [h["note"] for h in history[2:]] == [
        "Customer answered no: Was the problem fixed?",
        "Customer answered no: Did the engineer arrive on time?",
    ]
    assert {h["actor"] for h in history[1:]} == {"李娜"}
    assert all(json.loads(h["note_message"])["code"] == "ticket.answered_no" for h in history[2:])
    shown = ok(office("ticket", "show", str(t["id"]))).stdout
    assert "Customer answered no: Was the problem fixed?" in shown
    # The early warning counts one open complaint: no "2 open complaints" emergency, an
    # approach (issue 17: one open complaint where two breach).
    warnings = json.loads(ok(office("report", "warnings", "--format", "json")).stdout)
    assert [
        (w["level"], w["value"]) for w in warnings["warnings"] if w["indicator"] == "open_tickets"
    ] == [("approaching", 1)]
    auto = ok(office("escalate", "--auto", "--dry-run"))
    assert "open complaints" not in auto.output


def test_a_complaint_without_category_takes_that_of_the_no_answer(office: Run, rows: Rows) -> None:
    event(office, "C001", "service", "2026-11-20", "WO-1")
    ok(call(office, "C001", "reached", "李娜", "2026-11-23 10:00", "--answer", "fixed=no",
            "--complaint", "又漏油了"))  # fmt: skip
    assert rows("SELECT summary, category, severity FROM tickets") == [
        {"summary": "又漏油了", "category": "product.failure", "severity": "minor"}
    ]


def test_no_answers_without_a_complaint_open_one_ticket_per_category(session: Any) -> None:
    """Without a complaint each category answered "no" is one problem: two "no"s of one
    category make one ticket holding both questions."""
    from followup_cli.domain.calls.log import plan_tickets
    from followup_cli.domain.texts import english

    questions = {
        "fixed": {"key": "fixed", "text": "Was the problem fixed?", "category": "product.failure"},
        "machine_ok": {
            "key": "machine_ok",
            "text": "Is the rented machine working well?",
            "category": "product.failure",
        },
        "on_time": {"key": "on_time", "text": "On time?", "category": "service.late"},
    }
    s = session()
    at = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
    answers = {"fixed": "no", "machine_ok": "no", "on_time": "no"}
    planned = plan_tickets(s, validate_call("reached", "李娜", at, answers=answers), questions)
    assert [(p.category, [q["key"] for q in p.said_no], p.complaint) for p in planned] == [
        ("product.failure", ["fixed", "machine_ok"], False),
        ("service.late", ["on_time"], False),
    ]
    assert english(planned[0].summary) == (
        "Customer answered no: Was the problem fixed?;"
        " Customer answered no: Is the rented machine working well?"
    )
    told = validate_call("reached", "李娜", at, answers=answers, complaint="全坏了")
    [one] = plan_tickets(s, told, questions)
    assert (one.summary, one.category, one.complaint) == ("全坏了", "product.failure", True)
    assert [q["key"] for q in one.said_no] == ["fixed", "machine_ok", "on_time"]
    assert (
        plan_tickets(s, validate_call("reached", "李娜", at, answers={"fixed": "yes"}), questions)
        == []
    )


# -- 多头回访 --------------------------------------------------------------------------------


def test_warns_when_someone_else_reached_the_customer_recently(office: Run, rows: Rows) -> None:
    ok(call(office, "C001", "reached", "王伟", "2026-11-20 09:00"))
    r = ok(call(office, "C001", "reached", "李娜", "2026-11-23 10:00"))
    assert "Warning: 王伟 already reached this customer on 2026-11-20 (within 7 days)" in r.stderr
    assert len(rows("SELECT * FROM calls")) == 2


def test_no_warning_for_the_same_caller_or_an_older_call(office: Run) -> None:
    ok(call(office, "C001", "reached", "王伟", "2026-11-15 09:00"))
    r = ok(call(office, "C001", "reached", "李娜", "2026-11-23 10:00"))
    assert "already reached this customer" not in r.stderr
    r = ok(call(office, "C001", "reached", "李娜", "2026-11-23 15:00"))
    assert "already reached this customer" not in r.stderr


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--outcome", "reached", "--by", "李娜", "--answer", "broken=no"), 2,
         "Error: 'broken' is not a key question for service events"),
        (("--outcome", "reached", "--by", "李娜", "--answer", "fixed=maybe"), 2,
         "'maybe' is not valid; expected yes or no"),
        (("--outcome", "reached", "--by", "李娜", "--satisfaction", "6"), 2,
         "6 is not in the range 1<=x<=5"),
        (("--outcome", "reached", "--by", "李娜", "--recommend", "11"), 2,
         "11 is not in the range 0<=x<=10"),
        (("--outcome", "reached", "--by", "李娜", "--repurchase", "maybe"), 2,
         "'maybe' is not valid; expected one of yes, no, unsure"),
        (("--outcome", "no-answer", "--by", "李娜", "--satisfaction", "4"), 2,
         "Error: --satisfaction is only recorded when the customer was reached"),
        (("--outcome", "busy", "--by", "李娜", "--answer", "fixed=yes"), 2,
         "Error: answers are only recorded when the customer was reached"),
        (("--outcome", "hung-up", "--by", "李娜"), 2,
         "'hung-up' is not valid; expected one of reached, no-answer"),
        (("--outcome", "reached", "--by", "李娜", "--channel", "fax"), 2,
         "'fax' is not valid; expected one of phone, visit"),
        (("--outcome", "reached", "--by", "无名"), 1,
         "Error: no staff member named '无名' (--by)"),
        (("--outcome", "reached", "--by", "李娜", "--contact", "无名"), 1,
         "Error: C001 山东鲁建机械有限公司 has no contact named '无名'"),
        (("--by", "李娜"), 2, "Error: --outcome is required when not on a terminal"),
        (("--outcome", "reached"), 2, "Error: who made the call? Give --by NAME"),
        (("--outcome", "reached", "--by", "李娜", "--at", "2026-13-01"), 65,
         "Error: at: '2026-13-01' is not valid"),
        (("--outcome", "reached", "--by", "李娜", "--at", "yesterday 10:00"), 65,
         "Error: at: 'yesterday 10:00' is not valid"),
        (("--outcome", "reached", "--by", "李娜", "--at", "2026-11-23 25:00"), 65,
         "Error: at: '2026-11-23 25:00' is not valid"),
        (("--outcome", "reached", "--by", "李娜", "--category", "billing"), 2,
         "Error: --category and --severity describe a --complaint; give its text too"),
        (("--outcome", "reached", "--by", "李娜", "--severity", "major"), 2,
         "Error: --category and --severity describe a --complaint; give its text too"),
        (("--outcome", "reached", "--by", "李娜", "--complaint", "x", "--category", "food"), 2,
         "'food' is not valid"),
        (("--outcome", "reached", "--by", "李娜", "--callback", "9999"), 1,
         "Error: callback 9999 is not one of C001's callbacks"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_and_nothing_is_written(
    office: Run, rows: Rows, args: tuple[str, ...], code: int, message: str
) -> None:
    event(office, "C001", "service", "2026-11-20", "WO-1")
    before = snapshot(rows)
    # (without FOLLOWUP_STAFF: one case checks the refusal without --by)
    refused(office("log-call", "C001", *args, env={"FOLLOWUP_STAFF": None}), code, message)
    assert snapshot(rows) == before


def test_answers_need_an_event(office: Run, rows: Rows) -> None:
    before = snapshot(rows)
    refused(
        office("log-call", "C002", "--outcome", "reached", "--by", "李娜", "--answer", "fixed=no"),
        2,
        "Error: answers are for event callbacks, and this customer has no events",
    )
    assert snapshot(rows) == before


def test_callback_of_another_customer_is_refused(office: Run, rows: Rows) -> None:
    event(office, "C002", "service", "2026-11-20", "WO-2")
    other = event_cb(rows, "WO-2", "2026-11-22")
    before = snapshot(rows)
    refused(
        office("log-call", "C001", "--outcome", "reached", "--by", "李娜",
               "--callback", str(other["id"])),
        1,
        f"Error: callback {other['id']} is not one of C001's callbacks",
    )  # fmt: skip
    assert snapshot(rows) == before


def test_callback_already_done_is_refused(office: Run, rows: Rows) -> None:
    event(office, "C001", "service", "2026-11-20", "WO-1")
    cb = event_cb(rows, "WO-1", "2026-11-22")
    ok(call(office, "C001", "reached", "李娜", "2026-11-23 09:00"))
    before = snapshot(rows)
    refused(
        call(office, "C001", "reached", "李娜", "2026-11-23 10:00", "--callback", str(cb["id"])),
        1,
        f"Error: callback {cb['id']} is already done",
    )
    assert snapshot(rows) == before


def test_unknown_customer_is_refused(office: Run, rows: Rows) -> None:
    before = snapshot(rows)
    refused(
        office("log-call", "C999", "--outcome", "reached", "--by", "李娜"),
        1,
        "Error: no customer matches 'C999'",
    )
    assert snapshot(rows) == before


def test_the_same_call_twice_is_refused(office: Run, rows: Rows) -> None:
    ok(call(office, "C002", "reached", "李娜", "2026-11-23 10:00"))
    before = snapshot(rows)
    refused(
        call(office, "C002", "reached", "李娜", "2026-11-23 10:00"),
        1,
        "is already logged",
    )
    assert snapshot(rows) == before


# -- domain ------------------------------------------------------------------------------------


def test_domain_log_call_reports_what_it_settled(
    office: Run, rows: Rows, session: Callable[..., Any]
) -> None:
    event(office, "C001", "service", "2026-11-20", "WO-1")
    first = event_cb(rows, "WO-1", "2026-11-22")
    s = session()
    at = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
    result = log_call(s, "C001", validate_call("reached", "李娜", at, satisfaction="4"))
    assert result.reached
    assert first["id"] in [c["callback_id"] for c in result.completed]
    assert [p["reason"] for p in result.planned if p["reason"] == "second-level"] == [
        "second-level"
    ]
    assert get_cb(rows, first["id"])["call_id"] == result.call_id


# -- calls in the future (issue 14 item 2) ---------------------------------------------------


def test_a_call_in_the_future_is_refused_and_nothing_is_written(office: Run, rows: Rows) -> None:
    event(office, "C002", "service", "2026-11-20", "WO-1")
    before = snapshot(rows)
    r = office("log-call", "C002", "-o", "reached", "--by", "李娜", "-s", "5",
               "--at", "2027-06-05 10:00", today="2026-12-01")  # fmt: skip
    refused(r, 65, "at: '2027-06-05 10:00' is not valid; expected a time on or before today"
            " (2026-12-01)")  # fmt: skip
    assert snapshot(rows) == before
    # The day after --today, at midnight, is the future too.
    r = office("log-call", "C002", "-o", "no-answer", "--by", "李娜",
               "--at", "2026-12-02", today="2026-12-01")  # fmt: skip
    refused(r, 65, "expected a time on or before today (2026-12-01)")
    assert snapshot(rows) == before


def test_on_a_day_given_by_today_any_time_of_that_day_is_accepted(office: Run, rows: Rows) -> None:
    # With --today (backfill) the clock's time of day says nothing of that day: a call
    # late on it is accepted; one a minute after it is not.
    ok(office("log-call", "C002", "-o", "reached", "--by", "李娜",
              "--at", "2026-12-01 23:59", today="2026-12-01"))  # fmt: skip
    assert last_call(rows)["day"] == "2026-12-01"
    r = office("log-call", "C002", "-o", "reached", "--by", "李娜",
               "--at", "2026-12-02 00:00", today="2026-12-01")  # fmt: skip
    refused(r, 65, "at: '2026-12-02 00:00' is not valid")
    assert len(rows("SELECT * FROM calls")) == 1


def test_domain_refuses_a_call_later_than_now_on_the_clocks_day(
    office: Run, rows: Rows, session: Callable[..., Any]
) -> None:
    from followup_cli.domain.calls.log import check_call_time
    from followup_cli.support.errors import InvalidValue

    s = session(today="2026-12-01")  # now: 2026-12-01 10:00 +08:00
    s.today_given = False  # the day is the clock's: its time of day is real
    at = datetime.fromisoformat("2026-12-01T10:30:00+08:00")
    data = validate_call("reached", "李娜", at)
    with pytest.raises(InvalidValue) as refused_call:
        log_call(s, "C002", data)
    assert refused_call.value.message == (
        "at: '2026-12-01 10:30' is not valid; expected a time no later than now (2026-12-01 10:00)"
    )
    assert rows("SELECT * FROM calls") == []
    earlier = datetime.fromisoformat("2026-12-01T09:59:00+08:00")
    assert check_call_time(s, earlier) == earlier
    s.today_given = True  # --today: any time of that day
    assert check_call_time(s, at) == at
    with pytest.raises(InvalidValue, match="on or before today"):
        check_call_time(s, datetime.fromisoformat("2026-12-02T00:00:00+08:00"))


def test_an_imported_call_in_the_future_is_refused_like_log_call(
    office: Run, rows: Rows, tmp_path: Any
) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(
        "客户编号,时间,回访人,回访结果\r\nC002,2026-12-01 23:00,李娜,接通\r\n"
        "C002,2026-12-02 00:30+08:00,李娜,接通\r\n",
        encoding="utf-8",
    )
    before = snapshot(rows)
    r = office("import", "calls", str(path), today="2026-12-01")
    refused(r, 65, f"{path}:3:2: 时间: '2026-12-02 00:30+08:00' — expected a time on or before"
            " today (2026-12-01)")  # fmt: skip
    assert f"{path}:2:" not in r.stderr
    assert snapshot(rows) == before


# -- visits are their roles' duties (issue 14 item 4) ----------------------------------------


def visits(rows: Rows, code: str) -> dict[str, dict[str, Any]]:
    """The customer's visit callbacks by role (the latest of each chain)."""
    return {cb["role"]: cb for cb in callbacks(rows, code).values() if cb["reason"] == "visit"}


def test_a_clerks_call_settles_no_visit(office: Run, rows: Rows) -> None:
    # C001 (grade 1, owner 王伟): the account manager's visit due 23 Nov, the sales
    # manager's 27 Nov: both within the cooldown of a call on 23 Nov.
    am, sm = visits(rows, "C001")["account_manager"], visits(rows, "C001")["sales_manager"]
    event(office, "C001", "service", "2026-11-20", "WO-1")
    r = ok(call(office, "C001", "reached", "李娜", "2026-11-23 10:00", "-s", "4"))
    assert get_cb(rows, am["id"])["status"] == "pending"
    assert get_cb(rows, sm["id"])["status"] == "pending"
    assert f"done: #{am['id']} " not in r.stdout
    assert f"done: #{sm['id']} " not in r.stdout
    assert f"still due: #{am['id']} visit for account_manager (王伟)" in r.stdout
    assert f"still due: #{sm['id']} visit for sales_manager (孙丽)" in r.stdout
    # The event callback and the yearly floor still merge into the clerk's call.
    assert event_cb(rows, "WO-1", "2026-11-22")["status"] == "done"
    assert f"done: #{event_cb(rows, 'WO-1', '2026-11-22')['id']} event" in r.stdout


def test_each_role_settles_only_its_own_visit(office: Run, rows: Rows) -> None:
    am, sm = visits(rows, "C001")["account_manager"], visits(rows, "C001")["sales_manager"]
    r = ok(call(office, "C001", "reached", "王伟", "2026-11-23 10:00", "--channel", "visit"))
    assert (get_cb(rows, am["id"])["status"], get_cb(rows, sm["id"])["status"]) == (
        "done",
        "pending",
    )
    assert get_cb(rows, am["id"])["call_id"] == last_call(rows)["id"]
    assert f"done: #{am['id']} visit" in r.stdout
    assert f"still due: #{sm['id']} visit for sales_manager (孙丽)" in r.stdout
    # The sales manager's own visit settles hers; the 多头回访 warning still applies.
    r = ok(call(office, "C001", "reached", "孙丽", "2026-11-23 15:00", "--channel", "visit"))
    assert get_cb(rows, sm["id"])["status"] == "done"
    assert f"done: #{sm['id']} visit" in r.stdout
    assert "王伟 already reached this customer on 2026-11-23" in r.stderr
    # Each chain goes on from its own visit.
    after = visits(rows, "C001")
    assert after["account_manager"]["due_on"] == "2026-11-26"  # every 3 days
    assert after["sales_manager"]["due_on"] == "2026-11-30"  # weekly


def test_an_account_managers_visit_is_the_owners(office: Run, rows: Rows) -> None:
    ok(office("staff", "add", "杨帆", "--role", "account_manager"))
    am = visits(rows, "C001")["account_manager"]  # C001's owner is 王伟
    r = ok(call(office, "C001", "reached", "杨帆", "2026-11-23 10:00"))
    assert get_cb(rows, am["id"])["status"] == "pending"
    assert f"still due: #{am['id']} visit for account_manager (王伟)" in r.stdout
    # C002 has no owner: any account manager's call settles its account_manager visit.
    c2 = visits(rows, "C002")["account_manager"]
    # (its first visit is levelled into the month: bring it to the day of the call)
    ok(office("callback", "reschedule", str(c2["id"]), "2026-11-23"))
    ok(call(office, "C002", "reached", "杨帆", "2026-11-23 10:00"))
    assert get_cb(rows, c2["id"])["status"] == "done"


def test_naming_a_visit_with_callback_settles_it_whoever_calls(office: Run, rows: Rows) -> None:
    am, sm = visits(rows, "C001")["account_manager"], visits(rows, "C001")["sales_manager"]
    r = ok(call(office, "C001", "reached", "李娜", "2026-11-23 10:00", "--callback", str(am["id"])))
    assert get_cb(rows, am["id"])["status"] == "done"
    assert get_cb(rows, sm["id"])["status"] == "pending"
    assert f"done: #{am['id']} visit" in r.stdout
    assert f"still due: #{am['id']}" not in r.stdout


def test_a_missed_call_by_another_role_leaves_the_visit_alone(office: Run, rows: Rows) -> None:
    am = visits(rows, "C001")["account_manager"]
    r = ok(call(office, "C001", "no-answer", "李娜", "2026-11-23 10:00"))
    after = get_cb(rows, am["id"])
    assert (after["status"], after["attempts"], after["due_on"]) == ("pending", 0, am["due_on"])
    assert f": #{am['id']} visit" not in r.stdout
    assert "retry" in r.stdout  # the clerk's own retry instead


def test_an_imported_call_settles_visits_only_by_their_role(
    office: Run, rows: Rows, tmp_path: Any
) -> None:
    am, sm = visits(rows, "C001")["account_manager"], visits(rows, "C001")["sales_manager"]
    path = tmp_path / "calls.csv"
    path.write_text(
        "客户编号,时间,回访人,回访结果\r\nC001,2026-11-20 09:00,李娜,接通\r\n"
        "C001,2026-11-21 10:00,孙丽,接通\r\n",
        encoding="utf-8",
    )
    ok(office("import", "calls", str(path)))
    assert get_cb(rows, am["id"])["status"] == "pending"  # the clerk's call: not the visit
    sm_after = get_cb(rows, sm["id"])
    assert sm_after["status"] == "done"
    assert sm_after["call_id"] == rows("SELECT id FROM calls WHERE caller = '孙丽'")[0]["id"]


def test_domain_role_duty(office: Run, rows: Rows, session: Callable[..., Any]) -> None:
    s = session(today="2026-11-23")
    cid = rows("SELECT id FROM customers WHERE code = 'C001'")[0]["id"]
    am, sm = visits(rows, "C001")["account_manager"], visits(rows, "C001")["sales_manager"]
    day = date(2026, 11, 23)
    for role, name, settled in (
        ("clerk", "李娜", set()),
        ("account_manager", "王伟", {am["id"]}),
        ("account_manager", "杨帆", set()),  # not the owner
        ("sales_manager", "孙丽", {sm["id"]}),
        (None, None, set()),
    ):
        ids = {t["id"] for t in targets_of(s, s.conn, cid, day, True, role, name)}
        assert ids & {am["id"], sm["id"]} == settled, (role, name)
