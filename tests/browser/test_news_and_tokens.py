"""A coordinator posts an announcement that members see on their home page; a member creates an
API token on their profile page, a script reads their baskets with it, and they revoke it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cabas.announcements.models import Announcement
from cabas.api.models import ApiToken, Scope
from tests import scene
from tests.browser.helpers import assert_accessible, emails_to, tr, tr_text

pytestmark = pytest.mark.browser
A = "saint-orens"


def test_a_coordinator_posts_news_and_a_member_reads_it(page_as, cast) -> None:
    cast.member2.wants_announcements = False
    cast.member2.save()
    page = page_as(cast.coordinator, bypass_csp=True)
    page.goto(f"/g/{A}/")
    page.get_by_role("link", name=tr("Post an announcement")).click()
    expect(page.locator("main h1")).to_have_text(tr("Post an announcement"))
    assert_accessible(page, "the announcement form")
    page.locator("#id_title").fill("Visite de la ferme")
    page.locator("#id_body").fill("Samedi à 10 h, covoiturage depuis la salle des fêtes.")
    page.locator("#id_send_email").check()
    page.get_by_role("button", name=tr("Publish")).click()
    expect(page.locator(".messages")).to_contain_text(
        tr("The announcement is published; the e-mails are on their way.")
    )
    expect(page.locator("main article h2")).to_have_text("Visite de la ferme")
    assert_accessible(page, "the group's news")
    assert Announcement.objects.get().emailed_at is not None
    assert emails_to("marie@example.org") and not emails_to("mehdi@example.org")

    member = page_as(cast.member, bypass_csp=True)
    member.goto("/")
    news = member.get_by_role("region", name=tr("News of my groups"))
    expect(news).to_contain_text("Visite de la ferme")
    expect(news).to_contain_text("covoiturage")
    assert_accessible(member, "the member's home page with the news")
    news.get_by_role("link", name=tr_text("Every announcement of %(group)s", group=cast.group_a.name)).click()
    expect(member.locator("main article h2")).to_have_text("Visite de la ferme")
    # Members read; only coordinators correct or delete.
    expect(
        member.get_by_role("button", name=tr_text("Delete « %(title)s »", title="Visite de la ferme"))
    ).to_have_count(0)


def test_a_member_creates_a_token_a_script_reads_with_it_and_it_is_revoked(
    page_as, cast, live_server
) -> None:
    shop = scene.shop(cast)
    scene.basket(shop.cycle, cast.member, {shop.bread: 2000})
    page = page_as(cast.member, bypass_csp=True)
    page.goto("/account/")
    tokens = page.get_by_role("region", name=tr("API tokens"))
    assert_accessible(page, "the profile page with its tokens")
    tokens.locator("#id_name").fill("Mon tableur")
    tokens.get_by_label(tr("Read, and change my baskets")).check()
    tokens.get_by_role("button", name=tr("Create a token")).click()
    expect(page.locator("main h1")).to_have_text(tr("Your new API token"))
    assert_accessible(page, "the new token, shown once")
    secret = page.locator("#token-secret").input_value()
    assert secret.startswith("cabas_")
    assert ApiToken.objects.get(user=cast.member).scope == Scope.BASKET

    # A script reads the baskets with it, and nothing more.
    script = page.context.request
    url = f"{live_server.url}/api/v1/me/baskets"
    answer = script.get(url, headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200
    assert answer.json()["items"][0]["total_cents"] == 1040
    assert (
        script.get(
            f"{live_server.url}/api/v1/groups/{A}/manage/cycles",
            headers={"Authorization": f"Bearer {secret}"},
        ).status
        == 403
    )

    # Reloading shows it no more; the profile lists it by name, then it is revoked.
    page.reload()
    expect(page.locator("main h1")).to_have_text(tr("My account"))
    row = page.get_by_role("row").filter(has_text="Mon tableur")
    expect(row).to_contain_text(tr("Read, and change my baskets"))
    row.get_by_role("button", name=tr_text("Revoke the token « %(name)s »", name="Mon tableur")).click()
    expect(page.locator(".messages")).to_contain_text(
        tr_text("The token « %(name)s » is revoked: it no longer works.", name="Mon tableur")
    )
    assert script.get(url, headers={"Authorization": f"Bearer {secret}"}).status == 401


def test_the_api_docs_page_works_under_the_sites_policy(page) -> None:
    """Served from the app's own static files: no CDN, no violation of the Content-Security-Policy."""
    page.goto("/api/v1/docs")
    expect(page.locator("#swagger-ui")).to_contain_text("Cabas API")
    expect(page.locator("#swagger-ui")).to_contain_text("/api/v1/me/baskets")
