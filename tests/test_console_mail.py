"""E-mails printed on the console in development read as a person would read them."""

from __future__ import annotations

import io

from django.core.mail import EmailMultiAlternatives

from cabas.lib.console_mail import EmailBackend


def test_accents_are_printed_as_they_are_and_attachments_by_name() -> None:
    out = io.StringIO()
    message = EmailMultiAlternatives(
        "Votre panier réservé", "Bonjour Élodie,\nà encaisser : 12,40 €.", "a@example.org", ["b@example.org"]
    )
    message.attach_alternative("<p>réservé</p>", "text/html")
    message.attach("bordereau.pdf", b"%PDF-1.7", "application/pdf")
    assert EmailBackend(stream=out).send_messages([message]) == 1
    printed = out.getvalue()
    assert "Subject: Votre panier réservé" in printed
    assert "à encaisser : 12,40 €." in printed and "<p>réservé</p>" in printed
    assert "=C3=A9" not in printed and "%PDF" not in printed
    assert "[attachment: bordereau.pdf]" in printed


def test_account_e_mails_name_the_site_even_outside_a_request(settings, cast) -> None:
    """« …son compte sur . »: an e-mail sent without a request had no domain to name."""
    from types import SimpleNamespace

    from allauth.core.context import request_context
    from django.core import mail
    from django.test import RequestFactory

    from cabas.accounts.adapter import AccountAdapter

    settings.CABAS_SITE_URL = "https://cabas.example.org"
    context = {"current_site": SimpleNamespace(name="", domain=""), "user": cast.member, "activate_url": "x"}
    request = RequestFactory().get("/")
    with request_context(request):
        AccountAdapter(request).send_mail("account/email/email_confirmation", cast.member.email, context)
    (message,) = mail.outbox
    assert "cabas.example.org" in message.body
    assert " sur ." not in message.body and " on ." not in message.body
