"""The solidarity fund in the demo: two years of gifts, a dozen households helped, requests waiting
(one proposed by a coordinator), and the day's cycle granted while the fund was short, so every
share was scaled down to the cent.

The history is posted through the ledger's own functions, dated when it happened
(``Context.at``): a gift or two a month for two years, so the committee's dashboard
has a balance over time to draw.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from cabas.accounts.models import BuyingGroup, Membership, User
from cabas.cycles.models import Cycle, Order
from cabas.distribution.models import Event
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Method
from cabas.solidarity import services
from cabas.solidarity.gifts import record_gift
from cabas.solidarity.models import HelpDecision

SITUATIONS = (
    "Perte d'emploi depuis le printemps, deux enfants à charge.",
    "Retraite modeste, loyer en hausse.",
    "Étudiante, bourse versée en retard.",
    "Arrêt maladie long, revenus divisés par deux.",
)
PROPOSAL = "Proposé par la référente : famille arrivée récemment, revenus très faibles, n'ose pas demander."
WHY = ("Situation présentée en comité", "Revu avec le foyer", "Fin de droits au chômage", "Accord du comité")


def ensure_fund(group: BuyingGroup, treasurer: User | None, day_cycle: Cycle | None, *, seed: int) -> None:
    """Once per group: nothing if the committee has decided anything already."""
    if treasurer is None or HelpDecision.objects.filter(group=group).exists():
        return
    rng = random.Random(seed)
    staff = {treasurer.pk}
    coordinator = (
        Membership.objects.current().filter(group=group, is_coordinator=True).exclude(user=treasurer).first()
    )
    households = list(
        User.objects.filter(
            memberships__group=group, memberships__ended_at__isnull=True, memberships__is_member=True
        )
        .exclude(pk__in=staff)
        .order_by("pk")
    )
    _history(group, treasurer, households, rng)
    for index, giver in enumerate(households[:24]):
        ledger.contribution(
            ledger.Context(group=group, by=treasurer, key=f"demo-gift:{group.pk}:{index}"),
            amount_cents=rng.choice((100, 200, 200, 300, 500)),
            into=Account.BANK if index % 3 else Account.DESK,
            method=Method.TRANSFER if index % 3 else Method.CASH,
            household=giver,
        )
    helped = _helped(households, day_cycle)
    today = timezone.localdate()
    for index, household in enumerate(helped[:12]):
        services.decide(
            group=group,
            household=household,
            percent=services.PERCENTS[index % 3],
            cap_cents=rng.choice((3000, 4000, 6000)),
            review_on=today + timedelta(days=rng.randint(-10, 200)),
            why=WHY[index % len(WHY)],
            by=treasurer,
            notify=False,  # decided long ago: nothing for the task worker to send at start
        )
    waiting = [h for h in households if h not in helped[:12]][-3:]
    for index, household in enumerate(waiting):
        proposed = coordinator is not None and index == len(waiting) - 1
        services.ask(
            group=group,
            household=household,
            situation=PROPOSAL if proposed else SITUATIONS[index % len(SITUATIONS)],
            can_pay="" if proposed else "10 €",
            proposed_by=coordinator.user if proposed and coordinator is not None else None,
        )
    if day_cycle is not None:
        pool = services.pool(day_cycle)
        services.grant(cycle=day_cycle, amounts=pool.proposal(), by=treasurer)  # short: scaled
    # Gifts since: the fund holds money again for the next cycle.
    ledger.contribution(
        ledger.Context(group=group, by=treasurer, key=f"demo-gift:{group.pk}:association"),
        amount_cents=25_000,
        into=Account.BANK,
        method=Method.TRANSFER,
    )
    _money_in(group, treasurer, today)


# Gifts from outside the group (the donors' summaries print them) and the share of baskets of the
# open cycles that carry a contribution promised to the fund.
OUTSIDE_GIFTS = (("Association Les Amis du Marché", 15_000), ("Jeanne Dupont", 5_000))
PROMISING_ONE_IN = 4


def _money_in(group: BuyingGroup, treasurer: User, today: date) -> None:
    for index, (name, cents) in enumerate(OUTSIDE_GIFTS):
        record_gift(
            group=group,
            by=treasurer,
            amount_cents=cents,
            method=Method.CHEQUE,
            received_on=today - timedelta(days=30 * (index + 1)),
            donor_name=name,
            key=f"demo-gift:{group.pk}:outside:{index}",
        )
    open_orders = Order.objects.filter(cycle__group=group, cycle__closes_at__gt=timezone.now()).order_by("pk")
    chosen = list(open_orders.values_list("pk", flat=True))[::PROMISING_ONE_IN]
    Order.objects.filter(pk__in=chosen[::2]).update(fund_percent=5)
    Order.objects.filter(pk__in=chosen[1::2]).update(fund_amount_cents=200)


def _history(group: BuyingGroup, treasurer: User, households: list[User], rng: random.Random) -> None:
    """Two years of gifts outside cycles, one or two a month, dated on the day they came."""
    if not households:
        return
    today = timezone.localdate()
    for month in range(24, 0, -1):
        for gift in range(1 + month % 2):
            day = today - timedelta(days=30 * month + 9 * gift + rng.randint(0, 5))
            giver = households[(month * 3 + gift) % len(households)]
            ledger.contribution(
                ledger.Context(
                    group=group,
                    by=treasurer,
                    key=f"demo-history:{group.pk}:{month}:{gift}",
                    at=timezone.make_aware(datetime.combine(day, time(10))),
                ),
                amount_cents=rng.choice((100, 150, 200)),
                into=Account.BANK,
                method=Method.TRANSFER,
                household=giver,
            )


def _helped(households: list[User], day_cycle: Cycle | None) -> list[User]:
    """Households with a basket in the day's cycle that nothing has been recorded for yet first:
    their help is granted before they come to the desk."""
    if day_cycle is None:
        return households[-12:]
    touched = set(Event.objects.filter(cycle=day_cycle).values_list("order__user_id", flat=True))
    ordered = set(Order.objects.filter(cycle=day_cycle).values_list("user_id", flat=True))
    first = [h for h in households if h.pk in ordered and h.pk not in touched]
    rest = [h for h in households if h not in first]
    return (first[:8] + rest[::-1])[:12]
