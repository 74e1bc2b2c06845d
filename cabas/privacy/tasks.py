"""Background e-mails about people's data. Enqueued after commit."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.tasks import task

from cabas.lib.emails import send_templated


@task
def send_retention_warning(user_id: int) -> None:
    """Tell a person their unused account will be anonymised unless they come back."""
    from cabas.privacy.models import RetentionWarning

    warning = RetentionWarning.objects.filter(user_id=user_id).select_related("user").first()
    if warning is None:  # they came back (or were anonymised) before the e-mail left
        return
    send_templated(
        to=warning.user,
        template="privacy/email/retention_warning",
        context={
            "days": settings.CABAS_RETENTION_DAYS,
            "deadline": warning.warned_at + timedelta(days=settings.CABAS_RETENTION_GRACE_DAYS),
        },
    )
