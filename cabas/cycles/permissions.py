"""Who may see which cycle, offer and basket: the one place cycles views look them up.

Every lookup is scoped: a cycle inside the group of the ``GroupAccess`` (or
among those the producer takes part in), an offer inside its cycle, a
household inside the group. An id from elsewhere is a 404, never trusted.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from cabas.accounts.models import Membership, User
from cabas.accounts.permissions import GroupAccess
from cabas.catalog.models import Producer
from cabas.catalog.permissions import ProducerAccess
from cabas.cycles.models import Cycle, Offer, OfferRequest, ProducerOffer


def get_cycle(access: GroupAccess, pk: int | str) -> Cycle:
    """A cycle of this group, draft or not (for coordinators)."""
    return get_object_or_404(Cycle.objects.select_related("group"), pk=pk, group=access.group)


def get_published_cycle(access: GroupAccess, pk: int | str) -> Cycle:
    """A published cycle of this group (drafts are for coordinators: 404 for members)."""
    return get_object_or_404(Cycle.objects.published().select_related("group"), pk=pk, group=access.group)


def get_producer_cycle(access: ProducerAccess, pk: int | str) -> Cycle:
    """A published cycle the producer takes part in, of a group the person may see through
    the producer (404 otherwise): a coordinator sees only their own groups' cycles."""
    cycle = get_object_or_404(Cycle.objects.published().seen_through(access).select_related("group"), pk=pk)
    if not Producer.objects.taking_part_in(cycle).filter(pk=access.producer.pk).exists():
        raise Http404
    return cycle


def get_offer(cycle: Cycle, pk: int | str) -> Offer:
    """An offer of this cycle only."""
    return get_object_or_404(Offer.objects.select_related("producer", "cycle__group"), pk=pk, cycle=cycle)


def get_household(access: GroupAccess, user_pk: object) -> User:
    """A current household (member) of this group, by user id."""
    membership = get_object_or_404(
        Membership.objects.current().select_related("user"),
        group=access.group,
        user_id=user_pk,
        is_member=True,
    )
    return membership.user


def get_proposal(access: ProducerAccess, pk: int | str) -> ProducerOffer:
    """The producer's offer for cycle ``pk``, asked by a group the person may see through it (404)."""
    cycles = Cycle.objects.seen_through(access)
    return get_object_or_404(
        ProducerOffer.objects.select_related("cycle__group", "producer"),
        cycle__in=cycles,
        cycle_id=pk,
        producer=access.producer,
    )


def get_group_proposal(cycle: Cycle, pk: int | str) -> ProducerOffer:
    """A producer's offer of this cycle only."""
    return get_object_or_404(ProducerOffer.objects.select_related("producer", "cycle"), pk=pk, cycle=cycle)


def get_offer_request(cycle: Cycle, pk: int | str) -> OfferRequest:
    """A producer's request about an offer of this cycle only."""
    return get_object_or_404(OfferRequest.objects.select_related("offer__cycle"), pk=pk, offer__cycle=cycle)
