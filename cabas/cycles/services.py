"""Coordinators' workflows on cycles and offers: the only code that writes them.

Each function is keyword-only, runs in one transaction and raises
``CycleError`` (a message for the coordinator) when a business rule refuses
the change; nothing is written then. E-mails to members are enqueued after
commit, never sent inside the transaction.

Order lines are written by ``lines.change_lines`` only; the two coordinator
actions here that touch lines (a price change, a withdrawal) go through it, so
a member's order never changes without an ``OrderChange`` row and an e-mail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Sum
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cabas.accounts.models import BuyingGroup, User
from cabas.audit.models import Kind
from cabas.audit.services import changes, plain, record
from cabas.catalog.models import Producer, Product
from cabas.cycles import clock
from cabas.cycles.allocation import allocate
from cabas.cycles.lines import Edit, Quota, change_lines
from cabas.cycles.models import (
    Allocation,
    ChangeKind,
    Cycle,
    CycleEvent,
    Offer,
    OrderChange,
    OrderLine,
    Phase,
    Step,
)
from cabas.cycles.signals import announce_change
from cabas.lib.money import format_cents
from cabas.lib.quantities import format_quantity

# Fields a coordinator sets on a cycle.
CYCLE_FIELDS = (
    "name",
    "opens_at",
    "closes_at",
    "distribution_date",
    "distribution_start",
    "distribution_end",
    "distribution_place",
    "message",
)
StrOrPromise = str | Promise
# Once orders have opened, members have ordered against the window and the
# producers: only what concerns the distribution itself may still change.
EDITABLE_AFTER_OPENING = (
    "distribution_date",
    "distribution_start",
    "distribution_end",
    "distribution_place",
    "message",
)
BEFORE_OPENING = (Phase.DRAFT, Phase.SCHEDULED)
OFFERS_CHANGE = (Phase.DRAFT, Phase.SCHEDULED, Phase.OPEN, Phase.CLOSED)
# Our model group distributes every two months: a copy lands two months later.
COPY_SHIFT = timedelta(weeks=8)
NAME_MAX_LENGTH = 120  # Cycle.name


class CycleError(Exception):
    """A change refused for a business reason; the message is for the coordinator."""


# --- Cycles ------------------------------------------------------------------------


def cycle_date_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with a cycle's dates (field -> message); empty when they hold together.

    Shared by the form (messages next to the fields) and the services (which
    never trust their caller).
    """
    errors: dict[str, str] = {}
    opens, closes = values.get("opens_at"), values.get("closes_at")
    day: date | None = values.get("distribution_date")
    start: time | None = values.get("distribution_start")
    end: time | None = values.get("distribution_end")
    if opens and closes and closes <= opens:
        errors["closes_at"] = _("Orders must close after they open.")
    if closes and day and day < timezone.localtime(closes).date():
        errors["distribution_date"] = _("The distribution must be on the closing day or later.")
    if start and end and end <= start:
        errors["distribution_end"] = _("The distribution must end after it starts.")
    return errors


def create_cycle(
    *,
    group: BuyingGroup,
    fields: Mapping[str, Any],
    producers: Iterable[Producer],
    by: User,
    submission: uuid.UUID | None = None,
) -> Cycle:
    """A new draft cycle of ``group`` with its producers' active products on offer at today's prices.

    ``submission`` is the token of the form that asks for it: a second request
    with the same token returns the cycle the first one created.
    """
    producers = list(producers)
    _check_producers(group, producers)

    def build() -> Cycle:
        cycle = Cycle(group=group, created_by=by, submission=submission)
        _assign(cycle, fields)
        cycle.save()
        cycle.producers.set(producers)
        sync_offers(cycle=cycle)
        _record_created(cycle, producers, by)
        return cycle

    return _create_once(group, submission, build)


def submitted_cycle(group: BuyingGroup, submission: uuid.UUID | None) -> Cycle | None:
    """The cycle of ``group`` that the form ``submission`` already created, if any."""
    if submission is None:
        return None
    return Cycle.objects.filter(group=group, submission=submission).first()


def _cycle_values(cycle: Cycle, producers: Iterable[Producer]) -> dict[str, Any]:
    """A cycle's settings as the audit trail keeps them."""
    values = {key: plain(getattr(cycle, key)) for key in CYCLE_FIELDS}
    values["producers"] = sorted(producer.name for producer in producers)
    return values


def _record_created(cycle: Cycle, producers: Iterable[Producer], by: User) -> None:
    record(
        group=cycle.group,
        kind=Kind.CYCLE_CREATED,
        actor=by,
        cycle=cycle,
        target=cycle.name,
        after=_cycle_values(cycle, producers),
    )


def _record_changed(cycle: Cycle, before: dict[str, Any], producers: Iterable[Producer], by: User) -> None:
    old, new = changes(before, _cycle_values(cycle, producers))
    if new:
        record(
            group=cycle.group,
            kind=Kind.CYCLE_CHANGED,
            actor=by,
            cycle=cycle,
            target=cycle.name,
            before=old,
            after=new,
        )


def _create_once(group: BuyingGroup, submission: uuid.UUID | None, build: Callable[[], Cycle]) -> Cycle:
    # The unique token settles a race between two copies of one form: the
    # second insert fails and finds the first one's cycle.
    existing = submitted_cycle(group, submission)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return build()
    except IntegrityError:
        existing = submitted_cycle(group, submission)
        if existing is None:
            raise
        return existing


def copy_defaults(source: Cycle, now: datetime | None = None) -> dict[str, Any]:
    """What a copy of ``source`` starts with: its settings, its dates two months (or more) later.

    The dates move by steps of ``COPY_SHIFT`` until the copy closes in the
    future, in local wall-clock time (18:00 stays 18:00 across a change of
    summer time). Producers that no longer supply the group are left out.
    """
    now = now or timezone.now()
    shift = COPY_SHIFT
    while source.closes_at + shift <= now:
        shift += COPY_SHIFT
    name = _("%(name)s (copy)") % {"name": source.name}
    return {
        "name": name[:NAME_MAX_LENGTH],
        "opens_at": timezone.localtime(source.opens_at) + shift,
        "closes_at": timezone.localtime(source.closes_at) + shift,
        "distribution_date": source.distribution_date + shift,
        "distribution_start": source.distribution_start,
        "distribution_end": source.distribution_end,
        "distribution_place": source.distribution_place,
        "message": source.message,
        "producers": list(Producer.objects.supplying(source.group).filter(cycles=source)),
    }


def copy_cycle(
    *,
    source: Cycle,
    by: User,
    fields: Mapping[str, Any] | None = None,
    producers: Iterable[Producer] | None = None,
    submission: uuid.UUID | None = None,
) -> Cycle:
    """A new draft cycle like ``source``: same producers, same offer settings, today's prices.

    Each offer of ``source`` whose product is still on sale keeps its quota,
    cap and allocation (dropped if the product's step changed so that they no
    longer fit); its price and description are read again from the catalogue.
    Products added since are offered too. ``fields`` and ``producers``
    override the defaults of ``copy_defaults`` (the coordinator edits them);
    ``submission`` works as for ``create_cycle``.
    """
    defaults = copy_defaults(source)
    producers = list(defaults.pop("producers") if producers is None else producers)
    _check_producers(source.group, producers)

    def build() -> Cycle:
        cycle = Cycle(group=source.group, copied_from=source, created_by=by, submission=submission)
        _assign(cycle, {**defaults, **(fields or {})})
        cycle.save()
        cycle.producers.set(producers)
        _copy_offers(source, cycle)
        sync_offers(cycle=cycle)
        _record_created(cycle, producers, by)
        return cycle

    return _create_once(source.group, submission, build)


def update_cycle(
    *, cycle: Cycle, fields: Mapping[str, Any], producers: Iterable[Producer], by: User
) -> Cycle:
    """Change a cycle's settings and producers.

    Before opening, everything may change and the offers follow the producers
    (new products are offered; a removed producer's offers go). After opening,
    only the distribution details and the message may: anything else is refused.
    """
    producers = list(producers)
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().select_related("group").get(pk=cycle.pk)
        current = list(cycle.producers.all())
        before = _cycle_values(cycle, current)
        if cycle.phase() in BEFORE_OPENING:
            _check_producers(cycle.group, producers, keep=current)
            _check_removed_producers(cycle, producers)
            _assign(cycle, fields)
            cycle.save()
            cycle.producers.set(producers)
            sync_offers(cycle=cycle)
            _record_changed(cycle, before, producers, by)
            return cycle
        _check_locked_fields(cycle, fields, producers)
        _assign(cycle, {key: fields[key] for key in EDITABLE_AFTER_OPENING if key in fields})
        cycle.save()
        _record_changed(cycle, before, current, by)
        announce_change(cycle.pk)
    return cycle


# --- Steps -------------------------------------------------------------------------


@dataclass(frozen=True)
class StepRule:
    """How a step moves a cycle on: from which phases, which timestamp it sets, whether it is announced.

    ``done``: the phases in which the step has already been taken (a second
    click changes nothing and records nothing). ``check`` refuses the step for
    a reason of the cycle's own (a message, or empty). ``then`` runs once the
    step is committed.
    """

    phases: tuple[Phase, ...]
    done: tuple[Phase, ...]
    stamp: str
    value: Callable[[Cycle, datetime], datetime | None]
    refusal: StrOrPromise
    announce: bool
    check: Callable[[Cycle, datetime], str] | None = None
    then: Callable[[Cycle], object] | None = None  # what follows at once, in its own transaction


def _now(cycle: Cycle, now: datetime) -> datetime:
    return now


def _unset(cycle: Cycle, now: datetime) -> None:
    return None


def _window_end(cycle: Cycle, now: datetime) -> datetime:
    # The window must end after it began (a database constraint), even at its first second.
    return max(now, cycle.opens_at + timedelta(seconds=1))


def _publishable(cycle: Cycle, now: datetime) -> str:
    if not cycle.offers.filter(withdrawn_at__isnull=True).exists():
        return _("This cycle has no product on offer: choose its producers first.")
    if cycle.closes_at <= now:
        return _("The order deadline has passed: set new dates before publishing.")
    return ""


def _recap_final_basket(cycle: Cycle) -> bool:
    """Finalised: the baskets are final, members get their recap now (once; see ``clock``)."""
    if cycle.allocated_at is None:
        allocate(cycle)  # the clock may not have split the fair shares yet
        cycle.refresh_from_db()
    return clock.send_recap_when_due(cycle)


def _balanced(cycle: Cycle, now: datetime) -> str:
    """Settling: nobody owes anybody anything on this cycle any more (what is left, listed)."""
    # The ledger builds on cycles: it is read here, at the moment of the step, never imported
    # when cycles load.
    from cabas.ledger.positions import cycle_positions, outstanding

    missing = outstanding(cycle_positions(cycle))
    if not missing:
        return ""
    return _("This cycle does not balance yet. %(what)s") % {"what": " ".join(missing)}


_PUBLISHED = tuple(phase for phase in Phase if phase != Phase.DRAFT)
STEPS: dict[Step, StepRule] = {
    # Visible to members: scheduled, or open at once if its window has begun.
    Step.PUBLISH: StepRule(
        phases=(Phase.DRAFT,),
        done=_PUBLISHED,
        stamp="published_at",
        value=_now,
        refusal="",
        announce=False,
        check=_publishable,
    ),
    Step.UNPUBLISH: StepRule(
        phases=(Phase.SCHEDULED,),
        done=(Phase.DRAFT,),
        stamp="published_at",
        value=_unset,
        refusal=gettext_lazy("Orders have opened: this cycle can no longer go back to draft."),
        announce=False,
    ),
    # The deadline brought forward to now: from then on the cycle is closed like at
    # any deadline. Fair shares are split at once (the clock would a minute later),
    # so that the adjustments and the cartons start from them. The recap waits for finalise.
    Step.CLOSE: StepRule(
        phases=(Phase.OPEN,),
        done=(),
        stamp="closes_at",
        value=_window_end,
        refusal=gettext_lazy("Only a cycle open for orders can be closed."),
        announce=True,
        then=allocate,
    ),
    # The adjustments end: orders and offers no longer change, the documents are final,
    # and members receive the recap of their final basket (once, even if finalised again).
    Step.FINALISE: StepRule(
        phases=(Phase.CLOSED,),
        done=(Phase.FINALISED,),
        stamp="finalised_at",
        value=_now,
        refusal=gettext_lazy("Only a closed cycle, whose adjustments are done, can be finalised."),
        announce=True,
        then=_recap_final_basket,
    ),
    # Undoes finalise before the distribution: coordinators may adjust orders again.
    Step.REOPEN: StepRule(
        phases=(Phase.FINALISED,),
        done=(),
        stamp="finalised_at",
        value=_unset,
        refusal=gettext_lazy(
            "Adjustments can be reopened only on a finalised cycle before its distribution."
        ),
        announce=True,
    ),
    # The distribution day is over: its journal is closed, what is still owed goes to settlement.
    Step.DISTRIBUTE: StepRule(
        phases=(Phase.FINALISED,),
        done=(Phase.DISTRIBUTED, Phase.SETTLED),
        stamp="distributed_at",
        value=_now,
        refusal=gettext_lazy("Only a finalised cycle can close its distribution."),
        announce=False,
    ),
    # The treasurers settle the cycle once its money balances: from then on its ledger
    # takes only corrections (the ledger checks ``settled_at`` under the same row lock).
    Step.SETTLE: StepRule(
        phases=(Phase.DISTRIBUTED,),
        done=(Phase.SETTLED,),
        stamp="settled_at",
        value=_now,
        refusal=gettext_lazy("Only a cycle whose distribution day is closed can be settled."),
        announce=False,
        check=_balanced,
    ),
}


def take_step(*, cycle: Cycle, step: Step, by: User) -> Cycle:
    """Move ``cycle`` on by ``step`` (rules in ``STEPS``) and record who took it and when.

    Raises ``CycleError`` when the cycle is in a phase the step does not
    start from (nothing written). A step already taken changes nothing.
    """
    rule = STEPS[step]
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        now = timezone.now()
        phase = cycle.phase(now)
        if phase in rule.done:
            return cycle
        refusal = str(rule.refusal) if phase not in rule.phases else rule.check and rule.check(cycle, now)
        if refusal:
            raise CycleError(refusal)
        setattr(cycle, rule.stamp, rule.value(cycle, now))
        cycle.save(update_fields=[rule.stamp])
        CycleEvent.objects.create(cycle=cycle, step=step, by=by, at=now)
        if rule.announce:
            announce_change(cycle.pk)
    if rule.then is not None:
        rule.then(cycle)
    return cycle


publish = partial(take_step, step=Step.PUBLISH)
unpublish = partial(take_step, step=Step.UNPUBLISH)
close_now = partial(take_step, step=Step.CLOSE)
finalise = partial(take_step, step=Step.FINALISE)
reopen_adjustments = partial(take_step, step=Step.REOPEN)
close_distribution = partial(take_step, step=Step.DISTRIBUTE)
settle = partial(take_step, step=Step.SETTLE)


def _assign(cycle: Cycle, fields: Mapping[str, Any]) -> None:
    for key in CYCLE_FIELDS:
        if key in fields:
            setattr(cycle, key, fields[key])
    if errors := cycle_date_errors({key: getattr(cycle, key) for key in CYCLE_FIELDS}):
        raise CycleError(" ".join(errors.values()))


def _check_producers(group: BuyingGroup, producers: list[Producer], keep: Iterable[Producer] = ()) -> None:
    """Only producers supplying the group (or already in the cycle) may take part."""
    allowed = {p.pk for p in Producer.objects.supplying(group)} | {p.pk for p in keep}
    if any(p.pk not in allowed for p in producers):
        raise CycleError(_("Only producers who supply the group can take part in its cycles."))


def _check_removed_producers(cycle: Cycle, producers: list[Producer]) -> None:
    """A producer whose products were already ordered stays: its orders are never dropped silently."""
    kept = {p.pk for p in producers}
    ordered = (
        Producer.objects.filter(offers__cycle=cycle, offers__lines__requested__gt=0)
        .exclude(pk__in=kept)
        .distinct()
        .order_by("name")
    )
    if names := [p.name for p in ordered]:
        raise CycleError(
            _("%(names)s already has orders in this cycle: withdraw its products instead.")
            % {"names": ", ".join(names)}
        )


def _check_locked_fields(cycle: Cycle, fields: Mapping[str, Any], producers: list[Producer]) -> None:
    changed = [
        key
        for key in CYCLE_FIELDS
        if key in fields and key not in EDITABLE_AFTER_OPENING and fields[key] != getattr(cycle, key)
    ]
    if changed or {p.pk for p in producers} != set(cycle.producers.values_list("pk", flat=True)):
        raise CycleError(
            _("Orders have opened: only the distribution details and the message can still change.")
        )


# --- Offers --------------------------------------------------------------------------


def sync_offers(*, cycle: Cycle) -> int:
    """Offer every active product of the cycle's producers that is not offered yet; return how many.

    Prices and descriptions are copied (frozen) from the catalogue. Offers of
    producers no longer in the cycle are deleted, unless someone ordered them
    (an offer with order lines is never deleted). A constant number of
    queries, however many products.
    """
    with transaction.atomic():
        producer_ids = list(cycle.producers.filter(is_active=True).values_list("pk", flat=True))
        Offer.objects.filter(cycle=cycle).exclude(producer_id__in=producer_ids).exclude(
            Exists(OrderLine.objects.filter(offer=OuterRef("pk")))
            | Exists(OrderChange.objects.filter(offer=OuterRef("pk")))
        ).delete()
        products = (
            Product.objects.active()
            .filter(producer_id__in=producer_ids)
            .exclude(offers__cycle=cycle)
            .order_by("producer_id", "name")
        )
        created = Offer.objects.bulk_create(_offer_from(cycle, product) for product in products)
    return len(created)


def _offer_from(cycle: Cycle, product: Product, settings_from: Offer | None = None) -> Offer:
    offer = Offer(
        cycle=cycle,
        product=product,
        producer_id=product.producer_id,
        name=product.name,
        category=product.category,
        unit_label=product.unit_label(),
        price_cents=product.price_cents,
        vat_rate=product.vat_rate,
        quantity_step=product.quantity_step,
        min_quantity=product.min_quantity,
        carton_size=product.carton_size,
        variable_weight=product.variable_weight,
        estimated_weight_grams=product.estimated_weight_grams,
    )
    if settings_from is not None:
        step = product.quantity_step
        if settings_from.quota is not None and settings_from.quota % step == 0:
            offer.quota = offer.remaining = settings_from.quota
            offer.allocation = settings_from.allocation
        if settings_from.member_cap is not None and settings_from.member_cap % step == 0:
            offer.member_cap = max(settings_from.member_cap, product.min_quantity)
    return offer


def _copy_offers(source: Cycle, cycle: Cycle) -> None:
    producer_ids = set(cycle.producers.values_list("pk", flat=True))
    offers = (
        source.offers.filter(product__is_active=True, producer_id__in=producer_ids)
        .select_related("product")
        .order_by("pk")
    )
    Offer.objects.bulk_create(_offer_from(cycle, offer.product, settings_from=offer) for offer in offers)


def update_offer(
    *,
    offer: Offer,
    price_cents: int,
    quota: int | None,
    member_cap: int | None,
    allocation: str,
    by: User,
) -> Offer:
    """Change an offer's price, quota, cap per member and allocation.

    Before opening, anything may change. From opening until the cycle is
    finalised: a new price re-prices every line of the offer (each member is
    told by e-mail), the allocation can no longer switch, and in every phase
    a quota below what is already sold, or a cap below what a member already
    asked for, is refused: orders are never trimmed silently.
    """
    with transaction.atomic():
        # The offer first: in-flight baskets holding it finish, new ones wait (ordering._offers_on_sale).
        offer = Offer.objects.select_for_update().select_related("cycle__group").get(pk=offer.pk)
        phase = offer.cycle.phase()
        _check_offer_changes(offer, phase, allocation)
        before = _offer_values(offer)
        old_price = offer.price_cents
        offer.quota, offer.remaining = quota, _remaining(offer, quota, allocation)
        offer.member_cap, offer.allocation, offer.price_cents = member_cap, allocation, price_cents
        _check_cap(offer)
        offer.save(update_fields=["price_cents", "quota", "remaining", "member_cap", "allocation"])
        old, new = changes(before, _offer_values(offer))
        if new:
            record(
                group=offer.cycle.group,
                kind=Kind.OFFER_CHANGED,
                actor=by,
                cycle=offer.cycle,
                target=offer.name,
                before=old,
                after=new,
            )
        if price_cents != old_price:
            _reprice(offer, old_price, by)
    return offer


def _offer_values(offer: Offer) -> dict[str, Any]:
    """An offer's settings as the audit trail keeps them (money in cents, quantities in thousandths)."""
    return {
        "price_cents": offer.price_cents,
        "quota": offer.quota,
        "member_cap": offer.member_cap,
        "allocation": offer.allocation,
    }


def _check_offer_changes(offer: Offer, phase: Phase, allocation: str) -> None:
    if phase not in OFFERS_CHANGE:
        raise CycleError(_("This cycle is finalised: its offers can no longer change."))
    if not offer.is_available:
        raise CycleError(_("This product has been withdrawn from the cycle."))
    if allocation != offer.allocation and phase not in BEFORE_OPENING:
        raise CycleError(_("Orders have opened: the way a scarce product is shared can no longer change."))


def _remaining(offer: Offer, quota: int | None, allocation: str) -> int | None:
    """What is left of ``quota``; refuses a quota below what is already sold.

    First-come lines take the quota as they are saved; a fair-share quota is
    only taken when it is split at the deadline. The sum is read with the
    offer row locked, so a member saving a basket meanwhile waits for us.
    """
    if quota is None:
        return None
    sold = 0
    if allocation == Allocation.FIRST_COME or offer.cycle.allocated_at is not None:
        sold = offer.lines.aggregate(sold=Sum("quantity"))["sold"] or 0
    if quota < sold:
        raise CycleError(
            _("%(sold)s already sold: the quota cannot be lower. Change those orders first.")
            % {"sold": offer_quantity(offer, sold)}
        )
    return quota - sold


def _check_cap(offer: Offer) -> None:
    if offer.member_cap is None:
        return
    most = offer.lines.aggregate(most=Max("requested"))["most"] or 0
    if offer.member_cap < most:
        raise CycleError(
            _("A member already asked for %(most)s: the cap per member cannot be lower.")
            % {"most": offer_quantity(offer, most)}
        )


def offer_quantity(offer: Offer, quantity: int) -> str:
    """``3 × pot de 500 g``: a quantity of an offer, for messages."""
    return f"{format_quantity(quantity)} × {offer.unit_label}"


def _reprice(offer: Offer, old_price: int, by: User) -> None:
    """Every line of ``offer`` at its new price, with an ``OrderChange`` and an e-mail per member."""
    # The reason is stored once, in the group's language, as the member's e-mail shows it.
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("New price: %(new)s instead of %(old)s") % {
            "new": format_cents(offer.price_cents),
            "old": format_cents(old_price),
        }
    lines = OrderLine.objects.filter(offer=offer, quantity__gt=0)
    edits = [
        Edit(offer=offer, order_id=line.order_id, line=line, quantity=line.quantity, requested=line.requested)
        for line in lines
    ]
    change_lines(edits=edits, kind=ChangeKind.PRICE, by=by, reason=reason, notify=True)


def withdraw_offer(*, offer: Offer, reason: str, by: User) -> int:
    """Take a product off a cycle (a shortage, a failed harvest); return how many orders it touched.

    Every line of it goes to 0 with an ``OrderChange`` giving ``reason``, the
    whole quota comes back, and each member concerned is e-mailed. A reason
    is required once orders have opened. Withdrawing twice changes nothing.
    """
    reason = reason.strip()
    with transaction.atomic():
        # The offer first: in-flight baskets holding it finish, new ones wait (ordering._offers_on_sale).
        offer = Offer.objects.select_for_update().select_related("cycle__group").get(pk=offer.pk)
        phase = offer.cycle.phase()
        if phase not in OFFERS_CHANGE:
            raise CycleError(_("This cycle is finalised: its offers can no longer change."))
        if phase not in BEFORE_OPENING and not reason:
            raise CycleError(
                _("Give the reason for the withdrawal: the members who ordered it will be told.")
            )
        claimed = Offer.objects.filter(pk=offer.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), remaining=F("quota")
        )
        if not claimed:
            return 0
        record(
            group=offer.cycle.group,
            kind=Kind.OFFER_WITHDRAWN,
            actor=by,
            cycle=offer.cycle,
            target=offer.name,
            before={"withdrawn": False},
            after={"withdrawn": True, "reason": reason},
        )
        # The claim gave the whole quota back: the lines go to 0 without moving it again.
        lines = OrderLine.objects.filter(offer=offer, requested__gt=0)
        edits = [
            Edit(offer=offer, order_id=line.order_id, line=line, quantity=0, quota=Quota.KEEP)
            for line in lines
        ]
        changes = change_lines(edits=edits, kind=ChangeKind.WITHDRAWAL, by=by, reason=reason, notify=True)
    return len(changes)


def restore_offer(*, offer: Offer) -> Offer:
    """Put a withdrawn product back on offer, only before orders open (nobody has ordered it then).

    Once orders have opened a withdrawal is final: members were told it was gone.
    """
    with transaction.atomic():
        offer = Offer.objects.select_for_update().select_related("cycle").get(pk=offer.pk)
        if offer.cycle.phase() not in BEFORE_OPENING:
            raise CycleError(_("Orders have opened: a withdrawn product can no longer come back."))
        if offer.withdrawn_at is not None:
            offer.withdrawn_at = None
            offer.save(update_fields=["withdrawn_at"])
    return offer
