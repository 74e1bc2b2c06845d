"""A household's promise to the solidarity fund, added to its basket: the one place that writes
it (``promise``) and the one function that turns it into cents (``promised_cents``).

A promise is a percentage of the basket's total (one the group suggests, see
``BuyingGroup.suggested_fund_percents``) or a free amount, never both. It is
stored on the order and nothing else: the fund's ledger receives it only when
it is paid, at the welcome desk or by a transfer carrying the basket's
reference (``distribution.services``, ``bank.services``), never here. Changing
or removing a promise before it is paid therefore changes nothing in the ledger.

A percentage follows the basket: it is computed from the basket's current total
(after the day's weighings and shortages), so the desk asks for what the
household actually promised of what it actually took.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabas.cycles.models import Order

# A free amount is at most this (1 000 €), as the database also enforces.
MAX_AMOUNT_CENTS = 100_000
MAX_PERCENT = 50


class PromiseRefused(Exception):
    """A promise that cannot be recorded; the message is for the household."""


def promised_cents(total_cents: int, *, percent: int, amount_cents: int) -> int:
    """What a promise comes to, in cents, for a basket of ``total_cents``.

    A free amount is itself; a percentage is ``total × percent / 100`` rounded half up to
    the cent (12,34 € at 5 % is 61,7 cents: 62 cents), the rounding used for the fund's help.
    An empty basket promises nothing, whatever the percentage.
    """
    if amount_cents:
        return amount_cents
    if total_cents <= 0 or percent <= 0:
        return 0
    return (total_cents * percent + 50) // 100


def promise(*, order: Order, percent: int = 0, amount_cents: int = 0) -> Order:
    """Record (or change, or with both 0 remove) the household's promise on ``order``.

    Refused once the cycle is settled (its money is closed). Writes the order row only.
    """
    if percent and amount_cents:
        raise PromiseRefused(_("Choose a percentage or an amount, not both."))
    if not 0 <= percent <= MAX_PERCENT:
        raise PromiseRefused(_("Choose one of the percentages offered."))
    if not 0 <= amount_cents <= MAX_AMOUNT_CENTS:
        raise PromiseRefused(_("A contribution is at most 1 000 €."))
    with transaction.atomic():
        locked = Order.objects.select_for_update().select_related("cycle").get(pk=order.pk)
        if locked.cycle.settled_at is not None:
            raise PromiseRefused(_("This cycle is settled: its contributions can no longer change."))
        Order.objects.filter(pk=order.pk).update(
            fund_percent=percent, fund_amount_cents=amount_cents, updated_at=timezone.now()
        )
    order.fund_percent, order.fund_amount_cents = percent, amount_cents
    return order
