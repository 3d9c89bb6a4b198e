"""Personal data as China's PIPL expects (issue 22), through the CLI and the domain.

`contact erase` / `customer erase`: the erased values appear nowhere afterwards — not in
the database file's bytes nor its WAL, not in exports or any screen; reports give the
same figures; erasing twice is a clear no-op; an unknown --by is refused and nothing is
written. `db prune` erases customers archived past `privacy.retain_archived_years`.
`export --redact` masks phones, WeChat ids and emails inside free text too.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from assertions import ok, refused
from conftest import open_db, sqlite_only
from followup_cli.domain.privacy.redaction import mask_free_text
from followup_cli.domain.privacy.scrub import Replacement, matcher, replaced

NAME = "张建国"
PHONE = "13905310001"
WECHAT = "zjg_8888"
EMAIL = "zjg.boss@example.cn"
SECRETS = (NAME, PHONE, WECHAT, EMAIL)


@pytest.fixture
def scene(office):
    """The small office, where 张建国 (C001's decision-maker) is named everywhere: his
    WeChat, email and birthday, the event he is the contact of, a call to him whose note
    names him and gives his number, a complaint whose details and history name him."""
    ok(office("contact", "add", "C001", "王芳", "--role", "purchaser", "--phone", "13905310003"))
    run = office
    ok(
        run(
            "event",
            "add",
            "C001",
            "--kind",
            "service",
            "--date",
            "2026-11-20",
            "--ref",
            "WO-8812",
            "--result",
            f"fixed; {NAME} signed",
            "--contact",
            NAME,
        )
    )
    ok(
        run(
            "log-call",
            "C001",
            "--outcome",
            "reached",
            "--contact",
            NAME,
            "--satisfaction",
            "2",
            "--note",
            f"{NAME}说液压有异响，回电 139 0531 0001，微信 {WECHAT}，邮箱 {EMAIL}",
        )
    )
    ok(
        run(
            "ticket",
            "open",
            "C001",
            "--summary",
            "液压异响",
            "--category",
            "product.failure",
            "--details",
            f"{NAME}({PHONE})反映挖机液压异响",
        )
    )
    ok(run("ticket", "note", "1", f"已电话联系{NAME}"))
    return run


def file_bytes(db_path: Path) -> bytes:
    if not isinstance(db_path, Path):
        pytest.skip("SQLite only: the erased values' bytes in the database file and its WAL")
    data = db_path.read_bytes()
    wal = Path(f"{db_path}-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def found_in(data: bytes | str, values=SECRETS) -> list[str]:
    blob = data if isinstance(data, bytes) else data.encode("utf-8")
    return [v for v in values if v.encode("utf-8") in blob]


def set_contact(db_path: Path, name: str, **values: str) -> None:
    """Test set-up only: give an office contact more personal fields (the CLI's
    `contact add` is what the office used; editing those fields is not a command)."""
    conn = open_db(db_path)
    try:
        for column, value in values.items():
            conn.execute(f"UPDATE contacts SET {column} = ? WHERE name = ?", (value, name))
        conn.commit()
    finally:
        conn.close()


@pytest.fixture
def office_with_him(scene, db_path):
    set_contact(db_path, NAME, wechat=WECHAT, email=EMAIL, birthday="1970-11-30")
    ok(scene("due"))  # the day's roll plans his birthday greeting (11-30)
    return scene


def figures(run) -> dict[str, object]:
    """What the reports count, names left out."""
    sat = json.loads(
        ok(run("report", "satisfaction", "--from", "2026-11-01", "--format", "json")).stdout
    )
    complaints = json.loads(ok(run("report", "complaints", "--format", "json")).stdout)
    staff = json.loads(ok(run("report", "staff", "--format", "json")).stdout)

    def numbers(value: object) -> object:
        if isinstance(value, dict):
            # (Callbacks the erasure cancels, his birthday greeting, an erased customer's
            # pending ones, leave the workload counts: pending work, not what happened.)
            return {
                k: numbers(v)
                for k, v in value.items()
                if "name" not in k and k not in ("assigned", "overdue_now", "on_time_pct")
            }
        if isinstance(value, list):
            return [numbers(v) for v in value]
        return value if isinstance(value, int | float | bool) or value is None else "-"

    return {
        "satisfaction": numbers(sat),
        "complaints": numbers(complaints),
        "staff": numbers(staff),
    }


def every_output(run) -> str:
    outputs = [
        run("customer", "show", "C001", "--format", "json"),
        run("customer", "show", "C001"),
        run("contact", "list", "--format", "json"),
        run("customer", "list", "--all", "--format", "json"),
        run("due", "--format", "json", "--days", "30"),
        run("ticket", "show", "1", "--format", "json"),
        run("ticket", "list", "--status", "all", "--format", "json"),
        *(run("export", kind, "--format", "json") for kind in (
            "customers", "contacts", "events", "calls", "tickets", "callbacks")),
        run("report", "daily", "--format", "json"),
    ]  # fmt: skip
    for r in outputs:
        ok(r)
    return "\n".join(r.output for r in outputs)


# -- contact erase ------------------------------------------------------------------------


def test_erased_values_are_gone_from_the_file_the_exports_and_every_screen(
    office_with_him, db_path, rows
):
    run = office_with_him
    assert found_in(file_bytes(db_path)) == list(SECRETS)  # the test can fail
    assert found_in(every_output(run)) == list(SECRETS)
    r = ok(
        run("contact", "erase", "C001", NAME, "--by", "李娜", "--reason", f"{NAME}本人电话要求删除")
    )
    contact_id = rows("SELECT id FROM contacts WHERE name LIKE '已删除联系人%'")[0]["id"]
    placeholder = f"已删除联系人 #{contact_id}"
    assert r.stdout.startswith(
        f"Erased the personal data of contact #{contact_id} of C001 (now {placeholder})\n"
    )
    assert found_in(file_bytes(db_path)) == []
    assert found_in(every_output(run)) == []
    # Replaced, not deleted: the note still says what happened.
    note = rows("SELECT note FROM calls")[0]["note"]
    assert (
        note
        == f"{placeholder}说液压有异响，回电 {placeholder}，微信 {placeholder}，邮箱 {placeholder}"
    )
    details = rows("SELECT details FROM tickets")[0]["details"]
    assert details == f"{placeholder}({placeholder})反映挖机液压异响"


def test_the_contact_becomes_a_marked_placeholder_and_is_never_called(office_with_him, rows):
    run = office_with_him
    before = rows("SELECT id, status, contact_id, reason FROM callbacks WHERE status = 'pending'")
    birthday = [c for c in before if c["reason"] == "birthday"]
    assert birthday, "the scene plans his birthday greeting"
    him = rows("SELECT id FROM contacts WHERE name = ?", NAME)[0]["id"]
    r = ok(run("contact", "erase", "C001", NAME, "--by", "李娜", "--reason", "本人要求"))
    assert "1 pending callback cancelled" in r.stdout
    row = rows("SELECT * FROM contacts WHERE id = ?", him)[0]
    assert row["name"] == f"已删除联系人 #{him}"
    assert [row[k] for k in ("phone", "wechat", "email", "birthday", "note")] == [None] * 5
    assert row["erased_at"] is not None and row["left_on"] == "2026-11-23"
    assert rows("SELECT status, note FROM callbacks WHERE id = ?", birthday[0]["id"])[0] == {
        "status": "cancelled",
        "note": "contact erased",
    }
    assert (
        rows(
            "SELECT count(*) AS n FROM callbacks WHERE contact_id = ? AND status = 'pending'", him
        )[0]["n"]
        == 0
    )
    profile = json.loads(ok(run("customer", "show", "C001", "--format", "json")).stdout)
    past = [c for c in profile["past_contacts"] if c["id"] == him]
    assert past and past[0]["erased"] is True and past[0]["name"] == f"已删除联系人 #{him}"
    assert all(c["erased"] is False for c in profile["contacts"])
    assert him not in [c["id"] for c in profile["contacts"]]
    table = ok(run("customer", "show", "C001")).stdout
    assert f"已删除联系人 #{him}" in table and "erased" in table
    due = json.loads(ok(run("due", "--format", "json", "--days", "30")).stdout)
    assert all((d["contact"] or {}).get("name") != row["name"] for d in due)


def test_reports_figures_are_unchanged(office_with_him):
    run = office_with_him
    before = figures(run)
    ok(run("contact", "erase", "C001", NAME, "--by", "李娜", "--reason", "本人要求"))
    assert figures(run) == before
    ok(run("customer", "erase", "C001", "--by", "李娜", "--reason", "客户要求"))
    assert figures(run) == before


def test_the_erasure_log_says_who_when_why_and_which_never_the_values(
    office_with_him, rows, db_path
):
    run = office_with_him
    him = rows("SELECT id FROM contacts WHERE name = ?", NAME)[0]["id"]
    ok(run("contact", "erase", "C001", NAME, "--by", "王伟", "--reason", f"{NAME}本人来电要求删除"))
    log = rows("SELECT * FROM erasures")
    assert len(log) == 1
    entry = log[0]
    assert (entry["kind"], entry["contact_id"], entry["by"]) == ("contact", him, "王伟")
    assert entry["at"].startswith("2026-11-23T")
    assert entry["reason"] == f"已删除联系人 #{him}本人来电要求删除"
    assert found_in(json.dumps(entry, ensure_ascii=False)) == []
    assert json.loads(entry["changed"])["calls"] == 1
    conn = open_db(db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="never changed"):
            conn.execute("UPDATE erasures SET reason = 'x'")
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            conn.execute("DELETE FROM erasures")
    finally:
        conn.close()


def test_erasing_twice_is_a_clear_no_op(office_with_him, db_path, rows):
    run = office_with_him
    ok(run("contact", "erase", "C001", NAME, "--by", "李娜", "--reason", "本人要求"))
    him = rows("SELECT id FROM contacts WHERE erased_at IS NOT NULL")[0]["id"]
    snapshot = rows("SELECT * FROM contacts"), rows("SELECT * FROM erasures")
    for name in (f"已删除联系人 #{him}", f"#{him}"):
        r = ok(run("contact", "erase", "C001", name, "--by", "王伟", "--reason", "again"))
        assert r.stdout.startswith(
            f"contact #{him} of C001 (now 已删除联系人 #{him}) was already erased (today "
        )
        assert r.stdout.endswith(", by 李娜); nothing changed\n")
    assert (rows("SELECT * FROM contacts"), rows("SELECT * FROM erasures")) == snapshot
    # The original name is gone: it names nobody any more.
    refused(
        run("contact", "erase", "C001", NAME, "--by", "李娜", "--reason", "x"),
        1,
        "no contact named",
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--by", "无此人", "--reason", "本人要求"), 1, "无此人"),
        (("--by", "李娜", "--reason", "  "), 2, "--reason"),
        (("--by", "李娜"), 2, "Missing option '--reason'"),
    ],
    ids=["unknown --by", "empty reason", "no reason"],
)
def test_a_bad_erasure_is_refused_and_writes_nothing(office_with_him, db_path, args, code, message):
    r = office_with_him("contact", "erase", "C001", NAME, *args)
    refused(r, code, message)
    assert found_in(file_bytes(db_path)) == list(SECRETS)
    conn = open_db(db_path)
    try:
        assert conn.execute("SELECT count(*) FROM erasures").fetchone()[0] == 0
        assert (
            conn.execute("SELECT count(*) FROM contacts WHERE name = ?", (NAME,)).fetchone()[0] == 1
        )
    finally:
        conn.close()


def test_an_unknown_contact_or_customer_is_refused(office):
    refused(
        office("contact", "erase", "C001", "无名氏", "--by", "李娜", "--reason", "x"),
        1,
        "C001 has no contact named '无名氏'",
    )
    refused(office("customer", "erase", "C999", "--by", "李娜", "--reason", "x"), 1, "C999")


def test_the_primary_moves_when_the_primary_is_erased(office, rows):
    r = ok(office("contact", "erase", "C001", "李明", "--by", "李娜", "--reason", "本人要求"))
    assert "primary contact now: 张建国" in r.stdout
    assert rows("SELECT name FROM contacts WHERE is_primary = 1 AND customer_id = 1") == [
        {"name": "张建国"}
    ]


# -- customer erase -----------------------------------------------------------------------


def test_customer_erase_erases_it_and_all_its_contacts(office_with_him, db_path, rows):
    run = office_with_him
    company = "山东鲁建机械有限公司"
    values = (*SECRETS, company, "0531-88886666", "李明", "13905310002", "王芳")
    assert found_in(file_bytes(db_path), values) == list(values)
    r = ok(run("customer", "erase", "C001", "--by", "李娜", "--reason", "客户要求删除个人信息"))
    assert "Erased the personal data of customer C001 (now 已删除客户 #1)" in r.stdout
    assert "3 contacts erased" in r.stdout
    assert found_in(file_bytes(db_path), values) == []
    assert found_in(every_output(run), values) == []
    c = rows("SELECT * FROM customers WHERE code = 'C001'")[0]
    assert (c["name"], c["phone"], c["archived"], c["grade"]) == ("已删除客户 #1", None, 1, 1)
    assert rows(
        "SELECT count(*) AS n FROM callbacks WHERE customer_id = 1 AND status = 'pending'"
    ) == [{"n": 0}]
    profile = json.loads(ok(run("customer", "show", "C001", "--format", "json")).stdout)
    assert profile["erased"] is True and profile["contacts"] == []
    assert all(p["erased"] for p in profile["past_contacts"])
    again = ok(run("customer", "erase", "C001", "--by", "王伟", "--reason", "x"))
    assert "was already erased" in again.stdout and "nothing changed" in again.stdout
    assert len(rows("SELECT * FROM erasures")) == 1
    # The other customer is untouched.
    assert rows("SELECT name FROM customers WHERE code = 'C002'") == [{"name": "泰安宏达建设"}]


# -- db prune -------------------------------------------------------------------------------


def archive(office, code: str, day: str) -> None:
    ok(office("--today", day, "customer", "archive", code, "--by", "李娜"))


def test_prune_lists_then_erases_only_customers_archived_past_the_retention(office, rows, db_path):
    archive(office, "C001", "2021-11-22")  # five years and a day before 2026-11-23
    archive(office, "C002", "2021-11-23")  # exactly five years: not longer
    dry = ok(office("db", "prune", "--dry-run"))
    assert dry.stdout == (
        "1 customer archived before 2021-11-23 (kept 5 years):\n"
        "  C001 山东鲁建机械有限公司 (archived on 2021-11-22)\n"
        "Dry run: nothing was erased.\n"
    )
    assert rows("SELECT count(*) AS n FROM erasures") == [{"n": 0}]
    refused(office("db", "prune", "--by", "李娜"), 2, "erasing personal data needs a confirmation")
    assert rows("SELECT count(*) AS n FROM erasures") == [{"n": 0}]
    r = ok(office("db", "prune", "--yes", "--by", "李娜"))
    assert r.stdout.endswith("Erased the personal data of 1 customer\n")
    assert rows("SELECT code, name FROM customers ORDER BY code") == [
        {"code": "C001", "name": "已删除客户 #1"},
        {"code": "C002", "name": "泰安宏达建设"},
    ]
    log = rows("SELECT kind, by, reason, reason_message FROM erasures")
    assert log[0]["reason"] == (
        "archived since 2021-11-22, kept longer than 5 years (`privacy.retain_archived_years`)"
    )
    assert json.loads(log[0]["reason_message"])["code"] == "erasure.retention"
    assert found_in(file_bytes(db_path), ("山东鲁建机械有限公司", "张建国", "13905310001")) == []
    assert "No customer archived before" in ok(office("db", "prune", "--dry-run")).stdout


def test_prune_reads_the_retention_from_the_config(office, tmp_path):
    archive(office, "C002", "2025-06-01")
    config = tmp_path / "config.toml"
    config.write_text("[privacy]\nretain_archived_years = 1\n", encoding="utf-8")
    r = ok(office("--config", str(config), "db", "prune", "--dry-run"))
    assert "C002 泰安宏达建设 (archived on 2025-06-01)" in r.stdout
    assert "kept 1 years" in r.stdout
    config.write_text("[privacy]\nretain_archived_years = 0\n", encoding="utf-8")
    refused(
        office("--config", str(config), "db", "prune", "--dry-run"), 65, "retain_archived_years"
    )


def test_prune_needs_a_known_staff_member(office, rows):
    archive(office, "C001", "2020-01-01")
    refused(office("db", "prune", "--yes", "--by", "无此人"), 1, "无此人")
    assert rows("SELECT name FROM customers WHERE code = 'C001'") == [
        {"name": "山东鲁建机械有限公司"}
    ]


def test_a_restored_customer_is_not_pruned(office):
    archive(office, "C001", "2020-01-01")
    ok(office("customer", "archive", "C001", "--restore", "--by", "李娜"))
    assert "No customer archived before" in ok(office("db", "prune", "--dry-run")).stdout


# -- export --redact in free text ---------------------------------------------------------


def test_redact_masks_phones_wechat_and_email_inside_free_text(scene):
    plain = ok(scene("export", "calls", "--format", "json")).stdout
    assert "139 0531 0001" in plain and WECHAT in plain and EMAIL in plain
    masked = json.loads(ok(scene("export", "calls", "--format", "json", "--redact")).stdout)
    note = masked[0]["note"]
    assert note == f"{NAME}说液压有异响，回电 139 **** 0001，微信 z***，邮箱 z***@example.cn"
    tickets = ok(scene("export", "tickets", "--redact")).stdout
    assert PHONE not in tickets and "139****0001" in tickets


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("回电 13800138000 找他", "回电 138****8000 找他"),
        ("手机 138-0013-8000", "手机 138-****-8000"),
        ("座机 0531-88886666", "座机 053*-****6666"),
        ("+86 138 0013 8000", "+86 138 **** 8000"),
        ("微信号：wang_li_88 已加", "微信号：w*** 已加"),
        ("WeChat ID abc12345", "WeChat ID a***"),
        ("vx abcdef", "vx a***"),
        ("wxid_k2j3h4 拉群", "wxid_*** 拉群"),
        ("mail li.ming@corp.example.com ok", "mail l***@corp.example.com ok"),
        (
            "工单 WO-88120001，金额 385000 元，2026-11-20",
            "工单 WO-88120001，金额 385000 元，2026-11-20",
        ),
        ("型号 SY215C，编号 20261122", "型号 SY215C，编号 20261122"),
    ],
)
def test_mask_free_text(text, masked):
    assert mask_free_text(text) == masked


# -- the scrub itself ---------------------------------------------------------------------


def test_the_matcher_finds_phones_with_spaces_and_ignores_one_character_names():
    found = matcher(
        [
            Replacement("13905310001", "#1", phone=True),
            Replacement("王", "#1"),
            Replacement("ZJG_8888", "#1"),
        ]
    )
    assert found is not None
    assert replaced("王总 139-0531-0001 / 1390531000123 / zjg_8888", found) == (
        "王总 #1 / 1390531000123 / #1"
    )
    assert matcher([Replacement("", "#1"), Replacement("1", "#1")]) is None


@sqlite_only("db backup copies the database file (on a server: pg_dump)")
def test_a_backup_taken_after_the_erasure_holds_none_of_it(office_with_him, tmp_path):
    run = office_with_him
    ok(run("contact", "erase", "C001", NAME, "--by", "李娜", "--reason", "本人要求"))
    folder = tmp_path / "backups"
    folder.mkdir()
    ok(run("db", "backup", str(folder)))
    (copy,) = folder.glob("followup-*.db")
    assert found_in(copy.read_bytes()) == []


def test_the_erasure_reads_in_chinese(office_with_him):
    r = ok(
        office_with_him(
            "contact",
            "erase",
            "C001",
            NAME,
            "--by",
            "李娜",
            "--reason",
            "本人要求",
            env={"FOLLOWUP_LANGUAGE": "zh_CN"},
        )
    )
    assert r.stdout.startswith("已删除 C001 的联系人 #")
    assert "的个人信息\n" in r.stdout and "已取消 1 个待办回访" in r.stdout
    again = ok(
        office_with_him(
            "customer", "erase", "C001", "--by", "李娜", "--reason", "客户要求",
            env={"FOLLOWUP_LANGUAGE": "zh_CN"},
        )
    )  # fmt: skip
    assert (
        "已删除客户 #1" in again.stdout and "已删除 2 位联系人" in again.stdout
    )  # (the third before)


def test_the_event_he_was_the_contact_of_goes_to_the_next_contact(office_with_him):
    run = office_with_him

    def contact_of_c001() -> str | None:
        due = json.loads(ok(run("due", "--format", "json", "--days", "30")).stdout)
        row = next(d for d in due if d["customer"]["code"] == "C001")
        return (row["contact"] or {}).get("name")

    assert contact_of_c001() == NAME
    ok(run("contact", "erase", "C001", NAME, "--by", "李娜", "--reason", "本人要求"))
    assert contact_of_c001() in ("李明", "王芳")
