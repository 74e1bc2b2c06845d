from django.urls import path

from cabas.privacy import views

urlpatterns = [
    path("account/my-data/", views.my_data, name="my_data"),
    path("g/<slug:slug>/privacy/", views.privacy_page, name="group_privacy"),
    path("g/<slug:slug>/manage/privacy/", views.manage_privacy, name="manage_privacy"),
]
