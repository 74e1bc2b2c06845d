"""``manage.py bank_low_balance``: tell households of prepaid groups whose balance runs low.

Run it from cron once a day: each household is told at most once a week
(``prepaid.NOTICE_EVERY``), whatever the number of runs.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cabas.accounts.models import BuyingGroup
from cabas.bank import prepaid, tasks


class Command(BaseCommand):
    help = "E-mail the households of prepaid groups whose balance runs low (at most once a week each)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = 0
        for group in BuyingGroup.objects.active().filter(prepaid=True):
            for household, balance in prepaid.claim_low_balance_notices(group):
                tasks.send_low_balance.enqueue(group.pk, household.pk, balance)
                sent += 1
        self.stdout.write(f"{sent} low-balance e-mail(s) enqueued.")
