"""The ledger keys of the day's actions: with the ids real devices send (a session's
« web-<32 hex> », a browser's 36-character UUID, « <uuid>-<line> » for each line of
« tout remis »), every entry an action posts keeps a key of its own."""

from __future__ import annotations

import uuid

import pytest

from cabas.cycles import contribution
from cabas.distribution import services as day
from cabas.distribution.models import EventKind
from cabas.distribution.services import Action, Scope, _key
from cabas.ledger import services as ledger
from cabas.ledger.models import Account, Entry, EntryKind, Method
from tests.cast import Cast
from tests.day_fixtures import DayScene, day_scene
from tests.fund_fixtures import the_order, to_collect

pytestmark = pytest.mark.django_db

DEVICE = f"web-{uuid.uuid4().hex}"  # what a session gets (recording.device_id)


def browser_action() -> str:
    return str(uuid.uuid4())  # crypto.randomUUID() in the day's script


def test_short_keys_are_kept_as_they_are() -> None:
    assert _key("desk", "pay-1") == "day:desk:pay-1"
    assert _key("desk", "pay-1", ":fund") == "day:desk:pay-1:fund"


def test_every_suffix_stays_apart_with_real_ids() -> None:
    action = browser_action()
    suffixes = ["", ":fund", ":reverse", ":reverse:fund", ":new", ":1230", ":1231", ":12345678"]
    keys = [_key(DEVICE, action, suffix) for suffix in suffixes]
    assert len(set(keys)) == len(keys)
    assert all(len(key) <= 80 for key in keys)
    # One line of « tout remis » is its own action: lines 1230 and 1231 never meet.
    assert _key(DEVICE, f"{action}-1230") != _key(DEVICE, f"{action}-1231")
    # The same action always gives the same key: a replay is recognised.
    assert _key(DEVICE, action, ":fund") == _key(DEVICE, action, ":fund")


@pytest.fixture
def scene(cast: Cast) -> DayScene:
    return day_scene(cast)


def desk(scene: DayScene, **fields) -> day.Outcome:
    return day.apply(
        cycle=scene.cycle,
        action=Action(device=DEVICE, action=browser_action(), **fields),
        by=scene.cast.coordinator,
        scope=Scope(desk=True, coordinator=True),
    )


def test_a_cancelled_desk_payment_gives_the_fund_its_part_back_with_real_ids(scene: DayScene) -> None:
    """Cut at 80 characters, « :reverse » and « :reverse:fund » were one key: the fund's
    part of a cancelled payment stayed in the fund."""
    member = scene.cast.member
    order = the_order(scene, member)
    contribution.promise(order=order, percent=5)
    due = to_collect(scene, member)
    paid = desk(scene, kind=EventKind.DESK_PAID, order_id=order.pk, amount_cents=due, method=Method.CASH)
    assert ledger.balance(scene.cycle.group, Account.FUND) > 0
    desk(scene, kind=EventKind.CANCELLED, order_id=order.pk, corrects=paid.event.pk, note="erreur")
    assert ledger.balance(scene.cycle.group, Account.FUND) == 0
    assert ledger.balance(scene.cycle.group, Account.DESK, cycle=scene.cycle) == 0
    assert to_collect(scene, member) == due
    reversed_kinds = set(
        Entry.objects.filter(reverses__isnull=False).values_list("reverses__kind", flat=True)
    )
    assert reversed_kinds == {EntryKind.DESK_PAYMENT, EntryKind.CONTRIBUTION}
