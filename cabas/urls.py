from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from cabas.accounts import login_views
from cabas.ops.health import healthz

admin.site.site_header = _("Cabas administration")
admin.site.site_title = _("Cabas administration")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", login_views.login, name="account_login"),
    path("accounts/", include("allauth.urls")),
    path("", include("cabas.accounts.urls")),
    path("", include("cabas.catalog.urls")),
    path("", include("cabas.cycles.urls")),
    path("", include("cabas.distribution.urls")),
    path("", include("cabas.bank.urls")),
    path("", include("cabas.shifts.urls")),
    path("", include("cabas.reports.urls")),
    path("", include("cabas.imports.urls")),
    path("", include("cabas.settlement.urls")),
    path("", include("cabas.solidarity.urls")),
    path("", include("cabas.solidarity.gift_urls")),
    path("", include("cabas.books.urls")),
    path("", include("cabas.audit.urls")),
    path("", include("cabas.privacy.urls")),
    path("", include("cabas.distribution.sync_urls")),
    path("", include("cabas.announcements.urls")),
    path("", include("cabas.api.urls")),
]

if settings.DEBUG:
    # In production the web server (or a proxy) serves uploaded photos from MEDIA_ROOT.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
