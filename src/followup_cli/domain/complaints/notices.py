"""A notice: what escalation and early warning tell the person who must act (a complaint
climbed a rung, a customer raised an emergency warning), as `escalate` prints it and
its JSON carries it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from followup_cli.domain.texts import Message, Text


@dataclass
class Notice:
    kind: str  # ticket | warning
    ticket_id: int | None
    customer_code: str
    customer_name: str
    tier: str
    severity: str | None
    summary: Text
    from_role: str | None
    from_level: int | None
    level: int | None
    role: str | None
    person: str | None
    due_by: str | None
    reason: Text
    note: Message | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # (its messages print as their English in JSON)
