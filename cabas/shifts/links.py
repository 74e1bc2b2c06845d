"""One-click sign-up links for e-mails: signed, expiring, usable without logging in.

A link names one shift and one household, signed with the site's secret
(``django.core.signing``, with its time): nobody can make one for someone else
or another shift, and it stops working after ``MAX_AGE`` (and once the shift is
over, as any sign-up). Opening it only shows what it would do; the sign-up is
a POST from that page (a mail scanner following links signs nobody up).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.urls import reverse

from cabas.accounts.models import User
from cabas.shifts.models import Shift

SALT = "cabas.shifts.signup-link"
MAX_AGE = timedelta(days=21)


def make_token(shift: Shift, user: User) -> str:
    return signing.dumps([shift.pk, user.pk], salt=SALT)


def link(shift: Shift, user: User) -> str:
    """The path of ``user``'s sign-up link for ``shift`` (prefix it with the site's address)."""
    return reverse("shift_link", kwargs={"token": make_token(shift, user)})


@dataclass(frozen=True)
class Read:
    shift_id: int | None
    user_id: int | None
    expired: bool = False


def read_token(token: str) -> Read:
    """The shift and household a token names; ``Read(None, None)`` if it was not made here."""
    try:
        value = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        return Read(None, None, expired=True)
    except signing.BadSignature:
        return Read(None, None)
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        return Read(None, None)
    return Read(value[0], value[1])
