"""Payment reminders, sent after the claim commits (``services.remind``), one e-mail per household.

Each e-mail is written from the positions as they are when it is sent: a
household that has paid since the claim gets nothing. One failure does not
stop the others; the task fails at the end so that its result shows it.
"""

from __future__ import annotations

import logging

from django.tasks import task

from cabas.accounts.models import User
from cabas.catalog.models import Producer
from cabas.cycles.baskets import payment_reference
from cabas.cycles.models import Cycle
from cabas.ledger.positions import cycle_positions
from cabas.lib.emails import send_templated
from cabas.settlement.board import household_numbers

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """Some reminders could not be sent (the others were)."""


@task
def send_payment_reminders(cycle_id: int, household_ids: list[int]) -> int:
    """Remind each of ``household_ids`` what it still owes on the cycle, to whom, and how to pay."""
    cycle = Cycle.objects.select_related("group").get(pk=cycle_id)
    money = cycle_positions(cycle)
    numbers = household_numbers(cycle)
    producers = Producer.objects.in_bulk(list(money.producers))
    sent, failed = 0, 0
    for user in User.objects.filter(pk__in=household_ids, is_active=True).order_by("pk"):
        position = money.households.get(user.pk)
        if position is None or position.owed_cents <= 0:
            continue  # paid (or written off) since the claim: nothing to remind
        parts = [(producers[pk], cents) for pk, cents in position.owed_by_producer().items()]
        number = numbers.get(user.pk)
        context = {
            "cycle": cycle,
            "owed_cents": position.owed_cents,
            "parts": sorted(parts, key=lambda part: part[0].name),
            "reference": payment_reference(cycle.pk, number) if number else "",
        }
        try:
            send_templated(to=user, template="settlement/email/reminder", context=context)
        except Exception:
            logger.exception("payment reminder: an e-mail could not be sent (user #%s)", user.pk)
            failed += 1
        else:
            sent += 1
    if failed:
        raise DeliveryError(f"payment reminders: {failed} e-mail(s) could not be sent, {sent} were")
    return sent
