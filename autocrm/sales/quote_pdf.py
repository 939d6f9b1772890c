"""The printable quote: an A4 PDF in Chinese (or the active language) drawn with reportlab.

Chinese text uses reportlab's built-in CID font ``STSong-Light`` (Adobe's Song typeface, which
every PDF reader has), so no font file ships with the project; a TrueType font named by the
``QUOTE_PDF_FONT`` setting (a path) is used instead when it exists.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from autocrm.sales.models import Quote

CID_FONT = "STSong-Light"
_registered: str | None = None


def _font() -> str:
    """The font's name, registered once per process."""
    global _registered
    if _registered is not None:
        return _registered
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    path = getattr(settings, "QUOTE_PDF_FONT", "")
    if path and Path(path).is_file():
        pdfmetrics.registerFont(TTFont("QuoteFont", path))
        _registered = "QuoteFont"
    else:
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
        _registered = CID_FONT
    return _registered


def _money(value: Decimal) -> str:
    return f"¥{value:,.2f}"


def quote_pdf(quote: Quote) -> bytes:
    """The quote as PDF bytes: dealer, customer, lines, totals, validity and signature lines."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph as _Paragraph
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    normal = ParagraphStyle("normal", fontName=font, fontSize=10, leading=14)
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=24, alignment=1)

    def Paragraph(text: str, style: Any) -> Any:  # reportlab's name; the text is escaped
        return _Paragraph(escape(text), style)

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{_('Quote')} {quote}",
        author=quote.dealer.name,
    )
    opportunity = quote.opportunity
    model = opportunity.vehicle_model
    story: list[Any] = [
        Paragraph(quote.dealer.name, title),
        Paragraph(_("Vehicle sales quote"), title),
        Spacer(1, 6 * mm),
        Paragraph(f"{_('Quote number')}: {quote}", normal),
        Paragraph(
            f"{_('Customer')}: {quote.customer.name} ({quote.customer.number or ''})", normal
        ),
        Paragraph(f"{_('Opportunity')}: {opportunity.number or ''}", normal),
        Paragraph(f"{_('Model')}: {model if model is not None else '—'}", normal),
        Paragraph(
            f"{_('Date')}: {formats.date_format(quote.created_at.date(), 'Y-m-d')}"
            f"　{_('Valid until')}: {formats.date_format(quote.valid_until, 'Y-m-d')}",
            normal,
        ),
        Spacer(1, 5 * mm),
    ]
    header = [
        _("No."),
        _("Item"),
        _("Description"),
        _("Quantity"),
        _("Unit price"),
        _("Tax rate"),
        _("Amount incl. tax"),
    ]
    rows: list[list[Any]] = [header]
    for line in quote.lines.order_by("position", "id"):
        rows.append(
            [
                str(line.position),
                line.get_kind_display(),
                Paragraph(line.description, normal),
                str(line.quantity),
                _money(line.unit_price),
                f"{line.tax_rate * 100:.0f}%",
                _money(line.gross),
            ]
        )
    rows.append(["", "", _("Net total"), "", "", "", _money(quote.net_total)])
    rows.append(["", "", _("Tax"), "", "", "", _money(quote.tax_total)])
    rows.append(["", "", _("Total including tax"), "", "", "", _money(quote.gross_total)])
    table = Table(
        rows,
        colWidths=[10 * mm, 22 * mm, 60 * mm, 14 * mm, 26 * mm, 14 * mm, 28 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9),
                ("GRID", (0, 0), (-1, -4), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
                ("LINEABOVE", (0, -3), (-1, -3), 0.8, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm)]
    if quote.notes:
        story += [Paragraph(f"{_('Notes')}: {quote.notes}", normal), Spacer(1, 4 * mm)]
    story.append(
        Paragraph(
            _("This quote is valid until %(date)s. Prices in CNY.")
            % {"date": formats.date_format(quote.valid_until, "Y-m-d")},
            normal,
        )
    )
    story.append(Spacer(1, 16 * mm))
    signatures = Table(
        [
            [
                f"{_('Customer signature')}: ____________________",
                f"{_('Salesperson signature')}: ____________________",
            ],
            [f"{_('Date')}: ____________", f"{_('Dealer stamp')}:"],
        ],
        colWidths=[87 * mm, 87 * mm],
    )
    signatures.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 10)]))
    story.append(signatures)
    document.build(story)
    return buffer.getvalue()
