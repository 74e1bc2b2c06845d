"""People's data in the browser: the coordinator reads the group's journal, a member downloads
their data and reads the privacy page."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from cabas.accounts import services as accounts
from cabas.accounts.models import Role
from tests import scene
from tests.browser.helpers import assert_accessible, tr

pytestmark = pytest.mark.browser


def test_the_coordinator_reads_the_journal(page_as, cast):
    made = scene.cycle(cast.group_a, name="Cabas de juin")
    accounts.set_roles(
        membership=cast.membership(cast.member), roles=[Role.MEMBER, Role.TREASURER], by=cast.coordinator
    )
    page = page_as(cast.coordinator, bypass_csp=True)
    page.goto("/g/saint-orens/manage/members/")
    page.get_by_role("navigation", name=tr("Group management")).get_by_role(
        "link", name=tr("Journal")
    ).click()
    expect(page.locator("main h1")).to_have_text(tr("Journal"))
    table = page.locator("table.journal")
    expect(table).to_contain_text(tr("Roles changed"))
    expect(table).to_contain_text("Marie Membre")
    expect(table).to_contain_text(tr("Cycle created"))
    assert_accessible(page, "the journal")

    page.locator("#id_kind").select_option("members")
    page.get_by_role("button", name=tr("Filter")).click()
    expect(table).to_contain_text(tr("Roles changed"))
    expect(table).not_to_contain_text(tr("Cycle created"))
    page.locator("#id_kind").select_option("")
    page.locator("#id_cycle").select_option(str(made.pk))
    page.get_by_role("button", name=tr("Filter")).click()
    expect(table).to_contain_text(tr("Cycle created"))
    expect(table).not_to_contain_text(tr("Roles changed"))

    page.locator("#id_since").fill("2026-06-02")
    page.locator("#id_until").fill("2026-06-01")
    page.get_by_role("button", name=tr("Filter")).click()
    expect(page.locator("#id_until_error")).to_contain_text(
        tr("The end date must not be before the start date.")
    )
    assert_accessible(page, "the journal with a filter error")


def test_a_member_downloads_their_data_and_reads_the_privacy_page(page_as, cast):
    page = page_as(cast.member, bypass_csp=True)
    page.goto("/g/saint-orens/")
    page.get_by_role("link", name=tr("Privacy: what the group does with your data")).click()
    expect(page.locator("main")).to_contain_text("Cabas de Saint-Orens")
    assert_accessible(page, "the privacy page")
    page.get_by_role("link", name=tr("Download my data or delete my account")).click()
    expect(page.locator("main h1")).to_have_text(tr("My account"))
    assert_accessible(page, "my account with the data export")
    with page.expect_download() as download:
        page.get_by_role("button", name=tr("Download my data")).click()
    assert download.value.suggested_filename.startswith("cabas-my-data-")
    with zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read())) as archive:
        profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == "marie@example.org"


def test_the_coordinator_edits_the_privacy_page(page_as, cast):
    page = page_as(cast.coordinator, bypass_csp=True)
    page.goto("/g/saint-orens/manage/privacy/")
    assert_accessible(page, "editing the privacy page")
    page.locator("#id_text").fill("")
    page.get_by_role("button", name=tr("Save")).click()
    expect(page.locator("#id_text_error")).to_be_visible()
    page.locator("#id_text").fill("Nos données restent chez nous.")
    page.get_by_role("button", name=tr("Save")).click()
    expect(page.locator("main .prose")).to_have_text("Nos données restent chez nous.")
