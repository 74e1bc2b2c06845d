"""axe-core scans (WCAG 2.1 A and AA) of the main pages, for the person who sees each of them.

One test per person scans all their pages and reports every page's violations at
once (one browser context and one cast per test keeps the suite fast).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cabas.accounts import services
from cabas.announcements import services as announcements
from tests.browser.helpers import assert_accessible, blocking_violations
from tests.cast import person

pytestmark = pytest.mark.browser

# Who looks (a member of the cast; None is an anonymous visitor) -> the pages they see.
PAGES: dict[str | None, list[str]] = {
    None: ["/", "/g/saint-orens/", "/accounts/login/", "/accounts/signup/", "/accounts/login/code/"],
    "outsider": ["/", "/g/saint-orens/", "/g/saint-orens/join/", "/account/"],
    "member": [
        "/",
        "/g/saint-orens/",
        "/g/saint-orens/members/",
        "/g/saint-orens/news/",
        "/account/",
        "/account/tokens/new/",
    ],
    "coordinator": [
        "/g/saint-orens/",
        "/g/saint-orens/manage/members/",
        "/g/saint-orens/manage/members/add/",
        "/g/saint-orens/manage/members/{member_pk}/",
        "/g/saint-orens/manage/requests/",
        "/g/saint-orens/manage/settings/",
        "/g/saint-orens/news/",
        "/g/saint-orens/manage/news/new/",
        "/g/saint-orens/manage/news/{announcement_pk}/",
        "/account/",
    ],
}


def _with_join_requests(cast) -> None:
    """One request waiting and one already refused, so the requests page shows both parts."""
    nina = person("nina@example.org", "Nina Nouvelle")
    services.request_to_join(group=cast.group_a, user=nina, message="Bonjour !\nJe suis voisine.")
    refused = services.request_to_join(group=cast.group_a, user=cast.member_b, message="")
    services.refuse_join_request(join_request=refused, by=cast.coordinator, reason="Groupe complet.")


@pytest.mark.parametrize("who", list(PAGES), ids=lambda who: who or "anonymous")
def test_main_pages_have_no_serious_accessibility_violation(page_as, cast, who):
    _with_join_requests(cast)
    news = announcements.post(
        group=cast.group_a,
        by=cast.coordinator,
        title="Assemblée générale",
        body="Le 14 à 19 h.",
        send_email=False,
    )
    page = page_as(getattr(cast, who) if who else None, bypass_csp=True)
    reports = []
    for template in PAGES[who]:
        path = template.format(member_pk=cast.membership(cast.member).pk, announcement_pk=news.pk)
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, f"{path} answered {response.status}"
        reports.append(blocking_violations(page, f"{path} seen by {who or 'an anonymous visitor'}"))
    problems = [report for report in reports if report]
    assert not problems, "\n\n".join(problems)


def test_form_sent_back_with_errors_is_accessible(page_as, cast):
    """A form sent back with errors: the moment people most need help."""
    page = page_as(cast.coordinator, bypass_csp=True)
    page.goto("/g/saint-orens/manage/settings/")
    page.locator("#id_name").fill("A")
    page.locator("#id_contact_phone").fill("pas un numéro")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .alert.error")).to_be_visible()
    assert_accessible(page, "group settings with errors")


def test_login_code_entry_is_accessible(new_context, cast):
    """The page where the e-mailed code is typed in, with allauth's message above it."""
    page = new_context(bypass_csp=True).new_page()
    page.goto("/accounts/login/code/")
    page.locator("#id_email").fill("marie@example.org")
    page.get_by_role("button", name="Demander un code").click()
    expect(page.locator("#id_code")).to_be_visible()
    assert_accessible(page, "login code entry")
