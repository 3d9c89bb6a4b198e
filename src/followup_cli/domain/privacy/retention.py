"""Retention (个人信息保护法 Art. 19: kept no longer than the purpose needs): the personal
data of customers archived longer than `privacy.retain_archived_years` is erased by
`db prune`, as `customer erase` erases one customer (domain/privacy/erasure.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from followup_cli.domain.customers.records import archived_before
from followup_cli.domain.privacy.erasure import Erasure, erase_customer_in
from followup_cli.domain.session import Session
from followup_cli.domain.texts import message
from followup_cli.store.wiping import secure_deletes, wipe_freed


@dataclass
class PruneCandidate:
    id: int
    code: str
    name: str
    archived_on: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "archived_on": self.archived_on,
        }


def retention_years(session: Session) -> int:
    return int(session.config["privacy"]["retain_archived_years"])


def kept_since(session: Session) -> date:
    """Customers archived before this day have been kept longer than the retention."""
    return session.today - relativedelta(years=retention_years(session))


def prune_candidates(session: Session) -> list[PruneCandidate]:
    """Archived customers past the retention whose personal data is still there."""
    with session.read() as conn:
        rows = archived_before(conn, kept_since(session).isoformat())
    return [PruneCandidate(r["id"], r["code"], r["name"], r["archived_on"]) for r in rows]


def prune(session: Session, candidates: list[PruneCandidate]) -> tuple[list[Erasure], bool]:
    """Erase the personal data of `candidates` (as listed to the person who confirmed)
    that are still past the retention, in one transaction; then the file is wiped.
    The erasures, and whether the wipe finished."""
    done: list[Erasure] = []
    if not candidates:
        return done, True
    years = retention_years(session)
    with secure_deletes(session.conn), session.write() as conn:
        still = {r["id"] for r in archived_before(conn, kept_since(session).isoformat())}
        for candidate in candidates:
            if candidate.id not in still:
                continue  # restored or erased meanwhile
            row = conn.execute("SELECT * FROM customers WHERE id = ?", (candidate.id,)).fetchone()
            reason = message("erasure.retention", day=candidate.archived_on, n=years)
            done.append(erase_customer_in(session, conn, row, reason))
    return done, wipe_freed(session.conn)
