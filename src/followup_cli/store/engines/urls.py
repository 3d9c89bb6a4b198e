"""A PostgreSQL URL as it may be shown: never its password (no driver needed)."""

from __future__ import annotations

import urllib.parse


def shown_url(url: str) -> str:
    """The URL as it may be printed: never its password."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "postgresql://…"
    netloc = parts.netloc
    if "@" in netloc:
        who, _sep, where = netloc.rpartition("@")
        netloc = who.split(":", 1)[0] + "@" + where
    query = "&".join(
        p for p in parts.query.split("&") if p and not p.lower().startswith("password=")
    )
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
