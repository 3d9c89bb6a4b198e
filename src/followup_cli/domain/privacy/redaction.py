"""Masking personal data in what leaves the office (`export --redact`): the phone,
WeChat, email and birthday columns, and the same kinds of values inside free text (a
call note that says "微信 zjg_8888, 电话 139 0531 0001"). 个人信息保护法: an export
carries no more than its purpose needs."""

from __future__ import annotations

import re

# A mainland mobile (138 0013 8000, 138-0013-8000, +86 …) or a landline with its area
# code (0531-88886666), not inside a longer run of digits.
_PHONE = re.compile(
    r"(?<!\d)(?P<cc>\+?86[\s-]?)?(?P<number>1[3-9]\d(?:[\s-]?\d{4}){2}|0\d{2,3}[\s-]?\d{7,8})"
    r"(?!\d)"
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# A WeChat id where the text says it is one (微信 / 微信号 / wechat / vx …, then the id:
# 6–20 letters, digits, _ or -, starting with a letter), and WeChat's own wxid_… ids.
_WECHAT = re.compile(
    r"(?P<key>微信号?|威信|vx|VX|wx|WX|[Ww]e[Cc]hat(?:\s*[Ii][Dd])?|[Ww]eixin)"
    r"(?P<sep>\s*[:：]?\s*)(?P<id>[A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9])"
)
_WXID = re.compile(r"\bwxid_[A-Za-z0-9_-]+")


def mask_phone(value: str) -> str:
    """Keep the first three and last four digits: 13800138000 → 138****8000."""
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    keep = set(digits[-2:]) if len(digits) <= 7 else set(digits[:3] + digits[-4:])
    return "".join("*" if (i in digits and i not in keep) else ch for i, ch in enumerate(value))


def mask_private(field: str, value: str) -> str:
    """A WeChat id, an email address or a birthday column's value, masked."""
    if field == "email":
        user, _at, domain = value.partition("@")
        return (user[:1] + "***@" + domain) if domain else "***"
    if field == "birthday":
        return re.sub(r"^\d{4}-", "****-", value)
    return value[:1] + "***"


def mask_free_text(text: str) -> str:
    """Phones, email addresses and WeChat ids inside free text, masked as the columns
    are; the rest of the text as it was."""
    text = _EMAIL.sub(lambda m: mask_private("email", m.group(0)), text)
    text = _WXID.sub("wxid_***", text)
    text = _WECHAT.sub(
        lambda m: m.group("key") + m.group("sep") + mask_private("wechat", m.group("id")), text
    )
    return _PHONE.sub(lambda m: (m.group("cc") or "") + mask_phone(m.group("number")), text)
