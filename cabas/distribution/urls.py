from django.urls import path

from cabas.distribution import desk_views, live_views, offline_views, stand_views

STAND = "producers/<slug:slug>/cycles/<int:pk>/day/"
LIVE = "g/<slug:slug>/manage/cycles/<int:pk>/day/"

urlpatterns = [
    # A producer's stand
    path(STAND, stand_views.stand, name="day_stand"),
    path(STAND + "act/", stand_views.stand_act, name="day_stand_act"),
    path(STAND + "<int:order_pk>/", stand_views.stand_household, name="day_stand_household"),
    # The welcome desk
    path(LIVE + "desk/", desk_views.desk, name="day_desk"),
    path(LIVE + "desk/act/", desk_views.desk_act, name="day_desk_act"),
    # The coordinators' live view
    path(LIVE, live_views.live, name="day_live"),
    path(LIVE + "act/", live_views.live_act, name="day_live_act"),
    path(LIVE + "team/", live_views.team_add, name="day_team_add"),
    path(LIVE + "team/<int:member_pk>/remove/", live_views.team_remove, name="day_team_remove"),
    path(LIVE + "close/", live_views.close_day, name="day_close"),
    # The service worker that keeps the stand and the desk working offline (scope: the site)
    path("day-sw.js", offline_views.service_worker, name="day_service_worker"),
    # A member's own day
    path("g/<slug:slug>/cycles/<int:pk>/day/", live_views.member_day, name="day_member"),
]
