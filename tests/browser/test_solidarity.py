"""The solidarity committee's journey in a browser: a coordinator proposes a household, the committee
reads its dashboard, finds the proposal among the requests and decides; the proposer learns nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cabas.ledger import services as ledger
from cabas.ledger.models import Account
from cabas.solidarity.models import HelpDecision, HelpRequest
from tests.browser.helpers import assert_accessible, tr
from tests.solidarity_fixtures import fill_fund

pytestmark = pytest.mark.browser


def message(page: Page):
    return page.locator("main .messages")


def test_the_committee_reads_its_dashboard_and_decides_on_a_proposal(page_as, cast) -> None:
    fill_fund(cast, 12_345)

    # Claire, a coordinator who is not on the committee, proposes Mehdi.
    coordinator = page_as(cast.coordinator, bypass_csp=True)
    coordinator.goto("/g/saint-orens/manage/cycles/")
    coordinator.get_by_role("link", name=tr("Propose a household for help")).click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(
        tr("Propose a household to the solidarity committee")
    )
    assert_accessible(coordinator, "proposal form")
    coordinator.get_by_label(tr("Household"), exact=True).select_option(label="Mehdi Member")
    coordinator.get_by_label(tr("Why you propose this household")).fill("Trois enfants, plus de revenus")
    coordinator.get_by_role("button", name=tr("Send to the committee")).click()
    expect(message(coordinator)).to_contain_text(tr("Your proposal is received by the solidarity committee."))
    assert HelpRequest.objects.get().proposed_by == cast.coordinator

    # Théo, the treasurer: the fund's page, its dashboard, then the proposal among the requests.
    committee = page_as(cast.treasurer, bypass_csp=True)
    committee.goto("/g/saint-orens/fund/")
    committee.get_by_role("link", name=tr("The fund's dashboard: its history in charts and tables")).click()
    expect(committee.get_by_role("heading", level=1)).to_have_text(tr("The fund's dashboard"))
    expect(committee.locator("#board-balance")).to_have_text("123,45\u00a0€")
    expect(committee.locator("#board-waiting")).to_contain_text("1")
    charts = committee.get_by_role("img")
    expect(charts).to_have_count(3)
    expect(charts.first).to_have_accessible_name(tr("The fund's balance over time"))
    expect(charts.first).to_have_accessible_description(re.compile("123,45"))
    expect(committee.get_by_role("table").first).to_contain_text("123,45\u00a0€")
    assert_accessible(committee, "fund dashboard")

    committee.get_by_role("link", name=tr("Solidarity fund")).first.click()
    request = committee.get_by_role("region", name="Mehdi Member")
    expect(request).to_contain_text("Proposé par Claire Coordinatrice")
    expect(request).to_contain_text("Trois enfants, plus de revenus")
    assert_accessible(committee, "fund page")
    request.get_by_label("50 %").check()
    request.get_by_label(tr("Cap per cycle (€)")).fill("40,00")
    request.get_by_label(tr("Why (kept in the committee's log)")).fill("Vu en comité")
    request.get_by_role("button", name=tr("Record the decision")).click()
    expect(message(committee)).to_contain_text(tr("Decision recorded; the household is told by e-mail."))
    decision = HelpDecision.objects.get()
    assert (decision.household, decision.percent, decision.cap_cents) == (cast.member2, 50, 4000)
    assert HelpRequest.objects.get().status == HelpRequest.Status.GRANTED
    assert ledger.balance(cast.group_a, Account.FUND) == 12_345  # a decision moves no money

    # Claire sees her form again, nothing of the decision; the committee's page stays closed to her.
    coordinator.goto("/g/saint-orens/fund/propose/")
    expect(coordinator.locator("main")).not_to_contain_text("Vu en comité")
    expect(coordinator.locator("main")).not_to_contain_text("50 %")
    response = coordinator.goto("/g/saint-orens/fund/")
    assert response is not None and response.status == 403
