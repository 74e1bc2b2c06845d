from django.urls import path

from cabas.cycles import carton_views, contribution_views, manage_views, proposal_views, views

urlpatterns = [
    # Members
    path("g/<slug:slug>/cycles/", views.cycles, name="cycles"),
    path("g/<slug:slug>/cycles/<int:pk>/", views.order, name="order"),
    path("g/<slug:slug>/cycles/<int:pk>/line/<int:offer_pk>/", views.order_line, name="order_line"),
    path(
        "g/<slug:slug>/cycles/<int:pk>/copy-previous/", views.order_copy_previous, name="order_copy_previous"
    ),
    path(
        "g/<slug:slug>/cycles/<int:pk>/contribution/",
        contribution_views.order_contribution,
        name="order_contribution",
    ),
    path("g/<slug:slug>/orders/", views.order_history, name="order_history"),
    # Coordinators
    path("g/<slug:slug>/manage/cycles/", manage_views.cycles, name="manage_cycles"),
    path("g/<slug:slug>/manage/cycles/new/", manage_views.cycle_new, name="manage_cycle_new"),
    path("g/<slug:slug>/manage/cycles/<int:pk>/", manage_views.cycle_edit, name="manage_cycle"),
    path("g/<slug:slug>/manage/cycles/<int:pk>/offers/", manage_views.offers, name="manage_cycle_offers"),
    path(
        "g/<slug:slug>/manage/cycles/<int:pk>/offers/<int:offer_pk>/",
        manage_views.offer_edit,
        name="manage_offer",
    ),
    path(
        "g/<slug:slug>/manage/cycles/<int:pk>/offers/<int:offer_pk>/withdraw/",
        manage_views.offer_withdraw,
        name="manage_offer_withdraw",
    ),
    path(
        "g/<slug:slug>/manage/cycles/<int:pk>/publish/",
        manage_views.cycle_publish,
        name="manage_cycle_publish",
    ),
    path(
        "g/<slug:slug>/manage/cycles/<int:pk>/step/",
        manage_views.cycle_step,
        name="manage_cycle_step",
    ),
    path(
        "g/<slug:slug>/manage/cycles/<int:pk>/preview/",
        manage_views.cycle_preview,
        name="manage_cycle_preview",
    ),
    path("g/<slug:slug>/manage/cycles/<int:pk>/orders/", views.cycle_orders, name="manage_cycle_orders"),
    path(
        "g/<slug:slug>/manage/cycles/<int:pk>/orders/<int:user_pk>/",
        views.order_on_behalf,
        name="manage_order",
    ),
    # Producers
    path("producers/<slug:slug>/cycles/<int:pk>/", views.producer_orders, name="producer_cycle_orders"),
    path(
        "producers/<slug:slug>/cycles/<int:pk>/offer/",
        proposal_views.producer_offer,
        name="producer_cycle_offer",
    ),
    path(
        "producers/<slug:slug>/cycles/<int:pk>/offers/<int:offer_pk>/request/",
        proposal_views.producer_offer_request,
        name="producer_offer_request",
    ),
    # Coordinators: the producers' offers and requests
    path(
        "g/<slug:slug>/manage/cycles/<int:pk>/producers/",
        proposal_views.manage_producer_offers,
        name="manage_producer_offers",
    ),
    path(
        "g/<slug:slug>/manage/cycles/<int:pk>/producers/ask/",
        proposal_views.manage_ask_producers,
        name="manage_ask_producers",
    ),
    path(
        "g/<slug:slug>/manage/cycles/<int:pk>/producers/<int:proposal_pk>/",
        proposal_views.manage_producer_offer,
        name="manage_producer_offer",
    ),
    path(
        "g/<slug:slug>/manage/cycles/<int:pk>/producers/<int:proposal_pk>/remind/",
        proposal_views.manage_remind_producer,
        name="manage_remind_producer",
    ),
    path(
        "g/<slug:slug>/manage/cycles/<int:pk>/requests/<int:request_pk>/",
        proposal_views.manage_decide_request,
        name="manage_decide_request",
    ),
    # Coordinators: cartons
    path(
        "g/<slug:slug>/manage/cycles/<int:pk>/cartons/",
        carton_views.cartons_page,
        name="manage_cycle_cartons",
    ),
    path(
        "g/<slug:slug>/manage/cycles/<int:pk>/cartons/<int:offer_pk>/accept/",
        carton_views.carton_accept,
        name="manage_carton_accept",
    ),
    path(
        "g/<slug:slug>/manage/cycles/<int:pk>/cartons/accept-all/",
        carton_views.cartons_accept_all,
        name="manage_cartons_accept_all",
    ),
]
