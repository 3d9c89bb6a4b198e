"""Staff: `staff add` / `staff list`, roles, duplicates, and what a new member takes on."""

from __future__ import annotations

import csv
import io
import json

import pytest

from followup_cli.domain.staff.records import add_staff, get_staff, list_staff, validate_staff
from followup_cli.support.errors import Conflict

ROLES = (
    "clerk, service, service_supervisor, service_manager, account_manager, sales_manager, "
    "branch_gm, marketing_director, regional_manager, deputy_gm, gm"
)


def assert_error(r, code: int, *fragments: str) -> None:
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    for fragment in fragments:
        assert fragment in r.stderr, r.stderr


def staff_rows(rows) -> list[dict]:
    return rows("SELECT name, role, department, phone, active FROM staff ORDER BY id")


def test_add_with_every_field(initdb, rows):
    r = initdb(
        "staff", "add", "王伟", "--role", "account_manager", "--department", "销售部",
        "--phone", "13800138001",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.stdout == "Added staff 王伟 (account_manager)\n"
    assert staff_rows(rows) == [
        {
            "name": "王伟",
            "role": "account_manager",
            "department": "销售部",
            "phone": "13800138001",
            "active": 1,
        }
    ]


def test_role_spelling_is_normalised(initdb, rows):
    r = initdb("staff", "add", "刘洋", "--role", "Service-Manager")
    assert r.exit_code == 0, r.output
    assert rows("SELECT role FROM staff") == [{"role": "service_manager"}]


def test_unknown_role_is_a_usage_error_listing_the_roles(initdb, rows):
    r = initdb("staff", "add", "王伟", "--role", "boss")
    assert_error(r, 2, "Invalid value for '--role'", "'boss' is not valid", ROLES)
    assert staff_rows(rows) == []


def test_missing_role_is_a_usage_error(initdb, rows):
    r = initdb("staff", "add", "王伟")
    assert_error(r, 2, "Missing option '--role'")
    assert staff_rows(rows) == []


def test_duplicate_name_is_refused(initdb, rows):
    assert initdb("staff", "add", "王伟", "--role", "account_manager").exit_code == 0
    r = initdb("staff", "add", "王伟", "--role", "service")
    assert_error(
        r, 1, "Error: a staff member named '王伟' already exists", "Staff names are unique"
    )
    assert [s["role"] for s in staff_rows(rows)] == ["account_manager"]


def test_duplicate_name_with_outer_spaces_is_refused(initdb, rows):
    assert initdb("staff", "add", "王伟", "--role", "account_manager").exit_code == 0
    r = initdb("staff", "add", " 王伟 ", "--role", "service")
    assert_error(r, 1, "a staff member named '王伟' already exists")
    assert len(staff_rows(rows)) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--phone", "abc"), "Invalid value for '--phone'"),
        (("--phone", "1.38E+10"), "scientific notation"),
    ],
)
def test_bad_phone_writes_nothing(initdb, rows, args, message):
    r = initdb("staff", "add", "王伟", "--role", "clerk", *args)
    assert_error(r, 2, message)
    assert staff_rows(rows) == []


def test_empty_name_writes_nothing(initdb, rows):
    r = initdb("staff", "add", "  ", "--role", "clerk")
    assert_error(r, 2, "cannot be empty")
    assert staff_rows(rows) == []


def test_list_table_sorted_by_role_then_name(office):
    r = office("staff", "list")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["Name", "Role", "Department", "Phone"]
    roles = [line.split()[1] for line in lines[2:]]
    assert roles == sorted(roles)
    assert len(roles) == 8
    assert "\x1b[" not in r.stdout


def test_list_role_filter_and_json(office):
    r = office("staff", "list", "--role", "service", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [(m["name"], m["role"]) for m in data] == [("赵强", "service")]
    assert isinstance(data[0]["id"], int)
    assert data[0]["active"] is True


def test_list_csv(office):
    r = office("staff", "list", "--format", "csv")
    assert r.exit_code == 0, r.output
    table = list(csv.reader(io.StringIO(r.stdout)))
    # the table's columns, then what the JSON has besides (issue 15)
    assert table[0] == ["name", "role", "department", "phone", "id", "email", "active"]
    assert ["吴刚", "gm", "", ""] in [row[:4] for row in table]
    assert len(table) == 9


def test_list_when_empty(initdb):
    r = initdb("staff", "list")
    assert r.exit_code == 0, r.output
    assert r.stdout == "No staff yet: add them with `followup staff add`.\n"


def test_staff_add_before_init(run, db_path):
    r = run("staff", "add", "王伟", "--role", "clerk")
    assert_error(r, 1, f"no database at {db_path}", "followup init")


def test_a_new_staff_member_gets_the_visits_of_their_role(initdb, rows):
    """Visit rules plan nothing for a role nobody holds; adding someone plans them."""
    assert initdb("customer", "add", "山东鲁建", "--code", "C001", "--grade", "1").exit_code == 0
    visits = "SELECT role, assignee FROM callbacks WHERE reason = 'visit' AND status = 'pending'"
    assert rows(visits) == []
    assert initdb("staff", "add", "孙丽", "--role", "sales_manager").exit_code == 0
    assert rows(visits) == [{"role": "sales_manager", "assignee": "孙丽"}]


def test_a_new_clerk_takes_unassigned_callbacks(initdb, rows):
    assert initdb("customer", "add", "山东鲁建", "--code", "C001", "--grade", "4").exit_code == 0
    yearly = "SELECT assignee FROM callbacks WHERE reason = 'yearly' AND status = 'pending'"
    assert rows(yearly) == [{"assignee": None}]
    assert initdb("staff", "add", "李娜", "--role", "clerk").exit_code == 0
    assert rows(yearly) == [{"assignee": "李娜"}]


def test_domain_functions(initdb, session):
    s = session()
    member = add_staff(s, validate_staff(s, "陈静", "service_supervisor", "服务部", None))
    assert (member.name, member.role, member.department) == ("陈静", "service_supervisor", "服务部")
    with pytest.raises(Conflict):
        add_staff(s, validate_staff(s, "陈静", "clerk"))
    assert [m.name for m in list_staff(s, "service_supervisor")] == ["陈静"]
    assert get_staff(s.conn, " 陈静 ").role == "service_supervisor"


# -- picking who takes the work: one rule for the planner, tickets, escalation, warnings --


def test_the_roster_picks_the_same_department_first_then_spreads(session) -> None:
    from followup_cli.domain.staff.roster import Roster, pick_staff

    s = session()
    for name, role, department in (
        ("甲", "service", "济南"),
        ("乙", "service", "泰安"),
        ("丙", "service", "泰安"),
        ("丁", "gm", None),
    ):
        s.conn.execute(
            "INSERT INTO staff (name, role, department, created_at, updated_at)"
            " VALUES (?, ?, ?, 'x', 'x')",
            (name, role, department),
        )
    roster = Roster.load(s.conn)
    assert [roster.pick("service", "泰安", n) for n in range(4)] == ["乙", "丙", "乙", "丙"]
    assert [roster.pick("service", "济南", n) for n in range(2)] == ["甲", "甲"]
    assert [roster.pick("service", "青岛", n) for n in range(3)] == ["甲", "乙", "丙"]
    assert [roster.pick("service", None, n) for n in range(3)] == ["甲", "乙", "丙"]
    assert roster.pick("clerk", "泰安") is None and roster.pick(None) is None
    assert roster.has("gm") and not roster.has("clerk")
    for role, department, spread in (("service", "泰安", 1), ("gm", "济南", 0), ("clerk", None, 0)):
        assert pick_staff(s.conn, role, department, spread) == roster.pick(role, department, spread)
    s.conn.execute("UPDATE staff SET active = 0 WHERE name = '乙'")
    assert Roster.load(s.conn).pick("service", "泰安", 0) == "丙"
