"""Help, version, `python -m followup_cli`, and the global error handling.

STYLE: every command's --help has a one-line summary and an example; a test fails when a
command lacks help. SPEC 5: no traceback reaches a user unless --debug is given.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from followup_cli import __version__
from followup_cli.cli.app import app

ROOT = get_command(app)


def walk(command, path: tuple[str, ...] = ()):
    """Every (path, command) in the tree, the root included (lazy groups are loaded)."""
    yield path, command
    if not hasattr(command, "list_commands"):
        return
    ctx = command.make_context(path[-1] if path else "followup", [], resilient_parsing=True)
    for name in sorted(command.list_commands(ctx)):
        yield from walk(command.get_command(ctx, name), (*path, name))


COMMANDS = list(walk(ROOT))
IDS = [" ".join(path) or "followup" for path, _ in COMMANDS]


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env=env)


def followup(
    *args: str, env: dict[str, str] | None = None, **streams
) -> subprocess.CompletedProcess:
    """The real program in a child process (real stdout/stderr, real exit status).

    Output is captured unless `stdout=` / `stderr=` are given.
    """
    if not streams:
        streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    return subprocess.run(
        [sys.executable, "-m", "followup_cli", *args],
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        **streams,
    )


def assert_error(r, code: int, *fragments: str) -> None:
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    for fragment in fragments:
        assert fragment in r.stderr, r.stderr


# -- help -------------------------------------------------------------------------------


def test_the_tree_has_the_spec_commands():
    paths = {" ".join(path) for path, _ in COMMANDS}
    for expected in (
        "init",
        "db path",
        "db backup",
        "db check",
        "config show",
        "config init",
        "staff add",
        "staff list",
        "customer add",
        "customer list",
        "customer show",
        "customer edit",
        "customer archive",
        "contact add",
        "contact list",
    ):
        assert expected in paths


def is_group(command) -> bool:
    return bool(getattr(command, "commands", None))


LEAVES = [(p, c) for p, c in COMMANDS if not is_group(c)]
GROUPS = [(p, c) for p, c in COMMANDS if is_group(c)]


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_help_exits_0(path, command):
    r = invoke(*path, "--help")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("Usage: "), r.stdout
    assert "Traceback" not in r.output


@pytest.mark.parametrize(("path", "command"), LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_command_help_has_an_example(path, command):
    r = invoke(*path, "--help")
    assert "Example" in r.stdout, f"{' '.join(path)} --help has no example"


@pytest.mark.parametrize(("path", "command"), LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_an_example_continued_on_the_next_line_shows_its_backslash(path, command):
    """An example's command line too long for one line ends with ` \\`, and the next
    line carries on. (A lone backslash at a line's end in the docstring joins the
    lines, leaving a run of spaces in the middle of the command.)"""
    r = invoke(*path, "--help")
    examples = r.stdout.partition("Example")[2].partition("Arguments:")[0]
    examples = examples.partition("Options:")[0]
    for line in examples.splitlines():
        if line.lstrip().startswith("followup "):
            command_part = line.split("#")[0].strip()
            assert "   " not in command_part, f"a joined example line: {line!r}"


@pytest.mark.parametrize(
    ("path", "command"), GROUPS, ids=[" ".join(p) or "followup" for p, _ in GROUPS]
)
def test_group_help_has_an_example(path, command):
    """`followup customer --help` too should show how the group is used."""
    r = invoke(*path, "--help")
    assert "Example" in r.stdout, f"{' '.join(path) or 'followup'} --help has no example"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_one_line_summary(path, command):
    summary = command.get_short_help_str(limit=200)
    assert summary.strip(), f"{' '.join(path) or 'followup'} has no summary"
    assert "\n" not in summary
    assert summary.count("(") == summary.count(")"), f"summary cut short: {summary!r}"
    assert not summary.endswith(("e.g.", "i.e.", "(")), f"summary cut short: {summary!r}"


@pytest.mark.parametrize(
    ("path", "command"), GROUPS, ids=[" ".join(p) or "followup" for p, _ in GROUPS]
)
def test_group_help_lists_every_subcommand_with_its_summary(path, command):
    r = invoke(*path, "--help")
    for name, sub in command.commands.items():
        summary = sub.get_short_help_str(limit=200)
        assert re.search(rf"^  {re.escape(name)}\s+\S", r.stdout, re.M), name
        assert summary.split()[0] in r.stdout


def test_short_help_option():
    r = invoke("customer", "add", "-h")
    assert r.exit_code == 0, r.output
    assert "Example" in r.stdout


def test_version():
    r = invoke("--version")
    assert r.exit_code == 0, r.output
    assert r.stdout == f"followup {__version__}\n"
    assert re.fullmatch(r"followup \d+\.\d+\.\d+\n", r.stdout)


def test_python_dash_m_help():
    p = followup("--help")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("Usage: ")
    assert "customer" in p.stdout and "Examples:" in p.stdout


def test_python_dash_m_version():
    p = followup("--version")
    assert p.returncode == 0, p.stderr
    assert p.stdout == f"followup {__version__}\n"


# -- global error handling --------------------------------------------------------------


def test_bad_today_is_bad_input_data(run):
    r = run("customer", "list", today="2026-13-45")
    assert_error(r, 65, "--today: '2026-13-45' is not a date")


def test_unknown_command_is_a_usage_error(run):
    r = run("custmer", "list")
    assert_error(r, 2, "No such command 'custmer'")


def test_unknown_option_is_a_usage_error(initdb):
    r = initdb("customer", "list", "--colour")
    assert_error(r, 2, "No such option: --colour")


@pytest.fixture
def boom(monkeypatch):
    """An internal error inside a command (a bug), not a user mistake."""
    import followup_cli.cli.customer_cmd

    def fail(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(followup_cli.cli.customer_cmd, "list_customers", fail)


def test_an_internal_error_is_reported_without_a_traceback(initdb, boom):
    r = initdb("customer", "list")
    assert_error(r, 70, "Error: unexpected internal error (RuntimeError: boom)", "--debug")
    assert r.exception is None or isinstance(r.exception, SystemExit)


def test_debug_lets_the_internal_error_through(initdb, boom):
    r = initdb("--debug", "customer", "list")
    assert isinstance(r.exception, RuntimeError)
    assert str(r.exception) == "boom"


def test_debug_prints_the_traceback_in_a_real_process(tmp_path):
    missing = tmp_path / "nothing.db"
    plain = followup("--db", str(missing), "customer", "list")
    assert plain.returncode == 1
    assert "Traceback" not in plain.stderr
    assert plain.stderr.startswith(f"Error: no database at {missing}")
    debug = followup("--db", str(missing), "--debug", "customer", "list")
    assert debug.returncode != 0
    assert "Traceback (most recent call last)" in debug.stderr
    assert "StorageError" in debug.stderr
    env = followup("--db", str(missing), "customer", "list", env={"FOLLOWUP_DEBUG": "1"})
    assert "Traceback (most recent call last)" in env.stderr


def test_no_traceback_on_error_paths_in_a_real_process(tmp_path):
    db = tmp_path / "f.db"
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database\n")
    cases = [
        (["--db", str(db), "customer", "list"], 1),
        (["--db", str(text_file), "init"], 1),
        (["--db", str(tmp_path / "no" / "f.db"), "init"], 1),
        (["--db", str(db), "--today", "yesterday", "customer", "list"], 65),
        (["--db", str(db), "--config", str(tmp_path / "none.toml"), "config", "show"], 65),
        (["--db", str(db), "customer", "add", "甲", "--grade", "9"], 2),
    ]
    for args, code in cases:
        p = followup(*args)
        assert p.returncode == code, (args, p.stderr)
        assert "Traceback" not in p.stderr, args
        assert "Error" in p.stderr, args


def closed_stdout_run(*args: str) -> subprocess.CompletedProcess:
    """Run with stdout a pipe whose reader has gone (`followup ... | head` after head exits)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return followup(*args, stdout=write_end, stderr=subprocess.PIPE)
    finally:
        os.close(write_end)


def test_a_closed_pipe_is_not_an_internal_error(tmp_path):
    p = closed_stdout_run("--db", str(tmp_path / "f.db"), "db", "path")
    assert "Traceback" not in p.stderr
    assert "internal error" not in p.stderr, p.stderr


def test_a_closed_pipe_does_not_claim_nothing_was_saved(tmp_path):
    db: Path = tmp_path / "f.db"
    assert followup("--db", str(db), "init").returncode == 0
    p = closed_stdout_run("--db", str(db), "--today", "2026-11-23", "customer", "add", "甲公司")
    conn = sqlite3.connect(db)
    try:
        saved = conn.execute("SELECT count(*) FROM customers").fetchone()[0]
    finally:
        conn.close()
    assert saved == 1  # the write is committed before the confirmation is printed
    assert "Traceback" not in p.stderr
    assert "Nothing was saved" not in p.stderr, p.stderr


def test_root_help_summaries_match_each_commands_own_help() -> None:
    """The root --help lists commands from a registry (so it need not import them):
    each summary there must be the first line of that command's own help."""
    from typer.main import get_command

    from followup_cli.cli.app import COMMANDS, app

    root = get_command(app)
    ctx = root.make_context("followup", ["--help"], resilient_parsing=True)
    for name, (_, _, summary) in COMMANDS.items():
        command = root.get_command(ctx, name)  # type: ignore[attr-defined]
        first_line = (command.help or "").strip().splitlines()[0]
        assert first_line == summary, name
