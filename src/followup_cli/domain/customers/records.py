"""Customers: the customer file, resolution of CUSTOMER arguments, and the profile view."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from followup_cli.domain import fields
from followup_cli.domain.callbacks.owed import hold_customer
from followup_cli.domain.callbacks.planning import (
    Planner,
    cancel_customer_callbacks,
    plan_customer,
)
from followup_cli.domain.callbacks.store import cancel_anniversary_greetings
from followup_cli.domain.customers.anniversaries import (
    Anniversary,
    anniversaries_of,
    replace_anniversaries,
)
from followup_cli.domain.customers.names import name_key
from followup_cli.domain.session import Session
from followup_cli.store.compare import columns_differ
from followup_cli.store.engines import is_server
from followup_cli.support.errors import Conflict, InvalidValue, NotFound
from followup_cli.support.i18n import _, label

# Fields a customer holds besides its code, in SPEC order.
TEXT_FIELDS = ("phone", "region", "industry", "owner", "department", "address", "note")


@dataclass
class Customer:
    id: int
    code: str
    name: str
    grade: int
    tier: str
    phone: str | None
    region: str | None
    industry: str | None
    owner: str | None
    department: str | None
    address: str | None
    note: str | None
    archived: bool
    unreachable: bool
    created_at: str
    updated_at: str
    changed_by: str | None = None  # who last edited or archived it (--by)
    archived_on: str | None = None  # the day it was archived (how long it has been kept)
    erased: bool = False  # its personal data was erased (`customer erase`, `db prune`)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def customer_from_row(session: Session, row: sqlite3.Row) -> Customer:
    return Customer(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        grade=row["grade"],
        tier=session.config.tier(row["grade"]),
        phone=row["phone"],
        region=row["region"],
        industry=row["industry"],
        owner=row["owner"],
        department=row["department"],
        address=row["address"],
        note=row["note"],
        archived=bool(row["archived"]),
        unreachable=bool(row["unreachable"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        changed_by=row["changed_by"],
        archived_on=row["archived_on"],
        erased=row["erased_at"] is not None,
    )


@dataclass
class CustomerInput:
    """Validated customer fields. `given` names the fields that were supplied."""

    code: str | None = None
    name: str | None = None
    grade: int | None = None
    phone: str | None = None
    region: str | None = None
    industry: str | None = None
    owner: str | None = None
    department: str | None = None
    address: str | None = None
    note: str | None = None
    # The customer's whole list of anniversaries, when given ("anniversary" in `given`).
    anniversaries: list[Anniversary] | None = None
    given: set[str] = field(default_factory=set)


def validate_customer(raw: dict[str, str | None]) -> CustomerInput:
    """Check every supplied field (a key absent from `raw` is not being set).

    Raises InvalidValue for the first bad field; `validate_customer_cells` collects all.
    """
    data = CustomerInput()
    for key, value in raw.items():
        if value is None:
            continue
        data.given.add(key)
        if key == "code":
            data.code = fields.code(value, "code")
        elif key == "name":
            data.name = fields.name(value, "name")
        elif key == "grade":
            data.grade = fields.grade(value, "grade")
        elif key == "phone":
            data.phone = fields.phone(value, "phone")
        elif key in ("region", "industry", "owner", "department"):
            setattr(data, key, fields.text(value, key, max_length=fields.MAX_NAME))
        elif key in ("address", "note"):
            setattr(data, key, fields.text(value, key))
        else:
            raise InvalidValue(key, value, _("a customer field"))
    return data


def _check_owner(conn: sqlite3.Connection, owner: str | None) -> None:
    if owner and not conn.execute("SELECT 1 FROM staff WHERE name = ?", (owner,)).fetchone():
        raise NotFound(
            _("no staff member named '{name}' (owner)").format(name=owner),
            _(
                "The owner is the account manager: add them first with "
                "`followup staff add NAME --role account_manager`."
            ),
        )


def customer_names(conn: sqlite3.Connection) -> dict[str, str]:
    """Every customer's name by its code (archived ones too)."""
    return dict(conn.execute("SELECT code, name FROM customers").fetchall())


def same_name(conn: sqlite3.Connection, name: str, *, other_than: int | None = None) -> list[str]:
    """The codes of the customers (archived ones too) whose name is `name` by `name_key`,
    apart from the customer `other_than` (an id)."""
    return [
        code
        for customer_id, code in conn.execute(
            "SELECT id, code FROM customers WHERE name_key = ? ORDER BY id", (name_key(name),)
        )
        if customer_id != other_than
    ]


def _refuse_same_name(conn: sqlite3.Connection, name: str, other_than: int | None) -> None:
    codes = same_name(conn, name, other_than=other_than)
    if codes:
        raise Conflict(
            _("a customer named '{name}' already exists: {codes}").format(
                name=name, codes=", ".join(codes)
            ),
            _(
                "Use that customer (`followup customer show {code}`); if this is another "
                "company with the same name, repeat the command with --allow-duplicate-name."
            ).format(code=codes[0]),
        )


def customer_ids(conn: sqlite3.Connection) -> dict[str, int]:
    """Every customer's id by its code (archived ones too)."""
    return dict(conn.execute("SELECT code, id FROM customers").fetchall())


def next_code(conn: sqlite3.Connection, prefix: str, digits: int) -> str:
    """The next free generated code: C000123 style, after the highest id in use."""
    n = int(conn.execute("SELECT coalesce(max(id), 0) FROM customers").fetchone()[0]) + 1
    while True:
        candidate = f"{prefix}{n:0{digits}d}"
        if not conn.execute("SELECT 1 FROM customers WHERE code = ?", (candidate,)).fetchone():
            return candidate
        n += 1


def add_customer(
    session: Session, data: CustomerInput, *, allow_duplicate_name: bool = False
) -> Customer:
    """A new customer; refused (Conflict) when one already has that name (`name_key`),
    unless `allow_duplicate_name`."""
    if not data.name:
        raise InvalidValue("name", "", _("the customer's name"))
    with session.write() as conn:
        if not allow_duplicate_name:
            _refuse_same_name(conn, data.name, None)
        customer_id = insert_customer(session, conn, data)
        row = conn.execute("SELECT * FROM customers WHERE id = ?", (customer_id,)).fetchone()
    return customer_from_row(session, row)


def insert_customer(session: Session, conn: sqlite3.Connection, data: CustomerInput) -> int:
    """Insert inside the caller's transaction; returns the new id."""
    _check_owner(conn, data.owner)
    cfg = session.config["customer"]
    if data.code:
        existing = conn.execute(
            "SELECT name FROM customers WHERE code = ?", (data.code,)
        ).fetchone()
        if existing:
            raise Conflict(
                _("customer code {code} already exists ({name})").format(
                    code=data.code, name=existing["name"]
                ),
                _(
                    "Use `followup customer edit {code}` to change that customer, "
                    "or leave --code out to get a new code."
                ).format(code=data.code),
            )
        code = data.code
    else:
        code = next_code(conn, cfg["code_prefix"], int(cfg["code_digits"]))
    grade = data.grade or int(cfg["default_grade"])
    cur = conn.execute(
        "INSERT INTO customers (code, name, name_key, grade, phone, region, industry, owner,"
        " department, address, note, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            code,
            data.name,
            name_key(data.name or ""),
            grade,
            *(getattr(data, f) for f in TEXT_FIELDS),
            session.stamp,
            session.stamp,
        ),
    )
    customer_id = int(cur.lastrowid or 0)

    plan_customer(session, customer_id)
    return customer_id


def edit_customer(
    session: Session, ref: str, data: CustomerInput, *, allow_duplicate_name: bool = False
) -> tuple[Customer, list[str]]:
    """Change the given fields; returns the customer and the names of fields that changed.
    A new name another customer has (`name_key`) is refused unless `allow_duplicate_name`.
    On a server the edit writes beside clerks on other customers unless it gives a new
    name or code (checked against every customer's: a writer alone)."""
    alone = bool({"name", "code"} & data.given)
    with session.write(one_customer=not alone) as conn:
        row = locked_customer_row(session, conn, ref)
        changes: dict[str, Any] = {}
        for key in data.given - {"anniversary"}:
            value = getattr(data, key)
            if key in ("name", "code", "grade") and value is None:
                raise InvalidValue(
                    key, "", _("a {field} (it cannot be cleared)").format(field=label("field", key))
                )
            if row[key] != value:
                changes[key] = value
        if "code" in changes:
            other = conn.execute(
                "SELECT name FROM customers WHERE code = ? AND id != ?", (data.code, row["id"])
            ).fetchone()
            if other:
                raise Conflict(
                    _("customer code {code} already exists ({name})").format(
                        code=data.code, name=other["name"]
                    )
                )
        if "name" in changes and not allow_duplicate_name:
            _refuse_same_name(conn, changes["name"], row["id"])
        if "owner" in changes:
            _check_owner(conn, changes["owner"])
        if changes:
            stored = (
                {**changes, "name_key": name_key(changes["name"])} if "name" in changes else changes
            )
            assignments = ", ".join(f"{k} = ?" for k in stored)
            conn.execute(
                f"UPDATE customers SET {assignments}, updated_at = ?, changed_by = ? WHERE id = ?",
                (*stored.values(), session.stamp, session.actor, row["id"]),
            )
            if {"grade", "owner", "department"} & changes.keys():
                plan_customer(session, row["id"], replan=True)
        if data.anniversaries is not None and _set_anniversaries(
            session, conn, row["id"], data.anniversaries
        ):
            changes["anniversary"] = data.anniversaries
        new = conn.execute("SELECT * FROM customers WHERE id = ?", (row["id"],)).fetchone()
    return customer_from_row(session, new), sorted(changes)


def set_grade(session: Session, conn: sqlite3.Connection, customer_id: int, grade: int) -> None:
    """A new grade for the customer (inside the caller's transaction), and their
    callbacks planned again as `edit_customer` does for a grade change."""
    conn.execute(
        "UPDATE customers SET grade = ?, updated_at = ?, changed_by = ? WHERE id = ?",
        (grade, session.stamp, session.actor, customer_id),
    )
    plan_customer(session, customer_id, replan=True)


def _set_anniversaries(
    session: Session, conn: sqlite3.Connection, customer_id: int, items: list[Anniversary]
) -> bool:
    """The customer's anniversaries made `items` (greetings of removed ones cancelled,
    new ones planned); whether anything changed."""
    if sorted(anniversaries_of(conn, customer_id), key=Anniversary.shown) == sorted(
        items, key=Anniversary.shown
    ):
        return False
    removed = replace_anniversaries(conn, customer_id, items, session.stamp)
    planner = Planner(session, conn)
    cancel_anniversary_greetings(conn, removed, session.today, session.stamp)
    planner.plan_greetings([customer_id])
    planner.flush()
    conn.execute(
        "UPDATE customers SET updated_at = ?, changed_by = ? WHERE id = ?",
        (session.stamp, session.actor, customer_id),
    )
    return True


def archive_customer(session: Session, ref: str, *, restore: bool = False) -> Customer:
    """Archive (or restore) a customer: archived customers get no callbacks."""
    with session.write(one_customer=True) as conn:
        row = locked_customer_row(session, conn, ref)
        conn.execute(
            "UPDATE customers SET archived = ?, archived_on = ?, updated_at = ?, changed_by = ?"
            " WHERE id = ?",
            (
                0 if restore else 1,
                # The day it was archived: how long it has been kept (`db prune`); an
                # archived customer archived again keeps its first day.
                None if restore else (row["archived_on"] or session.today.isoformat()),
                session.stamp,
                session.actor,
                row["id"],
            ),
        )

        if restore:
            plan_customer(session, row["id"])
        else:
            cancel_customer_callbacks(session, row["id"], "customer archived")
        new = conn.execute("SELECT * FROM customers WHERE id = ?", (row["id"],)).fetchone()
    return customer_from_row(session, new)


def set_unreachable(conn: sqlite3.Connection, customer_id: int, flag: bool) -> None:
    """Mark a customer unreachable (after too many missed calls in a row) or reachable
    again (a call got through). The flag is the calls' finding, not an edit of the
    customer: `updated_at` stays."""
    set_unreachable_many(conn, [customer_id], flag)


def set_unreachable_many(conn: sqlite3.Connection, ids: list[int], flag: bool) -> None:
    """`set_unreachable` for several customers."""
    if flag:
        conn.executemany("UPDATE customers SET unreachable = 1 WHERE id = ?", [(i,) for i in ids])
    else:
        conn.executemany(
            "UPDATE customers SET unreachable = 0 WHERE id = ? AND unreachable = 1",
            [(i,) for i in ids],
        )


# -- an import's set-wise write, from the temp table `stage` that transfer/ filled ------


def apply_rehearsed(conn: sqlite3.Connection, changed: str, new: str) -> None:
    """A customers import written from its private copy (transfer/rehearsal.py): the
    rows it changed (`temp.{changed}`, before its callbacks are written) and the new
    ones (`temp.{new}`, their ids as rehearsed: no customer was added meanwhile)."""
    names = [r[1] for r in conn.execute("PRAGMA main.table_info(customers)")]
    sets = ", ".join(f'"{n}" = d."{n}"' for n in names if n != "id")
    conn.execute(
        f"UPDATE main.customers AS m SET {sets} FROM temp.{changed} AS d WHERE m.id = d.id"
    )
    cols = ", ".join(f'"{n}"' for n in names)
    conn.execute(
        f"INSERT INTO main.customers ({cols}) SELECT {cols} FROM temp.{new} ORDER BY rowid"
    )


def apply_rehearsed_flags(conn: sqlite3.Connection, changes: str) -> None:
    """The unreachable flags a calls import set or cleared on its private copy
    (transfer/rehearsal.py), from `temp.{changes}`: the only field settling a call
    changes on a customer."""
    conn.execute(
        f"UPDATE main.customers AS m SET unreachable = d.unreachable FROM temp.{changes} AS d"
        " WHERE m.id = d.id AND m.unreachable IS NOT d.unreachable"
    )


def with_name_key(conn: sqlite3.Connection, stage: str) -> Callable[[str], str]:
    """SQL for the name key of a staged name, for the set-wise writes below: SQLite
    calls `name_key` (a Python function of this connection); PostgreSQL cannot, and
    reads the keys of the stage's names from a temp table filled here."""
    if not is_server(conn):
        conn.create_function("name_key", 1, name_key, deterministic=True)
        return lambda name: f"name_key({name})"
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS name_keys (name TEXT PRIMARY KEY, k TEXT)")
    conn.execute("DELETE FROM temp.name_keys")
    names = conn.execute(f"SELECT DISTINCT name FROM temp.{stage} WHERE name IS NOT NULL")
    conn.executemany(
        "INSERT INTO temp.name_keys (name, k) VALUES (?, ?)",
        [(n, name_key(n)) for (n,) in names.fetchall()],
    )
    return lambda name: f"(SELECT nk.k FROM temp.name_keys nk WHERE nk.name = {name})"


def staged_differs(cols: list[str], new: str, old: str) -> str:
    """SQL: the staged row `new` changes the customer `old` in one of `cols`; a blank
    grade in the file keeps the customer's grade (it is not a change)."""
    differs = columns_differ([c for c in cols if c != "grade"], new, old)
    if "grade" in cols:
        differs = f"({differs}) OR ({new}.grade IS NOT NULL AND {new}.grade != {old}.grade)"
    return differs


def insert_staged(conn: sqlite3.Connection, stage: str, default_grade: int, stamp: str) -> None:
    """The staged customers whose code is new, in file order (every row has a code by
    now); a blank grade takes `default_grade`."""
    key = with_name_key(conn, stage)
    conn.execute(
        "INSERT INTO customers (code, name, name_key, grade, phone, region, industry, owner,"
        " department, address, note, created_at, updated_at)"
        f" SELECT code, name, {key(stage + '.name')}, coalesce(grade, ?), phone, region, industry,"
        f" owner, department, address, note, ?, ? FROM temp.{stage}"
        " WHERE code NOT IN (SELECT code FROM customers) ORDER BY line",
        (default_grade, stamp, stamp),
    )


def update_staged(conn: sqlite3.Connection, stage: str, cols: list[str], stamp: str) -> None:
    """The `cols` of known customers (by code) where the staged row differs."""
    key = with_name_key(conn, stage)
    sets = [f"{c} = s.{c}" for c in cols if c != "grade"]
    if "name" in cols:
        sets.append(f"name_key = {key('s.name')}")
    if "grade" in cols:
        sets.append("grade = coalesce(s.grade, customers.grade)")
    conn.execute(
        f"UPDATE customers SET {', '.join(sets)}, updated_at = ? FROM temp.{stage} s"
        f" WHERE customers.code = s.code AND ({staged_differs(cols, 's', 'customers')})",
        (stamp,),
    )


def contains(text: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') matching `text` anywhere, taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def locked_customer_row(session: Session, conn: sqlite3.Connection, ref: str) -> sqlite3.Row:
    """In a one-customer write (`session.write(one_customer=True)`): the customer `ref`
    names, its lock held to the end of the transaction, its row as it is once held (a
    clerk beside this one may have changed it meanwhile)."""
    found = resolve_customer_row(conn, ref)
    hold_customer(session, conn, int(found["id"]))
    row = conn.execute("SELECT * FROM customers WHERE id = ?", (found["id"],)).fetchone()
    return row if row is not None else found


def resolve_customer_row(conn: sqlite3.Connection, ref: str) -> sqlite3.Row:
    """CUSTOMER: a code, an id, or a name matching exactly one customer."""
    text = ref.strip()
    normalised = fields.normalise(text)
    row = conn.execute("SELECT * FROM customers WHERE code = ?", (normalised,)).fetchone()
    if row is not None:
        return row  # type: ignore[no-any-return]
    if fields.is_record_id(normalised):
        row = conn.execute("SELECT * FROM customers WHERE id = ?", (int(normalised),)).fetchone()
        if row is not None:
            return row  # type: ignore[no-any-return]
    rows = conn.execute(
        "SELECT * FROM customers WHERE name = ? ORDER BY archived, id LIMIT 21", (text,)
    ).fetchall()
    if len(rows) == 1:
        return rows[0]  # type: ignore[no-any-return]
    if len(rows) > 1:
        listing = "; ".join(f"{r['code']} {r['name']}" for r in rows[:20])
        raise NotFound(
            _("{n} customers are named '{name}': {listing}").format(
                n=len(rows), name=text, listing=listing
            ),
            _("Name the customer by code instead."),
        )
    similar = (
        conn.execute(
            "SELECT code, name FROM customers WHERE name LIKE ? ESCAPE '\\' ORDER BY id LIMIT 5",
            (contains(text),),
        ).fetchall()
        if len(text) <= fields.MAX_NAME  # a longer text names no customer (and LIKE caps it)
        else []
    )
    hint = _("Search with `followup customer list --search TEXT`.")
    if similar:
        hint = _("Did you mean: {customers}?").format(
            customers="; ".join(f"{r['code']} {r['name']}" for r in similar)
        )
    raise NotFound(
        _("no customer matches '{text}' (by code, id or exact name)").format(
            text=fields.echoed(text)
        ),
        hint,
    )


def resolve_customer(session: Session, ref: str) -> Customer:
    return customer_from_row(session, resolve_customer_row(session.conn, ref))


def list_customers(
    session: Session,
    *,
    grade: int | None = None,
    owner: str | None = None,
    region: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    include_archived: bool = False,
) -> list[Customer]:
    where: list[str] = []
    params: list[Any] = []
    if not include_archived:
        where.append("archived = 0")
    if grade is not None:
        where.append("grade = ?")
        params.append(grade)
    if owner:
        where.append("owner = ?")
        params.append(owner)
    if region:
        where.append("region = ?")
        params.append(region)
    if search:
        pattern = contains(search)
        where.append(
            "(name LIKE ? ESCAPE '\\' OR code LIKE ? ESCAPE '\\' OR phone LIKE ? ESCAPE '\\'"
            " OR id IN (SELECT customer_id FROM contacts WHERE name LIKE ? ESCAPE '\\'"
            " OR phone LIKE ? ESCAPE '\\'))"
        )
        params.extend([pattern] * 5)
    sql = "SELECT * FROM customers"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY grade, code"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [customer_from_row(session, r) for r in session.conn.execute(sql, params)]


def customers_starting(conn: sqlite3.Connection, text: str, most: int) -> list[tuple[str, str]]:
    """(code, name) of active customers whose code or name starts with `text` (a code
    in any case), by code: what shell completion offers."""
    pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return [
        (code, name)
        for code, name in conn.execute(
            "SELECT code, name FROM customers WHERE archived = 0"
            " AND (code LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\') ORDER BY code LIMIT ?",
            (pattern, pattern, most),
        )
    ]


# -- erasure (PIPL Art. 47) and retention (Art. 19) ---------------------------------------

# What an erased customer is called from then on: no name, its record's number.
ERASED_CUSTOMER = "已删除客户 #{id}"


def erased_customer_name(customer_id: int) -> str:
    return ERASED_CUSTOMER.format(id=customer_id)


def blank_customer(session: Session, conn: sqlite3.Connection, customer_id: int) -> int:
    """Inside the caller's transaction: the customer's name becomes the placeholder, its
    phone, address and note are emptied, and it is archived (nothing to call any more:
    its pending callbacks are cancelled; their number is returned). Its code, grade,
    region, industry, owner and department stay: the statistics count by them."""
    placeholder = erased_customer_name(customer_id)
    conn.execute(
        "UPDATE customers SET name = ?, name_key = ?, phone = NULL, address = NULL,"
        " note = NULL, archived = 1, archived_on = coalesce(archived_on, ?), erased_at = ?,"
        " updated_at = ?, changed_by = ? WHERE id = ?",
        (
            placeholder,
            name_key(placeholder),
            session.today.isoformat(),
            session.stamp,
            session.stamp,
            session.actor,
            customer_id,
        ),
    )
    return cancel_customer_callbacks(session, customer_id, "customer erased")


def archived_before(conn: sqlite3.Connection, day: str) -> list[sqlite3.Row]:
    """Customers archived before `day` whose personal data is still there."""
    return conn.execute(
        "SELECT id, code, name, archived_on FROM customers WHERE archived = 1"
        " AND erased_at IS NULL AND archived_on < ? ORDER BY archived_on, code",
        (day,),
    ).fetchall()
