from django.contrib import admin

from cabas.announcements.models import Announcement


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin[Announcement]):
    list_display = ["title", "group", "published_at", "published_by", "emailed_at", "hidden_at"]
    list_filter = ["group"]
    search_fields = ["title", "body"]
    raw_id_fields = ["published_by", "hidden_by"]
    readonly_fields = ["emailed_at"]
