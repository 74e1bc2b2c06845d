"""The catalogue in a real browser: producers keep theirs, coordinators add producers, members browse.

Paul (``producer_user``) keeps the bakery's catalogue (« Fournil du Lauragais »),
Pauline (``producer_user2``) the dairy's (« Ferme de la Bergerie »); both supply
group A (« Cabas de Saint-Orens »). Texts are looked up in the app's catalogue
(``tr``), so that these tests follow the French wording as it is written.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from cabas.catalog import importing
from cabas.catalog.models import PriceChange, Producer, ProducerAccount, ProducerInvitation, Product, Supply
from cabas.catalog.spreadsheets import COLUMN_BY_FIELD
from cabas.lib.money import format_cents
from tests import scene
from tests.browser.helpers import (
    assert_accessible,
    blocking_violations,
    emails_to,
    tr,
    tr_text,
    trn,
)
from tests.browser.test_phone import PHONE, assert_no_sideways_scrolling
from tests.cast import Cast

pytestmark = pytest.mark.browser

DASHBOARD = "/producers/fournil/"
CATALOGUE = "/g/saint-orens/catalogue/"
ARCHIVE = 'Archive<span class="visually-hidden"> %(name)s</span>'
RESTORE = 'Put back on sale<span class="visually-hidden"> %(name)s</span>'


@pytest.fixture
def storefront(cast: Cast) -> scene.Storefront:
    """The catalogue of the cast's producers, and B's beekeeper (never shown in group A)."""
    return scene.storefront(cast)


def in_french(function, *args, **kwargs):
    with translation.override("fr"):
        return function(*args, **kwargs)


def ready_for_htmx(page: Page) -> None:
    """Wait until htmx, a deferred script, has bound its triggers after a navigation by click.

    Playwright's click only waits for the next page to start; a select changed before
    htmx is ready would send nothing.
    """
    page.wait_for_load_state()
    assert page.evaluate("typeof htmx") == "object", "htmx did not load"


def mark_document(page: Page) -> None:
    """A full page load wipes this marker; an htmx swap keeps it."""
    page.evaluate("window.__sameDocument = true")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__sameDocument") is True, "the whole page was reloaded"


def messages(page: Page):
    return page.locator("main .messages")


# --- 1. A producer edits a price and archives a product -------------------------------


def test_producer_edits_a_price_inline_and_archives_a_product(page_as, browser_log, storefront):
    bread, brioche = storefront.bread, storefront.brioche
    page = page_as(storefront.producer_user)  # the Content-Security-Policy is enforced here
    page.goto("/")
    page.locator("header").get_by_role("link", name=tr("My farm")).click()
    expect(page).to_have_url(re.compile(rf"{DASHBOARD}$"))  # one producer: straight to its dashboard
    expect(page.locator("main h1")).to_have_text("Fournil du Lauragais")
    expect(page.locator("#product-results tbody tr")).to_have_count(2)
    ready_for_htmx(page)
    mark_document(page)

    # A new price, typed the French way and sent with Enter: only the row is swapped.
    row = page.locator(f"#product-{bread.pk}")
    price = page.locator(f"#price-{bread.pk}")
    expect(price).to_have_value("5,20")
    price.fill("5,85")
    price.press("Enter")
    expect(row.get_by_role("status")).to_have_text(tr("Saved."))
    expect(price).to_have_value("5,85")
    expect(price).to_be_focused()  # the swap keeps the keyboard where it was
    assert_same_document(page)
    expect(page).to_have_url(re.compile(rf"{DASHBOARD}$"))
    bread.refresh_from_db()
    assert bread.price_cents == 585
    change = PriceChange.objects.get(product=bread)
    assert (change.old_price_cents, change.new_price_cents, change.changed_by) == (
        520,
        585,
        storefront.producer_user,
    )

    # A price that is not one: the French error, the typed value kept, nothing saved.
    price.fill("abc")
    row.get_by_role("button", name=tr("Save")).click()
    error = row.locator(f"#price-error-{bread.pk}")
    expect(error).to_have_text(tr("Enter an amount in euros, e.g. 12,50."))
    expect(price).to_have_value("abc")
    expect(price).to_have_attribute("aria-invalid", "true")
    expect(price).to_have_attribute("aria-describedby", f"price-error-{bread.pk}")
    expect(row.get_by_role("button", name=tr("Save"))).to_be_focused()
    bread.refresh_from_db()
    assert bread.price_cents == 585
    price.fill("6")
    row.get_by_role("button", name=tr("Save")).click()
    expect(error).to_have_count(0)
    expect(price).to_have_value("6,00")
    expect(price).not_to_have_attribute("aria-invalid", "true")
    assert_same_document(page)
    bread.refresh_from_db()
    assert bread.price_cents == 600
    assert PriceChange.objects.filter(product=bread).count() == 2

    # Archiving the brioche: it leaves the default list, and shows under « Archivés ».
    page.locator(f"#product-{brioche.pk}").get_by_role(
        "button", name=tr_text(ARCHIVE, name="Brioche")
    ).click()
    expect(messages(page)).to_contain_text(
        tr("“%(name)s” is archived: members no longer see it.") % {"name": "Brioche"}
    )
    expect(page.locator(f"#product-{brioche.pk}")).to_have_count(0)
    expect(page.locator("#product-results tbody tr")).to_have_count(1)
    brioche.refresh_from_db()
    assert not brioche.is_active
    assert brioche.archived_at is not None

    ready_for_htmx(page)
    mark_document(page)
    page.locator("#id_status").select_option(label=tr("Archived"))
    archived = page.locator(f"#product-{brioche.pk}")
    expect(archived).to_be_visible()
    expect(page.locator("#product-results tbody tr")).to_have_count(1)
    expect(archived.locator(".badge")).to_have_text(tr("Archived"))
    expect(archived.get_by_role("button", name=tr_text(RESTORE, name="Brioche"))).to_be_visible()
    expect(page.locator(f"#product-{bread.pk}")).to_have_count(0)
    assert_same_document(page)
    expect(page).to_have_url(re.compile(r"[?&]status=archived"))

    # Members no longer see the brioche; they see the bread at its new price.
    marie = page_as(storefront.member)
    marie.goto(CATALOGUE)
    results = marie.locator("#catalogue-results")
    expect(results).to_contain_text("Pain complet")
    expect(results).to_contain_text(in_french(Product.objects.get(pk=bread.pk).price_display))
    expect(results).not_to_contain_text("Brioche")
    browser_log.assert_clean()


def test_producer_edits_a_price_without_javascript(page_as, storefront):
    bread = storefront.bread
    page = page_as(storefront.producer_user, java_script_enabled=False)
    page.goto(DASHBOARD)
    row = page.locator(f"#product-{bread.pk}")
    page.locator(f"#price-{bread.pk}").fill("4,75")
    row.get_by_role("button", name=tr("Save")).click()

    expect(page).to_have_url(re.compile(rf"{DASHBOARD}$"))
    bread.refresh_from_db()
    assert bread.price_cents == 475
    expect(messages(page)).to_contain_text(
        tr("New price of “%(name)s”: %(price)s.")
        % {"name": "Pain complet", "price": in_french(bread.price_display)}
    )
    expect(page.locator(f"#price-{bread.pk}")).to_have_value("4,75")

    page.locator(f"#price-{bread.pk}").fill("0")
    row.get_by_role("button", name=tr("Save")).click()
    expect(messages(page)).to_contain_text(
        tr("“%(name)s”: %(errors)s")
        % {"name": "Pain complet", "errors": tr("The price must be more than zero.")}
    )
    bread.refresh_from_db()
    assert bread.price_cents == 475


# --- 2. A producer imports a spreadsheet with one bad row -------------------------------

IMPORT_HEADERS = [
    COLUMN_BY_FIELD[name].header
    for name in ("name", "category", "unit", "content", "content_unit", "price_cents")
]  # Nom;Catégorie;Vendu par;Contenance;Unité de contenance;Prix (€)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    """A CSV as French Excel saves it: semicolons, decimal commas (UTF-8 here)."""
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, delimiter=";", lineterminator="\r\n").writerows([IMPORT_HEADERS, *rows])
    return path


def test_producer_imports_a_spreadsheet_corrects_the_bad_row_and_confirms(
    page_as, browser_log, storefront, tmp_path
):
    rows = [
        ["Fougasse aux olives", "Pain", "pièce", "400", "g", "4,20"],  # row 2: new
        ["Pain d'épeautre", "Pain", "kg", "", "", "abc"],  # row 3: not a price
        ["Pain complet", "Pain", "kg", "", "", "5,40"],  # row 4: new price for an existing product
    ]
    page = page_as(storefront.producer_user)
    page.goto(DASHBOARD)
    page.get_by_role("navigation", name=tr("Producer area")).get_by_role(
        "link", name=tr("Import a spreadsheet")
    ).click()
    expect(page.locator("main h2")).to_have_text(tr("Import a spreadsheet"))
    page.locator("#id_file").set_input_files(write_csv(tmp_path / "catalogue.csv", rows))
    page.get_by_role("button", name=tr("Preview the import")).click()

    # The preview names the row and the column, and nothing can be confirmed.
    expect(page).to_have_url(re.compile(r"/producers/fournil/import/\d+/$"))
    message = tr("Row %(row)s, column %(column)s: %(message)s") % {
        "row": 3,
        "column": "Prix (€)",
        "message": tr("“%(value)s” is not an amount in euros (e.g. 6,50).") % {"value": "abc"},
    }
    errors = page.get_by_role("alert")
    expect(errors).to_be_visible()
    expect(errors.locator("h3")).to_have_text(
        trn(
            "%(counter)s error: nothing can be saved until it is corrected.",
            "%(counter)s errors: nothing can be saved until they are corrected.",
            1,
        )
    )
    expect(errors.get_by_role("listitem")).to_have_text([message])
    expect(page.locator("#row-3")).to_have_class(re.compile(r"\bhas-error\b"))
    expect(page.locator("#row-3")).to_contain_text(tr("Error"))
    expect(page.locator("#row-4")).to_contain_text(tr("Changed"))
    expect(page.get_by_role("button", name=tr("Apply these changes"))).to_have_count(0)
    errors.get_by_role("link", name=message).click()
    expect(page).to_have_url(re.compile(r"#row-3$"))
    assert not Product.objects.filter(name__in=["Fougasse aux olives", "Pain d'épeautre"]).exists()
    assert Product.objects.get(pk=storefront.bread.pk).price_cents == 520

    # Paul corrects the price and uploads the file again.
    errors.get_by_role("link", name=tr("Correct the file, then upload it again")).click()
    expect(page.locator("main h2")).to_have_text(tr("Import a spreadsheet"))
    expect(page.get_by_role("table")).to_contain_text("catalogue.csv")
    rows[1][5] = "6,10"
    page.locator("#id_file").set_input_files(write_csv(tmp_path / "catalogue-corrige.csv", rows))
    page.get_by_role("button", name=tr("Preview the import")).click()
    expect(page.locator("main h2")).to_contain_text("catalogue-corrige.csv")
    expect(page.get_by_role("alert")).to_have_count(0)
    summary = page.locator(".import-summary")
    expect(summary).to_contain_text(trn("%(counter)s new product", "%(counter)s new products", 2))
    expect(summary).to_contain_text(trn("%(counter)s product changed", "%(counter)s products changed", 1))
    expect(page.locator("#row-4")).to_contain_text(
        tr("%(column)s: %(old)s → %(new)s")
        % {"column": "Prix (€)", "old": in_french(format_cents, 520), "new": in_french(format_cents, 540)}
    )
    assert not Product.objects.filter(name="Fougasse aux olives").exists()  # nothing before confirming

    confirm = page.get_by_role("button", name=tr("Apply these changes"))
    expect(confirm).to_have_count(2)  # above and below the table
    confirm.first.click()
    expect(page).to_have_url(re.compile(rf"{DASHBOARD}$"))
    expect(messages(page)).to_contain_text(
        tr(
            "The import is done. New products: %(created)s; changed: %(updated)s; "
            "taken off sale: %(archived)s; back on sale: %(restored)s."
        )
        % {"created": 2, "updated": 1, "archived": 0, "restored": 0}
    )
    products = page.locator("#product-results")
    for name in ("Fougasse aux olives", "Pain d'épeautre", "Pain complet", "Brioche"):
        expect(products).to_contain_text(name)
    fougasse = Product.objects.get(producer=storefront.bakery, name="Fougasse aux olives")
    assert (fougasse.price_cents, fougasse.category, fougasse.unit) == (420, "bread", "piece")
    assert (fougasse.content, fougasse.content_unit, fougasse.is_active) == (400, "g", True)
    spelt = Product.objects.get(producer=storefront.bakery, name="Pain d'épeautre")
    assert (spelt.price_cents, spelt.unit) == (610, "kg")
    assert Product.objects.get(pk=storefront.bread.pk).price_cents == 540
    change = PriceChange.objects.get(product=storefront.bread)
    assert (change.old_price_cents, change.new_price_cents, change.changed_by) == (
        520,
        540,
        storefront.producer_user,
    )
    expect(page.locator(f"#price-{fougasse.pk}")).to_have_value("4,20")
    browser_log.assert_clean()


# --- 3. A member browses and searches the catalogue -------------------------------------


def test_member_browses_searches_and_filters_the_catalogue(page_as, browser_log, storefront):
    page = page_as(storefront.member)
    page.goto("/g/saint-orens/")
    page.get_by_role("link", name=tr("See every product in the catalogue")).click()
    expect(page).to_have_url(re.compile(rf"{CATALOGUE}$"))
    expect(page.locator("main h1")).to_have_text(tr("Catalogue"))

    # Grouped by producer, by name; nothing archived, nothing from another group's producers.
    results = page.locator("#catalogue-results")
    blocks = results.locator("section.producer-block")
    expect(blocks.locator("h2")).to_have_text(["Ferme de la Bergerie", "Fournil du Lauragais"])
    expect(blocks.nth(0).locator(".product h3")).to_have_text(["Tomme"])
    expect(blocks.nth(1).locator(".product h3")).to_have_text(["Pain complet", "Brioche"])  # by category
    expect(results).to_contain_text(trn("%(counter)s product", "%(counter)s products", 3))
    expect(results).not_to_contain_text("Yaourt nature")
    expect(results).not_to_contain_text("Miel de tilleul")
    tomme = blocks.nth(0).locator(".product")
    expect(tomme).to_contain_text(in_french(storefront.tomme.price_display))
    expect(tomme).to_contain_text(
        tr("About %(price)s a piece, paid on the actual weight.") % {"price": in_french(format_cents, 1800)}
    )
    brioche = blocks.nth(1).locator(".product").nth(1)
    expect(brioche).to_contain_text(in_french(storefront.brioche.reference_price_display))  # 11,25 €/kg

    # The live search: results change as Marie types, without reloading the page.
    ready_for_htmx(page)
    mark_document(page)
    search = page.locator("#id_q")
    search.press_sequentially("brio", delay=20)
    expect(results.locator(".product h3")).to_have_text(["Brioche"])
    expect(blocks.locator("h2")).to_have_text(["Fournil du Lauragais"])
    expect(page).to_have_url(re.compile(r"[?&]q=brio"))
    expect(search).to_be_focused()  # typing is not interrupted
    assert_same_document(page)

    search.fill("bergerie")  # a producer's name finds its products
    expect(results.locator(".product h3")).to_have_text(["Tomme"])
    search.fill("introuvable")
    expect(results.locator(".product")).to_have_count(0)
    expect(results).to_contain_text(tr("No product matches this search."))
    assert page.locator("#catalogue-results").count() == 1  # swapped, not nested

    # The category filter.
    search.fill("")
    expect(results.locator(".product")).to_have_count(3)
    page.locator("#id_category").select_option(label=tr("Sweets and biscuits"))
    expect(results.locator(".product h3")).to_have_text(["Brioche"])
    expect(page).to_have_url(re.compile(r"[?&]category=sweets"))
    assert_same_document(page)

    # A producer's page, from its name in the catalogue.
    page.locator("#id_category").select_option("")
    expect(results.locator(".product")).to_have_count(3)
    results.get_by_role("link", name="Ferme de la Bergerie").click()
    expect(page).to_have_url(re.compile(r"/g/saint-orens/producers/bergerie/$"))
    expect(page.locator("main h1")).to_have_text("Ferme de la Bergerie")
    expect(page.locator("main .lead")).to_have_text("Fromages")
    expect(page.locator("main .product h3")).to_have_text(["Tomme"])
    expect(
        page.get_by_role("heading", name=tr("Paying at distribution"))
    ).to_be_visible()  # Marie is a member
    browser_log.assert_clean()


def test_catalogue_search_works_without_javascript(page_as, storefront):
    page = page_as(storefront.member, java_script_enabled=False)
    page.goto(CATALOGUE)
    page.locator("#id_q").fill("tomme")
    page.get_by_role("search").get_by_role("button", name=tr("Search")).click()
    expect(page).to_have_url(re.compile(r"/catalogue/\?q=tomme"))
    expect(page.locator("#catalogue-results .product h3")).to_have_text(["Tomme"])
    expect(page.locator("#id_q")).to_have_value("tomme")


def test_catalogue_on_a_phone(page_as, storefront):
    page = page_as(storefront.member, bypass_csp=True, **PHONE)
    page.goto(CATALOGUE)
    expect(page.locator("main h1")).to_be_in_viewport()
    expect(page.locator("#id_q")).to_be_in_viewport()
    assert_no_sideways_scrolling(page)
    assert_accessible(page, "catalogue on a phone")

    page.locator("#id_q").tap()
    page.locator("#id_q").press_sequentially("pain", delay=20)
    expect(page.locator("#catalogue-results .product h3")).to_have_text(["Pain complet"])
    assert_no_sideways_scrolling(page)

    page.locator("#catalogue-results").get_by_role("link", name="Fournil du Lauragais").tap()
    expect(page).to_have_url(re.compile(r"/g/saint-orens/producers/fournil/$"))
    expect(page.locator("main .product")).to_have_count(2)
    page.wait_for_load_state()  # the layout is measured with the stylesheet applied
    assert_no_sideways_scrolling(page)
    assert_accessible(page, "producer page on a phone")


def test_producer_pages_on_a_phone(page_as, storefront):
    """Wide tables scroll inside their own box, never the whole page, and stay usable."""
    paths = _catalogue_pages(storefront)["producer_user"]
    page = page_as(storefront.producer_user, bypass_csp=True, **PHONE)
    reports = []
    for path in paths:
        page.goto(path)
        assert_no_sideways_scrolling(page)
        reports.append(blocking_violations(page, f"{path} on a phone"))
    problems = [report for report in reports if report]
    assert not problems, "\n\n".join(problems)


# --- 4. A coordinator adds a producer and invites it ------------------------------------


def test_coordinator_creates_a_producer_who_accepts_the_invitation(page_as, browser_log, storefront):
    claire = page_as(storefront.coordinator)
    claire.goto("/g/saint-orens/")
    claire.get_by_role("link", name=tr("Manage the group")).click()
    management = claire.get_by_role("navigation", name=tr("Group management"))
    management.get_by_role("link", name=tr("Producers"), exact=True).click()
    expect(claire.locator("main h1")).to_have_text(tr("Producers of the group"))
    expect(claire.locator("main li.card h2")).to_have_text(["Ferme de la Bergerie", "Fournil du Lauragais"])
    claire.get_by_role("link", name=tr("Add a producer")).click()
    expect(claire.locator("main h1")).to_have_text(tr("Add a producer"))

    claire.locator("#id_name").fill("  Rucher   des Coteaux ")
    claire.locator("#id_speciality").fill("Miel et pain d'épices")
    claire.locator("#id_town").fill("Lauzerville")
    claire.locator("#id_contact_phone").fill("06 12 34 56 78")
    claire.locator("#id_invite_email").fill("Olivier@Example.org")
    claire.get_by_role("button", name=tr("Create the producer")).click()

    expect(claire).to_have_url(re.compile(r"/g/saint-orens/manage/producers/$"))
    expect(messages(claire)).to_contain_text(
        tr("%(name)s now supplies the group.") % {"name": "Rucher des Coteaux"}
    )
    producer = Producer.objects.get(name="Rucher des Coteaux")
    assert producer.slug == "rucher-des-coteaux"
    assert Supply.objects.filter(producer=producer, group=storefront.group_a, ended_at=None).exists()
    card = claire.locator("main li.card").filter(has_text="Rucher des Coteaux")
    expect(card).to_contain_text(tr("invitation sent, not accepted yet"))

    # Until the producer accepts, Claire keeps its catalogue on its behalf.
    card.get_by_role(
        "link",
        name=tr_text(
            'Edit the catalogue<span class="visually-hidden"> of %(name)s</span>', name=producer.name
        ),
    ).click()
    expect(claire).to_have_url(re.compile(r"/producers/rucher-des-coteaux/$"))
    expect(claire.locator("main .alert.info")).to_contain_text(
        tr(
            "%(name)s has no account of its own yet: the coordinators of %(group)s, which manages it, "
            "keep its information and catalogue on its behalf. Other groups it supplies offer its "
            "products without editing them. You see here only the orders of the groups you coordinate."
        )
        % {"name": producer.name, "group": storefront.group_a.name}
    )

    # The invitation reaches Olivier, who opens its link while logged in and accepts.
    (email,) = emails_to("olivier@example.org")
    assert "Rucher des Coteaux" in email.subject
    link = re.search(r"https?://\S+(/producers/invitations/[^/\s]+/)", email.body)
    assert link, f"No invitation link in the e-mail:\n{email.body}"
    olivier = page_as(storefront.outsider)
    olivier.goto(link.group(1))
    expect(olivier.locator("main h1")).to_have_text(tr("Manage %(name)s") % {"name": producer.name})
    expect(olivier.locator("main .alert")).to_have_count(0)  # sent to his own address
    olivier.get_by_role("button", name=tr("Accept")).click()

    expect(olivier).to_have_url(re.compile(r"/producers/rucher-des-coteaux/$"))
    expect(messages(olivier)).to_contain_text(
        tr("You now manage %(producer)s.") % {"producer": producer.name}
    )
    expect(olivier.locator("main h1")).to_have_text("Rucher des Coteaux")
    expect(olivier.locator("main .alert.info")).to_have_count(0)  # his own producer now
    expect(olivier.locator("header").get_by_role("link", name=tr("My farm"))).to_be_visible()
    assert ProducerAccount.objects.filter(producer=producer, user=storefront.outsider).exists()
    assert ProducerInvitation.objects.get(producer=producer).accepted_by == storefront.outsider
    assert storefront.membership(storefront.outsider).is_producer

    # The producer keeps its own catalogue: Claire no longer edits it.
    claire.goto("/g/saint-orens/manage/producers/")
    card = claire.locator("main li.card").filter(has_text="Rucher des Coteaux")
    expect(card).to_contain_text(tr("keeps its own catalogue"))
    expect(card.locator("a[href='/producers/rucher-des-coteaux/']")).to_have_count(0)
    browser_log.assert_clean()


# --- 5. Accessibility scans -------------------------------------------------------------

BAD_ROW_CSV = "Nom;Catégorie;Vendu par;Prix (€)\r\nFougasse;Pain;pièce;4,20\r\nÉpeautre;Pain;kg;abc\r\n"
GOOD_CSV = "Nom;Catégorie;Vendu par;Prix (€)\r\nFougasse;Pain;pièce;4,20\r\nPain complet;Pain;kg;5,40\r\n"


def _catalogue_pages(storefront: Cast) -> dict[str, list[str]]:
    """Who looks -> the catalogue pages they see (with what each needs in the database)."""
    PriceChange.objects.create(
        product=storefront.bread,
        old_price_cents=480,
        new_price_cents=520,
        changed_by=storefront.producer_user,
    )
    storefront.brioche.is_active = False
    storefront.brioche.save()
    with_errors = importing.create_import(
        producer=storefront.bakery,
        user=storefront.producer_user,
        filename="catalogue.csv",
        data=BAD_ROW_CSV.encode(),
    )
    clean = importing.create_import(
        producer=storefront.bakery,
        user=storefront.producer_user,
        filename="corrige.csv",
        data=GOOD_CSV.encode(),
    )
    assert with_errors.error_count == 1 and clean.error_count == 0
    orphan = Producer.objects.create(
        name="Moulin de Lanta",
        slug="moulin",
        speciality="Farines",
        town="Lanta",
        managing_group=storefront.group_a,
    )
    Supply.objects.create(producer=orphan, group=storefront.group_a)
    ProducerInvitation.objects.create(
        producer=orphan,
        group=storefront.group_a,
        email="olivier@example.org",
        invited_by=storefront.coordinator,
    )
    invitation = ProducerInvitation.objects.get(producer=orphan)
    return {
        "producer_user": [
            DASHBOARD,
            f"{DASHBOARD}?status=all",
            "/producers/fournil/products/new/",
            f"/producers/fournil/products/{storefront.bread.pk}/",
            f"/producers/fournil/products/{storefront.brioche.pk}/",  # archived
            "/producers/fournil/profile/",
            "/producers/fournil/import/",
            f"/producers/fournil/import/{with_errors.pk}/",
            f"/producers/fournil/import/{clean.pk}/",
        ],
        "member": [
            "/g/saint-orens/",
            CATALOGUE,
            f"{CATALOGUE}?q=introuvable",
            "/g/saint-orens/producers/bergerie/",
            "/g/saint-orens/producers/fournil/",
        ],
        "coordinator": [
            "/g/saint-orens/manage/producers/",
            "/g/saint-orens/manage/producers/new/",
            "/g/saint-orens/manage/producers/new/?q=balma",
            "/producers/moulin/",  # kept on its behalf
        ],
        "outsider": [invitation.get_absolute_url(), "/g/saint-orens/producers/fournil/"],
    }


@pytest.mark.parametrize("who", ["producer_user", "member", "coordinator", "outsider"])
def test_catalogue_pages_have_no_serious_accessibility_violation(page_as, storefront, who):
    paths = _catalogue_pages(storefront)[who]
    page = page_as(getattr(storefront, who), bypass_csp=True)
    reports = []
    for path in paths:
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, f"{path} answered {response.status}"
        reports.append(blocking_violations(page, f"{path} seen by {who}"))
    problems = [report for report in reports if report]
    assert not problems, "\n\n".join(problems)


def test_catalogue_forms_sent_back_with_errors_are_accessible(page_as, storefront):
    """Forms with errors, the moment people most need help: product, profile, quick price, import."""
    page = page_as(storefront.producer_user, bypass_csp=True)
    reports = []

    page.goto("/producers/fournil/products/new/")
    page.locator("#id_name").fill("B")
    page.locator("#id_price_cents").fill("abc")
    page.get_by_role("button", name=tr("Add the product")).click()
    expect(page.locator("main .alert.error")).to_be_visible()
    expect(page.locator("#id_price_cents")).to_have_value("abc")
    reports.append(blocking_violations(page, "new product with errors"))

    page.goto(f"/producers/fournil/products/{storefront.bread.pk}/")
    page.locator("#id_name").fill("Brioche")  # another product's name
    page.locator("#id_quantity_step").fill("0,3")
    page.locator("main form").first.get_by_role("button", name=tr("Save")).click()
    expect(page.locator("main .alert.error")).to_be_visible()
    reports.append(blocking_violations(page, "product edit with errors"))

    page.goto("/producers/fournil/profile/")
    page.locator("#id_iban").fill("FR76 1234")
    page.locator("#id_contact_email").fill("pas une adresse")
    page.locator("main form").get_by_role("button", name=tr("Save")).click()
    expect(page.locator("main .alert.error")).to_be_visible()
    reports.append(blocking_violations(page, "producer profile with errors"))

    page.goto(DASHBOARD)
    page.locator(f"#price-{storefront.bread.pk}").fill("abc")
    page.locator(f"#price-{storefront.bread.pk}").press("Enter")
    expect(page.locator(f"#price-error-{storefront.bread.pk}")).to_be_visible()
    reports.append(blocking_violations(page, "dashboard with a quick price error"))
    page.locator(f"#price-{storefront.bread.pk}").fill("5,30")
    page.locator(f"#price-{storefront.bread.pk}").press("Enter")
    expect(page.locator(f"#product-{storefront.bread.pk}").get_by_role("status")).to_be_visible()
    reports.append(blocking_violations(page, "dashboard after a quick price change"))

    page.goto("/producers/fournil/import/")
    page.locator("#id_file").set_input_files(
        files=[{"name": "catalogue.ods", "mimeType": "application/octet-stream", "buffer": b"PK"}]
    )
    page.get_by_role("button", name=tr("Preview the import")).click()
    expect(page.locator("#id_file_error")).to_be_visible()
    reports.append(blocking_violations(page, "import upload with an error"))

    claire = page_as(storefront.coordinator, bypass_csp=True)
    claire.goto("/g/saint-orens/manage/producers/new/")
    claire.locator("#id_name").fill("R")
    claire.locator("#id_invite_email").fill("pas une adresse")
    claire.get_by_role("button", name=tr("Create the producer")).click()
    expect(claire.locator("main .alert.error")).to_be_visible()
    reports.append(blocking_violations(claire, "new producer with errors"))

    problems = [report for report in reports if report]
    assert not problems, "\n\n".join(problems)
