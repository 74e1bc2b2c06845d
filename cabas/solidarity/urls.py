from django.urls import path

from cabas.solidarity import views

FUND = "g/<slug:slug>/fund/"

urlpatterns = [
    path(FUND, views.fund, name="solidarity_fund"),
    path(FUND + "ask/", views.ask, name="solidarity_ask"),
    path(FUND + "households/<int:user_pk>/decide/", views.decide, name="solidarity_decide"),
    path(FUND + "cycles/<int:pk>/", views.pool, name="solidarity_pool"),
    path(FUND + "cycles/<int:pk>/grant/", views.grant, name="solidarity_grant"),
]
