"""The README's commands exist, and every command is in the README (no drift)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.main import get_command

from followup_cli.cli.app import app

README = Path(__file__).resolve().parent.parent / "README.md"


def command_paths() -> set[tuple[str, ...]]:
    """Every command as a path of names: ('due',), ('ticket', 'close'), ..."""
    root = get_command(app)
    found: set[tuple[str, ...]] = set()

    def walk(cmd: typer.core.TyperGroup, prefix: tuple[str, ...]) -> None:
        ctx = cmd.make_context("followup", [], resilient_parsing=True)
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            path = (*prefix, name)
            if hasattr(sub, "list_commands"):
                walk(sub, path)  # type: ignore[arg-type]
            else:
                found.add(path)

    walk(root, ())  # type: ignore[arg-type]
    return found


def readme_code() -> str:
    """The README's code: fenced blocks and inline `code` spans."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
    return "\n".join(blocks + spans)


def readme_invocations() -> list[tuple[str, ...]]:
    """The words after `followup` wherever the README shows a command."""
    out = []
    for m in re.finditer(r"followup((?: [a-z][a-z-]*)+)", readme_code()):
        out.append(tuple(m.group(1).split()))
    return out


def test_every_readme_command_exists() -> None:
    paths = command_paths()
    groups = {p[0] for p in paths if len(p) > 1}
    unknown = []
    for words in readme_invocations():
        head = words[0]
        if head in groups:
            if len(words) > 1 and (head, words[1]) not in paths and "/" not in words[1]:
                unknown.append(" ".join(words[:2]))
        elif (head,) not in paths:
            unknown.append(head)
    assert not unknown, f"README mentions commands that do not exist: {sorted(set(unknown))}"


def test_every_command_is_in_the_readme() -> None:
    text = readme_code()
    missing = []
    for path in sorted(command_paths()):
        if len(path) == 1:
            if f"followup {path[0]}" not in text:
                missing.append(path[0])
        elif not re.search(rf"followup {path[0]}\b[^\n]*\b{re.escape(path[1])}\b", text):
            missing.append(" ".join(path))
    assert not missing, f"commands missing from the README: {missing}"


def test_quickstart_has_exactly_the_two_setup_commands() -> None:
    text = README.read_text(encoding="utf-8")
    quick = text.split("## Quickstart", 1)[1].split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in quick.splitlines()[1:] if line.strip()]
    assert commands == ["make demo", "make test"]


SCREEN = re.compile(r"<!-- screen: (?P<name>[\w.-]+) -->\n```text\n(?P<body>.*?)```\n", re.S)
SNAPSHOTS = README.parent / "tests" / "snapshots"


def test_the_readmes_screens_are_the_reviewed_snapshots(request: pytest.FixtureRequest) -> None:
    """Each screen the README shows is a capture from a pseudo-terminal: the reviewed
    snapshot of that name, to the byte. `make snapshots` copies new captures in."""
    text = README.read_text(encoding="utf-8")
    shown = list(SCREEN.finditer(text))
    assert {m["name"] for m in shown} >= {"due-limit-2-en-80", "ticket-show-en-80"}
    if request.config.getoption("--update-snapshots"):
        fresh = SCREEN.sub(
            lambda m: m[0].replace(
                m["body"], (SNAPSHOTS / f"{m['name']}.txt").read_text(encoding="utf-8")
            ),
            text,
        )
        README.write_text(fresh, encoding="utf-8")
        return
    stale = [
        m["name"]
        for m in shown
        if m["body"] != (SNAPSHOTS / f"{m['name']}.txt").read_text(encoding="utf-8")
    ]
    assert not stale, f"README screens differ from their snapshots: {stale}; run `make snapshots`"
