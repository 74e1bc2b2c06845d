"""Whole journeys through the real browser: sign-up, login by code, joining a group, language."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from playwright.sync_api import expect

from cabas.accounts.models import JoinRequest, Membership, User
from tests.browser.helpers import (
    code_from_outbox,
    emails_to,
    html_lang,
    log_in_with_password,
    logout_button,
    tr,
)
from tests.cast import PASSWORD

pytestmark = pytest.mark.browser

HOME = re.compile(r"^https?://[^/]+/$")


def test_sign_up_then_verify_the_email_address_by_code(page, cast):
    page.goto("/")
    page.locator("header").get_by_role("link", name=tr("Sign up")).click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    page.locator("#id_email").fill("nadia@example.org")
    page.locator("#id_full_name").fill("  Nadia   Nouvelle ")
    page.locator("#id_password1").fill("Courgettes-et-potirons-42")
    page.locator("#id_password2").fill("Courgettes-et-potirons-42")
    page.get_by_role("button", name="Création de compte").click()

    # Allauth asks for the code it has just e-mailed; nobody is logged in yet.
    code_field = page.locator("#id_code")
    expect(code_field).to_be_visible()
    expect(logout_button(page)).to_have_count(0)
    code_field.fill(code_from_outbox("nadia@example.org"))
    page.get_by_role("button", name="Confirmer").click()

    expect(logout_button(page)).to_be_visible()
    expect(page).to_have_url(HOME)
    user = User.objects.get(email="nadia@example.org")
    assert user.full_name == "Nadia Nouvelle"
    assert user.language == "fr"  # signed up in French
    assert EmailAddress.objects.get(user=user).verified

    page.locator("header").get_by_role("link", name=tr("My account")).click()
    expect(page.locator("#id_full_name")).to_have_value("Nadia Nouvelle")


def test_login_by_code_sent_by_email(page, cast):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Envoyez-moi un code de connexion").click()
    page.locator("#id_email").fill("marie@example.org")
    page.get_by_role("button", name="Demander un code").click()

    code_field = page.locator("#id_code")
    expect(code_field).to_be_visible()
    code_field.fill(code_from_outbox("marie@example.org"))
    page.get_by_role("button", name="Confirmer").click()

    expect(logout_button(page)).to_be_visible()
    # Marie lands on the home page and finds her group among "her" groups.
    expect(page.locator("section[aria-labelledby=mine] a[href='/g/saint-orens/']")).to_be_visible()


def test_outsider_asks_to_join_and_the_coordinator_approves(new_context, cast):
    # Olivier, who is in no group, asks to join Saint-Orens (approval needed).
    olivier = new_context().new_page()
    log_in_with_password(olivier, "olivier@example.org", PASSWORD)
    olivier.goto("/g/saint-orens/")
    olivier.get_by_role("link", name=tr("Join this group")).click()
    olivier.locator("#id_message").fill("Bonjour, j'habite à Saint-Orens et je voudrais vous rejoindre.")
    olivier.get_by_role("button", name=tr("Send my request")).click()
    expect(olivier).to_have_url(re.compile(r"/g/saint-orens/$"))
    expect(olivier.locator(".messages")).to_contain_text(
        tr("Your request has been sent. A coordinator will answer you by e-mail.")
    )
    expect(olivier.get_by_role("button", name=tr("Withdraw my request"))).to_be_visible()
    join_request = JoinRequest.objects.get(user=cast.outsider, group=cast.group_a)
    assert join_request.status == JoinRequest.Status.PENDING
    assert emails_to("claire@example.org"), "the coordinator should be told about the request"

    # Claire, the coordinator, finds the request from the management pages and approves it.
    claire = new_context().new_page()
    log_in_with_password(claire, "claire@example.org", PASSWORD)
    claire.goto("/g/saint-orens/")
    claire.get_by_role("link", name=tr("Manage the group")).click()
    management = claire.get_by_role("navigation", name=tr("Group management"))
    management.get_by_role("link", name=tr("Join requests")).click()  # "Demandes d'adhésion"
    expect(claire.locator("main h1")).to_have_text(tr("Join requests"))
    card = claire.locator(f"#request-{join_request.pk}")
    expect(card).to_contain_text("Olivier Extérieur")
    expect(card.locator("blockquote")).to_contain_text("j'habite à Saint-Orens")
    mail.outbox.clear()
    card.get_by_role("button", name=tr("Approve %(name)s") % {"name": "Olivier Extérieur"}).click()

    expect(claire.locator(".messages")).to_contain_text("Olivier Extérieur")
    expect(claire.locator(f"#request-{join_request.pk}")).to_have_count(0)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED
    assert join_request.decided_by == cast.coordinator
    assert Membership.objects.current().filter(user=cast.outsider, group=cast.group_a).exists()

    approval = emails_to("olivier@example.org")
    assert len(approval) == 1
    assert "Cabas de Saint-Orens" in approval[0].subject
    assert "/g/saint-orens/" in approval[0].body

    # Olivier now appears in the coordinator's member list, and sees himself as a member.
    management.get_by_role("link", name=tr("Members"), exact=True).click()
    expect(claire.locator("#member-results")).to_contain_text("Olivier Extérieur")
    olivier.goto("/g/saint-orens/")
    expect(olivier.get_by_role("link", name=tr("Members of the group"))).to_be_visible()
    expect(olivier.get_by_role("link", name=tr("Join this group"))).to_have_count(0)


def test_language_switch_for_a_visitor(page, cast):
    page.goto("/accounts/login/")
    assert html_lang(page) == "fr"
    expect(page.locator("main h1")).to_have_text("Connexion")
    expect(page.locator("header nav a[href='/']")).to_have_text(tr("Groups", "fr"))

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))  # back on the same page
    expect(page.locator("main h1")).to_have_text("Sign In")
    expect(page.locator("header nav a[href='/']")).to_have_text(tr("Groups", "en"))
    expect(page.get_by_role("button", name="Français")).to_be_visible()

    # The choice sticks on the next page.
    page.locator("main a[href='/accounts/signup/']").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Sign Up")
    expect(page.locator("label[for=id_full_name]")).to_contain_text(tr("Full name", "en"))


def test_language_switch_is_saved_to_the_profile(new_context, page_as, cast):
    page = page_as(cast.member)
    page.goto("/account/")
    assert html_lang(page) == "fr"
    expect(page.locator("#id_language")).to_have_value("fr")

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.locator("#id_language")).to_have_value("en")
    cast.member.refresh_from_db()
    assert cast.member.language == "en"

    # Another browser, French-speaking and without the language cookie: the profile wins
    # once Marie logs in.
    other = new_context().new_page()
    other.goto("/accounts/login/")
    assert html_lang(other) == "fr"
    log_in_with_password(other, "marie@example.org", PASSWORD)
    other.goto("/g/saint-orens/")
    expect(other.locator("html")).to_have_attribute("lang", "en")
