from django.urls import path

from cabas.reports import cycle_views, day_views, shift_sheet, stats_views, views

CYCLE = "g/<slug:slug>/manage/cycles/<int:pk>/documents/"
PRODUCER_CYCLE = "producers/<slug:slug>/cycles/<int:pk>/"

urlpatterns = [
    # Coordinators
    path(CYCLE, cycle_views.cycle_documents, name="reports_cycle"),
    path(CYCLE + "status/", cycle_views.documents_status, name="reports_status"),
    path(CYCLE + "generate/", cycle_views.generate_documents, name="reports_generate"),
    path(CYCLE + "send/", cycle_views.send_documents, name="reports_send"),
    path(CYCLE + "files/<int:doc_pk>/<str:filename>", cycle_views.stored_document, name="reports_file"),
    path(CYCLE + "shifts.pdf", shift_sheet.shift_sheet_view, name="reports_shift_sheet"),
    path(CYCLE + "day/summary.<str:fmt>", day_views.day_summary, name="reports_day_summary"),
    path(
        CYCLE + "day/producers/<int:producer_pk>/report.<str:fmt>",
        day_views.day_report,
        name="reports_day_report",
    ),
    path(
        CYCLE + "day/producers/<int:producer_pk>/cheques.pdf",
        day_views.day_cheques,
        name="reports_day_cheques",
    ),
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
    # The welcome desk reprints a household's slip
    path(
        "g/<slug:slug>/manage/cycles/<int:pk>/day/desk/<int:order_pk>/slip.pdf",
        views.desk_slip,
        name="day_desk_slip",
    ),
    path(PRODUCER_CYCLE + "day-report.<str:fmt>", day_views.producer_day_report, name="producer_day_report"),
    path(PRODUCER_CYCLE + "cheques.pdf", day_views.producer_cheques, name="producer_day_cheques"),
    # Members
    path("g/<slug:slug>/cycles/<int:pk>/slip.pdf", views.member_slip, name="member_slip"),
    # Statistics: a group's history, a producer's sales, a member's spending; each chart as CSV
    path("g/<slug:slug>/manage/statistics/", stats_views.group_statistics, name="stats_group"),
    path(
        "g/<slug:slug>/manage/statistics/<slug:chart>.csv",
        stats_views.group_statistics_csv,
        name="stats_group_csv",
    ),
    path("producers/<slug:slug>/statistics/", stats_views.producer_statistics, name="stats_producer"),
    path(
        "producers/<slug:slug>/statistics/<slug:chart>.csv",
        stats_views.producer_statistics_csv,
        name="stats_producer_csv",
    ),
    path("g/<slug:slug>/statistics/", stats_views.member_statistics, name="stats_member"),
    path(
        "g/<slug:slug>/statistics/<slug:chart>.csv",
        stats_views.member_statistics_csv,
        name="stats_member_csv",
    ),
]
