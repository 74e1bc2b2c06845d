"""E-mails about shifts, enqueued after commit: each takes ids and reads fresh rows.

A volunteer's reminder is theirs (like the recap, they cannot opt out of what
they signed up for); the call for help respects « e-mail me when a cycle
opens » (``wants_announcements``), and never goes to an exempted household.
"""

from __future__ import annotations

import logging

from django.tasks import task

from cabas.cycles.tasks import _send_each
from cabas.lib.emails import send_templated

logger = logging.getLogger(__name__)


@task
def send_reminder(signup_id: int) -> None:
    """The day before: the volunteer's shift, place and time."""
    from cabas.shifts.models import Signup

    signup = Signup.objects.select_related("shift__cycle__group", "user").get(pk=signup_id)
    if signup.cancelled_at is not None:
        return
    shift = signup.shift
    send_templated(
        to=signup.user,
        template="shifts/email/reminder",
        context={"signup": signup, "shift": shift, "cycle": shift.cycle},
    )


@task
def send_short(cycle_id: int) -> int:
    """To the group's coordinators: the shifts still short (nothing if every shift is full)."""
    from cabas.accounts.models import User
    from cabas.cycles.models import Cycle
    from cabas.shifts.queries import cycle_shifts, short

    cycle = Cycle.objects.select_related("group").get(pk=cycle_id)
    missing = short(cycle_shifts(cycle))
    if not missing:
        return 0
    coordinators = User.objects.filter(
        is_active=True,
        memberships__group=cycle.group,
        memberships__ended_at__isnull=True,
        memberships__is_coordinator=True,
    ).order_by("pk")
    context = {"cycle": cycle, "shifts": missing}
    return _send_each(
        coordinators,
        lambda user: send_templated(to=user, template="shifts/email/short", context=context),
        f"Shifts short in cycle {cycle_id}",
    )


@task
def send_call(cycle_id: int) -> int:
    """« Il manque du monde »: to households that have not helped lately, with one-click links."""
    from cabas.cycles.models import Cycle
    from cabas.shifts.models import Rules
    from cabas.shifts.queries import cycle_shifts, short, to_call

    cycle = Cycle.objects.select_related("group").get(pk=cycle_id)
    missing = short(cycle_shifts(cycle))
    if not missing:
        return 0
    rules = Rules.of(cycle.group)
    recipients = [user for user in to_call(cycle, rules.call_after_cycles) if user.wants_announcements]
    context = {"cycle": cycle, "shifts": missing}
    return _send_each(
        recipients,
        lambda user: send_templated(to=user, template="shifts/email/call", context=context),
        f"Call for help in cycle {cycle_id}",
    )
