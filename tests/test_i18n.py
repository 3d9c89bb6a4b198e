"""The Chinese interface (issue 9): LANG / LC_ALL / LC_MESSAGES starting with zh, or the
config's `language`, turns the interface into Simplified Chinese; machine interfaces
(JSON, CSV, exit codes) never change with the language.

- the zh_CN catalog: every message extracted from the code (and the help, vocabulary and
  shipped config texts) has a translation, the .mo is compiled from the .po, and each
  translation keeps the placeholders of its English text;
- the real program under LANG=zh_CN.UTF-8 and LANG=C.UTF-8: help, the due list, the
  satisfaction report, a ticket, errors; identical JSON and CSV in both; tables aligned
  with Chinese headers; dates always 2026-11-22;
- how the language is chosen, and English when the catalog is missing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import string
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from followup_cli.render.output import cell_width
from followup_cli.support import i18n

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "extract_messages.py"
TODAY = "2026-11-23"  # a Monday, as in conftest
ZH = "zh_CN.UTF-8"
EN = "C.UTF-8"
LOCALE_VARIABLES = ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "FOLLOWUP_LANGUAGE")

Run = Callable[..., Any]


# -- the catalog ---------------------------------------------------------------------------


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("extract_messages", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def extraction() -> tuple[ModuleType, Any, Any]:
    """(the extraction script, the template it extracts now, the committed zh_CN .po)."""
    script = load_script()
    template = script.extract()
    i18n.use_language(i18n.ENGLISH)
    return script, template, script.read_catalog()


def test_every_user_facing_message_has_a_chinese_translation(extraction) -> None:
    script, template, catalog = extraction
    assert len(template) > 800  # code, help, vocabulary and config texts all extracted
    missing = script.untranslated(template, catalog)
    assert missing == [], (
        f"{len(missing)} messages lack a zh_CN translation: run "
        "`python scripts/extract_messages.py`, translate them in followup.po, run it again"
    )


def test_a_message_without_translation_is_reported(extraction) -> None:
    """The check above can fail: a message added to the code and not translated."""
    script, template, catalog = extraction
    from babel.messages.catalog import Catalog

    grown = Catalog()
    for message in template:
        if message.id:
            grown.add(message.id, context=message.context)
    grown.add("A brand-new message nobody has translated")
    grown.add("busy", context="a-new-kind")
    assert script.untranslated(grown, catalog) == [
        "A brand-new message nobody has translated",
        "a-new-kind: busy",
    ]


def test_the_extraction_finds_code_help_vocabulary_and_config_texts(extraction) -> None:
    _script, template, _catalog = extraction
    for context, message in (
        (None, "Error: {message}"),  # a _() call
        (None, "{n} open complaints"),  # an N_() template of stored text
        (None, "Show the callbacks and visits due: one row per customer."),  # a docstring
        (None, "Only rows already overdue."),  # an option's help
        (None, "cron, each morning; prints the notices"),  # a comment in an example
        ("tier", "core"),  # a stored value
        (None, "Was the problem fixed?"),  # a key question of defaults.toml
    ):
        assert template.get(message, context=context) is not None, message


def test_the_mo_file_holds_the_translations_of_the_po_file(extraction) -> None:
    """Messages and translations are compared, not bytes: the .mo's header names the Babel
    release that compiled it."""
    script, _template, catalog = extraction
    assert script.compiled_translations() == script.translations(catalog), (
        "followup.mo is stale: run `python scripts/extract_messages.py`"
    )


def test_a_stale_mo_file_is_reported(extraction) -> None:
    """The check above can fail: a .po translation changed after the .mo was compiled."""
    script, _template, catalog = extraction
    changed = script.translations(catalog)
    key = next(iter(changed))
    changed[key] = "改过的译文"
    assert script.compiled_translations() != changed


def fields_of(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_each_translation_keeps_the_placeholders_of_its_english(extraction) -> None:
    _script, _template, catalog = extraction
    wrong = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for translated in strings:
            if fields_of(translated) != fields_of(ids[0]):
                wrong.append((ids[0], translated))
    assert wrong == []


def test_the_catalog_is_read_at_run_time() -> None:
    i18n.use_language(i18n.CHINESE)
    assert i18n._("Options") == "选项"
    assert i18n.label("tier", "core") == "核心客户"
    assert i18n.label("role", "account_manager") == "业务经理"
    assert i18n.label("reason", "second-level") == "二级回访"
    assert i18n.label("event_kind", "service") == "服务"
    assert i18n.label("role", "service") == "服务工程师"  # same word, another kind
    assert i18n.label("category", "my.own.category") == "my.own.category"  # no translation
    assert i18n.ngettext("Due {window}: {n} customer", "Due {window}: {n} customers", 2) == (
        "{window} 待回访：{n} 个客户"
    )
    i18n.use_language(i18n.ENGLISH)
    assert i18n._("Options") == "Options"
    assert i18n.label("tier", "core") == "core"


def test_a_missing_catalog_leaves_the_interface_in_english(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(i18n, "catalog_path", lambda language: str(tmp_path / "none.mo"))
    monkeypatch.setattr(i18n, "_catalogs", {})
    i18n.use_language(i18n.CHINESE)
    assert i18n._("Options") == "Options"
    assert i18n.label("tier", "core") == "core"


def test_generated_texts_read_in_chinese_and_free_text_stays() -> None:
    # The English a v3 database stored, read back once by migration m004, renders so.
    from followup_cli.domain.texts import render
    from followup_cli.store import legacy_texts

    class wording:  # noqa: N801 (the old reader's name, kept for these assertions)
        @staticmethod
        def localize(text: str) -> str:
            codes = legacy_texts.CALLBACK_DETAIL + legacy_texts.ESCALATION_REASON
            return render(legacy_texts.read_text(text, codes + legacy_texts.INDICATORS))

    i18n.use_language(i18n.CHINESE)
    assert wording.localize("service 2026-11-20 WO-8812 SY215C (+2d)") == (
        "服务 2026-11-20 WO-8812 SY215C（+2天）"
    )
    assert wording.localize("account_manager visit (every 3d)") == "业务经理拜访（每3天）"
    assert wording.localize("SLA breached: resolution was due by 2026-11-26") == (
        "超出时限：应于 2026-11-26 前解决"
    )
    assert wording.localize("callbacks overdue 22 days; last satisfaction 2/5") == (
        "回访逾期 22 天；最近满意度 2/5"
    )
    assert wording.localize("parts ordered (arrive Friday)") == "parts ordered (arrive Friday)"
    assert wording.localize("约好周五上门保养; 没来") == "约好周五上门保养; 没来"
    i18n.use_language(i18n.ENGLISH)
    assert wording.localize("account_manager visit (every 3d)") == (
        "account_manager visit (every 3d)"
    )


# -- choosing the language -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "env", "expected"),
    [
        (None, {}, "en"),  # nothing set: English
        (None, {"LANG": "C"}, "en"),
        (None, {"LANG": "POSIX"}, "en"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {"LANG": "en_US.UTF-8"}, "en"),
        (None, {"LANG": "de_DE.UTF-8"}, "en"),
        (None, {"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        (None, {"LANG": "zh_TW.UTF-8"}, "zh_CN"),
        (None, {"LANG": "", "LC_MESSAGES": "zh_CN.GB18030"}, "zh_CN"),
        (None, {"LANG": "zh_CN.UTF-8", "LC_ALL": "C.UTF-8"}, "en"),  # LC_ALL first
        (None, {"LANG": "C.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh_CN"),
        ("zh_CN", {"LANG": "C.UTF-8"}, "zh_CN"),  # the config's language
        ("en", {"LANG": "zh_CN.UTF-8"}, "en"),
        ("auto", {"LANG": "zh_CN.UTF-8"}, "zh_CN"),  # auto follows the locale
        ("en", {"LANG": "C", "FOLLOWUP_LANGUAGE": "zh_CN"}, "zh_CN"),  # the env var wins
        ("zh_CN", {"FOLLOWUP_LANGUAGE": "en"}, "en"),
        (None, {"LANG": "zh_CN.UTF-8", "FOLLOWUP_LANGUAGE": "auto"}, "zh_CN"),
        (None, {"FOLLOWUP_LANGUAGE": "klingon"}, "en"),
    ],
)
def test_choose_language(config: str | None, env: dict[str, str], expected: str) -> None:
    assert i18n.choose_language(config, env) == expected


def test_the_language_setting_is_checked(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('language = "fr"\n', encoding="utf-8")
    db = tmp_path / "f.db"
    p = followup("--db", str(db), "--config", str(config), "config", "show", lang=EN)
    assert p.returncode == 65, p.stderr
    assert "Traceback" not in p.stderr
    assert p.stderr.startswith(
        "Error: language: 'fr' is not a language this version knows (auto, en, zh_CN)\n"
    ), p.stderr


# -- the real program in both languages -------------------------------------------------------


def followup(*args: str, lang: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The program in a child process under LANG=`lang` (no other locale variable)."""
    clean = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    return subprocess.run(
        [sys.executable, "-m", "followup_cli", *args],
        env={**clean, "LANG": lang, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def demo(office: Run, db_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """The small office with a service job, a ticket and two calls, as a program to run:
    demo("due", lang=ZH)."""
    steps = [
        ("event", "add", "C001", "--kind", "service", "--date", "2026-11-20", "--ref", "WO-8812"),
        ("event", "add", "C002", "--kind", "sale", "--date", "2026-11-16", "--ref", "INV-1"),
        (
            "ticket",
            "open",
            "C001",
            "--summary",
            "发动机异响",
            "--category",
            "service.late",
            "--severity",
            "minor",
        ),
        # The account manager's call: it settles his visit too (a clerk's would not).
        ("log-call", "C002", "--outcome", "reached", "--by", "王伟", "--satisfaction", "4"),
        ("log-call", "C001", "--outcome", "no-answer", "--by", "李娜", "--contact", "李明"),
    ]
    for args in steps:
        r = office(*args)
        assert r.exit_code == 0, r.output

    def run(*args: str, lang: str) -> subprocess.CompletedProcess[str]:
        return followup("--db", str(db_path), "--today", TODAY, *args, lang=lang)

    return run


def ok(p: subprocess.CompletedProcess[str]) -> str:
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    return p.stdout


def test_help_reads_in_chinese() -> None:
    out = ok(followup("--help", lang=ZH))
    assert out.startswith("用法：followup [OPTIONS] COMMAND [ARGS]...\n")
    for words in ("安排每一次回访和拜访", "示例：", "选项：", "命令：", "显示本帮助并退出。"):
        assert words in out, words
    assert "显示到期的回访和拜访：每个客户一行。" in out  # the registry's summary of `due`
    assert "Usage:" not in out and "Options" not in out and "Show this message" not in out
    sub = ok(followup("log-call", "--help", lang=ZH))
    assert "登记一次通话，并完成它涉及的所有回访事由。" in sub
    assert "接通、无人接听、占线、号码错误、拒接或留言。" in sub  # the words a clerk types
    assert "reached（接通）" not in sub
    assert "[环境变量：FOLLOWUP_STAFF]" in sub.replace("\n", "").replace(" ", "")
    assert "# 在终端上：引导式回访话术" in sub  # an example's comment
    assert "followup log-call C000012 --outcome no-answer --by 李娜" in sub  # kept as is


def test_help_reads_in_english_under_c() -> None:
    out = ok(followup("--help", lang=EN))
    assert out.startswith("Usage: followup [OPTIONS] COMMAND [ARGS]...\n")
    assert "Show the callbacks and visits due: one row per customer." in out
    assert "Examples:" in out and "Commands:" in out
    assert "回访" not in out and "用法" not in out


def test_due_reads_in_chinese(demo) -> None:
    out = ok(demo("due", "--days", "7", lang=ZH))
    lines = out.splitlines()
    assert lines[0] == "2026-11-23 起 7 天 待回访：1 个客户"
    header = lines[1].split()
    assert header == [
        "紧急度",
        "编号",
        "客户",
        "级",
        "联系人",
        "电话",
        "应回访日",
        "逾期",
        "回访事由",
        "负责人",
        "投诉",
    ]
    assert "张建国（决策人）" in out  # a contact role shown in its words, full-width brackets
    # each reason in its words, the stored English detail read back in Chinese
    # (李娜's missed call is no attempt on the account manager's visit: issue 14 item 4)
    assert "#1 拜访：业务经理拜访（每3天）" in out
    assert "#10 回访 第 2 次：服务 2026-11-20 WO-8812（+2天）" in out
    assert "#11 回访：服务 2026-11-20 WO-8812（+7天）" in out
    english = ok(demo("due", "--days", "7", lang=EN))
    assert english.splitlines()[0] == "Due 2026-11-23 + 7 days: 1 customer"
    assert "#10 event try 2: service 2026-11-20 WO-8812 (+2d)" in english
    assert "#1 visit: account_manager visit (every 3d)" in english
    assert "决策人" not in english and "张建国 (decision-maker)" in english


def test_satisfaction_report_reads_in_chinese(demo) -> None:
    out = ok(demo("report", "satisfaction", lang=ZH))
    assert out.startswith("满意度 2026-11-01 – 2026-11-23\n")
    for words in ("4 一般满意", "回答 1 个，平均 4.00 分，满意率 100.0%", "按期间", "按员工"):
        assert words in out, words
    # no recommend answers: no NPS column; the chart column has its header
    assert "按业务类型\n类型  回答数  5  4  3  2  1  平均分  满意率 %  平均分（图示）\n" in out
    assert "\n销售       1  0  1  0  0  0    4.00     100.0" in out  # the event kind in words
    english = ok(demo("report", "satisfaction", lang=EN))
    assert english.startswith("Satisfaction 2026-11-01 – 2026-11-23\n")
    assert "responses 1, average 4.00, satisfied 100.0%" in english


def test_ticket_show_reads_in_chinese(demo) -> None:
    out = ok(demo("ticket", "show", "1", lang=ZH))
    assert out.startswith("投诉 #1：发动机异响\n")
    for words in (
        "客户      C001 山东鲁建机械有限公司（核心客户）",  # full-width (issue 15)
        "状态      待处理",
        "类别      服务不守时\n",  # the word a clerk types, without the stored key (issue 15)
        "严重程度  一般",
        "期限      2026-11-26",
        "已升级至  第 0 级：服务经理 刘洋",
        "告知客户  尚未告知",
        "标准答复  很抱歉耽误了您的时间。我们会确定一个准确的时间，并由服务经理跟进。",
        "处理步骤  确认新的预约时间 → 通知服务经理",
        "处理记录\n时间",
        "受理          待处理  核心客户，一般：交给服务经理（刘洋）",
    ):
        assert words in out, words
    english = ok(demo("ticket", "show", "1", lang=EN))
    assert english.startswith("Ticket #1: 发动机异响\n")
    assert "Due by           2026-11-26" in english
    assert "Customer told    not yet" in english


@pytest.mark.parametrize(
    ("args", "code", "zh", "en"),
    [
        (("ticket", "show", "99"), 1, "错误：没有投诉 #99\n", "Error: no ticket #99\n"),
        (
            ("customer", "show", "不存在的公司"),
            1,
            "错误：没有客户匹配“不存在的公司”（按编号、ID 或完整名称）\n",
            "Error: no customer matches '不存在的公司' (by code, id or exact name)\n",
        ),
        (
            ("due", "--date", "2026-13-45"),
            65,
            "错误：--date：'2026-13-45' 不是日期；应为形如 2026-11-22 的日期",
            "Error: --date: '2026-13-45' is not a date; expected a date like 2026-11-22",
        ),
        (
            ("due", "--days", "x"),
            2,
            "错误：'--days' 的值无效：'x' 不是整数。\n",
            "Error: Invalid value for '--days': 'x' is not a valid int range.\n",
        ),
        (
            ("customer", "add", "甲", "--grade", "9"),
            2,
            "错误：'--grade' 的值无效：'9' 不符合要求；应为1（最重要）到 5 的等级",
            "Error: Invalid value for '--grade': '9' is not valid; expected a grade from 1",
        ),
        (("dew",), 2, "错误：没有命令 'dew'。", "Error: No such command 'dew'."),
    ],
)
def test_errors_read_in_chinese(demo, rows, args, code, zh, en) -> None:
    before = rows("SELECT count(*) AS n FROM customers")
    for lang, expected in ((ZH, zh), (EN, en)):
        p = demo(*args, lang=lang)
        assert p.returncode == code, p.stderr
        assert "Traceback" not in p.stderr
        assert expected in p.stderr, p.stderr
    assert rows("SELECT count(*) AS n FROM customers") == before


def test_a_usage_error_shows_chinese_usage_and_hint(demo) -> None:
    p = demo("ticket", "open", "C001", lang=ZH)
    assert p.returncode == 2
    assert p.stderr == (
        "用法：followup ticket open [OPTIONS] CUSTOMER\n"
        "运行“followup ticket open --help”查看帮助。\n\n"
        "错误：缺少选项 '--summary'。\n"
    )


def test_the_config_language_turns_the_interface_chinese(demo, tmp_path: Path) -> None:
    config = tmp_path / "zh.toml"
    config.write_text('language = "zh_CN"\n', encoding="utf-8")
    out = ok(demo("--config", str(config), "ticket", "show", "1", lang=EN))
    assert out.startswith("投诉 #1：")
    assert ok(demo("--config", str(config), "--help", lang=EN)).startswith("用法：")


@pytest.mark.parametrize(
    "args",
    [
        ("due", "--days", "7", "--format", "json"),
        ("due", "--days", "7", "--explain", "--format", "json"),
        ("report", "satisfaction", "--format", "json"),
        ("report", "complaints", "--format", "json"),
        ("report", "daily", "--format", "json"),
        ("report", "warnings", "--format", "json"),
        ("ticket", "show", "1", "--format", "json"),
        ("ticket", "list", "--format", "json"),
        ("customer", "show", "C001", "--format", "json"),
        ("customer", "list", "--format", "json"),
        ("escalate", "--auto", "--dry-run", "--format", "json"),
        ("export", "calls", "--format", "json"),
    ],
)
def test_json_is_identical_in_both_languages(demo, args) -> None:
    zh = ok(demo(*args, lang=ZH))
    assert zh == ok(demo(*args, lang=EN))
    json.loads(zh)


@pytest.mark.parametrize(
    "args",
    [
        ("due", "--days", "7", "--format", "csv"),
        ("customer", "show", "C001", "--format", "csv"),
        ("ticket", "show", "1", "--format", "csv"),
        ("report", "complaints", "--format", "csv"),
        ("contact", "list", "--format", "csv"),
        ("export", "customers"),
        ("export", "callbacks"),
    ],
)
def test_csv_is_identical_in_both_languages(demo, args) -> None:
    assert ok(demo(*args, lang=ZH)) == ok(demo(*args, lang=EN))


@pytest.fixture(scope="module")
def example_office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's example office (examples/load.sh): escalations, warnings, retries."""
    db = tmp_path_factory.mktemp("example") / "followup.db"
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    home = db.parent
    env.update(
        FOLLOWUP_DB=str(db),
        FOLLOWUP_TODAY=TODAY,
        LANG=EN,
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
    )
    program = Path(sys.executable).parent / "followup"
    p = subprocess.run(
        ["sh", str(ROOT / "examples" / "load.sh"), str(program)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    return db


@pytest.mark.parametrize(
    "args",
    [
        ("due", "--all", "--explain", "--format", "json"),
        ("--today", "2026-11-27", "report", "daily", "--format", "json"),
        ("--today", "2026-11-27", "report", "warnings", "--format", "json"),
        ("--today", "2026-11-27", "report", "complaints", "--format", "json"),
        ("--today", "2026-11-30", "escalate", "--auto", "--dry-run", "--format", "json"),
        ("report", "discrepancies", "--from", "2026-09-01", "--format", "json"),
        ("report", "categories", "--from", "2026-09-01", "--format", "json"),
        ("customer", "show", "C000001", "--format", "json"),
        ("ticket", "show", "1", "--format", "json"),
        ("export", "callbacks", "--format", "json"),
        ("due", "--all", "--format", "csv"),
        ("--today", "2026-11-27", "report", "daily", "--format", "csv"),
    ],
)
def test_the_example_office_gives_the_same_data_in_both_languages(example_office, args) -> None:
    zh = ok(followup("--db", str(example_office), "--today", TODAY, *args, lang=ZH))
    en = ok(followup("--db", str(example_office), "--today", TODAY, *args, lang=EN))
    assert zh == en
    assert zh.strip()
    if args[-1] == "json":
        json.loads(zh)


def test_exit_codes_are_the_same_in_both_languages(demo) -> None:
    for args in (("ticket", "close", "1"), ("due", "--date", "soon"), ("due", "--bogus")):
        assert demo(*args, lang=ZH).returncode == demo(*args, lang=EN).returncode != 0


# -- layout ----------------------------------------------------------------------------------


def assert_aligned(table: str) -> None:
    """Every line of a plain table has each column at the same display width: the rule
    line gives the widths; cells are padded to them and separated by two spaces."""
    lines = table.splitlines()
    rule = next(i for i, line in enumerate(lines) if line and set(line) <= {"-", " "})
    widths = [len(dashes) for dashes in lines[rule].split("  ")]
    for line in [lines[rule - 1], *lines[rule + 1 :]]:
        rest = line
        for i, width in enumerate(widths):
            if not rest:  # the cells left are empty (lines are right-stripped)
                break
            taken, used = "", 0
            while rest and used < width:
                taken += rest[0]
                used += cell_width(rest[0])
                rest = rest[1:]
            last = i == len(widths) - 1
            # (a short cell ends the line only when the cells after it are empty)
            assert used == width or not rest, (line, i, taken)
            if not last:
                assert rest.startswith("  ") or not rest.strip(), (line, i)
                rest = rest[2:]
        assert rest == "", line


def test_plain_tables_stay_aligned_with_chinese_text(demo) -> None:
    for args in (
        ("due", "--days", "7"),
        ("customer", "list"),
        ("contact", "list"),
        ("ticket", "list"),
        ("report", "staff"),
        ("report", "complaints"),
    ):
        out = ok(demo(*args, lang=ZH))
        table = "\n".join(line for line in out.splitlines()[1:] if line)
        assert_aligned(table if args[0] != "customer" else out)


def test_plain_table_alignment_is_checked() -> None:
    """The check above can fail: a cell wider than its column."""
    from followup_cli.render.output import Column, plain_table

    table = plain_table(
        [Column("a", "客户"), Column("b", "负责人")], [{"a": "山东鲁建", "b": "王伟"}]
    )
    assert_aligned(table)
    broken = table.replace("山东鲁建", "山东鲁建机", 1)
    with pytest.raises(AssertionError):
        assert_aligned(broken)


def test_dates_read_the_same_in_both_languages(demo) -> None:
    for args in (("ticket", "show", "1"), ("due", "--days", "7"), ("event", "list")):
        zh = ok(demo(*args, lang=ZH))
        en = ok(demo(*args, lang=EN))
        assert re.findall(r"\d{4}-\d\d-\d\d", zh) == re.findall(r"\d{4}-\d\d-\d\d", en)
        assert re.findall(r"\d{4}-\d\d-\d\d", zh)
        assert not re.search(r"\d+年\d+月\d+日|\d+/\d+/\d{4}", zh)


# -- Chinese headers for people --------------------------------------------------------------


def test_export_with_chinese_headers_imports_back(demo, tmp_path: Path, rows) -> None:
    out = tmp_path / "客户.csv"
    ok(demo("export", "customers", "--headers", "zh", "--output", str(out), lang=EN))
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "客户编号,客户名称,等级,电话,区域,行业,负责人,部门,地址,备注"
    assert text.splitlines()[1].startswith("C001,山东鲁建机械有限公司,1,0531-88886666,济南")
    fresh = tmp_path / "fresh.db"
    assert followup("--db", str(fresh), "init", lang=EN).returncode == 0
    staff = tmp_path / "staff.csv"
    ok(demo("export", "staff", "--headers", "zh", "--output", str(staff), lang=EN))
    for kind, path in (("staff", staff), ("customers", out)):
        p = followup("--db", str(fresh), "--today", TODAY, "import", kind, str(path), lang=EN)
        assert p.returncode == 0, p.stderr
    again = tmp_path / "again.csv"
    p = followup("--db", str(fresh), "export", "customers", "--output", str(again), lang=EN)
    assert p.returncode == 0, p.stderr
    english = tmp_path / "english.csv"
    ok(demo("export", "customers", "--output", str(english), lang=EN))
    assert again.read_bytes() == english.read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("export", "customers", "--headers", "fr"),
            "Error: Invalid value for '--headers': 'fr' is not valid; expected en or zh",
        ),
        (
            ("export", "customers", "--headers", "zh", "--format", "json"),
            "Error: --headers zh is for CSV; JSON keys are always the field names",
        ),
    ],
)
def test_bad_export_headers_are_usage_errors(demo, tmp_path: Path, args, message) -> None:
    out = tmp_path / "x.csv"
    p = demo(*args, "--output", str(out), lang=EN)
    assert p.returncode == 2
    assert message in p.stderr, p.stderr
    assert "Traceback" not in p.stderr
    assert not out.exists()


# -- in process ------------------------------------------------------------------------------


def test_the_language_follows_the_environment_in_process(office: Run) -> None:
    quiet = {"LC_ALL": "", "LC_MESSAGES": "", "FOLLOWUP_LANGUAGE": ""}
    zh = office("staff", "list", env={"LANG": ZH, **quiet})
    assert zh.exit_code == 0, zh.output
    assert zh.stdout.splitlines()[0].split() == [
        "姓名",
        "角色",
        "部门",
        "电话",
    ]  # a person has a 姓名
    assert "业务经理" in zh.stdout
    en = office("staff", "list", env={"LANG": EN, **quiet})
    assert en.stdout.splitlines()[0].split() == ["Name", "Role", "Department", "Phone"]


def test_root_help_summaries_match_each_commands_own_help_in_chinese() -> None:
    """The registry's summaries and the commands' first help lines are the same message,
    so they stay equal once translated."""
    from followup_cli.cli.app import COMMANDS, load_command

    i18n.use_language(i18n.CHINESE)
    for name, (_module, _attr, summary) in COMMANDS.items():
        command = load_command(name)
        first_line = (command.help or "").strip().splitlines()[0]
        assert first_line == i18n._(summary), name
        assert first_line != summary, name  # translated
