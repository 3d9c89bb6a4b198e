"""Erasure on request (个人信息保护法 Art. 47): a contact's, or a whole customer's,
personal data replaced by a placeholder, the statistics kept.

What goes: the contact's name, phone, WeChat id, email, birthday and note (a customer's
name, phone, address and note), and every mention of those values in the customer's
free text (call notes, ticket details, history notes: replaced, not deleted). What
stays: the rows themselves, so calls, satisfaction, tickets and their outcomes and
events keep counting in every report. Pending callbacks to the person are cancelled
(birthday greetings) or re-routed to the next contact; an erased customer is archived.
The erasure log (`erasures`) records who, when, why and which record, never the values;
the reason given is itself cleared of them. Afterwards the file is rebuilt and its WAL
emptied (store.wiping), so the values are gone from the bytes on disk too.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from followup_cli.domain import fields
from followup_cli.domain.callbacks import store as callbacks
from followup_cli.domain.contacts.records import blank_contact, erased_contact_name
from followup_cli.domain.customers.records import (
    blank_customer,
    erased_customer_name,
    resolve_customer_row,
)
from followup_cli.domain.privacy.scrub import (
    Replacement,
    matcher,
    replaced,
    scrub_customer_texts,
)
from followup_cli.domain.session import Session
from followup_cli.domain.texts import Text, columns
from followup_cli.store.wiping import secure_deletes, wipe_freed
from followup_cli.support.errors import NotFound
from followup_cli.support.i18n import _

MAX_REASON = 500


@dataclass
class Erasure:
    """What one erasure did (or, with `already`, that there was nothing left to do)."""

    kind: str  # contact | customer
    customer_id: int
    customer_code: str
    placeholder: str  # what the record is called now
    contact_id: int | None = None
    already: bool = False  # erased before: nothing changed
    erased_at: str | None = None  # when (the earlier erasure's, if `already`)
    erased_by: str | None = None
    contacts: int = 0  # contacts erased (a customer's)
    texts: dict[str, int] = field(default_factory=dict)  # free texts rewritten, per table
    cancelled: int = 0  # pending callbacks cancelled
    rerouted: int = 0  # pending callbacks no longer tied to the person
    new_primary: str | None = None
    wiped: bool = True  # the file rebuilt and its WAL emptied

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "customer_code": self.customer_code,
            "contact_id": self.contact_id,
            "placeholder": self.placeholder,
            "already_erased": self.already,
            "erased_at": self.erased_at,
            "erased_by": self.erased_by,
            "contacts_erased": self.contacts,
            "texts_rewritten": self.texts,
            "callbacks_cancelled": self.cancelled,
            "callbacks_rerouted": self.rerouted,
            "new_primary": self.new_primary,
            "file_wiped": self.wiped,
        }


def reason_text(raw: str | None) -> str:
    """Why the data is erased (the person's request, the retention rule): required."""
    return fields.required_text(raw, "reason", max_length=MAX_REASON)


def _contact_values(row: sqlite3.Row) -> list[Replacement]:
    placeholder = erased_contact_name(row["id"])
    return [
        Replacement(row["name"], placeholder),
        Replacement(row["phone"] or "", placeholder, phone=True),
        Replacement(row["wechat"] or "", placeholder),
        Replacement(row["email"] or "", placeholder),
    ]


def _customer_values(row: sqlite3.Row) -> list[Replacement]:
    placeholder = erased_customer_name(row["id"])
    return [
        Replacement(row["name"], placeholder),
        Replacement(row["phone"] or "", placeholder, phone=True),
        Replacement(row["address"] or "", placeholder),
    ]


def _find_contact(conn: sqlite3.Connection, customer: sqlite3.Row, name: str) -> sqlite3.Row:
    """The customer's contact by name, or by its placeholder (`已删除联系人 #12`, `#12`)."""
    text = name.strip()
    row = conn.execute(
        "SELECT * FROM contacts WHERE customer_id = ? AND name = ?", (customer["id"], text)
    ).fetchone()
    number = text.removeprefix("#").strip()
    if row is None and fields.is_record_id(number):
        row = conn.execute(
            "SELECT * FROM contacts WHERE customer_id = ? AND id = ? AND erased_at IS NOT NULL",
            (customer["id"], int(number)),
        ).fetchone()
    if row is not None:
        return row  # type: ignore[no-any-return]
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM contacts WHERE customer_id = ? ORDER BY id", (customer["id"],)
        )
    ]
    raise NotFound(
        _("{code} has no contact named '{name}'").format(code=customer["code"], name=text),
        _("Contacts of {code}: {names}").format(code=customer["code"], names=", ".join(names))
        if names
        else None,
    )


def _log(
    session: Session,
    conn: sqlite3.Connection,
    kind: str,
    customer_id: int,
    contact_id: int | None,
    reason: Text,
    changed: dict[str, int],
) -> None:
    text, message = columns(reason)
    conn.execute(
        "INSERT INTO erasures (kind, customer_id, contact_id, at, by, reason, reason_message,"
        " changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            kind,
            customer_id,
            contact_id,
            session.stamp,
            session.actor,
            text,
            message,
            json.dumps(changed, sort_keys=True),
        ),
    )


def _earlier(
    conn: sqlite3.Connection, kind: str, customer_id: int, contact_id: int | None
) -> tuple[str | None, str | None]:
    row = conn.execute(
        "SELECT at, by FROM erasures WHERE kind = ? AND customer_id = ?"
        " AND contact_id IS ? ORDER BY id DESC LIMIT 1",
        (kind, customer_id, contact_id),
    ).fetchone()
    return (row["at"], row["by"]) if row is not None else (None, None)


def erase_contact(session: Session, customer_ref: str, name: str, reason: str) -> Erasure:
    """Erase one contact's personal data (see the module's docstring), in one
    transaction; then the file is wiped. A contact erased before: nothing changes."""
    with secure_deletes(session.conn), session.write() as conn:
        customer = resolve_customer_row(conn, customer_ref)
        row = _find_contact(conn, customer, name)
        done = Erasure(
            "contact",
            customer["id"],
            customer["code"],
            erased_contact_name(row["id"]),
            contact_id=row["id"],
        )
        if row["erased_at"] is not None:
            done.already = True
            done.erased_at, done.erased_by = _earlier(conn, "contact", customer["id"], row["id"])
        else:
            values = _contact_values(row)
            done.texts = scrub_customer_texts(conn, customer["id"], values)
            done.new_primary = blank_contact(session, conn, row["id"])
            done.cancelled, done.rerouted = callbacks.reroute_from_contact(
                conn, row["id"], session.today, session.stamp
            )
            done.contacts = 1
            found = matcher(values)
            _log(
                session,
                conn,
                "contact",
                customer["id"],
                row["id"],
                replaced(reason, found) if found else reason,
                _changed(done),
            )
            done.erased_at, done.erased_by = session.stamp, session.actor
    done.wiped = wipe_freed(session.conn)
    return done


def erase_customer(session: Session, customer_ref: str, reason: str) -> Erasure:
    """Erase a customer's personal data and every one of its contacts', in one
    transaction; then the file is wiped. A customer erased before: nothing changes."""
    with secure_deletes(session.conn), session.write() as conn:
        customer = resolve_customer_row(conn, customer_ref)
        done = erase_customer_in(session, conn, customer, reason)
    done.wiped = wipe_freed(session.conn)
    return done


def erase_customer_in(
    session: Session, conn: sqlite3.Connection, customer: sqlite3.Row, reason: Text
) -> Erasure:
    """A customer's erasure inside the caller's transaction (`db prune` erases several
    in one); the caller wipes the file after committing."""
    cid = customer["id"]
    done = Erasure("customer", cid, customer["code"], erased_customer_name(cid))
    if customer["erased_at"] is not None:
        done.already = True
        done.erased_at, done.erased_by = _earlier(conn, "customer", cid, None)
        return done
    contacts = conn.execute(
        "SELECT * FROM contacts WHERE customer_id = ? AND erased_at IS NULL ORDER BY id", (cid,)
    ).fetchall()
    values = _customer_values(customer)
    for contact in contacts:
        values.extend(_contact_values(contact))
    done.texts = scrub_customer_texts(conn, cid, values)
    for contact in contacts:
        blank_contact(session, conn, contact["id"])
        # (the others are cancelled with the customer's callbacks just below)
        cancelled, _rerouted = callbacks.reroute_from_contact(
            conn, contact["id"], session.today, session.stamp
        )
        done.cancelled += cancelled
    done.contacts = len(contacts)
    done.cancelled += blank_customer(session, conn, cid)
    found = matcher(values)
    if isinstance(reason, str) and found:
        reason = replaced(reason, found)
    _log(session, conn, "customer", cid, None, reason, _changed(done))
    done.erased_at, done.erased_by = session.stamp, session.actor
    return done


def _changed(done: Erasure) -> dict[str, int]:
    """What the log keeps of an erasure: counts, never values."""
    return {
        **done.texts,
        "contacts": done.contacts,
        "callbacks_cancelled": done.cancelled,
        "callbacks_rerouted": done.rerouted,
    }
