"""Catalogue spreadsheets: export, template, import with preview and confirmation."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cabas.catalog import importing, services, spreadsheets
from cabas.catalog.models import CatalogImport, PriceChange, Producer, ProducerAccount, Product
from cabas.lib.money import format_cents
from tests.cast import Cast

SLUG = "fournil"
FRENCH_HEADERS = [column.header for column in spreadsheets.COLUMNS]


# --- Helpers -------------------------------------------------------------------------


@pytest.fixture
def paul(cast: Cast, client_for) -> Client:
    """Paul manages the bakery through his own account, and is logged in."""
    ProducerAccount.objects.create(producer=cast.bakery, user=cast.producer_user)
    return client_for(cast.producer_user)


def product(producer: Producer, name: str, **fields: Any) -> Product:
    values = {"name": name, "category": "bread", "unit": "piece", "price_cents": 650, **fields}
    return services.create_product(producer=producer, fields=values)


def csv_file(rows: list[list[Any]], *, delimiter: str = ";", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_file(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client: Client, filename: str, data: bytes) -> CatalogImport:
    """Upload a file; the import it created (the upload must be accepted)."""
    response = client.post(
        reverse("catalog_import", args=[SLUG]), {"file": SimpleUploadedFile(filename, data)}
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return CatalogImport.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))


def confirm(client: Client, catalog_import: CatalogImport) -> Any:
    return client.post(reverse("catalog_import_confirm", args=[SLUG, catalog_import.pk]), follow=True)


def in_french(message: str, **values: Any) -> str:
    """A message as the French catalogue words it (Paul reads French)."""
    with translation.override("fr"):
        return gettext(message) % values if values else gettext(message)


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def actions(catalog_import: CatalogImport) -> list[str]:
    return [row["action"] for row in catalog_import.plan["rows"]]


def errors(catalog_import: CatalogImport) -> list[str]:
    return [error for row in catalog_import.plan["rows"] for error in row["errors"]]


def export(client: Client, fmt: str) -> bytes:
    response = client.get(reverse("catalog_export", args=[SLUG, fmt]))
    assert response.status_code == 200
    return response.content


def varied_catalogue(producer: Producer) -> list[Product]:
    """Products using every column: size, carton, decimal step, variable weight, archived, odd texts."""
    products = [
        product(producer, "Pain de campagne", content=1000, content_unit="g", labels="AB", price_cents=520),
        product(
            producer,
            "Farine T80",
            category="flour",
            unit="kg",
            quantity_step=500,
            min_quantity=1000,
            carton_size=5000,
            price_cents=234,
            description="Moulue sur meule de pierre.\nSac papier.",
        ),
        product(
            producer,
            "Rôti de porc",
            category="meat",
            variable_weight=True,
            estimated_weight_grams=1200,
            price_cents=2399,
            vat_rate=550,
        ),
        product(
            producer,
            "Bière blonde",
            category="drinks",
            unit="bottle",
            content=330,
            content_unit="ml",
            vat_rate=2000,
            carton_size=12000,
            price_cents=315,
        ),
        product(producer, "=Pain; spécial, « maison »", description="-50 % le lundi", price_cents=1),
        product(
            producer,
            "Miel de lavande",
            category="honey",
            unit="jar",
            content=500,
            content_unit="g",
            price_cents=1_000_000,
        ),
    ]
    services.archive_product(product=products[-1])
    return products


# --- Round trips ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_changes_nothing(cast: Cast, paul: Client, fmt: str) -> None:
    varied_catalogue(cast.bakery)
    before = list(Product.objects.order_by("pk").values())
    catalog_import = upload(paul, f"catalogue.{fmt}", export(paul, fmt))
    assert catalog_import.error_count == 0, errors(catalog_import)
    assert actions(catalog_import) == ["unchanged"] * 6
    assert catalog_import.plan["untouched"] == 0
    response = paul.get(reverse("catalog_import_preview", args=[SLUG, catalog_import.pk]))
    assert response.context["can_confirm"] is False  # nothing to apply
    assert list(Product.objects.order_by("pk").values()) == before


def test_csv_export_is_french_excel_friendly(cast: Cast, paul: Client) -> None:
    varied_catalogue(cast.bakery)
    data = export(paul, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == FRENCH_HEADERS
    flour = next(row for row in rows if row[0] == "Farine T80")
    assert flour[1:2] == ["Farines et céréales"]
    assert flour[7:12] == ["2,34", "5,5", "0,5", "1", "5"]
    assert next(row for row in rows if row[0].endswith("maison »"))[0] == "'=Pain; spécial, « maison »"
    assert next(row for row in rows if row[0] == "Miel de lavande")[-1] == "non"


def test_xlsx_export_is_typed_and_named(cast: Cast, paul: Client) -> None:
    varied_catalogue(cast.bakery)
    response = paul.get(reverse("catalog_export", args=[SLUG, "xlsx"]))
    assert response["Content-Disposition"].startswith('attachment; filename="catalogue-fournil-20')
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == FRENCH_HEADERS
    assert sheet["A1"].font.b
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    roast = rows["Rôti de porc"]
    assert roast[7].value == pytest.approx(23.99)
    assert "€" in roast[7].number_format
    assert roast[12].value == "oui"
    assert roast[13].value == 1200
    assert rows["Farine T80"][9].value == pytest.approx(0.5)
    assert rows["=Pain; spécial, « maison »"][0].data_type == "s"  # a text, never a formula


def test_export_queries_do_not_grow_with_products(cast: Cast, paul: Client) -> None:
    def count(fmt: str) -> int:
        with CaptureQueriesContext(connection) as context:
            export(paul, fmt)
        return len(context)

    for index in range(40):
        product(cast.bakery, f"Pain {index}")
    small = (count("xlsx"), count("csv"))
    for index in range(40, 400):
        product(cast.bakery, f"Pain {index}")
    assert (count("xlsx"), count("csv")) == small


# --- Reading French and English files ------------------------------------------------


def test_french_csv_with_decimal_commas_creates_products(cast: Cast, paul: Client) -> None:
    data = csv_file(
        [
            [
                "NOM",
                "catégorie",
                "Vendu par (unité)",
                "Prix (€)",
                "TVA (%)",
                "Pas",
                "Minimum",
                "Contenance",
                "Unité de contenance",
                "Carton",
                "poids variable",
                "Poids estimé (g)",
            ],
            ["Miel de lavande", "Miel", "pot", "8,50 €", "5,5 %", "1", "2", "0,5", "kg", "12", "non", ""],
            ["Farine de blé", "Farines", "kg", "2,1", "5.5", "0,5", "0,5", "", "", "", "", ""],
            ["Vin rouge", "boissons", "bouteille", "1 234,56", "20", "", "", "75 cl", "", "6", "", ""],
            ["", "", "", "", "", "", "", "", "", "", "", ""],
            ["Poulet fermier", "volaille", "pièce", "12.90", "5,5", "1", "1", "", "", "", "oui", "1800"],
        ]
    )
    catalog_import = upload(paul, "produits.csv", data)
    assert catalog_import.error_count == 0, errors(catalog_import)
    assert [row["row"] for row in catalog_import.plan["rows"]] == [2, 3, 4, 6]
    assert actions(catalog_import) == ["create"] * 4
    confirm(paul, catalog_import)
    honey, flour, wine, chicken = (
        Product.objects.get(name=name)
        for name in ("Miel de lavande", "Farine de blé", "Vin rouge", "Poulet fermier")
    )
    assert (honey.category, honey.unit, honey.price_cents, honey.vat_rate) == ("honey", "jar", 850, 550)
    assert (honey.content, honey.content_unit, honey.min_quantity, honey.carton_size) == (
        500,
        "g",
        2000,
        12000,
    )
    assert (flour.unit, flour.price_cents, flour.quantity_step, flour.min_quantity) == ("kg", 210, 500, 500)
    assert (wine.price_cents, wine.vat_rate, wine.content, wine.content_unit) == (123456, 2000, 750, "ml")
    assert (wine.quantity_step, wine.min_quantity) == (1000, 1000)
    assert (chicken.variable_weight, chicken.estimated_weight_grams, chicken.price_cents) == (
        True,
        1800,
        1290,
    )


def test_english_comma_separated_csv_with_codes(cast: Cast, paul: Client) -> None:
    data = csv_file(
        [
            ["name", "category", "unit", "price", "vat", "on sale"],
            ["Sourdough", "bread", "piece", "6,50", "5.5", "yes"],
        ],
        delimiter=",",
    )
    catalog_import = upload(paul, "products.CSV", data)
    assert catalog_import.error_count == 0, errors(catalog_import)
    confirm(paul, catalog_import)
    assert Product.objects.get(name="Sourdough").price_cents == 650


def test_cp1252_csv_from_french_excel(cast: Cast, paul: Client) -> None:
    product(cast.bakery, "Pâté de campagne", category="meat", price_cents=450)
    data = csv_file(
        [
            ["Nom", "Catégorie", "Vendu par", "Prix (€)"],
            ["Pâté de campagne", "Viande", "pièce", "4,75"],
            ["Crème fraîche", "Produits laitiers et œufs", "pot", "3,10"],
        ],
        encoding="cp1252",
    )
    catalog_import = upload(paul, "export excel.csv", data)
    assert catalog_import.error_count == 0, errors(catalog_import)
    assert actions(catalog_import) == ["update", "create"]
    assert catalog_import.plan["rows"][0]["changes"] == [["price_cents", 450, 475]]
    confirm(paul, catalog_import)
    assert Product.objects.get(name="Crème fraîche").category == "dairy"


def test_xlsx_with_numbers_percentages_and_excel_noise(cast: Cast, paul: Client) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        ["Nom", "Catégorie", "Vendu par", "Prix (€)", "TVA (%)", "Pas", "Contenance", "Unité de contenance"]
    )
    sheet.append(["Confiture", "Douceurs et biscuits", "Pot", 0.1 + 0.2 + 4, 0.055, 1, 370, "G"])
    sheet["E2"].number_format = "0.0%"
    sheet.append(["Lentilles", "farine", "KG", 3, 5.5, 0.25, None, None])
    out = io.BytesIO()
    workbook.save(out)
    catalog_import = upload(paul, "catalogue.xlsx", out.getvalue())
    assert catalog_import.error_count == 0, errors(catalog_import)
    confirm(paul, catalog_import)
    jam, lentils = Product.objects.get(name="Confiture"), Product.objects.get(name="Lentilles")
    assert (jam.price_cents, jam.vat_rate, jam.content, jam.content_unit) == (430, 550, 370, "g")
    assert (lentils.price_cents, lentils.quantity_step, lentils.min_quantity) == (300, 250, 250)


# --- Errors --------------------------------------------------------------------------


def french(line: int, column: str, message: str, **values: Any) -> str:
    """An error line as the French catalogue words it."""
    with translation.override("fr"):
        problem = gettext(message) % values
        return gettext("Row %(row)s, column %(column)s: %(message)s") % {
            "row": line,
            "column": column,
            "message": problem,
        }


BAD_FILE = [
    ["Nom", "Catégorie", "Vendu par", "Prix (€)", "Pas", "Minimum"],
    ["Pain de seigle", "Pain", "pièce", "5,90", "1", "1"],
    ["Brioche", "Pain", "pièce", "7,20", "1", "1"],
    [],
    ["Fougasse", "Pain", "pièce", "abc", "1", "1"],
    ["Farine", "Farines", "kg", "2", "0,5", "0,75"],
    ["Gâteau", "Gâteaux", "pièce", "", "1", "1"],
    ["PAIN DE SEIGLE", "Pain", "pièce", "6", "1", "1"],
]


def test_errors_name_the_row_and_column_in_french(cast: Cast, paul: Client) -> None:
    catalog_import = upload(paul, "pains.csv", csv_file(BAD_FILE))
    assert errors(catalog_import) == [
        french(5, "Prix (€)", "“%(value)s” is not an amount in euros (e.g. 6,50).", value="abc"),
        french(
            6,
            "Minimum",
            "The minimum (%(min)s) must be a multiple of the step (%(step)s).",
            min="0,75",
            step="0,5",
        ),
        french(
            7,
            "Catégorie",
            "“%(value)s” is not in the list: %(choices)s.",
            value="Gâteaux",
            choices=", ".join(spreadsheets.CATEGORY_FR.values()),
        ),
        french(7, "Prix (€)", "This cell must be filled in."),
        french(8, "Nom", "“%(name)s” is already on row %(row)s.", name="PAIN DE SEIGLE", row=2),
    ]
    assert catalog_import.error_count == 5
    response = paul.get(reverse("catalog_import_preview", args=[SLUG, catalog_import.pk]))
    counts = response.context["counts"]
    assert (counts["create"], counts["update"], counts["errors"]) == (2, 0, 4)
    assert response.context["can_confirm"] is False
    page = response.content.decode()
    assert 'href="#row-5"' in page
    assert 'id="row-5"' in page
    assert "« abc »" in page or "“abc”" in page
    assert reverse("catalog_import_confirm", args=[SLUG, catalog_import.pk]) not in page


def test_an_import_with_errors_writes_nothing_then_the_fixed_file_works(cast: Cast, paul: Client) -> None:
    catalog_import = upload(paul, "pains.csv", csv_file(BAD_FILE))
    response = confirm(paul, catalog_import)
    assert messages_of(response) == [in_french("This file has errors: correct them and upload it again.")]
    assert not Product.objects.exists()
    catalog_import.refresh_from_db()
    assert catalog_import.applied_at is None

    fixed = [row[:] for row in BAD_FILE[:-1]]
    fixed[4][3], fixed[5][5], fixed[6][1:4] = "6,10", "1", ["Douceurs", "pièce", "18"]
    catalog_import = upload(paul, "pains.csv", csv_file(fixed))
    assert catalog_import.error_count == 0, errors(catalog_import)
    response = confirm(paul, catalog_import)
    assert response.redirect_chain[-1][0] == reverse("producer_dashboard", args=[SLUG])
    assert Product.objects.count() == 5
    assert Product.objects.get(name="Fougasse").price_cents == 610
    assert Product.objects.get(name="Gâteau").price_cents == 1800


NAMES_NEEDED = (
    "The first row must hold the column names, including a “Nom” (name) column. Start from the template."
)


@pytest.mark.parametrize(
    ("filename", "data", "message", "values"),
    [
        (
            "vieux.xls",
            b"\xd0\xcf\x11\xe0" + b"0" * 100,
            "This spreadsheet format cannot be read: save it as XLSX (Excel) or CSV, then upload it again.",
            {},
        ),
        ("notes.pdf", b"%PDF-1.4", "Only XLSX (Excel) and CSV files can be imported.", {}),
        ("faux.xlsx", b"Nom;Prix\r\nPain;2\r\n", "This file could not be read as an XLSX spreadsheet.", {}),
        ("gros.csv", b"Nom\r\n" + b"x" * (2 * 1024 * 1024), "This file is too large (2 MB at most).", {}),
        ("sans-nom.csv", "Article\u00a0?;Prix\r\nPain;2\r\n".encode(), NAMES_NEEDED, {}),
        ("vide.csv", b"\r\n\r\n", "This file is empty: the first row must hold the column names.", {}),
        (
            "deux-noms.csv",
            b"Nom;name\r\nPain;Pain\r\n",
            "The columns “%(first)s” and “%(second)s” say the same thing: keep only one.",
            {"first": "Nom", "second": "name"},
        ),
        ("entete-seul.csv", b"Nom;Prix\r\n;\r\n", "This file has no product under its column names.", {}),
        (
            "long.csv",
            b"Nom;Prix\r\n" + b"Pain;2\r\n" * 2001,
            "This file has too many rows (%(max)s products at most).",
            {"max": 2000},
        ),
        ("binaire.csv", b"Nom\x00;Prix\r\n", "This file does not look like a CSV file.", {}),
    ],
)
def test_files_that_cannot_be_imported_are_refused_clearly(
    cast: Cast, paul: Client, filename: str, data: bytes, message: str, values: dict[str, Any]
) -> None:
    response = paul.post(reverse("catalog_import", args=[SLUG]), {"file": SimpleUploadedFile(filename, data)})
    assert response.status_code == 200
    assert not CatalogImport.objects.exists()
    with translation.override("fr"):
        assert response.context["form"].errors["file"] == [gettext(message) % values]
    assert 'id="id_file_error"' in response.content.decode()


# --- Updates, archives, confirmation -------------------------------------------------


def test_update_changes_the_price_to_the_cent_and_records_it(cast: Cast, paul: Client) -> None:
    bread = product(cast.bakery, "Pain au levain", price_cents=650)
    product(cast.bakery, "Baguette", price_cents=120)
    catalog_import = upload(paul, "prix.csv", csv_file([["Nom", "Prix"], ["pain au levain", "7,01"]]))
    row = catalog_import.plan["rows"][0]
    assert (row["action"], row["product_id"]) == ("update", bread.pk)
    assert row["changes"] == [["name", "Pain au levain", "pain au levain"], ["price_cents", 650, 701]]
    assert catalog_import.plan["untouched"] == 1
    page = paul.get(reverse("catalog_import_preview", args=[SLUG, catalog_import.pk])).content.decode()
    with translation.override("fr"):  # Paul reads French
        assert f"{format_cents(650)} → {format_cents(701)}" in page
    response = confirm(paul, catalog_import)
    assert response.status_code == 200
    bread.refresh_from_db()
    assert (bread.name, bread.price_cents) == ("pain au levain", 701)
    change = PriceChange.objects.get()
    assert (change.product, change.old_price_cents, change.new_price_cents) == (bread, 650, 701)
    assert change.changed_by == cast.producer_user
    assert Product.objects.get(name="Baguette").price_cents == 120


def test_en_vente_non_archives_and_oui_restores(cast: Cast, paul: Client) -> None:
    bread = product(cast.bakery, "Pain au levain")
    old = product(cast.bakery, "Pain aux noix")
    services.archive_product(product=old)
    data = csv_file(
        [["Nom", "En vente", "Prix"], ["Pain au levain", "non", "6,50"], ["Pain aux noix", "Oui", "7"]]
    )
    catalog_import = upload(paul, "saison.csv", data)
    assert actions(catalog_import) == ["archive", "restore"]
    confirm(paul, catalog_import)
    bread.refresh_from_db()
    old.refresh_from_db()
    assert (bread.is_active, bread.archived_at is not None) == (False, True)
    assert (old.is_active, old.archived_at, old.price_cents) == (True, None, 700)


def test_a_double_confirm_applies_once(cast: Cast, paul: Client) -> None:
    bread = product(cast.bakery, "Pain au levain", price_cents=650)
    data = csv_file(
        [
            ["Nom", "Prix", "Catégorie", "Vendu par"],
            ["Pain au levain", "7", "Pain", "pièce"],
            ["Brioche", "8", "Pain", "pièce"],
        ]
    )
    catalog_import = upload(paul, "prix.csv", data)
    assert catalog_import.error_count == 0, errors(catalog_import)
    first, second = confirm(paul, catalog_import), confirm(paul, catalog_import)
    assert messages_of(second) == [in_french("This import has already been applied.")]
    assert first.redirect_chain[-1][0].endswith(f"/producers/{SLUG}/")
    assert Product.objects.filter(name="Brioche").count() == 1
    assert PriceChange.objects.filter(product=bread).count() == 1
    page = paul.get(reverse("catalog_import_preview", args=[SLUG, catalog_import.pk])).content.decode()
    assert reverse("catalog_import_confirm", args=[SLUG, catalog_import.pk]) not in page


def test_a_preview_made_stale_by_a_catalogue_change_is_refused(cast: Cast, paul: Client) -> None:
    catalog_import = upload(
        paul,
        "new.csv",
        csv_file(
            [
                ["Nom", "Catégorie", "Vendu par", "Prix"],
                ["Brioche", "Pain", "pièce", "8"],
                ["Miel", "Miel", "pot", "9"],
            ]
        ),
    )
    product(cast.bakery, "miel", price_cents=100)  # added by hand meanwhile: the row is no longer a creation
    response = confirm(paul, catalog_import)
    stale = in_french(
        "Your catalogue has changed since this preview (row %(row)s). Nothing was saved: "
        "upload the file again to see what it would do now.",
        row=3,
    )
    assert messages_of(response) == [stale]
    assert list(Product.objects.values_list("name", flat=True)) == ["miel"]
    catalog_import.refresh_from_db()
    assert catalog_import.applied_at is None


def test_template_imports_as_two_new_products(cast: Cast, paul: Client) -> None:
    for fmt in ("xlsx", "csv"):
        response = paul.get(reverse("catalog_template", args=[SLUG, fmt]))
        assert response.status_code == 200
        catalog_import = upload(paul, f"modele.{fmt}", response.content)
        assert catalog_import.error_count == 0, errors(catalog_import)
        assert actions(catalog_import) == ["create", "create"]
    confirm(paul, catalog_import)
    roast = Product.objects.get(name="Rôti de porc")
    assert (roast.variable_weight, roast.estimated_weight_grams, roast.price_cents) == (True, 1200, 2400)
    assert Product.objects.get(name="Pain de campagne").unit == "piece"


def test_new_products_off_sale_and_unknown_columns(cast: Cast, paul: Client) -> None:
    product(cast.bakery, "Baguette")
    data = csv_file(
        [
            ["Nom", "Catégorie", "Vendu par", "Prix", "En vente", "Remarques"],
            ["Galette des rois", "Pain", "pièce", "18", "non", "janvier seulement"],
        ]
    )
    catalog_import = upload(paul, "hiver.csv", data)
    assert catalog_import.plan["ignored_columns"] == ["Remarques"]
    response = paul.get(reverse("catalog_import_preview", args=[SLUG, catalog_import.pk]))
    assert "Remarques" in response.content.decode()
    assert response.context["untouched"] == 1
    confirm(paul, catalog_import)
    galette = Product.objects.get(name="Galette des rois")
    assert (galette.is_active, galette.price_cents) == (False, 1800)


def test_upload_page_lists_recent_imports(cast: Cast, paul: Client) -> None:
    upload(paul, "premier.csv", csv_file([["Nom", "Prix"], ["Pain", "abc"]]))
    page = paul.get(reverse("catalog_import", args=[SLUG])).content.decode()
    assert "premier.csv" in page
    assert 'accept=".xlsx,.csv"' in page
    assert reverse("catalog_template", args=[SLUG, "xlsx"]) in page


# --- Cells ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("6,50", 650),
        ("6.5", 650),
        ("6,50 €", 650),
        ("1\u202f234,56\u00a0€", 123456),
        (12, 1200),
        (0.07, 7),
        (19.99, 1999),
        (0.1 + 0.2, 30),
    ],
)
def test_money_cells_to_the_cent(text: Any, cents: int) -> None:
    assert importing.read_money(text) == cents


@pytest.mark.parametrize("text", ["abc", "6,505", "-2", "0", 6.505, True, "10000,01"])
def test_money_cells_refused(text: Any) -> None:
    with pytest.raises(importing.CellError):
        importing.read_money(text)


@pytest.mark.parametrize(
    ("text", "points"), [("5,5", 550), ("5.5 %", 550), ("20", 2000), (2.1, 210), ("0", 0)]
)
def test_vat_cells(text: Any, points: int) -> None:
    assert importing.read_vat(text) == points


@pytest.mark.parametrize("text", ["7", "19,6", "abc", "-5,5"])
def test_vat_cells_refused(text: str) -> None:
    with pytest.raises(importing.CellError):
        importing.read_vat(text)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("500", None, (500, None)),
        ("0,5", ("g", 1000), (500, "g")),
        ("75 cl", None, (750, "ml")),
        ("1,5l", None, (1500, "ml")),
        (330, ("ml", 1), (330, "ml")),
    ],
)
def test_size_cells(value: Any, unit: Any, expected: tuple[int, str | None]) -> None:
    assert importing.read_content(value, unit) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("oui", True), ("X", True), ("1", True), ("Non", False), ("no", False)]
)
def test_yes_no_cells(text: str, expected: bool) -> None:
    assert importing.read_bool(text) is expected


def test_headers_ignore_case_accents_and_units() -> None:
    columns = spreadsheets.map_columns(["NOM", "categorie", "Vendu par (unité)", "PRIX €", "Remarque"])
    assert columns.positions == {"name": 0, "category": 1, "unit": 2, "price_cents": 3}
    assert columns.ignored == ["Remarque"]


# --- Who may do what -----------------------------------------------------------------


def test_only_the_producers_managers_reach_the_spreadsheets(cast: Cast, paul: Client, client_for) -> None:
    ProducerAccount.objects.create(producer=cast.dairy, user=cast.producer_user2)
    mine = upload(paul, "a.csv", csv_file([["Nom", "Prix"], ["Pain", "2"]]))
    dairy_import = CatalogImport.objects.create(
        producer=cast.dairy, uploaded_by=cast.producer_user2, filename="b.csv", plan={"rows": []}
    )
    urls = [
        reverse("catalog_export", args=[SLUG, "xlsx"]),
        reverse("catalog_template", args=[SLUG, "csv"]),
        reverse("catalog_import", args=[SLUG]),
        reverse("catalog_import_preview", args=[SLUG, mine.pk]),
    ]
    for user in (cast.producer_user2, cast.coordinator, cast.member):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
        assert client.post(reverse("catalog_import_confirm", args=[SLUG, mine.pk])).status_code == 403
        assert client.post(reverse("catalog_import", args=[SLUG])).status_code == 403
    client = client_for(cast.producer_user)
    assert client.get(reverse("catalog_import_preview", args=[SLUG, dairy_import.pk])).status_code == 404
    assert client.post(reverse("catalog_import_confirm", args=[SLUG, dairy_import.pk])).status_code == 404
    assert client.get(reverse("catalog_import_preview", args=["nowhere", mine.pk])).status_code == 404
    assert client.get(reverse("catalog_export", args=[SLUG, "pdf"])).status_code == 404
    assert client.get(reverse("catalog_import_confirm", args=[SLUG, mine.pk])).status_code == 405
    anonymous = client_for(None)
    for url in [*urls, reverse("catalog_import_confirm", args=[SLUG, mine.pk])]:
        response = anonymous.post(url) if url.endswith("/confirm/") else anonymous.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    assert not Product.objects.exists()


def test_a_coordinator_manages_a_producer_without_account(cast: Cast, client_for) -> None:
    client = client_for(cast.coordinator)
    response = client.post(
        reverse("catalog_import", args=["bergerie"]),
        {
            "file": SimpleUploadedFile(
                "f.csv",
                csv_file([["Nom", "Catégorie", "Vendu par", "Prix"], ["Tomme", "Fromages", "kg", "21,40"]]),
            )
        },
    )
    catalog_import = CatalogImport.objects.get()
    assert response["Location"] == reverse("catalog_import_preview", args=["bergerie", catalog_import.pk])
    client.post(reverse("catalog_import_confirm", args=["bergerie", catalog_import.pk]))
    assert Product.objects.get(producer=cast.dairy).price_cents == 2140


# --- Two clicks at once --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_simultaneous_confirms_apply_once() -> None:
    from tests.cast import build_cast
    from tests.test_concurrency import race

    cast = build_cast()
    bread = product(cast.bakery, "Pain au levain", price_cents=650)
    rows = [["Nom", "Prix", "Catégorie", "Vendu par"], ["Pain au levain", "7,10", "Pain", "pièce"]]
    rows += [[f"Pain {n}", "3", "Pain", "pièce"] for n in range(20)]
    catalog_import = importing.create_import(
        producer=cast.bakery, user=cast.producer_user, filename="a.csv", data=csv_file(rows)
    )
    results = race(lambda: importing.apply_import(catalog_import, by=cast.producer_user), 6)
    assert sum(not isinstance(result, Exception) for result in results) == 1
    assert all(
        isinstance(result, services.CatalogError) for result in results if isinstance(result, Exception)
    )
    assert Product.objects.filter(producer=cast.bakery).count() == 21
    assert list(PriceChange.objects.filter(product=bread).values_list("new_price_cents", flat=True)) == [710]
