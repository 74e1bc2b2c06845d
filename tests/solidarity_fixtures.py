"""A distribution day where the solidarity fund helps Bernadette (see ``day_fixtures``)."""

from __future__ import annotations

from cabas.accounts.models import User
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Method
from cabas.solidarity import services
from cabas.solidarity.models import HelpDecision
from tests.cast import Cast


def fill_fund(cast: Cast, cents: int, key: str = "gift") -> None:
    ledger.contribution(
        ledger.Context(group=cast.group_a, by=cast.treasurer, key=key),
        amount_cents=cents,
        into=Account.BANK,
        method=Method.TRANSFER,
    )


def help_household(cast: Cast, household: User, percent: int = 50, cap_cents: int = 10_000) -> HelpDecision:
    return services.decide(
        group=cast.group_a,
        household=household,
        percent=percent,
        cap_cents=cap_cents,
        why="Perte d'emploi",
        by=cast.treasurer,
    )
