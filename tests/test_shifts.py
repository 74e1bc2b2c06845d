"""Volunteer shifts: signing up and cancelling, coordinators' changes, the e-mailed link, fairness."""

from __future__ import annotations

import time as time_module
from datetime import time, timedelta
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from cabas.accounts import services as accounts
from cabas.shifts import links, queries, services
from cabas.shifts.models import Exemption, Kind, PastHelp, Rules, Shift, Signup
from tests import scene
from tests.cast import Cast
from tests.shift_fixtures import Roster, past_cycle, roster

pytestmark = pytest.mark.django_db
A = "saint-orens"


@pytest.fixture
def shifts(cast: Cast) -> Roster:
    """Group A's open cycle with its usual shifts, nobody signed up."""
    return roster(cast)


def taken(shift: Shift) -> int:
    shift.refresh_from_db()
    assert shift.taken == Signup.objects.active().filter(shift=shift).count()
    return shift.taken


# --- Setting the shifts --------------------------------------------------------------------------


def test_a_first_cycle_starts_from_the_usual_shifts(shifts: Roster) -> None:
    kinds = list(
        Shift.objects.filter(cycle=shifts.cycle).values_list("kind", "starts_at", "ends_at", "capacity")
    )
    assert kinds == [
        (Kind.SETUP, time(16, 45), time(17, 30), 3),
        (Kind.CASHIER, time(17, 30), time(19, 30), 1),
        (Kind.DESK, time(17, 30), time(19, 30), 2),
        (Kind.STANDS, time(17, 30), time(19, 30), 2),
        (Kind.TIDY, time(19, 15), time(20, 15), 3),
    ]


def test_a_new_cycle_copies_the_previous_cycles_shifts_with_nobody_signed_up(shifts: Roster) -> None:
    cast = shifts.cast
    services.edit_shift(
        shift=shifts.tidy,
        fields={
            "kind": Kind.TIDY,
            "label": "et vaisselle",
            "starts_at": time(19),
            "ends_at": time(20),
            "capacity": 4,
        },
    )
    services.sign_up(shift=shifts.tidy, user=cast.member)
    later = scene.cycle(
        cast.group_a,
        name="Cabas de juillet",
        distribution_date=shifts.cycle.distribution_date + timedelta(days=60),
    )
    copied = Shift.objects.get(cycle=later, kind=Kind.TIDY)
    assert (copied.label, copied.starts_at, copied.capacity, copied.taken) == ("et vaisselle", time(19), 4, 0)
    assert Shift.objects.filter(cycle=later).count() == 5
    # Another group's new cycle copies nothing of A's.
    assert not Shift.objects.filter(cycle=scene.cycle(cast.group_b)).exists()


def test_copying_into_a_cycle_with_shifts_changes_nothing(shifts: Roster) -> None:
    assert services.copy_shifts(cycle=shifts.cycle) == 0
    assert Shift.objects.filter(cycle=shifts.cycle).count() == 5


def test_places_cannot_go_below_the_people_signed_up(shifts: Roster) -> None:
    cast = shifts.cast
    services.sign_up(shift=shifts.desk, user=cast.member)
    services.sign_up(shift=shifts.desk, user=cast.member2)
    fields = {"kind": Kind.DESK, "label": "", "starts_at": time(17), "ends_at": time(19), "capacity": 1}
    with pytest.raises(services.ShiftError, match="2"):
        services.edit_shift(shift=shifts.desk, fields=fields)
    shifts.desk.refresh_from_db()
    assert (shifts.desk.capacity, shifts.desk.starts_at) == (2, time(17, 30))
    with pytest.raises(services.ShiftError):
        services.delete_shift(shift=shifts.desk)


# --- Signing up and cancelling ------------------------------------------------------------------


def test_signing_up_takes_a_place_once(shifts: Roster) -> None:
    cast = shifts.cast
    first = services.sign_up(shift=shifts.desk, user=cast.member)
    again = services.sign_up(shift=shifts.desk, user=cast.member)
    assert first.created and not again.created and again.signup.pk == first.signup.pk
    assert taken(shifts.desk) == 1


def test_a_full_shift_refuses_with_a_message(shifts: Roster) -> None:
    cast = shifts.cast
    services.sign_up(shift=shifts.desk, user=cast.member)
    services.sign_up(shift=shifts.desk, user=cast.member2)
    with pytest.raises(services.ShiftError, match="complet"):
        services.sign_up(shift=shifts.desk, user=cast.beneficiary)
    assert taken(shifts.desk) == 2


def test_only_households_of_the_group_sign_up(shifts: Roster) -> None:
    cast = shifts.cast
    for outsider in (cast.member_b, cast.producer_user, cast.outsider):
        with pytest.raises(services.ShiftError):
            services.sign_up(shift=shifts.desk, user=outsider)
    assert taken(shifts.desk) == 0


def test_cancelling_frees_the_place_until_the_deadline(shifts: Roster) -> None:
    cast = shifts.cast
    signup = services.sign_up(shift=shifts.desk, user=cast.member).signup
    assert services.cancel(signup=signup, by=cast.member)
    assert not services.cancel(signup=signup, by=cast.member)  # a second click
    assert taken(shifts.desk) == 0
    signup = services.sign_up(shift=shifts.desk, user=cast.member).signup
    with (
        scene.at(shifts.desk.starts() - timedelta(hours=47)),
        pytest.raises(services.ShiftError, match="référent"),
    ):
        services.cancel(signup=signup, by=cast.member)
    assert taken(shifts.desk) == 1
    # A coordinator may still take them off.
    assert services.remove(signup=signup, by=cast.coordinator)
    assert taken(shifts.desk) == 0


def test_a_shift_over_refuses_households_but_not_coordinators(shifts: Roster) -> None:
    cast = shifts.cast
    with scene.at(shifts.tidy.ends() + timedelta(minutes=1)):
        with pytest.raises(services.ShiftError):
            services.sign_up(shift=shifts.tidy, user=cast.member)
        outcome = services.sign_up(shift=shifts.tidy, user=cast.member, by=cast.coordinator, coordinator=True)
    assert outcome.created and outcome.signup.added_by == cast.coordinator


def test_moving_someone_keeps_both_counts_true(shifts: Roster) -> None:
    cast = shifts.cast
    signup = services.sign_up(shift=shifts.setup, user=cast.member).signup
    outcome = services.move(signup=signup, to=shifts.tidy, by=cast.coordinator)
    assert outcome.created
    assert (taken(shifts.setup), taken(shifts.tidy)) == (0, 1)
    other = roster(cast, scene.cycle(cast.group_a, name="Autre"))
    with pytest.raises(services.ShiftError):
        services.move(signup=outcome.signup, to=other.tidy, by=cast.coordinator)


def test_moving_to_a_full_shift_changes_nothing(shifts: Roster) -> None:
    cast = shifts.cast
    services.sign_up(shift=shifts.desk, user=cast.member2)
    services.sign_up(shift=shifts.desk, user=cast.beneficiary)
    signup = services.sign_up(shift=shifts.setup, user=cast.member).signup
    with pytest.raises(services.ShiftError):
        services.move(signup=signup, to=shifts.desk, by=cast.coordinator)
    assert (taken(shifts.setup), taken(shifts.desk)) == (1, 2)


# --- Views of households -----------------------------------------------------------------------


def test_shifts_page_and_signing_up_from_it(shifts: Roster, client_for) -> None:
    cast = shifts.cast
    client = client_for(cast.member)
    page = client.get(reverse("shifts", args=[A]))
    assert page.status_code == 200
    assert "Accueil" in page.content.decode() or "Welcome desk" in page.content.decode()
    response = client.post(reverse("shift_signup", args=[A, shifts.desk.pk]))
    assert response.status_code == 302 and response.url == reverse("shifts", args=[A])
    assert taken(shifts.desk) == 1
    client.post(reverse("shift_signup", args=[A, shifts.desk.pk]))  # a double submit
    assert taken(shifts.desk) == 1
    page = client.get(reverse("shifts", args=[A])).content.decode()
    assert "inscrit" in page


def test_signing_up_from_the_basket_page_comes_back_to_it(shifts: Roster, client_for) -> None:
    cast = shifts.cast
    client = client_for(cast.member)
    order_url = reverse("order", args=[A, shifts.cycle.pk])
    page = client.get(order_url).content.decode()
    assert "Il manque 3 personnes pour l’installation (16:45–17:30)" in page
    response = client.post(
        reverse("shift_signup", args=[A, shifts.setup.pk]), {"next": order_url + "#shift-notice-title"}
    )
    assert response.url == order_url + "#shift-notice-title"
    page = client.get(order_url).content.decode()
    assert "Vous êtes inscrit·e pour Installation" in page
    # An address off the site is not followed.
    response = client.post(
        reverse("shift_signup", args=[A, shifts.tidy.pk]), {"next": "https://evil.example/"}
    )
    assert response.url == reverse("shifts", args=[A])


def test_another_groups_shift_is_a_404(shifts: Roster, client_for) -> None:
    cast = shifts.cast
    other = roster(cast, scene.cycle(cast.group_b))
    client = client_for(cast.member)
    assert client.post(reverse("shift_signup", args=[A, other.desk.pk])).status_code == 404
    signup = services.sign_up(shift=other.desk, user=cast.member_b).signup
    assert client.post(reverse("shift_cancel", args=[A, signup.pk])).status_code == 404
    assert Signup.objects.active().filter(pk=signup.pk).exists()  # not theirs: nothing cancelled


def test_a_late_cancel_says_to_ask_a_coordinator(shifts: Roster, client_for) -> None:
    cast = shifts.cast
    signup = services.sign_up(shift=shifts.desk, user=cast.member).signup
    Rules.objects.create(group=cast.group_a, cancel_hours=24 * 10)
    client = client_for(cast.member)
    response = client.post(reverse("shift_cancel", args=[A, signup.pk]), follow=True)
    assert "référent" in response.content.decode()
    assert taken(shifts.desk) == 1


# --- The e-mailed link ---------------------------------------------------------------------------


def test_the_link_asks_to_confirm_then_signs_up_without_logging_in(shifts: Roster, client) -> None:
    cast = shifts.cast
    url = links.link(shifts.tidy, cast.member)
    page = client.get(url)
    assert page.status_code == 200 and "Marie Membre" in page.content.decode()
    assert taken(shifts.tidy) == 0  # opening the link (or a mail scanner) signs nobody up
    response = client.post(url)
    assert response.status_code == 302
    assert taken(shifts.tidy) == 1
    assert "Merci" in client.get(url).content.decode()
    client.post(url)  # again: nothing more
    assert taken(shifts.tidy) == 1


def test_a_forged_or_expired_link_does_nothing(shifts: Roster, client) -> None:
    cast = shifts.cast
    token = links.make_token(shifts.tidy, cast.member)
    forged = signing.dumps([shifts.tidy.pk, cast.member2.pk], salt="other")
    assert client.post(reverse("shift_link", args=[forged])).status_code == 404
    assert client.post(reverse("shift_link", args=[token[:-2] + "xx"])).status_code == 404
    later = time_module.time() + links.MAX_AGE.total_seconds() + 60
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert client.post(reverse("shift_link", args=[token])).status_code == 410
    assert taken(shifts.tidy) == 0


def test_a_link_to_a_full_shift_says_so(shifts: Roster, client) -> None:
    cast = shifts.cast
    services.sign_up(shift=shifts.desk, user=cast.member2)
    services.sign_up(shift=shifts.desk, user=cast.beneficiary)
    response = client.post(links.link(shifts.desk, cast.member))
    assert response.status_code == 409 and "complet" in response.content.decode()


# --- Coordinators --------------------------------------------------------------------------------


def test_coordinators_set_shifts_and_put_people_on_them(shifts: Roster, client_for) -> None:
    cast = shifts.cast
    client = client_for(cast.coordinator)
    base = reverse("manage_shifts", args=[A, shifts.cycle.pk])
    assert client.get(base).status_code == 200
    response = client.post(
        base + "add/",
        {"kind": "stands", "label": "fromagerie", "starts_at": "17:30", "ends_at": "18:30", "capacity": "1"},
    )
    assert response.status_code == 302
    added = Shift.objects.get(cycle=shifts.cycle, label="fromagerie")
    bad = client.post(
        base + "add/", {"kind": "stands", "starts_at": "18:30", "ends_at": "17:30", "capacity": "1"}
    )
    assert bad.status_code == 400 and Shift.objects.filter(cycle=shifts.cycle).count() == 6
    client.post(base + "people/", {"shift": added.pk, "user": cast.beneficiary.pk})
    assert taken(added) == 1
    signup = Signup.objects.get(shift=added)
    assert signup.added_by == cast.coordinator
    client.post(base + f"signups/{signup.pk}/", {"action": "move", "to": shifts.desk.pk})
    assert (taken(added), taken(shifts.desk)) == (0, 1)
    moved = Signup.objects.active().get(shift=shifts.desk)
    client.post(base + f"signups/{moved.pk}/", {"action": "absent"})
    assert Signup.objects.get(pk=moved.pk).absent
    # Another group's household cannot be put on a shift of A.
    assert client.post(base + "people/", {"shift": added.pk, "user": cast.member_b.pk}).status_code == 404
    client.post(base + f"{added.pk}/delete/")
    assert not Shift.objects.filter(pk=added.pk).exists()


def test_fairness_counts_help_given_and_keeps_exemptions_private(shifts: Roster, client_for) -> None:
    cast = shifts.cast
    past_shifts = roster(cast, past_cycle(cast, 40))
    services.sign_up(shift=past_shifts.desk, user=cast.member, by=cast.coordinator, coordinator=True)
    absent = services.sign_up(
        shift=past_shifts.tidy, user=cast.member2, by=cast.coordinator, coordinator=True
    )
    services.mark_absent(signup=absent.signup, absent=True)
    PastHelp.objects.create(
        group=cast.group_a, user=cast.member, day=timezone.localdate() - timedelta(days=200), what="x"
    )
    PastHelp.objects.create(
        group=cast.group_a, user=cast.member, day=timezone.localdate() - timedelta(days=400), what="x"
    )
    services.exempt(
        group=cast.group_a, user=cast.beneficiary, reason="health", note="genou", by=cast.coordinator
    )
    rows = {row.user: row for row in queries.fairness(cast.group_a, "name")}
    assert rows[cast.member].count == 2  # the shift and the help recorded 200 days ago, not 400
    assert rows[cast.member2].count == 0  # marked as absent
    assert rows[cast.beneficiary].exemption is not None
    page = (
        client_for(cast.coordinator).get(reverse("manage_fairness", args=[A]) + "?sort=last").content.decode()
    )
    assert "genou" in page
    own = client_for(cast.beneficiary).get(reverse("shifts", args=[A])).content.decode()
    assert "genou" not in own and "Santé" not in own
    assert "2 fois" in client_for(cast.member).get(reverse("shifts", args=[A])).content.decode()


def test_the_yearly_rule_is_a_nudge_never_a_block(shifts: Roster, client_for) -> None:
    cast = shifts.cast
    services.save_rules(group=cast.group_a, cancel_hours=48, yearly_help=True, call_after_cycles=3)
    client = client_for(cast.member)
    page = client.get(reverse("order", args=[A, shifts.cycle.pk]))
    assert page.status_code == 200 and "au moins une fois par an" in page.content.decode()
    assert 'id="basket"' in page.content.decode()  # still free to order
    # Never to an exempted household.
    services.exempt(group=cast.group_a, user=cast.member, reason="age", note="", by=cast.coordinator)
    assert (
        "au moins une fois par an"
        not in client.get(reverse("order", args=[A, shifts.cycle.pk])).content.decode()
    )
    assert "au moins une fois par an" not in client.get(reverse("shifts", args=[A])).content.decode()


def test_the_call_goes_to_households_who_have_not_helped_lately(shifts: Roster) -> None:
    cast = shifts.cast
    past = roster(cast, past_cycle(cast, 30))
    services.sign_up(shift=past.desk, user=cast.member, by=cast.coordinator, coordinator=True)
    services.sign_up(shift=shifts.tidy, user=cast.member2)
    Exemption.objects.create(group=cast.group_a, user=cast.beneficiary, reason="age")
    called = set(queries.to_call(shifts.cycle, 3))
    assert cast.member not in called  # helped last time
    assert cast.member2 not in called  # already signed up
    assert cast.beneficiary not in called  # exempted
    assert cast.treasurer in called
    assert cast.producer_user not in called and cast.member_b not in called


# --- The desk team --------------------------------------------------------------------------------


def test_the_desk_shift_volunteers_may_use_the_desk_that_day(shifts: Roster, client_for) -> None:
    cast = shifts.cast
    scene.set_phase(shifts.cycle, "finalised")
    desk = reverse("day_desk", args=[A, shifts.cycle.pk])
    client = client_for(cast.member)
    assert client.get(desk).status_code == 403
    signup = services.sign_up(shift=shifts.desk, user=cast.member).signup
    page = client.get(desk)
    assert page.status_code == 200 and "Marie Membre" in page.content.decode()
    assert "Accueil" in client.get(reverse("group_detail", args=[A])).content.decode()
    services.remove(signup=signup, by=cast.coordinator)
    assert client.get(desk).status_code == 403
    # Signed up for the tidy-up only: not the desk.
    services.sign_up(shift=shifts.tidy, user=cast.member)
    assert client.get(desk).status_code == 403


def test_shift_sheet_pdf(shifts: Roster, client_for) -> None:
    cast = shifts.cast
    services.sign_up(shift=shifts.desk, user=cast.member)
    response = client_for(cast.coordinator).get(reverse("reports_shift_sheet", args=[A, shifts.cycle.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert (
        client_for(cast.member).get(reverse("reports_shift_sheet", args=[A, shifts.cycle.pk])).status_code
        == 403
    )


def test_a_member_leaving_is_not_called(shifts: Roster) -> None:
    cast = shifts.cast
    accounts.end_membership(membership=cast.membership(cast.treasurer))
    assert cast.treasurer not in queries.to_call(shifts.cycle, 3)


def test_coordinators_set_rules_exemptions_and_help_given_before(shifts: Roster, client_for) -> None:
    cast = shifts.cast
    client = client_for(cast.coordinator)
    manage = reverse("manage_fairness", args=[A])
    response = client.post(
        manage + "rules/", {"cancel_hours": "24", "yearly_help": "on", "call_after_cycles": "2"}
    )
    assert response.status_code == 302
    rules = Rules.of(cast.group_a)
    assert (rules.cancel_hours, rules.yearly_help, rules.call_after_cycles) == (24, True, 2)
    assert client.post(manage + "rules/", {"cancel_hours": "-1", "call_after_cycles": "0"}).status_code == 400
    assert Rules.of(cast.group_a).cancel_hours == 24
    client.post(manage + "exemptions/", {"user": cast.member.pk, "reason": "board", "note": "trésorière"})
    assert Exemption.objects.get(user=cast.member).reason == "board"
    client.post(manage + "exemptions/", {"user": cast.member.pk, "reason": "nonsense"})
    assert Exemption.objects.get(user=cast.member).reason == "board"  # refused, unchanged
    client.post(manage + "exemptions/", {"user": cast.member.pk, "end": "1"})
    assert not Exemption.objects.filter(user=cast.member).exists()
    assert client.post(manage + "exemptions/", {"user": cast.member_b.pk, "reason": "age"}).status_code == 404
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    refused = client.post(
        manage + "past-help/", {"user": cast.member.pk, "day": future, "what": "Inventaire"}
    )
    assert refused.status_code == 400 and not PastHelp.objects.exists()
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    client.post(manage + "past-help/", {"user": cast.member.pk, "day": past, "what": "Inventaire"})
    assert queries.own_help(cast.group_a, cast.member).count == 1
