"""Loaded by pytest (``-p tests.pytest_env``) before Django reads its settings."""

import os

os.environ.setdefault("CABAS_DEBUG", "1")
# Tasks run inline in tests: an e-mail enqueued after commit is in the outbox at once.
os.environ["CABAS_TASKS_BACKEND"] = "django.tasks.backends.immediate.ImmediateBackend"
