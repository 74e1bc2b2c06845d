"""The distribution day's service worker, served from the site's root so that its scope covers
both the stands (``/producers/…/day/``) and the welcome desk (``/g/…/manage/…/day/desk/``).

A service worker may only control pages under its own path, and static files live under
``/static/``: hence a view. The script is a template so that it precaches the shell's
static files under their real (hashed, in production) URLs; its cache name is a digest of
those files' contents, so a deployment that changes any of them installs a new worker,
which drops the old cache. The worker itself is explained in ``distribution/day-sw.js``.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

SHELL = ("cabas/cabas.css", "cabas/favicon.svg", "vendor/htmx-2.min.js", "cabas/cabas.js", "cabas/day.js")


def _digest() -> str:
    digest = hashlib.sha256()
    for name in SHELL:
        path = finders.find(name)
        digest.update(name.encode())
        if isinstance(path, str):
            with open(path, "rb") as file:
                digest.update(file.read())
    return digest.hexdigest()[:16]


@never_cache  # the browser checks for a new worker on every visit of a day page
@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    script = render_to_string(
        "distribution/day-sw.js",
        {
            "cache": json.dumps(f"cabas-day-{_digest()}"),
            "shell": json.dumps([static(name) for name in SHELL]),
        },
    )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response
