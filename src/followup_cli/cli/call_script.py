"""The call script (seed 000: a standard process and question order makes callbacks
worth doing). Runs only on a terminal: shows who to call, the number and every pending
reason, asks the outcome and each question in order, and confirms before saving."""

from collections.abc import Sequence
from typing import Any

import typer

from followup_cli.cli.call_report import report_call
from followup_cli.domain import vocabulary as vocab
from followup_cli.domain.calls.log import answer_value, call_brief, log_call, validate_call
from followup_cli.domain.texts import render
from followup_cli.support.errors import InvalidValue
from followup_cli.support.i18n import _, label


def _choose(prompt: str, kind: str, options: Sequence[str] | None = None) -> str:
    """A value of `kind`, by its number in the list or by any word `vocab.accept` takes."""
    values = tuple(options) if options is not None else vocab.VOCABULARIES[kind].values
    shown_kind = vocab.VOCABULARIES[kind].label_kind
    for i, option in enumerate(values, 1):
        shown = label(shown_kind, option)
        typer.echo(f"  {i}. {option}" + (f" {shown}" if shown != option else ""))
    while True:
        raw = str(typer.prompt(prompt)).strip()
        if raw.isdigit() and 1 <= int(raw) <= len(values):
            return values[int(raw) - 1]
        try:
            return vocab.accept(kind, raw, kind, values)
        except InvalidValue:
            typer.echo("  " + _("Please answer 1–{n}.").format(n=len(values)))


def _satisfaction(prompt: str) -> int | None:
    while True:
        raw = str(typer.prompt(prompt, default="", show_default=False)).strip()
        try:
            return vocab.satisfaction_score(raw)
        except InvalidValue:
            typer.echo(
                "  " + _("A number from {low} to {high}, or Enter to skip.").format(low=1, high=5)
            )


def _repurchase(prompt: str) -> str | None:
    while True:
        raw = str(typer.prompt(prompt, default="", show_default=False)).strip()
        if not raw:
            return None
        try:
            return vocab.accept("repurchase", raw, "repurchase")
        except InvalidValue as exc:
            typer.echo(
                "  "
                + _("Please answer {expected}, or Enter to skip.").format(expected=exc.expected)
            )


def _optional_int(prompt: str, low: int, high: int) -> int | None:
    while True:
        raw = str(typer.prompt(prompt, default="", show_default=False)).strip()
        if not raw:
            return None
        if raw.isdigit() and low <= int(raw) <= high:
            return int(raw)
        typer.echo(
            "  " + _("A number from {low} to {high}, or Enter to skip.").format(low=low, high=high)
        )


def _yes_no_skip(question: str) -> str | None:
    while True:
        raw = typer.prompt(
            _("{question} [y/n, Enter to skip]").format(question=question),
            default="",
            show_default=False,
        )
        if not raw.strip():
            return None
        try:
            return answer_value(raw)
        except InvalidValue:
            typer.echo("  " + _("y, n, or Enter to skip."))


def run_call_script(
    ctx: typer.Context, session: Any, customer_ref: str, by: str | None, channel: str
) -> None:
    brief = call_brief(session, customer_ref, by)
    c = brief.customer
    typer.echo(
        _("Call {name} ({code}, grade {grade}, {tier})").format(
            name=c["name"], code=c["code"], grade=c["grade"], tier=label("tier", c["tier"])
        )
    )
    if brief.contact:
        typer.echo(
            "  "
            + _("Ask for: {name} ({role})").format(
                name=brief.contact["name"], role=label("contact_role", brief.contact["role"])
            )
        )
    typer.echo("  " + _("Number:  {phone}").format(phone=brief.phone or _("no phone on file")))
    if brief.open_tickets:
        typer.echo("  " + _("Open complaints: {n}").format(n=brief.open_tickets))
    for r in brief.recent:
        typer.echo(
            "  "
            + _("Recent contact: {day} by {caller} ({outcome})").format(
                day=r["day"], caller=r["caller"], outcome=label("outcome", r["outcome"])
            )
        )
    if brief.reasons:
        typer.echo("  " + _("Why:"))
        for r in brief.reasons:
            values = {
                "id": r["callback_id"],
                "reason": label("reason", r["reason"]),
                "date": r["due_on"],
                "detail": render(r["detail"]),
            }
            if r["detail"]:
                typer.echo("    " + _("#{id} {reason} due {date}: {detail}").format(**values))
            else:
                typer.echo("    " + _("#{id} {reason} due {date}").format(**values))
    else:
        typer.echo(
            "  " + _("Nothing is due for this customer; this call is recorded as a contact.")
        )
    if not by:
        by = typer.prompt(_("Your name (staff)")).strip()
    typer.echo(_("Outcome:"))
    outcome = _choose(_("Outcome"), "outcome")
    answers: dict[str, str] = {}
    satisfaction = recommend = None
    repurchase = complaint = category = severity = None
    if outcome == "reached":
        for q in brief.questions:
            question: str = q["text"]  # a config text: shown translated when it has one
            value = _yes_no_skip(_(question))
            if value:
                answers[q["key"]] = value
        typer.echo(
            _("Satisfaction: {scale}").format(
                scale=", ".join(
                    vocab.satisfaction_label(level.score) for level in vocab.SATISFACTION
                )
            )
        )
        satisfaction = _satisfaction(_("Satisfaction 1–5"))
        recommend = _optional_int(_("Would recommend us, 0–10"), 0, 10)
        repurchase = _repurchase(_("Would buy again? yes/no/unsure"))
        if typer.confirm(_("Any complaint?"), default=False):
            complaint = typer.prompt(_("What is the complaint")).strip()
            typer.echo(_("Category:"))
            category = _choose(_("Category"), "category", session.config.categories)
            typer.echo(_("Severity:"))
            severity = _choose(_("Severity"), "severity")
    note = typer.prompt(_("Note"), default="", show_default=False).strip() or None
    data = validate_call(
        outcome,
        by,
        session.now,
        channel=channel,
        contact=brief.contact["name"] if brief.contact else None,
        satisfaction=satisfaction,
        recommend=recommend,
        repurchase=repurchase,
        answers=answers,
        note=note,
        complaint=complaint,
        category=category,
        severity=severity,
    )
    summary = [_("outcome {outcome}").format(outcome=label("outcome", outcome))]
    if answers:
        summary.append(", ".join(f"{k}={v}" for k, v in answers.items()))
    if satisfaction:
        summary.append(_("satisfaction {n}").format(n=satisfaction))
    if complaint:
        summary.append(
            _("complaint ({category}, {severity})").format(
                category=label("category", category), severity=label("severity", severity)
            )
        )
    if not typer.confirm(_("Save: {summary}?").format(summary="; ".join(summary)), default=True):
        typer.echo(_("Not saved."))
        raise typer.Exit(1)
    report_call(log_call(session, customer_ref, data))
