"""Producers prepare their part of a cycle: asked by a coordinator, answered from their catalogue,
accepted by a coordinator; once orders are open, a producer's requests to withdraw a product or
change a quota, decided by a coordinator.

The cycle's offers are never written here: an accepted offer goes through
``services.update_offer``, ``services.withdraw_offer`` and ``services.restore_offer``, an accepted
request through the first two, so the rules of offers (nothing trimmed silently, members told)
hold whoever asks. Every function is keyword-only, runs in one transaction and raises
``CycleError`` when a rule refuses the change (nothing written then). E-mails are enqueued after
commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabas.accounts.models import User
from cabas.catalog.models import Producer
from cabas.cycles import services
from cabas.cycles.models import (
    Allocation,
    Cycle,
    Offer,
    OfferRequest,
    Phase,
    ProducerOffer,
    ProposedLine,
    RequestKind,
)
from cabas.cycles.services import BEFORE_OPENING, CycleError

# A producer's requests make sense while members order and while coordinators adjust.
REQUESTS_OPEN = (Phase.OPEN, Phase.CLOSED)


@dataclass(frozen=True)
class LineAnswer:
    """What a producer (or a coordinator) says of one product for the cycle."""

    available: bool
    price_cents: int
    quota: int | None = None
    member_cap: int | None = None


def _check_before_opening(cycle: Cycle) -> None:
    if cycle.phase() not in BEFORE_OPENING:
        raise CycleError(_("Orders have opened: the producers' offers can no longer change."))


def _enqueue_request(proposal_ids: list[int], *, reminder: bool) -> None:
    from cabas.cycles.tasks import send_offer_request

    for pk in proposal_ids:
        transaction.on_commit(lambda pk=pk: send_offer_request.enqueue(pk, reminder))  # type: ignore[misc]


def ask_producers(
    *, cycle: Cycle, by: User, producers: Iterable[Producer] | None = None
) -> list[ProducerOffer]:
    """Ask each producer of ``cycle`` not asked yet (or those of ``producers``) for their offer.

    Each is e-mailed a link to prepare it. Returns the requests created (none twice per producer).
    """
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        _check_before_opening(cycle)
        wanted = cycle.producers.all()
        if producers is not None:
            wanted = wanted.filter(pk__in=[p.pk for p in producers])
        asked = ProducerOffer.objects.filter(cycle=cycle).values("producer_id")
        now = timezone.now()
        created = ProducerOffer.objects.bulk_create(
            ProducerOffer(cycle=cycle, producer=producer, asked_at=now, asked_by=by)
            for producer in wanted.exclude(pk__in=asked).order_by("name")
        )
        # bulk_create sets the primary keys on SQLite and PostgreSQL alike.
        _enqueue_request([proposal.pk for proposal in created], reminder=False)
    return created


def remind(*, proposal: ProducerOffer, by: User) -> ProducerOffer:
    """E-mail the producer again; refused once they have answered."""
    with transaction.atomic():
        proposal = ProducerOffer.objects.select_for_update().select_related("cycle").get(pk=proposal.pk)
        _check_before_opening(proposal.cycle)
        if proposal.is_answered:
            raise CycleError(_("This producer has already answered."))
        proposal.reminded_at = timezone.now()
        proposal.save(update_fields=["reminded_at"])
        _enqueue_request([proposal.pk], reminder=True)
    return proposal


def producer_offers(proposal: ProducerOffer) -> list[Offer]:
    """The cycle's offers of the producer's products, by category and name (what the answer covers)."""
    return list(
        Offer.objects.filter(cycle_id=proposal.cycle_id, producer_id=proposal.producer_id).order_by(
            "category", "name"
        )
    )


def answer(*, proposal: ProducerOffer, lines: Mapping[int, LineAnswer], note: str, by: User) -> ProducerOffer:
    """Record the producer's offer: one answer per product of theirs in the cycle (offer id -> answer).

    A new answer replaces the previous one and waits for the coordinator again.
    """
    with transaction.atomic():
        proposal = ProducerOffer.objects.select_for_update().select_related("cycle").get(pk=proposal.pk)
        _check_before_opening(proposal.cycle)
        _write_lines(proposal, lines)
        proposal.note = note.strip()
        proposal.answered_at, proposal.answered_by = timezone.now(), by
        proposal.accepted_at = proposal.accepted_by = None
        proposal.save(update_fields=["note", "answered_at", "answered_by", "accepted_at", "accepted_by"])
    return proposal


def _write_lines(proposal: ProducerOffer, lines: Mapping[int, LineAnswer]) -> None:
    offers = {offer.pk: offer for offer in producer_offers(proposal)}
    if set(lines) != set(offers):
        raise CycleError(_("The list of products has changed meanwhile: reload the page."))
    ProposedLine.objects.filter(proposal=proposal).delete()
    ProposedLine.objects.bulk_create(
        ProposedLine(
            proposal=proposal,
            offer_id=pk,
            available=line.available,
            price_cents=line.price_cents,
            quota=line.quota,
            member_cap=line.member_cap,
        )
        for pk, line in sorted(lines.items())
    )


def accept(
    *,
    proposal: ProducerOffer,
    by: User,
    lines: Mapping[int, LineAnswer] | None = None,
    note: str | None = None,
) -> ProducerOffer:
    """Write the producer's offer (as the coordinator may have changed it) to the cycle's offers.

    All or nothing: if one offer refuses its change, nothing is written.
    """
    with transaction.atomic():
        proposal = ProducerOffer.objects.select_for_update().select_related("cycle").get(pk=proposal.pk)
        _check_before_opening(proposal.cycle)
        if lines is not None:
            _write_lines(proposal, lines)
        if note is not None:
            proposal.note = note.strip()
        if not proposal.lines.exists():
            raise CycleError(_("This producer has not answered yet: there is nothing to accept."))
        for line in proposal.lines.select_related("offer"):
            _apply(line, by)
        proposal.accepted_at, proposal.accepted_by = timezone.now(), by
        proposal.save(update_fields=["note", "accepted_at", "accepted_by"])
    return proposal


def _apply(line: ProposedLine, by: User) -> None:
    offer = line.offer
    if not line.available:
        services.withdraw_offer(offer=offer, reason="", by=by)
        return
    if not offer.is_available:
        offer = services.restore_offer(offer=offer)
    allocation = offer.allocation if line.quota is not None else Allocation.FIRST_COME
    services.update_offer(
        offer=offer,
        price_cents=line.price_cents,
        quota=line.quota,
        member_cap=line.member_cap,
        allocation=allocation,
        by=by,
    )


def notes_of(cycle: Cycle) -> dict[int, str]:
    """Producer id -> the word to members of each accepted offer of ``cycle`` (one query)."""
    rows = ProducerOffer.objects.filter(cycle=cycle, accepted_at__isnull=False).exclude(note="")
    return dict(rows.values_list("producer_id", "note"))


# --- While orders are open ------------------------------------------------------------------


def ask_change(*, offer: Offer, kind: str, quota: int | None, reason: str, by: User) -> OfferRequest:
    """A producer asks to withdraw ``offer`` or to change its quota; a coordinator decides."""
    reason = reason.strip()
    if offer.cycle.phase() not in REQUESTS_OPEN:
        raise CycleError(_("Requests are taken while orders are open and until the cycle is finalised."))
    if not offer.is_available:
        raise CycleError(_("This product has been withdrawn from the cycle."))
    if not reason:
        raise CycleError(_("Give the reason: the members who ordered it will be told."))
    if kind == RequestKind.QUOTA and (quota is None or quota % offer.quantity_step):
        raise CycleError(_("Enter the new quota, in steps of the product."))
    if kind == RequestKind.WITHDRAWAL:
        quota = None
    return OfferRequest.objects.create(offer=offer, kind=kind, quota=quota, reason=reason, asked_by=by)


def decide(*, request: OfferRequest, accepted: bool, by: User) -> OfferRequest:
    """Accept (through the offers' own rules) or refuse a producer's request; a decided one stays so."""
    with transaction.atomic():
        claimed = OfferRequest.objects.filter(pk=request.pk, decided_at__isnull=True).update(
            decided_at=timezone.now(), decided_by=by, accepted=accepted
        )
        if not claimed:
            raise CycleError(_("This request has already been decided."))
        request = OfferRequest.objects.select_related("offer__cycle").get(pk=request.pk)
        if accepted:
            _carry_out(request, by)
    return request


def _carry_out(request: OfferRequest, by: User) -> None:
    offer = request.offer
    if request.kind == RequestKind.WITHDRAWAL:
        services.withdraw_offer(offer=offer, reason=request.reason, by=by)
        return
    services.update_offer(
        offer=offer,
        price_cents=offer.price_cents,
        quota=request.quota,
        member_cap=offer.member_cap,
        allocation=offer.allocation,
        by=by,
    )
