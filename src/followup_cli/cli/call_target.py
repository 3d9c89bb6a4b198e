"""Whom to call and when, as the due list and the call brief show it: the contact and
why they were chosen ([contacts] callback_order), and a booked appointment."""

from typing import TYPE_CHECKING

from followup_cli.domain.callbacks.due_text import appointment_text as appointment_text
from followup_cli.support.i18n import N_, _, label

if TYPE_CHECKING:
    from followup_cli.domain.callbacks.due import DueContact


# Why a contact was chosen, when their role does not say it (a step of callback_order).
WHY = {"event-contact": N_("event's contact"), "primary": N_("primary contact")}


class ContactText:
    """Whom to ask for, and why (seed 000 选择客户负责人进行回访): "张建国 (person in
    charge)", "李明 (operator, event's contact)", in the interface language."""

    def __init__(self) -> None:
        self.plain = _("{name} ({role})")
        self.because = _("{name} ({role}, {why})")

    def __call__(self, contact: "DueContact") -> str:
        return contact_text(contact.name, contact.role, contact.why, self.plain, self.because)


def contact_text(
    name: str, role: str, why: str, plain: str | None = None, because: str | None = None
) -> str:
    """A contact as the due list and the call brief name them: the role, and why they
    were chosen when the role does not say it already."""
    shown_role = label("contact_role", role)
    reason = WHY.get(why)
    if reason is None:  # (chosen for their role, or as the only one there)
        return (plain or _("{name} ({role})")).format(name=name, role=shown_role)
    return (because or _("{name} ({role}, {why})")).format(
        name=name, role=shown_role, why=_(reason)
    )
