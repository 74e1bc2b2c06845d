from django.urls import path

from cabas.announcements import views

urlpatterns = [
    path("g/<slug:slug>/news/", views.news, name="news"),
    path("g/<slug:slug>/manage/news/new/", views.news_new, name="manage_news_new"),
    path("g/<slug:slug>/manage/news/<int:pk>/", views.news_edit, name="manage_news_edit"),
    path("g/<slug:slug>/manage/news/<int:pk>/delete/", views.news_delete, name="manage_news_delete"),
]
