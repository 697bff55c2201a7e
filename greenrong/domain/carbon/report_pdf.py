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
from greenrong.domain.carbon.report import CarbonReport
from greenrong.domain.carbon.report_html import shown

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
    pdf.set_title(f"{r.enterprise_name} {r.year} 年度碳排放报告")
    pdf.set_creator("greenrong")
    pdf.add_font(FAMILY, fname=str(font))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(FAMILY, size=17)
    pdf.multi_cell(0, 10, f"{r.enterprise_name} {r.year} 年度碳排放报告", new_x="LMARGIN")
    pdf.set_font(FAMILY, size=9)
    pdf.multi_cell(
        0,
        5,
        f"统一社会信用代码 {r.credit_code}；排放因子版本 "
        f"{'、'.join(r.factor_versions) or '—'}；{r.rounding}",
        new_x="LMARGIN",
        align="L",
    )
    _heading(pdf, "年度汇总")
    s = r.summary
    if s is None:
        pdf.cell(0, 6, "本年度碳账户无记录。", new_x="LMARGIN", new_y="NEXT")
    else:
        _table(
            pdf,
            ["指标", "数值"],
            [
                ["排放总量", f"{s.gross} tCO2e"],
                ["项目减排量（不抵扣）", f"{s.reductions} tCO2e"],
                ["碳信用抵消", f"{s.offsets} tCO2e"],
                ["净排放", f"{s.net} tCO2e"],
                ["排放强度（每万元营业收入）", shown(s.intensity_revenue, " tCO2e/万元")],
                ["较上年变化", shown(s.gross_change, " tCO2e")],
                ["第三方核查", "已核查" if s.verified else "未核查"],
            ],
            (60, 120),
        )
    _heading(pdf, "排放明细")
    _table(
        pdf,
        ["排放源类别", "项目", "活动数据", "排放因子", "排放量"],
        [
            [ln.section, ln.label, ln.activity, "；".join(ln.factors), f"{ln.value} {ln.unit}"]
            for ln in r.lines
        ],
        (30, 25, 28, 67, 30),
    )
    pdf.cell(0, 6, f"明细合计 {r.lines_total} tCO2e", new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "按排放源")
    _bars(pdf, [(t.section, t.value) for t in r.by_source])
    _heading(pdf, "按年度")
    _bars(pdf, [(str(y.year), y.gross) for y in r.by_year])
    _heading(pdf, "碳账户台账")
    _table(
        pdf,
        ["记录时间 (UTC)", "类型", "数量 (tCO2e)", "说明"],
        [
            [
                e.recorded_at.strftime("%Y-%m-%d %H:%M"),
                e.kind_zh + ("（冲正）" if e.reversal else ""),
                str(e.amount),
                e.detail,
            ]
            for e in r.entries
        ],
        (35, 40, 30, 75),
    )
    return bytes(pdf.output())
