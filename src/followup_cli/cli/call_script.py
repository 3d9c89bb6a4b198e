"""The call script (seed 000: a standard process and question order makes callbacks
worth doing). Runs only on a terminal: shows who to call, the number and every pending
reason, asks the outcome and each question in order, and confirms before saving."""

from typing import Any

import typer

from followup_cli.vocab import OUTCOMES, REPURCHASE

SATISFACTION = {
    5: "高度满意 very satisfied",
    4: "一般满意 satisfied",
    3: "无意见 neutral",
    2: "有些不满意 somewhat dissatisfied",
    1: "极不满意 very dissatisfied",
}


def _choose(label: str, options: list[str] | tuple[str, ...]) -> str:
    for i, option in enumerate(options, 1):
        typer.echo(f"  {i}. {option}")
    while True:
        raw = str(typer.prompt(label)).strip()
        if raw.isdigit() and 1 <= int(raw) <= len(options):
            return options[int(raw) - 1]
        if raw in options:
            return raw
        typer.echo(f"  Please answer 1–{len(options)}.")


def _optional_int(label: str, low: int, high: int) -> int | None:
    while True:
        raw = str(typer.prompt(label, default="", show_default=False)).strip()
        if not raw:
            return None
        if raw.isdigit() and low <= int(raw) <= high:
            return int(raw)
        typer.echo(f"  A number from {low} to {high}, or Enter to skip.")


def _yes_no_skip(label: str) -> str | None:
    while True:
        raw = typer.prompt(f"{label} [y/n, Enter to skip]", default="", show_default=False)
        raw = raw.strip().lower()
        if not raw:
            return None
        if raw in ("y", "yes", "是"):
            return "yes"
        if raw in ("n", "no", "否"):
            return "no"
        typer.echo("  y, n, or Enter to skip.")


def run_call_script(
    ctx: typer.Context, session: Any, customer_ref: str, by: str | None, channel: str
) -> None:
    from followup_cli.calls import call_brief, log_call, validate_call
    from followup_cli.cli.logcall_cmd import report_call

    brief = call_brief(session, customer_ref)
    c = brief.customer
    typer.echo(f"Call {c['name']} ({c['code']}, grade {c['grade']}, {c['tier']})")
    if brief.contact:
        typer.echo(f"  Ask for: {brief.contact['name']} ({brief.contact['role']})")
    typer.echo(f"  Number:  {brief.phone or 'no phone on file'}")
    if brief.open_tickets:
        typer.echo(f"  Open complaints: {brief.open_tickets}")
    for r in brief.recent:
        typer.echo(f"  Recent contact: {r['day']} by {r['caller']} ({r['outcome']})")
    if brief.reasons:
        typer.echo("  Why:")
        for r in brief.reasons:
            typer.echo(
                f"    #{r['callback_id']} {r['reason']} due {r['due_on']}"
                + (f": {r['detail']}" if r["detail"] else "")
            )
    else:
        typer.echo("  Nothing is due for this customer; this call is recorded as a contact.")
    if not by:
        by = typer.prompt("Your name (staff)").strip()
    typer.echo("Outcome:")
    outcome = _choose("Outcome", OUTCOMES)
    answers: dict[str, str] = {}
    satisfaction = recommend = None
    repurchase = complaint = category = severity = None
    if outcome == "reached":
        for q in brief.questions:
            value = _yes_no_skip(q["text"])
            if value:
                answers[q["key"]] = value
        typer.echo("Satisfaction: " + ", ".join(f"{k} {v}" for k, v in SATISFACTION.items()))
        satisfaction = _optional_int("Satisfaction 1–5", 1, 5)
        recommend = _optional_int("Would recommend us, 0–10", 0, 10)
        raw = typer.prompt("Would buy again? yes/no/unsure", default="", show_default=False)
        repurchase = raw.strip().lower() if raw.strip().lower() in REPURCHASE else None
        if typer.confirm("Any complaint?", default=False):
            complaint = typer.prompt("What is the complaint").strip()
            typer.echo("Category:")
            category = _choose("Category", session.config.categories)
            typer.echo("Severity:")
            severity = _choose("Severity", ("minor", "major", "critical"))
    note = typer.prompt("Note", default="", show_default=False).strip() or None
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
    summary = [f"outcome {outcome}"]
    if answers:
        summary.append(", ".join(f"{k}={v}" for k, v in answers.items()))
    if satisfaction:
        summary.append(f"satisfaction {satisfaction}")
    if complaint:
        summary.append(f"complaint ({category}, {severity})")
    if not typer.confirm(f"Save: {'; '.join(summary)}?", default=True):
        typer.echo("Not saved.")
        raise typer.Exit(1)
    report_call(log_call(session, customer_ref, data))
