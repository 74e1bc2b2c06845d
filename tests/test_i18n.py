"""The French and English catalogues are complete and compiled."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "cabas" / "locale"


def parse_po(path: Path) -> list[dict[str, object]]:
    """Entries of a .po file: msgid, plural, msgstr(s), flags. Enough for our own catalogues."""
    entries: list[dict[str, object]] = []
    entry: dict[str, object] = {}
    key = None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry:
                entries.append(entry)
            entry, key = {}, None
        elif line.startswith("#,"):
            entry["flags"] = line[2:].replace(" ", "").split(",")
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] = str(entry[key]) + _unquote(line)  # type: ignore[index]
        else:
            key, _, value = line.partition(" ")
            entry[key] = _unquote(value)
    return entries


def _unquote(text: str) -> str:
    return text[1:-1].encode("raw_unicode_escape").decode("unicode_escape")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_catalogue_is_complete(language: str) -> None:
    entries = [e for e in parse_po(LOCALE / language / "LC_MESSAGES" / "django.po") if e.get("msgid")]
    assert len(entries) > 100
    untranslated = [
        e["msgid"] for e in entries if not all(v for k, v in e.items() if str(k).startswith("msgstr"))
    ]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", [])]  # type: ignore[operator]
    assert not untranslated, f"untranslated in {language}: {untranslated}"
    assert not fuzzy, f"fuzzy in {language}: {fuzzy}"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_compiled_catalogue_matches_the_source(language: str) -> None:
    """The committed .mo is what the .po says (run compilemessages after translating)."""
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in parse_po(folder / "django.po"):
        msgid = str(entry.get("msgid", ""))
        if not msgid or "msgid_plural" in entry:
            continue
        assert compiled.gettext(msgid) == entry["msgstr"], msgid


def placeholders(text: object) -> set[str]:
    return set(re.findall(r"%\(\w+\)[sd]", str(text)))


def test_placeholders_survive_translation() -> None:
    for entry in parse_po(LOCALE / "fr" / "LC_MESSAGES" / "django.po"):
        if not entry.get("msgid"):
            continue
        wanted = placeholders(entry["msgid"]) | placeholders(entry.get("msgid_plural", ""))
        for key, value in entry.items():
            if str(key).startswith("msgstr"):
                assert placeholders(value) == wanted, (entry["msgid"], value)


# What a colon may follow without a space: a URL's scheme, a time (18:30), and what is not
# words at all (placeholders, template variables, HTML tags).
_NOT_PROSE = re.compile(
    r"\b[a-z][a-z0-9+.-]*://\S+|\bmailto:\S+|\d{1,2}:\d{2}|%\(\w+\)[sdr]|\{\{[^}]*\}\}|\{[^}]*\}|<[^>]*>"
)
_TIGHT_COLON = re.compile(r"(?<![ \u00a0\u202f]):")


def colons_without_space(text: str) -> list[str]:
    """The bits of French ``text`` where a colon has no space before it (French typography)."""
    prose = _NOT_PROSE.sub(" ", text)
    return [prose[max(0, m.start() - 20) : m.end() + 10] for m in _TIGHT_COLON.finditer(prose)]


def test_the_colon_checker_sees_what_it_must() -> None:
    assert colons_without_space("Total: 12 €")
    assert colons_without_space("Attention:%(name)s")
    assert not colons_without_space("Total : 12 €, à 18:30, voir https://cabas.example/a:b")
    assert not colons_without_space("%(name)s\u00a0: %(total)s, {{ date|date:'H:i' }} <a href='x:y'>")


def test_french_has_a_space_before_every_colon() -> None:
    wrong = []
    for entry in parse_po(LOCALE / "fr" / "LC_MESSAGES" / "django.po"):
        if not entry.get("msgid"):
            continue
        for key, value in entry.items():
            if str(key).startswith("msgstr") and (found := colons_without_space(str(value))):
                wrong.append((entry["msgid"], found))
    assert not wrong, wrong
