"""change_lines, the one function that writes order lines: quota, audit rows, versions, notices.

Every refusal is checked against the database afterwards: nothing written.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from cabas.cycles import tasks
from cabas.cycles.lines import Edit, Quota, QuotaExceeded, change_lines
from cabas.cycles.models import ChangeKind, Offer, Order, OrderChange, OrderLine
from cabas.cycles.ordering import LineChange, save_basket
from tests.cast import Cast
from tests.cycle_fixtures import make_cycle, make_offer


@pytest.fixture
def eggs(cast: Cast) -> Offer:
    """A first-come offer: 5 boxes in all, 3,30 € each."""
    cycle = make_cycle(cast.group_a)
    return make_offer(cycle, cast.dairy, "Œufs", price_cents=330, quota=5000)


def _order(offer: Offer, member: object) -> Order:
    return Order.objects.create(cycle=offer.cycle, user=member)


def _remaining(offer: Offer) -> int | None:
    return Offer.objects.values_list("remaining", flat=True).get(pk=offer.pk)


def _buy(offer: Offer, order: Order, quantity: int, by: object) -> list[OrderChange]:
    line = OrderLine.objects.filter(order=order, offer=offer).first()
    edit = Edit(offer=offer, order_id=order.pk, line=line, quantity=quantity)
    return change_lines(edits=[edit], kind=ChangeKind.MEMBER, by=by)


def test_a_change_sets_the_line_takes_the_quota_and_records_who_and_why(cast: Cast, eggs: Offer) -> None:
    order = _order(eggs, cast.member)
    [change] = _buy(eggs, order, 3000, cast.member)

    line = OrderLine.objects.get(order=order, offer=eggs)
    assert (line.quantity, line.requested, line.total_cents) == (3000, 3000, 990)
    assert _remaining(eggs) == 2000
    stored = OrderChange.objects.get()
    assert stored.pk == change.pk
    assert (stored.kind, stored.old_quantity, stored.new_quantity) == (ChangeKind.MEMBER, 0, 3000)
    assert (stored.old_total_cents, stored.new_total_cents, stored.changed_by) == (0, 990, cast.member)
    assert Order.objects.get(pk=order.pk).version == order.version + 1


def test_giving_back_returns_the_quota(cast: Cast, eggs: Offer) -> None:
    order = _order(eggs, cast.member)
    _buy(eggs, order, 3000, cast.member)
    _buy(eggs, order, 1000, cast.member)
    assert _remaining(eggs) == 4000
    assert [c.new_quantity for c in OrderChange.objects.order_by("pk")] == [3000, 1000]


def test_a_short_quota_is_refused_and_leaves_everything_unchanged(cast: Cast, eggs: Offer) -> None:
    first, second = _order(eggs, cast.member), _order(eggs, cast.member2)
    _buy(eggs, first, 4000, cast.member)
    before = (list(OrderLine.objects.values()), OrderChange.objects.count(), _remaining(eggs))
    versions = dict(Order.objects.values_list("pk", "version"))

    with pytest.raises(QuotaExceeded) as refused, transaction.atomic():
        _buy(eggs, second, 2000, cast.member2)

    assert refused.value.left == {eggs.pk: 1000}
    assert (list(OrderLine.objects.values()), OrderChange.objects.count(), _remaining(eggs)) == before
    assert dict(Order.objects.values_list("pk", "version")) == versions


def test_one_short_quota_refuses_the_whole_change(cast: Cast, eggs: Offer) -> None:
    """The quota of an offer with enough left is given back too: all or nothing."""
    bread = make_offer(eggs.cycle, cast.bakery, "Pain", price_cents=420, quota=10_000)
    order = _order(eggs, cast.member)
    edits = [
        Edit(offer=bread, order_id=order.pk, line=None, quantity=2000),
        Edit(offer=eggs, order_id=order.pk, line=None, quantity=6000),
    ]
    with pytest.raises(QuotaExceeded) as refused, transaction.atomic():
        change_lines(edits=edits, kind=ChangeKind.MEMBER, by=cast.member)
    assert refused.value.left == {eggs.pk: 5000}
    assert (_remaining(bread), _remaining(eggs)) == (10_000, 5000)
    assert not OrderLine.objects.exists() and not OrderChange.objects.exists()


def test_the_quota_never_goes_below_zero(cast: Cast, eggs: Offer) -> None:
    orders = [_order(eggs, cast.member), _order(eggs, cast.member2), _order(eggs, cast.beneficiary)]
    sold = 0
    for order in orders:
        try:
            with transaction.atomic():
                _buy(eggs, order, 2000, order.user)
            sold += 2000
        except QuotaExceeded:
            pass
    assert sold == 4000
    assert _remaining(eggs) == 1000


def test_a_split_takes_new_quantities_and_keep_moves_nothing(cast: Cast, eggs: Offer) -> None:
    order = _order(eggs, cast.member)
    line = OrderLine.objects.create(order=order, offer=eggs, quantity=3000, requested=3000, total_cents=990)
    split = Edit(offer=eggs, order_id=order.pk, line=line, quantity=2000, requested=3000, quota=Quota.SPLIT)
    change_lines(edits=[split], kind=ChangeKind.ALLOCATION, by=None)
    assert _remaining(eggs) == 3000
    line.refresh_from_db()
    assert (line.quantity, line.requested, line.total_cents) == (2000, 3000, 660)

    keep = Edit(offer=eggs, order_id=order.pk, line=line, quantity=0, quota=Quota.KEEP)
    change_lines(edits=[keep], kind=ChangeKind.WITHDRAWAL, by=cast.coordinator, reason="Grêle")
    assert _remaining(eggs) == 3000
    line.refresh_from_db()
    assert (line.quantity, line.requested) == (0, 0)  # kept at 0: the member sees what happened
    assert OrderChange.objects.filter(kind=ChangeKind.WITHDRAWAL, reason="Grêle").count() == 1


def test_drop_empty_deletes_the_line(cast: Cast, eggs: Offer) -> None:
    order = _order(eggs, cast.member)
    _buy(eggs, order, 2000, cast.member)
    line = OrderLine.objects.get()
    edit = Edit(offer=eggs, order_id=order.pk, line=line, quantity=0)
    change_lines(edits=[edit], kind=ChangeKind.MEMBER, by=cast.member, drop_empty=True)
    assert not OrderLine.objects.exists()
    assert _remaining(eggs) == 5000
    assert OrderChange.objects.filter(new_quantity=0).count() == 1


def test_the_tolerance_alone_records_no_change(cast: Cast, eggs: Offer) -> None:
    order = _order(eggs, cast.member)
    _buy(eggs, order, 2000, cast.member)
    line = OrderLine.objects.get()
    edit = Edit(offer=eggs, order_id=order.pk, line=line, quantity=2000, tolerance=1000)
    assert change_lines(edits=[edit], kind=ChangeKind.MEMBER, by=cast.member) == []
    assert OrderLine.objects.get().tolerance == 1000
    assert OrderChange.objects.count() == 1
    assert Order.objects.get().version == 2  # still a change of the basket


def test_notices_are_enqueued_after_commit_once_per_order(
    cast: Cast, eggs: Offer, django_capture_on_commit_callbacks
) -> None:
    order = _order(eggs, cast.member)
    edits = [Edit(offer=eggs, order_id=order.pk, line=None, quantity=1000)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        change_lines(edits=edits, kind=ChangeKind.ON_BEHALF, by=cast.coordinator, notify=True)
    notices = [c.args for c in callbacks if getattr(c, "func", None) == tasks.send_order_changes.enqueue]
    assert notices == [(order.pk,)]


def test_without_notify_nothing_is_enqueued(
    cast: Cast, eggs: Offer, django_capture_on_commit_callbacks
) -> None:
    order = _order(eggs, cast.member)
    edits = [Edit(offer=eggs, order_id=order.pk, line=None, quantity=1000)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        change_lines(edits=edits, kind=ChangeKind.MEMBER, by=cast.member)
    assert not [c for c in callbacks if getattr(c, "func", None) == tasks.send_order_changes.enqueue]


def test_confirming_a_basket_is_part_of_its_save(
    cast: Cast, eggs: Offer, django_capture_on_commit_callbacks
) -> None:
    def confirmations(callbacks: list) -> list:
        return [c.args for c in callbacks if getattr(c, "func", None) == tasks.send_confirmation.enqueue]

    too_many = [LineChange(eggs.pk, 6000)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        refused = save_basket(
            cycle=eggs.cycle, member=cast.member, changes=too_many, by=cast.member, confirm=True
        )
    assert not refused.ok and confirmations(callbacks) == []
    assert not Order.objects.filter(submitted_at__isnull=False).exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        saved = save_basket(
            cycle=eggs.cycle,
            member=cast.member,
            changes=[LineChange(eggs.pk, 2000)],
            by=cast.member,
            confirm=True,
        )
    assert saved.ok and saved.order is not None
    assert confirmations(callbacks) == [(saved.order.pk,)]
    assert Order.objects.get(pk=saved.order.pk).submitted_at is not None
