"""The demo member's basket on the day: handed over, one stand paid, the rest left to pay.

So « Mes paiements » of the member login shows a distribution with what was
paid, to whom and how, and what is left with the details to pay it; the
bakery's statement and the treasurer's books show it too. Played through the
day's own actions (``demo.day``), with fixed ids: seeding again changes nothing.
"""

from __future__ import annotations

from cabas.accounts.models import User
from cabas.cycles.models import Cycle
from cabas.demo.day import _act
from cabas.distribution.models import EventKind
from cabas.distribution.state import load_day

# Action numbers of their own, after those of the day's first households.
FIRST_STEP = 9000


def serve_member(cycle: Cycle, by: User, member: User) -> None:
    """Hand over the member's whole basket; pay the first stand in cash, leave the others to pay."""
    household = next((h for h in load_day(cycle).households if h.member.pk == member.pk), None)
    if household is None or household.desk_payments:
        return
    step = FIRST_STEP
    for stand in household.stands:
        for line in stand.lines:
            fields = {"producer_id": stand.producer.pk, "line_id": line.line_id}
            step += 1
            if not line.handed:
                _act(cycle, by, step, EventKind.HANDED, household.order_id, **fields)
    first = household.stands[0] if household.stands else None
    if first is not None and not first.payments:
        paid = load_day(cycle).household(household.order_id)
        left = paid.stands[0].left_cents if paid else 0
        if left > 0:
            _act(
                cycle,
                by,
                step + 1,
                EventKind.PAID,
                household.order_id,
                producer_id=first.producer.pk,
                amount_cents=left,
                method="cash",
                details={},
            )
