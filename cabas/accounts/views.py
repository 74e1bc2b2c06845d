"""Public pages, a member's own pages and the account pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cabas.accounts import services
from cabas.accounts.forms import DeleteAccountForm, JoinForm, ProfileForm
from cabas.accounts.models import BuyingGroup, JoinRequest, Membership
from cabas.accounts.permissions import ANY_ROLE, AuthenticatedRequest, group_access
from cabas.cycles.models import Cycle
from cabas.lib.inputs import local_next
from cabas.lib.names import person_sort_key

HOME_PAGE_SIZE = 20


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # Counted per group of the page (a subquery), not by joining every membership of
    # every group before the page is cut: on an instance holding a federation the
    # join grew with each group (8 ms of 20 on a home page with 20 groups).
    current = (
        Membership.objects.filter(group=OuterRef("pk"), ended_at__isnull=True)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    groups = (
        BuyingGroup.objects.active().annotate(member_count=Coalesce(Subquery(current), 0)).order_by("name")
    )
    page = Paginator(groups, HOME_PAGE_SIZE).get_page(request.GET.get("page"))
    mine: list[Membership] = []
    open_cycles: list[Cycle] = []
    if request.user.is_authenticated:
        mine = list(Membership.objects.current().filter(user=request.user).select_related("group"))
        # A member lands on what to do now: the cycles open for orders in their groups.
        households = [m.group_id for m in mine if m.is_member]
        now = timezone.now()
        open_cycles = list(
            Cycle.objects.open_at(now)
            .filter(group_id__in=households)
            .select_related("group")
            .order_by("closes_at")
        )
    context = {"page": page, "my_memberships": mine, "open_cycles": open_cycles}
    return render(request, "accounts/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def group_join(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = group_access(request, slug)
    if access.is_member:
        messages.info(request, _("You are already a member of this group."))
        return redirect(access.group)
    if JoinRequest.objects.pending().filter(group=access.group, user=request.user).exists():
        messages.info(request, _("Your request is already waiting for a coordinator."))
        return redirect(access.group)
    form = JoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.request_to_join(
                group=access.group, user=request.user, message=form.cleaned_data["message"]
            )
        except services.MembershipError as error:
            messages.error(request, str(error))
            return redirect(access.group)
        if isinstance(result, Membership):
            messages.success(request, _("Welcome to %(group)s!") % {"group": access.group.name})
        else:
            messages.success(
                request,
                _("Your request has been sent. A coordinator will answer you by e-mail."),
            )
        return redirect(access.group)
    return render(request, "accounts/group_join.html", {"group": access.group, "form": form})


@login_required
@require_POST
def group_join_withdraw(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = group_access(request, slug)
    join_request = JoinRequest.objects.pending().filter(group=access.group, user=request.user).first()
    if join_request:
        services.withdraw_join_request(join_request=join_request)
        messages.success(request, _("Your request has been withdrawn."))
    return redirect(access.group)


@login_required
@require_http_methods(["GET", "POST"])
def group_leave(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = group_access(request, slug, roles=ANY_ROLE)
    if access.membership is None:  # the site admin is not a member
        return redirect(access.group)
    if request.method == "POST":
        try:
            services.end_membership(membership=access.membership, by=request.user)
        except services.MembershipError as error:
            messages.error(request, str(error))
            return redirect(access.group)
        messages.success(request, _("You have left %(group)s.") % {"group": access.group.name})
        return redirect("home")
    return render(request, "accounts/group_leave.html", {"group": access.group})


@login_required
@require_safe
def group_directory(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Members see who else is in the group (names and roles, no contact details)."""
    access = group_access(request, slug, roles=ANY_ROLE)
    memberships = Membership.objects.current().filter(group=access.group).select_related("user")
    # By surname (``lib.names``): sorted here, a group's few hundred members, not in SQL.
    ordered = sorted(memberships, key=lambda m: person_sort_key(m.user.full_name, m.user.email))
    page = Paginator(ordered, settings.CABAS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "accounts/group_directory.html", {"access": access, "group": access.group, "page": page}
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedRequest) -> HttpResponse:
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your profile has been saved."))
        response = redirect("profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            request.user.language,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite="Lax",
        )
        return response
    if request.method == "POST":
        request.user.refresh_from_db()
    memberships = Membership.objects.filter(user=request.user).select_related("group").order_by("-started_at")
    return render(request, "accounts/profile.html", {"form": form, "memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: AuthenticatedRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_account(user=request.user, by=request.user)
        except services.MembershipError as error:
            messages.error(request, str(error))
            return redirect("account_delete")
        logout(request)
        messages.success(request, _("Your account has been deleted."))
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; for a logged-in person, also their profile's."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(local_next(request, "/"))
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("This language is not available."))
        return response
    if request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        samesite="Lax",
    )
    return response
