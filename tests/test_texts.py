"""What the tool writes is stored as a message code plus parameters and rendered in the
reader's language; what a person typed is stored and shown as typed (issue 13)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assertions import ok
from followup_cli.domain.texts import Message, columns, english, joined, loads, message, render
from followup_cli.support import i18n

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]
ZH = {"FOLLOWUP_LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "zh_CN.UTF-8"}


@pytest.fixture
def no_director(initdb: Run) -> Run:
    """An important customer (ladder service_manager → marketing_director → gm) in an
    office with nobody in marketing."""
    for name, role in (("李娜", "clerk"), ("刘洋", "service_manager"), ("吴刚", "gm")):
        ok(initdb("staff", "add", name, "--role", role))
    ok(initdb("customer", "add", "济南重工集团", "--code", "C003", "--grade", "2"))
    return initdb


def test_a_skipped_rung_reads_in_chinese_with_the_role_in_its_words(
    no_director: Run, rows: Rows
) -> None:
    ok(no_director("ticket", "open", "C003", "--summary", "发动机异响", "--category", "other"))
    ok(no_director("escalate", "--auto", today="2026-11-27"))
    english_note = "SLA breached: resolution was due by 2026-11-26 (no staff for marketing_director: passed to the next rung up)"  # noqa: E501
    stored = rows("SELECT note, note_message FROM ticket_history WHERE action = 'escalate'")
    assert stored[0]["note"] == english_note  # the English rendering, as before
    assert json.loads(stored[0]["note_message"]) == {
        "code": "escalation.with_note",
        "params": {
            "reason": {"code": "escalation.breach_resolution", "params": {"date": "2026-11-26"}},
            "note": {
                "code": "escalation.rungs_skipped",
                "params": {"roles": ["marketing_director"]},
            },
        },
    }
    out = ok(no_director("ticket", "show", "1", env=ZH)).stdout
    assert "超出时限：应于 2026-11-26 前解决（没有营销总监：交给上一级）" in out
    assert "no staff" not in out and "marketing_director" not in out
    assert english_note in ok(no_director("ticket", "show", "1")).stdout
    shown = ok(no_director("ticket", "show", "1", "--format", "json", env=ZH)).stdout
    assert json.loads(shown)["history"][-1]["note"] == english_note  # JSON stays English


def test_the_escalation_notice_reads_in_chinese(no_director: Run) -> None:
    ok(no_director("ticket", "open", "C003", "--summary", "发动机异响", "--category", "other"))
    out = ok(no_director("escalate", "--auto", today="2026-11-27", env=ZH)).stdout
    assert "超出时限：应于 2026-11-26 前解决 —— 没有营销总监：交给上一级" in out
    assert "no staff" not in out


def test_a_clerks_summary_is_shown_as_typed_in_chinese(office: Run, rows: Rows) -> None:
    typed = "unreachable; call after 3pm"
    ok(office("ticket", "open", "C001", "--summary", typed, "--category", "other"))
    assert rows("SELECT summary, summary_message FROM tickets") == [
        {"summary": typed, "summary_message": None}
    ]
    out = ok(office("ticket", "show", "1", env=ZH)).stdout
    assert out.startswith(f"投诉 #1：{typed}\n")
    assert "无法联系" not in out
    listed = ok(office("ticket", "list", env=ZH)).stdout
    assert typed in listed and "无法联系" not in listed
    profile = ok(office("customer", "show", "C001", env=ZH)).stdout
    assert typed in profile and "无法联系" not in profile


def test_a_typed_note_that_reads_like_a_template_stays_as_typed(office: Run) -> None:
    ok(office("ticket", "open", "C001", "--summary", "异响", "--category", "other"))
    ok(office("ticket", "note", "1", "warning cleared"))
    out = ok(office("ticket", "show", "1", env=ZH)).stdout
    assert "warning cleared" in out and "预警解除" not in out


# -- the message type -------------------------------------------------------------------


def test_a_message_round_trips_through_its_stored_form() -> None:
    m = message(
        "escalation.with_note",
        reason="客户要求经理回电",  # typed by a person: never read as a template
        note=joined(
            [
                message("escalation.rungs_skipped", roles=["sales_manager", "marketing_director"]),
                message("escalation.nobody_above", role="gm"),
            ]
        ),
    )
    text, stored = columns(m)
    assert stored is not None and loads(stored) == m
    assert (
        text
        == english(m)
        == (
            "客户要求经理回电 (no staff for sales_manager, marketing_director: passed to the next"
            " rung up; nobody holds any rung above: add staff for gm)"
        )
    )
    assert render(m, i18n.CHINESE) == (
        "客户要求经理回电（没有销售经理、营销总监：交给上一级；上面各级都无人担任：请添加总经理）"
    )
    assert columns("unreachable") == ("unreachable", None)
    assert render("unreachable", i18n.CHINESE) == "unreachable"


def test_an_unknown_code_is_refused() -> None:
    with pytest.raises(KeyError):
        Message("escalation.no_such_thing")


@given(
    code=st.sampled_from(
        [
            "callback.visit",
            "callback.event",
            "indicator.open_tickets",
            "callback.yearly",
            "callback.retry",
        ]
    ),
    values=st.lists(
        st.one_of(st.text(max_size=6), st.integers(-3, 3), st.booleans(), st.floats(-2, 2)),
        min_size=3,
        max_size=3,
    ),
)
def test_remembered_columns_are_the_plain_ones(code: str, values: list[Any]) -> None:
    """texts.columns remembers the stored form of plain messages; it gives what the plain
    rendering gives, the first time and the next (1, 1.0 and True are told apart)."""
    import string

    from followup_cli.domain.texts import TEMPLATES, _plain_stored

    names = [n for _l, n, _s, _c in string.Formatter().parse(TEMPLATES[code]) if n]
    m = Message(code, dict(zip(names, values, strict=False)))
    assert columns(m) == _plain_stored(m) == columns(m)
    one, other = (
        Message("indicator.open_tickets", {"n": 1}),
        Message("indicator.open_tickets", {"n": True}),
    )
    assert columns(one) == _plain_stored(one) and columns(other) == _plain_stored(other)
    assert columns(one) != columns(other)
