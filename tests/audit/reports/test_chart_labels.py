"""Chart labels as the board reads them: every label in full, wrapped over lines, never cut (two
bars whose labels start alike looked the same when they were), and nothing drawn outside the chart."""

import datetime
from itertools import pairwise
from xml.etree import ElementTree

from audit.reports.render.svg import LABEL_W, WIDTH, chart_svg, text_width

SVG = "{http://www.w3.org/2000/svg}"
# Two questions of the coordinators' egenkontroll: the first 30 characters are the same.
SAME_START = ("Framgår av genomförandeplanen vilket eller vilka mål som gäller för insatsen?",
              "Framgår av genomförandeplanen hur insatsen ska genomföras?")


def _table(labels, values, kind="percent", label_key="question"):
    return {"key": "t", "title": "Kontrollfrågor", "definition": "Andel ja.",
            "columns": [{"key": label_key, "label": "Fråga", "kind": "text"},
                        {"key": "share", "label": "Andel ja", "kind": kind}],
            "rows": [{label_key: label, "share": value} for label, value in zip(labels, values, strict=True)]}


def _svg(chart, table):
    return ElementTree.fromstring(str(chart_svg(chart, table, "diagram-1")))


def _labels(root) -> list[ElementTree.Element]:
    return [t for t in root.iter(f"{SVG}text") if t.get("class") == "label"]


def _lines(text_el) -> list[str]:
    return [span.text for span in text_el.iter(f"{SVG}tspan")] or [text_el.text]


def _bar_chart(labels, values=None, kind="percent"):
    values = values or [50.0] * len(labels)
    return _svg({"title": "Andel ja per fråga", "table_key": "t", "label_column": "question",
                 "value_columns": ["share"], "kind": "bar"}, _table(labels, values, kind))


def test_two_bar_labels_that_start_alike_are_both_drawn_in_full_over_lines():
    root = _bar_chart(SAME_START)
    drawn = [" ".join(_lines(t)) for t in _labels(root)]
    assert drawn == list(SAME_START)  # nothing cut, so the two bars cannot look alike
    assert "…" not in ElementTree.tostring(root, encoding="unicode")
    for label in _labels(root):
        assert len(_lines(label)) > 1 or text_width(label.text, 12) <= LABEL_W
        for line in _lines(label):
            assert text_width(line, 12) <= LABEL_W - 6, line  # each line fits left of the bars


def test_wrapped_labels_do_not_overlap_and_the_chart_grows_to_hold_them():
    long = ["Har den enskilde varit delaktig i arbetet med upprättandet av genomförandeplanen och "
            "har hens synpunkter beaktats i planen som helhet?"] * 3
    root = _bar_chart(long)
    height = float(root.get("height"))
    spans = [[float(s.get("y")) for s in t.iter(f"{SVG}tspan")] for t in _labels(root)]
    assert all(len(ys) >= 4 for ys in spans)
    for above, below in pairwise(spans):
        assert max(above) + 12 <= min(below)  # the next label starts below the last line of this one
    assert max(spans[-1]) < height and root.get("viewBox") == f"0 0 {WIDTH} {root.get('height')}"


def test_a_word_longer_than_the_label_room_is_broken_not_cut():
    word = "Arbetsmarknadsutbildningsanordnarsamverkansöverenskommelse" * 2
    (label,) = _labels(_bar_chart([word]))
    assert "".join(_lines(label)) == word
    assert all(text_width(line, 12) <= LABEL_W - 6 for line in _lines(label))


def test_value_labels_and_legend_stay_inside_the_chart():
    table = {"key": "t", "title": "Kostnad", "definition": "Kronor.",
             "columns": [{"key": "unit", "label": "Enhet", "kind": "text"},
                         {"key": "now", "label": "Samma månad kvartal 1 2018 (jämförelse)", "kind": "kr"},
                         {"key": "then", "label": "Kvartal 1 2019, hela nämndens område", "kind": "kr"},
                         {"key": "more", "label": "Pågående vid periodens slut", "kind": "kr"}],
             "rows": [{"unit": "Ekonomiskt bistånd", "now": 123456789, "then": 1000, "more": 5}]}
    root = _svg({"title": "Kostnad per enhet", "table_key": "t", "label_column": "unit",
                 "value_columns": ["now", "then", "more"], "kind": "bar"}, table)
    values = [t for t in root.iter(f"{SVG}text") if t.get("class") == "value"]
    assert [v.text for v in values][0] == "123\u00a0456\u00a0789\u00a0kr"
    for v in values:
        assert float(v.get("x")) + text_width(v.text, 11) <= WIDTH
    legend = [t for t in root.iter(f"{SVG}text") if t.get("class") == "legend"]
    assert [t.text for t in legend] == [c["label"] for c in table["columns"][1:]]
    boxes = [(float(t.get("x")), float(t.get("y")), text_width(t.text, 12)) for t in legend]
    for x, _, w in boxes:
        assert x + w <= WIDTH
    for i, (x1, y1, w1) in enumerate(boxes):  # no two legend entries on top of each other
        for x2, y2, _ in boxes[i + 1:]:
            assert y1 != y2 or x1 + w1 < x2


def test_line_chart_axis_labels_are_whole_and_do_not_overlap():
    weeks = [f"v. {n} 2019 ({datetime.date(2019, 1, 7) + datetime.timedelta(weeks=n - 2):%Y-%m-%d})"
             for n in range(2, 14)]
    table = _table(weeks, [10.0 * i for i in range(12)], label_key="week")
    root = _svg({"title": "Andel per vecka", "table_key": "t", "label_column": "week",
                 "value_columns": ["share"], "kind": "line"}, table)
    labels = _labels(root)
    assert [" ".join(_lines(t)) for t in labels] == weeks
    # Too wide to stand side by side 12 times: each is turned upright, one line of text per week.
    xs = [float(t.get("x")) for t in labels]
    assert all(b - a >= 12 for a, b in pairwise(xs))
    assert all("rotate(-90" in (t.get("transform") or "") for t in labels)
    assert float(root.get("height")) >= 250 + max(text_width(w, 11) for w in weeks)


def test_line_chart_with_short_labels_keeps_them_level():
    months = ["2019-01", "2019-02", "2019-03"]
    root = _svg({"title": "Hushåll per månad", "table_key": "t", "label_column": "m", "value_columns": ["share"],
                 "kind": "line"}, _table(months, [1, 2, 3], "int", label_key="m"))
    labels = _labels(root)
    assert [t.text for t in labels] == months and not any(t.get("transform") for t in labels)


def test_an_empty_table_gives_a_chart_that_says_so():
    root = _bar_chart([])
    assert "Inga uppgifter i perioden." in ElementTree.tostring(root, encoding="unicode")
