"""Signing up for a shift on a phone: from the e-mailed link (no login) and from the basket page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from cabas.cycles import tasks as cycle_tasks
from cabas.shifts.models import Kind, Shift, Signup
from tests.browser.helpers import assert_accessible, tr, tr_text
from tests.browser.test_phone import MIN_TARGET_PX, PHONE, assert_no_sideways_scrolling
from tests.shift_fixtures import roster

pytestmark = pytest.mark.browser


def test_two_taps_from_the_emailed_link_on_a_phone(new_context, cast, live_server):
    shifts = roster(cast)
    cycle_tasks.send_opening.call(shifts.cycle.pk)
    (message,) = [m for m in mail.outbox if cast.member.email in m.to]
    links = re.findall(r"http\S+/shifts/s/\S+/", message.body)
    assert len(links) == 5  # one per shift, in time order: the last one is the tidy-up
    path = "/" + links[-1].split("//", 1)[1].split("/", 1)[1]

    page = new_context(bypass_csp=True, **PHONE).new_page()  # not logged in
    page.goto(path)  # tap 1: the link in the e-mail
    expect(page.locator("main h1")).to_have_text(tr("Sign up for a shift"))
    expect(page.locator("main")).to_contain_text("Marie Membre")
    assert_no_sideways_scrolling(page)
    assert_accessible(page, "the e-mailed link's page on a phone")
    confirm = page.get_by_role("button", name=tr("Yes, I'll come"))
    box = confirm.bounding_box()
    assert box is not None and box["height"] >= MIN_TARGET_PX
    confirm.tap()  # tap 2
    expect(page.get_by_role("status")).to_contain_text(tr("Thank you! You are signed up."))
    assert_accessible(page, "signed up from the e-mailed link")
    assert Signup.objects.active().filter(user=cast.member, shift__kind=Kind.TIDY).count() == 1
    assert Shift.objects.get(pk=shifts.tidy.pk).taken == 1


def test_signing_up_from_the_basket_page_on_a_phone(page_as, cast):
    shifts = roster(cast)
    page = page_as(cast.member, bypass_csp=True, **PHONE)
    page.goto(f"/g/saint-orens/cycles/{shifts.cycle.pk}/")
    notice = page.locator(".shift-notice")
    expect(notice).to_contain_text("Il manque 3 personnes pour l’installation")
    assert_no_sideways_scrolling(page)
    assert_accessible(page, "basket page with the shifts notice on a phone")
    button = notice.get_by_role(
        "button", name=tr_text('I\'ll come<span class="visually-hidden">: %(name)s</span>', name=tr("Set-up"))
    )
    box = button.bounding_box()
    assert box is not None and box["height"] >= MIN_TARGET_PX
    button.tap()
    expect(page.locator(".messages")).to_contain_text(tr("Set-up"))
    expect(notice).to_contain_text(tr("Thank you"))
    assert page.url.endswith("#shift-notice-title")
    assert_accessible(page, "basket page after signing up on a phone")
    assert Shift.objects.get(pk=shifts.setup.pk).taken == 1

    # The shifts page shows the household's place and lets them cancel.
    page.goto("/g/saint-orens/shifts/")
    assert_no_sideways_scrolling(page)
    assert_accessible(page, "shifts page on a phone")
    expect(page.locator(f"#shift-{shifts.setup.pk}")).to_contain_text(tr("You are signed up"))


def test_coordinator_staffs_a_shift_for_a_household_without_internet(page_as, cast):
    shifts = roster(cast)
    page = page_as(cast.coordinator, bypass_csp=True)
    page.goto(f"/g/saint-orens/manage/cycles/{shifts.cycle.pk}/shifts/")
    assert_accessible(page, "a cycle's shifts for coordinators")
    page.locator("#person-user").select_option(str(cast.beneficiary.pk))
    page.locator("#person-shift").select_option(str(shifts.desk.pk))
    page.locator("#add-person").get_by_role("button", name=tr("Add")).click()
    expect(page.locator(f"#shift-{shifts.desk.pk}")).to_contain_text("Bernadette")
    page.goto("/g/saint-orens/manage/shifts/")
    assert_accessible(page, "who helped how often")
