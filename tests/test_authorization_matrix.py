"""Every URL of the app, visited as every role, with the status each must get.

When a URL is added, this test fails until the URL is listed in MATRIX: a new
page cannot ship without deciding who may see it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from cabas.bank.models import StatementImport, StatementLine, Status
from cabas.catalog import services as catalog
from cabas.catalog.models import CatalogImport, Category, Product, SaleUnit
from cabas.cycles.models import Cycle, Offer
from tests import scene
from tests.cast import Cast
from tests.scene import Site

ROLES = [
    "anonymous",
    "member_a",
    "member_b",
    "coordinator_a",
    "coordinator_b",
    "producer_a",
    "site_admin",
    "treasurer_a",
]

# URL name -> (how to build its kwargs from the cast, GET statuses by role, POST statuses by role).
# 302 for the anonymous visitor is the redirect to the login page. The treasurer of A is a member
# of A with one more role: where a row does not name them, they get what member_a gets.
_OTHERS = [role for role in ROLES if role != "treasurer_a"]  # rows of these stand for the treasurer too
ANYONE = dict.fromkeys(_OTHERS, 200)
LOGGED_IN = {**ANYONE, "anonymous": 302}
GET_ON_POST_ONLY = {**dict.fromkeys(_OTHERS, 405), "anonymous": 302}
GROUP_A_MEMBERS = {**LOGGED_IN, "member_b": 403, "coordinator_b": 403}
COORDINATORS_OF_A = {**GROUP_A_MEMBERS, "member_a": 403, "producer_a": 403, "treasurer_a": 403}
# POST as someone without the right: refused before anything is read from the form.
POST_COORDINATORS_OF_A = {
    "anonymous": 302,
    "member_a": 403,
    "member_b": 403,
    "coordinator_b": 403,
    "producer_a": 403,
    "treasurer_a": 403,
}
HOUSEHOLDS_OF_A = {**GROUP_A_MEMBERS, "producer_a": 403}  # a producer account has no basket
POST_HOUSEHOLDS_OF_A = {"anonymous": 302, "member_b": 403, "coordinator_b": 403, "producer_a": 403}
# The bakery keeps its own catalogue: only its account (and the site admin) manage it.
BAKERY = {**dict.fromkeys(_OTHERS, 403), "anonymous": 302, "producer_a": 200, "site_admin": 200}
POST_BAKERY = {role: status for role, status in BAKERY.items() if status != 200}
# Documents after the distribution day, on a cycle whose day has not started: 404 for those allowed.
DAY_COORDINATORS_OF_A = {**COORDINATORS_OF_A, "coordinator_a": 404, "site_admin": 404, "treasurer_a": 404}
DAY_BAKERY = {**BAKERY, "producer_a": 404, "site_admin": 404}
# The treasury: the treasurers of A (and the site admin), nobody else.
TREASURERS_OF_A = {**dict.fromkeys(ROLES, 403), "anonymous": 302, "treasurer_a": 200, "site_admin": 200}
# The treasurer's own POSTs on the matrix's open cycle are refused with a message (the day is not
# closed): the form again (200) or back to the board (302), nothing written either way.
POST_TREASURERS_OF_A = {
    **{role: status for role, status in TREASURERS_OF_A.items() if status != 200},
    "treasurer_a": 200,
}
POST_TREASURERS_OF_A_BACK = {**POST_TREASURERS_OF_A, "treasurer_a": 302}
SITE_ADMIN_ONLY = {**dict.fromkeys(_OTHERS, 403), "anonymous": 302, "site_admin": 200}
# The association's bank: the treasurers of A (Théo, a member too) and the site admin; not coordinators.
BANK_TREASURERS_OF_A = {**COORDINATORS_OF_A, "coordinator_a": 403, "treasurer_a": 200}
BANK_POST_TREASURERS_OF_A = {**POST_COORDINATORS_OF_A, "coordinator_a": 403}
# The treasurer's own POSTs with the matrix's form are refused without writing: a bad file or
# line (400), or an import already confirmed (back to it, 302).
BANK_POST_REFUSED = {**BANK_POST_TREASURERS_OF_A, "treasurer_a": 400}
BANK_POST_BACK = {**BANK_POST_TREASURERS_OF_A, "treasurer_a": 302}
# A member's own prepaid account: group A has none in the matrix cast (404 for those who may look).
PREPAID_OF_A = {**dict.fromkeys(ROLES, 404), "anonymous": 302, "member_b": 403, "coordinator_b": 403}
# The day's offline sync answers JSON: 401 (not a redirect to the login page) to the anonymous.
JSON_GET_ON_POST_ONLY = {**GET_ON_POST_ONLY, "anonymous": 401}
POST_ONLY = (GET_ON_POST_ONLY, JSON_GET_ON_POST_ONLY)

A = "saint-orens"


def _group(c: Site) -> dict[str, object]:
    return {"slug": A}


def _member_a(c: Site) -> dict[str, object]:
    return {"slug": A, "pk": c.membership(c.member).pk}


def _pending_request(c: Site) -> dict[str, object]:
    return {"slug": A, "pk": c.join_request.pk}


def _bakery(c: Site) -> dict[str, object]:
    return {"slug": "fournil"}


def _bread(c: Site) -> dict[str, object]:
    return {"slug": "fournil", "pk": c.bread.pk}


def _bakery_import(c: Site) -> dict[str, object]:
    return {"slug": "fournil", "pk": c.catalog_import.pk}


def _cycle(c: Site) -> dict[str, object]:
    return {"slug": A, "pk": c.cycle.pk}


def _offer(c: Site) -> dict[str, object]:
    return {"slug": A, "pk": c.cycle.pk, "offer_pk": c.offer.pk}


def _stored_file(c: Site) -> dict[str, object]:
    document = c.stored_document
    return {**_cycle(c), "doc_pk": document.pk, "filename": document.filename}


def _entry(c: Site) -> dict[str, object]:
    from cabas.ledger.models import Entry

    return {**_cycle(c), "entry_pk": Entry.objects.get(key=MATRIX_ENTRY).pk}


def _bank_import(c: Site) -> dict[str, object]:
    return {"slug": A, "pk": StatementImport.objects.get(group=c.group_a).pk}


def _bank_line(c: Site) -> dict[str, object]:
    return {"slug": A, "pk": StatementLine.objects.get(group=c.group_a, kept=True).pk}


def _shift(c: Site) -> dict[str, object]:
    from cabas.shifts.models import Shift

    return {
        "slug": A,
        "shift_pk": Shift.objects.filter(cycle=c.cycle).order_by("pk").values_list("pk", flat=True)[0],
    }


def _cycle_shift(c: Site) -> dict[str, object]:
    return {**_cycle(c), "shift_pk": _shift(c)["shift_pk"]}


def _signup(c: Site) -> dict[str, object]:
    """Mehdi's sign-up (a household of A not in the roles): nobody else's to cancel."""
    from cabas.shifts.models import Signup

    return {"slug": A, "signup_pk": Signup.objects.get(shift__cycle=c.cycle, user=c.member2).pk}


def _cycle_signup(c: Site) -> dict[str, object]:
    return {**_cycle(c), "signup_pk": _signup(c)["signup_pk"]}


def _link(c: Site) -> dict[str, object]:
    from cabas.shifts.links import make_token
    from cabas.shifts.models import Shift

    return {"token": make_token(Shift.objects.get(pk=_shift(c)["shift_pk"]), c.member2)}


def _draft_offer(c: Site) -> dict[str, object]:
    """The bakery asked for its offer in a draft cycle of A (made once, through the services)."""
    from cabas.cycles import proposals, services
    from cabas.cycles.models import ProducerOffer

    proposal = ProducerOffer.objects.filter(cycle__group=c.group_a, producer=c.bakery).first()
    if proposal is None:
        draft = services.copy_cycle(source=c.cycle, by=c.coordinator)
        proposals.ask_producers(cycle=draft, by=c.coordinator)
        proposal = ProducerOffer.objects.get(cycle=draft, producer=c.bakery)
    return {"slug": A, "pk": proposal.cycle_id, "proposal_pk": proposal.pk}


def _offer_request(c: Site) -> dict[str, object]:
    """The bakery asks, in A's open cycle, to change the bread's quota (made once)."""
    from cabas.cycles import proposals
    from cabas.cycles.models import OfferRequest

    request = OfferRequest.objects.filter(offer=c.offer).first() or proposals.ask_change(
        offer=c.offer, kind="quota", quota=60_000, reason="Belle fournée", by=c.producer_user
    )
    return {**_cycle(c), "request_pk": request.pk}


def _feed(c: Site) -> dict[str, object]:
    from cabas.shifts.models import CalendarFeed

    return {"token": CalendarFeed.objects.get(user=c.member2).token}


def _announcement(c: Site) -> dict[str, object]:
    from cabas.announcements.models import Announcement

    return {"slug": A, "pk": Announcement.objects.get(group=c.group_a).pk}


def _mehdis_token(c: Site) -> dict[str, object]:
    """Mehdi's API token (a household of A not in the roles): nobody else's to revoke."""
    from cabas.api.models import ApiToken

    return {"pk": ApiToken.objects.get(user=c.member2).pk}


def _in_a(producer_slug: str) -> Callable[[Site], dict[str, object]]:
    return lambda c: {"slug": A, "producer_slug": producer_slug}


MATRIX: dict[str, tuple[Callable[[Site], dict[str, object]], dict[str, int], dict[str, int]]] = {
    "home": (lambda c: {}, ANYONE, {}),
    # For the proxy and monitoring: figures only, nothing private.
    "healthz": (lambda c: {}, ANYONE, {}),
    "set_language": (lambda c: {}, dict.fromkeys(_OTHERS, 405), {}),
    "profile": (lambda c: {}, LOGGED_IN, {"anonymous": 302}),
    "account_delete": (lambda c: {}, LOGGED_IN, {"anonymous": 302}),
    # Everyone's own data, by POST (a ZIP of the person asking, whoever they are).
    "my_data": (lambda c: {}, GET_ON_POST_ONLY, {"anonymous": 302}),
    # A group's privacy page is public: read it before joining. Its coordinators edit it.
    "group_privacy": (_group, ANYONE, {}),
    "manage_privacy": (_group, COORDINATORS_OF_A, POST_COORDINATORS_OF_A),
    # The journal: coordinators of A and the site admin (not the treasurer who is not a coordinator).
    "manage_journal": (_group, COORDINATORS_OF_A, {}),
    # Personal API tokens: one's own only (another's is a 404). The API itself (api/v1/) has its
    # own matrix, by token and scope: tests/test_api_authorization.py.
    "api_token_new": (lambda c: {}, LOGGED_IN, {"anonymous": 302}),
    # Shows a new token once, right after its creation; otherwise back to the profile page.
    "api_token_created": (lambda c: {}, dict.fromkeys(ROLES, 302), {}),
    "api_token_revoke": (
        _mehdis_token,
        GET_ON_POST_ONLY,
        {**dict.fromkeys(_OTHERS, 404), "anonymous": 302, "treasurer_a": 404},
    ),
    # A group's news: its people read them, its coordinators write them.
    "news": (_group, GROUP_A_MEMBERS, {}),
    "manage_news_new": (_group, COORDINATORS_OF_A, POST_COORDINATORS_OF_A),
    "manage_news_edit": (_announcement, COORDINATORS_OF_A, POST_COORDINATORS_OF_A),
    "manage_news_delete": (_announcement, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "group_detail": (_group, ANYONE, {}),
    # Members of A are sent back to the group page; others see the form.
    "group_join": (
        _group,
        {**LOGGED_IN, "member_a": 302, "coordinator_a": 302, "producer_a": 302, "treasurer_a": 302},
        {"anonymous": 302},
    ),
    "group_join_withdraw": (_group, GET_ON_POST_ONLY, {"anonymous": 302}),
    # The site admin is not a member of A: nothing to leave, back to the group page.
    "group_leave": (
        _group,
        {**GROUP_A_MEMBERS, "site_admin": 302},
        {"anonymous": 302, "member_b": 403, "coordinator_b": 403},
    ),
    "group_directory": (_group, GROUP_A_MEMBERS, {}),
    # Catalogue: public pages of the group.
    "group_catalogue": (_group, ANYONE, {}),
    "group_producer": (_in_a("fournil"), ANYONE, {}),
    # The producer's own area.
    "my_producers": (lambda c: {}, {**LOGGED_IN, "producer_a": 302}, {}),
    "producer_invitation": (lambda c: {"token": c.invitation.token}, LOGGED_IN, {"anonymous": 302}),
    "producer_dashboard": (_bakery, BAKERY, {}),
    "producer_edit": (_bakery, BAKERY, POST_BAKERY),
    "product_new": (_bakery, BAKERY, POST_BAKERY),
    "product_edit": (_bread, BAKERY, POST_BAKERY),
    "product_price": (_bread, GET_ON_POST_ONLY, POST_BAKERY),
    "product_archive": (_bread, GET_ON_POST_ONLY, POST_BAKERY),
    "product_restore": (_bread, GET_ON_POST_ONLY, POST_BAKERY),
    "catalog_export": (lambda c: {"slug": "fournil", "fmt": "xlsx"}, BAKERY, {}),
    "catalog_template": (lambda c: {"slug": "fournil", "fmt": "csv"}, BAKERY, {}),
    "catalog_import": (_bakery, BAKERY, POST_BAKERY),
    "catalog_import_preview": (_bakery_import, BAKERY, {}),
    "catalog_import_confirm": (_bakery_import, GET_ON_POST_ONLY, POST_BAKERY),
    # Cycles and orders: households of A.
    "cycles": (_group, HOUSEHOLDS_OF_A, {}),
    "order": (_cycle, HOUSEHOLDS_OF_A, POST_HOUSEHOLDS_OF_A),
    "order_line": (_offer, GET_ON_POST_ONLY, POST_HOUSEHOLDS_OF_A),
    "order_copy_previous": (_cycle, GET_ON_POST_ONLY, POST_HOUSEHOLDS_OF_A),
    # A household's contribution to the fund on its own basket (the matrix's form names no choice:
    # the order page again with a message, nothing written).
    "order_contribution": (_cycle, GET_ON_POST_ONLY, POST_HOUSEHOLDS_OF_A),
    "order_history": (_group, HOUSEHOLDS_OF_A, {}),
    "manage_cycles": (_group, COORDINATORS_OF_A, {}),
    "manage_cycle_new": (_group, COORDINATORS_OF_A, POST_COORDINATORS_OF_A),
    "manage_cycle": (_cycle, COORDINATORS_OF_A, POST_COORDINATORS_OF_A),
    "manage_cycle_offers": (_cycle, COORDINATORS_OF_A, {}),
    "manage_offer": (_offer, COORDINATORS_OF_A, POST_COORDINATORS_OF_A),
    "manage_offer_withdraw": (_offer, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_cycle_publish": (_cycle, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_cycle_step": (_cycle, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_cycle_preview": (_cycle, COORDINATORS_OF_A, {}),
    "manage_cycle_orders": (_cycle, COORDINATORS_OF_A, {}),
    "manage_cycle_cartons": (_cycle, COORDINATORS_OF_A, {}),
    "manage_carton_accept": (_offer, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_cartons_accept_all": (_cycle, COORDINATORS_OF_A, POST_COORDINATORS_OF_A),
    "manage_order": (
        lambda c: {**_cycle(c), "user_pk": c.member.pk},
        COORDINATORS_OF_A,
        POST_COORDINATORS_OF_A,
    ),
    "producer_cycle_orders": (lambda c: {"slug": "fournil", "pk": c.cycle.pk}, BAKERY, {}),
    # The distribution day: a producer's stand (the cycle is not finalised: read-only pages).
    "day_service_worker": (lambda c: {}, ANYONE, {}),
    "day_stand": (lambda c: {"slug": "fournil", "pk": c.cycle.pk}, BAKERY, {}),
    "day_stand_household": (
        lambda c: {"slug": "fournil", "pk": c.cycle.pk, "order_pk": c.order_of_member2.pk},
        BAKERY,
        {},
    ),
    "day_stand_act": (lambda c: {"slug": "fournil", "pk": c.cycle.pk}, GET_ON_POST_ONLY, POST_BAKERY),
    # The welcome desk (coordinators; day-team volunteers are tested in test_day_desk_live).
    "day_desk": (_cycle, COORDINATORS_OF_A, {}),
    "day_desk_act": (_cycle, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "day_desk_slip": (
        lambda c: {**_cycle(c), "order_pk": c.order_of_member2.pk},
        COORDINATORS_OF_A,
        {},
    ),
    # The coordinators' live view, the day team, closing the day.
    "day_live": (_cycle, COORDINATORS_OF_A, {}),
    "day_live_act": (_cycle, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "day_team_add": (_cycle, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "day_team_remove": (
        lambda c: {**_cycle(c), "member_pk": c.day_team_member.pk},
        GET_ON_POST_ONLY,
        POST_COORDINATORS_OF_A,
    ),
    "day_close": (_cycle, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    # A member's own day (without a basket: a page that says so).
    "day_member": (_cycle, HOUSEHOLDS_OF_A, {}),
    # Documents.
    "reports_cycle": (_cycle, COORDINATORS_OF_A, {}),
    "reports_status": (_cycle, COORDINATORS_OF_A, {}),
    "reports_generate": (_cycle, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "reports_send": (_cycle, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "reports_file": (_stored_file, COORDINATORS_OF_A, {}),
    "producer_report_purchase_order": (
        lambda c: {"slug": "fournil", "pk": c.cycle.pk, "fmt": "csv"},
        BAKERY,
        {},
    ),
    "producer_report_distribution_list": (
        lambda c: {"slug": "fournil", "pk": c.cycle.pk, "fmt": "pdf"},
        BAKERY,
        {},
    ),
    # After the day: nothing was recorded on the matrix cast's day, so nothing to report (404)
    # for those who may see it; test_day_reports checks the documents themselves.
    "reports_day_summary": (lambda c: {**_cycle(c), "fmt": "pdf"}, DAY_COORDINATORS_OF_A, {}),
    "reports_day_report": (
        lambda c: {**_cycle(c), "producer_pk": c.bakery.pk, "fmt": "xlsx"},
        DAY_COORDINATORS_OF_A,
        {},
    ),
    "reports_day_cheques": (lambda c: {**_cycle(c), "producer_pk": c.bakery.pk}, DAY_COORDINATORS_OF_A, {}),
    "producer_day_report": (lambda c: {"slug": "fournil", "pk": c.cycle.pk, "fmt": "pdf"}, DAY_BAKERY, {}),
    "producer_day_cheques": (lambda c: {"slug": "fournil", "pk": c.cycle.pk}, DAY_BAKERY, {}),
    # Nobody in the matrix cast has ordered: households of A have no slip (404).
    "member_slip": (
        _cycle,
        {**HOUSEHOLDS_OF_A, "member_a": 404, "coordinator_a": 404, "site_admin": 404, "treasurer_a": 404},
        {},
    ),
    # Coordinators' producer pages.
    "manage_producers": (_group, COORDINATORS_OF_A, {}),
    "manage_producer_new": (_group, COORDINATORS_OF_A, POST_COORDINATORS_OF_A),
    "manage_producer_link": (_in_a("bergerie"), GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_producer_invite": (_in_a("bergerie"), GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_producer_end": (_in_a("bergerie"), GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_members": (_group, COORDINATORS_OF_A, {}),
    "manage_member_add": (_group, COORDINATORS_OF_A, POST_COORDINATORS_OF_A),
    "manage_member": (_member_a, COORDINATORS_OF_A, POST_COORDINATORS_OF_A),
    "manage_member_end": (_member_a, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_join_requests": (_group, COORDINATORS_OF_A, {}),
    "manage_join_request_approve": (_pending_request, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_join_request_refuse": (_pending_request, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_settings": (_group, COORDINATORS_OF_A, POST_COORDINATORS_OF_A),
    # Money after the day: a household's own payments, a producer's own statement and its export
    # (the matrix's cycle has one handover of the bakery's), the treasurers' books.
    "member_payments": (_group, HOUSEHOLDS_OF_A, {}),
    "producer_statement": (_bakery, BAKERY, {}),
    "producer_statement_export": (
        lambda c: {"slug": "fournil", "group_slug": A, "fmt": "csv"},
        BAKERY,
        {},
    ),
    "books": (_group, TREASURERS_OF_A, {}),
    "books_codes": (_group, TREASURERS_OF_A, POST_TREASURERS_OF_A),
    "books_journal_cycle": (lambda c: {**_cycle(c), "layout": "fec", "fmt": "txt"}, TREASURERS_OF_A, {}),
    "books_journal_year": (
        lambda c: {"slug": A, "year": c.cycle.distribution_date.year, "layout": "journal", "fmt": "csv"},
        TREASURERS_OF_A,
        {},
    ),
    "books_summary": (lambda c: {"slug": A, "year": c.cycle.distribution_date.year}, TREASURERS_OF_A, {}),
    # The site admin's report of the last import from Solalim.
    "solalim_import_report": (lambda c: {}, SITE_ADMIN_ONLY, {}),
    # The distribution day's offline sync (JSON): the bakery's stand, A's desk.
    "day_stand_state": (lambda c: {"slug": "fournil", "pk": c.cycle.pk}, {**BAKERY, "anonymous": 401}, {}),
    "day_stand_sync": (
        lambda c: {"slug": "fournil", "pk": c.cycle.pk},
        JSON_GET_ON_POST_ONLY,
        {**POST_BAKERY, "anonymous": 401},
    ),
    "day_desk_state": (_cycle, {**COORDINATORS_OF_A, "anonymous": 401}, {}),
    "day_desk_sync": (_cycle, JSON_GET_ON_POST_ONLY, {**POST_COORDINATORS_OF_A, "anonymous": 401}),
    # The treasury: the group's cycles, a cycle's settlement board and its actions.
    "settlement_treasury": (_group, TREASURERS_OF_A, {}),
    # The solidarity fund: the committee (treasurers) alone; any household of A may ask.
    "solidarity_fund": (_group, TREASURERS_OF_A, {}),
    "solidarity_ask": (_group, HOUSEHOLDS_OF_A, POST_HOUSEHOLDS_OF_A),
    "solidarity_decide": (
        lambda c: {"slug": A, "user_pk": c.member.pk},
        GET_ON_POST_ONLY,
        POST_TREASURERS_OF_A_BACK,
    ),
    "solidarity_pool": (_cycle, TREASURERS_OF_A, {}),
    # The committee's dashboard and its CSV; the members' figures; a coordinator's proposal.
    "solidarity_dashboard": (_group, TREASURERS_OF_A, GET_ON_POST_ONLY),
    "solidarity_dashboard_csv": (_group, TREASURERS_OF_A, GET_ON_POST_ONLY),
    "solidarity_figures": (_group, GROUP_A_MEMBERS, GET_ON_POST_ONLY),
    "solidarity_propose": (_group, COORDINATORS_OF_A, POST_COORDINATORS_OF_A),
    "solidarity_grant": (_cycle, GET_ON_POST_ONLY, POST_TREASURERS_OF_A_BACK),
    # Gifts to the fund: the treasurers record them and print the donors' summaries (the matrix's
    # form lacks the method and date: refused, 400); a household sees its own gifts. The matrix has
    # no gift: a donor's summary is not found (404) for those who may ask.
    "treasury_gifts": (_group, TREASURERS_OF_A, {**POST_TREASURERS_OF_A, "treasurer_a": 400}),
    # The matrix's form names no percentage: « none », which the treasurer may choose (back, 302).
    "treasury_fund_percents": (_group, GET_ON_POST_ONLY, POST_TREASURERS_OF_A_BACK),
    "treasury_donors_pdf": (lambda c: {"slug": A, "year": 2026}, TREASURERS_OF_A, {}),
    "treasury_donor_pdf": (
        lambda c: {"slug": A, "year": 2026, "key": f"h{c.member.pk}"},
        {**TREASURERS_OF_A, "treasurer_a": 404, "site_admin": 404},
        {},
    ),
    "my_gifts": (_group, HOUSEHOLDS_OF_A, {}),
    "my_gifts_pdf": (
        lambda c: {"slug": A, "year": 2026},
        {**HOUSEHOLDS_OF_A, **{r: 404 for r, v in HOUSEHOLDS_OF_A.items() if v == 200}},
        {},
    ),
    "settlement_board": (_cycle, TREASURERS_OF_A, {}),
    "settlement_transfer": (_cycle, GET_ON_POST_ONLY, POST_TREASURERS_OF_A),
    "settlement_deposit": (_cycle, GET_ON_POST_ONLY, POST_TREASURERS_OF_A),
    "settlement_producer_payment": (_cycle, GET_ON_POST_ONLY, POST_TREASURERS_OF_A),
    "settlement_writeoff": (_cycle, GET_ON_POST_ONLY, POST_TREASURERS_OF_A),
    "settlement_refund": (_cycle, GET_ON_POST_ONLY, POST_TREASURERS_OF_A),
    "settlement_correct": (_entry, TREASURERS_OF_A, POST_TREASURERS_OF_A),
    "settlement_remind": (_cycle, GET_ON_POST_ONLY, POST_TREASURERS_OF_A_BACK),
    "settlement_settle": (_cycle, GET_ON_POST_ONLY, POST_TREASURERS_OF_A_BACK),
    # Bank statements: the treasurers of A.
    "bank_home": (_group, BANK_TREASURERS_OF_A, {}),
    "bank_upload": (_group, GET_ON_POST_ONLY, BANK_POST_REFUSED),
    "bank_import": (_bank_import, BANK_TREASURERS_OF_A, {}),
    "bank_confirm": (_bank_import, GET_ON_POST_ONLY, BANK_POST_BACK),
    "bank_discard": (_bank_import, GET_ON_POST_ONLY, BANK_POST_BACK),
    "bank_unmatched": (_group, BANK_TREASURERS_OF_A, {}),
    "bank_reconcile": (_bank_line, GET_ON_POST_ONLY, BANK_POST_REFUSED),
    "bank_balances": (_group, BANK_TREASURERS_OF_A, {}),
    # Group A is not prepaid in the matrix cast: the treasurer is sent back with a message.
    "bank_prepaid_debit": (_cycle, GET_ON_POST_ONLY, BANK_POST_BACK),
    "bank_my_account": (_group, PREPAID_OF_A, {}),
    # Volunteer shifts: households of A sign themselves up; a sign-up of someone else is not theirs
    # to cancel (404 for households of A, who have none).
    "shifts": (_group, HOUSEHOLDS_OF_A, {}),
    "shift_signup": (_shift, GET_ON_POST_ONLY, POST_HOUSEHOLDS_OF_A),
    "shift_cancel": (_signup, GET_ON_POST_ONLY, POST_HOUSEHOLDS_OF_A),
    "calendar_reset": (_group, GET_ON_POST_ONLY, POST_HOUSEHOLDS_OF_A),
    # The e-mailed link and the calendars work without logging in (the token is the key).
    "shift_link": (_link, ANYONE, {}),
    "calendar_household": (_feed, ANYONE, {}),
    "calendar_group": (_group, ANYONE, {}),
    "manage_shifts": (_cycle, COORDINATORS_OF_A, {}),
    "manage_shift_add": (_cycle, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_shifts_copy": (_cycle, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_shift_person": (_cycle, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_shift_edit": (_cycle_shift, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_shift_delete": (_cycle_shift, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_signup": (_cycle_signup, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_fairness": (_group, COORDINATORS_OF_A, {}),
    "manage_shift_rules": (_group, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_exemption": (_group, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_past_help": (_group, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "reports_shift_sheet": (_cycle, COORDINATORS_OF_A, {}),
    # Producers prepare their offers: the bakery's own page; A's coordinators ask, chase, accept.
    "producer_cycle_offer": (
        lambda c: {"slug": "fournil", "pk": _draft_offer(c)["pk"]},
        BAKERY,
        POST_BAKERY,
    ),
    "producer_offer_request": (
        lambda c: {"slug": "fournil", "pk": c.cycle.pk, "offer_pk": c.offer.pk},
        GET_ON_POST_ONLY,
        POST_BAKERY,
    ),
    "manage_producer_offers": (_cycle, COORDINATORS_OF_A, {}),
    "manage_ask_producers": (_cycle, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_producer_offer": (_draft_offer, COORDINATORS_OF_A, POST_COORDINATORS_OF_A),
    "manage_remind_producer": (_draft_offer, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    "manage_decide_request": (_offer_request, GET_ON_POST_ONLY, POST_COORDINATORS_OF_A),
    # Statistics: A's history for its coordinators, the bakery's sales, a household's own spending.
    "stats_group": (_group, COORDINATORS_OF_A, {}),
    "stats_group_csv": (lambda c: {"slug": A, "chart": "turnover"}, COORDINATORS_OF_A, {}),
    "stats_producer": (_bakery, BAKERY, {}),
    "stats_producer_csv": (lambda c: {"slug": "fournil", "chart": "sales"}, BAKERY, {}),
    "stats_member": (_group, HOUSEHOLDS_OF_A, {}),
    "stats_member_csv": (lambda c: {"slug": A, "chart": "spending"}, HOUSEHOLDS_OF_A, {}),
}


def app_url_names() -> set[str]:
    """Names of every URL the app defines (the admin and allauth are framework)."""
    names: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            # ^media/: uploaded files, served by the app in development only (when the URL conf
            # was first read with DEBUG on, as a test module naming a URL at import time does).
            elif not (prefix + str(pattern.pattern)).startswith(("admin/", "accounts/", "api/", "^media/")):
                assert pattern.name, f"unnamed URL {prefix}{pattern.pattern}"
                names.add(pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_is_in_the_matrix() -> None:
    assert app_url_names() == set(MATRIX)


def user_for(cast: Cast, role: str):
    return {
        "anonymous": None,
        "member_a": cast.member,
        "member_b": cast.member_b,
        "coordinator_a": cast.coordinator,
        "coordinator_b": cast.coordinator_b,
        "producer_a": cast.producer_user,
        "site_admin": cast.site_admin,
        "treasurer_a": cast.treasurer,
    }[role]


def expected(statuses: dict[str, int], role: str) -> int | None:
    """The status ``role`` must get; a row that does not name the treasurer treats them as member_a."""
    if role == "treasurer_a" and role not in statuses:
        return statuses.get("member_a")
    return statuses.get(role)


MATRIX_ENTRY = "matrix-entry"


@pytest.fixture
def matrix_cast(cast: Cast) -> Site:
    """Something behind every URL; nobody has ordered in the open cycle (no slip to see)."""
    from cabas.announcements import services as announcements
    from cabas.api import tokens
    from cabas.api.models import Scope
    from cabas.ledger import services as ledger
    from cabas.shifts import services as shifts
    from cabas.shifts.models import CalendarFeed, Shift

    site = scene.site(cast, ordered=False)
    # The open cycle has its shifts, Mehdi signed up for one and has a calendar address.
    shifts.copy_shifts(cycle=site.cycle)
    shifts.sign_up(shift=Shift.objects.filter(cycle=site.cycle).order_by("pk")[0], user=cast.member2)
    CalendarFeed.objects.create(user=cast.member2)
    announcements.post(group=cast.group_a, by=cast.coordinator, title="AG", body="Le 12.", send_email=False)
    tokens.create_token(user=cast.member2, name="tableur", scope=Scope.BASKET)
    _draft_offer(site)  # the bakery asked for its offer in a draft cycle
    _offer_request(site)  # and asking, in the open cycle, for a new quota
    context = ledger.Context(group=cast.group_a, by=cast.coordinator, cycle=site.cycle, key=MATRIX_ENTRY)
    ledger.handover(context, household=cast.member2, producer=cast.bakery, amount_cents=450)
    # A statement of A: one line left to reconcile (confirmed), one preview (unconfirmed).
    kept = StatementImport.objects.create(
        group=cast.group_a, filename="a.csv", format="csv", created_by=cast.treasurer
    )
    StatementLine.objects.create(
        statement=kept,
        group=cast.group_a,
        position=1,
        date=date(2026, 12, 1),
        amount_cents=2000,
        fingerprint="a",
        kept=True,
        status=Status.UNMATCHED,
    )
    StatementImport.objects.filter(pk=kept.pk).update(confirmed_at=kept.created_at)
    StatementImport.objects.create(
        group=cast.group_b, filename="b.csv", format="csv", created_by=cast.coordinator_b
    )
    return site


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(matrix_cast: Site, client_for, role: str) -> None:
    from django.urls import reverse

    client = client_for(user_for(matrix_cast, role))
    failures = []
    for name, (kwargs, get_statuses, _post) in MATRIX.items():
        url = reverse(name, kwargs=kwargs(matrix_cast))
        status = client.get(url).status_code
        if status != expected(get_statuses, role):
            failures.append(f"GET {url} as {role}: {status}, expected {expected(get_statuses, role)}")
    assert not failures, "\n".join(failures)


def snapshot() -> tuple[object, ...]:
    """Everything a refused request must leave as it was."""
    from cabas.accounts.models import BuyingGroup, JoinRequest, Membership
    from cabas.announcements.models import Announcement
    from cabas.api.models import ApiToken
    from cabas.audit.models import AuditEvent
    from cabas.books.models import AccountCodes
    from cabas.catalog.models import (
        CatalogImport,
        Producer,
        ProducerAccount,
        ProducerInvitation,
        Product,
        Supply,
    )
    from cabas.cycles.models import Cycle, Offer, OrderLine
    from cabas.distribution.models import DayTeamMember, Event
    from cabas.ledger.models import Entry, Line
    from cabas.privacy.models import PrivacyNotice
    from cabas.reports.models import Dispatch, DocumentSet
    from cabas.settlement.models import Reminder
    from cabas.shifts.models import CalendarFeed, Exemption, PastHelp, Rules, Shift, Signup

    return (
        list(Membership.objects.order_by("pk").values_list("pk", "ended_at", "is_coordinator")),
        list(JoinRequest.objects.order_by("pk").values_list("pk", "status")),
        list(BuyingGroup.objects.order_by("pk").values_list("name", "description")),
        list(Producer.objects.order_by("pk").values_list("pk", "name", "iban", "managing_group")),
        list(ProducerAccount.objects.order_by("pk").values_list("pk", "producer", "user")),
        list(Product.objects.order_by("pk").values_list("pk", "name", "price_cents", "is_active")),
        list(Supply.objects.order_by("pk").values_list("pk", "ended_at")),
        list(ProducerInvitation.objects.order_by("pk").values_list("pk", "accepted_at")),
        list(CatalogImport.objects.order_by("pk").values_list("pk", "applied_at")),
        list(
            Cycle.objects.order_by("pk").values_list(
                "pk", "name", "published_at", "closes_at", "finalised_at", "distributed_at", "settled_at"
            )
        ),
        list(Offer.objects.order_by("pk").values_list("pk", "price_cents", "withdrawn_at", "quota")),
        list(OrderLine.objects.order_by("pk").values_list("pk", "quantity")),
        list(DocumentSet.objects.order_by("pk").values_list("pk", "requested", "slips_per_sheet")),
        list(Dispatch.objects.order_by("pk").values_list("pk")),
        list(DayTeamMember.objects.order_by("pk").values_list("pk", "cycle", "user")),
        list(Event.objects.order_by("pk").values_list("pk")),
        list(Entry.objects.order_by("pk").values_list("pk")),
        list(Line.objects.order_by("pk").values_list("pk")),
        list(Reminder.objects.order_by("pk").values_list("pk", "sent_at")),
        list(StatementImport.objects.order_by("pk").values_list("pk", "confirmed_at")),
        list(StatementLine.objects.order_by("pk").values_list("pk", "status", "kept")),
        list(AccountCodes.objects.order_by("pk").values_list("pk", "household_code", "bank_code")),
        list(Shift.objects.order_by("pk").values_list("pk", "capacity", "taken", "starts_at")),
        list(Signup.objects.order_by("pk").values_list("pk", "cancelled_at", "absent")),
        list(Rules.objects.order_by("pk").values_list("pk", "cancel_hours", "yearly_help")),
        list(Exemption.objects.order_by("pk").values_list("pk")),
        list(PastHelp.objects.order_by("pk").values_list("pk")),
        list(CalendarFeed.objects.order_by("pk").values_list("pk", "token")),
        list(PrivacyNotice.objects.order_by("pk").values_list("pk", "text")),
        list(AuditEvent.objects.order_by("pk").values_list("pk")),
        list(Announcement.objects.order_by("pk").values_list("pk", "title", "body", "hidden_at")),
        list(ApiToken.objects.order_by("pk").values_list("pk", "name", "revoked_at")),
    )


def post_data(c: Site) -> dict[str, object]:
    """A form that would change something on every POST URL, were it accepted."""
    return {
        "name": "Piraté",
        "roles": ["coordinator"],
        "email": "x@example.org",
        "full_name": "X",
        "price_cents": "1",
        "category": "bread",
        "unit": "piece",
        "quantity_step": "1",
        "min_quantity": "1",
        "vat_rate": "550",
        "accepts_cash": "on",
        "reason": "x",
        f"q-{c.offer.pk}": "1",
        "member": str(c.member.pk),
        "slips_per_sheet": "2",
        "action": "close",
        "producer": [str(c.bakery.pk)],
        # The treasury's forms (each prefixed by its name) and the correction form.
        "token": "0f8e2a57-0c3f-4d8e-9a59-5b1c1f3b7a01",
        "amount": "1",
        **{
            f"{form}-{field}": value
            for form in ("transfer", "deposit", "producer_payment", "writeoff", "refund")
            for field, value in {
                "token": "0f8e2a57-0c3f-4d8e-9a59-5b1c1f3b7a02",
                "household": str(c.member2.pk),
                "producer": str(c.bakery.pk),
                "amount": "1",
                "method": "cash",
                "from_account": "bank",
                "reason": "x",
                "confirm": "on",
            }.items()
        },
        "title": "Piraté",
        "body": "x",
        "kind": "tidy",
        "starts_at": "10:00",
        "ends_at": "11:00",
        "capacity": "5",
        "shift": "1",
        "user": str(c.member.pk),
        "cancel_hours": "1",
        "yearly_help": "on",
        "call_after_cycles": "1",
        "day": "2026-01-01",
        "what": "x",
        "text": "Piraté",
    }


@pytest.mark.parametrize("role", ROLES)
def test_post_matrix_refuses_without_writing(matrix_cast: Site, client_for, role: str) -> None:
    """POST without the right role is refused and changes nothing."""
    from django.urls import reverse

    client = client_for(user_for(matrix_cast, role))
    before = snapshot()
    data = post_data(matrix_cast)
    failures = []
    for name, (kwargs, _get, post_statuses) in MATRIX.items():
        if expected(post_statuses, role) is None:
            continue
        url = reverse(name, kwargs=kwargs(matrix_cast))
        status = client.post(url, data).status_code
        if status != expected(post_statuses, role):
            failures.append(f"POST {url} as {role}: {status}, expected {expected(post_statuses, role)}")
    assert not failures, "\n".join(failures)
    assert snapshot() == before


# --- Mixed ids: one group's (or producer's) address with another's object ids -------------------


@dataclass
class Mixed(Site):
    """The site, with the dairy (A's, no account) also linked by B and in a cycle of B."""

    cycle_b: Cycle  # B's, with the dairy's tomme and a bread of the bakery
    offer_b: Offer  # the tomme
    cheese: Product  # the dairy's
    dairy_import: CatalogImport
    lone_cycle: Cycle  # A's, without the bakery


@pytest.fixture
def mixed_cast(matrix_cast: Site) -> Mixed:
    c = matrix_cast
    catalog.start_supply(group=c.group_b, producer=c.dairy)
    cycle_b = scene.cycle(c.group_b, name="Panier de Balma")
    offer_b = scene.offer(cycle_b, c.dairy, "Tomme")
    scene.offer(cycle_b, c.bakery, "Pain de Balma")
    return Mixed(
        **{field.name: getattr(c, field.name) for field in dataclasses.fields(c)},
        cycle_b=cycle_b,
        offer_b=offer_b,
        cheese=scene.product(
            c.dairy, "Fromage blanc", category=Category.DAIRY, unit=SaleUnit.JAR, price_cents=300
        ),
        dairy_import=CatalogImport.objects.create(producer=c.dairy, filename="y.csv", error_count=1),
        lone_cycle=scene.cycle(c.group_a, name="Sans le fournil"),
    )


def group_urls_with_b_slug(c: Site) -> list[tuple[str, dict[str, object]]]:
    """Every URL of group A that names an object, with B's slug instead of A's.

    Producers are A's dairy, which does not supply B. Linking is left out: any group
    may link any producer (which grants nothing over it, see the producer cases).
    """
    mixed = []
    for name, (kwargs, _get, _post) in MATRIX.items():
        values = kwargs(c)
        # A year of the books names no object: B's year is B's own.
        yearly = name in ("books_journal_year", "books_summary", "treasury_donors_pdf", "my_gifts_pdf")
        # Nor does a chart of statistics: B's chart is B's own history.
        yearly = yearly or name in ("stats_group_csv", "stats_member_csv")
        if values.get("slug") == A and len(values) > 1 and name != "manage_producer_link" and not yearly:
            if "producer_slug" in values:
                values["producer_slug"] = "bergerie"
            mixed.append((name, {**values, "slug": "balma"}))
    return mixed


def producer_urls_with_other_ids(c: Mixed) -> list[tuple[str, str, dict[str, object]]]:
    """(role, URL name, kwargs): a producer's address with another producer's or group's ids."""
    bread, cheese = c.bread.pk, c.cheese.pk
    products = ("product_edit", "product_price", "product_archive", "product_restore")
    imports = ("catalog_import_preview", "catalog_import_confirm")
    documents = [
        ("producer_cycle_orders", {}),
        ("producer_day_report", {"fmt": "pdf"}),
        ("producer_day_cheques", {}),
        ("day_stand_state", {}),
        ("day_stand_sync", {}),
        ("producer_report_purchase_order", {"fmt": "csv"}),
        ("producer_report_distribution_list", {"fmt": "pdf"}),
        ("day_stand", {}),
        ("day_stand_act", {}),
    ]
    cases: list[tuple[str, str, dict[str, object]]] = []
    # The bakery's account with the dairy's product and import; A's coordinator, who manages
    # the dairy, with the bakery's.
    cases += [("producer_a", name, {"slug": "fournil", "pk": cheese}) for name in products]
    cases += [("coordinator_a", name, {"slug": "bergerie", "pk": bread}) for name in products]
    cases += [("producer_a", name, {"slug": "fournil", "pk": c.dairy_import.pk}) for name in imports]
    cases += [("coordinator_a", name, {"slug": "bergerie", "pk": c.catalog_import.pk}) for name in imports]
    for name, extra in documents:
        # A manages the dairy, yet B's cycle with the dairy is none of its business.
        cases.append(("coordinator_a", name, {"slug": "bergerie", "pk": c.cycle_b.pk, **extra}))
        # B links the dairy: nothing of A's cycle, nor even of its own, through the dairy's pages.
        cases.append(("coordinator_b", name, {"slug": "bergerie", "pk": c.cycle.pk, **extra}))
        cases.append(("coordinator_b", name, {"slug": "bergerie", "pk": c.cycle_b.pk, **extra}))
        # The bakery's account, with a cycle the bakery is not in.
        cases.append(("producer_a", name, {"slug": "fournil", "pk": c.lone_cycle.pk, **extra}))
    # B links the dairy: none of its own pages.
    for name in ("producer_dashboard", "producer_edit", "product_new", "catalog_import"):
        cases.append(("coordinator_b", name, {"slug": "bergerie"}))
    cases += [("coordinator_b", name, {"slug": "bergerie", "pk": cheese}) for name in products]
    cases += [("coordinator_b", name, {"slug": "bergerie", "pk": c.dairy_import.pk}) for name in imports]
    # Invitations and the producer's management belong to A, the managing group.
    cases.append(("coordinator_b", "manage_producer_invite", {"slug": "balma", "producer_slug": "bergerie"}))
    return cases


@pytest.mark.parametrize("role", ["coordinator_b", "site_admin"])
def test_group_urls_with_another_groups_ids(matrix_cast: Site, client_for, role: str) -> None:
    """B's address with A's cycle, offer, member, request, document or producer ids: nothing found."""
    from django.urls import reverse

    client = client_for(user_for(matrix_cast, role))
    before = snapshot()
    data = post_data(matrix_cast)
    failures = []
    for name, kwargs in group_urls_with_b_slug(matrix_cast):
        url = reverse(name, kwargs=kwargs)
        _kwargs, get_statuses, post_statuses = MATRIX[name]
        refused_get = {403, 404, 405} if get_statuses in POST_ONLY else {403, 404}
        checks = [("GET", refused_get)] + ([("POST", {403, 404})] if post_statuses else [])
        for method, refused in checks:
            status = getattr(client, method.lower())(url, data).status_code
            if status not in refused:
                failures.append(f"{method} {url} as {role}: {status}")
    assert not failures, "\n".join(failures)
    assert snapshot() == before


def test_producer_urls_with_other_ids(mixed_cast: Mixed, client_for) -> None:
    """A producer's address with another producer's product or import, or a cycle not theirs to see."""
    from django.urls import reverse

    before = snapshot()
    data = post_data(mixed_cast)
    failures = []
    for role, name, kwargs in producer_urls_with_other_ids(mixed_cast):
        client = client_for(user_for(mixed_cast, role))
        url = reverse(name, kwargs=kwargs)
        _kwargs, get_statuses, post_statuses = MATRIX[name]
        refused_get = {403, 404, 405} if get_statuses in POST_ONLY else {403, 404}
        checks = [("GET", refused_get)] + ([("POST", {403, 404})] if post_statuses else [])
        for method, refused in checks:
            status = getattr(client, method.lower())(url, data).status_code
            if status not in refused:
                failures.append(f"{method} {url} as {role}: {status}")
    assert not failures, "\n".join(failures)
    assert snapshot() == before


def test_objects_of_another_group_are_404(cast: Cast, client_for) -> None:
    """A coordinator of B using B's URLs with A's ids finds nothing."""
    from django.urls import reverse

    from cabas.accounts import services

    join_request = services.request_to_join(group=cast.group_a, user=cast.outsider)
    client = client_for(cast.coordinator_b)
    membership_a = cast.membership(cast.member).pk
    assert client.get(reverse("manage_member", args=["balma", membership_a])).status_code == 404
    assert client.post(reverse("manage_member_end", args=["balma", membership_a])).status_code == 404
    for name in ("manage_join_request_approve", "manage_join_request_refuse"):
        assert client.post(reverse(name, args=["balma", join_request.pk])).status_code == 404
    assert cast.membership(cast.member).ended_at is None
    join_request.refresh_from_db()
    assert join_request.status == "pending"


def test_unknown_or_closed_group_is_404(cast: Cast, client_for) -> None:
    client = client_for(cast.site_admin)
    assert client.get("/g/nowhere/").status_code == 404
    cast.group_b.is_active = False
    cast.group_b.save()
    assert client.get("/g/balma/").status_code == 404
    assert client.get("/g/balma/manage/members/").status_code == 404
