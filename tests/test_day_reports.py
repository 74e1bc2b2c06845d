"""Documents after the distribution day: each producer's day report and cheques, the cycle's summary.

Every figure is read back from the files (PDF with pypdf, XLSX with openpyxl)
and checked to the cent against the day (``load_day``) and the ledger.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cabas.accounts import services as accounts
from cabas.accounts.models import User
from cabas.catalog.models import Producer, ProducerAccount
from cabas.cycles.models import Cycle, Offer, OrderLine
from cabas.cycles.ordering import LineChange, save_basket
from cabas.distribution import services
from cabas.distribution import state as day_state
from cabas.distribution.models import EventKind
from cabas.distribution.services import Action, Scope
from cabas.distribution.state import load_day
from cabas.ledger import services as ledger
from cabas.ledger.models import Account
from cabas.reports import day, documents
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_offer
from tests.test_reports import cents, euros, fr, pdf_pages, table_after, xlsx_rows

A = "saint-orens"
_ids = itertools.count(1)


@dataclass
class DayScene:
    cast: Cast
    cycle: Cycle
    bread: Offer  # bakery, 5,20 €
    tomme: Offer  # dairy, variable weight, 23,90 €/kg, ~750 g a piece
    yoghurt: Offer  # dairy, 0,95 €

    def line(self, member: User, offer: Offer) -> OrderLine:
        return OrderLine.objects.get(order__cycle=self.cycle, order__user=member, offer=offer)

    def act(self, kind: EventKind, member: User, offer: Offer | None = None, **fields: Any) -> None:
        line = self.line(member, offer) if offer is not None else None
        order_id = line.order_id if line else OrderLine.objects.filter(order__user=member).first().order_id  # type: ignore[union-attr]
        if line is not None:
            fields |= {"line_id": line.pk, "producer_id": offer.producer_id}  # type: ignore[union-attr]
        action = Action(device="test", action=f"a{next(_ids)}", kind=kind, order_id=order_id, **fields)
        services.apply(
            cycle=self.cycle, action=action, by=self.cast.coordinator, scope=Scope(coordinator=True)
        )

    def pay(self, member: User, producer: Producer, cents_: int, method: str, **details: str) -> None:
        self.act(
            EventKind.PAID,
            member,
            producer_id=producer.pk,
            amount_cents=cents_,
            method=method,
            details=details,
        )

    def balance(self, account: Account, **filters: Any) -> int:
        return ledger.balance(self.cast.group_a, account, cycle=self.cycle, **filters)


def _order(cycle: Cycle, member: User, quantities: dict[Offer, int]) -> None:
    changes = [LineChange(offer.pk, quantity) for offer, quantity in quantities.items()]
    assert save_basket(cycle=cycle, member=member, changes=changes, by=member).ok


def _finalise(cycle: Cycle) -> Cycle:
    Cycle.objects.filter(pk=cycle.pk).update(
        closes_at=timezone.now() - timedelta(hours=1), finalised_at=timezone.now()
    )
    return Cycle.objects.select_related("group").get(pk=cycle.pk)


@pytest.fixture
def scene(cast: Cast) -> DayScene:
    """Four households served at the bakery and the dairy, each paying another way; one not collected."""
    Producer.objects.filter(pk=cast.bakery.pk).update(
        cheque_payable_to="EARL Fournil", accepts_transfer=True, iban="FR7612345678901234567890189"
    )
    cast.bakery.refresh_from_db()
    cycle = make_cycle(cast.group_a, name="Cabas de juin")
    bread = make_offer(cycle, cast.bakery, "Pain complet", price_cents=520)
    tomme = make_offer(cycle, cast.dairy, "Tomme", price_cents=2390, estimated_weight_grams=750)
    yoghurt = make_offer(cycle, cast.dairy, "Yaourt", price_cents=95)
    _order(cycle, cast.member, {bread: 2000, tomme: 1000})
    _order(cycle, cast.member2, {bread: 1000, yoghurt: 6000})
    _order(cycle, cast.beneficiary, {tomme: 2000, yoghurt: 4000})
    _order(cycle, cast.treasurer, {bread: 1000})
    _order(cycle, cast.coordinator, {bread: 1000, yoghurt: 2000})
    s = DayScene(cast, _finalise(cycle), bread, tomme, yoghurt)
    c, bakery, dairy = cast, cast.bakery, cast.dairy
    # Marie: arrives, bread and a weighed tomme; cash at the bakery, a cheque at the dairy.
    s.act(EventKind.ARRIVED, c.member)
    s.act(EventKind.HANDED, c.member, bread)
    s.act(EventKind.HANDED, c.member, tomme)
    s.act(EventKind.WEIGHED, c.member, tomme, grams=812)  # 19,41 €
    s.pay(c.member, bakery, 1040, "cash", tendered="20")
    s.pay(c.member, dairy, 1941, "cheque", number="1234567", bank="Crédit Agricole", drawer="M. Membre")
    # Mehdi: two yoghurts damaged, the rest handed over, pays his whole basket at the desk.
    s.act(EventKind.SHORT, c.member2, yoghurt, quantity=2000, reason="damaged", note="pots fendus")
    s.act(EventKind.HANDED, c.member2, bread)
    s.act(EventKind.HANDED, c.member2, yoghurt)
    s.act(EventKind.DESK_PAID, c.member2, amount_cents=520 + 380, method="card")
    # Théo pays by transfer, Claire by cheque and card; Claire's yoghurts were not handed yet.
    s.act(EventKind.HANDED, c.treasurer, bread)
    s.pay(c.treasurer, bakery, 520, "transfer", reference="TRESORIER-JUIN")
    s.act(EventKind.HANDED, c.coordinator, bread)
    s.pay(
        c.coordinator, bakery, 520, "cheque", number="7654321", bank="La Banque Postale", drawer="Claire Co"
    )
    s.pay(c.coordinator, dairy, 190, "card")
    # Bernadette never came: kept for later.
    s.act(EventKind.UNCOLLECTED, c.beneficiary, reason="kept")
    return s


# --- The data ----------------------------------------------------------------------------------


def test_producer_day_agrees_with_the_day_and_the_ledger(scene: DayScene) -> None:
    c = scene.cast
    for producer in (c.bakery, c.dairy):
        report = day.producer_day(scene.cycle, producer)
        stands = {s.member.pk: s for s in load_day(scene.cycle).stand(producer.pk)}
        assert [row.member.pk for row in report.rows] == list(stands)
        for row in report.rows:
            stand = stands[row.member.pk]
            assert (row.due_cents, row.paid_cents, row.desk_cents) == (
                stand.due_cents,
                stand.paid_cents,
                stand.desk_cents,
            )
            household = User.objects.get(pk=row.member.pk)
            # « Reste dû » is due − paid, handed over or not; the ledger holds what was received.
            assert row.owed_cents == stand.left_cents >= 0
            not_handed = row.due_cents - row.handed_cents
            assert row.owed_cents - not_handed == scene.balance(
                Account.HOUSEHOLD, household=household, producer=producer
            )
            assert row.paid_not_handed_cents == max(
                min(row.paid_cents + row.desk_cents, row.due_cents) - row.handed_cents, 0
            )
        # What is still owed to the producer: by households, or by the association (desk).
        assert report.handed_cents - report.paid_cents == scene.balance(Account.PRODUCER, producer=producer)
        assert report.owed_cents - (report.due_cents - report.handed_cents) == scene.balance(
            Account.HOUSEHOLD, producer=producer
        )
    bakery = day.producer_day(scene.cycle, c.bakery)
    assert (bakery.handed_cents, bakery.paid_cents, bakery.desk_cents, bakery.owed_cents) == (
        2600,
        2080,
        520,
        0,
    )
    assert bakery.methods.cents == {"cash": 1040, "transfer": 520, "cheque": 520}
    assert [(ch.cheque_number, ch.bank, ch.drawer, ch.amount_cents) for ch in bakery.cheques] == [
        ("7654321", "La Banque Postale", "Claire Co", 520)
    ]
    dairy = day.producer_day(scene.cycle, c.dairy)
    assert dairy.handed_cents == 1941 + 380  # Claire's yoghurts not handed over yet
    (short,) = dairy.shortages
    assert (short.member.name, short.product, short.quantity, short.reason) == (
        "Mehdi Member",
        "Yaourt",
        2000,
        "damaged",
    )


def test_day_summary_agrees_with_the_ledger(scene: DayScene) -> None:
    summary = day.day_summary(scene.cycle)
    figures = {f.producer.pk: f for f in summary.producers}
    for producer in (scene.cast.bakery, scene.cast.dairy):
        f = figures[producer.pk]
        assert f.handed_cents - f.paid_cents == scene.balance(Account.PRODUCER, producer=producer)
        assert f.owed_cents - (f.due_cents - f.handed_cents) == scene.balance(
            Account.HOUSEHOLD, producer=producer
        )
        assert f.owed_cents == sum(max(s.left_cents, 0) for s in load_day(scene.cycle).stand(producer.pk))
        assert f.due_cents == sum(s.due_cents for s in load_day(scene.cycle).stand(producer.pk))
    assert summary.total("desk_cents") == scene.balance(Account.DESK) == 900
    assert summary.desk.cents == {"card": 900}
    assert summary.method_total("cheque") == 1941 + 520
    assert (summary.households, summary.served) == (5, 4 - 1)  # Claire's yoghurts wait
    # Claire's yoghurts are paid, not handed over: not a negative debt.
    assert figures[scene.cast.dairy.pk].paid_not_handed_cents == 190
    kept, claire = sorted(summary.not_collected, key=lambda n: n.member.name)
    assert (kept.member.name, kept.decision, kept.decided_by) == (
        "Bernadette Bénéficiaire",
        "kept",
        "Claire Coordinatrice",
    )
    lines = OrderLine.objects.filter(order__cycle=scene.cycle, order__user=scene.cast.beneficiary)
    assert kept.due_cents == sum(line.total_cents for line in lines) == 3585 + 4 * 95
    assert (claire.member.name, claire.due_cents, claire.decision) == ("Claire Coordinatrice", 0, "")
    # The live view lists the same baskets: it reads the same function.
    live = [h.member.name for h in day_state.not_collected(load_day(scene.cycle))]
    assert sorted(live) == sorted(n.member.name for n in summary.not_collected)


def test_query_counts_do_not_grow_with_households(cast: Cast) -> None:
    """3 households or 30: the same number of queries for every document's data."""
    cycle = make_cycle(cast.group_a, name="Grand cabas")
    bread = make_offer(cycle, cast.bakery, "Pain", price_cents=450)
    counts = []
    for size in (3, 30):
        while OrderLine.objects.filter(order__cycle=cycle).count() < size:
            n = OrderLine.objects.filter(order__cycle=cycle).count()
            user = accounts.create_user(email=f"foyer{n}@example.org", full_name=f"Foyer {n:02d}")
            accounts.add_member(group=cast.group_a, user=user)
            Cycle.objects.filter(pk=cycle.pk).update(finalised_at=None)
            _order(cycle, user, {bread: 1000})
            finalised = _finalise(cycle)
            line = OrderLine.objects.get(order__user=user, order__cycle=cycle)
            for kind, extra in (
                (EventKind.HANDED, {"line_id": line.pk}),
                (EventKind.PAID, {"amount_cents": 450, "method": "cheque", "details": {"number": str(n)}}),
            ):
                action = Action(
                    device="t",
                    action=f"{kind}{n}",
                    kind=kind,
                    order_id=line.order_id,
                    producer_id=cast.bakery.pk,
                    **extra,
                )  # type: ignore[arg-type]
                services.apply(
                    cycle=finalised, action=action, by=cast.coordinator, scope=Scope(coordinator=True)
                )
        finalised = _finalise(cycle)
        run: dict[str, Callable[[], object]] = {
            "producer_day": lambda c=finalised: day.producer_day(c, cast.bakery),
            "day_summary": lambda c=finalised: day.day_summary(c),
            "report.xlsx": lambda c=finalised: documents.day_report_document(c, cast.bakery, "xlsx"),
            "summary.xlsx": lambda c=finalised: documents.day_summary_document(c, "xlsx"),
        }
        sizes = {}
        for name, call in run.items():
            with CaptureQueriesContext(connection) as context:
                call()
            sizes[name] = len(context)
        counts.append(sizes)
        assert len(day.producer_day(finalised, cast.bakery).cheques) == size
    assert counts[0] == counts[1], counts


# --- The files, read back ------------------------------------------------------------------------


def test_producer_report_pdf(scene: DayScene) -> None:
    c = scene.cast
    text = " ".join(pdf_pages(documents.day_report_document(scene.cycle, c.dairy, "pdf").content))
    report = day.producer_day(scene.cycle, c.dairy)
    for name in ("Marie Membre", "Mehdi Member", "Claire Coordinatrice", "Bernadette Bénéficiaire"):
        assert name in text
    assert "0,812 kg" in text and euros(1941) in text  # the weighed tomme
    assert "1234567" in text and "Crédit Agricole" in text
    assert fr("paid at the welcome desk") in text
    assert fr("%(reason)s: %(note)s", reason=fr("Damaged"), note="pots fendus") in text
    for figure in (
        report.due_cents,
        report.handed_cents,
        report.paid_cents,
        report.desk_cents,
        report.owed_cents,
    ):
        assert euros(figure) in text
    assert f"{fr('page')} 1 / 1" in text


def test_producer_report_xlsx(scene: DayScene) -> None:
    c = scene.cast
    content = documents.day_report_document(scene.cycle, c.bakery, "xlsx").content
    _header, body = table_after(xlsx_rows(content, 0), fr("No."))
    *rows, total = body
    owed = {row[1]: cents(row[11]) for row in rows if row[11] is not None}
    stands = {s.member.name: s for s in load_day(scene.cycle).stand(c.bakery.pk)}
    for member in (c.member, c.member2, c.treasurer, c.coordinator):
        assert owed[member.full_name] == stands[member.full_name].left_cents == 0
        assert scene.balance(Account.HOUSEHOLD, household=member, producer=c.bakery) == 0
    report = day.producer_day(scene.cycle, c.bakery)
    assert [cents(total[8]), cents(total[9]), cents(total[11])] == [
        report.handed_cents,
        report.paid_cents,
        report.owed_cents,
    ]
    _header, payments = table_after(xlsx_rows(content, 1), fr("No."))
    desk = [row for row in payments if row[2] == fr("paid at the welcome desk")]
    assert [(row[1], row[3]) for row in desk] == [("Mehdi Member", None)]  # never the household's amount
    cheque = next(row for row in payments if row[2] == fr("Cheque"))
    assert cheque[3:7] == [cheque[3], "7654321", "La Banque Postale", "Claire Co"] and cents(cheque[3]) == 520
    assert cents(payments[-1][3]) == report.paid_cents


def test_cheques_pdf(scene: DayScene) -> None:
    (page,) = pdf_pages(documents.cheques_document(scene.cycle, scene.cast.dairy).content)
    assert "1234567" in page and "Crédit Agricole" in page and "M. Membre" in page
    assert fr("Total: %(counter)s cheque", counter=1) in page and euros(1941) in page
    assert fr("Signature:") in page
    bakery = " ".join(pdf_pages(documents.cheques_document(scene.cycle, scene.cast.bakery).content))
    assert fr("Payable to: %(payee)s", payee="EARL Fournil") in bakery and "1234567" not in bakery


def test_day_summary_pdf_and_xlsx(scene: DayScene) -> None:
    summary = day.day_summary(scene.cycle)
    text = " ".join(pdf_pages(documents.day_summary_document(scene.cycle, "pdf").content))
    for attribute in ("due_cents", "handed_cents", "desk_cents", "owed_cents"):
        assert euros(summary.total(attribute)) in text
    assert "Bernadette Bénéficiaire" in text and fr("Kept for later") in text and "pots fendus" in text
    figures = {f.producer.pk: f for f in summary.producers}
    content = documents.day_summary_document(scene.cycle, "xlsx").content
    _header, body = table_after(xlsx_rows(content, 0), fr("Producer"))
    by_name = {row[0]: row for row in body}
    for producer in (scene.cast.bakery, scene.cast.dairy):
        row = by_name[producer.name]
        handed, paid = cents(row[4]), sum(cents(value) for value in row[5:9])
        assert handed - paid == scene.balance(Account.PRODUCER, producer=producer)
        due, owed = cents(row[3]), cents(row[10])
        assert owed - (due - handed) == scene.balance(Account.HOUSEHOLD, producer=producer)
        assert cents(row[11]) == figures[producer.pk].paid_not_handed_cents
    total = by_name[fr("Total")]
    assert cents(total[9]) == scene.balance(Account.DESK)
    assert cents(total[10]) - (cents(total[3]) - cents(total[4])) == scene.balance(Account.HOUSEHOLD)
    assert cents(total[10]) >= 0
    _header, desk = table_after(xlsx_rows(content, 1), fr("Method"))
    assert cents(desk[-1][2]) == scene.balance(Account.DESK)


# --- Who may download them --------------------------------------------------------------------


def _urls(scene: DayScene) -> dict[str, str]:
    cycle, bakery = scene.cycle.pk, scene.cast.bakery.pk
    return {
        "summary": reverse("reports_day_summary", args=[A, cycle, "pdf"]),
        "summary.xlsx": reverse("reports_day_summary", args=[A, cycle, "xlsx"]),
        "report": reverse("reports_day_report", args=[A, cycle, bakery, "pdf"]),
        "report.xlsx": reverse("reports_day_report", args=[A, cycle, bakery, "xlsx"]),
        "cheques": reverse("reports_day_cheques", args=[A, cycle, bakery]),
        "own report": reverse("producer_day_report", args=["fournil", cycle, "pdf"]),
        "own report.xlsx": reverse("producer_day_report", args=["fournil", cycle, "xlsx"]),
        "own cheques": reverse("producer_day_cheques", args=["fournil", cycle]),
    }


def test_coordinators_and_the_producer_download_theirs(
    scene: DayScene, client_for: Callable[..., Client]
) -> None:
    ProducerAccount.objects.create(producer=scene.cast.bakery, user=scene.cast.producer_user)
    urls = _urls(scene)
    for name, url in urls.items():
        client = client_for(scene.cast.producer_user if name.startswith("own") else scene.cast.coordinator)
        response = client.get(url)
        assert response.status_code == 200, name
        assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"], name
        assert client.post(url).status_code == 405
    page = client_for(scene.cast.coordinator).get(reverse("reports_cycle", args=[A, scene.cycle.pk])).text
    assert urls["summary"] in page and urls["cheques"] in page
    producer = client_for(scene.cast.producer_user)
    page = producer.get(reverse("producer_cycle_orders", args=["fournil", scene.cycle.pk])).text
    assert urls["own report"] in page and urls["own cheques"] in page
    # The bakery's account gets nothing of the dairy's, nor the coordinators' documents.
    dairy = reverse("producer_day_report", args=["bergerie", scene.cycle.pk, "pdf"])
    assert producer.get(dairy).status_code == 403
    assert producer.get(urls["summary"]).status_code == 403
    for name in ("summary", "report", "cheques"):
        assert client_for(scene.cast.member).get(urls[name]).status_code == 403
        assert client_for(scene.cast.coordinator_b).get(urls[name]).status_code == 403
    balma = reverse("reports_day_summary", args=["balma", scene.cycle.pk, "pdf"])
    assert client_for(scene.cast.coordinator_b).get(balma).status_code == 404
    coordinator = client_for(scene.cast.coordinator)
    unknown = reverse("reports_day_report", args=[A, scene.cycle.pk, 999_999, "pdf"])
    assert coordinator.get(unknown).status_code == 404
    assert coordinator.get(reverse("reports_day_summary", args=[A, scene.cycle.pk, "csv"])).status_code == 404


def test_nothing_before_the_day_starts(cast: Cast, client_for: Callable[..., Client]) -> None:
    cycle = make_cycle(cast.group_a, phase="finalised")
    make_offer(cycle, cast.bakery, "Pain", price_cents=450)
    client = client_for(cast.coordinator)
    assert client.get(reverse("reports_day_summary", args=[A, cycle.pk, "pdf"])).status_code == 404
    assert (
        reverse("reports_day_summary", args=[A, cycle.pk, "pdf"])
        not in client.get(reverse("reports_cycle", args=[A, cycle.pk])).text
    )


# --- Paid at the desk, then weighed: a complement at the desk ----------------------------------


def test_paid_at_the_desk_then_weighed(cast: Cast, client_for: Callable[..., Client]) -> None:
    """The whole basket paid at the desk on estimated prices, then the tomme weighed heavier:
    the desk's share stays what it collected, the difference is a complement to pay at the desk;
    the producer is owed the desk's share by the association, the rest by the household."""
    cycle = make_cycle(cast.group_a, name="Cabas de juillet")
    bread = make_offer(cycle, cast.bakery, "Pain complet", price_cents=520)
    tomme = make_offer(cycle, cast.dairy, "Tomme", price_cents=2390, estimated_weight_grams=750)
    _order(cycle, cast.member, {bread: 1000, tomme: 1000})
    s = DayScene(cast, _finalise(cycle), bread, tomme, tomme)
    member, dairy = cast.member, cast.dairy
    household = load_day(s.cycle).household(s.line(member, tomme).order_id)
    assert household is not None and household.left_cents == 520 + 1793  # 0,750 kg estimated
    s.act(EventKind.DESK_PAID, member, amount_cents=2313, method="cash", details={"tendered": "25"})
    s.act(EventKind.WEIGHED, member, tomme, grams=806)  # 19,26 €: + 1,33 €
    s.act(EventKind.HANDED, member, tomme)
    s.act(EventKind.HANDED, member, bread)

    # The desk: 1,33 € to collect now, and why.
    household = load_day(s.cycle).household(household.order_id)
    assert household is not None
    assert (household.left_cents, household.complement_cents, household.complement_weighed) == (
        133,
        133,
        True,
    )
    assert household.arrived  # paid at the desk: arrived
    desk = client_for(cast.coordinator).get(
        reverse("day_desk", args=[A, s.cycle.pk]) + f"?order={household.order_id}"
    )
    page = " ".join(desk.text.split())
    assert fr("weighed after the payment: + %(amount)s", amount=euros(133)) in page, page
    # The stand: paid at the desk, a complement at the desk, never an amount of the household's.
    (stand,) = load_day(s.cycle, producer=dairy).stand(dairy.pk)
    assert (stand.desk_cents, stand.due_cents, stand.complement_cents) == (1793, 1926, 133)
    url = reverse("day_stand_household", args=["bergerie", s.cycle.pk, household.order_id])
    stand_page = " ".join(client_for(cast.coordinator).get(url).text.split())
    assert fr("(complement at the welcome desk)") in stand_page
    # The producer's report: the association owes her the desk's share; the household, the rest.
    report = day.producer_day(s.cycle, dairy)
    (row,) = report.rows
    assert (row.handed_cents, row.desk_cents, row.owed_cents, row.paid_not_handed_cents) == (
        1926,
        1793,
        133,
        0,
    )
    assert (report.desk_cents, report.owed_cents) == (1793, 133)
    text = " ".join(pdf_pages(documents.day_report_document(s.cycle, dairy, "pdf").content))
    assert fr("paid at the welcome desk (complement at the welcome desk)") in text
    assert euros(1793) in text and euros(133) in text and f"-{euros(1793)}" not in text
    # The ledger, to the cent.
    assert s.balance(Account.PRODUCER, producer=dairy) == report.handed_cents - report.paid_cents == 1926
    assert s.balance(Account.HOUSEHOLD, household=member, producer=dairy) == 133
    assert s.balance(Account.HOUSEHOLD, household=member) == 133 == household.left_cents
    assert s.balance(Account.DESK) == 2313
    summary = day.day_summary(s.cycle)
    assert summary.total("desk_cents") == s.balance(Account.DESK)
    assert summary.total("owed_cents") == s.balance(Account.HOUSEHOLD) == 133

    # The desk collects the complement: its share for the dairy is now the whole part.
    s.act(EventKind.DESK_PAID, member, amount_cents=133, method="cash")
    day_ = load_day(s.cycle)
    household = day_.household(household.order_id)
    assert household is not None and (household.left_cents, household.complement_cents) == (0, 0)
    assert not day_.conflicts
    (row,) = day.producer_day(s.cycle, dairy).rows
    assert (row.desk_cents, row.owed_cents) == (1926, 0)
    assert s.balance(Account.HOUSEHOLD, household=member) == 0
    assert s.balance(Account.DESK) == 2313 + 133
