"""Settings for the opening-rush server: production's, behind one trusted reverse proxy.

The bench's clients all come from 127.0.0.1. Real members come from their own
addresses, which a reverse proxy passes in ``X-Forwarded-For``; allauth's login
rate limit (30 per minute per address) must see those, or the whole group
shares one budget. ``opening_rush.py --one-ip`` runs without this module to show
what happens then.
"""

from cabas.settings import *  # noqa: F403

ALLAUTH_TRUSTED_PROXY_COUNT = 1
