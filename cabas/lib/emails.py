"""Sending e-mails in the recipient's language, from templates."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def send_templated(*, to: Any, template: str, context: dict[str, Any]) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` in ``to``'s language and send.

    ``to`` is a user (with ``email`` and ``language``). Call this from a task,
    never inside a database transaction.
    """
    if not to.is_active or not to.email:
        return
    with translation.override(to.language or settings.LANGUAGE_CODE):
        context = {**context, "recipient": to, "site_url": settings.CABAS_SITE_URL}
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    send_mail(
        subject=f"[{settings.CABAS_SITE_NAME}] {' '.join(subject.split())}",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[to.email],
    )
