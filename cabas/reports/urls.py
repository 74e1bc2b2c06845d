from django.urls import path

from cabas.reports import views

CYCLE = "g/<slug:slug>/manage/cycles/<int:pk>/documents/"
PRODUCER_CYCLE = "producers/<slug:slug>/cycles/<int:pk>/"

urlpatterns = [
    # Coordinators
    path(CYCLE, views.cycle_documents, name="reports_cycle"),
    path(
        CYCLE + "<slug:producer_slug>/purchase-order.<str:fmt>",
        views.purchase_order,
        name="report_purchase_order",
    ),
    path(
        CYCLE + "<slug:producer_slug>/distribution-list.<str:fmt>",
        views.distribution_list,
        name="report_distribution_list",
    ),
    path(CYCLE + "slips.<str:fmt>", views.slips, name="report_slips"),
    path(CYCLE + "matrix.<str:fmt>", views.matrix, name="report_matrix"),
    path(CYCLE + "summary.<str:fmt>", views.summary, name="report_summary"),
    # Producers
    path(
        PRODUCER_CYCLE + "purchase-order.<str:fmt>",
        views.producer_purchase_order,
        name="producer_report_purchase_order",
    ),
    path(
        PRODUCER_CYCLE + "distribution-list.<str:fmt>",
        views.producer_distribution_list,
        name="producer_report_distribution_list",
    ),
    # Members
    path("g/<slug:slug>/cycles/<int:pk>/slip.pdf", views.member_slip, name="member_slip"),
]
