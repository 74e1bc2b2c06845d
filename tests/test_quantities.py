"""Quantities are integer thousandths of the sale unit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cabas.lib.quantities import format_quantity, parse_quantity, price_per_reference


@pytest.mark.parametrize(
    ("thousandths", "fr", "en"),
    [(1000, "1", "1"), (500, "0,5", "0.5"), (1250, "1,25", "1.25"), (6000, "6", "6"), (1, "0,001", "0.001")],
)
def test_format(thousandths: int, fr: str, en: str) -> None:
    assert format_quantity(thousandths, "fr") == fr
    assert format_quantity(thousandths, "en") == en


@pytest.mark.parametrize(
    ("text", "value"), [("0,5", 500), ("0.5", 500), ("2", 2000), (" 1,250 ", 1250), (",5", 500)]
)
def test_parse(text: str, value: int) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1,2345", "-1", "1.2.3", "1e3"])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError, match=r".*"):
        parse_quantity(text)


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["fr", "en"]))
def test_round_trip(thousandths: int, language: str) -> None:
    assert parse_quantity(format_quantity(thousandths, language)) == thousandths


@pytest.mark.parametrize(
    ("price", "content", "per_kg"),
    [(650, 500, 1300), (1450, 750, 1933), (333, 1000, 333), (100, 3, 33333), (1, 2000, 1)],
)
def test_price_per_reference_rounds_half_up(price: int, content: int, per_kg: int) -> None:
    assert price_per_reference(price, content) == per_kg


@given(st.integers(min_value=1, max_value=10**7), st.integers(min_value=1, max_value=10**6))
def test_price_per_reference_is_the_nearest_cent(price: int, content: int) -> None:
    exact = price * 1000 / content
    assert abs(price_per_reference(price, content) - exact) <= 0.5
