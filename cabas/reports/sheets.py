"""The spreadsheet (XLSX and CSV) layout of each document, from the data layer's dataclasses.

Called inside ``translation.override`` (see ``documents``): titles and labels
are in the group's language.
"""

from __future__ import annotations

from typing import Any

from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from cabas.reports.data import (
    CycleSummary,
    DistributionList,
    DocumentHeader,
    Matrix,
    PurchaseOrder,
)
from cabas.reports.writers import Column, Kind, Table


def header_lines(header: DocumentHeader, title: str) -> list[str]:
    """Group, cycle and distribution, title; a warning while orders are still open."""
    when = _("Distribution on %(date)s, %(start)s–%(end)s, %(place)s") % {
        "date": date_format(header.distribution_date, "l j F Y"),
        "start": time_format(header.distribution_start, "H:i"),
        "end": time_format(header.distribution_end, "H:i"),
        "place": header.distribution_place,
    }
    lines = [header.group_name, f"{header.cycle_name} · {when}", title]
    if header.provisional:
        lines.append(_("Provisional: orders are still open, these figures may change."))
    return lines


def _yes(flag: bool) -> str:
    return _("yes") if flag else ""


# --- Purchase order -----------------------------------------------------------------------


def purchase_order_title(data: PurchaseOrder) -> str:
    return _("Purchase order · %(producer)s") % {"producer": data.producer.name}


def purchase_order_table(data: PurchaseOrder) -> Table:
    columns = [
        Column(_("Product"), width=34),
        Column(_("Unit"), width=22),
        Column(_("Unit price (€, per kg if variable weight)"), Kind.MONEY, 14),
        Column(_("Quantity"), Kind.QUANTITY, 10),
        Column(_("Carton size"), Kind.QUANTITY, 10),
        Column(_("Full cartons"), Kind.COUNT, 10),
        Column(_("Left over (incomplete carton)"), Kind.QUANTITY, 12),
        Column(_("Estimated weight (kg)"), Kind.WEIGHT, 12),
        Column(_("Amount (€)"), Kind.MONEY, 13),
        Column(_("Estimated amount (variable weight)"), width=12),
    ]
    rows = [
        [
            row.name,
            row.unit_label,
            row.price_cents,
            row.quantity,
            row.cartons.size if row.cartons else None,
            row.cartons.full if row.cartons else None,
            row.cartons.remainder if row.cartons else None,
            row.estimated_weight_grams,
            row.amount_cents,
            _yes(row.estimated),
        ]
        for row in data.rows
    ]
    totals = [_("Total"), *[None] * 7, data.total_cents, _yes(data.is_estimate)]
    caption = header_lines(data.header, purchase_order_title(data))
    return Table(_("Purchase order"), columns, rows, totals, caption)


# --- Distribution list ----------------------------------------------------------------------


def distribution_list_title(data: DistributionList) -> str:
    return _("Distribution list · %(producer)s") % {"producer": data.producer.name}


def distribution_list_table(data: DistributionList) -> Table:
    """One row per item, the member on each (to filter); the amount to collect on the member's first row."""
    columns = [
        Column(_("Member"), width=26),
        Column(_("Phone"), width=15),
        Column(_("Product"), width=30),
        Column(_("Unit"), width=18),
        Column(_("Quantity"), Kind.QUANTITY, 9),
        Column(_("Estimated weight (kg)"), Kind.WEIGHT, 11),
        Column(_("Actual weight (kg)"), Kind.WEIGHT, 11),
        Column(_("Line amount (€)"), Kind.MONEY, 12),
        Column(_("Amount to collect (€)"), Kind.MONEY, 13),
        Column(_("Handed over"), Kind.TICK, 9),
    ]
    rows: list[list[Any]] = []
    for member_row in data.rows:
        for index, item in enumerate(member_row.items):
            first = index == 0
            rows.append(
                [
                    member_row.member.name,
                    member_row.member.phone,
                    item.name,
                    item.unit_label,
                    item.quantity,
                    item.estimated_weight_grams,
                    None,
                    item.total_cents,
                    member_row.amount_cents if first else None,
                    first,
                ]
            )
    totals = [_("Total"), *[None] * 7, data.total_cents, None]
    caption = header_lines(data.header, distribution_list_title(data))
    return Table(_("Distribution list"), columns, rows, totals, caption, landscape=True)


# --- Matrix ---------------------------------------------------------------------------------


def matrix_title() -> str:
    return _("Who ordered where")


def matrix_table(data: Matrix) -> Table:
    columns = [
        Column(_("Member"), width=26),
        Column(_("Phone"), width=15),
        Column(_("E-mail"), width=28),
        *[Column(producer.name, Kind.MONEY, 13) for producer in data.producers],
        Column(_("Total (€)"), Kind.MONEY, 13),
    ]
    rows = [
        [row.member.name, row.member.phone, row.member.email, *row.amounts, row.total_cents]
        for row in data.rows
    ]
    totals = [_("Total"), None, None, *data.producer_totals, data.total_cents]
    caption = [*header_lines(data.header, matrix_title()), _("Amounts due to each producer, in euros.")]
    return Table(matrix_title(), columns, rows, totals, caption, landscape=True)


# --- Cycle summary ---------------------------------------------------------------------------


def summary_title() -> str:
    return _("Cycle summary")


def summary_tables(data: CycleSummary) -> list[Table]:
    """Turnover per producer, then cartons per product, on two sheets."""
    baskets = _("Baskets: %(count)s") % {"count": data.baskets}
    turnover = Table(
        _("Turnover"),
        [
            Column(_("Producer"), width=34),
            Column(_("Baskets"), Kind.COUNT, 10),
            Column(_("Turnover (€)"), Kind.MONEY, 14),
            Column(_("Estimated amount (variable weight)"), width=12),
        ],
        [[p.producer.name, p.baskets, p.amount_cents, _yes(p.estimated)] for p in data.producers],
        [_("Total"), data.baskets, data.total_cents, None],
        [*header_lines(data.header, summary_title()), baskets],
    )
    cartons = Table(
        _("Cartons"),
        [
            Column(_("Producer"), width=28),
            Column(_("Product"), width=30),
            Column(_("Unit"), width=18),
            Column(_("Quantity"), Kind.QUANTITY, 10),
            Column(_("Carton size"), Kind.QUANTITY, 10),
            Column(_("Full cartons"), Kind.COUNT, 10),
            Column(_("Left over (incomplete carton)"), Kind.QUANTITY, 12),
            Column(_("Missing to fill the last carton"), Kind.QUANTITY, 12),
        ],
        [
            [
                row.producer_name,
                row.name,
                row.unit_label,
                row.quantity,
                row.cartons.size,
                row.cartons.full,
                row.cartons.remainder,
                row.cartons.missing,
            ]
            for row in data.cartons
        ],
        caption=header_lines(data.header, _("Cartons per product")),
    )
    return [turnover, cartons]
