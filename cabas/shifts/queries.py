"""What the shift pages, e-mails and the distribution day read: each in a constant number of queries.

``help_counts`` is the one definition of « who helped how often »: sign-ups
not cancelled, not marked absent, on a distribution day now past, plus help
recorded by hand; the fairness view, a household's own count, the yearly
nudge and the call for help all read it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Max, Prefetch
from django.utils import timezone

from cabas.accounts.models import BuyingGroup, Membership, User
from cabas.cycles.models import Cycle, Phase
from cabas.shifts.models import Exemption, Kind, PastHelp, Shift, Signup

YEAR = timedelta(days=365)


def with_people() -> Prefetch:
    """Prefetch a shift's current sign-ups with their people (``shift.people``)."""
    return Prefetch(
        "signups",
        queryset=Signup.objects.active().select_related("user").order_by("created_at", "pk"),
        to_attr="people",
    )


def cycle_shifts(cycle: Cycle) -> list[Shift]:
    """The cycle's shifts in time order, each with ``people`` (current sign-ups): two queries."""
    shifts = Shift.objects.filter(cycle=cycle).prefetch_related(with_people())
    found = list(shifts.order_by("starts_at", "kind", "pk"))
    for shift in found:
        shift.cycle = cycle  # already loaded: no query per shift for its times
    return found


def short(shifts: list[Shift]) -> list[Shift]:
    return [shift for shift in shifts if shift.missing]


def upcoming_cycles(group: BuyingGroup) -> list[Cycle]:
    """Published cycles of the group whose distribution is today or ahead and not closed yet."""
    return list(
        Cycle.objects.published()
        .filter(group=group, distribution_date__gte=timezone.localdate(), distributed_at__isnull=True)
        .select_related("group")
        .order_by("distribution_date", "pk")
    )


def upcoming_shifts(group: BuyingGroup) -> list[tuple[Cycle, list[Shift]]]:
    """Each upcoming cycle with its shifts and their people: three queries."""
    cycles = upcoming_cycles(group)
    by_cycle: dict[int, list[Shift]] = defaultdict(list)
    shifts = Shift.objects.filter(cycle__in=cycles).prefetch_related(with_people())
    for shift in shifts.order_by("starts_at", "kind", "pk"):
        by_cycle[shift.cycle_id].append(shift)
    for cycle in cycles:
        for shift in by_cycle[cycle.pk]:
            shift.cycle = cycle
    return [(cycle, by_cycle[cycle.pk]) for cycle in cycles]


@dataclass(frozen=True)
class Help:
    count: int
    last: date | None


def help_counts(group: BuyingGroup, *, since: date, users: list[int] | None = None) -> dict[int, Help]:
    """How often each household helped the group since ``since``, and when last: two queries."""
    today = timezone.localdate()
    signups = Signup.objects.helped().filter(
        shift__cycle__group=group, shift__cycle__distribution_date__gte=since
    )
    past = PastHelp.objects.filter(group=group, day__gte=since, day__lt=today)
    if users is not None:
        signups, past = signups.filter(user_id__in=users), past.filter(user_id__in=users)
    counts: dict[int, int] = defaultdict(int)
    lasts: dict[int, date] = {}
    rows = [
        *signups.values("user_id").annotate(n=Count("pk"), last=Max("shift__cycle__distribution_date")),
        *past.values("user_id").annotate(n=Count("pk"), last=Max("day")),
    ]
    for row in rows:
        counts[row["user_id"]] += row["n"]
        lasts[row["user_id"]] = max(lasts.get(row["user_id"], row["last"]), row["last"])
    return {user_id: Help(count, lasts.get(user_id)) for user_id, count in counts.items()}


def nudged(group: BuyingGroup, user: User, rules_yearly: bool, signed_up_ahead: bool) -> bool:
    """The group asks each household to help once a year, and this one has not (nor is about to,
    nor is exempted): a gentle word on their pages, never a block."""
    if not rules_yearly or signed_up_ahead:
        return False
    if Exemption.objects.filter(group=group, user=user).exists():
        return False
    return own_help(group, user).count == 0


def year_ago() -> date:
    return timezone.localdate() - YEAR


def own_help(group: BuyingGroup, user: User) -> Help:
    return help_counts(group, since=year_ago(), users=[user.pk]).get(user.pk, Help(0, None))


def households(group: BuyingGroup) -> list[User]:
    """Current households of the group, by name: one query."""
    members = Membership.objects.current().filter(group=group, is_member=True, user__is_active=True)
    users = [m.user for m in members.select_related("user")]
    return sorted(users, key=lambda user: user.display_name.casefold())


@dataclass(frozen=True)
class FairnessRow:
    user: User
    count: int
    last: date | None
    exemption: Exemption | None
    upcoming: int  # shifts signed up for, ahead


SORTS = ("name", "count", "last")


def fairness(group: BuyingGroup, sort: str = "count") -> list[FairnessRow]:
    """Every household with its help over the last 12 months, exemption and shifts ahead: five queries."""
    people = households(group)
    counts = help_counts(group, since=year_ago())
    exemptions = {e.user_id: e for e in Exemption.objects.filter(group=group)}
    ahead = dict(
        Signup.objects.active()
        .filter(shift__cycle__group=group, shift__cycle__distribution_date__gte=timezone.localdate())
        .values_list("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    rows = [
        FairnessRow(
            user=user,
            count=counts[user.pk].count if user.pk in counts else 0,
            last=counts[user.pk].last if user.pk in counts else None,
            exemption=exemptions.get(user.pk),
            upcoming=ahead.get(user.pk, 0),
        )
        for user in people
    ]
    if sort == "count":
        rows.sort(key=lambda row: (row.exemption is not None, row.count, row.last or date.min))
    elif sort == "last":
        rows.sort(key=lambda row: (row.exemption is not None, row.last or date.min))
    return rows


def recent_cycles(cycle: Cycle, count: int) -> list[int]:
    """The ids of the group's ``count`` distributions before ``cycle``'s."""
    return list(
        Cycle.objects.published()
        .filter(group_id=cycle.group_id, distribution_date__lt=cycle.distribution_date)
        .order_by("-distribution_date", "-pk")
        .values_list("pk", flat=True)[:count]
    )


def to_call(cycle: Cycle, count: int) -> list[User]:
    """Households to ask for help: current, not exempted, without help in the last ``count`` distributions
    (nor recorded by hand since the oldest of them), not signed up for this cycle already."""
    recent = recent_cycles(cycle, count)
    helped = Signup.objects.active().filter(absent=False, shift__cycle_id__in=recent).values("user_id")
    ahead = Signup.objects.active().filter(shift__cycle=cycle).values("user_id")
    exempted = Exemption.objects.filter(group_id=cycle.group_id).values("user_id")
    oldest = (
        Cycle.objects.filter(pk__in=recent)
        .order_by("distribution_date")
        .values_list("distribution_date", flat=True)
        .first()
    )
    by_hand = PastHelp.objects.filter(group_id=cycle.group_id, day__gte=oldest or cycle.distribution_date)
    return list(
        User.objects.filter(
            is_active=True,
            memberships__group_id=cycle.group_id,
            memberships__ended_at__isnull=True,
            memberships__is_member=True,
        )
        .exclude(pk__in=helped)
        .exclude(pk__in=ahead)
        .exclude(pk__in=exempted)
        .exclude(pk__in=by_hand.values("user_id"))
        .order_by("pk")
    )


# --- The distribution day ----------------------------------------------------------------------


def desk_volunteer_ids(cycle: Cycle) -> set[int]:
    """Who signed up for the welcome desk of ``cycle`` (and so may use the desk that day): one query."""
    return set(
        Signup.objects.active()
        .filter(shift__cycle=cycle, shift__kind=Kind.DESK, absent=False)
        .values_list("user_id", flat=True)
    )


def on_desk(cycle: Cycle, user: User) -> bool:
    """Signed up for ``cycle``'s welcome desk (and not marked absent): may use the desk that day."""
    return (
        Signup.objects.active()
        .filter(shift__cycle=cycle, shift__kind=Kind.DESK, user=user, absent=False)
        .exists()
    )


def desk_cycles(user: User, group: BuyingGroup | None = None) -> list[Cycle]:
    """The cycles whose day is open (finalised, not distributed) with ``user`` on a desk shift: one query."""
    cycles = Cycle.objects.filter(
        finalised_at__isnull=False,
        distributed_at__isnull=True,
        shifts__kind=Kind.DESK,
        shifts__signups__user=user,
        shifts__signups__cancelled_at__isnull=True,
        shifts__signups__absent=False,
    )
    if group is not None:
        cycles = cycles.filter(group=group)
    return list(cycles.select_related("group").distinct().order_by("distribution_date", "pk"))


def is_closed(cycle: Cycle) -> bool:
    return cycle.phase() in (Phase.DISTRIBUTED, Phase.SETTLED)


def missing_total(shifts: list[Shift]) -> int:
    return sum(shift.missing for shift in shifts)


def signed_up(shifts: list[Shift], user: User) -> dict[int, Signup]:
    """The user's own sign-up per shift (from the prefetched ``people``)."""
    return {s.pk: p for s in shifts for p in getattr(s, "people", []) if p.user_id == user.pk}
