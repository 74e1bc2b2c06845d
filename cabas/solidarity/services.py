"""The committee's work: requests, decisions, and the help granted for a cycle.

Help for a cycle is ``min(share × basket total, cap)`` per beneficiary, the
basket total read from ``cycles.baskets`` (the one money source). When the fund
holds less than all of it, the committee is offered a proposal: every share
scaled down in proportion, to the cent, by the largest-remainder method (the
total granted is exactly what the fund holds), or a priority order it sets.
Granting posts one ``ledger.subsidy`` per household, which locks the group's row
and re-checks the fund, so the fund never goes below zero even when two
committee members grant at the same second.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cabas.accounts.models import BuyingGroup, Membership, User
from cabas.catalog.models import Producer
from cabas.cycles.baskets import baskets
from cabas.cycles.models import Cycle
from cabas.ledger import services as ledger
from cabas.ledger.models import Account
from cabas.ledger.positions import help_granted
from cabas.solidarity.models import HelpDecision, HelpRequest

PERCENTS = (30, 50, 70)


class Refused(Exception):
    """Something the committee or a member asked that cannot be done; the message says why."""


# --- Requests and decisions ------------------------------------------------------------------


def ask(
    *, group: BuyingGroup, household: User, situation: str, can_pay: str = "", proposed_by: User | None = None
) -> HelpRequest:
    """A household asks for help (or a coordinator proposes it); the committee alone will read it."""
    situation = situation.strip()
    if not situation:
        raise Refused(_("Say a few words about the situation."))
    if not Membership.objects.current().filter(group=group, user=household, is_member=True).exists():
        raise Refused(_("This person is not a household of the group."))
    waiting = HelpRequest.objects.filter(group=group, household=household, status=HelpRequest.Status.WAITING)
    if (already := waiting.first()) is not None:
        return already  # a double submit, or a second proposal: the committee has one request to read
    return HelpRequest.objects.create(
        group=group,
        household=household,
        situation=situation[:4000],
        can_pay=can_pay.strip()[:300],
        proposed_by=proposed_by,
    )


def decide(
    *,
    group: BuyingGroup,
    household: User,
    percent: int,
    cap_cents: int,
    why: str,
    by: User,
    review_on: date | None = None,
    request: HelpRequest | None = None,
    notify: bool = True,
) -> HelpDecision:
    """Grant, change or end (``percent`` 0) a household's help; logged with who and why.

    The household is told by e-mail once the decision is committed (unless ``notify`` is
    false: the demo's past decisions were told long ago).
    """
    if not why.strip():
        raise Refused(_("Say why: the committee's log keeps it."))
    if not 0 <= percent <= 100:
        raise Refused(_("The share covered is a percentage between 0 and 100."))
    if cap_cents < 0:
        raise Refused(_("The cap cannot be negative."))
    with transaction.atomic():
        decision = HelpDecision.objects.create(
            group=group,
            household=household,
            request=request,
            percent=percent,
            cap_cents=cap_cents,
            review_on=review_on,
            why=why.strip()[:500],
            decided_by=by,
        )
        if request is not None and request.status == HelpRequest.Status.WAITING:
            request.status = HelpRequest.Status.GRANTED if decision.active else HelpRequest.Status.DECLINED
            request.save(update_fields=["status"])
    from cabas.solidarity import tasks  # the task module imports this one

    if notify:
        transaction.on_commit(lambda: tasks.send_decision.enqueue(decision.pk))
    return decision


def current_decisions(group: BuyingGroup) -> dict[int, HelpDecision]:
    """Each household's latest decision, by household id, the ended ones left out. One query."""
    latest: dict[int, HelpDecision] = {}
    for decision in (
        HelpDecision.objects.filter(group=group).select_related("household").order_by("decided_at", "pk")
    ):
        latest[decision.household_id] = decision
    return {pk: decision for pk, decision in latest.items() if decision.active}


# --- The pool for a cycle -------------------------------------------------------------------


def help_for(total_cents: int, decision: HelpDecision) -> int:
    """The help a basket would get: its share, rounded half up to the cent, within the cap."""
    return min((total_cents * decision.percent + 50) // 100, decision.cap_cents)


def scale(wanted: Mapping[Any, int], available: int) -> dict[Any, int]:
    """Every amount scaled down in proportion so that they sum to ``available`` exactly.

    Largest-remainder method: each gets the floor of its exact share, and the cents
    left go one each to the largest remainders (ties: in the mapping's order).
    """
    total = sum(wanted.values())
    if total <= available:
        return dict(wanted)
    available = max(available, 0)
    floors = {key: cents * available // total for key, cents in wanted.items()}
    left = available - sum(floors.values())
    order = sorted(wanted, key=lambda key: -((wanted[key] * available) % total))
    for key in order[:left]:
        floors[key] += 1
    return floors


def by_priority(wanted: Mapping[Any, int], available: int, order: Sequence[Any]) -> dict[Any, int]:
    """Each household in the committee's ``order`` gets its whole help while the fund lasts."""
    result: dict[Any, int] = {}
    left = max(available, 0)
    for key in list(order) + [key for key in wanted if key not in order]:
        if key in wanted:
            result[key] = min(wanted[key], left)
            left -= result[key]
    return result


@dataclass(frozen=True)
class Want:
    household: User
    decision: HelpDecision
    basket_cents: int
    help_cents: int  # what the decision gives, before any scaling
    granted_cents: int  # already granted for this cycle (in the ledger)
    parts: dict[int, int]  # producer id -> the basket's part, in cents


@dataclass(frozen=True)
class Pool:
    cycle: Cycle
    balance_cents: int
    wants: list[Want]

    @property
    def wanted_cents(self) -> int:
        return sum(want.help_cents for want in self.wants if not want.granted_cents)

    @property
    def short(self) -> bool:
        return self.wanted_cents > self.balance_cents

    def proposal(self, priority: Sequence[int] | None = None) -> dict[int, int]:
        """Help per household id to grant now: everything, or scaled (or by priority) when short."""
        wanted = {w.household.pk: w.help_cents for w in self.wants if not w.granted_cents and w.help_cents}
        if priority:
            return by_priority(wanted, self.balance_cents, priority)
        return scale(wanted, self.balance_cents)


def pool(cycle: Cycle) -> Pool:
    """The fund's balance and the help each beneficiary would get for ``cycle``: a fixed number of queries."""
    decisions = current_decisions(cycle.group)
    granted: dict[int, int] = {}
    for (household_id, _producer_id), cents in help_granted(cycle).items():
        granted[household_id] = granted.get(household_id, 0) + cents
    wants = []
    for basket in baskets(cycle):
        decision = decisions.get(basket.member.pk)
        if decision is None or not basket.total_cents:
            continue
        wants.append(
            Want(
                household=decision.household,
                decision=decision,
                basket_cents=basket.total_cents,
                help_cents=help_for(basket.total_cents, decision),
                granted_cents=granted.get(basket.member.pk, 0),
                parts={part.producer.pk: part.total_cents for part in basket.parts},
            )
        )
    return Pool(cycle, ledger.balance(cycle.group, Account.FUND), wants)


def grant(*, cycle: Cycle, amounts: Mapping[int, int], by: User) -> int:
    """Post the help in ``amounts`` (household id -> cents) for ``cycle``; returns the cents granted.

    All or nothing: if the fund does not hold the whole amount now (someone granted
    meanwhile), nothing is posted and the committee is told. A household already
    helped for this cycle is skipped (a double submit grants once).
    """
    current = {want.household.pk: want for want in pool(cycle).wants}
    todo = {
        pk: cents
        for pk, cents in amounts.items()
        if cents > 0 and pk in current and not current[pk].granted_cents
    }
    if any(cents > current[pk].help_cents for pk, cents in todo.items()):
        raise Refused(_("Help cannot be more than the committee's decision gives."))
    producers = Producer.objects.in_bulk({p for pk in todo for p in current[pk].parts})
    try:
        with transaction.atomic():
            for pk, cents in todo.items():
                want = current[pk]
                shares = scale(want.parts, cents) if cents < want.basket_cents else dict(want.parts)
                ledger.subsidy(
                    ledger.Context(
                        group=cycle.group,
                        by=by,
                        cycle=cycle,
                        key=f"help:{cycle.pk}:{pk}",
                        source=f"help:{want.decision.pk}",
                    ),
                    household=want.household,
                    shares={producers[p]: c for p, c in shares.items() if c},
                )
    except ledger.FundShortError as short:
        raise Refused(str(short)) from short
    return sum(todo.values())


def households(pks: Iterable[int]) -> dict[int, User]:
    return User.objects.in_bulk(list(pks))
