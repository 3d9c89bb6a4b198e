"""Notices reach the people they name (issue 19): queued in the outbox in the
transaction of their cause, once per recipient, channel and cause, and delivered by
`notify send` to a real SMTP server and a real HTTP server standing in for the group
robots, both on 127.0.0.1 and started by the tests (tests/notify_servers.py)."""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assertions import ok
from conftest import sqlite_only
from notify_servers import RobotServer, SmtpServer, TlsSmtpServer, free_port, self_signed

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]

TODAY = "2026-11-23"  # a Monday
LATER = "2026-11-27"  # a minor ticket of the 23rd is past its SLA (3 working days)
WECOM_KEY = "6c1d9e0f-secret-robot-key-7b2a"
SMTP_PASSWORD = "s3cret-smtp-pass-word"
URL_VAR = "FOLLOWUP_TEST_WECOM_URL"
NOW = "T09:00:00+08:00"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def robot() -> Iterator[RobotServer]:
    with RobotServer() as server:
        yield server


def write_config(
    tmp_path: Path, smtp_port: int, extra: str = "", roles: str = '["gm", "sales_manager"]'
) -> Path:
    path = tmp_path / "notify.toml"
    path.write_text(
        "[notify]\nretry_minutes = [5, 30]\nmax_attempts = 3\n"
        f'[notify.email]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\n'
        'sender = "followup@example.cn"\n'
        f'[notify.webhooks.service_group]\nkind = "wecom"\nurl_env = "{URL_VAR}"\n'
        f"roles = {roles}\n" + extra,
        encoding="utf-8",
    )
    return path


@pytest.fixture
def notified(office: Run, tmp_path: Path, smtp: SmtpServer, robot: RobotServer) -> Run:
    """`office` with email and a WeCom robot configured (the robot takes the gm's and
    the sales manager's notices) and the leaders' addresses on the staff list."""
    config = write_config(tmp_path, smtp.port)
    env = {URL_VAR: robot.url(key=WECOM_KEY)}

    def run(*args: str, today: str = TODAY, env_extra: dict[str, str] | None = None) -> Any:
        return office("--config", str(config), *args, today=today, env={**env, **(env_extra or {})})

    for name, address in (("吴刚", "wugang@example.cn"), ("孙丽", "sunli@example.cn")):
        ok(run("staff", "edit", name, "--email", address))
    ok(run("staff", "edit", "吴刚", "--phone", "13900000001"))
    return run


def open_ticket(run: Run, customer: str = "C001", severity: str = "minor") -> int:
    r = ok(
        run(
            "ticket", "open", customer, "--summary", "液压泵漏油", "--category",
            "product.failure", "--severity", severity, "--format", "json",
        )
    )  # fmt: skip
    return int(json.loads(r.stdout)["id"])


def notices(rows: Rows) -> list[dict[str, Any]]:
    return rows(
        "SELECT cause, cause_key, ticket_id, recipient, channel, address, status, attempts"
        " FROM notices ORDER BY id"
    )


def send(run: Run, *args: str, today: str = TODAY, at: str = NOW, **env: str) -> Any:
    return run(
        "notify", "send", *args, today=today,
        env_extra={"FOLLOWUP_NOW": today + at, **env},
    )  # fmt: skip


# -- queued with the cause ---------------------------------------------------------------


def test_a_new_ticket_is_queued_for_the_sales_manager_on_each_channel(notified, rows):
    ticket = open_ticket(notified)
    assert notices(rows) == [
        {"cause": "ticket", "cause_key": f"ticket:{ticket}", "ticket_id": ticket,
         "recipient": "孙丽", "channel": "email", "address": "sunli@example.cn",
         "status": "pending", "attempts": 0},
        {"cause": "ticket", "cause_key": f"ticket:{ticket}", "ticket_id": ticket,
         "recipient": "孙丽", "channel": "service_group", "address": None,
         "status": "pending", "attempts": 0},
    ]  # fmt: skip


def test_nothing_is_queued_for_someone_no_channel_reaches(office, rows, tmp_path, smtp):
    """The sales manager has no email and no robot takes her role: nothing to queue."""
    config = write_config(tmp_path, smtp.port, roles='["gm"]')
    r = office("--config", str(config), "ticket", "open", "C001", "--summary", "漏油",
               "--category", "product.failure")  # fmt: skip
    ok(r)
    assert notices(rows) == []


def test_without_notify_settings_nothing_is_queued(office, rows):
    ok(office("ticket", "open", "C001", "--summary", "漏油", "--category", "product.failure"))
    assert notices(rows) == []


def test_an_escalation_is_queued_once_however_often_cron_runs(notified, rows):
    ticket = open_ticket(notified)
    for _ in range(3):
        ok(notified("escalate", "--auto", today=LATER))
    climbed = [n for n in notices(rows) if n["cause"] == "escalation"]
    [step] = rows("SELECT id, staff FROM escalations WHERE ticket_id = ?", ticket)
    assert climbed, notices(rows)
    assert {n["cause_key"] for n in climbed} == {f"escalation:{step['id']}"}
    assert {n["recipient"] for n in climbed} == {step["staff"]}
    assert len(climbed) == len({(n["recipient"], n["channel"]) for n in climbed})


def test_an_emergency_and_an_approaching_warning_are_queued_for_the_responsible(notified, rows):
    open_ticket(notified, "C001", "critical")  # a critical complaint: an emergency for C001
    ok(notified("escalate", "--auto"))
    ok(notified("escalate", "--auto"))
    warned = [n for n in notices(rows) if n["cause"] == "warning"]
    found = rows("SELECT id, stage, emergency, responsible FROM warnings ORDER BY id")
    # one complaint open on a core customer: one step from open_tickets (approaching)
    assert [(w["stage"], w["emergency"], w["responsible"]) for w in found] == [
        ("approaching", 0, "吴刚"),
        ("breach", 1, "吴刚"),
    ]
    assert [(n["cause_key"], n["recipient"], n["channel"]) for n in warned] == [
        (f"warning:{w['id']}", "吴刚", channel)
        for w in found
        for channel in ("email", "service_group")
    ]


def test_a_failed_cause_queues_nothing(notified, rows):
    """The notice is written in the cause's transaction: a refused ticket leaves none."""
    r = notified("ticket", "open", "C999", "--summary", "漏油", "--category", "product.failure")
    assert r.exit_code == 1, r.output
    assert notices(rows) == []


# -- delivered ---------------------------------------------------------------------------


def test_an_escalation_is_delivered_by_email_and_to_the_wecom_robot_in_chinese(
    notified, rows, smtp, robot
):
    ticket = open_ticket(notified)
    ok(notified("escalate", "--auto", today=LATER))
    [step] = rows("SELECT id, staff, role FROM escalations WHERE ticket_id = ?", ticket)
    assert (step["staff"], step["role"]) == ("吴刚", "gm")
    r = send(notified, today=LATER, FOLLOWUP_LANGUAGE="zh_CN")
    ok(r)
    assert (
        f"已发送 #3 给 吴刚（email wugang@example.cn）：投诉 #{ticket} 已升级给您（总经理）"
        in r.stdout
    )
    # (and the sales manager's due digest of the day: a callback of hers is overdue)
    assert (
        "已发送 #7 给 孙丽（email sunli@example.cn）：您 2026-11-27 的回访：今天到期 0 个，逾期 1 个"
        in r.stdout
    )
    assert r.stdout.endswith("已发送 8 条通知；0 条待重试，0 条失败\n"), r.stdout
    assert {n["status"] for n in notices(rows)} == {"sent"}
    sent = rows("SELECT sent_at, attempts FROM notices")
    assert {(s["sent_at"], s["attempts"]) for s in sent} == {(LATER + NOW, 1)}
    mails = {to[0]: mail for to, mail in smtp.messages}
    assert len(smtp.messages) == 4 and set(mails) == {"sunli@example.cn", "wugang@example.cn"}
    new = next(m for to, m in smtp.messages if to == ["sunli@example.cn"])
    assert new["Subject"] == f"[followup] 新投诉 #{ticket}：已立即报告给您（销售经理）"
    escalated = [m for to, m in smtp.messages if m["Subject"].endswith("已升级给您（总经理）")]
    [mail] = escalated
    assert mail["To"] == "wugang@example.cn"
    assert mail["From"] == "followup@example.cn"
    assert mail["Subject"] == f"[followup] 投诉 #{ticket} 已升级给您（总经理）"
    body = mail.get_content().replace("\r\n", "\n")
    assert body.startswith("吴刚：\n")
    for line in (
        "客户：C001 山东鲁建机械有限公司",
        "投诉内容：液压泵漏油",
        "严重程度：一般",
        "原因：超出时限：应于 2026-11-26 前解决",
        "期限：2026-12-02",
    ):
        assert line + "\n" in body, body
    # the robot: the new ticket in markdown (孙丽 has no phone), the gm by phone in text
    assert [p.query for p in robot.posts] == [{"key": WECOM_KEY}] * 4
    first = robot.posts[0].body
    assert first["msgtype"] == "markdown"
    content = first["markdown"]["content"]
    assert content.startswith(f"**新投诉 #{ticket}：已立即报告给您（销售经理）**\n")
    assert "> 客户：C001 山东鲁建机械有限公司\n" in content and content.endswith("@孙丽")
    second = robot.posts[1].body
    assert second["msgtype"] == "text"
    assert second["text"]["mentioned_mobile_list"] == ["13900000001"]
    assert second["text"]["content"].startswith(f"吴刚: 投诉 #{ticket} 已升级给您（总经理）\n")
    assert "客户：C001 山东鲁建机械有限公司" in second["text"]["content"]

    again = send(notified, today=LATER)
    ok(again)
    assert again.stdout == "No notices due.\n"
    assert len(smtp.messages) == 4 and len(robot.posts) == 4


def test_the_gm_is_mentioned_by_phone_in_wecom(notified, rows, robot):
    open_ticket(notified, "C001", "critical")
    ok(notified("escalate", "--auto"))
    ok(send(notified))
    to_gm = [p.body for p in robot.posts if p.body.get("msgtype") == "text"]
    assert to_gm, [p.body for p in robot.posts]
    for body in to_gm:
        assert body["text"]["mentioned_mobile_list"] == ["13900000001"]
        assert body["text"]["content"].startswith("吴刚: ")
    assert any("Emergency early warning" in b["text"]["content"] for b in to_gm)


def test_smtp_down_is_retried_later_and_delivered_on_the_next_run(office, rows, tmp_path, robot):
    port = free_port()
    config = write_config(tmp_path, port, roles="[]")

    def run(*args: str, today: str = TODAY, env_extra: dict[str, str] | None = None) -> Any:
        return office("--config", str(config), *args, today=today, env=env_extra or {})

    ok(run("staff", "edit", "孙丽", "--email", "sunli@example.cn"))
    open_ticket(run)
    r = send(run)
    assert r.exit_code == 75, r.output
    assert "Not sent #1 to 孙丽 (email sunli@example.cn): ConnectionRefusedError" in r.stdout
    assert "next try today 09:05" in r.stdout
    [n] = rows("SELECT status, attempts, last_error, next_try_at FROM notices")
    assert (n["status"], n["attempts"], n["next_try_at"]) == (
        "pending",
        1,
        TODAY + "T09:05:00+08:00",
    )
    assert "Connection refused" in n["last_error"]
    r = send(run, at="T09:03:00+08:00")  # its wait is not over: nothing due
    ok(r)
    assert r.stdout == "No notices due.\n"
    # (the server comes back on the same port)
    server = SmtpServer()
    server.port = port
    server.controller = type(server.controller)(server.sink, hostname="127.0.0.1", port=port)
    with server:
        ok(send(run, at="T09:06:00+08:00"))
    assert len(server.messages) == 1
    [n] = rows("SELECT status, attempts, sent_at FROM notices")
    assert (n["status"], n["attempts"], n["sent_at"]) == ("sent", 2, TODAY + "T09:06:00+08:00")


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (500, "oops", "HTTP 500 Internal Server Error"),
        (200, '{"errcode": 93000, "errmsg": "invalid webhook url"}', "errcode 93000"),
    ],
)
def test_a_robot_answering_an_error_is_retried_then_failed(
    office, rows, tmp_path, smtp, robot, status, body, error
):
    config = write_config(tmp_path, smtp.port)
    env = {URL_VAR: robot.url(key=WECOM_KEY)}

    def run(*args: str, today: str = TODAY, env_extra: dict[str, str] | None = None) -> Any:
        return office("--config", str(config), *args, today=today, env={**env, **(env_extra or {})})

    open_ticket(run)  # 孙丽 has no email: the robot only
    robot.answers = [(status, body)] * 3
    r = send(run)
    assert r.exit_code == 75, r.output
    assert error in r.stdout
    assert WECOM_KEY not in r.output
    [n] = rows("SELECT status, attempts, last_error FROM notices")
    assert (n["status"], n["attempts"]) == ("pending", 1)
    assert error in n["last_error"]
    r = send(run, at="T09:05:00+08:00")  # retry_minutes = [5, 30]
    assert r.exit_code == 75, r.output
    assert "next try today 09:35" in r.stdout
    r = send(run, at="T09:35:00+08:00")  # the third try is the last (max_attempts 3)
    assert r.exit_code == 1, r.output
    assert "no more tries" in r.stdout
    [n] = rows("SELECT status, attempts FROM notices")
    assert (n["status"], n["attempts"]) == ("failed", 3)
    assert len(robot.posts) == 3
    ok(send(run, at="T12:00:00+08:00"))
    assert len(robot.posts) == 3


def test_dingtalk_signing_is_verified_by_the_server(office, rows, tmp_path, smtp, robot):
    secret = "SECdingtalk-signing-secret-0001"
    robot.dingtalk_secret = secret
    config = write_config(
        tmp_path,
        smtp.port,
        extra='[notify.webhooks.sales]\nkind = "dingtalk"\nurl_env = "DT_URL"\n'
        'secret_env = "DT_SECRET"\nroles = ["sales_manager"]\n',
        roles="[]",
    )
    env = {
        "DT_URL": robot.url("/robot/send") + "?access_token=dt-token-123456",
        "DT_SECRET": secret,
    }
    ok(office("--config", str(config), "staff", "edit", "孙丽", "--phone", "13700000002"))
    open_ticket(lambda *a, **k: office("--config", str(config), *a, env=env))
    r = office("--config", str(config), "notify", "send", env={**env, "FOLLOWUP_LANGUAGE": "zh_CN"})
    ok(r)
    assert robot.bad_signatures == 0
    [post] = robot.posts
    assert post.query["access_token"] == "dt-token-123456"
    assert post.body["msgtype"] == "markdown"
    assert post.body["at"] == {"atMobiles": ["13700000002"], "isAtAll": False}
    assert post.body["markdown"]["title"].startswith("新投诉 #1")
    assert post.body["markdown"]["text"].endswith("@13700000002")
    # a wrong secret: the server refuses the signature, the notice waits for a retry
    ok(office("--config", str(config), "ticket", "open", "C002", "--summary", "配件错发",
              "--category", "parts", env=env))  # fmt: skip
    r = office("--config", str(config), "notify", "send", env={**env, "DT_SECRET": "wrong"})
    assert r.exit_code == 75, r.output
    assert "errcode 310000: sign not match" in r.stdout
    assert secret not in r.output


def test_a_missing_variable_is_a_configuration_error_naming_it(office, rows, tmp_path, smtp):
    config = write_config(tmp_path, smtp.port)
    open_ticket(lambda *a, **k: office("--config", str(config), *a))
    r = office("--config", str(config), "notify", "send")
    assert r.exit_code == 1, r.output
    assert (
        f"Error: the environment variable {URL_VAR} (notify.webhooks.service_group.url_env)"
        " is not set" in r.stderr
    )
    assert f"Export the robot's webhook URL in {URL_VAR}" in r.stderr
    [n] = rows("SELECT status, attempts FROM notices")
    assert (n["status"], n["attempts"]) == ("pending", 0)  # not tried: nothing counted


def test_dry_run_sends_nothing_and_shows_the_url_redacted(notified, rows, smtp, robot):
    open_ticket(notified)
    before = rows("SELECT * FROM notices")
    r = send(notified, "--dry-run")
    ok(r)
    assert "Would send #1 to 孙丽 (email sunli@example.cn)" in r.stdout
    assert "(service_group http://127.0.0.1:" in r.stdout
    assert "/cgi-bin/webhook/send?key=****)" in r.stdout
    assert WECOM_KEY not in r.output
    assert smtp.messages == [] and robot.posts == []
    assert rows("SELECT * FROM notices") == before


@sqlite_only("reads the database file's bytes")
def test_secrets_never_reach_the_database_file_nor_debug_output(
    office, rows, tmp_path, db_path, robot
):
    smtp_port = free_port()  # down: the error path is printed too
    config = write_config(tmp_path, smtp_port)
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'security = "none"\n', 'security = "none"\nuser = "followup@example.cn"\n'
        ),
        encoding="utf-8",
    )
    env = {URL_VAR: robot.url(key=WECOM_KEY), "FOLLOWUP_SMTP_PASSWORD": SMTP_PASSWORD}
    ok(office("--config", str(config), "staff", "edit", "孙丽", "--email", "sunli@example.cn"))
    open_ticket(lambda *a, **k: office("--config", str(config), *a, env=env))
    robot.answers = [(500, f"echo {WECOM_KEY}")]
    outputs = []
    for args in (("notify", "send", "--dry-run"), ("notify", "send"), ("notify", "list")):
        r = office(
            "--debug", "--config", str(config), *args, env={**env, "FOLLOWUP_NOW": TODAY + NOW}
        )
        outputs.append(r.output)
    assert all(WECOM_KEY not in o and SMTP_PASSWORD not in o for o in outputs), outputs
    data = db_path.read_bytes() + b"".join(
        p.read_bytes() for p in db_path.parent.glob(db_path.name + "-*")
    )
    assert WECOM_KEY.encode() not in data
    assert SMTP_PASSWORD.encode() not in data
    assert b"cgi-bin" not in data
    assert len(rows("SELECT * FROM notices WHERE last_error IS NOT NULL")) == 2


def test_list_shows_the_fields_of_the_issue(notified, rows):
    ticket = open_ticket(notified)
    ok(send(notified, "--dry-run"))
    r = ok(notified("notify", "list", "--status", "all", "--format", "json"))
    records = json.loads(r.stdout)
    assert [
        {k: v for k, v in rec.items() if k not in ("created_at", "text")} for rec in records
    ] == [
        {"id": 1, "cause": "ticket", "ticket": ticket, "customer": "C001", "recipient": "孙丽",
         "channel": "email", "status": "pending", "attempts": 0, "last_error": None,
         "sent_at": None, "next_try_at": None},
        {"id": 2, "cause": "ticket", "ticket": ticket, "customer": "C001", "recipient": "孙丽",
         "channel": "service_group", "status": "pending", "attempts": 0, "last_error": None,
         "sent_at": None, "next_try_at": None},
    ]  # fmt: skip
    assert records[0]["text"] == f"New complaint #{ticket}: reported to you at once (sales_manager)"
    r = ok(notified("notify", "list", "--status", "sent"))
    assert r.stdout == "No notices.\n"
    r = ok(notified("notify", "list", "--format", "csv"))
    assert r.stdout.splitlines()[0].startswith("id,cause,ticket,customer,recipient,channel,status")
    r = notified("notify", "list", "--status", "lost")
    assert r.exit_code == 2, r.output


def test_an_approval_waiting_is_queued_for_the_first_who_may_give_it(notified, rows):
    """A major complaint's proposed handling needs a leader's approval: the lowest
    approving role above its owner hears of it; a new proposal is a new notice."""
    ticket = open_ticket(notified, "C002", "major")
    ok(notified("ticket", "resolve", str(ticket), "--resolution", "更换液压泵"))
    waiting = [n for n in notices(rows) if n["cause"] == "approval"]
    assert waiting, notices(rows)
    # (`ticket approve` names who may: the first of them, the gm above its owner here)
    assert {n["recipient"] for n in waiting} == {"吴刚"}
    assert all(n["cause_key"].startswith(f"approval:{ticket}:") for n in waiting)
    ok(notified("ticket", "resolve", str(ticket), "--resolution", "更换液压泵，并补偿保养一次",
                today="2026-11-24"))  # fmt: skip
    again = [n for n in notices(rows) if n["cause"] == "approval"]
    assert len(again) == 2 * len(waiting)
    r = ok(notified("notify", "list", "--format", "json"))
    texts = [rec["text"] for rec in json.loads(r.stdout) if rec["cause"] == "approval"]
    assert texts[0] == f"Complaint #{ticket} awaits your approval"


def test_a_minor_resolution_queues_no_approval(notified, rows):
    ticket = open_ticket(notified, "C002", "minor")
    ok(notified("ticket", "resolve", str(ticket), "--resolution", "已重新预约"))
    assert [n for n in notices(rows) if n["cause"] == "approval"] == []


def test_an_unacknowledged_emergency_that_climbs_is_queued_for_the_next_person(notified, rows):
    open_ticket(notified, "C002", "critical")  # a general customer: service manager first
    ok(notified("escalate", "--auto"))
    [emergency] = rows("SELECT id, responsible, ack_due FROM warnings WHERE emergency = 1")
    assert emergency["responsible"] == "刘洋"  # no email, no robot: nothing for him
    assert [n for n in notices(rows) if n["recipient"] == "刘洋"] == []
    ok(notified("escalate", "--auto", today="2026-11-26"))  # past ack_due, nobody acknowledged
    ok(notified("escalate", "--auto", today="2026-11-26"))
    climbed = [n for n in notices(rows) if n["cause_key"] == f"warning-climb:{emergency['id']}"]
    assert [(n["recipient"], n["channel"]) for n in climbed] == [
        ("孙丽", "email"),
        ("孙丽", "service_group"),
    ]
    r = ok(notified("notify", "list", "--format", "json", env_extra={"FOLLOWUP_LANGUAGE": "zh_CN"}))
    [text] = {rec["text"] for rec in json.loads(r.stdout) if rec["cause"] == "warning"
              and rec["recipient"] == "孙丽"}  # fmt: skip
    assert text == f"预警 #{emergency['id']} 无人处理：现转由您负责（销售经理）"


# -- notify test ---------------------------------------------------------------------------


def test_notify_test_reaches_the_person_on_every_channel_and_writes_nothing(
    notified, rows, smtp, robot
):
    before = rows("SELECT * FROM notices")
    r = notified("notify", "test", "吴刚", env_extra={"FOLLOWUP_LANGUAGE": "zh_CN"})
    ok(r)
    assert r.stdout.splitlines() == [
        "测试通知已发送给 吴刚（email wugang@example.cn）",
        f"测试通知已发送给 吴刚（service_group {robot.url()}?key=****）",
    ]
    [(to, mail)] = smtp.messages
    assert to == ["wugang@example.cn"]
    assert mail["Subject"] == "[followup] 给 吴刚 的测试通知"
    [post] = robot.posts
    assert post.body["text"]["mentioned_mobile_list"] == ["13900000001"]
    assert rows("SELECT * FROM notices") == before


def test_notify_test_refuses_someone_no_channel_reaches_or_unknown(notified):
    r = notified("notify", "test", "李娜")
    assert r.exit_code == 1, r.output
    assert "Error: no channel reaches 李娜" in r.stderr
    assert "followup staff edit 李娜 --email ADDR" in r.stderr
    r = notified("notify", "test", "张三")
    assert r.exit_code == 1, r.output
    assert "no staff member named '张三'" in r.stderr


def test_notify_test_says_when_a_channel_fails(office, tmp_path, robot):
    config = write_config(tmp_path, free_port())
    ok(office("--config", str(config), "staff", "edit", "吴刚", "--email", "wg@example.cn"))
    robot.answers = [(200, '{"errcode": 93000, "errmsg": "invalid webhook url"}')]
    r = office("--config", str(config), "notify", "test", "吴刚",
               env={URL_VAR: robot.url(key=WECOM_KEY)})  # fmt: skip
    assert r.exit_code == 75, r.output
    assert "Test not sent to 吴刚 (email wg@example.cn): ConnectionRefusedError" in r.stdout
    assert "Test not sent to 吴刚 (service_group" in r.stdout
    assert "errcode 93000: invalid webhook url" in r.stdout
    assert WECOM_KEY not in r.output


def test_a_notice_that_failed_for_good_is_listed_in_the_daily_report(office, rows, tmp_path, robot):
    config = write_config(tmp_path, free_port(), extra="", roles='["sales_manager"]')
    config.write_text(
        config.read_text(encoding="utf-8").replace("max_attempts = 3", "max_attempts = 1"),
        encoding="utf-8",
    )
    env = {URL_VAR: robot.url(key=WECOM_KEY)}

    def run(*args: str, today: str = TODAY, env_extra: dict[str, str] | None = None) -> Any:
        return office("--config", str(config), *args, today=today, env={**env, **(env_extra or {})})

    ticket = open_ticket(run)
    robot.answers = [(500, "down")]
    r = send(run)
    assert r.exit_code == 1, r.output
    data = json.loads(ok(run("report", "daily", "--format", "json")).stdout)
    assert [
        (f["id"], f["cause"], f["ticket"], f["recipient"], f["channel"], f["attempts"])
        for f in data["failed_notices"]
    ] == [(1, "ticket", ticket, "孙丽", "service_group", 1)]
    assert data["failed_notices"][0]["last_error"] == "HTTP 500 Internal Server Error"
    table = ok(run("report", "daily", env_extra={"FOLLOWUP_LANGUAGE": "zh_CN"})).stdout
    assert "失败的通知" in table and "HTTP 500" in table
    assert "新投诉 #1" in table
    csv_rows = list(
        csv.DictReader(io.StringIO(ok(run("report", "daily", "--format", "csv")).stdout))
    )
    failed = [r for r in csv_rows if r["section"] == "failed_notice"]
    assert [(r["notice_id"], r["cause"], r["ticket_id"], r["recipient"], r["channel"],
             r["attempts"], r["last_error"]) for r in failed] == [
        ("1", "ticket", str(ticket), "孙丽", "service_group", "1", "HTTP 500 Internal Server Error")
    ]  # fmt: skip
    later = json.loads(ok(run("report", "daily", "--format", "json", today="2026-11-26")).stdout)
    assert later["failed_notices"] == []  # since yesterday only
    assert "失败的通知" not in ok(run("report", "daily", today="2026-11-26")).stdout


# -- the daily due digest -------------------------------------------------------------------


def test_each_assignee_gets_one_due_digest_a_day(notified, rows, smtp):
    ok(notified("staff", "edit", "王伟", "--email", "wangwei@example.cn"))
    due = json.loads(ok(notified("due", "--staff", "王伟", "--format", "json")).stdout)
    assert due, "the office has callbacks due for 王伟"
    ok(notified("escalate", "--auto"))
    ok(notified("escalate", "--auto"))
    digests = [n for n in notices(rows) if n["cause"] == "digest"]
    assert [(n["cause_key"], n["recipient"], n["channel"]) for n in digests] == [
        (f"digest:{TODAY}:王伟", "王伟", "email")
    ]
    ok(send(notified, FOLLOWUP_LANGUAGE="zh_CN"))
    [mail] = [m for to, m in smtp.messages if to == ["wangwei@example.cn"]]
    assert mail["Subject"].startswith(f"[followup] 您 {TODAY} 的回访：今天到期 ")
    body = mail.get_content().replace("\r\n", "\n")
    first = due[0]["customer"]
    assert f"{first['code']} {first['name']}：" in body
    assert "完整清单：`followup due --staff 王伟`" in body
    ok(notified("escalate", "--auto", today="2026-11-24"))  # the next day: a new digest
    assert len([n for n in notices(rows) if n["cause"] == "digest"]) == 2


def test_a_dry_run_queues_no_digest(notified, rows):
    ok(notified("staff", "edit", "王伟", "--email", "wangwei@example.cn"))
    ok(notified("escalate", "--auto", "--dry-run"))
    assert [n for n in notices(rows) if n["cause"] == "digest"] == []


def test_an_escalation_by_hand_is_queued_for_the_person_it_lands_on(notified, rows):
    ticket = open_ticket(notified, "C002")  # general: the service manager's ladder
    ok(notified("escalate", str(ticket), "--to", "gm", "--reason", "客户再次来电"))
    [step] = rows("SELECT id FROM escalations WHERE ticket_id = ?", ticket)
    assert [
        (n["cause_key"], n["recipient"], n["channel"])
        for n in notices(rows)
        if n["cause"] == "escalation"
    ] == [
        (f"escalation:{step['id']}", "吴刚", "email"),
        (f"escalation:{step['id']}", "吴刚", "service_group"),
    ]


# -- email over TLS ---------------------------------------------------------------------------


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_email_over_tls_is_delivered_and_an_untrusted_certificate_is_refused(
    office, rows, tmp_path, security
):
    made = self_signed(tmp_path)
    if made is None:
        pytest.skip("no openssl command to make a certificate")
    cert, key = made
    with TlsSmtpServer(cert, key, security) as server:
        config = write_config(tmp_path, server.port, roles="[]")
        config.write_text(
            config.read_text(encoding="utf-8").replace(
                'security = "none"', f'security = "{security}"'
            ),
            encoding="utf-8",
        )

        def run(*args: str, today: str = TODAY, env_extra: dict[str, str] | None = None) -> Any:
            return office("--config", str(config), *args, today=today, env=env_extra or {})

        ok(run("staff", "edit", "孙丽", "--email", "sunli@example.cn"))
        open_ticket(run)
        r = send(run, SSL_CERT_FILE=str(tmp_path / "nothing.pem"))  # the certificate untrusted
        assert r.exit_code == 75, r.output
        assert "CERTIFICATE_VERIFY_FAILED" in r.stdout or "certificate verify failed" in r.stdout
        assert server.messages == []
        r = send(run, at="T09:10:00+08:00", SSL_CERT_FILE=str(cert))
        ok(r)
        [(to, mail)] = server.messages
        assert to == ["sunli@example.cn"]
        assert (
            mail["Subject"]
            == "[followup] New complaint #1: reported to you at once (sales_manager)"
        )


def test_the_outbox_reads_in_chinese(notified):
    open_ticket(notified)
    r = ok(notified("notify", "list", "--status", "all", env_extra={"FOLLOWUP_LANGUAGE": "zh_CN"}))
    lines = r.stdout.splitlines()
    assert lines[0].split() == [
        "#", "原因", "投诉", "客户", "接收人", "渠道", "状态", "尝试次数", "通知", "最近错误"
    ]  # fmt: skip
    assert lines[2].split()[:8] == ["1", "新投诉", "1", "C001", "孙丽", "邮件", "待发送", "0"]
    assert "新投诉 #1：已立即报告给您（销售经理）" in r.stdout


def test_feishu_and_json_robots_get_their_formats_and_feishu_its_signature(
    office, rows, tmp_path, smtp
):
    secret = "feishu-signing-secret"
    with RobotServer(ok='{"code":0,"msg":"success"}') as feishu, RobotServer(ok="") as plain:
        config = write_config(
            tmp_path,
            smtp.port,
            extra='[notify.webhooks.lark]\nkind = "feishu"\nurl_env = "LARK_URL"\n'
            'secret_env = "LARK_SECRET"\nroles = ["sales_manager"]\n'
            '[notify.webhooks.erp]\nkind = "json"\nurl_env = "ERP_URL"\nroles = ["sales_manager"]\n',
            roles="[]",
        )
        env = {
            "LARK_URL": feishu.url("/open-apis/bot/v2/hook/0c8f1e2d-3b4a-5c6d-7e8f"),
            "LARK_SECRET": secret,
            "ERP_URL": plain.url("/hooks/followup"),
        }
        ticket = open_ticket(lambda *a, **k: office("--config", str(config), *a, env=env))
        r = office("--config", str(config), "notify", "send", env=env)
        ok(r)
        assert "(lark http://127.0.0.1:" in r.stdout and "/hook/****)" in r.stdout
        [post] = feishu.posts
        assert post.body["msg_type"] == "interactive"
        assert post.body["card"]["header"]["title"]["content"].startswith(
            f"New complaint #{ticket}"
        )
        stamp = post.body["timestamp"]
        key = f"{stamp}\n{secret}".encode()
        assert (
            post.body["sign"]
            == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        )
        [sent] = plain.posts
        assert sent.body["notice"]["ticket"] == ticket
        assert sent.body["notice"]["customer"] == "C001"
        assert sent.body["recipient"] == "孙丽"
        assert (
            sent.body["title"]
            == f"New complaint #{ticket}: reported to you at once (sales_manager)"
        )
        # Feishu's refusal is its `code`: tried again
        feishu.answers = [
            (
                200,
                '{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}',
            )
        ]
        ok(office("--config", str(config), "ticket", "open", "C002", "--summary", "配件错发",
                  "--category", "parts", env=env))  # fmt: skip
        r = office("--config", str(config), "notify", "send", env=env)
        assert r.exit_code == 75, r.output
        assert "code 19021: sign match fail" in r.stdout
