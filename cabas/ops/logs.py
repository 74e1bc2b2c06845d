"""Logs an administrator can search: a request id on every line, JSON when asked.

``RequestIdMiddleware`` takes the proxy's ``X-Request-ID`` (nginx: ``$request_id``)
when it looks like one, or makes one, keeps it for the duration of the request,
and sends it back in the response, so a line of nginx's log, of the app's log and
a person's error report can be matched. ``RequestIdFilter`` puts it on every log
record; ``JsonFormatter`` writes one JSON object per line (``CABAS_LOG_FORMAT=json``);
``RefusalFilter`` keeps a refused request to one line.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
request_id: ContextVar[str] = ContextVar("request_id", default="-")


class RefusalFilter(logging.Filter):
    """A refused request (403, 404, 405) is one line: who asked for what is worth logging,
    the traceback of the refusal, which is the app working as meant, is not."""

    QUIET = frozenset({403, 404, 405})

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.request" and getattr(record, "status_code", None) in self.QUIET:
            record.exc_info = None
            record.exc_text = None
        return True


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        # Never trust an arbitrary header into the logs: only a plain token is kept.
        current = given if _ACCEPTED.match(given) else uuid.uuid4().hex
        token = request_id.set(current)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = current
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id.get()),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
