from django.urls import path

from cabas.catalog import group_views, import_views, views

urlpatterns = [
    path("g/<slug:slug>/", views.group_detail, name="group_detail"),
    path("producers/", views.my_producers, name="my_producers"),
    path("producers/invitations/<str:token>/", views.invitation, name="producer_invitation"),
    path("producers/<slug:slug>/", views.dashboard, name="producer_dashboard"),
    path("producers/<slug:slug>/profile/", views.producer_edit, name="producer_edit"),
    path("producers/<slug:slug>/products/new/", views.product_new, name="product_new"),
    path("producers/<slug:slug>/products/<int:pk>/", views.product_edit, name="product_edit"),
    path("producers/<slug:slug>/products/<int:pk>/price/", views.product_price, name="product_price"),
    path("producers/<slug:slug>/products/<int:pk>/archive/", views.product_archive, name="product_archive"),
    path("producers/<slug:slug>/products/<int:pk>/restore/", views.product_restore, name="product_restore"),
    path("producers/<slug:slug>/export.<str:fmt>", import_views.export, name="catalog_export"),
    path("producers/<slug:slug>/import/", import_views.upload, name="catalog_import"),
    path("producers/<slug:slug>/import/template.<str:fmt>", import_views.template, name="catalog_template"),
    path("producers/<slug:slug>/import/<int:pk>/", import_views.preview, name="catalog_import_preview"),
    path(
        "producers/<slug:slug>/import/<int:pk>/confirm/", import_views.confirm, name="catalog_import_confirm"
    ),
    path("g/<slug:slug>/catalogue/", group_views.catalogue, name="group_catalogue"),
    path("g/<slug:slug>/producers/<slug:producer_slug>/", group_views.producer_page, name="group_producer"),
    path("g/<slug:slug>/manage/producers/", group_views.manage_producers, name="manage_producers"),
    path("g/<slug:slug>/manage/producers/new/", group_views.manage_producer_new, name="manage_producer_new"),
    path(
        "g/<slug:slug>/manage/producers/<slug:producer_slug>/link/",
        group_views.manage_producer_link,
        name="manage_producer_link",
    ),
    path(
        "g/<slug:slug>/manage/producers/<slug:producer_slug>/invite/",
        group_views.manage_producer_invite,
        name="manage_producer_invite",
    ),
    path(
        "g/<slug:slug>/manage/producers/<slug:producer_slug>/end/",
        group_views.manage_producer_end,
        name="manage_producer_end",
    ),
]
