"""WCAG 2 AA contrast of the colours templates/base.html declares.

The colour pairs are read from the stylesheet itself (custom properties resolved), so changing a
colour in base.html re-checks it: text 4.5:1 (WCAG 2.x SC 1.4.3), the focus indicator 3:1 against
what surrounds it (SC 1.4.11). The ratio is computed with WCAG's relative-luminance formula.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

TEXT = 4.5
NON_TEXT = 3.0


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def stylesheet() -> dict[str, dict[str, str]]:
    """{selector: {property: value}} of the site's stylesheet, var(--x) resolved."""
    css = re.sub(r"/\*.*?\*/", "", (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text(), flags=re.S)
    rules: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = {k.strip(): v.strip() for k, v in (d.split(":", 1) for d in body.split(";") if ":" in d)}
        for selector in selectors.split(","):
            rules.setdefault(" ".join(selector.split()), {}).update(declarations)
    variables = {k[2:]: v for k, v in rules[":root"].items() if k.startswith("--")}
    for declarations in rules.values():
        for k, v in declarations.items():
            declarations[k] = re.sub(r"var\(--([\w-]+)\)", lambda m: variables[m.group(1)], v)
    return rules


def colour(rules, selector: str, prop: str) -> str:
    """The one hex colour in a declaration ("color: #fff", "outline: 3px solid #ffbf47", ...)."""
    found = re.findall(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b", rules[selector][prop])
    assert len(found) == 1, f"{selector} {{{prop}}}: expected one colour, got {rules[selector][prop]!r}"
    return found[0]


def test_formula_matches_known_wcag_values():
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#777777", "#777777") == pytest.approx(1)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest AA grey on white
    assert contrast("#ffffff", "#767676") == contrast("#767676", "#ffffff")


# (what, foreground (selector, property), background (selector, property))
TEXT_PAIRS = [
    ("body text", ("body", "color"), ("body", "background")),
    ("links", ("a", "color"), ("body", "background")),
    ("header text", ("header.site", "color"), ("header.site", "background")),
    ("header links and buttons", ("header.site a", "color"), ("header.site", "background")),
    ("error text", (".errorlist", "color"), ("body", "background")),
    ("error text (.error)", (".error", "color"), ("body", "background")),
    ("help text", (".help", "color"), ("body", "background")),
    ("buttons", ("button", "color"), ("button", "background")),
    ("secondary buttons", ("button.secondary", "color"), ("button.secondary", "background")),
    ("table headers", ("body", "color"), ("th", "background")),
    ("status ok", (".status-ok", "color"), ("body", "background")),
    ("status bad", (".status-bad", "color"), ("body", "background")),
    ("status warn", (".status-warn", "color"), ("body", "background")),
    ("messages", ("body", "color"), (".messages li", "background")),
    ("error messages", ("body", "color"), (".messages li.error", "background")),
    ("skip link", (".skip-link", "color"), (".skip-link", "background")),
]


@pytest.mark.parametrize(("what", "fg", "bg"), TEXT_PAIRS, ids=[p[0] for p in TEXT_PAIRS])
def test_text_contrast_is_aa(what, fg, bg):
    rules = stylesheet()
    ratio = contrast(colour(rules, *fg), colour(rules, *bg))
    assert ratio >= TEXT, f"{what}: {ratio:.2f}:1 < {TEXT}:1"


@pytest.mark.parametrize("background", [("body", "background"), ("header.site", "background")], ids=["page", "header"])
def test_focus_indicator_stands_out_against_each_background(background):
    # The indicator is two rings: a yellow outline outside a dark box-shadow. Against each
    # background at least one ring must reach 3:1, and the rings must differ by 3:1 from each other.
    rules = stylesheet()
    outline = colour(rules, ":focus-visible", "outline")
    ring = colour(rules, ":focus-visible", "box-shadow")
    bg = colour(rules, *background)
    assert max(contrast(outline, bg), contrast(ring, bg)) >= NON_TEXT
    assert contrast(outline, ring) >= NON_TEXT
    assert rules[":focus-visible"]["outline"].split()[0] in ("2px", "3px", "4px")  # thick enough to see
