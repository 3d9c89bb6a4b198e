"""Chinese that an office writes (issue 15): in zh_CN every text a clerk reads is
Chinese, with full-width punctuation, and values a clerk may type are shown in the
form they may type.

- every catalog entry, and every message of domain/texts.py rendered with sample
  parameters, holds no English word outside an allow-list (codes, units, technical
  names, option names, values typed as they are) and no half-width `, ; : ( ) ? !`
  beside a Chinese character;
- the CLI, against a real database file: a refusal lists the Chinese words to type
  (and writes nothing), the words a screen shows are accepted, `due --explain` names
  its terms, `log-call` says which call it logged in Chinese order, the call script
  asks 是/否 and 会/不会/不确定 and reads the save line back in Chinese.
"""

from __future__ import annotations

import os
import re
import string
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from assertions import ok, refused
from followup_cli.domain import texts
from followup_cli.domain import vocabulary as vocab
from followup_cli.support import i18n
from test_call_script import Terminal

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "src" / "followup_cli" / "locale" / "zh_CN" / "LC_MESSAGES" / "followup.po"
ZH = {"FOLLOWUP_LANGUAGE": "zh_CN"}

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

# -- what may stay ASCII in Chinese text -----------------------------------------------------

# Technical names a Chinese office writes as they are.
TECHNICAL = {
    "CSV", "JSON", "Excel", "SQLite", "UTF", "BOM", "GB", "GBK", "Shift-JIS", "TOML", "WAL",
    "NUL", "Unicode", "cron", "followup", "ID", "NPS", "SLA", "jq", "mail", "sqlite3", "EDITOR",
    "PostgreSQL", "psycopg", "libpq", "URL", "PGPASSWORD", "pg_dump", "pg_restore",
}  # fmt: skip
# Values typed as they are (no Chinese word is accepted for them): output formats, table
# names, periods, header languages, encodings, the system's own name, the stored yes/no
# a flag also takes.
TYPED = {
    "table", "csv", "json", "customers", "contacts", "staff", "events", "calls", "tickets",
    "callbacks", "month", "quarter", "en", "zh", "auto", "utf", "gb18030", "system", "yes",
    "no",
}  # fmt: skip
# Config keys named in messages about the config file.
CONFIG_KEYS = {"language", "tiers", "questions", "planning", "urgency", "timezone"}
# Shells and time zones, named as the machine names them.
SYSTEM_NAMES = {"shell", "bash", "zsh", "fish", "SHELL", "Tab", "UTC", "tzdata", "Debian"}
# The placeholders help shows beside an option (cli/placeholders.py), and the words a
# csv file carries in its `section` column (report daily, customer show, ticket show).
PLACEHOLDERS = {"STAFF", "ROLE", "GRADE"}
CSV_VALUES = {"section", "summary", "assignee", "breach", "escalation", "reported", "warning"} | {
    "customer", "pending_callbacks", "ticket", "history",
}  # fmt: skip
ALLOWED = TECHNICAL | TYPED | CONFIG_KEYS | SYSTEM_NAMES | PLACEHOLDERS | CSV_VALUES

CJK = "\u4e00-\u9fff"
NOT_WORDS = re.compile(
    r"`[^`]*`"  # a command to type
    r"|--[a-z][a-z-]*"  # an option
    r"|\$?[A-Z][A-Z0-9]*_[A-Z0-9_]+"  # an environment variable
    r"|\S*[/@]\S*"  # a path, an address, a/b alternatives
    r"|\[[a-z_.]+\]"  # a config section
    r"|\S*\d\S*"  # a code, a number with its unit, a date, a version
)
WORD = re.compile(r"[A-Za-z][A-Za-z_.\-]*")
HALF_WIDTH = re.compile(rf"[{CJK}]\s?[,;:()?!]|[,;:()?!]\s?[{CJK}]")


def english_words(text: str) -> list[str]:
    """The English words left in a Chinese text, after what may stay ASCII."""
    if not re.search(f"[{CJK}]", text):
        return []
    plain = NOT_WORDS.sub(" ", re.sub(r"\{[^}]*\}", "0", text))
    return [w for w in WORD.findall(plain) if w.strip(".-_") not in ALLOWED]


def half_width(text: str) -> list[str]:
    """Half-width punctuation beside a Chinese character (outside `code`)."""
    return HALF_WIDTH.findall(re.sub(r"`[^`]*`", "", text))


def catalog() -> list[tuple[str | None, str, str]]:
    with PO.open("rb") as fh:
        po = read_po(fh)
    out = []
    for m in po:
        if not m.id:
            continue
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        out += [(m.context, m.id if isinstance(m.id, str) else m.id[0], s) for s in strings]
    return out


# Sample parameters for every message of domain/texts.py (stored values where the
# parameter is one, as the tool stores them).
SAMPLE = {
    "kind": "service",
    "role": "service_manager",
    "roles": ["marketing_director", "gm"],
    "tier": "key",
    "severity": "major",
    "outcome": "wrong-number",
    "holiday": "National Day",
    "offset": "7d",
    "question": "Was the problem fixed?",
    "summary": "发动机异响",
    "what": "WO-2026-0346 SY215C",
    "date": "2026-11-23",
    "day": "11-23",
    "ref": "#12",
    "name": "张建国",
    "person": "刘洋",
    "window": "3m",
    "id": 8,
    "n": 3,
    "days": 30,
    "step": texts.message("report.step_tell"),
    "reason": texts.message("escalation.by_hand"),
    "note": "客户很生气",
    "indicators": texts.joined([texts.message("indicator.open_tickets", n=3)]),
    "key": "satisfaction",
    "first": "5",
    "second": "2",
    "limit": "10",
    "score": 2,
    "in_use": "2026-11-20",
    "old": 2,
    "new": 1,
    "amount": "385000.00",
    "rank": 1,
    "ranked": 10,
    "since": "2025-11-24",
    "until": "2026-11-23",
    "label": "合作纪念日",
    "visit": texts.message("callback.visit", role="branch_gm", offset="15d"),
    "code": "C000001",
    "indicator": texts.message("indicator.open_tickets", n=3),
    "resolution": "更换液压泵",
    "detail": texts.message("callback.yearly"),
    "due": "4",
    "overdue": "1",
}


def rendered_messages() -> Iterator[tuple[str, str]]:
    for code, template in texts.TEMPLATES.items():
        names = {field for _, field, _, _ in string.Formatter().parse(template) if field}
        missing = names - SAMPLE.keys()
        assert not missing, f"add a sample for {missing} ({code})"
        yield code, texts.render(texts.Message(code, {k: SAMPLE[k] for k in names}), "zh_CN")


# -- the catalog and the messages ------------------------------------------------------------


def test_no_english_word_is_left_in_a_chinese_translation() -> None:
    leaks = [
        (english, chinese, w) for _c, english, chinese in catalog() if (w := english_words(chinese))
    ]
    assert leaks == []


def test_no_english_word_is_left_in_a_rendered_message() -> None:
    leaks = [(code, text, w) for code, text in rendered_messages() if (w := english_words(text))]
    assert leaks == []


def test_chinese_sentences_use_full_width_punctuation() -> None:
    found = [(english, chinese) for _c, english, chinese in catalog() if half_width(chinese)]
    found += [(code, text) for code, text in rendered_messages() if half_width(text)]
    assert found == []


def test_the_checks_can_fail() -> None:
    assert english_words("保存：结果 接通; fixed=yes？") == ["fixed"]
    assert english_words("是否会再次购买？yes/no/unsure") == []  # a/b/c alternatives: see below
    assert english_words("类型：'保养' —— 应为以下之一：service, sale, parts") == [
        "service",
        "sale",
        "parts",
    ]
    assert english_words("overdue=3 grade=8 中文") == []  # (digits: a code) ...
    assert english_words("紧急度构成 overdue grade") == ["overdue", "grade"]
    assert english_words("用 --format csv，见 `followup due --help`，C000123，2d") == []
    assert half_width("保存：结果 接通; 下一步") and half_width("林卫东 (决策人)")
    assert not half_width("林卫东（决策人）；{path}:1：")


def test_the_glossarys_words_for_values_are_accepted_when_typed() -> None:
    """What a Chinese screen shows for a value (a category's word too) is taken back."""
    assert vocab.accept("category", "服务不守时", "category") == "service.late"
    assert vocab.accept("outcome", "号码错误", "outcome") == "wrong-number"
    assert vocab.accept("outcome", "空号", "outcome") == "wrong-number"  # as before
    assert vocab.accept("ticket_status", "已解决", "status") == "resolved"
    with pytest.raises(vocab.InvalidValue):
        vocab.accept("category", "不守时", "category")


def test_a_refusal_lists_the_words_in_the_readers_language() -> None:
    with i18n.in_language(i18n.CHINESE):
        assert vocab.expected("event_kind") == "以下之一：服务、销售、配件、租赁、二手机"
        assert vocab.expected("category", ["service.late", "my.own"]) == (
            "以下之一：服务不守时、my.own"  # the office's own value, as stored
        )
    assert vocab.expected("event_kind") == "one of service, sale, parts, rental, used"


# -- through the CLI ---------------------------------------------------------------------------


def counts(rows: Rows) -> dict[str, int]:
    return {
        t: rows(f"SELECT count(*) AS n FROM {t}")[0]["n"]
        for t in ("events", "callbacks", "tickets", "ticket_history", "calls")
    }


def test_an_import_refusal_lists_the_chinese_words_to_type(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = tmp_path / "events.csv"
    path.write_text("客户编号,类型,日期\nC001,保修,2026-11-20\n", encoding="utf-8")
    before = counts(rows)
    r = office("import", "events", str(path), env=ZH)
    refused(r, 65, f"{path}:2:2：类型：'保修' —— 应为以下之一：服务、销售、配件、租赁、二手机")
    assert "service" not in r.stderr and "（" not in r.stderr.split("应为")[1], r.stderr
    assert counts(rows) == before
    # what the list says is accepted, as before
    path.write_text("客户编号,类型,日期\nC001,配件,2026-11-20\n", encoding="utf-8")
    ok(office("import", "events", str(path), env=ZH))
    assert rows("SELECT kind FROM events") == [{"kind": "parts"}]


def test_an_option_refusal_lists_the_chinese_words_and_writes_nothing(
    office: Run, rows: Rows
) -> None:
    before = counts(rows)
    r = office("ticket", "open", "C001", "--summary", "工程师晚到", "--category", "不守时", env=ZH)
    refused(r, 2, "'不守时' 不符合要求；应为以下之一：产品缺陷、规格不符、质量波动、产品故障、")
    assert "service.late" not in r.stderr and "product" not in r.stderr, r.stderr
    assert counts(rows) == before


def test_the_category_a_chinese_screen_shows_is_accepted(office: Run, rows: Rows) -> None:
    ok(office("ticket", "open", "C001", "--summary", "工程师晚到", "--category", "服务不守时"))
    assert rows("SELECT category FROM tickets") == [{"category": "service.late"}]
    shown = ok(office("ticket", "show", "1", env=ZH)).stdout
    assert re.search(r"类别\s+服务不守时\n", shown), shown  # the word to type, alone
    english = ok(office("ticket", "show", "1")).stdout
    assert "service.late — Service late (不守时)" in english  # the key, then its label


def test_due_explain_names_its_terms_in_chinese(office: Run) -> None:
    ok(office("event", "add", "C001", "--kind", "service", "--date", "2026-11-10", "--ref", "WO-1"))
    out = ok(office("due", "--explain", env=ZH)).stdout
    assert re.search(r"逾期 \d+ \+ 客户等级 \d+ \+ 回访事由 \d+", out), out
    for key in ("overdue=", "grade=", "reason="):
        assert key not in out, out
    english = ok(office("due", "--explain")).stdout
    assert re.search(r"overdue=\d+ grade=\d+ reason=\d+", english), english


def test_log_call_says_which_call_it_logged_in_chinese_order(office: Run, rows: Rows) -> None:
    r = ok(office("log-call", "C001", "--outcome", "号码错误", env=ZH))
    assert re.search(
        r"已登记通话 #1：C001 山东鲁建机械有限公司，今天 \d\d:\d\d（未接通）", r.stdout
    ), r.stdout
    assert "已登记给" not in r.stdout
    assert rows("SELECT outcome FROM calls") == [{"outcome": "wrong-number"}]


def test_help_lists_the_words_to_type_and_examples_in_chinese(office: Run) -> None:
    out = ok(office("log-call", "--help", env=ZH)).stdout
    assert "接通、无人接听、占线、号码错误、拒接或留言。" in out
    assert "是否会再次购买：会、不会或不确定。" in out
    assert '--note "工程师晚到了一天"' in out
    assert "engineer came a day late" not in out and "空号" not in out
    staff = ok(office("staff", "list", env=ZH)).stdout
    assert staff.split()[0] == "姓名"  # a person's name


# -- the call script, on a terminal --------------------------------------------------------------


@pytest.fixture
def chinese_terminal(db_path: Path) -> Iterator[Callable[..., Terminal]]:
    opened: list[Terminal] = []

    def start(*args: str) -> Terminal:
        env = {
            **os.environ,
            "TZ": "Asia/Shanghai",
            "PYTHONUTF8": "1",
            "TERM": "dumb",
            "FOLLOWUP_LANGUAGE": "zh_CN",
        }
        argv = [sys.executable, "-m", "followup_cli", "--db", str(db_path), "--today", "2026-11-23"]
        term = Terminal([*argv, *args], env)
        opened.append(term)
        return term

    yield start
    for term in opened:
        term.close()


def test_the_call_script_asks_and_reads_back_in_chinese(
    office: Run, rows: Rows, chinese_terminal: Callable[..., Terminal]
) -> None:
    ok(office("event", "add", "C001", "--kind", "service", "--date", "2026-11-20", "--ref", "WO-1"))
    term = chinese_terminal("log-call", "C001", "--by", "李娜")
    term.expect("回访结果：\r\n")
    shown = term.expect("回访结果：")  # the outcome's list: the words to type
    assert "  1. 接通\n" in shown.replace("\r", "") and "reached" not in shown, shown
    os.write(term.master, "接通\r".encode())  # the word on the screen
    term.answer("问题解决了吗？（是/否，直接回车跳过）：", "否")
    term.answer("工程师准时到达了吗？（是/否，直接回车跳过）：", "是")
    term.answer("收费与报价一致吗？（是/否，直接回车跳过）：", "")
    term.answer("满意度 1–5：", "4")
    term.answer("向他人推荐我们的意愿，0–10：", "")
    term.answer("是否会再次购买？会/不会/不确定：", "maybe")
    term.answer("请回答以下之一：会、不会、不确定，或按回车跳过。", "不确定")
    term.answer("有没有投诉？（是/否，直接回车为“否”）：", "")
    term.answer("备注：", "")
    save = term.expect("（是/否，直接回车为“是”）：")
    assert "问题解决了吗？否、工程师准时到达了吗？是" in save, save
    assert "再次购买：不确定" in save, save
    assert "fixed=" not in save and "; " not in save and "?" not in save, save
    os.write(term.master, "否\r".encode())
    assert term.finish() == 1, term.transcript
    assert "未保存" in term.transcript
    assert rows("SELECT count(*) AS n FROM calls") == [{"n": 0}]
