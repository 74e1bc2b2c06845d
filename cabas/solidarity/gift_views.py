"""Money into the fund, seen from the treasury and by each donor.

- The treasurers (and the site admin): the gifts of a year, a form to record a gift
  received outside a basket, and the yearly donor summaries (one PDF a donor, or one
  PDF with a page per donor for all of them).
- A household of the group: « Mes dons », its own contributions and gifts, and its
  own yearly summary. The pages take no household id: there is no other donor to ask for.

Recording a gift is a POST through ``gifts.record_gift``; a refused form comes back
with what was typed and a message, and nothing written.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cabas.accounts.forms import FundPercentsForm
from cabas.accounts.models import BuyingGroup, Role, User
from cabas.accounts.permissions import AuthenticatedRequest, GroupAccess, group_access
from cabas.cycles.baskets import baskets_of
from cabas.cycles.models import Order
from cabas.ledger.fund_positions import contributions
from cabas.ledger.models import Method
from cabas.reports.documents import CONTENT_TYPES, group_language
from cabas.reports.pdf import render_pdf
from cabas.reports.views import file_response
from cabas.settlement import services as settlement
from cabas.settlement.permissions import treasurer_access
from cabas.solidarity import gifts
from cabas.solidarity.donor_print import donors_print
from cabas.solidarity.gift_forms import GiftForm
from cabas.solidarity.models import Gift

FIRST_YEAR = 2000


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    return year


def _households(group: BuyingGroup) -> dict[int, User]:
    """The group's current households, by name: one query."""
    users = (
        User.objects.filter(
            memberships__group=group, memberships__ended_at__isnull=True, memberships__is_member=True
        )
        .distinct()
        .order_by("full_name", "email")
    )
    return {user.pk: user for user in users}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def treasury_gifts(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The gifts and paid contributions of a year, by donor; the form to record a gift."""
    access = treasurer_access(request, slug)
    households = _households(access.group)
    if request.method == "POST":
        form = GiftForm(request.POST, households=households)
        if form.is_valid():
            data = form.cleaned_data
            try:
                gifts.record_gift(
                    group=access.group,
                    by=request.user,
                    amount_cents=data["amount"],
                    method=Method(data["method"]),
                    received_on=data["received_on"],
                    donor=data["donor_user"],
                    donor_name=data["donor_name"],
                    donor_address=data["donor_address"],
                    note=data["note"],
                    key=f"gift:{access.group.pk}:{data['token'].hex}",
                )
            except gifts.GiftRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("The gift is recorded: the fund has received it."))
                return redirect("treasury_gifts", access.group.slug)
        return _gifts_page(request, access, form, status=400)
    return _gifts_page(
        request, access, GiftForm(households=households, initial={"token": settlement.new_key()})
    )


def _gifts_page(
    request: AuthenticatedRequest,
    access: GroupAccess,
    form: GiftForm,
    status: int = 200,
    percents: FundPercentsForm | None = None,
) -> HttpResponse:
    this_year = timezone.localdate().year
    year = _chosen_year(request.GET.get("year", ""), this_year)
    context = {
        "group": access.group,
        "form": form,
        "percents_form": percents or FundPercentsForm(instance=access.group),
        "year": year,
        "years": list(range(this_year, max(FIRST_YEAR, this_year - 6), -1)),
        "donors": gifts.donors(access.group, year),
        "recent": Gift.objects.filter(group=access.group)
        .select_related("donor", "recorded_by")
        .order_by("-recorded_at", "-pk")[:20],
    }
    return render(request, "solidarity/gifts.html", context, status=status)


@login_required
@require_POST
def treasury_fund_percents(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The percentages of the basket the order page suggests as a contribution to the fund."""
    access = treasurer_access(request, slug)
    form = FundPercentsForm(request.POST, instance=BuyingGroup.objects.get(pk=access.group.pk))
    if form.is_valid():
        form.save()
        messages.success(request, _("The suggested contributions are saved."))
        return redirect("treasury_gifts", access.group.slug)
    blank = GiftForm(households=_households(access.group), initial={"token": settlement.new_key()})
    return _gifts_page(request, access, blank, status=400, percents=form)


def _chosen_year(text: str, default: int) -> int:
    if text.isascii() and text.isdigit() and FIRST_YEAR <= int(text) <= default:
        return int(text)
    return default


def _pdf(group: BuyingGroup, year: int, donors: list[gifts.Donor], name: str) -> HttpResponse:
    with group_language():
        content = render_pdf("donors.typ", donors_print(group, year, donors))
        filename = f"{slugify(_('gifts'))}-{slugify(name)[:60]}-{year}.pdf"
    return file_response(content, CONTENT_TYPES["pdf"], filename)


@login_required
@require_safe
@never_cache
def donors_pdf(request: AuthenticatedRequest, slug: str, year: int) -> HttpResponse:
    """Every donor's summary of ``year``, one page (or more) each, in one PDF to print."""
    access = treasurer_access(request, slug)
    year = _year(year)
    return _pdf(access.group, year, gifts.donors(access.group, year), access.group.slug)


@login_required
@require_safe
@never_cache
def donor_pdf(request: AuthenticatedRequest, slug: str, year: int, key: str) -> HttpResponse:
    """One donor's summary of ``year`` (``key`` from the gifts page: « h12 », « n34 »)."""
    access = treasurer_access(request, slug)
    year = _year(year)
    found = [donor for donor in gifts.donors(access.group, year) if donor.key == key]
    if not found:
        raise Http404
    return _pdf(access.group, year, found, found[0].name)


# --- A donor's own page ------------------------------------------------------------------------


@login_required
@require_safe
@never_cache
def my_gifts(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """« Mes dons »: what the household gave the fund (paid contributions and gifts), by year."""
    access = group_access(request, slug, roles=(Role.MEMBER,))
    this_year = timezone.localdate().year
    year = _chosen_year(request.GET.get("year", ""), this_year)
    mine = gifts.donors(access.group, year, household=request.user)
    promised = _promised(request.user, access.group)
    context = {
        "group": access.group,
        "year": year,
        "years": list(range(this_year, max(FIRST_YEAR, this_year - 6), -1)),
        "donor": mine[0] if mine else None,
        "promised": promised,
    }
    return render(request, "solidarity/my_gifts.html", context)


def _promised(user: User, group: BuyingGroup) -> list[tuple[str, int, int]]:
    """The household's promises still open (cycle name, promised, paid), newest first: 3 queries."""
    orders = list(
        Order.objects.filter(cycle__group=group, user=user, cycle__settled_at__isnull=True)
        .exclude(fund_percent=0, fund_amount_cents=0)
        .select_related("user", "cycle")
        .order_by("-cycle__distribution_date")[:6]
    )
    if not orders:
        return []
    found = baskets_of(orders)
    paid: dict[int | None, int] = {}
    for line in contributions(group, household=user):
        paid[line.cycle_id] = paid.get(line.cycle_id, 0) + line.amount_cents
    return [(o.cycle.name, found[o.pk].contribution_cents, paid.get(o.cycle_id, 0)) for o in orders]


@login_required
@require_safe
@never_cache
def my_gifts_pdf(request: AuthenticatedRequest, slug: str, year: int) -> HttpResponse:
    """The household's own summary of ``year``."""
    access = group_access(request, slug, roles=(Role.MEMBER,))
    year = _year(year)
    mine = gifts.donors(access.group, year, household=request.user)
    if not mine:
        raise Http404
    return _pdf(access.group, year, mine, mine[0].name)
