from django.contrib import admin

from cabas.catalog.models import (
    CatalogImport,
    PriceChange,
    Producer,
    ProducerAccount,
    ProducerInvitation,
    Product,
    Supply,
)


class SupplyInline(admin.TabularInline[Supply, Producer]):
    model = Supply
    extra = 0
    autocomplete_fields = ["group"]


class ProducerAccountInline(admin.TabularInline[ProducerAccount, Producer]):
    model = ProducerAccount
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Producer)
class ProducerAdmin(admin.ModelAdmin[Producer]):
    list_display = ["name", "speciality", "town", "managing_group", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "speciality", "town"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SupplyInline, ProducerAccountInline]


class PriceChangeInline(admin.TabularInline[PriceChange, Product]):
    model = PriceChange
    extra = 0
    can_delete = False
    readonly_fields = ["old_price_cents", "new_price_cents", "changed_at", "changed_by"]

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # the history is append-only, written by the catalogue services


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ["name", "producer", "category", "unit", "price_cents", "is_active"]
    list_filter = ["is_active", "category", "variable_weight"]
    search_fields = ["name", "producer__name"]
    list_select_related = ["producer"]
    autocomplete_fields = ["producer"]
    inlines = [PriceChangeInline]


@admin.register(ProducerInvitation)
class ProducerInvitationAdmin(admin.ModelAdmin[ProducerInvitation]):
    list_display = ["email", "producer", "group", "created_at", "accepted_at"]
    list_select_related = ["producer", "group"]
    readonly_fields = ["token"]


@admin.register(CatalogImport)
class CatalogImportAdmin(admin.ModelAdmin[CatalogImport]):
    list_display = ["producer", "filename", "error_count", "created_at", "applied_at"]
    list_select_related = ["producer"]
