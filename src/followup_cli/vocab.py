"""The fixed vocabulary of the domain, and the Chinese words accepted for each value.

Stored values are always the English names below; imports (and options) also accept
the Chinese names an office writes in its spreadsheets.
"""

from __future__ import annotations

CALL_CHANNELS = ("phone", "visit", "wechat", "email", "sms")
OUTCOMES = ("reached", "no-answer", "busy", "wrong-number", "refused", "left-message")
REACHED = "reached"
REPURCHASE = ("yes", "no", "unsure")
SEVERITIES = ("minor", "major", "critical")
TICKET_STATUSES = ("open", "resolved", "closed")
CALLBACK_STATUSES = ("pending", "done", "skipped", "cancelled")
REASONS = (
    "event",
    "visit",
    "yearly",
    "holiday",
    "birthday",
    "second-level",
    "ticket-verify",
    "retry",
)
GREETING_REASONS = ("holiday", "birthday")

ALIASES: dict[str, dict[str, str]] = {
    "staff_role": {
        "文员": "clerk",
        "内勤": "clerk",
        "客服": "clerk",
        "回访员": "clerk",
        "服务": "service",
        "服务工程师": "service",
        "维修工程师": "service",
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
        "总经理": "gm",
        "副总经理": "gm",
    },
    "contact_role": {
        "决策人": "decision-maker",
        "老板": "decision-maker",
        "采购": "purchaser",
        "采购员": "purchaser",
        "操作手": "operator",
        "机手": "operator",
        "司机": "operator",
        "财务": "finance",
        "其他": "other",
    },
    "event_kind": {
        "销售": "sale",
        "整机销售": "sale",
        "服务": "service",
        "维修": "service",
        "售后服务": "service",
        "配件": "parts",
        "配件销售": "parts",
        "租赁": "rental",
        "设备租赁": "rental",
        "二手机": "used",
        "二手机销售": "used",
    },
    "outcome": {
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
    },
    "channel": {
        "电话": "phone",
        "上门": "visit",
        "拜访": "visit",
        "微信": "wechat",
        "邮件": "email",
        "短信": "sms",
    },
    "repurchase": {"是": "yes", "会": "yes", "否": "no", "不会": "no", "不确定": "unsure"},
    "severity": {"一般": "minor", "轻微": "minor", "重大": "major", "严重": "critical"},
}


def canonical(kind: str, value: str) -> str:
    """The stored value for `value` if it is a known Chinese alias, else `value` unchanged."""
    return ALIASES.get(kind, {}).get(value.strip(), value)
