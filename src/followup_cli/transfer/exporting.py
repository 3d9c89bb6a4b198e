"""CSV and JSON export: for Excel (UTF-8 with BOM, formulas neutralised) and scripts.

Exports of customers, contacts, staff, events and calls use the import headers, so an
export imports back unchanged. `redact` masks personal data (phones as 138****8000), in free text too.
Headers are the English field names; `chinese_headers` gives the Chinese ones for files
meant for people (the first Chinese header the importer reads, so they import too).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from functools import partial
from typing import IO, Any

from followup_cli.domain import fields
from followup_cli.domain.privacy.redaction import mask_free_text, mask_phone, mask_private
from followup_cli.domain.session import Session
from followup_cli.render import csv_writer as csvout
from followup_cli.support.errors import UsageError
from followup_cli.support.i18n import _
from followup_cli.transfer.columns import COLUMNS

KINDS = ("customers", "contacts", "staff", "events", "calls", "tickets", "callbacks")


def _import_columns(kind: str) -> list[str]:
    """An importable table's export header: its import columns, in their order."""
    return [column.name for column in COLUMNS[kind]]


# kind -> (header, the query giving one value per header field, in order). A row whose
# customer is missing (deleted outside followup) is exported all the same, its customer
# code `#ID` and its name empty: `followup db check` lists such orphans.
QUERIES: dict[str, tuple[list[str], str]] = {
    "customers": (
        _import_columns("customers"),
        "SELECT code, name, grade, phone, region, industry, owner, department, address, note"
        " FROM customers WHERE archived = 0 ORDER BY id",
    ),
    "contacts": (
        _import_columns("contacts"),
        "SELECT COALESCE(c.code, '#' || ct.customer_id), ct.name, ct.role, ct.phone, ct.wechat, ct.email, ct.birthday,"
        " CASE ct.is_primary WHEN 1 THEN 'yes' ELSE 'no' END"
        " FROM contacts ct LEFT JOIN customers c ON c.id = ct.customer_id ORDER BY ct.id",
    ),
    "staff": (
        _import_columns("staff"),
        "SELECT name, role, department, phone, email FROM staff ORDER BY id",
    ),
    "events": (
        _import_columns("events"),
        "SELECT COALESCE(c.code, '#' || e.customer_id), e.kind, e.date, e.ref, e.machine, e.staff, e.result, e.note,"
        " e.in_use, k.name, e.amount FROM events e LEFT JOIN customers c ON c.id = e.customer_id"
        " LEFT JOIN contacts k ON k.id = e.contact_id ORDER BY e.id",
    ),
    "calls": (
        _import_columns("calls"),
        "SELECT COALESCE(c.code, '#' || k.customer_id), k.at, k.caller, k.outcome, k.channel, ct.name, k.satisfaction,"
        " k.recommend, k.repurchase, k.answers, k.note, k.findings FROM calls k"
        " LEFT JOIN customers c ON c.id = k.customer_id"
        " LEFT JOIN contacts ct ON ct.id = k.contact_id ORDER BY k.id",
    ),
    "tickets": (
        [
            "id",
            "customer_code",
            "customer_name",
            "opened_on",
            "channel",
            "category",
            "severity",
            "summary",
            "details",
            "owner",
            "status",
            "due_by",
            "resolution",
            "resolved_at",
            "notified_at",
            "notified_via",
            "customer_response",
            "closed_at",
            "escalation_level",
            "escalated_role",
            "escalated_to",
            "approved_by",
            "approved_at",
            "return_policy",
        ],
        "SELECT t.id, COALESCE(c.code, '#' || t.customer_id), c.name, t.opened_on, t.channel, t.category, t.severity, t.summary,"
        " t.details, t.owner, t.status, t.due_by, t.resolution, t.resolved_at, t.notified_at,"
        " t.notified_via, t.customer_response, t.closed_at, t.escalation_level,"
        " t.escalated_role, t.escalated_to, t.approved_by, t.approved_at, t.return_policy"
        " FROM tickets t"
        " LEFT JOIN customers c ON c.id = t.customer_id ORDER BY t.id",
    ),
    "callbacks": (
        [
            "id",
            "customer_code",
            "customer_name",
            "due_on",
            "reason",
            "level",
            "role",
            "assignee",
            "status",
            "attempts",
            "detail",
            "planned_on",
            "closed_on",
            "note",
            "call_id",
            "appointment_at",
            "appointment_place",
        ],
        "SELECT cb.id, COALESCE(c.code, '#' || cb.customer_id), c.name, cb.due_on, cb.reason, cb.level, cb.role, cb.assignee,"
        " cb.status, cb.attempts, cb.detail, cb.planned_on, cb.closed_on, cb.note, cb.call_id,"
        " cb.appointment_at, cb.appointment_place"
        " FROM callbacks cb LEFT JOIN customers c ON c.id = cb.customer_id ORDER BY cb.id",
    ),
}
PHONE_FIELDS = {"phone"}
PRIVATE_FIELDS = {"wechat", "email", "birthday"}
# Free text a person typed or the tool wrote, where a phone, WeChat id or email address
# may stand too: masked inside the text (issue 22).
FREE_TEXT_FIELDS = {
    "note",
    "findings",
    "result",
    "summary",
    "details",
    "resolution",
    "customer_response",
    "detail",
    "address",
    "appointment_place",
}


def export_records(
    session: Session, kind: str, *, redact: bool = False, as_json: bool = False
) -> tuple[list[str], Iterator[list[Any]]]:
    """The header and a stream of rows (typed values) for `kind`. Call answers are
    `fixed=yes;on_time=no` text in CSV (as the importer reads them), objects in JSON."""
    if kind not in QUERIES:
        raise UsageError(
            _("cannot export '{kind}'").format(kind=kind),
            _("Export one of: {kinds}.").format(kinds=", ".join(KINDS)),
        )
    header, sql = QUERIES[kind]
    conn = session.conn
    transforms = _transforms(header, kind, redact, as_json)

    def generate() -> Iterator[list[Any]]:
        cursor: sqlite3.Cursor = conn.execute(sql)
        while True:
            batch = cursor.fetchmany(2000)
            if not batch:
                return
            for row in batch:
                values = list(row)
                for i, fn in transforms:
                    if values[i] is not None:
                        values[i] = fn(values[i])
                yield values

    return header, generate()


# Chinese headers of the fields the importer does not read (tickets, callbacks).
CHINESE_HEADERS = {
    "id": "编号",
    "customer_code": "客户编号",
    "customer_name": "客户名称",
    "opened_on": "受理日期",
    "channel": "渠道",
    "category": "类别",
    "severity": "严重程度",
    "summary": "摘要",
    "details": "详情",
    "owner": "负责人",
    "status": "状态",
    "due_by": "期限",
    "resolution": "处理结果",
    "resolved_at": "解决时间",
    "notified_at": "告知时间",
    "notified_via": "告知方式",
    "customer_response": "客户反馈",
    "closed_at": "关闭时间",
    "escalation_level": "升级级别",
    "escalated_role": "升级角色",
    "escalated_to": "升级至",
    "approved_by": "批示人",
    "approved_at": "批示时间",
    "return_policy": "退换货政策",
    "due_on": "应回访日期",
    "reason": "原因",
    "level": "级别",
    "role": "角色",
    "assignee": "负责人",
    "attempts": "尝试次数",
    "detail": "说明",
    "planned_on": "计划日期",
    "closed_on": "完成日期",
    "note": "备注",
    "call_id": "回访记录号",
    "appointment_at": "预约时间",
    "appointment_place": "预约地点",
}


def chinese_headers(kind: str, header: list[str]) -> list[str]:
    """The header in Chinese: for importable kinds, the first Chinese header the importer
    reads for each field (SPEC 5), so the file imports back unchanged."""

    read = {
        c.name: next((a for a in c.aliases if not a.isascii()), c.name)
        for c in COLUMNS.get(kind, [])
    }
    return [read.get(name) or CHINESE_HEADERS.get(name, name) for name in header]


def _transforms(
    header: list[str], kind: str, redact: bool, as_json: bool
) -> list[tuple[int, Callable[[Any], Any]]]:
    out: list[tuple[int, Callable[[Any], Any]]] = []
    for i, name in enumerate(header):
        if kind == "calls" and name == "answers":
            out.append((i, json.loads if as_json else _answers_text))
        if kind == "events" and name == "amount" and not as_json:
            out.append((i, fields.amount_text))
        if not redact:
            continue
        if name in PHONE_FIELDS:
            out.append((i, mask_phone))
        elif name in PRIVATE_FIELDS:
            out.append((i, partial(mask_private, name)))
        elif name in FREE_TEXT_FIELDS:
            out.append((i, mask_free_text))
    return out


def _answers_text(raw: str) -> str:
    """The JSON stored in calls.answers, as the importer reads it: fixed=yes;on_time=no."""
    data = json.loads(raw)
    return ";".join(f"{k}={v}" for k, v in data.items())


def write_csv(header: list[str], records: Iterator[list[Any]], out: IO[str]) -> int:
    """CSV for Excel: a BOM, CRLF line ends (RFC 4180), formula-like cells neutralised
    (the one csv writer, `csvout`)."""
    return csvout.write_rows(out, header, records, line_end="\r\n", bom=True)


def write_json(header: list[str], records: Iterator[list[Any]], out: IO[str]) -> int:
    """A JSON array of objects, streamed."""
    out.write("[")
    count = 0
    for values in records:
        out.write(",\n  " if count else "\n  ")
        out.write(json.dumps(dict(zip(header, values, strict=True)), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
