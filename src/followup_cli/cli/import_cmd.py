"""`followup import KIND FILE`: CSV from Excel, ERP exports and scripts, all or nothing."""

import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from followup_cli.cli.common import TextFormat, TextFormatOption
from followup_cli.cli.state import open_session, state
from followup_cli.render.output import ProgressBar, to_json, warn
from followup_cli.support.errors import UsageError
from followup_cli.support.i18n import _, label
from followup_cli.transfer.changes import FLAGS, VALUE_LABELS
from followup_cli.transfer.checks import ImportOptions
from followup_cli.transfer.importing import import_file
from followup_cli.transfer.results import FieldChange, ImportErrors

KINDS = ("customers", "contacts", "events", "calls", "staff")


class ImportCommand(TyperCommand):
    """`followup import KIND --help` ends with the columns a KIND file may have (English
    name, the Chinese headers accepted, required or not), from the one declaration in
    followup_cli.transfer.columns."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        words = [a for a in args if not a.startswith("-")]
        if words and ("--help" in args or "-h" in args):
            ctx.meta["import_kind"] = words[0]
        return super().parse_args(ctx, args)

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        super().format_epilog(ctx, formatter)
        kind = ctx.meta.get("import_kind")
        if kind not in KINDS:
            formatter.write_paragraph()
            formatter.write_text(_("The columns of each kind: `followup import KIND --help`."))
            return
        # Only the help of one kind needs the column declarations.
        from followup_cli.transfer.columns import COLUMNS

        def required(column: Any) -> bool:  # a customer's name too (checked apart)
            return bool(column.required or (kind, column.name) == ("customers", "name"))

        rows = [
            (
                column.name,
                "、".join(column.aliases) + ("  " + _("(required)") if required(column) else ""),
            )
            for column in COLUMNS[kind]
        ]
        with formatter.section(_("Columns of {kind}").format(kind=kind)):
            formatter.write_dl(rows)


COMMAND_CLASS = ImportCommand


def import_cmd(
    ctx: typer.Context,
    kind: Annotated[
        str, typer.Argument(metavar="KIND", help="customers, contacts, events, calls or staff.")
    ],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The CSV file.")],
    encoding: Annotated[
        str, typer.Option("--encoding", help="auto (default), utf-8, utf-16 or gb18030.")
    ] = "auto",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate, count and list the changes; write nothing.")
    ] = False,
    rename: Annotated[
        bool,
        typer.Option(
            "--rename",
            help="customers: a known code under another name renames that customer.",
        ),
    ] = False,
    allow_duplicate_name: Annotated[
        bool,
        typer.Option(
            "--allow-duplicate-name",
            help="customers: accept a new name another customer already has.",
        ),
    ] = False,
    fmt: TextFormatOption = TextFormat.table,
) -> None:
    """Import a CSV file: every row checked, all or nothing.

    Every row is checked first; then all of it is written, or none.

    Headers in English (field names) or Chinese (客户编号, 客户名称, 等级, 电话 ...), in
    any order. Encodings: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030.
    Importing the same file again changes nothing. Import staff, then customers, then
    contacts, events and calls. Every field changed in a row already there is listed
    (code, field: old → new). A known customer code under another company's name, or a
    name two customers would share, is refused unless --rename or
    --allow-duplicate-name says so.

    \b
    Examples:
      followup import customers 客户.csv --dry-run
      followup import events 服务工单.csv
    """

    if kind not in KINDS:
        raise UsageError(
            _("cannot import '{kind}'").format(kind=kind),
            _("Import one of: {kinds}.").format(kinds=", ".join(KINDS)),
        )
    for flag, given in (("--rename", rename), ("--allow-duplicate-name", allow_duplicate_name)):
        if given and kind != "customers":
            raise UsageError(
                _("{option} applies to customers only").format(option=flag),
                _("Leave it out of `followup import {kind}`.").format(kind=kind),
            )
    options = ImportOptions(rename=rename, duplicate_names=allow_duplicate_name)
    session = open_session(ctx)
    progress = _progress_bar(file)
    try:
        report = import_file(
            session,
            kind,
            file,
            encoding=encoding,
            dry_run=dry_run,
            options=options,
            progress=progress,
        )
    except ImportErrors as exc:
        for err in exc.errors:
            print(err.format(exc.path), file=sys.stderr)
        if exc.total > len(exc.errors):
            print(_("... and {n} more").format(n=exc.total - len(exc.errors)), file=sys.stderr)
        raise
    finally:
        if progress is not None:
            progress.close()
    if state(ctx).debug and not report.dry_run:
        if report.lock_holds > 1:
            held = _(
                "write lock held {seconds} s at most, in {n} transactions ({total} s in all)"
            ).format(
                seconds=f"{report.lock_longest_s:.3f}",
                n=report.lock_holds,
                total=f"{report.lock_held_s:.3f}",
            )
        else:
            held = _("write lock held {seconds} s").format(seconds=f"{report.lock_held_s:.3f}")
        print(held, file=sys.stderr)
        if report.settled_again:
            print(
                _("settled again inside the lock: {n} customers written to meanwhile").format(
                    n=report.settled_again
                ),
                file=sys.stderr,
            )
    _print_report(report, fmt.value)
    if report.owed_left and kind == "events":
        warn(
            _(
                "the file is imported, but the callbacks of {n} of its new events are not"
                " written yet (the database was busy or full): the next `followup due`"
                " plans them"
            ).format(n=report.owed_left)
        )
    elif report.owed_left:
        warn(
            _(
                "the file is imported, but the callbacks of {n} of its new customers are"
                " not written yet (the database was busy or full): the next `followup due`"
                " plans them"
            ).format(n=report.owed_left)
        )
    if kind == "customers" and not dry_run:
        _warn_without_managers(session)


def _warn_without_managers(session: Any) -> None:
    """Seed 001: "为每个核心客户和重要客户选派精干的关系经理": one line on stderr naming
    the office's core and important customers without an owner (the import stands)."""
    # Only this check needs the early-warning module (start-up of the other commands).
    from followup_cli.domain.complaints.early_warning import without_relationship_manager

    codes = without_relationship_manager(session)
    if codes:
        shown = ", ".join(codes[:5]) + (", ..." if len(codes) > 5 else "")
        warn(
            _(
                "{n} core or important customers have no relationship manager: {codes}; set"
                " one with `followup customer edit CODE --owner STAFF`"
            ).format(n=len(codes), codes=shown)
        )


def _print_report(report: Any, fmt: str) -> None:
    if fmt == "json":
        data = asdict(report)
        for measured in ("lock_held_s", "lock_longest_s", "lock_holds", "owed_left"):
            data.pop(measured)  # (measurements and notes, not what was imported)
        data.pop("settled_again")
        print(to_json(data))
        return
    if report.ignored_columns:
        warn(_("columns not imported: {columns}").format(columns=", ".join(report.ignored_columns)))
    template = (
        _(
            "Would import {kind} from {path} ({encoding}): {rows} rows — "
            "{new} new, {updated} updated, {unchanged} unchanged"
        )
        if report.dry_run
        else _(
            "Imported {kind} from {path} ({encoding}): {rows} rows — "
            "{new} new, {updated} updated, {unchanged} unchanged"
        )
    )
    line = template.format(
        kind=label("table", report.kind),
        path=report.path,
        encoding=_(report.encoding),
        rows=report.rows,
        new=report.inserted,
        updated=report.updated,
        unchanged=report.unchanged,
    )
    if not report.dry_run and report.callbacks_planned:
        line += _("; {n} callbacks planned").format(n=report.callbacks_planned)
    print(line)
    for change in report.changes:
        print(_change_line(report.kind, change))
    if not report.dry_run and report.rows and report.inserted == report.updated == 0:
        print(_("Nothing changed: this file was already imported."))


def _change_line(kind: str, change: FieldChange) -> str:
    """`  C001 (line 3): phone: 0531-88886666 → 0531-99999999`, values in the reader's
    language where they are words of a vocabulary."""
    context = VALUE_LABELS.get(kind, {}).get(change.field)

    def shown(value: Any) -> str:
        if value is None or value == "":
            return _("(empty)")
        if change.field in FLAGS:
            return _("yes") if value else _("no")
        return label(context, value) if context else str(value)

    template = (
        _("  {key}: {field}: {old} → {new}")
        if change.line is None
        else _("  {key} (line {line}): {field}: {old} → {new}")
    )
    return template.format(
        key=change.key,
        line=change.line,
        field=label("field", change.field),
        old=shown(change.old),
        new=shown(change.new),
    )


def _progress_bar(file: Path) -> Any:
    """A progress bar for large files on a terminal; None for cron and pipes."""

    try:
        big = file.stat().st_size > 2_000_000
    except OSError:
        return None
    if not big or not sys.stderr.isatty():
        return None

    return ProgressBar()
