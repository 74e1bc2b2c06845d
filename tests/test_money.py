"""Money is integer cents, shown in the reader's locale."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from cabas.lib.money import NARROW_NBSP, NBSP, format_cents, parse_cents


@pytest.mark.parametrize(
    ("cents", "fr", "en"),
    [
        (1250, f"12,50{NBSP}€", "€12.50"),
        (5, f"0,05{NBSP}€", "€0.05"),
        (0, f"0,00{NBSP}€", "€0.00"),
        (-1999, f"-19,99{NBSP}€", "-€19.99"),
        (123456789, f"1{NARROW_NBSP}234{NARROW_NBSP}567,89{NBSP}€", "€1,234,567.89"),
    ],
)
def test_format(cents: int, fr: str, en: str) -> None:
    assert format_cents(cents, "fr") == fr
    assert format_cents(cents, "en") == en


@pytest.mark.parametrize("bad", [12.5, "1250", True, None])
def test_format_refuses_anything_but_integer_cents(bad: object) -> None:
    with pytest.raises(TypeError):
        format_cents(bad)  # type: ignore[arg-type]


def test_filter_follows_the_active_language() -> None:
    template = Template("{{ amount|money }}")
    with translation.override("fr"):
        assert template.render(Context({"amount": 1250})) == f"12,50{NBSP}€"
    with translation.override("en"):
        assert template.render(Context({"amount": 1250})) == "€12.50"
    assert template.render(Context({"amount": None})) == ""


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12,5", 1250),
        ("12.50", 1250),
        (" 1 234,56 € ", 123456),
        ("0,05", 5),
        ("-3", -300),
        (",5", 50),
        ("7", 700),
    ],
)
def test_parse(text: str, cents: int) -> None:
    assert parse_cents(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "1,234", "12,345", "1.2.3", "€", "--1", "1e3"])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError, match=r".*"):
        parse_cents(text)


@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from(["fr", "en"]))
def test_format_then_parse_gives_the_same_cents(cents: int, language: str) -> None:
    text = format_cents(cents, language)
    if language == "en":
        text = text.replace("€", "").replace(",", "")
    assert parse_cents(text) == cents
