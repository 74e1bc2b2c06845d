"""People's names: how lists of people sort (by surname), accents and case ignored.

A household has one ``full_name`` (« Marie-Claire Le Goff », « Jean de La
Fontaine », sometimes « MARTIN Anne »): its surname is guessed, not asked for.
The first word is the first name unless it is written in capitals (« MARTIN
Anne »); lower-case particles (de, d’, du, des, van, von) are passed over, so
that « Jean de La Fontaine » sorts under La Fontaine and « Marie-Claire Le
Goff » under Le Goff.
"""

from __future__ import annotations

import unicodedata

PARTICLES = {"de", "d'", "d’", "du", "des", "van", "von", "der", "den", "da", "di", "del"}


def fold(text: str) -> str:
    """Accents and case ignored, so that « Émile » sorts with the E's, as people expect."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def surname(full_name: str) -> str:
    """The surname within ``full_name`` (the whole of it when it is one word)."""
    words = full_name.split()
    if len(words) < 2:
        return full_name.strip()
    if words[0].isupper() and len(words[0]) > 1 and not words[-1].isupper():
        return words[0]  # « MARTIN Anne »
    rest = words[1:]
    while len(rest) > 1 and rest[0] in PARTICLES:
        rest = rest[1:]
    if rest[0].startswith(("d'", "d’")) and len(rest[0]) > 2:
        rest[0] = rest[0][2:]
    return " ".join(rest)


def person_sort_key(full_name: str, email: str = "") -> tuple[str, str, str]:
    """By surname, then the whole name, then the e-mail (a person without a name: by e-mail)."""
    name = full_name or email
    return (fold(surname(name)), fold(name), email.casefold())
