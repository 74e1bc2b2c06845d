"""The spreadsheet (XLSX) layout of the documents after the day, as ``sheets`` for the others."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cabas.reports.day import METHODS, DaySummary, ProducerDay, Shortage
from cabas.reports.day_prints import decision_label, desk_label, method_label, payment_details, reason_label
from cabas.reports.sheets import header_lines
from cabas.reports.writers import Column, Kind, Table


def producer_day_title(data: ProducerDay) -> str:
    return _("Day report · %(producer)s") % {"producer": data.producer.name}


def cheques_title(data: ProducerDay) -> str:
    return _("Cheques to deposit · %(producer)s") % {"producer": data.producer.name}


def day_summary_title() -> str:
    return _("Distribution day summary")


def _yes(flag: bool) -> str:
    return _("yes") if flag else ""


def _shortages_table(shortages: list[Shortage], caption: list[str], with_producer: bool) -> Table:
    columns = [
        *([Column(_("Producer"), width=28)] if with_producer else []),
        Column(_("No."), Kind.COUNT, 6),
        Column(_("Member"), width=26),
        Column(_("Product"), width=30),
        Column(_("Unit"), width=16),
        Column(_("Not delivered"), Kind.QUANTITY, 12),
        Column(_("Reason"), width=34),
    ]
    rows = [
        [
            *([s.producer_name] if with_producer else []),
            s.number,
            s.member.name,
            s.product,
            s.unit_label,
            s.quantity,
            reason_label(s),
        ]
        for s in shortages
    ]
    return Table(_("Not delivered"), columns, rows, caption=caption)


# --- A producer's day report ---------------------------------------------------------------


def producer_day_tables(data: ProducerDay) -> list[Table]:
    """What was handed over (one row per item), the payments (one row each), the shortages."""
    caption = header_lines(data.header, producer_day_title(data))
    return [
        _handed_table(data, caption),
        _payments_table(data, caption),
        _shortages_table(data.shortages, caption, False),
    ]


def _handed_table(data: ProducerDay, caption: list[str]) -> Table:
    columns = [
        Column(_("No."), Kind.COUNT, 6),
        Column(_("Member"), width=26),
        Column(_("Product"), width=30),
        Column(_("Unit"), width=16),
        Column(_("Quantity"), Kind.QUANTITY, 9),
        Column(_("Actual weight (kg)"), Kind.WEIGHT, 11),
        Column(_("Amount (€)"), Kind.MONEY, 12),
        Column(_("Handed over"), width=10),
        Column(_("Handed over, per household (€)"), Kind.MONEY, 14),
        Column(_("Paid at the stand (€)"), Kind.MONEY, 14),
        Column(_("Paid at the welcome desk"), width=14),
        Column(_("Still owed (€)"), Kind.MONEY, 12),
        Column(_("Paid, not handed over (€)"), Kind.MONEY, 14),
    ]
    rows: list[list[Any]] = []
    for row in data.rows:
        per_household = [
            row.handed_cents,
            row.paid_cents,
            desk_label(row.complement) if row.at_desk else "",
            row.owed_cents,
            row.paid_not_handed_cents,
        ]
        if not row.items:
            rows.append([row.number, row.member.name, *[None] * 6, *per_household])
        for index, item in enumerate(row.items):
            first = index == 0
            rows.append(
                [
                    row.number,
                    row.member.name,
                    item.name,
                    item.unit_label,
                    item.quantity,
                    item.grams,
                    item.amount_cents,
                    _yes(item.handed),
                    *(per_household if first else [None] * 5),
                ]
            )
    totals = [
        None,
        _("Total"),
        *[None] * 6,
        data.handed_cents,
        data.paid_cents,
        None,
        data.owed_cents,
        data.paid_not_handed_cents,
    ]
    return Table(_("Handed over"), columns, rows, totals, caption, landscape=True)


def _payments_table(data: ProducerDay, caption: list[str]) -> Table:
    columns = [
        Column(_("No."), Kind.COUNT, 6),
        Column(_("Member"), width=26),
        Column(_("Method"), width=18),
        Column(_("Amount (€)"), Kind.MONEY, 12),
        Column(_("Cheque number"), width=14),
        Column(_("Bank"), width=18),
        Column(_("Drawer"), width=22),
        Column(_("Details"), width=30),
    ]
    rows: list[list[Any]] = []
    for row in data.rows:
        for payment in row.payments:
            details = payment.details
            rows.append(
                [
                    row.number,
                    row.member.name,
                    method_label(payment.method),
                    payment.amount_cents,
                    details.get("number", ""),
                    details.get("bank", ""),
                    details.get("drawer", ""),
                    payment_details(payment),
                ]
            )
        if row.at_desk:  # never the household's amount: the association pays the producer
            rows.append([row.number, row.member.name, desk_label(row.complement), None, "", "", "", ""])
    totals = [None, _("Total"), None, data.paid_cents, None, None, None, None]
    return Table(_("Payments"), columns, rows, totals, caption)


# --- The cycle's day summary ---------------------------------------------------------------


def day_summary_tables(data: DaySummary) -> list[Table]:
    caption = header_lines(data.header, day_summary_title())
    producers = Table(
        _("Producers"),
        [
            Column(_("Producer"), width=30),
            Column(_("Households"), Kind.COUNT, 10),
            Column(_("Served"), Kind.COUNT, 9),
            Column(_("Due (€)"), Kind.MONEY, 13),
            Column(_("Handed over (€)"), Kind.MONEY, 13),
            *(Column(f"{method_label(m)} (€)", Kind.MONEY, 12) for m in METHODS),
            Column(_("Paid at the desk, owed by the association (€)"), Kind.MONEY, 16),
            Column(_("Still owed by households (€)"), Kind.MONEY, 14),
            Column(_("Paid, not handed over (€)"), Kind.MONEY, 14),
        ],
        [
            [
                f.producer.name,
                f.households,
                f.served,
                f.due_cents,
                f.handed_cents,
                *(f.methods.of(m) for m in METHODS),
                f.desk_cents,
                f.owed_cents,
                f.paid_not_handed_cents,
            ]
            for f in data.producers
        ],
        [
            _("Total"),
            data.households,
            data.served,
            data.total("due_cents"),
            data.total("handed_cents"),
            *(data.method_total(m) for m in METHODS),
            data.total("desk_cents"),
            data.total("owed_cents"),
            data.total("paid_not_handed_cents"),
        ],
        caption,
        landscape=True,
    )
    desk = Table(
        _("Welcome desk"),
        [
            Column(_("Method"), width=22),
            Column(_("Households"), Kind.COUNT, 10),
            Column(_("Baskets' amount (€)"), Kind.MONEY, 13),
        ],
        [[method_label(m), data.desk.counts.get(m, 0), data.desk.of(m)] for m in METHODS],
        [_("Total"), sum(data.desk.counts.values()), data.desk.total_cents],
        [*caption, _("Baskets settled at the welcome desk")],
    )
    uncollected = Table(
        _("Not collected"),
        [
            Column(_("No."), Kind.COUNT, 6),
            Column(_("Member"), width=26),
            Column(_("Left to pay (€)"), Kind.MONEY, 12),
            Column(_("Decision"), width=24),
            Column(_("Decided by"), width=24),
        ],
        [
            [n.number, n.member.name, n.due_cents, decision_label(n.decision), n.decided_by]
            for n in data.not_collected
        ],
        caption=[*caption, _("Baskets not collected")],
    )
    return [producers, desk, _shortages_table(data.shortages, caption, True), uncollected]
