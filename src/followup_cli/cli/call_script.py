"""The call script (seed 000: a standard process and question order makes callbacks
worth doing). Runs only on a terminal: shows who to call, the number and every pending
reason, asks the outcome and each question in order, and confirms before saving."""

from collections.abc import Sequence
from typing import Any

import typer

from followup_cli.cli.call_report import report_call
from followup_cli.cli.call_target import appointment_text, contact_text
from followup_cli.domain import fields
from followup_cli.domain import vocabulary as vocab
from followup_cli.domain.calls.log import (
    CallBrief,
    CallInput,
    PlannedTicket,
    answer_value,
    call_brief,
    check_caller,
    log_call,
    preview_tickets,
    validate_call,
)
from followup_cli.domain.texts import render
from followup_cli.render.output import message, terminal_width
from followup_cli.render.wrap import cell_width, wrap
from followup_cli.support.errors import EXIT_INTERRUPTED, FollowupError, InvalidValue
from followup_cli.support.i18n import ENGLISH, N_, _, current_language, label, listed


def _say(text: str) -> None:
    """A line of the script, fitted to the terminal (its continuation indented)."""
    message(text)


def _last_line(question: str, tail: str) -> str:
    """A long question fitted to the terminal: its first lines shown, the last returned
    to be asked with `tail` (the suffix the prompt adds) after it. What the clerk types
    goes on after it, as far as the terminal's line takes it (the terminal wraps it)."""
    *first, last = wrap(question, max(terminal_width() - cell_width(tail), 20))
    for line in first:
        _say(line)
    return last


def _prompt(text: str, **options: Any) -> Any:
    """typer.prompt, ended by the reader's colon (a full-width ： after Chinese)."""
    suffix = ": " if current_language() == ENGLISH else "："
    return typer.prompt(_last_line(text, suffix), prompt_suffix=suffix, **options)


def _choose(prompt: str, kind: str, options: Sequence[str] | None = None) -> str:
    """A value of `kind`, by its number in the list or by any word `vocab.accept` takes."""
    values = tuple(options) if options is not None else vocab.VOCABULARIES[kind].values
    shown_kind = vocab.VOCABULARIES[kind].label_kind
    for i, option in enumerate(values, 1):
        # The word to type: the stored value in English, the Chinese word in Chinese
        # (the stored value where the office's own value has none).
        _say(f"  {i}. {label(shown_kind, option)}")
    while True:
        raw = str(_prompt(prompt)).strip()
        if raw.isdigit() and 1 <= int(raw) <= len(values):
            return values[int(raw) - 1]
        try:
            return vocab.accept(kind, raw, kind, values)
        except InvalidValue:
            _say("  " + _("Please answer 1–{n}.").format(n=len(values)))


def _satisfaction(prompt: str) -> int | None:
    while True:
        raw = str(_prompt(prompt, default="", show_default=False)).strip()
        try:
            return vocab.satisfaction_score(raw)
        except InvalidValue:
            _say("  " + _("A number from {low} to {high}, or Enter to skip.").format(low=1, high=5))


def _repurchase(prompt: str) -> str | None:
    while True:
        raw = str(_prompt(prompt, default="", show_default=False)).strip()
        if not raw:
            return None
        try:
            return vocab.accept("repurchase", raw, "repurchase")
        except InvalidValue as exc:
            _say(
                "  "
                + _("Please answer {expected}, or Enter to skip.").format(expected=exc.expected)
            )


def _optional_int(prompt: str, low: int, high: int) -> int | None:
    while True:
        raw = str(_prompt(prompt, default="", show_default=False)).strip()
        if not raw:
            return None
        if raw.isdigit() and low <= int(raw) <= high:
            return int(raw)
        _say(
            "  " + _("A number from {low} to {high}, or Enter to skip.").format(low=low, high=high)
        )


# A yes/no confirmation in Chinese: typer's own reads only y/n (and shows "[Y/n]").
CONFIRM = {
    True: N_("{question} (yes/no, Enter for yes)"),
    False: N_("{question} (yes/no, Enter for no)"),
}


def _confirm(question: str, default: bool) -> bool:
    """typer.confirm in English; in Chinese 是/否 (or y/n) with the default on Enter."""
    if current_language() == ENGLISH:
        return typer.confirm(_last_line(question, " [Y/n]: "), default=default)
    while True:
        raw = str(
            _prompt(_(CONFIRM[default]).format(question=question), default="", show_default=False)
        )
        if not raw.strip():
            return default
        try:
            return answer_value(raw) == "yes"
        except InvalidValue:
            _say("  " + _("y, n, or Enter to skip."))


def _yes_no_skip(question: str) -> str | None:
    while True:
        raw = _prompt(
            _("{question} [y/n, Enter to skip]").format(question=question),
            default="",
            show_default=False,
        )
        if not raw.strip():
            return None
        try:
            return answer_value(raw)
        except InvalidValue:
            _say("  " + _("y, n, or Enter to skip."))


def _text(prompt: str, field: str, required: bool) -> str | None:
    """Free text, checked as typed (empty is a skip unless `required`)."""
    while True:
        raw = str(_prompt(prompt, default="", show_default=False))
        try:
            if required:
                return fields.required_text(raw, field, max_length=fields.MAX_TEXT)
            return fields.text(raw, field)
        except InvalidValue as exc:
            _say("  " + exc.message)


def _caller(session: Any) -> str:
    """Who is calling: a staff member's name, asked again (with the staff offered) until
    it is one."""
    while True:
        raw = str(_prompt(_("Your name (staff)"), default="", show_default=False))
        try:
            return check_caller(session, raw)
        except FollowupError as exc:
            _say("  " + exc.message)
            if exc.hint:
                _say("  " + exc.hint)


def _show_brief(brief: CallBrief, zone: Any = None) -> None:
    c = brief.customer
    _say(
        _("Call {name} ({code}, grade {grade}, {tier})").format(
            name=c["name"], code=c["code"], grade=c["grade"], tier=label("tier", c["tier"])
        )
    )
    if brief.contact:
        k = brief.contact
        _say(
            "  "
            + _("Ask for: {contact}").format(
                contact=contact_text(k["name"], k["role"], k["chosen_as"])
            )
        )
    _say("  " + _("Number:  {phone}").format(phone=brief.phone or _("no phone on file")))
    if brief.open_tickets:
        _say("  " + _("Open complaints: {n}").format(n=brief.open_tickets))
    for r in brief.recent:
        _say(
            "  "
            + _("Recent contact: {day} by {caller} ({outcome})").format(
                day=r["day"], caller=r["caller"], outcome=label("outcome", r["outcome"])
            )
        )
    if brief.reasons:
        _say("  " + _("Why:"))
        for r in brief.reasons:
            values = {
                "id": r["callback_id"],
                "reason": label("reason", r["reason"]),
                "date": r["due_on"],
                "detail": render(r["detail"]),
            }
            if r["detail"]:
                _say("    " + _("#{id} {reason} due {date}: {detail}").format(**values))
            else:
                _say("    " + _("#{id} {reason} due {date}").format(**values))
            if r["appointment_at"] or r["appointment_place"]:
                # Seed 003 预约回访时间和地点: the appointment made with the customer.
                _say("      " + appointment_text(r["appointment_at"], r["appointment_place"], zone))
    else:
        _say("  " + _("Nothing is due for this customer; this call is recorded as a contact."))


def _ask(session: Any, brief: CallBrief, by: str, channel: str) -> CallInput:
    """Every answer of the call, each checked as it is typed."""
    _say(_("Outcome:"))
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
        _say(
            _("Satisfaction: {scale}").format(
                scale=listed(vocab.satisfaction_label(level.score) for level in vocab.SATISFACTION)
            )
        )
        satisfaction = _satisfaction(_("Satisfaction 1–5"))
        recommend = _optional_int(_("Would recommend us, 0–10"), 0, 10)
        choices = "/".join(label("repurchase", value) for value in vocab.REPURCHASE)
        repurchase = _repurchase(_("Would buy again? {choices}").format(choices=choices))
        if _confirm(_("Any complaint?"), default=False):
            complaint = _text(_("What is the complaint"), "complaint", required=True)
            _say(_("Category:"))
            category = _choose(_("Category"), "category", session.config.categories)
            _say(_("Severity:"))
            severity = _choose(_("Severity"), "severity")
    note = _text(_("Note"), "note", required=False)
    return validate_call(
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


def _answer(key: str, value: str, questions: dict[str, str]) -> str:
    """One key answer as the reader knows it: `fixed=yes` in English (what --answer
    takes), the question and 是/否 in Chinese ("问题解决了吗？是")."""
    if current_language() == ENGLISH or key not in questions:
        return f"{key}={value}"
    return _("{question} {answer}").format(
        question=_(questions[key]), answer=label("answer", value)
    )


def _quoted_inside(text: str) -> str:
    """A text that is quoted in another: its own quotation marks become single ones
    (“客户回答‘否’：…”), as a quotation inside a quotation is written."""
    return text.replace("“", "‘").replace("”", "’")


def _save_line(
    data: CallInput, tickets: list[PlannedTicket], questions: dict[str, str] | None = None
) -> str:
    """What saving writes: the call (caller, outcome, answers, scores, note) and each
    ticket it opens, with its summary, category, severity and the answers it holds.
    `questions` gives each answer's question (key -> text)."""
    asked = questions or {}
    parts = [
        _("call by {by}, outcome {outcome}").format(
            by=data.by, outcome=label("outcome", data.outcome)
        )
    ]
    if data.answers:
        parts.append(listed(_answer(k, v, asked) for k, v in data.answers.items()))
    if data.satisfaction:
        parts.append(_("satisfaction {n}").format(n=data.satisfaction))
    if data.recommend is not None:
        parts.append(_("recommend {n}").format(n=data.recommend))
    if data.repurchase:
        parts.append(
            _("would buy again: {answer}").format(answer=label("repurchase", data.repurchase))
        )
    if data.note:
        parts.append(_("note “{note}”").format(note=data.note))
    for ticket in tickets:
        shown = _("opens ticket “{summary}” ({category}, {severity})").format(
            summary=_quoted_inside(render(ticket.summary)),
            category=label("category", ticket.category),
            severity=label("severity", ticket.severity),
        )
        if ticket.complaint and ticket.said_no:
            shown += " " + _("with {answers}").format(
                answers=listed(_answer(q["key"], "no", asked) for q in ticket.said_no)
            )
        parts.append(shown)
    if not tickets:
        parts.append(_("no ticket"))
    return _("Save: {summary}?").format(
        summary=("; " if current_language() == ENGLISH else "；").join(parts)
    )


def run_call_script(
    ctx: typer.Context, session: Any, customer_ref: str, by: str | None, channel: str
) -> None:
    """The call script. Ctrl-C or end of input at any prompt saves nothing and exits 130."""
    if by:
        by = check_caller(session, by, "--by")  # a wrong --by is refused before anything is asked
    brief = call_brief(session, customer_ref, by)  # (what this caller's call would settle)
    _show_brief(brief, session.zone)
    try:
        caller = by or _caller(session)
        data = _ask(session, brief, caller, channel)
        questions = {q["key"]: q["text"] for q in brief.questions}
        save = _save_line(data, preview_tickets(session, customer_ref, data), questions)
        confirmed = _confirm(save, default=True)
    except (typer.Abort, KeyboardInterrupt, EOFError):
        typer.echo("", err=True)
        typer.echo(_("Interrupted: nothing saved."), err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if not confirmed:
        _say(_("Not saved."))
        raise typer.Exit(1)
    report_call(log_call(session, customer_ref, data), session)
