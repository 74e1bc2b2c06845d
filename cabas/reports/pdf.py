"""PDF documents: the Typst layouts under ``templates/reports/`` filled with a document's data.

A document is compiled from ``print.typ`` (page, header, footer, tables), the
layout of its kind (``slips.typ``…) and one line calling that layout with the
data written as a Typst literal (``typst_value``). Every text a person typed
(a member's name, a product, a producer's payment notes) reaches Typst as a
quoted string: Typst prints a string as it is, never as markup or code, so
``#``, ``*``, ``$``, ``<``, ``@`` or ``\\`` in a name cannot change the page,
read a file or run anything.

Typst (the compiled typesetter in the ``typst`` wheel) lays out a page in a
few milliseconds, a tenth of what the HTML print path took (see
``bench/README.md``). The compiler only sees the layouts' folder, and the
layouts read nothing but the data they are given. It runs in a child process
(``typesetter``), which keeps Typst's caches out of the app's memory.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings

from cabas.reports import typesetter

LAYOUTS = Path(settings.BASE_DIR) / "cabas" / "templates" / "reports"
_KEY = re.compile(r"[a-z][a-z0-9_]*\Z")
_KEYWORDS = frozenset(
    [
        "none",
        "auto",
        "true",
        "false",
        "let",
        "set",
        "show",
        "if",
        "else",
        "for",
        "in",
        "while",
        "break",
        "continue",
        "return",
        "import",
        "include",
        "and",
        "or",
        "not",
        "as",
        "context",
    ]
)
# Typst's string escapes; every other control character becomes ``\u{…}``.
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def typst_string(text: str) -> str:
    """``text`` as a Typst string literal: printed exactly as it is, whatever it holds."""
    return '"' + "".join(_ESCAPES.get(c) or (f"\\u{{{ord(c):x}}}" if c < " " else c) for c in text) + '"'


def typst_value(value: object) -> str:
    """``value`` (strings, integers, booleans, ``None``, lists, tuples, string-keyed dicts) as Typst code."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return typst_string(value)
    if isinstance(value, list | tuple):
        return "(" + "".join(f"{typst_value(item)}, " for item in value) + ")"
    if isinstance(value, Mapping):
        return (
            "(" + ", ".join(f"{_key(k)}: {typst_value(v)}" for k, v in value.items()) + ",)"
            if value
            else "(:)"
        )
    raise TypeError(f"No Typst literal for {type(value).__name__}")


def _key(key: object) -> str:
    if not isinstance(key, str) or not _KEY.match(key) or key in _KEYWORDS:
        raise ValueError(f"Layout keys are lower-case names, not Typst keywords: {key!r}")
    return key


@functools.cache
def _layout(name: str) -> str:
    return (LAYOUTS / name).read_text(encoding="utf-8")


def typst_source(layout: str, data: Mapping[str, object]) -> str:
    """The whole Typst source of a document: shared layout, the kind's layout, the call with the data."""
    return f"{_layout('print.typ')}\n{_layout(layout)}\n#document({typst_value(data)})\n"


def render_pdf(layout: str, data: Mapping[str, object]) -> bytes:
    """Print ``data`` with the Typst layout ``layout`` (``slips.typ``…) to PDF bytes."""
    source = typst_source(layout, data).encode()
    return typesetter.compile_pdf(source, str(LAYOUTS))
