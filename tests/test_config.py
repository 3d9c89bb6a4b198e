"""Configuration: `config show`, `config init`, user overrides, and bad config files.

SPEC: rules live in shipped defaults that a user's config overrides key by key;
--config / FOLLOWUP_CONFIG / $XDG_CONFIG_HOME/followup/config.toml; a bad setting is
bad input data (exit 65) naming the setting.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from conftest import sqlite_only
from followup_cli.support.config import defaults_text, load_config
from followup_cli.support.errors import ConfigError

DEFAULTS = tomllib.loads(defaults_text())


# -- helpers --------------------------------------------------------------------------


def assert_error(r, code: int, *fragments: str) -> None:
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    assert r.stderr.startswith("Error: "), r.stderr
    for fragment in fragments:
        assert fragment in r.stderr, r.stderr


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def shown_json(run, *options: str, env: dict[str, str] | None = None) -> dict:
    r = run(*options, "config", "show", "--format", "json", env=env)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


@pytest.fixture
def user_config(tmp_path: Path) -> Path:
    return tmp_path / "config" / "followup" / "config.toml"


# -- config show ------------------------------------------------------------------------


def test_show_prints_the_defaults_as_toml(run):
    r = run("config", "show")
    assert r.exit_code == 0, r.output
    first, _, body = r.stdout.partition("\n")
    assert first == "# effective configuration (from built-in defaults only)"
    assert tomllib.loads(body) == DEFAULTS
    assert r.stderr == ""


def test_show_json(run):
    data = shown_json(run)
    service = data["planning"]["event_offsets"]["service"]
    assert service["default"] == ["2d", "7d", "1m"]
    assert service["core"] == service["important"] == service["key"]
    assert service["key"] == ["2d", "7d", "1m", "3m", "6m"]
    assert data["planning"]["event_offsets"]["sale"] == {"default": ["2d", "7d", "1m", "3m", "6m"]}
    assert data["planning"]["stale_after_days"] == 30  # a number, not "30"
    assert data["urgency"]["overdue_day"] == 1.0
    assert data["planning"]["greetings"]["birthday"] is True
    assert data == DEFAULTS


def test_show_toml_and_json_agree_with_a_user_file(run, tmp_path):
    path = write(tmp_path / "mine.toml", "[planning]\nmerge_window_days = 5\n")
    r = run("--config", str(path), "config", "show")
    assert r.exit_code == 0, r.output
    first, _, body = r.stdout.partition("\n")
    assert first == f"# effective configuration (from {path})"
    assert tomllib.loads(body) == shown_json(run, "--config", str(path))


@sqlite_only("no database file is created")
def test_show_does_not_need_a_database(run, db_path):
    assert run("config", "show").exit_code == 0
    assert not db_path.exists()


# -- overriding keys --------------------------------------------------------------------


def test_one_key_overridden_others_keep_defaults(run, tmp_path):
    path = write(tmp_path / "mine.toml", "[planning]\nstale_after_days = 10\n")
    data = shown_json(run, "--config", str(path))
    assert data["planning"]["stale_after_days"] == 10
    assert data["planning"]["merge_window_days"] == DEFAULTS["planning"]["merge_window_days"]
    assert data["planning"]["event_offsets"] == DEFAULTS["planning"]["event_offsets"]
    expected = json.loads(json.dumps(DEFAULTS))
    expected["planning"]["stale_after_days"] = 10
    assert data == expected
    r = run("--config", str(path), "config", "show")
    assert "\nstale_after_days = 10\n" in r.stdout


def test_a_nested_table_is_merged_key_by_key(run, tmp_path):
    path = write(tmp_path / "mine.toml", '[planning.event_offsets]\nservice = ["3d"]\n')
    offsets = shown_json(run, "--config", str(path))["planning"]["event_offsets"]
    # (one list for a kind, as before the per-tier tables: every tier's offsets)
    assert offsets["service"] == {"default": ["3d"]}
    assert offsets["sale"] == DEFAULTS["planning"]["event_offsets"]["sale"]


def test_the_default_config_file_is_read(run, user_config):
    write(user_config, "[planning]\nstale_after_days = 12\n")
    assert shown_json(run)["planning"]["stale_after_days"] == 12
    r = run("config", "show")
    assert r.stdout.startswith(f"# effective configuration (from {user_config})\n")


def test_followup_config_env(run, tmp_path):
    path = write(tmp_path / "env.toml", "[planning]\ncooldown_days = 9\n")
    data = shown_json(run, env={"FOLLOWUP_CONFIG": str(path)})
    assert data["planning"]["cooldown_days"] == 9


def test_an_override_changes_what_commands_do(initdb, rows, tmp_path):
    path = write(tmp_path / "mine.toml", '[customer]\ncode_prefix = "K"\ncode_digits = 4\n')
    r = initdb("--config", str(path), "customer", "add", "甲公司")
    assert r.exit_code == 0, r.output
    assert rows("SELECT code FROM customers") == [{"code": "K0001"}]


def test_open_tables_accept_new_keys(run, tmp_path):
    path = write(
        tmp_path / "mine.toml",
        '[categories."product.noise"]\nlabel = "Noise"\nanswer = "We will check."\n'
        'steps = ["Record it"]\n',
    )
    data = shown_json(run, "--config", str(path))
    assert data["categories"]["product.noise"]["label"] == "Noise"
    assert "product.defect" in data["categories"]


def test_load_config_domain(tmp_path):
    assert load_config(None).data == DEFAULTS
    path = write(tmp_path / "mine.toml", "[planning]\nmax_attempts = 5\n")
    config = load_config(path, explicit=True)
    assert config.get("planning.max_attempts") == 5
    assert config.get("planning.cooldown_days") == 7
    assert config.source == path
    # a default location that does not exist means "use the defaults"
    assert load_config(tmp_path / "absent.toml").data == DEFAULTS


# -- bad config files -------------------------------------------------------------------


def test_unknown_setting(run, tmp_path):
    path = write(tmp_path / "mine.toml", "[planning]\nstale_days = 10\n")
    r = run("--config", str(path), "config", "show")
    assert_error(r, 65, "Error: unknown setting 'planning.stale_days'", "config show")
    assert r.stdout == ""


def test_unknown_top_level_table(run, tmp_path):
    path = write(tmp_path / "mine.toml", "[plannign]\nstale_after_days = 10\n")
    r = run("--config", str(path), "config", "show")
    assert_error(r, 65, "unknown setting 'plannign'")


def test_wrong_type(run, tmp_path):
    path = write(tmp_path / "mine.toml", '[planning]\nstale_after_days = "ten"\n')
    r = run("--config", str(path), "config", "show")
    assert_error(r, 65, "setting 'planning.stale_after_days' must be int, not str ('ten')")


def test_a_value_where_a_table_belongs(run, tmp_path):
    path = write(tmp_path / "mine.toml", "planning = 3\n")
    r = run("--config", str(path), "config", "show")
    assert_error(r, 65, "setting 'planning' must be a table")


def test_a_boolean_is_not_a_number(run, tmp_path):
    path = write(tmp_path / "mine.toml", "[planning]\nmax_attempts = true\n")
    r = run("--config", str(path), "config", "show")
    assert_error(r, 65, "setting 'planning.max_attempts' must be int")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[visits.1]\naccount_manager = "3x"\n', "visits.1.account_manager"),
        ('[visits.1]\nchef = "1w"\n', "visits.1.chef: 'chef' is not a staff role"),
        ('[tiers]\n1 = "vip"\n', "tiers.1: 'vip' is not a tier"),
        ('[escalation.ladders]\ncore = ["boss"]\n', "escalation.ladders.core: 'boss'"),
    ],
)
def test_a_wrong_value_names_the_setting(run, tmp_path, text, message):
    path = write(tmp_path / "mine.toml", text)
    r = run("--config", str(path), "config", "show")
    assert_error(r, 65, message)


def test_invalid_toml(run, tmp_path):
    path = write(tmp_path / "mine.toml", "[planning\nstale_after_days = \n")
    r = run("--config", str(path), "config", "show")
    assert_error(r, 65, f"config file {path} is not valid TOML")


def test_config_option_pointing_to_a_missing_file(run, tmp_path):
    path = tmp_path / "nowhere.toml"
    r = run("--config", str(path), "config", "show")
    assert_error(r, 65, f"Error: config file not found: {path}", "followup config init")


def test_a_bad_config_stops_a_command_before_it_writes(initdb, rows, tmp_path):
    path = write(tmp_path / "mine.toml", "[customer]\nprefix = 'K'\n")
    r = initdb("--config", str(path), "customer", "add", "甲公司")
    assert_error(r, 65, "unknown setting 'customer.prefix'")
    assert rows("SELECT count(*) AS n FROM customers")[0]["n"] == 0


def test_load_config_raises_config_error(tmp_path):
    path = write(tmp_path / "mine.toml", "[planning]\nstale_days = 1\n")
    with pytest.raises(ConfigError, match="unknown setting 'planning.stale_days'"):
        load_config(path, explicit=True)
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "absent.toml", explicit=True)


# -- config init ------------------------------------------------------------------------


def test_init_writes_a_commented_template(run, tmp_path):
    path = tmp_path / "template.toml"
    r = run("config", "init", str(path))
    assert r.exit_code == 0, r.output
    assert r.stdout == f"Wrote {path}\n"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert all(line.lstrip().startswith("#") for line in lines if line.strip())
    # every default setting is in there, commented out
    assert "# stale_after_days = 30" in lines
    assert "# [planning]" in lines
    assert "# [planning.event_offsets.service]" in lines
    assert '# default = ["2d", "7d", "1m"]' in lines
    assert '# key = ["2d", "7d", "1m", "3m", "6m"]' in lines
    # issue 17's settings, each with the seed's words beside it
    assert '# report_to = "sales_manager"' in lines
    assert '# approval_severities = ["major", "critical"]' in lines
    assert '# approver_roles = ["sales_manager", "deputy_gm"]' in lines
    assert '# return_window = "3m"' in lines
    assert '# severe_start_role = "deputy_gm"' in lines
    assert (
        "无条件满足" in text and "由主管副经理提出处理方案" in text and "立即向销售经理汇报" in text
    )
    # all commented: loading it changes nothing
    assert shown_json(run, "--config", str(path)) == DEFAULTS


def test_uncommenting_a_template_line_takes_effect(run, tmp_path):
    path = tmp_path / "template.toml"
    assert run("config", "init", str(path)).exit_code == 0
    text = path.read_text(encoding="utf-8")
    text = text.replace("# [planning]\n", "[planning]\n", 1)
    text = text.replace("# stale_after_days = 30\n", "stale_after_days = 10\n", 1)
    path.write_text(text, encoding="utf-8")
    assert shown_json(run, "--config", str(path))["planning"]["stale_after_days"] == 10


def test_init_refuses_to_overwrite_without_force(run, tmp_path):
    path = write(tmp_path / "mine.toml", "[planning]\nstale_after_days = 10\n")
    r = run("config", "init", str(path))
    assert_error(r, 1, f"Error: {path} already exists", "--force")
    assert path.read_text(encoding="utf-8") == "[planning]\nstale_after_days = 10\n"


def test_init_force_overwrites(run, tmp_path):
    path = write(tmp_path / "mine.toml", "[planning]\nstale_after_days = 10\n")
    r = run("config", "init", str(path), "--force")
    assert r.exit_code == 0, r.output
    assert "# stale_after_days = 30" in path.read_text(encoding="utf-8").splitlines()


def test_init_without_path_writes_the_default_location(run, user_config):
    r = run("config", "init")
    assert r.exit_code == 0, r.output
    assert r.stdout == f"Wrote {user_config}\n"
    assert user_config.exists()
    r = run("config", "show")
    assert r.stdout.startswith(f"# effective configuration (from {user_config})\n")
