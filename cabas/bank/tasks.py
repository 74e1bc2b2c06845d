"""Background e-mails of prepaid accounts. Enqueued after the notice is claimed, never in a transaction."""

from __future__ import annotations

from django.tasks import task

from cabas.accounts.models import BuyingGroup, Membership, User
from cabas.bank.matching import topup_reference
from cabas.lib.emails import send_templated


@task
def send_low_balance(group_id: int, household_id: int, balance_cents: int) -> None:
    """Tell a household of a prepaid group its balance runs low, with how to top up."""
    group = BuyingGroup.objects.get(pk=group_id)
    household = User.objects.get(pk=household_id)
    membership = Membership.objects.current().filter(group=group, user=household).first()
    if membership is None:
        return
    send_templated(
        to=household,
        template="bank/email/low_balance",
        context={
            "group": group,
            "balance_cents": balance_cents,
            "reference": topup_reference(membership),
        },
    )
