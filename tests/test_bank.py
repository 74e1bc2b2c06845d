"""Importing a bank statement: preview writes nothing, confirm posts once, reconcile later; who may."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cabas.accounts.models import User
from cabas.bank.forms import Choices
from cabas.bank.models import StatementImport, StatementLine, Status
from cabas.cycles.baskets import slip_numbers
from cabas.cycles.models import Cycle, Order
from cabas.ledger import positions
from cabas.ledger import services as ledger
from cabas.ledger.models import Entry, EntryKind
from tests.cast import Cast
from tests.day_fixtures import DayScene, day_scene

A = "saint-orens"


@pytest.fixture
def day(cast: Cast) -> DayScene:
    """The day scene with every line handed over: Marie owes the bakery 10,40 € and the dairy 17,93 €."""
    scene = day_scene(cast)
    context = ledger.Context(group=cast.group_a, by=cast.coordinator, cycle=scene.cycle)
    ledger.handover(context, household=cast.member, producer=cast.bakery, amount_cents=1040)
    ledger.handover(context, household=cast.member, producer=cast.dairy, amount_cents=1793)
    ledger.handover(context, household=cast.member2, producer=cast.bakery, amount_cents=520)
    return scene


def reference(cycle: Cycle, member: User) -> str:
    order = Order.objects.get(cycle=cycle, user=member)
    return f"CABAS-{cycle.pk}-{slip_numbers(cycle)[order.pk]}"


def statement(*rows: tuple[str, str, str]) -> SimpleUploadedFile:
    text = "Date;Libellé;Débit;Crédit\n" + "".join(f"{d};{label};;{amount}\n" for d, label, amount in rows)
    return SimpleUploadedFile("releve.csv", text.encode("cp1252"), content_type="text/csv")


def upload(client: Client, file: SimpleUploadedFile) -> StatementImport:
    file.seek(0)
    response = client.post(reverse("bank_upload", args=[A]), {"statement": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    return StatementImport.objects.latest("pk")


def household_owes(cycle: Cycle, member: User) -> int:
    return positions.cycle_positions(cycle).household(member.pk).owed_cents


def posted() -> int:
    return Entry.objects.filter(kind__in=[EntryKind.BANK_TRANSFER, EntryKind.TOPUP]).count()


def test_upload_preview_confirm(day: DayScene, client_for: Callable[..., Client]) -> None:
    cast, cycle = day.cast, day.cycle
    client = client_for(cast.treasurer)
    file = statement(
        ("02/12/2026", f"VIR MARIE {reference(cycle, cast.member)}", "20,00"),
        ("03/12/2026", "VIR INCONNU", "5,00"),
    )
    imported = upload(client, file)
    # The preview: proposed matches shown, nothing posted, nothing kept.
    page = client.get(reverse("bank_import", args=[A, imported.pk]))
    assert page.status_code == 200
    assert cast.member.full_name in page.content.decode()
    assert posted() == 0 and not StatementLine.objects.filter(kept=True).exists()
    assert household_owes(cycle, cast.member) == 2833

    marie, unknown = imported.lines.order_by("position")
    data = {
        f"what-{marie.pk}": f"cycle-{cycle.pk}",
        f"who-{marie.pk}": str(cast.member.pk),
        f"what-{unknown.pk}": "later",
    }
    response = client.post(reverse("bank_confirm", args=[A, imported.pk]), data)
    assert response.status_code == 302
    assert household_owes(cycle, cast.member) == 833
    entry = Entry.objects.get(kind=EntryKind.BANK_TRANSFER)
    # Paid in the basket's order: the bakery first (10,40 €), then 9,60 € of the dairy's part.
    money = positions.cycle_positions(cycle).household(cast.member.pk)
    assert money.owed_by_producer() == {cast.dairy.pk: 833}
    assert money.credit_cents == 0
    marie.refresh_from_db()
    unknown.refresh_from_db()
    assert (marie.status, marie.entry, marie.household, marie.cycle) == (
        Status.MATCHED,
        entry,
        cast.member,
        cycle,
    )
    assert unknown.status == Status.UNMATCHED and unknown.kept

    # A double submit records once.
    client.post(reverse("bank_confirm", args=[A, imported.pk]), data)
    assert posted() == 1

    # The same statement again: its lines are shown as already imported, and post nothing.
    again = upload(client, file)
    page = client.get(reverse("bank_import", args=[A, again.pk])).content.decode()
    assert page.count('class="muted" id="line-') == 2
    client.post(reverse("bank_confirm", args=[A, again.pk]), data)
    assert posted() == 1
    assert set(again.lines.values_list("status", flat=True)) == {Status.DUPLICATE}
    assert StatementLine.objects.filter(kept=True).count() == 2

    # The unknown line waits on « à rapprocher », and is matched there later.
    listed = client.get(reverse("bank_unmatched", args=[A])).content.decode()
    assert "VIR INCONNU" in listed and "VIR MARIE" not in listed
    url = reverse("bank_reconcile", args=[A, unknown.pk])
    response = client.post(
        url, {f"what-{unknown.pk}": f"cycle-{cycle.pk}", f"who-{unknown.pk}": str(cast.member2.pk)}
    )
    assert response.status_code == 302
    assert household_owes(cycle, cast.member2) == 20
    client.post(url, {f"what-{unknown.pk}": f"cycle-{cycle.pk}", f"who-{unknown.pk}": str(cast.member2.pk)})
    assert posted() == 2
    assert positions.cycle_positions(cycle).total_cents == 0


def test_a_refused_form_changes_nothing(day: DayScene, client_for: Callable[..., Client]) -> None:
    cast, cycle = day.cast, day.cycle
    client = client_for(cast.treasurer)
    imported = upload(client, statement(("02/12/2026", "VIR", "20,00"), ("03/12/2026", "VIR 2", "1,00")))
    first, second = imported.lines.order_by("position")
    url = reverse("bank_confirm", args=[A, imported.pk])
    for data in (
        {f"what-{first.pk}": f"cycle-{cycle.pk}", f"what-{second.pk}": "ignore"},  # no household
        {f"what-{first.pk}": f"cycle-{cycle.pk}", f"who-{first.pk}": str(cast.member_b.pk)},  # of group B
        {f"what-{first.pk}": "cycle-999999", f"who-{first.pk}": str(cast.member.pk)},  # no such cycle
        {f"what-{first.pk}": "topup", f"who-{first.pk}": str(cast.member.pk)},  # not a prepaid group
    ):
        response = client.post(url, data)
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
    imported.refresh_from_db()
    assert imported.confirmed_at is None and posted() == 0
    assert not StatementLine.objects.filter(kept=True).exists()


def test_a_settled_cycle_refuses_the_whole_statement(
    day: DayScene, client_for: Callable[..., Client]
) -> None:
    cast, cycle = day.cast, day.cycle
    client = client_for(cast.treasurer)
    imported = upload(client, statement(("02/12/2026", reference(cycle, cast.member), "20,00")))
    Cycle.objects.filter(pk=cycle.pk).update(distributed_at=cycle.closes_at, settled_at=cycle.closes_at)
    line = imported.lines.get()
    response = client.post(
        reverse("bank_confirm", args=[A, imported.pk]),
        {f"what-{line.pk}": f"cycle-{cycle.pk}", f"who-{line.pk}": str(cast.member.pk)},
    )
    assert response.status_code == 400
    imported.refresh_from_db()
    assert imported.confirmed_at is None and posted() == 0


def test_bad_file_is_refused_and_nothing_kept(cast: Cast, client_for: Callable[..., Client]) -> None:
    client = client_for(cast.treasurer)
    bad = SimpleUploadedFile("x.csv", b"not;a;statement\n", content_type="text/csv")
    response = client.post(reverse("bank_upload", args=[A]), {"statement": bad})
    assert response.status_code == 400
    assert "CSV" in response.content.decode()
    assert not StatementImport.objects.exists()
    assert client.post(reverse("bank_upload", args=[A]), {}).status_code == 400


def test_debits_are_listed_not_matched(day: DayScene, client_for: Callable[..., Client]) -> None:
    client = client_for(day.cast.treasurer)
    text = "Date;Libellé;Montant\n02/12/2026;PRLV ASSURANCE;-45,10\n"
    imported = upload(client, SimpleUploadedFile("r.csv", text.encode(), content_type="text/csv"))
    page = client.get(reverse("bank_import", args=[A, imported.pk])).content.decode()
    assert "PRLV ASSURANCE" in page and "what-" not in page
    client.post(reverse("bank_confirm", args=[A, imported.pk]), {})
    assert imported.lines.get().status == Status.DEBIT and posted() == 0


def test_discard_drops_a_preview_only(day: DayScene, client_for: Callable[..., Client]) -> None:
    client = client_for(day.cast.treasurer)
    imported = upload(client, statement(("02/12/2026", "VIR", "20,00")))
    assert client.post(reverse("bank_discard", args=[A, imported.pk])).status_code == 302
    assert not StatementImport.objects.exists()
    imported = upload(client, statement(("02/12/2026", "VIR", "20,00")))
    client.post(reverse("bank_confirm", args=[A, imported.pk]), {})
    client.post(reverse("bank_discard", args=[A, imported.pk]))
    assert StatementImport.objects.filter(pk=imported.pk).exists()


def test_who_may(day: DayScene, client_for: Callable[..., Client]) -> None:
    cast = day.cast
    imported = upload(client_for(cast.treasurer), statement(("02/12/2026", "VIR", "20,00")))
    line = imported.lines.get()
    pages = [
        reverse("bank_home", args=[A]),
        reverse("bank_import", args=[A, imported.pk]),
        reverse("bank_unmatched", args=[A]),
        reverse("bank_balances", args=[A]),
    ]
    actions = [
        reverse("bank_upload", args=[A]),
        reverse("bank_confirm", args=[A, imported.pk]),
        reverse("bank_discard", args=[A, imported.pk]),
        reverse("bank_reconcile", args=[A, line.pk]),
    ]
    for user in (cast.coordinator, cast.member, cast.producer_user, cast.coordinator_b):
        client = client_for(user)
        assert {client.get(url).status_code for url in pages} == {403}, user
        assert {client.post(url).status_code for url in actions} == {403}, user
    treasurer = client_for(cast.treasurer)
    assert {treasurer.get(url).status_code for url in pages} == {200}
    assert {treasurer.get(url).status_code for url in actions} == {405}
    # Group B's treasurer (its coordinator made treasurer) sees nothing of A's imports and lines.
    membership = cast.coordinator_b.memberships.get(group=cast.group_b)
    membership.is_treasurer = True
    membership.save()
    client = client_for(cast.coordinator_b)
    assert client.get(reverse("bank_import", args=["balma", imported.pk])).status_code == 404
    assert client.post(reverse("bank_confirm", args=["balma", imported.pk])).status_code == 404
    assert client.post(reverse("bank_reconcile", args=["balma", line.pk])).status_code == 404
    imported.refresh_from_db()
    assert imported.confirmed_at is None


def test_query_counts_do_not_grow_with_lines(day: DayScene, client_for: Callable[..., Client]) -> None:
    cast, cycle = day.cast, day.cycle
    client = client_for(cast.treasurer)
    members = [cast.member, cast.member2, cast.beneficiary]

    def measured(count: int) -> tuple[int, int]:
        rows = [
            ("02/12/2026", f"VIR {reference(cycle, members[i % 3])} N{i}", f"{i + 1},00")
            for i in range(count)
        ]
        rows += [("03/12/2026", f"VIR INCONNU {i}", "1,00") for i in range(count)]
        imported = upload(client, statement(*rows))
        with CaptureQueriesContext(connection) as preview:
            assert client.get(reverse("bank_import", args=[A, imported.pk])).status_code == 200
        client.post(reverse("bank_confirm", args=[A, imported.pk]), {})
        with CaptureQueriesContext(connection) as unmatched:
            assert client.get(reverse("bank_unmatched", args=[A])).status_code == 200
        return len(preview), len(unmatched)

    assert measured(3) == measured(30)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("bank_balances", args=[A]))
    with CaptureQueriesContext(connection) as home:
        client.get(reverse("bank_home", args=[A]))
    assert len(small) < 15 and len(home) < 15


def test_an_older_cycle_named_by_a_reference_is_accepted(day: DayScene) -> None:
    cast = day.cast
    choices = Choices(households={}, cycles={}, prepaid=False, group=cast.group_a)
    assert choices.cycle(day.cycle.pk) == day.cycle
    other = Choices(households={}, cycles={}, prepaid=False, group=cast.group_b)
    assert other.cycle(day.cycle.pk) is None
