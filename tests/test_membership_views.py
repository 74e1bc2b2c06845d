"""Joining, approving, refusing, leaving, roles: each view's effect on the database."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from cabas.accounts.models import JoinRequest, Membership, Role
from tests.cast import Cast

A = "saint-orens"


def pending(cast: Cast, user) -> JoinRequest:
    return JoinRequest.objects.get(group=cast.group_a, user=user, status="pending")


class TestJoin:
    def test_request_to_join_a_group_needing_approval(
        self, cast: Cast, client_for, django_capture_on_commit_callbacks
    ) -> None:
        client = client_for(cast.outsider)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("group_join", args=[A]), {"message": "Voisin de Marie"})
        assert response.status_code == 302
        join_request = pending(cast, cast.outsider)
        assert join_request.message == "Voisin de Marie"
        assert not Membership.objects.filter(group=cast.group_a, user=cast.outsider).exists()
        # The only coordinator of A is told, in French.
        assert [m.to for m in mail.outbox] == [[cast.coordinator.email]]
        assert "demande à rejoindre" in mail.outbox[0].subject
        assert "/g/saint-orens/manage/requests/" in mail.outbox[0].body
        page = client.get(reverse("group_detail", args=[A]))
        assert "attend la réponse d’un référent" in page.text

    def test_second_request_while_pending_changes_nothing(self, cast: Cast, client_for) -> None:
        client = client_for(cast.outsider)
        client.post(reverse("group_join", args=[A]), {"message": "un"})
        page = client.get(reverse("group_join", args=[A]), follow=True)
        assert page.redirect_chain == [(reverse("group_detail", args=[A]), 302)]
        assert "Votre demande attend déjà la réponse d’un référent." in page.text
        response = client.post(reverse("group_join", args=[A]), {"message": "deux"}, follow=True)
        assert JoinRequest.objects.filter(group=cast.group_a, user=cast.outsider).count() == 1
        assert pending(cast, cast.outsider).message == "un"
        assert "déjà" in response.text

    def test_message_too_long_is_refused_in_french(self, cast: Cast, client_for) -> None:
        response = client_for(cast.outsider).post(reverse("group_join", args=[A]), {"message": "x" * 2001})
        assert response.status_code == 200
        assert "2000 caractères" in response.text
        assert not JoinRequest.objects.filter(user=cast.outsider).exists()

    def test_open_group_admits_at_once(self, cast: Cast, client_for) -> None:
        response = client_for(cast.outsider).post(reverse("group_join", args=["balma"]), {}, follow=True)
        membership = Membership.objects.get(group=cast.group_b, user=cast.outsider)
        assert membership.roles == [Role.MEMBER]
        assert not JoinRequest.objects.filter(user=cast.outsider).exists()
        assert "Bienvenue" in response.text

    def test_member_cannot_join_twice(self, cast: Cast, client_for) -> None:
        client_for(cast.member).post(reverse("group_join", args=[A]), {})
        assert Membership.objects.filter(group=cast.group_a, user=cast.member).count() == 1
        assert not JoinRequest.objects.filter(user=cast.member).exists()

    def test_withdraw(self, cast: Cast, client_for) -> None:
        client = client_for(cast.outsider)
        client.post(reverse("group_join", args=[A]), {})
        client.post(reverse("group_join_withdraw", args=[A]))
        assert JoinRequest.objects.get(user=cast.outsider).status == "withdrawn"


class TestDecide:
    def test_approve(self, cast: Cast, client_for, django_capture_on_commit_callbacks) -> None:
        client_for(cast.outsider).post(reverse("group_join", args=[A]), {})
        join_request = pending(cast, cast.outsider)
        mail.outbox.clear()
        client = client_for(cast.coordinator)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("manage_join_request_approve", args=[A, join_request.pk]))
        assert response.status_code == 302
        join_request.refresh_from_db()
        assert (join_request.status, join_request.decided_by) == ("approved", cast.coordinator)
        membership = Membership.objects.get(group=cast.group_a, user=cast.outsider, ended_at=None)
        assert membership.roles == [Role.MEMBER]
        assert [m.to for m in mail.outbox] == [[cast.outsider.email]]
        assert "Bienvenue" in mail.outbox[0].subject

    def test_approving_twice_creates_one_membership(self, cast: Cast, client_for) -> None:
        client_for(cast.outsider).post(reverse("group_join", args=[A]), {})
        join_request = pending(cast, cast.outsider)
        client = client_for(cast.coordinator)
        url = reverse("manage_join_request_approve", args=[A, join_request.pk])
        client.post(url)
        response = client.post(url, follow=True)
        assert "déjà été traitée" in response.text
        assert Membership.objects.filter(group=cast.group_a, user=cast.outsider).count() == 1

    def test_refuse_with_reason_in_the_persons_language(
        self, cast: Cast, client_for, django_capture_on_commit_callbacks
    ) -> None:
        cast.outsider.language = "en"
        cast.outsider.save()
        client_for(cast.outsider).post(reverse("group_join", args=[A]), {})
        join_request = pending(cast, cast.outsider)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            client_for(cast.coordinator).post(
                reverse("manage_join_request_refuse", args=[A, join_request.pk]),
                {"reason": "Le groupe est complet cette saison."},
            )
        join_request.refresh_from_db()
        assert join_request.status == "refused"
        assert join_request.reason == "Le groupe est complet cette saison."
        assert not Membership.objects.filter(group=cast.group_a, user=cast.outsider).exists()
        (message,) = mail.outbox
        assert message.subject == "[Cabas] Your request to join Cabas de Saint-Orens"
        assert "could not accept" in message.body
        assert "Le groupe est complet cette saison." in message.body

    def test_refuse_with_too_long_reason_changes_nothing(self, cast: Cast, client_for) -> None:
        client_for(cast.outsider).post(reverse("group_join", args=[A]), {})
        join_request = pending(cast, cast.outsider)
        response = client_for(cast.coordinator).post(
            reverse("manage_join_request_refuse", args=[A, join_request.pk]),
            {"reason": "x" * 2001},
            follow=True,
        )
        assert "trop long" in response.text
        join_request.refresh_from_db()
        assert join_request.status == "pending"

    def test_requests_page_lists_pending_and_decided(self, cast: Cast, client_for) -> None:
        client_for(cast.outsider).post(reverse("group_join", args=[A]), {"message": "Bonjour !"})
        response = client_for(cast.coordinator).get(reverse("manage_join_requests", args=[A]))
        assert "Olivier Extérieur" in response.text
        assert "Bonjour !" in response.text


class TestRolesAndLeaving:
    def test_set_roles(self, cast: Cast, client_for) -> None:
        membership = cast.membership(cast.member)
        response = client_for(cast.coordinator).post(
            reverse("manage_member", args=[A, membership.pk]), {"roles": ["member", "treasurer"]}
        )
        assert response.status_code == 302
        membership.refresh_from_db()
        assert membership.roles == [Role.MEMBER, Role.TREASURER]

    def test_no_role_is_refused(self, cast: Cast, client_for) -> None:
        membership = cast.membership(cast.member)
        response = client_for(cast.coordinator).post(reverse("manage_member", args=[A, membership.pk]), {})
        assert response.status_code == 200
        assert "au moins un rôle" in response.text
        membership.refresh_from_db()
        assert membership.roles == [Role.MEMBER]

    def test_unknown_role_is_refused(self, cast: Cast, client_for) -> None:
        membership = cast.membership(cast.member)
        response = client_for(cast.coordinator).post(
            reverse("manage_member", args=[A, membership.pk]), {"roles": ["superuser"]}
        )
        assert response.status_code == 200
        assert "superuser n’en fait pas partie" in response.text
        membership.refresh_from_db()
        assert membership.roles == [Role.MEMBER]

    def test_last_coordinator_keeps_the_role(self, cast: Cast, client_for) -> None:
        membership = cast.membership(cast.coordinator)
        response = client_for(cast.coordinator).post(
            reverse("manage_member", args=[A, membership.pk]), {"roles": ["member"]}
        )
        assert "Le groupe doit garder au moins un référent." in response.text
        membership.refresh_from_db()
        assert membership.is_coordinator

    def test_remove_member_keeps_history_and_allows_rejoining(self, cast: Cast, client_for) -> None:
        membership = cast.membership(cast.member)
        client_for(cast.coordinator).post(reverse("manage_member_end", args=[A, membership.pk]))
        membership.refresh_from_db()
        assert membership.ended_at is not None
        # Rejoining starts a new membership; the old one stays.
        client_for(cast.member).post(reverse("group_join", args=[A]), {})
        join_request = pending(cast, cast.member)
        client_for(cast.coordinator).post(reverse("manage_join_request_approve", args=[A, join_request.pk]))
        rows = Membership.objects.filter(group=cast.group_a, user=cast.member).order_by("started_at")
        assert [m.ended_at is None for m in rows] == [False, True]

    def test_ending_twice_says_so(self, cast: Cast, client_for) -> None:
        membership = cast.membership(cast.member)
        client = client_for(cast.coordinator)
        client.post(reverse("manage_member_end", args=[A, membership.pk]))
        ended_at = Membership.objects.get(pk=membership.pk).ended_at
        response = client.post(reverse("manage_member_end", args=[A, membership.pk]), follow=True)
        assert "déjà pris fin" in response.text
        assert Membership.objects.get(pk=membership.pk).ended_at == ended_at

    def test_member_leaves(self, cast: Cast, client_for) -> None:
        client_for(cast.member).post(reverse("group_leave", args=[A]))
        assert cast.member.memberships.get().ended_at is not None

    def test_last_coordinator_cannot_leave(self, cast: Cast, client_for) -> None:
        response = client_for(cast.coordinator).post(reverse("group_leave", args=[A]), follow=True)
        assert "nommez d’abord un autre référent" in response.text
        assert cast.membership(cast.coordinator).ended_at is None

    def test_directory_shows_names_not_contacts(self, cast: Cast, client_for) -> None:
        response = client_for(cast.member).get(reverse("group_directory", args=[A]))
        assert "Mehdi Member" in response.text
        assert "mehdi@example.org" not in response.text
        assert "Martin Membre" not in response.text  # group B


class TestAddMember:
    def test_add_a_person_without_account(self, cast: Cast, client_for) -> None:
        response = client_for(cast.coordinator).post(
            reverse("manage_member_add", args=[A]),
            {
                "email": "Josette@Example.org",
                "full_name": " Josette  Papier ",
                "phone": "05 61 00 00 00",
                "roles": ["member"],
            },
        )
        assert response.status_code == 302
        membership = Membership.objects.get(group=cast.group_a, user__email="josette@example.org")
        assert membership.user.full_name == "Josette Papier"
        assert membership.user.phone == "05 61 00 00 00"
        assert not membership.user.has_usable_password()

    def test_add_an_existing_account(self, cast: Cast, client_for) -> None:
        client_for(cast.coordinator).post(
            reverse("manage_member_add", args=[A]),
            {"email": cast.member_b.email, "full_name": "ignored", "roles": ["member"]},
        )
        assert Membership.objects.filter(group=cast.group_a, user=cast.member_b, ended_at=None).exists()
        cast.member_b.refresh_from_db()
        assert cast.member_b.full_name == "Martin Membre"

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"email": "pas-un-email", "full_name": "X", "roles": ["member"]}, "adresse de courriel valide"),
            ({"email": "a@example.org", "full_name": "   ", "roles": ["member"]}, "obligatoire"),
            (
                {"email": "a@example.org", "full_name": "A", "phone": "abc", "roles": ["member"]},
                "06 12 34 56 78",
            ),
            ({"email": "a@example.org", "full_name": "A"}, "au moins un rôle"),
            ({"email": "marie@example.org", "full_name": "Marie", "roles": ["member"]}, "déjà membre"),
        ],
    )
    def test_bad_input_changes_nothing(self, cast: Cast, client_for, data, message) -> None:
        before = Membership.objects.count()
        response = client_for(cast.coordinator).post(reverse("manage_member_add", args=[A]), data)
        assert response.status_code == 200
        assert message in response.text
        assert Membership.objects.count() == before
        assert not Membership.objects.filter(user__email="a@example.org").exists()


class TestGroupSettings:
    def test_save(self, cast: Cast, client_for) -> None:
        data = {
            "name": "Cabas de Saint-Orens",
            "description": "Nouveau texte",
            "place": "Salle des fêtes",
            "distribution_info": "Le samedi, 10 h",
            "contact_email": "cabas@example.org",
            "contact_phone": "",
            "reminder_hours": "48",
            "max_line_units": "99",
        }
        client_for(cast.coordinator).post(reverse("manage_settings", args=[A]), data)
        cast.group_a.refresh_from_db()
        assert cast.group_a.description == "Nouveau texte"
        assert cast.group_a.requires_approval is False  # unticked box

    def test_invalid_changes_nothing(self, cast: Cast, client_for) -> None:
        response = client_for(cast.coordinator).post(
            reverse("manage_settings", args=[A]), {"name": "X", "contact_email": "nope"}
        )
        assert "au moins 3 caractères" in response.text
        assert "adresse de courriel valide" in response.text
        assert "<title>Réglages du groupe" in response.text
        cast.group_a.refresh_from_db()
        assert cast.group_a.name == "Cabas de Saint-Orens"
