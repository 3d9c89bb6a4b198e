"""Complaints as seed 001 runs them (issue 17): every new ticket reported at once to the
sales manager, major and critical ones owned by the deputy GM in charge, a leader's
approval (批示) before the customer is told, and returns within the return window
unconditional by policy.

Seed 001: "销售人员或客户投诉接待人员在接到客户的投诉后…应立即向销售经理汇报…一般问题及时处理，
重大问题应及时向主管副经理汇报，由主管副经理提出处理方案"; "再由有关领导批示处理意见，最后通知
客户处理结果"; "客户进货、存货不满3个月的情况下都应该予以退货或调换，无条件满足".
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assertions import ok, refused
from followup_cli.domain.complaints import tickets
from followup_cli.support.config import load_config
from test_tickets import TODAY, history, open_ticket, show, snapshot, ticket_row

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

DEPUTY = "钱进"


@pytest.fixture
def leaders(office: Run) -> Run:
    """The small office (conftest) with a deputy GM in charge."""
    ok(office("staff", "add", DEPUTY, "--role", "deputy_gm", "--department", "总经办"))
    return office


def major(run: Run, customer: str = "C001", severity: str = "major") -> dict[str, Any]:
    return open_ticket(run, customer, "--severity", severity)


def resolve(run: Run, ticket_id: int, by: str | None = None, text: str = "更换喷油器") -> Any:
    extra = ("--by", by) if by else ()
    return ok(run("ticket", "resolve", str(ticket_id), "--resolution", text, *extra, today=TODAY))


def approve(run: Run, ticket_id: int, by: str, *extra: str, today: str = TODAY) -> Any:
    return run("ticket", "approve", str(ticket_id), "--by", by, *extra, today=today)


def notify(run: Run, ticket_id: int, today: str = TODAY) -> Any:
    return run(
        "ticket", "notify", str(ticket_id), "--via", "phone", "--response", "满意", today=today
    )


# -- reported at once ----------------------------------------------------------------------


def test_a_new_ticket_is_reported_at_once_to_the_sales_manager(office: Run, rows: Rows) -> None:
    t = open_ticket(office)
    [opened, reported] = history(rows, t["id"])
    assert opened["action"] == "open"
    assert (reported["action"], reported["field"], reported["after"], reported["actor"]) == (
        "report",
        "reported_to",
        "孙丽",
        "李娜",
    )
    assert reported["note"] == "reported at once to the sales_manager 孙丽"
    assert json.loads(reported["note_message"]) == {
        "code": "ticket.reported_to",
        "params": {"role": "sales_manager", "person": "孙丽"},
    }
    assert show(office, t["id"])["history"][1]["note"] == (
        "reported at once to the sales_manager 孙丽"
    )
    screen = ok(office("ticket", "show", str(t["id"]))).stdout
    assert "reported at once to the sales_manager 孙丽" in screen


def test_the_report_reads_in_the_readers_language(office: Run) -> None:
    t = open_ticket(office)
    screen = ok(office("ticket", "show", str(t["id"]), env={"FOLLOWUP_LANGUAGE": "zh_CN"})).stdout
    assert "已立即向销售经理孙丽汇报" in screen
    assert "汇报" in screen


def test_the_sales_manager_of_the_customers_department_comes_first(office: Run, rows: Rows) -> None:
    ok(office("staff", "add", "赵敏", "--role", "sales_manager", "--department", "青岛分公司"))
    ok(office("customer", "add", "青岛港机", "--code", "C003", "--department", "青岛分公司"))
    t = open_ticket(office, "C003")
    assert history(rows, t["id"])[1]["after"] == "赵敏"
    # a customer of no department: the first active sales manager
    assert history(rows, open_ticket(office, "C002")["id"])[1]["after"] == "孙丽"


def test_with_no_sales_manager_the_ticket_says_it_was_not_reported(initdb: Run, rows: Rows) -> None:
    ok(initdb("staff", "add", "李娜", "--role", "clerk"))
    ok(initdb("customer", "add", "泰安宏达建设", "--code", "C002", "--grade", "4"))
    t = open_ticket(initdb, "C002")
    reported = history(rows, t["id"])[1]
    assert (reported["action"], reported["after"]) == ("report", None)
    assert reported["note"] == "not reported: no staff holds sales_manager; add one"


def test_a_ticket_from_a_no_answer_is_reported_too(office: Run, rows: Rows) -> None:
    ok(office("event", "add", "C001", "--kind", "service", "--date", "2026-11-20", today=TODAY))
    ok(
        office(
            "log-call", "C001", "--outcome", "reached", "--by", "李娜", "--answer", "fixed=no",
            today=TODAY,
        )
    )  # fmt: skip
    [t] = rows("SELECT id FROM tickets")
    assert [h["action"] for h in history(rows, t["id"])][:2] == ["open", "report"]


def test_every_path_that_opens_a_ticket_reports_it(office: Run, session: Any) -> None:
    """`insert_ticket` is the one way a ticket is opened (ticket open, log-call, and
    whatever else opens one inside its own transaction): the notice is part of it."""
    s = session()
    s.actor = "李娜"
    with s.write() as conn:
        customer = conn.execute("SELECT * FROM customers WHERE code = 'C002'").fetchone()
        data = tickets.TicketInput("配件错发", "parts", "minor", None, None, None)
        ticket_id = tickets.insert_ticket(s, conn, customer, data)
    actions = [
        (r[0], r[1])
        for r in s.conn.execute(
            "SELECT action, after FROM ticket_history WHERE ticket_id = ? ORDER BY id",
            (ticket_id,),
        )
    ]
    assert actions == [("open", "open"), ("report", "孙丽")]


def test_the_daily_report_lists_the_days_complaints_and_whom_they_went_to(
    leaders: Run,
) -> None:
    first = open_ticket(leaders, "C002")
    second = major(leaders)
    daily = json.loads(ok(leaders("report", "daily", "--format", "json", today=TODAY)).stdout)
    assert [
        (r["ticket_id"], r["customer_code"], r["severity"], r["reported_to"], r["owner"])
        for r in daily["reported"]
    ] == [
        (first["id"], "C002", "minor", "孙丽", "赵强"),
        (second["id"], "C001", "major", "孙丽", DEPUTY),
    ]
    table = ok(leaders("report", "daily", today=TODAY)).stdout
    assert "New complaints, reported at once" in table
    assert "孙丽" in table
    text = ok(leaders("report", "daily", "--format", "csv", today=TODAY)).stdout
    reported = [r for r in csv.DictReader(io.StringIO(text)) if r["section"] == "reported"]
    assert len(reported) == 2
    assert (reported[1]["reported_to"], reported[1]["owner"], reported[1]["note"]) == (
        "孙丽",
        DEPUTY,
        "reported at once to the sales_manager 孙丽",
    )
    # the next day lists that day's new complaints only
    later = json.loads(
        ok(leaders("report", "daily", "--format", "json", today="2026-11-24")).stdout
    )
    assert later["reported"] == []


# -- major problems go to the deputy GM ----------------------------------------------------------


@pytest.mark.parametrize("severity", ["major", "critical"])
@pytest.mark.parametrize("customer", ["C001", "C002"])  # core, general
def test_a_major_or_critical_ticket_is_owned_by_the_deputy_gm(
    leaders: Run, rows: Rows, severity: str, customer: str
) -> None:
    t = major(leaders, customer, severity)
    row = ticket_row(rows, t["id"])
    assert (row["owner"], row["escalation_level"], row["escalated_role"], row["escalated_to"]) == (
        DEPUTY,
        0,
        "deputy_gm",
        DEPUTY,
    )
    tier = "core" if customer == "C001" else "general"
    assert history(rows, t["id"])[0]["note"] == (
        f"{tier} customer, {severity}: routed to deputy_gm ({DEPUTY})"
    )


def test_a_minor_ticket_stays_on_its_tiers_ladder(leaders: Run, rows: Rows) -> None:
    t = open_ticket(leaders)
    row = ticket_row(rows, t["id"])
    assert (row["owner"], row["escalated_role"]) == ("刘洋", "service_manager")


def test_above_the_deputy_gm_a_ticket_climbs_to_the_gm(leaders: Run, rows: Rows) -> None:
    t = major(leaders)
    ok(leaders("escalate", str(t["id"]), today=TODAY))
    row = ticket_row(rows, t["id"])
    assert (row["escalation_level"], row["escalated_role"], row["escalated_to"]) == (
        1,
        "gm",
        "吴刚",
    )
    before = snapshot(rows)
    r = leaders("escalate", str(t["id"]), today=TODAY)
    refused(r, 1, f"ticket #{t['id']} is already at the top rung (gm) of the core ladder")
    assert snapshot(rows) == before


def test_escalate_auto_climbs_from_the_deputy_gm_to_the_gm(leaders: Run, rows: Rows) -> None:
    t = major(leaders)  # due 2026-11-24
    ok(leaders("escalate", "--auto", today="2026-11-25"))
    row = ticket_row(rows, t["id"])
    assert (row["escalated_role"], row["escalated_to"], row["owner"]) == ("gm", "吴刚", DEPUTY)


def test_without_a_deputy_gm_a_major_ticket_starts_on_its_ladder_and_says_so(
    office: Run, rows: Rows
) -> None:
    t = major(office)  # core ladder: service_manager, gm; a major ticket starts one rung up
    row = ticket_row(rows, t["id"])
    assert (row["owner"], row["escalated_role"]) == ("吴刚", "gm")
    assert history(rows, t["id"])[0]["note"] == (
        "core customer, major: routed to gm (吴刚); no staff for deputy_gm"
    )


def test_the_config_can_start_major_tickets_on_the_ladder(
    leaders: Run, rows: Rows, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[escalation]\nsevere_start_role = ""\n', encoding="utf-8")
    r = ok(
        leaders(
            "--config", str(config), "ticket", "open", "C002", "--summary", "液压泵漏油",
            "--category", "product.failure", "--severity", "major", "--format", "json",
            today=TODAY,
        )
    )  # fmt: skip
    t = json.loads(r.stdout)
    assert (t["owner"], t["escalated_role"]) == ("刘洋", "service_manager")  # general, rung 1


def test_a_role_in_the_config_that_is_not_a_staff_role_is_refused(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    before = snapshot(rows)
    for text, setting in (
        ('[escalation]\nsevere_start_role = "boss"\n', "escalation.severe_start_role"),
        ('[tickets]\nreport_to = "boss"\n', "tickets.report_to"),
        ('[tickets]\napprover_roles = ["boss"]\n', "tickets.approver_roles"),
    ):
        config = tmp_path / "config.toml"
        config.write_text(text, encoding="utf-8")
        r = office("--config", str(config), "ticket", "open", "C001", "--summary", "x",
                   "--category", "other", today=TODAY)  # fmt: skip
        refused(r, 65, f"{setting}: 'boss' is not a staff role")
    assert snapshot(rows) == before


# -- a leader's approval before the customer is told ---------------------------------------------


def test_a_major_ticket_is_approved_then_told_then_closed(leaders: Run, rows: Rows) -> None:
    t = major(leaders)
    tid = t["id"]
    r = resolve(leaders, tid, by=DEPUTY, text="更换喷油器，费用由厂家承担")
    assert "needs a leader's approval before the customer is told" in r.stdout
    assert f"`followup ticket approve {tid} --by NAME`" in r.stdout
    r = ok(approve(leaders, tid, "吴刚", "--note", "同意，周三前完成"))
    assert r.stdout == (
        f"Ticket #{tid} approved by 吴刚. Now tell the customer: "
        f"`followup ticket notify {tid} --via phone --response TEXT`.\n"
    )
    row = ticket_row(rows, tid)
    assert row["approved_by"] == "吴刚"
    assert row["approved_at"].startswith("2026-11-23T")
    entry = history(rows, tid)[-1]
    assert (entry["action"], entry["field"], entry["after"], entry["note"], entry["actor"]) == (
        "approve",
        "approved_by",
        "吴刚",
        "同意，周三前完成",
        "吴刚",
    )
    data = show(leaders, tid)
    assert (data["approved_by"], data["approved_at"]) == ("吴刚", row["approved_at"])
    assert data["approval_needed"] is True
    ok(notify(leaders, tid))
    ok(leaders("ticket", "close", str(tid), today=TODAY))
    screen = ok(leaders("ticket", "show", str(tid), today=TODAY)).stdout
    [approved] = [line for line in screen.splitlines() if line.startswith("  Approved ")]
    assert approved.split()[1:3] == ["吴刚,", "today"]


def test_notify_before_approval_is_refused_naming_who_may_approve(leaders: Run, rows: Rows) -> None:
    t = major(leaders)
    resolve(leaders, t["id"], by=DEPUTY)
    before = snapshot(rows)
    for args in (
        ("ticket", "notify", str(t["id"]), "--via", "phone"),
        ("ticket", "close", str(t["id"]), "--notified-via", "phone"),
    ):
        r = leaders(*args, today=TODAY)
        refused(
            r,
            1,
            f"Error: ticket #{t['id']} needs a leader's approval of its proposed handling"
            " before the customer is told\n"
            f"May approve: 吴刚 (gm). Then: `followup ticket approve {t['id']} --by NAME`.",
        )
    assert snapshot(rows) == before


def test_approval_before_resolve_is_refused(leaders: Run, rows: Rows) -> None:
    t = major(leaders)
    before = snapshot(rows)
    r = approve(leaders, t["id"], "吴刚")
    refused(
        r,
        1,
        f"Error: ticket #{t['id']} has no proposed handling yet: there is nothing to approve\n"
        f"Record it first: `followup ticket resolve {t['id']} --resolution TEXT`.",
    )
    assert snapshot(rows) == before


@pytest.mark.parametrize("who", ["孙丽", DEPUTY, "李娜", "周杰"])
def test_approval_by_someone_not_above_the_owner_is_refused(
    leaders: Run, rows: Rows, who: str
) -> None:
    # owner: the deputy GM; above the deputy GM only the gm. A sales manager does not
    # approve the deputy GM's proposal, nor the owner their own.
    t = major(leaders)
    resolve(leaders, t["id"], by=DEPUTY)
    before = snapshot(rows)
    r = approve(leaders, t["id"], who)
    refused(
        r,
        1,
        f"Error: {who} may not approve ticket #{t['id']}: only someone above its owner may\n"
        f"May approve: 吴刚 (gm). Then: `followup ticket approve {t['id']} --by NAME`.",
    )
    assert snapshot(rows) == before


def test_an_unknown_approver_is_refused_before_anything_is_written(
    leaders: Run, rows: Rows
) -> None:
    t = major(leaders)
    resolve(leaders, t["id"], by=DEPUTY)
    before = snapshot(rows)
    r = approve(leaders, t["id"], "张三")
    refused(r, 1, "no staff member named '张三'")
    assert snapshot(rows) == before


def test_a_second_approval_is_refused(leaders: Run, rows: Rows) -> None:
    t = major(leaders)
    resolve(leaders, t["id"], by=DEPUTY)
    ok(approve(leaders, t["id"], "吴刚"))
    before = snapshot(rows)
    r = approve(leaders, t["id"], "吴刚")
    refused(r, 1, f"Error: ticket #{t['id']} is already approved by 吴刚 (today ")
    assert "A new resolution (`ticket resolve`) needs a new approval." in r.stderr
    assert snapshot(rows) == before


def test_approving_a_closed_ticket_is_refused(office: Run, rows: Rows) -> None:
    t = open_ticket(office)
    resolve(office, t["id"])
    ok(office("ticket", "close", str(t["id"]), "--notified-via", "phone", today=TODAY))
    before = snapshot(rows)
    refused(approve(office, t["id"], "吴刚"), 1, f"ticket #{t['id']} is already closed")
    assert snapshot(rows) == before


@pytest.mark.parametrize(
    ("ticket", "code", "message"),
    [("abc", 2, "'abc' is not valid; expected a ticket number like 12 or #12"),
     ("99", 1, "no ticket #99")],
)  # fmt: skip
def test_a_bad_ticket_number_is_refused(
    leaders: Run, rows: Rows, ticket: str, code: int, message: str
) -> None:
    before = snapshot(rows)
    refused(leaders("ticket", "approve", ticket, "--by", "吴刚", today=TODAY), code, message)
    assert snapshot(rows) == before


def test_a_note_with_control_characters_is_refused(leaders: Run, rows: Rows) -> None:
    t = major(leaders)
    resolve(leaders, t["id"], by=DEPUTY)
    before = snapshot(rows)
    r = approve(leaders, t["id"], "吴刚", "--note", "同意\x1b[31m")
    assert r.exit_code == 2, r.output
    assert "--note" in r.stderr and "Traceback" not in r.output
    assert snapshot(rows) == before


def test_a_new_resolution_withdraws_the_approval(leaders: Run, rows: Rows) -> None:
    t = major(leaders)
    resolve(leaders, t["id"], by=DEPUTY)
    ok(approve(leaders, t["id"], "吴刚"))
    resolve(leaders, t["id"], by=DEPUTY, text="改为整机更换")
    row = ticket_row(rows, t["id"])
    assert (row["approved_by"], row["approved_at"]) == (None, None)
    entry = history(rows, t["id"])[-1]
    assert (entry["action"], entry["before"], entry["note"]) == (
        "approve",
        "吴刚",
        "new proposed handling: the approval by 吴刚 is withdrawn",
    )
    refused(notify(leaders, t["id"]), 1, "needs a leader's approval")


def test_a_reopened_ticket_needs_a_new_approval(leaders: Run, rows: Rows) -> None:
    t = major(leaders)
    resolve(leaders, t["id"], by=DEPUTY)
    ok(approve(leaders, t["id"], "吴刚"))
    ok(notify(leaders, t["id"]))
    ok(leaders("ticket", "reopen", str(t["id"]), "--reason", "又漏油了", today=TODAY))
    assert ticket_row(rows, t["id"])["approved_by"] is None
    resolve(leaders, t["id"], by=DEPUTY)
    refused(notify(leaders, t["id"]), 1, "needs a leader's approval")


def test_a_minor_ticket_needs_no_approval_but_a_sales_manager_may_give_it(
    office: Run, rows: Rows
) -> None:
    t = open_ticket(office)  # core, minor: owned by the service manager 刘洋
    resolve(office, t["id"])
    assert show(office, t["id"])["approval_needed"] is False
    ok(approve(office, t["id"], "孙丽"))  # 一般问题及时处理: by the sales manager
    assert ticket_row(rows, t["id"])["approved_by"] == "孙丽"
    ok(notify(office, t["id"]))


def test_without_a_deputy_gm_the_roles_above_the_owner_approve(office: Run, rows: Rows) -> None:
    ok(office("customer", "add", "临沂路桥工程", "--code", "C004", "--grade", "3"))
    t = major(office, "C004")  # key ladder, a major ticket on rung 1: the sales manager
    assert ticket_row(rows, t["id"])["owner"] == "孙丽"
    resolve(office, t["id"], by="孙丽")
    r = notify(office, t["id"])
    refused(r, 1, "May approve: 周杰 (marketing_director), 吴刚 (gm).")
    ok(approve(office, t["id"], "周杰"))
    ok(notify(office, t["id"]))


def test_with_nobody_above_the_owner_the_owner_approves(initdb: Run, rows: Rows) -> None:
    for name, role in (("李娜", "clerk"), (DEPUTY, "deputy_gm")):
        ok(initdb("staff", "add", name, "--role", role))
    ok(initdb("customer", "add", "泰安宏达建设", "--code", "C002", "--grade", "4"))
    t = major(initdb, "C002")
    resolve(initdb, t["id"], by=DEPUTY)
    refused(approve(initdb, t["id"], "李娜"), 1, f"May approve: {DEPUTY} (deputy_gm).")
    ok(approve(initdb, t["id"], DEPUTY))


def test_with_nobody_who_may_approve_notify_says_whom_to_add(initdb: Run, rows: Rows) -> None:
    ok(initdb("staff", "add", "李娜", "--role", "clerk"))
    ok(initdb("customer", "add", "泰安宏达建设", "--code", "C002", "--grade", "4"))
    t = major(initdb, "C002")  # nobody on its ladder: it waits, owned by nobody
    resolve(initdb, t["id"])
    before = snapshot(rows)
    refused(
        notify(initdb, t["id"]),
        1,
        "Nobody on staff may approve it: add a leader above its owner, e.g."
        " `followup staff add NAME --role gm`.",
    )
    assert snapshot(rows) == before


def test_the_approval_severities_come_from_the_config(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[tickets]\napproval_severities = ["minor"]\n', encoding="utf-8")
    t = open_ticket(office)
    resolve(office, t["id"])
    before = snapshot(rows)
    r = office("--config", str(config), "ticket", "notify", str(t["id"]), "--via", "phone",
               today=TODAY)  # fmt: skip
    refused(r, 1, "needs a leader's approval")
    assert snapshot(rows) == before


def test_the_approval_reads_in_chinese(leaders: Run) -> None:
    t = major(leaders)
    resolve(leaders, t["id"], by=DEPUTY)
    zh = {"FOLLOWUP_LANGUAGE": "zh_CN"}
    r = leaders("ticket", "notify", str(t["id"]), "--via", "phone", env=zh, today=TODAY)
    refused(r, 1, f"投诉 #{t['id']} 的处理方案须经领导批示后才能告知客户")
    assert (
        f"批示命令：`followup ticket approve {t['id']} --by 姓名`；可批示的人：吴刚（总经理）。"
        in (r.stderr)
    )
    ok(leaders("ticket", "approve", str(t["id"]), "--by", "吴刚", env=zh, today=TODAY))
    screen = ok(leaders("ticket", "show", str(t["id"]), env=zh, today=TODAY)).stdout
    assert "领导批示" in screen and "主管副经理" in screen


# -- returns and exchanges -------------------------------------------------------------------


def open_return(run: Run, customer: str = "C001", *extra: str) -> dict[str, Any]:
    return open_ticket(run, customer, *extra, category="return", summary="包装破损，要求调换")


@pytest.mark.parametrize(
    ("kind", "day", "policy"),
    [
        ("sale", "2026-10-01", "unconditional"),
        ("parts", "2026-08-23", "unconditional"),  # exactly 3 months: still within
        ("parts", "2026-08-22", "approval"),
        ("sale", "2026-05-01", "approval"),
    ],
)
def test_a_return_is_judged_against_the_latest_sale_or_parts(
    office: Run, rows: Rows, kind: str, day: str, policy: str
) -> None:
    ok(office("event", "add", "C001", "--kind", kind, "--date", day, today=TODAY))
    t = open_return(office)
    assert ticket_row(rows, t["id"])["return_policy"] == policy
    note = history(rows, t["id"])[2]["note"]
    if policy == "unconditional":
        assert note == (
            f"return or exchange within 3m of the {kind} of {day}: unconditional by policy"
        )
    else:
        assert note == (
            f"return or exchange more than 3m after the {kind} of {day}: needs a leader's approval"
        )


def test_a_return_within_the_window_is_unconditional_and_needs_no_approval(
    office: Run, rows: Rows
) -> None:
    ok(office("event", "add", "C001", "--kind", "parts", "--date", "2026-11-02", today=TODAY))
    t = open_return(office)
    assert t["prepared_answer"]["policy"] == (
        "By policy the return or exchange is unconditional: the goods came within 3m."
    )
    assert t["approval_needed"] is False
    screen = ok(office("ticket", "show", str(t["id"]), today=TODAY)).stdout
    assert "By policy the return or exchange is unconditional" in screen
    resolve(office, t["id"], text="调换新件")
    ok(notify(office, t["id"]))


def test_a_late_return_needs_approval_whatever_its_severity(office: Run, rows: Rows) -> None:
    ok(office("event", "add", "C001", "--kind", "sale", "--date", "2026-01-10", today=TODAY))
    # a later service job is not a purchase: the sale decides
    ok(office("event", "add", "C001", "--kind", "service", "--date", "2026-11-20", today=TODAY))
    t = open_return(office)  # minor
    assert t["severity"] == "minor" and t["approval_needed"] is True
    assert "needs a leader's approval" in t["prepared_answer"]["policy"]
    screen = ok(office("ticket", "show", str(t["id"]), today=TODAY)).stdout
    assert "needs a leader's approval before we confirm it" in screen
    resolve(office, t["id"], text="同意退货")
    before = snapshot(rows)
    refused(notify(office, t["id"]), 1, "needs a leader's approval")
    assert snapshot(rows) == before
    ok(approve(office, t["id"], "孙丽"))
    ok(notify(office, t["id"]))


def test_a_return_with_no_purchase_on_record_needs_approval(office: Run, rows: Rows) -> None:
    # only a service job on record: not a purchase
    ok(office("event", "add", "C001", "--kind", "service", "--date", "2026-11-20", today=TODAY))
    t = open_return(office)
    assert ticket_row(rows, t["id"])["return_policy"] == "approval"
    assert history(rows, t["id"])[2]["note"] == (
        "return or exchange with no sale or parts on record: needs a leader's approval"
    )


def test_the_return_window_comes_from_the_config(office: Run, rows: Rows, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[tickets]\nreturn_window = "1m"\n', encoding="utf-8")
    ok(office("event", "add", "C001", "--kind", "parts", "--date", "2026-10-01", today=TODAY))
    r = ok(
        office(
            "--config", str(config), "ticket", "open", "C001", "--category", "return",
            "--summary", "退货", "--format", "json", today=TODAY,
        )
    )  # fmt: skip
    assert json.loads(r.stdout)["return_policy"] == "approval"


def test_the_chinese_word_for_the_category_is_accepted(office: Run, rows: Rows) -> None:
    t = open_ticket(office, "C001", category="退换货", summary="要求退货")
    assert ticket_row(rows, t["id"])["category"] == "return"
    zh = ok(
        office("ticket", "show", str(t["id"]), env={"FOLLOWUP_LANGUAGE": "zh_CN"}, today=TODAY)
    ).stdout
    assert "退换货" in zh
    assert "没有销售或配件记录，须经领导批示" in zh


# -- export -------------------------------------------------------------------------------------


def test_export_tickets_carries_the_approval(leaders: Run, rows: Rows, tmp_path: Path) -> None:
    t = major(leaders)
    resolve(leaders, t["id"], by=DEPUTY)
    ok(approve(leaders, t["id"], "吴刚"))
    open_return(leaders, "C002")
    r = ok(leaders("export", "tickets", today=TODAY))
    table = list(csv.DictReader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    row = ticket_row(rows, t["id"])
    assert (table[0]["approved_by"], table[0]["approved_at"], table[0]["return_policy"]) == (
        "吴刚",
        row["approved_at"],
        "",
    )
    assert (table[1]["approved_by"], table[1]["return_policy"]) == ("", "approval")


# -- the rules, directly ---------------------------------------------------------------------


class _Config:
    def __init__(self, **tickets: Any) -> None:
        self.config = load_config(None)
        self.config.data["tickets"].update(tickets)


def test_severe_chain_is_the_deputy_gm_then_the_gm() -> None:
    s: Any = _Config()
    assert tickets.severe_chain(s, "major") == ["deputy_gm", "gm"]
    assert tickets.severe_chain(s, "critical") == ["deputy_gm", "gm"]
    assert tickets.severe_chain(s, "minor") is None
    s.config.data["escalation"]["severe_start_role"] = ""
    assert tickets.severe_chain(s, "major") is None


def test_approver_roles_are_above_the_owner() -> None:
    s: Any = _Config()
    deputy_chain = ["deputy_gm", "gm"]
    assert tickets.approver_roles(s, deputy_chain, 0, "deputy_gm") == ["gm"]
    core = ["service_manager", "gm"]
    assert tickets.approver_roles(s, core, 0, "service_manager") == [
        "gm",
        "sales_manager",
        "deputy_gm",
    ]
    # a sales manager owner: the deputy GM may, another sales manager may not
    key = ["account_manager", "sales_manager", "marketing_director", "gm"]
    assert tickets.approver_roles(s, key, 1, "sales_manager") == [
        "marketing_director",
        "gm",
        "deputy_gm",
    ]
    # an owner off the ladder: every role from the ticket's rung up
    assert tickets.approver_roles(s, key, 2, "clerk") == [
        "marketing_director",
        "gm",
        "sales_manager",
        "deputy_gm",
    ]
    assert tickets.approver_roles(s, deputy_chain, 1, "gm") == []


def test_needs_approval_by_severity_or_a_late_return() -> None:
    s: Any = _Config()
    assert tickets.needs_approval(s, "major", None) and tickets.needs_approval(s, "critical", None)
    assert not tickets.needs_approval(s, "minor", None)
    assert tickets.needs_approval(s, "minor", "approval")
    assert not tickets.needs_approval(s, "minor", "unconditional")


def test_return_policy_reads_the_latest_purchase(office: Run, session: Any) -> None:
    ok(office("event", "add", "C001", "--kind", "sale", "--date", "2026-01-10", today=TODAY))
    ok(office("event", "add", "C001", "--kind", "parts", "--date", "2026-09-30", today=TODAY))
    s = session()
    [customer_id] = [r[0] for r in s.conn.execute("SELECT id FROM customers WHERE code = 'C001'")]
    policy = tickets.return_policy(s, s.conn, customer_id)
    assert policy.decision == "unconditional"
    assert policy.note.params == {"window": "3m", "kind": "parts", "date": "2026-09-30"}
    assert (
        tickets.return_policy(session(today="2027-01-01"), s.conn, customer_id).decision
        == "approval"
    )
