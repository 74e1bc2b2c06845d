"""Each group's privacy page: its coordinators' text, or the default one in the reader's language."""

from __future__ import annotations

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cabas.accounts.models import BuyingGroup, User
from cabas.audit.models import Kind
from cabas.audit.services import record
from cabas.privacy.models import PrivacyNotice


def default_text(group: BuyingGroup) -> str:
    """The text a group starts with, in the active language (the reader's)."""
    return render_to_string("privacy/default_notice.txt", {"group": group}).strip()


def text_of(group: BuyingGroup) -> tuple[str, PrivacyNotice | None]:
    """The group's privacy text and the notice it comes from (``None``: the default text)."""
    notice = PrivacyNotice.objects.filter(group=group).select_related("updated_by").first()
    return (notice.text if notice else default_text(group)), notice


@transaction.atomic
def save_text(*, group: BuyingGroup, text: str, by: User) -> PrivacyNotice:
    """Replace the group's privacy text; the audit trail keeps the text before and after."""
    notice = PrivacyNotice.objects.select_for_update().filter(group=group).first()
    before = notice.text if notice else ""
    if notice is None:
        notice = PrivacyNotice(group=group)
    notice.text, notice.updated_at, notice.updated_by = text, timezone.now(), by
    notice.save()
    if text != before:
        record(
            group=group, kind=Kind.PRIVACY_CHANGED, actor=by, before={"text": before}, after={"text": text}
        )
    return notice
