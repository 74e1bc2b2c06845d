"""The distribution day with the network cut: the queue in IndexedDB, the service worker, the sync.

A stand records its actions offline, reloads offline, comes back online, and every
action lands exactly once; a cut in the middle of a sync duplicates nothing; the desk
takes a whole basket's payment offline. The database says what landed: the journal's
events (one per (device, action)) and the ledger's entries (one per event that moves money).
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, Route, expect

from cabas.distribution.models import Event, EventKind
from cabas.ledger.models import Entry
from tests.browser.helpers import assert_accessible, tr
from tests.browser.test_phone import PHONE, assert_no_sideways_scrolling
from tests.day_fixtures import DayScene, day_scene

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(cast) -> DayScene:
    return day_scene(cast)


def status(page: Page):
    return page.locator("#day-status")


def waiting(n: int) -> str:
    return (
        tr("offline — 1 action waiting") if n == 1 else tr("offline — N actions waiting").replace("N", str(n))
    )


def wait_for_kept_pages(page: Page, paths: list[str]) -> None:
    """Wait until the service worker controls the page and has kept ``paths`` for offline use."""
    script = """async (paths) => {
        if (!navigator.serviceWorker.controller) return false;
        for (const path of paths) if (!(await caches.match(new URL(path, location.href).href))) return false;
        return true;
    }"""
    deadline = time.monotonic() + 10
    while not page.evaluate(script, paths):
        assert time.monotonic() < deadline, f"the service worker did not keep {paths}"
        page.wait_for_timeout(100)


def assert_ledger_once(scene: DayScene) -> None:
    """Every event that moved money has its own entry, and the ledger holds no other day entry."""
    entries = list(
        Event.objects.filter(cycle=scene.cycle, entry__isnull=False).values_list("entry", flat=True)
    )
    assert len(entries) == len(set(entries))
    assert Entry.objects.filter(cycle=scene.cycle, source__startswith="event").count() in (0, len(entries))


def test_a_stand_records_20_actions_offline_reloads_offline_and_each_lands_once(
    page_as, scene: DayScene
) -> None:
    page = page_as(scene.cast.producer_user2, **PHONE)
    context = page.context
    stand = f"/producers/bergerie/cycles/{scene.cycle.pk}/day/"
    page.goto(stand)
    expect(status(page)).to_have_text(tr("up to date"))
    marie, mehdi, bernadette = (
        scene.order_id(m) for m in (scene.cast.member, scene.cast.member2, scene.cast.beneficiary)
    )
    wait_for_kept_pages(page, [stand] + [f"{stand}{order}/" for order in (marie, mehdi, bernadette)])

    context.set_offline(True)
    expect(status(page)).to_have_text(tr("offline — nothing waiting"))
    recorded = 0

    def act(button: str, n: int = 1) -> None:
        nonlocal recorded
        page.get_by_role("button", name=button, exact=True).first.tap()
        recorded += n
        expect(status(page)).to_have_text(waiting(recorded))

    def weigh(line_id: int, kg: str) -> None:
        page.locator(f"#weight-{line_id}").fill(kg)
        act(tr("Weigh"))

    # Marie: the tomme weighed (the scale read again four times), handed over, paid in cash.
    page.locator(".day-list a").filter(has_text="Marie Membre").tap()
    tomme = scene.line(scene.cast.member, scene.tomme)
    for kg in ("0,800", "0,805", "0,810", "0,811", "0,812"):
        weigh(tomme.pk, kg)
    act(tr("All handed over"))
    expect(page.locator(f"[data-day-line='{tomme.pk}']")).to_have_class("served")
    expect(page.locator("[data-day-left]")).to_contain_text("19,41")  # 0,812 kg × 23,90 €/kg
    page.locator("#pay-amount").fill("19,41")
    act(tr("Record the payment"))
    expect(page.locator("[data-day-left]")).to_contain_text("0,00")

    # Reload offline: the service worker serves the page, the queue is still there.
    page.reload()
    expect(status(page)).to_have_text(waiting(recorded))
    expect(page.locator(f"[data-day-line='{tomme.pk}']")).to_have_class("served")
    expect(page.locator("[data-day-left]")).to_contain_text("0,00")

    # Mehdi: yoghurts, one not delivered, the rest handed over, paid by card.
    page.get_by_role("link", name=tr("All households")).tap()
    page.locator(".day-list a").filter(has_text="Mehdi").tap()
    yoghurt = scene.line(scene.cast.member2, scene.yoghurt)
    page.locator(f"[data-day-line='{yoghurt.pk}'] summary").tap()
    page.locator(f"#short-{yoghurt.pk}").fill("1")
    page.locator(f"#reason-{yoghurt.pk}").select_option(index=1)
    act(tr("Record what was not delivered"))
    act(tr("All handed over"))
    page.locator("#pay-amount").fill("4,75")
    page.get_by_label(tr("Card")).check()
    act(tr("Record the payment"))

    # Bernadette: two tommes weighed (read again), everything handed over at once, a cheque.
    page.get_by_role("link", name=tr("All households")).tap()
    page.locator(".day-list a").filter(has_text="Bernadette").tap()
    tomme2 = scene.line(scene.cast.beneficiary, scene.tomme)
    for kg in ("1,500", "1,505", "1,510", "1,512", "1,515", "1,520", "1,521"):
        weigh(tomme2.pk, kg)
    act(tr("All handed over"), n=2)
    page.locator("#pay-amount").fill("40,15")
    page.get_by_label(tr("Cheque"), exact=True).check()
    page.locator("#pay-number").fill("0012345")
    act(tr("Record the payment"))
    assert recorded == 20

    page.reload()
    expect(status(page)).to_have_text(waiting(20))
    assert not Event.objects.filter(cycle=scene.cycle).exists()

    context.set_offline(False)
    expect(status(page)).to_have_text(tr("up to date"))
    events = Event.objects.filter(cycle=scene.cycle)
    assert events.count() == 20
    assert events.values("device", "action").distinct().count() == 20
    assert events.filter(kind=EventKind.WEIGHED).count() == 12
    assert events.filter(kind=EventKind.HANDED).count() == 4
    assert events.filter(kind=EventKind.PAID).count() == 3
    assert not events.filter(conflict=True).exists()
    tomme.refresh_from_db()
    assert tomme.total_cents == 1941
    assert_ledger_once(scene)
    # The stand's list, online again, agrees.
    page.goto(stand)
    expect(page.locator(".day-list li.served")).to_have_count(3)


def test_a_sync_cut_in_the_middle_duplicates_nothing(page_as, scene: DayScene) -> None:
    page = page_as(scene.cast.producer_user2)
    context = page.context
    marie = scene.order_id(scene.cast.member)
    panel = f"/producers/bergerie/cycles/{scene.cycle.pk}/day/{marie}/"
    page.goto(panel)
    expect(status(page)).to_have_text(tr("up to date"))
    tomme = scene.line(scene.cast.member, scene.tomme)

    context.set_offline(True)
    page.locator(f"#weight-{tomme.pk}").fill("0,812")
    page.get_by_role("button", name=tr("Weigh")).click()
    page.get_by_role("button", name=tr("All handed over")).click()
    page.locator("#pay-amount").fill("19,41")
    page.get_by_role("button", name=tr("Record the payment")).click()
    expect(status(page)).to_have_text(waiting(3))

    # The first sync reaches the server, which applies the batch, and the answer is lost.
    cuts: list[str] = []

    def cut_once(route: Route) -> None:
        if cuts:
            route.continue_()
            return
        route.fetch()  # the server applies the whole batch...
        cuts.append(route.request.post_data or "")
        route.abort("connectionreset")  # ...and the device never hears back

    page.route("**/day/sync/", cut_once)
    context.set_offline(False)
    expect(status(page)).to_have_text(tr("up to date"), timeout=30_000)
    assert cuts, "the sync was not cut"
    events = Event.objects.filter(cycle=scene.cycle)
    assert events.count() == 3
    assert events.filter(kind=EventKind.PAID, amount_cents=1941).count() == 1
    assert_ledger_once(scene)


def test_the_desk_takes_a_whole_basket_offline_and_it_lands_once(page_as, scene: DayScene) -> None:
    page = page_as(scene.cast.coordinator)
    context = page.context
    marie = scene.order_id(scene.cast.member)
    desk = f"/g/saint-orens/manage/cycles/{scene.cycle.pk}/day/desk/?order={marie}"
    page.goto(desk)
    expect(status(page)).to_have_text(tr("up to date"))
    wait_for_kept_pages(page, [desk])

    context.set_offline(True)
    page.reload()
    expect(status(page)).to_have_text(tr("offline — nothing waiting"))
    page.get_by_role("button", name=tr("Mark as arrived")).click()
    expect(page.locator("#desk-amount")).to_have_value("28,33")
    page.get_by_label(tr("Card")).check()
    page.locator("#desk-amount").fill("28,33")
    page.get_by_role("button", name=tr("Record the payment")).click()
    expect(status(page)).to_have_text(waiting(2))
    expect(page.locator("[data-day-left]")).to_contain_text("0,00")

    context.set_offline(False)
    expect(status(page)).to_have_text(tr("up to date"))
    assert Event.objects.filter(cycle=scene.cycle, kind=EventKind.DESK_PAID, amount_cents=2833).count() == 1
    assert Event.objects.filter(cycle=scene.cycle, kind=EventKind.ARRIVED).count() == 1
    assert_ledger_once(scene)


def test_a_refusal_is_shown_next_to_the_household_never_dropped(page_as, scene: DayScene) -> None:
    page = page_as(scene.cast.producer_user2)
    mehdi = scene.order_id(scene.cast.member2)
    page.goto(f"/producers/bergerie/cycles/{scene.cycle.pk}/day/{mehdi}/")
    expect(status(page)).to_have_text(tr("up to date"))
    yoghurt = scene.line(scene.cast.member2, scene.yoghurt)

    page.context.set_offline(True)
    page.locator(f"[data-day-line='{yoghurt.pk}'] summary").click()
    page.locator(f"#short-{yoghurt.pk}").fill("99")  # more than ordered: the server refuses it
    page.locator(f"#reason-{yoghurt.pk}").select_option(index=1)
    page.get_by_role("button", name=tr("Record what was not delivered")).click()
    expect(status(page)).to_have_text(waiting(1))
    page.context.set_offline(False)
    notice = page.locator(".day-notices li")
    expect(notice).to_contain_text(tr("Not recorded:"))
    expect(notice).to_contain_text(
        tr("The quantity not delivered must be more than zero and at most what was ordered.")
    )
    expect(status(page)).to_have_text(tr("up to date"))
    page.reload()
    expect(notice).to_have_count(1)
    notice.get_by_role("button", name=tr("Seen")).click()
    expect(notice).to_have_count(0)


def test_the_stand_with_its_status_line_is_accessible_on_a_phone(page_as, scene: DayScene) -> None:
    page = page_as(scene.cast.producer_user2, bypass_csp=True, **PHONE)
    marie = scene.order_id(scene.cast.member)
    page.goto(f"/producers/bergerie/cycles/{scene.cycle.pk}/day/{marie}/")
    expect(status(page)).to_have_text(tr("up to date"))
    page.context.set_offline(True)
    page.get_by_role("button", name=tr("All handed over")).tap()
    expect(status(page)).to_have_text(waiting(1))
    assert_accessible(page, "a household at a stand, offline, with the status line")
    assert_no_sideways_scrolling(page)
    page.context.set_offline(False)
    expect(status(page)).to_have_text(tr("up to date"))
    page.goto(f"/producers/bergerie/cycles/{scene.cycle.pk}/day/")
    assert_accessible(page, "a stand's list with the status line")
