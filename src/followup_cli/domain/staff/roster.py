"""Who can take a piece of work: the active staff of each role, and the one rule that
picks among them (same department first, then spread by a number such as the
customer's id, so one person does not get every callback). The planner, ticket routing,
escalation and early warning all pick through `Roster.pick`."""

from __future__ import annotations

import sqlite3
from collections import defaultdict

Member = tuple[str, str | None]  # (name, department)


class Roster:
    """Active staff by role, each role's members in the order they joined."""

    __slots__ = ("by_role",)

    def __init__(self, by_role: dict[str, list[Member]] | None = None) -> None:
        self.by_role = by_role or {}

    @classmethod
    def load(cls, conn: sqlite3.Connection, role: str | None = None) -> Roster:
        """Every role's active staff, or only `role`'s."""
        sql = "SELECT name, role, department FROM staff WHERE active = 1"
        params: tuple[str, ...] = ()
        if role is not None:
            sql += " AND role = ?"
            params = (role,)
        by_role: dict[str, list[Member]] = defaultdict(list)
        for row in conn.execute(sql + " ORDER BY id", params):
            by_role[row[1]].append((row[0], row[2]))
        return cls(dict(by_role))

    def has(self, role: str) -> bool:
        return bool(self.by_role.get(role))

    def pick(self, role: str | None, department: str | None = None, spread: int = 0) -> str | None:
        """A member holding `role`: one of the same department when there is one, the
        `spread`-th (modulo) of those who qualify; None when nobody holds the role."""
        if role is None:
            return None
        members = self.by_role.get(role) or []
        if department:
            members = [m for m in members if m[1] == department] or members
        if not members:
            return None
        return members[spread % len(members)][0]


def pick_staff(
    conn: sqlite3.Connection, role: str, department: str | None = None, spread: int = 0
) -> str | None:
    """`Roster.pick` for one role, read from the database now."""
    return Roster.load(conn, role).pick(role, department, spread)
