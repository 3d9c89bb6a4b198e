"""`followup export KIND`: CSV for Excel (UTF-8 with BOM, formulas neutralised) or JSON."""

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from followup_cli.cli.common import Format, FormatOption
from followup_cli.cli.state import open_session


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
    fmt: FormatOption = Format.csv,
) -> None:
    """Export a table as CSV for Excel, or as JSON.

    The CSV (UTF-8 with BOM, formulas neutralised) imports back unchanged.

    \b
    Examples:
      followup export customers --output 客户.csv
      followup export calls --redact --format json > calls.json
    """
    from followup_cli.errors import StorageError, UsageError
    from followup_cli.exporting import export_records, write_csv, write_json

    if fmt == Format.table:
        raise UsageError("export writes csv or json", "Use --format csv (default) or json.")
    session = open_session(ctx)
    with session.read():
        header, records = export_records(session, kind, redact=redact, as_json=fmt == Format.json)
        writer = write_json if fmt == Format.json else write_csv
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
            raise StorageError(f"cannot write {output}: {exc.strerror}") from None
    print(f"Exported {count} {kind} to {output}", file=sys.stderr)
