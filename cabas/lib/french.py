"""French typography that translations alone cannot do: elision before a name.

A catalogue says « pour le compte de %(name)s »; with « Anne » it must read
« pour le compte d’Anne ». The name is only known when the page is made, so the
elision happens then, on the translated text, in French only.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

_VOWELS = set("aeiouy")


def elides(word: str) -> bool:
    """Whether « de » before ``word`` becomes « d’ »: a vowel, or an h before a vowel (a mute h:
    first names such as Hélène or Hugo take it; the rare aspirated h of a surname is not guessed)."""
    letters = unicodedata.normalize("NFKD", word.strip()).casefold()
    letters = "".join(c for c in letters if c.isalpha())
    if not letters:
        return False
    if letters[0] == "h":
        return len(letters) > 1 and letters[1] in _VOWELS
    return letters[0] in _VOWELS


def elide(text: str, name: str) -> str:
    """``text`` (translated, with ``name`` in it) with « de Anne » made « d’Anne », « que Anne »
    « qu’Anne »; unchanged in any other language or for a name that does not elide.

    A safe string (a template's) stays safe: the name is looked for as the page escaped it.
    """
    if not name or not elides(name) or not (get_language() or "").startswith("fr"):
        return text
    safe = isinstance(text, SafeString)
    shown = str(conditional_escape(name)) if safe else name
    pattern = re.compile(rf"\b([Dd]e|[Qq]ue) {re.escape(shown)}(?![\w-])")
    done = pattern.sub(lambda match: f"{match.group(1)[:-1]}’{shown}", text)
    return mark_safe(done) if safe else done  # the input was safe; only an apostrophe was added
