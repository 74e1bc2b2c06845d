from django.urls import path

from cabas.solidarity import views

FUND = "g/<slug:slug>/fund/"

urlpatterns = [
    path(FUND, views.fund, name="solidarity_fund"),
    path(FUND + "ask/", views.ask, name="solidarity_ask"),
    path(FUND + "figures/", views.figures, name="solidarity_figures"),
    path(FUND + "propose/", views.propose, name="solidarity_propose"),
    path(FUND + "dashboard/", views.board, name="solidarity_dashboard"),
    path(FUND + "dashboard.csv", views.board_csv, name="solidarity_dashboard_csv"),
    path(FUND + "households/<int:user_pk>/decide/", views.decide, name="solidarity_decide"),
    path(FUND + "cycles/<int:pk>/", views.pool, name="solidarity_pool"),
    path(FUND + "cycles/<int:pk>/grant/", views.grant, name="solidarity_grant"),
]
