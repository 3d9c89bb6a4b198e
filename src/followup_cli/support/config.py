"""Configuration: the shipped defaults.toml, overridden key by key by the user's file."""

from __future__ import annotations

import json
import os
import stat
import zlib
from dataclasses import dataclass, field
from datetime import tzinfo
from functools import cache
from pathlib import Path
from typing import Any

from followup_cli.domain.vocabulary import REASONS, TIERS
from followup_cli.support.config_schema import check_settings
from followup_cli.support.dates import Interval, parse_interval, zone_named
from followup_cli.support.errors import ConfigError, InvalidValue
from followup_cli.support.i18n import SETTINGS, _
from followup_cli.support.i18n import normalise as normalise_language
from followup_cli.support.patterns import Pattern

# Tables whose keys are the user's to choose (new grades, categories, event kinds...):
# a key there need not exist in the defaults.
_OPEN_TABLES = {
    "tiers",
    "visits",
    "categories",
    "questions",
    "planning.event_offsets",
    "planning.second_level.roles",
    "tickets.sla_days",
    "escalation.ladders",
    "warnings.route",
    "warnings.climb",
    "urgency.reason",
    "notify.webhooks",
}

# Settings that earlier releases shipped but no code ever read (call channels, outcomes
# and satisfaction labels, ticket severities: fixed vocabularies, declared with their
# Chinese words in followup_cli.domain.vocabulary and held by the schema). A config file
# that sets one keeps working (it never changed anything) and is told to drop it.
_RETIRED = {"calls", "tickets.severities"}


def default_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "followup" / "config.toml"


def defaults_text() -> str:
    # (beside this module, installed or not; importlib.resources would cost a zipfile import)
    return (Path(__file__).parent / "defaults.toml").read_text(encoding="utf-8")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "followup"


def parse_toml(text: str) -> dict[str, Any]:
    """TOML parsed once per distinct text: the result is kept as JSON in the user's cache
    folder, since loading the TOML parser costs more than a command's own work. Errors
    are tomllib's; a cache that cannot be read or written is simply not used."""
    key = f"toml-{zlib.crc32(text.encode('utf-8')):08x}-{len(text)}.json"
    cached = cache_dir() / key
    try:
        data: dict[str, Any] = json.loads(cached.read_text(encoding="utf-8"))
        return data
    except (OSError, ValueError):
        pass
    # tomllib costs start-up: only a config text not yet in the cache is parsed.
    import tomllib

    data = tomllib.loads(text)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, cached)
    except OSError:
        pass
    return data


@cache
def _defaults_json() -> str:
    return json.dumps(parse_toml(defaults_text()))


def _defaults() -> dict[str, Any]:
    """A fresh copy of the shipped defaults."""
    data: dict[str, Any] = json.loads(_defaults_json())
    return data


def _merge(base: dict[str, Any], override: dict[str, Any], path: str, retired: list[str]) -> None:
    for key, value in override.items():
        where = f"{path}.{key}" if path else key
        open_table = (
            path in _OPEN_TABLES
            or path.split(".")[0] in {"visits", "categories"}
            or path.startswith("planning.event_offsets.")  # a tier's own offsets
        )
        if key not in base:
            if where in _RETIRED:
                retired.append(where)
                continue
            if not open_table:
                raise ConfigError(
                    _("unknown setting '{name}' in the config file").format(name=where),
                    _("Run `followup config show` to see the settings and their names."),
                )
            base[key] = value
            continue
        current = base[key]
        if isinstance(current, dict):
            if not isinstance(value, dict):
                raise ConfigError(_("setting '{name}' must be a table").format(name=where))
            _merge(current, value, where, retired)
        elif isinstance(current, bool) != isinstance(value, bool) or (
            type(current) is not type(value) and not _numeric_pair(current, value)
        ):
            raise ConfigError(
                _("setting '{name}' must be {type}, not {given} ({value})").format(
                    name=where,
                    type=type(current).__name__,
                    given=type(value).__name__,
                    value=repr(value),
                )
            )
        else:
            base[key] = value


def _numeric_pair(a: object, b: object) -> bool:
    return isinstance(a, int | float) and isinstance(b, int | float)


@dataclass
class Config:
    """The effective configuration: `data` holds the merged TOML tables."""

    data: dict[str, Any]
    source: Path | None = None
    retired: list[str] = field(default_factory=list)  # settings set that nothing reads
    _intervals: dict[str, Interval] = field(default_factory=dict, repr=False)
    _zone: tzinfo | None = field(default=None, repr=False)

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, dotted: str) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            node = node[part]
        return node

    def interval(self, value: str, where: str) -> Interval:
        cached = self._intervals.get(value)
        if cached is None:
            try:
                cached = parse_interval(value, where)
            except InvalidValue as exc:
                raise ConfigError(
                    _("config {message}").format(message=exc.message),
                    _("Correct it in the config file, or delete it to use the default"
                      " (`followup config show` prints the defaults)."),
                ) from None  # fmt: skip
            self._intervals[value] = cached
        return cached

    @property
    def zone(self) -> tzinfo:
        """The office's time zone (`timezone`): its clock and its date, whatever the
        machine's TZ."""
        if self._zone is None:
            self._zone = office_zone(str(self.data["timezone"]))
        return self._zone

    # -- domain vocabulary -------------------------------------------------
    def tier(self, grade: int) -> str:
        return str(self.data["tiers"].get(str(grade), "general"))

    @property
    def staff_roles(self) -> list[str]:
        return list(self.data["staff"]["roles"])

    @property
    def contact_roles(self) -> list[str]:
        return list(self.data["contacts"]["roles"])

    @property
    def categories(self) -> list[str]:
        return list(self.data["categories"])

    @property
    def event_kinds(self) -> list[str]:
        return list(self.data["planning"]["event_offsets"])

    def event_offsets(self, kind: str, tier: str) -> list[str]:
        """The offsets after an event of `kind` for a customer of `tier`: the tier's own
        list, else the kind's default (none for a kind not configured)."""
        by_tier = self.data["planning"]["event_offsets"].get(kind)
        if by_tier is None:
            return []
        return list(by_tier.get(tier, by_tier["default"]))

    def second_level_role(self, kind: str) -> str | None:
        """Who checks an event of `kind` at level 2, or None when the kind has no check."""
        rule = self.data["planning"]["second_level"]
        if kind not in rule["event_kinds"]:
            return None
        return str(rule["roles"].get(kind, rule["role"]))


def office_zone(name: str) -> tzinfo:
    """The zone the `timezone` setting names; a ConfigError saying so when it names none."""
    try:
        return zone_named(name)
    except InvalidValue:
        raise ConfigError(
            _("timezone: '{value}' is not a time zone this machine knows").format(value=name),
            _(
                'Set timezone to a tz database name such as "Asia/Shanghai" or "UTC";'
                " if no name works, install the tzdata package."
            ),
        ) from None


def load_config(path: Path | None, *, explicit: bool = False) -> Config:
    """Defaults merged with the file at `path` (if it exists).

    `explicit` means the user named the file (--config / FOLLOWUP_CONFIG): then a
    missing file is an error rather than "use the defaults".
    """
    data = _defaults()
    if path is None:
        return Config(data)
    try:
        text = read_config_text(path)
    except FileNotFoundError:
        if explicit:
            raise ConfigError(
                _("config file not found: {path}").format(path=path),
                _("Create one with `followup config init PATH`, or drop --config."),
            ) from None
        return Config(data)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            _("cannot read config file {path}: {error}").format(path=path, error=exc)
        ) from None
    try:
        user = parse_toml(text)
    except ValueError as exc:  # tomllib.TOMLDecodeError
        raise ConfigError(
            _("config file {path} is not valid TOML: {error}").format(path=path, error=exc)
        ) from None
    except RecursionError:  # (tomllib parses nested arrays and tables recursively)
        raise ConfigError(
            _("config file {path} is nested too deeply to be a followup config").format(path=path),
            _("Run `followup config init PATH` for a template to start from."),
        ) from None
    retired: list[str] = []
    flat_offsets = _flat_event_offsets(user)
    _merge(data, user, "", retired)
    for kind, offsets in flat_offsets.items():
        data["planning"]["event_offsets"][kind] = {"default": offsets}
    config = Config(data, source=path, retired=retired)
    validate(config)
    return config


def _flat_event_offsets(user: dict[str, Any]) -> dict[str, Any]:
    """An event kind's offsets written as one list (`service = ["2d", "7d"]`, as releases
    before the per-tier tables had it) stand for every tier: taken out of `user` here,
    and put back as the kind's whole table ({"default": [...]}) after the merge."""
    planning = user.get("planning")
    table = planning.get("event_offsets") if isinstance(planning, dict) else None
    if not isinstance(table, dict):
        return {}
    return {kind: table.pop(kind) for kind in list(table) if isinstance(table[kind], list)}


# Intervals in one kind's (and tier's) list of event offsets, at most.
MAX_EVENT_OFFSETS = 20


# A config file is a page of settings: anything larger is not one (and /dev/zero is endless).
CONFIG_MAX_BYTES = 1024 * 1024


def read_config_text(path: Path) -> str:
    """The text of the config file at `path`: a regular file of at most CONFIG_MAX_BYTES.
    The file type is checked before opening (a FIFO would block the open), and at most
    one byte past the cap is read."""
    kind = _file_kind(os.stat(path).st_mode)
    if kind is not None:
        raise ConfigError(
            _("config file {path} is {kind}, not a regular file").format(path=path, kind=kind),
            _("Point --config (or FOLLOWUP_CONFIG) at a TOML file."),
        )
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as handle:
        kind = _file_kind(os.fstat(fd).st_mode)  # (swapped between the check and the open)
        if kind is not None:
            raise ConfigError(
                _("config file {path} is {kind}, not a regular file").format(path=path, kind=kind),
                _("Point --config (or FOLLOWUP_CONFIG) at a TOML file."),
            )
        raw = handle.read(CONFIG_MAX_BYTES + 1)
    if len(raw) > CONFIG_MAX_BYTES:
        raise ConfigError(
            _("config file {path} is larger than {size} KiB: not a followup config").format(
                path=path, size=CONFIG_MAX_BYTES // 1024
            ),
            _("Run `followup config init PATH` for a template to start from."),
        )
    return raw.decode("utf-8-sig")


def _file_kind(mode: int) -> str | None:
    """None for a regular file, else what it is, in words."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISFIFO(mode):
        return _("a named pipe")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    return _("a special file")


def validate(config: Config) -> None:
    """Check the values that rules depend on, naming the setting that is wrong: first each
    value's type and range (config_schema), then how settings refer to each other."""
    _check_robots(config)
    check_settings(config.data, config.interval)
    roles = set(config.staff_roles)
    config._zone = office_zone(str(config["timezone"]))
    language = str(config["language"])
    if language.strip().lower() != "auto" and normalise_language(language) is None:
        raise ConfigError(
            _("language: '{value}' is not a language this version knows ({known})").format(
                value=config["language"], known=", ".join(SETTINGS)
            )
        )
    for grade, tier in config["tiers"].items():
        if tier not in TIERS:
            raise ConfigError(
                _("tiers.{grade}: '{tier}' is not a tier ({tiers})").format(
                    grade=grade, tier=tier, tiers=", ".join(TIERS)
                )
            )
    for kind, by_tier in config["planning"]["event_offsets"].items():
        _check_event_offsets(config, kind, by_tier)
    _check_contact_rules(config)
    _check_value_rules(config)
    for grade, matrix in config["visits"].items():
        for role, every in matrix.items():
            if role not in roles:
                raise ConfigError(
                    _("{setting}: '{role}' is not a staff role").format(
                        setting=f"visits.{grade}.{role}", role=role
                    )
                )
            config.interval(every, f"visits.{grade}.{role}")
    for tier, ladder in config["escalation"]["ladders"].items():
        for role in ladder:
            if role not in roles:
                raise ConfigError(
                    _("{setting}: '{role}' is not a staff role").format(
                        setting=f"escalation.ladders.{tier}", role=role
                    )
                )
    if config["escalation"]["last_resort"] not in roles:
        raise ConfigError(
            _("{setting}: '{role}' is not a staff role").format(
                setting="escalation.last_resort", role=config["escalation"]["last_resort"]
            )
        )
    named_roles = [
        ("tickets.report_to", config["tickets"]["report_to"]),
        *(("tickets.approver_roles", r) for r in config["tickets"]["approver_roles"]),
    ]
    if config["escalation"]["severe_start_role"]:
        named_roles.append(
            ("escalation.severe_start_role", config["escalation"]["severe_start_role"])
        )
    for setting, role in named_roles:
        if role not in roles:
            raise ConfigError(
                _("{setting}: '{role}' is not a staff role").format(setting=setting, role=role)
            )
    config.interval(config["tickets"]["return_window"], "tickets.return_window")
    for table in ("route", "climb"):
        for tier, role in config["warnings"][table].items():
            if role not in roles and role != "owner":  # owner: the customer's owner
                raise ConfigError(
                    _("{setting}: '{role}' is not a staff role").format(
                        setting=f"warnings.{table}.{tier}", role=role
                    )
                )
    for kind, questions in config["questions"].items():
        for q in questions:
            if q.get("category") not in config["categories"]:
                raise ConfigError(
                    _("questions.{kind}: category '{category}' is not configured").format(
                        kind=kind, category=q.get("category")
                    )
                )
    second = config["planning"]["second_level"]
    for setting, role in [
        ("planning.second_level.role", second["role"]),
        *((f"planning.second_level.roles.{k}", r) for k, r in second["roles"].items()),
        *(
            ("planning.visit_etiquette.roles", r)
            for r in config["planning"]["visit_etiquette"]["roles"]
        ),
    ]:
        if role not in roles:
            raise ConfigError(
                _("{setting}: '{role}' is not a staff role").format(setting=setting, role=role)
            )
    _check_notify(config, roles)
    for name in ("event_role", "greeting_role", "yearly_role"):
        if config["planning"][name] not in roles:
            raise ConfigError(
                _("planning.{name}: '{role}' is not a role").format(
                    name=name, role=config["planning"][name]
                )
            )


def _check_value_rules(config: Config) -> None:
    """[visit_reports] names tiers and staff roles; [value]'s shares are grades in order
    (1, 2, ...), before rest_grade, adding up to at most 100%."""
    reports = config["visit_reports"]
    for tier in reports["tiers"]:
        if tier not in TIERS:
            raise ConfigError(
                _("{setting}: '{tier}' is not a tier ({tiers})").format(
                    setting="visit_reports.tiers", tier=tier, tiers=", ".join(TIERS)
                )
            )
    for role in reports["reviewer_roles"]:
        if role not in config.staff_roles:
            raise ConfigError(
                _("{setting}: '{role}' is not a staff role").format(
                    setting="visit_reports.reviewer_roles", role=role
                )
            )
    value = config["value"]
    grades = sorted(value["shares"])
    if grades != [str(g) for g in range(1, len(grades) + 1)] or len(grades) > 4:
        raise ConfigError(
            _("{setting}: the grades must be 1, 2, … in order, at most four of them (found {found})")
            .format(setting="value.shares", found=", ".join(grades) or "-")
        )  # fmt: skip
    if sum(float(v) for v in value["shares"].values()) > 100:
        raise ConfigError(
            _("{setting}: the shares add up to more than 100%").format(setting="value.shares")
        )
    if int(value["rest_grade"]) <= len(grades):
        raise ConfigError(
            _("{setting}: {grade} is not after the grades in {shares}").format(
                setting="value.rest_grade", grade=value["rest_grade"], shares="value.shares"
            )
        )


def _check_event_offsets(config: Config, kind: str, by_tier: Any) -> None:
    """One kind's offsets: a table with `default` and tiers' own lists, each of at most
    MAX_EVENT_OFFSETS intervals (the intervals themselves checked by config_schema)."""
    where = f"planning.event_offsets.{kind}"
    if "default" not in by_tier:
        raise ConfigError(
            _("{setting}: no `default` offsets (the list for every tier)").format(setting=where),
            _('Add a line such as `default = ["2d", "7d", "1m"]` to [{setting}].').format(
                setting=where
            ),
        )
    for tier, offsets in by_tier.items():
        if tier != "default" and tier not in TIERS:
            raise ConfigError(
                _("{setting}: '{tier}' is not a tier ({tiers})").format(
                    setting=f"{where}.{tier}", tier=tier, tiers=", ".join(("default", *TIERS))
                )
            )
        if len(offsets) > MAX_EVENT_OFFSETS:
            raise ConfigError(
                _("{setting}: {n} offsets; at most {most} are allowed").format(
                    setting=f"{where}.{tier}", n=len(offsets), most=MAX_EVENT_OFFSETS
                )
            )


# What [contacts] callback_order may name besides the contact roles.
CONTACT_STEPS = ("event-contact", "primary")


def _check_contact_rules(config: Config) -> None:
    """[contacts]: the order names steps or contact roles, the roles are contact roles,
    the reasons callback reasons, the tiers tiers."""
    contacts = config["contacts"]
    roles = set(config.contact_roles)
    lists = (
        ("callback_order", roles | set(CONTACT_STEPS)),
        ("avoid_roles", roles),
        ("key_roles", roles),
        ("in_charge_reasons", set(REASONS)),
        ("key_people_tiers", set(TIERS)),
    )
    for name, allowed in lists:
        for value in contacts[name]:
            if value not in allowed:
                raise ConfigError(
                    _("contacts.{name}: '{value}' is not one of {allowed}").format(
                        name=name, value=value, allowed=", ".join(sorted(allowed))
                    )
                )


# What a robot's table in [notify.webhooks] holds; `kind` and `url_env` are needed.
ROBOT_KEYS = ("kind", "url_env", "secret_env", "roles")
ROBOT_KINDS = ("wecom", "dingtalk", "feishu", "json")
EMAIL_SECURITY = ("ssl", "starttls", "none")
# An environment variable's name, as a shell exports it.
_ENV_NAME = Pattern(r"[A-Za-z_][A-Za-z0-9_]*")
# Keys that would put a secret in the file: named, with where the secret goes instead.
_SECRET_KEYS = {"url": "url_env", "secret": "secret_env", "key": "url_env", "token": "url_env"}


def _check_robots(config: Config) -> None:
    """Each robot of [notify.webhooks] is a table of the known keys (a secret written in
    the file is refused without being repeated: it names the variable to use instead)."""
    robots = config["notify"]["webhooks"]
    for name, robot in robots.items():
        where = f"notify.webhooks.{name}"
        if not isinstance(robot, dict):
            raise ConfigError(_("setting '{name}' must be a table").format(name=where))
        for key in robot:
            if key in _SECRET_KEYS:
                raise ConfigError(
                    _("{name}: a robot's {key} is a secret and is never read from a file").format(
                        name=f"{where}.{key}", key=key
                    ),
                    _("Delete it, export it in an environment variable and name that"
                      " variable in {setting}.").format(setting=f"{where}.{_SECRET_KEYS[key]}"),
                )  # fmt: skip
            if key not in ROBOT_KEYS:
                raise ConfigError(
                    _("unknown setting '{name}' in the config file").format(name=f"{where}.{key}"),
                    _("A robot has {keys}.").format(keys=", ".join(ROBOT_KEYS)),
                )
        for key in ("kind", "url_env"):
            if key not in robot:
                raise ConfigError(
                    _("{name} is missing").format(name=f"{where}.{key}"),
                    _("A robot needs kind ({kinds}) and url_env.").format(
                        kinds=" | ".join(ROBOT_KINDS)
                    ),
                )


def _check_notify(config: Config, roles: set[str]) -> None:
    """The [notify] choices: email security, each robot's kind, roles and variables."""
    notify = config["notify"]
    if not notify["retry_minutes"]:
        raise ConfigError(
            _("{setting}: give at least one wait, e.g. [5, 30, 120]").format(
                setting="notify.retry_minutes"
            )
        )
    email = notify["email"]
    if email["security"] not in EMAIL_SECURITY:
        raise ConfigError(
            _("{setting}: '{value}' is not one of {choices}").format(
                setting="notify.email.security",
                value=email["security"],
                choices=" | ".join(EMAIL_SECURITY),
            )
        )
    variables = [("notify.email.password_env", email["password_env"])]
    for name, robot in notify["webhooks"].items():
        where = f"notify.webhooks.{name}"
        if robot["kind"] not in ROBOT_KINDS:
            raise ConfigError(
                _("{setting}: '{value}' is not one of {choices}").format(
                    setting=f"{where}.kind", value=robot["kind"], choices=" | ".join(ROBOT_KINDS)
                )
            )
        for role in robot.get("roles", []):
            if role not in roles:
                raise ConfigError(
                    _("{setting}: '{role}' is not a staff role").format(
                        setting=f"{where}.roles", role=role
                    )
                )
        if not robot["url_env"]:
            raise ConfigError(_("{name} is missing").format(name=f"{where}.url_env"))
        variables += [(f"{where}.url_env", robot["url_env"])]
        variables += [(f"{where}.secret_env", robot.get("secret_env", ""))]
    for setting, variable in variables:
        if variable and not _ENV_NAME.fullmatch(variable):
            raise ConfigError(
                # (the value is not repeated: it may be the secret itself, pasted there)
                _("{setting} is not the name of an environment variable").format(
                    setting=setting
                ),
                _("Name the variable that holds the secret, e.g. FOLLOWUP_SMTP_PASSWORD;"
                  " the secret itself never goes in the file."),
            )  # fmt: skip


# -- writing TOML (config show) -------------------------------------------------

_BARE_KEY = Pattern(r"[A-Za-z0-9_-]+")


def _key(k: str) -> str:
    return k if _BARE_KEY.fullmatch(k) else '"' + k.replace('"', '\\"') + '"'


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def to_toml(data: dict[str, Any], prefix: str = "") -> str:
    """Serialise the effective config back to TOML (scalars first, then tables)."""
    lines: list[str] = []
    tables: list[tuple[str, Any]] = []
    for k, v in data.items():
        if isinstance(v, dict) or isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            tables.append((k, v))
        else:
            lines.append(f"{_key(k)} = {_value(v)}")
    for k, v in tables:
        name = f"{prefix}.{_key(k)}" if prefix else _key(k)
        if isinstance(v, list):
            for item in v:
                lines.append("")
                lines.append(f"[[{name}]]")
                lines.append(to_toml(item, name).strip("\n"))
        else:
            body = to_toml(v, name).strip("\n")
            lines.append("")
            lines.append(f"[{name}]")
            if body:
                lines.append(body)
    return "\n".join(lines).strip("\n") + "\n"


def template_text() -> str:
    """The defaults with every setting commented out: uncomment what you want to change."""
    out = [
        "# followup configuration. Every setting below is commented out and shows its default;",
        "# uncomment and edit the ones you want to change. `followup config show` prints the",
        "# effective configuration.",
        "",
    ]
    for line in defaults_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            out.append(line)
        else:
            out.append("# " + line)
    return "\n".join(out) + "\n"
