"""iCalendar (RFC 5545) feeds: a household's distributions and shifts, a group's distributions.

Written here in a few lines rather than with a library: the feeds hold only
VEVENTs with a summary, a place, a start and an end, and what RFC 5545 asks of
them is small and tested (text escaping of ``\\ ; , newline``, CRLF line ends,
lines folded at 75 octets without splitting a UTF-8 character, times in UTC).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone

PRODID = "-//Cabas//Calendar//FR"


@dataclass(frozen=True)
class Event:
    uid: str
    summary: str
    starts: datetime
    ends: datetime
    place: str = ""
    description: str = ""
    url: str = ""


def escape(text: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and line breaks."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets (continuations start with a space), never inside a character."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74  # the leading space takes one octet
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def feed(name: str, events: Iterable[Event]) -> str:
    """A whole calendar, CRLF-terminated lines."""
    stamp = utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    host = settings.CABAS_SITE_URL.split("://")[-1].split("/")[0] or "cabas"
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{utc(event.starts)}",
            f"DTEND:{utc(event.ends)}",
            f"SUMMARY:{escape(event.summary)}",
        ]
        if event.place:
            lines.append(f"LOCATION:{escape(event.place)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
