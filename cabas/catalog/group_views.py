"""Producers and products as seen from a group: catalogue, producer pages, coordinators' list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cabas.accounts.permissions import AuthenticatedRequest, group_access, require_manager
from cabas.catalog import services
from cabas.catalog.forms import CatalogueFilterForm, InviteForm, NewProducerForm
from cabas.catalog.models import Producer, ProducerAccount, ProducerInvitation, Product
from cabas.catalog.permissions import group_manages

CATALOGUE_PAGE_SIZE = 60


def _supplying_producer(group: object, slug: str) -> Producer:
    """A producer currently supplying the group (404 otherwise, even if it exists elsewhere)."""
    return get_object_or_404(Producer.objects.supplying(group), slug=slug)  # type: ignore[arg-type]


@require_safe
def catalogue(request: HttpRequest, slug: str) -> HttpResponse:
    """Every product on sale in the group, searchable, filtered by category, grouped by producer."""
    access = group_access(request, slug)
    form = CatalogueFilterForm(request.GET or None)
    products = Product.objects.on_sale_in(access.group).select_related("producer")
    if form.is_valid():
        if form.cleaned_data["category"]:
            products = products.filter(category=form.cleaned_data["category"])
        if query := form.cleaned_data["q"].strip():
            products = products.filter(
                Q(name__icontains=query)
                | Q(description__icontains=query)
                | Q(labels__icontains=query)
                | Q(producer__name__icontains=query)
            )
    products = products.order_by("producer__name", "category", "name")
    page = Paginator(products, CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"access": access, "group": access.group, "form": form, "page": page}
    if request.headers.get("HX-Request"):
        return render(request, "catalog/group/catalogue.html#catalogue-results", context)
    return render(request, "catalog/group/catalogue.html", context)


@require_safe
def producer_page(request: HttpRequest, slug: str, producer_slug: str) -> HttpResponse:
    """A producer's public page inside a group: who they are, how they work, what they sell."""
    access = group_access(request, slug)
    producer = _supplying_producer(access.group, producer_slug)
    products = producer.products.filter(is_active=True).order_by("category", "name")
    context = {"access": access, "group": access.group, "producer": producer, "products": products}
    return render(request, "catalog/group/producer.html", context)


@login_required
@require_safe
def manage_producers(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = require_manager(request, slug)
    producers = list(
        Producer.objects.supplying(access.group)
        .select_related("managing_group")
        .annotate(
            product_count=Count("products", filter=Q(products__is_active=True), distinct=True),
            has_accounts=Exists(ProducerAccount.objects.filter(producer=OuterRef("pk"))),
            pending_invitation=Exists(
                ProducerInvitation.objects.filter(
                    producer=OuterRef("pk"), group=access.group, accepted_at__isnull=True
                )
            ),
        )
    )
    for producer in producers:
        # The site admin may step in for any producer; coordinators only for those their group manages.
        producer.managed_here = access.is_site_admin or (  # type: ignore[attr-defined]
            producer.managing_group_id == access.group.pk and not producer.has_accounts
        )
    context = {"access": access, "group": access.group, "producers": producers, "invite_form": InviteForm()}
    return render(request, "catalog/manage/producers.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def manage_producer_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Create a producer on its behalf (and invite it), or add one already on the site."""
    access = require_manager(request, slug)
    form = NewProducerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        producer = services.create_producer(group=access.group, fields=form.cleaned_data)
        if email := form.cleaned_data["invite_email"]:
            services.invite_manager(group=access.group, producer=producer, email=email, by=request.user)
        messages.success(request, _("%(name)s now supplies the group.") % {"name": producer.name})
        return redirect("manage_producers", slug=access.group.slug)
    query = request.GET.get("q", "").strip()[:100]
    others = Producer.objects.none()
    if query:
        others = (
            Producer.objects.filter(is_active=True, name__icontains=query)
            .exclude(supplies__group=access.group, supplies__ended_at__isnull=True)
            .order_by("name")[:20]
        )
    context = {"access": access, "group": access.group, "form": form, "query": query, "others": others}
    return render(request, "catalog/manage/producer_new.html", context)


@login_required
@require_POST
def manage_producer_link(request: AuthenticatedRequest, slug: str, producer_slug: str) -> HttpResponse:
    """An existing producer (supplying other groups) starts supplying this one."""
    access = require_manager(request, slug)
    producer = get_object_or_404(Producer, slug=producer_slug, is_active=True)
    try:
        services.start_supply(group=access.group, producer=producer)
    except services.CatalogError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s now supplies the group.") % {"name": producer.name})
    return redirect("manage_producers", slug=access.group.slug)


@login_required
@require_POST
def manage_producer_invite(request: AuthenticatedRequest, slug: str, producer_slug: str) -> HttpResponse:
    access = require_manager(request, slug)
    producer = _supplying_producer(access.group, producer_slug)
    if not group_manages(access, producer):
        raise PermissionDenied  # another group manages it, or it keeps its own data
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Enter a valid e-mail address to invite %(name)s.") % {"name": producer.name}
        )
    else:
        email = form.cleaned_data["email"]
        services.invite_manager(group=access.group, producer=producer, email=email, by=request.user)
        messages.success(request, _("An invitation has been sent to %(email)s.") % {"email": email})
    return redirect("manage_producers", slug=access.group.slug)


@login_required
@require_POST
def manage_producer_end(request: AuthenticatedRequest, slug: str, producer_slug: str) -> HttpResponse:
    access = require_manager(request, slug)
    producer = _supplying_producer(access.group, producer_slug)
    services.end_supply(group=access.group, producer=producer)
    messages.success(request, _("%(name)s no longer supplies the group.") % {"name": producer.name})
    return redirect("manage_producers", slug=access.group.slug)
