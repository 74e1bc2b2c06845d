from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client

from tests import scene
from tests.cast import Cast, build_cast


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """A private in-memory cache per test, so rate limits never leak between tests."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a password; tests check logic, not key stretching."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(db) -> Cast:
    return build_cast()


@pytest.fixture
def shop(cast: Cast) -> scene.Shop:
    """The cast and an open cycle of group A: bread, a brioche in short supply, a tomme by weight."""
    return scene.shop(cast)


@pytest.fixture
def delivery(cast: Cast) -> scene.Delivery:
    """A closed cycle of group A with every kind of line: cartons, variable weight, five households."""
    return scene.delivery(cast)


@pytest.fixture
def catalogue(cast: Cast) -> scene.Catalogue:
    """The cast and its producers' products (Paul keeps the bakery's catalogue, Pauline the dairy's)."""
    return scene.catalogue(cast)


@pytest.fixture
def client_for(client: Client) -> Callable[..., Client]:
    """``client_for(user)`` logs ``user`` in (``None`` stays anonymous)."""

    def login(user) -> Client:
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_append_only_guards():
    """The ledger and the day's journal refuse deletes (database triggers). Between
    transactional tests the test runner empties every table; on SQLite (DELETE, where
    PostgreSQL uses TRUNCATE, which row triggers do not see) the guards are lifted for
    that flush alone."""
    from django.core.management.commands import flush
    from django.db import connections

    original = flush.Command.handle

    def handle(self, **options):
        connection = connections[options.get("database") or "default"]
        if connection.vendor != "sqlite":
            return original(self, **options)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%no_delete'"
            )
            guards = cursor.fetchall()
            for name, _sql in guards:
                cursor.execute(f"DROP TRIGGER {name}")
        try:
            return original(self, **options)
        finally:
            with connection.cursor() as cursor:
                for _name, sql in guards:
                    cursor.execute(sql)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original
