"""Who did it (issue 14, item 7): every command that changes data for a person takes
`--by STAFF` (default FOLLOWUP_STAFF); an unknown name is refused before anything is
written, as log-call refuses an unknown caller; with neither, a usage error says what to
give. What cron does on its own (escalate --auto, early warnings) is recorded as the
system, shown as 系统 in Chinese. Never the login name.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from assertions import ok, refused

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

NOBODY = {"FOLLOWUP_STAFF": None}  # neither --by nor FOLLOWUP_STAFF
MISSING = "Error: who is doing this? Give --by NAME (or set FOLLOWUP_STAFF)"
UNKNOWN = "Error: no staff member named '王五' (--by)"
ZH = {"FOLLOWUP_LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "zh_CN.UTF-8"}

# Each command that acts for a person, on the `scene` below (ticket #1 resolved,
# callback `{cb}` pending).
ACTING = [
    ("ticket", "open", "C002", "--summary", "漏油", "--category", "other"),
    ("ticket", "assign", "1", "赵强"),
    ("ticket", "note", "1", "配件已订"),
    ("ticket", "resolve", "1", "--resolution", "已更换"),
    ("ticket", "notify", "1", "--via", "phone"),
    ("ticket", "close", "1", "--notified-via", "phone"),
    ("ticket", "reopen", "1", "--reason", "又坏了"),
    ("escalate", "1", "--reason", "客户再次来电"),
    ("callback", "reschedule", "{cb}", "2026-11-30"),
    ("callback", "skip", "{cb}", "--reason", "客户出差"),
    ("customer", "edit", "C002", "--phone", "0538-1234567"),
    ("customer", "archive", "C002"),
    ("event", "add", "C002", "--kind", "service", "--date", "2026-11-20"),
]


def snapshot(rows: Rows) -> dict[str, list[dict[str, Any]]]:
    names = [r["name"] for r in rows("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {n: rows(f"SELECT * FROM {n}") for n in sorted(names)}


@pytest.fixture
def scene(office: Run, rows: Rows) -> Run:
    # (acting as conftest's ACTING, through FOLLOWUP_STAFF)
    ok(office("ticket", "open", "C001", "--summary", "漏油", "--category", "other"))
    ok(office("ticket", "resolve", "1", "--resolution", "已更换"))
    return office


def pending_callback(rows: Rows) -> int:
    return int(rows("SELECT min(id) AS id FROM callbacks WHERE status = 'pending'")[0]["id"])


def command(args: tuple[str, ...], rows: Rows) -> list[str]:
    cb = str(pending_callback(rows))
    return [a.replace("{cb}", cb) for a in args]


@pytest.mark.parametrize("args", ACTING, ids=lambda a: " ".join(a[:2]))
def test_without_by_or_followup_staff_it_is_a_usage_error(
    scene: Run, rows: Rows, args: tuple[str, ...]
) -> None:
    argv = command(args, rows)
    before = snapshot(rows)
    refused(scene(*argv, env=NOBODY), 2, MISSING)
    assert snapshot(rows) == before


@pytest.mark.parametrize("args", ACTING, ids=lambda a: " ".join(a[:2]))
@pytest.mark.parametrize("how", ["--by", "FOLLOWUP_STAFF"])
def test_an_unknown_name_is_refused_before_anything_is_written(
    scene: Run, rows: Rows, args: tuple[str, ...], how: str
) -> None:
    argv = command(args, rows)
    before = snapshot(rows)
    if how == "--by":
        r = scene(*argv, "--by", "王五", env=NOBODY)
    else:
        r = scene(*argv, env={"FOLLOWUP_STAFF": "王五"})
    refused(r, 1, UNKNOWN)
    assert "followup staff add NAME --role ROLE" in r.stderr
    assert snapshot(rows) == before


def test_the_refusal_is_log_calls(office: Run, rows: Rows) -> None:
    """The same message and exit code as log-call's unknown --by."""
    before = snapshot(rows)
    call = office("log-call", "C001", "--outcome", "no-answer", "--by", "王五", env=NOBODY)
    note = office("ticket", "open", "C001", "--summary", "x", "--category", "other", "--by", "王五")
    assert (call.exit_code, call.stderr) == (note.exit_code, note.stderr)
    assert snapshot(rows) == before


def history(rows: Rows, ticket_id: int = 1) -> list[tuple[str, str]]:
    return [
        (r["action"], r["actor"])
        for r in rows("SELECT * FROM ticket_history WHERE ticket_id = ? ORDER BY id", ticket_id)
    ]


def test_ticket_history_records_who_did_each_step(office: Run, rows: Rows) -> None:
    steps = [
        (("ticket", "open", "C001", "--summary", "漏油", "--category", "other"), "李娜"),
        (("ticket", "assign", "1", "赵强"), "刘洋"),
        (("ticket", "note", "1", "配件已订"), "赵强"),
        (("ticket", "resolve", "1", "--resolution", "已更换"), "赵强"),
        (("ticket", "approve", "1"), "孙丽"),  # issue 17: the leader's 批示, by --by
        (("ticket", "notify", "1", "--via", "phone"), "李娜"),
        (("ticket", "close", "1"), "李娜"),
        (("ticket", "reopen", "1", "--reason", "又坏了"), "李娜"),
        (("escalate", "1", "--reason", "客户再次来电"), "陈静"),
    ]
    for args, by in steps:
        ok(office(*args, "--by", by, env=NOBODY))
    assert history(rows) == [
        ("open", "李娜"),
        ("report", "李娜"),  # issue 17: reported at once by whoever opened it
        ("assign", "刘洋"),
        ("note", "赵强"),
        ("resolve", "赵强"),
        ("approve", "孙丽"),
        ("notify", "李娜"),
        ("close", "李娜"),
        ("reopen", "李娜"),
        ("escalate", "陈静"),
    ]
    shown = json.loads(ok(office("ticket", "show", "1", "--format", "json")).stdout)
    actors = [by for _args, by in steps]
    assert [h["actor"] for h in shown["history"]] == [actors[0], *actors]


def test_followup_staff_is_the_default_and_by_wins(office: Run, rows: Rows) -> None:
    ok(office("ticket", "open", "C001", "--summary", "x", "--category", "other", env={
        "FOLLOWUP_STAFF": "刘洋"
    }))  # fmt: skip
    ok(office("ticket", "note", "1", "y", "--by", "赵强", env={"FOLLOWUP_STAFF": "刘洋"}))
    assert history(rows) == [("open", "刘洋"), ("report", "刘洋"), ("note", "赵强")]


def test_the_login_name_is_never_recorded(office: Run, rows: Rows) -> None:
    env = {**NOBODY, "USER": "root", "LOGNAME": "root"}
    refused(office("ticket", "open", "C001", "--summary", "x", "--category", "other", env=env),
            2, MISSING)  # fmt: skip
    assert rows("SELECT * FROM ticket_history") == []


def test_callbacks_customers_and_events_record_who(office: Run, rows: Rows) -> None:
    cb = pending_callback(rows)
    ok(office("callback", "reschedule", str(cb), "2026-11-30", "--by", "李娜"))
    assert rows("SELECT changed_by FROM callbacks WHERE id = ?", cb) == [{"changed_by": "李娜"}]
    ok(office("callback", "skip", str(cb), "--reason", "客户出差", "--by", "陈静"))
    assert rows("SELECT status, changed_by FROM callbacks WHERE id = ?", cb) == [
        {"status": "skipped", "changed_by": "陈静"}
    ]
    ok(office("customer", "edit", "C002", "--phone", "0538-1234567", "--by", "刘洋"))
    assert rows("SELECT changed_by FROM customers WHERE code = 'C002'") == [{"changed_by": "刘洋"}]
    shown = json.loads(ok(office("customer", "show", "C002", "--format", "json")).stdout)
    assert shown["changed_by"] == "刘洋"
    ok(office("customer", "archive", "C002", "--by", "孙丽"))
    assert rows("SELECT archived, changed_by FROM customers WHERE code = 'C002'") == [
        {"archived": 1, "changed_by": "孙丽"}
    ]
    ok(office("event", "add", "C001", "--kind", "service", "--staff", "赵强", "--by", "李娜"))
    assert rows("SELECT staff, recorded_by FROM events") == [
        {"staff": "赵强", "recorded_by": "李娜"}
    ]
    [event] = json.loads(ok(office("event", "list", "--format", "json")).stdout)
    assert (event["staff"], event["recorded_by"]) == ("赵强", "李娜")


def test_cron_acts_as_the_system(office: Run, rows: Rows) -> None:
    ok(office("ticket", "open", "C002", "--summary", "漏油", "--category", "other"))
    # cron's environment may well set FOLLOWUP_STAFF: its steps are still the system's
    ok(office("escalate", "--auto", today="2026-11-27", env={"FOLLOWUP_STAFF": "李娜"}))
    assert history(rows) == [("open", "李娜"), ("report", "李娜"), ("escalate", "system")]
    en = ok(office("ticket", "show", "1")).stdout
    assert "system" in en.splitlines()[-1]
    zh = ok(office("ticket", "show", "1", env=ZH)).stdout
    assert "系统" in zh.splitlines()[-1]
    shown = json.loads(ok(office("ticket", "show", "1", "--format", "json")).stdout)
    assert shown["history"][-1]["actor"] == "system"


def test_auto_refuses_a_by_given_on_the_command_line(office: Run, rows: Rows) -> None:
    before = snapshot(rows)
    refused(
        office("escalate", "--auto", "--by", "李娜"),
        2,
        "--by is for escalating one ticket by hand; --auto acts as the system",
    )
    assert snapshot(rows) == before


def test_system_is_not_a_staff_name(office: Run, rows: Rows) -> None:
    before = snapshot(rows)
    refused(office("staff", "add", "System", "--role", "clerk"), 2, "'System' is not valid")
    assert snapshot(rows) == before


def test_the_domain_records_the_sessions_actor(office: Run, rows: Rows, session: Any) -> None:
    from followup_cli.domain.complaints.tickets import note_ticket
    from followup_cli.domain.staff.records import acting_staff
    from followup_cli.support.errors import NotFound

    ok(office("ticket", "open", "C001", "--summary", "x", "--category", "other"))
    s = session()
    assert s.actor == "system"  # nobody named: the system
    with pytest.raises(NotFound):
        acting_staff(s, "王五")
    s.actor = acting_staff(s, " 赵强 ")
    note_ticket(s, 1, "到现场")
    assert history(rows)[-1] == ("note", "赵强")
