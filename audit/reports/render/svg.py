"""Charts as inline SVG, drawn on the server from a Chart spec and its table (no JavaScript).

Accessible: the SVG is role="img" with a <title> and a <desc> that points to the table shown
beside it, which is the chart's text alternative. Colours have at least 3:1 contrast on white.

No label is ever cut: two bars whose labels start alike looked the same when they were. Long labels
wrap over lines (a word longer than a line is broken, not shortened) and the chart grows to hold
them; the page, the PDF and the XLSX show the same full text. The web page and WeasyPrint have no
shared font metrics, so widths are estimated generously (see text_width) and the chart names the
widest fonts first: a narrower fallback font only leaves more room.
"""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from audit.reports.render import format_value

COLOURS = ("#0b4f8a", "#a14a00", "#2f6f2f", "#6a2c91")  # >= 3:1 on white (WCAG 1.4.11)
FONT = "DejaVu Sans, Verdana, sans-serif"  # the PDF's font first; Verdana has the same wide metrics
WIDTH, LABEL_W, BAR_H, GAP = 700, 250, 14, 10
TITLE_SIZE, LABEL_SIZE, VALUE_SIZE = 13, 12, 11
LINE_H = 15  # baseline to baseline for 12 px text


def text_width(text: str, size: float) -> float:
    """The drawn width of text in DejaVu Sans/Verdana, rounded up per class of character (their
    advance widths are 0.32-0.98 em); no font file is needed, so page and PDF lay out alike."""
    em = 0.0
    for ch in str(text):
        if ch in " .,:;'!|()[]ijlftI":
            em += 0.40
        elif ch in "mwMW%—…":
            em += 1.00
        elif ch.isupper() or ch.isdigit() or ch in "–«»&":
            em += 0.74
        else:
            em += 0.64
    return em * size


def wrap(text, size: float, room: float) -> list[str]:
    """Lines of at most `room` px: words are kept whole where they fit, a longer word is broken."""
    lines: list[str] = []
    line = ""
    for word in str(text if text not in (None, "") else "–").split():
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size) <= room:
            line = candidate
            continue
        if line:
            lines.append(line)
        while text_width(word, size) > room:  # break, never cut: every character stays
            cut = 1
            while text_width(word[:cut + 1], size) <= room:
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    return [*lines, line] if line else lines or ["–"]


def _tspans(lines: list[str], x: float, y: float) -> str:
    return "".join(f'<tspan x="{x:g}" y="{y + i * LINE_H:g}">{escape(line)}</tspan>' for i, line in enumerate(lines))


def _title(title: str) -> tuple[str, int]:
    """The chart's title drawn inside it (so a printed chart says what it shows); its height."""
    lines = wrap(title, TITLE_SIZE, WIDTH - 4)
    text = f'<text class="chart-title" font-size="{TITLE_SIZE}" font-weight="bold">{_tspans(lines, 0, TITLE_SIZE)}</text>'
    return text, TITLE_SIZE + LINE_H * len(lines)


def _legend(series: list[dict], left: float, top: float) -> tuple[str, float]:
    """One swatch and label per series, in rows from `left`, a new row when the next would not fit;
    returns the SVG and the y below the legend."""
    parts, x, y = [], left, top + LABEL_SIZE
    for i, col in enumerate(series):
        label = str(col["label"])
        item_w = 16 + text_width(label, LABEL_SIZE)
        if x > left and x + item_w > WIDTH:
            x, y = left, y + LINE_H + 4
        parts.append(f'<rect x="{x:g}" y="{y - 10:g}" width="12" height="12" fill="{COLOURS[i % len(COLOURS)]}"/>'
                     f'<text class="legend" x="{x + 16:g}" y="{y:g}" font-size="{LABEL_SIZE}">{escape(label)}</text>')
        x += item_w + 14
    return "".join(parts), y + 12


def _frame(chart_id: str, title: str, table_title: str, height: float, body: str) -> SafeString:
    height = math.ceil(height)
    return mark_safe(  # noqa: S308 - every text inside is escaped above
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" aria-labelledby="{chart_id}-t {chart_id}-d" font-family="{FONT}">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">Samma uppgifter finns i tabellen «{escape(table_title)}».</desc>{body}</svg>'
    )


def _series(chart: dict, table: dict) -> list[dict]:
    columns = {c["key"]: c for c in table["columns"]}
    return [columns[k] for k in chart["value_columns"] if k in columns]


def _number(value) -> float:
    return max(float(value), 0.0) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def bar_chart(chart: dict, table: dict, chart_id: str) -> SafeString:
    """Horizontal grouped bars: one group per row, one bar per value column. Each row's label wraps
    in the room left of the bars and its group is as tall as the label or the bars, whichever is more."""
    series, rows = _series(chart, table), table["rows"]
    peak = max([_number(r.get(c["key"])) for r in rows for c in series] or [0]) or 1.0
    texts = [[format_value(r.get(c["key"]), c["kind"]) for c in series] for r in rows]
    value_room = max([text_width(t, VALUE_SIZE) for row in texts for t in row] or [0]) + 10
    plot_w = WIDTH - LABEL_W - value_room
    title, y = _title(chart["title"])
    legend, top = _legend(series, LABEL_W, y)
    body = [title, legend]
    if not rows:
        body.append(f'<text x="{LABEL_W}" y="{top + 14}" font-size="{LABEL_SIZE}">Inga uppgifter i perioden.</text>')
        top += 20
    y = top
    bars_h = BAR_H * max(len(series), 1)
    for row, row_texts in zip(rows, texts, strict=True):
        lines = wrap(row.get(chart["label_column"]), LABEL_SIZE, LABEL_W - 6)
        label_h = LINE_H * len(lines)
        group_h = max(label_h, bars_h)
        first_baseline = y + (group_h - label_h) / 2 + LABEL_SIZE - 1
        body.append(f'<text class="label" x="{LABEL_W - 6}" y="{first_baseline:g}" font-size="{LABEL_SIZE}" '
                    f'text-anchor="end">{_tspans(lines, LABEL_W - 6, first_baseline)}</text>')
        bar_y = y + (group_h - bars_h) / 2
        for j, (col, text) in enumerate(zip(series, row_texts, strict=True)):
            w = round(plot_w * _number(row.get(col["key"])) / peak, 1)
            by = bar_y + j * BAR_H
            body.append(f'<rect x="{LABEL_W}" y="{by:g}" width="{w:g}" height="{BAR_H - 2}" '
                        f'fill="{COLOURS[j % len(COLOURS)]}"/>'
                        f'<text class="value" x="{LABEL_W + w + 4:g}" y="{by + BAR_H - 4:g}" '
                        f'font-size="{VALUE_SIZE}">{escape(text)}</text>')
        y += group_h + GAP
    body.append(f'<line x1="{LABEL_W}" y1="{top - 4:g}" x2="{LABEL_W}" y2="{y:g}" stroke="#4a4a4a"/>')
    return _frame(chart_id, chart["title"], table["title"], y + 10, "".join(body))


def _axis_labels(labels: list[str], xs: list[float], step: float, bottom: float) -> tuple[list[str], float]:
    """Labels under a line chart's points: level, wrapped over at most three lines, where every word
    fits between two points; otherwise each turned upright on one line (weeks with their dates).
    Returns the SVG parts and the height they take below the axis."""
    room = step - 6
    lines = [wrap(label, VALUE_SIZE, room) for label in labels]
    level = len(labels) == 1 or (all(text_width(w, VALUE_SIZE) <= room for label in labels for w in label.split())
                                 and max(len(ls) for ls in lines) <= 3)
    if level:
        parts = [f'<text class="label" x="{x:g}" y="{bottom + 16:g}" font-size="{VALUE_SIZE}" text-anchor="middle">'
                 + (escape(ls[0]) if len(ls) == 1 else _tspans(ls, x, bottom + 16)) + "</text>"
                 for x, ls in zip(xs, lines, strict=True)]
        return parts, 16 + LINE_H * max(len(ls) for ls in lines)
    # Turned -90 degrees the glyphs stand left of their baseline: 4 px right of the tick centres them.
    parts = [f'<text class="label" x="{x + 4:g}" y="{bottom + 8:g}" font-size="{VALUE_SIZE}" text-anchor="end" '
             f'transform="rotate(-90 {x + 4:g} {bottom + 8:g})">{escape(label)}</text>'
             for x, label in zip(xs, labels, strict=True)]
    return parts, 12 + max(text_width(label, VALUE_SIZE) for label in labels)


def line_chart(chart: dict, table: dict, chart_id: str) -> SafeString:
    """One line per value column over the rows in order (e.g. months or weeks)."""
    series, rows = _series(chart, table), table["rows"]
    peak = max([_number(r.get(c["key"])) for r in rows for c in series] or [0]) or 1.0
    peak_text = format_value(peak, series[0]["kind"] if series else "int")
    left = max(60, math.ceil(text_width(peak_text, VALUE_SIZE)) + 12)
    title, y = _title(chart["title"])
    legend, top = _legend(series, left, y)
    bottom = top + 220
    step = (WIDTH - left - 20) / max(len(rows) - 1, 1)
    xs = [left + i * step for i in range(len(rows))]
    labels = [str(r.get(chart["label_column"]) if r.get(chart["label_column"]) not in (None, "") else "–") for r in rows]
    axis, axis_h = _axis_labels(labels, xs, step, bottom) if rows else ([], 0)
    body = [title, legend,
            f'<line x1="{left}" y1="{bottom:g}" x2="{WIDTH - 10}" y2="{bottom:g}" stroke="#4a4a4a"/>',
            f'<line x1="{left}" y1="{top:g}" x2="{left}" y2="{bottom:g}" stroke="#4a4a4a"/>',
            f'<text x="{left - 6}" y="{top + 4:g}" font-size="{VALUE_SIZE}" text-anchor="end">{escape(peak_text)}</text>',
            f'<text x="{left - 6}" y="{bottom:g}" font-size="{VALUE_SIZE}" text-anchor="end">0</text>', *axis]
    if not rows:
        body.append(f'<text x="{left + 10}" y="{top + 30:g}" font-size="{LABEL_SIZE}">Inga uppgifter i perioden.</text>')
    for x in xs:
        body.append(f'<line x1="{x:.1f}" y1="{bottom:g}" x2="{x:.1f}" y2="{bottom + 4:g}" stroke="#4a4a4a"/>')
    for j, col in enumerate(series):
        points = [(x, bottom - (bottom - top) * _number(r.get(col["key"])) / peak) for x, r in zip(xs, rows, strict=True)]
        colour = COLOURS[j % len(COLOURS)]
        body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                    f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}"/>')
        body.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points)
    return _frame(chart_id, chart["title"], table["title"], bottom + axis_h + 10, "".join(body))


def chart_svg(chart: dict, table: dict, chart_id: str) -> SafeString:
    return (line_chart if chart.get("kind") == "line" else bar_chart)(chart, table, chart_id)
