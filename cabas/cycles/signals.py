"""Signals other apps listen to, so that they can follow a cycle without ``cycles`` importing them.

``cycle_changed`` is sent after the commit of any change to what a cycle's
orders or details say: a line changed (by the member, a coordinator, a fair
share, a carton rounding, a withdrawal or a new price), or the distribution
details edited. Arguments: ``cycle_id``. Receivers run outside the writing
transaction; an error in one is logged by Django's ``send_robust`` and does
not undo the change.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

cycle_changed = Signal()


def _send(cycle_id: int) -> None:
    from cabas.cycles.models import Cycle

    for receiver, result in cycle_changed.send_robust(sender=Cycle, cycle_id=cycle_id):
        if isinstance(result, Exception):
            logger.error("cycle_changed receiver %r failed for cycle %s", receiver, cycle_id, exc_info=result)


def announce_change(cycle_id: int) -> None:
    """Send ``cycle_changed`` once the current transaction commits (at once outside of one)."""
    transaction.on_commit(partial(_send, cycle_id))
