"""The demo's cycles and baskets: one distributed, one closed for adjustments, one open.

``ensure_cycles`` gives the group three cycles, dated from now so that the
open one is open whenever the demo starts:

* « past »: distributed about two months ago (finalised, handed out);
* « closed »: orders closed yesterday, distribution in a few days, fair
  shares split, coordinators may still adjust;
* « open »: opened two days ago, closes in five days, distribution a week later.

Each has every producer of the group taking part, an offer for each active
product (price frozen as it was when orders opened), about ten products with
a quota (some sold out, one or two shared fairly at the deadline) and about
150 baskets per unit of ``--size``. Baskets look like real ones: a household
orders from 3 to 8 producers, 1 to 3 items each, in the product's steps; the
same households tend to come back to the same producers.

Quotas are consistent with the lines, as if members had ordered one after
the other through ``ordering.save_basket``: a first-come quota's ``remaining``
is the quota minus what its lines hold (a sold-out product's later askers
did not get it); a fair-share quota is split by ``allocation.allocate``, the
app's own code. Amounts come from ``Offer.line_total``, the one rounding
helper. Rows are bulk-created: three cycles of 150 baskets take about a
second of CPU, ten times that at ``--size 10``.

Written once per group: a group that already has a cycle bearing a demo name
(« Cabas de mars », « Cabas d'avril », « Cabas du 14 mars », whatever the month,
since the names follow the clock) is left alone, so a second run, days or
months later, adds nothing and changes nothing.
"""

from __future__ import annotations

import math
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from itertools import batched

from django.conf import settings
from django.utils import timezone, translation

from cabas.accounts.models import BuyingGroup, Membership, Role, User
from cabas.audit.models import AuditEvent, Kind
from cabas.catalog.models import Category, PriceChange, Producer, Product
from cabas.cycles.allocation import allocate
from cabas.cycles.models import (
    Allocation,
    ChangeKind,
    Cycle,
    Offer,
    Order,
    OrderChange,
    OrderLine,
    ProducerOffer,
)
from cabas.demo import data
from cabas.lib.quantities import ONE

BATCH = 500
SATURDAY = 5  # date.weekday()
DISTRIBUTION_START, DISTRIBUTION_END = time(10), time(12)
CAPPED_OFFERS = 10  # offers with a quota, per cycle
ITEMS_PER_PRODUCER = ((1, 2, 3), (50, 35, 15))  # choices, weights
EXTRA_STEPS = ((0, 1, 2, 3), (62, 25, 9, 4))  # steps above the minimum, weights
LINE_BUDGET_CENTS = 6000  # no more steps above the minimum beyond this (one meat box, not three)
FAIR_SHARE_CAP_STEPS = 2  # a scarce product shared fairly is capped at two steps per member
# Scarce by nature: what producers bring in limited numbers (chickens, meat boxes, honey).
SCARCE: dict[str, float] = {
    Category.POULTRY: 6.0,
    Category.MEAT: 5.0,
    Category.HONEY: 3.0,
    Category.DAIRY: 3.0,
}
MEMBER_LOGIN = f"membre@{data.DOMAIN}"  # left to order herself in the open cycle

DEMO_NAME = re.compile(
    r"Cabas (?:de |d'|du (?:1er|[12]?\d|3[01]) )(?:{})".format("|".join(map(re.escape, data.MONTHS)))
)


def is_demo_name(name: str) -> bool:
    return DEMO_NAME.fullmatch(name) is not None


# --- Dates and names (no database) ---------------------------------------------------------


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` local time on ``day`` (wall-clock, whatever the summer time)."""
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def nearest_saturday(day: date) -> date:
    offset = (SATURDAY - day.weekday()) % 7
    return day + timedelta(days=offset - 7 if offset > 3 else offset)


def next_saturday(day: date) -> date:
    """``day`` itself if it is a Saturday."""
    return day + timedelta(days=(SATURDAY - day.weekday()) % 7)


def month_name(day: date) -> str:
    """« Cabas de mars », « Cabas d'avril »."""
    month = data.MONTHS[day.month - 1]
    return f"Cabas d'{month}" if month[0] in "aeiou" else f"Cabas de {month}"


def day_name(day: date) -> str:
    """« Cabas du 14 mars », « Cabas du 1er avril »: for two distributions in one month."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"Cabas du {number} {data.MONTHS[day.month - 1]}"


def cycle_names(days: Sequence[date]) -> list[str]:
    """Each cycle named after its distribution month; by the day when two share a month."""
    months = [(day.year, day.month) for day in days]
    return [day_name(day) if months.count((day.year, day.month)) > 1 else month_name(day) for day in days]


@dataclass(frozen=True)
class CyclePlan:
    """One demo cycle: its dates, how many baskets, how many offers sell out or are shared fairly."""

    key: str
    opens_at: datetime
    closes_at: datetime
    distribution_date: date
    baskets: int
    sold_out: int
    fair_share: int
    message: str
    finalised_at: datetime | None = None
    distributed_at: datetime | None = None
    settled_at: datetime | None = None
    name: str = ""

    @property
    def published_at(self) -> datetime:
        return self.opens_at - timedelta(days=3)


def cycle_plans(now: datetime, baskets: int) -> list[CyclePlan]:
    """The three demo cycles around ``now``, oldest first; distributions on Saturdays."""
    today = timezone.localdate(now)
    past_day = nearest_saturday(today - timedelta(days=61))
    days = timedelta(days=1)
    plans = [
        CyclePlan(
            key="past",
            opens_at=at(past_day - 22 * days, 8),
            closes_at=at(past_day - 8 * days, 20),
            distribution_date=past_day,
            baskets=round(baskets * 14 / 15),
            sold_out=2,
            fair_share=0,
            message=data.CYCLE_MESSAGES[0],
            finalised_at=at(past_day - 4 * days, 18, 30),
            distributed_at=at(past_day, 12, 20),
        ),
        CyclePlan(
            key="closed",
            opens_at=at(today - 15 * days, 8),
            closes_at=at(today - days, 20),
            distribution_date=next_saturday(today + 2 * days),
            baskets=baskets,
            sold_out=1,
            fair_share=2,
            message=data.CYCLE_MESSAGES[2],
        ),
        CyclePlan(
            key="open",
            opens_at=at(today - 2 * days, 8),
            closes_at=at(today + 5 * days, 20),
            distribution_date=nearest_saturday(today + 12 * days),
            baskets=baskets,
            sold_out=2,
            fair_share=1,
            message=data.CYCLE_MESSAGES[1],
        ),
    ]
    names = cycle_names([plan.distribution_date for plan in plans])
    return [replace(plan, name=name) for plan, name in zip(plans, names, strict=True)]


HISTORY_CYCLES = 12  # two years of cycles before the « past » one, one every eight weeks
HISTORY_EVERY = timedelta(weeks=8)


def history_plans(now: datetime, baskets: int, count: int = HISTORY_CYCLES) -> list[CyclePlan]:
    """The group's older cycles, oldest first: settled long ago, so that statistics have a history.

    The group grows over the two years (fewer baskets then), with a dip every summer. They hold
    no money of their own (their payments predate the app's ledger): they only feed statistics.
    """
    today = timezone.localdate(now)
    first = nearest_saturday(today - timedelta(days=61)) - HISTORY_EVERY * count
    days = timedelta(days=1)
    plans = []
    for index in range(count):
        day = nearest_saturday(first + HISTORY_EVERY * index)
        growth = 0.4 + 0.35 * index / max(count - 1, 1)
        summer = 0.8 if day.month in (7, 8) else 1.0
        plans.append(
            CyclePlan(
                key=f"history-{index}",
                opens_at=at(day - 22 * days, 8),
                closes_at=at(day - 8 * days, 20),
                distribution_date=day,
                baskets=max(1, round(baskets * growth * summer)),
                sold_out=1,
                fair_share=0,
                message="",
                finalised_at=at(day - 4 * days, 18, 30),
                distributed_at=at(day, 12, 20),
                settled_at=at(day + 21 * days, 19),
            )
        )
    names = cycle_names([plan.distribution_date for plan in plans])
    return [replace(plan, name=name) for plan, name in zip(plans, names, strict=True)]


def ensure_history(
    group: BuyingGroup, *, baskets: int, seed: int, now: datetime, coordinator: User | None = None
) -> list[Cycle]:
    """Give ``group`` two years of past cycles with their baskets (once: with its demo cycles)."""
    return ensure_cycles_for(group, history_plans(now, baskets), seed=seed, now=now, coordinator=coordinator)


def ensure_next_cycle(group: BuyingGroup, *, coordinator: User) -> Cycle | None:
    """The next cycle, a draft copied from the open one, whose producers were asked for their offer.

    The producer login finds it on its dashboard and prepares the bakery's offer from its phone.
    No e-mail is sent: the demo's addresses are not real.
    """
    from cabas.cycles import services

    source = Cycle.objects.open_at(timezone.now()).filter(group=group).order_by("-closes_at").first()
    if source is None:
        return None
    defaults = services.copy_defaults(source)
    fields = {"name": month_name(defaults["distribution_date"]), "message": ""}
    draft = services.copy_cycle(source=source, by=coordinator, fields=fields)
    ProducerOffer.objects.bulk_create(
        ProducerOffer(cycle=draft, producer=producer, asked_by=coordinator)
        for producer in draft.producers.order_by("name")
    )
    return draft


# --- Who orders what (no database) ----------------------------------------------------------


@dataclass(frozen=True)
class Household:
    user_id: int
    email: str
    since: datetime
    loyalty: float  # how likely they are to order in a given cycle (a weight)
    favourites: frozenset[int]  # producer ids they usually order from
    named: bool  # one of the fixed demo logins


@dataclass
class Basket:
    household: Household
    created_at: datetime
    submitted_at: datetime
    asked: dict[int, int] = field(default_factory=dict)  # offer id -> quantity asked


def weighted_sample[T](rng: random.Random, items: Sequence[T], weights: Sequence[float], k: int) -> list[T]:
    """``k`` distinct items, heavier ones more likely (Efraimidis-Spirakis keys), deterministic."""
    keyed = sorted(
        ((rng.random() ** (1.0 / weight), index) for index, weight in enumerate(weights)), reverse=True
    )
    return [items[index] for _key, index in keyed[:k]]


def households_of(group: BuyingGroup, producers: Sequence[int], *, seed: int) -> list[Household]:
    """The group's current households, by e-mail, each with stable habits drawn from their e-mail."""
    named = {login.email for login in (*data.LOGINS, *data.EXTRA_COORDINATORS)}
    rows = (
        Membership.objects.current()
        .with_role(Role.MEMBER)
        .filter(group=group)
        .order_by("user__email")
        .values_list("user_id", "user__email", "started_at")
    )
    result = []
    for user_id, email, since in rows:
        rng = random.Random(f"{seed}:household:{email}")
        loyalty = rng.choice((0.3, 1.0, 1.0, 3.0, 6.0, 6.0))
        favourites = frozenset(rng.sample(list(producers), min(5, len(producers))))
        result.append(Household(user_id, email, since, loyalty, favourites, email in named))
    return result


def order_time(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """When a basket was made: many right after the opening, many just before the deadline."""
    span = (end - start).total_seconds()
    draw = rng.random()
    if draw < 0.35:
        fraction = rng.uniform(0, 0.15)
    elif draw < 0.65:
        fraction = rng.uniform(0.85, 1)
    else:
        fraction = rng.random()
    return start + timedelta(seconds=int(span * fraction))


def quantity_for(rng: random.Random, offer: Offer) -> int:
    """A quantity a member would type: the minimum or a few steps more; pieces for variable weight.

    Nobody takes two 10 kg meat boxes: steps above the minimum stop where the
    line would cost more than ``LINE_BUDGET_CENTS``.
    """
    extra = rng.choices(*EXTRA_STEPS)[0]
    if offer.variable_weight:
        extra = min(extra, 1)  # one chicken, sometimes two
    quantity = offer.min_quantity + extra * offer.quantity_step
    while quantity > offer.min_quantity and offer.line_total(quantity) > LINE_BUDGET_CENTS:
        quantity -= offer.quantity_step
    if offer.carton_size and not offer.variable_weight and rng.random() < 0.08:
        carton = max(offer.carton_size, offer.min_quantity)  # a whole carton, if affordable
        if offer.line_total(carton) <= 2 * LINE_BUDGET_CENTS:
            quantity = carton
    return quantity


@dataclass(frozen=True)
class Shop:
    """A cycle's offers as the generator needs them."""

    producers: Sequence[int]  # producer ids with something on offer, in a stable order
    popularity: dict[int, float]  # producer id -> weight
    offers: dict[int, list[Offer]]  # producer id -> its offers, by name
    offer_weights: dict[int, list[float]]  # producer id -> weights of its offers


def make_shop(offers: Iterable[Offer], slugs: dict[int, str], *, seed: int) -> Shop:
    by_producer: dict[int, list[Offer]] = defaultdict(list)
    for offer in sorted(offers, key=lambda o: (slugs[o.producer_id], o.name)):
        by_producer[offer.producer_id].append(offer)
    producers = sorted(by_producer, key=lambda pid: slugs[pid])
    popularity = {
        pid: random.Random(f"{seed}:popularity:{slugs[pid]}").uniform(0.4, 2.5) for pid in producers
    }
    # The same product is as popular everywhere (bread sells better than soap).
    weights = {
        pid: [random.Random(f"{seed}:item:{offer.name}").lognormvariate(0, 1) for offer in items]
        for pid, items in by_producer.items()
    }
    return Shop(producers, popularity, dict(by_producer), weights)


def basket_for(rng: random.Random, household: Household, shop: Shop) -> dict[int, int]:
    """What one household asks for: 3-8 producers (their favourites first), 1-3 items each."""
    count = min(rng.randint(3, 8), len(shop.producers))
    weights = [shop.popularity[pid] * (6 if pid in household.favourites else 1) for pid in shop.producers]
    asked: dict[int, int] = {}
    for pid in weighted_sample(rng, shop.producers, weights, count):
        items = shop.offers[pid]
        count_items = min(rng.choices(*ITEMS_PER_PRODUCER)[0], len(items))
        for offer in weighted_sample(rng, items, shop.offer_weights[pid], count_items):
            asked[offer.pk] = quantity_for(rng, offer)
    return asked


def baskets_for(
    plan: CyclePlan, households: Sequence[Household], shop: Shop, *, seed: int, now: datetime
) -> list[Basket]:
    """``plan.baskets`` baskets (fewer if the group is smaller), by the time they were made.

    Only households who had joined when orders opened take part. The named
    logins always do (so that each finds a basket of theirs), except the
    member login in the open cycle, left for a visitor to fill.
    """
    rng = random.Random(f"{seed}:baskets:{plan.key}")
    eligible = [h for h in households if h.since <= plan.opens_at]
    if plan.key == "open":
        eligible = [h for h in eligible if h.email != MEMBER_LOGIN]
    named = [h for h in eligible if h.named]
    crowd = [h for h in eligible if not h.named]
    count = min(plan.baskets, len(eligible))
    chosen = named[:count] + weighted_sample(
        rng, crowd, [h.loyalty for h in crowd], max(0, count - len(named))
    )
    end = min(plan.closes_at, now) - timedelta(minutes=30)
    baskets = []
    for household in sorted(chosen, key=lambda h: h.email):
        created = order_time(rng, max(plan.opens_at, household.since), end)
        submitted = min(created + timedelta(minutes=rng.randint(2, 25)), end)
        baskets.append(Basket(household, created, submitted, basket_for(rng, household, shop)))
    baskets.sort(key=lambda basket: (basket.created_at, basket.household.email))
    return baskets


# --- Quotas (no database) ------------------------------------------------------------------


def round_up(value: float, grain: int) -> int:
    return math.ceil(value / grain) * grain


def set_quotas(plan: CyclePlan, offers: Sequence[Offer], baskets: list[Basket], *, seed: int) -> list[Offer]:
    """Put a quota on about ten offers and make the baskets agree with it; return those offers.

    First come: later askers of a sold-out product lose that line (it showed
    « épuisé » when they ordered); other quotas keep some left. Fair share:
    asks stay as they are (capped per member), above the quota, for
    ``allocate`` to split at the deadline.
    """
    rng = random.Random(f"{seed}:quotas:{plan.key}")
    askers: dict[int, list[Basket]] = defaultdict(list)
    for basket in baskets:
        for offer_id in basket.asked:
            askers[offer_id].append(basket)
    eligible = [offer for offer in offers if askers[offer.pk]]
    weights = [SCARCE.get(offer.category, 1.0) * len(askers[offer.pk]) for offer in eligible]
    capped = weighted_sample(rng, eligible, weights, min(CAPPED_OFFERS, len(eligible)))
    sold_out = capped[: plan.sold_out]
    shareable = [o for o in capped[plan.sold_out :] if o.min_quantity == o.quantity_step]
    fair = [o for o in shareable if len(askers[o.pk]) >= 2][: plan.fair_share]
    for offer in capped:
        lines = askers[offer.pk]
        if offer in sold_out:
            _sell_out(offer, lines)
        elif offer in fair:
            _share_fairly(offer, lines)
        else:
            demand = sum(basket.asked[offer.pk] for basket in lines)
            grain = math.lcm(offer.quantity_step, ONE)
            offer.quota = round_up(demand * rng.uniform(1.15, 1.7), grain)
            offer.remaining = offer.quota - demand
    baskets[:] = [basket for basket in baskets if basket.asked]  # one made only of sold-out items
    return capped


def _sell_out(offer: Offer, lines: list[Basket]) -> None:
    """The quota is what the first 70 % of askers took: the others found it sold out."""
    served = max(1, math.ceil(len(lines) * 0.7))
    offer.quota = sum(basket.asked[offer.pk] for basket in lines[:served])
    offer.remaining = 0
    for basket in lines[served:]:
        del basket.asked[offer.pk]


def _share_fairly(offer: Offer, lines: list[Basket]) -> None:
    """Capped per member, asked beyond the quota: ``allocate`` will split it at the deadline."""
    offer.allocation = Allocation.FAIR_SHARE
    offer.member_cap = FAIR_SHARE_CAP_STEPS * offer.quantity_step
    for basket in lines:
        basket.asked[offer.pk] = min(basket.asked[offer.pk], offer.member_cap)
    demand = sum(basket.asked[offer.pk] for basket in lines)
    offer.quota = max(offer.quantity_step, demand * 2 // 3 // offer.quantity_step * offer.quantity_step)
    offer.remaining = offer.quota  # untouched until the split


# --- Writing -------------------------------------------------------------------------------


def price_then(product: Product, changes: Sequence[PriceChange], moment: datetime) -> int:
    """The product's price at ``moment``: before any change made since (``changes`` by date)."""
    later = [change for change in changes if change.changed_at > moment]
    return later[0].old_price_cents if later else product.price_cents


def create_cycle(
    plan: CyclePlan, group: BuyingGroup, producers: Sequence[Producer], coordinator: User | None
) -> Cycle:
    reminder = plan.closes_at - timedelta(hours=group.reminder_hours)
    closed = plan.key != "open"
    cycle = Cycle.objects.create(
        group=group,
        name=plan.name,
        opens_at=plan.opens_at,
        closes_at=plan.closes_at,
        distribution_date=plan.distribution_date,
        distribution_start=DISTRIBUTION_START,
        distribution_end=DISTRIBUTION_END,
        distribution_place=group.place,
        message=plan.message,
        published_at=plan.published_at,
        finalised_at=plan.finalised_at,
        distributed_at=plan.distributed_at,
        settled_at=plan.settled_at,
        # What the clock would have done: announced, reminded; the closed
        # cycle's split (``allocated_at``) is done below by ``allocate`` itself.
        announced_at=plan.opens_at + timedelta(minutes=1),
        reminded_at=max(reminder, plan.opens_at + timedelta(hours=1)) if closed else None,
        recap_sent_at=plan.closes_at + timedelta(minutes=2) if closed else None,
        allocated_at=plan.closes_at + timedelta(minutes=1) if plan.distributed_at else None,
        created_at=plan.published_at - timedelta(days=2),
        created_by=coordinator,
    )
    cycle.producers.set(producers)
    # The journal's line for it, as ``cycles.services.create_cycle`` would have written it.
    AuditEvent.objects.create(
        group=group,
        kind=Kind.CYCLE_CREATED,
        at=cycle.created_at,
        actor=coordinator,
        cycle=cycle,
        target=cycle.name,
        after={"name": cycle.name, "producers": sorted(producer.name for producer in producers)},
    )
    return cycle


def create_offers(
    cycle: Cycle, products: Sequence[Product], labels: dict[int, str], prices: dict[int, list[PriceChange]]
) -> list[Offer]:
    """An offer per active product, copied from the catalogue with the price of the day.

    ``labels`` is each product's ``unit_label()``, computed once for the three cycles.
    """
    Offer.objects.bulk_create(
        (
            Offer(
                cycle_id=cycle.pk,
                product_id=product.pk,
                producer_id=product.producer_id,
                name=product.name,
                category=product.category,
                unit_label=labels[product.pk],
                price_cents=price_then(product, prices.get(product.pk, ()), cycle.opens_at),
                vat_rate=product.vat_rate,
                quantity_step=product.quantity_step,
                min_quantity=product.min_quantity,
                carton_size=product.carton_size,
                variable_weight=product.variable_weight,
                estimated_weight_grams=product.estimated_weight_grams,
            )
            for product in products
        ),
        batch_size=BATCH,
    )
    return list(Offer.objects.filter(cycle=cycle))


def write_baskets(cycle: Cycle, baskets: Sequence[Basket], offers: dict[int, Offer]) -> None:
    """Orders, their lines (amounts by ``Offer.line_total``) and the members' own changes, in bulk."""
    Order.objects.bulk_create(
        (
            Order(
                cycle=cycle,
                user_id=basket.household.user_id,
                version=1,
                submitted_at=basket.submitted_at,
                created_at=basket.created_at,
                updated_at=basket.submitted_at,
            )
            for basket in baskets
        ),
        batch_size=BATCH,
    )
    ids = dict(Order.objects.filter(cycle=cycle).values_list("user_id", "id"))
    lines, changes = [], []
    for basket in baskets:
        order_id = ids[basket.household.user_id]
        for offer_id, quantity in basket.asked.items():
            total = offers[offer_id].line_total(quantity)
            lines.append(
                OrderLine(
                    order_id=order_id,
                    offer_id=offer_id,
                    quantity=quantity,
                    requested=quantity,
                    total_cents=total,
                    tolerance=demo_tolerance(offers[offer_id], quantity, order_id),
                )
            )
            changes.append(
                OrderChange(
                    order_id=order_id,
                    offer_id=offer_id,
                    kind=ChangeKind.MEMBER,
                    old_quantity=0,
                    new_quantity=quantity,
                    old_total_cents=0,
                    new_total_cents=total,
                    changed_by_id=basket.household.user_id,
                    changed_at=basket.submitted_at,
                )
            )
    OrderLine.objects.bulk_create(lines, batch_size=BATCH)
    OrderChange.objects.bulk_create(changes, batch_size=BATCH)


def demo_tolerance(offer: Offer, quantity: int, order_id: int) -> int:
    """« I'd take up to … more »: one household in three gives one or two steps on a carton product.

    Never beyond the cap per member, as the order page would refuse. Chosen from
    the ids so that the carton page of the closed cycle has proposals that fill
    cartons, not only ones that round down.
    """
    if not offer.carton_size or (order_id + offer.pk) % 3:
        return 0
    extra = offer.quantity_step * (1 + order_id % 2)
    if offer.member_cap is not None:
        room = max(offer.member_cap - quantity, 0)
        extra = min(extra, room - room % offer.quantity_step)
    return extra


def split_fair_shares(cycle: Cycle) -> None:
    """Split the closed cycle's fair-share quotas with the app's own ``allocate``, dated at the deadline."""
    allocate(cycle)
    split_at = cycle.closes_at + timedelta(minutes=1)
    Cycle.objects.filter(pk=cycle.pk).update(allocated_at=split_at)
    OrderChange.objects.filter(order__cycle=cycle, kind=ChangeKind.ALLOCATION).update(
        changed_at=split_at, notified_at=cycle.recap_sent_at
    )


def ensure_cycles(
    group: BuyingGroup, *, baskets: int, seed: int, now: datetime, coordinator: User | None = None
) -> list[Cycle]:
    """Give ``group`` its three demo cycles with their baskets, unless it has demo cycles already."""
    if any(is_demo_name(name) for name in group.cycles.values_list("name", flat=True)):
        return []
    return ensure_cycles_for(group, cycle_plans(now, baskets), seed=seed, now=now, coordinator=coordinator)


def ensure_cycles_for(
    group: BuyingGroup, plans: Sequence[CyclePlan], *, seed: int, now: datetime, coordinator: User | None
) -> list[Cycle]:
    """Create a cycle per plan, with its offers and baskets (nothing when the group sells nothing)."""
    producers = list(Producer.objects.supplying(group))
    slugs = {producer.pk: producer.slug for producer in producers}
    products = list(Product.objects.active().filter(producer__in=producers).order_by("pk"))
    if not products:
        return []  # nothing to sell: no cycle can be published (a later run with producers adds them)
    prices: dict[int, list[PriceChange]] = defaultdict(list)
    for chunk in batched([product.pk for product in products], BATCH):
        for change in PriceChange.objects.filter(product_id__in=chunk).order_by("changed_at", "pk"):
            prices[change.product_id].append(change)
    households = households_of(group, sorted(slugs, key=slugs.__getitem__), seed=seed)
    created = []
    # Offers keep the unit as the group reads it (« pot de 500 g »), whoever runs the command.
    with translation.override(settings.LANGUAGE_CODE):
        labels = {product.pk: product.unit_label() for product in products}
    for plan in plans:
        cycle = create_cycle(plan, group, producers, coordinator)
        offers = create_offers(cycle, products, labels, prices)
        shop = make_shop(offers, slugs, seed=seed)
        cycle_baskets = baskets_for(plan, households, shop, seed=seed, now=now)
        capped = set_quotas(plan, offers, cycle_baskets, seed=seed)
        Offer.objects.bulk_update(capped, ["quota", "remaining", "member_cap", "allocation"])
        write_baskets(cycle, cycle_baskets, {offer.pk: offer for offer in offers})
        if plan.key == "closed":
            split_fair_shares(cycle)
        created.append(cycle)
    return created
