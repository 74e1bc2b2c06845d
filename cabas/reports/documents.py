"""Every document of a cycle as bytes, ready to download, attach to an e-mail or store.

One function per document: it reads the data layer once, then renders the
requested format in the group's language (the group has no language of its
own yet: the site's ``LANGUAGE_CODE``, French). Nothing here knows about
requests or permissions, so a background task can call the same functions.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.text import slugify
from pypdf import PdfReader, PdfWriter

from cabas.catalog.models import Producer
from cabas.cycles.models import Cycle, Order
from cabas.lib.french import elide
from cabas.reports import data as reports_data
from cabas.reports import day, day_prints, day_sheets, prints, sheets
from cabas.reports.data import DocumentHeader, Matrix
from cabas.reports.pdf import render_pdf
from cabas.reports.writers import Table, write_csv, write_xlsx

PDF, XLSX, CSV = "pdf", "xlsx", "csv"
CONTENT_TYPES = {
    PDF: "application/pdf",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}
FORMATS: dict[str, tuple[str, ...]] = {
    "purchase_order": (PDF, XLSX, CSV),
    "distribution_list": (PDF, XLSX),
    "slips": (PDF,),
    "matrix": (PDF, XLSX, CSV),
    "summary": (PDF, XLSX),
}
# After the distribution day (``day``): made on request from the day as it stands, never stored.
DAY_FORMATS: dict[str, tuple[str, ...]] = {
    "day_report": (PDF, XLSX),
    "cheques": (PDF,),
    "day_summary": (PDF, XLSX),
}
ALL_FORMATS = FORMATS | DAY_FORMATS
SLIPS_PER_SHEET = (1, 2, 3)
# Producer columns per printed table of the matrix: beyond this, A4 landscape columns get too narrow.
MATRIX_COLUMNS_PER_PART = 9
# Typst keeps every page of a document in memory until it is written: the slips of a cycle
# are printed this many at a time, then put together (measured in bench/README.md).
SLIPS_PER_PRINT = 25
# The same for the matrix: rows per print (a member's row in each table of producers). Typst
# needs some 190 MB for 1000 rows, 110 MB for 500: at 1,500 orders, 1000 rows made the matrix
# the largest use of memory of all the documents (measured in bench/README.md).
MATRIX_ROWS_PER_PRINT = 500


class UnknownFormat(ValueError):
    """The document does not exist in that format (views answer 404)."""


@dataclass(frozen=True)
class Document:
    """A file, with ``data_hash``: a fingerprint of the figures it shows (not of the bytes,
    which change with the time of printing), to tell whether a new version says anything new."""

    content: bytes
    content_type: str
    filename: str
    data_hash: str = ""


def data_hash(data: object) -> str:
    """A fingerprint of a document's data (frozen dataclasses of plain values: ``repr`` is stable)."""
    return hashlib.sha256(repr(data).encode()).hexdigest()


def group_language() -> Any:
    """The language documents are laid out in: the group's (for now the site's default)."""
    return translation.override(settings.LANGUAGE_CODE)


def _check(kind: str, fmt: str) -> None:
    if fmt not in ALL_FORMATS[kind]:
        raise UnknownFormat(f"{kind} has no {fmt} format")


def _filename(title: str, header: DocumentHeader, fmt: str) -> str:
    return f"{slugify(f'{title} {header.cycle_name}')[:120]}.{fmt}"


def _render(
    fmt: str,
    title: str,
    header: DocumentHeader,
    pdf: Callable[[], bytes],
    tables: Callable[[], list[Table]],
    data: object,
) -> Document:
    """Call the renderer of ``fmt`` (inside the group's language, like the title)."""
    if fmt == PDF:
        content = pdf()
    elif fmt == XLSX:
        content = write_xlsx(tables())
    else:
        content = write_csv(tables()[0])
    return Document(content, CONTENT_TYPES[fmt], _filename(title, header, fmt), data_hash(data))


def purchase_order_document(cycle: Cycle, producer: Producer, fmt: str) -> Document:
    """The producer's purchase order: totals per product, cartons, total amount (PDF, XLSX, CSV)."""
    _check("purchase_order", fmt)
    data = reports_data.purchase_order(cycle, producer)
    with group_language():
        title = sheets.purchase_order_title(data)
        pdf = lambda: render_pdf("purchase_order.typ", prints.purchase_order(data, title))  # noqa: E731
        return _render(fmt, title, data.header, pdf, lambda: [sheets.purchase_order_table(data)], data)


def distribution_list_document(cycle: Cycle, producer: Producer, fmt: str) -> Document:
    """One row per member: items, estimated weights, actual weight to write, amount, tick box."""
    _check("distribution_list", fmt)
    data = reports_data.distribution_list(cycle, producer)
    with group_language():
        title = sheets.distribution_list_title(data)
        pdf = lambda: render_pdf("distribution_list.typ", prints.distribution_list(data, title))  # noqa: E731
        return _render(fmt, title, data.header, pdf, lambda: [sheets.distribution_list_table(data)], data)


def slips_document(cycle: Cycle, fmt: str = PDF, per_sheet: int = 1) -> Document:
    """Every member's slip, one per page or ``per_sheet`` per A4 sheet."""
    _check("slips", fmt)
    if per_sheet not in SLIPS_PER_SHEET:
        raise UnknownFormat(f"{per_sheet} slips per sheet")
    data = reports_data.member_slips(cycle)
    with group_language():
        title = translation.gettext("Member slips")
        return _render(fmt, title, data.header, lambda: _slips_pdf(title, data, per_sheet), list, data)


def _slips_pdf(title: str, data: reports_data.MemberSlips, per_sheet: int) -> bytes:
    """Print the slips ``SLIPS_PER_PRINT`` at a time (a multiple of ``per_sheet``) and join the parts.

    Each slip carries its number (``12 / 150``) instead of a page number,
    which the separate parts could not count.
    """
    count = len(data.slips)
    last = max([count, *(s.number for s in data.slips)])  # a basket left at zero keeps its number
    size = SLIPS_PER_PRINT - SLIPS_PER_PRINT % per_sheet
    return print_in_parts(
        "slips.typ",
        (
            prints.slips(title, data.header, data.slips[start : start + size], per_sheet, start + 1, last)
            for start in range(0, max(count, 1), size)
        ),
    )


def print_in_parts(layout: str, prints_: Iterable[prints.Data]) -> bytes:
    """Print ``layout`` once per data and join the PDFs: one part's pages in memory at a time.

    Each part's data is made when it is printed and dropped after. The parts are
    joined once all are printed, not as they come: the joined pages weigh more
    than the parts' bytes, and would sit in memory beside each typesetting child.
    """
    parts = [render_pdf(layout, data) for data in prints_]
    return parts[0] if len(parts) == 1 else join_pdfs(parts)


def join_pdfs(parts: list[bytes]) -> bytes:
    """One PDF of every page of ``parts``, in order."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def member_slip_document(
    cycle: Cycle, order: Order, number: int | None = None, total: int | None = None
) -> Document:
    """One member's own slip (PDF); with ``number`` (of ``total``), the slip number the day finds it by."""
    slip = reports_data.member_slip(cycle, order)
    count = (total or number) if number else None
    with group_language():
        title = elide(
            translation.gettext("Slip of %(member)s") % {"member": slip.member.name}, slip.member.name
        )
        pdf = lambda: render_pdf("slips.typ", prints.slips(title, slip.header, [slip], 1, number or 1, count))  # noqa: E731
        return _render(PDF, title, slip.header, pdf, list, slip)


def matrix_document(cycle: Cycle, fmt: str) -> Document:
    """Who ordered where: members x producers with the amount due to each, and contacts."""
    _check("matrix", fmt)
    data = reports_data.matrix(cycle)
    with group_language():
        title = sheets.matrix_title()
        pdf = lambda: _matrix_pdf(title, data)  # noqa: E731
        return _render(fmt, title, data.header, pdf, lambda: [sheets.matrix_table(data)], data)


def _matrix_pdf(title: str, data: Matrix) -> bytes:
    """Print the parts of the matrix, at most ``MATRIX_ROWS_PER_PRINT`` rows a print, and join the prints.

    Page numbers are left out when there are several prints (they could not
    count across them); then each table says its part and which members it holds.
    """
    parts = matrix_parts(data)
    prints_: list[list[dict[str, Any]]] = []
    room = 0
    for number, part in enumerate(parts, start=1):
        rows, start = part["rows"], 0
        while True:
            if not room:
                prints_.append([])
                room = MATRIX_ROWS_PER_PRINT
            end = min(start + room, len(rows))
            chunk = {**part, "rows": rows[start:end], "number": number, "first": start + 1, "last": end}
            prints_[-1].append(
                {**chunk, "closes_part": end == len(rows), "opens_document": start == 0 == number - 1}
            )
            room, start = room - (end - start), end
            if end == len(rows):
                break
    context = {"numbered": len(prints_) == 1, "part_count": len(parts), "member_count": len(data.rows)}
    context["total_cents"] = data.total_cents
    return print_in_parts(
        "matrix.typ", (prints.matrix(title, data.header, chunks, context) for chunks in prints_)
    )


def matrix_parts(data: Matrix, per_part: int = MATRIX_COLUMNS_PER_PART) -> list[dict[str, Any]]:
    """The printed matrix cut into tables of at most ``per_part`` producers, of even widths."""
    count = max(1, math.ceil(len(data.producers) / per_part))
    size = max(1, math.ceil(len(data.producers) / count))
    totals = data.producer_totals
    parts = []
    for start in range(0, max(len(data.producers), 1), size):
        end = start + size
        rows = [
            {"member": r.member, "amounts": r.amounts[start:end], "total_cents": r.total_cents}
            for r in data.rows
        ]
        parts.append({"producers": data.producers[start:end], "rows": rows, "totals": totals[start:end]})
    return parts


def summary_document(cycle: Cycle, fmt: str) -> Document:
    """For coordinators: turnover per producer, number of baskets, cartons per product."""
    _check("summary", fmt)
    data = reports_data.cycle_summary(cycle)
    with group_language():
        title = sheets.summary_title()
        pdf = lambda: render_pdf("summary.typ", prints.summary(data, title))  # noqa: E731
        return _render(fmt, title, data.header, pdf, lambda: sheets.summary_tables(data), data)


# --- After the distribution day --------------------------------------------------------------


def day_report_document(cycle: Cycle, producer: Producer, fmt: str) -> Document:
    """A producer's day: handed over to whom, actual amounts, payments by method, shortages, totals."""
    _check("day_report", fmt)
    data = day.producer_day(cycle, producer)
    with group_language():
        title = day_sheets.producer_day_title(data)
        pdf = lambda: render_pdf("day_report.typ", day_prints.producer_day(data, title))  # noqa: E731
        return _render(fmt, title, data.header, pdf, lambda: day_sheets.producer_day_tables(data), data)


def cheques_document(cycle: Cycle, producer: Producer, fmt: str = PDF) -> Document:
    """The bordereau de remise de chèques: the cheques received at the producer's stand."""
    _check("cheques", fmt)
    data = day.producer_day(cycle, producer)
    with group_language():
        title = day_sheets.cheques_title(data)
        pdf = lambda: render_pdf("cheques.typ", day_prints.cheques(data, title))  # noqa: E731
        return _render(fmt, title, data.header, pdf, list, data.cheques)


def day_summary_document(cycle: Cycle, fmt: str) -> Document:
    """For coordinators and the treasurer: per producer due, handed over, paid, owed; loose ends."""
    _check("day_summary", fmt)
    data = day.day_summary(cycle)
    with group_language():
        title = day_sheets.day_summary_title()
        pdf = lambda: render_pdf("day_summary.typ", day_prints.day_summary(data, title))  # noqa: E731
        return _render(fmt, title, data.header, pdf, lambda: day_sheets.day_summary_tables(data), data)
