"""The customer file: `customer add / list / show / edit / archive`.

Office fixture: C001 山东鲁建机械有限公司 (grade 1, owner 王伟, contacts 张建国 and 李明),
C002 泰安宏达建设 (grade 4, no contacts); one staff member per role.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from followup_cli.domain.customers.records import (
    add_customer,
    list_customers,
    resolve_customer,
    validate_customer,
)
from followup_cli.render.output import cell_width
from followup_cli.support.errors import Conflict, InvalidValue, NotFound

BOX = set("─━│┃┌┐└┘┏┓┗┛├┤┡┩┠┨┼╇╋═║╔╗╚╝")
CSV_HEADER = ["code", "name", "grade", "tier", "phone", "region", "industry", "owner"]


# -- helpers --------------------------------------------------------------------------


def assert_error(r, code: int, *fragments: str) -> None:
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    for fragment in fragments:
        assert fragment in r.stderr, r.stderr


def add(run, name: str, *options: str) -> None:
    r = run("customer", "add", name, *options)
    assert r.exit_code == 0, r.output


def customers(rows) -> list[dict]:
    return rows(
        "SELECT code, name, grade, phone, region, owner, archived FROM customers ORDER BY id"
    )


def one(rows, code: str) -> dict:
    (row,) = rows("SELECT * FROM customers WHERE code = ?", code)
    return row


def listed_codes(run, *options: str) -> list[str]:
    r = run("customer", "list", "--format", "json", *options)
    assert r.exit_code == 0, r.output
    return [c["code"] for c in json.loads(r.stdout)]


def pending(rows, code: str, reason: str | None = None) -> list[dict]:
    sql = (
        "SELECT id, due_on, reason, role, assignee, detail FROM callbacks"
        " WHERE status = 'pending' AND customer_id = (SELECT id FROM customers WHERE code = ?)"
    )
    params: list[str] = [code]
    if reason:
        sql += " AND reason = ?"
        params.append(reason)
    return rows(sql + " ORDER BY role, id", *params)


def callback_states(rows, ids: list[int]) -> list[dict]:
    marks = ", ".join("?" for _ in ids)
    return rows(f"SELECT status, note FROM callbacks WHERE id IN ({marks}) ORDER BY id", *ids)


def cells(line: str) -> list[str]:
    """One slot per terminal cell: a wide character fills its cell and an empty one."""
    slots: list[str] = []
    for ch in line:
        slots.append(ch)
        if cell_width(ch) == 2:
            slots.append("")
    return slots


def split_plain_table(text: str) -> list[list[str]]:
    """Cut a plain table into cells by the dash rule under its header, in terminal cells.

    Fails if a character straddles a column boundary or the gap between columns holds
    text: that is, if the columns are not aligned.
    """
    lines = text.splitlines()
    rule = lines[1]
    assert set(rule) <= {"-", " "}, rule
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", rule)]
    table = []
    for line in [lines[0], *lines[2:]]:
        slots = cells(line)
        slots += [" "] * (len(rule) - len(slots))
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert all(s == " " for s in slots[end:start]), f"misaligned: {line!r}"
        for start, _ in spans:
            assert slots[start] != "", f"a wide character straddles a column: {line!r}"
        table.append(["".join(slots[a:b]).strip() for a, b in spans])
    return table


@pytest.fixture
def book(office):
    """The office plus two customers, a contact at C002 and an archived customer."""
    add(office, "济南重工集团股份有限公司", "--code", "C003", "--grade", "2", "--region", "济南",
        "--owner", "王伟", "--phone", "0531-12345678", "--industry", "建筑施工")  # fmt: skip
    add(office, "ABC Machinery Ltd", "--code", "C004", "--grade", "5", "--region", "泰安")
    add(office, "已停业公司", "--code", "C005", "--grade", "3")
    r = office("contact", "add", "C002", "王芳", "--phone", "13700000001")
    assert r.exit_code == 0, r.output
    assert office("customer", "archive", "C005").exit_code == 0
    return office


# -- customer add -----------------------------------------------------------------------


def test_add_with_every_field(office, rows):
    r = office(
        "customer", "add", "济南重工", "--code", "C100", "--grade", "2", "--phone",
        "0531-12345678", "--region", "济南", "--industry", "建筑施工", "--owner", "王伟",
        "--department", "销售一部", "--address", "济南市历下区", "--note", "老客户",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.stdout == "Added customer C100 济南重工 (grade 2, important)\n"
    row = one(rows, "C100")
    assert {k: row[k] for k in ("name", "grade", "phone", "region", "industry", "owner")} == {
        "name": "济南重工",
        "grade": 2,
        "phone": "0531-12345678",
        "region": "济南",
        "industry": "建筑施工",
        "owner": "王伟",
    }
    assert (row["department"], row["address"], row["note"]) == (
        "销售一部",
        "济南市历下区",
        "老客户",
    )
    assert row["archived"] == 0


def test_generated_codes(initdb, rows):
    add(initdb, "甲公司")
    add(initdb, "乙公司")
    assert [c["code"] for c in customers(rows)] == ["C000001", "C000002"]


def test_generated_code_skips_codes_in_use(office, rows):
    add(office, "甲公司", "--code", "C000003")
    add(office, "乙公司")
    codes = [c["code"] for c in customers(rows)]
    assert codes[-1] != "C000003"
    assert re.fullmatch(r"C\d{6}", codes[-1])
    assert len(set(codes)) == len(codes)


def test_code_keeps_leading_zeros_as_text(initdb, rows):
    r = initdb("customer", "add", "甲公司", "--code", "007")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("Added customer 007 甲公司")
    assert rows("SELECT code, typeof(code) AS t FROM customers") == [{"code": "007", "t": "text"}]
    r = initdb("customer", "show", "007", "--format", "json")
    assert json.loads(r.stdout)["code"] == "007"


def test_default_grade_is_4_general(initdb, rows):
    r = initdb("customer", "add", "甲公司")
    assert r.stdout == "Added customer C000001 甲公司 (grade 4, general)\n"
    assert customers(rows)[0]["grade"] == 4


@pytest.mark.parametrize(
    ("given", "grade", "tier"),
    [
        ("1", 1, "core"),
        ("2", 2, "important"),
        ("3", 3, "key"),
        ("5", 5, "general"),
        ("一级", 1, "core"),
        ("二级", 2, "important"),
        ("三级", 3, "key"),
        ("四级", 4, "general"),
        ("五级", 5, "general"),
    ],
)
def test_grades(initdb, rows, given, grade, tier):
    r = initdb("customer", "add", "甲公司", "--grade", given)
    assert r.exit_code == 0, r.output
    assert r.stdout == f"Added customer C000001 甲公司 (grade {grade}, {tier})\n"
    assert customers(rows)[0]["grade"] == grade


@pytest.mark.parametrize("given", ["6", "0", "A", "六级", "1.5", ""])
def test_bad_grade_is_a_usage_error(office, rows, given):
    before = customers(rows)
    r = office("customer", "add", "甲公司", "--grade", given)
    assert_error(
        r, 2, "Invalid value for '--grade'", "expected a grade from 1 (most important) to 5"
    )
    assert customers(rows) == before


def test_duplicate_code_is_refused(office, rows):
    r = office("customer", "add", "另一家", "--code", "C001")
    assert_error(
        r,
        1,
        "Error: customer code C001 already exists (山东鲁建机械有限公司)",
        "customer edit C001",
    )
    assert [c["name"] for c in customers(rows) if c["code"] == "C001"] == ["山东鲁建机械有限公司"]
    assert len(customers(rows)) == 2


def test_full_width_code_is_the_same_code(office, rows):
    r = office("customer", "add", "另一家", "--code", "Ｃ００１")
    assert_error(r, 1, "customer code C001 already exists")
    assert len(customers(rows)) == 2


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--phone", "abc"), ("Invalid value for '--phone': 'abc' is not valid",)),
        (("--phone", "1.38E+10"), ("'1.38E+10'", "Excel", "scientific notation")),
        (("--phone", "13800138000.0"), ("Excel", "decimal")),
        (("--phone", "1234"), ("Invalid value for '--phone'",)),
        (("--code", "C 001"), ("Invalid value for '--code'", "without spaces")),
        (("--code", "1.2E+5"), ("Invalid value for '--code'", "scientific notation")),
    ],
)
def test_bad_values_are_usage_errors_and_write_nothing(office, rows, args, fragments):
    before = customers(rows)
    callbacks = rows("SELECT count(*) AS n FROM callbacks")
    r = office("customer", "add", "甲公司", *args)
    assert_error(r, 2, *fragments)
    assert customers(rows) == before
    assert rows("SELECT count(*) AS n FROM callbacks") == callbacks


@pytest.mark.parametrize("name", ["", "   ", "甲\n公司"])
def test_bad_name(office, rows, name):
    r = office("customer", "add", name)
    assert_error(r, 2, "Invalid value for 'NAME'")
    assert len(customers(rows)) == 2


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("１３８００１３８０００", "13800138000"),
        (" 0531-88886666 ", "0531-88886666"),
        ("+86 138 0013 8000", "+86 138 0013 8000"),
        ("0531-88886666 转 123", "0531-88886666 转 123"),
    ],
)
def test_phone_kept_as_text_and_normalised(initdb, rows, given, stored):
    add(initdb, "甲公司", "--phone", given)
    assert customers(rows)[0]["phone"] == stored


def test_unknown_owner_is_refused(office, rows):
    r = office("customer", "add", "甲公司", "--owner", "某人")
    assert_error(r, 1, "Error: no staff member named '某人' (owner)", "staff add")
    assert len(customers(rows)) == 2


def test_add_plans_periodic_callbacks_at_once(office, rows):
    add(office, "甲公司", "--code", "C010", "--grade", "1", "--owner", "王伟")
    visits = pending(rows, "C010", "visit")
    assert {(v["role"], v["assignee"]) for v in visits} == {
        ("account_manager", "王伟"),
        ("sales_manager", "孙丽"),
        ("marketing_director", "周杰"),
    }
    assert len(pending(rows, "C010", "yearly")) == 1


# -- customer list ----------------------------------------------------------------------


def test_list_hides_archived_and_sorts_by_grade(book):
    assert listed_codes(book) == ["C001", "C003", "C002", "C004"]


def test_list_all_includes_archived(book):
    assert listed_codes(book, "--all") == ["C001", "C003", "C005", "C002", "C004"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (("--grade", "1"), ["C001"]),
        (("--grade", "二级"), ["C003"]),
        (("--grade", "3"), []),
        (("--grade", "3", "--all"), ["C005"]),
        (("--owner", "王伟"), ["C001", "C003"]),
        (("--region", "泰安"), ["C002", "C004"]),
        (("--region", "泰安", "--grade", "5"), ["C004"]),
        (("--search", "鲁建"), ["C001"]),
        (("--search", "machinery"), ["C004"]),
        (("--search", "C00"), ["C001", "C003", "C002", "C004"]),
        (("--search", "0531-1234"), ["C003"]),
        (("--search", "王芳"), ["C002"]),
        (("--search", "13700000001"), ["C002"]),
        (("--search", "李明"), ["C001"]),
        (("--search", "%"), []),
        (("--search", "_"), []),
        (("--limit", "2"), ["C001", "C003"]),
        (("--limit", "1", "--region", "泰安"), ["C002"]),
    ],
)
def test_list_filters(book, options, expected):
    assert listed_codes(book, *options) == expected


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--grade", "9"), "Invalid value for '--grade'"),
        (("--limit", "0"), "Invalid value for '--limit'"),
        (("--format", "xml"), "Invalid value for '--format'"),
    ],
)
def test_list_bad_options(book, options, message):
    r = book("customer", "list", *options)
    assert_error(r, 2, message)
    assert r.stdout == ""


def test_list_json_keeps_types(book):
    r = book("customer", "list", "--format", "json", "--grade", "1")
    assert r.exit_code == 0, r.output
    (c,) = json.loads(r.stdout)
    assert c["code"] == "C001"
    assert c["name"] == "山东鲁建机械有限公司"
    assert c["grade"] == 1 and isinstance(c["grade"], int)
    assert isinstance(c["id"], int)
    assert c["tier"] == "core"
    assert c["archived"] is False
    assert c["phone"] == "0531-88886666"
    assert c["owner"] == "王伟"
    assert c["industry"] is None
    assert "\x1b[" not in r.stdout


def test_list_csv(book):
    r = book("customer", "list", "--format", "csv")
    assert r.exit_code == 0, r.output
    table = list(csv.reader(io.StringIO(r.stdout)))
    # the columns the table has first, then what else the JSON has (issue 15)
    assert table[0][: len(CSV_HEADER)] == CSV_HEADER
    assert "address" in table[0][len(CSV_HEADER) :]
    assert table[1][: len(CSV_HEADER)] == [
        "C001",
        "山东鲁建机械有限公司",
        "1",
        "core",
        "0531-88886666",
        "济南",
        "",
        "王伟",
    ]
    assert [row[0] for row in table[1:]] == ["C001", "C003", "C002", "C004"]


def test_list_empty(initdb):
    r = initdb("customer", "list")
    assert r.exit_code == 0, r.output
    assert r.stdout == "No customers match.\n"
    r = initdb("customer", "list", "--format", "json")
    assert json.loads(r.stdout) == []
    r = initdb("customer", "list", "--format", "csv")
    assert r.stdout == ",".join(CSV_HEADER) + "\n"


def test_list_table_off_a_terminal_is_plain_and_aligned(book):
    r = book("customer", "list")
    assert r.exit_code == 0, r.output
    assert "\x1b[" not in r.stdout
    assert not BOX & set(r.stdout)
    table = split_plain_table(r.stdout)
    assert table[0] == ["Code", "Name", "Grade", "Tier", "Phone", "Region", "Industry", "Owner"]
    assert table[1] == [
        "C001", "山东鲁建机械有限公司", "1", "core", "0531-88886666", "济南", "", "王伟",
    ]  # fmt: skip
    assert [row[:2] for row in table[2:]] == [
        ["C003", "济南重工集团股份有限公司"],
        ["C002", "泰安宏达建设"],
        ["C004", "ABC Machinery Ltd"],
    ]


# -- markup in user data ----------------------------------------------------------------

MARKUP_NAME = "[b]x[/b]"
MARKUP_REGION = "[link=http://x]y[/link]"
MARKUP_NOTE = "[red]n[/red] :smile:"


@pytest.fixture
def marked(initdb):
    add(initdb, MARKUP_NAME, "--code", "M1", "--region", MARKUP_REGION, "--note", MARKUP_NOTE)
    return initdb


def test_markup_is_verbatim_in_the_plain_table(marked):
    r = marked("customer", "list")
    assert MARKUP_NAME in r.stdout and MARKUP_REGION in r.stdout
    assert split_plain_table(r.stdout)[1][:2] == ["M1", MARKUP_NAME]


def test_markup_is_verbatim_in_the_terminal_table(marked):
    env = {"FOLLOWUP_FORCE_TERMINAL": "1", "COLUMNS": "200"}
    r = marked("customer", "list", env=env)
    assert r.exit_code == 0, r.output
    assert MARKUP_NAME in r.stdout and MARKUP_REGION in r.stdout
    r = marked("customer", "show", "M1", env=env)
    assert MARKUP_NAME in r.stdout and MARKUP_REGION in r.stdout and MARKUP_NOTE in r.stdout


def test_markup_is_verbatim_in_csv_and_json(marked):
    r = marked("customer", "list", "--format", "csv")
    table = list(csv.reader(io.StringIO(r.stdout)))
    assert table[1][1] == MARKUP_NAME and table[1][5] == MARKUP_REGION
    r = marked("customer", "list", "--format", "json")
    (c,) = json.loads(r.stdout)
    assert (c["name"], c["region"], c["note"]) == (MARKUP_NAME, MARKUP_REGION, MARKUP_NOTE)


def test_markup_is_verbatim_in_show(marked):
    r = marked("customer", "show", "M1")
    assert r.stdout.splitlines()[0] == MARKUP_NAME
    assert MARKUP_REGION in r.stdout and MARKUP_NOTE in r.stdout


# -- customer show ----------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["C001", "1", "山东鲁建机械有限公司", " C001 ", "Ｃ００１"])
def test_show_by_code_id_or_exact_name(office, ref):
    r = office("customer", "show", ref, "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["code"], data["name"], data["grade"]) == ("C001", "山东鲁建机械有限公司", 1)


def test_show_lists_contacts_and_pending_callbacks(office):
    r = office("customer", "show", "C001", "--format", "json")
    data = json.loads(r.stdout)
    assert [(c["name"], c["primary"]) for c in data["contacts"]] == [
        ("李明", True),
        ("张建国", False),
    ]
    reasons = {c["reason"] for c in data["pending_callbacks"]}
    assert {"visit", "yearly"} <= reasons
    assert data["events"] == [] and data["calls"] == [] and data["tickets"] == []


def test_show_table(office):
    r = office("customer", "show", "C001")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "山东鲁建机械有限公司"
    assert "  Code        C001" in lines
    assert "  Grade       1 (core)" in lines
    assert "  Owner       王伟" in lines
    assert "  Status      active" in lines
    assert "Contacts" in lines and "Pending callbacks" in lines
    assert "Recent events: none" in lines
    assert "\x1b[" not in r.stdout and not BOX & set(r.stdout)


def test_same_name_twice_lists_both_codes(office, rows):
    add(office, "泰安宏达建设", "--code", "C009", "--allow-duplicate-name")
    r = office("customer", "show", "泰安宏达建设")
    assert_error(
        r, 1, "Error: 2 customers are named '泰安宏达建设': C002 泰安宏达建设; C009 泰安宏达建设",
        "by code",
    )  # fmt: skip
    assert r.stdout == ""


def test_unknown_customer(office):
    r = office("customer", "show", "没有这家")
    assert_error(r, 1, "Error: no customer matches '没有这家' (by code, id or exact name)")


def test_unknown_customer_suggests_similar_names(office):
    r = office("customer", "show", "鲁建")
    assert_error(r, 1, "no customer matches '鲁建'", "Did you mean: C001 山东鲁建机械有限公司?")


# -- customer edit ----------------------------------------------------------------------


def test_edit_changes_fields(office, rows):
    r = office("customer", "edit", "C002", "--region", "济宁", "--industry", "矿山", "--note", "x")
    assert r.exit_code == 0, r.output
    assert r.stdout == "Updated C002 泰安宏达建设: industry, note, region\n"
    row = one(rows, "C002")
    assert (row["region"], row["industry"], row["note"]) == ("济宁", "矿山", "x")
    assert row["phone"] == "13800138000"  # untouched


def test_edit_with_an_empty_value_clears_an_optional_field(office, rows):
    r = office("customer", "edit", "C001", "--region", "", "--phone", "")
    assert r.exit_code == 0, r.output
    row = one(rows, "C001")
    assert (row["region"], row["phone"]) == (None, None)
    assert row["owner"] == "王伟"


def test_edit_name_and_code(office, rows):
    r = office("customer", "edit", "C002", "--name", "泰安宏达建设集团", "--code", "TA-01")
    assert r.exit_code == 0, r.output
    assert r.stdout == "Updated TA-01 泰安宏达建设集团: code, name\n"
    assert one(rows, "TA-01")["name"] == "泰安宏达建设集团"


def test_edit_without_a_change(office):
    r = office("customer", "edit", "C002", "--region", "泰安")
    assert r.exit_code == 0, r.output
    assert r.stdout == "No change to C002 泰安宏达建设\n"


def test_edit_needs_a_field(office):
    r = office("customer", "edit", "C002")
    assert_error(r, 2, "give at least one field to change")


def test_edit_cannot_clear_the_name(office, rows):
    r = office("customer", "edit", "C002", "--name", "")
    assert_error(r, 2, "Invalid value for '--name'")
    assert one(rows, "C002")["name"] == "泰安宏达建设"


def test_edit_to_a_code_in_use_is_refused(office, rows):
    r = office("customer", "edit", "C002", "--code", "C001")
    assert_error(r, 1, "customer code C001 already exists")
    assert [c["code"] for c in customers(rows)] == ["C001", "C002"]


def test_edit_unknown_owner_changes_nothing(office, rows):
    before = customers(rows)
    r = office("customer", "edit", "C002", "--owner", "某人", "--region", "济宁")
    assert_error(r, 1, "no staff member named '某人'")
    assert customers(rows) == before


def test_edit_bad_grade_changes_nothing(office, rows):
    r = office("customer", "edit", "C002", "--grade", "6")
    assert_error(r, 2, "Invalid value for '--grade'")
    assert one(rows, "C002")["grade"] == 4


def test_edit_unknown_customer(office):
    r = office("customer", "edit", "C999", "--region", "济宁")
    assert_error(r, 1, "no customer matches 'C999'")


def test_edit_grade_replans_visits(office, rows):
    before = pending(rows, "C002", "visit")
    assert {(v["role"], v["detail"]) for v in before} == {
        ("account_manager", "account_manager visit (every 1m)"),
        ("sales_manager", "sales_manager visit (every 2m)"),
        ("marketing_director", "marketing_director visit (every 1y)"),
    }
    yearly = pending(rows, "C002", "yearly")
    r = office("customer", "edit", "C002", "--grade", "1")
    assert r.exit_code == 0, r.output
    assert r.stdout == "Updated C002 泰安宏达建设: grade\n"
    after = {v["role"]: v for v in pending(rows, "C002", "visit")}
    assert {role: v["detail"] for role, v in after.items()} == {
        "account_manager": "account_manager visit (every 3d)",
        "sales_manager": "sales_manager visit (every 1w)",
        # (a grade 1 customer: seed 001 拜访礼节, company materials and a keepsake)
        "marketing_director": "marketing_director visit (every 1m);"
        " etiquette: bring company materials, a modest keepsake",
    }
    # the first visit falls within one new interval of today (2026-11-23)
    assert "2026-11-23" <= after["account_manager"]["due_on"] <= "2026-11-25"
    assert "2026-11-23" <= after["sales_manager"]["due_on"] <= "2026-11-30"
    assert "2026-11-23" <= after["marketing_director"]["due_on"] <= "2026-12-23"
    old = callback_states(rows, [v["id"] for v in before])
    assert old == [{"status": "cancelled", "note": "replanned"}] * 3
    assert pending(rows, "C002", "yearly") == yearly


def test_edit_owner_moves_the_account_manager_visits(office, rows):
    assert office("staff", "add", "马超", "--role", "account_manager").exit_code == 0
    r = office("customer", "edit", "C001", "--owner", "马超")
    assert r.exit_code == 0, r.output
    visits = pending(rows, "C001", "visit")
    assert [v["assignee"] for v in visits if v["role"] == "account_manager"] == ["马超"]


# -- customer archive -------------------------------------------------------------------


def test_archive_cancels_pending_callbacks_and_hides(office, rows):
    ids = [c["id"] for c in pending(rows, "C001")]
    assert ids
    r = office("customer", "archive", "C001")
    assert r.exit_code == 0, r.output
    assert r.stdout == "Archived C001 山东鲁建机械有限公司\n"
    assert one(rows, "C001")["archived"] == 1
    assert pending(rows, "C001") == []
    statuses = callback_states(rows, ids)
    assert statuses == [{"status": "cancelled", "note": "customer archived"}] * len(ids)
    assert listed_codes(office) == ["C002"]
    assert listed_codes(office, "--all") == ["C001", "C002"]
    assert pending(rows, "C002") != []  # the other customer keeps its plan


def test_archived_customer_can_still_be_shown(office):
    office("customer", "archive", "C001")
    r = office("customer", "show", "C001")
    assert r.exit_code == 0, r.output
    assert "  Status      archived" in r.stdout.splitlines()


def test_restore_brings_the_customer_back(office, rows):
    office("customer", "archive", "C001")
    r = office("customer", "archive", "C001", "--restore")
    assert r.exit_code == 0, r.output
    assert r.stdout == "Restored C001 山东鲁建机械有限公司\n"
    assert one(rows, "C001")["archived"] == 0
    assert listed_codes(office) == ["C001", "C002"]
    assert {c["reason"] for c in pending(rows, "C001")} >= {"visit", "yearly"}


def test_archive_unknown_customer(office, rows):
    r = office("customer", "archive", "C999")
    assert_error(r, 1, "no customer matches 'C999'")
    assert [c["archived"] for c in customers(rows)] == [0, 0]


# -- domain -----------------------------------------------------------------------------


def test_domain_add_resolve_list(office, session):
    s = session()
    data = validate_customer({"name": "甲公司", "grade": "二级", "phone": "１３９ ０００"})
    assert (data.grade, data.phone) == (2, "139 000")
    customer = add_customer(s, data)
    assert customer.code == "C000003" and customer.tier == "important"
    assert resolve_customer(s, "甲公司").id == customer.id
    assert resolve_customer(s, str(customer.id)).code == "C000003"
    assert [c.code for c in list_customers(s, grade=2)] == ["C000003"]
    assert [c.code for c in list_customers(s, search="张建国")] == ["C001"]
    with pytest.raises(Conflict):
        add_customer(s, validate_customer({"name": "乙", "code": "C001"}))


def test_domain_errors(office, session):
    s = session()
    add_customer(
        s, validate_customer({"name": "泰安宏达建设", "code": "C010"}), allow_duplicate_name=True
    )
    with pytest.raises(NotFound, match="2 customers are named"):
        resolve_customer(s, "泰安宏达建设")
    with pytest.raises(InvalidValue) as caught:
        validate_customer({"name": "甲", "phone": "1.38E+10"})
    assert caught.value.field == "phone"
    with pytest.raises(InvalidValue):
        validate_customer({"name": "甲", "grade": "6"})


# -- one name, one customer (issue 14 item 9) -------------------------------------------

SAME_NAME_HINT = (
    "Use that customer (`followup customer show C001`); if this is another company with the"
    " same name, repeat the command with --allow-duplicate-name."
)


@pytest.mark.parametrize(
    "name",
    [
        "山东鲁建机械有限公司",
        "山东鲁建机械有限公司 ",
        " 山东鲁建 机械有限公司",
        "山东鲁建机械有限公司\u3000",
    ],
)
def test_add_a_name_another_customer_has_is_refused_with_its_code(office, rows, name):
    before = rows("SELECT * FROM customers ORDER BY id")
    planned = rows("SELECT count(*) AS n FROM callbacks")
    r = office("customer", "add", name, "--grade", "2")
    assert r.exit_code == 1, r.output
    assert r.exception is None
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        f"Error: a customer named '{name.strip()}' already exists: C001",
        SAME_NAME_HINT,
    ]
    assert rows("SELECT * FROM customers ORDER BY id") == before
    assert rows("SELECT count(*) AS n FROM callbacks") == planned


def test_add_a_full_width_variant_of_a_name_is_refused(office, rows):
    add(office, "ABC机械(济南)有限公司", "--code", "C010")
    r = office("customer", "add", "ＡＢＣ机械（济南）有限公司")
    assert_error(r, 1, "already exists: C010")
    assert [c["code"] for c in customers(rows)] == ["C001", "C002", "C010"]


def test_add_a_duplicate_name_with_the_flag_is_accepted(office, rows):
    r = office(
        "customer", "add", "山东鲁建机械有限公司", "--code", "C009", "--allow-duplicate-name"
    )
    assert r.exit_code == 0, r.output
    assert r.stdout == "Added customer C009 山东鲁建机械有限公司 (grade 4, general)\n"
    assert [c["name"] for c in customers(rows)].count("山东鲁建机械有限公司") == 2


def test_edit_to_a_name_another_customer_has_is_refused(office, rows):
    before = rows("SELECT * FROM customers ORDER BY id")
    r = office("customer", "edit", "C002", "--name", "山东鲁建机械有限公司 ", "--region", "济宁")
    assert r.exit_code == 1, r.output
    assert r.stderr.splitlines() == [
        "Error: a customer named '山东鲁建机械有限公司' already exists: C001",
        SAME_NAME_HINT,
    ]
    assert rows("SELECT * FROM customers ORDER BY id") == before
    r = office(
        "customer", "edit", "C002", "--name", "山东鲁建机械有限公司", "--allow-duplicate-name"
    )
    assert r.exit_code == 0, r.output
    assert one(rows, "C002")["name"] == "山东鲁建机械有限公司"
    # The edit keys the new name too: a third one is refused naming both holders.
    r = office("customer", "add", "山东鲁建机械有限公司")
    assert r.exit_code == 1, r.output
    assert "already exists: C001, C002" in r.stderr


def test_edit_respacing_a_customers_own_name_is_not_a_duplicate(office, rows):
    r = office("customer", "edit", "C002", "--name", "泰安 宏达建设")
    assert r.exit_code == 0, r.output
    assert r.stdout == "Updated C002 泰安 宏达建设: name\n"


def test_domain_same_name_and_name_key(office, session):
    from followup_cli.domain.customers.names import name_key
    from followup_cli.domain.customers.records import same_name

    s = session()
    assert name_key(" 山东鲁建 机械有限公司\u3000") == name_key("山东鲁建机械有限公司")
    assert name_key("ＳＡＮＹ（济南）") == name_key("sany(济南)")
    assert name_key("泰安宏达建设集团") != name_key("泰安宏达建设")
    assert same_name(s.conn, "山东鲁建机械有限公司 ") == ["C001"]
    c001 = resolve_customer(s, "C001")
    assert same_name(s.conn, "山东鲁建机械有限公司", other_than=c001.id) == []
    with pytest.raises(Conflict, match="already exists: C002"):
        add_customer(s, validate_customer({"name": "泰安宏达建设"}))


# -- unreachable (issue 14 item 10) -----------------------------------------------------------


def test_show_says_a_customer_is_unreachable_and_why(office, rows):
    for at in ("09:00", "10:00", "11:00"):
        r = office(
            "log-call", "C002", "-o", "no-answer", "--by", "李娜", "--at", f"2026-11-23 {at}"
        )
        assert r.exit_code == 0, r.output
    r = office("customer", "show", "C002")
    assert r.exit_code == 0, r.output
    assert (
        "Status      unreachable: the last 3 calls did not reach the customer;"
        " check the phone numbers"
    ) in r.stdout
    data = json.loads(office("customer", "show", "C002", "--format", "json").stdout)
    assert (data["unreachable"], data["failed_calls_in_a_row"]) == (True, 3)
    r = office("log-call", "C002", "-o", "reached", "--by", "李娜", "--at", "2026-11-23 15:00")
    assert r.exit_code == 0, r.output
    assert "Status      active" in office("customer", "show", "C002").stdout
    data = json.loads(office("customer", "show", "C002", "--format", "json").stdout)
    assert (data["unreachable"], data["failed_calls_in_a_row"]) == (False, 0)
