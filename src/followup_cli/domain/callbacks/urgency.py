"""The urgency of a due row in SQL: its documented terms (config `[urgency]`, see
due.py), each rounded to the hundredth, written once for the ranking (due.py) and for
the summary's today-independent part (due_summary.py).

Speed tricks, each beside its plain version: `urgency_terms(..., plain=True)` gives the
plain ones; tests/test_due.py holds both to the same rows on random data and
coefficients.
"""

from __future__ import annotations

import math
from typing import Any

from followup_cli.domain.vocabulary import REASONS

TERMS = ("overdue", "grade", "reason", "reasons", "open_tickets", "level2", "retry", "unreachable")


def num(value: Any) -> str:
    return repr(float(value))


def plain_term(factor: Any, count: str) -> str:
    """An urgency term, rounded to the hundredth."""
    return f"round({num(factor)} * {count}, 2)"


def exact_term(factor: Any, count: str) -> str:
    """`plain_term` without SQLite's round(), where rounding cannot change the value
    (round() prints and parses a string: it costs more than the rest of the ranking)."""
    return f"{num(factor)} * {count}" if quarters(factor) else plain_term(factor, count)


def quarters(value: Any, *, signed: bool = False) -> bool:
    """Whether `value`, and `value` times any whole number, is a multiple of 0.25 (exact
    in binary), which SQLite's round(…, 2) gives back unchanged: ≥ 0 unless `signed`,
    and never −0.0 (which round() turns into 0.0)."""
    number = float(value)
    if not (number * 4).is_integer():
        return False
    return math.copysign(1.0, number) > 0 or (signed and number != 0)


def reason_case(weights: Any, alias: str) -> str:
    """The `urgency.reason` weight of callback `alias`'s reason, in SQL."""
    return (
        f"CASE {alias}.reason "
        + " ".join(f"WHEN '{k}' THEN {num(weights[k])}" for k in REASONS if k in weights)
        + " ELSE 0.0 END"
    )


def urgency_terms(u: Any, late: str, *, plain: bool = False) -> tuple[dict[str, str], bool]:
    """Each term of TERMS as SQL over a row's due state `d` (due_summary.SUMMARY_COLUMNS),
    its customer `c` and open tickets `t.n`, with `late` the days overdue; and whether
    their sum is exact (no rounding needed)."""
    weights = u["reason"]
    # Each term is rounded to the hundredth (see exact_term); a constant is rounded once,
    # not on every row.
    term = plain_term if plain else exact_term
    products = {
        "overdue": (u["overdue_day"], f"min({late}, {int(u['overdue_cap_days'])})"),
        "grade": (u["grade"], "(6 - c.grade)"),
        "reasons": (u["extra_reason"], "(d.n - 1)"),
        "open_tickets": (u["open_ticket"], "coalesce(t.n, 0)"),
        "retry": (u["retry"], "d.max_attempts"),
    }
    expressions = {name: term(factor, count) for name, (factor, count) in products.items()}
    exact_weights = not plain and all(quarters(w, signed=True) for w in weights.values())
    expressions["reason"] = "d.reason_weight" if exact_weights else "round(d.reason_weight, 2)"
    for name, condition in (("level2", "d.max_level = 2"), ("unreachable", "c.unreachable = 1")):
        expressions[name] = f"CASE WHEN {condition} THEN round({num(u[name])}, 2) ELSE 0.0 END"
    # The urgency, their sum, is exact when they all are.
    exact = (
        exact_weights
        and all(quarters(factor) for factor, _count in products.values())
        and all(quarters(u[name], signed=True) for name in ("level2", "unreachable"))
    )
    return expressions, exact
