"""The fixed vocabulary of the domain: every enumerated value declared once.

Each kind (a staff role, an event kind, a call outcome...) names its stored values
(always English; or the setting whose list the office may change, shipped with the
same values), the other words a person may type for them (the Chinese an office
writes in its spreadsheets, the labels the interface shows), and the kind its labels
are translated under (msgctxt). `accept` is the one judge of a typed value: CLI
options, the call script and every import converter call it, so they accept the same
words and refuse with the same message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from followup_cli.domain import fields
from followup_cli.support.errors import InvalidValue
from followup_cli.support.i18n import (
    CHINESE,
    ENGLISH,
    N_,
    _,
    current_language,
    in_language,
    label,
    listed,
)


class Vocabulary:
    """One enumerated kind.

    `values` are the stored values; for a kind with a `setting`, the office's config
    decides which are in effect and `values` are the shipped defaults (a test holds
    them equal). `words` maps each other accepted word to its stored value; the
    stored values themselves are accepted in any case, with `_` or `-`
    (`service_manager`, `Service-Manager`). `shown` are values displayed, never typed.
    """

    # A plain class, not a dataclass: this module loads on every command, and building
    # a dataclass costs start-up (bench/README.md, "Costs behind the code").
    __slots__ = ("label_kind", "values", "words", "setting", "shown")

    def __init__(
        self,
        label_kind: str,
        values: tuple[str, ...],
        words: Mapping[str, str] | None = None,
        setting: str | None = None,
        shown: tuple[str, ...] = (),
    ) -> None:
        self.label_kind = label_kind
        self.values = values
        self.words: Mapping[str, str] = words or {}
        self.setting = setting
        self.shown = shown


_CHANNEL_WORDS = {
    "电话": "phone",
    "上门": "visit",
    "拜访": "visit",
    "微信": "wechat",
    "邮件": "email",
    "电子邮件": "email",
    "短信": "sms",
    "回访": "callback",
    "来访": "walk-in",
    "到店": "walk-in",
    "信函": "letter",
    "来信": "letter",
}

VOCABULARIES: dict[str, Vocabulary] = {
    "staff_role": Vocabulary(
        "role",
        (
            "clerk",
            "service",
            "service_supervisor",
            "service_manager",
            "account_manager",
            "sales_manager",
            "branch_gm",
            "marketing_director",
            "regional_manager",
            "deputy_gm",
            "gm",
        ),
        {
            "文员": "clerk",
            "内勤": "clerk",
            "客服": "clerk",
            "回访员": "clerk",
            "服务": "service",
            "服务工程师": "service",
            "维修工程师": "service",
            "售后工程师": "service",
            "服务主管": "service_supervisor",
            "服务经理": "service_manager",
            "业务经理": "account_manager",
            "客户经理": "account_manager",
            "销售经理": "sales_manager",
            "分支机构销售经理": "sales_manager",
            "分支机构总经理": "branch_gm",
            "分公司总经理": "branch_gm",
            "营销总监": "marketing_director",
            "大区经理": "regional_manager",
            "主管副经理": "deputy_gm",
            "分管副经理": "deputy_gm",
            "总经理": "gm",
            "副总经理": "gm",
        },
        setting="staff.roles",
    ),
    "contact_role": Vocabulary(
        "contact_role",
        (
            "person-in-charge",
            "decision-maker",
            "influencer",
            "supervisor",
            "purchaser",
            "operator",
            "finance",
            "other",
        ),
        {
            # Seed 000: 客户负责人…并不一定是客户老板，而是指某项业务的负责人.
            "业务负责人": "person-in-charge",
            "客户负责人": "person-in-charge",  # (the label: 业务负责人 is also a staff owner)
            "负责人": "person-in-charge",
            "决策人": "decision-maker",
            "决策者": "decision-maker",  # seed 004: 采购的决策者、影响者、监督者
            "老板": "decision-maker",
            "影响者": "influencer",
            "监督者": "supervisor",
            "采购": "purchaser",
            "采购员": "purchaser",
            "操作手": "operator",
            "机手": "operator",
            "司机": "operator",
            "财务": "finance",
            "会计": "finance",
            "其他": "other",
        },
        setting="contacts.roles",
    ),
    "event_kind": Vocabulary(
        "event_kind",
        ("service", "sale", "parts", "rental", "used"),
        {
            "销售": "sale",
            "整机销售": "sale",
            "新机销售": "sale",
            "服务": "service",
            "维修": "service",
            "保养": "service",
            "维修保养": "service",
            "售后": "service",
            "售后服务": "service",
            "配件": "parts",
            "配件销售": "parts",
            "租赁": "rental",
            "设备租赁": "rental",
            "二手机": "used",
            "二手机销售": "used",
        },
        setting="planning.event_offsets",
        shown=("none",),  # a callback without an event, in reports
    ),
    "outcome": Vocabulary(
        "outcome",
        ("reached", "no-answer", "busy", "wrong-number", "refused", "left-message"),
        {
            "接通": "reached",
            "已接通": "reached",
            "成功": "reached",
            "无人接听": "no-answer",
            "未接通": "no-answer",
            "占线": "busy",
            "忙线": "busy",
            "空号": "wrong-number",
            "错号": "wrong-number",
            "号码错误": "wrong-number",
            "拒接": "refused",
            "拒绝": "refused",
            "留言": "left-message",
            "已留言": "left-message",
        },
    ),
    # How a call was made: a fixed list (the calls table's CHECK holds it).
    "call_channel": Vocabulary(
        "channel", ("phone", "visit", "wechat", "email", "sms"), _CHANNEL_WORDS
    ),
    # How a complaint came in, or how the customer was told its outcome.
    "ticket_channel": Vocabulary(
        "channel",
        ("phone", "visit", "wechat", "email", "sms", "callback", "walk-in", "letter"),
        _CHANNEL_WORDS,
        setting="tickets.channels",
    ),
    "repurchase": Vocabulary(
        "repurchase",
        ("yes", "no", "unsure"),
        {
            "是": "yes",
            "会": "yes",
            "否": "no",
            "不会": "no",
            "不确定": "unsure",
            "不一定": "unsure",
        },
    ),
    "severity": Vocabulary(
        "severity",
        ("minor", "major", "critical"),
        {"一般": "minor", "轻微": "minor", "重大": "major", "严重": "critical", "紧急": "critical"},
    ),
    # Complaint categories are the office's own (their labels come from the config).
    "category": Vocabulary(
        "category",
        (
            "product.defect",
            "product.spec",
            "product.tolerance",
            "product.failure",
            "service.late",
            "service.attitude",
            "service.competence",
            "parts",
            "billing",
            "return",
            "other",
        ),
        setting="categories",
    ),
}

# Stored by the tool itself, never typed: declared here for their labels.
VOCABULARIES.update(
    {
        # Tier of a grade (SPEC: 1 core 核心, 2 important 重要, 3 key 大客户, 4–5 general 一般).
        "tier": Vocabulary("tier", ("core", "important", "key", "general")),
        "reason": Vocabulary(
            "reason",
            (
                "event",
                "visit",
                "yearly",
                "holiday",
                "birthday",
                "second-level",
                "ticket-verify",
                "retry",
            ),
        ),
        "ticket_status": Vocabulary(
            "ticket_status", ("open", "resolved", "closed"), shown=("all",)
        ),
        "callback_status": Vocabulary(
            "callback_status", ("pending", "done", "skipped", "cancelled")
        ),
        # the outbox (issue 19): how a notice went, and what queued it
        "notice_status": Vocabulary("notice_status", ("pending", "sent", "failed"), shown=("all",)),
        "notice_cause": Vocabulary(
            "notice_cause", ("escalation", "warning", "ticket", "approval", "digest")
        ),
    }
)

CALL_CHANNELS = VOCABULARIES["call_channel"].values
OUTCOMES = VOCABULARIES["outcome"].values
REACHED = "reached"
REPURCHASE = VOCABULARIES["repurchase"].values
SEVERITIES = VOCABULARIES["severity"].values
TIERS = VOCABULARIES["tier"].values
TICKET_STATUSES = VOCABULARIES["ticket_status"].values
CALLBACK_STATUSES = VOCABULARIES["callback_status"].values
REASONS = VOCABULARIES["reason"].values
GREETING_REASONS = ("holiday", "birthday")


def _fold(text: str) -> str:
    return text.lower().replace("_", "-")


def accept(kind: str, raw: str | None, field: str, allowed: Sequence[str] | None = None) -> str:
    """The stored value a person meant by `raw`, or InvalidValue naming `field`.

    `allowed` is the list in effect (from the config, for a kind with a setting);
    by default the declared values. A word is accepted when it is a stored value
    (any case, `_` or `-`), or one of the kind's words for an allowed value.
    """
    vocabulary = VOCABULARIES[kind]
    values = tuple(allowed) if allowed is not None else vocabulary.values
    cleaned = fields.normalise(raw or "")
    if cleaned in values:
        return cleaned
    meant = vocabulary.words.get(cleaned)
    if meant is not None and meant in values:
        return meant
    folded = _fold(cleaned)
    for value in values:
        if _fold(value) == folded:
            return value
    # What the Chinese screens show for a value is typed back as it is shown.
    with in_language(CHINESE):
        for value in values:
            if label(vocabulary.label_kind, value) == cleaned:
                return value
    raise InvalidValue(field, raw or "", expected(kind, values))


def expected(kind: str, allowed: Sequence[str] | None = None) -> str:
    """What a refusal says is expected, in the form the reader may type it: in English
    the stored values ("one of service, sale, ..."), in Chinese each value's word
    ("服务、销售、配件……"; `accept` takes what the Chinese screens show), or the stored
    value where the office's own value has no Chinese word."""
    vocabulary = VOCABULARIES[kind]
    values = allowed if allowed is not None else vocabulary.values
    if current_language() == ENGLISH:
        shown = list(values)
    else:
        shown = [label(vocabulary.label_kind, value) for value in values]
    return _("one of {values}").format(values=listed(shown))


def accepted_words(kind: str, allowed: Sequence[str] | None = None) -> dict[str, str]:
    """Every word `accept` takes for `kind` as written (not counting case and `_`/`-`
    variants of the stored values), with the value it stands for."""
    vocabulary = VOCABULARIES[kind]
    values = tuple(allowed) if allowed is not None else vocabulary.values
    words = {value: value for value in values}
    words.update((w, v) for w, v in vocabulary.words.items() if v in values)
    return words


def label_values() -> dict[str, tuple[str, ...]]:
    """The values shown under each label kind (for the catalog), in declared order."""
    out: dict[str, tuple[str, ...]] = {}
    for vocabulary in VOCABULARIES.values():
        known = out.get(vocabulary.label_kind, ())
        more = tuple(v for v in vocabulary.values + vocabulary.shown if v not in known)
        out[vocabulary.label_kind] = known + more
    return out


# -- satisfaction ----------------------------------------------------------------------------


class SatisfactionLevel(NamedTuple):
    """One step of the five-level scale (seed 000): its label, and the words for it."""

    score: int
    label: str  # the seed's Chinese word and its English; translated where shown
    words: tuple[str, ...]


SATISFACTION = (
    SatisfactionLevel(
        5, N_("高度满意 very satisfied"), ("高度满意", "非常满意", "很满意", "very satisfied")
    ),
    SatisfactionLevel(4, N_("一般满意 satisfied"), ("一般满意", "满意", "satisfied")),
    SatisfactionLevel(3, N_("无意见 neutral"), ("无意见", "一般", "neutral")),
    SatisfactionLevel(
        2,
        N_("有些不满意 somewhat dissatisfied"),
        ("有些不满意", "不满意", "somewhat dissatisfied", "dissatisfied"),
    ),
    SatisfactionLevel(
        1, N_("极不满意 very dissatisfied"), ("极不满意", "非常不满意", "very dissatisfied")
    ),
)
SATISFACTION_WORDS = {word: level.score for level in SATISFACTION for word in level.words}


def satisfaction_label(score: int) -> str:
    """ "5 高度满意 very satisfied" (in Chinese "5 高度满意")."""
    for level in SATISFACTION:
        if level.score == score:
            return f"{score} {_(level.label)}"
    return str(score)


def satisfaction_score(raw: str | int | None, field: str = "satisfaction") -> int | None:
    """1–5, or a word of the scale (高度满意, 满意, very satisfied...); None when empty."""
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        text = str(raw)
    else:
        text = fields.normalise(str(raw))
    if not text:
        return None
    score = SATISFACTION_WORDS.get(text, SATISFACTION_WORDS.get(text.lower()))
    if score is not None:
        return score
    if text.isdigit() and 1 <= int(text) <= 5:
        return int(text)
    raise InvalidValue(field, raw, fields.whole_number(1, 5))
