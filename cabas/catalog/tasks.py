"""Background e-mails about producers. Enqueued after commit by services."""

from __future__ import annotations

from types import SimpleNamespace

from django.conf import settings
from django.tasks import task

from cabas.lib.emails import send_templated


@task
def send_producer_invitation(invitation_id: int) -> None:
    from cabas.accounts.models import User
    from cabas.catalog.models import ProducerInvitation

    invitation = ProducerInvitation.objects.select_related("producer", "group", "invited_by").get(
        pk=invitation_id
    )
    # The invited person may have no account yet: write in their account's
    # language if they have one, else in the instance's.
    user = User.objects.filter(email__iexact=invitation.email, is_active=True).first()
    recipient = user or SimpleNamespace(
        email=invitation.email, language=settings.LANGUAGE_CODE, is_active=True, display_name=""
    )
    send_templated(
        to=recipient,
        template="catalog/email/invitation",
        context={"invitation": invitation, "producer": invitation.producer, "group": invitation.group},
    )
