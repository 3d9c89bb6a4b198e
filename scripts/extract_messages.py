"""Extract the interface's messages, update the zh_CN catalog, compile it.

    python scripts/extract_messages.py            # extract, update followup.po, compile .mo
    python scripts/extract_messages.py --check    # exit 1 if a message is untranslated
                                                  # or followup.mo is older than the .po

`make messages` runs the first. Babel is a development tool (the `dev` extra); at run
time followup reads the compiled .mo with the standard library's gettext.

The messages come from four places:
- `_()`, `N_()`, `ngettext()` and `pgettext()` calls in the package (Babel's extractor);
- the help of every command and option, read from the command tree, paragraph by
  paragraph as `followup_cli.cli.localized` translates it (Babel cannot read docstrings);
- the words shown for stored values (`followup_cli.domain.vocabulary` and `followup_cli.support.i18n.VOCABULARY`), with their kind
  as msgctxt;
- the texts of the shipped defaults.toml shown to people: category labels, prepared
  answers and steps, key questions.

A new message lands in followup.po with an empty translation: fill it in, run the
script again, and commit both files. tests/test_i18n.py fails while a message is
untranslated or the .mo is stale.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "followup_cli"
CATALOG_DIR = PACKAGE / "locale" / "zh_CN" / "LC_MESSAGES"
PO = CATALOG_DIR / "followup.po"
MO = CATALOG_DIR / "followup.mo"

Message = tuple[str | None, str | tuple[str, str], str]  # (context, id, where)


def code_messages() -> Iterator[Message]:
    """`_()`, `N_()`, `ngettext()`, `pgettext()` with literal arguments, in the package."""
    for filename, _lineno, message, _comments, context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")]
    ):
        if isinstance(message, tuple):
            if all(message):
                yield context, (message[0], message[1]), filename
        elif message:
            yield context, message, filename


def _walk(command: object, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], object]]:
    yield path, command
    if not hasattr(command, "list_commands"):
        return
    ctx = command.make_context(  # type: ignore[attr-defined]
        path[-1] if path else "followup", [], resilient_parsing=True
    )
    for name in sorted(command.list_commands(ctx)):
        yield from _walk(command.get_command(ctx, name), (*path, name))  # type: ignore[attr-defined]


def help_messages() -> Iterator[Message]:
    """The help of every command, group and option, as `localized` translates it."""
    from typer.main import get_command

    from followup_cli.cli.app import app
    from followup_cli.cli.localized import help_messages as paragraphs
    from followup_cli.support import i18n

    i18n.use_language(i18n.ENGLISH)
    root = get_command(app)
    for path, command in _walk(root):
        where = "followup " + " ".join(path) if path else "followup"
        for text in paragraphs(getattr(command, "help", None)):
            yield None, text, where
        ctx = command.make_context(  # type: ignore[attr-defined]
            path[-1] if path else "followup", [], resilient_parsing=True
        )
        for param in command.get_params(ctx):  # type: ignore[attr-defined]
            option_help = getattr(param, "help", None)
            if option_help:
                yield None, " ".join(option_help.split()), f"{where} {param.opts[0]}"


def vocabulary_messages() -> Iterator[Message]:
    from followup_cli.domain.vocabulary import label_values
    from followup_cli.support.i18n import VOCABULARY

    for kind, values in label_values().items():
        for value in values:
            yield kind, value, f"vocab.VOCABULARIES ({kind})"
    for kind, values in VOCABULARY.items():
        for value in values:
            yield kind, value, f"i18n.VOCABULARY[{kind}]"


def config_messages() -> Iterator[Message]:
    """Texts of the shipped defaults that tables and the call script show."""
    from followup_cli.support.config import load_config

    config = load_config(None)
    for name, entry in config["categories"].items():
        where = f"defaults.toml categories.{name}"
        for text in (entry.get("label"), entry.get("answer"), *entry.get("steps", [])):
            if text:
                yield None, text, where
    for kind, questions in config["questions"].items():
        for q in questions:
            yield None, q["text"], f"defaults.toml questions.{kind}.{q['key']}"


def extract() -> Catalog:
    """The template: every message of the interface, each once."""
    template = Catalog(project="followup", charset="utf-8", fuzzy=False)
    for source in (code_messages, help_messages, vocabulary_messages, config_messages):
        for context, message, where in source():
            template.add(message, locations=[(where, 0)], context=context)
    return template


def update(template: Catalog) -> Catalog:
    """followup.po brought up to the template: new messages empty, gone ones dropped."""
    if PO.exists():
        with PO.open("rb") as fh:
            catalog = read_po(fh, locale="zh_CN", domain="followup")
    else:
        catalog = Catalog(locale="zh_CN", domain="followup", project="followup")
    catalog.update(
        template, no_fuzzy_matching=True, update_header_comment=False, update_creation_date=False
    )
    catalog.fuzzy = False  # the header: the .mo needs its charset
    return catalog


def write_catalog(catalog: Catalog) -> None:
    CATALOG_DIR.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, ignore_obsolete=True, include_lineno=False)
    PO.write_bytes(buffer.getvalue())
    MO.write_bytes(compiled(catalog))


def compiled(catalog: Catalog) -> bytes:
    """The .mo bytes of `catalog` (untranslated and fuzzy messages left out)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def translations(catalog: Catalog) -> dict[tuple[str | None, object], object]:
    """A catalog's messages and translations, without its header: the header names the
    Babel release that wrote it, so two machines with other releases compile other bytes."""

    def one(text: object) -> object:  # a plural's forms: a list from read_mo, a tuple from read_po
        return tuple(text) if isinstance(text, list | tuple) else text

    return {
        (message.context, one(message.id)): one(message.string)
        for message in catalog
        if message.id and message.string and not message.fuzzy
    }


def compiled_translations() -> dict[tuple[str | None, object], object] | None:
    """What the committed .mo holds, or None when there is none."""
    if not MO.exists():
        return None
    with MO.open("rb") as fh:
        return translations(read_mo(fh))


def read_catalog() -> Catalog:
    with PO.open("rb") as fh:
        return read_po(fh, locale="zh_CN", domain="followup")


def untranslated(template: Catalog, catalog: Catalog) -> list[str]:
    """Messages of the template without a (non-fuzzy) translation in `catalog`."""
    missing = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        strings = found.string if found is not None else None
        translated = (
            all(strings) if isinstance(strings, tuple | list) else bool(strings)
        ) and not (found is not None and found.fuzzy)
        if not translated:
            label = message.id if isinstance(message.id, str) else message.id[0]
            missing.append(f"{message.context + ': ' if message.context else ''}{label}")
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; report problems")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    template = extract()
    if args.check:
        catalog = read_catalog()
        missing = untranslated(template, catalog)
        for text in missing:
            print(f"untranslated: {text}", file=sys.stderr)
        stale = compiled_translations() != translations(catalog)
        if stale:
            print(f"{MO} is not compiled from {PO}: run this script", file=sys.stderr)
        return 1 if missing or stale else 0
    catalog = update(template)
    write_catalog(catalog)
    missing = untranslated(template, catalog)
    print(f"{PO.relative_to(ROOT)}: {len(template)} messages, {len(missing)} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
