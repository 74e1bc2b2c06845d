from django.urls import path

from cabas.api import views
from cabas.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("account/tokens/new/", views.token_new, name="api_token_new"),
    path("account/tokens/created/", views.token_created, name="api_token_created"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="api_token_revoke"),
]
