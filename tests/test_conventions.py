"""CLI conventions and help that teaches (issue 15): shell completion, "did you mean" at
every level, placeholders that say what they are, --format offering only what a command
writes, the daily report's CSV carrying every section, Ctrl-C, group examples, import's
column list."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from conftest import sqlite_only
from followup_cli.cli.app import app
from test_help import COMMANDS, GROUPS

ROOT = get_command(app)


def complete(db: Path | None, *words: str, shell: str = "bash") -> subprocess.CompletedProcess:
    """What bash's completion function gets: the program run with the variables its
    script sets (COMP_WORDS, COMP_CWORD, _FOLLOWUP_COMPLETE=complete_bash)."""
    line = ["followup", *(["--db", str(db)] if db else []), *words]
    env = {
        **os.environ,
        "_FOLLOWUP_COMPLETE": f"complete_{shell}",
        "COMP_WORDS": " ".join(line),
        "COMP_CWORD": str(len(line) - 1),
    }
    return subprocess.run(
        [sys.executable, "-m", "followup_cli"], env=env, text=True, capture_output=True, timeout=60
    )


def candidates(p: subprocess.CompletedProcess) -> list[str]:
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    return p.stdout.split()


# -- completion -------------------------------------------------------------------------


def test_bash_completes_command_names_from_the_registry():
    assert candidates(complete(None, "cust")) == ["customer"]
    assert candidates(complete(None, "report", "sat")) == ["satisfaction"]


def test_bash_completes_customer_codes_staff_and_categories_from_the_database(office, db_path):
    assert candidates(complete(db_path, "customer", "show", "C00")) == ["C001", "C002"]
    assert candidates(complete(db_path, "log-call", "泰安")) == ["C002"]  # by name, gives the code
    assert candidates(complete(db_path, "log-call", "C001", "--by", "王")) == ["王伟"]
    assert candidates(complete(db_path, "ticket", "assign", "1", "刘")) == ["刘洋"]
    assert candidates(complete(db_path, "ticket", "open", "C001", "--category", "service.l")) == [
        "service.late"
    ]
    assert "account_manager" in candidates(complete(db_path, "staff", "add", "甲", "--role", ""))


@sqlite_only("the file's mtime and size stand for nothing written")
def test_completion_reads_the_database_without_writing(office, db_path, rows):
    before = rows("SELECT count(*) AS n FROM customers")
    mtime = db_path.stat().st_mtime_ns
    candidates(complete(db_path, "customer", "show", ""))
    assert rows("SELECT count(*) AS n FROM customers") == before
    assert db_path.stat().st_mtime_ns == mtime


def test_completion_never_fails_loudly(tmp_path):
    missing = tmp_path / "none.db"
    assert candidates(complete(missing, "customer", "show", "C")) == []
    junk = tmp_path / "junk.db"
    junk.write_text("not a database\n")
    assert candidates(complete(junk, "log-call", "C001", "--by", "")) == []
    assert not missing.exists()


def test_zsh_completion_shows_the_customer_name(office, db_path):
    env = {
        **os.environ,
        "_FOLLOWUP_COMPLETE": "complete_zsh",
        "_TYPER_COMPLETE_ARGS": f"followup --db {db_path} customer show C00",
    }
    p = subprocess.run(
        [sys.executable, "-m", "followup_cli"], env=env, text=True, capture_output=True, timeout=60
    )
    assert p.returncode == 0, p.stderr
    assert '"C001":"山东鲁建机械有限公司"' in p.stdout


def test_show_completion_prints_the_bash_script():
    p = subprocess.run(
        [sys.executable, "-m", "followup_cli", "--show-completion"],
        env={**os.environ, "SHELL": "/bin/bash"},
        text=True,
        capture_output=True,
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
    assert "_FOLLOWUP_COMPLETE=complete_" in p.stdout


def test_root_help_offers_completion():
    r = CliRunner().invoke(app, ["--help"])
    assert "--install-completion" in r.stdout
    assert "--show-completion" in r.stdout


# -- did you mean -----------------------------------------------------------------------


@sqlite_only("no database file is created")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["custmer", "list"], "No such command 'custmer'. Did you mean 'customer'?"),
        (["tiket"], "No such command 'tiket'. Did you mean 'ticket'?"),
        (["customer", "lst"], "No such command 'lst'. Did you mean 'list'?"),
        (["report", "daly"], "No such command 'daly'. Did you mean 'daily'?"),
    ],
)
def test_a_mistyped_command_gets_a_suggestion_at_every_level(run, args, expected, db_path):
    r = run(*args)
    assert r.exit_code == 2
    assert f"Error: {expected}" in r.stderr
    assert not db_path.exists()


def test_the_suggestion_in_chinese(run):
    r = run("custmer", env={"FOLLOWUP_LANGUAGE": "zh_CN"})
    assert r.exit_code == 2
    assert "customer" in r.stderr and "custmer" in r.stderr
    assert "Did you mean" not in r.stderr


# -- placeholders -----------------------------------------------------------------------


def _help(path: tuple[str, ...]) -> str:
    r = CliRunner().invoke(app, [*path, "--help"], prog_name="followup")
    assert r.exit_code == 0, r.output
    return r.stdout


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(p) or "-" for p, _ in COMMANDS]
)
def test_placeholders_say_what_they_are(path, command):
    text = _help(path)
    assert "<" not in text.split("Options:")[-1].replace("<=", ""), text
    usage = text.splitlines()[0]
    assert "{" not in usage, usage  # CUSTOMER, not {customer}
    words = usage.split("[OPTIONS]")[-1].replace("COMMAND [ARGS]...", "")
    assert words == words.upper(), usage


def test_examples_of_placeholders():
    assert "Usage: followup customer show [OPTIONS] CUSTOMER" in _help(("customer", "show"))
    assert "Usage: followup ticket show [OPTIONS] ID" in _help(("ticket", "show"))
    assert "Usage: followup contact list [OPTIONS] [CUSTOMER]" in _help(("contact", "list"))
    due = _help(("due",))
    assert "--date DATE" in due and "--grade GRADE" in due and "--staff STAFF" in due
    assert "--role ROLE" in due and "--limit N" in due
    assert "--by STAFF" in _help(("log-call",))
    assert "--today DATE" in _help(())


# -- --format ---------------------------------------------------------------------------


def test_export_offers_only_the_formats_it_writes(office, db_path):
    assert "[csv|json]" in _help(("export",))
    r = office("export", "customers", "--format", "table")
    assert r.exit_code == 2
    assert "'table' is not one of 'csv', 'json'" in r.stderr


def test_import_and_config_show_offer_table_or_json(office, tmp_path, rows):
    assert "[table|json]" in _help(("import",))
    assert "[table|json]" in _help(("config", "show"))
    sheet = tmp_path / "c.csv"
    sheet.write_text("name\n新公司\n", encoding="utf-8")
    before = rows("SELECT count(*) AS n FROM customers")
    r = office("import", "customers", str(sheet), "--format", "csv")
    assert r.exit_code == 2
    assert "'csv' is not one of 'table', 'json'" in r.stderr
    assert rows("SELECT count(*) AS n FROM customers") == before


# -- csv carries what json carries -------------------------------------------------------


def test_report_daily_csv_has_every_section_of_its_json(office, rows):
    import csv
    import io
    import json

    assert (
        office(
            "ticket", "open", "C001", "--summary", "履带板少发两块", "--category", "parts"
        ).exit_code
        == 0
    )
    later = "2026-12-20"
    data = json.loads(office("report", "daily", "--format", "json", today=later).stdout)
    r = office("report", "daily", "--format", "csv", today=later)
    assert r.exit_code == 0, r.output
    table = list(csv.DictReader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    sections = [row["section"] for row in table]
    assert sections[0] == "summary"
    assert table[0]["customers_due"] == str(data["customers_due"])
    assert table[0]["emergencies_open"] == str(data["emergencies_open"])
    assert sections.count("assignee") == len(data["by_assignee"])
    assert sections.count("breach") == len(data["breaches"]) >= 1
    assert sections.count("escalation") == len(data["escalations"])
    assert sections.count("warning") == len(data["new_warnings"])
    breach = next(row for row in table if row["section"] == "breach")
    assert breach["summary"] == "履带板少发两块"
    assert "section" in _help(("report", "daily"))


# -- Ctrl-C -----------------------------------------------------------------------------


def test_ctrl_c_during_an_import_exits_130_with_nothing_saved(office, tmp_path, rows, monkeypatch):
    """Ctrl-C after the new customers are inserted, inside the import's transaction."""
    from followup_cli.domain.customers import records

    real = records.insert_staged

    def insert_then_interrupted(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(records, "insert_staged", insert_then_interrupted)
    sheet = tmp_path / "c.csv"
    sheet.write_text("name,grade\n新公司甲,3\n新公司乙,4\n", encoding="utf-8")
    before = rows("SELECT count(*) AS n FROM customers")
    callbacks = rows("SELECT count(*) AS n FROM callbacks")
    r = office("import", "customers", str(sheet))
    assert r.exit_code == 130, r.output
    assert r.stderr.strip().splitlines()[-1] == "Interrupted: nothing saved."
    assert "Aborted" not in r.output
    assert rows("SELECT count(*) AS n FROM customers") == before
    assert rows("SELECT count(*) AS n FROM callbacks") == callbacks


def test_ctrl_c_during_an_export_leaves_no_file(office, tmp_path, monkeypatch):
    import followup_cli.cli.export_cmd as export_cmd

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(export_cmd, "write_csv", interrupted)
    out = tmp_path / "客户.csv"
    r = office("export", "customers", "--output", str(out))
    assert r.exit_code == 130, r.output
    assert "Interrupted: nothing saved." in r.stderr
    assert not out.exists()
    assert list(tmp_path.glob(".*.part")) == []


# -- help that teaches -------------------------------------------------------------------


@pytest.mark.parametrize(("path", "command"), GROUPS, ids=[" ".join(p) or "-" for p, _ in GROUPS])
def test_each_group_shows_two_or_three_examples(path, command):
    text = _help(path)
    block = text.split("Examples:\n", 1)[1].split("\n\n", 1)[0]
    examples = [line for line in block.splitlines() if line.strip().startswith("followup")]
    assert 2 <= len(examples) <= 4, text


@pytest.mark.parametrize("path", [("import",), ("export",)])
def test_import_and_export_show_examples(path):
    assert "Examples:" in _help(path)


def test_import_kind_help_lists_its_columns_in_english_and_chinese():
    text = _help(("import", "customers"))
    assert "Columns of customers:" in text
    assert "客户编号" in text and "grade" in text and "等级" in text
    calls = _help(("import", "calls"))
    assert "outcome" in calls and "回访结果" in calls and "(required)" in calls
    assert "followup import KIND --help" in _help(("import",))


def test_a_missing_column_points_to_a_help_that_lists_it(office, tmp_path, rows):
    sheet = tmp_path / "e.csv"
    sheet.write_text("customer_code,date\nC001,2026-11-20\n", encoding="utf-8")
    before = rows("SELECT count(*) AS n FROM events")
    r = office("import", "events", str(sheet))
    assert r.exit_code == 65
    assert "followup import events --help" in r.stderr
    assert "kind" in _help(("import", "events"))
    assert rows("SELECT count(*) AS n FROM events") == before


def test_a_category_label_with_brackets_is_not_nested(office):
    r = office("ticket", "open", "C001", "--summary", "迟到", "--category", "service.late")
    assert r.exit_code == 0, r.output
    shown = office("ticket", "show", "1").stdout
    assert "service.late — Service late (不守时)" in shown
    assert "((" not in shown and "))" not in shown
