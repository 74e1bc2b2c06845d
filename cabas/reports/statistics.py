"""Statistics over a group's history, a producer's sales and a member's spending, as charts.

Each chart is built by one function that runs **one** aggregate query (plus, for a group's or a
member's charts, the one query listing the group's past cycles, shared by the page), whatever
the length of the history. Amounts are sums of the persisted line totals (integer cents), never
recomputed from prices. A chart carries its table (the same figures, for screen readers,
copy-paste and the CSV download) and its SVG drawing.

A cycle counts in the history once its orders have closed (published, deadline passed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cabas.accounts.models import BuyingGroup, Membership, User
from cabas.catalog.permissions import ProducerAccess
from cabas.cycles.models import Cycle, Offer, Order, OrderLine
from cabas.lib.money import format_cents
from cabas.reports.charts import Series, bar_chart, line_chart
from cabas.reports.writers import Column, Kind, Table

TOP_SERIES = 6  # lines drawn per chart; the others are added up in « Others »


@dataclass(frozen=True)
class PastCycle:
    pk: int
    name: str
    day: date
    group: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.group})" if self.group else self.name


@dataclass
class Chart:
    key: str
    title: str
    description: str
    table: Table
    svg: SafeString

    def display_rows(self) -> list[list[str]]:
        kinds = [column.kind for column in self.table.columns]
        return [
            [_display(kind, value) for kind, value in zip(kinds, row, strict=True)] for row in self.table.rows
        ]


def _display(kind: Kind, value: Any) -> str:
    if value is None:
        return "—"
    if kind == Kind.MONEY:
        return format_cents(value)
    if kind == Kind.COUNT:
        return formats.number_format(value, force_grouping=True)
    return str(value)


def percent(numerator: int, denominator: int) -> str:
    """``45,2 %``: a share with one decimal (``—`` when there is nothing to share)."""
    if not denominator:
        return "—"
    return formats.number_format(round(1000 * numerator / denominator) / 10, 1) + "\xa0%"


def per_mille(numerator: int, denominator: int) -> int | None:
    return round(1000 * numerator / denominator) if denominator else None


def _percent_label(value: int) -> str:
    return formats.number_format(value / 10, 1) + "\xa0%"


def _count_label(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def history(group: BuyingGroup, now: datetime | None = None) -> list[PastCycle]:
    """The group's cycles whose orders have closed, oldest first (one query)."""
    now = now or timezone.now()
    rows = (
        Cycle.objects.published()
        .filter(group=group, closes_at__lte=now)
        .order_by("distribution_date", "pk")
        .values_list("pk", "name", "distribution_date")
    )
    return [PastCycle(pk, name, day) for pk, name, day in rows]


# --- Pivot: amounts per cycle and per producer ---------------------------------------------


def _pivot_chart(
    key: str, title: str, desc: str, cycles: Sequence[PastCycle], cells: dict[tuple[int, str], int]
) -> Chart:
    """Cycles x producers: the ``TOP_SERIES`` biggest producers drawn, the others added up."""
    totals: dict[str, int] = defaultdict(int)
    for (_cycle, name), cents in cells.items():
        totals[name] += cents
    top = sorted(totals, key=lambda name: (-totals[name], name))[:TOP_SERIES]
    others = len(totals) > len(top)
    columns = [Column(_("Cycle")), Column(_("Date")), *(Column(name, Kind.MONEY) for name in top)]
    columns += [Column(_("Others"), Kind.MONEY)] if others else []
    columns += [Column(_("Total"), Kind.MONEY)]
    rows = []
    for cycle in cycles:
        values = [cells.get((cycle.pk, name), 0) for name in top]
        whole = sum(cents for (pk, _name), cents in cells.items() if pk == cycle.pk)
        rest = [whole - sum(values)] if others else []
        rows.append([cycle.label, formats.date_format(cycle.day, "SHORT_DATE_FORMAT"), *values, *rest, whole])
    series = [Series(name, [cells.get((c.pk, name)) for c in cycles]) for name in top]
    svg = line_chart(
        title=title, desc=desc, x_labels=[c.label for c in cycles], series=series, label=format_cents
    )
    return Chart(key, title, desc, Table(title, columns, rows), svg)


# --- A group's history ----------------------------------------------------------------------


def turnover_chart(group: BuyingGroup, cycles: Sequence[PastCycle]) -> Chart:
    rows = (
        OrderLine.objects.filter(order__cycle_id__in=[c.pk for c in cycles])
        .values("order__cycle_id", "offer__producer__name")
        .annotate(cents=Sum("total_cents"))
        .order_by()
    )
    cells = {(row["order__cycle_id"], row["offer__producer__name"]): row["cents"] for row in rows}
    title = _("Turnover per producer per cycle")
    desc = _("Amounts ordered from each of the biggest producers, cycle by cycle; the table lists them all.")
    return _pivot_chart("turnover", title, desc, cycles, cells)


def _cycle_figures(group: BuyingGroup, cycles: Sequence[PastCycle]) -> dict[int, dict[str, int]]:
    """Per cycle: baskets (orders with something in them), their turnover, households then (one query)."""
    turnover = (
        OrderLine.objects.filter(order__cycle=OuterRef("pk"))
        .values("order__cycle")
        .annotate(total=Sum("total_cents"))
        .values("total")
    )
    members = (
        Membership.objects.filter(
            group=OuterRef("group"), is_member=True, started_at__lte=OuterRef("closes_at")
        )
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=OuterRef("closes_at")))
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    baskets = (
        Order.objects.filter(cycle=OuterRef("pk"), lines__quantity__gt=0)
        .values("cycle")
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    # Subqueries only, no join in the outer query: each is computed once per cycle, not once per
    # line of the cycle (a join on the lines made SQLite run them 13,000 times on the demo: 2.7 s).
    rows = (
        Cycle.objects.filter(pk__in=[c.pk for c in cycles])
        .annotate(
            baskets=Subquery(baskets, output_field=IntegerField()),
            turnover=Subquery(turnover, output_field=IntegerField()),
            households=Subquery(members, output_field=IntegerField()),
        )
        .order_by()
        .values("pk", "baskets", "turnover", "households")
    )
    return {
        row["pk"]: {
            "baskets": row["baskets"] or 0,
            "turnover": row["turnover"] or 0,
            "households": row["households"] or 0,
        }
        for row in rows
    }


def participation_chart(group: BuyingGroup, cycles: Sequence[PastCycle]) -> Chart:
    figures = _cycle_figures(group, cycles)
    title = _("Baskets and participation")
    desc = _("Share of the group's households who ordered, cycle by cycle.")
    columns = [Column(_("Cycle")), Column(_("Baskets"), Kind.COUNT), Column(_("Households"), Kind.COUNT)]
    columns.append(Column(_("Participation")))
    rows = []
    for cycle in cycles:
        f = figures.get(cycle.pk, {"baskets": 0, "households": 0})
        rows.append([cycle.label, f["baskets"], f["households"], percent(f["baskets"], f["households"])])
    share = [
        per_mille(figures[c.pk]["baskets"], figures[c.pk]["households"]) if c.pk in figures else None
        for c in cycles
    ]
    svg = line_chart(
        title=title,
        desc=desc,
        x_labels=[c.label for c in cycles],
        series=[Series(_("Participation"), share)],
        label=_percent_label,
    )
    return Chart("participation", title, desc, Table(title, columns, rows), svg)


def average_chart(group: BuyingGroup, cycles: Sequence[PastCycle]) -> Chart:
    figures = _cycle_figures(group, cycles)
    title = _("Average basket")
    desc = _("Turnover divided by the number of baskets, cycle by cycle.")
    columns = [Column(_("Cycle")), Column(_("Turnover"), Kind.MONEY), Column(_("Baskets"), Kind.COUNT)]
    columns.append(Column(_("Average basket"), Kind.MONEY))
    rows, bars = [], []
    for cycle in cycles:
        f = figures.get(cycle.pk, {"baskets": 0, "turnover": 0})
        average = round(f["turnover"] / f["baskets"]) if f["baskets"] else 0
        rows.append([cycle.label, f["turnover"], f["baskets"], average])
        bars.append((cycle.label, average))
    svg = bar_chart(title=title, desc=desc, rows=bars, label=format_cents)
    return Chart("average", title, desc, Table(title, columns, rows), svg)


def households_chart(group: BuyingGroup, cycles: Sequence[PastCycle]) -> Chart:
    """New households (first basket that cycle) and lapsed ones (last basket the cycle before)."""
    index = {c.pk: i for i, c in enumerate(cycles)}
    rows_q = (
        OrderLine.objects.filter(order__cycle_id__in=list(index), quantity__gt=0)
        .values("order__user_id", "order__cycle_id")
        .distinct()
        .order_by()
    )
    seen: dict[int, list[int]] = defaultdict(list)
    for row in rows_q:
        seen[row["order__user_id"]].append(index[row["order__cycle_id"]])
    new, lapsed = [0] * len(cycles), [0] * len(cycles)
    for positions in seen.values():
        new[min(positions)] += 1
        last = max(positions)
        if last + 1 < len(cycles):
            lapsed[last + 1] += 1  # did not come back from the next cycle on
    title = _("New and lapsed households")
    desc = _(
        "New: households whose first basket was in that cycle. Lapsed: households who ordered in the "
        "cycle before and never since."
    )
    columns = [Column(_("Cycle")), Column(_("New"), Kind.COUNT), Column(_("Lapsed"), Kind.COUNT)]
    table = Table(title, columns, [[c.label, new[i], lapsed[i]] for i, c in enumerate(cycles)])
    series = [Series(_("New"), new), Series(_("Lapsed"), lapsed)]
    svg = line_chart(
        title=title, desc=desc, x_labels=[c.label for c in cycles], series=series, label=_count_label
    )
    return Chart("households", title, desc, table, svg)


def cartons_chart(group: BuyingGroup, cycles: Sequence[PastCycle]) -> Chart:
    """How full the cartons were: what was ordered of carton products over the cartons it takes."""
    rows_q = (
        Offer.objects.filter(cycle_id__in=[c.pk for c in cycles], carton_size__isnull=False)
        .values("pk", "cycle_id", "carton_size")
        .annotate(ordered=Sum("lines__quantity"))
        .order_by()
    )
    ordered: dict[int, int] = defaultdict(int)
    capacity: dict[int, int] = defaultdict(int)
    cartons: dict[int, int] = defaultdict(int)
    for row in rows_q:
        quantity, size = row["ordered"] or 0, int(row["carton_size"] or 1)
        count = -(-quantity // size)  # cartons started
        ordered[row["cycle_id"]] += quantity
        capacity[row["cycle_id"]] += count * size
        cartons[row["cycle_id"]] += count
    title = _("Carton fill rate")
    desc = _("What was ordered of products sold by the carton, over the room in the cartons it takes.")
    columns = [Column(_("Cycle")), Column(_("Cartons"), Kind.COUNT), Column(_("Fill rate"))]
    table = Table(
        title, columns, [[c.label, cartons[c.pk], percent(ordered[c.pk], capacity[c.pk])] for c in cycles]
    )
    series = [Series(_("Fill rate"), [per_mille(ordered[c.pk], capacity[c.pk]) for c in cycles])]
    svg = line_chart(
        title=title, desc=desc, x_labels=[c.label for c in cycles], series=series, label=_percent_label
    )
    return Chart("cartons", title, desc, table, svg)


GROUP_CHARTS: dict[str, Callable[[BuyingGroup, Sequence[PastCycle]], Chart]] = {
    "turnover": turnover_chart,
    "participation": participation_chart,
    "households": households_chart,
    "average": average_chart,
    "cartons": cartons_chart,
}


# --- A producer's sales ---------------------------------------------------------------------


def _producer_lines(access: ProducerAccess, now: datetime) -> Any:
    cycles = Cycle.objects.published().seen_through(access).filter(closes_at__lte=now)
    return OrderLine.objects.filter(offer__producer=access.producer, order__cycle__in=cycles)


def producer_sales_chart(access: ProducerAccess, now: datetime | None = None) -> Chart:
    rows_q = (
        _producer_lines(access, now or timezone.now())
        .values(
            "order__cycle_id",
            "order__cycle__name",
            "order__cycle__distribution_date",
            "order__cycle__group__name",
        )
        .annotate(cents=Sum("total_cents"), baskets=Count("order_id", distinct=True))
        .order_by("order__cycle__distribution_date", "order__cycle_id")
    )
    title = _("Sales per cycle")
    desc = _("What members ordered from you in each cycle, in every group you supply.")
    columns = [
        Column(_("Cycle")),
        Column(_("Group")),
        Column(_("Baskets"), Kind.COUNT),
        Column(_("Amount"), Kind.MONEY),
    ]
    rows, bars = [], []
    for row in rows_q:
        cycle = PastCycle(
            row["order__cycle_id"], row["order__cycle__name"], row["order__cycle__distribution_date"]
        )
        rows.append([cycle.label, row["order__cycle__group__name"], row["baskets"], row["cents"]])
        bars.append((f"{cycle.name} ({row['order__cycle__group__name']})", row["cents"]))
    svg = bar_chart(title=title, desc=desc, rows=bars, label=format_cents)
    return Chart("sales", title, desc, Table(title, columns, rows), svg)


def producer_products_chart(access: ProducerAccess, now: datetime | None = None) -> Chart:
    rows_q = (
        _producer_lines(access, now or timezone.now())
        .values("offer__product_id", "offer__product__name")
        .annotate(cents=Sum("total_cents"), count=Count("pk"))
        .order_by("-cents", "offer__product__name")
    )
    title = _("Sales per product")
    desc = _("What each of your products brought over all cycles, best first.")
    columns = [Column(_("Product")), Column(_("Order lines"), Kind.COUNT), Column(_("Amount"), Kind.MONEY)]
    rows = [[row["offer__product__name"], row["count"], row["cents"]] for row in rows_q]
    svg = bar_chart(title=title, desc=desc, rows=[(r[0], r[2]) for r in rows[:20]], label=format_cents)
    return Chart("products", title, desc, Table(title, columns, rows), svg)


PRODUCER_CHARTS: dict[str, Callable[[ProducerAccess], Chart]] = {
    "sales": producer_sales_chart,
    "products": producer_products_chart,
}


# --- A member's spending --------------------------------------------------------------------


def _member_lines(group: BuyingGroup, user: User, cycles: Sequence[PastCycle]) -> Any:
    return OrderLine.objects.filter(order__user=user, order__cycle_id__in=[c.pk for c in cycles])


def member_spending_chart(group: BuyingGroup, user: User, cycles: Sequence[PastCycle]) -> Chart:
    rows = (
        _member_lines(group, user, cycles)
        .values("order__cycle_id", "offer__producer__name")
        .annotate(cents=Sum("total_cents"))
        .order_by()
    )
    cells = {(row["order__cycle_id"], row["offer__producer__name"]): row["cents"] for row in rows}
    title = _("My spending per producer over time")
    desc = _("What your household ordered from each producer, cycle by cycle.")
    return _pivot_chart("spending", title, desc, cycles, cells)


def member_producers_chart(group: BuyingGroup, user: User, cycles: Sequence[PastCycle]) -> Chart:
    rows_q = (
        _member_lines(group, user, cycles)
        .values("offer__producer__name")
        .annotate(cents=Sum("total_cents"))
        .order_by("-cents", "offer__producer__name")
    )
    title = _("My spending per producer")
    desc = _("What your household ordered from each producer over all cycles.")
    columns = [Column(_("Producer")), Column(_("Amount"), Kind.MONEY)]
    rows = [[row["offer__producer__name"], row["cents"]] for row in rows_q]
    svg = bar_chart(title=title, desc=desc, rows=[(r[0], r[1]) for r in rows], label=format_cents)
    return Chart("producers", title, desc, Table(title, columns, rows), svg)


MEMBER_CHARTS: dict[str, Callable[[BuyingGroup, User, Sequence[PastCycle]], Chart]] = {
    "spending": member_spending_chart,
    "producers": member_producers_chart,
}
