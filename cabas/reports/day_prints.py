"""The printed (PDF) layout of the documents after the day: what their Typst layouts receive.

As ``prints``: called in the group's language, every value already a text
(``12,50 €``, ``0,812 kg``), the layouts (``templates/reports/day_*.typ``,
``cheques.typ``) only place them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cabas.distribution.models import ShortReason, Uncollected
from cabas.ledger.models import Method
from cabas.reports.day import METHODS, DaySummary, ProducerDay, Shortage, StandPayment
from cabas.reports.prints import Data, money, page, quantity

HANDED = "✓"
NOT_HANDED = "—"


def method_label(method: str) -> str:
    return str(Method(method).label) if method in Method.values else method


def payment_details(payment: StandPayment) -> str:
    """« n° 1234567, Crédit Agricole » for a cheque, « réf. DUPONT-JUIN » for a transfer, else ""."""
    details = payment.details
    if payment.method == Method.CHEQUE:
        parts = [_("no. %(number)s") % {"number": details["number"]}] if details.get("number") else []
        parts += [details[key] for key in ("bank", "drawer") if details.get(key)]
        return ", ".join(parts)
    if payment.method == Method.TRANSFER and details.get("reference"):
        return _("ref. %(reference)s") % {"reference": details["reference"]}
    return ""


def payment_text(payment: StandPayment) -> str:
    """« Chèque (n° 1234567, Crédit Agricole) 12,50 € », flagged when it was recorded twice."""
    details = payment_details(payment)
    text = method_label(payment.method) + (f" ({details})" if details else "")
    text += f" {money(payment.amount_cents)}"
    return text + (f" · {_('to check: recorded twice')}" if payment.conflict else "")


def desk_label(complement: bool = False) -> str:
    """« réglé à l'accueil », never with the household's amount; with a complement to pay at the
    desk when a weighing raised the amount after the payment."""
    if complement:
        return _("paid at the welcome desk (complement at the welcome desk)")
    return _("paid at the welcome desk")


def paid_not_handed_label() -> str:
    return _("paid, not handed over")


def weight(grams: int | None) -> str:
    return quantity(grams, "kg") if grams is not None else ""


def reason_label(shortage: Shortage) -> str:
    label = str(ShortReason(shortage.reason).label)
    return _("%(reason)s: %(note)s") % {"reason": label, "note": shortage.note} if shortage.note else label


def _shortage_rows(shortages: list[Shortage], with_producer: bool) -> list[list[str]]:
    return [
        [
            *([s.producer_name] if with_producer else []),
            str(s.number),
            s.member.name,
            f"{s.product} ({s.unit_label})" if s.unit_label else s.product,
            quantity(s.quantity),
            reason_label(s),
        ]
        for s in shortages
    ]


def _shortage_columns(with_producer: bool) -> list[str]:
    return [
        *([_("Producer")] if with_producer else []),
        _("No."),
        _("Member"),
        _("Product"),
        _("Not delivered"),
        _("Reason"),
    ]


# --- A producer's day report ---------------------------------------------------------------


def producer_day(data: ProducerDay, title: str) -> Data:
    count = len(data.rows)
    intro = ngettext(
        "%(served)s of %(counter)s household served",
        "%(served)s of %(counter)s households served",
        count,
    ) % {"served": data.served, "counter": count}
    households = [
        {
            "number": str(row.number),
            "name": row.member.name,
            "items": [
                {
                    "name": item.name,
                    "unit": item.unit_label,
                    "quantity": quantity(item.quantity),
                    "weight": weight(item.grams) if item.variable_weight else "",
                    "amount": money(item.amount_cents, item.variable_weight and item.grams is None),
                    "handed": HANDED if item.handed else NOT_HANDED,
                }
                for item in row.items
            ],
            "payments": [payment_text(p) for p in row.payments]
            + ([desk_label(row.complement)] if row.at_desk else [])
            + ([paid_not_handed_label()] if row.paid_not_handed_cents else []),
            "owed": money(row.owed_cents),
        }
        for row in data.rows
    ]
    methods = [
        [
            method_label(method),
            str(data.methods.counts.get(method, 0)),
            money(data.methods.of(method)),
        ]
        for method in METHODS
    ]
    return page(title, data.header) | {
        "intro": intro,
        "columns": [
            _("No."),
            _("Member"),
            _("Product"),
            _("Quantity"),
            _("Actual weight"),
            _("Amount"),
            _("Handed over"),
            _("Paid"),
            _("Still owed"),
        ],
        "households": households,
        "empty": _("Nobody ordered from this producer."),
        "methods_title": _("Paid at the stand, by method"),
        "methods_columns": [_("Method"), _("Payments"), _("Amount")],
        "methods": methods,
        "methods_total": [_("Total"), str(sum(data.methods.counts.values())), money(data.paid_cents)],
        "totals_title": _("Totals"),
        "totals": [
            [_("Ordered (amounts due)"), money(data.due_cents)],
            [_("Handed over"), money(data.handed_cents)],
            [_("Paid at the stand"), money(data.paid_cents)],
            [
                ngettext(
                    "Paid at the welcome desk (%(counter)s household): the association pays you",
                    "Paid at the welcome desk (%(counter)s households): the association pays you",
                    data.desk_count,
                )
                % {"counter": data.desk_count},
                money(data.desk_cents),
            ],
            [_("Paid, not handed over"), money(data.paid_not_handed_cents)],
            [_("Still owed by households"), money(data.owed_cents)],
        ],
        "shortages_title": _("Not delivered"),
        "shortages_columns": _shortage_columns(False),
        "shortages": _shortage_rows(data.shortages, False),
        "shortages_empty": _("Nothing was missing."),
        "note": _(
            "Amounts are those of the actual weights. « Paid at the welcome desk »: the household paid "
            "its whole basket there; the association pays you its part."
        ),
    }


# --- The cheques to deposit ---------------------------------------------------------------------


def cheques(data: ProducerDay, title: str) -> Data:
    count = len(data.cheques)
    payee = data.producer.payment.cheque_payee or data.producer.name
    return page(title, data.header) | {
        "intro": _("Payable to: %(payee)s") % {"payee": payee},
        "iban": f"IBAN {data.producer.payment.iban_display}" if data.producer.payment.iban_display else None,
        "columns": [_("No."), _("Cheque number"), _("Bank"), _("Drawer"), _("Member (slip)"), _("Amount")],
        "rows": [
            [
                str(index),
                cheque.cheque_number,
                cheque.bank,
                cheque.drawer,
                f"{cheque.member.name} ({cheque.number})",
                money(cheque.amount_cents),
            ]
            for index, cheque in enumerate(data.cheques, start=1)
        ],
        "empty": _("No cheque was received at this stand."),
        "total": [
            ngettext("Total: %(counter)s cheque", "Total: %(counter)s cheques", count) % {"counter": count},
            money(data.cheque_total_cents),
        ],
        "signature": [_("Deposited on:"), _("By:"), _("Signature:")],
    }


# --- The cycle's day summary ---------------------------------------------------------------------


def decision_label(decision: str) -> str:
    return str(Uncollected(decision).label) if decision in Uncollected.values else _("No decision yet")


def day_summary(data: DaySummary, title: str) -> Data:
    served = _("%(served)s of %(count)s households served") % {
        "served": data.served,
        "count": data.households,
    }
    conflicts = (
        ngettext(
            "%(counter)s payment recorded twice to resolve",
            "%(counter)s payments recorded twice to resolve",
            data.conflicts,
        )
        % {"counter": data.conflicts}
        if data.conflicts
        else None
    )
    rows = [
        [
            f.producer.name,
            f"{f.served} / {f.households}",
            money(f.due_cents),
            money(f.handed_cents),
            *(money(f.methods.of(method)) for method in METHODS),
            money(f.desk_cents),
            money(f.owed_cents),
            money(f.paid_not_handed_cents),
        ]
        for f in data.producers
    ]
    total = [
        _("Total"),
        f"{data.served} / {data.households}",
        money(data.total("due_cents")),
        money(data.total("handed_cents")),
        *(money(data.method_total(method)) for method in METHODS),
        money(data.total("desk_cents")),
        money(data.total("owed_cents")),
        money(data.total("paid_not_handed_cents")),
    ]
    return page(title, data.header) | {
        "intro": served,
        "conflicts": conflicts,
        "producers_title": _("Per producer"),
        "producers_columns": [
            _("Producer"),
            _("Served"),
            _("Due"),
            _("Handed over"),
            *(method_label(method) for method in METHODS),
            _("Paid at the desk (owed by the association)"),
            _("Still owed by households"),
            _("Paid, not handed over"),
        ],
        "producers": rows,
        "producers_total": total,
        "empty": _("No basket in this cycle."),
        "desk_title": _("Baskets settled at the welcome desk"),
        "desk_columns": [_("Method"), _("Households"), _("Baskets' amount")],
        "desk": [[method_label(m), str(data.desk.counts.get(m, 0)), money(data.desk.of(m))] for m in METHODS],
        "desk_total": [_("Total"), str(sum(data.desk.counts.values())), money(data.desk.total_cents)],
        "shortages_title": _("Not delivered"),
        "shortages_columns": _shortage_columns(True),
        "shortages": _shortage_rows(data.shortages, True),
        "shortages_empty": _("Nothing was missing."),
        "uncollected_title": _("Baskets not collected"),
        "uncollected_columns": [_("No."), _("Member"), _("Left to pay"), _("Decision"), _("Decided by")],
        "uncollected": [
            [str(n.number), n.member.name, money(n.due_cents), decision_label(n.decision), n.decided_by]
            for n in data.not_collected
        ],
        "uncollected_empty": _("Every basket was collected."),
    }
