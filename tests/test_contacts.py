"""Contacts: `contact add` / `contact list`, the primary contact, and bad contact data.

Office fixture: C001 has 张建国 (decision-maker, added first) and 李明 (operator, added
with --primary); C002 has no contacts.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from followup_cli.domain.contacts.records import add_contact, list_contacts, validate_contact
from followup_cli.support.errors import Conflict, InvalidValue

COLUMNS = "name, role, phone, wechat, email, birthday, is_primary"


def assert_error(r, code: int, *fragments: str) -> None:
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    for fragment in fragments:
        assert fragment in r.stderr, r.stderr


def contacts_of(rows, code: str) -> list[dict]:
    return rows(
        f"SELECT {COLUMNS} FROM contacts WHERE customer_id ="
        " (SELECT id FROM customers WHERE code = ?) ORDER BY id",
        code,
    )


def count(rows) -> int:
    return rows("SELECT count(*) AS n FROM contacts")[0]["n"]


def test_add_with_every_field(office, rows):
    r = office(
        "contact", "add", "C002", "王芳", "--role", "purchaser", "--phone", "13905380001",
        "--wechat", "wangfang_ta", "--email", "wf@hongda.cn", "--birthday", "1980-05-17",
        "--primary",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.stdout == "Added contact 王芳 (purchaser, primary) to C002 泰安宏达建设\n"
    assert contacts_of(rows, "C002") == [
        {
            "name": "王芳",
            "role": "purchaser",
            "phone": "13905380001",
            "wechat": "wangfang_ta",
            "email": "wf@hongda.cn",
            "birthday": "1980-05-17",
            "is_primary": 1,
        }
    ]


@pytest.mark.parametrize(
    ("given", "stored"),
    [("05-17", "05-17"), ("1980/05/17", "1980-05-17"), ("1980年5月17日", "1980-05-17")],
)
def test_birthday_full_date_or_month_day(office, rows, given, stored):
    r = office("contact", "add", "C002", "王芳", "--birthday", given)
    assert r.exit_code == 0, r.output
    assert contacts_of(rows, "C002")[0]["birthday"] == stored


def test_first_contact_becomes_primary(office, rows):
    r = office("contact", "add", "C002", "王芳")
    assert r.exit_code == 0, r.output
    assert r.stdout == "Added contact 王芳 (other, primary) to C002 泰安宏达建设\n"
    r = office("contact", "add", "C002", "赵磊", "--role", "finance")
    assert r.stdout == "Added contact 赵磊 (finance) to C002 泰安宏达建设\n"
    assert [(c["name"], c["role"], c["is_primary"]) for c in contacts_of(rows, "C002")] == [
        ("王芳", "other", 1),
        ("赵磊", "finance", 0),
    ]


def test_primary_moves_to_the_new_contact(office, rows):
    # the office fixture added 张建国 first, then 李明 with --primary
    assert [(c["name"], c["is_primary"]) for c in contacts_of(rows, "C001")] == [
        ("张建国", 0),
        ("李明", 1),
    ]
    r = office("contact", "add", "C001", "王刚", "--primary")
    assert r.exit_code == 0, r.output
    assert [(c["name"], c["is_primary"]) for c in contacts_of(rows, "C001")] == [
        ("张建国", 0),
        ("李明", 0),
        ("王刚", 1),
    ]
    # the other customer's primary is untouched
    office("contact", "add", "C002", "王芳")
    assert [c["is_primary"] for c in contacts_of(rows, "C001")] == [0, 0, 1]


def test_a_birthday_within_the_horizon_is_planned_at_once(office, rows):
    """Like `customer add` and `import contacts`, adding a contact plans its greeting:
    2026-12-10 is a Thursday, 17 days after today, within the 45-day horizon."""
    assert office("due").exit_code == 0  # today's roll-forward has run
    r = office("contact", "add", "C002", "王芳", "--birthday", "12-10")
    assert r.exit_code == 0, r.output
    planned = rows(
        "SELECT cb.due_on, cb.status FROM callbacks cb JOIN contacts ct ON ct.id = cb.contact_id"
        " WHERE cb.reason = 'birthday' AND ct.name = '王芳'"
    )
    assert planned == [{"due_on": "2026-12-10", "status": "pending"}]


def test_contact_by_customer_name(office, rows):
    r = office("contact", "add", "泰安宏达建设", "王芳")
    assert r.exit_code == 0, r.output
    assert [c["name"] for c in contacts_of(rows, "C002")] == ["王芳"]


def test_full_width_phone_is_normalised(office, rows):
    r = office("contact", "add", "C002", "王芳", "--phone", "１３８００１３８０００")
    assert r.exit_code == 0, r.output
    assert contacts_of(rows, "C002")[0]["phone"] == "13800138000"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--email", "not-an-email"), 2, "Invalid value for '--email': 'not-an-email'"),
        (("--phone", "abc"), 2, "Invalid value for '--phone': 'abc'"),
        (("--phone", "1.38E+10"), 2, "Excel turned into scientific notation"),
        (("--role", "boss"), 2, "Invalid value for '--role': 'boss' is not valid; expected one"),
        (("--birthday", "13-01"), 65, "birthday: '13-01' is not valid"),
        (("--birthday", "02-30"), 65, "birthday: '02-30' is not valid"),
        (("--birthday", "1980-13-01"), 65, "birthday: '1980-13-01' is not valid"),
        (("--birthday", "yesterday"), 65, "birthday: 'yesterday' is not valid"),
    ],
)
def test_bad_contact_data_writes_nothing(office, rows, args, code, message):
    before = count(rows)
    r = office("contact", "add", "C002", "王芳", *args)
    assert_error(r, code, message)
    assert count(rows) == before
    assert contacts_of(rows, "C002") == []


def test_unknown_role_lists_the_roles(office):
    r = office("contact", "add", "C002", "王芳", "--role", "boss")
    assert_error(
        r, 2, "person-in-charge, decision-maker, influencer, supervisor, purchaser, operator"
    )


def test_bad_birthday_says_what_is_expected(office):
    r = office("contact", "add", "C002", "王芳", "--birthday", "13-01")
    assert_error(r, 65, "expected a date like 1980-05-17, or a month and day like 05-17")


def test_duplicate_contact_for_the_same_customer(office, rows):
    r = office("contact", "add", "C001", "张建国", "--phone", "13900000000")
    assert_error(r, 1, "Error: this customer already has a contact named '张建国'")
    assert [c["phone"] for c in contacts_of(rows, "C001") if c["name"] == "张建国"] == [
        "13905310001"
    ]
    assert count(rows) == 2


def test_same_contact_name_at_another_customer_is_fine(office, rows):
    r = office("contact", "add", "C002", "张建国")
    assert r.exit_code == 0, r.output
    assert count(rows) == 3


def test_unknown_customer(office, rows):
    r = office("contact", "add", "C999", "王芳")
    assert_error(r, 1, "Error: no customer matches 'C999'")
    assert count(rows) == 2


def test_primary_flag_is_a_switch_not_a_value(office, rows):
    r = office("contact", "add", "C002", "王芳", "--primary", "yes")
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert count(rows) == 2


# -- contact list -----------------------------------------------------------------------


def test_list_one_customer_primary_first(office):
    r = office("contact", "list", "C001", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [(c["name"], c["primary"]) for c in data] == [("李明", True), ("张建国", False)]
    assert data[1]["role"] == "decision-maker"
    assert data[1]["phone"] == "13905310001"
    assert data[1]["customer_code"] == "C001"
    assert isinstance(data[0]["id"], int)


def test_list_all_customers(office):
    office("contact", "add", "C002", "王芳", "--birthday", "05-17")
    r = office("contact", "list", "--format", "csv")
    assert r.exit_code == 0, r.output
    table = list(csv.reader(io.StringIO(r.stdout)))
    assert table[0] == [
        "customer_code",
        "customer_name",
        "name",
        "role",
        "phone",
        "wechat",
        "email",
        "birthday",
        "primary",
        "left_on",  # the day they left the customer (issue 18)
        "id",  # what the JSON has besides, at the end (issue 15)
        "customer_id",
        "erased",  # personal data erased (issue 22)
    ]
    assert [(row[0], row[2]) for row in table[1:]] == [
        ("C001", "李明"),
        ("C001", "张建国"),
        ("C002", "王芳"),
    ]
    assert table[3][7] == "05-17"


def test_list_table_is_plain(office):
    r = office("contact", "list", "C001")
    assert r.exit_code == 0, r.output
    assert "\x1b[" not in r.stdout
    assert not set("─│┏┃━┗┡┩└┘┌┐") & set(r.stdout)
    assert "李明" in r.stdout and "张建国" in r.stdout


def test_list_archived_customers_are_left_out_of_the_full_list(office):
    assert office("customer", "archive", "C001").exit_code == 0
    r = office("contact", "list", "--format", "json")
    assert json.loads(r.stdout) == []
    r = office("contact", "list", "C001", "--format", "json")
    assert len(json.loads(r.stdout)) == 2


def test_list_without_contacts(office):
    r = office("contact", "list", "C002")
    assert r.exit_code == 0, r.output
    assert r.stdout == "No contacts.\n"


def test_list_unknown_customer(office):
    r = office("contact", "list", "nobody")
    assert_error(r, 1, "no customer matches 'nobody'")


# -- domain -----------------------------------------------------------------------------


def test_domain_add_and_list(office, session):
    s = session()
    data = validate_contact(s, "王芳", role="finance", birthday="02-29")
    contact = add_contact(s, "C002", data)
    assert (contact.name, contact.role, contact.birthday, contact.primary) == (
        "王芳",
        "finance",
        "02-29",
        True,
    )
    with pytest.raises(Conflict):
        add_contact(s, "C002", validate_contact(s, "王芳"))
    assert [c.name for c in list_contacts(s, "C002")] == ["王芳"]


def test_domain_validation_names_the_field(office, session):
    s = session()
    with pytest.raises(InvalidValue) as caught:
        validate_contact(s, "王芳", email="x@")
    assert caught.value.field == "email"
    with pytest.raises(InvalidValue) as caught:
        validate_contact(s, "王芳", birthday="13-01")
    assert caught.value.field == "birthday"
