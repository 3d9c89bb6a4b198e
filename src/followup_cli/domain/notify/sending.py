"""`notify send`: deliver the notices whose time has come, one at a time: each is first
taken (claimed, so a second `notify send` running at the same time passes it over), then
sent, then marked in its own short transaction, so a crash between sending and marking
repeats at most that one notice, after the claim runs out (never loses one), and no
write lock is held while a server answers. A channel configured wrongly (a variable not set, a robot no
longer in the config) is named and its notices are left as they are, untried."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from followup_cli.domain.notify import compose, delivery, outbox
from followup_cli.domain.notify.delivery import ChannelProblem, DeliveryFailed
from followup_cli.domain.notify.settings import EMAIL, NotifySettings, notify_settings
from followup_cli.domain.session import Session
from followup_cli.domain.staff.records import get_staff
from followup_cli.domain.texts import dumps, joined, message
from followup_cli.support.errors import Refused
from followup_cli.support.i18n import _, label

SENT, PENDING, FAILED, SKIPPED, DRY = "sent", "pending", "failed", "skipped", "dry-run"


@dataclass
class Outcome:
    id: int
    recipient: str
    channel: str
    target: str  # the email address, or the robot's URL redacted
    title: str
    status: str  # sent | pending (to retry) | failed (for good) | skipped | dry-run
    error: str | None = None
    next_try_at: str | None = None


@dataclass
class SendReport:
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[ChannelProblem] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


@dataclass
class _Channel:
    """A channel ready to send: where to, and its secrets (kept here, never stored)."""

    target: str
    url: str = ""
    secret: str = ""
    password: str = ""


def _channel(
    settings: NotifySettings, name: str, env: Mapping[str, str]
) -> _Channel | ChannelProblem:
    if name == EMAIL:
        if not settings.email.host:
            return ChannelProblem(
                "notify.email.host",
                _("notices wait for email, but email is off (`notify.email.host` is empty)"),
                _("Set `notify.email.host` (and port, security, sender) in the config file."),
            )
        password = delivery.email_password(settings.email, env)
        if isinstance(password, ChannelProblem):
            return password
        return _Channel(target="", password=password)
    robot = settings.robot(name)
    if robot is None:
        return ChannelProblem(
            f"notify.webhooks.{name}",
            _("notices wait for the robot '{name}', which is no longer configured").format(
                name=name
            ),
            _("Add `[notify.webhooks.{name}]` back to the config file.").format(name=name),
        )
    url = delivery.robot_url(robot, env)
    if isinstance(url, ChannelProblem):
        return url
    secret = ""
    if robot.secret_env:
        secret = env.get(robot.secret_env, "").strip()
        if not secret:
            setting = f"notify.webhooks.{name}.secret_env"
            return ChannelProblem(
                setting,
                _("the environment variable {var} ({setting}) is not set").format(
                    var=robot.secret_env, setting=setting
                ),
                _("Export the robot's signing secret in {var}, or empty `{setting}`.").format(
                    var=robot.secret_env, setting=setting
                ),
            )
    return _Channel(target=delivery.redact(url), url=url, secret=secret)


def send_due(
    session: Session, *, dry_run: bool = False, env: Mapping[str, str] | None = None
) -> SendReport:
    """Deliver every notice due now (or, on a dry run, say what would go)."""
    settings = notify_settings(session.config)
    env = delivery.environment() if env is None else env
    with session.read() as conn:
        due = outbox.due_notices(conn, session.now)
    channels: dict[str, _Channel | ChannelProblem] = {}
    report = SendReport()
    for row in due:
        name = row["channel"]
        if name not in channels:
            channels[name] = _channel(settings, name, env)
            found = channels[name]
            if isinstance(found, ChannelProblem):
                report.problems.append(found)
        channel = channels[name]
        text = compose.rendered(row["text_message"])
        target = row["address"] if name == EMAIL else getattr(channel, "target", "")
        outcome = Outcome(row["id"], row["recipient"], name, target or "", text.title, DRY)
        report.outcomes.append(outcome)
        if isinstance(channel, ChannelProblem):
            outcome.status = SKIPPED
            continue
        if dry_run:
            continue
        with session.write() as conn:
            taken = outbox.claim(conn, row["id"], session.now)
        if not taken:  # another `notify send` is delivering it
            report.outcomes.pop()
            continue
        try:
            _deliver(
                settings,
                channel,
                _Envelope(name, row["address"], row["recipient"], row["phone"]),
                text,
                notice_fields(row),
            )
        except DeliveryFailed as exc:
            outcome.error = str(exc)
            with session.write() as conn:
                outcome.status = outbox.mark_failed_try(
                    conn, settings, row["id"], outcome.error, session.now
                )
                outcome.next_try_at = _next_try(conn, row["id"])
        else:
            with session.write() as conn:
                outbox.mark_sent(conn, row["id"], session.stamp)
            outcome.status = SENT
    return report


def _next_try(conn: sqlite3.Connection, notice_id: int) -> str | None:
    found = conn.execute("SELECT next_try_at FROM notices WHERE id = ?", (notice_id,)).fetchone()
    return found[0] if found else None


@dataclass(frozen=True)
class _Envelope:
    """Where one message goes: the channel's name, the email address, who and their phone."""

    channel: str
    address: str | None
    recipient: str
    phone: str | None


def _deliver(
    settings: NotifySettings,
    channel: _Channel,
    to: _Envelope,
    text: compose.Rendered,
    fields: dict[str, Any],
) -> None:
    if to.channel == EMAIL:
        assert to.address is not None
        delivery.send_email(
            settings.email,
            channel.password,
            to.address,
            compose.email_subject(text),
            compose.email_body(text, to.recipient),
        )
        return
    robot = settings.robot(to.channel)
    assert robot is not None
    payload = compose.robot_payload(robot.kind, text, to.recipient, to.phone, fields)
    delivery.post_robot(robot, channel.url, channel.secret, payload, int(time.time() * 1000))


def send_test(session: Session, name: str, env: Mapping[str, str] | None = None) -> SendReport:
    """`notify test STAFF`: one test message through every channel that reaches the
    staff member, sent now (nothing is queued or written)."""
    settings = notify_settings(session.config)
    env = delivery.environment() if env is None else env
    with session.read() as conn:
        member = get_staff(conn, name, "STAFF")
    reaches = settings.channels_for(member.role, member.email)
    if not reaches:
        raise Refused(
            _("no channel reaches {name}").format(name=member.name),
            _("Give them an address (`followup staff edit {name} --email ADDR`) with"
              " `notify.email.host` set, or add a robot for the role {role} in"
              " `[notify.webhooks]`.").format(name=member.name, role=label("role", member.role)),
        )  # fmt: skip
    text = compose.rendered(
        dumps(joined([message("notice.test", name=member.name), message("notice.test_how")])) or ""
    )
    report = SendReport()
    for channel_name, address in reaches:
        channel = _channel(settings, channel_name, env)
        target = address if channel_name == EMAIL else getattr(channel, "target", "")
        outcome = Outcome(0, member.name, channel_name, target or "", text.title, SENT)
        report.outcomes.append(outcome)
        if isinstance(channel, ChannelProblem):
            report.problems.append(channel)
            outcome.status = SKIPPED
            continue
        try:
            fields = {"test": True, "recipient": member.name, "channel": channel_name}
            _deliver(
                settings,
                channel,
                _Envelope(channel_name, address, member.name, member.phone),
                text,
                fields,
            )
        except DeliveryFailed as exc:
            outcome.status, outcome.error = PENDING, str(exc)
    return report


def notice_fields(row: sqlite3.Row) -> dict[str, Any]:
    """A notice as `notify list --format json` and a json robot show it."""
    return {
        "id": row["id"],
        "cause": row["cause"],
        "ticket": row["ticket_id"],
        "customer": row["customer_code"],
        "recipient": row["recipient"],
        "channel": row["channel"],
        "status": row["status"],
        "attempts": row["attempts"],
        "last_error": row["last_error"],
        "created_at": row["created_at"],
        "sent_at": row["sent_at"],
    }


def notice_records(session: Session, status: str | None = None) -> list[dict[str, Any]]:
    """Every notice (or those of `status`) as `notify list` shows it: its fields, the
    next try's time and its title in the reader's language."""
    with session.read() as conn:
        rows = outbox.notices(conn, status)
    return [
        {
            **notice_fields(row),
            "next_try_at": row["next_try_at"],
            "text": compose.rendered(row["text_message"]).title,
        }
        for row in rows
    ]
