"""The committee's dashboard, the members' figures, a coordinator's proposal, and the desk's row of
the live view: figures read from the ledger, reconciled to the cent, in a fixed number of queries."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from cabas.accounts.models import User
from cabas.cycles.models import Cycle
from cabas.ledger import services as ledger
from cabas.ledger.fund_positions import fund_history
from cabas.ledger.models import Account, Method
from cabas.lib.charts import Chart, Series, draw, scale
from cabas.lib.money import format_cents
from cabas.solidarity import dashboard as boards
from cabas.solidarity.models import HelpDecision, HelpRequest
from tests.cast import Cast
from tests.solidarity_fixtures import fill_fund, help_household

A = "saint-orens"


def past_cycle(cast: Cast, number: int) -> Cycle:
    now = timezone.now()
    return Cycle.objects.create(
        group=cast.group_a,
        name=f"Cabas n° {number}",
        opens_at=now - timedelta(days=400),
        closes_at=now - timedelta(days=399),
        distribution_date=date(2024, 1, 4) + timedelta(days=14 * number),
        distribution_start=time(17),
        distribution_end=time(19),
        distribution_place="Salle des fêtes",
        published_at=now,
        finalised_at=now,
        distributed_at=now,
    )


def history(cast: Cast, cycles: int, *, helped: tuple[User, ...] | None = None) -> list[Cycle]:
    """``cycles`` settled cycles: each gets a gift at the desk of 10,00 € + n cents, and help of
    3,33 € for each household in ``helped``."""
    helped = (cast.member, cast.member2, cast.beneficiary) if helped is None else helped
    made = []
    for number in range(cycles):
        cycle = past_cycle(cast, number)
        ledger.contribution(
            ledger.Context(group=cast.group_a, by=cast.treasurer, cycle=cycle, key=f"g{number}"),
            amount_cents=1000 + number,
            into=Account.DESK,
            method=Method.CASH,
            household=cast.member2,
        )
        for household in helped:
            ledger.subsidy(
                ledger.Context(
                    group=cast.group_a, by=cast.treasurer, cycle=cycle, key=f"h{number}:{household.pk}"
                ),
                household=household,
                shares={cast.bakery: 200, cast.dairy: 133},
            )
        made.append(cycle)
    Cycle.objects.filter(pk__in=[c.pk for c in made]).update(settled_at=timezone.now())
    return made


# --- The reader -------------------------------------------------------------------------------


def test_the_history_reconciles_with_the_ledger_to_the_cent(cast: Cast) -> None:
    fill_fund(cast, 5000)  # a gift outside any cycle, today: after every past cycle
    cycles = history(cast, 3)
    correction = ledger.reverse(
        ledger.Context(group=cast.group_a, by=cast.treasurer, cycle=cycles[1], key="undo"),
        entry=ledger.Entry.objects.get(key=f"h1:{cast.beneficiary.pk}"),
    )
    assert correction.pk
    periods = fund_history(cast.group_a)
    assert [p.name for p in periods] == [
        "Cabas n° 0",
        "Cabas n° 1",
        "Cabas n° 2",
        f"Hors cycle, {date_format(timezone.localdate(), 'YEAR_MONTH_FORMAT')}",
    ]
    assert [p.in_cents for p in periods] == [1000, 1001, 1002, 5000]
    assert [p.out_cents for p in periods] == [999, 666, 999, 0]  # the reversed help is out of cycle 1
    assert [p.helped for p in periods] == [3, 2, 3, 0]
    assert [p.balance_cents for p in periods] == [1, 336, 339, 5339]
    assert periods[-1].balance_cents == ledger.balance(cast.group_a, Account.FUND)
    assert all(p.settled for p in periods[:3])


def test_gifts_outside_cycles_count_per_month_among_the_cycles(cast: Cast) -> None:
    cycle = past_cycle(cast, 0)  # 4 January 2024
    for key, day, cents in (
        ("a", date(2023, 12, 2), 300),
        ("b", date(2023, 12, 20), 400),
        ("c", date(2024, 2, 1), 50),
    ):
        ledger.contribution(
            ledger.Context(
                group=cast.group_a,
                by=cast.treasurer,
                key=key,
                at=timezone.make_aware(datetime.combine(day, time(12))),
            ),
            amount_cents=cents,
            into=Account.BANK,
            method=Method.TRANSFER,
        )
    ledger.subsidy(
        ledger.Context(group=cast.group_a, by=cast.treasurer, cycle=cycle, key="h"),
        household=cast.member,
        shares={cast.bakery: 250},
    )
    periods = fund_history(cast.group_a)
    assert [(p.cycle_id, p.name, p.in_cents, p.out_cents, p.helped, p.balance_cents) for p in periods] == [
        (None, "Hors cycle, décembre 2023", 700, 0, 0, 700),
        (cycle.pk, "Cabas n° 0", 0, 250, 1, 450),
        (None, "Hors cycle, février 2024", 50, 0, 0, 500),
    ]


def test_the_history_reads_in_one_query_whatever_its_length(cast: Cast, django_assert_num_queries) -> None:
    history(cast, 2)
    with django_assert_num_queries(1):
        assert len(fund_history(cast.group_a)) == 2
    history_more = [past_cycle(cast, 10 + n) for n in range(6)]
    for n, cycle in enumerate(history_more):
        ledger.contribution(
            ledger.Context(group=cast.group_a, by=cast.treasurer, cycle=cycle, key=f"more{n}"),
            amount_cents=100,
            into=Account.BANK,
            method=Method.TRANSFER,
        )
    with django_assert_num_queries(1):
        assert len(fund_history(cast.group_a)) == 8


# --- The chart helper -------------------------------------------------------------------------


def test_a_chart_is_an_image_with_a_title_a_description_and_escaped_text() -> None:
    chart = Chart(
        slug="c",
        title="Fonds <b>",
        desc="Évolution & solde",
        labels=["Cabas <1>", "Cabas 2"],
        series=[Series("Entrées", [1250, -300]), Series("Sorties", [0, 990])],
        fmt=format_cents,
    )
    svg = draw(chart)
    assert (
        svg.startswith("<svg")
        and 'role="img"' in svg
        and 'aria-labelledby="c-title" aria-describedby="c-desc"' in svg
    )
    assert '<title id="c-title">Fonds &lt;b&gt;</title>' in svg
    assert '<desc id="c-desc">Évolution &amp; solde</desc>' in svg
    assert "Cabas &lt;1&gt;" in svg and "<b>" not in svg and "style=" not in svg
    assert svg.count("<rect") == 4 + 2  # four bars, two legend keys
    assert chart.rows == [
        ("Cabas <1>", ["12,50\u00a0€", "0,00\u00a0€"]),
        ("Cabas 2", ["-3,00\u00a0€", "9,90\u00a0€"]),
    ]
    line = draw(Chart("l", "t", "d", ["a", "b", "c"], [Series("s", [1, 5, 3])], kind="line"))
    assert "<polyline" in line and line.count("<circle") == 3


def test_the_axis_holds_every_value_and_zero_in_round_steps() -> None:
    assert scale([0]) == (0, 1, 1)
    assert scale([1250, 990]) == (0, 1400, 200) or scale([1250, 990])[1] >= 1250
    low, high, step = scale([-300, 1250])
    assert low <= -300 and high >= 1250 and (high - low) % step == 0


# --- The dashboard's pages --------------------------------------------------------------------


def test_the_committee_reads_its_dashboard(cast: Cast, client_for) -> None:
    history(cast, 3)
    help_household(cast, cast.member)
    HelpRequest.objects.create(
        group=cast.group_a, household=cast.member2, situation="s", proposed_by=cast.coordinator
    )
    HelpRequest.objects.create(group=cast.group_a, household=cast.beneficiary, situation="s")
    HelpDecision.objects.filter(household=cast.member).update(review_on=timezone.localdate())
    client = client_for(cast.treasurer)
    fund = client.get(reverse("solidarity_fund", args=[A])).content.decode()
    url = reverse("solidarity_dashboard", args=[A])
    assert url in fund  # reached from the committee's page
    page = client.get(url).content.decode()
    assert page.count("<svg") == 3 and page.count("<title id=") == 3 and page.count("<desc id=") == 3
    assert 'id="board-balance">0,06\u00a0€' in page
    assert 'id="board-waiting">2' in page and "1 proposé par un référent" in page
    assert 'id="board-reviews">1<' in page
    assert "Cabas n° 2" in page and "10,02\u00a0€" in page  # the table beside the chart
    assert reverse("solidarity_dashboard_csv", args=[A]) in page


def test_the_dashboard_csv_has_the_same_figures(cast: Cast, client_for) -> None:
    history(cast, 2)
    response = client_for(cast.treasurer).get(reverse("solidarity_dashboard_csv", args=[A]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    body = [row for row in rows if row and row[0].startswith("Cabas n°")]
    assert body == [
        ["Cabas n° 0", "2024-01-04", "10,00", "9,99", "3", "0,01"],
        ["Cabas n° 1", "2024-01-18", "10,01", "9,99", "3", "0,03"],
    ]


@pytest.mark.parametrize("name", ["solidarity_dashboard", "solidarity_dashboard_csv"])
def test_only_the_committee_reads_the_dashboard(cast: Cast, client_for, name: str) -> None:
    url = reverse(name, args=[A])
    for user in (cast.coordinator, cast.member, cast.producer_user, cast.coordinator_b):
        assert client_for(user).get(url).status_code == 403
    assert client_for(cast.treasurer).get(reverse(name, args=["balma"])).status_code == 403
    assert client_for(cast.treasurer).get(reverse(name, args=["nowhere"])).status_code == 404
    assert client_for(cast.treasurer).post(url).status_code == 405
    assert client_for(cast.site_admin).get(url).status_code == 200
    assert client_for(None).get(url).status_code == 302


def test_the_dashboards_queries_do_not_grow_with_history(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    client = client_for(cast.treasurer)
    url = reverse("solidarity_dashboard", args=[A])
    history(cast, 2)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    more = [past_cycle(cast, 20 + n) for n in range(8)]
    for n, cycle in enumerate(more):
        ledger.contribution(
            ledger.Context(group=cast.group_a, by=cast.treasurer, cycle=cycle, key=f"m{n}"),
            amount_cents=500,
            into=Account.BANK,
            method=Method.TRANSFER,
        )
        help_household(cast, cast.member, percent=30 + n)
        HelpRequest.objects.create(group=cast.group_a, household=cast.member2, situation=f"s{n}")
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small) <= 12


# --- What members see -------------------------------------------------------------------------


def test_members_see_settled_cycles_in_aggregate_and_fewer_than_3(cast: Cast, client_for) -> None:
    history(cast, 1)  # three households helped, 9,99 € in all
    second = past_cycle(cast, 5)
    ledger.subsidy(
        ledger.Context(group=cast.group_a, by=cast.treasurer, cycle=second, key="only-one"),
        household=cast.member,
        shares={cast.bakery: 1},
    )
    client = client_for(cast.beneficiary)
    url = reverse("solidarity_figures", args=[A])
    assert url in client.get(reverse("group_detail", args=[A])).content.decode()
    page = client.get(url).content.decode()
    assert "Cabas n° 5" not in page  # not settled yet: its figures still move
    assert "Marie" not in page
    assert "Cabas n° 0" in page and "9,99\u00a0€" in page and ">3<" in page
    assert "Le fonds avait 0,01\u00a0€ à la clôture de « Cabas n° 0 »." in page
    Cycle.objects.filter(pk=second.pk).update(settled_at=timezone.now())
    page = client.get(url).content.decode()
    row = page.split('<th scope="row">Cabas n° 5</th>')[1].split("</tr>")[0]
    assert "moins de 3" in row and "0,01\u00a0€" not in row  # neither the count nor the help of one
    # The balance after a cycle with one household helped would tell what it received: the one
    # shown stays that of the last cycle with at least 3.
    assert "Le fonds avait 0,01\u00a0€ à la clôture de « Cabas n° 0 »." in page
    english = client_for(cast.member2).get(url).content.decode()
    assert "fewer than 3" in english and "The fund held €0.01 at the settlement of Cabas n° 0." in english


def _figures_in_world(cast: Cast, client, helped: bool) -> str:
    """The members' figures after a settled cycle where Marie is helped, or nobody is."""
    import re

    from django.db import transaction

    class Rollback(Exception):
        pass

    page = ""
    try:
        with transaction.atomic():
            history(cast, 1)
            cycle = past_cycle(cast, 5)
            if helped:
                ledger.subsidy(
                    ledger.Context(group=cast.group_a, by=cast.treasurer, cycle=cycle, key="one"),
                    household=cast.member,
                    shares={cast.bakery: 1},
                )
            Cycle.objects.filter(pk=cycle.pk).update(settled_at=timezone.now())
            page = client.get(reverse("solidarity_figures", args=[A])).content.decode()
            raise Rollback
    except Rollback:
        pass
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_one_household_helped_reads_exactly_as_none(cast: Cast, client_for) -> None:
    client = client_for(cast.member2)
    helped, nobody = _figures_in_world(cast, client, True), _figures_in_world(cast, client, False)
    assert "Cabas n° 5" in helped and "fewer than 3" in helped
    assert helped == nobody


def test_the_figures_page_is_for_members_only(cast: Cast, client_for) -> None:
    url = reverse("solidarity_figures", args=[A])
    assert client_for(cast.outsider).get(url).status_code == 403
    assert client_for(cast.member_b).get(url).status_code == 403
    assert client_for(cast.member).get(url).status_code == 200
    assert client_for(cast.member).post(url).status_code == 405
    assert client_for(None).get(url).status_code == 302


def test_the_members_figures_read_a_fixed_number_of_queries(
    cast: Cast, client_for, django_assert_max_num_queries
) -> None:
    history(cast, 2)
    client = client_for(cast.member)
    url = reverse("solidarity_figures", args=[A])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    history_more = [past_cycle(cast, 30 + n) for n in range(5)]
    Cycle.objects.filter(pk__in=[c.pk for c in history_more]).update(settled_at=timezone.now())
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)


# --- A coordinator's proposal -----------------------------------------------------------------


def test_a_coordinator_proposes_and_sees_only_that_it_was_received(cast: Cast, client_for) -> None:
    client = client_for(cast.coordinator)
    url = reverse("solidarity_propose", args=[A])
    manage = client.get(reverse("manage_cycles", args=[A])).content.decode()
    assert url in manage  # reached from the management pages
    assert client.get(url).status_code == 200
    response = client.post(url, {"household": cast.member2.pk, "why": "Seul avec trois enfants"}, follow=True)
    assert "Votre proposition est bien reçue" in response.content.decode()
    proposal = HelpRequest.objects.get()
    assert (proposal.household, proposal.proposed_by, proposal.situation) == (
        cast.member2,
        cast.coordinator,
        "Seul avec trois enfants",
    )
    committee = client_for(cast.treasurer)
    fund = committee.get(reverse("solidarity_fund", args=[A])).content.decode()
    assert "Seul avec trois enfants" in fund and "Proposé par Claire Coordinatrice" in fund
    decide = reverse("solidarity_decide", args=[A, cast.member2.pk])
    committee.post(decide, {"percent": "50", "cap": "30", "why": "vu en comité", "request": proposal.pk})
    proposal.refresh_from_db()
    assert proposal.status == HelpRequest.Status.GRANTED
    # The proposer sees nothing of it: their form again, no decision, no figure.
    page = client_for(cast.coordinator).get(url).content.decode()
    assert "vu en comité" not in page and "50 %" not in page and "Seul avec" not in page
    assert client_for(cast.coordinator).get(reverse("solidarity_fund", args=[A])).status_code == 403


def test_a_bad_proposal_changes_nothing_and_keeps_what_was_typed(cast: Cast, client_for) -> None:
    client = client_for(cast.coordinator)
    url = reverse("solidarity_propose", args=[A])
    page = client.post(url, {"household": cast.member_b.pk, "why": "Texte à garder"}).content.decode()
    assert "Choisissez un foyer du groupe." in page and "Texte à garder" in page
    page = client.post(url, {"household": "x", "why": "Texte"}).content.decode()
    assert "Choisissez un foyer du groupe." in page
    page = client.post(url, {"household": cast.member2.pk, "why": "  "}).content.decode()
    assert "Dites en quelques mots la situation." in page or 'role="alert"' in page
    assert not HelpRequest.objects.exists()


def test_only_coordinators_propose(cast: Cast, client_for) -> None:
    url = reverse("solidarity_propose", args=[A])
    for user in (cast.member, cast.producer_user, cast.coordinator_b):
        assert client_for(user).get(url).status_code == 403
        assert client_for(user).post(url, {"household": cast.member2.pk, "why": "x"}).status_code == 403
    assert client_for(cast.coordinator).put(url).status_code == 405
    assert not HelpRequest.objects.exists()


# --- The desk's row of the live view ------------------------------------------------------------


def test_the_live_view_shows_the_desks_till_to_the_committee_only(cast: Cast, client_for) -> None:
    from tests.day_fixtures import day_scene

    scene = day_scene(cast)
    cast.membership(cast.treasurer).__class__.objects.filter(pk=cast.membership(cast.treasurer).pk).update(
        is_coordinator=True
    )
    url = reverse("day_live", args=[A, scene.cycle.pk])
    coordinator = client_for(cast.coordinator).get(url).content.decode()
    assert "réservé aux trésoriers" in coordinator
    treasurer = client_for(cast.treasurer).get(url).content.decode()
    assert "réservé aux trésoriers" not in treasurer
    assert boards.FEW == 3


@pytest.mark.parametrize("household", ["\u0663", "9" * 5000, "-1", "", "1e309", "a\x00b", "//evil.example/"])
def test_a_hostile_proposal_is_refused_with_a_message(cast: Cast, client_for, household: str) -> None:
    response = client_for(cast.coordinator).post(
        reverse("solidarity_propose", args=[A]), {"household": household, "why": "x\x00" * 3000}
    )
    assert response.status_code == 200 and "Choisissez un foyer du groupe." in response.content.decode()
    assert not HelpRequest.objects.exists()


def test_a_very_long_reason_is_kept_to_its_limit(cast: Cast, client_for) -> None:
    client_for(cast.coordinator).post(
        reverse("solidarity_propose", args=[A]),
        {"household": cast.member2.pk, "why": "a\x00b" + "é" * 10_000},
    )
    situation = HelpRequest.objects.get().situation
    assert len(situation) == 4000 and situation.startswith("abé")
