from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cabas.announcements.models import Announcement


class AnnouncementForm(forms.ModelForm[Announcement]):
    class Meta:
        model = Announcement
        fields = ["title", "body", "send_email"]

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(_("Give the announcement a title."))
        return title

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write the announcement."))
        return body


class EditAnnouncementForm(AnnouncementForm):
    class Meta(AnnouncementForm.Meta):
        fields = ["title", "body"]
