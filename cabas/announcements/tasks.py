"""E-mailing an announcement to the households of its group, after commit."""

from __future__ import annotations

import logging

from django.db.models import QuerySet
from django.tasks import task
from django.utils import timezone

from cabas.accounts.models import User
from cabas.cycles.tasks import _send_each
from cabas.lib.emails import send_templated

logger = logging.getLogger(__name__)


def recipients(group_id: int) -> QuerySet[User]:
    """Active households of the group (current membership) who accept the group's e-mails.

    The choice is ``wants_announcements`` on the person's account page, the one that
    also governs the e-mail telling that a cycle opens.
    """
    return User.objects.filter(
        is_active=True,
        deleted_at__isnull=True,
        wants_announcements=True,
        memberships__group_id=group_id,
        memberships__ended_at__isnull=True,
        memberships__is_member=True,
    ).order_by("pk")


@task
def send_announcement(announcement_id: int) -> int:
    """E-mail the announcement once; returns how many people it was sent to.

    Claimed with a guarded update (``emailed_at`` null), so a task run twice
    sends nothing the second time; skipped if it was deleted meanwhile.
    """
    from cabas.announcements.models import Announcement

    claimed = Announcement.objects.filter(
        pk=announcement_id, send_email=True, emailed_at__isnull=True, hidden_at__isnull=True
    ).update(emailed_at=timezone.now())
    if not claimed:
        logger.info("Announcement %s: already e-mailed, deleted or not to e-mail.", announcement_id)
        return 0
    announcement = Announcement.objects.select_related("group", "published_by").get(pk=announcement_id)
    context = {"announcement": announcement, "group": announcement.group}
    return _send_each(
        recipients(announcement.group_id),
        lambda user: send_templated(to=user, template="announcements/email/announcement", context=context),
        f"Announcement {announcement_id}",
    )
