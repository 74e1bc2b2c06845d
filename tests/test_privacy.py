"""People's data: the export of everything about one person, the retention of inactive
accounts, and each group's privacy page."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from cabas.accounts.models import Membership, User
from cabas.audit.models import AuditEvent, Kind
from cabas.cycles import clock
from cabas.cycles.models import Order
from cabas.ledger import services as ledger
from cabas.ledger.models import Line, Method
from cabas.privacy import retention
from cabas.privacy.models import PrivacyNotice, RetentionSweep, RetentionWarning
from cabas.shifts import services as shifts
from cabas.solidarity import services as solidarity
from tests import scene
from tests.cast import Cast

A = "saint-orens"
MY_DATA = reverse_lazy("my_data")
PRIVACY = reverse_lazy("group_privacy", args=[A])
MANAGE_PRIVACY = reverse_lazy("manage_privacy", args=[A])


def _unzip(response) -> dict[str, str]:
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="cabas-my-data-')
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _life(delivery: scene.Delivery) -> None:
    """Marie and Mehdi pay, volunteer and (Marie) ask the fund for help."""
    context = ledger.Context(group=delivery.group_a, by=delivery.coordinator, cycle=delivery.cycle)
    for household in (delivery.member, delivery.member2):
        ledger.stand_payment(
            context, household=household, producer=delivery.bakery, amount_cents=1040, method=Method.CASH
        )
    shift = shifts.add_shift(
        cycle=delivery.cycle,
        fields={"kind": "desk", "label": "", "starts_at": time(17), "ends_at": time(18), "capacity": 3},
    )
    shifts.sign_up(shift=shift, user=delivery.member)
    shifts.sign_up(shift=shift, user=delivery.member2)
    solidarity.ask(group=delivery.group_a, household=delivery.member, situation="Fin de mois difficile")


class TestMyData:
    def test_everything_about_me_and_nothing_about_others(self, delivery: scene.Delivery, client_for) -> None:
        _life(delivery)
        files = _unzip(client_for(delivery.member).post(MY_DATA))
        assert set(files) == {
            "README.txt",
            "profile.json",
            "memberships.csv",
            "join_requests.csv",
            "baskets.json",
            "basket_lines.csv",
            "basket_changes.csv",
            "payments.csv",
            "shifts.csv",
            "help_requests.csv",
        }
        profile = json.loads(files["profile.json"])
        assert (profile["email"], profile["phone"]) == ("marie@example.org", "06 12 34 56 78")
        assert [m["group"] for m in profile["memberships"]] == ["Cabas de Saint-Orens"]
        (basket,) = json.loads(files["baskets.json"])
        mine = {line["product"]: line["quantity"] for line in basket["lines"]}
        assert mine == {"Pain complet": "2.000", "Baguette": "7.000", "Tomme": "1.000"}
        assert sum(line["amount_cents"] for line in basket["lines"]) == delivery.due(
            order__user=delivery.member
        )
        payments = _rows(files["payments.csv"])
        assert sorted((row["account"], int(row["amount_cents"])) for row in payments) == [
            ("household", -1040),
            ("producer", 1040),
        ]
        assert [row["task"] for row in _rows(files["shifts.csv"])] == ["desk"]
        assert [row["situation"] for row in _rows(files["help_requests.csv"])] == ["Fin de mois difficile"]
        everything = "".join(files.values())
        for other in ("mehdi@example.org", "Mehdi", "Yaourt", "emile@example.org", "bernadette"):
            assert other not in everything

    def test_an_id_in_the_request_changes_nothing(self, delivery: scene.Delivery, client_for) -> None:
        response = client_for(delivery.member2).post(
            f"{MY_DATA}?user={delivery.member.pk}", {"pk": delivery.member.pk}
        )
        profile = json.loads(_unzip(response)["profile.json"])
        assert profile["email"] == "mehdi@example.org"

    def test_post_only_and_logged_in_only(self, cast: Cast, client_for) -> None:
        assert client_for(cast.member).get(MY_DATA).status_code == 405
        anonymous = client_for(None).post(MY_DATA)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
        assert "no-store" in client_for(cast.member).post(MY_DATA)["Cache-Control"]

    def test_reachable_from_the_profile_page(self, cast: Cast, client_for) -> None:
        page = client_for(cast.member).get(reverse("profile"))
        assert f'action="{MY_DATA}"' in page.text and "Télécharger mes données" in page.text

    def test_queries_do_not_grow_with_the_history(self, delivery: scene.Delivery, client_for) -> None:
        client = client_for(delivery.member)
        with CaptureQueriesContext(connection) as small:
            client.post(MY_DATA)
        _life(delivery)
        later = scene.cycle(delivery.group_a, name="Cabas de juillet")
        scene.basket(later, delivery.member, {scene.offer(later, delivery.bakery, "Pain"): 1000})
        with CaptureQueriesContext(connection) as large:
            client.post(MY_DATA)
        assert len(large.captured_queries) == len(small.captured_queries)


def _inactive(*users: User, days: int = 400) -> None:
    past = timezone.now() - timedelta(days=days)
    pks = [user.pk for user in users]
    User.objects.filter(pk__in=pks).update(date_joined=past, last_login=past)
    Membership.objects.filter(user__in=pks).update(started_at=past)
    Order.objects.filter(user__in=pks).update(updated_at=past, created_at=past)


@pytest.fixture
def retention_on(settings):
    settings.CABAS_RETENTION_DAYS = 365
    settings.CABAS_RETENTION_GRACE_DAYS = 30
    return settings


class TestRetention:
    def test_off_by_default(self, cast: Cast, settings) -> None:
        assert settings.CABAS_RETENTION_DAYS == 0
        _inactive(cast.member)
        assert retention.sweep() == {"warned": [], "forgiven": [], "anonymised": []}
        assert retention.tick(timezone.now()) == {}
        assert not RetentionWarning.objects.exists()

    def test_warned_by_email_then_anonymised_money_kept(
        self, delivery: scene.Delivery, retention_on, django_capture_on_commit_callbacks
    ) -> None:
        _life(delivery)
        marie = delivery.member
        _inactive(marie)
        # Marie paid today: that is activity. Move the clock a year on instead.
        later = timezone.now() + timedelta(days=400)
        User.objects.exclude(pk=marie.pk).update(last_login=later)
        with django_capture_on_commit_callbacks(execute=True):
            done = retention.sweep(later)
        assert done["warned"] == [marie.pk]
        (message,) = mail.outbox
        assert message.to == ["marie@example.org"]
        assert "anonymisé" in message.subject and "Ancien membre" in message.body
        owed = list(Line.objects.filter(household=marie).values_list("amount_cents", flat=True))
        assert retention.sweep(later + timedelta(days=29))["anonymised"] == []
        assert retention.sweep(later + timedelta(days=31))["anonymised"] == [marie.pk]
        marie.refresh_from_db()
        assert marie.deleted_at is not None and marie.email.endswith("@deleted.invalid") and not marie.phone
        assert str(marie) == "Ancien membre"
        assert list(Line.objects.filter(household=marie).values_list("amount_cents", flat=True)) == owed
        assert not Membership.objects.current().filter(user=marie).exists()
        assert AuditEvent.objects.filter(kind=Kind.ACCOUNT_ANONYMISED, subject=marie, actor=None).count() == 1
        assert not RetentionWarning.objects.filter(user=marie).exists()

    def test_coming_back_cancels_the_warning(self, cast: Cast, retention_on, client) -> None:
        _inactive(cast.member)
        assert retention.sweep()["warned"] == [cast.member.pk]
        client.post(
            reverse("account_login"), {"login": cast.member.email, "password": "Tomates-de-saison-2026"}
        )
        cast.member.refresh_from_db()
        assert cast.member.last_login > timezone.now() - timedelta(minutes=1)
        assert retention.sweep(timezone.now() + timedelta(days=31)) == {
            "warned": [],
            "forgiven": [cast.member.pk],
            "anonymised": [],
        }
        cast.member.refresh_from_db()
        assert cast.member.deleted_at is None

    def test_active_people_admins_and_the_only_coordinator_stay(self, cast: Cast, retention_on) -> None:
        _inactive(cast.site_admin, cast.coordinator_b)
        assert retention.sweep()["warned"] == [cast.coordinator_b.pk]
        done = retention.sweep(timezone.now() + timedelta(days=31))
        assert done["anonymised"] == []  # the only coordinator of B: refused, kept, logged
        cast.coordinator_b.refresh_from_db()
        assert cast.coordinator_b.deleted_at is None

    def test_the_clock_sweeps_once_a_day(self, cast: Cast, retention_on) -> None:
        _inactive(cast.member)
        now = timezone.now()
        assert retention.tick in clock.ALSO
        assert clock.tick_all(now)["warned"] == [cast.member.pk]
        assert clock.tick_all(now + timedelta(minutes=1)).get("warned", []) == []
        assert RetentionSweep.objects.count() == 1

    def test_management_command(self, cast: Cast, retention_on, capsys) -> None:
        _inactive(cast.member)
        call_command("cabas_retention")
        assert "warned 1" in capsys.readouterr().out
        assert RetentionWarning.objects.filter(user=cast.member).exists()


class TestPrivacyPage:
    def test_public_default_text_in_the_readers_language(self, cast: Cast, client_for) -> None:
        french = client_for(None).get(PRIVACY)
        assert french.status_code == 200
        assert "Cabas de Saint-Orens utilise Cabas" in french.text
        assert "contact@cabas-saint-orens.example" in french.text
        english = client_for(cast.member2).get(PRIVACY)
        assert "Cabas de Saint-Orens uses Cabas" in english.text

    def test_linked_from_the_group_page_and_the_footer(self, cast: Cast, client_for) -> None:
        page = client_for(cast.member).get(reverse("group_detail", args=[A]))
        assert page.text.count(f'href="{PRIVACY}"') == 2

    def test_the_coordinator_edits_it(self, cast: Cast, client_for) -> None:
        client = client_for(cast.coordinator)
        form = client.get(MANAGE_PRIVACY)
        assert "Cabas de Saint-Orens utilise Cabas" in form.text  # starts from the default text
        response = client.post(
            MANAGE_PRIVACY, {"text": "Nous ne gardons que le nécessaire.\r\n\r\nÀ bientôt."}
        )
        assert response.status_code == 302 and response["Location"] == PRIVACY
        saved = PrivacyNotice.objects.get(group=cast.group_a)
        assert (saved.text, saved.updated_by) == (
            "Nous ne gardons que le nécessaire.\n\nÀ bientôt.",
            cast.coordinator,
        )
        shown = client_for(cast.member).get(PRIVACY).text
        assert "<p>Nous ne gardons que le nécessaire.</p>" in shown and "utilise Cabas" not in shown
        assert AuditEvent.objects.filter(kind=Kind.PRIVACY_CHANGED, actor=cast.coordinator).count() == 1

    @pytest.mark.parametrize("text", ["", "   \r\n ", "x" * 20001])
    def test_bad_text_changes_nothing_and_keeps_what_was_typed(
        self, cast: Cast, client_for, text: str
    ) -> None:
        response = client_for(cast.coordinator).post(MANAGE_PRIVACY, {"text": text})
        assert response.status_code == 200
        assert response.context["form"].errors["text"]
        assert not PrivacyNotice.objects.exists()

    def test_html_is_shown_as_text(self, cast: Cast, client_for) -> None:
        client_for(cast.coordinator).post(MANAGE_PRIVACY, {"text": "<script>alert(1)</script>"})
        page = client_for(None).get(PRIVACY)
        assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text

    @pytest.mark.parametrize("who", ["member", "treasurer", "producer_user", "coordinator_b"])
    def test_only_coordinators_edit(self, cast: Cast, client_for, who: str) -> None:
        client = client_for(getattr(cast, who))
        assert client.get(MANAGE_PRIVACY).status_code == 403
        assert client.post(MANAGE_PRIVACY, {"text": "Piraté"}).status_code == 403
        assert not PrivacyNotice.objects.exists()

    def test_unknown_group_and_wrong_method(self, cast: Cast, client_for) -> None:
        assert client_for(None).get(reverse("group_privacy", args=["nowhere"])).status_code == 404
        assert client_for(cast.coordinator).post(PRIVACY).status_code == 405
        assert client_for(cast.coordinator).put(MANAGE_PRIVACY).status_code == 405
