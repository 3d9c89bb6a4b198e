"""The [notify] settings as the outbox and delivery read them, and which channels reach a
staff member. Secrets are never here: only the names of the environment variables that
hold them (read at delivery, see delivery.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from followup_cli.support.config import Config

EMAIL = "email"  # the channel name of email; a robot's channel is its name in the config


@dataclass(frozen=True)
class EmailSettings:
    host: str  # empty: email off
    port: int
    security: str  # ssl | starttls | none
    user: str
    password_env: str
    sender: str


@dataclass(frozen=True)
class Robot:
    name: str
    kind: str  # wecom | dingtalk | feishu | json
    url_env: str
    secret_env: str
    roles: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class NotifySettings:
    retry_minutes: tuple[int, ...]
    max_attempts: int
    email: EmailSettings
    robots: tuple[Robot, ...]

    def robot(self, name: str) -> Robot | None:
        return next((r for r in self.robots if r.name == name), None)

    def channels_for(self, role: str, email: str | None) -> list[tuple[str, str | None]]:
        """(channel, address) of every channel that reaches a staff member of `role` with
        `email`: email when it is on and they have an address, and each robot of their
        role."""
        found: list[tuple[str, str | None]] = []
        if self.email.host and email:
            found.append((EMAIL, email))
        found += [(r.name, None) for r in self.robots if role in r.roles]
        return found

    def wait_after(self, attempts: int) -> int:
        """Minutes before the next try of a notice tried `attempts` times (the last
        wait of retry_minutes repeats)."""
        waits = self.retry_minutes
        return waits[min(attempts, len(waits)) - 1]


def notify_settings(config: Config) -> NotifySettings:
    notify = config["notify"]
    email = notify["email"]
    return NotifySettings(
        retry_minutes=tuple(int(m) for m in notify["retry_minutes"]),
        max_attempts=int(notify["max_attempts"]),
        email=EmailSettings(
            host=str(email["host"]).strip(),
            port=int(email["port"]),
            security=str(email["security"]),
            user=str(email["user"]),
            password_env=str(email["password_env"]),
            sender=str(email["sender"]),
        ),
        robots=tuple(
            Robot(
                name=str(name),
                kind=str(robot["kind"]),
                url_env=str(robot["url_env"]),
                secret_env=str(robot.get("secret_env", "")),
                roles=tuple(str(r) for r in robot.get("roles", [])),
            )
            for name, robot in notify["webhooks"].items()
        ),
    )
