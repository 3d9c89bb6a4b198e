"""The columns of each import file (the English name, the Chinese headers an office
writes, whether it is required), and matching a file's header line to them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from followup_cli.domain import fields
from followup_cli.support.controls import visible
from followup_cli.support.errors import DataError
from followup_cli.support.i18n import _, ngettext


@dataclass
class Column:
    name: str
    aliases: tuple[str, ...]
    required: bool = False


COLUMNS: dict[str, list[Column]] = {
    "staff": [
        Column("name", ("姓名", "员工", "名字", "staff"), True),
        Column("role", ("角色", "职务", "岗位"), True),
        Column("department", ("部门",)),
        Column("phone", ("电话", "手机", "联系电话")),
        Column("email", ("邮箱", "电子邮件")),
    ],
    "customers": [
        Column("code", ("客户编号", "编号", "客户代码", "customer_code")),
        Column("name", ("客户名称", "名称", "客户", "客户名")),
        Column("grade", ("等级", "客户等级", "级别")),
        Column("phone", ("电话", "手机", "联系电话")),
        Column("region", ("区域", "地区")),
        Column("industry", ("行业",)),
        Column("owner", ("负责人", "客户经理")),
        Column("department", ("部门",)),
        Column("address", ("地址",)),
        Column("note", ("备注",)),
    ],
    "contacts": [
        Column("customer_code", ("客户编号", "客户代码", "code"), True),
        Column("name", ("联系人", "姓名"), True),
        Column("role", ("角色", "职务")),
        Column("phone", ("电话", "手机", "联系电话")),
        Column("wechat", ("微信",)),
        Column("email", ("邮箱", "电子邮件")),
        Column("birthday", ("生日",)),
        Column("primary", ("主要联系人", "is_primary")),
    ],
    "events": [
        Column("customer_code", ("客户编号", "客户代码", "code"), True),
        Column("kind", ("类型", "业务类型"), True),
        Column("date", ("日期", "业务日期"), True),
        Column("ref", ("单号", "工单号", "单据号")),
        Column("machine", ("机型", "设备")),
        Column("staff", ("服务人员", "经办人")),
        Column("result", ("结果", "处理结果")),
        Column("note", ("备注",)),
        Column("in_use", ("投入使用日期", "投入使用", "使用日期")),
        # The customer's person for this job, whom its callbacks go to (issue 18).
        Column("contact", ("联系人", "客户联系人")),
        # What the sale or job brought in, in yuan: customers are ranked by it (seed 004).
        Column("amount", ("金额", "金额(元)", "金额（元）")),
    ],
    "calls": [
        Column("customer_code", ("客户编号", "客户代码", "code"), True),
        Column("at", ("时间", "回访时间", "日期"), True),
        Column("by", ("回访人", "caller"), True),
        Column("outcome", ("回访结果", "结果"), True),
        Column("channel", ("方式", "渠道", "回访方式")),
        Column("contact", ("联系人",)),
        Column("satisfaction", ("满意度",)),
        Column("recommend", ("推荐度", "推荐")),
        Column("repurchase", ("复购", "再次购买")),
        Column("answers", ("答案", "关键问题")),
        Column("note", ("备注",)),
        # A visit report's main conclusions (seed 003: 从中提炼主要结论).
        Column("findings", ("主要结论", "结论")),
    ],
}
# Fields staged under another name: a customer code is checked and staged as its id.
STAGED_AS = {"customer_code": "customer_id"}
# Cells also staged as written, for messages that quote them (column `<name>_text`).
RAW_KEPT = {"calls": ("outcome",)}


# Headers echoed in a message: at most this many, each cut to HEADER_SHOWN characters.
HEADERS_SHOWN = 20
HEADER_SHOWN = 40


def _header_key(text: str) -> str:
    """A header as it is matched: normal width, lower case, `_` for spaces and dashes; a
    line break inside the cell (Excel: Alt+Enter in a header, "客户\n编号") is dropped."""
    joined = "".join(part.strip() for part in text.splitlines()) if "\n" in text else text
    return fields.normalise(joined).lower().replace(" ", "_").replace("-", "_").strip("*")


def headers_found(header: list[str]) -> str:
    """The header line as a message shows it: its non-empty cells, control characters
    escaped (\\x1b), long ones cut, a long line elided."""
    cells = [visible(h.strip()) for h in header if h.strip()]
    shown = [c if len(c) <= HEADER_SHOWN else c[: HEADER_SHOWN - 1] + "…" for c in cells]
    if len(shown) > HEADERS_SHOWN:
        shown = [*shown[:HEADERS_SHOWN], "…"]
    return ", ".join(shown) if shown else _("(no headers)")


def map_headers(kind: str, header: list[str], path: Path) -> tuple[dict[str, int], list[str]]:
    """field -> column index; the headers that were not recognised."""
    lookup: dict[str, str] = {}
    for col in COLUMNS[kind]:
        for alias in (col.name, *col.aliases):
            lookup[_header_key(alias)] = col.name
    found: dict[str, int] = {}
    ignored: list[str] = []
    for index, raw in enumerate(header):
        key = _header_key(raw)
        name = lookup.get(key)
        if name is None:
            if raw.strip():
                ignored.append(raw.strip())
            continue
        if name in found:
            raise DataError(
                _("{path}:1: columns {first} and {second} both give '{field}'").format(
                    path=path, first=found[name] + 1, second=index + 1, field=name
                ),
                _("Keep one of them."),
            )
        found[name] = index
    missing = [c.name for c in COLUMNS[kind] if c.required and c.name not in found]
    if kind == "customers" and "name" not in found:
        missing.append("name")
    if missing:
        expected = "; ".join(
            f"{c.name} ({'/'.join(c.aliases[:2])})" for c in COLUMNS[kind] if c.name in missing
        )
        raise DataError(
            ngettext(
                "{path}: missing column: {columns}",
                "{path}: missing columns: {columns}",
                len(missing),
            ).format(path=path, columns=expected),
            _(
                "The header line has: {headers}. It names the columns; see"
                " `followup import {kind} --help`."
            ).format(headers=headers_found(header), kind=kind),
        )
    return found, ignored
