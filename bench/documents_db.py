"""Database side of ``bench/documents.py``: pick the cycle, scale it, render the unit, generate.

Run by ``documents.py`` with the bench database in ``DATABASE_URL``, one fresh
process per command (so that the peak memory of each measurement is its own);
never imported by the app::

    python bench/documents_db.py cycle
    python bench/documents_db.py scale --cycle 2 --factor 10 --seed 1
    python bench/documents_db.py unit --cycle 2 --repeat 5 [--producer 19]
    python bench/documents_db.py generate --cycle 2

Each command prints one JSON document on its last line of stdout. ``generate``
goes through the app's own path (``services.request_generation``, the task run
by the task backend in ``CABAS_TASKS_BACKEND``, Django's ``ImmediateBackend``
here); the only thing added is a timer around ``generation.build``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import statistics
import sys
import threading
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cabas.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402
from django.tasks.signals import task_finished  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from cabas.accounts.models import Membership, User  # noqa: E402
from cabas.cycles.models import Cycle, Offer, Order, OrderLine, Phase  # noqa: E402
from cabas.reports import documents, generation, services, tasks  # noqa: E402
from cabas.reports.data import cycle_producers, purchase_order  # noqa: E402
from cabas.reports.documents import CSV, PDF, Document  # noqa: E402
from cabas.reports.models import DocumentSet, Kind, Status, StoredDocument  # noqa: E402

BATCH = 500
BENCH_DOMAIN = "bench.cabas.localhost"
# Phases in which orders are closed: the documents are final, not provisional.
CLOSED = {Phase.CLOSED, Phase.FINALISED, Phase.DISTRIBUTED, Phase.SETTLED}
# Copies of a household's basket: how often a line becomes another product, or moves by one step.
SWAP_PRODUCT, MOVE_STEP = 0.15, 0.3
# The purchase order's spreadsheet columns (``sheets.purchase_order_table``): the amount is the 9th.
PO_COLUMNS, PO_AMOUNT = 10, 8


def _emit(payload: dict[str, Any]) -> None:
    print(json.dumps(payload))


def peak_rss_kb() -> int:
    """The peak resident memory of this process so far, plus that of its largest child (kilobytes).

    Each print is typeset in a child process forked for it (``reports.typesetter``):
    the sum is what the process and one child at a time can hold at most (pages
    they share are counted twice).
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return own + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


# How often the sampler reads the memory of this process and of its live children (seconds).
SAMPLE_EVERY = 0.02
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _rollup(pid: int | str) -> dict[str, int]:
    """``/proc/<pid>/smaps_rollup`` in kilobytes (empty once the process is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            lines = rollup.read().splitlines()[1:]
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return {}
    fields = (line.split() for line in lines)
    return {field[0].rstrip(":"): int(field[1]) for field in fields if len(field) >= 2}


def _children() -> list[str]:
    """The live child processes of this process (the typesetting ones), forked by any of its threads."""
    pids: list[str] = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children", encoding="ascii") as children:
                pids += children.read().split()
        except FileNotFoundError:
            pass
    return pids


def _resident_kb() -> int:
    """This process's Rss from ``/proc/self/statm``: a counter, read in no time (smaps walks every page)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE_KB


class Sampler(threading.Thread):
    """The memory really in use at once by this process and its typesetting children, every 20 ms.

    ``ru_maxrss`` of the process plus that of its largest child (``peak_rss_kb``)
    counts twice every page a forked child still shares with its parent, and
    adds two peaks that may not happen at the same moment. This reads, at the
    same moment, the parent's ``Rss`` plus each live child's ``Private_Clean`` +
    ``Private_Dirty`` (the pages only the child holds: what its fork really
    added): **in use**. Beside it, the ``Pss`` of them all (each shared page
    divided between the processes that map it, unrelated ones included, so a
    little less); the parent's part of it is read every fifth sample only, as
    reading ``smaps_rollup`` costs some milliseconds per 100 MB mapped. Keeps
    the maximum of each sum, overall and since the last ``window()``. A print
    shorter than a period can escape it; the big ones, which set the peak, last
    seconds. ``cpu`` is the CPU time spent sampling, which ``cpu_time`` leaves out.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = {"used": 0, "pss": 0}
        self.window_peak = dict(self.peak)
        self.cpu = 0.0
        self._own_pss = 0
        self._count = 0
        self._halt = threading.Event()
        self._lock = threading.Lock()

    def sample(self) -> None:
        started = time.thread_time()
        if not self._count % 5:
            self._own_pss = _rollup("self").get("Pss", 0)
        self._count += 1
        used, pss = _resident_kb(), self._own_pss
        for pid in _children():
            child = _rollup(pid)
            used += child.get("Private_Clean", 0) + child.get("Private_Dirty", 0)
            pss += child.get("Pss", 0)
        with self._lock:
            for peak in (self.peak, self.window_peak):
                peak["used"], peak["pss"] = max(peak["used"], used), max(peak["pss"], pss)
            self.cpu += time.thread_time() - started

    def run(self) -> None:
        while not self._halt.wait(SAMPLE_EVERY):
            self.sample()

    def window(self) -> dict[str, int]:
        """The peaks since the last call (one sample taken now), and a new window."""
        self.sample()
        with self._lock:
            peak, self.window_peak = self.window_peak, {"used": 0, "pss": 0}
        return peak

    def stop(self) -> dict[str, int]:
        self._halt.set()
        self.join()
        self.sample()
        return dict(self.peak)


# The sampler of the running measurement, if any: its CPU time is the bench's, not the app's.
SAMPLER: Sampler | None = None


def cpu_time() -> float:
    """CPU time of this process and of the children it waited for (the typesetting ones), not sampling's."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    sampling = SAMPLER.cpu if SAMPLER else 0.0
    return time.process_time() + children.ru_utime + children.ru_stime - sampling


# --- The cycle ------------------------------------------------------------------------------


def pick_cycle() -> dict[str, Any]:
    """The demo's closed cycle with the most orders (the latest among equals)."""
    cycles = [c for c in Cycle.objects.select_related("group") if c.phase() in CLOSED]
    if not cycles:
        raise SystemExit("no closed cycle in the demo")
    counts = dict(Order.objects.values_list("cycle_id").annotate(n=Count("pk")).order_by())
    cycle = max(cycles, key=lambda c: (counts.get(c.pk, 0), c.closes_at))
    return {
        "cycle": cycle.pk,
        "name": cycle.name,
        "group": cycle.group.slug,
        "phase": str(cycle.phase()),
        **cycle_figures(cycle),
    }


def cycle_figures(cycle: Cycle) -> dict[str, Any]:
    lines = OrderLine.objects.filter(order__cycle=cycle)
    return {
        "orders": Order.objects.filter(cycle=cycle).count(),
        "lines": lines.count(),
        "total_cents": lines.aggregate(total=Sum("total_cents"))["total"] or 0,
        "producers": cycle_producers(cycle).count(),
        "documents": len(generation.specs(cycle)),
    }


# --- Scaling ----------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """``Hélène`` -> ``helene``: for e-mail addresses."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum() and c.isascii()).lower()


def _quota_slack(cycle: Cycle) -> dict[int, int]:
    """``quota - remaining - what the lines hold``, per capped offer: scaling must not change it."""
    held = dict(
        OrderLine.objects.filter(offer__cycle=cycle, offer__quota__isnull=False)
        .values_list("offer_id")
        .annotate(q=Sum("quantity"))
        .order_by()
    )
    offers = Offer.objects.filter(cycle=cycle, quota__isnull=False)
    return {o.pk: o.quota - o.remaining - held.get(o.pk, 0) for o in offers}  # type: ignore[operator]


def scale(*, cycle_id: int, factor: int, seed: int) -> dict[str, Any]:
    """``factor - 1`` more households per existing order, each with a varied copy of that basket.

    New users (unusable passwords) and group memberships, orders and lines are
    bulk-created; amounts come from ``Offer.line_total``. Lines on a capped offer
    are copied as they are (a fair share stays within its cap per member) and
    the offer's quota grows by what the copies hold, so ``remaining`` keeps
    its meaning. The producers and offers stay those of the demo.
    """
    cycle = Cycle.objects.select_related("group").get(pk=cycle_id)
    slack_before = _quota_slack(cycle)
    orders = list(Order.objects.filter(cycle=cycle).select_related("user").order_by("pk"))
    offers = {o.pk: o for o in Offer.objects.filter(cycle=cycle)}
    lines: dict[int, list[OrderLine]] = defaultdict(list)
    for line in OrderLine.objects.filter(order__cycle=cycle).order_by("pk"):
        lines[line.order_id].append(line)
    rng = random.Random(f"{seed}:scale")
    users = _new_users(rng, orders, factor)
    User.objects.bulk_create(users, batch_size=BATCH)
    Membership.objects.bulk_create(
        (Membership(user=u, group=cycle.group, is_member=True, started_at=u.date_joined) for u in users),
        batch_size=BATCH,
    )
    sources = [order for _copy in range(1, factor) for order in orders]
    copies = [
        Order(
            cycle=cycle,
            user=user,
            version=1,
            submitted_at=source.submitted_at,
            created_at=source.created_at,
            updated_at=source.updated_at,
        )
        for user, source in zip(users, sources, strict=True)
    ]
    Order.objects.bulk_create(copies, batch_size=BATCH)
    new_lines, added = _copied_lines(rng, copies, sources, lines, offers)
    OrderLine.objects.bulk_create(new_lines, batch_size=BATCH)
    capped = [offers[pk] for pk in added if offers[pk].quota is not None]
    for offer in capped:
        offer.quota += added[offer.pk]  # type: ignore[operator]
    Offer.objects.bulk_update(capped, ["quota"], batch_size=BATCH)
    if _quota_slack(cycle) != slack_before:
        raise SystemExit("scaling changed what a quota says is left")
    return {"added_users": len(users), **cycle_figures(cycle)}


def _new_users(rng: random.Random, orders: list[Order], factor: int) -> list[User]:
    """One household per copy: a first name and a surname from the demo's, a phone number."""
    names = [o.user.full_name.split(" ", 1) for o in orders if " " in o.user.full_name]
    firsts, lasts = sorted({n[0] for n in names}), sorted({n[1] for n in names})
    users = []
    for copy in range(1, factor):
        for order in orders:
            first, last = rng.choice(firsts), rng.choice(lasts)
            phone = f"0{rng.choice('67')} " + " ".join(f"{rng.randrange(100):02d}" for _ in range(4))
            users.append(
                User(
                    email=f"{_fold(first)}.{_fold(last)}.{copy}-{order.pk}@{BENCH_DOMAIN}",
                    full_name=f"{first} {last}",
                    phone=phone if rng.random() < 0.7 else "",
                    password=f"{UNUSABLE_PASSWORD_PREFIX}bench",
                    date_joined=order.user.date_joined,
                )
            )
    return users


def _copied_lines(
    rng: random.Random,
    copies: list[Order],
    sources: list[Order],
    lines: dict[int, list[OrderLine]],
    offers: dict[int, Offer],
) -> tuple[list[OrderLine], dict[int, int]]:
    """The lines of each copy, and the quantity added per offer.

    A copied line may become another product of the same producer, one that
    somebody ordered already: the products on each purchase order stay the
    same at any scale, only the quantities grow.
    """
    ordered: dict[int, set[int]] = defaultdict(set)
    for source_lines in lines.values():
        for line in source_lines:
            offer = offers[line.offer_id]
            if offer.quota is None:
                ordered[offer.producer_id].add(offer.pk)
    pools = {producer: sorted(pks) for producer, pks in ordered.items()}
    result: list[OrderLine] = []
    added: dict[int, int] = defaultdict(int)
    for copy, source in zip(copies, sources, strict=True):
        taken = {line.offer_id for line in lines[source.pk]}
        for line in lines[source.pk]:
            offer, quantity, requested = offers[line.offer_id], line.quantity, line.requested
            if offer.quota is None:
                offer, quantity = _varied(rng, offer, quantity, pools, taken, offers)
                requested = quantity
            taken.add(offer.pk)
            added[offer.pk] += quantity
            result.append(
                OrderLine(
                    order_id=copy.pk,
                    offer_id=offer.pk,
                    quantity=quantity,
                    requested=requested,
                    total_cents=offer.line_total(quantity),
                    tolerance=line.tolerance if offer.pk == line.offer_id else 0,
                )
            )
    return result, added


def _varied(
    rng: random.Random,
    offer: Offer,
    quantity: int,
    pools: dict[int, list[int]],
    taken: set[int],
    offers: dict[int, Offer],
) -> tuple[Offer, int]:
    """Another product of the same producer now and then, a step more or less now and then."""
    if rng.random() < SWAP_PRODUCT:
        others = [pk for pk in pools[offer.producer_id] if pk not in taken]
        if others:
            offer = offers[rng.choice(others)]
            quantity = offer.min_quantity
    if rng.random() < MOVE_STEP:
        quantity = max(offer.min_quantity, quantity + rng.choice((-1, 1)) * offer.quantity_step)
    return offer, quantity


# --- The unit ---------------------------------------------------------------------------------


def pdf_pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def machine_work() -> int:
    """A fixed piece of pure-Python work, independent of the app and of the PDF engine.

    Its CPU time is the bench's second unit: it says how fast this machine is
    right now, so that runs of different code (another PDF engine) compare.
    """
    total = 0
    for i in range(1_500_000):
        total += (i * i) % 7
    return total


def unit(*, cycle_id: int, producer_id: int | None, repeat: int) -> dict[str, Any]:
    """One purchase order PDF rendered ``repeat`` times after a warm-up: the unit of every ratio.

    The producer is the one whose purchase order has the most rows (the fullest
    one-page document of the demo) unless ``producer_id`` says which.
    """
    cycle = Cycle.objects.select_related("group").get(pk=cycle_id)
    producers = list(cycle_producers(cycle))
    if producer_id is None:
        producer = max(producers, key=lambda p: (len(purchase_order(cycle, p).rows), p.name))
    else:
        producer = next(p for p in producers if p.pk == producer_id)

    def render() -> Document:
        return documents.purchase_order_document(cycle, producer, PDF)

    global SAMPLER
    SAMPLER = sampler = Sampler()
    sampler.start()
    warm_up, _cpu, document = _timed(render)
    pages = pdf_pages(document.content)
    if pages != 1:
        raise SystemExit(f"the purchase order of {producer.name} has {pages} pages, not one")
    runs = [_timed(render)[:2] for _ in range(repeat)]
    machine = [_timed(machine_work)[1] for _ in range(repeat)]
    in_use = sampler.stop()
    return {
        "machine_cpu": statistics.median(machine),
        "producer": producer.pk,
        "producer_name": producer.name,
        "rows": len(purchase_order(cycle, producer).rows),
        "pages": pages,
        "bytes": len(document.content),
        "warm_up": warm_up,
        "seconds": [wall for wall, _cpu in runs],
        "median": statistics.median(wall for wall, _cpu in runs),
        "cpu_median": statistics.median(cpu for _wall, cpu in runs),
        "peak_rss_kb": peak_rss_kb(),
        "peak_used_kb": in_use["used"],
        "peak_pss_kb": in_use["pss"],
    }


def _timed[T](call: Callable[[], T]) -> tuple[float, float, T]:
    wall, cpu = time.perf_counter(), cpu_time()
    result = call()
    return time.perf_counter() - wall, cpu_time() - cpu, result


# --- The whole generation -----------------------------------------------------------------------


class Recorder:
    """Wraps ``generation.build``: time, CPU time, size and peak memory after each document."""

    def __init__(self, sampler: Sampler) -> None:
        self.sampler = sampler
        self.builds: list[dict[str, Any]] = []
        self.tasks: list[dict[str, Any]] = []
        self._build = generation.build

    def install(self) -> None:
        # ``tasks._build`` looks ``gen.build`` up at each call: replacing the module attribute is enough.
        generation.build = self.build  # type: ignore[assignment]
        task_finished.connect(self.finished)

    def build(self, cycle: Cycle, spec: generation.Spec, slips_per_sheet: int) -> Document:
        self.sampler.window()  # what was in use before this document (storing the previous one) is not its
        wall, cpu, document = _timed(lambda: self._build(cycle, spec, slips_per_sheet))
        self.builds.append(
            {
                "kind": str(spec.kind.value),
                "fmt": spec.fmt,
                "producer": spec.producer.pk if spec.producer else None,
                "seconds": wall,
                "cpu": cpu,
                "bytes": len(document.content),
                "rss_kb": peak_rss_kb(),
                "used_kb": (in_use := self.sampler.window())["used"],
                "pss_kb": in_use["pss"],
            }
        )
        return document

    def finished(self, sender: Any, task_result: Any, **kwargs: Any) -> None:
        errors = [error.traceback[-2000:] for error in task_result.errors]
        self.tasks.append({"status": str(task_result.status), "errors": errors})


def generate(*, cycle_id: int) -> dict[str, Any]:
    """Ask for the cycle's documents as a coordinator's click does; the backend runs the task at once.

    The peak memory is read as soon as the task returns, before the checks
    (which read every stored file back).
    """
    backend = type(tasks.build_documents.get_backend()).__name__
    if backend != "ImmediateBackend":
        raise SystemExit(f"the task backend is {backend}: the bench needs the ImmediateBackend")
    global SAMPLER
    SAMPLER = sampler = Sampler()
    recorder = Recorder(sampler)
    recorder.install()
    cycle = Cycle.objects.select_related("group").get(pk=cycle_id)
    rss_before = peak_rss_kb()
    sampler.start()
    used_before = sampler.window()["used"]
    wall, cpu, doc_set = _timed(lambda: services.request_generation(cycle=cycle, by=None))
    peak = peak_rss_kb()
    in_use = sampler.stop()
    doc_set.refresh_from_db()
    stored = list(StoredDocument.objects.filter(document_set=doc_set).order_by("pk"))
    return {
        "seconds": wall,
        "cpu": cpu,
        "peak_rss_kb": peak,
        "peak_used_kb": in_use["used"],
        "peak_pss_kb": in_use["pss"],
        "sampling_cpu": sampler.cpu,
        "rss_before_kb": rss_before,
        "used_before_kb": used_before,
        "builds": recorder.builds,
        "tasks": recorder.tasks,
        "generation": doc_set.ready,
        "bytes": sum(d.size for d in stored),
        "pages": {
            f"{d.kind}:{d.fmt}:{d.producer_id}": pdf_pages(bytes(d.content)) for d in stored if d.fmt == PDF
        },
        "figures": cycle_figures(cycle),
        "checks": check(cycle, doc_set, stored, recorder.tasks),
    }


# --- Checks -----------------------------------------------------------------------------------


def _result(name: str, problems: list[str], ok_detail: str) -> dict[str, Any]:
    return {"name": name, "ok": not problems, "detail": "; ".join(problems[:5]) or ok_detail}


def check(
    cycle: Cycle, doc_set: DocumentSet, stored: list[StoredDocument], tasks: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    specs = generation.specs(cycle)
    status = doc_set.status
    task_problems = [f"task {t['status']}: {t['errors'][-1:]}" for t in tasks if t["status"] != "SUCCESSFUL"]
    if len(tasks) != 1:
        task_problems.append(f"{len(tasks)} task(s) ran, not one")
    served = [d for d in stored if d.generation == doc_set.ready]
    wanted = {(s.kind.value, s.fmt, s.producer.pk if s.producer else None) for s in specs}
    have = {(d.kind, d.fmt, d.producer_id) for d in served}
    count_problems = []
    if len(served) != len(specs) or have != wanted:
        count_problems.append(
            f"{len(served)} stored for {len(specs)} specs; missing {sorted(wanted - have)[:3]}"
        )
    if len(stored) != len(served):
        count_problems.append(f"{len(stored) - len(served)} file(s) of another generation left")
    if bad := [d.filename for d in served if d.size != len(d.content) or not d.size]:
        count_problems.append(f"size differs from the content (or empty): {bad[:3]}")
    return [
        _result("the task ran once and succeeded", task_problems, f"{tasks[0]['status'] if tasks else '-'}"),
        _result(
            "the set is ready with this generation",
            [] if status == Status.READY else [f"status {status}, error {doc_set.error!r}"],
            f"generation {doc_set.ready} ready",
        ),
        _result(
            "one stored file per spec, nothing else",
            count_problems,
            f"{len(served)} files for {len(specs)} specs",
        ),
        _check_purchase_orders(cycle, served),
    ]


def _cents(text: str) -> int:
    """``1234,56`` (the CSV's French amounts) in cents."""
    sign = -1 if text.startswith("-") else 1
    units, _comma, cents = text.lstrip("-").partition(",")
    return sign * (int(units) * 100 + int(cents))


def _check_purchase_orders(cycle: Cycle, served: list[StoredDocument]) -> dict[str, Any]:
    """Each purchase order CSV adds up to its totals row; all of them to the cycle's line totals."""
    expected = OrderLine.objects.filter(order__cycle=cycle).aggregate(t=Sum("total_cents"))["t"] or 0
    problems = []
    total = 0
    csvs = [d for d in served if d.kind == Kind.PURCHASE_ORDER and d.fmt == CSV]
    for document in csvs:
        rows = list(csv.reader(io.StringIO(bytes(document.content).decode("utf-8-sig")), delimiter=";"))
        header, body, totals = rows[0], rows[1:-1], rows[-1]
        if len(header) != PO_COLUMNS:
            problems.append(f"{document.filename}: {len(header)} columns, not {PO_COLUMNS}")
            continue
        in_rows = sum(_cents(row[PO_AMOUNT]) for row in body)
        if in_rows != _cents(totals[PO_AMOUNT]):
            problems.append(
                f"{document.filename}: rows add up to {in_rows}, totals row says {totals[PO_AMOUNT]}"
            )
        total += _cents(totals[PO_AMOUNT])
    if total != expected:
        problems.append(f"purchase orders add up to {total} cents, the cycle's lines to {expected}")
    return _result(
        "purchase order CSVs add up to the cycle's line totals, to the cent",
        problems,
        f"{len(csvs)} CSVs, {total} cents = sum of OrderLine.total_cents",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("cycle")
    grow = sub.add_parser("scale")
    grow.add_argument("--cycle", type=int, required=True)
    grow.add_argument("--factor", type=int, required=True)
    grow.add_argument("--seed", type=int, default=1)
    one = sub.add_parser("unit")
    one.add_argument("--cycle", type=int, required=True)
    one.add_argument("--producer", type=int)
    one.add_argument("--repeat", type=int, default=5)
    whole = sub.add_parser("generate")
    whole.add_argument("--cycle", type=int, required=True)
    args = parser.parse_args()
    if args.command == "cycle":
        _emit(pick_cycle())
    elif args.command == "scale":
        _emit(scale(cycle_id=args.cycle, factor=args.factor, seed=args.seed))
    elif args.command == "unit":
        _emit(unit(cycle_id=args.cycle, producer_id=args.producer, repeat=args.repeat))
    else:
        _emit(generate(cycle_id=args.cycle))


if __name__ == "__main__":
    main()
