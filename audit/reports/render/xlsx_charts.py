"""The page's charts as native Excel charts (openpyxl), drawn from the cells of the table above them,
so a reader who corrects nothing still sees the chart follow the figures, with their number format."""

from __future__ import annotations

import math

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Font

HEADER_ROW = 4  # the table's column labels (xlsx.render_xlsx); its rows follow from row 5
ROW_CM = 0.53  # Excel's default row height (15 pt) in centimetres, to place charts under each other


def _height_cm(spec: dict, rows: int, series: int) -> float:
    if spec.get("kind") == "line":
        return 9.0
    return min(40.0, max(7.5, 2.5 + rows * (0.45 * series + 0.6)))  # a group per row, room for two label lines


def _native(spec: dict, ws, table: dict, formats: dict):
    keys = [c["key"] for c in table["columns"]]
    last = HEADER_ROW + len(table["rows"])
    chart = LineChart() if spec.get("kind") == "line" else BarChart()
    if isinstance(chart, BarChart):
        chart.type = "bar"  # horizontal, as on the page: long labels read across
        chart.x_axis.scaling.orientation = "maxMin"  # first row at the top, as in the table
        chart.y_axis.crosses = "max"  # ...and the value axis at the bottom again
    for key in spec["value_columns"]:
        if key in keys:
            col = keys.index(key) + 1
            chart.add_data(Reference(ws, min_col=col, min_row=HEADER_ROW, max_row=last), titles_from_data=True)
    label_col = keys.index(spec["label_column"]) + 1
    chart.set_categories(Reference(ws, min_col=label_col, min_row=HEADER_ROW + 1, max_row=last))
    kinds = [c["kind"] for c in table["columns"] if c["key"] in spec["value_columns"]]
    chart.y_axis.number_format = formats.get(kinds[0] if kinds else "number", formats["number"])
    # openpyxl 3.1 writes axes as deleted unless told otherwise, and Excel then hides them.
    chart.x_axis.delete = chart.y_axis.delete = False
    # The figure beside each bar or point, in its cell's format; nothing else, or the labels crowd.
    chart.dataLabels = DataLabelList(showVal=True, showCatName=False, showSerName=False, showLegendKey=False,
                                     showPercent=False)
    chart.x_axis.tickLblSkip = 1  # every row's label, however many: a skipped one cannot be told apart
    chart.title, chart.legend.position = spec["title"], "b"
    chart.width, chart.height = 20.0, _height_cm(spec, len(table["rows"]), len(spec["value_columns"]))
    return chart


def add_charts(ws, table: dict, specs: list[dict], formats: dict) -> None:
    """Each chart of this table under it, one below the other; a table with no rows gets a line
    saying so instead (a chart over no cells is a broken file in Excel)."""
    row = HEADER_ROW + len(table["rows"]) + 3
    for spec in specs:
        if not table["rows"]:
            ws.cell(row=row, column=1, value=f"Diagram «{spec['title']}»: inga uppgifter i perioden.").font = Font(italic=True)
            row += 2
            continue
        chart = _native(spec, ws, table, formats)
        ws.add_chart(chart, f"A{row}")
        row += math.ceil(chart.height / ROW_CM) + 2
