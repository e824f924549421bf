/* A table wider than its box scrolls inside it (.table-wrap). A box that scrolls must be reachable
   by keyboard (WCAG 2.1.1): it gets the focus (tabindex 0) and a name from the table's caption, so
   arrow keys scroll it and a screen reader says what it is. Only while it actually scrolls, so a
   table that fits adds no stop to the Tab order; checked again when the width changes. */
(function () {
  function mark(box) {
    var scrolls = box.scrollWidth > box.clientWidth;
    if (scrolls && !box.hasAttribute("tabindex")) {
      var caption = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", (caption && caption.textContent.trim()) || "Tabell");
    } else if (!scrolls && box.getAttribute("role") === "region") {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
  function markAll() { document.querySelectorAll(".table-wrap").forEach(mark); }
  document.addEventListener("DOMContentLoaded", markAll);
  window.addEventListener("resize", markAll);
  document.addEventListener("htmx:afterSwap", markAll);  // the report list refreshes itself
})();
