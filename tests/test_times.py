"""Human times (issue 15): screens show stored timestamps on the office's clock to the
minute (`2026-11-20 21:11`, today's as `today 21:11`); JSON and CSV keep ISO 8601 with
its offset. The office's zone is the `timezone` setting, not the machine's TZ: a server
kept on UTC shows, stores and dates things as the office in Shanghai does."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from csv import DictReader
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from assertions import ok, refused
from conftest import open_db
from followup_cli.cli.app import app
from followup_cli.domain import session as sessions
from followup_cli.support import dates, i18n
from followup_cli.support.config import load_config
from followup_cli.support.errors import ConfigError, InvalidValue

Run = Callable[..., Any]
Rows = Callable[..., list[dict[str, Any]]]
SHANGHAI = ZoneInfo("Asia/Shanghai")
ZH = {"FOLLOWUP_LANGUAGE": "zh_CN"}


@pytest.fixture
def utc_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's clock on UTC (TZ=UTC, read by the C library), as servers often are."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "office.toml"
    path.write_text(text, encoding="utf-8")
    return path


def count(rows: Rows, table: str) -> int:
    return int(rows(f"SELECT count(*) AS n FROM {table}")[0]["n"])


def told_ticket(office: Run, rows: Rows, db_path: Path, tmp_path: Path) -> int:
    """A ticket of C001, opened by an office whose clock was UTC (its first history row
    stored with +00:00), resolved and told; its telling then set to 13:11 UTC on
    2026-11-20 (21:11 in Shanghai), as a server on UTC stored it before."""
    utc = config_file(tmp_path, 'timezone = "UTC"\n')
    r = ok(office("--config", str(utc), "ticket", "open", "C001", "--summary", "发动机异响",
                  "--category", "other"))  # fmt: skip
    tid = int(rows("SELECT max(id) AS id FROM tickets")[0]["id"])
    assert f"#{tid}" in r.stdout
    ok(office("ticket", "resolve", str(tid), "--resolution", "更换喷油器"))
    ok(office("ticket", "notify", str(tid), "--via", "phone", "--response", "满意"))
    conn = open_db(db_path)
    try:
        conn.execute(
            "UPDATE tickets SET notified_at = '2026-11-20T13:11:08+00:00' WHERE id = ?", (tid,)
        )
        conn.commit()
    finally:
        conn.close()
    return tid


def opened_as_shown(rows: Rows, tid: int) -> str:
    """The ticket's first history time (stored in UTC) as Shanghai reads it on TODAY."""
    stored = rows("SELECT at FROM ticket_history WHERE ticket_id = ? ORDER BY id", tid)[0]["at"]
    assert stored.endswith("+00:00"), stored
    local = datetime.fromisoformat(stored).astimezone(SHANGHAI)
    day = "today" if local.date().isoformat() == "2026-11-23" else local.date().isoformat()
    return f"{day} {local:%H:%M}"


# -- the one formatter ---------------------------------------------------------------


def test_a_stored_timestamp_reads_on_the_office_clock_to_the_minute() -> None:
    stamp = "2026-12-01T13:11:08+00:00"  # 21:11 in Shanghai
    assert dates.shown_time(stamp, SHANGHAI) == "2026-12-01 21:11"
    assert dates.shown_time(stamp, SHANGHAI, date(2026, 11, 30)) == "2026-12-01 21:11"
    assert dates.shown_time(stamp, SHANGHAI, date(2026, 12, 1)) == "today 21:11"
    assert dates.shown_time(stamp, ZoneInfo("UTC")) == "2026-12-01 13:11"
    assert dates.shown_time("2026-12-01T21:11:08+08:00", SHANGHAI) == "2026-12-01 21:11"
    # late in the evening in UTC is the next morning in Shanghai
    assert dates.shown_time("2026-12-01T17:00:00+00:00", SHANGHAI) == "2026-12-02 01:00"
    assert dates.local_day("2026-12-01T17:00:00+00:00", SHANGHAI) == date(2026, 12, 2)


def test_the_formatter_keeps_what_is_not_a_timestamp() -> None:
    assert dates.shown_time(None, SHANGHAI) == ""
    assert dates.shown_time("", SHANGHAI) == ""
    assert dates.shown_time("sometime", SHANGHAI) == "sometime"
    # no offset (written by hand): the office's time
    assert dates.shown_time("2026-12-01T21:11:08", SHANGHAI) == "2026-12-01 21:11"
    assert dates.local_day("sometime", SHANGHAI) is None


def test_today_reads_in_chinese() -> None:
    i18n.use_language(i18n.CHINESE)
    assert (
        dates.shown_time("2026-12-01T13:11:08+00:00", SHANGHAI, date(2026, 12, 1)) == "今天 21:11"
    )


def test_zone_names_are_checked() -> None:
    assert dates.zone_named("Asia/Shanghai") == SHANGHAI
    for bad in ("Mars/Base", "", "Asia", "/etc/passwd", "../zoneinfo/UTC", "asia/shanghai"):
        with pytest.raises(InvalidValue):
            dates.zone_named(bad)


# -- "today" is the office's date ----------------------------------------------------


def test_today_is_the_office_date_not_the_machines() -> None:
    wall = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # a UTC server at 17:00
    today, now = sessions.moment(None, SHANGHAI, wall)
    assert today == date(2026, 12, 2)
    assert now.isoformat() == "2026-12-02T01:00:00+08:00"
    today, now = sessions.moment(None, ZoneInfo("UTC"), wall)
    assert (today, now.hour) == (date(2026, 12, 1), 17)
    # --today names the day; the time of day is the office's clock
    today, now = sessions.moment(date(2026, 11, 23), SHANGHAI, wall)
    assert now.isoformat() == "2026-11-23T01:00:00+08:00"


def test_the_session_of_the_cli_dates_things_on_the_office_clock(
    utc_server: None, office: Run, db_path: Path, rows: Rows, tmp_path: Path
) -> None:
    """Without --today, the day a call is logged on is the office's: with the machine on
    UTC, an office at UTC+14 or UTC-12 is on another date for part of every day, and at
    any hour one of the two is."""
    runner = CliRunner()
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):
        path = config_file(tmp_path, f'timezone = "{zone}"\n')
        before = datetime.now(ZoneInfo(zone)).date()
        r = runner.invoke(
            app,
            ["--db", str(db_path), "--config", str(path), "log-call", "C002", "-o", "busy"],
            env={"FOLLOWUP_STAFF": "李娜"},
        )
        after = datetime.now(ZoneInfo(zone)).date()
        assert r.exit_code == 0, r.output
        call = rows("SELECT at, day FROM calls ORDER BY id DESC LIMIT 1")[0]
        assert call["day"] in (before.isoformat(), after.isoformat()), (zone, call)
        offset = datetime.now(ZoneInfo(zone)).strftime("%z")
        assert call["at"].endswith(f"{offset[:3]}:{offset[3:]}"), (zone, call)
        assert call["at"][:10] == call["day"]
        # the confirmation shows the office's clock, on its today
        assert re.search(r"at today \d\d:\d\d \(not reached\)", r.stdout), r.stdout


def test_a_call_given_in_utc_counts_on_the_office_day(
    utc_server: None, office: Run, rows: Rows
) -> None:
    """20:00 UTC on the 22nd is 04:00 on the 23rd in Shanghai: the call is on the 23rd."""
    ok(office("log-call", "C002", "-o", "reached", "--at", "2026-11-22T20:00:00+00:00"))
    call = rows("SELECT at, day FROM calls")[0]
    assert call == {"at": "2026-11-22T20:00:00+00:00", "day": "2026-11-23"}


# -- screens under TZ=UTC with the default config --------------------------------------


def test_a_utc_server_stores_and_shows_shanghai_times(
    utc_server: None, office: Run, rows: Rows
) -> None:
    r = ok(office("log-call", "C002", "-o", "reached", "--at", "2026-11-23 14:30", "-s", "4"))
    assert r.stdout.startswith("Logged call #1 to C002 泰安宏达建设 at today 14:30 (reached)\n")
    assert rows("SELECT at FROM calls")[0]["at"] == "2026-11-23T14:30:00+08:00"
    ok(office("log-call", "C002", "-o", "busy", "--at", "2026-11-20T13:11:08+00:00"))

    shown = ok(office("customer", "show", "C002")).stdout
    calls = shown[shown.index("Recent calls") :]
    assert re.search(r"^today 14:30 +李娜 +reached +4$", calls, re.M), calls
    assert re.search(r"^2026-11-20 21:11 +李娜 +busy$", calls, re.M), calls
    assert "T14:30" not in shown and "+08:00" not in shown and "+00:00" not in shown


def test_ticket_show_history_and_customer_told_on_the_office_clock(
    utc_server: None, office: Run, rows: Rows, db_path: Path, tmp_path: Path
) -> None:
    tid = told_ticket(office, rows, db_path, tmp_path)
    shown = ok(office("ticket", "show", str(tid))).stdout
    assert re.search(
        r"Customer told +2026-11-20 21:11 via phone — customer said: 满意$", shown, re.M
    )
    history = shown[shown.index("History") :]
    assert re.search(rf"^{opened_as_shown(rows, tid)} +李娜 +open", history, re.M), history
    assert re.search(r"^today \d\d:\d\d +李娜 +resolve", history, re.M), history
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", shown), shown


def test_times_read_in_chinese(
    utc_server: None, office: Run, rows: Rows, db_path: Path, tmp_path: Path
) -> None:
    tid = told_ticket(office, rows, db_path, tmp_path)
    ok(office("log-call", "C001", "-o", "busy", "--at", "2026-11-23 09:05"))
    r = ok(office("log-call", "C002", "-o", "busy", "--at", "2026-11-23 09:06", env=ZH))
    assert r.stdout.startswith("已登记通话 #2：C002 泰安宏达建设，今天 09:06（未接通）\n"), r.stdout
    shown = ok(office("customer", "show", "C001", env=ZH)).stdout
    assert re.search(r"^今天 09:05 ", shown[shown.index("最近通话") :], re.M), shown
    ticket = ok(office("ticket", "show", str(tid), env=ZH)).stdout
    assert "2026-11-20 21:11 通过电话告知" in ticket, ticket
    assert re.search(r"^今天 \d\d:\d\d ", ticket, re.M), ticket


# -- JSON and CSV keep ISO 8601 ------------------------------------------------------------


def test_json_and_csv_keep_the_stored_timestamps(
    utc_server: None, office: Run, rows: Rows, db_path: Path, tmp_path: Path
) -> None:
    tid = told_ticket(office, rows, db_path, tmp_path)
    ok(office("log-call", "C002", "-o", "busy", "--at", "2026-11-20T13:11:08+00:00"))

    ticket = json.loads(ok(office("ticket", "show", str(tid), "--format", "json")).stdout)
    assert ticket["notified_at"] == "2026-11-20T13:11:08+00:00"
    # opened and reported at once (issue 17) on the UTC clock, resolved on the office's
    for opened in ticket["history"][:2]:
        assert re.fullmatch(r"2026-11-23T\d\d:\d\d:\d\d\+00:00", opened["at"])
    assert re.fullmatch(r"2026-11-23T\d\d:\d\d:\d\d\+08:00", ticket["history"][2]["at"])
    csv = ok(office("ticket", "show", str(tid), "--format", "csv")).stdout
    # the csv is the JSON in sections (issue 15): the ticket's row, then its history
    table = list(DictReader(io.StringIO(csv)))
    told = table[0]
    assert (told["section"], told["notified_at"], told["notified_via"]) == (
        "ticket",
        "2026-11-20T13:11:08+00:00",
        "phone",
    )
    assert told["customer_response"] == "满意"
    assert [r["at"] for r in table[1:]] == [h["at"] for h in ticket["history"]]

    customer = json.loads(ok(office("customer", "show", "C002", "--format", "json")).stdout)
    assert [c["at"] for c in customer["calls"]] == ["2026-11-20T13:11:08+00:00"]
    exported = ok(office("export", "calls", "--format", "csv")).stdout
    assert "2026-11-20T13:11:08+00:00" in exported


# -- the timezone setting ------------------------------------------------------------------


def test_a_config_with_another_zone_shows_that_zone(
    utc_server: None, office: Run, rows: Rows, tmp_path: Path
) -> None:
    ok(office("log-call", "C002", "-o", "busy", "--at", "2026-11-20T13:11:08+00:00"))
    berlin = config_file(tmp_path, 'timezone = "Europe/Berlin"\n')  # UTC+1 in November
    shown = ok(office("--config", str(berlin), "customer", "show", "C002")).stdout
    assert re.search(r"^2026-11-20 14:11 +李娜 +busy$", shown, re.M), shown
    # a time typed without an offset is the office's: 09:00 in Berlin
    ok(
        office(
            "--config", str(berlin), "log-call", "C001", "-o", "busy", "--at", "2026-11-23 09:00"
        )
    )
    assert rows("SELECT at FROM calls WHERE id = 2")[0]["at"] == "2026-11-23T09:00:00+01:00"
    shown = ok(office("--config", str(berlin), "customer", "show", "C001")).stdout
    assert re.search(r"^today 09:00 +李娜 +busy$", shown, re.M), shown
    # the same stored times on the default (Shanghai) clock
    shown = ok(office("customer", "show", "C001")).stdout
    assert re.search(r"^today 16:00 +李娜 +busy$", shown, re.M), shown


def test_an_unknown_zone_is_a_config_error_and_nothing_is_written(
    office: Run, rows: Rows, tmp_path: Path
) -> None:
    path = config_file(tmp_path, 'timezone = "Asia/Shangai"\n')
    before = {t: count(rows, t) for t in ("calls", "callbacks", "customers")}
    r = office("--config", str(path), "log-call", "C002", "-o", "busy")
    refused(r, 65, "Error: timezone: 'Asia/Shangai' is not a time zone this machine knows\n")
    assert 'Set timezone to a tz database name such as "Asia/Shanghai" or "UTC"' in r.stderr
    r = office("--config", str(path), "customer", "add", "甲公司")
    refused(r, 65, "Error: timezone: 'Asia/Shangai' is not a time zone this machine knows\n")
    assert {t: count(rows, t) for t in before} == before
    r = office("--config", str(path), "customer", "show", "C002", env=ZH)
    refused(r, 65, "错误：timezone：本机不认识时区“Asia/Shangai”")


def test_the_timezone_setting_is_validated_on_load(tmp_path: Path) -> None:
    assert load_config(None).zone == SHANGHAI
    assert load_config(config_file(tmp_path, 'timezone = "UTC"\n')).zone == ZoneInfo("UTC")
    with pytest.raises(ConfigError, match="'Mars/Base' is not a time zone"):
        load_config(config_file(tmp_path, 'timezone = "Mars/Base"\n'))
    with pytest.raises(ConfigError, match="setting 'timezone' must be str"):
        load_config(config_file(tmp_path, "timezone = 8\n"))


def test_a_repeated_call_is_refused_naming_the_office_time(
    utc_server: None, office: Run, rows: Rows
) -> None:
    ok(office("log-call", "C002", "-o", "busy", "--at", "2026-11-20T13:11:08+00:00"))
    before = (count(rows, "calls"), count(rows, "callbacks"))
    r = office("log-call", "C002", "-o", "busy", "--at", "2026-11-20T13:11:08+00:00")
    refused(r, 1, "Error: a call to C002 by 李娜 at 2026-11-20 21:11 is already logged\n")
    assert (count(rows, "calls"), count(rows, "callbacks")) == before


def test_a_real_utc_server_shows_the_office_clock(office: Run, db_path: Path) -> None:
    """The installed program in its own process, the machine on UTC."""

    def followup(*args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "TZ": "UTC", "FOLLOWUP_STAFF": "李娜", "FOLLOWUP_LANGUAGE": "en"}
        argv = [sys.executable, "-m", "followup_cli", "--db", str(db_path), *args]
        return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)

    shanghai_now = datetime.now(SHANGHAI)
    at = (shanghai_now - timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M")
    r = followup("log-call", "C002", "-o", "busy", "--at", at)
    assert r.returncode == 0, r.stderr
    if at[:10] == shanghai_now.date().isoformat():  # (not five minutes after midnight)
        assert f"at today {at[11:]} (not reached)" in r.stdout, r.stdout
    assert r.stdout.count("T") == 0 or "+08:00" not in r.stdout
    shown = followup("customer", "show", "C002")
    assert shown.returncode == 0, shown.stderr
    # (a call of yesterday once the office's midnight has passed between the two: dated)
    when = f"today {at[11:]}" if at[:10] == datetime.now(SHANGHAI).date().isoformat() else at
    assert re.search(rf"^{when} +李娜 +busy$", shown.stdout, re.M), shown.stdout


def test_the_office_clock_works_without_the_systems_tz_data(office: Run, db_path: Path) -> None:
    """A machine with no /usr/share/zoneinfo (slim containers, Windows): zoneinfo then
    reads the tzdata package, a dependency (PYTHONTZPATH="" hides the system's data)."""
    env = {**os.environ, "TZ": "UTC", "PYTHONTZPATH": "", "FOLLOWUP_STAFF": "李娜"}
    argv = [sys.executable, "-m", "followup_cli", "--db", str(db_path), "--today", "2026-11-23"]
    r = subprocess.run(
        [*argv, "log-call", "C002", "-o", "busy", "--at", "2026-11-23 14:30"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "at today 14:30 (not reached)" in r.stdout
    check = "import zoneinfo, sys; print(zoneinfo.TZPATH)"
    assert subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                          env=env).stdout.strip() == "()"  # fmt: skip
