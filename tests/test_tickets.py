"""Complaint tickets (SPEC sections 2–4): open → resolved → closed only once the customer
has been told, every change in `ticket_history`, SLA deadlines in working days, the
ticket-verify callback, complaints from calls and the prepared answers from config.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assertions import ok, refused
from conftest import open_db
from followup_cli.support.config import load_config

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

TODAY = "2026-11-23"  # a Monday, as in conftest
CONFIG = load_config(None)


# -- helpers ---------------------------------------------------------------------------


def snapshot(rows: Rows) -> dict[str, list[dict[str, Any]]]:
    """Everything a ticket command may write."""
    tables = ("tickets", "ticket_history", "escalations", "calls", "callbacks")
    return {t: rows(f"SELECT * FROM {t} ORDER BY id") for t in tables}


def open_ticket(
    run: Run,
    customer: str = "C001",
    *extra: str,
    category: str = "product.failure",
    summary: str = "发动机异响, 维修后复发",
    today: str = TODAY,
) -> dict[str, Any]:
    r = ok(
        run(
            "ticket",
            "open",
            customer,
            "--summary",
            summary,
            "--category",
            category,
            *extra,
            "--format",
            "json",
            today=today,
        )
    )
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def show(run: Run, ticket_id: int, today: str = TODAY) -> dict[str, Any]:
    r = ok(run("ticket", "show", str(ticket_id), "--format", "json", today=today))
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def ticket_row(rows: Rows, ticket_id: int) -> dict[str, Any]:
    return rows("SELECT * FROM tickets WHERE id = ?", ticket_id)[0]


def history(rows: Rows, ticket_id: int) -> list[dict[str, Any]]:
    return rows("SELECT * FROM ticket_history WHERE ticket_id = ? ORDER BY id", ticket_id)


def resolved(run: Run, today: str = TODAY, **kw: Any) -> dict[str, Any]:
    t = open_ticket(run, today=today, **kw)
    ok(run("ticket", "resolve", str(t["id"]), "--resolution", "更换喷油器", today=today))
    return t


def verify_callbacks(rows: Rows, ticket_id: int) -> list[dict[str, Any]]:
    return rows(
        "SELECT * FROM callbacks WHERE reason = 'ticket-verify' AND ticket_id = ? ORDER BY id",
        ticket_id,
    )


def due_reasons(run: Run, code: str, today: str) -> list[dict[str, Any]]:
    r = ok(run("due", "--format", "json", today=today))
    return [
        reason
        for row in json.loads(r.stdout)
        if row["customer"]["code"] == code
        for reason in row["reasons"]
    ]


# -- opening -----------------------------------------------------------------------------


def test_open_records_every_field(office: Run, rows: Rows) -> None:
    t = open_ticket(
        office,
        "C001",
        "--severity",
        "minor",
        "--owner",
        "赵强",
        "--channel",
        "phone",
        "--details",
        "挖掘机 SY215 回转时异响",
        category="product.failure",
    )
    row = ticket_row(rows, t["id"])
    assert row["customer_id"] == rows("SELECT id FROM customers WHERE code = 'C001'")[0]["id"]
    assert (row["opened_on"], row["channel"], row["category"], row["severity"]) == (
        TODAY,
        "phone",
        "product.failure",
        "minor",
    )
    assert (row["summary"], row["details"], row["owner"]) == (
        "发动机异响, 维修后复发",
        "挖掘机 SY215 回转时异响",
        "赵强",
    )
    assert row["status"] == "open"
    assert row["due_by"] == "2026-11-26"  # minor: 3 working days
    assert row["escalation_level"] == 0
    assert (row["escalated_role"], row["escalated_to"]) == ("service_manager", "刘洋")
    for name in (
        "resolution",
        "resolved_at",
        "notified_at",
        "notified_via",
        "customer_response",
        "closed_at",
        "call_id",
    ):
        assert row[name] is None, name
    for key in ("status", "escalation_level", "due_by", "notified_at", "history"):
        assert key in t, key
    assert (t["status"], t["escalation_level"], t["due_by"], t["notified_at"]) == (
        "open",
        0,
        "2026-11-26",
        None,
    )
    # issue 17: every new ticket is reported at once to the sales manager
    assert [h["action"] for h in t["history"]] == ["open", "report"]


def test_open_without_owner_gives_it_to_the_first_rung(office: Run, rows: Rows) -> None:
    t = open_ticket(office, "C002", category="parts")  # general: service → service_manager
    assert ticket_row(rows, t["id"])["owner"] == "赵强"


def test_open_accepts_chinese_severity_and_channel(office: Run, rows: Rows) -> None:
    t = open_ticket(office, "C001", "--severity", "严重", "--channel", "电话")
    row = ticket_row(rows, t["id"])
    assert (row["severity"], row["channel"]) == ("critical", "phone")


def test_open_and_show_print_the_prepared_answer(office: Run) -> None:
    prepared = CONFIG["categories"]["service.late"]
    r = ok(
        office(
            "ticket", "open", "C001", "--summary", "工程师迟到两小时", "--category", "service.late"
        )
    )
    assert r.stdout.startswith("Opened ticket #1 (due by 2026-11-26)")
    for out in (r.stdout, ok(office("ticket", "show", "1")).stdout):
        assert f"Prepared answer  {prepared['answer']}" in out
        assert f"Steps            {' → '.join(prepared['steps'])}" in out
        assert prepared["label"] in out
    data = show(office, 1)
    assert data["prepared_answer"] == {
        "label": prepared["label"],
        "answer": prepared["answer"],
        "steps": prepared["steps"],
    }


def test_prepared_answer_comes_from_the_users_config(office: Run, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[categories."delivery"]\nlabel = "Late delivery"\n'
        'answer = "我们马上核实发货时间并回电。"\nsteps = ["查物流", "回电客户"]\n',
        encoding="utf-8",
    )
    r = ok(
        office(
            "--config",
            str(config),
            "ticket",
            "open",
            "C001",
            "--summary",
            "未按期交车",
            "--category",
            "delivery",
        )
    )
    assert "Prepared answer  我们马上核实发货时间并回电。" in r.stdout
    assert "查物流 → 回电客户" in r.stdout
    # Without that config the category does not exist.
    refused(
        office("ticket", "open", "C001", "--summary", "x", "--category", "delivery"),
        2,
        "Invalid value for '--category': 'delivery' is not valid",
    )


# -- the lifecycle and its history ---------------------------------------------------------


def test_every_change_is_written_to_history(office: Run, rows: Rows) -> None:
    who = {"FOLLOWUP_STAFF": "李娜"}
    t = open_ticket(office, "C001", category="service.attitude", today="2026-11-23")
    tid = str(t["id"])
    ok(office("ticket", "assign", tid, "赵强", env=who, today="2026-11-23"))
    ok(office("ticket", "note", tid, "已联系服务经理", env=who, today="2026-11-24"))
    ok(office("ticket", "resolve", tid, "--resolution", "当面道歉", env=who, today="2026-11-24"))
    ok(
        office(
            "ticket",
            "notify",
            tid,
            "--via",
            "phone",
            "--response",
            "接受",
            env=who,
            today="2026-11-25",
        )
    )
    ok(office("ticket", "close", tid, env=who, today="2026-11-25"))
    ok(office("ticket", "reopen", tid, "--reason", "又发生了", env=who, today="2026-11-26"))

    steps = [
        (h["action"], h["field"], h["before"], h["after"], h["note"], h["actor"], h["at"][:10])
        for h in history(rows, t["id"])
    ]
    assert steps[0][0] == "open" and steps[0][3] == "open"
    assert steps[1:] == [
        (
            "report",
            "reported_to",
            None,
            "孙丽",
            "reported at once to the sales_manager 孙丽",
            "李娜",
            "2026-11-23",
        ),
        ("assign", "owner", "刘洋", "赵强", None, "李娜", "2026-11-23"),
        ("note", None, None, None, "已联系服务经理", "李娜", "2026-11-24"),
        ("resolve", "status", "open", "resolved", "当面道歉", "李娜", "2026-11-24"),
        ("notify", "notified_via", None, "phone", "接受", "李娜", "2026-11-25"),
        ("close", "status", "resolved", "closed", None, "李娜", "2026-11-25"),
        ("reopen", "status", "closed", "open", "又发生了", "李娜", "2026-11-26"),
    ]
    shown = show(office, t["id"], today="2026-11-26")
    assert [h["action"] for h in shown["history"]] == [s[0] for s in steps]


def test_assigning_the_same_owner_writes_nothing(office: Run, rows: Rows) -> None:
    t = open_ticket(office, "C001", "--owner", "赵强")
    before = snapshot(rows)
    ok(office("ticket", "assign", str(t["id"]), "赵强"))
    assert snapshot(rows) == before


def test_resolve_sets_the_deadline_for_telling_the_customer(office: Run, rows: Rows) -> None:
    t = open_ticket(office, "C001", "--severity", "major", today="2026-11-23")
    r = ok(office("ticket", "resolve", str(t["id"]), "--resolution", "已修复", today="2026-11-27"))
    assert "(by 2026-11-30)" in r.stdout  # Friday + 1 working day
    row = ticket_row(rows, t["id"])
    assert (row["status"], row["resolution"], row["due_by"]) == ("resolved", "已修复", "2026-11-30")
    assert row["resolved_at"].startswith("2026-11-27")


def test_close_is_refused_without_resolution_and_notice(office: Run, rows: Rows) -> None:
    t = open_ticket(office)
    before = snapshot(rows)
    r = office("ticket", "close", str(t["id"]))
    refused(
        r,
        1,
        f"ticket #{t['id']} cannot be closed: it has no resolution and the customer "
        "has not been told the outcome",
    )
    assert f"followup ticket resolve {t['id']} --resolution TEXT" in r.stderr
    assert snapshot(rows) == before


def test_close_is_refused_until_the_customer_is_told(office: Run, rows: Rows) -> None:
    t = resolved(office)
    before = snapshot(rows)
    r = office("ticket", "close", str(t["id"]))
    refused(r, 1, f"ticket #{t['id']} cannot be closed: the customer has not been told the outcome")
    assert f"followup ticket notify {t['id']} --via phone --response TEXT" in r.stderr
    assert "no resolution" not in r.stderr
    assert snapshot(rows) == before
    assert ticket_row(rows, t["id"])["status"] == "resolved"


def test_notify_then_close(office: Run, rows: Rows) -> None:
    t = resolved(office)
    r = ok(office("ticket", "notify", str(t["id"]), "--via", "wechat", "--response", "满意, 谢谢"))
    assert r.stdout.strip() == (
        f"Ticket #{t['id']}: customer told via wechat. Close it with `followup ticket close "
        f"{t['id']}`."
    )
    row = ticket_row(rows, t["id"])
    assert (row["notified_via"], row["customer_response"]) == ("wechat", "满意, 谢谢")
    assert row["notified_at"].startswith(TODAY)
    r = ok(office("ticket", "close", str(t["id"])))
    assert r.stdout.strip() == f"Closed ticket #{t['id']}; a verification callback is planned."
    row = ticket_row(rows, t["id"])
    assert row["status"] == "closed" and row["closed_at"].startswith(TODAY)
    data = show(office, t["id"])
    assert data["status"] == "closed" and data["notified_at"] == row["notified_at"]


def test_close_notified_via_records_the_notice_in_one_step(office: Run, rows: Rows) -> None:
    t = resolved(office)
    ok(office("ticket", "close", str(t["id"]), "--notified-via", "visit"))
    row = ticket_row(rows, t["id"])
    assert (row["status"], row["notified_via"]) == ("closed", "visit")
    assert row["notified_at"].startswith(TODAY)
    assert [h["action"] for h in history(rows, t["id"])][-2:] == ["notify", "close"]


def test_close_notified_via_on_an_unresolved_ticket_writes_nothing(office: Run, rows: Rows) -> None:
    t = open_ticket(office)
    before = snapshot(rows)
    r = office("ticket", "close", str(t["id"]), "--notified-via", "phone")
    refused(r, 1, f"ticket #{t['id']} cannot be closed: it has no resolution")
    assert snapshot(rows) == before
    assert ticket_row(rows, t["id"])["notified_at"] is None


def test_notify_an_open_ticket_is_refused(office: Run, rows: Rows) -> None:
    t = open_ticket(office)
    before = snapshot(rows)
    r = office("ticket", "notify", str(t["id"]), "--via", "phone")
    refused(r, 1, f"ticket #{t['id']} has no resolution yet: there is no outcome to tell")
    assert snapshot(rows) == before


def test_closing_twice_is_refused(office: Run, rows: Rows) -> None:
    t = resolved(office)
    ok(office("ticket", "close", str(t["id"]), "--notified-via", "phone"))
    before = snapshot(rows)
    refused(
        office("ticket", "close", str(t["id"]), today="2026-11-24"),
        1,
        f"ticket #{t['id']} is already closed (on {TODAY})",
    )
    assert snapshot(rows) == before


def test_resolving_a_closed_ticket_is_refused(office: Run, rows: Rows) -> None:
    t = resolved(office)
    ok(office("ticket", "close", str(t["id"]), "--notified-via", "phone"))
    before = snapshot(rows)
    r = office("ticket", "resolve", str(t["id"]), "--resolution", "again")
    refused(r, 1, f"ticket #{t['id']} is closed; it cannot be resolved again")
    assert f"followup ticket reopen {t['id']} --reason" in r.stderr
    assert snapshot(rows) == before


@pytest.mark.parametrize("command", ["notify", "assign"])
def test_changing_a_closed_ticket_is_refused(office: Run, rows: Rows, command: str) -> None:
    t = resolved(office)
    ok(office("ticket", "close", str(t["id"]), "--notified-via", "phone"))
    before = snapshot(rows)
    args = ["--via", "sms"] if command == "notify" else ["赵强"]
    r = office("ticket", command, str(t["id"]), *args)
    refused(r, 1, f"ticket #{t['id']} is")
    assert "closed" in r.stderr
    assert snapshot(rows) == before


def test_reopen_clears_the_notice_and_requires_a_new_one(office: Run, rows: Rows) -> None:
    t = resolved(office, today="2026-11-23")
    tid = str(t["id"])
    ok(office("ticket", "close", tid, "--notified-via", "phone", today="2026-11-23"))
    first = verify_callbacks(rows, t["id"])
    assert [c["status"] for c in first] == ["pending"]

    r = ok(office("ticket", "reopen", tid, "--reason", "异响又出现", today="2026-11-25"))
    assert r.stdout.strip() == f"Reopened ticket #{tid}; due by 2026-11-30"
    row = ticket_row(rows, t["id"])
    assert row["status"] == "open" and row["due_by"] == "2026-11-30"
    for name in ("notified_at", "notified_via", "customer_response", "resolution", "closed_at"):
        assert row[name] is None, name
    # The planned verification is cancelled, not deleted.
    assert [c["status"] for c in verify_callbacks(rows, t["id"])] == ["cancelled"]

    ok(office("ticket", "resolve", tid, "--resolution", "更换总成", today="2026-11-26"))
    before = snapshot(rows)
    refused(
        office("ticket", "close", tid, today="2026-11-26"),
        1,
        f"ticket #{tid} cannot be closed: the customer has not been told the outcome",
    )
    assert snapshot(rows) == before
    ok(office("ticket", "notify", tid, "--via", "phone", today="2026-11-26"))
    ok(office("ticket", "close", tid, today="2026-11-26"))
    callbacks = verify_callbacks(rows, t["id"])
    assert [(c["status"], c["due_on"]) for c in callbacks] == [
        ("cancelled", "2026-11-30"),
        ("pending", "2026-12-03"),
    ]


def test_reopen_an_open_ticket_is_refused(office: Run, rows: Rows) -> None:
    t = open_ticket(office)
    before = snapshot(rows)
    refused(
        office("ticket", "reopen", str(t["id"]), "--reason", "x"),
        1,
        f"ticket #{t['id']} is already open",
    )
    assert snapshot(rows) == before


def test_nothing_is_ever_deleted(office: Run, db_path: Path) -> None:
    t = open_ticket(office)
    ok(office("ticket", "note", str(t["id"]), "记录"))
    conn = open_db(db_path)
    try:
        for sql in (
            "DELETE FROM tickets",
            "DELETE FROM ticket_history",
            "UPDATE ticket_history SET note = 'x'",
        ):
            with pytest.raises(sqlite3.DatabaseError, match="never"):
                conn.execute(sql)
        # open, report (issue 17), note
        assert conn.execute("SELECT count(*) FROM ticket_history").fetchone()[0] == 3
    finally:
        conn.close()


# -- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--category", "nope", "'nope' is not valid; expected one of product.defect,"),
        ("--severity", "huge", "'huge' is not valid; expected one of minor, major, critical"),
        ("--channel", "pigeon", "'pigeon' is not valid; expected one of phone, visit,"),
    ],
)
def test_open_with_an_unknown_choice_is_a_usage_error(
    office: Run, rows: Rows, option: str, value: str, expected: str
) -> None:
    before = snapshot(rows)
    args = {"--category": "other", option: value}
    r = office("ticket", "open", "C001", "--summary", "x", *[x for kv in args.items() for x in kv])
    refused(r, 2, f"Invalid value for '{option}': {expected}")
    assert snapshot(rows) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("C999", "--summary", "x", "--category", "other"), "no customer matches 'C999'"),
        (
            ("C001", "--summary", "x", "--category", "other", "--owner", "无名"),
            "no staff member named '无名' (--owner)",
        ),
    ],
)
def test_open_for_unknown_customer_or_owner(
    office: Run, rows: Rows, args: tuple[str, ...], message: str
) -> None:
    before = snapshot(rows)
    refused(office("ticket", "open", *args), 1, message)
    assert snapshot(rows) == before


@pytest.mark.parametrize(
    "args",
    [
        ("show", "99"),
        ("assign", "99", "赵强"),
        ("note", "99", "text"),
        ("resolve", "99", "--resolution", "x"),
        ("notify", "99", "--via", "phone"),
        ("close", "99"),
        ("close", "#99", "--notified-via", "phone"),
        ("reopen", "99", "--reason", "x"),
    ],
)
def test_unknown_ticket_is_not_found(office: Run, rows: Rows, args: tuple[str, ...]) -> None:
    open_ticket(office)
    before = snapshot(rows)
    r = office("ticket", *args)
    refused(r, 1, "Error: no ticket #99")
    assert "followup ticket list --status all" in r.stderr
    assert snapshot(rows) == before


def test_ticket_number_that_is_not_a_number(office: Run) -> None:
    refused(
        office("ticket", "show", "abc"),
        2,
        "Invalid value for 'TICKET': 'abc' is not valid; expected a ticket number",
    )


def test_notify_with_an_unknown_channel_is_a_usage_error(office: Run, rows: Rows) -> None:
    t = resolved(office)
    before = snapshot(rows)
    r = office("ticket", "notify", str(t["id"]), "--via", "pigeon")
    refused(r, 2, "'pigeon' is not valid; expected one of phone, visit, wechat")
    assert "--via" in r.stderr
    assert snapshot(rows) == before


def test_close_notified_via_an_unknown_channel_is_a_usage_error(office: Run, rows: Rows) -> None:
    t = resolved(office)
    before = snapshot(rows)
    r = office("ticket", "close", str(t["id"]), "--notified-via", "pigeon")
    refused(r, 2, "'pigeon' is not valid; expected one of phone, visit, wechat")
    assert "--notified-via" in r.stderr
    assert snapshot(rows) == before


# -- SLA ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "opened", "due_by"),
    [
        ("critical", "2026-11-23", "2026-11-23"),  # same day
        ("major", "2026-11-23", "2026-11-24"),
        ("minor", "2026-11-23", "2026-11-26"),
        ("major", "2026-11-27", "2026-11-30"),  # Friday: the weekend is skipped
        ("minor", "2026-11-26", "2026-12-01"),
        ("critical", "2026-11-28", "2026-11-30"),  # opened on a Saturday
        ("critical", "2026-10-01", "2026-10-08"),  # National Day holidays (1–7 Oct)
        ("minor", "2026-09-30", "2026-10-10"),  # …skipped; Sat 10 Oct is a make-up working day
        ("critical", "2026-09-20", "2026-09-20"),  # Sun 20 Sep is a make-up working day
        ("major", "2026-02-13", "2026-02-14"),  # Sat 14 Feb: make-up day before Spring Festival
        ("minor", "2026-02-13", "2026-02-25"),  # Spring Festival 16–23 Feb skipped
    ],
)
def test_sla_deadline_in_working_days(
    office: Run, rows: Rows, severity: str, opened: str, due_by: str
) -> None:
    t = open_ticket(office, "C002", "--severity", severity, today=opened)
    assert t["due_by"] == due_by
    assert ticket_row(rows, t["id"])["due_by"] == due_by


def test_sla_days_come_from_config() -> None:
    assert CONFIG["tickets"]["sla_days"] == {"critical": 0, "major": 1, "minor": 3}


def test_breach_rule() -> None:
    from datetime import date

    from followup_cli.domain.complaints.tickets import is_breached

    day = date(2026, 11, 27)
    assert is_breached("open", "2026-11-26", None, day)
    assert not is_breached("open", "2026-11-27", None, day)  # due today: not yet late
    assert is_breached("resolved", "2026-11-26", None, day)  # resolved, customer not told
    assert not is_breached("resolved", "2026-11-26", "2026-11-25T10:00:00+08:00", day)
    assert not is_breached("closed", "2026-11-01", "2026-11-25T10:00:00+08:00", day)


def test_list_filters(office: Run) -> None:
    a = open_ticket(office, "C001", today="2026-11-23")  # minor, due 26 Nov
    b = open_ticket(office, "C002", "--owner", "陈静", today="2026-11-25")  # due 30 Nov
    c = resolved(office, today="2026-11-23")
    ok(office("ticket", "close", str(c["id"]), "--notified-via", "phone", today="2026-11-23"))

    def ids(*args: str, today: str = "2026-11-27") -> list[int]:
        r = ok(office("ticket", "list", *args, "--format", "json", today=today))
        return [t["id"] for t in json.loads(r.stdout)]

    assert sorted(ids()) == [a["id"], b["id"]]
    assert ids("--status", "closed") == [c["id"]]
    assert sorted(ids("--status", "all")) == [a["id"], b["id"], c["id"]]
    assert ids("--overdue") == [a["id"]]
    assert ids("--overdue", today="2026-11-26") == []
    assert ids("--owner", "陈静") == [b["id"]]
    r = office("ticket", "list", "--status", "bogus")
    refused(r, 2, "Invalid value for '--status': 'bogus' is not valid")


# -- the verification callback ----------------------------------------------------------


@pytest.mark.parametrize(
    ("closed", "verify_on"),
    [
        ("2026-11-23", "2026-11-30"),
        ("2026-09-24", "2026-10-08"),  # 1 Oct falls in the National Day holidays
        ("2026-12-25", "2027-01-04"),  # 1 Jan holiday, then a weekend
    ],
)
def test_closing_plans_a_verification_callback(
    office: Run, rows: Rows, closed: str, verify_on: str
) -> None:
    t = resolved(office, today=closed)
    ok(office("ticket", "close", str(t["id"]), "--notified-via", "phone", today=closed))
    [cb] = verify_callbacks(rows, t["id"])
    assert (cb["due_on"], cb["status"], cb["source"], cb["role"], cb["assignee"]) == (
        verify_on,
        "pending",
        "ticket",
        "clerk",
        "李娜",
    )
    assert cb["customer_id"] == ticket_row(rows, t["id"])["customer_id"]


def test_no_verification_callback_before_closing(office: Run, rows: Rows) -> None:
    t = resolved(office)
    ok(office("ticket", "notify", str(t["id"]), "--via", "phone"))
    assert verify_callbacks(rows, t["id"]) == []


# -- complaints from calls ----------------------------------------------------------------


def test_a_complaint_from_a_call_through_to_verification(office: Run, rows: Rows) -> None:
    r = ok(
        office(
            "log-call",
            "C001",
            "--outcome",
            "reached",
            "--by",
            "李娜",
            "--contact",
            "张建国",
            "--complaint",
            "工程师迟到半天",
            "--category",
            "service.late",
            "--severity",
            "major",
            "--note",
            "客户很生气",
            today="2026-11-23",
        )
    )
    [call] = rows("SELECT * FROM calls")
    [t] = rows("SELECT * FROM tickets")
    assert f"opened ticket #{t['id']}" in r.stdout
    assert (t["call_id"], t["category"], t["severity"], t["summary"], t["details"]) == (
        call["id"],
        "service.late",
        "major",
        "工程师迟到半天",
        "客户很生气",
    )
    assert (t["status"], t["channel"], t["opened_on"], t["due_by"]) == (
        "open",
        "callback",
        "2026-11-23",
        "2026-11-24",
    )
    assert (t["escalation_level"], t["escalated_role"]) == (1, "gm")  # major starts one rung up
    assert history(rows, t["id"])[0]["actor"] == "李娜"
    tid = str(t["id"])

    ok(office("ticket", "resolve", tid, "--resolution", "重新预约并准时上门", today="2026-11-24"))
    # issue 17: a major ticket's handling is approved by a leader above its owner first
    ok(office("ticket", "approve", tid, "--by", "吴刚", today="2026-11-24"))
    ok(office("ticket", "notify", tid, "--via", "phone", "--response", "满意", today="2026-11-24"))
    ok(office("ticket", "close", tid, today="2026-11-24"))
    [cb] = verify_callbacks(rows, t["id"])
    assert cb["due_on"] == "2026-12-01"  # 7 days after closing

    assert [
        x for x in due_reasons(office, "C001", "2026-11-30") if x["reason"] == "ticket-verify"
    ] == []
    [due] = [x for x in due_reasons(office, "C001", "2026-12-01") if x["reason"] == "ticket-verify"]
    assert due["callback_id"] == cb["id"] and due["due_on"] == "2026-12-01"

    r = ok(
        office(
            "log-call",
            "C001",
            "--outcome",
            "reached",
            "--by",
            "李娜",
            "--satisfaction",
            "5",
            today="2026-12-01",
        )
    )
    assert f"done: #{cb['id']} ticket-verify (due 2026-12-01)" in r.stdout
    verify_call = rows("SELECT * FROM calls ORDER BY id DESC LIMIT 1")[0]
    [cb] = verify_callbacks(rows, t["id"])
    assert (cb["status"], cb["call_id"], cb["closed_on"]) == (
        "done",
        verify_call["id"],
        "2026-12-01",
    )
    assert rows("SELECT count(*) AS n FROM tickets")[0]["n"] == 1  # no new complaint


def test_a_no_to_a_key_question_opens_a_ticket_in_the_mapped_category(
    office: Run, rows: Rows
) -> None:
    ok(
        office(
            "event",
            "add",
            "C001",
            "--kind",
            "service",
            "--date",
            "2026-11-21",
            "--result",
            "fixed",
            today="2026-11-21",
        )
    )
    r = ok(
        office(
            "log-call",
            "C001",
            "--outcome",
            "reached",
            "--by",
            "李娜",
            "--answer",
            "fixed=yes",
            "--answer",
            "on_time=no",
            "--answer",
            "charged_as_quoted=no",
            today="2026-11-23",
        )
    )
    questions = {q["key"]: q for q in CONFIG["questions"]["service"]}
    [call] = rows("SELECT * FROM calls")
    tickets = rows("SELECT * FROM tickets ORDER BY id")
    assert sorted(t["category"] for t in tickets) == sorted(
        [questions["on_time"]["category"], questions["charged_as_quoted"]["category"]]
    )
    for t in tickets:
        assert t["call_id"] == call["id"]
        assert t["severity"] == CONFIG["tickets"]["default_severity"]
        assert f"opened ticket #{t['id']}" in r.stdout
    assert {t["summary"] for t in tickets} == {
        f"Customer answered no: {questions[k]['text']}" for k in ("on_time", "charged_as_quoted")
    }


def test_a_call_without_complaint_opens_no_ticket(office: Run, rows: Rows) -> None:
    ok(office("log-call", "C001", "--outcome", "reached", "--by", "李娜", "--satisfaction", "4"))
    assert rows("SELECT * FROM tickets") == []


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("--complaint", "x", "--category", "nope"),
            2,
            "Invalid value for '--category': 'nope' is not valid",
        ),
        (
            ("--complaint", "x", "--category", "other", "--severity", "huge"),
            2,
            "Invalid value for '--severity': 'huge' is not valid",
        ),
        (
            ("--category", "billing"),
            2,
            "--category and --severity describe a --complaint; give its text too",
        ),
    ],
)
def test_log_call_with_a_bad_complaint_writes_nothing(
    office: Run, rows: Rows, args: tuple[str, ...], code: int, message: str
) -> None:
    before = snapshot(rows)
    r = office("log-call", "C001", "--outcome", "reached", "--by", "李娜", *args)
    refused(r, code, message)
    assert snapshot(rows) == before
