"""The yearly donor summaries, as data for the Typst layout ``donors.typ`` (one donor a page)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cabas.accounts.models import BuyingGroup
from cabas.ledger.models import Method
from cabas.lib.money import format_cents
from cabas.solidarity.gifts import Donor


def _method(value: str) -> str:
    return str(Method(value).label) if value in Method.values else ""


def donors_print(group: BuyingGroup, year: int, donors: list[Donor]) -> dict[str, Any]:
    title = _("Gifts to the solidarity fund in %(year)s") % {"year": year}
    now = timezone.localtime()
    return {
        "lang": (translation.get_language() or "fr")[:2],
        "title": title,
        "show_title": False,
        "group": group.name,
        "header": title,
        "provisional": None,
        "printed": _("Printed on %(date)s at %(time)s")
        % {"date": date_format(now, "SHORT_DATE_FORMAT"), "time": date_format(now, "H:i")},
        "page": _("page"),
        "columns": [_("Date"), _("What"), _("Method"), _("Amount")],
        "total_label": _("Total of the year"),
        "empty": _("Nobody gave to the fund this year."),
        "note": _("The amounts are those the association received during the year."),
        "donors": [
            {
                "title": title,
                "name": donor.name,
                "address": donor.address or None,
                "intro": _(
                    "%(group)s thanks you for your gifts to its solidarity fund, which helps every "
                    "resident afford quality food. Here is what you gave in %(year)s."
                )
                % {"group": group.name, "year": year},
                "rows": [
                    [
                        date_format(item.on, "SHORT_DATE_FORMAT"),
                        item.what,
                        _method(item.method),
                        format_cents(item.amount_cents),
                    ]
                    for item in donor.given
                ],
                "total": format_cents(donor.total_cents),
                "thanks": _("Thank you."),
            }
            for donor in donors
        ],
    }
