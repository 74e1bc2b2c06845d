from django.urls import path

from cabas.bank import views

BANK = "g/<slug:slug>/bank/"

urlpatterns = [
    path(BANK, views.bank_home, name="bank_home"),
    path(BANK + "upload/", views.bank_upload, name="bank_upload"),
    path(BANK + "imports/<int:pk>/", views.bank_import, name="bank_import"),
    path(BANK + "imports/<int:pk>/confirm/", views.bank_confirm, name="bank_confirm"),
    path(BANK + "imports/<int:pk>/discard/", views.bank_discard, name="bank_discard"),
    path(BANK + "to-reconcile/", views.bank_unmatched, name="bank_unmatched"),
    path(BANK + "lines/<int:pk>/reconcile/", views.bank_reconcile, name="bank_reconcile"),
    path(BANK + "balances/", views.bank_balances, name="bank_balances"),
    path(BANK + "prepaid/cycles/<int:pk>/debit/", views.bank_prepaid_debit, name="bank_prepaid_debit"),
    path("g/<slug:slug>/prepaid/", views.bank_my_account, name="bank_my_account"),
]
