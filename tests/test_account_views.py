"""Sign-up, profile, language, account deletion."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cabas.accounts.models import JoinRequest, Membership, User
from tests.cast import PASSWORD, Cast


@pytest.mark.django_db
def test_signup_needs_a_name_and_confirms_the_email_by_code(client: Client) -> None:
    data = {"email": "Nina@Example.org", "full_name": "", "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 200
    assert not User.objects.exists()
    response = client.post(reverse("account_signup"), {**data, "full_name": "Nina Nouvelle"})
    assert response.status_code == 302
    user = User.objects.get()
    assert (user.email, user.full_name, user.language) == ("nina@example.org", "Nina Nouvelle", "fr")
    assert not EmailAddress.objects.get(user=user).verified
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.MULTILINE)
    assert code, mail.outbox[-1].body
    client.post(response.url, {"code": code.group(1)})
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(reverse("profile")).status_code == 200  # logged in


@pytest.mark.django_db
def test_signup_in_english_keeps_english(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(
        reverse("account_signup"),
        {"email": "sam@example.org", "full_name": "Sam", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert User.objects.get().language == "en"


def test_password_login_and_unverified_refusal(cast: Cast, client: Client) -> None:
    response = client.post(reverse("account_login"), {"login": "MARIE@example.org", "password": PASSWORD})
    assert response.status_code == 302
    client.logout()
    response = client.post(reverse("account_login"), {"login": "marie@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert "L’adresse e-mail ou le mot de passe sont incorrects." in response.text


def _login(client: Client, password: str, address: str):
    data = {"login": "marie@example.org", "password": password}
    return client.post(reverse("account_login"), data, REMOTE_ADDR=address)


def test_password_guesses_are_throttled_per_account_and_address(cast: Cast) -> None:
    """After 5 wrong passwords from one address, that address is refused (429) for the
    account, even with the right password, and told how to go on."""
    stranger = Client()
    for attempt in range(5):
        assert _login(stranger, f"bad{attempt}", "203.0.113.7").status_code == 200
    response = _login(stranger, PASSWORD, "203.0.113.7")
    assert response.status_code == 429
    assert "Trop de mots de passe erronés" in response.text
    assert reverse("account_request_login_code") in response.text  # the way forward
    assert "_auth_user_id" not in stranger.session


def test_a_stranger_cannot_lock_the_owner_out(cast: Cast) -> None:
    stranger = Client()
    for attempt in range(6):
        _login(stranger, f"bad{attempt}", "203.0.113.7")
    assert _login(stranger, f"bad{attempt}", "203.0.113.7").status_code == 429

    owner = Client()
    response = _login(owner, PASSWORD, "198.51.100.20")
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(cast.member.pk)


def test_login_by_code_works_while_passwords_are_throttled(cast: Cast) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for attempt in range(6):
        _login(client, f"bad{attempt}", "203.0.113.7")
    assert _login(client, PASSWORD, "203.0.113.7").status_code == 429
    mail.outbox.clear()
    response = client.post(reverse("account_request_login_code"), {"email": "marie@example.org"})
    assert response.status_code == 302
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.MULTILINE)
    assert code, mail.outbox[-1].body
    client.post(response.url, {"code": code.group(1)})
    assert client.session["_auth_user_id"] == str(cast.member.pk)


class TestProfile:
    def test_update(self, cast: Cast, client_for) -> None:
        client = client_for(cast.member)
        response = client.post(
            reverse("profile"), {"full_name": "Marie  Dupont", "phone": "06 12 34 56 78", "language": "en"}
        )
        assert response.status_code == 302
        cast.member.refresh_from_db()
        assert (cast.member.full_name, cast.member.phone, cast.member.language) == (
            "Marie Dupont",
            "06 12 34 56 78",
            "en",
        )
        assert "My account" in client.get(reverse("profile")).text

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"full_name": "", "phone": "", "language": "fr"}, "obligatoire"),
            ({"full_name": "Marie", "phone": "appelle-moi", "language": "fr"}, "06 12 34 56 78"),
            ({"full_name": "Marie", "phone": "", "language": "de"}, "choix valide"),
        ],
    )
    def test_bad_input_changes_nothing(self, cast: Cast, client_for, data, message) -> None:
        response = client_for(cast.member).post(reverse("profile"), data)
        assert response.status_code == 200
        assert message in response.text
        cast.member.refresh_from_db()
        assert (cast.member.full_name, cast.member.phone, cast.member.language) == ("Marie Membre", "", "fr")

    def test_lists_memberships_with_history(self, cast: Cast, client_for) -> None:
        response = client_for(cast.member).get(reverse("profile"))
        assert "Cabas de Saint-Orens" in response.text
        assert "Panier de Balma" not in response.text


class TestLanguage:
    def test_anonymous_switch_sets_the_cookie(self, client: Client) -> None:
        response = client.post(reverse("set_language"), {"language": "en", "next": "/g/x/"})
        assert response.status_code == 302
        assert response.url == "/g/x/"
        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    @pytest.mark.django_db
    def test_pages_follow_the_cookie(self, client: Client) -> None:
        assert 'lang="fr"' in client.get("/").text
        client.post(reverse("set_language"), {"language": "en"})
        page = client.get("/").text
        assert 'lang="en"' in page
        assert "Citizen buying groups" in page

    def test_logged_in_switch_saves_the_profile(self, cast: Cast, client_for) -> None:
        client_for(cast.member).post(reverse("set_language"), {"language": "en"})
        cast.member.refresh_from_db()
        assert cast.member.language == "en"

    def test_profile_language_wins_over_browser(self, cast: Cast, client_for) -> None:
        page = client_for(cast.member2).get("/", headers={"accept-language": "fr"}).text
        assert 'lang="en"' in page

    def test_unknown_language_and_foreign_redirect(self, cast: Cast, client_for) -> None:
        client = client_for(cast.member)
        response = client.post(reverse("set_language"), {"language": "xx", "next": "https://evil.example/"})
        assert response.url == "/"
        cast.member.refresh_from_db()
        assert cast.member.language == "fr"


class TestDeleteAccount:
    def test_wrong_confirmation_changes_nothing(self, cast: Cast, client_for) -> None:
        response = client_for(cast.member).post(reverse("account_delete"), {"email": "other@example.org"})
        assert response.status_code == 200
        assert "Ce n’est pas l’adresse e-mail de votre compte." in response.text
        cast.member.refresh_from_db()
        assert cast.member.is_active

    def test_delete_anonymises_and_keeps_history(self, cast: Cast, client_for) -> None:
        from cabas.accounts import services

        services.request_to_join(group=cast.group_b, user=cast.member)  # open group: admitted at once
        client = client_for(cast.member)
        response = client.post(reverse("account_delete"), {"email": "Marie@example.org"})
        assert response.status_code == 302
        user = User.objects.get(pk=cast.member.pk)
        assert not user.is_active
        assert (user.full_name, user.phone) == ("", "")
        assert user.email == f"deleted-{user.pk}@deleted.invalid"
        assert not user.has_usable_password()
        with translation.override("fr"):
            assert str(user) == "Ancien membre"
        assert not EmailAddress.objects.filter(user=user).exists()
        memberships = Membership.objects.filter(user=user)
        assert memberships.count() == 2
        assert all(m.ended_at for m in memberships)
        assert client.get(reverse("profile")).status_code == 302  # logged out
        assert not Client().login(email="marie@example.org", password=PASSWORD)

    def test_pending_request_is_withdrawn(self, cast: Cast, client_for) -> None:
        from cabas.accounts import services

        services.request_to_join(group=cast.group_a, user=cast.outsider)
        client_for(cast.outsider).post(reverse("account_delete"), {"email": cast.outsider.email})
        assert JoinRequest.objects.get(user=cast.outsider).status == "withdrawn"

    def test_last_coordinator_must_hand_over_first(self, cast: Cast, client_for) -> None:
        response = client_for(cast.coordinator).post(
            reverse("account_delete"), {"email": cast.coordinator.email}, follow=True
        )
        assert "Cabas de Saint-Orens" in response.text
        cast.coordinator.refresh_from_db()
        assert cast.coordinator.is_active
        assert cast.membership(cast.coordinator).ended_at is None
