"""Contacts: the people at a customer. Whom a callback goes to is the rule of
[contacts] callback_order (domain/contacts/choice.py); a contact who has left the customer
(`mark_left`) keeps their record but is never called again."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from followup_cli.domain import fields
from followup_cli.domain import vocabulary as vocab
from followup_cli.domain.callbacks import store
from followup_cli.domain.callbacks.planning import plan_customer
from followup_cli.domain.contacts.choice import ContactRule, choose_contact
from followup_cli.domain.customers.records import locked_customer_row, resolve_customer_row
from followup_cli.domain.session import Session
from followup_cli.store.compare import columns_differ
from followup_cli.support.config import Config
from followup_cli.support.dates import parse_birthday, parse_date
from followup_cli.support.errors import Conflict, InvalidValue, NotFound, Refused
from followup_cli.support.i18n import _


@dataclass
class Contact:
    id: int
    customer_id: int
    customer_code: str
    customer_name: str
    name: str
    role: str
    phone: str | None
    wechat: str | None
    email: str | None
    birthday: str | None
    primary: bool
    left_on: str | None = None  # the day they left the customer (None: still there)
    # Their personal data was erased (`contact erase`): the name is a placeholder
    # (已删除联系人 #12), the phone, WeChat, email and birthday are gone.
    erased: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ContactInput:
    name: str
    role: str = "other"
    phone: str | None = None
    wechat: str | None = None
    email: str | None = None
    birthday: str | None = None
    primary: bool = False


def validate_contact(
    session: Session,
    name: str | None,
    *,
    role: str | None = None,
    phone: str | None = None,
    wechat: str | None = None,
    email: str | None = None,
    birthday: str | None = None,
    primary: bool | str | None = False,
) -> ContactInput:
    return ContactInput(
        name=fields.name(name, "name"),
        role=(
            vocab.accept("contact_role", role, "role", session.config.contact_roles)
            if role and role.strip()
            else "other"
        ),
        phone=fields.phone(phone, "phone"),
        wechat=fields.text(wechat, "wechat", max_length=fields.MAX_NAME),
        email=fields.email(email, "email"),
        birthday=parse_birthday(birthday, "birthday") if birthday and birthday.strip() else None,
        primary=fields.flag(primary, "primary"),
    )


_SELECT = (
    "SELECT ct.*, c.code AS customer_code, c.name AS customer_name"
    " FROM contacts ct JOIN customers c ON c.id = ct.customer_id"
)


def _from_row(row: sqlite3.Row) -> Contact:
    return Contact(
        id=row["id"],
        customer_id=row["customer_id"],
        customer_code=row["customer_code"],
        customer_name=row["customer_name"],
        name=row["name"],
        role=row["role"],
        phone=row["phone"],
        wechat=row["wechat"],
        email=row["email"],
        birthday=row["birthday"],
        primary=bool(row["is_primary"]),
        left_on=row["left_on"],
        erased=row["erased_at"] is not None,
    )


def add_contact(session: Session, customer_ref: str, data: ContactInput) -> Contact:
    with session.write(one_customer=True) as conn:
        customer = locked_customer_row(session, conn, customer_ref)
        contact_id = insert_contact(session, conn, customer["id"], data)
        if data.birthday:
            plan_customer(session, customer["id"])
        row = conn.execute(_SELECT + " WHERE ct.id = ?", (contact_id,)).fetchone()
    return _from_row(row)


def insert_contact(
    session: Session, conn: sqlite3.Connection, customer_id: int, data: ContactInput
) -> int:
    """Insert inside the caller's transaction. The first contact becomes primary."""
    if conn.execute(
        "SELECT 1 FROM contacts WHERE customer_id = ? AND name = ?", (customer_id, data.name)
    ).fetchone():
        raise Conflict(
            _("this customer already has a contact named '{name}'").format(name=data.name),
            _("Contacts are unique by name within a customer."),
        )
    has_primary = conn.execute(
        "SELECT 1 FROM contacts WHERE customer_id = ? AND is_primary = 1 AND left_on IS NULL",
        (customer_id,),
    ).fetchone()
    primary = data.primary or not has_primary
    if primary and has_primary:
        conn.execute(
            "UPDATE contacts SET is_primary = 0, updated_at = ? WHERE customer_id = ?",
            (session.stamp, customer_id),
        )
    cur = conn.execute(
        "INSERT INTO contacts (customer_id, name, role, phone, wechat, email, birthday,"
        " is_primary, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            customer_id,
            data.name,
            data.role,
            data.phone,
            data.wechat,
            data.email,
            data.birthday,
            1 if primary else 0,
            session.stamp,
            session.stamp,
        ),
    )
    return int(cur.lastrowid or 0)


def list_contacts(session: Session, customer_ref: str | None = None) -> list[Contact]:
    if customer_ref:
        customer = resolve_customer_row(session.conn, customer_ref)
        rows = session.conn.execute(
            _SELECT + " WHERE ct.customer_id = ? ORDER BY ct.is_primary DESC, ct.name",
            (customer["id"],),
        )
    else:
        rows = session.conn.execute(
            _SELECT + " WHERE c.archived = 0 ORDER BY c.code, ct.is_primary DESC, ct.name"
        )
    return [_from_row(r) for r in rows]


def contacts_of(session: Session, customer_id: int) -> list[Contact]:
    rows = session.conn.execute(
        _SELECT + " WHERE ct.customer_id = ? ORDER BY ct.is_primary DESC, ct.name",
        (customer_id,),
    )
    return [_from_row(r) for r in rows]


# -- key people who leave (seed 003: 及时掌握大客户单位关键职务的人事变动情况) ------------


@dataclass
class ContactLeft:
    """A contact marked as gone, whom event callbacks go to now (None: nobody is left),
    the new primary contact if the primary left, and whether the customer is now without
    any of its key people ([contacts] key_roles) where its tier needs them."""

    contact: Contact
    next_contact: Contact | None
    new_primary: str | None
    key_people_gone: bool


def left_day(session: Session, raw: str | None) -> date:
    """The day a contact left: today by default, never after today (nor before 1900)."""
    if raw is None or not raw.strip():
        return session.today
    day = parse_date(raw, "date")
    if day > session.today:
        raise InvalidValue(
            "date", raw, _("a date on or before today ({today})").format(today=session.today)
        )
    return day


def mark_left(session: Session, customer_ref: str, name: str, day: date) -> ContactLeft:
    """Mark the customer's contact `name` as gone on `day`, in one transaction: never
    called again (callbacks go to the next contact of callback_order), no longer
    primary (the first contact still there is, one of avoid_roles only if nobody else
    is), their pending birthday greetings cancelled."""
    with session.write(one_customer=True) as conn:
        customer = locked_customer_row(session, conn, customer_ref)
        cid = customer["id"]
        row = conn.execute(
            _SELECT + " WHERE ct.customer_id = ? AND ct.name = ?", (cid, name)
        ).fetchone()
        if row is None:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM contacts WHERE customer_id = ? ORDER BY id", (cid,)
                )
            ]
            raise NotFound(
                _("{code} has no contact named '{name}'").format(code=customer["code"], name=name),
                _("Contacts of {code}: {names}").format(
                    code=customer["code"], names=", ".join(names)
                )
                if names
                else _("Add one with `followup contact add {code} NAME`.").format(
                    code=customer["code"]
                ),
            )
        if row["left_on"] is not None:
            raise Refused(
                _("{name} already left {code} on {date}").format(
                    name=name, code=customer["code"], date=row["left_on"]
                )
            )
        conn.execute(
            "UPDATE contacts SET left_on = ?, is_primary = 0, updated_at = ? WHERE id = ?",
            (day.isoformat(), session.stamp, row["id"]),
        )
        rule = ContactRule.of(session.config["contacts"])
        new_primary = promote_primary(session, conn, cid) if row["is_primary"] else None
        store.cancel_contact_greetings(conn, row["id"], session.today, session.stamp)
        gone = _from_row(conn.execute(_SELECT + " WHERE ct.id = ?", (row["id"],)).fetchone())
        present = [c for c in contacts_of(session, cid) if c.left_on is None]
        chosen = choose_contact(
            [{**asdict(c), "is_primary": c.primary} for c in present],
            [(next(iter(rule.in_charge_reasons), "event"), None)],
            rule,
        )
        next_contact = None
        if chosen is not None:
            next_contact = next(c for c in present if c.id == chosen.contact["id"])
        key_gone = cid in key_people_gone_ids(session.config, conn, [cid])
    return ContactLeft(gone, next_contact, new_primary, key_gone)


def promote_primary(session: Session, conn: sqlite3.Connection, customer_id: int) -> str | None:
    """The customer's primary contact is gone: the first contact still there becomes
    primary, one of avoid_roles (an operator) only if nobody else is; their name, or
    None if nobody is left."""
    rule = ContactRule.of(session.config["contacts"])
    avoided = sorted(rule.avoid_roles)
    marks = ", ".join("?" for _ in avoided) or "NULL"
    first = conn.execute(
        "SELECT id, name FROM contacts WHERE customer_id = ? AND left_on IS NULL"
        f" ORDER BY role IN ({marks}), id LIMIT 1",
        (customer_id, *avoided),
    ).fetchone()
    if first is None:
        return None
    conn.execute(
        "UPDATE contacts SET is_primary = 1, updated_at = ? WHERE id = ?",
        (session.stamp, first["id"]),
    )
    return str(first["name"])


# -- erasure (PIPL Art. 47: the person asks for their data to be deleted) ---------------

# What an erased contact is called from then on: no name, their record's number.
ERASED_CONTACT = "已删除联系人 #{id}"


def erased_contact_name(contact_id: int) -> str:
    return ERASED_CONTACT.format(id=contact_id)


def blank_contact(session: Session, conn: sqlite3.Connection, contact_id: int) -> str | None:
    """Inside the caller's transaction: the contact's personal fields (name, phone,
    WeChat, email, birthday, note) replaced by the placeholder or emptied; they are never
    called again (gone from the customer, today unless they had left before) and no
    longer primary (the next contact is). The row stays: calls and events still count.
    Returns the new primary contact's name, if the primary moved."""
    row = conn.execute(
        "SELECT customer_id, is_primary FROM contacts WHERE id = ?", (contact_id,)
    ).fetchone()
    conn.execute(
        "UPDATE contacts SET name = ?, phone = NULL, wechat = NULL, email = NULL,"
        " birthday = NULL, note = NULL, is_primary = 0, left_on = coalesce(left_on, ?),"
        " erased_at = ?, updated_at = ? WHERE id = ?",
        (
            erased_contact_name(contact_id),
            session.today.isoformat(),
            session.stamp,
            session.stamp,
            contact_id,
        ),
    )
    if row["is_primary"]:
        return promote_primary(session, conn, row["customer_id"])
    return None


def key_people_gone_ids(
    config: Config, conn: sqlite3.Connection, ids: list[int] | None = None
) -> list[int]:
    """Active customers of [contacts] key_people_tiers (of `ids` when given) that had a
    contact of key_roles and have none of them left there: "update the contacts"."""
    contacts = config["contacts"]
    roles = list(contacts["key_roles"])
    tiers = set(contacts["key_people_tiers"])
    grades = [g for g in range(1, 6) if config.tier(g) in tiers]
    if not roles or not grades:
        return []
    role_marks = ", ".join("?" for _ in roles)
    sql = (
        "SELECT c.id FROM customers c WHERE c.archived = 0"
        f" AND c.grade IN ({', '.join('?' for _ in grades)})"
        f" AND EXISTS (SELECT 1 FROM contacts k WHERE k.customer_id = c.id"
        f" AND k.role IN ({role_marks}) AND k.left_on IS NOT NULL)"
        f" AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.customer_id = c.id"
        f" AND k.role IN ({role_marks}) AND k.left_on IS NULL)"
    )
    params: list[Any] = [*grades, *roles, *roles]
    if ids is not None:
        # SQLite-only: json_each reads a list of any length as a table.
        sql += " AND c.id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(ids))
    return [r[0] for r in conn.execute(sql + " ORDER BY c.code", params)]


# -- an import's set-wise write, from the temp table `stage` that transfer/ filled ------


def staged_join(stage: str) -> str:
    """SQL: each staged row `s` with its contact `t` (same customer, same name), if any."""
    return (
        f"FROM temp.{stage} s LEFT JOIN contacts t ON t.customer_id = s.customer_id"
        " AND t.name = s.name"
    )


def staged_primaries(stage: str) -> str:
    """SQL: per customer, the staged contact the file marks primary last (customer_id,
    name); customers the file marks nobody for are absent."""
    return (
        f'SELECT m.customer_id, m.name FROM temp.{stage} m WHERE m."primary" = 1'
        f" AND m.line = (SELECT max(line) FROM temp.{stage} x"
        ' WHERE x.customer_id = m.customer_id AND x."primary" = 1)'
    )


def upsert_staged(
    conn: sqlite3.Connection, stage: str, cols: list[str], has_primary: bool, stamp: str
) -> None:
    """New contacts inserted in file order, the `cols` of known ones updated where they
    differ; with `has_primary` the file's marked contact becomes its customer's primary
    (a file that marks none leaves the primary alone); and a staged customer left
    without a primary gets its first contact."""
    join = staged_join(stage)
    marked = staged_primaries(stage)
    conn.execute(
        "INSERT INTO contacts (customer_id, name, role, phone, wechat, email, birthday,"
        " is_primary, created_at, updated_at)"
        f" SELECT s.customer_id, s.name, coalesce(s.role, 'other'), s.phone, s.wechat, s.email,"
        f" s.birthday, 0, ?, ? {join} WHERE t.id IS NULL ORDER BY s.line",
        (stamp, stamp),
    )
    if cols:
        conn.execute(
            f"UPDATE contacts SET {', '.join(f'{c} = s.{c}' for c in cols)}, updated_at = ?"
            f" FROM temp.{stage} s WHERE contacts.customer_id = s.customer_id"
            f" AND contacts.name = s.name AND ({columns_differ(cols, 's', 'contacts')})",
            (stamp,),
        )
    if has_primary:
        conn.execute(
            "UPDATE contacts SET is_primary = CASE WHEN contacts.name = p.name THEN 1 ELSE 0 END,"
            f" updated_at = ? FROM ({marked}) p WHERE contacts.customer_id = p.customer_id"
            " AND contacts.is_primary != CASE WHEN contacts.name = p.name THEN 1 ELSE 0 END",
            (stamp,),
        )
    affected = f"(SELECT customer_id FROM temp.{stage})"
    conn.execute(
        "UPDATE contacts SET is_primary = 1 WHERE id IN (SELECT min(id) FROM contacts"
        f" WHERE customer_id IN {affected} AND left_on IS NULL GROUP BY customer_id"
        " HAVING max(is_primary) = 0)"
    )
