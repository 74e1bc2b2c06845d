"""The distribution day in a browser: a stand on a phone, the welcome desk, a member's day, the live view."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cabas.distribution import services
from cabas.distribution.models import Event, EventKind
from cabas.distribution.services import Action, Scope
from tests.browser.helpers import assert_accessible, tr
from tests.browser.test_phone import PHONE, assert_no_sideways_scrolling
from tests.day_fixtures import DayScene, day_scene

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(cast) -> DayScene:
    return day_scene(cast)


def message(page: Page):
    return page.locator("main .messages")


def test_a_stand_on_a_phone_finds_weighs_hands_over_and_takes_cash(page_as, scene: DayScene) -> None:
    page = page_as(scene.cast.producer_user2, bypass_csp=True, **PHONE)
    page.goto(f"/producers/bergerie/cycles/{scene.cycle.pk}/day/")
    assert_accessible(page, "stand on a phone")
    assert_no_sideways_scrolling(page)
    page.locator("#day-q").fill("2")
    page.locator("#day-q").press("Enter")
    expect(page.locator(".day-list li")).to_have_count(1)
    page.locator(".day-list a").filter(has_text="Marie Membre").tap()

    line = scene.line(scene.cast.member, scene.tomme)
    expect(page.locator(".day-due")).to_contain_text("17,93 €")
    assert_accessible(page, "a household at a stand, on a phone")
    assert_no_sideways_scrolling(page)
    page.locator(f"#weight-{line.pk}").fill("0,812")
    page.get_by_role("button", name=tr("Weigh")).tap()
    expect(message(page)).to_contain_text("0,812 kg, soit 19,41 €")
    expect(page.locator(".day-due")).to_contain_text("19,41 €")

    page.get_by_role("button", name=tr("All handed over")).tap()
    expect(message(page)).to_contain_text("Remis à Marie Membre : Tomme × 1.")

    expect(page.locator("#pay-amount")).to_have_value("19,41")
    page.locator("#pay-tendered").fill("20")
    page.get_by_role("button", name=tr("Record the payment")).tap()
    expect(message(page)).to_contain_text("Monnaie à rendre : 0,59 €")
    expect(page.locator(".day-due")).to_contain_text("0,00 €")
    assert Event.objects.filter(kind=EventKind.PAID, amount_cents=1941, method="cash").count() == 1

    page.get_by_role("link", name=tr("All households")).tap()
    expect(page.locator(".day-list li.served")).to_have_count(1)


def test_the_desk_finds_by_slip_number_marks_arrival_and_takes_the_whole_basket(
    page_as, scene: DayScene
) -> None:
    page = page_as(scene.cast.coordinator, bypass_csp=True)
    page.goto(f"/g/saint-orens/manage/cycles/{scene.cycle.pk}/day/desk/")
    assert_accessible(page, "welcome desk")
    page.locator("#day-q").fill("2")
    page.locator("#day-q").press("Enter")
    panel = page.locator("section.panel")
    expect(panel.locator("h2")).to_contain_text("Marie Membre")
    expect(panel.locator(".day-due")).to_contain_text("28,33 €")
    assert_accessible(page, "welcome desk, a household")

    page.get_by_role("button", name=tr("Mark as arrived")).click()
    expect(message(page)).to_contain_text("Marie Membre est arrivé·e.")
    expect(page.locator("#desk-amount")).to_have_value("28,33")
    page.get_by_label(tr("Card")).check()
    page.get_by_role("button", name=tr("Record the payment")).click()
    expect(message(page)).to_contain_text("Payé par Marie Membre à l’accueil : 28,33 €, carte.")
    expect(page.locator("section.panel .day-due")).to_contain_text("0,00 €")

    stand = page_as(scene.cast.producer_user)
    stand.goto(f"/producers/fournil/cycles/{scene.cycle.pk}/day/")
    expect(stand.locator(".day-list li").filter(has_text="Marie Membre")).to_contain_text("réglé à l’accueil")


def test_a_members_day_refreshes_by_itself(page_as, scene: DayScene) -> None:
    page = page_as(scene.cast.member, bypass_csp=True)
    page.goto(f"/g/saint-orens/cycles/{scene.cycle.pk}/day/")
    expect(page.locator(".day-due")).to_contain_text("28,33 €")
    assert_accessible(page, "a member's day")
    line = scene.line(scene.cast.member, scene.bread)
    action = Action(
        device="phone",
        action="x",
        kind=EventKind.HANDED,
        order_id=line.order_id,
        producer_id=scene.cast.bakery.pk,
        line_id=line.pk,
    )
    services.apply(
        cycle=scene.cycle,
        action=action,
        by=scene.cast.producer_user,
        scope=Scope(producer_id=scene.cast.bakery.pk),
    )
    # htmx asks again every 20 seconds: the handover appears without a reload.
    expect(page.locator(".day-lines li.served")).to_have_count(1, timeout=30_000)


def test_the_live_view_decides_on_a_basket_and_closes_the_day(page_as, scene: DayScene) -> None:
    page = page_as(scene.cast.coordinator, bypass_csp=True)
    page.goto(f"/g/saint-orens/manage/cycles/{scene.cycle.pk}/")
    page.get_by_role("link", name=tr("Distribution day: the live view")).click()
    assert_accessible(page, "live view of the day")
    order_id = scene.order_id(scene.cast.beneficiary)
    page.locator(f"#decision-{order_id}").select_option("kept")
    page.locator(f"#decision-note-{order_id}").fill("Passe lundi")
    page.locator(f"#decision-{order_id}").locator("xpath=..").get_by_role("button").click()
    expect(message(page)).to_contain_text("Panier de Bernadette Bénéficiaire : Gardé pour plus tard.")

    page.get_by_text(tr("Close the distribution"), exact=True).click()
    page.get_by_role("button", name=tr("Yes, close the distribution")).click()
    expect(page.locator("main .alert.info")).to_contain_text("lecture seule")
    expect(page.locator("form[data-day-action]")).to_have_count(0)
    scene.cycle.refresh_from_db()
    assert scene.cycle.distributed_at is not None
    assert_accessible(page, "live view, day closed")
