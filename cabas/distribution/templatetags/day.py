"""Template tags of the distribution day's pages."""

from __future__ import annotations

from django import template

from cabas.distribution.recording import new_action_id
from cabas.distribution.state import Stand

register = template.Library()


@register.simple_tag
def action_id() -> str:
    """A fresh id for one form's action, made when the page is rendered (a double submit is harmless)."""
    return new_action_id()


@register.simple_tag(takes_context=True)
def typed(context: template.Context, kind: str, line: object, field: str, default: object = "") -> object:
    """What the person typed in ``field`` of the form (``kind``, ``line``) that was refused, else ``default``.

    A refused action re-renders the page with the fields as they were typed.
    """
    data = context.get("typed")
    if not data or data.get("kind") != kind or str(data.get("line") or "") != str(line or ""):
        return default
    return data.get(field, default)


@register.filter
def waiting(stand: Stand) -> int:
    """How many of a stand's lines are still to hand over."""
    return sum(1 for line in stand.lines if not line.done)


@register.filter
def get_item(mapping: dict[object, object], key: object) -> object:
    return mapping.get(key)
