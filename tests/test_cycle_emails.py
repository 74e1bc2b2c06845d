"""Cycle e-mails (opening, reminder, recap) and the clock that sends each of them once."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from cabas.accounts.models import Membership, User
from cabas.catalog.models import Producer
from cabas.cycles import clock, services, tasks
from cabas.cycles.models import Allocation, ChangeKind, Cycle, Offer, Order, OrderChange, OrderLine
from cabas.cycles.ordering import LineChange, save_basket
from cabas.lib.money import format_cents
from tests import scene
from tests.cast import Cast, build_cast

A = "saint-orens"


# --- The cycle the e-mails speak of --------------------------------------------------


def december(
    cast: Cast, *, opened: timedelta = timedelta(hours=1), closes_in: timedelta = timedelta(days=7)
) -> dict[str, Any]:
    """For ``scene.cycle``: a cycle of group A with the bakery and the dairy, open since ``opened``,
    closing in ``closes_in``, with a place and a message for the e-mails to quote."""
    now = timezone.now()
    return {
        "name": "Cabas de décembre",
        "producers": [cast.bakery, cast.dairy],
        "opens_at": now - opened,
        "closes_at": now + closes_in,
        "published_at": now - opened - timedelta(days=1),
        "distribution_date": (now + closes_in + timedelta(days=3)).date(),
        "distribution_start": time(17, 0),
        "distribution_end": time(19, 30),
        "distribution_place": "Salle des fêtes de Saint-Orens",
        "message": "Pensez à rapporter vos boîtes à œufs.",
    }


def order(cycle: Cycle, member: User, *changes: tuple[Offer, int], confirm: bool = True) -> Order:
    result = save_basket(
        cycle=cycle, member=member, changes=[LineChange(o.pk, quantity) for o, quantity in changes], by=member
    )
    assert result.ok, result
    assert result.order is not None
    if confirm:
        Order.objects.filter(pk=result.order.pk).update(submitted_at=timezone.now())
    return result.order


def close(cycle: Cycle) -> None:
    """Move the cycle's window into the past: the deadline passed a minute ago."""
    now = timezone.now()
    Cycle.objects.filter(pk=cycle.pk).update(
        opens_at=now - timedelta(days=8), closes_at=now - timedelta(minutes=1)
    )


def run_tick(capture, now: datetime | None = None) -> dict[str, list[int]]:
    """One clock tick, with the e-mails it enqueues after commit actually sent."""
    with capture(execute=True):
        return clock.tick(now)


def finalise(cast: Cast, cycle: Cycle, capture) -> None:
    """The coordinator finalises the adjustments (the recap goes then), e-mails actually sent."""
    with capture(execute=True):
        services.finalise(cycle=cycle, by=cast.coordinator)


def finalise_after_tick(cast: Cast, cycle: Cycle, capture) -> None:
    """The clock splits the fair shares at the deadline, then the coordinator finalises."""
    assert run_tick(capture)["recapped"] == []  # closing alone sends no recap
    finalise(cast, cycle, capture)


def to(address: str, subject_part: str = "") -> list[EmailMessage]:
    return [m for m in mail.outbox if m.to == [address] and subject_part in m.subject]


def recipients() -> list[str]:
    return sorted(m.to[0] for m in mail.outbox)


def in_language(language: str, value: object, format_name: str) -> str:
    with translation.override(language):
        return formats.date_format(
            timezone.localtime(value) if isinstance(value, datetime) else value, format_name
        )


def gettext_in(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


# --- Opening ---------------------------------------------------------------------------


class TestOpening:
    def test_goes_to_opted_in_households_of_the_group_only(self, cast: Cast, capture) -> None:
        cycle = scene.cycle(cast.group_a, **december(cast))
        User.objects.filter(pk=cast.beneficiary.pk).update(wants_announcements=False)
        # Someone who left the group is no longer told.
        Membership.objects.filter(user=cast.treasurer, group=cast.group_a).update(ended_at=timezone.now())
        done = run_tick(capture)
        assert done["announced"] == [cycle.pk]
        # Households of A: the coordinator (also a member), Marie, Mehdi. Not Bernadette (opted out),
        # nor the producers (producer-only memberships), nor Théo (left), nor anyone in group B.
        assert recipients() == sorted([cast.coordinator.email, cast.member.email, cast.member2.email])
        cycle.refresh_from_db()
        assert cycle.announced_at is not None

    def test_says_everything_in_each_members_language(self, cast: Cast, capture) -> None:
        cycle = scene.cycle(cast.group_a, **december(cast))
        scene.offer(cycle, cast.bakery, "Pain au levain", price_cents=450)
        run_tick(capture)
        (french,) = to(cast.member.email)
        (english,) = to(cast.member2.email)
        for message, language in ((french, "fr"), (english, "en")):
            assert message.subject.startswith("[Cabas] ")
            assert "Cabas de décembre" in message.subject
            body = message.body
            assert in_language(language, cycle.opens_at, "DATETIME_FORMAT") in body
            assert in_language(language, cycle.closes_at, "DATETIME_FORMAT") in body
            assert in_language(language, cycle.distribution_date, "DATE_FORMAT") in body
            assert "Salle des fêtes de Saint-Orens" in body
            assert "Fournil du Lauragais" in body
            assert "Ferme de la Bergerie" in body
            assert "Pensez à rapporter vos boîtes à œufs." in body
            assert f"http://127.0.0.1:8000/g/{A}/cycles/{cycle.pk}/" in body
            assert "/accounts/profile/" in body or reverse("profile") in body
        assert french.body.startswith("Bonjour Marie Membre,")
        assert english.body.startswith("Hello Mehdi Member,")
        # Dates really are in each language (month names differ).
        assert in_language("fr", cycle.closes_at, "DATETIME_FORMAT") not in english.body

    def test_a_cycle_not_published_or_not_open_yet_is_not_announced(self, cast: Cast, capture) -> None:
        draft = scene.cycle(cast.group_a, **december(cast))
        Cycle.objects.filter(pk=draft.pk).update(published_at=None)
        later = scene.cycle(cast.group_a, **december(cast, opened=-timedelta(days=1)))  # opens tomorrow
        assert run_tick(capture)["announced"] == []
        assert mail.outbox == []
        done = run_tick(capture, now=later.opens_at + timedelta(minutes=1))
        assert done["announced"] == [later.pk]

    def test_task_run_late_after_the_deadline_sends_nothing(self, cast: Cast) -> None:
        cycle = scene.cycle(cast.group_a, **december(cast))
        close(cycle)
        tasks.send_opening.enqueue(cycle.pk)
        assert mail.outbox == []

    def test_inactive_group_is_left_alone(self, cast: Cast, capture) -> None:
        scene.cycle(cast.group_a, **december(cast))
        cast.group_a.is_active = False
        cast.group_a.save()
        assert run_tick(capture)["announced"] == []
        assert mail.outbox == []


# --- Reminder --------------------------------------------------------------------------


class TestReminder:
    def test_skips_who_confirmed_and_who_opted_out(self, cast: Cast, capture) -> None:
        cycle = scene.cycle(cast.group_a, **december(cast))
        bread = scene.offer(cycle, cast.bakery, "Pain au levain", price_cents=450)
        run_tick(capture)  # the opening
        mail.outbox.clear()
        order(cycle, cast.member, (bread, 2000))  # confirmed
        order(cycle, cast.beneficiary, (bread, 1000), confirm=False)  # a basket, not confirmed
        User.objects.filter(pk=cast.member2.pk).update(wants_reminders=False)
        done = run_tick(capture, now=cycle.closes_at - timedelta(hours=47))
        assert done["reminded"] == [cycle.pk]
        assert recipients() == sorted([cast.coordinator.email, cast.treasurer.email, cast.beneficiary.email])
        (draft,) = to(cast.beneficiary.email)
        assert in_language("fr", cycle.closes_at, "DATETIME_FORMAT") in draft.subject
        assert f"/g/{A}/cycles/{cycle.pk}/" in draft.body
        unconfirmed = (
            "Your basket has products in it but you have not confirmed it yet: "
            "check it and confirm it before the deadline."
        )
        (nothing,) = to(cast.treasurer.email)
        assert gettext_in("fr", unconfirmed) in draft.body
        assert gettext_in("fr", unconfirmed) not in nothing.body
        assert in_language("fr", cycle.closes_at, "DATETIME_FORMAT") in nothing.body

    def test_waits_for_group_reminder_hours(self, cast: Cast, capture) -> None:
        cycle = scene.cycle(cast.group_a, **december(cast))
        run_tick(capture)
        cast.group_a.reminder_hours = 24
        cast.group_a.save()
        assert run_tick(capture, now=cycle.closes_at - timedelta(hours=25))["reminded"] == []
        assert run_tick(capture, now=cycle.closes_at - timedelta(hours=23))["reminded"] == [cycle.pk]

    def test_short_window_is_reminded_halfway_not_with_the_announcement(self, cast: Cast, capture) -> None:
        cycle = scene.cycle(
            cast.group_a, **december(cast, opened=timedelta(minutes=1), closes_in=timedelta(hours=24))
        )
        done = run_tick(capture)
        assert done == {"announced": [cycle.pk], "reminded": [], "allocated": [], "recapped": []}
        assert clock.reminder_time(cycle) == cycle.opens_at + timedelta(hours=12, seconds=30)
        assert run_tick(capture, now=cycle.opens_at + timedelta(hours=11))["reminded"] == []
        assert run_tick(capture, now=cycle.opens_at + timedelta(hours=13))["reminded"] == [cycle.pk]

    def test_no_reminder_when_the_announcement_came_after_its_time(self, cast: Cast, capture) -> None:
        # Published late, 10 hours before the deadline: the announcement gives the deadline.
        cycle = scene.cycle(
            cast.group_a, **december(cast, opened=timedelta(days=6), closes_in=timedelta(hours=10))
        )
        done = run_tick(capture)
        assert done["announced"] == [cycle.pk]
        assert done["reminded"] == []
        assert run_tick(capture)["reminded"] == []
        assert all("Reminder" not in m.subject and "Rappel" not in m.subject for m in mail.outbox)


# --- Recap at closing ------------------------------------------------------------------


@pytest.fixture
def closed_cycle(cast: Cast, capture) -> Cycle:
    """Marie orders bread and cheese, Mehdi bread, Bernadette removes what she had: then it closes."""
    Producer.objects.filter(pk=cast.dairy.pk).update(
        accepts_cash=False,
        accepts_transfer=True,
        iban="FR7630001007941234567890185",
        cheque_payable_to="GAEC de la Bergerie",
        payment_notes="Merci d’apporter l’appoint.",
    )
    cycle = scene.cycle(cast.group_a, **december(cast))
    bread = scene.offer(cycle, cast.bakery, "Pain au levain", price_cents=455)
    cheese = scene.offer(cycle, cast.dairy, "Tomme", price_cents=2290, quantity_step=500, min_quantity=500)
    order(cycle, cast.member, (bread, 3000), (cheese, 1500))
    order(cycle, cast.member2, (bread, 1000))
    order(cycle, cast.beneficiary, (bread, 1000))
    order(cycle, cast.beneficiary, (bread, 0))
    run_tick(capture)  # opening
    mail.outbox.clear()
    close(cycle)
    return cycle


class TestRecap:
    def test_goes_to_everyone_with_something_ordered(self, cast: Cast, closed_cycle: Cycle, capture) -> None:
        done = run_tick(capture)
        assert done["allocated"] == [closed_cycle.pk]
        assert done["recapped"] == [] and mail.outbox == []  # the recap waits for the final basket
        finalise(cast, closed_cycle, capture)
        # Not Bernadette (her basket is empty), not those who never ordered.
        assert recipients() == sorted([cast.member.email, cast.member2.email])

    def test_amounts_are_the_persisted_ones_with_payment_instructions(
        self, cast: Cast, closed_cycle: Cycle, capture
    ) -> None:
        finalise_after_tick(cast, closed_cycle, capture)
        (recap,) = to(cast.member.email)
        lines = OrderLine.objects.filter(order__cycle=closed_cycle, order__user=cast.member)
        bread = lines.get(offer__producer=cast.bakery).total_cents
        cheese = lines.get(offer__producer=cast.dairy).total_cents
        assert (bread, cheese) == (1365, 3435)  # 3 x 4,55 ; 1,5 kg x 22,90
        body = recap.body
        for cents in (bread, cheese, bread + cheese):
            assert format_cents(cents, "fr") in body
        assert Order.objects.get(cycle=closed_cycle, user=cast.member).total_cents() == 4800
        # Payment: the bakery takes cash and cheques (to its name), the dairy transfers and cheques.
        assert "Fournil du Lauragais" in body
        assert "GAEC de la Bergerie" in body
        assert "FR76 3000 1007 9412 3456 7890 185" in body
        assert "Merci d’apporter l’appoint." in body
        assert "Salle des fêtes de Saint-Orens" in body
        assert in_language("fr", closed_cycle.distribution_date, "DATE_FORMAT") in body
        assert "17:00" in body
        assert recap.body.startswith("Bonjour Marie Membre,")
        (english,) = to(cast.member2.email)
        assert english.body.startswith("Hello Mehdi Member,")
        assert format_cents(455, "en") in english.body
        assert "FR76" not in english.body  # Mehdi buys nothing from the dairy

    def test_cannot_be_opted_out(self, cast: Cast, closed_cycle: Cycle, capture) -> None:
        User.objects.filter(pk=cast.member.pk).update(wants_announcements=False, wants_reminders=False)
        finalise_after_tick(cast, closed_cycle, capture)
        assert len(to(cast.member.email)) == 1

    def test_tells_changes_made_after_ordering_once(self, cast: Cast, closed_cycle: Cycle, capture) -> None:
        bread = closed_cycle.offers.get(name="Pain au levain")
        result = save_basket(
            cycle=closed_cycle,
            member=cast.member2,
            changes=[LineChange(bread.pk, 2000)],
            by=cast.coordinator,
            reason="Une miche de plus, demandée par téléphone",
        )
        assert result.ok
        finalise_after_tick(cast, closed_cycle, capture)
        (recap,) = to(cast.member2.email)
        assert "Une miche de plus, demandée par téléphone" in recap.body
        assert format_cents(910, "en") in recap.body
        assert not OrderChange.objects.filter(order__user=cast.member2, notified_at__isnull=True).exclude(
            kind=ChangeKind.MEMBER
        )
        mail.outbox.clear()
        tasks.send_order_changes.enqueue(result.order.pk if result.order else 0)
        assert mail.outbox == []  # already told in the recap


class TestRecapMoment:
    """One e-mail with the final basket: at finalisation, or by the clock shortly before the day."""

    def test_adjustments_wait_for_the_recap_which_finalising_sends_once(
        self, cast: Cast, closed_cycle: Cycle, capture
    ) -> None:
        assert run_tick(capture)["recapped"] == []
        bread = closed_cycle.offers.get(name="Pain au levain")
        with capture(execute=True):  # a coordinator's adjustment on behalf, told at once before
            result = save_basket(
                cycle=closed_cycle,
                member=cast.member2,
                changes=[LineChange(bread.pk, 2000)],
                by=cast.coordinator,
                reason="Une miche de plus",
                notify=True,
            )
        assert result.ok and mail.outbox == []  # held: the recap tells it
        finalise(cast, closed_cycle, capture)
        assert recipients() == sorted([cast.member.email, cast.member2.email])
        (recap,) = to(cast.member2.email)
        assert "Une miche de plus" in recap.body and format_cents(910, "en") in recap.body
        closed_cycle.refresh_from_db()
        assert closed_cycle.recap_sent_at is not None
        mail.outbox.clear()
        finalise(cast, closed_cycle, capture)  # a second click changes nothing
        assert run_tick(capture, clock.recap_fallback_time(closed_cycle))["recapped"] == []
        assert mail.outbox == []

    def test_reopened_and_finalised_again_no_second_recap_later_changes_told_alone(
        self, cast: Cast, closed_cycle: Cycle, capture
    ) -> None:
        finalise_after_tick(cast, closed_cycle, capture)
        mail.outbox.clear()
        with capture(execute=True):
            services.reopen_adjustments(cycle=closed_cycle, by=cast.coordinator)
        bread = closed_cycle.offers.get(name="Pain au levain")
        with capture(execute=True):
            save_basket(
                cycle=closed_cycle,
                member=cast.member2,
                changes=[LineChange(bread.pk, 2000)],
                by=cast.coordinator,
                reason="Rectifié",
                notify=True,
            )
        (notice,) = mail.outbox  # after the recap, a change is told on its own, at once
        assert notice.to == [cast.member2.email] and "Rectifié" in notice.body
        finalise(cast, closed_cycle, capture)
        assert len(mail.outbox) == 1  # no second recap

    def test_fallback_before_the_distribution_when_nobody_finalised(
        self, cast: Cast, closed_cycle: Cycle, capture
    ) -> None:
        run_tick(capture)
        closed_cycle.refresh_from_db()
        fallback = clock.recap_fallback_time(closed_cycle)
        assert fallback == closed_cycle.distribution_starts_at() - timedelta(hours=24)
        assert run_tick(capture, fallback - timedelta(minutes=1))["recapped"] == []
        assert mail.outbox == []
        assert run_tick(capture, fallback)["recapped"] == [closed_cycle.pk]
        assert run_tick(capture, fallback + timedelta(minutes=5))["recapped"] == []
        assert recipients() == sorted([cast.member.email, cast.member2.email])
        finalise(cast, closed_cycle, capture)  # finalised late: the recap went already
        assert len(mail.outbox) == 2

    def test_never_once_the_distribution_has_begun(self, cast: Cast, closed_cycle: Cycle, capture) -> None:
        run_tick(capture)
        closed_cycle.refresh_from_db()
        started = closed_cycle.distribution_starts_at() + timedelta(minutes=1)
        assert run_tick(capture, started)["recapped"] == []
        assert not clock.recap_due(closed_cycle, started)
        assert mail.outbox == []

    def test_the_status_panel_says_when_it_goes(self, cast: Cast, closed_cycle: Cycle, client_for) -> None:
        closed_cycle.refresh_from_db()
        page = client_for(cast.coordinator).get(reverse("manage_cycle", args=[A, closed_cycle.pk])).text
        when = in_language("fr", clock.recap_fallback_time(closed_cycle), "DATETIME_FORMAT")
        assert "quand vous finalisez" in page and f"finalisé le {when} (24 heures" in page


class TestFairShare:
    def test_split_before_the_recap_which_shows_asked_and_got(self, cast: Cast, capture) -> None:
        cycle = scene.cycle(cast.group_a, **december(cast))
        chickens = scene.offer(
            cycle,
            cast.dairy,
            "Poulet fermier",
            price_cents=1500,
            quota=5000,
            allocation=Allocation.FAIR_SHARE,
        )
        order(cycle, cast.member, (chickens, 3000))
        order(cycle, cast.member2, (chickens, 3000))
        order(cycle, cast.beneficiary, (chickens, 1000))
        run_tick(capture)
        mail.outbox.clear()
        close(cycle)
        done = run_tick(capture)
        assert done["allocated"] == [cycle.pk] and done["recapped"] == []
        finalise(cast, cycle, capture)
        cycle.refresh_from_db()
        assert cycle.allocated_at is not None and cycle.recap_sent_at is not None
        got = dict(OrderLine.objects.filter(offer=chickens).values_list("order__user__email", "quantity"))
        assert got == {cast.member.email: 2000, cast.member2.email: 2000, cast.beneficiary.email: 1000}
        (french,) = to(cast.member.email)
        asked_got = "asked %(asked)s, got %(got)s"
        assert gettext_in("fr", asked_got) % {"asked": "3", "got": "2"} in french.body
        assert format_cents(3000, "fr") in french.body  # 2 x 15,00, the persisted total
        assert format_cents(4500, "fr") not in french.body
        (english,) = to(cast.member2.email)
        assert "asked 3, got 2" in english.body
        (served,) = to(cast.beneficiary.email)
        assert "got" not in served.body  # she got what she asked
        assert not OrderChange.objects.filter(kind=ChangeKind.ALLOCATION, notified_at__isnull=True).exists()

    def test_member_who_got_nothing_is_told(self, cast: Cast, capture) -> None:
        cycle = scene.cycle(cast.group_a, **december(cast))
        lamb = scene.offer(cycle, cast.dairy, "Agneau", price_cents=1500, quota=1000, allocation="fair_share")
        order(cycle, cast.member, (lamb, 1000))
        order(cycle, cast.member2, (lamb, 1000))
        close(cycle)
        finalise_after_tick(cast, cycle, capture)
        quantities = dict(OrderLine.objects.filter(offer=lamb).values_list("order__user__email", "quantity"))
        assert sorted(quantities.values()) == [0, 1000]
        unlucky = next(email for email, quantity in quantities.items() if quantity == 0)
        assert len(to(unlucky)) == 1
        assert len(mail.outbox) == 2


class TestDeliveryFailure:
    def test_one_failure_does_not_stop_the_others_and_fails_the_task(self, cast: Cast, monkeypatch) -> None:
        cycle = scene.cycle(cast.group_a, **december(cast))
        real = tasks.send_templated

        def flaky(*, to: User, **kwargs: object) -> None:
            if to.pk == cast.member.pk:
                raise ConnectionError("SMTP server went away")
            real(to=to, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(tasks, "send_templated", flaky)
        result = tasks.send_opening.enqueue(cycle.pk)
        assert result.status == TaskResultStatus.FAILED
        assert result.errors[0].exception_class_path == "cabas.cycles.tasks.DeliveryError"
        assert len(mail.outbox) == 4
        assert cast.member.email not in recipients()

    def test_a_recap_that_failed_leaves_its_changes_untold(
        self, cast: Cast, closed_cycle: Cycle, capture, monkeypatch
    ) -> None:
        bread = closed_cycle.offers.get(name="Pain au levain")
        save_basket(
            cycle=closed_cycle,
            member=cast.member2,
            changes=[LineChange(bread.pk, 2000)],
            by=cast.coordinator,
            reason="Par téléphone",
        )

        def down(**kwargs: object) -> None:
            raise ConnectionError("SMTP server went away")

        monkeypatch.setattr(tasks, "send_templated", down)
        finalise_after_tick(cast, closed_cycle, capture)
        assert mail.outbox == []
        assert OrderChange.objects.filter(order__user=cast.member2, notified_at__isnull=True).exists()


# --- The clock: once, and only once ---------------------------------------------------------


def test_ticking_twice_sends_every_email_once(cast: Cast, capture) -> None:
    cycle = scene.cycle(cast.group_a, **december(cast))
    bread = scene.offer(cycle, cast.bakery, "Pain au levain", price_cents=450)
    order(cycle, cast.member, (bread, 2000))
    households = [cast.coordinator, cast.treasurer, cast.member, cast.member2, cast.beneficiary]

    first, second = run_tick(capture), run_tick(capture)
    assert first["announced"] == [cycle.pk] and second["announced"] == []
    assert len(mail.outbox) == len(households)

    mail.outbox.clear()
    reminder_time = cycle.closes_at - timedelta(hours=2)
    first, second = run_tick(capture, reminder_time), run_tick(capture, reminder_time + timedelta(minutes=1))
    assert first["reminded"] == [cycle.pk] and second["reminded"] == []
    assert len(mail.outbox) == len(households) - 1  # Marie confirmed

    mail.outbox.clear()
    close(cycle)
    cycle.refresh_from_db()
    fallback = clock.recap_fallback_time(cycle)
    first, second = run_tick(capture, fallback), run_tick(capture, fallback + timedelta(minutes=1))
    assert first["recapped"] == [cycle.pk]
    assert second == {"announced": [], "reminded": [], "allocated": [], "recapped": []}
    assert recipients() == [cast.member.email]


def test_clock_never_touches_cycles_long_closed(cast: Cast, capture) -> None:
    cycle = scene.cycle(cast.group_a, **december(cast))
    Cycle.objects.filter(pk=cycle.pk).update(
        opens_at=timezone.now() - timedelta(days=30), closes_at=timezone.now() - timedelta(days=20)
    )
    assert run_tick(capture) == {"announced": [], "reminded": [], "allocated": [], "recapped": []}
    cycle.refresh_from_db()
    assert cycle.allocated_at is None and cycle.recap_sent_at is None


def test_command_once(cast: Cast, capture, caplog) -> None:
    cycle = scene.cycle(cast.group_a, **december(cast))
    with capture(execute=True), caplog.at_level("INFO"):
        call_command("cabas_clock", "--once")
    assert len(mail.outbox) == 5
    assert f"announced [{cycle.pk}]" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_clocks_ticking_at_once_send_each_email_once() -> None:
    cast = build_cast()
    cycle = scene.cycle(cast.group_a, **december(cast))
    bread = scene.offer(cycle, cast.bakery, "Pain au levain", price_cents=450)
    order(cycle, cast.member, (bread, 1000))
    barrier = threading.Barrier(5)
    errors: list[BaseException] = []

    def run(now: datetime | None) -> None:
        barrier.wait()
        try:
            clock.tick(now)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    def race(now: datetime | None = None) -> None:
        threads = [threading.Thread(target=run, args=(now,)) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    race()
    race(cycle.closes_at - timedelta(hours=1))
    close(cycle)
    race()  # the split
    cycle.refresh_from_db()
    race(clock.recap_fallback_time(cycle))
    assert errors == []
    subjects = [(m.to[0], m.subject) for m in mail.outbox]
    assert len(subjects) == len(set(subjects)), subjects
    assert len(subjects) == 5 + 4 + 1  # openings, reminders (Marie confirmed), Marie's recap


# --- Preferences --------------------------------------------------------------------


def test_profile_saves_the_email_preferences(cast: Cast, client_for) -> None:
    client = client_for(cast.member)
    data = {"full_name": "Marie Membre", "phone": "", "language": "fr"}
    response = client.post(reverse("profile"), data)  # both boxes unticked
    assert response.status_code == 302
    cast.member.refresh_from_db()
    assert (cast.member.wants_announcements, cast.member.wants_reminders) == (False, False)
    client.post(reverse("profile"), {**data, "wants_reminders": "on"})
    cast.member.refresh_from_db()
    assert (cast.member.wants_announcements, cast.member.wants_reminders) == (False, True)
    page = client.get(reverse("profile")).text
    assert 'name="wants_announcements"' in page and 'name="wants_reminders"' in page


class TestReminderHoursSetting:
    def data(self, hours: object) -> dict[str, object]:
        return {
            "name": "Cabas de Saint-Orens",
            "description": "",
            "place": "",
            "distribution_info": "",
            "contact_email": "",
            "contact_phone": "",
            "requires_approval": "on",
            "reminder_hours": hours,
            "max_line_units": 99,
        }

    def test_saved(self, cast: Cast, client_for) -> None:
        response = client_for(cast.coordinator).post(reverse("manage_settings", args=[A]), self.data(24))
        assert response.status_code == 302
        cast.group_a.refresh_from_db()
        assert cast.group_a.reminder_hours == 24

    @pytest.mark.parametrize("hours", [0, 1000, -3, ""])
    def test_out_of_range_is_refused(self, cast: Cast, client_for, hours: object) -> None:
        response = client_for(cast.coordinator).post(reverse("manage_settings", args=[A]), self.data(hours))
        assert response.status_code == 200
        assert 'id="id_reminder_hours_error"' in response.text
        cast.group_a.refresh_from_db()
        assert cast.group_a.reminder_hours == 48
