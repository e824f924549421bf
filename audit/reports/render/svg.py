"""Charts as inline SVG, drawn on the server from a Chart spec and its table (no JavaScript).

Accessible: the SVG is role="img" with a <title> and a <desc> that points to the table shown
beside it, which is the chart's text alternative. Colours have at least 3:1 contrast on white.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from audit.reports.render import format_value

COLOURS = ("#0b4f8a", "#a14a00", "#2f6f2f", "#6a2c91")  # >= 3:1 on white (WCAG 1.4.11)
WIDTH, LABEL_W, BAR_H, GAP = 700, 250, 14, 10
MAX_LABEL = 32  # at 12 px, 32 characters fit in LABEL_W even in wide glyphs


def _number(value) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _short(text) -> str:
    text = str(text if text is not None else "–")
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _legend(series: list[dict], y: int) -> str:
    parts, x = [], LABEL_W
    for i, col in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="{y}" font-size="12">{escape(col["label"])}</text>')
        x += 24 + 7 * len(col["label"])
    return "".join(parts)


def _frame(chart_id: str, title: str, table_title: str, height: int, body: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every text inside is escaped above
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" aria-labelledby="{chart_id}-t {chart_id}-d" font-family="sans-serif">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">Samma uppgifter finns i tabellen «{escape(table_title)}».</desc>{body}</svg>'
    )


def bar_chart(chart: dict, table: dict, chart_id: str) -> SafeString:
    """Horizontal grouped bars: one group per row, one bar per value column (long labels fit)."""
    columns = {c["key"]: c for c in table["columns"]}
    series = [columns[k] for k in chart["value_columns"] if k in columns]
    rows = table["rows"]
    peak = max([_number(r.get(c["key"])) for r in rows for c in series] or [0]) or 1.0
    group_h = BAR_H * max(len(series), 1) + GAP
    top = 30
    height = top + group_h * max(len(rows), 1) + 10
    plot_w = WIDTH - LABEL_W - 60
    body = [_legend(series, 16)]
    if not rows:
        body.append(f'<text x="{LABEL_W}" y="{top + 14}" font-size="12">Inga uppgifter i perioden.</text>')
    for i, row in enumerate(rows):
        y0 = top + i * group_h
        label = row.get(chart["label_column"])
        body.append(f'<text x="{LABEL_W - 6}" y="{y0 + group_h / 2}" font-size="12" text-anchor="end" '
                    f'dominant-baseline="middle">{escape(_short(label))}</text>')
        for j, col in enumerate(series):
            value = row.get(col["key"])
            w = round(plot_w * _number(value) / peak, 1)
            y = y0 + j * BAR_H
            body.append(f'<rect x="{LABEL_W}" y="{y}" width="{w}" height="{BAR_H - 2}" '
                        f'fill="{COLOURS[j % len(COLOURS)]}"/>'
                        f'<text x="{LABEL_W + w + 4}" y="{y + BAR_H - 4}" font-size="11">'
                        f'{escape(format_value(value, col["kind"]))}</text>')
    body.append(f'<line x1="{LABEL_W}" y1="{top - 4}" x2="{LABEL_W}" y2="{height - 8}" stroke="#4a4a4a"/>')
    return _frame(chart_id, chart["title"], table["title"], height, "".join(body))


def line_chart(chart: dict, table: dict, chart_id: str) -> SafeString:
    """One line per value column over the rows in order (e.g. months)."""
    columns = {c["key"]: c for c in table["columns"]}
    series = [columns[k] for k in chart["value_columns"] if k in columns]
    rows = table["rows"]
    height, left, top, bottom = 300, 60, 30, 250
    peak = max([_number(r.get(c["key"])) for r in rows for c in series] or [0]) or 1.0
    step = (WIDTH - left - 20) / max(len(rows) - 1, 1)
    body = [_legend(series, 16),
            f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - 10}" y2="{bottom}" stroke="#4a4a4a"/>',
            f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#4a4a4a"/>',
            f'<text x="{left - 6}" y="{top + 4}" font-size="11" text-anchor="end">{escape(format_value(peak, "int"))}</text>',
            f'<text x="{left - 6}" y="{bottom}" font-size="11" text-anchor="end">0</text>']
    for i, row in enumerate(rows):
        x = left + i * step
        body.append(f'<text x="{x}" y="{bottom + 16}" font-size="11" text-anchor="middle">'
                    f'{escape(_short(row.get(chart["label_column"])))}</text>')
    for j, col in enumerate(series):
        points = [(left + i * step, bottom - (bottom - top) * _number(r.get(col["key"])) / peak) for i, r in enumerate(rows)]
        colour = COLOURS[j % len(COLOURS)]
        body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                    f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}"/>')
        body.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points)
    return _frame(chart_id, chart["title"], table["title"], height, "".join(body))


def chart_svg(chart: dict, table: dict, chart_id: str) -> SafeString:
    return (line_chart if chart.get("kind") == "line" else bar_chart)(chart, table, chart_id)
