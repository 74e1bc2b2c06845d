"""Confirming statements at once, with real threads and transactions: each line posts once."""

from __future__ import annotations

import pytest

from cabas.accounts.models import BuyingGroup
from cabas.bank import prepaid, services
from cabas.bank.models import StatementLine
from cabas.bank.statements import read_statement
from cabas.ledger.models import Entry, EntryKind
from tests.cast import build_cast
from tests.cycle_fixtures import race

pytestmark = pytest.mark.django_db(transaction=True)

CSV = "Date;Libellé;Montant\n02/12/2026;VIR A;20,00\n03/12/2026;VIR B;5,00\n".encode()


def test_the_same_statement_confirmed_at_once_posts_each_line_once() -> None:
    cast = build_cast()
    BuyingGroup.objects.filter(pk=cast.group_a.pk).update(prepaid=True)
    cast.group_a.refresh_from_db()
    imports = [
        services.create_import(
            group=cast.group_a, by=cast.treasurer, filename="r.csv", statement=read_statement(CSV)
        )
        for _ in range(2)
    ]
    # The same import twice (a double click) and a second upload of the same file, all at once.
    targets = [imports[0], imports[0], imports[1]]

    def confirm(statement_import):
        lines = list(statement_import.lines.all())
        decisions = {
            lines[0].pk: services.Decision("topup", cast.member),
            lines[1].pk: services.Decision("ignore"),
        }
        return services.confirm(statement_import=statement_import, by=cast.treasurer, decisions=decisions)

    results = race([lambda target=target: confirm(target) for target in targets])
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, services.BankError)], (
        results
    )
    assert StatementLine.objects.filter(kept=True).count() == 2
    assert Entry.objects.filter(kind=EntryKind.TOPUP).count() == 1
    assert prepaid.balance_cents(cast.group_a, cast.member) == 2000
