"""The site admin's back office for people, groups and memberships."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from cabas.accounts.models import BuyingGroup, JoinRequest, Membership, User


class MembershipInline(admin.TabularInline[Membership, BuyingGroup]):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "is_member", "is_producer", "is_coordinator", "is_treasurer", "started_at", "ended_at"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "phone", "language", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "language"]
    search_fields = ["email", "full_name", "phone"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "phone", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "deleted_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(BuyingGroup)
class BuyingGroupAdmin(admin.ModelAdmin[BuyingGroup]):
    list_display = ["name", "slug", "place", "requires_approval", "is_active"]
    list_filter = ["is_active", "requires_approval"]
    search_fields = ["name", "slug", "place"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = [
        "user",
        "group",
        "is_member",
        "is_producer",
        "is_coordinator",
        "is_treasurer",
        "started_at",
        "ended_at",
    ]
    list_filter = ["group", "is_coordinator", "is_treasurer", "is_producer"]
    search_fields = ["user__email", "user__full_name", "group__name"]
    autocomplete_fields = ["user", "group"]
    list_select_related = ["user", "group"]


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin[JoinRequest]):
    list_display = ["user", "group", "status", "created_at", "decided_at"]
    list_filter = ["status", "group"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user", "group", "decided_by"]
    list_select_related = ["user", "group"]
