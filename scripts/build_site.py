"""Build the course website from notebooks/ with Jupyter Book 1.x (run it with `python3 course.py site`).

1. Writes site/_toc.yml and the landing page site/index.md (the syllabus: each lesson's objectives, prerequisites
   and estimated time, read from the lesson's first cell), so a new lesson appears without editing anything.
2. Vendors MathJax from the npm registry into site/_static/mathjax, so pages load no script from another host.
3. Copies the explorers' front-end (helpers/frontend/explorer.js, the same ES module JupyterLab runs) and its
   loader (site/explorer-loader.js) into the site's static files.
4. Runs `jupyter-book build`, executing every notebook (explorers put their state and first view into the page and
   write every other payload to _static/explorer-data/, fetched when a control asks; progress bars are off), and
   fails if any notebook failed.
5. Checks the result: no page refers to a script, style sheet, font, image or audio file on another host, and
   prints every lesson page's weight (HTML plus everything embedded in it).

The site lands in _build/site/_build/html; open index.html from disk or serve the folder anywhere.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "site"
OUTPUT = REPO / "_build" / "site"
HTML = OUTPUT / "_build" / "html"
MATHJAX_VERSION = "3.2.2"
MAX_PAGE_BYTES = 2 * 1024 * 1024


def lesson_summary(path: Path) -> dict:
    """Title, objectives, prerequisites and time of a lesson, from its first markdown cell."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    first = "".join(notebook["cells"][0]["source"])
    title = first.splitlines()[0].lstrip("# ").strip()
    objectives = re.findall(r"^\d+\. (.+?)(?=\n\d+\. |\n\n|\Z)", first.split("**Prerequisites.**")[0],
                            flags=re.M | re.S)
    prerequisites = re.search(r"\*\*Prerequisites\.\*\* (.+?)(?:\n\n|\Z)", first, re.S)
    time = re.search(r"\*\*Estimated time\.\*\* (.+?)(?:\n\n|\Z)", first, re.S)
    return {
        "file": path.stem, "title": title,
        "objectives": [" ".join(objective.split()) for objective in objectives],
        "prerequisites": " ".join(prerequisites.group(1).split()) if prerequisites else "",
        "time": " ".join(time.group(1).split()) if time else "",
    }


def write_toc_and_index(lessons: list[dict]) -> None:
    toc = ["format: jb-book", "root: site/index", "chapters:"]
    toc += [f"  - file: notebooks/{lesson['file']}" for lesson in lessons]
    toc += ["  - file: site/credits"]
    (SITE / "_toc.yml").write_text("\n".join(toc) + "\n", encoding="utf-8")

    lines = [
        "# Music pre-processing with Python", "",
        "An open course that turns music into numbers a machine-learning model can learn from: waveforms, "
        "spectrograms, zero-crossing rate, spectral centroid and MFCCs, each built from first principles and "
        "checked against librosa, then compared across songs and used for a first, honest classifier. All music "
        "is freely licensed and bundled; everything runs offline.", "",
        "These pages show every lesson already run. Their explorers are live: your browser draws them from data "
        "computed when the site was built, with the same sliders and menus as in JupyterLab. To change the code, "
        "add your own song or do the exercises, run the notebooks in JupyterLab (`python3 course.py lab` in the "
        "repository).", "",
        "## Syllabus", "",
    ]
    for lesson in lessons:
        lines += [f"### [{lesson['title']}](../notebooks/{lesson['file']}.ipynb)", ""]
        if lesson["objectives"]:
            lines += ["You will be able to:", ""] + [f"- {objective}" for objective in lesson["objectives"]] + [""]
        lines += [f"**Prerequisites:** {lesson['prerequisites']}  ", f"**Time:** {lesson['time']}", ""]
    lines += ["## Credits", "", "The music, its sources and licences: [Credits and licences](credits.md).", ""]
    (SITE / "index.md").write_text("\n".join(lines), encoding="utf-8")
    write_credits()


CREDITS_INTRO = """# Credits and licences

* **Code** (the `helpers` package, scripts, tests and the code cells of the lessons): MIT licence.
* **Lesson text and figures**: Creative Commons Attribution 4.0 International (CC BY 4.0).
* **Music**: each excerpt keeps its own licence, as listed below and in `audio_samples/catalogue.csv`. Each licence
  link opens the licence's full text, and each Debian copyright file, as published with this site.

"""


def write_credits() -> None:
    """site/credits.md: the audio catalogue's CREDITS.md under the page's own title, one heading level down, with
    its links to licence texts pointing at the files themselves (MyST publishes a linked local file with the site;
    an included file's relative links would otherwise become dead '#licenses/...' anchors)."""
    credits = (REPO / "audio_samples" / "CREDITS.md").read_text(encoding="utf-8")
    credits = re.sub(r"^(#+) ", lambda match: "#" + match.group(1) + " ", credits, flags=re.M)
    credits = credits.replace("](licenses/", "](../audio_samples/licenses/")
    missing = [link for link in re.findall(r"\]\((\.\./audio_samples/licenses/[^)]+)\)", credits)
               if not (REPO / "site" / link).resolve().is_file()]
    if missing:
        sys.exit(f"CREDITS.md links to licence files that do not exist: {missing}")
    (SITE / "credits.md").write_text(CREDITS_INTRO + credits, encoding="utf-8")


def vendor_mathjax() -> None:
    target = SITE / "_static" / "mathjax"
    if (target / "tex-mml-chtml.js").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("The site needs MathJax from the npm registry, but npm is not installed. Install Node.js "
                 "(e.g. 'apt-get install npm'), then run the command again.")
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run([npm, "pack", f"mathjax@{MATHJAX_VERSION}", "--silent"], cwd=scratch, check=True,
                       stdout=subprocess.DEVNULL)
        archive = next(Path(scratch).glob("mathjax-*.tgz"))
        with tarfile.open(archive) as tar:
            tar.extractall(scratch, filter="data")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(Path(scratch) / "package" / "es5", target)


STATIC = SITE / "_static"
EXPLORER_DATA = STATIC / "explorer-data"


def copy_explorer_front_end() -> None:
    """The explorers on the site run the very module JupyterLab runs; the loader feeds it static files."""
    STATIC.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "helpers" / "frontend" / "explorer.js", STATIC / "explorer.js")
    shutil.copy2(SITE / "explorer-loader.js", STATIC / "explorer-loader.js")
    shutil.rmtree(EXPLORER_DATA, ignore_errors=True)  # written anew by the notebooks' explorers during the build


def kernel_profile(folder: Path) -> Path:
    """An IPython profile for the build's kernels: figures as JPEG (quality 85), a third of the size of PNG for
    spectrograms, so that lesson pages stay light. JupyterLab keeps PNG."""
    startup = folder / "profile_default"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "ipython_kernel_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        "c.InlineBackend.figure_formats = {'jpeg'}\n"
        "c.InlineBackend.print_figure_kwargs = {'bbox_inches': 'tight', 'pil_kwargs': {'quality': 85}}\n",
        encoding="utf-8")
    return folder


def build() -> None:
    environment = dict(os.environ)
    environment.update({"COURSE_STATIC_EXPLORERS": "1", "TQDM_DISABLE": "1", "COURSE_EXPLORER_DATA_DIR": str(EXPLORER_DATA),
                        "IPYTHONDIR": str(kernel_profile(REPO / ".cache" / "site-ipython"))})
    environment.setdefault("NUMBA_CACHE_DIR", str(REPO / ".cache" / "numba"))
    shutil.rmtree(OUTPUT, ignore_errors=True)
    jupyter_book = Path(sys.executable).parent / ("jupyter-book.exe" if os.name == "nt" else "jupyter-book")
    command = [str(jupyter_book), "build", str(REPO), "--config", str(SITE / "_config.yml"),
               "--toc", str(SITE / "_toc.yml"), "--path-output", str(OUTPUT), "--builder", "html"]
    result = subprocess.run(command, cwd=REPO, env=environment)
    reports = sorted((HTML / "reports").rglob("*.err.log")) if (HTML / "reports").exists() else []
    if result.returncode != 0 or reports:
        for report in reports:
            print(f"\n--- {report.relative_to(HTML)}\n{report.read_text()[-3000:]}", file=sys.stderr)
        sys.exit("The site build failed: " + ("a notebook raised an error (see above)." if reports else
                                              f"jupyter-book exited with code {result.returncode} (see above)."))


UNUSED_SCRIPTS = re.compile(
    r'<script>const THEBE_JS_URL[^<]*</script>\s*|<script[^>]*sphinx-thebe\.js[^>]*></script>\s*'
    r'|<script type="application/vnd\.jupyter\.widget-state\+json">.*?</script>\s*', re.S)


def remove_unused_scripts(html_root: Path) -> None:
    """Drop what a page that runs no code does not need.

    * The Thebe (live code) loader that Jupyter Book 1 always adds, twice over: the duplicate declaration is a
      console error, and its configuration names a script on another host.
    * Saved ipywidgets state, if any: the pages show the explorers' static versions instead.
    """
    for page in html_root.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        cleaned = UNUSED_SCRIPTS.sub("", text)
        if cleaned != text:
            page.write_text(cleaned, encoding="utf-8")


def write_entry_page(html_root: Path) -> None:
    """The site's top index.html: forward to the landing page (Jupyter Book writes a bare redirect that has no
    icon, so browsers ask the server for /favicon.ico and log a 404)."""
    (html_root / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<title>Music pre-processing with Python</title>'
        '<link rel="icon" href="_static/favicon.svg" type="image/svg+xml">'
        '<meta http-equiv="Refresh" content="0; url=site/index.html"></head>'
        '<body><p><a href="site/index.html">Music pre-processing with Python</a></p></body></html>\n',
        encoding="utf-8")


EXTERNAL = re.compile(r"""<(script|link|img|audio|source|iframe)\b[^>]*?\b(?:src|href)=["'](https?:)?//""", re.I)


def check_pages(lessons: list[dict]) -> list[str]:
    problems = []
    for page in sorted(HTML.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        for match in EXTERNAL.finditer(text):
            snippet = text[match.start(): match.start() + 160].replace("\n", " ")
            problems.append(f"{page.relative_to(HTML)} loads from another host: {snippet}")
    shared = sum(path.stat().st_size for path in (HTML / "_static").rglob("*") if path.is_file())
    print(f"\n{'page':<45} {'HTML':>9} {'+ its images':>13} {'= page weight':>14}")
    for lesson in lessons:
        page = HTML / "notebooks" / f"{lesson['file']}.html"
        html = page.read_text(encoding="utf-8", errors="replace")
        images = {(page.parent / source).resolve() for source in re.findall(r'<img[^>]*src="(\.\./_images/[^"]+)"', html)}
        image_bytes = sum(image.stat().st_size for image in images)
        weight = page.stat().st_size + image_bytes
        print(f"{page.relative_to(HTML)!s:<45} {page.stat().st_size / 1024:>5.0f} KiB {image_bytes / 1024:>9.0f} KiB "
              f"{weight / 1024:>10.0f} KiB")
        if weight > MAX_PAGE_BYTES:
            problems.append(f"{page.relative_to(HTML)} weighs {weight / 1024 / 1024:.2f} MiB (limit 2 MiB)")
    print(f"shared by every page (theme, MathJax, fonts; fetched once, then cached): {shared / 1024 / 1024:.1f} MiB "
          "on disk, of which a page loads what it uses")
    return problems


def main() -> None:
    lessons = [lesson_summary(path) for path in sorted((REPO / "notebooks").glob("*.ipynb"))]
    write_toc_and_index(lessons)
    vendor_mathjax()
    copy_explorer_front_end()
    build()
    remove_unused_scripts(HTML)
    write_entry_page(HTML)
    problems = check_pages(lessons)
    if problems:
        sys.exit("\n".join(["The site was built, but:"] + problems))
    print(f"\nSite ready: {HTML / 'index.html'}")


if __name__ == "__main__":
    main()
