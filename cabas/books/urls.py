from django.urls import path

from cabas.books import views

BOOKS = "g/<slug:slug>/books/"

urlpatterns = [
    path("g/<slug:slug>/payments/", views.member_payments, name="member_payments"),
    path("producers/<slug:slug>/statement/", views.producer_statement_page, name="producer_statement"),
    path(
        "producers/<slug:slug>/statement/<slug:group_slug>.<str:fmt>",
        views.producer_statement_export,
        name="producer_statement_export",
    ),
    path(BOOKS, views.books, name="books"),
    path(BOOKS + "accounts/", views.books_codes, name="books_codes"),
    path(BOOKS + "cycles/<int:pk>/<str:layout>.<str:fmt>", views.journal_cycle, name="books_journal_cycle"),
    path(BOOKS + "<int:year>/summary.pdf", views.summary, name="books_summary"),
    path(BOOKS + "<int:year>/<str:layout>.<str:fmt>", views.journal_year, name="books_journal_year"),
]
