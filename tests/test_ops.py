"""Seeing what happens: /healthz, request ids, JSON logs, optional error reports."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cabas.bank.tasks import send_low_balance
from cabas.ops import health
from cabas.ops.logs import JsonFormatter, RefusalFilter, RequestIdFilter, request_id
from tests.test_deploy import ROOT, production_env

pytestmark = pytest.mark.django_db


def test_healthz_answers_every_figure(client: Client) -> None:
    health.clock_ticked()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body.pop("clock_last_seen_seconds") < 30
    assert body == {
        "status": "ok",
        "database": True,
        "cache": True,
        "tasks": {"waiting": 0, "oldest_waiting_seconds": 0},
    }


def test_healthz_is_degraded_without_the_clock(client: Client) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["clock_last_seen_seconds"] is None


def test_healthz_is_degraded_when_tasks_wait_too_long(client: Client, settings) -> None:
    health.clock_ticked()
    settings.TASKS = {**settings.TASKS, "db": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    send_low_balance.using(backend="db").enqueue(1, 2, 3)
    assert client.get("/healthz").json()["tasks"]["waiting"] == 1
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(hours=1))
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["tasks"] == {"waiting": 1, "oldest_waiting_seconds": 3600}


def test_healthz_says_down_when_the_database_fails(client: Client, monkeypatch) -> None:
    def broken() -> bool:
        raise OSError("connection refused")

    monkeypatch.setattr(health, "_database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["errors"] == {"database": "OSError: connection refused"}


def test_healthz_refuses_post(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


def test_the_clock_says_it_ticked() -> None:
    cache.delete(health.CLOCK_KEY)
    call_command("cabas_clock", once=True)
    assert time.time() - cache.get(health.CLOCK_KEY) < 60


def test_a_request_id_is_made_or_kept(client: Client) -> None:
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "a1b2c3d4e5f6"})["X-Request-ID"] == "a1b2c3d4e5f6"
    forged = client.get("/healthz", headers={"X-Request-ID": "x\nFAKE LOG LINE"})["X-Request-ID"]
    assert "FAKE" not in forged


def test_log_records_carry_the_request_id_as_json() -> None:
    record = logging.LogRecord("cabas.test", logging.WARNING, __file__, 1, "Panier « %s »", ("42",), None)
    token = request_id.set("abcdef123456")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abcdef123456"
    assert line["message"] == "Panier « 42 »"
    assert line["level"] == "WARNING"
    assert line["logger"] == "cabas.test"


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )


def test_json_logs_when_asked() -> None:
    result = _python("import logging; logging.getLogger('cabas').warning('hé')", CABAS_LOG_FORMAT="json")
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "hé"
    assert line["request_id"] == "-"


def test_healthz_is_not_redirected_to_https_in_production() -> None:
    result = _python(
        "from django.test import Client;"
        "c = Client(HTTP_HOST='cabas.example.org');"
        "print(c.get('/healthz').status_code, c.get('/').status_code)",
        CABAS_SECRET_KEY="x" * 60,
    )
    healthz, home = result.stdout.split()
    assert home == "301", result.stderr  # to https://
    assert healthz in {"200", "503"}  # answered over plain HTTP (503 here: no database migrated)


def test_sentry_starts_only_with_a_dsn() -> None:
    code = (
        "import sentry_sdk; c = sentry_sdk.get_client(); print(c.is_active(), c.options['send_default_pii'])"
    )
    assert _python(code).stdout.split()[0] == "False"
    result = _python(code, CABAS_SENTRY_DSN="https://public@sentry.example.org/1")
    assert result.stdout.split() == ["True", "False"], result.stderr


def test_a_refused_request_is_one_line_without_a_traceback() -> None:
    """In development Django's own console handler doubled the line, and the refusal's
    traceback followed it: a 404 is the app working as meant."""
    code = (
        "from django.test import Client;"
        "print(Client(HTTP_HOST='cabas.example.org').get('/nulle-part/', secure=True).status_code)"
    )
    result = _python(code, CABAS_DEBUG="1")
    assert result.stdout.split() == ["404"], result.stderr
    said = [line for line in result.stderr.splitlines() if "/nulle-part/" in line]
    assert len(said) == 1 and "Not Found" in said[0], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("status", "quiet"), [(403, True), (404, True), (405, True), (500, False)])
def test_only_refusals_lose_their_traceback(status: int, quiet: bool) -> None:
    """The filter production's log handler uses too: a 500 keeps its traceback."""
    try:
        raise ValueError("refused")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Refused", None, exc_info)
    record.status_code = status
    assert RefusalFilter().filter(record)
    assert (record.exc_info is None) == quiet
