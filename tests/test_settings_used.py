"""Every shipped setting is used (issue 13): a key in defaults.toml that no code reads is
a promise the program does not keep (editing it would change nothing).

The shipped defaults are loaded into a recording mapping, a representative day of the
office is run through the CLI (the example office of `make demo`, then the commands
that read the remaining rules), and every leaf of defaults.toml must have had its value
read. Only reads by the commands count: `config.validate` runs only for a user's file,
and `config show` / `config init` are not run, so printing a key is not using it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from followup_cli.support import config as config_module

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


class Recording(dict[str, Any]):
    """A config table that notes the dotted path of every value read from it. Reading
    only the keys (iterating, `in`) does not count: the value is what a rule uses."""

    def __init__(self, data: dict[str, Any], path: str, seen: set[str]) -> None:
        super().__init__({k: _wrap(v, _join(path, k), seen) for k, v in data.items()})
        self._path = path
        self._seen = seen

    def _note(self, key: str) -> None:
        self._seen.add(_join(self._path, key))

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        self._note(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        if key in self:
            self._note(key)
        return super().get(key, default)

    def items(self) -> Any:
        for key in self.keys():
            self._note(key)
        return super().items()

    def values(self) -> Any:
        for key in self.keys():
            self._note(key)
        return super().values()

    def __iter__(self) -> Iterator[str]:  # (defeats dict's C fast path in dict(x), {**x})
        return iter(list(self.keys()))

    def copy(self) -> dict[str, Any]:  # type: ignore[override]
        return {k: self[k] for k in self.keys()}


# Tables of like entries that the code looks up by the entry's name (a ticket's
# category, an event's kind): a field counts as read when it is read for one entry, as
# `categories.*.answer`. Every other key is checked by its own name.
ENTRY_TABLES = {"categories", "questions"}


def _join(path: str, key: str) -> str:
    if path in ENTRY_TABLES:
        key = "*"
    return f"{path}.{key}" if path else key


def _wrap(value: Any, path: str, seen: set[str]) -> Any:
    if isinstance(value, dict):
        return Recording(value, path, seen)
    if isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
        return [Recording(x, f"{path}[]", seen) for x in value]
    return value


def leaf_paths(data: Any, path: str = "") -> Iterator[str]:
    """Every value's dotted path; the items of an array of tables share `name[]`."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from leaf_paths(value, _join(path, key))
    elif isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        for item in data:
            yield from leaf_paths(item, f"{path}[]")
    else:
        yield path


def shipped_leaves() -> set[str]:
    return set(leaf_paths(tomllib.loads(config_module.defaults_text())))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The dotted paths read from the shipped defaults from now on."""
    seen: set[str] = set()
    fresh = config_module._defaults
    monkeypatch.setattr(config_module, "_defaults", lambda: Recording(fresh(), "", seen))
    return seen


def run_the_office(run: Callable[..., Any], tmp_path: Path) -> None:
    """The example office (examples/load.sh), then what reads the other rules."""
    # An office that starts major tickets on the tier's ladder, not with the deputy GM.
    no_deputy = tmp_path / "no-deputy.toml"
    no_deputy.write_text('[escalation]\nsevere_start_role = ""\n', encoding="utf-8")
    steps: list[tuple[str, ...]] = [
        ("init",),
        ("import", "staff", str(EXAMPLES / "staff.csv")),
        ("import", "customers", str(EXAMPLES / "customers.csv")),
        ("import", "contacts", str(EXAMPLES / "contacts-gb18030.csv")),
        ("import", "events", str(EXAMPLES / "events.csv")),
        ("import", "calls", str(EXAMPLES / "calls.csv")),
        ("due", "--limit", "12"),
        ("due", "--explain", "--format", "csv"),
        ("customer", "add", "新客户", "--phone", "13800138000"),  # default grade, code
        ("customer", "show", "C000001"),
        (
            "ticket",
            "open",
            "C000002",
            "--category",
            "service.late",
            "--channel",
            "phone",
            "--summary",
            "服务工程师没来",
        ),
        ("ticket", "open", "C000003", "--category", "billing", "--summary", "发票不对"),
        # a general-tier customer (grade 5), a major complaint: its SLA, its ladder
        (
            "ticket",
            "open",
            "C000005",
            "--category",
            "product.failure",
            "--severity",
            "major",
            "--summary",
            "液压泵漏油",
        ),
        (
            "log-call",
            "C000001",
            "--outcome",
            "reached",
            "--by",
            "张丽",
            "--satisfaction",
            "1",
            "--complaint",
            "履带板少发两块",
            "--category",
            "parts",
            "--severity",
            "critical",
        ),
        ("event", "add", "C000004", "--kind", "service", "--date", "2026-11-20"),
        ("log-call", "C000004", "--outcome", "reached", "--by", "张丽", "--answer", "fixed=no"),
        ("log-call", "C000005", "--outcome", "no-answer", "--by", "张丽"),
        ("event", "add", "C000006", "--kind", "parts", "--date", "2026-10-02"),
        (
            "ticket",
            "open",
            "C000006",
            "--category",
            "return",
            "--summary",
            "配件包装破损，要求调换",
        ),
        ("ticket", "resolve", "3", "--resolution", "更换液压泵"),
        (
            "--config",
            str(no_deputy),
            "ticket",
            "open",
            "C000007",
            "--category",
            "parts",
            "--severity",
            "major",
            "--summary",
            "配件错发",
        ),  # fmt: skip
        ("ticket", "approve", "3", "--by", "马国栋"),
        ("ticket", "resolve", "1", "--resolution", "已重新预约"),
        ("ticket", "notify", "1", "--via", "phone"),
        ("ticket", "close", "1"),
        ("ticket", "list", "--overdue"),
        ("ticket", "show", "2"),
        ("--today", "2026-11-27", "escalate", "--auto"),
        ("--today", "2026-11-27", "report", "complaints"),
        ("--today", "2026-11-27", "report", "daily"),
        ("report", "satisfaction", "--from", "2026-09-01", "--period", "month"),
        ("report", "staff"),
        ("report", "categories"),
        ("report", "warnings"),
        ("report", "discrepancies"),
        ("--today", "2027-01-20", "due", "--format", "csv"),  # greetings: Spring Festival
        ("db", "prune", "--dry-run"),  # the retention (issue 22)
    ]
    for args in steps:
        r = run(*args, env={"FOLLOWUP_STAFF": "张丽"})  # the example office's clerk
        assert r.exit_code == 0, (args, r.output[-2000:])


# Read from the file's text, not through the loaded config (the interface language is
# decided before any help is built): see test_the_shipped_language_is_read.
READ_AS_TEXT = {"language"}


def test_every_shipped_setting_is_read(run, reads, tmp_path) -> None:
    run_the_office(run, tmp_path)
    unread = sorted(shipped_leaves() - reads - READ_AS_TEXT)
    assert unread == [], "settings in defaults.toml that no command reads: " + ", ".join(unread)


def test_the_recording_sees_reads_and_only_reads(reads) -> None:
    """The instrument itself: a read is noted with its path, a key listed is not."""
    cfg = config_module.load_config(None)
    assert reads == set()
    list(cfg["planning"]["event_offsets"])
    assert reads == {"planning", "planning.event_offsets"}
    cfg["planning"]["event_offsets"].get("sale")
    dict(cfg["tiers"])
    assert {"planning.event_offsets.sale", "tiers.1", "tiers.5"} <= reads
    assert cfg["questions"]["service"][0]["claimed"]
    assert "questions.*[].claimed" in reads
    assert "questions.*[].text" not in reads
    cfg["categories"]["parts"]["answer"]
    assert "categories.*.answer" in reads and "categories.*.label" not in reads


def test_the_shipped_language_is_read(run, tmp_path, monkeypatch) -> None:
    """`language` in defaults.toml decides when neither FOLLOWUP_LANGUAGE nor the user's
    file does (it used to be read from the user's file only)."""
    from followup_cli.cli import app

    shipped = tmp_path / "defaults.toml"
    shipped.write_text(
        config_module.defaults_text().replace('language = "auto"', 'language = "zh_CN"'),
        encoding="utf-8",
    )
    monkeypatch.delenv("FOLLOWUP_LANGUAGE")
    monkeypatch.setenv("LANG", "C")
    assert app.config_language([]) == "auto"
    monkeypatch.setattr(app, "SHIPPED_DEFAULTS", str(shipped))
    assert app.config_language([]) == "zh_CN"
    r = run("--help")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("用法：")  # (CliRunner names the program "root")
    user = tmp_path / "config.toml"
    user.write_text('language = "en"\n', encoding="utf-8")
    assert app.config_language(["--config", str(user)]) == "en"


def test_a_retired_setting_in_a_config_file_is_named(initdb, tmp_path) -> None:
    """A config file from an earlier release keeps working (cron must not stop over a
    setting that never did anything), and every command says to delete it."""
    for text, name in (
        ('[calls]\nchannels = ["phone"]\n', "calls"),
        ('[tickets]\nseverities = ["minor"]\n', "tickets.severities"),
    ):
        path = tmp_path / "config.toml"
        path.write_text(text, encoding="utf-8")
        r = initdb("--config", str(path), "due")
        assert r.exit_code == 0, r.output
        assert r.stderr == (
            f"Warning: setting '{name}' is no longer read (it never changed anything);"
            f" delete it from {path}\n"
        )
        assert r.stdout.startswith("Due 2026-11-23: ")


def test_the_language_line_is_read_as_toml_writes_it() -> None:
    """The start-up reader of `language = "..."` (no TOML parser, no regular expression)."""
    from followup_cli.cli import app

    read = app._language_value
    assert read('language = "zh_CN"') == "zh_CN"
    assert read("language='en'") == "en"
    assert read('language   =   "auto"   # follows LANG') == "auto"
    assert read('language = ""') == ""
    for line in ('languages = "en"', "language = en", 'language = "en', "# language = 'en'", ""):
        assert read(line) is None, line
