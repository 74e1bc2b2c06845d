from django.urls import path

from cabas.settlement import views

TREASURY = "g/<slug:slug>/treasury/"
CYCLE = TREASURY + "cycles/<int:pk>/"

urlpatterns = [
    path(TREASURY, views.treasury, name="settlement_treasury"),
    path(CYCLE, views.board, name="settlement_board"),
    path(CYCLE + "transfer/", views.transfer, name="settlement_transfer"),
    path(CYCLE + "deposit/", views.deposit, name="settlement_deposit"),
    path(CYCLE + "producer-payment/", views.producer_payment, name="settlement_producer_payment"),
    path(CYCLE + "writeoff/", views.writeoff, name="settlement_writeoff"),
    path(CYCLE + "refund/", views.refund, name="settlement_refund"),
    path(CYCLE + "entries/<int:entry_pk>/correct/", views.correct, name="settlement_correct"),
    path(CYCLE + "remind/", views.remind, name="settlement_remind"),
    path(CYCLE + "settle/", views.settle, name="settlement_settle"),
]
