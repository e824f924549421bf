"""axe-core in the browser: the WCAG 2.1 A and AA checks, run on the page as the user sees it.

axe-core (Deque, MPL-2.0) is vendored unmodified under vendor/axe-core/ at a pinned version, so a
clean clone runs the scan with no install step and no network. It is put into the page through
the browser's debugging protocol (page.evaluate), which the page's Content-Security-Policy does
not govern: the policy the site sends stays as it is while the page is scanned.
"""

from __future__ import annotations

from pathlib import Path

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
# WCAG 2.0 and 2.1, levels A and AA (axe's tags); best practices and AAA are not asked for.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))
  }));
}"""


def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def violations(page, source: str) -> list[dict]:
    """The page's WCAG 2.1 A/AA violations, each {id, impact, help, nodes}; axe put in first if needed."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    return page.evaluate(_RUN, WCAG_21_AA)


def blocking(found: list[dict]) -> list[dict]:
    """The serious and critical ones: the scan's bar (issue 13)."""
    return [v for v in found if v["impact"] in BLOCKING]


def describe(where: str, found: list[dict]) -> list[str]:
    """One line per violation and element, readable in a test failure."""
    return [f"{where}: {v['id']} ({v['impact']}) {v['help']} at {n['target']}" for v in found for n in v["nodes"][:5]]

