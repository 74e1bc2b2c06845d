from django.urls import path

from cabas.imports import views

urlpatterns = [
    path("site/imports/solalim/", views.solalim_report, name="solalim_import_report"),
]
