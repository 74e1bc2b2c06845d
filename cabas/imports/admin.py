from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cabas.imports.models import SolalimImport


@admin.register(SolalimImport)
class SolalimImportAdmin(admin.ModelAdmin[SolalimImport]):
    list_display = ["started_at", "source", "origin", "report_link"]
    readonly_fields = ["origin", "source", "report", "started_at", "finished_at", "run_by"]

    @admin.display(description=_("report"))
    def report_link(self, obj: SolalimImport) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Last import’s report"))

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
