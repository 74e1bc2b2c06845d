from django.apps import AppConfig


class LibConfig(AppConfig):
    """Shared helpers (money, e-mails, template filters); no models."""

    name = "cabas.lib"
    label = "cabas_lib"
