"""Background e-mails about cycles and orders. Enqueued after commit, never inside a transaction.

Every task takes ids and reads fresh rows. Each e-mail goes to one person, in
their language (``send_templated``). A task that mails many people keeps going
when one e-mail fails: the failure is logged, and the task fails at the end
(``DeliveryError``) so that its result shows it, without mailing anyone twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Model, Q, QuerySet
from django.tasks import task
from django.utils import timezone

from cabas.lib.emails import send_templated

if TYPE_CHECKING:
    from cabas.accounts.models import BuyingGroup, User
    from cabas.cycles.baskets import Basket
    from cabas.cycles.models import Cycle, Order, OrderChange

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """Some e-mails of a batch could not be sent (the others were)."""


def _order(order_id: int) -> Order:
    from cabas.cycles.models import Order

    return Order.objects.select_related("cycle__group", "user").get(pk=order_id)


def _cycle(cycle_id: int) -> Cycle:
    from cabas.cycles.models import Cycle

    return Cycle.objects.select_related("group").get(pk=cycle_id)


def _households(group: BuyingGroup) -> QuerySet[User]:
    """Active people with a current household membership of ``group`` (not producer-only ones)."""
    from cabas.accounts.models import User

    return User.objects.filter(
        is_active=True,
        memberships__group=group,
        memberships__ended_at__isnull=True,
        memberships__is_member=True,
    ).order_by("pk")


def _send_each[T: Model](items: Iterable[T], send: Callable[[T], None], what: str) -> int:
    """Call ``send`` for every item; one failure does not stop the others. Returns how many were sent."""
    sent, failed = 0, 0
    for item in items:
        try:
            send(item)
        except Exception:
            logger.exception("%s: an e-mail could not be sent (%s #%s)", what, type(item).__name__, item.pk)
            failed += 1
        else:
            sent += 1
    logger.info("%s: %d e-mail(s) sent, %d failed", what, sent, failed)
    if failed:
        raise DeliveryError(f"{what}: {failed} e-mail(s) could not be sent, {sent} were")
    return sent


def _pending_changes(order: Order) -> QuerySet[OrderChange]:
    """Changes the member did not make themselves and was not told of yet."""
    from cabas.cycles.models import ChangeKind, OrderChange

    return OrderChange.objects.filter(order=order, notified_at__isnull=True).exclude(kind=ChangeKind.MEMBER)


def _claim_changes(order: Order) -> list[OrderChange]:
    """Mark the order's pending changes as told, and return those this call marked.

    Claiming before sending (a guarded update) means two e-mails written at
    the same moment (the closing recap and a coordinator's adjustment notice)
    never both tell the same change. If the e-mail then fails, ``_release``
    puts them back.
    """
    from cabas.cycles.models import OrderChange

    ids = list(_pending_changes(order).values_list("pk", flat=True))
    if not ids:
        return []
    stamp = timezone.now()
    OrderChange.objects.filter(pk__in=ids, notified_at__isnull=True).update(notified_at=stamp)
    return list(
        OrderChange.objects.filter(pk__in=ids, notified_at=stamp)
        .select_related("offer__producer", "changed_by")
        .order_by("changed_at", "pk")
    )


def _release(changes: list[OrderChange]) -> None:
    from cabas.cycles.models import OrderChange

    OrderChange.objects.filter(pk__in=[c.pk for c in changes]).update(notified_at=None)


def _send_telling_changes(
    order: Order, template: str, context: dict[str, Any], changes: list[OrderChange]
) -> None:
    try:
        send_templated(to=order.user, template=template, context={**context, "changes": changes})
    except Exception:
        _release(changes)
        raise


@task
def send_confirmation(order_id: int) -> None:
    """The member confirmed their basket: what they ordered, from whom, for how much."""
    from cabas.cycles.baskets import basket

    order = _order(order_id)
    send_templated(
        to=order.user,
        template="cycles/email/confirmation",
        context={"order": order, "cycle": order.cycle, "summary": basket(order)},
    )


def _recap_pending(cycle: Cycle) -> bool:
    """Orders are closed and the recap has not gone yet: it will tell the basket as it ends up."""
    from cabas.cycles.models import Phase

    return cycle.recap_sent_at is None and cycle.phase() in (Phase.CLOSED, Phase.FINALISED)


@task
def send_order_changes(order_id: int) -> None:
    """Tell a member, in one e-mail, every change made to their order that they were not told of.

    Between the deadline and the recap nothing is sent: the recap tells every
    change with the final basket, so members get one e-mail, not one per adjustment.
    """
    from cabas.cycles.baskets import basket

    order = _order(order_id)
    if _recap_pending(order.cycle):
        return  # the recap, sent when the basket is final, tells these changes with it
    changes = _claim_changes(order)
    if not changes:
        return
    context = {"order": order, "cycle": order.cycle, "summary": basket(order)}
    _send_telling_changes(order, "cycles/email/changes", context, changes)


@task
def send_opening(cycle_id: int) -> int:
    """Orders are open: tell every household of the group that wants to know. Returns how many were told.

    Skipped if the cycle is no longer open when the task runs (a queue that
    was down must not announce a window that has closed).
    """
    cycle = _cycle(cycle_id)
    if not cycle.is_open():
        logger.warning("Cycle %s is not open any more: its opening is not announced.", cycle_id)
        return 0
    from cabas.catalog.models import Producer

    context = {"cycle": cycle, "producers": list(Producer.objects.taking_part_in(cycle))}
    recipients = _households(cycle.group).filter(wants_announcements=True)
    return _send_each(
        recipients,
        lambda user: send_templated(to=user, template="cycles/email/opening", context=context),
        f"Opening of cycle {cycle_id}",
    )


@task
def send_reminder(cycle_id: int) -> int:
    """The deadline is near: remind households who have not confirmed an order. Returns how many were."""
    from cabas.cycles.models import Order

    cycle = _cycle(cycle_id)
    if not cycle.is_open():
        logger.warning("Cycle %s is not open any more: no reminder.", cycle_id)
        return 0
    orders = Order.objects.filter(cycle=cycle)
    confirmed = orders.filter(submitted_at__isnull=False).values("user_id")
    drafts = set(orders.filter(lines__quantity__gt=0).values_list("user_id", flat=True))
    recipients = _households(cycle.group).filter(wants_reminders=True).exclude(pk__in=confirmed)
    return _send_each(
        recipients,
        lambda user: send_templated(
            to=user,
            template="cycles/email/reminder",
            context={"cycle": cycle, "has_draft": user.pk in drafts},
        ),
        f"Reminder of cycle {cycle_id}",
    )


def _recap_orders(cycle: Cycle) -> QuerySet[Order]:
    """Orders with something asked for, or with a change the member was not told of.

    Asked, not only received: a member whose fair share came to nothing must
    still hear it.
    """
    from cabas.cycles.models import ChangeKind, Order, OrderChange

    untold = (
        OrderChange.objects.filter(order__cycle=cycle, notified_at__isnull=True)
        .exclude(kind=ChangeKind.MEMBER)
        .values("order_id")
    )
    wanted = Order.objects.filter(Q(lines__requested__gt=0) | Q(pk__in=untold), cycle=cycle).values("pk")
    return Order.objects.filter(pk__in=wanted).select_related("cycle__group", "user").order_by("pk")


def _send_recap_to(order: Order, summary: Basket) -> None:
    context = {"order": order, "cycle": order.cycle, "summary": summary, "has_items": bool(summary.parts)}
    _send_telling_changes(order, "cycles/email/recap", context, _claim_changes(order))


@task
def send_recap(cycle_id: int) -> int:
    """The basket is final: tell each member what they will collect, pay, to whom, where and when.

    Sent to everyone with an order (members cannot opt out: it is their bill),
    when the adjustments are finalised (or by the clock shortly before the
    distribution, see ``clock``), after the fair-share split. It tells the changes made since they ordered
    (fair shares: asked vs got) and marks them told, so ``send_order_changes``
    does not repeat them.
    """
    from cabas.cycles.baskets import baskets_of

    cycle = _cycle(cycle_id)
    orders = list(_recap_orders(cycle))
    found = baskets_of(orders)  # every basket of the cycle at once, not one query per member
    return _send_each(
        orders, lambda order: _send_recap_to(order, found[order.pk]), f"Recap of cycle {cycle_id}"
    )


@task
def send_offer_request(proposal_id: int, reminder: bool = False) -> int:
    """Ask each account of a producer to prepare its offer for a cycle (a link to its page)."""
    from cabas.accounts.models import User
    from cabas.cycles.models import ProducerOffer

    proposal = ProducerOffer.objects.select_related("cycle__group", "producer").get(pk=proposal_id)
    people = User.objects.filter(is_active=True, producer_accounts__producer=proposal.producer).order_by("pk")
    context = {
        "proposal": proposal,
        "cycle": proposal.cycle,
        "producer": proposal.producer,
        "reminder": reminder,
    }

    def send(user: User) -> None:
        send_templated(to=user, template="cycles/email/offer_request", context=context)

    return _send_each(people, send, "offer request")
