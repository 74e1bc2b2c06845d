"""Optional error reporting through sentry-sdk, started by the settings when a DSN is set."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cabas.ops.logs import request_id

if TYPE_CHECKING:
    from sentry_sdk.types import Event


def _tag_request(event: Event, hint: dict[str, Any]) -> Event:
    """Name the request in the report, as in the logs and nginx's, so the three can be matched."""
    event.setdefault("tags", {})["request_id"] = request_id.get()
    return event


def start_sentry(dsn: str, *, environment: str) -> None:
    """Send unhandled errors to Sentry; never people's data (no PII, no request bodies)."""
    import sentry_sdk  # imported only when asked for: most installations do without
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
        before_send=_tag_request,
    )
