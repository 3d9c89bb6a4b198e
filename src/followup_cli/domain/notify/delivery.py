"""Delivering one notice: email over SMTP (the standard library's smtplib) and a robot's
webhook over HTTP (urllib). The secrets (the SMTP password, each robot's URL and
DingTalk's signing secret) are read from the environment here, at the moment of
sending, and never leave this module: an error is told with the URL redacted
(key=****) and any secret scrubbed from the text."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from followup_cli.domain.notify.settings import EmailSettings, Robot
from followup_cli.support.i18n import _

TIMEOUT = 20  # seconds for one connection (an SMTP session or a POST)
REDACTED = "****"


class DeliveryFailed(Exception):
    """A try that did not get through (the server down or refusing): tried again later."""


@dataclass(frozen=True)
class ChannelProblem:
    """Why a channel cannot be used as configured: the setting, and what to do."""

    setting: str
    message: str
    hint: str


def redact(url: str) -> str:
    """`url` fit to be shown: every query value and any long path segment (a robot's
    token) replaced by ****, user and password dropped."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return REDACTED
    query = "&".join(
        f"{k}={REDACTED}" for k, _v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    )
    path = "/".join(
        REDACTED if len(seg) >= 16 else seg for seg in parts.path.split("/")
    )  # (Feishu's hook token is in the path)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, path, query, ""))


def scrub(text: str, secrets: list[str]) -> str:
    """An error's text with every secret (and the URLs holding one) masked."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text[:500]


def robot_url(robot: Robot, env: Mapping[str, str]) -> str | ChannelProblem:
    setting = f"notify.webhooks.{robot.name}.url_env"
    url = env.get(robot.url_env, "").strip()
    if not url:
        return ChannelProblem(
            setting,
            _("the environment variable {var} ({setting}) is not set").format(
                var=robot.url_env, setting=setting
            ),
            _("Export the robot's webhook URL in {var} where `followup notify send` runs"
              " (cron's environment too).").format(var=robot.url_env),
        )  # fmt: skip
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        return ChannelProblem(
            setting,
            _("{var} ({setting}) does not hold an http(s) URL").format(
                var=robot.url_env, setting=setting
            ),
            _("Copy the robot's webhook URL (https://...) into {var}.").format(var=robot.url_env),
        )
    return url


def email_password(settings: EmailSettings, env: Mapping[str, str]) -> str | ChannelProblem:
    if not settings.user:
        return ""
    password = env.get(settings.password_env, "") if settings.password_env else ""
    if not password:
        setting = "notify.email.password_env"
        return ChannelProblem(
            setting,
            _("the environment variable {var} ({setting}) is not set").format(
                var=settings.password_env or "-", setting=setting
            ),
            _("Export the SMTP password of {user} in {var} where `followup notify send` runs,"
              " or empty `notify.email.user` to send without logging in.").format(
                user=settings.user, var=settings.password_env or "FOLLOWUP_SMTP_PASSWORD"
            ),
        )  # fmt: skip
    return password


def send_email(settings: EmailSettings, password: str, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=settings.sender.partition("@")[2] or None)
    message.set_content(body)
    try:
        if settings.security == "ssl":
            context = ssl.create_default_context()
            with smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=TIMEOUT, context=context
            ) as smtp:
                _deliver(smtp, settings, password, message)
        else:
            with smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT) as smtp:
                if settings.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                _deliver(smtp, settings, password, message)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(scrub(f"{type(exc).__name__}: {exc}", [password])) from None


def _deliver(
    smtp: smtplib.SMTP, settings: EmailSettings, password: str, message: EmailMessage
) -> None:
    if settings.user:
        smtp.login(settings.user, password)
    smtp.send_message(message)


def signed(url: str, secret: str, millis: int) -> str:
    """DingTalk's signing (加签): `timestamp` (ms) and `sign`, the base64 of the
    HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, URL-encoded."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{millis}\n{secret}".encode(), hashlib.sha256
    ).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode("ascii"))
    return f"{url}{'&' if '?' in url else '?'}timestamp={millis}&sign={sign}"


def feishu_signature(secret: str, seconds: int) -> str:
    """Feishu's signing: the base64 of the HMAC-SHA256 of an empty message keyed by
    "timestamp\\nsecret"."""
    key = f"{seconds}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def post_robot(robot: Robot, url: str, secret: str, payload: dict[str, Any], millis: int) -> None:
    """POST `payload` to the robot; DeliveryFailed unless it answered 2xx and its JSON
    says ok (WeCom/DingTalk `errcode` 0, Feishu `code` 0)."""
    secrets = [url, secret, *urllib.parse.urlsplit(url).query.split("&")]
    target = url
    body = dict(payload)
    if secret and robot.kind == "dingtalk":
        target = signed(url, secret, millis)
    elif secret and robot.kind == "feishu":
        seconds = millis // 1000
        body.update(timestamp=str(seconds), sign=feishu_signature(secret, seconds))
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        target,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"HTTP {exc.code} {exc.reason}") from None
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryFailed(scrub(f"{type(exc).__name__}: {reason}", secrets)) from None
    _check_answer(robot.kind, answer, secrets)


def _check_answer(kind: str, answer: bytes, secrets: list[str]) -> None:
    if kind == "json":
        return
    try:
        found = json.loads(answer.decode("utf-8")) if answer.strip() else {}
    except (UnicodeDecodeError, ValueError):
        raise DeliveryFailed(_("the robot's answer is not JSON")) from None
    if not isinstance(found, dict):
        raise DeliveryFailed(_("the robot's answer is not JSON"))
    for key in ("errcode", "code", "StatusCode"):
        code = found.get(key)
        if code not in (None, 0):
            text = found.get("errmsg") or found.get("msg") or found.get("StatusMessage") or ""
            raise DeliveryFailed(scrub(f"{key} {code}: {text}", secrets))


def environment() -> Mapping[str, str]:
    return os.environ
