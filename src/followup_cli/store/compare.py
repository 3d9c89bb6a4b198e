"""SQL that compares a staged row with a stored one, column by column (the imports'
set-wise upserts count and write with the same expression)."""

from __future__ import annotations


def columns_differ(cols: list[str], new: str, old: str) -> str:
    """A WHERE expression true when any of `cols` differs between the rows aliased `new`
    and `old`, NULL-safely (`IS NOT`); "1 = 0" (never, in SQL both engines read) when there is
    no column to compare."""
    if not cols:
        return "1 = 0"
    return " OR ".join(f'{new}."{c}" IS NOT {old}."{c}"' for c in cols)
