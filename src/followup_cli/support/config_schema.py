"""The type and range of every setting in defaults.toml, declared once and checked at load.

A setting's value decides how far rules reach (SLA days, intervals, windows): an
unbounded one would let a typo spin day-by-day loops inside the write lock, so each
value is checked against its range before any command runs. `*` stands for any key of
a table whose keys are the user's to choose (grades, severities, event kinds...).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from followup_cli.support.errors import ConfigError
from followup_cli.support.i18n import _

INT = "int"
FLOAT = "float"
BOOL = "bool"
TEXT = "text"
INTERVAL = "interval"
TEXTS = "texts"
INTS = "ints"
INTERVALS = "intervals"
QUESTIONS = "questions"


@dataclass(frozen=True)
class Setting:
    """What a setting holds: its kind, and for numbers (or lists of them) the range."""

    kind: str
    low: float | None = None
    high: float | None = None

    def expected(self) -> str:
        """The allowed values, in words, for the error message."""
        if self.kind == INT:
            return _("a whole number from {low} to {high}").format(low=self.low, high=self.high)
        if self.kind == FLOAT:
            return _("a number from {low} to {high}").format(low=self.low, high=self.high)
        if self.kind == INTS:
            return _("a list of whole numbers from {low} to {high}").format(
                low=self.low, high=self.high
            )
        if self.kind == BOOL:
            return _("true or false")
        if self.kind == TEXT:
            return _("a text in quotes")
        if self.kind == TEXTS:
            return _("a list of texts in quotes")
        if self.kind in (INTERVAL, INTERVALS):
            return _("intervals like 2d, 1w, 3m or 1y, at most 10 years")
        return _("a list of questions (key, text, category, claimed)")


GRADE = Setting(INT, 1, 5)
DAYS = Setting(INT, 0, 3650)  # up to ten years
COUNT = Setting(INT, 1, 1000)
WEIGHT = Setting(FLOAT, -1000, 1000)  # urgency coefficients
PERCENT = Setting(FLOAT, 0, 100)  # a share, in percent

SCHEMA: dict[str, Setting] = {
    "language": Setting(TEXT),
    "timezone": Setting(TEXT),
    "customer.default_grade": GRADE,
    "customer.code_prefix": Setting(TEXT),
    "customer.code_digits": Setting(INT, 1, 12),
    "tiers.*": Setting(TEXT),
    "staff.roles": Setting(TEXTS),
    "contacts.roles": Setting(TEXTS),
    "contacts.callback_order": Setting(TEXTS),
    "contacts.in_charge_reasons": Setting(TEXTS),
    "contacts.avoid_roles": Setting(TEXTS),
    "contacts.key_roles": Setting(TEXTS),
    "contacts.key_people_tiers": Setting(TEXTS),
    "planning.stale_after_days": DAYS,
    "planning.merge_window_days": Setting(INT, 0, 365),
    "planning.cooldown_days": DAYS,
    "planning.periodic_reasons": Setting(TEXTS),
    "planning.max_attempts": Setting(INT, 1, 100),
    "planning.event_role": Setting(TEXT),
    "planning.yearly_interval": Setting(INTERVAL),
    "planning.yearly_role": Setting(TEXT),
    "planning.greeting_horizon_days": Setting(INT, 0, 366),
    "planning.greeting_grace_days": Setting(INT, 0, 366),
    "planning.greeting_role": Setting(TEXT),
    "planning.event_offsets.*.*": Setting(INTERVALS),
    "planning.second_level.event_kinds": Setting(TEXTS),
    "planning.second_level.role": Setting(TEXT),
    "planning.second_level.roles.*": Setting(TEXT),
    "planning.second_level.after": Setting(INTERVAL),
    "planning.greetings.grades": Setting(INTS, 1, 5),
    "planning.greetings.birthday": Setting(BOOL),
    "planning.greetings.anniversary": Setting(BOOL),
    "planning.visit_etiquette.grades": Setting(INTS, 1, 5),
    "planning.visit_etiquette.roles": Setting(TEXTS),
    "planning.greetings.holidays": Setting(TEXTS),
    "visits.*.*": Setting(INTERVAL),
    "questions.*": Setting(QUESTIONS),
    "tickets.channels": Setting(TEXTS),
    "tickets.default_severity": Setting(TEXT),
    "tickets.call_sla_days": Setting(INT, 0, 365),
    "tickets.verify_after": Setting(INTERVAL),
    "tickets.report_to": Setting(TEXT),
    "tickets.approval_severities": Setting(TEXTS),
    "tickets.approver_roles": Setting(TEXTS),
    "tickets.return_window": Setting(INTERVAL),
    "tickets.sla_days.*": Setting(INT, 0, 365),
    "categories.*.label": Setting(TEXT),
    "categories.*.answer": Setting(TEXT),
    "categories.*.steps": Setting(TEXTS),
    "escalation.severe_start_rung": Setting(INT, 0, 20),
    "escalation.severe_severities": Setting(TEXTS),
    "escalation.severe_start_role": Setting(TEXT),
    "escalation.last_resort": Setting(TEXT),
    "escalation.ladders.*": Setting(TEXTS),
    "warnings.open_tickets": COUNT,
    "warnings.critical_open": Setting(BOOL),
    "warnings.tickets_in_days": Setting(INT, 1, 3650),
    "warnings.tickets_in_period": COUNT,
    "warnings.low_satisfaction": GRADE,
    "warnings.overdue_days": DAYS,
    "warnings.overdue_days_core": DAYS,
    "warnings.unreachable": Setting(BOOL),
    "warnings.emergency_tiers": Setting(TEXTS),
    "warnings.route.*": Setting(TEXT),
    "warnings.climb.*": Setting(TEXT),
    "warnings.ack_days": Setting(INT, 1, 30),
    "warnings.relationship_tiers": Setting(TEXTS),
    "warnings.approach.open_tickets": COUNT,
    "warnings.approach.tickets_in_period": COUNT,
    "warnings.approach.low_satisfaction": GRADE,
    "warnings.approach.overdue_days": DAYS,
    "warnings.approach.overdue_days_core": DAYS,
    "warnings.office.open_tickets": Setting(INT, 1, 10_000_000),
    "warnings.office.open_tickets_approach": Setting(INT, 1, 10_000_000),
    "warnings.office.complaints_per_100_events": Setting(FLOAT, 0, 10_000),
    "warnings.office.complaints_per_100_events_approach": Setting(FLOAT, 0, 10_000),
    "warnings.office.low_satisfaction_pct": PERCENT,
    "warnings.office.low_satisfaction_pct_approach": PERCENT,
    "warnings.office.overdue_callbacks_pct": PERCENT,
    "warnings.office.overdue_callbacks_pct_approach": PERCENT,
    "warnings.office.overdue_callbacks_days": DAYS,
    "warnings.office.uncontacted_pct": PERCENT,
    "warnings.office.uncontacted_pct_approach": PERCENT,
    "warnings.office.min_base": Setting(INT, 1, 1_000_000),
    "visit_reports.tiers": Setting(TEXTS),
    "visit_reports.reviewer_roles": Setting(TEXTS),
    "visit_reports.review_within_days": DAYS,
    "value.months": Setting(INT, 1, 120),
    "value.rest_grade": GRADE,
    "value.none_grade": GRADE,
    "value.shares.*": PERCENT,
    "urgency.overdue_day": WEIGHT,
    "urgency.overdue_cap_days": DAYS,
    "urgency.grade": WEIGHT,
    "urgency.open_ticket": WEIGHT,
    "urgency.level2": WEIGHT,
    "urgency.retry": WEIGHT,
    "urgency.extra_reason": WEIGHT,
    "urgency.unreachable": WEIGHT,
    "urgency.reason.*": WEIGHT,
    "privacy.retain_archived_years": Setting(INT, 1, 100),
    "notify.retry_minutes": Setting(INTS, 1, 10080),  # a week at most between tries
    "notify.max_attempts": Setting(INT, 1, 100),
    "notify.email.host": Setting(TEXT),
    "notify.email.port": Setting(INT, 1, 65535),
    "notify.email.security": Setting(TEXT),
    "notify.email.user": Setting(TEXT),
    "notify.email.password_env": Setting(TEXT),
    "notify.email.sender": Setting(TEXT),
    "notify.webhooks.*.kind": Setting(TEXT),
    "notify.webhooks.*.url_env": Setting(TEXT),
    "notify.webhooks.*.secret_env": Setting(TEXT),
    "notify.webhooks.*.roles": Setting(TEXTS),
}

_PATTERNS = [(tuple(k.split(".")), s) for k, s in SCHEMA.items()]


def setting_for(path: tuple[str, ...]) -> Setting | None:
    """The declaration that covers `path` (a table key may itself hold dots)."""
    for pattern, setting in _PATTERNS:
        if len(pattern) == len(path) and all(
            p in ("*", k) for p, k in zip(pattern, path, strict=True)
        ):
            return setting
    return None


def check_settings(data: dict[str, Any], interval: Callable[[str, str], object]) -> None:
    """Every value in `data` of its declared kind and in range; a ConfigError naming the
    setting, the value and what is allowed otherwise. `interval` parses (and bounds) an
    interval text, raising ConfigError itself."""
    _check_table(data, (), interval)


def _check_table(
    table: dict[str, Any], path: tuple[str, ...], interval: Callable[[str, str], object]
) -> None:
    for key, value in table.items():
        where = (*path, str(key))
        setting = setting_for(where)
        name = ".".join(where)
        if setting is None:
            if not isinstance(value, dict):
                raise ConfigError(_("setting '{name}' must be a table").format(name=name))
            _check_table(value, where, interval)
        elif not _fits(setting, value, name, interval):
            raise ConfigError(
                _("{name}: {value} is not allowed; expected {expected}").format(
                    name=name, value=_shown(value), expected=setting.expected()
                ),
                _("Correct it in the config file, or delete it to use the default"
                  " (`followup config show` prints the defaults)."),
            )  # fmt: skip


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _number(setting: Setting, value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if setting.kind in (INT, INTS) and not isinstance(value, int):
        return False
    assert setting.low is not None and setting.high is not None
    return math.isfinite(value) and setting.low <= value <= setting.high


def _fits(
    setting: Setting, value: object, name: str, interval: Callable[[str, str], object]
) -> bool:
    kind = setting.kind
    if kind in (INT, FLOAT):
        return _number(setting, value)
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == TEXT:
        return isinstance(value, str)
    if kind == INTERVAL:
        if not isinstance(value, str):
            return False
        interval(value, name)
        return True
    if not isinstance(value, list):
        return False
    if kind == TEXTS:
        return all(isinstance(v, str) for v in value)
    if kind == INTS:
        return all(_number(setting, v) for v in value)
    if kind == INTERVALS:
        if not all(isinstance(v, str) for v in value):
            return False
        for v in value:
            interval(v, name)
        return True
    return all(_question(q) for q in value)


def _question(item: object) -> bool:
    if not isinstance(item, dict):
        return False
    texts = all(isinstance(item.get(k), str) for k in ("key", "text", "category"))
    claimed = item.get("claimed", [])
    return texts and isinstance(claimed, list) and all(isinstance(c, str) for c in claimed)
