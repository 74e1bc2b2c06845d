from django.urls import path

from cabas.audit import views

urlpatterns = [
    path("g/<slug:slug>/manage/journal/", views.journal_page, name="manage_journal"),
]
