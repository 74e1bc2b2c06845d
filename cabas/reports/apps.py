from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "cabas.reports"
    verbose_name = _("Documents and statistics")

    def ready(self) -> None:
        # reports follows cycles; cycles never imports reports.
        from cabas.cycles.signals import cycle_changed

        cycle_changed.connect(_follow_orders, dispatch_uid="reports.follow_orders")


def _follow_orders(sender: Any, cycle_id: int, **kwargs: Any) -> None:
    from cabas.reports.services import follow_orders

    follow_orders(cycle_id)
