"""Calendar feeds: RFC 5545 text rules, a household's private feed and its reset, a group's public feed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from cabas.shifts import calendar, services
from cabas.shifts.models import CalendarFeed
from tests.cast import Cast
from tests.shift_fixtures import Roster, roster

A = "saint-orens"


def test_text_is_escaped() -> None:
    assert calendar.escape("Salle; des fêtes, 2\\3\nétage") == "Salle\\; des fêtes\\, 2\\\\3\\nétage"


def test_long_lines_fold_at_75_octets_without_splitting_a_character() -> None:
    line = "SUMMARY:" + "é" * 100
    folded = calendar.fold(line)
    parts = folded.split("\r\n ")
    assert "".join(parts) == line
    assert all(len(part.encode()) <= 75 for part in parts[:1])
    assert all(len(part.encode()) <= 74 for part in parts[1:])
    assert calendar.fold("SHORT:x") == "SHORT:x"


def test_a_feed_has_crlf_lines_and_utc_times() -> None:
    event = calendar.Event(
        uid="cycle-1",
        summary="Distribution",
        starts=datetime(2026, 6, 13, 8, 0, tzinfo=UTC),
        ends=datetime(2026, 6, 13, 10, 0, tzinfo=UTC),
        place="Salle, Saint-Orens",
    )
    text = calendar.feed("Cabas", [event])
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "DTSTART:20260613T080000Z\r\n" in text and "LOCATION:Salle\\, Saint-Orens\r\n" in text


@pytest.fixture
def shifts(cast: Cast) -> Roster:
    return roster(cast)


@pytest.mark.django_db
def test_a_households_private_feed_holds_its_distributions_and_shifts(shifts: Roster, client_for) -> None:
    cast = shifts.cast
    services.sign_up(shift=shifts.tidy, user=cast.member)
    services.sign_up(shift=shifts.desk, user=cast.member2)
    client = client_for(cast.member)
    client.post(reverse("calendar_reset", args=[A]))
    feed = CalendarFeed.objects.get(user=cast.member)
    response = Client().get(reverse("calendar_household", args=[feed.token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.count("BEGIN:VEVENT") == 2
    assert "Ma permanence\u00a0: Rangement" in text and "Accueil" not in text  # only their own shift
    assert "Cabas de juin" in text
    # Resetting makes the old address answer 404.
    old = feed.token
    client.post(reverse("calendar_reset", args=[A]))
    assert Client().get(reverse("calendar_household", args=[old])).status_code == 404
    assert "shifts" in client.get(reverse("shifts", args=[A])).content.decode()


@pytest.mark.django_db
def test_a_groups_public_feed_has_distributions_only(shifts: Roster) -> None:
    cast = shifts.cast
    services.sign_up(shift=shifts.tidy, user=cast.member)
    text = Client().get(reverse("calendar_group", args=[A])).content.decode()
    assert text.count("BEGIN:VEVENT") == 1
    assert "Marie" not in text and "Rangement" not in text
    assert Client().get(reverse("calendar_group", args=["nope"])).status_code == 404
