from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BankConfig(AppConfig):
    name = "cabas.bank"
    verbose_name = _("Bank statements")

    def ready(self) -> None:
        from cabas.bank import prepaid
        from cabas.cycles import ordering

        # Prepaid groups: a basket is confirmed only if the balance covers it (see ``prepaid``).
        ordering.CONFIRM_CHECKS.append(prepaid.confirm_refusal)
