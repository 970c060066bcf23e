// The course website's own behaviour, on top of the Furo theme (copied to _static/ by scripts/build_site.py).
// A classic script (not a module), so that it also runs when a page is opened straight from disk.
//
// 1. Menu buttons. The build turns Furo's menu icons (labels for hidden check boxes) into buttons with
//    data-course-toggle="<check box id>": a tap, Enter or Space opens or closes the menu, aria-expanded follows,
//    focus moves into the opened menu, and Escape closes it and gives focus back to its button.
// 2. Scrollable regions (wide code, tables, explorers on a phone) get tabindex="0", so that a keyboard can scroll
//    them; checked again when the window's width changes or an explorer appears.
// 3. Opened from disk, an explorer cannot load its data: its placeholder says so, and how to serve the folder.
// 4. Scripts that only add conveniences (copy buttons on code, highlighting a searched word) are loaded once the
//    page has loaded, in their order, so that the first paint does not wait for them. The build marks them
//    <script type="text/x-course-after-load" data-src="...">, which a browser neither fetches nor runs.
(function () {
  "use strict";

  const DRAWERS = { __navigation: ".sidebar-drawer", __toc: ".toc-drawer" };

  function connectMenus() {
    const buttons = Array.from(document.querySelectorAll("button[data-course-toggle]"));
    const boxes = new Set();
    function sync() {
      for (const button of buttons) {
        const box = document.getElementById(button.dataset.courseToggle);
        if (box) button.setAttribute("aria-expanded", String(box.checked));
      }
    }
    for (const button of buttons) {
      const box = document.getElementById(button.dataset.courseToggle);
      if (!box) continue;
      boxes.add(box);
      button.addEventListener("click", () => {
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
        if (box.checked) {
          const drawer = document.querySelector(DRAWERS[box.id]);
          const first = drawer && drawer.querySelector("a[href], input, button");
          if (first) setTimeout(() => first.focus({ preventScroll: true }), 50);
        }
      });
    }
    for (const box of boxes) box.addEventListener("change", sync);
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      for (const box of boxes) {
        if (!box.checked) continue;
        box.checked = false;
        box.dispatchEvent(new Event("change", { bubbles: true }));
        const visible = buttons.find((button) => button.dataset.courseToggle === box.id && button.offsetParent);
        if (visible) visible.focus();
      }
    });
    sync();
  }

  const SCROLLABLE = "pre, .cell_output .output, div.math, .table-wrapper, table.docutils, .cx-root, .cx-table-wrap";

  function markScrollable() {
    for (const region of document.querySelectorAll(SCROLLABLE)) {
      const scrolls = region.scrollWidth > region.clientWidth + 1 || region.scrollHeight > region.clientHeight + 1;
      if (scrolls && !region.hasAttribute("tabindex")) {
        region.setAttribute("tabindex", "0");
        region.dataset.courseScrollable = "true";
      } else if (!scrolls && region.dataset.courseScrollable) {
        region.removeAttribute("tabindex");
        delete region.dataset.courseScrollable;
      }
    }
  }

  let pending = 0;
  function markSoon() {
    clearTimeout(pending);
    pending = setTimeout(markScrollable, 150);
  }

  function explainDisk() {
    if (location.protocol !== "file:") return;
    for (const placeholder of document.querySelectorAll(".course-explorer-placeholder")) {
      placeholder.textContent = "This explorer loads its data from files beside the page, which browsers do not " +
        "allow for a page opened from disk. Serve the site's folder: run `python3 -m http.server` inside it and " +
        "open http://localhost:8000/ (Run the lessons yourself, in the menu, says more).";
    }
  }

  function loadConveniences() {
    for (const marker of document.querySelectorAll('script[type="text/x-course-after-load"]')) {
      const script = document.createElement("script");
      script.src = marker.dataset.src;
      script.async = false;  // run in the order they are listed (copybutton.js needs clipboard.min.js first)
      document.body.appendChild(script);
    }
  }

  function start() {
    if (document.readyState === "complete") loadConveniences();
    else window.addEventListener("load", loadConveniences, { once: true });
    connectMenus();
    markScrollable();
    explainDisk();
    window.addEventListener("resize", markSoon);
    const article = document.querySelector("article") || document.body;
    new MutationObserver(markSoon).observe(article, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
