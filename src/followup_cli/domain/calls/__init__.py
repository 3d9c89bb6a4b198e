"""Calls: logging a contact attempt and everything it settles or plans."""
