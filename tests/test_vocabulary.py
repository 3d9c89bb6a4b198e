"""One declaration per enumerated value (followup_cli.domain.vocabulary): the CLI's options, the call
script and every import converter accept the same words, and refuse alike.

Two kinds of test: a sample of Chinese words driven through the real CLI and a real
import into a real database file; and, for every word the declaration accepts (and a
few it refuses), the option path (the validator `add`/`log-call`/`ticket` commands call)
compared with the import converter of the same field.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from assertions import ok, refused
from followup_cli.domain import vocabulary as vocab
from followup_cli.domain.calls.log import parse_answers, validate_call
from followup_cli.domain.complaints.tickets import check_severity, validate_ticket
from followup_cli.domain.contacts.records import validate_contact
from followup_cli.domain.events.records import validate_event
from followup_cli.domain.staff.records import validate_staff
from followup_cli.support import i18n
from followup_cli.support.config import load_config
from followup_cli.support.errors import InvalidValue
from followup_cli.transfer.cells import converters

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

AT = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
ROLES = (
    "one of clerk, service, service_supervisor, service_manager, account_manager,"
    " sales_manager, branch_gm, marketing_director, regional_manager, deputy_gm, gm"
)


def write_csv(tmp_path: Path, name: str, header: list[str], *records: tuple[str, ...]) -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(records)
    return path


# -- the drifts of issue 13, through the real CLI --------------------------------------------


def test_staff_add_takes_the_chinese_role(initdb: Run, rows: Rows) -> None:
    r = ok(initdb("staff", "add", "张三", "--role", "服务经理"))
    assert r.stdout == "Added staff 张三 (service_manager)\n"
    assert rows("SELECT name, role FROM staff") == [{"name": "张三", "role": "service_manager"}]


def test_contact_add_takes_the_chinese_role(office: Run, rows: Rows) -> None:
    ok(office("contact", "add", "C002", "孙海", "--role", "决策人"))
    assert rows("SELECT role FROM contacts WHERE name = '孙海'") == [{"role": "decision-maker"}]


@pytest.mark.parametrize("word", ["保养", "维修保养", "售后", "维修"])
def test_event_add_takes_the_everyday_words_for_service(office: Run, rows: Rows, word: str) -> None:
    ok(office("event", "add", "C001", "--kind", word, "--date", "2026-11-20"))
    assert rows("SELECT kind FROM events") == [{"kind": "service"}]


def test_a_bad_role_is_refused_listing_the_roles_and_nothing_is_written(
    initdb: Run, rows: Rows
) -> None:
    # A bad option value is a usage error (exit 2), as for every other option.
    r = initdb("staff", "add", "张三", "--role", "老板娘")
    refused(r, 2, f"Invalid value for '--role': '老板娘' is not valid; expected {ROLES}")
    assert rows("SELECT * FROM staff") == []


def test_the_refusal_lists_the_values_in_the_readers_words(initdb: Run, rows: Rows) -> None:
    r = initdb("staff", "add", "张三", "--role", "老板娘", env={"FOLLOWUP_LANGUAGE": "zh_CN"})
    refused(r, 2, "'老板娘'")
    # the words a clerk may type (issue 15), not the stored keys
    assert "业务经理、销售经理" in r.stderr, r.stderr
    assert "服务经理" in r.stderr, r.stderr
    assert "account_manager" not in r.stderr and "（" not in r.stderr.split("'老板娘'")[1], r.stderr
    assert rows("SELECT * FROM staff") == []


def test_a_bad_word_in_an_import_is_refused_alike(initdb: Run, rows: Rows, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "staff.csv", ["姓名", "角色"], ("张三", "老板娘"))
    r = initdb("import", "staff", str(path))
    refused(r, 65, f"{path}:2:2: 角色: '老板娘' — expected {ROLES}")
    assert rows("SELECT * FROM staff") == []


# -- a sample through both doors: `add` and `import` store the same value ------------------


def test_cli_and_import_store_the_same_value_for_a_sample_of_words(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    ok(office("staff", "add", "张三", "--role", "服务经理"))
    path = write_csv(tmp_path, "staff.csv", ["姓名", "角色"], ("李四", "服务经理"))
    ok(office("import", "staff", str(path)))
    assert (
        rows("SELECT role FROM staff WHERE name IN ('张三', '李四')")
        == [{"role": "service_manager"}] * 2
    )

    ok(office("contact", "add", "C002", "孙海", "--role", "决策人"))
    path = write_csv(
        tmp_path, "contacts.csv", ["客户编号", "联系人", "角色"], ("C002", "钱七", "决策人")
    )
    ok(office("import", "contacts", str(path)))
    assert (
        rows("SELECT role FROM contacts WHERE name IN ('孙海', '钱七')")
        == [{"role": "decision-maker"}] * 2
    )

    ok(office("event", "add", "C001", "--kind", "保养", "--date", "2026-11-20", "--ref", "A"))
    path = write_csv(
        tmp_path,
        "events.csv",
        ["客户编号", "类型", "日期", "单号"],
        ("C002", "保养", "2026-11-20", "B"),
    )
    ok(office("import", "events", str(path)))
    assert rows("SELECT kind FROM events ORDER BY ref") == [{"kind": "service"}] * 2

    ok(office("log-call", "C001", "--outcome", "接通", "--by", "李娜", "--channel", "微信",
              "--repurchase", "不会", "--at", "2026-11-22 10:00"))  # fmt: skip
    path = write_csv(
        tmp_path, "calls.csv", ["客户编号", "时间", "回访人", "回访结果", "方式", "复购"],
        ("C002", "2026-11-22 11:00", "李娜", "接通", "微信", "不会"),
    )  # fmt: skip
    ok(office("import", "calls", str(path)))
    assert (
        rows("SELECT outcome, channel, repurchase FROM calls ORDER BY at")
        == [{"outcome": "reached", "channel": "wechat", "repurchase": "no"}] * 2
    )


def test_ticket_options_take_the_chinese_words(office: Run, rows: Rows) -> None:
    ok(office("ticket", "open", "C001", "--summary", "漏油", "--category", "product.failure",
              "--severity", "严重", "--channel", "来访"))  # fmt: skip
    ok(office("log-call", "C002", "--outcome", "reached", "--by", "李娜",
              "--complaint", "工程师迟到", "--category", "Service.Late", "--severity", "重大"))  # fmt: skip
    # log-call stores the values its checks accepted, not the words as typed
    assert rows("SELECT category, severity, channel FROM tickets ORDER BY id") == [
        {"category": "product.failure", "severity": "critical", "channel": "walk-in"},
        {"category": "service.late", "severity": "major", "channel": "callback"},
    ]
    ok(office("ticket", "resolve", "1", "--resolution", "换了油封"))
    ok(office("ticket", "approve", "1", "--by", "吴刚"))  # critical: a leader approves first
    ok(office("ticket", "notify", "1", "--via", "短信"))
    assert rows("SELECT notified_via FROM tickets WHERE id = 1") == [{"notified_via": "sms"}]


# -- every word, both doors ------------------------------------------------------------------

# (vocabulary kind, import kind, import field, the option path, the values in effect)
Option = Callable[[Any, str], Any]
ENUMERATED: list[tuple[str, str, str, Option, Callable[[Any], list[str] | tuple[str, ...]]]] = [
    ("staff_role", "staff", "role", lambda s, w: validate_staff(s, "张三", w).role,
     lambda c: c.staff_roles),
    ("contact_role", "contacts", "role", lambda s, w: validate_contact(s, "孙海", role=w).role,
     lambda c: c.contact_roles),
    ("event_kind", "events", "kind", lambda s, w: validate_event(s, w, None).kind,
     lambda c: c.event_kinds),
    ("outcome", "calls", "outcome", lambda s, w: validate_call(w, "李娜", AT).outcome,
     lambda c: vocab.OUTCOMES),
    ("call_channel", "calls", "channel",
     lambda s, w: validate_call("reached", "李娜", AT, channel=w).channel,
     lambda c: vocab.CALL_CHANNELS),
    ("repurchase", "calls", "repurchase",
     lambda s, w: validate_call("reached", "李娜", AT, repurchase=w).repurchase,
     lambda c: vocab.REPURCHASE),
]  # fmt: skip

# Not words of any kind: both doors refuse them.
REFUSED = ["老板娘", "洗车", "repair", "boss", "hung-up", "maybe", "fax", "服务 经理", "x"]


def variants(value: str) -> list[str]:
    """Spellings of a stored value both doors take: case, `_`/`-`, full width, spaces."""
    return [
        value.upper(),
        value.replace("_", "-"),
        value.replace("-", "_"),
        f"  {value} ",
        "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in value),
    ]


def outcome(fn: Callable[[str], Any], word: str) -> Any:
    try:
        return fn(word)
    except InvalidValue as exc:
        return ("refused", exc.expected)


@pytest.mark.parametrize(
    ("kind", "table", "field", "option", "in_effect"),
    ENUMERATED,
    ids=[e[0] for e in ENUMERATED],
)
def test_options_and_import_accept_exactly_the_same_words(
    session: Callable[..., Any],
    kind: str,
    table: str,
    field: str,
    option: Option,
    in_effect: Callable[[Any], list[str]],
) -> None:
    s = session()
    convert = converters(s, table)[field]
    allowed = in_effect(s.config)
    words = vocab.accepted_words(kind, allowed)
    assert set(allowed) <= set(words)
    for word, value in words.items():
        assert option(s, word) == value, word
        assert convert(word) == value, word
        for spelling in variants(word) if word == value else []:
            assert outcome(lambda w: option(s, w), spelling) == value, spelling
            assert outcome(convert, spelling) == value, spelling
    for word in REFUSED:
        by_option = outcome(lambda w: option(s, w), word)
        assert by_option == outcome(convert, word), word
        assert by_option == ("refused", vocab.expected(kind, allowed)), word


def test_severity_is_judged_alike_by_ticket_open_and_log_call(session: Callable[..., Any]) -> None:
    s = session()
    for word, value in vocab.accepted_words("severity").items():
        assert check_severity(word) == value  # log-call --complaint --severity
        assert validate_ticket(s, "x", "other", severity=word).severity == value
    with pytest.raises(InvalidValue):
        check_severity("huge")


def test_ticket_channels_take_the_call_channel_words_and_more(session: Callable[..., Any]) -> None:
    s = session()
    channels = s.config["tickets"]["channels"]
    for word, value in vocab.accepted_words("ticket_channel", channels).items():
        assert validate_ticket(s, "x", "other", channel=word).channel == value
    call_words = vocab.accepted_words("call_channel")
    assert set(call_words.items()) <= set(vocab.accepted_words("ticket_channel", channels).items())


def test_a_word_for_a_value_the_office_removed_is_refused(session: Callable[..., Any]) -> None:
    # A Chinese word leads to its stored value only while that value is in effect.
    with pytest.raises(InvalidValue) as info:
        vocab.accept("staff_role", "服务经理", "role", ["clerk", "service"])
    assert info.value.expected == "one of clerk, service"


# -- the declaration itself ------------------------------------------------------------------


def test_declared_values_are_the_shipped_settings() -> None:
    data = load_config(None).data
    for kind, vocabulary in vocab.VOCABULARIES.items():
        if vocabulary.setting is None:
            continue
        node: Any = data
        for part in vocabulary.setting.split("."):
            node = node[part]
        assert tuple(node) == vocabulary.values, kind


def test_every_word_names_a_declared_value() -> None:
    for kind, vocabulary in vocab.VOCABULARIES.items():
        stray = {w: v for w, v in vocabulary.words.items() if v not in vocabulary.values}
        assert not stray or kind == "call_channel", (kind, stray)
    # the call channels share the channel words; those for ticket-only channels stay unused
    assert set(vocab.VOCABULARIES["call_channel"].words.values()) <= set(
        vocab.VOCABULARIES["ticket_channel"].values
    )


def test_what_the_chinese_interface_shows_can_be_typed() -> None:
    """Each value's zh_CN label is accepted for it (a clerk types what the screen says)."""
    i18n.use_language(i18n.CHINESE)
    try:
        missing = []
        for kind, vocabulary in vocab.VOCABULARIES.items():
            if not vocabulary.words:
                continue
            for value in vocabulary.values:
                word = i18n.label(vocabulary.label_kind, value)
                if word != value and vocab.accepted_words(kind).get(word) != value:
                    missing.append((kind, value, word))
    finally:
        i18n.use_language(i18n.ENGLISH)
    assert missing == []


# -- satisfaction: one scale -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "score"),
    [("高度满意", 5), ("非常满意", 5), ("很满意", 5), ("一般满意", 4), ("满意", 4), ("无意见", 3),
     ("一般", 3), ("有些不满意", 2), ("不满意", 2), ("极不满意", 1), ("非常不满意", 1),
     ("Very Satisfied", 5), ("4", 4), ("５", 5), ("", None)],
)  # fmt: skip
def test_satisfaction_words_are_read_alike_by_log_call_and_import(
    session: Callable[..., Any], word: str, score: int | None
) -> None:
    s = session()
    assert vocab.satisfaction_score(word) == score
    assert converters(s, "calls")["satisfaction"](word) == score
    assert validate_call("reached", "李娜", AT, satisfaction=word).satisfaction == score


def test_the_satisfaction_scale_is_one_list() -> None:
    from followup_cli.domain.reports.satisfaction import LEVELS

    assert LEVELS == (5, 4, 3, 2, 1)
    assert [vocab.satisfaction_label(k) for k in LEVELS] == [
        "5 高度满意 very satisfied",
        "4 一般满意 satisfied",
        "3 无意见 neutral",
        "2 有些不满意 somewhat dissatisfied",
        "1 极不满意 very dissatisfied",
    ]
    i18n.use_language(i18n.CHINESE)
    try:
        assert vocab.satisfaction_label(5) == "5 高度满意"
    finally:
        i18n.use_language(i18n.ENGLISH)
    with pytest.raises(InvalidValue):
        vocab.satisfaction_score("6")


def test_the_satisfaction_report_shows_the_scale_words(office: Run) -> None:
    ok(office("log-call", "C001", "--outcome", "reached", "--by", "李娜", "--satisfaction", "4"))
    r = ok(office("report", "satisfaction", "--from", "2026-11-01", "--to", "2026-11-30"))
    assert "4 一般满意 satisfied" in r.stdout, r.stdout
    r = ok(office("report", "satisfaction", "--from", "2026-11-01", "--to", "2026-11-30",
                  env={"FOLLOWUP_LANGUAGE": "zh_CN"}))  # fmt: skip
    assert "4 一般满意" in r.stdout and "satisfied" not in r.stdout, r.stdout


# -- call answers: one parser ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "answers"),
    [
        (["fixed=yes"], {"fixed": "yes"}),
        (["fixed=no", "on_time=是"], {"fixed": "no", "on_time": "yes"}),
        (["fixed=yes;on_time=no"], {"fixed": "yes", "on_time": "no"}),
        (["fixed=yes；on_time=否"], {"fixed": "yes", "on_time": "no"}),
        (["fixed=yes,on_time=no"], {"fixed": "yes", "on_time": "no"}),
        (["fixed＝是，on_time＝否"], {"fixed": "yes", "on_time": "no"}),
        ([" fixed = y ; ; on_time = 0 "], {"fixed": "yes", "on_time": "no"}),
        (["fixed=yes", "fixed=no"], {"fixed": "no"}),
        ([""], {}),
    ],
)
def test_answers_in_every_separator(texts: list[str], answers: dict[str, str]) -> None:
    assert parse_answers(texts) == answers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fixed", "KEY=yes or KEY=no; several as KEY=yes;KEY=no"),
        ("=yes", "KEY=yes or KEY=no; several as KEY=yes;KEY=no"),
        ("fixed=maybe", "yes or no (also 是/否, 1/0)"),
        ("broken=no", "keys among fixed, on_time"),
    ],
)
def test_a_bad_answer_is_named(text: str, expected: str) -> None:
    with pytest.raises(InvalidValue) as info:
        parse_answers([text], "answers", known={"fixed", "on_time"})
    assert info.value.expected == expected


def test_log_call_and_import_read_answers_with_the_same_separators(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    for code in ("C001", "C002"):
        ok(office("event", "add", code, "--kind", "service", "--date", "2026-11-20"))
    ok(office("log-call", "C001", "--outcome", "reached", "--by", "李娜", "--at",
              "2026-11-22 10:00", "--answer", "fixed=否；on_time=是"))  # fmt: skip
    path = write_csv(
        tmp_path, "calls.csv", ["客户编号", "时间", "回访人", "回访结果", "答案"],
        ("C002", "2026-11-22 11:00", "李娜", "接通", "fixed=否；on_time=是"),
    )  # fmt: skip
    ok(office("import", "calls", str(path)))
    stored = [json.loads(r["answers"]) for r in rows("SELECT answers FROM calls ORDER BY at")]
    assert stored == [{"fixed": "no", "on_time": "yes"}] * 2


def test_list_filters_take_the_same_words(office: Run) -> None:
    ok(office("event", "add", "C001", "--kind", "保养", "--date", "2026-11-20"))
    r = ok(office("staff", "list", "--role", "服务工程师", "--format", "json"))
    assert [m["name"] for m in json.loads(r.stdout)] == ["赵强"]
    r = ok(office("event", "list", "--kind", "维修保养", "--format", "json"))
    assert [e["kind"] for e in json.loads(r.stdout)] == ["service"]
    refused(
        office("staff", "list", "--role", "老板娘"), 2, f"'老板娘' is not valid; expected {ROLES}"
    )
