from django.contrib import admin

from cabas.catalog.models import Producer, Supply


class SupplyInline(admin.TabularInline[Supply, Producer]):
    model = Supply
    extra = 0
    autocomplete_fields = ["group"]


@admin.register(Producer)
class ProducerAdmin(admin.ModelAdmin[Producer]):
    list_display = ["name", "speciality", "town", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "speciality", "town"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SupplyInline]
