"""The person in charge, not the boss or the operator (issue 18; seeds 000, 003, 004).

Seed 000: "选择客户负责人进行回访…这里所说的客户负责人，并不一定是客户老板，而是指某项业务的
负责人。有的代理商就喜欢回访客户方具体操作人员，而忽视了对双方合作有决定性影响的业务负责人".
Seed 004 names 决策者、影响者、监督者; seed 003 asks to follow 关键职务的人事变动.

Office fixture: C001 (grade 1, owner 王伟) has 张建国 (decision-maker, added first) and
李明 (operator, primary); C002 (grade 4) has no contacts.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assertions import ok, refused
from followup_cli.domain.calls.log import call_brief
from followup_cli.domain.contacts.choice import ContactRule, choose_contact
from followup_cli.support.config import load_config
from test_call_script import Terminal

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

TABLES = ("contacts", "events", "callbacks", "calls", "warnings")


def dump(rows: Rows) -> dict[str, list[dict[str, Any]]]:
    return {t: rows(f"SELECT * FROM {t} ORDER BY id") for t in TABLES}


def due_row(run: Run, code: str, *args: str) -> dict[str, Any]:
    data = json.loads(ok(run("due", "--days", "3", "--format", "json", *args)).stdout)
    return next(r for r in data if r["customer"]["code"] == code)


def table_line(run: Run, code: str) -> str:
    out = ok(run("due", "--days", "3")).stdout
    return next(line for line in out.splitlines() if code in line)


def service(run: Run, code: str, *args: str) -> None:
    ok(run("event", "add", code, "--kind", "service", "--date", "2026-11-20", *args))


# -- the roles ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("person-in-charge", "person-in-charge"),
        ("业务负责人", "person-in-charge"),
        ("负责人", "person-in-charge"),
        ("influencer", "influencer"),
        ("影响者", "influencer"),
        ("supervisor", "supervisor"),
        ("监督者", "supervisor"),
        ("决策者", "decision-maker"),
    ],
)
def test_the_new_roles_in_english_and_chinese(
    office: Run, rows: Rows, typed: str, stored: str
) -> None:
    r = ok(office("contact", "add", "C002", "王芳", "--role", typed))
    assert r.stdout == f"Added contact 王芳 ({stored}, primary) to C002 泰安宏达建设\n"
    assert rows("SELECT role FROM contacts WHERE name = '王芳'") == [{"role": stored}]


def test_the_chinese_screen_shows_the_seeds_words(office: Run) -> None:
    env = {"FOLLOWUP_LANGUAGE": "zh_CN"}
    # 客户负责人 (seed 000: 选择客户负责人进行回访): 业务负责人 is also a customer's owner
    r = ok(office("contact", "add", "C002", "王芳", "--role", "person-in-charge", env=env))
    assert "王芳（客户负责人，主要联系人）" in r.stdout
    r = ok(office("contact", "add", "C002", "赵磊", "--role", "influencer", env=env))
    assert "影响者" in r.stdout
    r = ok(office("contact", "add", "C002", "钱程", "--role", "supervisor", env=env))
    assert "监督者" in r.stdout


def test_an_unknown_role_lists_the_new_ones_and_writes_nothing(office: Run, rows: Rows) -> None:
    before = dump(rows)
    r = office("contact", "add", "C002", "王芳", "--role", "boss")
    refused(r, 2, "one of person-in-charge, decision-maker, influencer, supervisor, purchaser")
    assert dump(rows) == before


def test_a_contacts_file_takes_the_chinese_roles(office: Run, rows: Rows, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "客户编号,联系人,角色\r\nC002,王芳,业务负责人\r\nC002,赵磊,影响者\r\nC002,钱程,监督者\r\n",
        encoding="gb18030",
    )
    ok(office("import", "contacts", str(path)))
    assert rows("SELECT name, role FROM contacts WHERE customer_id = 2 ORDER BY id") == [
        {"name": "王芳", "role": "person-in-charge"},
        {"name": "赵磊", "role": "influencer"},
        {"name": "钱程", "role": "supervisor"},
    ]


# -- whom callbacks go to -----------------------------------------------------------------


def test_event_callbacks_go_to_the_person_in_charge_before_the_decision_maker(
    office: Run,
) -> None:
    ok(office("contact", "add", "C001", "孙敏", "--role", "业务负责人", "--phone", "13905310003"))
    service(office, "C001", "--ref", "WO-1")
    row = due_row(office, "C001")
    assert row["contact"] == {
        "name": "孙敏",
        "phone": "13905310003",
        "role": "person-in-charge",
        "chosen_as": "person-in-charge",
    }
    assert row["phone"] == "13905310003"
    assert "孙敏 (person-in-charge)" in table_line(office, "C001")


def test_visits_still_go_to_the_primary_contact(office: Run) -> None:
    ok(office("contact", "add", "C001", "孙敏", "--role", "person-in-charge"))
    row = due_row(office, "C001")
    assert {r["reason"] for r in row["reasons"]} <= {"visit", "yearly", "holiday"}
    assert (row["contact"]["name"], row["contact"]["chosen_as"]) == ("李明", "primary")
    assert "李明 (operator, primary contact)" in table_line(office, "C001")


def test_the_events_contact_comes_first_and_the_due_list_says_why(office: Run, rows: Rows) -> None:
    ok(office("contact", "add", "C001", "孙敏", "--role", "person-in-charge"))
    ok(office("contact", "add", "C001", "周伟", "--role", "purchaser", "--phone", "13905310009"))
    service(office, "C001", "--ref", "WO-1", "--contact", "周伟")
    event = rows("SELECT contact_id FROM events")[0]
    assert event["contact_id"] == rows("SELECT id FROM contacts WHERE name = '周伟'")[0]["id"]
    row = due_row(office, "C001")
    assert (row["contact"]["name"], row["contact"]["chosen_as"]) == ("周伟", "event-contact")
    assert "周伟 (purchaser, event's contact)" in table_line(office, "C001")
    out = ok(office("due", "--days", "3", "--format", "csv")).stdout
    line = next(r for r in csv.DictReader(io.StringIO(out)) if r["customer_code"] == "C001")
    assert (line["contact"], line["contact_role"], line["contact_chosen_as"]) == (
        "周伟",
        "purchaser",
        "event-contact",
    )
    listed = json.loads(ok(office("event", "list", "--format", "json")).stdout)
    assert listed[0]["contact"] == "周伟"


def test_an_operator_is_never_called_for_an_event_while_someone_else_is_there(
    office: Run,
) -> None:
    # C001: the event names the operator 李明 (also the primary): the decision-maker is called.
    service(office, "C001", "--ref", "WO-1", "--contact", "李明")
    row = due_row(office, "C001")
    assert (row["contact"]["name"], row["contact"]["chosen_as"]) == ("张建国", "decision-maker")
    # C002: an operator as primary and a purchaser: the purchaser, though not primary.
    ok(office("contact", "add", "C002", "司机老王", "--role", "operator"))
    ok(office("contact", "add", "C002", "采购小刘", "--role", "purchaser"))
    service(office, "C002", "--ref", "WO-2")
    row = due_row(office, "C002")
    assert (row["contact"]["name"], row["contact"]["chosen_as"]) == ("采购小刘", "other")


def test_a_sale_in_use_later_goes_to_its_contact_and_so_does_its_level_2_check(
    office: Run, rows: Rows
) -> None:
    """Both halves of issue 18 on one event: its callbacks count from the day the machine
    went into use (seed 000: 客户已经开始使用产品), go to the event's contact, and the level-2
    check a sale now gets (seed 000: 至少安排两级回访) goes to the same person."""
    ok(office("contact", "add", "C001", "孙敏", "--role", "person-in-charge"))
    ok(office("contact", "add", "C001", "周伟", "--role", "purchaser"))
    ok(office("event", "add", "C001", "--kind", "sale", "--date", "2026-11-10",
              "--in-use", "2026-11-21", "--contact", "周伟", "--ref", "S-1"))  # fmt: skip
    assert rows("SELECT e.in_use, k.name FROM events e JOIN contacts k ON k.id = e.contact_id") == [
        {"in_use": "2026-11-21", "name": "周伟"}
    ]
    row = due_row(office, "C001")
    event_reasons = [r for r in row["reasons"] if r["reason"] == "event"]
    assert [r["due_on"] for r in event_reasons] == ["2026-11-23"]  # 21 Nov + 2d
    assert (row["contact"]["name"], row["contact"]["chosen_as"]) == ("周伟", "event-contact")
    ok(office("log-call", "C001", "--outcome", "reached", "--by", "李娜", "--at",
              "2026-11-23 10:00", "--satisfaction", "5"))  # fmt: skip
    assert rows(
        "SELECT due_on, role FROM callbacks WHERE reason = 'second-level' AND status = 'pending'"
    ) == [{"due_on": "2026-11-26", "role": "service_supervisor"}]
    check = due_row(office, "C001", "--date", "2026-11-26")
    assert "second-level" in {r["reason"] for r in check["reasons"]}
    assert (check["contact"]["name"], check["contact"]["chosen_as"]) == ("周伟", "event-contact")


def test_an_operator_is_called_when_nobody_else_is_there(office: Run) -> None:
    ok(office("contact", "add", "C002", "司机老王", "--role", "operator"))
    service(office, "C002", "--ref", "WO-2", "--contact", "司机老王")
    row = due_row(office, "C002")
    assert (row["contact"]["name"], row["contact"]["chosen_as"]) == ("司机老王", "event-contact")


def test_an_unknown_contact_on_an_event_is_refused_and_nothing_written(
    office: Run, rows: Rows
) -> None:
    before = dump(rows)
    r = office("event", "add", "C001", "--kind", "service", "--contact", "王五")
    refused(
        r,
        65,
        "Error: contact: '王五' is not valid; expected a contact of C001: 张建国, 李明",
    )
    assert dump(rows) == before
    r = office("event", "add", "C002", "--kind", "service", "--contact", "王五")
    refused(r, 65, "expected a contact of C002, which has none yet")
    assert dump(rows) == before


def test_the_call_brief_asks_for_the_same_person_and_says_why(
    office: Run, session: Callable[..., Any]
) -> None:
    ok(office("contact", "add", "C001", "周伟", "--role", "purchaser"))
    service(office, "C001", "--ref", "WO-1", "--contact", "周伟")
    brief = call_brief(session(), "C001", "李娜")
    assert brief.contact is not None
    assert (brief.contact["name"], brief.contact["chosen_as"]) == ("周伟", "event-contact")


@pytest.fixture
def terminal(db_path: Path) -> Iterator[Callable[..., Terminal]]:
    opened: list[Terminal] = []

    def start(*args: str) -> Terminal:
        env = {**os.environ, "TZ": "Asia/Shanghai", "PYTHONUTF8": "1", "TERM": "dumb"}
        env.update(COLUMNS="300", LINES="50", FOLLOWUP_LANGUAGE="en")
        argv = [sys.executable, "-m", "followup_cli", "--db", str(db_path)]
        term = Terminal([*argv, "--today", "2026-11-23", *args], env)
        opened.append(term)
        return term

    yield start
    for term in opened:
        term.close()


def test_the_call_script_says_whom_to_ask_for_and_why(
    office: Run, terminal: Callable[..., Terminal]
) -> None:
    ok(office("contact", "add", "C001", "周伟", "--role", "purchaser", "--phone", "13905310009"))
    service(office, "C001", "--ref", "WO-1", "--contact", "周伟")
    term = terminal("log-call", "C001", "--by", "李娜")
    term.expect("Ask for: 周伟 (purchaser, event's contact)")
    term.expect("Number:  13905310009")
    term.expect("Outcome: ")


# -- the rule itself ----------------------------------------------------------------------

RULE = ContactRule.of(load_config(None)["contacts"])


def person(cid: int, role: str, primary: bool = False, events: tuple[int, ...] = ()) -> dict:
    return {"id": cid, "role": role, "is_primary": int(primary), "events": list(events)}


@pytest.mark.parametrize(
    ("contacts", "reasons", "chosen", "why"),
    [
        # event callbacks: the event's contact, the person in charge, the decision-maker...
        (
            [person(1, "decision-maker"), person(2, "person-in-charge"), person(3, "other", True)],
            [("event", 9)],
            2,
            "person-in-charge",
        ),
        (
            [person(1, "decision-maker"), person(2, "finance", events=(9,))],
            [("event", 9)],
            2,
            "event-contact",
        ),
        (
            [person(1, "finance"), person(2, "decision-maker", True)],
            [("event", 9)],
            2,
            "decision-maker",
        ),
        (
            [person(1, "finance"), person(2, "purchaser", True)],
            [("ticket-verify", None)],
            2,
            "primary",
        ),
        # never the operator while anyone else is there, even named or primary
        ([person(1, "operator", True, (9,)), person(2, "finance")], [("event", 9)], 2, "other"),
        ([person(1, "operator", True)], [("second-level", 9)], 1, "primary"),
        # periodic reasons: the primary first, then the same roles
        (
            [person(1, "decision-maker"), person(2, "operator", True)],
            [("visit", None)],
            2,
            "primary",
        ),
        (
            [person(1, "finance"), person(2, "person-in-charge")],
            [("yearly", None)],
            2,
            "person-in-charge",
        ),
        # one reason of the row is an event: the row is a satisfaction call
        (
            [person(1, "decision-maker"), person(2, "operator", True)],
            [("visit", None), ("event", 9)],
            1,
            "decision-maker",
        ),
    ],
)
def test_choose_contact(contacts: list[dict], reasons: list, chosen: int, why: str) -> None:
    found = choose_contact(contacts, reasons, RULE)
    assert found is not None
    assert (found.contact["id"], found.why) == (chosen, why)


def test_choose_contact_without_contacts() -> None:
    assert choose_contact([], [("event", 1)], RULE) is None


def test_the_order_is_the_offices_to_change(office: Run, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[contacts]\ncallback_order = ["primary"]\n', encoding="utf-8")
    service(office, "C001", "--ref", "WO-1")
    r = ok(office("--config", str(config), "due", "--days", "3", "--format", "json"))
    row = next(x for x in json.loads(r.stdout) if x["customer"]["code"] == "C001")
    # (the operator is the primary, and avoided: the decision-maker, as the only other)
    assert (row["contact"]["name"], row["contact"]["chosen_as"]) == ("张建国", "other")


def test_a_config_naming_an_unknown_step_is_refused(office: Run, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[contacts]\ncallback_order = ["boss"]\n', encoding="utf-8")
    r = office("--config", str(config), "due")
    refused(r, 65, "contacts.callback_order: 'boss' is not one of")


# -- CSV: an event's contact ----------------------------------------------------------------


def write_events(tmp_path: Path, *lines: str, name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_text(
        "客户编号,类型,日期,单号,联系人\r\n" + "".join(f"{x}\r\n" for x in lines), "utf-8"
    )
    return path


def test_an_events_file_names_the_contact(office: Run, rows: Rows, tmp_path: Path) -> None:
    path = write_events(tmp_path, "C001,维修,2026-11-20,WO-1,张建国", "C001,维修,2026-11-21,WO-2,")
    ok(office("import", "events", str(path)))
    assert rows(
        "SELECT e.ref, k.name FROM events e LEFT JOIN contacts k ON k.id = e.contact_id"
        " ORDER BY e.id"
    ) == [{"ref": "WO-1", "name": "张建国"}, {"ref": "WO-2", "name": None}]
    out = ok(office("export", "events")).stdout.lstrip("\ufeff")
    assert out.splitlines()[0].endswith(",note,in_use,contact,amount")
    assert out.splitlines()[1].endswith(",张建国,")
    zh = ok(office("export", "events", "--headers", "zh")).stdout.lstrip("\ufeff")
    assert zh.splitlines()[0].endswith(",联系人,金额")
    # The export imports back unchanged; another contact is a change the dry run lists.
    again = tmp_path / "again.csv"
    again.write_text(zh, encoding="utf-8")
    r = ok(office("import", "events", str(again), "--format", "json"))
    assert json.loads(r.stdout)["updated"] == 0
    changed = write_events(tmp_path, "C001,维修,2026-11-20,WO-1,李明", name="changed.csv")
    r = ok(office("import", "events", str(changed), "--dry-run", "--format", "json"))
    report = json.loads(r.stdout)
    assert report["updated"] == 1
    assert [(c["field"], c["old"], c["new"]) for c in report["changes"]] == [
        ("contact", "张建国", "李明")
    ]
    ok(office("import", "events", str(changed)))
    assert rows("SELECT k.name FROM events e JOIN contacts k ON k.id = e.contact_id") == [
        {"name": "李明"}
    ]


def test_an_events_file_carries_in_use_and_contact_together(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    """The columns of both halves of issue 18 in one file, both ways (投入使用日期, 联系人)."""
    path = tmp_path / "both.csv"
    path.write_text(
        "客户编号,类型,日期,单号,投入使用日期,联系人\r\n"
        "C001,销售,2026-11-10,S-1,2026-11-21,张建国\r\n"
        "C001,维修,2026-11-20,WO-1,,\r\n",
        "utf-8",
    )
    ok(office("import", "events", str(path)))
    assert rows(
        "SELECT e.ref, e.in_use, k.name FROM events e"
        " LEFT JOIN contacts k ON k.id = e.contact_id ORDER BY e.id"
    ) == [
        {"ref": "S-1", "in_use": "2026-11-21", "name": "张建国"},
        {"ref": "WO-1", "in_use": None, "name": None},
    ]
    zh = ok(office("export", "events", "--headers", "zh")).stdout.lstrip("\ufeff")
    lines = zh.splitlines()
    assert lines[0].endswith(",投入使用日期,联系人,金额")
    assert lines[1].endswith(",2026-11-21,张建国,")
    again = tmp_path / "again.csv"
    again.write_text(zh, encoding="utf-8")
    r = ok(office("import", "events", str(again), "--format", "json"))
    assert json.loads(r.stdout)["updated"] == 0


def test_an_events_file_naming_an_unknown_contact_writes_nothing(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write_events(
        tmp_path, "C001,维修,2026-11-20,WO-1,张建国", "C002,维修,2026-11-20,WO-2,张建国"
    )
    before = dump(rows)
    r = office("import", "events", str(path))
    assert r.exit_code == 65, r.output
    assert (
        f"{path}:3:5: 联系人: '张建国' — expected a contact of that customer"
        " (import contacts first)"
    ) in r.stderr
    assert dump(rows) == before


# -- key people leave (seed 003: 人事变动) -------------------------------------------------------


def test_a_contact_who_left_is_never_called_again(office: Run, rows: Rows) -> None:
    service(office, "C001", "--ref", "WO-1")
    assert due_row(office, "C001")["contact"]["name"] == "张建国"
    r = ok(office("contact", "edit", "C001", "张建国", "--left", "--date", "2026-11-20"))
    assert r.stdout == (
        "张建国 (decision-maker) left C001 山东鲁建机械有限公司 on 2026-11-20\n"
        "  event callbacks now go to: 李明 (operator)\n"
    )
    assert rows("SELECT name, left_on, is_primary FROM contacts WHERE customer_id = 1") == [
        {"name": "张建国", "left_on": "2026-11-20", "is_primary": 0},
        {"name": "李明", "left_on": None, "is_primary": 1},
    ]
    row = due_row(office, "C001")
    assert (row["contact"]["name"], row["contact"]["chosen_as"]) == ("李明", "primary")


def test_when_the_primary_leaves_the_next_contact_is_primary(office: Run, rows: Rows) -> None:
    r = ok(office("contact", "edit", "C001", "李明", "--left"))
    assert "left C001 山东鲁建机械有限公司 on 2026-11-23" in r.stdout
    assert "  primary contact now: 张建国\n" in r.stdout
    assert rows("SELECT name FROM contacts WHERE is_primary = 1 AND customer_id = 1") == [
        {"name": "张建国"}
    ]
    # A new contact is not made primary over the one there.
    ok(office("contact", "add", "C001", "孙敏"))
    assert rows("SELECT name FROM contacts WHERE is_primary = 1 AND customer_id = 1") == [
        {"name": "张建国"}
    ]


def test_a_leavers_birthday_greeting_is_cancelled(office: Run, rows: Rows) -> None:
    ok(office("contact", "add", "C001", "孙敏", "--birthday", "12-08"))
    greeting = "SELECT status, note FROM callbacks WHERE reason = 'birthday'"
    assert rows(greeting) == [{"status": "pending", "note": None}]
    ok(office("contact", "edit", "C001", "孙敏", "--left"))
    assert rows(greeting) == [{"status": "cancelled", "note": "contact left"}]
    ok(office("due"))  # planning again plans no greeting for them
    assert rows(greeting) == [{"status": "cancelled", "note": "contact left"}]


def test_key_people_gone_is_a_warning_for_a_core_customer(office: Run) -> None:
    r = ok(office("contact", "edit", "C001", "张建国", "--left"))
    assert r.stderr == (
        "Warning: C001 has none of its key people left (person in charge, decision-maker):"
        " update the contacts (`followup contact add C001 NAME --role ROLE`)\n"
    )
    data = json.loads(ok(office("report", "warnings", "--format", "json")).stdout)
    [w] = [w for w in data["warnings"] if w["indicator"] == "key_people_left"]
    assert (w["code"], w["level"], w["stage"]) == ("C001", "breach", "breach")
    assert w["text"] == "no person in charge or decision-maker is left: update the contacts"
    # A new person in charge clears it.
    ok(office("contact", "add", "C001", "孙敏", "--role", "person-in-charge"))
    data = json.loads(ok(office("report", "warnings", "--format", "json")).stdout)
    assert [w for w in data["warnings"] if w["indicator"] == "key_people_left"] == []


def test_key_people_gone_is_no_warning_for_a_general_customer(office: Run) -> None:
    ok(office("contact", "add", "C002", "王芳", "--role", "decision-maker"))
    r = ok(office("contact", "edit", "C002", "王芳", "--left"))
    assert r.stderr == ""
    assert "no contact is left: callbacks go to the customer's phone" in r.stdout
    data = json.loads(ok(office("report", "warnings", "--format", "json")).stdout)
    assert [w for w in data["warnings"] if w["indicator"] == "key_people_left"] == []


def test_a_customer_that_never_had_key_people_raises_nothing(office: Run) -> None:
    ok(office("customer", "edit", "C002", "--grade", "3", "--owner", "王伟"))
    ok(office("contact", "add", "C002", "王芳", "--role", "purchaser"))
    ok(office("contact", "edit", "C002", "王芳", "--left"))
    data = json.loads(ok(office("report", "warnings", "--format", "json")).stdout)
    assert [w for w in data["warnings"] if w["indicator"] == "key_people_left"] == []


def test_customer_show_lists_past_contacts_apart(office: Run) -> None:
    ok(office("contact", "edit", "C001", "张建国", "--left", "--date", "2026-10-01"))
    data = json.loads(ok(office("customer", "show", "C001", "--format", "json")).stdout)
    assert [c["name"] for c in data["contacts"]] == ["李明"]
    assert [(c["name"], c["left_on"]) for c in data["past_contacts"]] == [("张建国", "2026-10-01")]
    text = ok(office("customer", "show", "C001")).stdout
    contacts, past = text.index("\nContacts\n"), text.index("\nPast contacts\n")
    assert "张建国" not in text[contacts:past]
    assert "张建国" in text[past : text.index("\nPending callbacks")]
    listed = json.loads(ok(office("contact", "list", "C001", "--format", "json")).stdout)
    assert {c["name"]: c["left_on"] for c in listed} == {"李明": None, "张建国": "2026-10-01"}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--left", "--date", "2026-11-24"), 65, "expected a date on or before today (2026-11-23)"),
        (("--left", "--date", "1899-12-31"), 65, "'1899-12-31'"),
        (("--left", "--date", "next week"), 65, "date: 'next week' is not valid"),
        ((), 2, "Error: nothing to change"),
    ],
)
def test_contact_edit_refuses_bad_input_and_writes_nothing(
    office: Run, rows: Rows, args: tuple[str, ...], code: int, message: str
) -> None:
    before = dump(rows)
    refused(office("contact", "edit", "C001", "张建国", *args), code, message)
    assert dump(rows) == before


def test_contact_edit_of_an_unknown_or_gone_contact_is_refused(office: Run, rows: Rows) -> None:
    before = dump(rows)
    r = office("contact", "edit", "C001", "王五", "--left")
    refused(r, 1, "Error: C001 has no contact named '王五'")
    assert "Contacts of C001: 张建国, 李明" in r.stderr
    assert dump(rows) == before
    ok(office("contact", "edit", "C001", "张建国", "--left", "--date", "2026-11-01"))
    before = dump(rows)
    refused(
        office("contact", "edit", "C001", "张建国", "--left"),
        1,
        "Error: 张建国 already left C001 on 2026-11-01",
    )
    assert dump(rows) == before


def test_the_primary_mark_passes_over_an_operator(office: Run, rows: Rows) -> None:
    ok(office("contact", "add", "C002", "王芳"))  # the first: primary
    ok(office("contact", "add", "C002", "司机老王", "--role", "operator"))
    ok(office("contact", "add", "C002", "赵磊", "--role", "finance"))
    r = ok(office("contact", "edit", "C002", "王芳", "--left"))
    assert "  primary contact now: 赵磊\n" in r.stdout
    assert rows("SELECT name FROM contacts WHERE is_primary = 1 AND customer_id = 2") == [
        {"name": "赵磊"}
    ]
