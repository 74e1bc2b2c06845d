"""The fund's history for its committee, and the few figures its members may see.

Both read the ledger through ``fund_positions.fund_history`` (one query, whatever
the number of cycles), so the committee's charts, their tables, the CSV and
the members' figures are the same figures, and the last balance is what the
ledger says the fund holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cabas.accounts.models import BuyingGroup
from cabas.cycles.models import Cycle
from cabas.ledger.fund_positions import FundPeriod, fund_history
from cabas.lib.charts import Chart, Series
from cabas.lib.money import format_cents
from cabas.reports.writers import Column, Kind, Table
from cabas.solidarity.models import HelpDecision, HelpRequest

# Below this many households helped in a cycle, members see « fewer than 3 », never the count.
FEW = 3


@dataclass(frozen=True)
class Dashboard:
    periods: list[FundPeriod]
    waiting: int  # requests waiting for the committee, proposals included
    proposals: int  # of which proposed by a coordinator
    reviews_due: int  # current decisions whose review date has come

    @property
    def balance_cents(self) -> int:
        return self.periods[-1].balance_cents if self.periods else 0

    def charts(self) -> list[Chart]:
        labels = [p.name for p in self.periods]
        cycle = _("Cycle")
        return [
            Chart(
                slug="fund-balance",
                title=_("The fund's balance over time"),
                desc=_(
                    "What the fund held at the end of each cycle, from %(first)s to %(last)s: now %(now)s."
                )
                % {
                    "first": labels[0] if labels else "—",
                    "last": labels[-1] if labels else "—",
                    "now": format_cents(self.balance_cents),
                },
                labels=labels,
                series=[Series(_("Balance"), [p.balance_cents for p in self.periods])],
                kind="line",
                fmt=format_cents,
                label_title=cycle,
            ),
            Chart(
                slug="fund-flows",
                title=_("Money in and out per cycle"),
                desc=_(
                    "Contributions and gifts received, and help granted, per cycle: "
                    "%(in)s in, %(out)s out in all."
                )
                % {
                    "in": format_cents(sum(p.in_cents for p in self.periods)),
                    "out": format_cents(sum(p.out_cents for p in self.periods)),
                },
                labels=labels,
                series=[
                    Series(_("In"), [p.in_cents for p in self.periods]),
                    Series(_("Out"), [p.out_cents for p in self.periods]),
                ],
                fmt=format_cents,
                label_title=cycle,
            ),
            Chart(
                slug="fund-helped",
                title=_("Households helped per cycle"),
                desc=_("How many households the fund helped in each cycle; at most %(most)s.")
                % {"most": max([p.helped for p in self.periods] or [0])},
                labels=labels,
                series=[Series(_("Households helped"), [p.helped for p in self.periods])],
                label_title=cycle,
            ),
        ]

    def table(self, group: BuyingGroup) -> Table:
        """The same figures as a spreadsheet's rows (the CSV download)."""
        return Table(
            _("Solidarity fund"),
            [
                Column(_("Cycle"), width=30),
                Column(_("Distribution day"), width=14),
                Column(_("In (€)"), Kind.MONEY),
                Column(_("Out (€)"), Kind.MONEY),
                Column(_("Households helped"), Kind.COUNT),
                Column(_("Balance (€)"), Kind.MONEY),
            ],
            [
                [
                    p.name,
                    p.day.isoformat() if p.day else "",
                    p.in_cents,
                    p.out_cents,
                    p.helped,
                    p.balance_cents,
                ]
                for p in self.periods
            ],
            caption=[group.name, _("Solidarity fund")],
        )


def dashboard(group: BuyingGroup) -> Dashboard:
    """Three queries, whatever the fund's history: the ledger's, the requests', the decisions'."""
    periods = fund_history(group)
    counts = HelpRequest.objects.filter(group=group, status=HelpRequest.Status.WAITING).aggregate(
        waiting=Count("pk"), proposals=Count("pk", filter=Q(proposed_by__isnull=False))
    )
    today = timezone.localdate()
    latest: dict[int, HelpDecision] = {}
    for decision in (
        HelpDecision.objects.filter(group=group)
        .only("household_id", "percent", "cap_cents", "review_on", "decided_at")
        .order_by("decided_at", "pk")
    ):
        latest[decision.household_id] = decision
    due = sum(1 for d in latest.values() if d.active and d.review_on is not None and d.review_on <= today)
    return Dashboard(periods, counts["waiting"], counts["proposals"], due)


# --- What members see ----------------------------------------------------------------------


@dataclass(frozen=True)
class PublicCycle:
    name: str
    help_cents: int | None  # None: fewer than 3 households were helped, the amount is not shown
    helped: int | None  # None: fewer than 3


@dataclass(frozen=True)
class PublicFigures:
    """Settled cycles only (their figures no longer move), aggregates only: a count under 3 is
    « fewer than 3 » (0 too) and the help of so few households is not shown. The balance is the
    one at the end of the last settled cycle where at least 3 households were helped: a balance
    after a cycle with 1 or 2 would tell, by difference, what they received."""

    balance_cents: int | None  # None before any such cycle
    as_of: str  # that cycle's name
    cycles: list[PublicCycle]


def public_figures(group: BuyingGroup, *, last: int = 6) -> PublicFigures:
    """Two queries. Every settled cycle is listed, with fund money or without, so a cycle without
    help reads exactly as a cycle with one or two households helped."""
    periods = {p.cycle_id: p for p in fund_history(group) if p.cycle_id is not None and p.settled}
    recent = Cycle.objects.filter(group=group, settled_at__isnull=False).order_by("-distribution_date", "-pk")
    cycles = []
    for pk, name in recent.values_list("pk", "name")[:last]:
        period = periods.get(pk)
        enough = period is not None and period.helped >= FEW
        cycles.append(
            PublicCycle(
                name,
                period.out_cents if enough and period is not None else None,
                period.helped if enough and period is not None else None,
            )
        )
    ordered = sorted(periods.values(), key=lambda p: (p.day or date.min, p.cycle_id or 0))
    shown = next((p for p in reversed(ordered) if p.helped >= FEW), None)
    if shown is None:
        return PublicFigures(None, "", cycles)
    return PublicFigures(shown.balance_cents, shown.name, cycles)
