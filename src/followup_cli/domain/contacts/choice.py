"""Whom to ask for on a call: the rule of [contacts] callback_order, as one function.

Seed 000: "选择客户负责人进行回访…这里所说的客户负责人，并不一定是客户老板，而是指某项
业务的负责人。有的代理商就喜欢回访客户方具体操作人员，而忽视了对双方合作有决定性影响的
业务负责人". Event callbacks and satisfaction calls (`in_charge_reasons`) go to the event's
contact, else down `callback_order` (the person in charge, the decision-maker, the primary
contact), never to a contact of `avoid_roles` (the operator) while another is there, even
when the event names them; other
callbacks go to the primary contact first, then down the same roles. A contact who has left
is never chosen.

The due list (domain/callbacks/due.py) and the call brief (domain/calls/log.py) both call
`choose_contact`, so the screen and the script name the same person for the same reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

EVENT_CONTACT = "event-contact"
PRIMARY = "primary"
OTHER = "other"


class ContactRule(NamedTuple):
    """[contacts] as the choice reads it."""

    order: tuple[str, ...]
    in_charge_reasons: frozenset[str]
    avoid_roles: frozenset[str]

    @classmethod
    def of(cls, contacts: Mapping[str, Any]) -> ContactRule:
        return cls(
            tuple(contacts["callback_order"]),
            frozenset(contacts["in_charge_reasons"]),
            frozenset(contacts["avoid_roles"]),
        )


class Chosen(NamedTuple):
    """The contact chosen (the row as given) and why: a step of the order
    (event-contact, primary, or the role that was looked for), or other."""

    contact: Any
    why: str


def choose_contact(
    contacts: Sequence[Any],
    reasons: Iterable[tuple[str, int | None]],
    rule: ContactRule,
) -> Chosen | None:
    """The contact to ask for on a call settling `reasons` ((reason, event id) in due
    order), among `contacts` (rows or dicts with id, role, is_primary, and `events`, the
    ids of the events naming them, optional) of the customer who are still there, in id
    order; None when there is none."""
    if not contacts:
        return None
    reasons = list(reasons)
    in_charge = any(reason in rule.in_charge_reasons for reason, _event in reasons)
    if in_charge:
        wanted = [event for reason, event in reasons if reason in rule.in_charge_reasons]
        order = rule.order
    else:
        wanted = []
        order = (PRIMARY, *(step for step in rule.order if step not in (PRIMARY, EVENT_CONTACT)))
    avoided = rule.avoid_roles if in_charge else frozenset()
    # Those of avoid_roles only when nobody else is there (even when an event names them).
    candidates = [c for c in contacts if c["role"] not in avoided] or list(contacts)
    for step in order:
        if step == EVENT_CONTACT:
            for event in wanted:
                if event is None:
                    continue
                for c in candidates:
                    if event in _events(c):
                        return Chosen(c, EVENT_CONTACT)
        elif step == PRIMARY:
            for c in candidates:
                if c["is_primary"]:
                    return Chosen(c, PRIMARY)
        else:
            held = [c for c in candidates if c["role"] == step]
            if held:
                return Chosen(_primary_first(held), step)
    return Chosen(_primary_first(candidates), OTHER)


def _events(contact: Any) -> Sequence[int]:
    try:
        found = contact["events"]
    except (KeyError, IndexError):
        return ()
    return found or ()


def _primary_first(contacts: Sequence[Any]) -> Any:
    for c in contacts:
        if c["is_primary"]:
            return c
    return contacts[0]
