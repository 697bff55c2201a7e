"""The carbon report as a PDF (fpdf2), with its Chinese text in an embedded font subset, so the
text renders anywhere and extracts as text.

The font is not shipped with greenrong: no well-kept PyPI package carries a Chinese font, so it
comes from Debian's ``fonts-wqy-microhei`` (文泉驿微米黑, Apache-2.0 / GPLv3 with font
exception), which ``tests/carbon/setup`` installs for the tests and DEPLOYMENT.md names for
production. ``GREENRONG_REPORT_FONT`` points at another TTF/TTC. Without one, ``FontMissing``
says what to install instead of writing a PDF of empty boxes.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from greenrong.core.errors import DomainError, ErrorCode
from greenrong.domain.carbon.report import (
    BREAKDOWN_HEAD,
    LEDGER_HEAD,
    SUMMARY_HEAD,
    CarbonReport,
    breakdown_rows,
    ledger_rows,
    subtitle,
    summary_rows,
    title,
)

#: where Debian's Chinese font packages put their fonts (first found wins)
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
FAMILY = "cjk"
GREEN = (60, 141, 79)


class FontMissing(DomainError):
    code = ErrorCode.NOT_SUPPORTED

    def __init__(self, tried: Sequence[Path]) -> None:
        super().__init__(
            "no Chinese font for the PDF: install the Debian package fonts-wqy-microhei "
            "(apt-get install fonts-wqy-microhei) or set GREENRONG_REPORT_FONT to a TTF/TTC "
            "file; tried " + ", ".join(str(p) for p in tried)
        )


def find_font(configured: Path | None = None) -> Path:
    tried = [configured] if configured is not None else list(FONT_CANDIDATES)
    for path in tried:
        if path.is_file():
            return path
    raise FontMissing(tried)


class _Report(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.cell(0, 8, f"第 {self.page_no()} 页", align="C")


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(4)
    pdf.set_font(FAMILY, size=13)
    pdf.cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=9)


def _table(
    pdf: FPDF, head: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int]
) -> None:
    with pdf.table(
        col_widths=tuple(widths),
        headings_style=FontFace(emphasis=None, fill_color=(226, 238, 228)),
        line_height=5.5,
        text_align="LEFT",
    ) as table:
        for r in [head, *rows]:
            row = table.row()
            for cell in r:
                row.cell(cell)


def _bars(pdf: FPDF, bars: Sequence[tuple[str, Decimal]], unit: str = "tCO2e") -> None:
    """A horizontal bar chart drawn with rectangles (the same data as the page's SVG)."""
    left, label_w, span, row = pdf.l_margin, 55.0, 90.0, 7.0
    peak = max((v for _, v in bars), default=Decimal(0))
    for label, value in bars:
        if pdf.will_page_break(row):
            pdf.add_page()
        y = pdf.get_y()
        w = 0.0 if peak <= 0 or value <= 0 else float(span * float(value / peak))
        pdf.set_xy(left, y)
        pdf.cell(label_w, row, label)
        pdf.set_fill_color(*GREEN)
        if w > 0:
            pdf.rect(left + label_w, y + 1.2, w, row - 2.4, style="F")
        pdf.set_xy(left + label_w + w + 2, y)
        pdf.cell(40, row, f"{value} {unit}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_fill_color(255, 255, 255)


def render_pdf(report: CarbonReport, *, font: Path) -> bytes:
    r = report
    pdf = _Report(orientation="portrait", format="A4")
    pdf.set_title(title(r))
    pdf.set_creator("greenrong")
    pdf.add_font(FAMILY, fname=str(font))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(FAMILY, size=17)
    pdf.multi_cell(0, 10, title(r), new_x="LMARGIN")
    pdf.set_font(FAMILY, size=9)
    pdf.multi_cell(0, 5, subtitle(r), new_x="LMARGIN", align="L")
    _heading(pdf, "年度汇总")
    summary = summary_rows(r)
    if summary:
        _table(pdf, SUMMARY_HEAD, summary, (60, 120))
    else:
        pdf.cell(0, 6, "本年度碳账户无记录。", new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "排放明细")
    _table(pdf, BREAKDOWN_HEAD, breakdown_rows(r), (30, 25, 28, 67, 30))
    pdf.cell(0, 6, f"明细合计 {r.lines_total} tCO2e", new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "按排放源")
    _bars(pdf, [(t.section, t.value) for t in r.by_source])
    _heading(pdf, "按年度")
    _bars(pdf, [(str(y.year), y.gross) for y in r.by_year])
    _heading(pdf, "碳账户台账")
    _table(pdf, LEDGER_HEAD, ledger_rows(r), (38, 37, 30, 75))
    return bytes(pdf.output())
