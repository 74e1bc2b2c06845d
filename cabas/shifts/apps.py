from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShiftsConfig(AppConfig):
    name = "cabas.shifts"
    verbose_name = _("Volunteer shifts")

    def ready(self) -> None:
        from cabas.cycles import clock
        from cabas.shifts import signals  # noqa: F401  (copies shifts into a new cycle)
        from cabas.shifts.clock import tick

        if tick not in clock.ALSO:
            clock.ALSO.append(tick)
