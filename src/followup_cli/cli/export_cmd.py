"""`followup export KIND`: CSV for Excel (UTF-8 with BOM, formulas neutralised) or JSON."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from followup_cli.cli.common import DataFormat, DataFormatOption, FileName
from followup_cli.cli.state import open_session
from followup_cli.support.errors import UsageError
from followup_cli.support.i18n import _, label
from followup_cli.support.output_files import is_stdout, open_output
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
        Path | None,
        typer.Option(
            "--output",
            "-o",
            click_type=FileName(),
            help="Write to FILE (mode 0600; - for standard output). Never through a link.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE if it already exists.")
    ] = False,
    redact: Annotated[
        bool,
        typer.Option(
            "--redact",
            help="Mask phones (138****8000), WeChat, email, birth year; in notes and other free text too.",
        ),
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
      followup export customers --force --output 客户.csv   # replace last week's
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
        if output is None or is_stdout(output):
            writer(header, records, sys.stdout)
            return
        with open_output(output, force=force) as fh:
            count = writer(header, records, fh)
    print(
        _("Exported {n} {kind} to {path}").format(n=count, kind=label("table", kind), path=output),
        file=sys.stderr,
    )
