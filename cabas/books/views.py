"""Money after the day: a household's payments, a producer's statement, the treasurers' books.

- « Mes paiements »: a household of the group, its own account only (the page
  takes no household id: there is no other account to ask for).
- A producer's statement and its export: the producer's own accounts (and the
  site admin); a coordinator keeping a producer's catalogue does not see it.
- The books and the account codes: the group's treasurers (and the site admin).

GET pages never cached (names and amounts); the codes are changed by POST
only, through a form that says what is wrong and changes nothing then.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from cabas.accounts.models import BuyingGroup, Role
from cabas.accounts.permissions import AuthenticatedRequest, GroupAccess, group_access
from cabas.books import journal as books_journal
from cabas.books.forms import AccountCodesForm
from cabas.books.models import AccountCodes
from cabas.books.sheets import producer_statement_table
from cabas.books.statements import member_statement, producer_statement
from cabas.books.summary import summary_print, year_summary
from cabas.catalog.permissions import ProducerAccess, producer_access
from cabas.cycles.models import Cycle
from cabas.cycles.permissions import get_cycle
from cabas.reports.documents import CONTENT_TYPES, group_language
from cabas.reports.pdf import render_pdf
from cabas.reports.views import file_response
from cabas.reports.writers import write_csv, write_xlsx

# The journal's layouts and the formats each comes in.
LAYOUTS = {"fec": ("txt", "xlsx"), "journal": ("csv", "xlsx")}
TEXT_TYPES = {"txt": "text/plain; charset=utf-8"}
FIRST_YEAR = 2000


# --- A household's payments -----------------------------------------------------------------


@login_required
@require_safe
@never_cache
def member_payments(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """« Mes paiements »: per cycle, what was handed over, paid to whom and how, and what is left."""
    access = group_access(request, slug, roles=(Role.MEMBER,))
    cycles = member_statement(request.user, access.group)
    return render(
        request, "books/member_payments.html", {"access": access, "group": access.group, "cycles": cycles}
    )


# --- A producer's statement -----------------------------------------------------------------


def _own_producer(request: AuthenticatedRequest, slug: str) -> ProducerAccess:
    access = producer_access(request, slug)
    if not (access.is_own or request.user.is_superuser):
        raise PermissionDenied
    return access


@login_required
@require_safe
@never_cache
def producer_statement_page(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Per group and cycle: due, received at the stand, what households and the association owe."""
    access = _own_producer(request, slug)
    statements = producer_statement(access.producer)
    context = {"access": access, "producer": access.producer, "statements": statements}
    return render(request, "books/producer_statement.html", context)


@login_required
@require_safe
@never_cache
def producer_statement_export(
    request: AuthenticatedRequest, slug: str, group_slug: str, fmt: str
) -> HttpResponse:
    """The statement for one group, as CSV or XLSX (404 for a group the producer has no money with)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    access = _own_producer(request, slug)
    group = get_object_or_404(BuyingGroup, slug=group_slug)
    statements = producer_statement(access.producer, group)
    if not statements:
        raise Http404
    with group_language():
        table = producer_statement_table(access.producer, statements[0])
        content = write_xlsx([table]) if fmt == "xlsx" else write_csv(table)
        filename = f"{slugify(_('statement') + ' ' + access.producer.name + ' ' + group.name)[:120]}.{fmt}"
    return file_response(content, CONTENT_TYPES[fmt], filename)


# --- The treasurers' books ------------------------------------------------------------------


def _treasurer(request: AuthenticatedRequest, slug: str) -> GroupAccess:
    return group_access(request, slug, roles=(Role.TREASURER,))


@login_required
@require_safe
@never_cache
def books(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The journal per cycle and per year, the yearly summary, the account codes."""
    access = _treasurer(request, slug)
    cycles = list(Cycle.objects.published().filter(group=access.group).order_by("-distribution_date", "-pk"))
    years = sorted(
        {cycle.distribution_date.year for cycle in cycles} | {timezone.localdate().year}, reverse=True
    )
    context = {
        "access": access,
        "group": access.group,
        "cycles": cycles,
        "years": years,
        "codes": AccountCodes.of(access.group),
        "layouts": LAYOUTS,
    }
    return render(request, "books/books.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def books_codes(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The group's account codes: the defaults of the associations' chart until the treasurers change them."""
    access = _treasurer(request, slug)
    form = AccountCodesForm(
        request.POST if request.method == "POST" else None, instance=AccountCodes.of(access.group)
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in AccountCodesForm.Meta.fields}
        AccountCodes.objects.update_or_create(group=access.group, defaults=fields)
        messages.success(request, _("The account codes have been saved."))
        return redirect("books", slug=access.group.slug)
    return render(request, "books/codes.html", {"access": access, "group": access.group, "form": form})


def _journal(period: books_journal.Period, layout: str, fmt: str) -> HttpResponse:
    codes = AccountCodes.of(period.group)
    with group_language():
        if layout == "fec":
            if fmt == "txt":
                content = books_journal.write_fec(books_journal.fec_rows(period, codes))
            else:
                content = write_xlsx([books_journal.fec_table(period, codes)])
            name = f"fec-{period.group.slug}-{period.slug}"
        else:
            table = books_journal.plain_table(period, codes)
            content = write_xlsx([table]) if fmt == "xlsx" else write_csv(table)
            name = f"{slugify(_('journal'))}-{period.group.slug}-{period.slug}"
    return file_response(content, TEXT_TYPES.get(fmt) or CONTENT_TYPES[fmt], f"{name}.{fmt}")


def _check_layout(layout: str, fmt: str) -> None:
    if fmt not in LAYOUTS.get(layout, ()):
        raise Http404


@login_required
@require_safe
@never_cache
def journal_cycle(request: AuthenticatedRequest, slug: str, pk: int, layout: str, fmt: str) -> HttpResponse:
    _check_layout(layout, fmt)
    access = _treasurer(request, slug)
    cycle = get_cycle(access, pk)
    return _journal(books_journal.Period(access.group, cycle=cycle), layout, fmt)


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        raise Http404
    return year


@login_required
@require_safe
@never_cache
def journal_year(request: AuthenticatedRequest, slug: str, year: int, layout: str, fmt: str) -> HttpResponse:
    _check_layout(layout, fmt)
    access = _treasurer(request, slug)
    return _journal(books_journal.Period(access.group, year=_year(year)), layout, fmt)


@login_required
@require_safe
@never_cache
def summary(request: AuthenticatedRequest, slug: str, year: int) -> HttpResponse:
    """The year's summary (PDF): per cycle handed over, received by method, paid, written off; balances."""
    access = _treasurer(request, slug)
    codes = AccountCodes.of(access.group)
    data = year_summary(access.group, _year(year), codes)
    with group_language():
        content = render_pdf("books_summary.typ", summary_print(data, codes))
        filename = f"{slugify(_('books'))}-{access.group.slug}-{year}.pdf"
    return file_response(content, CONTENT_TYPES["pdf"], filename)
