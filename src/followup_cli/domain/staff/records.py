"""Staff: the people who call, visit, own accounts and receive escalations."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from followup_cli.domain import fields
from followup_cli.domain import vocabulary as vocab
from followup_cli.domain.callbacks import store as callbacks
from followup_cli.domain.callbacks.planning import Planner
from followup_cli.domain.session import SYSTEM, Session
from followup_cli.store.compare import columns_differ
from followup_cli.support.errors import Conflict, InvalidValue, NotFound
from followup_cli.support.i18n import _, label


@dataclass
class StaffMember:
    id: int
    name: str
    role: str
    department: str | None
    phone: str | None
    email: str | None
    active: bool


def _from_row(row: sqlite3.Row) -> StaffMember:
    return StaffMember(
        id=row["id"],
        name=row["name"],
        role=row["role"],
        department=row["department"],
        phone=row["phone"],
        email=row["email"],
        active=bool(row["active"]),
    )


@dataclass
class StaffInput:
    """Validated fields of a staff member (from options or a CSV row)."""

    name: str
    role: str
    department: str | None = None
    phone: str | None = None
    email: str | None = None  # where notices by email reach them (notify send)


def validate_staff(
    session: Session,
    name: str | None,
    role: str | None,
    department: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> StaffInput:
    cleaned = fields.name(name, "name")
    if cleaned.casefold() == SYSTEM:
        raise InvalidValue(
            "name", cleaned, _("a person's name ('system' records what the tool does itself)")
        )
    return StaffInput(
        name=cleaned,
        role=vocab.accept("staff_role", role, "role", session.config.staff_roles),
        department=fields.text(department, "department", max_length=fields.MAX_NAME),
        phone=fields.phone(phone, "phone"),
        email=fields.email(email, "email"),
    )


def add_staff(session: Session, data: StaffInput) -> StaffMember:
    with session.write() as conn:
        if conn.execute("SELECT 1 FROM staff WHERE name = ?", (data.name,)).fetchone():
            raise Conflict(
                _("a staff member named '{name}' already exists").format(name=data.name),
                _("Staff names are unique; add a distinguishing mark (王伟2, 王伟-服务)."),
            )
        cur = conn.execute(
            "INSERT INTO staff (name, role, department, phone, email, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                data.name,
                data.role,
                data.department,
                data.phone,
                data.email,
                session.stamp,
                session.stamp,
            ),
        )
        member_id = int(cur.lastrowid or 0)
        staff_joined(session, data.name, data.role)
        row = conn.execute("SELECT * FROM staff WHERE id = ?", (member_id,)).fetchone()
    return _from_row(row)


# The fields `staff edit` may change (a role change replans work: not here).
EDITABLE = ("department", "phone", "email")


def validate_staff_edit(given: dict[str, str | None]) -> dict[str, str | None]:
    """The `staff edit` options given (None: not given; an empty text clears the field),
    each checked as `staff add` checks it."""
    checks = {
        "department": lambda v: fields.text(v, "department", max_length=fields.MAX_NAME),
        "phone": lambda v: fields.phone(v, "phone"),
        "email": lambda v: fields.email(v, "email"),
    }
    return {k: checks[k](v) for k, v in given.items() if v is not None and k in EDITABLE}


def edit_staff(session: Session, name: str, changes: dict[str, str | None]) -> StaffMember:
    """Set the `changes` (from validate_staff_edit) of staff member `name`."""
    with session.write() as conn:
        member = get_staff(conn, name, "name")
        if changes:
            sets = ", ".join(f"{k} = ?" for k in changes)
            conn.execute(
                f"UPDATE staff SET {sets}, updated_at = ? WHERE id = ?",
                (*changes.values(), session.stamp, member.id),
            )
        row = conn.execute("SELECT * FROM staff WHERE id = ?", (member.id,)).fetchone()
    return _from_row(row)


def list_staff(session: Session, role: str | None = None) -> list[StaffMember]:
    sql = "SELECT * FROM staff"
    params: tuple[str, ...] = ()
    if role:
        sql += " WHERE role = ?"
        params = (role,)
    sql += " ORDER BY role, name"
    return [_from_row(r) for r in session.conn.execute(sql, params)]


def get_staff(conn: sqlite3.Connection, name: str, field: str = "staff") -> StaffMember:
    """The staff member called `name`; NotFound with the way to add them otherwise."""
    cleaned = name.strip()
    row = conn.execute("SELECT * FROM staff WHERE name = ?", (cleaned,)).fetchone()
    if row is None:
        raise NotFound(
            _("no staff member named '{name}' ({field})").format(
                name=cleaned, field=label("field", field)
            ),
            _("See `followup staff list`, or add them with `followup staff add NAME --role ROLE`."),
        )
    return _from_row(row)


def acting_staff(session: Session, name: str) -> str:
    """The staff member a command acts for (--by): known, or refused before anything is
    written, as log-call refuses an unknown caller."""
    with session.read() as conn:
        return get_staff(conn, name, "--by").name


def staff_names(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM staff")}


def staff_joined(session: Session, name: str, role: str) -> None:
    """A new staff member takes unassigned callbacks of their role, and a role that had
    nobody now gets its visits planned."""

    conn = session.conn
    callbacks.assign_unassigned(conn, role, name, session.stamp)
    grades = [int(g) for g, matrix in session.config["visits"].items() if role in matrix]
    if not grades:
        return
    marks = ", ".join("?" for _ in grades)
    ids = [
        r[0]
        for r in conn.execute(
            f"SELECT id FROM customers WHERE archived = 0 AND grade IN ({marks})", grades
        )
    ]
    Planner(session, conn).plan_customers(ids)


def upsert_staged(conn: sqlite3.Connection, stage: str, cols: list[str], stamp: str) -> None:
    """An import's write (set-wise, from the temp table `stage` that transfer/ filled):
    names not yet on the staff are added in file order, and the `cols` of known ones are
    updated where they differ."""
    conn.execute(
        "INSERT INTO staff (name, role, department, phone, email, created_at, updated_at)"
        f" SELECT name, role, department, phone, email, ?, ? FROM temp.{stage}"
        " WHERE name NOT IN (SELECT name FROM staff) ORDER BY line",
        (stamp, stamp),
    )
    if cols:
        conn.execute(
            f"UPDATE staff SET {', '.join(f'{c} = s.{c}' for c in cols)}, updated_at = ?"
            f" FROM temp.{stage} s WHERE staff.name = s.name"
            f" AND ({columns_differ(cols, 's', 'staff')})",
            (stamp,),
        )


def staff_starting(conn: sqlite3.Connection, text: str) -> list[tuple[str, str]]:
    """(name, role) of the staff whose name starts with `text`, by name: what shell
    completion offers."""
    return [
        (name, role)
        for name, role in conn.execute("SELECT name, role FROM staff ORDER BY name")
        if name.startswith(text)
    ]
