"""Drive the explorers (helpers/frontend/explorer.js) in a Playwright page as a student does, with real key presses
and clicks, and read back what changed. Shared by the browser tests and `benchmarks/run_benchmarks.py`.

Each explorer view puts its state on its element: ``el.courseExplorer`` (its ``timings``: one entry per drawing,
with the time from the input event to the drawing being done, and to the next animation frame).
"""

from __future__ import annotations

import time

#: A cheap fingerprint of every canvas of an explorer: changes whenever any pixel it samples changes.
SIGNATURE = """root => Array.from(root.querySelectorAll('canvas')).map(canvas => {
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let hash = 0;
    for (let i = 0; i < pixels.length; i += 3) hash = (hash * 31 + pixels[i]) | 0;
    return `${canvas.width}x${canvas.height}:${hash}`;
}).join(',')"""

#: Is every canvas row drawn from its data (no "Loading"/"Computing" placeholder left)? Read from the view.
SETTLED = """root => { const view = root.parentNode.courseExplorer;
    return !view.data.pending.size && !view.frameRequested; }"""


def draw_every_explorer(page, timeout_ms: int = 30_000) -> None:
    """Scroll to each explorer of a site page, as a reader does (the site draws an explorer, and fetches its data,
    only when the reader comes near it), and wait until every one is drawn."""
    placeholders = page.locator(".course-explorer")
    for index in range(placeholders.count()):
        placeholders.nth(index).scroll_into_view_if_needed()
        page.wait_for_function("element => element.dataset.mounted === 'true' && element.querySelector('.cx-root')",
                               arg=placeholders.nth(index).element_handle(), timeout=timeout_ms)


def explorer_roots(page):
    """Locators of every explorer on the page (``.cx-root``, inside the widget or the site's placeholder)."""
    roots = page.locator(".cx-root")
    return [roots.nth(index) for index in range(roots.count())]


def wait_settled(root, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if root.evaluate(SETTLED):
            return
        time.sleep(0.05)
    raise AssertionError("the explorer still waits for data after %.0f s" % timeout_s)


def controls_of(root) -> list[dict]:
    """Every control of an explorer: ``{"kind", "label", "locator"}``, in page order."""
    found = []
    for index in range(root.locator(".cx-control").count()):
        control = root.locator(".cx-control").nth(index)
        label = control.locator("label, legend").first.text_content().strip()
        if control.locator("select").count():
            found.append({"kind": "select", "label": label, "locator": control.locator("select")})
        elif control.locator("input[type=range]").count():
            found.append({"kind": "range", "label": label, "locator": control.locator("input[type=range]")})
        elif control.locator("input[type=radio]").count():
            found.append({"kind": "radio", "label": label, "locator": control})
        elif control.locator("input[type=checkbox]").count():
            found.append({"kind": "checkbox", "label": label, "locator": control})
    return found


def move(page, control: dict, step: int = 0) -> None:
    """One move of a control with the keyboard (or a click, for a checkbox): the next value, or the previous one at
    the end of the range. ``step`` alternates directions so that repeated moves stay within the choices."""
    kind, locator = control["kind"], control["locator"]
    if kind == "range":
        locator.focus()
        at_end = locator.evaluate("input => Number(input.value) >= Number(input.max)")
        at_start = locator.evaluate("input => Number(input.value) <= Number(input.min)")
        forward = (step % 2 == 0 and not at_end) or at_start
        page.keyboard.press("ArrowRight" if forward else "ArrowLeft")
    elif kind == "select":
        count = locator.evaluate("select => select.options.length")
        index = locator.evaluate("select => select.selectedIndex")
        locator.focus()
        forward = (step % 2 == 0 and index < count - 1) or index == 0
        page.keyboard.press("ArrowDown" if forward else "ArrowUp")
    elif kind == "radio":
        radios = locator.locator("input[type=radio]")
        checked = next(i for i in range(radios.count()) if radios.nth(i).is_checked())
        radios.nth(checked).focus()
        page.keyboard.press("ArrowRight" if checked < radios.count() - 1 else "ArrowLeft")
    elif kind == "checkbox":
        boxes = locator.locator("input[type=checkbox]")
        target = boxes.nth(step % boxes.count())
        target.focus()
        page.keyboard.press("Space")
    else:  # pragma: no cover
        raise ValueError(kind)


def summary(root) -> str:
    """The explorer's aria-live text, as a screen reader gets it. ``textContent``, not ``inner_text``: JupyterLab
    skips rendering cells scrolled out of view (CSS ``content-visibility``), and then the rendered text is empty
    although the summary is there (seen in CI, while Run All scrolled on to later cells)."""
    return root.locator(".cx-summary").evaluate("element => element.textContent.trim()")


def wait_for_new_summary(page, root, before: str, timeout_s: float = 5.0) -> str:
    """The explorer's aria-live text once it differs from ``before`` (it follows the picture when the controls
    rest, about 0.3 s after the last move); fails after ``timeout_s``."""
    page.wait_for_function("([root, old]) => root.querySelector('.cx-summary').textContent !== old",
                           arg=[root.element_handle(), before], timeout=timeout_s * 1000)
    return summary(root)


def timings(root) -> list[dict]:
    return root.evaluate("root => root.parentNode.courseExplorer.timings.map(t => ({...t}))")


def clear_timings(root) -> None:
    root.evaluate("root => { root.parentNode.courseExplorer.timings.length = 0; }")


def unlabelled_inputs(root) -> list[str]:
    """Inputs without an accessible name (a <label for>, or a legend of their group plus their own label)."""
    return root.evaluate("""root => Array.from(root.querySelectorAll('input, select')).filter(input => {
        const label = input.id && root.querySelector(`label[for="${input.id}"]`);
        return !label || !label.textContent.trim();
    }).map(input => input.outerHTML.slice(0, 80))""")
