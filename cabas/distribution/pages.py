"""What the day's pages share: finding a household, the page's state, a stand's history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

from django.http import HttpRequest
from django.utils.translation import gettext as _

from cabas.cycles.baskets import Member, fold
from cabas.cycles.models import Cycle, Phase
from cabas.distribution.models import Event, EventKind
from cabas.distribution.recording import device_id
from cabas.distribution.services import CANCELLABLE, is_day_open

QUERY_LENGTH = 60


class Findable(Protocol):
    @property
    def number(self) -> int: ...

    @property
    def member(self) -> Member: ...


F = TypeVar("F", bound=Findable)


def search_query(request: HttpRequest) -> str:
    return str(request.GET.get("q", "")).strip()[:QUERY_LENGTH]


def find[F: Findable](households: Iterable[F], query: str) -> list[F]:
    """A slip number finds that household alone; letters find names containing them (accents ignored)."""
    if not query:
        return list(households)
    if query.isdigit():
        return [h for h in households if h.number == int(query)]
    wanted = fold(query)
    return [h for h in households if wanted in fold(h.member.name)]


def day_context(request: HttpRequest, cycle: Cycle, scope: str) -> dict[str, Any]:
    """What every day page shows: whether it may record, and why not."""
    phase = cycle.phase()
    if phase in (Phase.DISTRIBUTED, Phase.SETTLED):
        notice = _("The distribution is closed: this page is read-only.")
        if scope == "live":
            notice = _(
                "The distribution is closed: this page is read-only. "
                "What is still owed goes to settlement with the treasurer."
            )
        if scope == "member":
            notice = _("The distribution is over.")
    elif phase != Phase.FINALISED and scope == "member":
        notice = _("The distribution has not started yet.")
    elif phase != Phase.FINALISED:
        notice = _("The distribution is not open yet: orders are not final. Nothing can be recorded.")
    else:
        notice = ""
    return {
        "cycle": cycle,
        "day_scope": scope,
        "day_open": is_day_open(cycle),
        "day_notice": notice,
        "device": device_id(request),
    }


def history(cycle: Cycle, order_id: int, **filters: Any) -> list[Event]:
    """The household's events (at a stand, or at the desk), each knowing whether it was cancelled."""
    events = list(
        Event.objects.filter(cycle=cycle, order_id=order_id, **filters)
        .select_related("line__offer", "by")
        .order_by("pk")
    )
    cancelled = {e.corrects_id for e in events if e.kind == EventKind.CANCELLED}
    resolved = {e.corrects_id for e in events if e.kind == EventKind.RESOLVED}
    for event in events:
        event.was_cancelled = event.pk in cancelled  # type: ignore[attr-defined]
        event.was_resolved = event.pk in resolved  # type: ignore[attr-defined]
        event.cancellable = event.kind in CANCELLABLE and event.pk not in cancelled  # type: ignore[attr-defined]
    return events
