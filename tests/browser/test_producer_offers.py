"""A producer prepares their offer on a phone; the coordinator accepts it; statistics pages."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from cabas.accounts.models import Membership
from cabas.catalog.models import ProducerAccount
from cabas.cycles import proposals, services
from cabas.cycles.models import Cycle, ProducerOffer
from tests import scene
from tests.browser.helpers import assert_accessible, tr, tr_text
from tests.browser.test_phone import PHONE, assert_no_sideways_scrolling
from tests.test_statistics import history

pytestmark = pytest.mark.browser


def draft_cycle(cast) -> Cycle:
    from django.utils import timezone

    ProducerAccount.objects.create(producer=cast.bakery, user=cast.producer_user)
    scene.product(cast.bakery, "Pain", price_cents=450)
    scene.product(cast.bakery, "Brioche", price_cents=600)
    now = timezone.now()
    fields = {
        "name": "Cabas de juillet",
        "opens_at": now + timedelta(days=3),
        "closes_at": now + timedelta(days=10),
        "distribution_date": timezone.localdate(now) + timedelta(days=14),
        "distribution_start": time(17),
        "distribution_end": time(19),
        "distribution_place": "Salle des fêtes",
        "message": "",
    }
    draft = services.create_cycle(
        group=cast.group_a, fields=fields, producers=[cast.bakery], by=cast.coordinator
    )
    proposals.ask_producers(cycle=draft, by=cast.coordinator)
    return draft


def test_a_producer_prepares_their_offer_on_a_phone(page_as, cast):
    draft = draft_cycle(cast)
    page = page_as(cast.producer_user, bypass_csp=True, **PHONE)
    page.goto("/producers/fournil/")
    link = page.get_by_role("link", name=tr_text("My offer for %(name)s", name=draft.name))
    link.tap()
    expect(page.locator("main h1")).to_contain_text(draft.name)
    assert_no_sideways_scrolling(page)
    assert_accessible(page, "producer's offer on a phone")

    bread, brioche = draft.offers.get(name="Pain"), draft.offers.get(name="Brioche")
    page.locator(f"#id_price_{bread.pk}").fill("-2")
    page.get_by_role("button", name=tr("Send my offer")).tap()
    expect(page.locator(f"#id_price_{bread.pk}_error")).to_be_visible()  # refused, what was typed kept
    expect(page.locator(f"#id_price_{bread.pk}")).to_have_value("-2")
    assert not ProducerOffer.objects.get(cycle=draft).is_answered

    page.locator(f"#id_price_{bread.pk}").fill("4,80")
    page.locator(f"#id_quota_{bread.pk}").fill("30")
    page.locator(f"#id_available_{brioche.pk}").uncheck()
    page.locator("#id_note").fill("Pain au levain de seigle cette fois !")
    page.get_by_role("button", name=tr("Send my offer")).tap()
    expect(page.get_by_text(tr("Thank you: your offer has been sent to the coordinators."))).to_be_visible()
    assert_no_sideways_scrolling(page)

    coordinator = page_as(cast.coordinator, bypass_csp=True, **PHONE)
    coordinator.goto(f"/g/saint-orens/manage/cycles/{draft.pk}/producers/")
    assert_accessible(coordinator, "producers' offers")
    coordinator.get_by_role("link", name=tr("Review and accept") + " " + cast.bakery.name).tap()
    coordinator.get_by_role("button", name=tr("Accept this offer")).tap()
    expect(coordinator.locator("main")).to_contain_text(cast.bakery.name)
    bread.refresh_from_db()
    brioche.refresh_from_db()
    assert (bread.price_cents, bread.quota) == (480, 30_000)
    assert brioche.withdrawn_at is not None


def test_statistics_pages_on_a_phone(page_as, cast):
    from django.utils import timezone

    ProducerAccount.objects.create(producer=cast.bakery, user=cast.producer_user)
    Membership.objects.filter(group=cast.group_a).update(started_at=timezone.now() - timedelta(days=400))
    history(cast, 4)
    for user, url, charts in (
        (cast.coordinator, "/g/saint-orens/manage/statistics/", 5),
        (cast.member, "/g/saint-orens/statistics/", 2),
        (cast.producer_user, "/producers/fournil/statistics/", 2),
    ):
        page = page_as(user, bypass_csp=True, **PHONE)
        page.goto(url)
        expect(page.locator("svg.chart")).to_have_count(charts)
        expect(page.locator("svg.chart title").first).to_be_attached()
        assert_no_sideways_scrolling(page)
        assert_accessible(page, f"statistics {url}")
