"""What an import says about the source: oddities it worked around and rows it skipped.

A note is stored as a code and its parameters (in the report, as JSON) and put
into words when shown, in the reader's language.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

ODDITY = "oddity"
SKIPPED = "skipped"

MESSAGES = {
    "no_email_username": _(
        "%(user)s has no e-mail address: their Solalim user name %(email)s is their login."
    ),
    "no_email_placeholder": _(
        "%(user)s has no e-mail address: they get %(email)s until a coordinator enters a real one."
    ),
    "duplicate_email": _("%(user)s shares the address %(email)s with another account: both become one."),
    "existing_account": _("%(email)s already has a Cabas account: it is kept as it is (name, password)."),
    "superuser": _(
        "%(email)s is a Solalim superuser: an import never makes a site admin; "
        "they keep the roles of their memberships."
    ),
    "unknown_hasher": _(
        "The password of %(email)s is stored in a way Cabas does not read: they will log in by e-mailed code."
    ),
    "ended_before_start": _(
        "The membership of %(user)s in %(group)s ended (%(ended)s) before it started (%(started)s): "
        "it is imported as starting on its end date."
    ),
    "merged_memberships": _("%(user)s has two current memberships in %(group)s: their roles are merged."),
    "no_coordinator": _("%(group)s has no staff in Solalim: choose a coordinator."),
    "off_step": _(
        "%(user)s ordered %(quantity)s of « %(product)s » (%(delivery)s), not a multiple of its step "
        "%(step)s: imported as ordered."
    ),
    "mixed_states": _(
        "The deliveries of %(date)s in %(group)s are in different states: the cycle takes the least "
        "advanced one (%(phase)s)."
    ),
    "unknown_unit": _("The unit « %(unit)s » of « %(product)s » is read as a piece."),
    "carton_off_step": _(
        "The package of « %(product)s » (%(delivery)s) is not a multiple of its step: no carton size."
    ),
    "bad_step": _("« %(product)s » (%(delivery)s) has no usable step: 1 is used."),
    "renamed_product": _("%(delivery)s has two products named « %(product)s »: the second is « %(name)s »."),
    "no_distribution_date": _("%(delivery)s has no distribution date: the day it was created is used."),
    "no_producer": _("%(delivery)s has no producer (account deleted): a producer named after it is created."),
    "quota_exceeded": _("« %(product)s » (%(delivery)s) was ordered beyond its quota: nothing remains."),
    "unknown_buyer": _("%(user)s bought in %(group)s without a membership: they are added as a member."),
    # Skipped.
    "purchase_in_preparation": _(
        "%(count)s purchase(s) in %(delivery)s, still in preparation: a cycle in preparation takes "
        "no orders in Cabas."
    ),
    "zero_price_product": _(
        "« %(product)s » (%(delivery)s) has no price: Cabas needs a price above zero "
        "(%(count)s purchase(s) left out)."
    ),
    "purchase_without_buyer": _("%(count)s purchase(s) in %(delivery)s have no buyer (account deleted)."),
    "zero_quantity": _("%(count)s purchase(s) of nothing in %(delivery)s."),
    "user_without_email": _(
        "%(user)s has no e-mail address, and neither bought nor belongs anywhere: not imported."
    ),
    "membership_without_role": _("The membership of %(user)s in %(group)s holds no role: not imported."),
    "former_candidate": _("%(user)s once asked to join %(group)s, without follow-up: not imported."),
}


def note(level: str, code: str, **params: Any) -> dict[str, Any]:
    return {"level": level, "code": code, "params": {k: str(v) for k, v in params.items()}}


def describe(entry: dict[str, Any]) -> str:
    """The note in words, in the active language."""
    message = MESSAGES.get(entry["code"])
    if message is None:
        return entry["code"]
    try:
        return str(message) % entry["params"]
    except (KeyError, TypeError, ValueError):
        return str(message)
