"""The offline sync of the distribution day (see ``sync_views``): a snapshot and a batch endpoint
for a producer's stand and for the welcome desk."""

from __future__ import annotations

from django.urls import path

from cabas.distribution import sync_views

sync_urlpatterns = [
    path(
        "producers/<slug:slug>/cycles/<int:pk>/day/state.json",
        sync_views.stand_state,
        name="day_stand_state",
    ),
    path("producers/<slug:slug>/cycles/<int:pk>/day/sync/", sync_views.stand_sync, name="day_stand_sync"),
    path(
        "g/<slug:slug>/manage/cycles/<int:pk>/day/state.json",
        sync_views.desk_state,
        name="day_desk_state",
    ),
    path("g/<slug:slug>/manage/cycles/<int:pk>/day/sync/", sync_views.desk_sync, name="day_desk_sync"),
]

urlpatterns = sync_urlpatterns
