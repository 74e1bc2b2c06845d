"""PDF documents: Django templates under ``reports/`` printed by WeasyPrint.

The print stylesheet is inlined in the page (``reports/print.css``), and the
URL fetcher refuses every URL: a document never reads a file or the network,
whatever a producer typed in a product name.
"""

from __future__ import annotations

import logging
from typing import Any

import weasyprint
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

# WeasyPrint logs every page it lays out at INFO: 150 lines for the slips of a cycle. Its
# warnings (bad CSS, a refused URL) still get through; LOGGING in settings may say otherwise.
_progress = logging.getLogger("weasyprint.progress")
if _progress.level == logging.NOTSET:
    _progress.setLevel(logging.WARNING)


class NoFetching(weasyprint.URLFetcher):
    """Documents are self-contained: any URL (image, stylesheet, font) is refused."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        raise ValueError(f"Documents fetch nothing: {url[:80]}")


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: every character but letters, digits and spaces escaped.

    Used for the translated words of the page margins (``page 1 / 3``), which
    CSS generates; the escapes also keep ``</style>`` out of the stylesheet.
    """
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):06x}" for c in text)
    return f'"{escaped}"'


def print_context() -> dict[str, Any]:
    """What ``reports/print_base.html`` needs besides the document: margin texts, generation time."""
    now = timezone.localtime()
    generated = _("Printed on %(date)s at %(time)s") % {
        "date": date_format(now, "SHORT_DATE_FORMAT"),
        "time": date_format(now, "H:i"),
    }
    return {"css_page": css_string(_("page")), "css_generated": css_string(generated)}


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Render ``template`` with ``context`` in the active language and print it to PDF bytes."""
    html = render_to_string(template, {**print_context(), **context})
    document = weasyprint.HTML(string=html, url_fetcher=NoFetching(), media_type="print")
    pdf = document.write_pdf()
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return pdf
