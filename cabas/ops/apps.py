from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running an installation: backups, health checks, logs; no models."""

    name = "cabas.ops"
    label = "cabas_ops"
