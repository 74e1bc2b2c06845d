from django.urls import path

from cabas.shifts import manage_views, views

CYCLE = "g/<slug:slug>/manage/cycles/<int:pk>/shifts/"
MANAGE = "g/<slug:slug>/manage/shifts/"

urlpatterns = [
    # Households
    path("g/<slug:slug>/shifts/", views.shifts, name="shifts"),
    path("g/<slug:slug>/shifts/<int:shift_pk>/signup/", views.signup, name="shift_signup"),
    path("g/<slug:slug>/shifts/signups/<int:signup_pk>/cancel/", views.cancel, name="shift_cancel"),
    path("g/<slug:slug>/shifts/calendar/", views.calendar_reset, name="calendar_reset"),
    # The one-click link of the e-mails, and the calendar feeds (no login)
    path("shifts/s/<str:token>/", views.link, name="shift_link"),
    path("calendar/<str:token>.ics", views.calendar_household, name="calendar_household"),
    path("g/<slug:slug>/calendar.ics", views.calendar_group, name="calendar_group"),
    # Coordinators: a cycle's shifts
    path(CYCLE, manage_views.cycle_shifts, name="manage_shifts"),
    path(CYCLE + "add/", manage_views.shift_add, name="manage_shift_add"),
    path(CYCLE + "copy/", manage_views.shifts_copy, name="manage_shifts_copy"),
    path(CYCLE + "people/", manage_views.person_add, name="manage_shift_person"),
    path(CYCLE + "<int:shift_pk>/", manage_views.shift_edit, name="manage_shift_edit"),
    path(CYCLE + "<int:shift_pk>/delete/", manage_views.shift_delete, name="manage_shift_delete"),
    path(CYCLE + "signups/<int:signup_pk>/", manage_views.signup_act, name="manage_signup"),
    # Coordinators: fairness, rules, exemptions
    path(MANAGE, manage_views.fairness, name="manage_fairness"),
    path(MANAGE + "rules/", manage_views.rules, name="manage_shift_rules"),
    path(MANAGE + "exemptions/", manage_views.exemption, name="manage_exemption"),
    path(MANAGE + "past-help/", manage_views.past_help, name="manage_past_help"),
]
