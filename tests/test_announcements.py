"""A group's announcements: posted, corrected and deleted by coordinators, read by its people,
e-mailed only to households who accept the group's e-mails."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy

from cabas.accounts import services as accounts
from cabas.announcements import services, tasks
from cabas.announcements.models import Announcement
from tests import scene
from tests.cast import Cast

A = "saint-orens"
NEW = reverse_lazy("manage_news_new", args=[A])


def rows() -> list[tuple[object, ...]]:
    return list(
        Announcement.objects.order_by("pk").values_list("pk", "title", "body", "hidden_at", "emailed_at")
    )


def post(cast: Cast, title: str = "Assemblée générale", **extra: object) -> Announcement:
    fields = {"body": "Le 12 à 19 h, salle des fêtes.", "send_email": False, **extra}
    return services.post(group=cast.group_a, by=cast.coordinator, title=title, **fields)  # type: ignore[arg-type]


class TestPosting:
    def test_a_coordinator_posts(self, cast: Cast, client_for, django_capture_on_commit_callbacks) -> None:
        client = client_for(cast.coordinator)
        assert client.get(NEW).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(NEW, {"title": "  Visite   de la ferme ", "body": "Samedi.\n\nVenez !"})
        assert answer.status_code == 302 and answer["Location"] == reverse("news", args=[A])
        made = Announcement.objects.get()
        assert (made.group, made.published_by, made.title, made.send_email) == (
            cast.group_a,
            cast.coordinator,
            "Visite de la ferme",
            False,
        )
        assert made.emailed_at is None and not mail.outbox

    @pytest.mark.parametrize(
        "data",
        [
            {"title": "", "body": "x"},
            {"title": "   ", "body": "x"},
            {"title": "x", "body": "  "},
            {"title": "x" * 141, "body": "x"},
            {},
        ],
    )
    def test_bad_input_keeps_what_was_typed(self, cast: Cast, client_for, data: dict[str, str]) -> None:
        answer = client_for(cast.coordinator).post(NEW, data)
        assert answer.status_code == 200
        assert answer.context["form"].errors
        assert rows() == []
        for value in data.values():
            if value.strip():
                assert value.encode() in answer.content

    def test_others_cannot_post(self, cast: Cast, client_for) -> None:
        for user, status in ((cast.member, 403), (cast.coordinator_b, 403), (cast.producer_user, 403)):
            assert client_for(user).post(NEW, {"title": "x", "body": "y"}).status_code == status
        assert client_for(None).post(NEW, {"title": "x", "body": "y"}).status_code == 302
        assert rows() == []


class TestEmails:
    def test_only_households_who_accept_emails(
        self, cast: Cast, client_for, django_capture_on_commit_callbacks
    ) -> None:
        cast.member2.wants_announcements = False
        cast.member2.save()
        accounts.end_membership(membership=cast.membership(cast.beneficiary))
        with django_capture_on_commit_callbacks(execute=True):
            client_for(cast.coordinator).post(NEW, {"title": "AG", "body": "Le 12.", "send_email": "on"})
        to = sorted(address for message in mail.outbox for address in message.to)
        # Households of A who accept e-mails: Claire, Théo, Marie. Not Mehdi (declined),
        # Bernadette (left), the producers' accounts (not households), nor B's people.
        assert to == ["claire@example.org", "marie@example.org", "theo@example.org"]
        message = next(m for m in mail.outbox if m.to == ["marie@example.org"])
        assert "AG" in message.subject and "Le 12." in message.body
        assert reverse("profile") in message.body  # how to stop them
        assert Announcement.objects.get().emailed_at is not None

    def test_sent_once_and_not_when_deleted(self, cast: Cast, django_capture_on_commit_callbacks) -> None:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            made = post(cast, send_email=True)
        assert len(callbacks) == 1  # enqueued after commit, not inside the transaction
        households = 5  # of A: Claire, Théo, Marie, Mehdi, Bernadette
        assert tasks.send_announcement.call(made.pk) == households
        assert tasks.send_announcement.call(made.pk) == 0
        assert len(mail.outbox) == households
        hidden = post(cast, "Annulé", send_email=True)
        services.hide(announcement=hidden, by=cast.coordinator)
        assert tasks.send_announcement.call(hidden.pk) == 0
        assert len(mail.outbox) == households

    def test_each_in_their_language(self, cast: Cast) -> None:
        Announcement.objects.all().delete()
        made = post(cast)
        Announcement.objects.filter(pk=made.pk).update(send_email=True)
        cast.member2.wants_announcements = True
        cast.member2.save()
        tasks.send_announcement.call(made.pk)
        english = next(m for m in mail.outbox if m.to == ["mehdi@example.org"])
        french = next(m for m in mail.outbox if m.to == ["marie@example.org"])
        assert english.body.startswith("Hello") and french.body.startswith("Bonjour")


class TestReading:
    def test_members_see_the_latest_on_home_and_group_pages(self, cast: Cast, client_for) -> None:
        for number in range(5):
            post(cast, f"Nouvelle {number}")
        client = client_for(cast.member)
        home = client.get(reverse("home")).content.decode()
        group = client.get(reverse("group_detail", args=[A])).content.decode()
        assert "Nouvelle 4" in home and "Nouvelle 4" in group
        assert "Nouvelle 0" not in group  # the latest few only
        archive = client.get(reverse("news", args=[A])).content.decode()
        assert all(f"Nouvelle {n}" in archive for n in range(5))
        assert reverse("manage_news_new", args=[A]) not in archive  # not a coordinator

    def test_others_do_not_see_them(self, cast: Cast, client_for) -> None:
        post(cast, "Réservé au groupe")
        for user in (None, cast.member_b, cast.outsider):
            client = client_for(user)
            assert "Réservé au groupe" not in client.get(reverse("home")).content.decode()
            assert "Réservé au groupe" not in client.get(reverse("group_detail", args=[A])).content.decode()
        assert client_for(cast.member_b).get(reverse("news", args=[A])).status_code == 403
        assert client_for(None).get(reverse("news", args=[A])).status_code == 302

    def test_query_counts_do_not_grow(self, cast: Cast, client_for) -> None:
        client = client_for(cast.member)
        post(cast)

        def counts() -> list[int]:
            found = []
            for url in (reverse("home"), reverse("group_detail", args=[A]), reverse("news", args=[A])):
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(url).status_code == 200
                found.append(len(queries))
            return found

        small = counts()
        for number in range(30):
            post(cast, f"Nouvelle {number}")
        assert counts() == small


class TestCorrectingAndDeleting:
    def test_correct(self, cast: Cast, client_for) -> None:
        made = post(cast)
        url = reverse("manage_news_edit", args=[A, made.pk])
        client = client_for(cast.coordinator)
        assert client.get(url).status_code == 200
        assert client.post(url, {"title": "AG (changement)", "body": "Le 13."}).status_code == 302
        made.refresh_from_db()
        assert (made.title, made.body) == ("AG (changement)", "Le 13.")
        assert made.updated_at is not None
        assert not mail.outbox  # a correction is not e-mailed again
        # Bad input: nothing changed.
        assert client.post(url, {"title": "", "body": "x"}).status_code == 200
        made.refresh_from_db()
        assert made.title == "AG (changement)"

    def test_delete_hides_it(self, cast: Cast, client_for) -> None:
        made = post(cast, "À effacer")
        url = reverse("manage_news_delete", args=[A, made.pk])
        client = client_for(cast.coordinator)
        assert client.get(url).status_code == 405
        assert client.post(url).status_code == 302
        assert "À effacer" in client.get(reverse("news", args=[A])).content.decode()  # the message saying so
        made.refresh_from_db()
        assert made.hidden_at is not None and made.hidden_by == cast.coordinator
        assert "À effacer" not in client.get(reverse("news", args=[A])).content.decode()
        assert "À effacer" not in client_for(cast.member).get(reverse("home")).content.decode()
        # Deleted: no longer found, to correct or delete again.
        client = client_for(cast.coordinator)
        assert client.post(url).status_code == 404
        assert client.get(reverse("manage_news_edit", args=[A, made.pk])).status_code == 404

    def test_wrong_role_or_group(self, cast: Cast, client_for) -> None:
        made = post(cast)
        before = rows()
        edit, delete = (
            reverse("manage_news_edit", args=[A, made.pk]),
            reverse("manage_news_delete", args=[A, made.pk]),
        )
        for user in (cast.member, cast.producer_user, cast.coordinator_b):
            client = client_for(user)
            assert client.post(edit, {"title": "Piraté", "body": "x"}).status_code == 403
            assert client.post(delete).status_code == 403
        # B's coordinator through B's address: A's announcement is not there.
        client = client_for(cast.coordinator_b)
        assert (
            client.post(
                reverse("manage_news_edit", args=["balma", made.pk]), {"title": "x", "body": "y"}
            ).status_code
            == 404
        )
        assert client.post(reverse("manage_news_delete", args=["balma", made.pk])).status_code == 404
        assert rows() == before


def test_the_coordinators_find_it(cast: Cast, client_for) -> None:
    """Reachable: the management menu and the group page link to it."""
    client = client_for(cast.coordinator)
    assert str(NEW) in client.get(reverse("manage_members", args=[A])).content.decode()
    assert str(NEW) in client.get(reverse("group_detail", args=[A])).content.decode()
    assert (
        reverse("news", args=[A])
        in client_for(cast.member).get(reverse("group_detail", args=[A])).content.decode()
    )


def test_shown_to_a_site_admin_too(cast: Cast, client_for) -> None:
    post(cast, "Pour tous")
    assert "Pour tous" in client_for(cast.site_admin).get(reverse("news", args=[A])).content.decode()


def test_scene_unchanged_by_a_delivery(delivery: scene.Delivery) -> None:
    """Announcements live beside the cycles: a group with a delivery has none until posted."""
    assert not Announcement.objects.filter(group=delivery.group_a).exists()
