from django.urls import path

from cabas.solidarity import gift_views

GIFTS = "g/<slug:slug>/treasury/gifts/"

urlpatterns = [
    path(GIFTS, gift_views.treasury_gifts, name="treasury_gifts"),
    path(GIFTS + "percentages/", gift_views.treasury_fund_percents, name="treasury_fund_percents"),
    path(GIFTS + "<int:year>/donors.pdf", gift_views.donors_pdf, name="treasury_donors_pdf"),
    path(GIFTS + "<int:year>/donors/<str:key>.pdf", gift_views.donor_pdf, name="treasury_donor_pdf"),
    path("g/<slug:slug>/payments/gifts/", gift_views.my_gifts, name="my_gifts"),
    path("g/<slug:slug>/payments/gifts/<int:year>.pdf", gift_views.my_gifts_pdf, name="my_gifts_pdf"),
]
