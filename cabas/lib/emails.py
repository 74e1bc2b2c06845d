"""Sending e-mails in the recipient's language, from templates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

# (file name, content, content type), as ``EmailMessage.attach`` takes them.
Attachment = tuple[str, bytes, str]


def send_templated(*, to: Any, template: str, context: dict[str, Any]) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` in ``to``'s language and send.

    ``to`` is a user (with ``email`` and ``language``). Call this from a task,
    never inside a database transaction.
    """
    if not to.is_active or not to.email:
        return
    send_templated_to(
        addresses=[to.email],
        language=to.language or settings.LANGUAGE_CODE,
        template=template,
        context={**context, "recipient": to},
    )


def send_templated_to(
    *,
    addresses: Sequence[str],
    language: str,
    template: str,
    context: dict[str, Any],
    attachments: Sequence[Attachment] = (),
) -> None:
    """Like ``send_templated``, to addresses without an account (a producer), with attachments.

    One message to all ``addresses`` (the people of one farm or one household).
    """
    with translation.override(language):
        context = {**context, "site_url": settings.CABAS_SITE_URL}
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    message = EmailMessage(
        subject=f"[{settings.CABAS_SITE_NAME}] {' '.join(subject.split())}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(addresses),
    )
    for attachment in attachments:
        message.attach(*attachment)
    message.send()
