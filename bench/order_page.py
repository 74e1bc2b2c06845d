"""The order page alone, in trivial pages: its weight, queries and server time, section by section.

Run by hand (never in CI)::

    .venv/bin/python bench/order_page.py                    # the demo-sized cycle (about 450 offers)
    .venv/bin/python bench/order_page.py --offers 2000      # and a cycle of 2,000 offers
    .venv/bin/python bench/order_page.py --profile line     # where the time of a +/- goes (cProfile)

It seeds the demo (``seed_demo --size 1``) in a temporary SQLite file (or
reuses ``--db FILE`` if it exists), builds an open cycle of Saint-Orens through
the app's services (``bench/rush_db.py``'s cycle: twenty offers per producer,
ten first-come quotas), and with ``--offers N`` a second one of N offers (the
demo's catalogues copied under new names until there are enough products).
Then, in this one process, through Django's test client, one member:
the logged-in home page (the unit), the order page as it opens (hub), a
producer's section, a search, the basket, a +/- with htmx (the row and the
totals) and a +/- without JavaScript (the whole form's POST, then the section
it redirects to). Each request kind is timed ``--repeat`` times, interleaved
with the home page, and reported as its median divided by the home page's
median in the same run, with its size and its queries.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--offers", type=int, default=0, help="also a cycle of this many offers (e.g. 2000)")
    parser.add_argument("--repeat", type=int, default=30, help="timings of each request kind")
    parser.add_argument("--db", type=Path, help="SQLite file to seed once and reuse")
    parser.add_argument("--queries", help="print the SQL of one request of this kind")
    parser.add_argument(
        "--profile",
        help="profile one request kind (home, hub, producer, search, basket, line, nojs): top functions",
    )
    return parser.parse_args()


ARGS = parse_args()
_tmp = tempfile.mkdtemp(prefix="cabas-order-page-")
DB_FILE = ARGS.db or Path(_tmp) / "bench.sqlite3"
os.environ.update(
    DATABASE_URL=f"sqlite:///{DB_FILE}",
    CABAS_DEBUG="1",
    CABAS_LOG_LEVEL="WARNING",
    CABAS_TASKS_BACKEND="django.tasks.backends.dummy.DummyBackend",
    DJANGO_SETTINGS_MODULE="cabas.settings",
)
SEEDED = DB_FILE.exists()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cabas.accounts.models import BuyingGroup, User  # noqa: E402
from cabas.catalog.models import Producer, Product  # noqa: E402
from cabas.cycles.models import Cycle, Offer  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import rush_db  # noqa: E402


def seed() -> None:
    if SEEDED:
        return
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("seed_demo", size=1, verbosity=0)


def grow_catalogue(offers: int) -> None:
    """Copies of the demo's products under new names until the group's producers have ``offers`` of them."""
    group = BuyingGroup.objects.get(slug=rush_db.GROUP)
    on_sale = Product.objects.filter(is_active=True, archived_at__isnull=True)
    products = list(on_sale.filter(producer__in=Producer.objects.supplying(group)).order_by("pk"))
    have, copies, lot = len(products), [], 2
    while have + len(copies) < offers:
        for product in products:
            if have + len(copies) >= offers:
                break
            product.pk = None
            product.name = f"{product.name} (lot {lot})"[:120]
            copies.append(
                Product(**{f.attname: getattr(product, f.attname) for f in Product._meta.concrete_fields})
            )
        lot += 1
    Product.objects.bulk_create(copies, batch_size=500)


def make_cycle(offers: int) -> Cycle:
    """An open cycle: the rush's (twenty offers per producer) or one of ``offers`` offers."""
    if offers:
        grow_catalogue(offers)
        rush_db.OFFERS_PER_PRODUCER = 10**6
    info = rush_db.make_cycle(members=3, offset=7, label=f"order page {offers or 'demo'}")
    cycle = Cycle.objects.get(pk=info["cycle"])
    if offers and cycle.offers.count() > offers:
        keep = list(cycle.offers.order_by("pk").values_list("pk", flat=True)[:offers])
        cycle.offers.exclude(pk__in=keep).delete()
    cycle.member_email = info["members"][0]  # type: ignore[attr-defined]
    return cycle


FORM = "application/x-www-form-urlencoded"  # what a browser sends (the test client's default is multipart)


class Measure:
    def __init__(self, cycle: Cycle) -> None:
        self.cycle = cycle
        self.client = Client(HTTP_HOST="localhost")  # the test client does not check CSRF
        self.client.force_login(User.objects.get(email=cycle.member_email))  # type: ignore[attr-defined]
        self.base = f"/g/{cycle.group.slug}/cycles/{cycle.pk}/"
        self.csrf = "unchecked"
        offers = list(
            cycle.offers.filter(quota__isnull=True, member_cap__isnull=True, carton_size__isnull=True)
            .filter(min_quantity__lte=1000, quantity_step=1000)
            .order_by("pk")
        )
        self.offer = offers[0]
        self.producer = self.offer.producer_id
        self.section = list(cycle.offers.filter(producer_id=self.producer).values_list("pk", flat=True))
        # The no-JavaScript + works on its own product of the same section, its state kept here.
        same = [offer for offer in offers[9:] if offer.producer_id == self.producer]
        self.nojs_offer, self.nojs_requested = (same[0] if same else self.offer), 0
        for other in offers[1:8]:  # a basket of a few lines, like a member's halfway through
            self.line(other.pk, "1")
        self.basket = {other.pk: 1000 for other in offers[1:8]}  # what the page shows of them

    def home(self) -> Any:
        return self.client.get("/")

    def page(self, query: str = "") -> Callable[[], Any]:
        return lambda: self.client.get(self.base + query)

    def line(self, pk: int, quantity: str) -> Any:
        data = {f"q-{pk}": quantity, "csrfmiddlewaretoken": self.csrf}
        return self.client.post(
            f"{self.base}line/{pk}/", data, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=self.csrf
        )

    def plus_minus(self) -> Any:
        """A +, then a − on the same product (so the basket does not grow with the repeats)."""
        wanted = 1000 if self.basket.get(self.offer.pk) == 2000 else 2000
        response = self.line(self.offer.pk, str(wanted // 1000))
        self.basket[self.offer.pk] = wanted
        return response

    def no_js(self) -> Any:
        """The + (or −) of a row without JavaScript: the whole form of the producer's section, as the
        page fills it (each row's quantity and the one it showed), the pressed button's value."""
        data = {"csrfmiddlewaretoken": self.csrf, "section": f"producer={self.producer}"}
        for pk in self.section:
            shown = self.basket.get(pk, 0)
            data[f"q-{pk}"], data[f"e-{pk}"] = (str(shown // 1000) if shown else ""), str(shown)
        pk, now = self.nojs_offer.pk, self.nojs_requested
        wanted = 1000 if now == 2000 else 2000
        data |= {
            f"q-{pk}": str(now // 1000) if now else "",
            f"e-{pk}": str(now),
            f"take-{pk}": str(wanted // 1000),
        }
        response = self.client.post(self.base, urlencode(data), FORM)
        if response.status_code == 302:
            self.nojs_requested = wanted
        return response

    def kinds(self) -> dict[str, Callable[[], Any]]:
        return {
            "home": self.home,
            "hub": self.page(),
            "producer": self.page(f"?producer={self.producer}"),
            "search": self.page("?q=pomme"),
            "basket": self.page("?view=basket"),
            "line": self.plus_minus,
            "nojs": self.no_js,
        }


LABELS = {
    "home": "home (logged in)",
    "hub": "hub (first view)",
    "producer": "producer section",
    "search": "search « pomme »",
    "basket": "basket",
    "line": "+/- (htmx)",
    "nojs": "+/- without JS (POST)",
}


def run(measure: Measure, repeat: int) -> dict[str, dict[str, float]]:
    kinds = measure.kinds()
    results: dict[str, dict[str, float]] = {}
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    for kind, call in kinds.items():
        call()  # warm (templates, caches)
        with CaptureQueriesContext(connection) as queries:
            response = call()
        assert response.status_code in (200, 302), (kind, response.status_code)
        results[kind] = {
            "bytes": len(response.content),
            "queries": len(queries),
            "status": response.status_code,
        }
    for _ in range(repeat):
        for kind, call in kinds.items():
            start = time.perf_counter()
            call()
            times[kind].append(time.perf_counter() - start)
    unit = statistics.median(times["home"])
    for kind in kinds:
        results[kind]["ms"] = statistics.median(times[kind]) * 1000
        results[kind]["ratio"] = statistics.median(times[kind]) / unit
    return results


def report(label: str, cycle: Cycle, results: dict[str, dict[str, float]]) -> None:
    print(f"== {label}: {cycle.offers.count()} offers, {cycle.producers.count()} producers")
    print(f"   {'request':24} {'x home':>7} {'ms':>7} {'KB':>7} {'queries':>8}")
    for kind, row in results.items():
        size = f"{row['bytes'] / 1000:.1f}"
        print(f"   {LABELS[kind]:24} {row['ratio']:6.2f}x {row['ms']:7.1f} {size:>7} {int(row['queries']):8}")


def profile(measure: Measure, kind: str) -> None:
    call = measure.kinds()[kind]
    call()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(ARGS.repeat):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(40)


def main() -> None:
    print(f"Seeding the demo in {DB_FILE}…" if not SEEDED else f"Reusing {DB_FILE}", flush=True)
    seed()
    cycles = [("demo-sized cycle", make_cycle(0))]
    if ARGS.offers:
        cycles.append((f"cycle of {ARGS.offers} offers", make_cycle(ARGS.offers)))
    for label, cycle in cycles:
        measure = Measure(cycle)
        if ARGS.queries:
            call = measure.kinds()[ARGS.queries]
            call()
            with CaptureQueriesContext(connection) as queries:
                call()
            for number, query in enumerate(queries, 1):
                print(f"{number:3} {query['time']:>6} {query['sql'][:300]}")
            continue
        if ARGS.profile:
            print(f"== {label}: profile of {ARGS.profile}")
            profile(measure, ARGS.profile)
            continue
        report(label, cycle, run(measure, ARGS.repeat))
    print(f"Offers on sale: {Offer.objects.filter(cycle__in=[c for _, c in cycles]).count()}")


if __name__ == "__main__":
    main()
