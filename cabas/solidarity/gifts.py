"""Money into the solidarity fund: gifts outside a basket, and what each donor gave in a year.

A gift is recorded by a treasurer once the association has the money (cash or a
cheque in hand, a card payment, a transfer seen on the bank statement): one
``Gift`` row (who gave it) and its ``ledger.contribution`` entry, in one
transaction. Contributions added to baskets reach the fund's ledger when they are
paid (``distribution.services``, ``bank.services``); both kinds are read back
from the ledger (``fund_positions.contributions``) for a donor's own page and for the
yearly donor summaries, so the summaries and the fund's balance are one truth.

A donor is a household of the group (its contributions and its gifts together)
or a named person outside the group (gifts with the same name, accents and case
aside, are one donor).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabas.accounts.models import BuyingGroup, User
from cabas.cycles.baskets import fold
from cabas.ledger import fund_positions
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Method
from cabas.solidarity.models import Gift

MAX_GIFT_CENTS = 10_000_000  # 100 000 €: beyond, a typing mistake


class GiftRefused(Exception):
    """A gift that cannot be recorded; the message is for the treasurer. Nothing was written."""


def record_gift(
    *,
    group: BuyingGroup,
    by: User,
    amount_cents: int,
    method: Method,
    received_on: date,
    donor: User | None = None,
    donor_name: str = "",
    donor_address: str = "",
    note: str = "",
    key: str | None = None,
) -> Gift:
    """Record a gift received by the fund: the ``Gift`` and its ledger entry, together.

    ``donor`` (a household of the group) or ``donor_name`` says who gave it. ``key`` makes
    a double submit (or a bank line confirmed twice) record it once.
    """
    donor_name = " ".join(donor_name.split())[:120]
    if donor is None and not donor_name:
        raise GiftRefused(_("Say who gave it: a household of the group or a name."))
    if not 0 < amount_cents <= MAX_GIFT_CENTS:
        raise GiftRefused(_("Enter an amount more than 0 €."))
    if received_on > timezone.localdate():
        raise GiftRefused(_("A gift is recorded once received: the date cannot be in the future."))
    into = Account.BANK if method == Method.TRANSFER else Account.DESK
    with transaction.atomic():
        if key is not None and (done := Gift.objects.filter(entry__key=key).first()) is not None:
            return done
        gift = Gift.objects.create(
            group=group,
            donor=donor,
            donor_name="" if donor is not None else donor_name,
            donor_address=" ".join(donor_address.split())[:300],
            amount_cents=amount_cents,
            method=method,
            received_on=received_on,
            note=note.strip()[:300],
            recorded_by=by,
        )
        memo = _("Gift of %(date)s") % {"date": received_on.strftime("%d/%m/%Y")}
        context = ledger.Context(group=group, by=by, memo=memo, source=f"gift:{gift.pk}", key=key)
        gift.entry = ledger.contribution(
            context, amount_cents=amount_cents, into=into, method=method, household=donor
        )
        gift.save(update_fields=["entry"])
    return gift


# --- What each donor gave ---------------------------------------------------------------------


@dataclass(frozen=True)
class Given:
    """One gift or paid contribution, as a donor summary lists it."""

    on: date
    amount_cents: int
    what: str  # « Contribution with the basket of <cycle> », « Gift »…
    method: str


@dataclass
class Donor:
    key: str  # "h<household id>" or "n<gift id>" (the first gift of a named person)
    name: str
    address: str
    email: str
    household_id: int | None
    given: list[Given] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(item.amount_cents for item in self.given)


def _what(line: fund_positions.Contribution) -> str:
    if line.cycle_id is not None:
        return _("Contribution with the basket of %(cycle)s") % {"cycle": line.cycle_name}
    return _("Gift")


def donors(group: BuyingGroup, year: int, household: User | None = None) -> list[Donor]:
    """Each donor's gifts and paid contributions in ``year`` (when the association received them),
    by name; donors whose year nets to nothing are left out. Three queries whatever the number."""
    zone = timezone.get_current_timezone()
    start, end = datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
    lines = fund_positions.contributions(group, start=start, end=end, household=household)
    gift_ids = {int(line.source[5:]) for line in lines if line.source.startswith("gift:")}
    gifts = Gift.objects.in_bulk(gift_ids)
    people = User.objects.in_bulk({line.household_id for line in lines if line.household_id})
    found: dict[str, Donor] = {}
    named: dict[str, str] = {}  # folded name -> donor key
    for line in lines:
        gift = gifts.get(int(line.source[5:])) if line.source.startswith("gift:") else None
        if line.household_id is not None:
            person = people[line.household_id]
            donor = found.setdefault(
                f"h{person.pk}", Donor(f"h{person.pk}", person.display_name, "", person.email, person.pk)
            )
        elif gift is not None:
            key = named.setdefault(fold(gift.donor_name), f"n{gift.pk}")
            donor = found.setdefault(key, Donor(key, gift.donor_name, gift.donor_address, "", None))
        else:
            continue  # an anonymous contribution: nobody to thank by name
        on = gift.received_on if gift is not None else timezone.localtime(line.created_at).date()
        what = (_("Gift") if gift is not None else _what(line)) if line.amount_cents > 0 else _("Correction")
        donor.given.append(Given(on, line.amount_cents, what, line.method))
    kept = [donor for donor in found.values() if donor.total_cents > 0]
    return sorted(kept, key=lambda donor: (fold(donor.name), donor.key))
