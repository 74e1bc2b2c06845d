"""Reading raw request data that no form field reads: ids, small numbers, free text, ``next``.

A crafted request may hold anything: ``²`` (a digit to ``str.isdigit``, not to
``int``), 5,000 digits (``int`` refuses beyond 4,300), a number no database
column holds (SQLite raises ``OverflowError``, PostgreSQL « out of range »), a
NUL character (PostgreSQL refuses it in text), or an address off the site.
These helpers turn such values into "nothing" so that views answer with a
message or a 404, never a 500.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

MAX_ID = 2**63 - 1  # the largest value of a ``BigAutoField``


def parse_digits(value: object, *, maximum: int = MAX_ID) -> int | None:
    """``value`` as an integer if it is ASCII digits only and at most ``maximum``; otherwise None."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        return None
    if len(value.lstrip("0")) > len(str(maximum)):
        return None  # too long to be within ``maximum``: not worth converting
    number = int(value)
    return number if number <= maximum else None


def parse_ids(values: Iterable[object]) -> list[int]:
    """The values that can be ids (ASCII digits within a ``BigAutoField``); the others are dropped."""
    ids = (parse_digits(value) for value in values)
    return [number for number in ids if number is not None]


def clean_text(value: object, max_length: int) -> str:
    """A free text field read by hand: at most ``max_length`` characters, without NUL characters."""
    return str(value or "").replace("\x00", "")[:max_length]


def local_next(request: HttpRequest, default: str) -> str:
    """The ``next`` address of a POST if it is a path on this site; ``default`` otherwise."""
    next_url = str(request.POST.get("next", ""))
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return default
