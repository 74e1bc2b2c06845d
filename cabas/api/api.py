"""The JSON API, version 1, under ``/api/v1/``.

Why django-ninja rather than Django REST framework: the API is a handful of
read endpoints and one write, over functions that already exist (the
permission helpers, ``baskets``, ``ordering.save_basket``). Ninja maps them
with typed pydantic schemas that both validate input and produce the OpenAPI
description served at ``/api/v1/openapi.json`` (and the docs page at
``/api/v1/docs``) without a second declaration; it is a small, well-kept
library (DRF brings serializers, viewsets, routers, its own request and
permission classes and browsable renderer, most of which we would not use, and
its OpenAPI needs another package).

A breaking change gets ``/api/v2/`` beside this one; v1 keeps answering.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import ValidationError

from cabas.api import endpoints
from cabas.api.auth import PerTokenThrottle, TokenAuth

api = NinjaAPI(
    title="Cabas API",
    version="1",
    description=(
        "Public catalogue and cycles of a group; with a personal token (created on your profile "
        "page, sent as `Authorization: Bearer cabas_…`), your baskets, a producer's orders, a "
        "coordinator's cycles and orders. Money in integer cents, quantities in thousandths of "
        "the unit. Lists are paginated (`?page=`); each token may make a limited number of "
        "requests a minute (429 with `Retry-After` beyond)."
    ),
    urls_namespace="api-v1",
    auth=TokenAuth(),
    throttle=[PerTokenThrottle()],
    docs=Swagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _field(loc: object) -> str:
    """``("body", "line", "quantity")`` -> ``quantity``; ``("query", "page")`` -> ``query.page``."""
    parts = loc if isinstance(loc, (list, tuple)) else ()
    return ".".join(str(part) for part in parts if part not in ("body", "line")) or "body"


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 with one readable sentence (``detail``) and pydantic's list of what was wrong (``errors``)."""
    where = "; ".join(f"{_field(error.get('loc', ()))}: {error.get('msg', '')}" for error in exc.errors)
    detail = _("The request is not valid (%(where)s): nothing was changed.") % {"where": where}
    return api.create_response(request, {"detail": detail, "errors": exc.errors}, status=422)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": "Forbidden"}, status=403)


for router in (endpoints.public, endpoints.member, endpoints.producer, endpoints.coordinator):
    api.add_router("", router)
