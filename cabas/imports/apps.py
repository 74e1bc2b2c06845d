from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Bringing a whole group over from another application (Solalim)."""

    name = "cabas.imports"
    verbose_name = _("Imports")
