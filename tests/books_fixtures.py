"""A distributed cycle's money in the ledger, for the books' tests and pages.

On the day scene (Marie, Mehdi and Bernadette; the bakery run by Paul's
account, the dairy by Pauline's):

- Marie: bread 12,50 € and cheese 8,33 €; she paid the bakery 10,00 € by
  cheque at its stand: she still owes the bakery 2,50 € and the dairy 8,33 €.
- Mehdi: bread 5,20 €, cheese 5,70 €; he paid 9,20 € at the welcome desk in
  cash (5,20 € for the bakery, 4,00 € for the dairy); the association wrote
  off the 1,70 € left.
- Bernadette: cheese 21,73 €; she paid 10,37 € at the desk and the
  solidarity fund covered 11,36 € (a contribution of 50,00 € came in first).
- The association paid the dairy 15,00 € from the bank.
"""

from __future__ import annotations

from dataclasses import dataclass

from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Entry, EntryKind, Method
from tests.cast import Cast
from tests.day_fixtures import DayScene, day_scene


@dataclass
class Books:
    day: DayScene
    entries: list[Entry]

    @property
    def cast(self) -> Cast:
        return self.day.cast


def context(scene: DayScene, key: str, **kwargs: object) -> ledger.Context:
    return ledger.Context(
        group=scene.cast.group_a,
        by=scene.cast.treasurer,
        cycle=scene.cycle,
        key=key,
        **kwargs,  # type: ignore[arg-type]
    )


def fund_entry(scene: DayScene, kind: EntryKind, postings: list[ledger.Posting], key: str) -> Entry:
    """The solidarity fund's entries (its own services come with the fund): through the ledger's poster."""
    return ledger._post(context(scene, key), kind, postings)


def books_scene(cast: Cast) -> Books:
    scene = day_scene(cast)
    c, marie, mehdi, bernadette = cast, cast.member, cast.member2, cast.beneficiary
    entries = [
        ledger.handover(context(scene, "h1"), household=marie, producer=c.bakery, amount_cents=1250),
        ledger.handover(context(scene, "h2"), household=marie, producer=c.dairy, amount_cents=833),
        ledger.stand_payment(
            context(scene, "s1"), household=marie, producer=c.bakery, amount_cents=1000, method=Method.CHEQUE
        ),
        ledger.handover(context(scene, "h3"), household=mehdi, producer=c.bakery, amount_cents=520),
        ledger.handover(context(scene, "h4"), household=mehdi, producer=c.dairy, amount_cents=570),
        ledger.desk_payment(
            context(scene, "d1"), household=mehdi, shares={c.bakery: 520, c.dairy: 400}, method=Method.CASH
        ),
        ledger.writeoff(
            context(scene, "w1", memo="Reste non réclamé"),
            household=mehdi,
            producer=c.dairy,
            amount_cents=170,
        ),
        ledger.handover(context(scene, "h5"), household=bernadette, producer=c.dairy, amount_cents=2173),
        fund_entry(
            scene,
            EntryKind.CONTRIBUTION,
            [ledger.Posting(Account.DESK, 5000), ledger.Posting(Account.FUND, -5000)],
            "c1",
        ),
        ledger.desk_payment(
            context(scene, "d2"), household=bernadette, shares={c.dairy: 1037}, method=Method.CHEQUE
        ),
        fund_entry(
            scene,
            EntryKind.SUBSIDY,
            [
                ledger.Posting(Account.FUND, 1136),
                ledger.Posting(Account.HOUSEHOLD, -1136, bernadette, c.dairy),
            ],
            "f1",
        ),
        ledger.producer_payment(
            context(scene, "p1"),
            producer=c.dairy,
            amount_cents=1500,
            from_account=Account.BANK,
            method=Method.TRANSFER,
        ),
    ]
    return Books(scene, entries)
