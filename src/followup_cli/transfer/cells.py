"""Reading the cells of one column: the converter of each field (the one judge of a bad
value), batched C-level passes for clean columns (Batched), and a memo of the values
already converted."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat
from typing import Any

from followup_cli.domain import fields
from followup_cli.domain import vocabulary as vocab
from followup_cli.domain.calls.log import check_call_time, parse_answers
from followup_cli.domain.customers.records import customer_ids
from followup_cli.domain.session import Session
from followup_cli.domain.staff.records import staff_names
from followup_cli.render.csv_writer import FORMULA_START
from followup_cli.support.dates import parse_birthday, parse_date, parse_datetime
from followup_cli.support.errors import DataError, InvalidValue
from followup_cli.support.i18n import N_, _
from followup_cli.transfer.checks import CUSTOMER_HINT, STAFF_HINT

# -- per-cell converters -------------------------------------------------------------

Converter = Callable[[str], Any]
MISSING = object()


@dataclass(frozen=True)
class Batched:
    """A converter with a fast path for a whole column of a batch.

    `many` settles the cells in the common, already-clean case with C-level passes and
    leaves the others as MISSING (or returns None to leave the whole batch) for `one`,
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
    def convert(value: str) -> str | None:
        if not value.strip():
            return None
        out = parse_answers([value], "answers", known)
        return json.dumps(out, ensure_ascii=False, sort_keys=True)

    return convert


def converters(session: Session, kind: str) -> dict[str, Converter]:
    """A function per field of `kind`'s file: raw cell text -> the value to stage, or
    InvalidValue. Customer codes become customer ids and staff names are checked here,
    so that an unknown one is reported as a bad cell like any other."""
    build = _FIELDS.get(kind)
    if build is None:
        raise DataError(_("unknown import kind '{kind}'").format(kind=kind))
    return build(session)


def _text(name: str) -> Converter:
    return Batched(
        lambda v: fields.text(v, name, max_length=fields.MAX_NAME),
        _text_many(fields.MAX_NAME, None),
    )


def _long_text(name: str) -> Converter:
    return Batched(lambda v: fields.text(v, name), _text_many(fields.MAX_TEXT, None))


def _name(name: str) -> Converter:
    return Batched(lambda v: fields.name(v, name), _name_many)


def _staff_name(staff: set[str], name: str, *, required: bool = False) -> Converter:
    def convert(value: str) -> str | None:
        text = fields.name(value, name) if required else fields.text(value, name)
        if text is not None and text not in staff:
            raise InvalidValue(name, value, _(STAFF_HINT))
        return text

    return convert


def _customer(session: Session) -> Converter:
    """A customer code -> its id; a cell spelled exactly as a stored code is that customer
    (stored codes are normal), the batch's fast path."""
    ids = customer_ids(session.conn)

    def one_customer(value: str) -> int:
        found = ids.get(fields.code(value, "customer_code"))
        if found is None:
            raise InvalidValue("customer_code", value, _(CUSTOMER_HINT))
        return found

    return Batched(one_customer, lambda raw: list(map(ids.get, raw, repeat(MISSING))))


def _not_after(today: date, expected: str, name: str) -> Callable[[date, str], None]:
    """A check that a day is not after today (no events or calls in the future)."""

    def check(day: date, value: str) -> None:
        if day > today:
            raise InvalidValue(name, value, _(expected).format(today=today))

    return check


def _staff_fields(session: Session) -> dict[str, Converter]:
    roles = session.config.staff_roles
    return {
        "name": _name("name"),
        "role": lambda v: vocab.accept("staff_role", v, "role", roles),
        "department": _text("department"),
        "phone": lambda v: fields.phone(v, "phone"),
        "email": lambda v: fields.email(v, "email"),
    }


def _customer_fields(session: Session) -> dict[str, Converter]:
    return {
        "code": _optional(lambda v: fields.code(v, "code")),
        "name": _name("name"),
        "grade": _optional(lambda v: fields.grade(v, "grade")),
        "phone": lambda v: fields.phone(v, "phone"),
        "region": _text("region"),
        "industry": _text("industry"),
        "owner": _staff_name(staff_names(session.conn), "owner"),
        "department": _text("department"),
        "address": _long_text("address"),
        "note": _long_text("note"),
    }


def _contact_fields(session: Session) -> dict[str, Converter]:
    roles = session.config.contact_roles
    return {
        "customer_code": _customer(session),
        "name": _name("name"),
        "role": lambda v: vocab.accept("contact_role", v, "role", roles) if v.strip() else "other",
        "phone": lambda v: fields.phone(v, "phone"),
        "wechat": _text("wechat"),
        "email": lambda v: fields.email(v, "email"),
        "birthday": _optional(lambda v: parse_birthday(v, "birthday")),
        "primary": lambda v: 1 if fields.flag(v, "primary") else 0,
    }


def _event_fields(session: Session) -> dict[str, Converter]:
    not_after = _not_after(session.today, N_("a date on or before today ({today})"), "date")

    def event_date(v: str) -> str:
        day = parse_date(v, "date")
        not_after(day, v)
        return day.isoformat()

    kinds = session.config.event_kinds
    return {
        "customer_code": _customer(session),
        "kind": lambda v: vocab.accept("event_kind", v, "kind", kinds),
        "date": event_date,
        "ref": Batched(
            lambda v: fields.text(v, "ref", max_length=fields.MAX_NAME) or "",
            _text_many(fields.MAX_NAME, ""),
        ),
        "machine": _text("machine"),
        "staff": _staff_name(staff_names(session.conn), "staff"),
        "result": _long_text("result"),
        "note": _long_text("note"),
        # on or after the event's date: checked across the row (transfer/checks.py)
        "in_use": _optional(lambda v: parse_date(v, "in_use").isoformat()),
        "contact": _text("contact"),
        "amount": lambda v: fields.amount(v, "amount"),
    }


def _call_fields(session: Session) -> dict[str, Converter]:
    now = session.now
    latest = session.latest

    def call_at(v: str) -> str:
        moment = parse_datetime(v, "at", now)
        if moment > latest:  # a call in the future: refused as log-call refuses it
            check_call_time(session, moment, v)
        return moment.isoformat(timespec="seconds")

    questions = {q["key"] for qs in session.config["questions"].values() for q in qs}
    return {
        "customer_code": _customer(session),
        "at": call_at,
        "by": _staff_name(staff_names(session.conn), "by", required=True),
        "outcome": lambda v: vocab.accept("outcome", v, "outcome"),
        "channel": lambda v: vocab.accept("call_channel", v.strip() or "phone", "channel"),
        "contact": _text("contact"),
        "satisfaction": lambda v: vocab.satisfaction_score(v, "satisfaction"),
        "recommend": _int_range("recommend", 0, 10),
        "repurchase": _optional(lambda v: vocab.accept("repurchase", v, "repurchase")),
        "answers": _answers(questions),
        "note": _long_text("note"),
        # a visit's, or a key account's call's: checked across the row (transfer/checks.py)
        "findings": _long_text("findings"),
    }


_FIELDS: dict[str, Callable[[Session], dict[str, Converter]]] = {
    "staff": _staff_fields,
    "customers": _customer_fields,
    "contacts": _contact_fields,
    "events": _event_fields,
    "calls": _call_fields,
}


CACHE_MAX = 50_000  # distinct raw values remembered per column


def constant(value: Any) -> Converter:
    return lambda _cell: value


@dataclass
class ColumnReader:
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
        if isinstance(self.convert, Batched) and not any_quoted(raw):
            values = self.convert.many(raw)
        if values is None:
            if not self.memo:
                values = [MISSING] * len(raw)
            else:
                values = list(map(self.seen.get, raw, repeat(MISSING)))
        bad = []
        if MISSING in values:
            seen = self.seen if self.memo else None
            for i in [i for i, v in enumerate(values) if v is MISSING]:
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
        text = cell[1:] if quoted(cell) else cell
        try:
            return self.convert(text)
        except InvalidValue as exc:
            return exc


def any_quoted(raw: Sequence[str]) -> bool:
    """Whether a cell of the column is quoted (one C-level search first)."""
    if "\x00'" not in "\x00".join(("", *raw)):
        return False
    return any(map(quoted, raw))


# What the export's apostrophe can stand before: a stored text starts with one of these
# (never with a tab or CR, which the writer neutralises too: stored text has no outer
# spaces), so "'\t" in a file is what a person typed, not something to undo.
UNQUOTED_START = tuple(c for c in FORMULA_START if not c.isspace())


def quoted(cell: str) -> bool:
    """A cell neutralised by a leading apostrophe ('=..., '+..., '-..., '@...)."""
    return cell[:1] == "'" and cell[1:2] in UNQUOTED_START and cell[1:2] != ""
