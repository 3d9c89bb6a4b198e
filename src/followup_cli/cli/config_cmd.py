"""`followup config ...`: the effective configuration and a commented template."""

from pathlib import Path
from typing import Annotated

import typer

from followup_cli.cli.common import FileName, TextFormat, TextFormatOption, new_app
from followup_cli.cli.state import load_config, state
from followup_cli.render.output import to_json
from followup_cli.support.config import template_text, to_toml
from followup_cli.support.errors import StorageError
from followup_cli.support.i18n import _
from followup_cli.support.output_files import check_target, is_stdout, open_output

app = new_app(
    "The rules in force: defaults and your overrides.",
    "followup config show",
    "followup config show --format json",
    "followup config init",
)


@app.command("show")
def show_cmd(ctx: typer.Context, fmt: TextFormatOption = TextFormat.table) -> None:
    """Print the effective configuration (defaults merged with your file) as TOML.

    \b
    Example:
      followup config show --format json | jq .visits
    """

    config = load_config(ctx)
    if fmt == TextFormat.json:
        print(to_json(config.data))
        return
    source = config.source or _("built-in defaults only")
    print("# " + _("effective configuration (from {source})").format(source=source))
    print(to_toml(config.data), end="")


@app.command("init")
def init_cmd(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Where to write it (- for standard output). Default: the config path in use.",
            click_type=FileName(),
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a commented config template: every setting with its default, commented out.

    \b
    Example:
      followup config init && $EDITOR ~/.config/followup/config.toml
    """

    if is_stdout(path):
        print(template_text(), end="")
        return
    target = path or state(ctx).resolved_config_path()
    check_target(target, force=force)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            _("cannot write {path}: {error}").format(path=target, error=exc.strerror)
        ) from None
    with open_output(target, force=force) as fh:
        fh.write(template_text())
    print(_("Wrote {path}").format(path=target))
