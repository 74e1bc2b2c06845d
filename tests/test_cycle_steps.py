"""Coordinators move a cycle on by hand: close the orders now, finalise it, reopen its adjustments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from cabas.cycles import services
from cabas.cycles.models import Cycle, CycleEvent, Phase, Step
from cabas.cycles.ordering import LineChange, save_basket
from cabas.cycles.signals import cycle_changed
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_offer

A = "saint-orens"


def step_url(cycle: Cycle) -> str:
    return reverse("manage_cycle_step", args=[A, cycle.pk])


def fresh(cycle: Cycle) -> Cycle:
    return Cycle.objects.get(pk=cycle.pk)


def french(message: str) -> str:
    with translation.override("fr"):
        return translation.gettext(message)


class TestServices:
    def test_close_now_ends_the_window_and_refuses_orders(self, cast: Cast) -> None:
        cycle = make_cycle(cast.group_a)
        bread = make_offer(cycle, cast.bakery, "Pain")
        before = timezone.now()
        services.close_now(cycle=cycle, by=cast.coordinator)
        cycle = fresh(cycle)
        assert cycle.phase() == Phase.CLOSED
        assert before <= cycle.closes_at <= timezone.now()
        result = save_basket(
            cycle=cycle, member=cast.member, changes=[LineChange(bread.pk, 1000)], by=cast.member
        )
        assert not result.ok and result.refused

    def test_close_now_at_the_first_second_keeps_the_window_valid(self, cast: Cast) -> None:
        cycle = make_cycle(cast.group_a)
        now = timezone.now()
        Cycle.objects.filter(pk=cycle.pk).update(opens_at=now)
        services.close_now(cycle=fresh(cycle), by=cast.coordinator)
        cycle = fresh(cycle)
        assert cycle.closes_at > cycle.opens_at

    @pytest.mark.parametrize("phase", ["closed", "finalised"])
    def test_only_an_open_cycle_can_be_closed(self, cast: Cast, phase: str) -> None:
        cycle = make_cycle(cast.group_a, phase=phase)
        closes_at = cycle.closes_at
        with pytest.raises(services.CycleError):
            services.close_now(cycle=cycle, by=cast.coordinator)
        assert fresh(cycle).closes_at == closes_at

    def test_a_scheduled_cycle_cannot_be_closed(self, cast: Cast) -> None:
        cycle = make_cycle(cast.group_a)
        Cycle.objects.filter(pk=cycle.pk).update(opens_at=timezone.now() + timedelta(days=1))
        with pytest.raises(services.CycleError):
            services.close_now(cycle=fresh(cycle), by=cast.coordinator)

    def test_finalise_then_reopen(self, cast: Cast) -> None:
        cycle = make_cycle(cast.group_a, phase="closed")
        services.finalise(cycle=cycle, by=cast.coordinator)
        assert fresh(cycle).phase() == Phase.FINALISED
        assert not fresh(cycle).accepts_adjustments()
        services.finalise(cycle=cycle, by=cast.coordinator)  # a second click changes nothing
        services.reopen_adjustments(cycle=cycle, by=cast.coordinator)
        assert fresh(cycle).phase() == Phase.CLOSED
        assert fresh(cycle).finalised_at is None

    def test_an_open_cycle_cannot_be_finalised(self, cast: Cast) -> None:
        cycle = make_cycle(cast.group_a)
        with pytest.raises(services.CycleError):
            services.finalise(cycle=cycle, by=cast.coordinator)
        with pytest.raises(services.CycleError):
            services.reopen_adjustments(cycle=cycle, by=cast.coordinator)
        assert fresh(cycle).finalised_at is None

    def test_each_step_is_announced_after_commit(
        self, cast: Cast, django_capture_on_commit_callbacks
    ) -> None:
        heard: list[int] = []

        def listen(sender: object, cycle_id: int, **kwargs: object) -> None:
            heard.append(cycle_id)

        cycle_changed.connect(listen, dispatch_uid="test-steps")
        try:
            cycle = make_cycle(cast.group_a)
            with django_capture_on_commit_callbacks(execute=True):
                services.close_now(cycle=cycle, by=cast.coordinator)
                assert heard == []  # not before the commit
            with django_capture_on_commit_callbacks(execute=True):
                services.finalise(cycle=cycle, by=cast.coordinator)
        finally:
            cycle_changed.disconnect(dispatch_uid="test-steps")
        assert heard == [cycle.pk, cycle.pk]


class TestView:
    def test_coordinator_closes_the_orders(self, cast: Cast, client_for: Callable[..., Client]) -> None:
        cycle = make_cycle(cast.group_a)
        response = client_for(cast.coordinator).post(step_url(cycle), {"action": "close"}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("manage_cycle", args=[A, cycle.pk])
        assert fresh(cycle).phase() == Phase.CLOSED
        page = response.content.decode()
        assert french("Round the cartons") in page
        assert french("Finalise: adjustments are done") in page

    def test_refusal_is_shown_and_changes_nothing(
        self, cast: Cast, client_for: Callable[..., Client]
    ) -> None:
        cycle = make_cycle(cast.group_a, phase="closed")
        closes_at = cycle.closes_at
        response = client_for(cast.coordinator).post(step_url(cycle), {"action": "close"}, follow=True)
        assert french("Only a cycle open for orders can be closed.") in response.content.decode()
        assert fresh(cycle).closes_at == closes_at

    def test_unknown_action(self, cast: Cast, client_for: Callable[..., Client]) -> None:
        cycle = make_cycle(cast.group_a)
        response = client_for(cast.coordinator).post(step_url(cycle), {"action": "explode"}, follow=True)
        assert french("Unknown action.") in response.content.decode()
        assert fresh(cycle).phase() == Phase.OPEN

    def test_finalise_and_reopen(self, cast: Cast, client_for: Callable[..., Client]) -> None:
        cycle = make_cycle(cast.group_a, phase="closed")
        client = client_for(cast.coordinator)
        client.post(step_url(cycle), {"action": "finalise"})
        assert fresh(cycle).phase() == Phase.FINALISED
        page = client.get(reverse("manage_cycle", args=[A, cycle.pk])).content.decode()
        assert french("Reopen the adjustments") in page
        client.post(step_url(cycle), {"action": "reopen"})
        assert fresh(cycle).phase() == Phase.CLOSED

    def test_get_is_refused(self, cast: Cast, client_for: Callable[..., Client]) -> None:
        cycle = make_cycle(cast.group_a)
        assert client_for(cast.coordinator).get(step_url(cycle)).status_code == 405
        assert fresh(cycle).phase() == Phase.OPEN

    @pytest.mark.parametrize("who", ["member", "producer_user", "coordinator_b"])
    def test_others_are_refused(self, cast: Cast, client_for: Callable[..., Client], who: str) -> None:
        cycle = make_cycle(cast.group_a)
        response = client_for(getattr(cast, who)).post(step_url(cycle), {"action": "close"})
        assert response.status_code == 403
        assert fresh(cycle).phase() == Phase.OPEN

    def test_another_groups_cycle_is_404(self, cast: Cast, client_for: Callable[..., Client]) -> None:
        theirs = make_cycle(cast.group_b)
        response = client_for(cast.coordinator).post(
            reverse("manage_cycle_step", args=[A, theirs.pk]), {"action": "close"}
        )
        assert response.status_code == 404
        assert fresh(theirs).phase() == Phase.OPEN


def test_the_cycles_list_shows_the_newest_first(cast: Cast, client_for: Callable[..., Client]) -> None:
    """With its counts and totals (an aggregate, where Django drops Meta.ordering)."""
    old = make_cycle(cast.group_a, phase="closed", name="Cabas de septembre")
    Cycle.objects.filter(pk=old.pk).update(distribution_date=timezone.localdate() - timedelta(days=60))
    make_cycle(cast.group_a, name="Cabas de décembre")
    page = client_for(cast.coordinator).get(reverse("manage_cycles", args=[A])).text
    assert page.index("Cabas de décembre") < page.index("Cabas de septembre")
    assert "Copier « Cabas de décembre »" in " ".join(page.split()).replace("“", "« ").replace("”", " »")


def _in_phase(cast: Cast, phase: Phase) -> Cycle:
    """A cycle of group A in ``phase``, with a product on offer."""
    made = "finalised" if phase == Phase.DISTRIBUTED else phase
    cycle = make_cycle(cast.group_a, phase="open" if phase in {Phase.DRAFT, Phase.SCHEDULED} else made)
    make_offer(cycle, cast.bakery, "Pain")
    if phase == Phase.DISTRIBUTED:
        Cycle.objects.filter(pk=cycle.pk).update(distributed_at=timezone.now())
    if phase == Phase.DRAFT:
        Cycle.objects.filter(pk=cycle.pk).update(published_at=None)
    if phase == Phase.SCHEDULED:
        Cycle.objects.filter(pk=cycle.pk).update(opens_at=timezone.now() + timedelta(hours=1))
    cycle = fresh(cycle)
    assert cycle.phase() == phase
    return cycle


STEP_FROM = {
    Step.PUBLISH: Phase.DRAFT,
    Step.UNPUBLISH: Phase.SCHEDULED,
    Step.CLOSE: Phase.OPEN,
    Step.FINALISE: Phase.CLOSED,
    Step.REOPEN: Phase.FINALISED,
    Step.DISTRIBUTE: Phase.FINALISED,
    Step.SETTLE: Phase.DISTRIBUTED,  # nothing owed on it: it balances
}


class TestStepHistory:
    @pytest.mark.parametrize("step", list(Step))
    def test_each_step_records_who_took_it_and_when(self, cast: Cast, step: Step) -> None:
        cycle = _in_phase(cast, STEP_FROM[step])
        before = timezone.now()
        services.take_step(cycle=cycle, step=step, by=cast.coordinator)
        event = CycleEvent.objects.get(cycle=cycle)
        assert (event.step, event.by) == (step, cast.coordinator)
        assert before <= event.at <= timezone.now()
        assert fresh(cycle).phase() != STEP_FROM[step]

    @pytest.mark.parametrize(
        "step", [Step.UNPUBLISH, Step.CLOSE, Step.FINALISE, Step.REOPEN, Step.DISTRIBUTE]
    )
    def test_a_step_in_the_wrong_phase_is_refused_and_records_nothing(self, cast: Cast, step: Step) -> None:
        wrong = Phase.OPEN if step != Step.CLOSE else Phase.CLOSED
        if step == Step.FINALISE:
            wrong = Phase.OPEN
        cycle = _in_phase(cast, wrong)
        stored = Cycle.objects.filter(pk=cycle.pk).values().get()
        with pytest.raises(services.CycleError):
            services.take_step(cycle=cycle, step=step, by=cast.coordinator)
        assert not CycleEvent.objects.exists()
        assert Cycle.objects.filter(pk=cycle.pk).values().get() == stored

    def test_a_refused_publication_records_nothing(self, cast: Cast) -> None:
        cycle = _in_phase(cast, Phase.DRAFT)
        cycle.offers.all().delete()
        with pytest.raises(services.CycleError):
            services.take_step(cycle=cycle, step=Step.PUBLISH, by=cast.coordinator)
        assert not CycleEvent.objects.exists() and fresh(cycle).published_at is None

    def test_a_step_already_taken_records_nothing_more(self, cast: Cast) -> None:
        cycle = _in_phase(cast, Phase.CLOSED)
        services.finalise(cycle=cycle, by=cast.coordinator)
        services.finalise(cycle=cycle, by=cast.member)
        assert list(CycleEvent.objects.values_list("by", flat=True)) == [cast.coordinator.pk]

    def test_the_cycle_page_shows_the_history_in_french(
        self, cast: Cast, client_for: Callable[..., Client]
    ) -> None:
        cycle = _in_phase(cast, Phase.CLOSED)
        services.finalise(cycle=cycle, by=cast.coordinator)
        at = timezone.localtime(timezone.make_aware(datetime(2025, 12, 3, 18, 2)))
        CycleEvent.objects.update(at=at)
        page = client_for(cast.coordinator).get(
            reverse("manage_cycle", args=[A, cycle.pk]), headers={"accept-language": "fr"}
        )
        text = " ".join(page.content.decode().split())
        assert "Finalisé par Claire Coordinatrice le 3 décembre à 18 h 02" in text
