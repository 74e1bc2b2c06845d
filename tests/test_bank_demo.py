"""The demo's bank statement: computed from the seeded day, waiting for the demo treasurer to confirm."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from cabas.accounts.models import User
from cabas.bank.models import StatementImport, Status
from cabas.bank.statements import read_statement
from cabas.demo import data
from cabas.demo.bank import day_cycle, statement_csv
from cabas.ledger.models import Entry, EntryKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_treasurer_finds_a_statement_to_confirm(client, tmp_path: Path) -> None:
    call_command("seed_demo", "--households", "30", "--producers", "6", stdout=StringIO())
    statement_import = StatementImport.objects.get()
    assert statement_import.confirmed_at is None
    treasurer = User.objects.get(email=data.TREASURER_LOGIN_EMAIL)
    client.force_login(treasurer)
    page = client.get(reverse("bank_import", args=["saint-orens", statement_import.pk])).content.decode()
    assert page.count('value="cycle-') and "selected>Panier de" in page
    lines = list(statement_import.lines.order_by("position"))
    proposed = [line for line in lines if "CABAS" in line.label]
    assert len(proposed) >= 3

    # Confirming with the proposals as shown posts one transfer per referenced line.
    cycle = day_cycle(statement_import.group)
    assert cycle is not None
    form = {}
    for line in proposed:
        form[f"what-{line.pk}"] = f"cycle-{cycle.pk}"
    response = client.post(reverse("bank_confirm", args=["saint-orens", statement_import.pk]), form)
    assert response.status_code == 400  # the households must be chosen too: the page preselects them
    page = client.get(reverse("bank_import", args=["saint-orens", statement_import.pk])).content.decode()
    for line in proposed:
        who = re.search(rf'name="who-{line.pk}">.*?<option value="(\d+)" selected', page, re.DOTALL)
        assert who, line.label
        form[f"who-{line.pk}"] = who.group(1)
    response = client.post(reverse("bank_confirm", args=["saint-orens", statement_import.pk]), form)
    assert response.status_code == 302
    assert Entry.objects.filter(kind=EntryKind.BANK_TRANSFER).count() == len(proposed)
    assert statement_import.lines.filter(status=Status.UNMATCHED).count() == 1
    assert statement_import.lines.filter(status=Status.DEBIT).count() == 2

    # Seeding again adds no second statement; the command writes the same file to try the upload.
    call_command("seed_demo", "--households", "30", "--producers", "6", stdout=StringIO())
    assert StatementImport.objects.count() == 1
    output = tmp_path / "releve.csv"
    call_command("bank_demo_statement", "--output", str(output), stdout=StringIO())
    assert output.read_bytes() == statement_csv(cycle)
    assert len(read_statement(output.read_bytes()).lines) == len(lines)


def test_balma_runs_prepaid_accounts(client) -> None:
    call_command("seed_demo", "--households", "5", "--producers", "3", stdout=StringIO())
    member = User.objects.get(email=data.BALMA_MEMBER_LOGIN_EMAIL)
    client.force_login(member)
    page = client.get(reverse("bank_my_account", args=["balma"])).content.decode()
    assert "40,00" in page and "FR14 2004" in page and "CABAS-P" in page
    call_command("seed_demo", "--households", "5", "--producers", "3", stdout=StringIO())
    assert Entry.objects.filter(kind=EntryKind.TOPUP).count() == 1
