"""The printed (PDF) layout of each document: what its Typst layout receives, from the data layer.

Like ``sheets`` for the spreadsheets: called inside ``translation.override``
(see ``documents``), so labels, amounts (``12,50 €``), quantities and dates
are text in the group's language, formatted here by the app's own helpers,
and the Typst layouts (``templates/reports/*.typ``) only place them on the page.
Every value is a string, an integer, a boolean, ``None``, a list or a dict
(``pdf.typst_value``).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cabas.catalog.payment import payment_sentence
from cabas.cycles.baskets import Item, Member
from cabas.lib.money import format_cents
from cabas.lib.quantities import format_quantity
from cabas.reports.data import (
    CycleSummary,
    DistributionList,
    DocumentHeader,
    MemberSlip,
    PurchaseOrder,
)

Data = dict[str, Any]


def page(title: str, header: DocumentHeader, *, numbered: bool = True, show_title: bool = True) -> Data:
    """What every page says: the header line, the title, the warning while orders are open, the footer."""
    now = timezone.localtime()
    when = _("distribution on %(date)s, %(start)s–%(end)s, %(place)s") % {
        "date": date_format(header.distribution_date, "l j F Y"),
        "start": time_format(header.distribution_start, "H:i"),
        "end": time_format(header.distribution_end, "H:i"),
        "place": header.distribution_place,
    }
    printed = _("Printed on %(date)s at %(time)s") % {
        "date": date_format(now, "SHORT_DATE_FORMAT"),
        "time": date_format(now, "H:i"),
    }
    provisional = _("Provisional: orders are still open, these figures may change.")
    return {
        "lang": (translation.get_language() or "fr")[:2],
        "title": title,
        "show_title": show_title,
        "group": header.group_name,
        "header": f"{header.cycle_name} · {when}",
        "provisional": provisional if header.provisional else None,
        "printed": printed,
        "page": _("page") if numbered else None,
    }


def money(cents: int | None, estimate: bool = False) -> str:
    """``12,50 €``, ``≈ 12,50 €`` for an estimate (a no-break space after ≈), ``""`` for nothing."""
    if cents is None:
        return ""
    return f"≈\u00a0{format_cents(cents)}" if estimate else format_cents(cents)


def quantity(thousandths: int | None, unit: str = "") -> str:
    """``1,5``, or ``1,5 kg`` with a unit; ``""`` for nothing."""
    if thousandths is None:
        return ""
    return f"{format_quantity(thousandths)} {unit}".strip()


def contact(member: Member) -> str:
    return " · ".join(text for text in (member.phone, member.email) if text)


def _item(item: Item) -> Data:
    return {"name": item.name, "unit": item.unit_label, "quantity": quantity(item.quantity)}


# --- Purchase order ----------------------------------------------------------------------------


def purchase_order(data: PurchaseOrder, title: str) -> Data:
    rows = []
    for row in data.rows:
        cartons = ""
        if row.cartons:
            cartons = f"{row.cartons.full} × {quantity(row.cartons.size)}"
            cartons += f" + {quantity(row.cartons.remainder)}" if row.cartons.remainder else ""
        price = format_cents(row.price_cents) + (" / kg" if row.estimated else "")
        weight = quantity(row.estimated_weight_grams, "kg")
        amount = money(row.amount_cents, row.estimated)
        rows.append([row.name, row.unit_label, price, quantity(row.quantity), cartons, weight, amount])
    notes = [_("Cartons: full cartons × carton size + what is left over.")]
    if data.is_estimate:
        notes.insert(
            0,
            _(
                "≈ Variable weight: the amount is estimated from the usual weight of a piece; "
                "members pay on the actual weight."
            ),
        )
    return page(title, data.header) | {
        "intro": " · ".join(text for text in (data.producer.phone, data.producer.email) if text),
        "columns": [
            _("Product"),
            _("Unit"),
            _("Unit price"),
            _("Quantity"),
            _("Cartons"),
            _("Estimated weight"),
            _("Amount"),
        ],
        "rows": rows,
        "empty": _("Nothing was ordered from this producer."),
        "total": [_("Total"), money(data.total_cents, data.is_estimate)],
        "notes": notes,
    }


# --- Distribution list ---------------------------------------------------------------------------


def distribution_list(data: DistributionList, title: str) -> Data:
    count = len(data.rows)
    intro = ngettext("%(counter)s member to serve", "%(counter)s members to serve", count) % {
        "counter": count
    }
    # Each label in a gettext call of its own: makemessages does not read calls inside f-strings.
    to_collect = _("to collect in total:")
    members = [
        {
            "name": row.member.name,
            "phone": row.member.phone,
            "amount": money(row.amount_cents, row.is_estimate),
            "items": [
                _item(item)
                | {
                    "weight": quantity(item.estimated_weight_grams, "kg"),
                    "weighed": item.variable_weight,
                    "amount": money(item.total_cents, item.variable_weight),
                }
                for item in row.items
            ],
        }
        for row in data.rows
    ]
    return page(title, data.header) | {
        "intro": f"{intro} · {to_collect} {money(data.total_cents)}",
        "columns": [
            _("Member"),
            _("Product"),
            _("Quantity"),
            _("Estimated weight"),
            _("Actual weight"),
            _("Amount"),
            _("To collect"),
            _("Handed over"),
        ],
        "members": members,
        "empty": _("Nothing was ordered from this producer."),
        "total": [_("Total to collect"), money(data.total_cents)],
        "note": _(
            "≈ Variable weight: weigh the piece, write the actual weight, "
            "and collect the price of that weight."
        ),
    }


# --- Member slips ----------------------------------------------------------------------------------


def slip(slip_: MemberSlip, number: str | None) -> Data:
    """One member's slip: per producer, the items, the amount to pay and how; the total."""
    payment, total = _("Payment:"), _("Total of the basket:")
    parts = [
        {
            "producer": part.producer.name,
            "items": [
                _item(item)
                | {
                    "weight": quantity(item.estimated_weight_grams, "kg"),
                    "amount": money(item.total_cents, item.variable_weight),
                }
                for item in part.items
            ],
            "total": [
                _("To pay to %(producer)s") % {"producer": part.producer.name},
                money(part.amount_cents, part.is_estimate),
            ],
            "payment": f"{payment} {payment_sentence(part.producer.payment)}",
        }
        for part in slip_.parts
    ]
    note = _("≈ Variable weight: the amount is estimated; you pay the price of the actual weight.")
    return {
        "number": number,
        "name": slip_.member.name,
        "contact": contact(slip_.member),
        "parts": parts,
        "grand_total": f"{total} {money(slip_.total_cents, slip_.is_estimate)}" + _contribution(slip_),
        "note": note if slip_.is_estimate else None,
    }


def _contribution(slip_: MemberSlip) -> str:
    """The household's promise to the solidarity fund, after the basket's total (or nothing)."""
    cents = slip_.basket.contribution_cents
    if not cents:
        return ""
    return " · " + _("my contribution to the solidarity fund, to pay at the welcome desk: %(amount)s") % {
        "amount": money(cents, False)
    }


def slips(
    title: str,
    header: DocumentHeader,
    slips_: list[MemberSlip],
    per_sheet: int,
    first: int,
    count: int | None,
) -> Data:
    """Slips, each with its slip number (``baskets.slip_numbers``), out of ``count`` if given
    (``None``: a member's own slip, « Slip 13 »). ``first`` is kept for the callers' parts."""
    numbers: list[str | None] = [
        (
            _("Slip %(number)s / %(total)s") % {"number": s.number, "total": count}
            if count
            else _("Slip %(number)s") % {"number": s.number}
        )
        if s.number
        else None
        for s in slips_
    ]
    return page(title, header, numbered=False, show_title=False) | {
        "per_sheet": per_sheet,
        "slips": [slip(s, n) for s, n in zip(slips_, numbers, strict=True)],
        "columns": [_("Quantity"), _("Estimated weight"), _("Amount"), _("Delivered")],
        "empty": _("Nothing to collect in this cycle."),
        "no_slip": _("No basket in this cycle."),
    }


# --- Who-ordered-where matrix ------------------------------------------------------------------------


def matrix(title: str, header: DocumentHeader, chunks: list[dict[str, Any]], context: dict[str, Any]) -> Data:
    """One print of the matrix: members of one part or more (``documents._matrix_pdf`` cuts them)."""
    opens = chunks[0]["opens_document"]
    intro = _(
        "Amounts due to each producer. Welcome desk: find the member, "
        "send them to the producers listed on their row."
    )
    return page(title, header, numbered=context["numbered"], show_title=opens) | {
        "intro": intro if opens else None,
        "parts": [_matrix_part(chunk, context) for chunk in chunks],
        "empty": _("No basket in this cycle."),
    }


def _matrix_part(chunk: dict[str, Any], context: dict[str, Any]) -> Data:
    numbered, part_count = context["numbered"], context["part_count"]
    span = {"first": chunk["first"], "last": chunk["last"], "total": context["member_count"]}
    heading = None
    if part_count > 1:
        heading = _("Producers, part %(number)s of %(count)s") % {
            "number": chunk["number"],
            "count": part_count,
        }
        if not numbered:
            heading += " · " + _("members %(first)s to %(last)s of %(total)s") % span
    elif not numbered:
        heading = _("Members %(first)s to %(last)s of %(total)s") % span
    totals = None
    if chunk["closes_part"]:
        totals = [_("Total"), *(money(total) for total in chunk["totals"]), money(context["total_cents"])]
    return {
        "heading": heading,
        "columns": [_("Member"), _("Contact"), *(p.name for p in chunk["producers"]), _("Total")],
        "rows": [
            [
                row["member"].name,
                contact(row["member"]),
                *map(money, row["amounts"]),
                money(row["total_cents"]),
            ]
            for row in chunk["rows"]
        ],
        "totals": totals,
    }


# --- Cycle summary -----------------------------------------------------------------------------------


def summary(data: CycleSummary, title: str) -> Data:
    baskets = ngettext("%(counter)s basket", "%(counter)s baskets", data.baskets) % {"counter": data.baskets}
    turnover = _("turnover:")
    return page(title, data.header) | {
        "intro": f"{baskets} · {turnover} {money(data.total_cents)}",
        "turnover_title": _("Turnover per producer"),
        "turnover_columns": [_("Producer"), _("Baskets"), _("Turnover")],
        "turnover": [
            [row.producer.name, str(row.baskets), money(row.amount_cents, row.estimated)]
            for row in data.producers
        ],
        "turnover_total": [_("Total"), str(data.baskets), money(data.total_cents, data.is_estimate)],
        "cartons_title": _("Cartons per product"),
        "cartons_columns": [
            _("Producer"),
            _("Product"),
            _("Quantity"),
            _("Carton size"),
            _("Full cartons"),
            _("Left over"),
            _("Missing to fill the last carton"),
        ],
        "cartons": [
            [
                row.producer_name,
                {"name": row.name, "unit": row.unit_label},
                quantity(row.quantity),
                quantity(row.cartons.size),
                str(row.cartons.full),
                quantity(row.cartons.remainder),
                quantity(row.cartons.missing),
            ]
            for row in data.cartons
        ],
        "cartons_empty": _("No product sold by the carton was ordered."),
    }
