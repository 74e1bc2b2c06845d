"""Signing up, cancelling, moving people, and setting a cycle's shifts: the only code that writes them.

Each function is keyword-only, runs in one small transaction and raises
``ShiftError`` (a message for the person) when a rule refuses; nothing is
written then. A place is taken by a guarded update (``taken < capacity`` in
the ``WHERE`` of the ``UPDATE``): of many people clicking at once for the
last place, exactly one gets it, on SQLite as on PostgreSQL. The same sign-up
sent twice (a double tap, an e-mail link opened twice) finds the first one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cabas.accounts.models import BuyingGroup, Membership, User
from cabas.cycles.models import Cycle, Phase
from cabas.shifts.models import Exemption, Kind, PastHelp, Reason, Rules, Shift, Signup

# The usual shifts of a first cycle (a later one copies the previous one's), with the people each needs.
USUAL = ((Kind.SETUP, 3), (Kind.DESK, 2), (Kind.CASHIER, 1), (Kind.STANDS, 2), (Kind.TIDY, 3))
SETUP_MINUTES = 45
TIDY_MINUTES = 45


class ShiftError(Exception):
    """A sign-up or change the rules refuse; the message is for the person."""


@dataclass(frozen=True)
class Outcome:
    signup: Signup
    created: bool  # False: they were already signed up (a second click changes nothing)


def _open_for_signups(shift: Shift, coordinator: bool) -> None:
    """Households sign up until the shift ends; coordinators may still add someone who came
    without signing up, until the cycle is settled (so that the counts stay true)."""
    if shift.cycle.phase() == Phase.SETTLED:
        raise ShiftError(_("This distribution is settled: its shifts can no longer change."))
    if not coordinator and (shift.cycle.phase() == Phase.DISTRIBUTED or timezone.now() >= shift.ends()):
        raise ShiftError(_("This shift is over."))


def _is_household(group: BuyingGroup, user: User) -> bool:
    return Membership.objects.current().filter(group=group, user=user, is_member=True).exists()


def sign_up(*, shift: Shift, user: User, by: User | None = None, coordinator: bool = False) -> Outcome:
    """Give ``user`` a place in ``shift`` if one is left (``ShiftError`` otherwise).

    ``by`` is the coordinator who adds someone (a household without internet);
    it is ``user`` when people sign themselves up.
    """
    _open_for_signups(shift, coordinator)
    if not _is_household(shift.cycle.group, user):
        raise ShiftError(_("Only households of the group can sign up."))
    existing = Signup.objects.active().filter(shift=shift, user=user).first()
    if existing is not None:
        return Outcome(existing, False)
    try:
        with transaction.atomic():
            taken = Shift.objects.filter(pk=shift.pk, taken__lt=F("capacity")).update(taken=F("taken") + 1)
            if not taken:
                raise ShiftError(_("Sorry, this shift is full now."))
            signup = Signup.objects.create(shift=shift, user=user, added_by=by or user)
    except IntegrityError:
        # The same person at the same moment from two tabs: the other request made the sign-up.
        existing = Signup.objects.active().filter(shift=shift, user=user).first()
        if existing is None:
            raise
        return Outcome(existing, False)
    shift.taken += 1
    return Outcome(signup, True)


def _release(signup: Signup, by: User) -> bool:
    """Cancel ``signup`` and free its place; False if it was cancelled already (by a second click)."""
    with transaction.atomic():
        done = Signup.objects.filter(pk=signup.pk, cancelled_at__isnull=True).update(
            cancelled_at=timezone.now(), cancelled_by=by
        )
        if done:
            Shift.objects.filter(pk=signup.shift_id, taken__gt=0).update(taken=F("taken") - 1)
    return bool(done)


def cancel(*, signup: Signup, by: User) -> bool:
    """A volunteer cancels their own place, until the group's deadline; after it they ask a coordinator."""
    shift = signup.shift
    rules = Rules.of(shift.cycle.group)
    if timezone.now() >= rules.cancel_deadline(shift):
        raise ShiftError(
            _(
                "It is too late to cancel online (%(hours)s hours before the shift): "
                "please ask a coordinator, who will find someone."
            )
            % {"hours": rules.cancel_hours}
        )
    return _release(signup, by)


def remove(*, signup: Signup, by: User) -> bool:
    """A coordinator takes someone off a shift, at any time."""
    return _release(signup, by)


def move(*, signup: Signup, to: Shift, by: User) -> Outcome:
    """A coordinator moves someone to another shift of the same cycle, if it has a place."""
    if to.cycle_id != signup.shift.cycle_id:
        raise ShiftError(_("Choose a shift of the same distribution."))
    if to.pk == signup.shift_id:
        return Outcome(signup, False)
    with transaction.atomic():
        outcome = sign_up(shift=to, user=signup.user, by=by, coordinator=True)
        if outcome.created:
            _release(signup, by)
    return outcome


def mark_absent(*, signup: Signup, absent: bool) -> None:
    """Mark that the volunteer did not come (or did after all), so that the counts stay true."""
    Signup.objects.filter(pk=signup.pk).update(absent=absent)
    signup.absent = absent


# --- Setting the shifts of a cycle -------------------------------------------------------------


SHIFT_FIELDS = ("kind", "label", "starts_at", "ends_at", "capacity")


def add_shift(*, cycle: Cycle, fields: dict[str, object]) -> Shift:
    return Shift.objects.create(cycle=cycle, **{name: fields[name] for name in SHIFT_FIELDS})


def edit_shift(*, shift: Shift, fields: dict[str, object]) -> None:
    """Change times, task or places; never fewer places than people already signed up."""
    capacity = fields["capacity"]
    assert isinstance(capacity, int)
    with transaction.atomic():
        changed = Shift.objects.filter(pk=shift.pk, taken__lte=capacity).update(
            **{name: fields[name] for name in SHIFT_FIELDS}
        )
        if not changed:
            current = Shift.objects.get(pk=shift.pk).taken
            raise ShiftError(
                _("%(count)s people are signed up: keep at least %(count)s places, or move someone first.")
                % {"count": current}
            )
    shift.refresh_from_db()


def delete_shift(*, shift: Shift) -> None:
    """Only a shift nobody is signed up for (cancelled sign-ups go with it)."""
    with transaction.atomic():
        if Signup.objects.active().filter(shift=shift).exists():
            raise ShiftError(_("People are signed up for this shift: move or remove them first."))
        Shift.objects.filter(pk=shift.pk).delete()


def previous_with_shifts(cycle: Cycle) -> Cycle | None:
    """The group's latest cycle before ``cycle`` that has shifts (the one to copy)."""
    return (
        Cycle.objects.filter(group_id=cycle.group_id, shifts__isnull=False)
        .exclude(pk=cycle.pk)
        .filter(distribution_date__lte=cycle.distribution_date)
        .order_by("-distribution_date", "-pk")
        .first()
    )


def copy_shifts(*, cycle: Cycle, source: Cycle | None = None) -> int:
    """Give ``cycle`` the shifts of ``source`` (default: the previous cycle with shifts), nobody signed up;
    or the usual five if there is none. Nothing if ``cycle`` has shifts already. Returns how many."""
    with transaction.atomic():
        if Shift.objects.filter(cycle=cycle).exists():
            return 0
        source = source or previous_with_shifts(cycle)
        if source is not None:
            shifts = [
                Shift(cycle=cycle, **{name: getattr(old, name) for name in SHIFT_FIELDS})
                for old in Shift.objects.filter(cycle=source)
            ]
        else:
            shifts = usual_shifts(cycle)
        Shift.objects.bulk_create(shifts)
    return len(shifts)


def _shifted(moment: time, minutes: int) -> time:
    total = min(max(moment.hour * 60 + moment.minute + minutes, 0), 23 * 60 + 59)
    return time(total // 60, total % 60)


def usual_shifts(cycle: Cycle) -> list[Shift]:
    """Set-up before, desk, cashier and stands during, tidy-up after the distribution."""
    start, end = cycle.distribution_start, cycle.distribution_end
    spans = {
        Kind.SETUP: (_shifted(start, -SETUP_MINUTES), start),
        Kind.DESK: (start, end),
        Kind.CASHIER: (start, end),
        Kind.STANDS: (start, end),
        Kind.TIDY: (_shifted(end, -15), _shifted(end, TIDY_MINUTES)),
    }
    made = []
    for kind, capacity in USUAL:
        starts, ends = spans[kind]
        if ends <= starts:  # a distribution at the very start or end of the day
            starts, ends = start, end
        made.append(Shift(cycle=cycle, kind=kind, starts_at=starts, ends_at=ends, capacity=capacity))
    return made


# --- Fairness: rules and exemptions ------------------------------------------------------------


def save_rules(*, group: BuyingGroup, cancel_hours: int, yearly_help: bool, call_after_cycles: int) -> Rules:
    rules, _created = Rules.objects.update_or_create(
        group=group,
        defaults={
            "cancel_hours": cancel_hours,
            "yearly_help": yearly_help,
            "call_after_cycles": call_after_cycles,
        },
    )
    return rules


def exempt(*, group: BuyingGroup, user: User, reason: str, note: str, by: User) -> Exemption:
    if reason not in Reason.values:
        raise ShiftError(_("Choose a reason."))
    exemption, _created = Exemption.objects.update_or_create(
        group=group, user=user, defaults={"reason": reason, "note": note, "created_by": by}
    )
    return exemption


def end_exemption(*, group: BuyingGroup, user: User) -> None:
    Exemption.objects.filter(group=group, user=user).delete()


def record_past_help(*, group: BuyingGroup, users: Iterable[User], day: date, what: str, by: User) -> int:
    rows = [PastHelp(group=group, user=user, day=day, what=what, created_by=by) for user in users]
    PastHelp.objects.bulk_create(rows)
    return len(rows)
