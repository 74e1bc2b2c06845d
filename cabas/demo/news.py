"""The demo group's news: a few announcements from its coordinator (never e-mailed)."""

from __future__ import annotations

from datetime import datetime, timedelta

from cabas.accounts.models import BuyingGroup, User
from cabas.announcements.models import Announcement

NEWS = (
    (
        40,
        "Assemblée générale le 14",
        "L’assemblée générale de l’association aura lieu le 14 à 19 h à la salle des fêtes. "
        "Ordre du jour : bilan de l’année, caisse de solidarité, élection du bureau.\n\n"
        "Un apéritif avec les producteurs suivra.",
    ),
    (
        12,
        "Visite à la ferme de la Bergerie",
        "Pauline nous accueille samedi matin pour visiter la fromagerie. "
        "Covoiturage depuis la salle des fêtes à 9 h 30.",
    ),
    (
        2,
        "Distribution : changement de salle",
        "La prochaine distribution aura lieu exceptionnellement dans la salle Gascogne, "
        "à côté de la mairie. Mêmes horaires.",
    ),
)


def ensure_news(group: BuyingGroup, coordinator: User, *, now: datetime) -> None:
    """The announcements, once (one insert)."""
    if Announcement.objects.filter(group=group).exists():
        return
    Announcement.objects.bulk_create(
        Announcement(
            group=group,
            title=title,
            body=body,
            published_by=coordinator,
            published_at=now - timedelta(days=days),
        )
        for days, title, body in NEWS
    )
