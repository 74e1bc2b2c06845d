"""Reading a day's action from a plain form or from the offline queue: one reader for both.

A stand's or the desk's form posts the same fields whether it is sent by the
browser (no JavaScript) or queued on the device and sent later in a batch
(``sync``). ``read_action`` turns those fields into an ``Action`` or refuses
them with a message for the person; nothing is written by reading.

Fields (all strings, as typed): ``kind``, ``order``, ``producer``, ``line``,
``corrects`` (ids); ``quantity`` (in the product's unit, « 1 » or « 0,5 »);
``weight`` (kg, « 0,812 », read into grams); ``amount`` (euros, « 12,50 »);
``method``, ``reason``, ``note``; ``details-*`` (cheque ``number``, ``bank``,
``drawer``; transfer ``reference``; cash ``tendered``); ``device`` and
``action`` (the ids the device made; ``happened_at`` in ISO 8601, optional).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from cabas.distribution.models import EventKind
from cabas.distribution.services import Action, Refused, payment_details
from cabas.lib.inputs import clean_text, parse_digits
from cabas.lib.money import parse_cents
from cabas.lib.quantities import parse_quantity

DETAILS = ("number", "bank", "drawer", "reference", "tendered")
ID_LENGTH = 64


def read_action(data: Mapping[str, Any], *, device: str = "") -> Action:
    """The action the fields describe; ``Refused`` with a message if they cannot be read."""
    kind = str(data.get("kind", ""))
    if kind not in EventKind.values:
        raise Refused(_("This action is unknown: reload the page."))
    device = clean_text(data.get("device") or device, ID_LENGTH)
    action = clean_text(data.get("action"), ID_LENGTH)
    order = parse_digits(str(data.get("order", "")))
    if not device or not action or order is None:
        raise Refused(_("Something is missing in this action: reload the page."))
    return Action(
        device=device,
        action=action,
        kind=EventKind(kind),
        order_id=order,
        producer_id=_id(data, "producer"),
        line_id=_id(data, "line"),
        corrects=_id(data, "corrects"),
        quantity=_read(data, "quantity", parse_quantity, _("The quantity is not a number.")),
        grams=_read(data, "weight", parse_quantity, _("Type the weight in kg, e.g. 0,812.")),
        amount_cents=_read(data, "amount", parse_cents, _("Type the amount in euros, e.g. 12,50.")),
        method=clean_text(data.get("method"), 10),
        reason=clean_text(data.get("reason"), 20),
        note=clean_text(data.get("note"), 300),
        details=_details(data),
        happened_at=_when(data.get("happened_at")),
    )


def _id(data: Mapping[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    number = parse_digits(str(value))
    if number is None:
        raise Refused(_("Something is missing in this action: reload the page."))
    return number


def _read(data: Mapping[str, Any], name: str, parse: Any, message: str) -> int | None:
    value = str(data.get(name) or "").strip()
    if not value:
        return None
    if len(value) > 20:
        raise Refused(message)
    try:
        number = int(parse(value))
    except ValueError:
        raise Refused(message) from None
    if number < 0:
        raise Refused(message)
    return number


def _details(data: Mapping[str, Any]) -> dict[str, str]:
    """The details typed, those of the method chosen only (``services.payment_details``)."""
    details = data.get("details")
    if isinstance(details, Mapping):  # the offline queue sends an object
        source = {key: details.get(key) for key in DETAILS}
    else:
        source = {key: data.get(f"details-{key}") for key in DETAILS}
    typed = {key: clean_text(value, 80) for key, value in source.items() if value}
    return payment_details(str(data.get("method", "")), typed)


def _when(value: object) -> datetime | None:
    """The device's clock, if given and plausible (within a day of the server's); else None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment if abs((moment - timezone.now()).total_seconds()) < 86_400 else None
