"""Uploading a bank statement in tests (the same helpers as ``test_bank``)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cabas.accounts.models import User
from cabas.bank.models import StatementImport
from cabas.cycles.baskets import slip_numbers
from cabas.cycles.models import Cycle, Order


def reference(cycle: Cycle, member: User) -> str:
    order = Order.objects.get(cycle=cycle, user=member)
    return f"CABAS-{cycle.pk}-{slip_numbers(cycle)[order.pk]}"


def statement(*rows: tuple[str, str, str]) -> SimpleUploadedFile:
    text = "Date;Libellé;Débit;Crédit\n" + "".join(f"{d};{label};;{amount}\n" for d, label, amount in rows)
    return SimpleUploadedFile("releve.csv", text.encode("cp1252"), content_type="text/csv")


def upload(client: Client, file: SimpleUploadedFile, slug: str = "saint-orens") -> StatementImport:
    file.seek(0)
    response = client.post(reverse("bank_upload", args=[slug]), {"statement": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    return StatementImport.objects.latest("pk")
