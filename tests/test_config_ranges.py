"""Config values are typed and range-checked at load (issue 16, "Config values are not
range-checked").

Every setting of defaults.toml has one declaration in support/config_schema.py (kind and
range); a value outside it is bad input data (exit 65) naming the setting, the value and
what is allowed, before the database is opened, so nothing is written. The config file
must be a regular file of at most 1 MiB: a device, a folder or a FIFO is refused
without being read (a FIFO would block the open, /dev/zero never ends).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import open_db
from followup_cli.support.config import defaults_text, load_config
from followup_cli.support.config_schema import SCHEMA, check_settings, setting_for
from followup_cli.support.dates import parse_interval
from followup_cli.support.errors import ConfigError, InvalidValue
from followup_cli.support.workdays import MAX_WORKING_DAYS, WorkCalendar

TABLES = ("customers", "tickets", "ticket_history", "escalations", "calls", "callbacks")


def counts(db_path: Path) -> dict[str, int]:
    conn = open_db(db_path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def open_ticket(office: Any, config: Path) -> Any:
    return office(
        "--config",
        str(config),
        "ticket",
        "open",
        "C001",
        "--summary",
        "发动机异响",
        "--category",
        "product.failure",
    )


def assert_refused(r: Any, *fragments: str) -> None:
    assert r.exit_code == 65, r.output
    assert "Traceback" not in r.output
    assert r.stderr.startswith("Error: "), r.stderr
    for fragment in fragments:
        assert fragment in r.stderr, r.stderr


# -- each case of the issue, through `ticket open` on a real office ---------------------

RANGE_CASES = [
    (
        "[tickets.sla_days]\nminor = 1000000\n",
        "tickets.sla_days.minor: 1000000 is not allowed; expected a whole number from 0 to 365",
    ),
    (
        "[tickets.sla_days]\nminor = 99999999\n",
        "tickets.sla_days.minor: 99999999 is not allowed; expected a whole number from 0 to 365",
    ),
    (
        "[customer]\ndefault_grade = 99\n",
        "customer.default_grade: 99 is not allowed; expected a whole number from 1 to 5",
    ),
    (
        "[planning]\nmerge_window_days = 999999999999\n",
        "planning.merge_window_days: 999999999999 is not allowed;"
        " expected a whole number from 0 to 365",
    ),
    (
        "[planning]\ncooldown_days = nan\n",
        "planning.cooldown_days: nan is not allowed; expected a whole number from 0 to 3650",
    ),
    (
        "[planning]\ncooldown_days = inf\n",
        "planning.cooldown_days: inf is not allowed; expected a whole number from 0 to 3650",
    ),
    (
        "[customer]\ncode_digits = -1\n",
        "customer.code_digits: -1 is not allowed; expected a whole number from 1 to 12",
    ),
    (
        '[planning]\nyearly_interval = "99999y"\n',
        "planning.yearly_interval: '99999y' is not valid;"
        " expected an interval of at most 10 years (3660d, 522w, 120m or 10y)",
    ),
    (
        '[visits.1]\naccount_manager = "99999y"\n',
        "visits.1.account_manager: '99999y' is not valid; expected an interval of at most 10 years",
    ),
    (
        '[planning.event_offsets]\nservice = ["2d", "99999y"]\n',
        "planning.event_offsets.service.default: '99999y' is not valid;"
        " expected an interval of at most 10 years",
    ),
    (
        '[planning.event_offsets.service]\nkey = ["2d", "99999y"]\n',
        "planning.event_offsets.service.key: '99999y' is not valid;"
        " expected an interval of at most 10 years",
    ),
    (
        '[planning.greetings]\ngrades = ["x"]\n',
        "planning.greetings.grades: ['x'] is not allowed;"
        " expected a list of whole numbers from 1 to 5",
    ),
    (
        "[planning.greetings]\ngrades = [1, 9]\n",
        "planning.greetings.grades: [1, 9] is not allowed;"
        " expected a list of whole numbers from 1 to 5",
    ),
    (
        "[urgency]\ngrade = inf\n",
        "urgency.grade: inf is not allowed; expected a number from -1000 to 1000",
    ),
    (
        "[tickets.sla_days]\nurgent = 2.5\n",
        "tickets.sla_days.urgent: 2.5 is not allowed; expected a whole number from 0 to 365",
    ),
    (
        "[[questions.rental]]\nkey = 1\ntext = 'x'\ncategory = 'parts'\n",
        "questions.rental:",
    ),
]


@pytest.mark.parametrize(("text", "message"), RANGE_CASES)
def test_out_of_range_setting_is_refused_naming_key_value_and_range(
    office, db_path, tmp_path, text, message
):
    config = tmp_path / "bad.toml"
    config.write_text(text, encoding="utf-8")
    before = counts(db_path)
    r = open_ticket(office, config)
    assert_refused(r, message)
    assert counts(db_path) == before


def test_a_setting_in_range_still_works(office, db_path, tmp_path):
    config = tmp_path / "ok.toml"
    config.write_text("[tickets.sla_days]\nminor = 365\n", encoding="utf-8")
    r = open_ticket(office, config)
    assert r.exit_code == 0, r.output
    assert counts(db_path)["tickets"] == 1


@pytest.mark.parametrize("nesting", ["array", "table"])
def test_deeply_nested_toml_is_refused(office, db_path, tmp_path, nesting):
    depth = 50_000
    if nesting == "array":
        text = "a = " + "[" * depth + "]" * depth + "\n"
    else:
        text = "a = " + "{b = " * depth + "1" + "}" * depth + "\n"
    config = tmp_path / "deep.toml"
    config.write_text(text, encoding="utf-8")
    before = counts(db_path)
    r = open_ticket(office, config)
    assert_refused(r, f"config file {config} is nested too deeply to be a followup config")
    assert counts(db_path) == before


# -- the file itself: a capped regular file ---------------------------------------------


def test_a_folder_as_config_is_refused(office, db_path, tmp_path):
    before = counts(db_path)
    r = open_ticket(office, tmp_path)
    assert_refused(r, f"config file {tmp_path} is a folder, not a regular file")
    assert counts(db_path) == before


def test_a_config_over_one_mib_is_refused(office, db_path, tmp_path):
    config = tmp_path / "big.toml"
    config.write_text("# padding\n" * 110_000, encoding="utf-8")
    before = counts(db_path)
    r = open_ticket(office, config)
    assert_refused(r, f"config file {config} is larger than 1024 KiB")
    assert counts(db_path) == before


def _installed(
    db_path: Path, tmp_path: Path, *args: str, config_env: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed command in a child process, with a timeout: a blocking open or an
    endless read shows as a timeout, not as a hung test run."""
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "FOLLOWUP_STAFF": "李娜",
        "LANG": "C.UTF-8",
    }
    env.pop("FOLLOWUP_CONFIG", None)
    if config_env is not None:
        env["FOLLOWUP_CONFIG"] = config_env
    command = [sys.executable, "-m", "followup_cli", "--db", str(db_path), "--today"]
    return subprocess.run(
        [*command, "2026-11-23", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        stdin=subprocess.DEVNULL,
    )


TICKET = ("ticket", "open", "C001", "--summary", "异响", "--category", "product.failure")


def test_dev_zero_as_config_is_refused_without_reading_it(office, db_path, tmp_path):
    before = counts(db_path)
    r = _installed(db_path, tmp_path, "--config", "/dev/zero", *TICKET)
    assert r.returncode == 65, r.stderr
    assert r.stderr.startswith("Error: config file /dev/zero is a device, not a regular file")
    assert "Traceback" not in r.stderr
    assert counts(db_path) == before


def test_a_fifo_as_config_is_refused_without_blocking(office, db_path, tmp_path):
    fifo = tmp_path / "config.fifo"
    os.mkfifo(fifo)
    before = counts(db_path)
    r = _installed(db_path, tmp_path, "--config", str(fifo), *TICKET)
    assert r.returncode == 65, r.stderr
    assert r.stderr.startswith(f"Error: config file {fifo} is a named pipe, not a regular file")
    assert counts(db_path) == before


def test_a_fifo_named_by_followup_config_is_refused_without_blocking(office, db_path, tmp_path):
    fifo = tmp_path / "config.fifo"
    os.mkfifo(fifo)
    before = counts(db_path)
    r = _installed(db_path, tmp_path, *TICKET, config_env=str(fifo))
    assert r.returncode == 65, r.stderr
    assert r.stderr.startswith(f"Error: config file {fifo} is a named pipe, not a regular file")
    assert counts(db_path) == before


# -- the schema, directly ---------------------------------------------------------------


def _leaves(data: dict[str, Any], path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for key, value in data.items():
        where = (*path, key)
        if isinstance(value, dict) and setting_for(where) is None:
            out.extend(_leaves(value, where))
        else:
            out.append(where)
    return out


def test_every_shipped_setting_is_declared_once_and_within_its_range():
    defaults = tomllib.loads(defaults_text())
    undeclared = [".".join(p) for p in _leaves(defaults) if setting_for(p) is None]
    assert undeclared == []
    check_settings(defaults, parse_interval)  # the shipped values pass their own ranges
    assert len(SCHEMA) == len(set(SCHEMA))


def test_load_config_range_errors_are_config_errors(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[warnings]\nopen_tickets = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, explicit=True)
    assert caught.value.message == (
        "warnings.open_tickets: 0 is not allowed; expected a whole number from 1 to 1000"
    )


def test_booleans_are_not_numbers_and_numbers_are_not_booleans(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[tickets.sla_days]\nurgent = true\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="tickets.sla_days.urgent: True is not allowed"):
        load_config(path, explicit=True)


@pytest.mark.parametrize("text", ["3661d", "523w", "121m", "11y", "9" * 5000 + "y"])
def test_intervals_longer_than_ten_years_are_refused(text):
    with pytest.raises(InvalidValue, match="at most 10 years"):
        parse_interval(text, "planning.yearly_interval")


def test_ten_years_is_still_an_interval():
    assert str(parse_interval("10y")) == "10y"
    assert parse_interval("3660d").after(date(2026, 1, 1)) == date(2036, 1, 9)


def test_after_working_days_is_bounded():
    calendar = WorkCalendar({}, range(2020, 2040))
    assert calendar.after_working_days(date(2026, 11, 23), 5) == date(2026, 11, 30)
    with pytest.raises(ValueError, match="outside"):
        calendar.after_working_days(date(2026, 11, 23), MAX_WORKING_DAYS + 1)
    with pytest.raises(ValueError, match="outside"):
        calendar.after_working_days(date(2026, 11, 23), -1)


def test_a_calendar_without_working_days_does_not_loop_forever():
    closed = {date(2026, 1, 1) + (date(2026, 1, 2) - date(2026, 1, 1)) * i: (False, "x")
              for i in range(400)}  # fmt: skip
    calendar = WorkCalendar(closed, range(2020, 2040))
    with pytest.raises(ValueError, match="no working day"):
        calendar.next_working(date(2026, 1, 1))


def test_the_range_error_reads_in_chinese(office, db_path, tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[tickets.sla_days]\nminor = 1000000\n", encoding="utf-8")
    before = counts(db_path)
    r = office(
        "--config", str(config), "ticket", "open", "C001", "--summary", "异响", "--category", "parts",
        env={"FOLLOWUP_LANGUAGE": "zh_CN"},
    )  # fmt: skip
    assert r.exit_code == 65, r.output
    assert r.stderr.startswith(
        "错误：tickets.sla_days.minor：不允许取值 1000000；允许的值：0 到 365 之间的整数\n"
    ), r.stderr
    assert counts(db_path) == before


def test_the_template_documents_the_ranges():
    from followup_cli.support.config import template_text

    text = template_text()
    assert "# SLA per severity, in working days (0 = the same day; at most 365)." in text
    assert "reach at most 10 years (3660d, 522w, 120m, 10y)" in text
    assert "(code_digits 1–12)" in text
