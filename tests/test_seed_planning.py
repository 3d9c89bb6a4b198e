"""Planning as the seeds have it (issue 18): the key-account service schedule (seed 003),
problems found on a callback due the next working day (seed 003), a level-2 check for
every kind (seed 000; see test_log_call.py), the day the machine went into use (seed
000), anniversaries (seed 003 重要纪念日) and visit etiquette (seed 001 拜访礼节).

The office is conftest's: C001 grade 1 (core), C002 grade 4 (general); today is Monday
2026-11-23.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assertions import ok, refused
from followup_cli.domain.calls.log import call_brief
from followup_cli.domain.customers.anniversaries import Anniversary, parse_anniversary
from followup_cli.support.config import load_config
from followup_cli.support.errors import ConfigError, InvalidValue

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

KEY_ACCOUNT = ["2d", "7d", "1m", "3m", "6m"]


def offsets_of(rows: Rows, ref: str) -> list[str]:
    """The offsets of an event's callbacks (from their plan keys), in date order."""
    return [
        cb["plan_key"].rsplit(":", 1)[1]
        for cb in rows(
            "SELECT cb.plan_key FROM callbacks cb JOIN events e ON e.id = cb.event_id"
            " WHERE e.ref = ? AND cb.reason = 'event' ORDER BY cb.planned_on",
            ref,
        )
    ]


def event_dates(rows: Rows, ref: str) -> list[tuple[str, str]]:
    return [
        (cb["planned_on"], cb["due_on"])
        for cb in rows(
            "SELECT cb.planned_on, cb.due_on FROM callbacks cb JOIN events e"
            " ON e.id = cb.event_id WHERE e.ref = ? AND cb.reason = 'event'"
            " ORDER BY cb.planned_on",
            ref,
        )
    ]


def everything(rows: Rows) -> dict[str, list[dict[str, Any]]]:
    return {
        t: rows(f"SELECT * FROM {t} ORDER BY id")
        for t in ("events", "callbacks", "customers", "anniversaries", "tickets")
    }


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- the key-account service schedule (seed 003) --------------------------------------


def test_a_service_on_18_november_plans_the_key_account_schedule_for_grades_1_to_3(
    office: Run, rows: Rows
) -> None:
    """Seed 003: "以提供服务后两天、一周、一个月、三个月、六个月等为时间段进行定期的回访"."""
    ok(office("customer", "add", "聊城路桥", "--code", "C003", "--grade", "2"))
    ok(office("customer", "add", "德州物流", "--code", "C004", "--grade", "3"))
    for code in ("C001", "C002", "C003", "C004"):
        ok(office("event", "add", code, "--kind", "service", "--date", "2026-11-18",
                  "--ref", f"WO-{code}"))  # fmt: skip
    for code in ("C001", "C003", "C004"):
        assert offsets_of(rows, f"WO-{code}") == KEY_ACCOUNT, code
        assert event_dates(rows, f"WO-{code}") == [
            ("2026-11-20", "2026-11-20"),
            ("2026-11-25", "2026-11-25"),
            ("2026-12-18", "2026-12-18"),
            ("2027-02-18", "2027-02-18"),
            ("2027-05-18", "2027-05-18"),
        ]
    # a general customer keeps 2d, 7d, 1m
    assert offsets_of(rows, "WO-C002") == ["2d", "7d", "1m"]


def test_event_add_prints_the_whole_schedule(office: Run) -> None:
    r = ok(office("event", "add", "C001", "--kind", "service", "--date", "2026-11-18",
                  "--ref", "WO-1"))  # fmt: skip
    assert "due 2027-02-18  service 2026-11-18 WO-1 (+3m)" in r.stdout
    assert "due 2027-05-18  service 2026-11-18 WO-1 (+6m)" in r.stdout


def test_a_tiers_offsets_come_from_config_for_any_kind(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    config = write_config(tmp_path, '[planning.event_offsets.parts]\ncore = ["2d", "1m"]\n')
    ok(office("--config", str(config), "event", "add", "C001", "--kind", "parts",
              "--date", "2026-11-18", "--ref", "P-1"))  # fmt: skip
    ok(office("--config", str(config), "event", "add", "C002", "--kind", "parts",
              "--date", "2026-11-18", "--ref", "P-2"))  # fmt: skip
    assert offsets_of(rows, "P-1") == ["2d", "1m"]
    assert offsets_of(rows, "P-2") == ["7d"]  # the kind's default


def test_one_list_for_a_kind_is_its_offsets_for_every_tier(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    """A config written before the per-tier tables keeps working, and means what it said."""
    config = write_config(tmp_path, '[planning.event_offsets]\nservice = ["3d"]\n')
    ok(office("--config", str(config), "event", "add", "C001", "--kind", "service",
              "--date", "2026-11-18", "--ref", "W"))  # fmt: skip
    assert offsets_of(rows, "W") == ["3d"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[planning.event_offsets.service]\nvip = ["2d"]\n',
            "planning.event_offsets.service.vip: 'vip' is not a tier"
            " (default, core, important, key, general)",
        ),
        (
            '[planning.event_offsets.demo]\nkey = ["2d"]\n',
            "planning.event_offsets.demo: no `default` offsets (the list for every tier)",
        ),
        (
            "[planning.event_offsets.service]\nkey = [" + ", ".join(['"1d"'] * 21) + "]\n",
            "planning.event_offsets.service.key: 21 offsets; at most 20 are allowed",
        ),
        (
            '[planning.event_offsets.service]\nkey = ["2d", "tomorrow"]\n',
            "planning.event_offsets.service.key: 'tomorrow' is not valid",
        ),
        (
            '[planning.event_offsets.service]\nkey = "2d"\n',
            "setting 'planning.event_offsets.service.key' must be list, not str ('2d')",
        ),
        (
            '[planning.second_level.roles]\nsale = "boss"\n',
            "planning.second_level.roles.sale: 'boss' is not a staff role",
        ),
        (
            '[planning.visit_etiquette]\nroles = ["boss"]\n',
            "planning.visit_etiquette.roles: 'boss' is not a staff role",
        ),
        (
            "[planning.visit_etiquette]\ngrades = [0]\n",
            "planning.visit_etiquette.grades: [0] is not allowed;"
            " expected a list of whole numbers from 1 to 5",
        ),
        (
            "[tickets]\ncall_sla_days = 400\n",
            "tickets.call_sla_days: 400 is not allowed; expected a whole number from 0 to 365",
        ),
        (
            '[planning.greetings]\nanniversary = "yes"\n',
            "setting 'planning.greetings.anniversary' must be bool, not str ('yes')",
        ),
    ],
)
def test_bad_planning_settings_are_refused_at_load(
    office: Run, rows: Rows, tmp_path: Path, text: str, message: str
) -> None:
    before = everything(rows)
    config = write_config(tmp_path, text)
    r = office("--config", str(config), "event", "add", "C001", "--kind", "service",
               "--ref", "X")  # fmt: skip
    refused(r, 65, message)
    assert everything(rows) == before


def test_config_offsets_per_tier_are_read_through_one_function() -> None:
    config = load_config(None)
    assert config.event_offsets("service", "key") == KEY_ACCOUNT
    assert config.event_offsets("service", "general") == ["2d", "7d", "1m"]
    assert config.event_offsets("sale", "core") == KEY_ACCOUNT
    assert config.event_offsets("nothing", "core") == []
    assert config.second_level_role("parts") == "service_supervisor"


def test_a_user_config_with_no_default_for_a_new_kind_is_refused(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[planning.event_offsets.demo]\ncore = ["2d"]\n')
    with pytest.raises(ConfigError, match="no `default` offsets"):
        load_config(path, explicit=True)


# -- problems found on a callback: the same or the next day (seed 003) -----------------


def service_call(office: Run, *extra: str, at: str = "2026-11-27 10:00") -> Any:
    ok(office("event", "add", "C001", "--kind", "service", "--date", "2026-11-25",
              "--ref", "WO-9", today="2026-11-27"))  # fmt: skip
    return office("log-call", "C001", "--outcome", "reached", "--by", "李娜", "--at", at,
                  *extra, today="2026-11-27")  # fmt: skip


def test_a_no_answer_on_friday_opens_a_ticket_due_monday(office: Run, rows: Rows) -> None:
    """Seed 003: "如果在回访时发现了问题…最好在当天或第二天到现场进行问题处理" — a minor
    ticket from a call is due the next working day, not in three."""
    ok(service_call(office, "--answer", "fixed=no"))
    (t,) = rows("SELECT severity, opened_on, due_by, call_id FROM tickets")
    assert (t["severity"], t["opened_on"], t["due_by"]) == ("minor", "2026-11-27", "2026-11-30")
    assert t["call_id"] is not None


@pytest.mark.parametrize(
    ("severity", "due_by"),
    [("minor", "2026-11-30"), ("major", "2026-11-30"), ("critical", "2026-11-27")],
)
def test_a_complaint_told_on_a_call_is_due_the_next_working_day_critical_the_same(
    office: Run, rows: Rows, severity: str, due_by: str
) -> None:
    ok(service_call(office, "--complaint", "漏油", "--severity", severity))
    assert rows("SELECT severity, due_by FROM tickets") == [
        {"severity": severity, "due_by": due_by}
    ]


def test_a_ticket_opened_by_hand_keeps_its_severitys_sla(office: Run, rows: Rows) -> None:
    ok(office("ticket", "open", "C001", "--summary", "漏油", "--category", "product.defect",
              today="2026-11-27"))  # fmt: skip
    assert rows("SELECT due_by FROM tickets") == [{"due_by": "2026-12-02"}]  # 3 working days


def test_the_call_sla_is_configurable(office: Run, rows: Rows, tmp_path: Path) -> None:
    config = write_config(tmp_path, "[tickets]\ncall_sla_days = 0\n")
    ok(office("event", "add", "C001", "--kind", "service", "--date", "2026-11-25",
              "--ref", "WO-9", today="2026-11-27"))  # fmt: skip
    ok(office("--config", str(config), "log-call", "C001", "--outcome", "reached",
              "--by", "李娜", "--at", "2026-11-27 10:00", "--answer", "fixed=no",
              today="2026-11-27"))  # fmt: skip
    assert rows("SELECT due_by FROM tickets") == [{"due_by": "2026-11-27"}]


# -- call when the customer can judge: the day the machine went into use (seed 000) ----


def test_in_use_anchors_the_callbacks_and_says_so(office: Run, rows: Rows) -> None:
    """Seed 000: "應該選擇客戶能夠對產(chǎn)品或服務作出評價的時間，也就是說客戶已經(jīng)開始使用產(chǎn)品"."""
    r = ok(office("event", "add", "C002", "--kind", "sale", "--date", "2026-11-10",
                  "--in-use", "2026-11-20", "--ref", "S-1"))  # fmt: skip
    assert rows("SELECT date, in_use FROM events") == [
        {"date": "2026-11-10", "in_use": "2026-11-20"}
    ]
    # from 20 Nov, not 10 Nov (whose +2d, +7d would be past already)
    assert event_dates(rows, "S-1") == [
        ("2026-11-22", "2026-11-23"),
        ("2026-11-27", "2026-11-27"),
        ("2026-12-20", "2026-12-21"),
        ("2027-02-20", "2027-02-22"),
        ("2027-05-20", "2027-05-20"),
    ]
    assert "due 2026-11-23  sale 2026-11-10 S-1 (+2d from going into use on 2026-11-20)" in (
        r.stdout
    )
    shown = ok(office("customer", "show", "C002", "--format", "json")).stdout
    assert '"in_use": "2026-11-20"' in shown


def test_without_in_use_the_event_date_is_the_anchor(office: Run, rows: Rows) -> None:
    ok(office("event", "add", "C002", "--kind", "parts", "--date", "2026-11-20", "--ref", "P"))
    assert event_dates(rows, "P") == [("2026-11-27", "2026-11-27")]
    assert rows("SELECT in_use FROM events") == [{"in_use": None}]


@pytest.mark.parametrize(
    ("in_use", "message"),
    [
        (
            "2026-11-09",
            "Error: in_use: '2026-11-09' is not valid; expected a date on or after the"
            " event's date (2026-11-10) and within a year of it",
        ),
        (
            "2027-12-01",
            "Error: in_use: '2027-12-01' is not valid; expected a date on or after the"
            " event's date (2026-11-10) and within a year of it",
        ),
        ("2026-13-01", "Error: --in-use: '2026-13-01' is not a date; expected a date like"),
        ("soon", "Error: --in-use: 'soon' is not a date"),
    ],
)
def test_a_bad_in_use_is_refused_and_nothing_written(
    office: Run, rows: Rows, in_use: str, message: str
) -> None:
    before = everything(rows)
    r = office("event", "add", "C002", "--kind", "sale", "--date", "2026-11-10",
               "--in-use", in_use, "--ref", "S-1")  # fmt: skip
    refused(r, 65, message)
    assert everything(rows) == before


def write_csv(path: Path, header: list[str], lines: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(lines)
    return path


def test_import_reads_in_use_under_its_chinese_header_and_export_writes_it(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "events.csv",
        ["客户编号", "类型", "日期", "单号", "投入使用日期"],
        [
            ["C002", "销售", "2026-11-10", "S-1", "2026年11月20日"],
            ["C002", "配件", "2026-11-20", "P-1", ""],
        ],
    )
    ok(office("import", "events", str(path)))
    assert rows("SELECT ref, in_use FROM events ORDER BY ref") == [
        {"ref": "P-1", "in_use": None},
        {"ref": "S-1", "in_use": "2026-11-20"},
    ]
    assert event_dates(rows, "S-1")[0] == ("2026-11-22", "2026-11-23")  # from in_use
    assert event_dates(rows, "P-1") == [("2026-11-27", "2026-11-27")]

    out = tmp_path / "out.csv"
    ok(office("export", "events", "--output", str(out)))
    exported = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert sorted((e["ref"], e["in_use"]) for e in exported) == [
        ("P-1", ""),
        ("S-1", "2026-11-20"),
    ]
    # and the export reads back as it was: nothing changes
    r = ok(office("import", "events", str(out)))
    assert "0 inserted" in r.stdout or "unchanged" in r.stdout, r.stdout
    assert rows("SELECT count(*) AS n FROM events") == [{"n": 2}]


def test_import_also_reads_the_english_in_use_header(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "events.csv",
        ["customer_code", "kind", "date", "ref", "in_use"],
        [["C002", "sale", "2026-11-10", "S-1", "2026-11-20"]],
    )
    ok(office("import", "events", str(path)))
    assert rows("SELECT in_use FROM events") == [{"in_use": "2026-11-20"}]


def test_import_refuses_an_in_use_before_the_event_naming_line_and_column(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "events.csv",
        ["客户编号", "类型", "日期", "单号", "投入使用日期"],
        [
            ["C002", "sale", "2026-11-10", "S-1", "2026-11-20"],
            ["C002", "sale", "2026-11-10", "S-2", "2026-11-01"],
            ["C002", "sale", "2026-11-10", "S-3", "2026-02-30"],
        ],
    )
    before = everything(rows)
    r = office("import", "events", str(path))
    assert r.exit_code == 65, r.output
    assert (
        f"{path}:3:5: 投入使用日期: '2026-11-01' — expected a date on or after the event's date"
        " (2026-11-10) and within a year of it" in r.stderr
    )
    assert f"{path}:4:5: 投入使用日期: '2026-02-30'" in r.stderr
    assert everything(rows) == before


# -- anniversaries (seed 003 重要纪念日) --------------------------------------------------


def greetings(rows: Rows) -> list[dict[str, Any]]:
    return rows(
        "SELECT c.code, cb.due_on, cb.planned_on, cb.detail, cb.status, cb.reason"
        " FROM callbacks cb JOIN customers c ON c.id = cb.customer_id"
        " WHERE cb.plan_key LIKE 'anniversary:%' ORDER BY cb.id"
    )


def test_an_anniversary_on_a_sunday_is_greeted_the_friday_before(office: Run, rows: Rows) -> None:
    """Seed 003: "准确了解大客户单位几个关键人的个人信息，如生日、重要纪念日…"."""
    r = ok(office("customer", "edit", "C001", "--anniversary", "12-06:合作纪念日",
                  "--anniversary", "12-10"))  # fmt: skip
    assert "Updated C001 山东鲁建机械有限公司: anniversary" in r.stdout
    assert rows("SELECT day, label FROM anniversaries ORDER BY day") == [
        {"day": "12-06", "label": "合作纪念日"},
        {"day": "12-10", "label": ""},
    ]
    # 6 Dec 2026 is a Sunday: the working day before is Friday 4 Dec.
    assert [(g["due_on"], g["planned_on"], g["detail"], g["reason"]) for g in greetings(rows)] == [
        ("2026-12-04", "2026-12-06", "anniversary: 合作纪念日 (12-06)", "holiday"),
        ("2026-12-10", "2026-12-10", "anniversary (12-10)", "holiday"),
    ]
    shown = ok(office("customer", "show", "C001")).stdout
    assert "Anniversaries  12-06 合作纪念日; 12-10" in shown


def test_a_general_customer_gets_no_anniversary_greeting(office: Run, rows: Rows) -> None:
    ok(office("customer", "edit", "C002", "--anniversary", "12-06:合作纪念日"))
    assert rows("SELECT count(*) AS n FROM anniversaries") == [{"n": 1}]
    assert greetings(rows) == []


def test_an_anniversary_beyond_the_horizon_is_planned_by_the_days_roll(
    office: Run, rows: Rows
) -> None:
    ok(office("customer", "edit", "C001", "--anniversary", "05-20:合作纪念日"))
    assert greetings(rows) == []  # 20 May is beyond the 45-day horizon
    ok(office("due", today="2027-04-15"))
    assert [(g["due_on"], g["detail"]) for g in greetings(rows)] == [
        ("2027-05-20", "anniversary: 合作纪念日 (05-20)")
    ]


def test_the_list_given_replaces_the_old_and_clearing_cancels_the_greetings(
    office: Run, rows: Rows
) -> None:
    ok(office("customer", "edit", "C001", "--anniversary", "12-06:合作纪念日",
              "--anniversary", "12-10"))  # fmt: skip
    ok(office("customer", "edit", "C001", "--anniversary", "12-06：合作纪念日"))  # 全角冒号
    assert rows("SELECT day, label FROM anniversaries") == [{"day": "12-06", "label": "合作纪念日"}]
    assert [(g["detail"], g["status"]) for g in greetings(rows)] == [
        ("anniversary: 合作纪念日 (12-06)", "pending"),
        ("anniversary (12-10)", "cancelled"),
    ]
    r = ok(office("customer", "edit", "C001", "--anniversary", "12-06:合作纪念日"))
    assert "No change to C001" in r.stdout
    ok(office("customer", "edit", "C001", "--clear-anniversaries"))
    assert rows("SELECT * FROM anniversaries") == []
    assert [g["status"] for g in greetings(rows)] == ["cancelled", "cancelled"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("--anniversary", "13-45"),
            65,
            "Error: anniversary: '13-45' is not valid; expected a month and day like 05-20,"
            " optionally a label after a colon: `05-20:合作纪念日`",
        ),
        (
            ("--anniversary", "02-30:成立"),
            65,
            "Error: anniversary: '02-30:成立' is not valid; expected a month and day like 05-20",
        ),
        (
            ("--anniversary", "12-06:"),
            65,
            "Error: anniversary: '12-06:' is not valid; expected a label after the colon"
            " (or no colon: 05-20 without a label)",
        ),
        (
            ("--anniversary", "12-06:   "),
            65,
            "expected a label after the colon",
        ),
        (("--anniversary", ":合作"), 65, "Error: anniversary: ':合作' is not valid"),
        (("--anniversary", ""), 65, "Error: anniversary: '' is not valid"),
        (
            ("--anniversary", "12-06:a\x1b[31mb"),
            65,
            "expected text without control characters",
        ),
        (
            ("--anniversary", "12-06:成立", "--anniversary", "12-06:成立"),
            65,
            "expected each anniversary once",
        ),
        (
            ("--anniversary", "12-06", "--clear-anniversaries"),
            2,
            "give --anniversary or --clear-anniversaries, not both",
        ),
    ],
)
def test_bad_anniversaries_are_refused_and_nothing_written(
    office: Run, rows: Rows, args: tuple[str, ...], code: int, message: str
) -> None:
    ok(office("customer", "edit", "C001", "--anniversary", "12-10:旧"))
    before = everything(rows)
    refused(office("customer", "edit", "C001", *args), code, message)
    assert everything(rows) == before


def test_parse_anniversary() -> None:
    assert parse_anniversary("5-20") == Anniversary("05-20", "")
    assert parse_anniversary("2015-05-20:合作开始") == Anniversary("05-20", "合作开始")
    assert parse_anniversary("05-20: 公司成立 ") == Anniversary("05-20", "公司成立")
    assert parse_anniversary("02-29") == Anniversary("02-29", "")
    with pytest.raises(InvalidValue):
        parse_anniversary("05-20:a\nb")


def test_anniversary_messages_in_chinese(office: Run) -> None:
    ok(office("customer", "edit", "C001", "--anniversary", "12-06:合作纪念日"))
    zh = {"FOLLOWUP_LANGUAGE": "zh_CN"}
    shown = ok(office("customer", "show", "C001", env=zh)).stdout
    assert "纪念日" in shown and "anniversary" not in shown.lower()
    r = office("customer", "edit", "C001", "--anniversary", "13-45", env=zh)
    assert r.exit_code == 65
    assert "anniversary" not in r.stderr and "expected" not in r.stderr, r.stderr


# -- visit etiquette (seed 001 拜访礼节) ----------------------------------------------------

ETIQUETTE = "etiquette: bring company materials, a modest keepsake"


def visits(rows: Rows, code: str) -> dict[str, str]:
    return {
        r["role"]: r["detail"]
        for r in rows(
            "SELECT cb.role, cb.detail FROM callbacks cb JOIN customers c ON c.id = cb.customer_id"
            " WHERE c.code = ? AND cb.reason = 'visit' AND cb.status = 'pending'",
            code,
        )
    }


def test_senior_visits_to_grades_1_to_3_carry_the_etiquette_note(office: Run, rows: Rows) -> None:
    """Seed 001: "对一、二、三级客户大区经理、大区办主任(或营销总监)、分支机构总经理拜访时
    可适当赠送一些纪念品"."""
    ok(office("staff", "add", "钱明", "--role", "regional_manager"))
    ok(office("staff", "add", "郑华", "--role", "branch_gm"))
    ok(office("customer", "add", "德州物流", "--code", "C004", "--grade", "3"))
    for code in ("C001", "C004"):
        got = visits(rows, code)
        for role in ("regional_manager", "marketing_director", "branch_gm"):
            assert got[role].endswith("; " + ETIQUETTE), (code, role, got[role])
        for role in ("account_manager", "sales_manager"):
            assert ETIQUETTE not in got.get(role, ""), (code, role)
    # grade 4: branch_gm and marketing_director visit, without the note
    assert visits(rows, "C002")["branch_gm"] == "branch_gm visit (every 3m)"
    assert ETIQUETTE not in visits(rows, "C002")["marketing_director"]


def test_the_call_brief_carries_the_etiquette_note(office: Run, session: Any) -> None:
    ok(office("staff", "add", "郑华", "--role", "branch_gm"))
    s = session(today="2027-01-31")
    brief = call_brief(s, "C001", "郑华")
    (visit,) = [r for r in brief.reasons if r["reason"] == "visit"]
    assert str(visit["detail"]) == "branch_gm visit (every 15d); " + ETIQUETTE
    # and the due list shows it too
    r = ok(office("due", "--role", "branch_gm", "--days", "60", "--format", "json"))
    assert ETIQUETTE in r.stdout


def test_the_etiquette_note_reads_in_chinese(office: Run) -> None:
    ok(office("staff", "add", "郑华", "--role", "branch_gm"))
    r = ok(office("due", "--role", "branch_gm", "--days", "60",
                  env={"FOLLOWUP_LANGUAGE": "zh_CN"}))  # fmt: skip
    assert "纪念品" in r.stdout and "etiquette" not in r.stdout
