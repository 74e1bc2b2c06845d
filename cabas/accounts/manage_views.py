"""Coordinators' pages: members, roles, join requests and the group's settings."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cabas.accounts import services
from cabas.accounts.forms import AddMemberForm, GroupSettingsForm, MemberSearchForm, RefuseForm, RolesForm
from cabas.accounts.models import ROLE_FIELDS, BuyingGroup, JoinRequest, Membership, Role, User
from cabas.accounts.permissions import AuthenticatedRequest, get_join_request, get_membership, require_manager
from cabas.lib.french import elide
from cabas.lib.names import person_sort_key


@login_required
@require_safe
def members(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = require_manager(request, slug)
    form = MemberSearchForm(request.GET or None)
    memberships = Membership.objects.current().filter(group=access.group).select_related("user")
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            memberships = memberships.filter(
                Q(user__full_name__icontains=query) | Q(user__email__icontains=query)
            )
        if form.cleaned_data["role"]:
            memberships = memberships.with_role(Role(form.cleaned_data["role"]))
    # By surname (``lib.names``): sorted here, a group's few hundred members, not in SQL.
    ordered = sorted(memberships, key=lambda m: person_sort_key(m.user.full_name, m.user.email))
    page = Paginator(ordered, settings.CABAS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "access": access,
        "group": access.group,
        "form": form,
        "page": page,
        "pending_count": JoinRequest.objects.pending().filter(group=access.group).count(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "accounts/manage/members.html#member-results", context)
    return render(request, "accounts/manage/members.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = require_manager(request, slug)
    form = AddMemberForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = User.objects.filter(email__iexact=data["email"]).first()
        if user is not None and not user.is_active:
            form.add_error("email", _("This account has been closed."))
        else:
            try:
                if user is None:
                    user = services.create_user(
                        email=data["email"], full_name=data["full_name"], phone=data["phone"]
                    )
                services.add_member(
                    group=access.group, user=user, roles=[Role(r) for r in data["roles"]], by=request.user
                )
            except services.MembershipError as error:
                form.add_error("email", str(error))
            else:
                messages.success(request, _("%(name)s has been added.") % {"name": user.display_name})
                return redirect("manage_members", slug=access.group.slug)
    return render(
        request, "accounts/manage/member_add.html", {"access": access, "group": access.group, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access = require_manager(request, slug)
    membership = get_membership(access, pk)
    initial = {"roles": [role.value for role in membership.roles]}
    form = RolesForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_roles(membership=membership, roles=form.cleaned_roles(), by=request.user)
        except services.MembershipError as error:
            form.add_error(None, str(error))
            membership.refresh_from_db()
        else:
            name = membership.user.display_name
            messages.success(request, elide(_("Roles of %(name)s saved.") % {"name": name}, name))
            return redirect("manage_members", slug=access.group.slug)
    history = Membership.objects.filter(group=access.group, user=membership.user).order_by("-started_at")
    context = {
        "access": access,
        "group": access.group,
        "membership": membership,
        "form": form,
        "history": history,
        "role_fields": ROLE_FIELDS,
    }
    return render(request, "accounts/manage/member_edit.html", context)


@login_required
@require_POST
def member_end(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access = require_manager(request, slug)
    membership = get_membership(access, pk)
    try:
        services.end_membership(membership=membership, by=request.user)
    except services.MembershipError as error:
        messages.error(request, str(error))
        return redirect("manage_member", slug=access.group.slug, pk=membership.pk)
    messages.success(request, _("%(name)s is no longer a member.") % {"name": membership.user.display_name})
    return redirect("manage_members", slug=access.group.slug)


@login_required
@require_safe
def join_requests(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = require_manager(request, slug)
    requests_ = JoinRequest.objects.filter(group=access.group).select_related("user", "decided_by")
    context = {
        "access": access,
        "group": access.group,
        "pending": requests_.pending().order_by("created_at"),
        "decided": requests_.exclude(status=JoinRequest.Status.PENDING).order_by("-decided_at")[:30],
        "refuse_form": RefuseForm(),
    }
    return render(request, "accounts/manage/join_requests.html", context)


@login_required
@require_POST
def join_request_approve(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access = require_manager(request, slug)
    join_request = get_join_request(access, pk)
    try:
        services.approve_join_request(join_request=join_request, by=request.user)
    except services.MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s is now a member.") % {"name": join_request.user.display_name})
    return redirect("manage_join_requests", slug=access.group.slug)


@login_required
@require_POST
def join_request_refuse(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access = require_manager(request, slug)
    join_request = get_join_request(access, pk)
    form = RefuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The reason is too long (2,000 characters at most)."))
        return redirect("manage_join_requests", slug=access.group.slug)
    try:
        services.refuse_join_request(
            join_request=join_request, by=request.user, reason=form.cleaned_data["reason"]
        )
    except services.MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            elide(
                _("The request of %(name)s was refused.") % {"name": join_request.user.display_name},
                join_request.user.display_name,
            ),
        )
    return redirect("manage_join_requests", slug=access.group.slug)


@login_required
@require_http_methods(["GET", "POST"])
def group_settings(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = require_manager(request, slug)
    # A fresh instance: an invalid form must not rename the group in the page header.
    form = GroupSettingsForm(
        request.POST if request.method == "POST" else None,
        instance=BuyingGroup.objects.get(pk=access.group.pk),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The group's settings have been saved."))
        return redirect("manage_settings", slug=access.group.slug)
    return render(
        request, "accounts/manage/settings.html", {"access": access, "group": access.group, "form": form}
    )
