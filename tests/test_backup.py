"""Backups: taken while the site runs, restored on an empty instance, every row and every cent back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import connection, transaction

from cabas.accounts.models import BuyingGroup, User
from cabas.ledger.positions import group_positions
from cabas.ops import backup

ROOT = Path(__file__).resolve().parent.parent


def money_figures() -> dict[str, Any]:
    """Every group's positions per cycle, as the treasurer's pages read them (JSON-shaped)."""
    figures: dict[str, Any] = {}
    for group in BuyingGroup.objects.order_by("pk"):
        for cycle_id, money in group_positions(group).items():
            figures[f"{group.slug}/{cycle_id}"] = {
                "accounts": dict(money.accounts),
                "households": {h: p.owed_cents for h, p in money.households.items()},
                "producers": {
                    p: [pos.due_cents, pos.owed_cents, pos.association_paid_cents, pos.stand_total_cents]
                    for p, pos in money.producers.items()
                },
            }
    return json.loads(json.dumps(figures, sort_keys=True))


def instance_env(database_url: str, media: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CABAS_MEDIA_ROOT"}}
    env.update(CABAS_DEBUG="1", DATABASE_URL=database_url, CABAS_MEDIA_ROOT=str(media))
    return env


def in_fresh_instance(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "cabas.settings"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def fresh_database_url():
    """An empty database beside the test one, on the same engine, dropped afterwards."""
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"]).with_suffix(".restored.sqlite3")
        path.unlink(missing_ok=True)
        yield f"sqlite:///{path}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = f"cabas_restore_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    db = connection.settings_dict
    yield f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_the_demo_round_trips_to_a_fresh_instance(tmp_path, settings, fresh_database_url):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "products").mkdir(parents=True)
    (settings.MEDIA_ROOT / "products" / "pain.jpg").write_bytes(b"\xff\xd8 a photo")
    call_command("seed_demo", households=12, producers=3, verbosity=0)
    before = money_figures()
    assert any(figures["accounts"] for figures in before.values()), "the demo has money to back up"

    archive = backup.backup(tmp_path / "backups")

    with connection.cursor() as cursor:
        source = backup.inventory(cursor)
    restored_media = tmp_path / "restored-media"
    env = instance_env(fresh_database_url, restored_media)
    result = subprocess.run(
        [sys.executable, "manage.py", "cabas_restore", str(archive)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every figure checked" in result.stdout

    code = (
        "import json; from django.db import connection; from cabas.ops.backup import inventory;"
        "from tests.test_backup import money_figures;"
        "print(json.dumps({'inventory': inventory(connection.cursor()), 'money': money_figures()}))"
    )
    after = in_fresh_instance(code, env)
    assert after.returncode == 0, after.stderr
    restored = json.loads(after.stdout)
    assert backup.differences(source, restored["inventory"]) == []
    assert restored["inventory"]["rows"]["ledger_line"] > 0
    assert restored["money"] == before
    assert (restored_media / "products" / "pain.jpg").read_bytes() == b"\xff\xd8 a photo"


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_while_people_write_is_one_consistent_moment(tmp_path, settings, fresh_database_url):
    """Writes go on during the backup; the dump and its manifest still agree, table by table."""
    settings.MEDIA_ROOT = tmp_path / "media"
    stop = threading.Event()
    written: list[int] = []

    def sign_ups() -> None:
        # Each sign-up writes two tables in one transaction: a torn copy would show it.
        try:
            while not stop.is_set():
                with transaction.atomic():
                    user = User.objects.create_user(f"rush{len(written)}@example.org")
                    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
                written.append(user.pk)
        finally:
            connection.close()

    writer = threading.Thread(target=sign_ups)
    writer.start()
    try:
        while len(written) < 5:
            time.sleep(0.05)
        before = len(written)
        archive = backup.backup(tmp_path / "backups")
        during = len(written)
    finally:
        stop.set()
        writer.join()
    assert during > before, "the sign-ups went on while the backup was taken"

    env = instance_env(fresh_database_url, tmp_path / "restored-media")
    result = subprocess.run(
        [sys.executable, "manage.py", "cabas_restore", str(archive)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr  # the manifest matched the dump
    code = (
        "from cabas.accounts.models import User; from allauth.account.models import EmailAddress;"
        "print(User.objects.filter(email__startswith='rush').count(),"
        " EmailAddress.objects.filter(email__startswith='rush').count())"
    )
    users, addresses = in_fresh_instance(code, env).stdout.split()
    assert users == addresses
    assert 5 <= int(users) <= len(written)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = backup.backup(tmp_path)
    with pytest.raises(backup.BackupError, match="empty database"):
        backup.restore(archive)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_missing_archive(tmp_path):
    with pytest.raises(backup.BackupError, match="not a file"):
        backup.restore(tmp_path / "nothing.tar.gz")


def test_keep_deletes_all_but_the_newest(tmp_path):
    start = datetime(2026, 1, 1, 3, 15, tzinfo=UTC)
    names = [f"cabas-{(start + timedelta(days=day)).strftime('%Y%m%d-%H%M%S')}.tar.gz" for day in range(5)]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "notes.txt").write_text("kept")
    deleted = backup.prune(tmp_path, keep=2)
    assert [path.name for path in deleted] == names[:3]
    assert sorted(path.name for path in tmp_path.iterdir()) == [*names[3:], "notes.txt"]


def test_differences_name_each_figure():
    expected = {"rows": {"a": 1}, "money": {"a.x_cents": 100}, "ledger": {"desk": 5}}
    actual = {"rows": {"a": 1}, "money": {"a.x_cents": 99}, "ledger": {}}
    assert backup.differences(expected, actual) == [
        "money a.x_cents: expected 100, found 99",
        "ledger desk: expected 5, found None",
    ]
