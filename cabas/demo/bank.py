"""A bank statement for the demo treasurer, computed from the demo's data when it is seeded.

It reads whichever cycle of the group has had its distribution day (the
latest), so it matches the baskets that exist, whatever they are: transfers
carrying the references the day's pages showed (``CABAS-<cycle>-<slip>``),
for what each household still owes on the cycle (or its whole basket when
nothing was handed over yet), one reference mangled as banks do, one
transfer without a reference (left « à rapprocher »), and money going out.

``seed_demo`` keeps it as an import waiting for confirmation (the treasurer
sees its preview); ``manage.py bank_demo_statement`` writes the same file to
try the upload.

Balma, the small group, runs prepaid accounts: its member login finds a
balance topped up, the reference to top it up, and the association's IBAN.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from cabas.accounts.models import BuyingGroup, User
from cabas.bank import services as bank
from cabas.bank.models import StatementImport
from cabas.bank.statements import read_statement
from cabas.cycles.baskets import amounts_due, payment_reference, slip_numbers
from cabas.cycles.models import Cycle, Order
from cabas.ledger import positions
from cabas.ledger import services as ledger
from cabas.ledger.models import Entry

TRANSFERS = 8  # households paying by transfer
FILENAME = "releve-credit-agricole-demo.csv"
# The classic example of a French IBAN (valid check digits), for the demo's prepaid group.
DEMO_IBAN = "FR14 2004 1010 0505 0001 3M02 606"
DEMO_TOPUP_CENTS = 4000


def day_cycle(group: BuyingGroup) -> Cycle | None:
    """The group's latest cycle whose distribution day has come."""
    today = timezone.localdate()
    return (
        Cycle.objects.filter(group=group, finalised_at__isnull=False, distribution_date__lte=today)
        .order_by("-distribution_date", "-pk")
        .first()
    )


def _euros(cents: int) -> str:
    units, rest = divmod(abs(cents), 100)
    return f"{units:,}".replace(",", " ") + f",{rest:02d}"


def statement_rows(cycle: Cycle) -> list[tuple[date, str, int]]:
    """(date, label, cents) of the demo statement: positive in, negative out."""
    numbers = slip_numbers(cycle)
    due = amounts_due(cycle)
    owed = positions.cycle_positions(cycle)
    users = dict(Order.objects.filter(pk__in=list(numbers)).values_list("pk", "user_id"))
    names = dict(User.objects.filter(pk__in=users.values()).values_list("pk", "full_name"))
    day = cycle.distribution_date + timedelta(days=2)
    rows: list[tuple[date, str, int]] = []
    for order_id, number in sorted(numbers.items(), key=lambda item: item[1]):
        if len(rows) == TRANSFERS:
            break
        user_id = users[order_id]
        cents = owed.household(user_id).owed_cents
        if cents <= 0:
            cents = sum(due.get(order_id, {}).values()) if not owed.household(user_id).handed_cents else 0
        if cents <= 0:
            continue
        name = (names.get(user_id) or "").upper()
        reference = payment_reference(cycle.pk, number)
        if len(rows) == 2:  # as some banks pass it on: upper case, spaces for dashes
            reference = f"CABAS {cycle.pk} {number}"
        rows.append((day + timedelta(days=len(rows) % 3), f"VIR SEPA {name} {reference}", cents))
    rows.append((day, "VIR SEPA M. OU MME DURAND ADHESION", 1000))
    rows.append((day + timedelta(days=1), "FRAIS TENUE DE COMPTE", -450))
    rows.append((day + timedelta(days=3), "PRLV SEPA ASSURANCE MAIF", -8733))
    return sorted(rows, key=lambda row: row[0])


def statement_csv(cycle: Cycle) -> bytes:
    """The statement in Crédit Agricole's layout: a few lines about the account, then the operations."""
    lines = [
        f"Téléchargement du {timezone.localdate():%d/%m/%Y};",
        "",
        "Compte Association n° 12345678901;",
        "",
        "Date;Libellé;Débit euros;Crédit euros;",
    ]
    for day, label, cents in statement_rows(cycle):
        debit, credit = (_euros(cents), "") if cents < 0 else ("", _euros(cents))
        lines.append(f'{day:%d/%m/%Y};"{label}";{debit};{credit};')
    return "\r\n".join(lines).encode("cp1252") + b"\r\n"


def ensure_statement(group: BuyingGroup, treasurer: User) -> StatementImport | None:
    """Keep the demo statement as an import to confirm, once: not if the group has imports already."""
    cycle = day_cycle(group)
    if cycle is None or StatementImport.objects.filter(group=group).exists():
        return None
    return bank.create_import(
        group=group, by=treasurer, filename=FILENAME, statement=read_statement(statement_csv(cycle))
    )


def ensure_prepaid(group: BuyingGroup, by: User, member: User) -> None:
    """Switch the group to prepaid accounts and top up ``member``'s account, once."""
    key = f"demo:{group.slug}:topup:{member.pk}"
    if Entry.objects.filter(key=key).exists():
        return
    BuyingGroup.objects.filter(pk=group.pk).update(prepaid=True, prepaid_minimum_cents=0, bank_iban=DEMO_IBAN)
    group.refresh_from_db()
    context = ledger.Context(group=group, by=by, memo="Virement CABAS-P (démo)", key=key)
    ledger.topup(context, household=member, amount_cents=DEMO_TOPUP_CENTS)
