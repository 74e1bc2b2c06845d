"""Production settings pass Django's deployment checks and send the security headers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def production_env(**extra: str) -> dict[str, str]:
    # Only the variables a production server would have (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly warns about).
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("CABAS_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        CABAS_SECRET_KEY="x" * 20 + "production-secret-with-enough-entropy-0123456789",
        CABAS_ALLOWED_HOSTS="cabas.example.org",
        CABAS_EMAIL_HOST="smtp.example.org",
        DJANGO_SETTINGS_MODULE="cabas.settings",
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_check_deploy_passes_with_production_settings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = production_env()
    del env["CABAS_SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "CABAS_SECRET_KEY" in result.stderr


def test_production_without_smtp_fails_the_deploy_check() -> None:
    env = production_env()
    del env["CABAS_EMAIL_HOST"]
    result = manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "mail.E001" in result.stdout + result.stderr


def test_production_cookies_and_headers() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["__Host-sessionid", "__Host-csrftoken", "True", "True", "True", "True"]


@pytest.mark.django_db
def test_content_security_policy_header(client: Client) -> None:
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy


DEPLOY = ROOT / "deploy"


def test_the_readme_shows_every_deploy_file_and_the_rehearsal_uses_them() -> None:
    readme = (ROOT / "README.md").read_text()
    rehearse = (ROOT / "bin" / "rehearse").read_text()
    files = sorted(path.relative_to(ROOT).as_posix() for path in DEPLOY.rglob("*") if path.is_file())
    assert files == [
        "deploy/cabas.env",
        "deploy/nginx/cabas.conf",
        "deploy/systemd/cabas-clock.service",
        "deploy/systemd/cabas-web@.service",
        "deploy/systemd/cabas-worker.service",
    ]
    for name in files:
        assert name in readme or "deploy/systemd/*" in readme, name
        assert name.removeprefix("deploy/systemd/") in rehearse or name in rehearse, name


def test_the_environment_file_sets_only_documented_variables() -> None:
    documented = (ROOT / ".env.example").read_text()
    for line in (DEPLOY / "cabas.env").read_text().splitlines():
        if line and not line.startswith("#"):
            name = line.split("=", 1)[0]
            assert f"{name}=" in documented, name


def test_the_units_run_as_an_unprivileged_user_with_the_environment_file() -> None:
    for unit in (DEPLOY / "systemd").glob("*.service"):
        text = unit.read_text()
        assert "User=cabas" in text
        assert "EnvironmentFile=/etc/cabas/cabas.env" in text
        assert "WorkingDirectory=/srv/cabas" in text


def test_nginx_forwards_what_the_app_trusts() -> None:
    site = (DEPLOY / "nginx" / "cabas.conf").read_text()
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Request-ID"):
        assert f"proxy_set_header {header}" in site
    assert "location /media/" in site and "alias /var/lib/cabas/media/;" in site
    assert "Strict-Transport-Security" in site
