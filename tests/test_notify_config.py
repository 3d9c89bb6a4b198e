"""The [notify] settings (issue 19): shipped and documented, typed and range-checked at
load, and never a place for a secret (a password or a robot's URL comes from the
environment variable a *_env key names)."""

from __future__ import annotations

import tomllib

import pytest

from followup_cli.support.config import defaults_text, load_config, template_text
from followup_cli.support.errors import ConfigError

ROBOT = '[notify.webhooks.service_group]\nkind = "wecom"\nurl_env = "FOLLOWUP_WECOM_URL"\n'


def test_the_shipped_notify_settings_are_those_of_the_issue():
    notify = tomllib.loads(defaults_text())["notify"]
    assert notify == {
        "retry_minutes": [5, 30, 120],
        "max_attempts": 5,
        "email": {
            "host": "",  # email off until the office names its server
            "port": 465,
            "security": "ssl",
            "user": "",
            "password_env": "FOLLOWUP_SMTP_PASSWORD",
            "sender": "followup@example.cn",
        },
        "webhooks": {},
    }


def test_config_init_documents_every_notify_key(run, tmp_path):
    path = tmp_path / "config.toml"
    r = run("config", "init", str(path))
    assert r.exit_code == 0, r.output
    text = path.read_text(encoding="utf-8")
    assert text == template_text()
    for line in (
        "# [notify]",
        "# retry_minutes = [5, 30, 120]",
        "# max_attempts = 5",
        "# [notify.email]",
        '# security = "ssl"                           # ssl | starttls | none',
        '# password_env = "FOLLOWUP_SMTP_PASSWORD"    # the secret comes from the environment',
        "# [notify.webhooks.service_group]",
        '# kind = "wecom"',
        '# url_env = "FOLLOWUP_WECOM_SERVICE_URL"',
        '# secret_env = ""',
        '# roles = ["service_manager", "gm"]',
    ):
        assert any(row.startswith(line) for row in text.splitlines()), line


def test_a_robot_and_an_email_server_load(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        '[notify.email]\nhost = "127.0.0.1"\nport = 2525\nsecurity = "none"\n'
        + ROBOT
        + 'roles = ["service_manager", "gm"]\n'
        + '[notify.webhooks.sales]\nkind = "dingtalk"\nurl_env = "DT_URL"\nsecret_env = "DT_SECRET"\n',
        encoding="utf-8",
    )
    cfg = load_config(path)
    assert cfg["notify"]["email"]["port"] == 2525
    assert cfg["notify"]["webhooks"]["service_group"]["roles"] == ["service_manager", "gm"]
    assert cfg["notify"]["webhooks"]["sales"]["secret_env"] == "DT_SECRET"


BAD = [
    ("[notify]\nretry_minutes = [5, 0]\n", "notify.retry_minutes: [5, 0] is not allowed;"
     " expected a list of whole numbers from 1 to 10080"),
    ("[notify]\nretry_minutes = []\n", "notify.retry_minutes: give at least one wait"),
    ("[notify]\nmax_attempts = 0\n", "notify.max_attempts: 0 is not allowed;"
     " expected a whole number from 1 to 100"),
    ("[notify.email]\nport = 70000\n", "notify.email.port: 70000 is not allowed;"
     " expected a whole number from 1 to 65535"),
    ("[notify.email]\nsecurity = \"tls\"\n",
     "notify.email.security: 'tls' is not one of ssl | starttls | none"),
    ("[notify.email]\npassword = \"hunter2\"\n", "unknown setting 'notify.email.password'"),
    ("[notify.email]\npassword_env = \"my secret\"\n",
     "notify.email.password_env is not the name of an environment variable"),
    (ROBOT.replace("wecom", "slack"),
     "notify.webhooks.service_group.kind: 'slack' is not one of wecom | dingtalk | feishu | json"),
    (ROBOT + 'roles = ["boss"]\n',
     "notify.webhooks.service_group.roles: 'boss' is not a staff role"),
    ('[notify.webhooks.g]\nkind = "wecom"\n', "notify.webhooks.g.url_env is missing"),
    (ROBOT + 'colour = "red"\n', "unknown setting 'notify.webhooks.service_group.colour'"),
    ("[notify.webhooks]\ng = 1\n", "setting 'notify.webhooks.g' must be a table"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), BAD)
def test_a_bad_notify_setting_is_refused_naming_it(tmp_path, text, message):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert message in caught.value.message


SECRET = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=0123-secret-key"


@pytest.mark.parametrize(
    "text",
    [
        ROBOT + f'url = "{SECRET}"\n',
        f'[notify.webhooks.g]\nkind = "wecom"\nurl_env = "{SECRET}"\n',
    ],
)
def test_a_secret_written_in_the_file_is_refused_without_repeating_it(initdb, rows, tmp_path, text):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    r = initdb("--config", str(path), "staff", "add", "王伟", "--role", "gm")
    assert r.exit_code == 65, r.output
    assert r.stderr.startswith("Error: notify.webhooks."), r.stderr
    assert "environment variable" in r.stderr
    assert "secret-key" not in r.output
    assert rows("SELECT * FROM staff") == []
