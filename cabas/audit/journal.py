"""A group's journal: the audit trail merged with the journals that already exist.

Sources, each read where it lives (nothing is copied):

============  ===========================  ==============================================
source        table                        what it tells
============  ===========================  ==============================================
``audit``     ``audit.AuditEvent``         roles, join decisions, cycle and offer settings,
                                           privacy page, accounts anonymised
``step``      ``cycles.CycleEvent``        a cycle's steps (published, closed, settled...)
``order``     ``cycles.OrderChange``       adjustments, cartons, withdrawals, new prices,
                                           weighing and shortages (not a member's own edits)
``dispatch``  ``reports.Dispatch``         documents sent to a producer
``money``     ``ledger.Entry``             payments, transfers, write-offs, corrections
============  ===========================  ==============================================

``heads`` is one SQL ``UNION ALL`` of the five, each filtered and reduced to
(source, id, time, actor, cycle), ordered by time: it is what is paginated.
``rows`` then reads the details of one page with one query per source present,
so a page costs the same whatever the length of the history.

Money entries appear only to the treasurers (the solidarity committee) and the
site admin: what a household paid at the desk, the association's payment to a
producer, a deposit, even an entry's number, differ when the fund helps a
household, so none of them may tell a coordinator outside the committee who is
helped (the two-worlds test reads this page too).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import CharField, F, Q, QuerySet, Value
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cabas.accounts.models import BuyingGroup, Role
from cabas.audit.models import AuditEvent, Kind
from cabas.cycles.models import ChangeKind, CycleEvent, OrderChange, Step
from cabas.ledger.models import Entry, EntryKind, Method
from cabas.lib.money import format_cents
from cabas.lib.quantities import format_quantity
from cabas.reports.models import Dispatch

MEMBERS = frozenset(
    {
        Kind.MEMBER_ADDED,
        Kind.ROLES_CHANGED,
        Kind.MEMBER_ENDED,
        Kind.JOIN_APPROVED,
        Kind.JOIN_REFUSED,
        Kind.ACCOUNT_ANONYMISED,
    }
)
CATEGORIES: dict[str, Promise] = {
    "members": gettext_lazy("Members and roles"),
    "cycles": gettext_lazy("Cycles"),
    "offers": gettext_lazy("Offers"),
    "orders": gettext_lazy("Adjustments and cartons"),
    "documents": gettext_lazy("Documents sent"),
    "money": gettext_lazy("Payments and corrections"),
    "privacy": gettext_lazy("Privacy page"),
}
# Which audit kinds each category shows (the other sources are a category each).
AUDIT_KINDS: dict[str, frozenset[Kind]] = {
    "members": MEMBERS,
    "cycles": frozenset({Kind.CYCLE_CREATED, Kind.CYCLE_CHANGED}),
    "offers": frozenset({Kind.OFFER_CHANGED, Kind.OFFER_WITHDRAWN}),
    "privacy": frozenset({Kind.PRIVACY_CHANGED}),
}
SOURCE_CATEGORY = {"step": "cycles", "order": "orders", "dispatch": "documents", "money": "money"}
FIELD_LABELS: dict[str, Promise] = {
    "roles": gettext_lazy("roles"),
    "status": gettext_lazy("status"),
    "reason": gettext_lazy("reason"),
    "name": gettext_lazy("name"),
    "opens_at": gettext_lazy("orders open at"),
    "closes_at": gettext_lazy("orders close at"),
    "distribution_date": gettext_lazy("distribution date"),
    "distribution_start": gettext_lazy("distribution starts"),
    "distribution_end": gettext_lazy("distribution ends"),
    "distribution_place": gettext_lazy("distribution place"),
    "message": gettext_lazy("message"),
    "producers": gettext_lazy("producers"),
    "price_cents": gettext_lazy("price"),
    "quota": gettext_lazy("quota"),
    "member_cap": gettext_lazy("cap per member"),
    "allocation": gettext_lazy("sharing"),
    "withdrawn": gettext_lazy("withdrawn"),
    "text": gettext_lazy("text"),
    "quantity": gettext_lazy("quantity"),
    "amount": gettext_lazy("amount"),
}


@dataclass(frozen=True)
class Filters:
    category: str = ""
    person: int | None = None
    since: date | None = None
    until: date | None = None
    cycle: int | None = None


@dataclass
class Row:
    """One line of the journal, ready to show."""

    at: datetime
    category: str
    actor: str
    what: str
    concerning: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _head(queryset: QuerySet[Any], source: str, at: str, actor: str, cycle: str) -> QuerySet[Any]:
    return queryset.annotate(
        h_source=Value(source, output_field=CharField()),
        h_id=F("pk"),
        h_at=F(at),
        h_actor=F(actor),
        h_cycle=F(cycle),
    ).values_list("h_source", "h_id", "h_at", "h_actor", "h_cycle")


def _bounds(filters: Filters, at: str, actor: str, cycle: str) -> Q:
    condition = Q()
    if filters.since:
        condition &= Q(**{f"{at}__gte": _start_of(filters.since)})
    if filters.until:
        condition &= Q(**{f"{at}__lt": _start_of(filters.until + timedelta(days=1))})
    if filters.person:
        condition &= Q(**{actor: filters.person})
    if filters.cycle:
        condition &= Q(**{cycle: filters.cycle})
    return condition


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _sources(group: BuyingGroup, confidential: bool) -> dict[str, tuple[QuerySet[Any], str, str, str]]:
    """Each source's rows of ``group``, with the names of its time, actor and cycle columns."""
    sources: dict[str, tuple[QuerySet[Any], str, str, str]] = {
        "audit": (AuditEvent.objects.filter(group=group), "at", "actor_id", "cycle_id"),
        "step": (CycleEvent.objects.filter(cycle__group=group), "at", "by_id", "cycle_id"),
        "order": (
            OrderChange.objects.filter(order__cycle__group=group).exclude(kind=ChangeKind.MEMBER),
            "changed_at",
            "changed_by_id",
            "order__cycle_id",
        ),
        "dispatch": (
            Dispatch.objects.filter(document_set__cycle__group=group),
            "requested_at",
            "requested_by_id",
            "document_set__cycle_id",
        ),
    }
    if confidential:
        entries = Entry.objects.filter(group=group, sealed=True)
        sources["money"] = (entries, "created_at", "created_by_id", "cycle_id")
    return sources


def heads(group: BuyingGroup, filters: Filters, *, confidential: bool) -> QuerySet[Any]:
    """(source, id, at, actor id, cycle id) of every journal line matching ``filters``, newest first."""
    parts = []
    for source, (queryset, at, actor, cycle) in _sources(group, confidential).items():
        category = SOURCE_CATEGORY.get(source)
        if filters.category and category is not None and filters.category != category:
            continue
        if source == "audit" and filters.category:
            if filters.category not in AUDIT_KINDS:
                continue
            queryset = queryset.filter(kind__in=AUDIT_KINDS[filters.category])
        parts.append(
            _head(queryset.filter(_bounds(filters, at, actor, cycle)).order_by(), source, at, actor, cycle)
        )
    if not parts:
        return AuditEvent.objects.none().values_list("pk")
    first, *others = parts
    return first.union(*others, all=True).order_by("-h_at", "-h_id")


def rows(page: Iterable[Sequence[Any]]) -> list[Row]:
    """The journal lines of ``page`` (rows of ``heads``), each source read in one query."""
    page = list(page)
    wanted: dict[str, list[int]] = defaultdict(list)
    for source, pk, *_rest in page:
        wanted[source].append(pk)
    built: dict[tuple[str, int], Row] = {}
    for source, pks in wanted.items():
        for pk, row in READERS[source](pks).items():
            built[(source, pk)] = row
    return [built[(source, pk)] for source, pk, *_rest in page if (source, pk) in built]


def _name(user: Any) -> str:
    return user.display_name if user is not None else _("Cabas (automatic)")


def _shown(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if key == "roles":
        return ", ".join(str(Role(role).label) for role in value) or "—"
    if key == "price_cents":
        return format_cents(value)
    if key in {"quota", "member_cap"}:
        return format_quantity(value)
    if key == "status":
        from cabas.accounts.models import JoinRequest

        return str(JoinRequest.Status(value).label)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def audit_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(field, before, after) for each field an audit event names, as a reader says them."""
    keys = list(dict.fromkeys([*before, *after]))
    return [
        (str(FIELD_LABELS.get(key, key)), _shown(key, before.get(key)), _shown(key, after.get(key)))
        for key in keys
    ]


def _category_of(kind: str) -> str:
    return next((category for category, kinds in AUDIT_KINDS.items() if kind in kinds), "members")


def _audit(pks: list[int]) -> dict[int, Row]:
    events = AuditEvent.objects.filter(pk__in=pks).select_related("actor", "subject", "cycle")
    return {
        event.pk: Row(
            at=event.at,
            category=str(CATEGORIES[_category_of(event.kind)]),
            actor=_name(event.actor),
            what=" · ".join(filter(None, [str(event.get_kind_display()), event.target])),
            concerning=event.subject.display_name
            if event.subject
            else (event.cycle.name if event.cycle else ""),
            changes=audit_changes(event.before, event.after),
        )
        for event in events
    }


def _steps(pks: list[int]) -> dict[int, Row]:
    events = CycleEvent.objects.filter(pk__in=pks).select_related("by", "cycle")
    return {
        event.pk: Row(
            at=event.at,
            category=str(CATEGORIES["cycles"]),
            actor=_name(event.by),
            what=str(Step(event.step).label),
            concerning=event.cycle.name,
        )
        for event in events
    }


def _orders(pks: list[int]) -> dict[int, Row]:
    changes = OrderChange.objects.filter(pk__in=pks).select_related("changed_by", "offer", "order__user")
    return {
        change.pk: Row(
            at=change.changed_at,
            category=str(CATEGORIES["orders"]),
            actor=_name(change.changed_by),
            what=" · ".join(filter(None, [str(change.get_kind_display()), change.offer.name, change.reason])),
            concerning=change.order.user.display_name,
            changes=[
                (
                    str(FIELD_LABELS["quantity"]),
                    format_quantity(change.old_quantity),
                    format_quantity(change.new_quantity),
                ),
                (
                    str(FIELD_LABELS["amount"]),
                    format_cents(change.old_total_cents),
                    format_cents(change.new_total_cents),
                ),
            ],
        )
        for change in changes
    }


def _dispatches(pks: list[int]) -> dict[int, Row]:
    dispatches = Dispatch.objects.filter(pk__in=pks).select_related("requested_by", "producer")
    rows = {}
    for dispatch in dispatches:
        if dispatch.sent_at:
            status = _("sent")
        elif dispatch.failed_at:
            status = _("failed: %(error)s") % {"error": dispatch.error}
        else:
            status = _("waiting to be sent")
        rows[dispatch.pk] = Row(
            at=dispatch.requested_at,
            category=str(CATEGORIES["documents"]),
            actor=_name(dispatch.requested_by),
            what=_("Purchase order and distribution list to %(addresses)s: %(status)s")
            % {"addresses": ", ".join(dispatch.recipients), "status": status},
            concerning=dispatch.producer.name,
        )
    return rows


def _money(pks: list[int]) -> dict[int, Row]:
    entries = (
        Entry.objects.filter(pk__in=pks)
        .select_related("created_by")
        .prefetch_related("lines__household", "lines__producer")
    )
    rows = {}
    for entry in entries:
        lines = list(entry.lines.all())
        what = [str(EntryKind(entry.kind).label)]
        if entry.method:
            what.append(str(Method(entry.method).label))
        if entry.reverses_id:
            what.append(_("cancels entry no. %(number)s") % {"number": entry.reverses_id})
        if entry.corrects_id:
            what.append(_("replaces entry no. %(number)s") % {"number": entry.corrects_id})
        if entry.memo:
            what.append(entry.memo)
        households = {line.household.display_name for line in lines if line.household is not None}
        producers = {line.producer.name for line in lines if line.producer is not None}
        amount = sum(line.amount_cents for line in lines if line.amount_cents > 0)
        rows[entry.pk] = Row(
            at=entry.created_at,
            category=str(CATEGORIES["money"]),
            actor=_name(entry.created_by),
            what=" · ".join([_("Entry no. %(number)s") % {"number": entry.pk}, *what]),
            concerning=", ".join(sorted(households | producers)),
            changes=[(str(FIELD_LABELS["amount"]), "—", format_cents(amount))],
        )
    return rows


READERS = {"audit": _audit, "step": _steps, "order": _orders, "dispatch": _dispatches, "money": _money}
