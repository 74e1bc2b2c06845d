"""Posting, editing and deleting announcements: the one place they are written."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.utils import timezone

from cabas.accounts.models import BuyingGroup, User
from cabas.announcements import tasks
from cabas.announcements.models import Announcement


def post(*, group: BuyingGroup, by: User, title: str, body: str, send_email: bool) -> Announcement:
    """Publish an announcement; with ``send_email`` it is e-mailed after commit, through the task queue."""
    with transaction.atomic():
        announcement = Announcement.objects.create(
            group=group, published_by=by, title=title, body=body, send_email=send_email
        )
        if send_email:
            transaction.on_commit(partial(tasks.send_announcement.enqueue, announcement.pk))
    return announcement


def edit(*, announcement: Announcement, title: str, body: str) -> None:
    """Correct the text shown; an announcement already e-mailed is not e-mailed again."""
    Announcement.objects.filter(pk=announcement.pk).update(title=title, body=body, updated_at=timezone.now())


def hide(*, announcement: Announcement, by: User) -> None:
    """Delete it from every page (the row stays); hiding twice keeps the first date."""
    Announcement.objects.filter(pk=announcement.pk, hidden_at__isnull=True).update(
        hidden_at=timezone.now(), hidden_by=by
    )
