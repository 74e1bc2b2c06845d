"""``/healthz``: is this app server able to serve, and is the background work keeping up?

For the proxy and for monitoring. It answers 503 when the database or the cache
cannot be used (this server cannot serve: take it out of rotation), and 200
otherwise, with ``"status": "degraded"`` when tasks wait too long or the clock
has not ticked lately (the site serves, but e-mails and documents are late:
someone should look at the worker or the clock). Nothing private is shown.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult

CLOCK_KEY = "cabas:clock:last-tick"
# The clock ticks every minute; the worker picks a task up within seconds.
CLOCK_LATE_SECONDS = 10 * 60
TASKS_LATE_SECONDS = 15 * 60


def clock_ticked(now: float | None = None) -> None:
    """Record that the clock has just ticked (it runs in its own process)."""
    cache.set(CLOCK_KEY, now if now is not None else time.time(), timeout=None)


def _database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache() -> bool:
    cache.set("cabas:healthz", "ok", timeout=60)
    return cache.get("cabas:healthz") == "ok"


def _tasks() -> dict[str, Any]:
    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    age = (timezone.now() - oldest).total_seconds() if oldest else 0
    return {"waiting": waiting.count(), "oldest_waiting_seconds": round(age)}


def _clock() -> int | None:
    seen = cache.get(CLOCK_KEY)
    return None if seen is None else max(round(time.time() - float(seen)), 0)


def check(name: str, probe: Any) -> tuple[Any, str | None]:
    try:
        return probe(), None
    except Exception as error:  # a probe failing is the answer, not a crash
        return None, f"{type(error).__name__}: {error}"


def report() -> tuple[int, dict[str, Any]]:
    """The HTTP status and the body of ``/healthz``."""
    database, database_error = check("database", _database)
    cache_ok, cache_error = check("cache", _cache)
    body: dict[str, Any] = {"database": bool(database), "cache": bool(cache_ok)}
    errors = {k: v for k, v in {"database": database_error, "cache": cache_error}.items() if v}
    if database:
        body["tasks"], _ = check("tasks", _tasks)
    if cache_ok:
        body["clock_last_seen_seconds"] = _clock()
    if not (database and cache_ok):
        body.update(status="down", errors=errors)
        return 503, body
    late_tasks = (body.get("tasks") or {}).get("oldest_waiting_seconds", 0) > TASKS_LATE_SECONDS
    clock = body.get("clock_last_seen_seconds")
    late_clock = clock is None or clock > CLOCK_LATE_SECONDS
    body["status"] = "degraded" if late_tasks or late_clock else "ok"
    return 200, body


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    status, body = report()
    return JsonResponse(body, status=status)
