"""Escalation (SPEC sections 3–4): ladders per customer tier, severe tickets one rung up,
`escalate TICKET` by hand, `escalate --auto [--dry-run]` from cron (one rung per SLA
breach, idempotent within a day, reminders at the top), rungs without staff passed
over, and emergency early warnings (every tier) recorded once in `escalations`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from assertions import ok, refused
from followup_cli.support.config import load_config

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

TODAY = "2026-11-23"  # a Monday
CONFIG = load_config(None)
LADDERS: dict[str, list[str]] = CONFIG["escalation"]["ladders"]

# Who holds each role in the `office` fixture.
PERSON = {
    "clerk": "李娜",
    "account_manager": "王伟",
    "service": "赵强",
    "service_supervisor": "陈静",
    "service_manager": "刘洋",
    "sales_manager": "孙丽",
    "marketing_director": "周杰",
    "gm": "吴刚",
}
# One customer per tier: C001 (grade 1) and C002 (grade 4) come with `office`.
CUSTOMER = {"core": "C001", "important": "C003", "key": "C004", "general": "C002"}

# A minor ticket opened on Monday 23 Nov, left alone: (cron day, the new deadline).
# Minor = 3 working days; no holidays in this stretch.
UNATTENDED = [
    ("2026-11-27", "2026-12-02"),
    ("2026-12-03", "2026-12-08"),
    ("2026-12-09", "2026-12-14"),
]


# -- fixtures and helpers ---------------------------------------------------------------


@pytest.fixture
def tiers(office: Run) -> Run:
    """`office` plus an important (grade 2) and a key (grade 3) customer."""
    for args in (
        ("customer", "add", "济南重工集团", "--code", "C003", "--grade", "2"),
        ("customer", "add", "临沂路桥工程", "--code", "C004", "--grade", "3"),
    ):
        ok(office(*args))
    return office


def snapshot(rows: Rows) -> dict[str, list[dict[str, Any]]]:
    """Every table in the database, row by row."""
    names = [r["name"] for r in rows("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {n: rows(f"SELECT * FROM {n}") for n in sorted(names)}


def open_ticket(
    run: Run, customer: str, severity: str = "minor", today: str = TODAY
) -> dict[str, Any]:
    r = ok(
        run(
            "ticket",
            "open",
            customer,
            "--summary",
            "液压泵漏油",
            "--category",
            "product.failure",
            "--severity",
            severity,
            "--format",
            "json",
            today=today,
        )
    )
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def ticket_row(rows: Rows, ticket_id: int) -> dict[str, Any]:
    return rows("SELECT * FROM tickets WHERE id = ?", ticket_id)[0]


def steps_of(rows: Rows, ticket_id: int) -> list[dict[str, Any]]:
    return rows(
        "SELECT * FROM escalations WHERE kind = 'ticket' AND ticket_id = ? ORDER BY id", ticket_id
    )


def warnings_of(rows: Rows, code: str) -> list[dict[str, Any]]:
    return rows(
        "SELECT e.* FROM escalations e JOIN customers c ON c.id = e.customer_id"
        " WHERE e.kind = 'warning' AND c.code = ? ORDER BY e.id",
        code,
    )


def auto(run: Run, today: str, *extra: str) -> list[dict[str, Any]]:
    """escalate --auto (json) on `today`: the notices."""
    r = ok(run("escalate", "--auto", *extra, "--format", "json", today=today))
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def ticket_notices(notices: list[dict[str, Any]], ticket_id: int) -> list[dict[str, Any]]:
    return [n for n in notices if n["kind"] == "ticket" and n["ticket_id"] == ticket_id]


# -- where a ticket starts ----------------------------------------------------------------


def test_ladders_are_the_documented_defaults() -> None:
    assert LADDERS == {
        "core": ["service_manager", "gm"],
        "important": ["service_manager", "marketing_director", "gm"],
        "key": ["account_manager", "sales_manager", "marketing_director"],
        "general": ["service", "service_manager"],
    }


@pytest.mark.parametrize("tier", list(CUSTOMER))
@pytest.mark.parametrize(("severity", "rung"), [("minor", 0), ("major", 1), ("critical", 1)])
def test_a_ticket_starts_on_its_tiers_ladder(
    tiers: Run, rows: Rows, tier: str, severity: str, rung: int
) -> None:
    t = open_ticket(tiers, CUSTOMER[tier], severity)
    role = LADDERS[tier][rung]
    row = ticket_row(rows, t["id"])
    assert (row["escalation_level"], row["escalated_role"], row["escalated_to"]) == (
        rung,
        role,
        PERSON[role],
    )
    assert row["owner"] == PERSON[role]
    note = rows("SELECT note FROM ticket_history WHERE ticket_id = ?", t["id"])[0]["note"]
    expected = f"{tier} customer, {severity}: routed to {role} ({PERSON[role]})"
    if severity != "minor":  # issue 17: no deputy GM on this staff, so it says so
        expected += "; no staff for deputy_gm"
    assert note == expected


def test_a_rung_without_staff_is_passed_over_when_opening(initdb: Run, rows: Rows) -> None:
    for name, role in (
        ("李娜", "clerk"),
        ("孙丽", "sales_manager"),
        ("周杰", "marketing_director"),
    ):
        ok(initdb("staff", "add", name, "--role", role))
    ok(initdb("customer", "add", "临沂路桥工程", "--code", "C004", "--grade", "3"))
    t = open_ticket(initdb, "C004")  # key ladder: account_manager (nobody) → sales_manager
    row = ticket_row(rows, t["id"])
    assert (row["escalation_level"], row["escalated_role"], row["escalated_to"]) == (
        1,
        "sales_manager",
        "孙丽",
    )
    note = rows("SELECT note FROM ticket_history WHERE ticket_id = ?", t["id"])[0]["note"]
    assert (
        note == "key customer, minor: routed to sales_manager (孙丽); no staff for account_manager"
    )


# -- escalate --auto: one rung per breach ---------------------------------------------------


@pytest.mark.parametrize("tier", list(CUSTOMER))
def test_an_unattended_ticket_climbs_every_rung(tiers: Run, rows: Rows, tier: str) -> None:
    ladder = LADDERS[tier]
    t = open_ticket(tiers, CUSTOMER[tier])
    assert t["due_by"] == "2026-11-26"
    deadline = t["due_by"]
    for rung, (day, new_deadline) in enumerate(UNATTENDED, start=1):
        # On the deadline itself nothing happens.
        before = ticket_row(rows, t["id"])
        assert ticket_notices(auto(tiers, deadline), t["id"]) == []
        assert ticket_row(rows, t["id"]) == before

        [notice] = ticket_notices(auto(tiers, day), t["id"])
        row = ticket_row(rows, t["id"])
        level = min(rung, len(ladder) - 1)
        role = ladder[level]
        assert (row["escalation_level"], row["escalated_role"], row["escalated_to"]) == (
            level,
            role,
            PERSON[role],
        )
        assert row["due_by"] == new_deadline
        assert (notice["level"], notice["role"], notice["person"], notice["due_by"]) == (
            level,
            role,
            PERSON[role],
            new_deadline,
        )
        assert notice["reason"] == f"SLA breached: resolution was due by {deadline}"
        step = steps_of(rows, t["id"])[-1]
        assert (step["day"], step["level"], step["role"], step["staff"], step["auto"]) == (
            day,
            level,
            role,
            PERSON[role],
            1,
        )
        assert step["reason"] == notice["reason"]
        last = rows(
            "SELECT * FROM ticket_history WHERE ticket_id = ? ORDER BY id DESC LIMIT 1", t["id"]
        )[0]
        assert (last["action"], last["actor"], last["after"]) == (
            "escalate",
            "system",  # cron's steps are the system's
            f"{role} {PERSON[role]}",
        )
        assert last["at"].startswith(day)
        if rung >= len(ladder):
            assert notice["note"] == "already at the top rung: reminder"
            break
        assert notice["note"] is None
        assert last["before"] == f"{ladder[rung - 1]} {PERSON[ladder[rung - 1]]}"
        deadline = new_deadline
    # Every rung was visited once, then one reminder at the top.
    assert [s["level"] for s in steps_of(rows, t["id"])] == [
        *range(1, len(ladder)),
        len(ladder) - 1,
    ]


def test_auto_prints_a_notice_list(tiers: Run) -> None:
    open_ticket(tiers, "C003")
    r = ok(tiers("escalate", "--auto", today="2026-11-27"))
    lines = r.stdout.splitlines()
    assert lines[0] == "Escalated: 1"
    [line] = [x for x in lines if x.startswith("ticket ")]
    for text in (
        "C003",
        "济南重工集团",
        "important",
        "minor",
        "marketing_director 周杰",
        "2026-12-02",
        "SLA breached: resolution was due by 2026-11-26",
        "液压泵漏油",
    ):
        assert text in line, text


def test_auto_twice_on_the_same_day_changes_nothing(tiers: Run, rows: Rows) -> None:
    for code in CUSTOMER.values():
        open_ticket(tiers, code)
    first = auto(tiers, "2026-11-27")
    assert len([n for n in first if n["kind"] == "ticket"]) == 4
    before = snapshot(rows)
    r = ok(tiers("escalate", "--auto", today="2026-11-27"))
    assert r.stdout.splitlines() == ["Escalated: 0", "Nothing to escalate."]
    assert snapshot(rows) == before


def test_dry_run_writes_nothing_and_foretells_the_real_run(tiers: Run, rows: Rows) -> None:
    tickets = [open_ticket(tiers, code) for code in CUSTOMER.values()]
    open_ticket(tiers, "C001", "critical")  # also an emergency warning for C001
    before = snapshot(rows)
    r = ok(tiers("escalate", "--auto", "--dry-run", today="2026-11-27"))
    assert r.stdout.splitlines()[0].startswith("Would escalate: ")
    predicted = auto(tiers, "2026-11-27", "--dry-run")
    assert snapshot(rows) == before
    assert {n["ticket_id"] for n in predicted if n["kind"] == "ticket"} >= {
        t["id"] for t in tickets
    }
    assert any(n["kind"] == "warning" and n["customer_code"] == "C001" for n in predicted)

    done = auto(tiers, "2026-11-27")
    assert done == predicted
    assert snapshot(rows) != before


def test_dry_run_in_the_domain_writes_nothing(tiers: Run, rows: Rows, session: Any) -> None:
    from followup_cli.domain.complaints.escalation import escalate_auto

    t = open_ticket(tiers, "C004")
    before = snapshot(rows)
    notices = escalate_auto(session(today="2026-11-27"), dry_run=True)
    assert snapshot(rows) == before
    [n] = [n for n in notices if n.ticket_id == t["id"]]
    assert (n.level, n.role, n.person, n.due_by) == (1, "sales_manager", "孙丽", "2026-12-02")
    escalate_auto(session(today="2026-11-27"))
    assert [s["role"] for s in steps_of(rows, t["id"])] == ["sales_manager"]


def test_at_the_top_rung_auto_reminds_without_climbing(tiers: Run, rows: Rows) -> None:
    t = open_ticket(tiers, "C001", "major")  # core, major: starts at gm, the top
    assert (t["escalation_level"], t["due_by"]) == (1, "2026-11-24")
    [notice] = ticket_notices(auto(tiers, "2026-11-25"), t["id"])
    assert (notice["level"], notice["role"], notice["person"]) == (1, "gm", "吴刚")
    assert notice["note"] == "already at the top rung: reminder"
    row = ticket_row(rows, t["id"])
    assert (row["escalation_level"], row["escalated_role"], row["due_by"]) == (
        1,
        "gm",
        "2026-11-26",
    )
    [step] = steps_of(rows, t["id"])
    assert (step["level"], step["note"]) == (1, "already at the top rung: reminder")
    # Reminded once per breach: nothing more the same day.
    assert ticket_notices(auto(tiers, "2026-11-25"), t["id"]) == []


def test_a_rung_without_staff_is_passed_over(initdb: Run, rows: Rows) -> None:
    for name, role in (("李娜", "clerk"), ("刘洋", "service_manager"), ("吴刚", "gm")):
        ok(initdb("staff", "add", name, "--role", role))
    ok(initdb("customer", "add", "济南重工集团", "--code", "C003", "--grade", "2"))
    t = open_ticket(initdb, "C003")  # important: service_manager → (marketing_director) → gm
    r = ok(initdb("escalate", "--auto", today="2026-11-27"))
    assert "no staff for marketing_director: passed to the next rung up" in r.stdout
    row = ticket_row(rows, t["id"])
    assert (row["escalation_level"], row["escalated_role"], row["escalated_to"]) == (
        2,
        "gm",
        "吴刚",
    )
    [step] = steps_of(rows, t["id"])
    assert (step["role"], step["staff"]) == ("gm", "吴刚")
    assert step["note"] == "no staff for marketing_director: passed to the next rung up"


def test_a_customer_not_told_in_time_is_a_breach(tiers: Run, rows: Rows) -> None:
    told = open_ticket(tiers, "C002")
    untold = open_ticket(tiers, "C004")
    for t in (told, untold):
        ok(tiers("ticket", "resolve", str(t["id"]), "--resolution", "已修复", today="2026-11-24"))
    ok(tiers("ticket", "notify", str(told["id"]), "--via", "phone", today="2026-11-24"))
    assert ticket_row(rows, untold["id"])["due_by"] == "2026-11-27"
    notices = auto(tiers, "2026-11-30")
    assert ticket_notices(notices, told["id"]) == []
    [n] = ticket_notices(notices, untold["id"])
    assert n["reason"] == "SLA breached: telling the customer was due by 2026-11-27"
    assert ticket_row(rows, untold["id"])["escalated_role"] == "sales_manager"
    assert steps_of(rows, told["id"]) == []


def test_closed_tickets_are_never_escalated(tiers: Run, rows: Rows) -> None:
    t = open_ticket(tiers, "C002")
    ok(tiers("ticket", "resolve", str(t["id"]), "--resolution", "x"))
    ok(tiers("ticket", "close", str(t["id"]), "--notified-via", "phone"))
    assert ticket_notices(auto(tiers, "2026-12-30"), t["id"]) == []
    assert steps_of(rows, t["id"]) == []


# -- escalate TICKET by hand ----------------------------------------------------------------


def test_manual_escalation_climbs_one_rung(tiers: Run, rows: Rows) -> None:
    t = open_ticket(tiers, "C003")
    r = ok(
        tiers(
            "escalate",
            str(t["id"]),
            "--reason",
            "客户再次来电, 非常不满",
            env={"FOLLOWUP_STAFF": "李娜"},
            today="2026-11-24",
        )
    )
    assert "marketing_director 周杰" in r.stdout
    row = ticket_row(rows, t["id"])
    assert (row["escalation_level"], row["escalated_role"], row["escalated_to"], row["due_by"]) == (
        1,
        "marketing_director",
        "周杰",
        "2026-11-27",
    )
    [step] = steps_of(rows, t["id"])
    assert (step["auto"], step["reason"], step["day"]) == (
        0,
        "客户再次来电, 非常不满",
        "2026-11-24",
    )
    last = rows("SELECT * FROM ticket_history WHERE ticket_id = ? ORDER BY id DESC", t["id"])[0]
    assert (last["action"], last["actor"], last["before"], last["after"]) == (
        "escalate",
        "李娜",
        "service_manager 刘洋",
        "marketing_director 周杰",
    )
    assert last["note"] == "客户再次来电, 非常不满"


def test_manual_escalation_to_a_named_role(tiers: Run, rows: Rows) -> None:
    t = open_ticket(tiers, "C002")  # general: service → service_manager
    ok(tiers("escalate", str(t["id"]), "--to", "marketing_director", "--reason", "大客户投诉"))
    row = ticket_row(rows, t["id"])
    assert (row["escalated_role"], row["escalated_to"]) == ("marketing_director", "周杰")
    [step] = steps_of(rows, t["id"])
    assert (step["role"], step["staff"], step["auto"]) == ("marketing_director", "周杰", 0)


def test_manual_escalation_past_the_top_rung_is_refused(tiers: Run, rows: Rows) -> None:
    t = open_ticket(tiers, "C001", "critical")  # core: already at gm
    before = snapshot(rows)
    r = tiers("escalate", str(t["id"]), "--reason", "again")
    refused(r, 1, f"ticket #{t['id']} is already at the top rung (gm) of the core ladder")
    assert "--to ROLE" in r.stderr
    assert snapshot(rows) == before


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("99",), 1, "no ticket #99"),
        (("1", "--to", "boss"), 2, "'boss' is not a role"),
        (("1", "--to", "branch_gm"), 1, "no staff member has the role branch_gm"),
        ((), 2, "give a TICKET to escalate, or --auto (not both)"),
        (("1", "--auto"), 2, "give a TICKET to escalate, or --auto (not both)"),
        (("1", "--dry-run"), 2, "--dry-run goes with --auto"),
        (("--auto", "--reason", "x"), 2, "--reason and --to are for escalating one ticket by hand"),
        (("--auto", "--to", "gm"), 2, "--reason and --to are for escalating one ticket by hand"),
    ],
)
def test_bad_escalations_write_nothing(
    tiers: Run, rows: Rows, args: tuple[str, ...], code: int, message: str
) -> None:
    open_ticket(tiers, "C002")
    before = snapshot(rows)
    refused(tiers("escalate", *args, today="2026-11-30"), code, message)
    assert snapshot(rows) == before


def test_escalating_a_closed_ticket_is_refused(tiers: Run, rows: Rows) -> None:
    t = open_ticket(tiers, "C002")
    ok(tiers("ticket", "resolve", str(t["id"]), "--resolution", "x"))
    ok(tiers("ticket", "close", str(t["id"]), "--notified-via", "phone"))
    before = snapshot(rows)
    refused(
        tiers("escalate", str(t["id"])),
        1,
        f"ticket #{t['id']} is closed; there is nothing to escalate",
    )
    assert snapshot(rows) == before


# -- emergency early warnings ---------------------------------------------------------------


def test_emergency_warning_is_recorded_once_while_it_lasts(tiers: Run, rows: Rows) -> None:
    t = open_ticket(tiers, "C001", "critical")
    notices = auto(tiers, TODAY)
    [warning] = [n for n in notices if n["kind"] == "warning"]
    assert (warning["customer_code"], warning["role"], warning["person"]) == ("C001", "gm", "吴刚")
    assert warning["summary"] == "a critical complaint is open"
    [row] = warnings_of(rows, "C001")
    assert (row["role"], row["staff"], row["day"], row["auto"], row["ticket_id"]) == (
        "gm",
        "吴刚",
        TODAY,
        1,
        None,
    )
    assert "critical" in row["reason"]

    assert auto(tiers, TODAY) == []  # same day: nothing new
    next_day = auto(tiers, "2026-11-24")
    assert [n["kind"] for n in next_day] == ["ticket"]  # the breach reminder, no new warning
    assert ticket_notices(next_day, t["id"])
    assert len(warnings_of(rows, "C001")) == 1


def test_dry_run_does_not_record_the_warning(tiers: Run, rows: Rows) -> None:
    open_ticket(tiers, "C001", "critical")
    assert [n["kind"] for n in auto(tiers, TODAY, "--dry-run")] == ["warning"]
    assert warnings_of(rows, "C001") == []
    assert [n["kind"] for n in auto(tiers, TODAY)] == ["warning"]
    assert len(warnings_of(rows, "C001")) == 1


def test_important_customer_warning_goes_to_the_marketing_director(tiers: Run, rows: Rows) -> None:
    open_ticket(tiers, "C003", "critical")
    [warning] = [n for n in auto(tiers, TODAY) if n["kind"] == "warning"]
    assert (warning["role"], warning["person"]) == ("marketing_director", "周杰")
    assert [(w["role"], w["staff"]) for w in warnings_of(rows, "C003")] == [
        ("marketing_director", "周杰")
    ]


@pytest.mark.parametrize(("code", "role"), [("C004", "sales_manager"), ("C002", "service_manager")])
def test_key_and_general_customers_raise_emergencies_too(
    tiers: Run, rows: Rows, code: str, role: str
) -> None:
    # issue 17: every tier is reported (seed 001: 大客户…上报营销经理或客户经理，一般客户
    # …上报公司分管部门的客户管理人员); before, key and general raised no emergency.
    open_ticket(tiers, code, "critical")
    [warning] = [n for n in auto(tiers, TODAY) if n["kind"] == "warning"]
    assert (warning["customer_code"], warning["role"], warning["person"]) == (
        code,
        role,
        PERSON[role],
    )
    assert [(w["role"], w["staff"]) for w in warnings_of(rows, code)] == [(role, PERSON[role])]


# -- an escalation always lands on a named person (issue 14, item 5) -------------------------


def thin_office(initdb: Run, *staff: tuple[str, str]) -> Run:
    """A fresh office with the clerk (who acts) and only `staff`; C002 general (grade 4),
    C004 key (grade 3), C003 important (grade 2)."""
    for name, role in (("李娜", "clerk"), *staff):
        ok(initdb("staff", "add", name, "--role", role))
    for args in (
        ("customer", "add", "泰安宏达建设", "--code", "C002", "--grade", "4"),
        ("customer", "add", "临沂路桥工程", "--code", "C004", "--grade", "3"),
        ("customer", "add", "济南重工集团", "--code", "C003", "--grade", "2"),
    ):
        ok(initdb(*args))
    return initdb


def test_past_the_top_rung_a_manual_escalation_goes_on_to_the_gm(initdb: Run, rows: Rows) -> None:
    # general ladder: service (nobody) → service_manager, the only staffed rung, its top
    office = thin_office(initdb, ("刘洋", "service_manager"), ("吴刚", "gm"))
    t = open_ticket(office, "C002")
    assert (t["escalation_level"], t["escalated_role"], t["escalated_to"]) == (
        1,
        "service_manager",
        "刘洋",
    )
    r = ok(office("escalate", "1", "--reason", "客户要求主管回复"))
    assert "gm 吴刚" in r.stdout
    assert "past the top rung of the general ladder: passed to gm" in r.stdout
    row = ticket_row(rows, 1)
    assert (row["escalation_level"], row["escalated_role"], row["escalated_to"]) == (
        2,
        "gm",
        "吴刚",
    )
    [step] = steps_of(rows, 1)
    assert (step["level"], step["role"], step["staff"], step["auto"]) == (2, "gm", "吴刚", 0)
    assert step["note"] == "past the top rung of the general ladder: passed to gm"
    last = rows("SELECT * FROM ticket_history WHERE ticket_id = 1 ORDER BY id DESC")[0]
    assert (last["actor"], last["before"], last["after"]) == (
        "李娜",
        "service_manager 刘洋",
        "gm 吴刚",
    )
    assert (
        last["note"] == "客户要求主管回复 (past the top rung of the general ladder: passed to gm)"
    )
    # at the gm, nobody is above: refused as before, nothing written
    before = snapshot(rows)
    refused(
        office("escalate", "1", "--reason", "again"),
        1,
        "ticket #1 is already at the top rung (gm) of the general ladder",
    )
    assert snapshot(rows) == before


def test_a_rung_without_staff_is_skipped_and_recorded_never_nobody(initdb: Run, rows: Rows) -> None:
    # key ladder: account_manager → sales_manager → marketing_director (nobody); then gm
    office = thin_office(initdb, ("孙丽", "sales_manager"), ("吴刚", "gm"))
    t = open_ticket(office, "C004", "major")  # a major ticket starts one rung up
    assert (t["escalated_role"], t["escalated_to"]) == ("sales_manager", "孙丽")
    r = ok(office("escalate", str(t["id"]), "--reason", "客户再次来电"))
    assert "(nobody)" not in r.stdout
    assert "gm 吴刚" in r.stdout
    note = (
        "no staff for marketing_director: passed to the next rung up; "
        "past the top rung of the key ladder: passed to gm"
    )
    assert note in r.stdout
    row = ticket_row(rows, t["id"])
    assert (row["escalation_level"], row["escalated_role"], row["escalated_to"]) == (
        3,
        "gm",
        "吴刚",
    )
    [step] = steps_of(rows, t["id"])
    assert (step["role"], step["staff"], step["note"]) == ("gm", "吴刚", note)


def test_auto_passes_an_unstaffed_top_rung_on_to_the_gm(initdb: Run, rows: Rows) -> None:
    office = thin_office(initdb, ("孙丽", "sales_manager"), ("吴刚", "gm"))
    t = open_ticket(office, "C004", "major")  # due 2026-11-24
    [notice] = ticket_notices(auto(office, "2026-11-25"), t["id"])
    assert (notice["role"], notice["person"], notice["level"]) == ("gm", "吴刚", 3)
    assert "no staff for marketing_director" in notice["note"]
    [step] = steps_of(rows, t["id"])
    assert (step["role"], step["staff"], step["auto"]) == ("gm", "吴刚", 1)
    # now at the gm: the next breach reminds, it does not climb
    [again] = ticket_notices(auto(office, "2026-11-27"), t["id"])
    assert (again["role"], again["person"], again["note"]) == (
        "gm",
        "吴刚",
        "already at the top rung: reminder",
    )


def test_with_nobody_above_a_manual_escalation_is_refused_saying_whom_to_add(
    initdb: Run, rows: Rows
) -> None:
    office = thin_office(initdb, ("孙丽", "sales_manager"))  # no marketing_director, no gm
    t = open_ticket(office, "C004", "major")
    before = snapshot(rows)
    r = office("escalate", str(t["id"]), "--reason", "客户再次来电")
    refused(
        r,
        1,
        f"ticket #{t['id']} cannot be escalated: nobody holds a role above it"
        " (marketing_director, gm)",
    )
    assert "`followup staff add NAME --role marketing_director`" in r.stderr
    assert snapshot(rows) == before


def test_with_nobody_above_auto_leaves_the_ticket_and_says_whom_to_add(
    initdb: Run, rows: Rows
) -> None:
    office = thin_office(initdb, ("孙丽", "sales_manager"))
    t = open_ticket(office, "C004", "major")
    before = ticket_row(rows, t["id"])
    r = ok(office("escalate", "--auto", today="2026-11-25"))
    assert "(nobody)" not in r.stdout
    assert "not sent: no staff" in r.stdout
    assert "nobody holds any rung above: add staff for marketing_director" in r.stdout
    assert ticket_row(rows, t["id"]) == before  # still with 孙丽, still breached
    assert steps_of(rows, t["id"]) == []
    [notice] = ticket_notices(auto(office, "2026-11-25"), t["id"])
    assert (notice["role"], notice["person"]) == (None, None)


def test_to_a_role_nobody_holds_is_refused_saying_whom_to_add(tiers: Run, rows: Rows) -> None:
    open_ticket(tiers, "C002")
    before = snapshot(rows)
    r = tiers("escalate", "1", "--to", "branch_gm")
    refused(r, 1, "no staff member has the role branch_gm")
    assert "Add one with `followup staff add NAME --role branch_gm`." in r.stderr
    assert snapshot(rows) == before


def test_a_warning_whose_route_has_no_staff_goes_to_the_gm(initdb: Run, rows: Rows) -> None:
    office = thin_office(initdb, ("刘洋", "service_manager"), ("吴刚", "gm"))
    open_ticket(office, "C003", "critical")  # important: its warning goes to marketing
    [warning] = [n for n in auto(office, TODAY) if n["kind"] == "warning"]
    assert (warning["role"], warning["person"]) == ("gm", "吴刚")
    assert warning["note"] == "no staff holds marketing_director: passed to 吴刚"
    assert [(w["role"], w["staff"]) for w in warnings_of(rows, "C003")] == [("gm", "吴刚")]
    r = ok(office("report", "warnings"))
    assert "(nobody)" not in r.stdout


def test_a_warning_with_nobody_at_all_says_whom_to_add(initdb: Run, rows: Rows) -> None:
    office = thin_office(initdb, ("刘洋", "service_manager"))
    open_ticket(office, "C003", "critical")
    r = ok(office("escalate", "--auto", "--dry-run"))
    assert "(nobody)" not in r.stdout
    assert "not sent: no staff" in r.stdout
    [warning] = [n for n in auto(office, TODAY) if n["kind"] == "warning"]
    assert (warning["role"], warning["person"]) == ("marketing_director", None)
    assert warning["note"] == "nobody holds any rung above: add staff for marketing_director"


def test_chain_for_goes_on_past_the_ladder_each_role_once(session: Any, initdb: Run) -> None:
    from followup_cli.domain.complaints.tickets import chain_for, ladder_for

    s = session()
    expected = {
        "core": ["service_manager", "gm"],
        "important": ["service_manager", "marketing_director", "gm"],
        "key": ["account_manager", "sales_manager", "marketing_director", "gm"],
        "general": ["service", "service_manager", "gm"],
    }
    for grade, tier in ((1, "core"), (2, "important"), (3, "key"), (4, "general")):
        assert ladder_for(s, grade)[0] == tier
        assert chain_for(s, tier, LADDERS[tier]) == expected[tier]


def test_a_ticket_nobody_holds_goes_to_whoever_joins_its_rung(initdb: Run, rows: Rows) -> None:
    office = thin_office(initdb)  # the clerk alone: nobody on the important ladder
    t = open_ticket(office, "C003", "critical")  # starts on marketing_director: nobody
    assert (t["escalation_level"], t["escalated_role"], t["escalated_to"]) == (
        1,
        "marketing_director",
        None,
    )
    [notice] = ticket_notices(auto(office, "2026-11-25"), t["id"])
    assert (notice["person"], notice["note"]) == (
        None,
        "nobody holds any rung above: add staff for marketing_director",
    )
    refused(
        office("escalate", str(t["id"])), 1, "nobody holds a role above it (marketing_director, gm)"
    )
    ok(office("staff", "add", "吴刚", "--role", "gm"))
    [notice] = ticket_notices(auto(office, "2026-11-25"), t["id"])
    assert (notice["role"], notice["person"], notice["level"]) == ("gm", "吴刚", 2)
    assert ticket_row(rows, t["id"])["escalated_to"] == "吴刚"


def test_with_nobody_at_or_above_its_start_rung_a_ticket_opens_to_the_rung_below(
    initdb: Run, rows: Rows
) -> None:
    # key ladder: account_manager, sales_manager, marketing_director; a major ticket
    # starts on sales_manager. Only the account manager is on staff (no gm either).
    office = thin_office(initdb, ("刘洋", "account_manager"))
    t = open_ticket(office, "C004", "major")
    assert (t["escalation_level"], t["escalated_role"], t["escalated_to"]) == (
        0,
        "account_manager",
        "刘洋",
    )
    opened, _reported = rows("SELECT note FROM ticket_history WHERE ticket_id = ?", t["id"])
    assert "routed to account_manager (刘洋)" in opened["note"]
    assert "no staff for deputy_gm, sales_manager, marketing_director, gm" in opened["note"]


def test_with_nobody_on_the_ladder_a_ticket_is_kept_and_the_office_told_whom_to_add(
    initdb: Run, rows: Rows
) -> None:
    office = thin_office(initdb)  # the clerk alone
    r = office(
        "ticket", "open", "C004", "--summary", "液压泵漏油", "--category", "product.failure",
        "--severity", "major", today=TODAY,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert (
        "Warning: nobody on staff holds a role on this ticket's ladder; it waits for a"
        " sales_manager\nAdd one with `followup staff add NAME --role sales_manager`."
    ) in r.stderr
    [ticket] = rows("SELECT owner, escalated_to FROM tickets")
    assert ticket == {"owner": None, "escalated_to": None}
