"""An upgrade on a live group: the previous release's demo, migrated by this code, keeps every row and cent.

The previous release is where this branch left ``main`` (``git merge-base HEAD main``;
``CABAS_UPGRADE_FROM`` names another commit). Its code seeds the demo into a fresh
database; this code's migrations then run on it, as an upgrade of a running group would.
Every table and money column the old schema had must hold the same rows and the same sums.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_backup import fresh_database_url, instance_env  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parent.parent
# Django adds a content type and its permissions for each new model: these grow, rightly.
GROWS_WITH_NEW_MODELS = {"django_content_type", "auth_permission"}
INVENTORY = (
    "import json; from django.db import connection; from cabas.ops.backup import existing_tables, inventory;"
    "print(json.dumps(inventory(connection.cursor(), existing_tables())))"
)


def previous_release() -> str:
    ref = os.environ.get("CABAS_UPGRADE_FROM")
    if ref:
        return ref
    result = subprocess.run(
        ["git", "merge-base", "HEAD", "main"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:  # a checkout without a main branch: compare with itself
        return "HEAD"
    return result.stdout.strip()


def run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{' '.join(args)} in {cwd}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.django_db(transaction=True)
def test_the_previous_release_demo_upgrades_without_losing_a_cent(tmp_path, fresh_database_url):  # noqa: F811
    old = tmp_path / "previous"
    old.mkdir()
    archive = subprocess.run(
        ["git", "archive", previous_release()], cwd=ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    env = {**instance_env(fresh_database_url, tmp_path / "media"), "DJANGO_SETTINGS_MODULE": "cabas.settings"}
    env.pop("PYTHONPATH", None)

    run([sys.executable, "manage.py", "migrate", "-v0"], old, env)
    run([sys.executable, "manage.py", "seed_demo", "--households", "10", "--producers", "3", "-v0"], old, env)
    before = json.loads(run([sys.executable, "-c", f"import django; django.setup(); {INVENTORY}"], ROOT, env))
    assert before["rows"]["ledger_line"] > 0, "the previous release's demo has money"

    run([sys.executable, "manage.py", "migrate", "-v0"], ROOT, env)
    after = json.loads(run([sys.executable, "-c", f"import django; django.setup(); {INVENTORY}"], ROOT, env))
    lost = {
        section: {
            key: (value, after[section].get(key))
            for key, value in figures.items()
            if after[section].get(key) != value and key not in GROWS_WITH_NEW_MODELS
        }
        for section, figures in before.items()
    }
    assert lost == {"rows": {}, "money": {}, "ledger": {}}
    run([sys.executable, "manage.py", "check"], ROOT, env)
