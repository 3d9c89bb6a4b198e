"""`followup export KIND`: CSV for Excel (UTF-8 with BOM, formulas neutralised) or JSON."""

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from followup_cli.cli.common import DataFormat, DataFormatOption
from followup_cli.cli.state import open_session
from followup_cli.support.errors import StorageError, UsageError
from followup_cli.support.i18n import _, label
from followup_cli.transfer.exporting import chinese_headers, export_records, write_csv, write_json


def export_cmd(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND",
            help="customers, contacts, staff, events, calls, tickets or callbacks.",
        ),
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to FILE (mode 0600).")
    ] = None,
    redact: Annotated[
        bool, typer.Option("--redact", help="Mask phones (138****8000), WeChat, email, birth year.")
    ] = False,
    headers: Annotated[
        str,
        typer.Option(
            "--headers",
            help="CSV column headers: en (field names, default) or zh (客户编号, 客户名称 ...).",
        ),
    ] = "en",
    fmt: DataFormatOption = DataFormat.csv,
) -> None:
    """Export a table as CSV for Excel, or as JSON.

    The CSV (UTF-8 with BOM, formulas neutralised) imports back unchanged, with English
    or (--headers zh, for people) Chinese headers.

    \b
    Examples:
      followup export customers --output 客户.csv
      followup export customers --headers zh --output 客户.csv
      followup export calls --redact --format json > calls.json
    """

    if headers not in ("en", "zh"):
        raise typer.BadParameter(
            _("{value} is not valid; expected {expected}").format(
                value=repr(headers), expected=_("en or zh")
            ),
            param_hint="'--headers'",
        )
    if headers == "zh" and fmt == DataFormat.json:
        raise UsageError(
            _("--headers zh is for CSV; JSON keys are always the field names"),
            _("Leave out --headers, or use --format csv."),
        )
    session = open_session(ctx)
    with session.read():
        header, records = export_records(
            session, kind, redact=redact, as_json=fmt == DataFormat.json
        )
        if headers == "zh":
            header = chinese_headers(kind, header)
        writer = write_json if fmt == DataFormat.json else write_csv
        if output is None:
            writer(header, records, sys.stdout)
            return
        tmp = output.with_name(f".{output.name}.part")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                count = writer(header, records, fh)
            os.replace(tmp, output)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StorageError(
                _("cannot write {path}: {error}").format(path=output, error=exc.strerror)
            ) from None
        except BaseException:  # Ctrl-C: no half-written file is left behind
            tmp.unlink(missing_ok=True)
            raise
    print(
        _("Exported {n} {kind} to {path}").format(n=count, kind=label("table", kind), path=output),
        file=sys.stderr,
    )
