from django.urls import path

from cabas.accounts import manage_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.set_language, name="set_language"),
    path("account/", views.profile, name="profile"),
    path("account/delete/", views.account_delete, name="account_delete"),
    path("g/<slug:slug>/join/", views.group_join, name="group_join"),
    path("g/<slug:slug>/join/withdraw/", views.group_join_withdraw, name="group_join_withdraw"),
    path("g/<slug:slug>/leave/", views.group_leave, name="group_leave"),
    path("g/<slug:slug>/members/", views.group_directory, name="group_directory"),
    path("g/<slug:slug>/manage/members/", manage_views.members, name="manage_members"),
    path("g/<slug:slug>/manage/members/add/", manage_views.member_add, name="manage_member_add"),
    path("g/<slug:slug>/manage/members/<int:pk>/", manage_views.member_edit, name="manage_member"),
    path("g/<slug:slug>/manage/members/<int:pk>/end/", manage_views.member_end, name="manage_member_end"),
    path("g/<slug:slug>/manage/requests/", manage_views.join_requests, name="manage_join_requests"),
    path(
        "g/<slug:slug>/manage/requests/<int:pk>/approve/",
        manage_views.join_request_approve,
        name="manage_join_request_approve",
    ),
    path(
        "g/<slug:slug>/manage/requests/<int:pk>/refuse/",
        manage_views.join_request_refuse,
        name="manage_join_request_refuse",
    ),
    path("g/<slug:slug>/manage/settings/", manage_views.group_settings, name="manage_settings"),
]
