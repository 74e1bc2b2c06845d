"""The one function that writes the audit trail (see ``cabas.audit.models`` for why)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from cabas.audit.models import AuditEvent, Kind

if TYPE_CHECKING:
    from cabas.accounts.models import BuyingGroup, User
    from cabas.cycles.models import Cycle


def record(
    *,
    group: BuyingGroup,
    kind: Kind,
    actor: User | None,
    subject: User | None = None,
    cycle: Cycle | None = None,
    target: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Write one event of ``group``'s audit trail, in the caller's transaction.

    Called by a service inside the ``transaction.atomic`` block that makes the
    change, so the event exists exactly when the change does (a rollback takes
    both). ``before`` and ``after`` hold only the fields that changed, as
    plain JSON values (text, numbers, lists). An actor who is not logged in
    (the clock, a management command) is ``None``.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record() must be called inside the transaction that makes the change")
    return AuditEvent.objects.create(
        group=group,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        subject=subject,
        cycle=cycle,
        target=target[:200],
        before=dict(before or {}),
        after=dict(after or {}),
    )


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose value differs, as ``(before, after)``."""
    keys = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def plain(value: Any) -> Any:
    """``value`` as JSON can hold it and a reader understands it: local dates and times as text."""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date | time):
        return value.isoformat(timespec="minutes") if isinstance(value, time) else value.isoformat()
    if value is None or isinstance(value, bool | int | str | list):
        return value
    return str(value)
