"""A producer's statement in CSV or XLSX: a row per household and cycle, then the association."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cabas.books.statements import GroupStatement
from cabas.catalog.models import Producer
from cabas.ledger.models import Method
from cabas.reports.writers import Column, Kind, Table

STAND_METHODS = (Method.CASH, Method.CHEQUE, Method.CARD, Method.TRANSFER)


def producer_statement_table(producer: Producer, statement: GroupStatement) -> Table:
    columns = [
        Column(_("Cycle"), Kind.TEXT, 22),
        Column(_("Distribution"), Kind.TEXT, 12),
        Column(_("Household"), Kind.TEXT, 26),
        Column(_("Handed over"), Kind.MONEY, 12),
        *[Column(_("At the stand: %(method)s") % {"method": m.label}, Kind.MONEY, 12) for m in STAND_METHODS],
        Column(_("Settled with the association"), Kind.TEXT, 18),
        Column(_("Paid by the association"), Kind.MONEY, 14),
        Column(_("Still owed"), Kind.MONEY, 12),
    ]
    rows: list[list[object]] = []
    totals: dict[str, int] = {"handed": 0, "paid": 0, "owed": 0}
    totals.update(dict.fromkeys(STAND_METHODS, 0))
    for pc in statement.cycles:
        when = date_format(pc.cycle.distribution_date, "SHORT_DATE_FORMAT")
        for row in pc.households:
            rows.append(
                [
                    pc.cycle.name,
                    when,
                    row.name,
                    row.handed_cents,
                    *[row.stand_cents.get(m) or None for m in STAND_METHODS],
                    _("paid at the welcome desk") if row.at_desk else "",
                    None,
                    row.owes_cents or None,
                ]
            )
        rows.append(
            [
                pc.cycle.name,
                when,
                _("The association"),
                None,
                *[None for _m in STAND_METHODS],
                "",
                pc.association_paid_cents or None,
                pc.association_owes_cents or None,
            ]
        )
        totals["handed"] += pc.due_cents
        totals["paid"] += pc.association_paid_cents
        totals["owed"] += pc.owed_cents
        for m in STAND_METHODS:
            totals[m] += pc.stand_cents.get(m, 0)
    total_row = [
        _("Total"),
        "",
        "",
        totals["handed"],
        *[totals[m] for m in STAND_METHODS],
        "",
        totals["paid"],
        totals["owed"],
    ]
    return Table(
        title=_("Statement"),
        columns=columns,
        rows=rows,
        totals=total_row,
        caption=[producer.name, _("Statement for %(group)s") % {"group": statement.group.name}],
        landscape=True,
    )
