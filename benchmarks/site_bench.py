"""Measure a built course website the way a reader's phone meets it (issue 10).

Serves a built site folder over loopback with a plain static server (no compression, like `python3 -m http.server`),
opens each page in Playwright-driven Chromium (Debian's /usr/bin/chromium, never a downloaded browser) in a fresh
context (empty cache) at 390x844 (mobile, touch) and records:

* the first visit: number of requests and bytes transferred (the sum of the responses' encoded body sizes, i.e.
  what this uncompressed server sends), everything the page loads before any interaction (until the network has
  been idle for a moment); also what the same responses would weigh gzip-compressed (what most static hosts send),
  and the biggest assets;
* every request to another host (blocked, and listed);
* console errors;
* axe-core violations (rule id, impact, number of nodes), in light mode and, when the theme has one, dark mode;
* whether the navigation works by touch and by keyboard at 390, 800 and 1280 px: the site navigation (primary
  sidebar) and the page's table of contents (secondary sidebar) are either already on screen, or a visible menu
  button (tapped; or reached with Tab and pressed with Enter) brings them on screen.

Optionally (--lighthouse) runs Lighthouse 12.2.3 (mobile preset, simulated throttling) on the landing page and
every lesson, after the other measurements (one page at a time; run it on an otherwise quiet machine).

    python3 course.py site-bench                 # the built site: every page, a markdown table, JSON in benchmarks/results
    python3 course.py site-bench --lighthouse    # the same, plus Lighthouse on the landing page and every lesson

    python benchmarks/site_bench.py measure _build/site/_build/html --label current --out current.json
    python benchmarks/site_bench.py compare current.json other.json      # a markdown table per page

axe-core comes from the site build's npm folder (.cache/site-node); Lighthouse from npm, installed by course.py
into .cache/lighthouse-node (`npm i -E lighthouse@12.2.3`: version 13 needs Node 22); Chromium from CHROME_PATH or
/usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROME_PATH") or os.environ.get("COURSE_CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
MOBILE = {"width": 390, "height": 844}
NAV_WIDTHS = (390, 800, 1280)
TEXT_TYPES = re.compile(r"text/|javascript|json|svg|xml|css")

# Where the menu buttons and sidebars are, in the themes tried (pydata/sphinx-book-theme, Furo); first match wins.
PRIMARY_TOGGLES = ["button[data-course-toggle='__navigation']", "button.primary-toggle", "label.nav-overlay-icon", "label[for='__navigation']"]
PRIMARY_SIDEBARS = ["#pst-primary-sidebar-modal .bd-sidebar-primary", "dialog[open] .bd-sidebar-primary",
                    ".bd-sidebar-primary", ".sidebar-drawer"]
SECONDARY_TOGGLES = ["button[data-course-toggle='__toc']", "button.secondary-toggle", "label.toc-overlay-icon", "label[for='__toc']"]
SECONDARY_SIDEBARS = ["#pst-secondary-sidebar-modal .bd-sidebar-secondary", "dialog[open] .bd-sidebar-secondary",
                      ".bd-sidebar-secondary", ".toc-drawer"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # noqa: D102
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def list_pages(root: Path) -> list[str]:
    """Every HTML page of the site but bare redirects and the build's own reports."""
    pages = []
    for path in sorted(root.rglob("*.html")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(("_static/", "_sources/", "reports/", "_images/")):
            continue
        head = path.read_text(encoding="utf-8", errors="replace")[:3000]
        if 'http-equiv="Refresh"' in head or "http-equiv='refresh'" in head.lower():
            continue
        pages.append(relative)
    landing = [p for p in pages if p.endswith("site/index.html") or p == "index.html"]
    return landing + [p for p in pages if p not in landing]


def on_screen(page, selectors: list[str], width: int) -> bool:
    """Whether the first existing element of `selectors` that is displayed lies (mostly) inside the viewport."""
    for selector in selectors:
        for element in page.query_selector_all(selector):
            if not element.is_visible():
                continue
            box = element.bounding_box()
            if box and box["width"] > 40 and box["height"] > 40 and box["x"] > -5 and box["x"] < width - 40:
                visible = page.evaluate(
                    "e => { const s = getComputedStyle(e); return s.visibility !== 'hidden' && s.opacity !== '0'; }",
                    element)
                if visible:
                    return True
    return False


def visible_toggle(page, selectors: list[str]):
    for selector in selectors:
        for element in page.query_selector_all(selector):
            if element.is_visible():
                box = element.bounding_box()
                if box and box["width"] > 0:
                    return selector, element
    return None, None


def check_navigation(browser, url: str, width: int, toggles: list[str], sidebars: list[str]) -> dict:
    """Is the sidebar on screen already, and if not, does a tap, or Tab+Enter, on the menu button show it?"""
    height = 844 if width == 390 else 1000
    result = {}
    for method in ("touch", "keyboard"):
        context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=width < 1000,
                                      has_touch=True)
        context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
        page = context.new_page()
        page.goto(url, wait_until="load")
        page.wait_for_timeout(300)
        if on_screen(page, sidebars, width):
            context.close()
            return {"already_shown": True}
        selector, toggle = visible_toggle(page, toggles)
        if toggle is None:
            context.close()
            return {"already_shown": False, "toggle": None, "touch": False, "keyboard": False}
        result["toggle"] = selector
        result["toggles_in_page"] = sum(len(page.query_selector_all(s)) for s in toggles)
        if method == "touch":
            toggle.tap()
        else:
            reached = False
            for _ in range(60):
                page.keyboard.press("Tab")
                if page.evaluate("e => e === document.activeElement || e.contains(document.activeElement)", toggle):
                    reached = True
                    break
            result["keyboard_reaches_toggle"] = reached
            if reached:
                page.keyboard.press("Enter")
        page.wait_for_timeout(600)
        result[method] = on_screen(page, sidebars, width)
        context.close()
    result["already_shown"] = False
    return result


def dark_mode_script() -> str:
    # pydata-sphinx-theme reads localStorage "mode"; Furo reads "theme". Both set before the page's scripts run.
    return "try { localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark'); } catch (e) {}"


def run_axe(page, axe_source: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                               ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
                               " target: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))")
    return violations


def page_is_dark(page) -> bool:
    return page.evaluate("""() => {
        const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
        for (const e of [document.body, document.documentElement]) {
            const [r, g, b, a] = parse(getComputedStyle(e).backgroundColor);
            if (a === 0) continue;
            if (r !== undefined) return (0.2126 * r + 0.7152 * g + 0.0722 * b) < 100;
        }
        return false;
    }""")


def measure_page(browser, base: str, relative: str, axe_source: str) -> dict:
    url = base + relative
    context = browser.new_context(viewport=MOBILE, is_mobile=True, has_touch=True, device_scale_factor=3)
    external: list[str] = []
    responses: list[dict] = []
    console_errors: list[str] = []

    def block(route):
        external.append(route.request.url[:160])
        route.abort()

    context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), block)
    page = context.new_page()
    page.on("console", lambda message: console_errors.append(message.text[:200]) if message.type == "error" else None)
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(url, wait_until="load")
    try:
        page.wait_for_load_state("networkidle", timeout=15000)
    except Exception:  # noqa: BLE001 - a page that never goes idle is measured as it is
        pass
    page.wait_for_timeout(500)
    for request in finished:
        if not request.url.startswith(base):
            continue
        response = request.response()
        if response is None:
            continue
        sizes = request.sizes()
        body = sizes["responseBodySize"]
        kind = response.headers.get("content-type", "")
        gz = body
        if TEXT_TYPES.search(kind):
            try:
                gz = len(gzip.compress(response.body(), 6))
            except Exception:  # noqa: BLE001
                pass
        responses.append({"url": request.url[len(base):], "bytes": body, "gzip": gz, "type": kind.split(";")[0],
                          "status": response.status})
    light = run_axe(page, axe_source)
    has_dark = bool(page.query_selector(".theme-switch-button, .theme-toggle, [data-bs-theme], .theme-toggle-container"))
    context.close()

    dark = None
    dark_applied = False
    if has_dark:
        context = browser.new_context(viewport=MOBILE, is_mobile=True, has_touch=True, color_scheme="dark")
        context.add_init_script(dark_mode_script())
        context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
        page = context.new_page()
        page.goto(url, wait_until="load")
        try:
            page.wait_for_load_state("networkidle", timeout=15000)
        except Exception:  # noqa: BLE001
            pass
        dark_applied = page_is_dark(page)
        dark = run_axe(page, axe_source)
        context.close()

    responses.sort(key=lambda r: -r["bytes"])
    return {
        "page": relative,
        "requests": len(responses),
        "bytes": sum(r["bytes"] for r in responses),
        "gzip_bytes": sum(r["gzip"] for r in responses),
        "failed": [r["url"] for r in responses if r["status"] >= 400],
        "biggest": responses[:6],
        "external": external,
        "console_errors": console_errors,
        "axe_light": light,
        "axe_dark": dark,
        "dark_applied": dark_applied,
    }


def lighthouse(npm_dir: Path, url: str) -> dict:
    binary = npm_dir / "node_modules" / ".bin" / "lighthouse"
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "report.json"
        flags = "--headless=new " + " ".join(CHROMIUM_ARGS)
        command = [str(binary), url, "--output=json", f"--output-path={out}", "--quiet",
                   f"--chrome-flags={flags}", "--only-categories=performance,accessibility,best-practices,seo"]
        subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM}, check=False, timeout=300,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not out.exists():
            return {"error": "lighthouse wrote no report"}
        report = json.loads(out.read_text())
    scores = {key: round(category["score"] * 100) if category["score"] is not None else None
              for key, category in report["categories"].items()}
    audits = report["audits"]
    metrics = {name: audits[name].get("displayValue") for name in
               ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
                "speed-index", "total-byte-weight") if name in audits}
    failing = sorted(audit_id for category in report["categories"].values() if category["id"] != "performance"
                     for ref in category["auditRefs"] if ref.get("weight", 0) > 0
                     for audit_id in [ref["id"]] if audits[audit_id].get("score") not in (None, 1))
    return {"scores": scores, "metrics": metrics, "failing_audits": failing}


def measure(args) -> None:
    from playwright.sync_api import sync_playwright

    root = Path(args.site).resolve()
    pages = args.pages or list_pages(root)
    axe_source = (Path(args.npm_dir) / "node_modules" / "axe-core" / "axe.min.js").read_text()
    server, base = serve(root)
    results = {"label": args.label, "site": str(root), "pages": [], "navigation": {}, "lighthouse": {}}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for relative in pages:
                started = time.time()
                record = measure_page(browser, base, relative, axe_source)
                record["nav_390"] = {
                    "primary": check_navigation(browser, base + relative, 390, PRIMARY_TOGGLES, PRIMARY_SIDEBARS),
                    "secondary": check_navigation(browser, base + relative, 390, SECONDARY_TOGGLES, SECONDARY_SIDEBARS),
                }
                results["pages"].append(record)
                print(f"{relative:<50} {record['bytes'] / 1024:>7.0f} KB {record['requests']:>3} req  "
                      f"axe {sum(v['nodes'] for v in record['axe_light'])} nodes  "
                      f"nav {record['nav_390']['primary']}  ({time.time() - started:.0f} s)", flush=True)
            lesson = next((p for p in pages if "notebooks/" in p), pages[0])
            for width in NAV_WIDTHS:
                results["navigation"][str(width)] = {
                    "page": lesson,
                    "primary": check_navigation(browser, base + lesson, width, PRIMARY_TOGGLES, PRIMARY_SIDEBARS),
                    "secondary": check_navigation(browser, base + lesson, width, SECONDARY_TOGGLES, SECONDARY_SIDEBARS),
                }
            browser.close()
        if args.lighthouse:
            chosen = [pages[0]] + [p for p in pages if p.startswith("notebooks/")]
            for relative in (args.lighthouse_pages or chosen):
                results["lighthouse"][relative] = lighthouse(Path(args.lighthouse_npm_dir), base + relative)
                print(relative, results["lighthouse"][relative], flush=True)
    finally:
        server.shutdown()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1))
    print(f"written {args.out}\n")
    compare(argparse.Namespace(results=[args.out], biggest=True))


def lighthouse_only(args) -> None:
    """Add Lighthouse scores to an earlier measure's JSON (run it while the machine is otherwise idle)."""
    root = Path(args.site).resolve()
    results = json.loads(Path(args.out).read_text()) if Path(args.out).exists() else {"label": args.label, "pages": []}
    results.setdefault("lighthouse", {})
    server, base = serve(root)
    try:
        for relative in args.pages:
            results["lighthouse"][relative] = lighthouse(Path(args.npm_dir), base + relative)
            print(relative, results["lighthouse"][relative], flush=True)
    finally:
        server.shutdown()
    Path(args.out).write_text(json.dumps(results, indent=1))


def nav_summary(nav: dict) -> str:
    if nav.get("already_shown"):
        return "shown"
    if nav.get("toggle") is None:
        return "no button"
    return f"tap {'yes' if nav.get('touch') else 'NO'}, key {'yes' if nav.get('keyboard') else 'NO'}"


def axe_summary(violations) -> str:
    if violations is None:
        return "-"
    if not violations:
        return "0"
    return ", ".join(f"{v['id']}×{v['nodes']}" for v in violations)


def compare(args) -> None:
    runs = [json.loads(Path(path).read_text()) for path in args.results]
    pages = [p["page"] for p in runs[0]["pages"]]
    for other in runs[1:]:
        pages += [p["page"] for p in other["pages"] if p["page"] not in pages]
    print("| page | site | KB (as served) | KB (gzip est.) | requests | other hosts | axe light | axe dark | "
          "menu 390 px | contents 390 px |")
    print("|---|---|---:|---:|---:|---:|---|---|---|---|")
    for page in pages:
        for run in runs:
            record = next((p for p in run["pages"] if p["page"] == page), None)
            if record is None:
                continue
            print(f"| {page} | {run['label']} | {record['bytes'] / 1024:.0f} | {record['gzip_bytes'] / 1024:.0f} | "
                  f"{record['requests']} | {len(record['external'])} | {axe_summary(record['axe_light'])} | "
                  f"{axe_summary(record['axe_dark'])}{'' if record['dark_applied'] or record['axe_dark'] is None else ' (dark not applied)'} | "
                  f"{nav_summary(record['nav_390']['primary'])} | {nav_summary(record['nav_390']['secondary'])} |")
    print("\nNavigation on a lesson page (site menu / page contents):\n")
    print("| site | " + " | ".join(f"{w} px" for w in NAV_WIDTHS) + " |")
    print("|---|" + "---|" * len(NAV_WIDTHS))
    for run in runs:
        cells = [f"{nav_summary(run['navigation'][str(w)]['primary'])} / {nav_summary(run['navigation'][str(w)]['secondary'])}"
                 for w in NAV_WIDTHS]
        print(f"| {run['label']} | " + " | ".join(cells) + " |")
    if any(run["lighthouse"] for run in runs):
        print("\nLighthouse 12 (mobile):\n")
        print("| page | site | perf | a11y | best practices | SEO | LCP | TBT | failing audits (not perf) |")
        print("|---|---|---:|---:|---:|---:|---|---|---|")
        for run in runs:
            for page, report in run["lighthouse"].items():
                if "scores" not in report:
                    print(f"| {page} | {run['label']} | {report} |")
                    continue
                s = report["scores"]
                print(f"| {page} | {run['label']} | {s.get('performance')} | {s.get('accessibility')} | "
                      f"{s.get('best-practices')} | {s.get('seo')} | {report['metrics'].get('largest-contentful-paint')} | "
                      f"{report['metrics'].get('total-blocking-time')} | {', '.join(report['failing_audits'])} |")
    if args.biggest:
        for run in runs:
            print(f"\nBiggest assets, {run['label']}:")
            for record in run["pages"]:
                items = ", ".join(f"{b['url'].split('?')[0].rsplit('/', 1)[-1]} {b['bytes'] / 1024:.0f}"
                                  for b in record["biggest"][:5])
                print(f"- {record['page']}: {items}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("measure", help="measure a built site folder")
    run.add_argument("site", help="the built HTML folder (e.g. _build/site/_build/html)")
    run.add_argument("--label", default="site")
    run.add_argument("--out", default="site_bench.json")
    run.add_argument("--pages", nargs="*", help="pages relative to the folder (default: all)")
    run.add_argument("--npm-dir", default=os.environ.get("SITE_BENCH_NPM", str(REPO / ".cache" / "site-node")),
                     help="folder with node_modules/axe-core")
    run.add_argument("--lighthouse", action="store_true", help="also run Lighthouse on the landing page and lessons")
    run.add_argument("--lighthouse-npm-dir", default=str(REPO / ".cache" / "lighthouse-node"),
                     help="folder with node_modules/lighthouse")
    run.add_argument("--lighthouse-pages", nargs="*", help="pages for Lighthouse (default: landing + every lesson)")
    light = commands.add_parser("lighthouse", help="add Lighthouse scores of some pages to a JSON file")
    light.add_argument("site")
    light.add_argument("--label", default="site")
    light.add_argument("--out", default="site_bench.json")
    light.add_argument("--pages", nargs="+", default=["site/index.html", "notebooks/01_waveforms.html"])
    light.add_argument("--npm-dir", default=str(REPO / ".cache" / "lighthouse-node"), help="node_modules/lighthouse")
    show = commands.add_parser("compare", help="markdown tables from measure's JSON files")
    show.add_argument("results", nargs="+")
    show.add_argument("--biggest", action="store_true")
    args = parser.parse_args()
    {"measure": measure, "lighthouse": lighthouse_only, "compare": compare}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
