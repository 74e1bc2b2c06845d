from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cabas.privacy.models import NOTICE_MAX_LENGTH


class NoticeForm(forms.Form):
    text = forms.CharField(
        label=_("What the group tells its members about their data"),
        max_length=NOTICE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=_("Plain text; blank lines separate paragraphs."),
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].replace("\r\n", "\n").strip()
        if not text:
            raise forms.ValidationError(_("Write the text of the privacy page."))
        return text
