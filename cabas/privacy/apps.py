from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """People's data: their export, the retention of inactive accounts, each group's privacy page."""

    name = "cabas.privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from cabas.cycles import clock
        from cabas.privacy.retention import tick

        if tick not in clock.ALSO:
            clock.ALSO.append(tick)
