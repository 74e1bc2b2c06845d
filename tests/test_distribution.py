"""The distribution day's journal: each action once, money through the ledger, every view agreeing."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cabas.accounts.models import User
from cabas.cycles.models import ChangeKind, Cycle, Offer, OrderChange, OrderLine
from cabas.cycles.ordering import LineChange, save_basket
from cabas.distribution import services
from cabas.distribution.models import Event, EventKind
from cabas.distribution.services import Action, Refused, Scope
from cabas.distribution.state import load_day
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Entry, Line
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_offer

_ids = itertools.count(1)


@dataclass
class Scene:
    cast: Cast
    cycle: Cycle
    bread: Offer  # bakery, 5,20 €
    tomme: Offer  # dairy, variable weight, 23,90 €/kg, ~750 g a piece
    yoghurt: Offer  # dairy, 0,95 €

    def line(self, member: User, offer: Offer) -> OrderLine:
        return OrderLine.objects.get(order__cycle=self.cycle, order__user=member, offer=offer)

    def order_id(self, member: User) -> int:
        return (
            self.line(member, self.bread).order_id
            if self.has(member, self.bread)
            else self.any_line(member).order_id
        )

    def has(self, member: User, offer: Offer) -> bool:
        return OrderLine.objects.filter(order__cycle=self.cycle, order__user=member, offer=offer).exists()

    def any_line(self, member: User) -> OrderLine:
        return OrderLine.objects.filter(order__cycle=self.cycle, order__user=member).first()  # type: ignore[return-value]


def _order(cycle: Cycle, member: User, quantities: dict[Offer, int]) -> None:
    changes = [LineChange(offer.pk, quantity) for offer, quantity in quantities.items()]
    assert save_basket(cycle=cycle, member=member, changes=changes, by=member).ok


@pytest.fixture
def scene(cast: Cast) -> Scene:
    cycle = make_cycle(cast.group_a)
    bread = make_offer(cycle, cast.bakery, "Pain complet", price_cents=520)
    tomme = make_offer(cycle, cast.dairy, "Tomme", price_cents=2390, estimated_weight_grams=750)
    yoghurt = make_offer(cycle, cast.dairy, "Yaourt", price_cents=95)
    _order(cycle, cast.member, {bread: 2000, tomme: 1000})
    _order(cycle, cast.member2, {bread: 1000, yoghurt: 6000})
    _order(cycle, cast.beneficiary, {tomme: 2000, yoghurt: 4000})
    Cycle.objects.filter(pk=cycle.pk).update(
        closes_at=timezone.now() - timedelta(hours=1), finalised_at=timezone.now()
    )
    cycle.refresh_from_db()
    return Scene(cast, cycle, bread, tomme, yoghurt)


STAND_BAKERY = None  # set per test from the cast


def act(
    scene: Scene,
    kind: EventKind,
    member: User,
    *,
    by: User | None = None,
    device: str = "phone-1",
    scope=None,
    **fields,
) -> services.Outcome:
    order_id = fields.pop("order_id", None) or scene.any_line(member).order_id
    action = Action(
        device=device, action=fields.pop("action", f"a{next(_ids)}"), kind=kind, order_id=order_id, **fields
    )
    scope = scope or Scope(coordinator=True)
    return services.apply(cycle=scene.cycle, action=action, by=by or scene.cast.coordinator, scope=scope)


def stand_of(household, producer):
    return next(stand for stand in household.stands if stand.producer.pk == producer.pk)


def owes(scene: Scene, member: User, producer=None) -> int:
    return ledger.balance(scene.cast.group_a, Account.HOUSEHOLD, household=member, producer=producer)


class TestHandingOver:
    def test_a_line_handed_over_is_owed_once(self, scene: Scene) -> None:
        line = scene.line(scene.cast.member, scene.bread)
        bakery = scene.cast.bakery.pk
        first = act(
            scene, EventKind.HANDED, scene.cast.member, producer_id=bakery, line_id=line.pk, action="x1"
        )
        again = act(
            scene, EventKind.HANDED, scene.cast.member, producer_id=bakery, line_id=line.pk, action="x1"
        )
        assert again.duplicate and again.event.pk == first.event.pk
        assert Event.objects.count() == 1
        assert owes(scene, scene.cast.member) == line.total_cents == 1040
        stand = load_day(scene.cycle, producer=scene.cast.bakery).stand(bakery)
        mine = next(s for s in stand if s.member.pk == scene.cast.member.pk)
        assert mine.served and mine.left_cents == 1040

    def test_two_devices_ticking_one_line_post_it_once(self, scene: Scene) -> None:
        line = scene.line(scene.cast.member, scene.bread)
        for device in ("phone-1", "phone-2"):
            act(
                scene,
                EventKind.HANDED,
                scene.cast.member,
                producer_id=scene.cast.bakery.pk,
                line_id=line.pk,
                device=device,
            )
        assert owes(scene, scene.cast.member) == 1040

    def test_a_stand_records_only_its_own_lines(self, scene: Scene) -> None:
        line = scene.line(scene.cast.member, scene.tomme)
        stand = Scope(producer_id=scene.cast.bakery.pk)
        with pytest.raises(Refused):
            act(
                scene,
                EventKind.HANDED,
                scene.cast.member,
                producer_id=scene.cast.dairy.pk,
                line_id=line.pk,
                scope=stand,
            )
        with pytest.raises(Refused):  # its own producer id, another producer's line
            act(
                scene,
                EventKind.HANDED,
                scene.cast.member,
                producer_id=scene.cast.bakery.pk,
                line_id=line.pk,
                scope=stand,
            )
        assert not Event.objects.exists() and not Entry.objects.exists()


class TestWeighing:
    def test_the_actual_weight_sets_the_amount_with_the_one_rounding(self, scene: Scene) -> None:
        line = scene.line(scene.cast.member, scene.tomme)
        assert line.total_cents == 1793  # estimated: 750 g at 23,90 €/kg
        dairy = scene.cast.dairy.pk
        act(scene, EventKind.HANDED, scene.cast.member, producer_id=dairy, line_id=line.pk)
        act(scene, EventKind.WEIGHED, scene.cast.member, producer_id=dairy, line_id=line.pk, grams=812)
        line.refresh_from_db()
        assert line.total_cents == 1941  # 0.812 × 23,90 = 19,4068 → 19,41
        change = OrderChange.objects.get(kind=ChangeKind.WEIGHING)
        assert (change.offer_id, change.old_total_cents, change.new_total_cents) == (
            scene.tomme.pk,
            1793,
            1941,
        )
        assert owes(scene, scene.cast.member, scene.cast.dairy) == 1941  # reversed, then posted again
        household = load_day(scene.cycle).household(line.order_id)
        assert household.due_cents == 1040 + 1941
        assert stand_of(household, scene.cast.dairy).due_cents == 1941

    @pytest.mark.parametrize("grams", [None, 0, 200_001])
    def test_absurd_weights_are_refused(self, scene: Scene, grams) -> None:
        line = scene.line(scene.cast.member, scene.tomme)
        with pytest.raises(Refused):
            act(
                scene,
                EventKind.WEIGHED,
                scene.cast.member,
                producer_id=scene.cast.dairy.pk,
                line_id=line.pk,
                grams=grams,
            )
        line.refresh_from_db()
        assert line.total_cents == 1793 and not Event.objects.exists()

    def test_a_line_reported_not_delivered_is_not_weighed(self, scene: Scene) -> None:
        line = scene.line(scene.cast.member, scene.tomme)
        dairy = scene.cast.dairy.pk
        act(
            scene,
            EventKind.SHORT,
            scene.cast.member,
            producer_id=dairy,
            line_id=line.pk,
            quantity=1000,
            reason="other",
        )
        with pytest.raises(Refused):
            act(scene, EventKind.WEIGHED, scene.cast.member, producer_id=dairy, line_id=line.pk, grams=7)
        act(scene, EventKind.HANDED, scene.cast.member, producer_id=dairy, line_id=line.pk)
        line.refresh_from_db()
        assert (line.quantity, line.total_cents) == (0, 0)
        assert owes(scene, scene.cast.member) == 0

    def test_only_variable_weight_products_are_weighed(self, scene: Scene) -> None:
        line = scene.line(scene.cast.member, scene.bread)
        with pytest.raises(Refused):
            act(
                scene,
                EventKind.WEIGHED,
                scene.cast.member,
                producer_id=scene.cast.bakery.pk,
                line_id=line.pk,
                grams=500,
            )


class TestShortage:
    def test_a_shortage_lowers_the_line_and_can_be_cancelled(self, scene: Scene) -> None:
        line = scene.line(scene.cast.member2, scene.yoghurt)
        dairy = scene.cast.dairy.pk
        act(scene, EventKind.HANDED, scene.cast.member2, producer_id=dairy, line_id=line.pk)
        short = act(
            scene,
            EventKind.SHORT,
            scene.cast.member2,
            producer_id=dairy,
            line_id=line.pk,
            quantity=2000,
            reason="damaged",
        )
        line.refresh_from_db()
        assert (line.quantity, line.total_cents) == (4000, 380)
        assert owes(scene, scene.cast.member2, scene.cast.dairy) == 380
        act(scene, EventKind.CANCELLED, scene.cast.member2, corrects=short.event.pk, note="erreur de saisie")
        line.refresh_from_db()
        assert (line.quantity, line.total_cents) == (6000, 570)
        assert owes(scene, scene.cast.member2, scene.cast.dairy) == 570

    @pytest.mark.parametrize(
        ("quantity", "reason"), [(2000, ""), (0, "damaged"), (7000, "damaged"), (1000, "pirate")]
    )
    def test_bad_shortages_are_refused(self, scene: Scene, quantity: int, reason: str) -> None:
        line = scene.line(scene.cast.member2, scene.yoghurt)
        with pytest.raises(Refused):
            act(
                scene,
                EventKind.SHORT,
                scene.cast.member2,
                producer_id=scene.cast.dairy.pk,
                line_id=line.pk,
                quantity=quantity,
                reason=reason,
            )
        line.refresh_from_db()
        assert line.quantity == 6000 and not Event.objects.exists()


class TestPayments:
    def test_a_stand_payment_lowers_what_is_left_there(self, scene: Scene) -> None:
        bakery = scene.cast.bakery.pk
        act(
            scene,
            EventKind.PAID,
            scene.cast.member,
            producer_id=bakery,
            amount_cents=1040,
            method="cheque",
            details={"number": "0012345", "bank": "Crédit Agricole", "drawer": "Marie Membre"},
        )
        stand = next(s for s in load_day(scene.cycle).stand(bakery) if s.member.pk == scene.cast.member.pk)
        assert (stand.paid_cents, stand.left_cents, stand.settled) == (1040, 0, True)
        assert owes(scene, scene.cast.member, scene.cast.bakery) == -1040  # paid before being handed over

    def test_the_same_payment_from_two_devices_is_kept_twice_and_flagged(self, scene: Scene) -> None:
        bakery = scene.cast.bakery.pk
        act(
            scene,
            EventKind.PAID,
            scene.cast.member,
            producer_id=bakery,
            amount_cents=1040,
            method="cash",
            device="phone-1",
        )
        second = act(
            scene,
            EventKind.PAID,
            scene.cast.member,
            producer_id=bakery,
            amount_cents=1040,
            method="cash",
            device="phone-2",
        )
        assert second.conflict
        day = load_day(scene.cycle)
        assert [p.event_id for p in day.conflicts] == [second.event.pk]
        act(scene, EventKind.CANCELLED, scene.cast.member, corrects=second.event.pk, note="doublon")
        household = load_day(scene.cycle).household(second.event.order_id)
        assert stand_of(household, scene.cast.bakery).paid_cents == 1040

    def test_desk_payment_covers_every_part_and_the_stand_shows_it(self, scene: Scene) -> None:
        member = scene.cast.member
        order_id = scene.line(member, scene.bread).order_id
        household = load_day(scene.cycle).household(order_id)
        assert household.left_cents == 1040 + 1793
        act(
            scene,
            EventKind.DESK_PAID,
            member,
            amount_cents=household.left_cents,
            method="card",
            scope=Scope(desk=True),
        )
        after = load_day(scene.cycle).household(order_id)
        assert after.left_cents == 0
        assert all(stand.paid_at_desk and stand.left_cents == 0 for stand in after.stands)
        assert ledger.balance(scene.cast.group_a, Account.DESK) == 2833
        # A stand recording a payment for a part paid at the desk: kept, flagged.
        late = act(
            scene, EventKind.PAID, member, producer_id=scene.cast.bakery.pk, amount_cents=1040, method="cash"
        )
        assert late.conflict

    @pytest.mark.parametrize(
        ("amount", "method"), [(0, "cash"), (-5, "cash"), (None, "cash"), (100, "bitcoin"), (10**9, "cash")]
    )
    def test_bad_payments_are_refused(self, scene: Scene, amount, method: str) -> None:
        with pytest.raises(Refused):
            act(
                scene,
                EventKind.PAID,
                scene.cast.member,
                producer_id=scene.cast.bakery.pk,
                amount_cents=amount,
                method=method,
            )
        assert not Event.objects.exists() and not Entry.objects.exists()

    def test_the_desk_cannot_cancel_a_stand_payment(self, scene: Scene) -> None:
        paid = act(
            scene,
            EventKind.PAID,
            scene.cast.member,
            producer_id=scene.cast.bakery.pk,
            amount_cents=500,
            method="cash",
        )
        with pytest.raises(Refused):
            act(
                scene,
                EventKind.CANCELLED,
                scene.cast.member,
                corrects=paid.event.pk,
                note="x",
                scope=Scope(desk=True),
            )


class TestUncollected:
    def test_charged_anyway_posts_what_was_not_handed(self, scene: Scene) -> None:
        member = scene.cast.beneficiary
        act(scene, EventKind.UNCOLLECTED, member, reason="charged")
        expected = sum(
            line.total_cents
            for line in OrderLine.objects.filter(order__cycle=scene.cycle, order__user=member)
        )
        assert owes(scene, member) == expected
        assert load_day(scene.cycle).household(scene.any_line(member).order_id).uncollected == "charged"

    def test_only_coordinators_decide(self, scene: Scene) -> None:
        with pytest.raises(Refused):
            act(scene, EventKind.UNCOLLECTED, scene.cast.member, reason="kept", scope=Scope(desk=True))


class TestJournalIsAppendOnly:
    def test_the_database_refuses_changes(self, scene: Scene) -> None:
        event = act(scene, EventKind.ARRIVED, scene.cast.member, scope=Scope(desk=True)).event
        for sql in (
            "UPDATE distribution_event SET note = 'x' WHERE id = %s",
            "DELETE FROM distribution_event WHERE id = %s",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
        assert Event.objects.filter(pk=event.pk, note="").exists()


# --- Any sequence of actions: the stands, the desk and the member agree -----------------------

MEMBERS = ("member", "member2", "beneficiary")
action_strategy = st.tuples(
    st.sampled_from(["handed", "weighed", "short", "paid", "desk", "cancel"]),
    st.sampled_from(MEMBERS),
    st.integers(0, 10),
    st.integers(1, 3000),
)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(action_strategy, max_size=14))
def test_stands_desk_and_member_agree_to_the_cent(scene: Scene, actions: list[tuple]) -> None:
    with transaction.atomic():
        for kind, who, pick, number in actions:
            member = getattr(scene.cast, who)
            lines = list(
                OrderLine.objects.filter(order__cycle=scene.cycle, order__user=member).select_related("offer")
            )
            line = lines[pick % len(lines)]
            producer_id = line.offer.producer_id
            try:
                if kind == "handed":
                    act(scene, EventKind.HANDED, member, producer_id=producer_id, line_id=line.pk)
                elif kind == "weighed":
                    act(
                        scene,
                        EventKind.WEIGHED,
                        member,
                        producer_id=producer_id,
                        line_id=line.pk,
                        grams=number * 7,
                    )
                elif kind == "short":
                    act(
                        scene,
                        EventKind.SHORT,
                        member,
                        producer_id=producer_id,
                        line_id=line.pk,
                        quantity=1000,
                        reason="other",
                    )
                elif kind == "paid":
                    act(
                        scene,
                        EventKind.PAID,
                        member,
                        producer_id=producer_id,
                        amount_cents=number,
                        method="cash",
                    )
                elif kind == "desk":
                    act(scene, EventKind.DESK_PAID, member, amount_cents=number, method="cheque")
                else:
                    events = list(
                        Event.objects.filter(
                            cycle=scene.cycle, kind__in=["handed", "paid", "desk_paid", "short"]
                        )
                    )
                    if events:
                        act(
                            scene,
                            EventKind.CANCELLED,
                            member,
                            order_id=events[pick % len(events)].order_id,
                            corrects=events[pick % len(events)].pk,
                            note="correction",
                        )
            except Refused:
                pass
        day = load_day(scene.cycle)
        for producer in (scene.cast.bakery, scene.cast.dairy):
            stand_day = load_day(scene.cycle, producer=producer)
            from_stand = {
                (s.order_id, s.due_cents, s.paid_cents, s.desk_cents) for s in stand_day.stand(producer.pk)
            }
            from_desk = {
                (s.order_id, s.due_cents, s.paid_cents, s.desk_cents) for s in day.stand(producer.pk)
            }
            assert from_stand == from_desk
        for household in day.households:
            member_view = load_day(scene.cycle).household(household.order_id)
            assert member_view == household
            user = User.objects.get(pk=household.member.pk)
            # The ledger says the same: handed over minus paid (stand and desk).
            handed = sum(
                line.item.total_cents for stand in household.stands for line in stand.lines if line.handed
            )
            paid = sum(s.paid_cents for s in household.stands) + sum(
                p.amount_cents for p in household.desk_payments
            )
            assert owes(scene, user) == handed - paid
        assert sum(Line.objects.values_list("amount_cents", flat=True)) == 0
        transaction.set_rollback(True)


class TestWhenAndWhat:
    def test_nothing_is_recorded_before_orders_are_final_or_after_the_day(self, scene: Scene) -> None:
        for stamps in ({"finalised_at": None}, {"distributed_at": timezone.now()}):
            Cycle.objects.filter(pk=scene.cycle.pk).update(**stamps)
            scene.cycle.refresh_from_db()
            with pytest.raises(Refused):
                act(scene, EventKind.ARRIVED, scene.cast.member)
        assert not Event.objects.exists()


class TestReadingAnAction:
    """The one reader of plain forms and of the offline queue."""

    def test_french_figures(self) -> None:
        from cabas.distribution.forms import read_action

        action = read_action(
            {
                "kind": "weighed",
                "order": "12",
                "producer": "3",
                "line": "40",
                "weight": "0,812",
                "amount": "12,50",
                "device": "phone-1",
                "action": "a-1",
                "details-number": "0012345",
            }
        )
        assert (action.order_id, action.producer_id, action.line_id) == (12, 3, 40)
        # A weighing carries no payment details: those belong to a payment's method only.
        assert (action.grams, action.amount_cents, action.details) == (812, 1250, {})

    @pytest.mark.parametrize(
        "changes",
        [
            {"kind": "pirate"},
            {"order": "²"},
            {"order": "9" * 40},
            {"amount": "12,555"},
            {"amount": "-3"},
            {"weight": "abc"},
            {"weight": "1" * 30},
            {"action": ""},
            {"line": "1e3"},
        ],
    )
    def test_bad_fields_are_refused_with_a_message(self, changes: dict[str, str]) -> None:
        from cabas.distribution.forms import read_action

        data = {"kind": "paid", "order": "1", "device": "d", "action": "a", **changes}
        with pytest.raises(Refused) as refused:
            read_action(data)
        assert str(refused.value)


def test_a_line_handed_at_zero_then_its_shortage_cancelled_is_owed_again(scene: Scene) -> None:
    """Short for all of it, ticked as handed (nothing to post), then the shortage is cancelled:
    the line is owed at its amount again, in the ledger as on the screens."""
    member, line = scene.cast.member, scene.line(scene.cast.member, scene.tomme)
    dairy = scene.cast.dairy.pk
    short = act(
        scene, EventKind.SHORT, member, producer_id=dairy, line_id=line.pk, quantity=1000, reason="other"
    )
    act(scene, EventKind.HANDED, member, producer_id=dairy, line_id=line.pk)
    assert owes(scene, member, scene.cast.dairy) == 0
    act(scene, EventKind.CANCELLED, member, corrects=short.event.pk, note="trouvé dans la glacière")
    line.refresh_from_db()
    assert line.total_cents == 1793
    assert owes(scene, member, scene.cast.dairy) == 1793


def test_a_line_not_delivered_at_all_stays_on_the_days_pages(scene: Scene, client_for) -> None:
    """Every yoghurt short: the line shows at 0 €, struck through, with its reason, at the
    stand, on the member's day and in the member's household, as many queries as with none."""
    member2, dairy = scene.cast.member2, scene.cast.dairy
    line = scene.line(member2, scene.yoghurt)
    act(
        scene,
        EventKind.SHORT,
        member2,
        producer_id=dairy.pk,
        line_id=line.pk,
        quantity=6000,
        reason="damaged",
    )
    for stands in (
        load_day(scene.cycle).stand(dairy.pk),
        load_day(scene.cycle, producer=dairy).stand(dairy.pk),
    ):
        mine = next(s for s in stands if s.member.pk == member2.pk)
        (gone,) = mine.lines
        assert (gone.line_id, gone.not_delivered, gone.item.total_cents, gone.short) == (
            line.pk,
            True,
            0,
            6000,
        )
        assert gone.short_reason == "damaged" and mine.due_cents == 0 and mine.served
    from cabas.distribution.state import member_household

    order = line.order
    own = member_household(scene.cycle, order)
    assert own is not None and [ln.line_id for ln in stand_of(own, dairy).lines] == [line.pk]
    page = " ".join(client_for(member2).get(f"/g/saint-orens/cycles/{scene.cycle.pk}/day/").text.split())
    assert "<del><strong>Yaourt</strong></del>" in page


def test_paying_at_the_desk_or_a_handover_means_arrived(scene: Scene) -> None:
    member, member2 = scene.cast.member, scene.cast.member2
    assert not any(h.arrived for h in load_day(scene.cycle).households)
    act(scene, EventKind.DESK_PAID, member, amount_cents=500, method="cash")
    line = scene.line(member2, scene.bread)
    act(scene, EventKind.HANDED, member2, producer_id=scene.cast.bakery.pk, line_id=line.pk)
    arrived = {h.member.pk for h in load_day(scene.cycle).households if h.arrived}
    assert arrived == {member.pk, member2.pk}


def test_payment_details_belong_to_their_method(scene: Scene) -> None:
    from cabas.distribution.forms import read_action

    typed = {
        "details-number": "0012345",
        "details-bank": "Crédit Agricole",
        "details-drawer": "M. Membre",
        "details-reference": "DUPONT-JUIN",
        "details-tendered": "20",
    }
    base = {"kind": "paid", "order": "1", "producer": "1", "amount": "5", "device": "d", "action": "x"}
    kept = {
        method: read_action({**base, **typed, "method": method}).details
        for method in ("cash", "cheque", "transfer", "card")
    }
    assert kept == {
        "cash": {"tendered": "20"},
        "cheque": {"number": "0012345", "bank": "Crédit Agricole", "drawer": "M. Membre"},
        "transfer": {"reference": "DUPONT-JUIN"},
        "card": {},
    }
    # The services keep the same, whoever sends the action.
    member = scene.cast.member
    details = {"number": "77", "bank": "La Banque Postale", "drawer": "Marie", "reference": "REF"}
    event = act(
        scene,
        EventKind.PAID,
        member,
        producer_id=scene.cast.bakery.pk,
        amount_cents=100,
        method="cheque",
        details=details,
    ).event
    assert event.details == {"number": "77", "bank": "La Banque Postale", "drawer": "Marie"}
    desk = act(scene, EventKind.DESK_PAID, member, amount_cents=100, method="cash", details=details).event
    assert set(desk.details) == {"shares"}


def test_slip_numbers_do_not_move_when_a_basket_ends_empty(scene: Scene) -> None:
    from cabas.cycles.baskets import slip_numbers
    from cabas.reports import data

    before = slip_numbers(scene.cycle)
    slips = data.member_slips(scene.cycle).slips
    assert {s.basket.order_id: s.number for s in slips} == before
    # Bernadette's whole basket not delivered: hers and the others' numbers stay.
    beneficiary, dairy = scene.cast.beneficiary, scene.cast.dairy
    for offer, quantity in ((scene.tomme, 2000), (scene.yoghurt, 4000)):
        line = scene.line(beneficiary, offer)
        act(
            scene,
            EventKind.SHORT,
            beneficiary,
            producer_id=dairy.pk,
            line_id=line.pk,
            quantity=quantity,
            reason="sold_out",
        )
    assert slip_numbers(scene.cycle) == before
    assert {h.order_id: h.number for h in load_day(scene.cycle).households} == before
    assert {
        s.basket.order_id: s.number for s in data.member_slips(scene.cycle).slips
    }.items() <= before.items()
    order = scene.line(scene.cast.member, scene.bread).order
    assert data.member_slip(scene.cycle, order).number == before[order.pk]
