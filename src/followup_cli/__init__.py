"""followup: callbacks, calls, complaints and escalation for an equipment dealer's office."""

__version__ = "0.1.0"
