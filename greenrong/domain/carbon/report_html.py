"""The carbon report as one self-contained HTML page: server-side rendered, the charts as
inline SVG, no script, no external asset (the page works offline and prints as it shows)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

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

_CSS = """
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "PingFang SC", sans-serif;
       margin: 2rem; color: #1d2b1f; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border: 1px solid #b9c9bb; padding: 0.3rem 0.5rem; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; color: #4b5d4d; padding: 0.3rem 0; }
.note { color: #4b5d4d; font-size: 0.85rem; }
"""


def bar_chart(title: str, bars: Sequence[tuple[str, Decimal]], *, unit: str = "tCO2e") -> str:
    """A horizontal bar chart as inline SVG; negative values draw as zero-length bars."""
    width, label_w, row, top = 720, 220, 26, 30
    height = top + row * max(len(bars), 1) + 10
    peak = max((v for _, v in bars), default=Decimal(0))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}">',
        f'<text x="0" y="18" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    span = width - label_w - 130
    for i, (label, value) in enumerate(bars):
        y = top + i * row
        w = 0 if peak <= 0 or value <= 0 else int(span * value / peak)
        out.append(f'<text x="0" y="{y + 16}" font-size="13">{escape(label)}</text>')
        out.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row - 8}" fill="#3c8d4f"/>'
        )
        out.append(
            f'<text x="{label_w + w + 6}" y="{y + 16}" font-size="13">'
            f"{escape(str(value))} {escape(unit)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def _table(caption: str, head: Sequence[str], rows: Sequence[Sequence[str]], nums: set[int]) -> str:
    th = "".join(
        f'<th class="num">{escape(h)}</th>' if i in nums else f"<th>{escape(h)}</th>"
        for i, h in enumerate(head)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(c)}</td>' if i in nums else f"<td>{escape(c)}</td>"
            for i, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><caption>{escape(caption)}</caption><tr>{th}</tr>{body}</table>"


def render_html(report: CarbonReport) -> str:
    r = report
    summary = summary_rows(r)
    parts = [
        "<!doctype html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{escape(title(r))}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{escape(title(r))}</h1>",
        f'<p class="note">{escape(subtitle(r))}</p>',
        "<h2>年度汇总</h2>",
        _table("碳账户年度数据", SUMMARY_HEAD, summary, {1})
        if summary
        else '<p class="note">本年度碳账户无记录。</p>',
        "<h2>排放明细</h2>",
        _table("各排放源的活动数据、排放因子与排放量", BREAKDOWN_HEAD, breakdown_rows(r), {4}),
        f'<p class="note">明细合计 {r.lines_total} tCO2e</p>',
        "<h2>按排放源</h2>",
        bar_chart("按排放源 (tCO2e)", [(t.section, t.value) for t in r.by_source]),
        "<h2>按年度</h2>",
        bar_chart("各年度排放总量 (tCO2e)", [(str(y.year), y.gross) for y in r.by_year]),
        "<h2>碳账户台账</h2>",
        _table(f"{r.year} 年度台账记录（按记录时间）", LEDGER_HEAD, ledger_rows(r), {2}),
        "</body></html>",
    ]
    return "\n".join(parts)
