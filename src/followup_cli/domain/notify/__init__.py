"""Notices: what escalation, early warning, a new complaint and an approval waiting tell
the person they name, queued in the outbox with their cause and delivered later by
email and group robots (issue 19)."""
