"""The parts of notice delivery on their own (issue 19): the robots' message formats,
DingTalk's and Feishu's signing, URLs redacted, the backoff, and the outbox's
once-only queuing, through the domain functions."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from datetime import datetime, timedelta

from followup_cli.domain.notify import compose, delivery, outbox
from followup_cli.domain.notify.causes import new_ticket_cause
from followup_cli.domain.notify.settings import EmailSettings, NotifySettings, Robot
from followup_cli.domain.texts import dumps, joined, message

TEXT = compose.Rendered(
    "新投诉 #3：已立即报告给您（销售经理）", ["客户：C001 山东鲁建", "投诉内容：<b>漏油</b> *急*"]
)


def settings(waits: tuple[int, ...] = (5, 30), attempts: int = 4) -> NotifySettings:
    email = EmailSettings("127.0.0.1", 25, "none", "", "", "followup@example.cn")
    robots = (Robot("g", "wecom", "G_URL", "", ("gm",)),)
    return NotifySettings(waits, attempts, email, robots)


def test_the_markdown_shows_typed_markup_instead_of_obeying_it():
    text = TEXT.markdown("孙丽")
    assert text == (
        "**新投诉 #3：已立即报告给您（销售经理）**\n\n> 客户：C001 山东鲁建\n"
        "> 投诉内容：＜b＞漏油＜/b＞ ＊急＊\n\n@孙丽"
    )


def test_each_robots_message_format():
    fields = {"id": 3}
    assert compose.robot_payload("wecom", TEXT, "孙丽", None, fields) == {
        "msgtype": "markdown",
        "markdown": {"content": TEXT.markdown("孙丽")},
    }
    wecom = compose.robot_payload("wecom", TEXT, "孙丽", "13700000002", fields)
    assert wecom["msgtype"] == "text"
    assert wecom["text"]["mentioned_mobile_list"] == ["13700000002"]
    ding = compose.robot_payload("dingtalk", TEXT, "孙丽", "13700000002", fields)
    assert ding == {
        "msgtype": "markdown",
        "markdown": {"title": TEXT.title, "text": TEXT.markdown("13700000002")},
        "at": {"atMobiles": ["13700000002"], "isAtAll": False},
    }
    feishu = compose.robot_payload("feishu", TEXT, "孙丽", None, fields)
    assert feishu["msg_type"] == "interactive"
    assert feishu["card"]["header"]["title"] == {"tag": "plain_text", "content": TEXT.title}
    assert feishu["card"]["elements"] == [{"tag": "markdown", "content": TEXT.markdown("孙丽")}]
    plain = compose.robot_payload("json", TEXT, "孙丽", None, fields)
    assert plain == {
        "notice": fields,
        "title": TEXT.title,
        "lines": TEXT.lines,
        "recipient": "孙丽",
    }


def test_dingtalk_signing_is_the_documented_hmac():
    secret = "SEC0123456789"
    url = delivery.signed(
        "https://oapi.dingtalk.com/robot/send?access_token=t", secret, 1700000000000
    )
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query["timestamp"] == "1700000000000"
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"1700000000000\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == expected
    assert "%2B" in url or "%2F" in url or "%3D" in url  # the sign is URL-encoded


def test_feishu_signing_keys_the_hmac_with_timestamp_and_secret():
    key = b"1700000000\nsecret"
    assert (
        delivery.feishu_signature("secret", 1700000000)
        == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    )


def test_urls_are_shown_redacted():
    assert (
        delivery.redact("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcd-1234")
        == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****"
    )
    assert (
        delivery.redact("https://oapi.dingtalk.com/robot/send?access_token=xyz&timestamp=1")
        == "https://oapi.dingtalk.com/robot/send?access_token=****&timestamp=****"
    )
    assert (
        delivery.redact("https://open.feishu.cn/open-apis/bot/v2/hook/0c8f1e2d-3b4a-5c6d-7e8f")
        == "https://open.feishu.cn/open-apis/bot/v2/hook/****"
    )
    assert delivery.redact("https://user:pw@example.cn:8443/x") == "https://example.cn:8443/x"
    assert delivery.scrub("failed for https://h/?key=k1 (k1)", ["k1"]) == (
        "failed for https://h/?key=**** (****)"
    )


def test_the_backoff_follows_retry_minutes_and_its_last_wait_repeats():
    s = settings((5, 30, 120))
    assert [s.wait_after(n) for n in (1, 2, 3, 4, 9)] == [5, 30, 120, 120, 120]


def test_channels_reach_by_email_and_by_the_robots_of_the_role():
    s = settings()
    assert s.channels_for("gm", "wg@example.cn") == [("email", "wg@example.cn"), ("g", None)]
    assert s.channels_for("gm", None) == [("g", None)]
    assert s.channels_for("clerk", None) == []


def test_queuing_twice_adds_nothing_and_a_failed_try_waits(office, session, tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[notify.email]\nhost = "127.0.0.1"\n', encoding="utf-8")
    from followup_cli.support.config import load_config

    r = office("ticket", "open", "C001", "--summary", "漏油", "--category", "parts")
    assert r.exit_code == 0, r.output  # (no [notify] channel in this run: nothing queued)
    s = session(config=load_config(path))
    with s.write() as conn:
        conn.execute("UPDATE staff SET email = 'wg@example.cn' WHERE name = '吴刚'")
    cause = new_ticket_cause(1, 1, ("C001", "山东鲁建"), "gm", "漏油", "minor", "2026-11-26")
    with s.write() as conn:
        assert outbox.queue_notice(s, conn, cause, "吴刚") == 1
        assert outbox.queue_notice(s, conn, cause, "吴刚") == 0
        assert outbox.queue_notice(s, conn, cause, "李娜") == 0  # no address, no robot
        assert outbox.queue_notice(s, conn, cause, None) == 0
        assert outbox.queue_notice(s, conn, cause, "nobody") == 0
    now = datetime.fromisoformat("2026-11-23T09:00:00+08:00")
    with s.read() as conn:
        [row] = outbox.due_notices(conn, now)
    with s.write() as conn:
        assert (
            outbox.mark_failed_try(conn, settings(attempts=2), row["id"], "down", now) == "pending"
        )
    with s.read() as conn:
        assert outbox.due_notices(conn, now + timedelta(minutes=4)) == []
        assert len(outbox.due_notices(conn, now + timedelta(minutes=5))) == 1
    with s.write() as conn:
        assert (
            outbox.mark_failed_try(conn, settings(attempts=2), row["id"], "down", now) == "failed"
        )
    with s.read() as conn:
        assert outbox.due_notices(conn, now + timedelta(days=1)) == []
        [failed] = outbox.notices(conn, "failed")
    assert (failed["attempts"], failed["last_error"]) == (2, "down")


def test_a_notice_renders_in_the_readers_language():
    stored = dumps(
        joined([message("notice.approval", id="3"), message("notice.due", date="2026-11-26")])
    )
    assert stored is not None
    text = compose.rendered(stored)
    assert (text.title, text.lines) == ("Complaint #3 awaits your approval", ["Due by: 2026-11-26"])
    from followup_cli.support.i18n import in_language

    with in_language("zh_CN"):
        text = compose.rendered(stored)
    assert (text.title, text.lines) == ("投诉 #3 等待您批示", ["期限：2026-11-26"])


def test_a_claimed_notice_is_passed_over_until_its_claim_runs_out(office, session, tmp_path):
    """Two `notify send` at once: the second does not send what the first took; a
    sender that died after taking one leaves it to be tried again, not lost."""
    from followup_cli.support.config import load_config

    path = tmp_path / "c.toml"
    path.write_text('[notify.email]\nhost = "127.0.0.1"\n', encoding="utf-8")
    r = office("ticket", "open", "C001", "--summary", "漏油", "--category", "parts")
    assert r.exit_code == 0, r.output
    s = session(config=load_config(path))
    cause = new_ticket_cause(1, 1, ("C001", "山东鲁建"), "gm", "漏油", "minor", "2026-11-26")
    now = datetime.fromisoformat("2026-11-23T09:00:00+08:00")
    with s.write() as conn:
        conn.execute("UPDATE staff SET email = 'wg@example.cn' WHERE name = '吴刚'")
        outbox.queue_notice(s, conn, cause, "吴刚")
        [row] = outbox.due_notices(conn, now)
        assert outbox.claim(conn, row["id"], now)
        assert not outbox.claim(conn, row["id"], now)  # the other sender
        assert outbox.due_notices(conn, now + timedelta(minutes=9)) == []
        assert len(outbox.due_notices(conn, now + timedelta(minutes=10))) == 1
        assert outbox.claim(conn, row["id"], now + timedelta(minutes=10))
        outbox.mark_sent(conn, row["id"], "2026-11-23T09:10:00+08:00")
        assert not outbox.claim(conn, row["id"], now + timedelta(days=1))
