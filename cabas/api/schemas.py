"""What the API answers and accepts, as typed pydantic schemas (they make the OpenAPI description).

Money is integer cents; quantities are integer thousandths of the sale unit
(1000 = one loaf, one kg, one litre), as everywhere in Cabas: no float ever
carries an amount.
"""

from __future__ import annotations

from datetime import date, datetime, time

from ninja import Schema
from pydantic import Field


class Page[T](Schema):
    count: int = Field(description="How many items in all pages.")
    page: int
    pages: int
    items: list[T]


class Error(Schema):
    detail: str = Field(description="Why, in the person's language.")
    errors: list[dict[str, object]] | None = Field(
        None, description="On invalid input: each field's problem."
    )


class Conflict(Schema):
    detail: str
    offer_id: int
    available: int | None = Field(
        None, description="The most this basket can have of the offer now (thousandths), on a short quota."
    )
    stored: int | None = Field(
        None, description="The quantity stored meanwhile, when the basket was changed elsewhere."
    )


class ProductOut(Schema):
    id: int
    name: str
    producer: str
    producer_slug: str
    category: str
    unit_label: str
    price_cents: int
    quantity_step: int
    min_quantity: int
    labels: str
    description: str


class CycleOut(Schema):
    id: int
    name: str
    phase: str
    opens_at: datetime
    closes_at: datetime
    distribution_date: date
    distribution_start: time
    distribution_end: time
    distribution_place: str


class GroupCycleOut(CycleOut):
    group: str


class OfferOut(Schema):
    id: int
    name: str
    producer_id: int
    producer: str
    category: str
    unit_label: str
    price_cents: int
    quantity_step: int
    min_quantity: int
    member_cap: int | None
    remaining: int | None = Field(description="What is left of a first-come quota; null without quota.")
    variable_weight: bool
    available: bool


class ItemOut(Schema):
    offer_id: int
    name: str
    unit_label: str
    quantity: int
    requested: int
    price_cents: int
    total_cents: int
    variable_weight: bool


class PartOut(Schema):
    producer_id: int
    producer: str
    total_cents: int
    items: list[ItemOut]


class BasketOut(Schema):
    order_id: int | None
    cycle: GroupCycleOut
    total_cents: int
    is_estimate: bool
    parts: list[PartOut]


class MemberBasketOut(Schema):
    order_id: int
    member_id: int
    member: str
    total_cents: int
    parts: list[PartOut]


class LineIn(Schema):
    quantity: int = Field(ge=0, description="The quantity wanted, in thousandths of the unit; 0 removes it.")
    expected: int | None = Field(
        None,
        ge=0,
        description="The quantity you last read; if the line has changed since, nothing is written (409).",
    )
