"""A queued notice as its reader sees it: the title and lines of its stored message,
rendered in the interface language when it is sent, as an email and as each robot's
message (WeCom, DingTalk, Feishu, or plain JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from followup_cli.domain.texts import JOINED, loads, render
from followup_cli.support.i18n import _


@dataclass(frozen=True)
class Rendered:
    title: str
    lines: list[str]

    def plain(self) -> str:
        return "\n".join([self.title, "", *self.lines])

    def markdown(self, mention: str | None = None) -> str:
        body = [f"**{_md(self.title)}**", ""] + [f"> {_md(line)}" for line in self.lines]
        if mention:
            body += ["", f"@{mention}"]
        return "\n".join(body)


# Markup a robot would obey inside a line of data (a name, a summary as typed): shown as
# its full-width look-alike instead (the robots' markdown has no escape that all obey).
_MARKUP = str.maketrans({"*": "＊", "<": "＜", ">": "＞", "[": "［", "]": "］"})


def _md(text: str) -> str:
    """A line of data inside markdown: its markup characters shown, not obeyed."""
    return text.translate(_MARKUP).replace("\n", " ").replace("\r", " ")


def rendered(stored: str) -> Rendered:
    """The notice's text (its `text_message` column) in the interface language."""
    text = loads(stored)
    parts = text.params["parts"] if text.code == JOINED else [text]
    shown = [render(p) for p in parts]
    return Rendered(shown[0], [s for s in shown[1:] if s])


def email_subject(text: Rendered) -> str:
    return _("[followup] {title}").format(title=text.title)


def email_body(text: Rendered, recipient: str) -> str:
    return (
        "\n".join(
            [
                _("{name}:").format(name=recipient),
                "",
                text.title,
                "",
                *text.lines,
                "",
                _("-- sent by followup (the office's callback and complaint register)"),
            ]
        )
        + "\n"
    )


def robot_payload(
    kind: str, text: Rendered, recipient: str, phone: str | None, fields: dict[str, Any]
) -> dict[str, Any]:
    """The JSON a robot of `kind` takes: markdown naming the recipient, @-mentioning
    them by phone where the robot can. WeCom's markdown cannot @ anyone by phone, so a
    notice to someone with a phone goes as WeCom text with `mentioned_mobile_list`."""
    if kind == "wecom":
        if phone:
            content = f"{recipient}: {text.plain()}"
            return {
                "msgtype": "text",
                "text": {"content": content, "mentioned_mobile_list": [phone]},
            }
        return {"msgtype": "markdown", "markdown": {"content": text.markdown(recipient)}}
    if kind == "dingtalk":
        return {
            "msgtype": "markdown",
            "markdown": {"title": text.title, "text": text.markdown(phone or recipient)},
            "at": {"atMobiles": [phone] if phone else [], "isAtAll": False},
        }
    if kind == "feishu":
        return {
            "msg_type": "interactive",
            "card": {
                "header": {"title": {"tag": "plain_text", "content": text.title}},
                "elements": [{"tag": "markdown", "content": text.markdown(recipient)}],
            },
        }
    return {"notice": fields, "title": text.title, "lines": text.lines, "recipient": recipient}
