"""Households' shift pages: the shifts ahead, signing up and cancelling, the e-mailed one-click link,
and the calendar feeds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cabas.accounts.models import BuyingGroup, User
from cabas.accounts.permissions import AuthenticatedRequest
from cabas.lib.inputs import local_next
from cabas.shifts import feeds, links, queries, services
from cabas.shifts.models import CalendarFeed, Rules, Shift
from cabas.shifts.permissions import get_member_shift, get_own_signup, household_access


def describe(shift: Shift) -> str:
    """« Rangement, samedi 14 juin, 12:00–12:45 »."""
    return _("%(shift)s, %(date)s, %(start)s–%(end)s") % {
        "shift": shift.title,
        "date": date_format(shift.cycle.distribution_date, "l j F"),
        "start": time_format(shift.starts_at, "H:i"),
        "end": time_format(shift.ends_at, "H:i"),
    }


@login_required
@require_safe
def shifts(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = household_access(request, slug)
    group = access.group
    rules = Rules.of(group)
    ahead = queries.upcoming_shifts(group)
    mine = {
        pk: s
        for _cycle, cycle_shifts in ahead
        for pk, s in queries.signed_up(cycle_shifts, request.user).items()
    }
    own = queries.own_help(group, request.user)
    feed = CalendarFeed.objects.filter(user=request.user).first()
    context = {
        "group": group,
        "access": access,
        "ahead": ahead,
        "mine": mine,
        "own": own,
        "rules": rules,
        "nudge": own.count == 0 and queries.nudged(group, request.user, rules.yearly_help, bool(mine)),
        "feed_url": request.build_absolute_uri(reverse("calendar_household", args=[feed.token]))
        if feed
        else "",
        "group_feed_url": request.build_absolute_uri(reverse("calendar_group", args=[group.slug])),
    }
    return render(request, "shifts/shifts.html", context)


@login_required
@require_POST
def signup(request: AuthenticatedRequest, slug: str, shift_pk: int) -> HttpResponse:
    """« Je viens »: a place in the shift for the person, from the shifts page or the basket page."""
    access = household_access(request, slug)
    shift = get_member_shift(access, shift_pk)
    back = local_next(request, reverse("shifts", args=[slug]))
    try:
        outcome = services.sign_up(shift=shift, user=request.user)
    except services.ShiftError as error:
        messages.error(request, str(error))
        return redirect(back)
    if outcome.created:
        messages.success(request, _("Thank you! You are signed up: %(shift)s.") % {"shift": describe(shift)})
    else:
        messages.info(request, _("You were already signed up: %(shift)s.") % {"shift": describe(shift)})
    return redirect(back)


@login_required
@require_POST
def cancel(request: AuthenticatedRequest, slug: str, signup_pk: int) -> HttpResponse:
    access = household_access(request, slug)
    back = local_next(request, reverse("shifts", args=[slug]))
    mine = get_own_signup(access, request, signup_pk)
    if mine.cancelled_at is not None:  # a second click: nothing more to do
        messages.info(request, _("This sign-up is cancelled."))
        return redirect(back)
    try:
        services.cancel(signup=mine, by=request.user)
    except services.ShiftError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, _("Your sign-up is cancelled: %(shift)s.") % {"shift": describe(mine.shift)})
    return redirect(back)


# --- The one-click link of the e-mails (no login) -----------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """Show what the link would do; the sign-up itself is the POST of this page's button."""
    read = links.read_token(token)
    if read.expired:
        return render(request, "shifts/link.html", {"expired": True}, status=410)
    if read.shift_id is None:
        raise Http404
    shift = get_object_or_404(
        Shift.objects.select_related("cycle__group"), pk=read.shift_id, cycle__published_at__isnull=False
    )
    user = get_object_or_404(User.objects.filter(is_active=True), pk=read.user_id)
    error, done = "", False
    if request.method == "POST":
        try:
            services.sign_up(shift=shift, user=user)
        except services.ShiftError as refusal:
            error = str(refusal)
        else:
            return redirect("shift_link", token=token)
    shift.refresh_from_db(fields=["taken", "capacity"])
    done = shift.signups.active().filter(user=user).exists()
    context = {
        "shift": shift,
        "cycle": shift.cycle,
        "group": shift.cycle.group,
        "person": user,
        "done": done,
        "error": error,
        "when": describe(shift),
    }
    return render(request, "shifts/link.html", context, status=409 if error else 200)


# --- Calendars ----------------------------------------------------------------------------------


def _ics(content: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    return response


@never_cache
@require_safe
def calendar_household(request: HttpRequest, token: str) -> HttpResponse:
    """A household's distributions and shifts, at a private address (no login: calendar apps have none)."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token, user__is_active=True)
    return _ics(feeds.household(feed.user), "cabas")


@require_safe
def calendar_group(request: HttpRequest, slug: str) -> HttpResponse:
    """A group's distributions (public: no names, no shifts)."""
    group = get_object_or_404(BuyingGroup.objects.active(), slug=slug)
    return _ics(feeds.group(group), group.slug)


@login_required
@require_POST
def calendar_reset(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Make (or make again) the person's private calendar address; the old one stops working."""
    household_access(request, slug)
    CalendarFeed.objects.update_or_create(user=request.user, defaults={"token": feeds.new_token()})
    messages.success(request, _("Your calendar address is ready. Any address given before no longer works."))
    return redirect(reverse("shifts", args=[slug]) + "#calendar")
