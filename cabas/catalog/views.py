"""The producer's own pages: dashboard, profile, products, invitations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cabas.accounts.models import JoinRequest
from cabas.accounts.permissions import AuthenticatedRequest, group_access
from cabas.catalog import services
from cabas.catalog.forms import PriceForm, ProducerForm, ProductFilterForm, ProductForm
from cabas.catalog.models import Producer, ProducerInvitation, Product
from cabas.catalog.permissions import ProducerAccess, get_product, producer_access

PRODUCTS_PER_PAGE = 100


@login_required
@require_safe
def my_producers(request: AuthenticatedRequest) -> HttpResponse:
    """The producers this person manages; straight to the dashboard when there is one."""
    producers = list(Producer.objects.managed_by(request.user).annotate(product_count=Count("products")))
    if len(producers) == 1:
        return redirect(producers[0])
    return render(request, "catalog/producer/list.html", {"producers": producers})


def _filtered_products(access: ProducerAccess, form: ProductFilterForm) -> QuerySet[Product]:
    products = Product.objects.filter(producer=access.producer)
    status = "active"
    if form.is_valid():
        status = form.cleaned_data["status"] or "active"
        if form.cleaned_data["category"]:
            products = products.filter(category=form.cleaned_data["category"])
        if query := form.cleaned_data["q"].strip():
            products = products.filter(Q(name__icontains=query) | Q(labels__icontains=query))
    if status != "all":
        products = products.filter(is_active=status == "active")
    return products.order_by("category", "name")


@login_required
@require_safe
def dashboard(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = producer_access(request, slug)
    context = _dashboard_context(request, access)
    if request.headers.get("HX-Request"):
        return render(request, "catalog/producer/dashboard.html#product-results", context)
    return render(request, "catalog/producer/dashboard.html", context)


def _dashboard_context(request: AuthenticatedRequest, access: ProducerAccess) -> dict[str, object]:
    form = ProductFilterForm(request.GET or None)
    products = _filtered_products(access, form)
    page = Paginator(products, PRODUCTS_PER_PAGE).get_page(request.GET.get("page"))
    counts = Product.objects.filter(producer=access.producer).aggregate(
        active=Count("pk", filter=Q(is_active=True)), archived=Count("pk", filter=Q(is_active=False))
    )
    return {"access": access, "producer": access.producer, "form": form, "page": page, "counts": counts}


@login_required
@require_http_methods(["GET", "POST"])
def producer_edit(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = producer_access(request, slug)
    instance = Producer.objects.get(pk=access.producer.pk)  # an invalid form must not rename the header
    form = ProducerForm(
        request.POST if request.method == "POST" else None, request.FILES or None, instance=instance
    )
    if request.method == "POST" and form.is_valid():
        services.update_producer(producer=access.producer, fields=form.cleaned_data)
        messages.success(request, _("Your information has been saved."))
        return redirect("producer_edit", slug=access.producer.slug)
    return render(
        request, "catalog/producer/edit.html", {"access": access, "producer": access.producer, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = producer_access(request, slug)
    form = ProductForm(
        request.POST if request.method == "POST" else None, request.FILES or None, producer=access.producer
    )
    if request.method == "POST" and form.is_valid():
        try:
            product = services.create_product(producer=access.producer, fields=form.cleaned_data)
        except services.CatalogError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("“%(name)s” has been added.") % {"name": product.name})
            return redirect("producer_dashboard", slug=access.producer.slug)
    context = {"access": access, "producer": access.producer, "form": form}
    return render(request, "catalog/producer/product_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access = producer_access(request, slug)
    product = get_product(access, pk)
    form = ProductForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        instance=Product.objects.get(pk=product.pk),
        producer=access.producer,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_product(product=product, fields=form.cleaned_data, by=request.user)
        except services.CatalogError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("“%(name)s” has been saved.") % {"name": product.name})
            return redirect("producer_dashboard", slug=access.producer.slug)
    context = {
        "access": access,
        "producer": access.producer,
        "product": product,
        "form": form,
        "price_changes": product.price_changes.select_related("changed_by")[:20],
    }
    return render(request, "catalog/producer/product_form.html", context)


@login_required
@require_POST
def product_price(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Quick price edit from the dashboard: a row swap with htmx, a redirect without."""
    access = producer_access(request, slug)
    product = get_product(access, pk)
    form = PriceForm(request.POST)
    saved = False
    if form.is_valid():
        services.set_price(product=product, price_cents=form.cleaned_data["price_cents"], by=request.user)
        saved = True
    if request.headers.get("HX-Request"):
        product.refresh_from_db()
        context = {
            "access": access,
            "producer": access.producer,
            "product": product,
            "price_form": form,
            "price_form_for": product.pk,
            "saved": saved,
        }
        return render(request, "catalog/producer/dashboard.html#product-row", context)
    if saved:
        messages.success(
            request,
            _("New price of “%(name)s”: %(price)s.")
            % {"name": product.name, "price": product.price_display()},
        )
        return redirect("producer_dashboard", slug=access.producer.slug)
    # Without JavaScript: the dashboard again, with the error on the row and the typed price kept.
    messages.error(
        request,
        _("“%(name)s”: %(errors)s")
        % {"name": product.name, "errors": " ".join(str(e) for e in form.errors["price_cents"])},
    )
    context = {**_dashboard_context(request, access), "price_form": form, "price_form_for": product.pk}
    return render(request, "catalog/producer/dashboard.html", context)


@login_required
@require_POST
def product_archive(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access = producer_access(request, slug)
    product = get_product(access, pk)
    services.archive_product(product=product)
    messages.success(request, _("“%(name)s” is archived: members no longer see it.") % {"name": product.name})
    return redirect("producer_dashboard", slug=access.producer.slug)


@login_required
@require_POST
def product_restore(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access = producer_access(request, slug)
    product = get_product(access, pk)
    services.restore_product(product=product)
    messages.success(request, _("“%(name)s” is on sale again.") % {"name": product.name})
    return redirect("producer_dashboard", slug=access.producer.slug)


@login_required
@require_http_methods(["GET", "POST"])
def invitation(request: AuthenticatedRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(
        ProducerInvitation.objects.select_related("producer", "group"), token=token
    )
    if request.method == "POST":
        try:
            services.accept_invitation(invitation=invitation, user=request.user)
        except services.CatalogError as error:
            messages.error(request, str(error))
            return redirect("producer_invitation", token=token)
        messages.success(request, _("You now manage %(producer)s.") % {"producer": invitation.producer.name})
        return redirect(invitation.producer)
    return render(request, "catalog/producer/invitation.html", {"invitation": invitation})


# --- A group's public page (its producers are the catalogue's; accounts sits below catalog) ---


@require_safe
def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    access = group_access(request, slug)
    pending = None
    if request.user.is_authenticated and not access.is_member:
        pending = JoinRequest.objects.pending().filter(group=access.group, user=request.user).first()
    context = {
        "access": access,
        "group": access.group,
        "producers": Producer.objects.supplying(access.group),
        "pending_request": pending,
    }
    return render(request, "accounts/group_detail.html", context)
