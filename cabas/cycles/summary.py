"""A basket as every screen, document and e-mail shows it: lines by producer, persisted totals."""

from __future__ import annotations

from dataclasses import dataclass, field

from cabas.catalog.models import Producer
from cabas.cycles.models import Order, OrderLine


@dataclass
class ProducerPart:
    producer: Producer
    lines: list[OrderLine] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(line.total_cents for line in self.lines)

    @property
    def is_estimate(self) -> bool:
        return any(line.offer.variable_weight for line in self.lines)


@dataclass
class BasketSummary:
    parts: list[ProducerPart]

    @property
    def total_cents(self) -> int:
        return sum(part.total_cents for part in self.parts)

    @property
    def is_estimate(self) -> bool:
        return any(part.is_estimate for part in self.parts)


def basket_summary(order: Order) -> BasketSummary:
    """Group the order's lines (prefetched with ``offer__producer``) by producer, by name.

    Totals are sums of the persisted line totals: never recomputed from prices.
    """
    parts: dict[int, ProducerPart] = {}
    lines = sorted(
        (line for line in order.lines.all() if line.requested),
        key=lambda line: (line.offer.producer.name, line.offer.name),
    )
    for line in lines:
        part = parts.setdefault(line.offer.producer_id, ProducerPart(line.offer.producer))
        part.lines.append(line)
    return BasketSummary(list(parts.values()))
