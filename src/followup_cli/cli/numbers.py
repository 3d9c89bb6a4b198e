"""Whole-number options and arguments (ids, row counts) bounded by what SQLite holds.

A number above ID_MAX (2**63 - 1, SQLite's INTEGER) is a usage error naming the limit,
never an OverflowError from the driver; the help shows only the lower bound (`x>=1`),
as it did before the cap.
"""

from __future__ import annotations

from typing import Any

from typer._click.types import INT, IntRange

from followup_cli.domain.fields import ID_MAX
from followup_cli.support.i18n import _

# A longer text is no number SQLite holds (19 digits): refused without echoing it whole.
_LONGEST = 40


class WholeNumber(IntRange):
    """An integer of at least `low`, and at most ID_MAX."""

    def __init__(self, low: int) -> None:
        super().__init__(min=low, max=ID_MAX)

    def _describe_range(self) -> str:
        return f"x>={self.min}"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, str) and len(value.strip()) > _LONGEST:
            self.fail(
                _("{value} is not a whole number from {low} to {most}").format(
                    value=repr(value[:_LONGEST] + "…"), low=self.min, most=ID_MAX
                ),
                param,
                ctx,
            )
        number = INT.convert(value, param, ctx)  # a whole number at all
        if isinstance(number, int) and number > ID_MAX:
            self.fail(
                _("{value} is too large (at most {most})").format(value=number, most=ID_MAX),
                param,
                ctx,
            )
        return super().convert(number, param, ctx)
