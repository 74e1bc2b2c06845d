from django.urls import path

from cabas.distribution import stand_views

STAND = "producers/<slug:slug>/cycles/<int:pk>/day/"

urlpatterns = [
    # A producer's stand
    path(STAND, stand_views.stand, name="day_stand"),
    path(STAND + "act/", stand_views.stand_act, name="day_stand_act"),
    path(STAND + "<int:order_pk>/", stand_views.stand_household, name="day_stand_household"),
]
