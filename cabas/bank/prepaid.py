"""Prepaid accounts (a group setting): members top up by transfer, baskets are debited when handed over.

The account is the household's ledger account (``household:H``): a top-up
credits it (``ledger.services.topup``), the day's handovers debit it, so its
balance, as the member sees it, is minus its sum (``positions.household_balances``).

The minimum balance is checked by the server when a member confirms their
basket (``ordering.CONFIRM_CHECKS``): balance − basket ≥ the group's minimum,
or the basket stays saved but unconfirmed, with a message saying so.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabas.accounts.models import BuyingGroup, Membership, User
from cabas.bank.matching import topup_reference
from cabas.bank.models import LowBalanceNotice
from cabas.cycles.baskets import basket
from cabas.cycles.models import Order
from cabas.ledger import positions
from cabas.lib.money import format_cents

# A household is told its balance runs low when it falls under the minimum plus this margin,
# at most once per NOTICE_EVERY.
LOW_MARGIN_CENTS = 1000
NOTICE_EVERY = timedelta(days=7)


def balance_cents(group: BuyingGroup, household: User) -> int:
    """What the household holds on its account in ``group`` (negative: what it owes). One query."""
    return positions.household_balances(group, [household]).get(household.pk, 0)


def confirm_refusal(order: Order) -> str:
    """Why ``order`` cannot be confirmed in a prepaid group ("" if it can)."""
    group = order.cycle.group
    if not group.prepaid:
        return ""
    total = basket(order).total_cents
    balance = balance_cents(group, order.user)
    if balance - total >= group.prepaid_minimum_cents:
        return ""
    membership = Membership.objects.current().filter(group=group, user=order.user).first()
    reference = topup_reference(membership) if membership else ""
    return _(
        "Your basket is saved but NOT confirmed: your prepaid account holds %(balance)s and the basket "
        "comes to %(total)s, which would leave %(after)s, below the group's minimum of %(minimum)s. "
        "Top up your account by transfer with the reference %(reference)s, then confirm again; "
        "until then your basket stays saved as it is, unconfirmed."
    ) % {
        "balance": format_cents(balance),
        "total": format_cents(total),
        "after": format_cents(balance - total),
        "minimum": format_cents(group.prepaid_minimum_cents),
        "reference": reference,
    }


def is_low(group: BuyingGroup, balance: int) -> bool:
    return balance < group.prepaid_minimum_cents + LOW_MARGIN_CENTS


def claim_low_balance_notices(group: BuyingGroup) -> list[tuple[User, int]]:
    """The households of a prepaid group to tell their balance runs low, each claimed for
    ``NOTICE_EVERY`` (a guarded update: several runs at once tell each household once)."""
    if not group.prepaid:
        return []
    members = list(
        User.objects.filter(
            memberships__group=group, memberships__ended_at__isnull=True, memberships__is_member=True
        )
    )
    balances = positions.household_balances(group, members)
    now = timezone.now()
    claimed = []
    for member in members:
        # A household with nothing on its account yet (it never topped up, never ordered) is not nagged.
        if member.pk not in balances or not is_low(group, balances[member.pk]):
            continue
        balance = balances[member.pk]
        with transaction.atomic():
            notice, created = LowBalanceNotice.objects.get_or_create(
                group=group, household=member, defaults={"sent_at": now}
            )
            taken = created or LowBalanceNotice.objects.filter(
                pk=notice.pk, sent_at__lte=now - NOTICE_EVERY
            ).update(sent_at=now)
        if taken:
            claimed.append((member, balance))
    return claimed
