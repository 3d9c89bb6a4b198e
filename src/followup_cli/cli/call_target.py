"""Whom to call and when, as the due list and the call brief show it: the contact and
why they were chosen ([contacts] callback_order), and a booked appointment. (Made in
domain/callbacks/due_text.py, where the due summary's kept lines are made too.)"""

from followup_cli.domain.callbacks.due_text import ContactText as ContactText
from followup_cli.domain.callbacks.due_text import appointment_text as appointment_text
from followup_cli.domain.callbacks.due_text import contact_text as contact_text
