"""CSV import: validate every row first, then write the whole file in one transaction.

1. Read: the encoding is detected strictly (csvfile), headers are matched in English
   or Chinese in any order, and each cell is normalised (full-width digits, dates in
   the accepted formats, phones kept as text, Excel-mangled numbers refused).
2. Stage: valid rows go into a temporary table (outside the write lock), in batches,
   so memory stays flat whatever the file size.
   Clean columns are checked a batch at a time with C-level passes (Batched); any
   other cell goes through its per-cell converter, the one judge of a bad value.
3. Check what needs the database (unknown customers or staff, duplicate keys) with
   set-based SQL. Any error: every bad cell is listed (file:line:column), exit 65,
   nothing is written.
4. Write: one BEGIN IMMEDIATE transaction of set-based upserts, then planning. A file
   imported twice changes nothing the second time. Events, the largest files, are
   sorted by their key and their callbacks planned before the lock is taken, so that
   a clerk's command waits seconds, not the whole import.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import repeat
from pathlib import Path
from typing import Any

from followup_cli.domain import fields
from followup_cli.domain import vocabulary as vocab
from followup_cli.domain.calls.log import parse_answers
from followup_cli.domain.session import Session
from followup_cli.render.csv_writer import FORMULA_START
from followup_cli.support.dates import parse_birthday, parse_date, parse_datetime
from followup_cli.support.errors import DataError, InvalidValue
from followup_cli.support.i18n import N_, _, label, ngettext
from followup_cli.transfer.csv_read import (
    CsvSource,
    detect,
    open_text,
    physical_lines,
    record_batches,
)

KINDS = ("staff", "customers", "contacts", "events", "calls")
BATCH = 5000
MAX_ERRORS = 1000

Progress = Callable[[str, int, int | None], None]


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
    ],
}
# Fields staged under another name: a customer code is checked and staged as its id.
STAGED_AS = {"customer_code": "customer_id"}
# Cells also staged as written, for messages that quote them (column `<name>_text`).
RAW_KEPT = {"calls": ("outcome",)}


@dataclass
class CellError:
    line: int  # while importing: the record's sequence number; then its line in the file
    column: int
    header: str
    value: str
    expected: str  # may hold {other}: the line of the record this one repeats
    other: int | None = None

    def format(self, path: Path) -> str:
        shown = self.value if len(self.value) <= 60 else self.value[:60] + "…"
        expected = self.expected.format(other=self.other)
        return _("{path}:{line}:{column}: {header}: {value} — expected {expected}").format(
            path=path,
            line=self.line,
            column=self.column,
            header=self.header,
            value=repr(shown),
            expected=expected,
        )


class ImportErrors(DataError):
    """Every bad cell of a file; nothing was written."""

    def __init__(self, path: Path, errors: list[CellError], total: int) -> None:
        self.path = path
        self.errors = errors
        self.total = total
        super().__init__(
            ngettext(
                "{path}: {n} error; nothing was imported",
                "{path}: {n} errors; nothing was imported",
                total,
            ).format(path=path, n=total),
            _("Fix the cells listed above and import the file again."),
        )


@dataclass
class ImportReport:
    kind: str
    path: str
    encoding: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    callbacks_planned: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False


def _header_key(text: str) -> str:
    return fields.normalise(text).lower().replace(" ", "_").replace("-", "_").strip("*")


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
            _("The header line names the columns; see `followup import {kind} --help`.").format(
                kind=kind
            ),
        )
    return found, ignored


# -- per-cell converters -------------------------------------------------------------

Converter = Callable[[str], Any]
_MISSING = object()


@dataclass(frozen=True)
class Batched:
    """A converter with a fast path for a whole column of a batch.

    `many` settles the cells in the common, already-clean case with C-level passes and
    leaves the others as _MISSING (or returns None to leave the whole batch) for `one`,
    the per-cell converter, which stays the only judge of a bad cell and its message.
    """

    one: Converter
    many: Callable[[Sequence[str]], list[Any] | None]

    def __call__(self, value: str) -> Any:
        return self.one(value)


def _text_many(max_length: int, empty: Any) -> Callable[[Sequence[str]], list[Any] | None]:
    """fields.text for a column: kept when every cell is printable, short enough and
    (after outer spaces) as `one` would leave it; anything else goes cell by cell."""

    def many(raw: Sequence[str]) -> list[Any] | None:
        cleaned = list(map(str.strip, raw))
        if max(map(len, cleaned), default=0) > max_length or not all(map(str.isprintable, cleaned)):
            return None
        return [text or empty for text in cleaned]

    return many


def _name_many(raw: Sequence[str]) -> list[Any] | None:
    """fields.name for a column: every cell printable (one line), non-empty, short."""
    cleaned = list(map(str.strip, raw))
    if (
        min(map(len, cleaned), default=1) == 0
        or max(map(len, cleaned), default=0) > fields.MAX_NAME
        or not all(map(str.isprintable, cleaned))
    ):
        return None
    return cleaned


def _optional(fn: Callable[[str], Any]) -> Converter:
    return lambda v: fn(v) if v.strip() else None


def _int_range(name: str, low: int, high: int) -> Converter:
    def convert(value: str) -> int | None:
        text = fields.normalise(value)
        if not text:
            return None
        if text.isdigit() and low <= int(text) <= high:
            return int(text)
        raise InvalidValue(name, value, fields.whole_number(low, high))

    return convert


def _answers(known: set[str]) -> Converter:
    import json

    def convert(value: str) -> str | None:
        if not value.strip():
            return None
        out = parse_answers([value], "answers", known)
        return json.dumps(out, ensure_ascii=False, sort_keys=True)

    return convert


def converters(session: Session, kind: str) -> dict[str, Converter]:
    """A function per field: raw cell text -> the value to stage, or InvalidValue.
    Customer codes become customer ids and staff names are checked here, so that an
    unknown one is reported as a bad cell like any other."""
    cfg = session.config
    conn = session.conn
    staff = {r[0] for r in conn.execute("SELECT name FROM staff")}
    ids: dict[str, int] = (
        dict(conn.execute("SELECT code, id FROM customers").fetchall())
        if kind in ("contacts", "events", "calls")
        else {}
    )

    def one_customer(value: str) -> int:
        found = ids.get(fields.code(value, "customer_code"))
        if found is None:
            raise InvalidValue("customer_code", value, _(CUSTOMER_HINT))
        return found

    # A cell spelled exactly as a stored code is that customer (stored codes are normal).
    customer = Batched(one_customer, lambda raw: list(map(ids.get, raw, repeat(_MISSING))))

    def staff_name(name: str, *, required: bool = False) -> Converter:
        def convert(value: str) -> str | None:
            text = fields.name(value, name) if required else fields.text(value, name)
            if text is not None and text not in staff:
                raise InvalidValue(name, value, _(STAFF_HINT))
            return text

        return convert

    def text(name: str) -> Converter:
        return Batched(
            lambda v: fields.text(v, name, max_length=fields.MAX_NAME),
            _text_many(fields.MAX_NAME, None),
        )

    def long_text(name: str) -> Converter:
        return Batched(lambda v: fields.text(v, name), _text_many(fields.MAX_TEXT, None))

    def name_field(name: str) -> Converter:
        return Batched(lambda v: fields.name(v, name), _name_many)

    if kind == "staff":
        return {
            "name": name_field("name"),
            "role": lambda v: vocab.accept("staff_role", v, "role", cfg.staff_roles),
            "department": text("department"),
            "phone": lambda v: fields.phone(v, "phone"),
        }
    if kind == "customers":
        return {
            "code": _optional(lambda v: fields.code(v, "code")),
            "name": name_field("name"),
            "grade": _optional(lambda v: fields.grade(v, "grade")),
            "phone": lambda v: fields.phone(v, "phone"),
            "region": text("region"),
            "industry": text("industry"),
            "owner": staff_name("owner"),
            "department": text("department"),
            "address": long_text("address"),
            "note": long_text("note"),
        }
    if kind == "contacts":
        return {
            "customer_code": customer,
            "name": name_field("name"),
            "role": lambda v: (
                vocab.accept("contact_role", v, "role", cfg.contact_roles) if v.strip() else "other"
            ),
            "phone": lambda v: fields.phone(v, "phone"),
            "wechat": text("wechat"),
            "email": lambda v: fields.email(v, "email"),
            "birthday": _optional(lambda v: parse_birthday(v, "birthday")),
            "primary": lambda v: 1 if fields.flag(v, "primary") else 0,
        }
    if kind == "events":
        today = session.today

        def event_date(v: str) -> str:
            day = parse_date(v, "date")
            if day > today:
                raise InvalidValue(
                    "date", v, _("a date on or before today ({today})").format(today=today)
                )
            return day.isoformat()

        return {
            "customer_code": customer,
            "kind": lambda v: vocab.accept("event_kind", v, "kind", cfg.event_kinds),
            "date": event_date,
            "ref": Batched(
                lambda v: fields.text(v, "ref", max_length=fields.MAX_NAME) or "",
                _text_many(fields.MAX_NAME, ""),
            ),
            "machine": text("machine"),
            "staff": staff_name("staff"),
            "result": long_text("result"),
            "note": long_text("note"),
        }
    if kind == "calls":
        now = session.now

        def call_at(v: str) -> str:
            moment = parse_datetime(v, "at", now)
            if moment.date() > session.today:
                raise InvalidValue(
                    "at", v, _("a time on or before today ({today})").format(today=session.today)
                )
            return moment.isoformat(timespec="seconds")

        return {
            "customer_code": customer,
            "at": call_at,
            "by": staff_name("by", required=True),
            "outcome": lambda v: vocab.accept("outcome", v, "outcome"),
            "channel": lambda v: vocab.accept("call_channel", v.strip() or "phone", "channel"),
            "contact": text("contact"),
            "satisfaction": lambda v: vocab.satisfaction_score(v, "satisfaction"),
            "recommend": _int_range("recommend", 0, 10),
            "repurchase": _optional(lambda v: vocab.accept("repurchase", v, "repurchase")),
            "answers": _answers({q["key"] for qs in cfg["questions"].values() for q in qs}),
            "note": long_text("note"),
        }
    raise DataError(_("unknown import kind '{kind}'").format(kind=kind))


# -- the import ---------------------------------------------------------------------


def import_file(
    session: Session,
    kind: str,
    path: Path,
    *,
    encoding: str = "auto",
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    source = detect(path, encoding)
    report = ImportReport(kind, str(path), source.label, dry_run=dry_run)
    conn = session.conn
    stage = f"_stage_{kind}"
    names = [c.name for c in COLUMNS[kind]]
    kept = [f"{n}_text" for n in RAW_KEPT.get(kind, ())]
    for table in (stage, f"{stage}_sorted", f"{stage}_sorted_plans", f"{stage}_plans"):
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    conn.execute(
        f"CREATE TEMP TABLE {stage} (line INTEGER PRIMARY KEY, "
        + ", ".join(f'"{STAGED_AS.get(n, n)}"' for n in names + kept)
        + ")"
    )
    try:
        present, errors, total = _stage_rows(session, kind, source, stage, names, report, progress)
        found = CHECKS[kind](session, conn, stage, present)
        if errors or found:
            raise _errors(source, errors + found, total + len(found))
        writer = WRITERS[kind]
        if dry_run:
            with session.read():
                writer(session, conn, stage, present, report, False, progress)
        elif kind == "events":
            # Sorted and planned before the write lock, so that a clerk waits the least.
            stage = f"{stage}_sorted"
            plans = _plan_staged_events(session, conn, stage)
            with session.write():
                _write_events(session, conn, stage, present, report, True, progress, plans)
        else:
            with session.write():
                writer(session, conn, stage, present, report, True, progress)
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    # The staged rows stay in the connection's temp database, which SQLite deletes with
    # the connection: dropping a million of them here would cost most of a second. The
    # next import on this connection drops them first.
    return report


def _errors(source: CsvSource, errors: list[CellError], total: int) -> ImportErrors:
    """The import's errors, with records' sequence numbers turned into line numbers."""
    errors.sort(key=lambda e: (e.line, e.column))
    shown = errors[:MAX_ERRORS]
    lines = physical_lines(
        source, [e.line for e in shown] + [e.other for e in shown if e.other is not None]
    )
    for e in shown:
        e.line = lines.get(e.line, e.line)
        if e.other is not None:
            e.other = lines.get(e.other, e.other)
    return ImportErrors(source.path, shown, total)


CACHE_MAX = 50_000  # distinct raw values remembered per column


def _stage_rows(
    session: Session,
    kind: str,
    source: CsvSource,
    stage: str,
    names: list[str],
    report: ImportReport,
    progress: Progress | None,
) -> tuple[dict[str, tuple[int, str]], list[CellError], int]:
    """Validate every cell and stage every row (a bad cell staged as NULL).

    Returns the fields present in the file (name -> (column number, header text)), the
    bad cells found (at most MAX_ERRORS) and how many there were in all. Converters are
    pure, so each column remembers the result for the raw values it has seen: dates,
    codes, kinds and staff names repeat a lot in real files.
    """
    conn = session.conn
    convert = converters(session, kind)
    errors: list[CellError] = []
    total_errors = 0
    kept = RAW_KEPT.get(kind, ())
    columns = [STAGED_AS.get(n, n) for n in names] + [f"{n}_text" for n in kept]
    insert = (
        f"INSERT INTO temp.{stage} (line, "
        + ", ".join(f'"{n}"' for n in columns)
        + ") VALUES ("
        + ", ".join("?" for _ in range(len(columns) + 1))
        + ")"
    )
    size = source.path.stat().st_size
    with source.path.open("rb") as binary, open_text(source, binary) as fh:
        batches = record_batches(source, fh, BATCH)
        first = next(batches, None)
        if first is None:
            raise DataError(
                _("{path}: the file is empty").format(path=source.path),
                _("It needs a header line."),
            )
        header = first[0]
        mapping, report.ignored_columns = map_headers(kind, header, source.path)
        present = {name: (index + 1, header[index].strip()) for name, index in mapping.items()}
        plan: list[Column_] = []
        for name in names:
            fn = convert[name]
            index = mapping.get(name)
            if index is None:  # an absent column takes its empty value (ref "", channel phone)
                try:
                    plan.append(Column_(name, None, _constant(fn(""))))
                except InvalidValue:
                    plan.append(Column_(name, None, _constant(None)))
            else:
                plan.append(Column_(name, index, fn))
        width = len(header)
        sequence = 1
        conn.execute("BEGIN")  # (touches only the temp schema: no lock on the database)
        for records in batches:
            total_errors += _stage_batch(
                conn, insert, sequence, records, plan, kept, mapping, present, width, errors
            )
            sequence += len(records)
            report.rows += len(records)
            if progress:
                progress(N_("checking"), binary.tell(), size)
        conn.execute("COMMIT")
    if kind == "calls":
        extra = _check_call_rows(conn, stage, present)
        total_errors += len(extra)
        errors.extend(extra[: max(MAX_ERRORS - len(errors), 0)])
    return present, errors, total_errors


def _constant(value: Any) -> Converter:
    return lambda _cell: value


@dataclass
class Column_:
    """How one field of a file is read: its column (None: absent), its converter, and a
    memo of converted values, dropped for columns whose values hardly ever repeat."""

    name: str
    index: int | None
    convert: Converter
    seen: dict[str, Any] = field(default_factory=dict)
    memo: bool = True
    rows: int = 0

    def values(self, raw: Sequence[str]) -> tuple[list[Any], list[int]]:
        """Each cell converted, and where the bad cells are (an InvalidValue in place)."""
        self.rows += len(raw)
        values: list[Any] | None = None
        if isinstance(self.convert, Batched) and not _any_quoted(raw):
            values = self.convert.many(raw)
        if values is None:
            if not self.memo:
                values = [_MISSING] * len(raw)
            else:
                values = list(map(self.seen.get, raw, repeat(_MISSING)))
        bad = []
        if _MISSING in values:
            seen = self.seen if self.memo else None
            for i in [i for i, v in enumerate(values) if v is _MISSING]:
                cell = raw[i]
                value = self._one(cell)
                if seen is not None and len(seen) < CACHE_MAX:
                    seen[cell] = value
                if isinstance(value, InvalidValue):
                    bad.append(i)
                values[i] = value
        if self.memo and self.rows >= 20_000 and len(self.seen) > self.rows // 2:
            self.memo = False  # mostly distinct values (refs, notes): stop remembering
            self.seen.clear()
        return values, bad

    def _one(self, cell: str) -> Any:
        # A leading apostrophe before = + - @ was added by our export (or by Excel).
        text = cell[1:] if _quoted(cell) else cell
        try:
            return self.convert(text)
        except InvalidValue as exc:
            return exc


def _any_quoted(raw: Sequence[str]) -> bool:
    """Whether a cell of the column is _quoted (one C-level search first)."""
    if "\x00'" not in "\x00".join(("", *raw)):
        return False
    return any(map(_quoted, raw))


def _quoted(cell: str) -> bool:
    """A cell neutralised by a leading apostrophe ('=..., '+..., '-..., '@...)."""
    return cell[:1] == "'" and cell[1:2] in FORMULA_START and cell[1:2] != ""


def _stage_batch(
    conn: sqlite3.Connection,
    insert: str,
    first: int,
    records: list[list[str]],
    plan: list[Column_],
    kept: tuple[str, ...],
    mapping: dict[str, int],
    present: dict[str, tuple[int, str]],
    width: int,
    errors: list[CellError],
) -> int:
    """Validate and stage one batch of records, column by column; returns the number of
    bad cells (recorded in `errors`, by sequence number, up to MAX_ERRORS)."""
    found = 0
    count = len(records)
    if min(map(len, records)) != width or max(map(len, records)) != width:
        for i, record in enumerate(records):
            if len(record) > width and any(cell.strip() for cell in record[width:]):
                found += 1
                if len(errors) < MAX_ERRORS:
                    errors.append(
                        CellError(
                            first + i,
                            width + 1,
                            _("(no header)"),
                            record[width],
                            _("at most {n} cells, as in the header line").format(n=width),
                        )
                    )
        records = [(r + [""] * (width - len(r)))[:width] for r in records]
    cells = list(zip(*records, strict=True))
    columns: list[Sequence[Any]] = [range(first, first + count)]
    for column in plan:
        if column.index is None:
            columns.append([column.convert("")] * count)
            continue
        raw = cells[column.index]
        values, bad = column.values(raw)
        for i in bad:
            found += 1
            if len(errors) < MAX_ERRORS:
                col, head = present[column.name]
                errors.append(CellError(first + i, col, head, raw[i], values[i].expected))
            values[i] = None
        columns.append(values)
    for name in kept:
        index = mapping.get(name)
        columns.append(cells[index] if index is not None else [None] * count)
    conn.executemany(insert, zip(*columns, strict=True))
    return found


def _check_call_rows(
    conn: sqlite3.Connection, stage: str, present: dict[str, tuple[int, str]]
) -> list[CellError]:
    """Satisfaction, recommend, repurchase and answers only on reached calls."""
    errors: list[CellError] = []
    for name in ("satisfaction", "recommend", "repurchase", "answers"):
        if name not in present:
            continue
        col, head = present[name]
        for line, value, outcome in conn.execute(
            f'SELECT line, "{name}", outcome FROM temp.{stage}'
            f" WHERE \"{name}\" IS NOT NULL AND outcome != 'reached'"
        ):
            errors.append(
                CellError(
                    line,
                    col,
                    head,
                    str(value),
                    _("no value: the call was not reached ({outcome})").format(
                        outcome=label("outcome", outcome)
                    ),
                )
            )
    return errors


# -- database checks (after staging, before writing) ----------------------------------


def _missing(
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    name: str,
    sql: str,
    expected: str,
) -> list[CellError]:
    if name not in present:
        return []
    col, head = present[name]
    return [
        CellError(line, col, head, str(value), expected)
        for line, value in conn.execute(sql.format(stage=f"temp.{stage}", col=f'"{name}"'))
    ]


def _duplicates(
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    key: list[str],
    expected: str,
) -> list[CellError]:
    """A CellError for each repeat of a key; `expected` holds {other}, the first line."""
    cols = ", ".join(f'"{k}"' for k in key)
    col, head = present[key[-1]] if key[-1] in present else (0, key[-1])
    out: list[CellError] = []
    not_null = " AND ".join(f'"{k}" IS NOT NULL' for k in key)
    for row in conn.execute(
        f"SELECT group_concat(line), {cols} FROM temp.{stage} WHERE {not_null}"
        f" GROUP BY {cols} HAVING count(*) > 1"
    ):
        lines = [int(x) for x in str(row[0]).split(",")]
        for line in lines[1:]:
            out.append(
                CellError(
                    line,
                    col,
                    head,
                    str(row[len(key)]),
                    expected,
                    other=lines[0],
                )
            )
    return out


CUSTOMER_HINT = N_("a customer code already in the database (import customers first)")
STAFF_HINT = N_("a staff name (import staff first, or `followup staff add`)")


def _check_staff(
    session: Session, conn: sqlite3.Connection, stage: str, present: dict[str, tuple[int, str]]
) -> list[CellError]:
    return _duplicates(
        conn, stage, present, ["name"], _("a staff name that appears once (also on line {other})")
    )


def _check_customers(
    session: Session, conn: sqlite3.Connection, stage: str, present: dict[str, tuple[int, str]]
) -> list[CellError]:
    errors: list[CellError] = []
    if "code" in present:
        errors += _duplicates(
            conn,
            stage,
            present,
            ["code"],
            _("a customer code that appears once (also on line {other})"),
        )
    col, head = present["name"]
    for line, name, n in conn.execute(
        f"SELECT s.line, s.name, (SELECT count(*) FROM customers c WHERE c.name = s.name)"
        f" FROM temp.{stage} s WHERE s.code IS NULL AND s.name IS NOT NULL"
    ):
        if n > 1:
            errors.append(
                CellError(
                    line,
                    col,
                    head,
                    name,
                    _("a code: {n} customers already have this name").format(n=n),
                )
            )
    if "code" not in present:
        errors += _duplicates(
            conn,
            stage,
            present,
            ["name"],
            _("a customer name that appears once (also on line {other})"),
        )
    return errors


def _check_contacts(
    session: Session, conn: sqlite3.Connection, stage: str, present: dict[str, tuple[int, str]]
) -> list[CellError]:
    return _duplicates(
        conn,
        stage,
        present,
        ["customer_id", "name"],
        _("a contact name per customer that appears once (also on line {other})"),
    )


EVENT_KEY = ("customer_id", "kind", "date", "ref")


def _check_events(
    session: Session, conn: sqlite3.Connection, stage: str, present: dict[str, tuple[int, str]]
) -> list[CellError]:
    """Copies the stage in key order (`{stage}_sorted`: the write then appends to the
    unique index without sorting under the lock), and finds repeated keys as neighbours."""
    key = ", ".join(EVENT_KEY)
    sorted_stage = f"{stage}_sorted"
    conn.execute(f"DROP TABLE IF EXISTS temp.{sorted_stage}")
    conn.execute(f"CREATE TEMP TABLE {sorted_stage} AS SELECT * FROM temp.{stage} WHERE 0")
    conn.execute(
        f"INSERT INTO temp.{sorted_stage} SELECT * FROM temp.{stage}"
        f" WHERE {' AND '.join(f'{k} IS NOT NULL' for k in EVENT_KEY)} ORDER BY {key}, line"
    )
    col, head = present.get("ref", (0, "ref"))
    expected = _("a customer, kind, date and ref that appears once (also on line {other})")
    same = " AND ".join(f"b.{k} = a.{k}" for k in EVENT_KEY)
    return [
        CellError(line, col, head, str(ref), expected, other=other)
        for line, ref, other in conn.execute(
            f"SELECT b.line, b.ref, a.line FROM temp.{sorted_stage} a"
            f" JOIN temp.{sorted_stage} b ON b.rowid = a.rowid + 1 AND {same}"
        )
    ]


def _check_calls(
    session: Session, conn: sqlite3.Connection, stage: str, present: dict[str, tuple[int, str]]
) -> list[CellError]:
    col, head = present["outcome"]
    changed = [
        CellError(
            line,
            col,
            head,
            text,
            _(
                "the outcome already recorded ({outcome}): a logged call's outcome cannot change"
            ).format(outcome=label("outcome", outcome)),
        )
        for line, text, outcome in conn.execute(
            f"SELECT s.line, s.outcome_text, t.outcome FROM temp.{stage} s JOIN calls t"
            " ON t.customer_id = s.customer_id AND t.at = s.at AND t.caller = s.by"
            " WHERE s.outcome != t.outcome"
        )
    ]
    return (
        changed
        + _missing(
            conn,
            stage,
            present,
            "contact",
            "SELECT s.line, s.{col} FROM {stage} s WHERE s.{col} IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM contacts ct WHERE ct.customer_id = s.customer_id AND ct.name = s.{col})",
            _("a contact of that customer (import contacts first)"),
        )
        + _duplicates(
            conn,
            stage,
            present,
            ["customer_id", "at", "by"],
            _("a customer, time and caller that appears once (also on line {other})"),
        )
    )


CHECKS = {
    "staff": _check_staff,
    "customers": _check_customers,
    "contacts": _check_contacts,
    "events": _check_events,
    "calls": _check_calls,
}


# -- writing ------------------------------------------------------------------------


def _differs(cols: list[str], a: str, b: str) -> str:
    if not cols:
        return "0"
    return " OR ".join(f'{a}."{c}" IS NOT {b}."{c}"' for c in cols)


def _planned(conn: sqlite3.Connection) -> int:
    return _count(conn, "SELECT count(*) FROM callbacks WHERE status = 'pending'")


def _count(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> int:
    return int(conn.execute(sql, params).fetchone()[0])


def _write_staff(
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    report: ImportReport,
    write: bool,
    progress: Progress | None,
) -> None:
    cols = [c for c in ("role", "department", "phone") if c in present]
    match = f"FROM temp.{stage} s JOIN staff t ON t.name = s.name"
    report.inserted = _count(
        conn, f"SELECT count(*) FROM temp.{stage} s WHERE s.name NOT IN (SELECT name FROM staff)"
    )
    report.updated = _count(conn, f"SELECT count(*) {match} WHERE {_differs(cols, 's', 't')}")
    report.unchanged = report.rows - report.inserted - report.updated
    if not write:
        return
    new_roles = [
        (r[0], r[1])
        for r in conn.execute(
            f"SELECT name, role FROM temp.{stage} WHERE name NOT IN (SELECT name FROM staff)"
        )
    ]
    conn.execute(
        "INSERT INTO staff (name, role, department, phone, created_at, updated_at)"
        f" SELECT name, role, department, phone, ?, ? FROM temp.{stage}"
        " WHERE name NOT IN (SELECT name FROM staff) ORDER BY line",
        (session.stamp, session.stamp),
    )
    if cols:
        conn.execute(
            f"UPDATE staff SET {', '.join(f'{c} = s.{c}' for c in cols)}, updated_at = ?"
            f" FROM temp.{stage} s WHERE staff.name = s.name AND ({_differs(cols, 's', 'staff')})",
            (session.stamp,),
        )
    from followup_cli.domain.staff.records import staff_joined

    before = _planned(conn)
    for name, role in new_roles:
        staff_joined(session, name, role)
    report.callbacks_planned = _planned(conn) - before


def _write_customers(
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    report: ImportReport,
    write: bool,
    progress: Progress | None,
) -> None:
    from followup_cli.domain.customers.records import TEXT_FIELDS

    # Rows without a code take the code of the one customer with that name, if any.
    if not write:
        conn.execute("SAVEPOINT dry")
    conn.execute(
        f"UPDATE temp.{stage} SET code = (SELECT c.code FROM customers c"
        f" WHERE c.name = temp.{stage}.name) WHERE code IS NULL"
    )
    cols = [c for c in ("name", "grade", *TEXT_FIELDS) if c in present]
    match = f"FROM temp.{stage} s JOIN customers t ON t.code = s.code"
    grade_cmp = [c for c in cols if c != "grade"]
    differs = _differs(grade_cmp, "s", "t")
    if "grade" in cols:
        differs = f"({differs}) OR (s.grade IS NOT NULL AND s.grade != t.grade)"
    report.inserted = _count(
        conn,
        f"SELECT count(*) FROM temp.{stage} s WHERE s.code IS NULL"
        " OR s.code NOT IN (SELECT code FROM customers)",
    )
    report.updated = _count(conn, f"SELECT count(*) {match} WHERE {differs}")
    report.unchanged = report.rows - report.inserted - report.updated
    if not write:
        conn.execute("ROLLBACK TO dry")
        conn.execute("RELEASE dry")
        return
    # Generated codes for new customers without one.
    cfg = session.config["customer"]
    from followup_cli.domain.customers.records import next_code

    codeless = [r[0] for r in conn.execute(f"SELECT line FROM temp.{stage} WHERE code IS NULL")]
    if codeless:
        first = next_code(conn, cfg["code_prefix"], int(cfg["code_digits"]))
        prefix, digits = cfg["code_prefix"], int(cfg["code_digits"])
        n = int(first[len(prefix) :])
        taken = {r[0] for r in conn.execute("SELECT code FROM customers")}
        updates = []
        for line in codeless:
            while f"{prefix}{n:0{digits}d}" in taken:
                n += 1
            updates.append((f"{prefix}{n:0{digits}d}", line))
            n += 1
        conn.executemany(f"UPDATE temp.{stage} SET code = ? WHERE line = ?", updates)
    before_id = _count(conn, "SELECT coalesce(max(id), 0) FROM customers")
    default_grade = int(cfg["default_grade"])
    conn.execute(
        "INSERT INTO customers (code, name, grade, phone, region, industry, owner, department,"
        " address, note, created_at, updated_at)"
        f" SELECT code, name, coalesce(grade, ?), phone, region, industry, owner, department,"
        f" address, note, ?, ? FROM temp.{stage}"
        " WHERE code NOT IN (SELECT code FROM customers) ORDER BY line",
        (default_grade, session.stamp, session.stamp),
    )
    replan: list[int] = []
    if report.updated:
        replan = [
            r[0]
            for r in conn.execute(
                f"SELECT t.id {match} WHERE"
                " (s.grade IS NOT NULL AND s.grade != t.grade)"
                + (" OR s.owner IS NOT t.owner" if "owner" in cols else "")
                + (" OR s.department IS NOT t.department" if "department" in cols else "")
            )
        ]
        sets = [f"{c} = s.{c}" for c in cols if c != "grade"]
        if "grade" in cols:
            sets.append("grade = coalesce(s.grade, customers.grade)")
        conn.execute(
            f"UPDATE customers SET {', '.join(sets)}, updated_at = ? FROM temp.{stage} s"
            f" WHERE customers.code = s.code AND ({differs.replace('t.', 'customers.')})",
            (session.stamp,),
        )
    from followup_cli.domain.callbacks.planning import Planner

    before = _planned(conn)
    planner = Planner(session, conn)
    new_ids = [r[0] for r in conn.execute("SELECT id FROM customers WHERE id > ?", (before_id,))]
    planner.plan_customers(new_ids)
    if replan:
        planner.plan_customers(replan, replan=True)
    report.callbacks_planned = _planned(conn) - before


def _counts(conn: sqlite3.Connection, join: str, differs: str, report: ImportReport) -> None:
    """New, updated and unchanged rows, counted before anything is written (dry run)."""
    report.inserted = _count(conn, f"SELECT count(*) {join} WHERE t.id IS NULL")
    report.updated = _count(conn, f"SELECT count(*) {join} WHERE t.id IS NOT NULL AND ({differs})")
    report.unchanged = report.rows - report.inserted - report.updated


def _write_contacts(
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    report: ImportReport,
    write: bool,
    progress: Progress | None,
) -> None:
    """Contacts upsert by (customer, name). The primary contact of a customer is the last
    one the file marks as primary; a file that marks none leaves the primary alone (and a
    customer without one gets its first contact)."""
    cols = [c for c in ("role", "phone", "wechat", "email", "birthday") if c in present]
    has_primary = "primary" in present
    join = (
        f"FROM temp.{stage} s LEFT JOIN contacts t ON t.customer_id = s.customer_id"
        " AND t.name = s.name"
    )
    marked = (
        f'SELECT m.customer_id, m.name FROM temp.{stage} m WHERE m."primary" = 1'
        f" AND m.line = (SELECT max(line) FROM temp.{stage} x"
        ' WHERE x.customer_id = m.customer_id AND x."primary" = 1)'
    )
    differs = _differs(cols, "s", "t")
    if has_primary:
        differs = (
            f"({differs}) OR (t.is_primary != (s.name = (SELECT p.name FROM ({marked}) p"
            " WHERE p.customer_id = s.customer_id)))"
        )
    _counts(conn, join, differs, report)
    if not write:
        return
    conn.execute(
        "INSERT INTO contacts (customer_id, name, role, phone, wechat, email, birthday,"
        " is_primary, created_at, updated_at)"
        f" SELECT s.customer_id, s.name, coalesce(s.role, 'other'), s.phone, s.wechat, s.email,"
        f" s.birthday, 0, ?, ? {join} WHERE t.id IS NULL ORDER BY s.line",
        (session.stamp, session.stamp),
    )
    if cols:
        conn.execute(
            f"UPDATE contacts SET {', '.join(f'{c} = s.{c}' for c in cols)}, updated_at = ?"
            f" FROM temp.{stage} s WHERE contacts.customer_id = s.customer_id"
            f" AND contacts.name = s.name AND ({_differs(cols, 's', 'contacts')})",
            (session.stamp,),
        )
    if has_primary:
        conn.execute(
            "UPDATE contacts SET is_primary = (contacts.name = p.name), updated_at = ?"
            f" FROM ({marked}) p WHERE contacts.customer_id = p.customer_id"
            " AND contacts.is_primary != (contacts.name = p.name)",
            (session.stamp,),
        )
    affected = f"(SELECT customer_id FROM temp.{stage})"
    conn.execute(
        "UPDATE contacts SET is_primary = 1 WHERE id IN (SELECT min(id) FROM contacts"
        f" WHERE customer_id IN {affected} GROUP BY customer_id HAVING max(is_primary) = 0)"
    )
    from followup_cli.domain.callbacks.planning import Planner

    before = _planned(conn)
    ids = [r[0] for r in conn.execute(f"SELECT DISTINCT customer_id FROM temp.{stage}")]
    Planner(session, conn).plan_customers(ids)
    report.callbacks_planned = _planned(conn) - before


def _write_events(
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    report: ImportReport,
    write: bool,
    progress: Progress | None,
    plans: str | None = None,
) -> None:
    cols = [c for c in ("machine", "staff", "result", "note") if c in present]
    join = (
        f"FROM temp.{stage} s LEFT JOIN events t ON t.customer_id = s.customer_id"
        " AND t.kind = s.kind AND t.date = s.date AND t.ref = s.ref"
    )
    if not write:
        _counts(conn, join, _differs(cols, "s", "t"), report)
        return
    if progress:
        progress(N_("writing"), 0, None)
    before_id = _count(conn, "SELECT coalesce(max(id), 0) FROM events")
    # One pass, in key order (the stage is sorted: the unique index grows at its end):
    # new keys are inserted, known ones updated where a value differs. (The file's own
    # keys are distinct.)
    on_conflict = (
        f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in cols)}"
        f" WHERE {_differs(cols, 'excluded', 'events')}"
        if cols
        else "DO NOTHING"
    )
    changed = conn.execute(
        "INSERT INTO events (customer_id, kind, date, ref, machine, staff, result, note,"
        " created_at) SELECT s.customer_id, s.kind, s.date, s.ref, s.machine, s.staff, s.result,"
        f" s.note, ? FROM temp.{stage} s WHERE true ORDER BY s.rowid"
        f" ON CONFLICT (customer_id, kind, date, ref) {on_conflict}",
        (session.stamp,),
    ).rowcount
    report.inserted = _count(conn, "SELECT count(*) FROM events WHERE id > ?", (before_id,))
    report.updated = changed - report.inserted
    report.unchanged = report.rows - report.inserted - report.updated
    from followup_cli.domain.callbacks.planning import Planner

    plans = plans or _plan_staged_events(session, conn, stage)
    report.callbacks_planned = Planner(session, conn).insert_event_plans(stage, plans, before_id)


def _plan_staged_events(session: Session, conn: sqlite3.Connection, stage: str) -> str:
    from followup_cli.domain.callbacks.planning import Planner

    planner = Planner(session, conn, writing=conn.in_transaction)
    return planner.stage_event_plans(stage, _earliest_plannable(session))


def _earliest_plannable(session: Session) -> date:
    """Events older than this cannot plan a callback that is not stale."""
    longest = 0
    for kind, offsets in session.config["planning"]["event_offsets"].items():
        for text in offsets:
            iv = session.config.interval(text, f"planning.event_offsets.{kind}")
            longest = max(longest, iv.approx_days + (iv.count * 2 if iv.unit in "my" else 0))
    stale = int(session.config["planning"]["stale_after_days"])
    return session.today - timedelta(days=stale + longest + 10)


def _write_calls(
    session: Session,
    conn: sqlite3.Connection,
    stage: str,
    present: dict[str, tuple[int, str]],
    report: ImportReport,
    write: bool,
    progress: Progress | None,
) -> None:
    import json
    from datetime import datetime

    from followup_cli.domain.callbacks.planning import Planner
    from followup_cli.domain.calls.log import CallInput, record_call

    join = (
        f"FROM temp.{stage} s LEFT JOIN calls t ON t.customer_id = s.customer_id"
        " AND t.at = s.at AND t.caller = s.by"
    )
    cols = [
        c
        for c in ("satisfaction", "recommend", "repurchase", "answers", "note", "channel")
        if c in present
    ]
    _counts(conn, join, _differs(cols, "s", "t"), report)
    if not write:
        return
    if cols and report.updated:
        conn.execute(
            f"UPDATE calls SET {', '.join(f'{c} = s.{c}' for c in cols)} FROM temp.{stage} s"
            " WHERE calls.customer_id = s.customer_id AND calls.at = s.at"
            f" AND calls.caller = s.by AND ({_differs(cols, 's', 'calls')})"
        )
    planner = Planner(session, conn)
    before = _planned(conn)
    # The new rows, in time order; read a batch at a time (never while writing calls).
    lines = [
        r[0] for r in conn.execute(f"SELECT s.line {join} WHERE t.id IS NULL ORDER BY s.at, s.line")
    ]
    for start in range(0, len(lines), 1000):
        chunk = lines[start : start + 1000]
        batch = conn.execute(
            f"SELECT s.*, c.id, c.code, c.name, c.grade, c.department FROM temp.{stage} s"
            " JOIN customers c ON c.id = s.customer_id"
            f" WHERE s.line IN ({', '.join('?' for _ in chunk)}) ORDER BY s.at, s.line",
            chunk,
        ).fetchall()
        for row in batch:
            data = CallInput(
                outcome=row["outcome"],
                by=row["by"],
                at=datetime.fromisoformat(row["at"]),
                channel=row["channel"] or "phone",
                contact=row["contact"],
                satisfaction=row["satisfaction"],
                recommend=row["recommend"],
                repurchase=row["repurchase"],
                answers=json.loads(row["answers"]) if row["answers"] else {},
                note=row["note"],
                imported=True,
            )
            record_call(session, planner, row, data)
        if progress:
            progress(N_("writing"), start + len(chunk), len(lines))
    report.callbacks_planned = max(_planned(conn) - before, 0)


WRITERS = {
    "staff": _write_staff,
    "customers": _write_customers,
    "contacts": _write_contacts,
    "events": _write_events,
    "calls": _write_calls,
}
