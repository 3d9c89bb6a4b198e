"""The zh_CN glossary (src/followup_cli/locale/glossary.toml) holds the catalog to one
Chinese term per concept (issue 15, "Chinese that an office writes"):

- every message whose English names a glossary term is translated with its Chinese
  term (回访, 拜访, 投诉, 升级, 告知, 业务经理, 负责人 ...);
- the words shown for stored values (tiers, roles, outcomes, statuses ...) are exactly
  the glossary's;
- the forbidden variants (升级阶梯, 了结, 空号, 大客户 ...) appear in no translation;
- and the check can fail.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "followup_cli" / "locale"
GLOSSARY = LOCALE / "glossary.toml"
PO = LOCALE / "zh_CN" / "LC_MESSAGES" / "followup.po"

Entry = tuple[str | None, str, str]  # (msgctxt, English, Chinese)
# What a message's English holds that is not prose: placeholders, `commands`, --options.
NOT_PROSE = re.compile(r"\{[^}]*\}|`[^`]*`|--[a-z][a-z-]*")


def _first(value: Any) -> str:
    return value if isinstance(value, str) else value[0]


@pytest.fixture(scope="module")
def glossary() -> dict[str, Any]:
    with GLOSSARY.open("rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def catalog() -> list[Entry]:
    with PO.open("rb") as fh:
        po = read_po(fh)
    return [(m.context, _first(m.id), _first(m.string)) for m in po if m.id]


def term_misses(term: dict[str, Any], entries: list[Entry]) -> list[Entry]:
    """The entries whose English names `term` and whose Chinese lacks its word."""
    if term.get("check", True) is False:
        return []
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, term["en"])) + r")\b", re.IGNORECASE)
    misses = []
    for context, english, chinese in entries:
        if context in term.get("other_contexts", []):
            continue
        if any(phrase in english for phrase in term.get("other_phrases", [])):
            continue
        if pattern.search(NOT_PROSE.sub("", english)) and not any(
            word in chinese for word in term["zh"]
        ):
            misses.append((context, english, chinese))
    return misses


def forbidden_words(glossary: dict[str, Any]) -> list[str]:
    words = list(glossary["forbidden"]["words"])
    for term in glossary["term"]:
        words += term.get("forbidden", [])
    return words


def test_each_term_is_translated_with_the_glossarys_word(glossary, catalog) -> None:
    misses = {
        term["en"][0]: found for term in glossary["term"] if (found := term_misses(term, catalog))
    }
    assert misses == {}, "translate these with the glossary's term (or note the other meaning)"


def test_the_words_for_stored_values_are_the_glossarys(glossary, catalog) -> None:
    shown = {(context, english): chinese for context, english, chinese in catalog}
    differ = {
        (kind, value): (shown.get((kind, value)), word)
        for kind, words in glossary["labels"].items()
        for value, word in words.items()
        if shown.get((kind, value)) != word
    }
    assert differ == {}


def test_no_translation_uses_a_forbidden_variant(glossary, catalog) -> None:
    found = [
        (english, chinese, word)
        for _context, english, chinese in catalog
        for word in forbidden_words(glossary)
        if word in chinese
    ]
    assert found == []


def test_the_tiers_read_in_the_seeds_order(glossary) -> None:
    """Tier 3 is not 大客户 (it read above 重要客户); the four read core > important >
    key > general, as the SPEC's grades do."""
    tiers = glossary["labels"]["tier"]
    assert list(tiers) == ["core", "important", "key", "general"]
    assert tiers["key"] == "重点客户"
    assert "大客户" in glossary["forbidden"]["words"]


def test_the_glossary_check_can_fail(glossary) -> None:
    """A message translated with another word for a term, and a forbidden variant, are
    both caught."""
    ladder = next(t for t in glossary["term"] if "ladder" in t["en"])
    wrong = [
        (None, "Escalate a ticket one rung up its tier's ladder.", "把投诉沿升级阶梯上升一级。")
    ]
    assert term_misses(ladder, wrong) == wrong
    right = [(None, "Escalate a ticket one rung up its tier's ladder.", "按升级流程上报一级。")]
    assert term_misses(ladder, right) == []
    visit = next(t for t in glossary["term"] if "visit" in t["en"])
    assert term_misses(visit, [("channel", "visit", "上门")]) == []  # the other meaning
    assert "升级阶梯" in forbidden_words(glossary)
