"""The shifts' e-mails: the day-before reminder, the coordinators' notice of shifts still short,
the call for help, and the one-click links in the cycle's opening and reminder e-mails."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from cabas.cycles import clock as cycles_clock
from cabas.cycles import tasks as cycle_tasks
from cabas.shifts import clock, services
from cabas.shifts.models import Exemption, Roster, Signup
from tests import scene
from tests.cast import Cast
from tests.shift_fixtures import Roster as Shifts
from tests.shift_fixtures import roster

pytestmark = pytest.mark.django_db


@pytest.fixture
def shifts(cast: Cast) -> Shifts:
    return roster(cast)


def tick(capture, when) -> dict[str, list[int]]:
    with scene.at(when), capture(execute=True):
        return clock.tick(when)


def to(address: str, subject: str = "") -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if address in message.to and subject in message.subject]


def test_the_day_before_each_volunteer_is_reminded_once(
    shifts: Shifts, django_capture_on_commit_callbacks
) -> None:
    cast = shifts.cast
    signup = services.sign_up(shift=shifts.desk, user=cast.member).signup
    cancelled = services.sign_up(shift=shifts.tidy, user=cast.member2).signup
    services.cancel(signup=cancelled, by=cast.member2)
    start = shifts.desk.starts()
    assert tick(django_capture_on_commit_callbacks, start - timedelta(hours=25))["volunteers_reminded"] == []
    done = tick(django_capture_on_commit_callbacks, start - timedelta(hours=23))
    assert done["volunteers_reminded"] == [signup.pk]
    (message,) = to(cast.member.email, "Demain")
    assert "17:30" in message.body and "Salle des fêtes" in message.body and "Accueil" in message.body
    assert not to(cast.member2.email, "Demain")
    assert tick(django_capture_on_commit_callbacks, start - timedelta(hours=22))["volunteers_reminded"] == []
    assert len(to(cast.member.email, "Demain")) == 1


def test_someone_signing_up_the_same_day_gets_no_reminder(
    shifts: Shifts, django_capture_on_commit_callbacks
) -> None:
    cast = shifts.cast
    start = shifts.desk.starts()
    signup = services.sign_up(shift=shifts.desk, user=cast.member).signup
    Signup.objects.filter(pk=signup.pk).update(created_at=start - timedelta(hours=3))
    assert tick(django_capture_on_commit_callbacks, start - timedelta(hours=2))["volunteers_reminded"] == []


def test_coordinators_hear_of_short_shifts_three_days_and_one_day_before(
    shifts: Shifts, django_capture_on_commit_callbacks
) -> None:
    cast = shifts.cast
    start = shifts.cycle.distribution_starts_at()
    assert tick(django_capture_on_commit_callbacks, start - timedelta(days=4))["short_told"] == []
    assert tick(django_capture_on_commit_callbacks, start - timedelta(days=3))["short_told"] == [
        shifts.cycle.pk
    ]
    (early,) = to(cast.coordinator.email, "Créneaux incomplets")
    assert "Rangement" in early.body and "il manque 3 personnes" in early.body
    assert tick(django_capture_on_commit_callbacks, start - timedelta(days=2))["short_told"] == []
    assert tick(django_capture_on_commit_callbacks, start - timedelta(hours=20))["short_told"] == [
        shifts.cycle.pk
    ]
    assert len(to(cast.coordinator.email, "Créneaux incomplets")) == 2
    assert not to(cast.member.email, "Créneaux incomplets")  # members get the call, not this notice
    roster_row = Roster.objects.get(cycle=shifts.cycle)
    assert roster_row.short_early_at and roster_row.short_late_at


def test_nothing_is_told_when_every_shift_is_full(shifts: Shifts, django_capture_on_commit_callbacks) -> None:
    from cabas.shifts.models import Shift

    Shift.objects.filter(cycle=shifts.cycle).delete()
    services.add_shift(
        cycle=shifts.cycle,
        fields={
            "kind": "desk",
            "label": "",
            "starts_at": shifts.desk.starts_at,
            "ends_at": shifts.desk.ends_at,
            "capacity": 1,
        },
    )
    services.sign_up(shift=Shift.objects.get(cycle=shifts.cycle), user=shifts.cast.member)
    mail.outbox.clear()
    start = shifts.cycle.distribution_starts_at()
    tick(django_capture_on_commit_callbacks, start - timedelta(days=3))
    tick(django_capture_on_commit_callbacks, start - timedelta(days=4, hours=23))
    assert mail.outbox == []


def test_the_call_for_help_respects_preferences_and_exemptions(
    shifts: Shifts, django_capture_on_commit_callbacks
) -> None:
    cast = shifts.cast
    Exemption.objects.create(group=cast.group_a, user=cast.beneficiary, reason="health")
    cast.treasurer.wants_announcements = False
    cast.treasurer.save()
    services.sign_up(shift=shifts.setup, user=cast.member2)
    start = shifts.cycle.distribution_starts_at()
    done = tick(django_capture_on_commit_callbacks, start - timedelta(days=5))
    assert done["called"] == [shifts.cycle.pk]
    called = {
        address
        for message in mail.outbox
        if "Il manque du monde" in message.subject
        for address in message.to
    }
    assert cast.member.email in called
    assert cast.beneficiary.email not in called  # exempted
    assert cast.treasurer.email not in called  # does not want the group's e-mails
    assert cast.member2.email not in called  # already signed up
    assert cast.member_b.email not in called and cast.producer_user.email not in called
    (message,) = to(cast.member.email)
    assert "/shifts/s/" in message.body
    assert tick(django_capture_on_commit_callbacks, start - timedelta(days=4))["called"] == []


def test_the_link_of_an_email_signs_up_in_two_taps(
    shifts: Shifts, django_capture_on_commit_callbacks
) -> None:
    cast = shifts.cast
    start = shifts.cycle.distribution_starts_at()
    tick(django_capture_on_commit_callbacks, start - timedelta(days=5))
    (message,) = to(cast.member.email)
    link = re.search(r"http://[^\s]+/shifts/s/[^\s]+/", message.body)
    assert link
    path = link.group(0).split("//", 1)[1].split("/", 1)[1]
    client = Client()
    assert client.get("/" + path).status_code == 200
    assert client.post("/" + path).status_code == 302
    assert Signup.objects.active().filter(user=cast.member, shift__cycle=shifts.cycle).count() == 1


def test_the_opening_email_carries_a_link_per_short_shift(shifts: Shifts) -> None:
    cast = shifts.cast
    assert cycle_tasks.send_opening.call(shifts.cycle.pk) > 0
    (message,) = to(cast.member.email)
    assert message.body.count("/shifts/s/") == 5
    assert "Il manque des bénévoles" in message.body
    # Each household's links are their own.
    (other,) = to(cast.member2.email)
    assert set(re.findall(r"/shifts/s/\S+", message.body)).isdisjoint(
        re.findall(r"/shifts/s/\S+", other.body)
    )


def test_the_clock_command_runs_the_shifts_clock(shifts: Shifts, django_capture_on_commit_callbacks) -> None:
    assert clock.tick in cycles_clock.ALSO
    start = shifts.cycle.distribution_starts_at()
    with scene.at(start - timedelta(days=3)), django_capture_on_commit_callbacks(execute=True):
        call_command("cabas_clock", "--once")
    assert to(shifts.cast.coordinator.email, "Créneaux incomplets")
