"""Build the course website from notebooks/ with Jupyter Book 1.x (run it with `python3 course.py site`).

1. Writes site/_toc.yml and the landing page site/index.md (the syllabus: each lesson's objectives, prerequisites
   and estimated time, read from the lesson's first cell), so a new lesson appears without editing anything.
2. Copies the explorers' front-end (helpers/frontend/explorer.js, the same ES module JupyterLab runs), its loader
   (site/explorer-loader.js) and the site's own style and script (site/course-site.css, site/course-site.js) into
   the site's static files, with the downloads: every lesson's notebook (.ipynb, no outputs) and the whole course
   as a zip file.
3. Runs `jupyter-book build` with the Furo theme, executing every notebook (explorers put only their state into the
   page and write their data to _static/explorer-data/, fetched when the reader scrolls to them; players write
   their MP3 to _static/audio/, fetched when the reader presses play; progress bars are off), and fails if any
   notebook failed.
4. Finishes every page (`finish_pages`): formulas typeset at build time with MathJax in Node (SVG, with MathML for
   screen readers), so no page loads MathJax; figures load lazily, keep their size and open full size on a tap;
   the theme's menu labels become buttons that work by keyboard; a meta description; on each lesson, a box that
   offers its notebook and says how to run it; scripts and styles no page uses are dropped.
   Then the shared files (`slim_shared_files`): the theme's seven style sheets become one, without the rules no
   page can use (PurgeCSS in Node) and minified, so a first visit waits for one small style sheet instead of seven
   (124 KB); the theme's script is deferred, and the scripts that only add conveniences (copy buttons, highlighting
   of searched words) load after the page has loaded. The search page keeps its scripts as they are.
5. Checks the result: no page refers to a script, style sheet, font, image or audio file on another host, and
   prints every page's HTML size (`python3 course.py site-bench` measures what a first visit transfers).

The site lands in _build/site/_build/html; open index.html from disk or serve the folder anywhere.
"""

from __future__ import annotations

import hashlib
import html
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
MATHJAX_VERSION = "3.2.2"        # mathjax-full, run in Node at build time (scripts/render_math.mjs)
NODE_FOLDER = REPO / ".cache" / "site-node"
DOWNLOADS = "downloads"          # under _static/: lesson notebooks and the course's zip file
COURSE_ZIP = "music-preprocessing-course.zip"
SITE_DESCRIPTION = ("An open course that turns music into features a machine-learning model can use: waveforms, "
                    "spectrograms, zero-crossing rate, spectral centroid and MFCCs, built from first principles.")


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
    toc = ["format: jb-book", "root: site/index", "chapters:", "  - file: site/run-the-lessons"]
    toc += [f"  - file: notebooks/{lesson['file']}" for lesson in lessons]
    toc += ["  - file: docs/teaching-guide", "  - file: site/credits"]  # the guide: python -m helpers.instructor guide
    (SITE / "_toc.yml").write_text("\n".join(toc) + "\n", encoding="utf-8")

    lines = [
        "# Music pre-processing with Python", "",
        "An open course that turns music into numbers a machine-learning model can learn from: waveforms, "
        "spectrograms, zero-crossing rate, spectral centroid and MFCCs, each built from first principles and "
        "checked against librosa, then compared across songs and used for a first, honest classifier; then the "
        "same features for a whole music collection, and the features of pitch (chroma) and rhythm (onsets, "
        "tempo, beats). All music is freely licensed and bundled; everything runs offline.", "",
        "These pages show every lesson already run. Their explorers are live: your browser draws them from data "
        "computed when the site was built, with the same sliders and menus as in JupyterLab. To change the code, "
        "add your own song or do the exercises, run the notebooks yourself: "
        f"<a href=\"../_static/{DOWNLOADS}/{COURSE_ZIP}\" download>download the whole course</a> (a zip file), "
        "unzip it and run `python3 course.py lab` in its folder; [Run the lessons yourself](run-the-lessons.md) "
        "says more, and each lesson page offers its own notebook.", "",
        "## Syllabus", "",
    ]
    for lesson in lessons:
        lines += [f"### [{lesson['title']}](../notebooks/{lesson['file']}.ipynb)", ""]
        if lesson["objectives"]:
            lines += ["You will be able to:", ""] + [f"- {objective}" for objective in lesson["objectives"]] + [""]
        lines += [f"**Prerequisites:** {lesson['prerequisites']}  ", f"**Time:** {lesson['time']}", ""]
    lines += ["## For instructors", "",
              "The [teaching guide](../docs/teaching-guide.md) gives, per lesson, its time, key idea, what to show on "
              "the projector, questions for discussion and the mistakes the exercise checks recognise. The README's "
              "*For instructors* explains the student edition without solutions and safe automatic grading.", "",
              "## Credits", "", "The music, its sources and licences: [Credits and licences](credits.md).", ""]
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


#: What the build and the site's tests take from the npm registry, exact versions: MathJax typesets the formulas
#: at build time; axe-core checks every page's accessibility in the browser tests.
NODE_PACKAGES = {"mathjax-full": MATHJAX_VERSION, "axe-core": "4.14.1", "purgecss": "8.0.0"}


def install_node_packages() -> Path:
    """NODE_PACKAGES into .cache/site-node (once; again when a version changes). Returns the folder."""
    manifest = {"name": "course-site-build", "private": True, "dependencies": NODE_PACKAGES}
    wanted = json.dumps(manifest, indent=1, sort_keys=True)
    installed = NODE_FOLDER / "package.json"
    if installed.exists() and installed.read_text() == wanted and all(
            (NODE_FOLDER / "node_modules" / name / "package.json").exists() for name in NODE_PACKAGES):
        return NODE_FOLDER
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        sys.exit("The site typesets its formulas with MathJax in Node.js at build time, but Node.js/npm is not "
                 "installed. Install it (e.g. 'apt-get install nodejs npm'), then run the command again.")
    NODE_FOLDER.mkdir(parents=True, exist_ok=True)
    installed.write_text(wanted)
    result = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-package-lock"], cwd=NODE_FOLDER,
                            stdout=subprocess.DEVNULL)
    if result.returncode != 0:
        installed.unlink(missing_ok=True)
        sys.exit(f"npm could not install {', '.join(NODE_PACKAGES)} from the npm registry (see above); check the "
                 "connection and run the command again.")
    return NODE_FOLDER


STATIC = SITE / "_static"
EXPLORER_DATA = STATIC / "explorer-data"
AUDIO = STATIC / "audio"


def copy_front_end() -> None:
    """The explorers on the site run the very module JupyterLab runs; the loader feeds it static files. The site's
    own style sheet and script come along."""
    STATIC.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "helpers" / "frontend" / "explorer.js", STATIC / "explorer.js")
    for name in ("explorer-loader.js", "course-site.js", "course-site.css"):
        shutil.copy2(SITE / name, STATIC / name)
    for folder in (EXPLORER_DATA, AUDIO, STATIC / "mathjax"):  # written anew by the build (mathjax: old builds)
        shutil.rmtree(folder, ignore_errors=True)


def course_files() -> list[str]:
    """The files of the course as the repository tracks them (git ls-files), for the zip file."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True)
    if listed.returncode != 0:
        sys.exit("The site offers the whole course as a zip file, made from the files git tracks, but "
                 f"`git ls-files` failed here: {listed.stderr.decode(errors='replace').strip()}")
    return sorted(name for name in listed.stdout.decode().split("\0") if name and (REPO / name).is_file())


def without_outputs(path: Path) -> bytes:
    """A lesson notebook as students get it: no outputs, no execution counts (the repository stores them so)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return (json.dumps(notebook, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def write_downloads(lessons: list[dict]) -> dict:
    """_static/downloads/: each lesson's notebook and the whole course as a zip (one top folder); returns sizes."""
    import zipfile

    folder = STATIC / DOWNLOADS
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for lesson in lessons:
        (folder / f"{lesson['file']}.ipynb").write_bytes(without_outputs(REPO / "notebooks" / f"{lesson['file']}.ipynb"))
    with zipfile.ZipFile(folder / COURSE_ZIP, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in course_files():
            data = (without_outputs(REPO / name) if name.startswith("notebooks/") and name.endswith(".ipynb")
                    else (REPO / name).read_bytes())
            info = zipfile.ZipInfo(f"music-preprocessing-course/{name}", date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = ((0o755 if os.access(REPO / name, os.X_OK) else 0o644) << 16)
            # Audio is compressed already: stored as is, the zip builds fast and is no bigger.
            info.compress_type = zipfile.ZIP_STORED if name.endswith((".ogg", ".mp3", ".flac")) else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return {"zip_bytes": (folder / COURSE_ZIP).stat().st_size}


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
                        # players write their MP3 here; lesson pages (in notebooks/) reach it at this URL
                        "COURSE_SITE_AUDIO_DIR": str(AUDIO), "COURSE_SITE_AUDIO_URL": "../_static/audio/",
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


UNUSED = re.compile(
    r'<script>const THEBE_JS_URL[^<]*</script>\s*|<script[^>]*sphinx-thebe\.js[^>]*></script>\s*'
    r'|<script type="text/x-thebe-config">.*?</script>\s*'
    r'|<link[^>]*sphinx-thebe\.css[^>]*>\s*'
    r'|<script[^>]*sphinx-book-theme\.js[^>]*></script>\s*'  # Jupyter Book adds it whatever the theme: a 404
    r'|<script type="application/vnd\.jupyter\.widget-state\+json">.*?</script>\s*'
    r'|<script>window\.MathJax = [^<]*</script>\s*|<script[^>]*mathjax-is-rendered-at-build-time\.js[^>]*></script>\s*',
    re.S)
DESIGN = re.compile(r'<link[^>]*sphinx-design\.min\.css[^>]*>\s*|<script[^>]*design-tabs\.js[^>]*></script>\s*')
MATH = re.compile(r'<(span|div) class="math notranslate nohighlight">\s*\\([(\[])(.*?)\\[)\]]\s*</\1>', re.S)
IMAGE = re.compile(r'<img (alt="[^"]*") src="(\.\./_images/[^"]+)" />')
MENU_LABEL = re.compile(r'<label class="(nav-overlay-icon|toc-overlay-icon)([^"]*)" for="(__navigation|__toc)">(.*?)</label>', re.S)
MENU_NAMES = {"__navigation": "Course menu", "__toc": "Contents of this page"}


def page_description(relative: str, lessons: list[dict]) -> str:
    """One or two sentences for search engines and link previews (Lighthouse's SEO audit asks for one)."""
    for lesson in lessons:
        if relative == f"notebooks/{lesson['file']}.html":
            text = f"{lesson['title']}. You will be able to " + "; ".join(
                objective.rstrip(".;") for objective in lesson["objectives"][:2]) + "."
            break
    else:
        text = {"site/credits.html": "The music of the course Music pre-processing with Python: sources, artists "
                                     "and the licence of every excerpt, with the licence texts.",
                "search.html": "Search the lessons of Music pre-processing with Python.",
                "docs/teaching-guide.html": "Teaching guide for Music pre-processing with Python: per lesson, its "
                                            "time, key idea, projector explorer, discussion questions and the "
                                            "mistakes the exercise checks recognise.",
                "site/run-the-lessons.html": "How to download the course Music pre-processing with Python and run "
                                             "its Jupyter lessons on your own computer, offline."}.get(relative, SITE_DESCRIPTION)
    text = re.sub(r"[`*$\\]", "", " ".join(text.split()))
    return text if len(text) <= 200 else text[:197].rsplit(" ", 1)[0] + "…"


def run_box(lesson: dict, zip_bytes: int) -> str:
    """What a lesson page offers at its top: its notebook, the whole course, and how to run it."""
    return (f'<div class="course-run" role="note"><p><strong>Run this lesson yourself.</strong> '
            f'<a href="../_static/{DOWNLOADS}/{lesson["file"]}.ipynb" download>Download its notebook</a> '
            f'(.ipynb, without outputs) or <a href="../_static/{DOWNLOADS}/{COURSE_ZIP}" download>the whole course</a> '
            f'(zip, {zip_bytes / 1e6:.1f} MB: every lesson with the helpers and songs it needs). Unzip the course, '
            f'then in its folder run <code>python3 course.py lab</code>; '
            f'<a href="../site/run-the-lessons.html">how to run the lessons</a> says more.</p></div>')


MATHJAX_BOOKKEEPING = re.compile(r' data-(?:mml-node|c|mjx-texclass)="[^"]*"')


def typeset_formulas(pages: dict[Path, str], node_folder: Path) -> tuple[dict[Path, str], str]:
    """Every formula of every page typeset by MathJax in Node (scripts/render_math.mjs), in one call."""
    order = [page for page, text in pages.items() if MATH.search(text)]
    request = [[{"tex": html.unescape(match.group(3)), "display": match.group(2) == "["}
                for match in MATH.finditer(pages[page])] for page in order]
    if not order:
        return pages, ""
    result = subprocess.run(["node", str(REPO / "scripts" / "render_math.mjs"), str(node_folder)],
                            input=json.dumps(request).encode(), capture_output=True)
    if result.returncode != 0:
        sys.exit("Typesetting the formulas failed:\n" + result.stderr.decode(errors="replace"))
    rendered = json.loads(result.stdout)
    for page, answer in zip(order, rendered["pages"]):
        # MathJax's bookkeeping attributes (its own menu and explorer use them; the pictures do not): about a
        # quarter of each formula's markup.
        pieces = iter(MATHJAX_BOOKKEEPING.sub("", fragment) for fragment in answer["html"])
        text = MATH.sub(lambda match: (f'<{match.group(1)} class="math">' + next(pieces) + f"</{match.group(1)}>"),
                        pages[page])
        glyphs = ('<svg class="course-math-glyphs" xmlns="http://www.w3.org/2000/svg" aria-hidden="true" '
                  f'focusable="false">{answer["glyphs"]}</svg>')
        text = text.replace('<div class="page">', glyphs + '<div class="page">', 1)
        depth = "../" * (len(page.relative_to(HTML).parts) - 1)
        text = text.replace("</head>", f'<link rel="stylesheet" href="{depth}_static/course-math.css">\n</head>', 1)
        pages[page] = text
    return pages, rendered["css"]


def image_size(path: Path) -> tuple[int, int] | None:
    try:
        from PIL import Image

        with Image.open(path) as image:
            return image.size
    except Exception:  # noqa: BLE001 - a figure we cannot measure keeps the browser's own layout
        return None


def finish_figures(text: str, page: Path) -> str:
    """Figures load when the reader nears them, keep their place while loading, and open full size on a tap."""
    def figure(match):
        alt, source = match.groups()
        size = image_size((page.parent / source).resolve())
        dimensions = f' width="{size[0]}" height="{size[1]}"' if size else ""
        return (f'<a class="course-figure-link" href="{source}">'
                f'<img {alt} src="{source}"{dimensions} loading="lazy" decoding="async" /></a>')
    return IMAGE.sub(figure, text)


def finish_menus(text: str) -> str:
    """Furo's menu icons are labels (clickable, but not reachable by keyboard): make them buttons that
    course-site.js connects to the menus' check boxes (open and close by tap, Enter, Space; Escape closes)."""
    def button(match):
        kind, extra, target, inside = match.groups()
        return (f'<button type="button" class="{kind}{extra}" data-course-toggle="{target}" aria-expanded="false" '
                f'aria-label="{MENU_NAMES[target]}">{inside}</button>')
    text = MENU_LABEL.sub(button, text)
    text = text.replace('<aside class="sidebar-drawer">', '<aside class="sidebar-drawer" aria-label="Course menu">', 1)
    text = re.sub(r'<aside class="toc-drawer([^"]*)">', r'<aside class="toc-drawer\1" aria-label="Contents of this page">',
                  text, count=1)
    return text


def plain_code_classes(css: str) -> set[str]:
    """Pygments classes whose only style is the code block's own colour, in light and in dark mode (in the a11y
    styles: names and punctuation). Their spans change nothing on screen; unwrapped, a lesson page is up to a third
    lighter (a code-heavy page is mostly `<span class="n">` markup)."""
    def rules(prefix):
        found = {}
        for selector, body in re.findall(r"(?m)^" + re.escape(prefix) + r"\.highlight( \.[\w-]+)? \{([^}]*)\}", css):
            found[selector.strip(" .") or "base"] = " ".join(body.split())
        return found
    light, dark = rules(""), rules('body[data-theme="dark"] ')
    if "base" not in light or "base" not in dark:
        return set()
    colour = lambda rule: (re.fullmatch(r"color: (#[0-9A-Fa-f]+)", rule.strip().rstrip(";")) or [None, None])[1]
    base_light = re.search(r"color: (#[0-9A-Fa-f]+)", light["base"]).group(1)
    base_dark = re.search(r"color: (#[0-9A-Fa-f]+)", dark["base"]).group(1)
    plain = {name for name in light if name != "base" and colour(light[name]) == base_light
             and colour(dark.get(name, "")) == base_dark}
    # Whitespace has no colour to show: its spans go whatever colour they set.
    return plain | ({"w"} if "w" in light and set(light["w"].replace(" ", "").rstrip(";").split(";")) <= {
        "color:" + (colour(light["w"]) or "")} else set())


def unwrap_plain_code(text: str, plain: set[str]) -> str:
    if not plain:
        return text
    pattern = re.compile(r'<span class="(?:' + "|".join(map(re.escape, sorted(plain))) + r')">([^<]*)</span>')
    return pattern.sub(r"\1", text)


def finish_pages(lessons: list[dict], node_folder: Path, zip_bytes: int) -> None:
    """Everything after Sphinx, page by page (see the module's docstring, step 4)."""
    pages = {page: page.read_text(encoding="utf-8") for page in sorted(HTML.rglob("*.html"))
             if "_static" not in page.relative_to(HTML).parts}
    pages, math_css = typeset_formulas(pages, node_folder)
    (HTML / "_static" / "course-math.css").write_text(math_css, encoding="utf-8")
    by_page = {f"notebooks/{lesson['file']}.html": lesson for lesson in lessons}
    plain = plain_code_classes((HTML / "_static" / "pygments.css").read_text(encoding="utf-8"))
    for page, text in pages.items():
        relative = page.relative_to(HTML).as_posix()
        text = unwrap_plain_code(UNUSED.sub("", text), plain)
        if not re.search(r'class="[^"]*\bsd-', text):  # no sphinx-design component on the page
            text = DESIGN.sub("", text)
        # Hidden code cells: the toggle's name is its visible text ("Show code cell source"), not another label.
        text = text.replace('<summary aria-label="Toggle hidden content">', "<summary>")
        if "<h1" not in text:  # the search page has no heading of its own
            text = text.replace('<article role="main" id="furo-main-content">',
                                '<article role="main" id="furo-main-content">\n<h1>Search the course</h1>', 1)
        if 'class="course-explorer"' not in text:  # the explorers' loader only where there are explorers
            text = re.sub(r'<script[^>]*explorer-loader\.js[^>]*></script>\s*', "", text)
        text = finish_figures(text, page)
        text = finish_menus(text)
        description = html.escape(page_description(relative, lessons), quote=True)
        text = text.replace("</head>", f'<meta name="description" content="{description}">\n</head>', 1)
        if relative in by_page:
            text = re.sub(r"(</h1>)", lambda match: match.group(1) + run_box(by_page[relative], zip_bytes), text, count=1)
        page.write_text(text, encoding="utf-8")


STYLESHEET = re.compile(r'[ \t]*<link rel="stylesheet"(?: type="text/css")? href="((?:\.\./)*)_static/([^"?]+\.css)(?:\?v=[0-9a-f]+)?"'
                        r'(?: /)?>\n?')
TOGGLEBUTTON = re.compile(r"[ \t]*<script>(?:let toggleHint\w+|let toggleOpenOnPrint|var togglebuttonSelector)[^<]*</script>\n?"
                          r'|[ \t]*<script src="[^"]*togglebutton\.js[^"]*"></script>\n?')
STYLE_MANIFEST = "style-sheets.json"
AFTER_LOAD = ("documentation_options.js", "doctools.js", "sphinx_highlight.js", "clipboard.min.js", "copybutton.js")
CSS_STRING_OR_COMMENT = re.compile(r'("(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\')|/\*.*?\*/', re.S)


def minify_css(css: str) -> str:
    """Comments and layout whitespace out of a style sheet; strings untouched, and a space before a semicolon kept
    (mystnb.css's `--light: ;` switches depend on a custom property whose value is one space)."""
    def squeeze(code: str) -> str:
        code = re.sub(r"\s+", " ", code)
        return re.sub(r"; ", ";", re.sub(r" ?([{}>,]) ?", r"\1", code))
    pieces, code, position = [], [], 0
    for match in CSS_STRING_OR_COMMENT.finditer(css):
        code.append(css[position:match.start()])
        if match.group(1):              # a string: the code before it is finished
            pieces += [squeeze("".join(code)), match.group(1)]
            code = []
        else:                           # a comment: as good as a space
            code.append(" ")
        position = match.end()
    pieces.append(squeeze("".join(code) + css[position:]))
    return "".join(pieces).strip()


def toggle_buttons_used(text: str) -> bool:
    """Does the page have an element sphinx-togglebutton acts on (`.toggle`, `.admonition.dropdown`)?"""
    return any("toggle" in classes.split() or {"admonition", "dropdown"} <= set(classes.split())
               for classes in re.findall(r'class="([^"]*)"', text))


def slim_shared_files(node_folder: Path) -> None:
    """One purged, minified style sheet in place of the theme's several, and scripts out of the first paint's way
    (the module docstring, step 4)."""
    pages = {page: page.read_text(encoding="utf-8") for page in sorted(HTML.rglob("*.html"))
             if "_static" not in page.relative_to(HTML).parts and page != HTML / "index.html"}
    later = re.compile(r'<script defer src="([^"]*/(?:' + "|".join(map(re.escape, AFTER_LOAD)) +
                       r')(?:\?v=[0-9a-f]+)?)"></script>')
    for page, text in pages.items():
        if not toggle_buttons_used(text):
            text = TOGGLEBUTTON.sub("", text)
            text = re.sub(r'[ \t]*<link rel="stylesheet"[^>]*togglebutton\.css[^>]*>\n?', "", text)
        if page.name != "search.html":  # the search page keeps its scripts as they are
            text = text.replace('<script src="', '<script defer src="')
            # conveniences after the page has loaded (site/course-site.js loads them)
            text = later.sub(r'<script type="text/x-course-after-load" data-src="\1"></script>', text)
        pages[page] = text
    sheets = list(dict.fromkeys(match.group(2) for text in pages.values() for match in STYLESHEET.finditer(text)))
    content = [str(page) for page in pages] + [str(path) for path in sorted((HTML / "_static").rglob("*.js"))
                                               if EXPLORER_DATA.name not in path.parts]
    request = {"content": content, "css": [str(HTML / "_static" / name) for name in sheets]}
    result = subprocess.run(["node", str(REPO / "scripts" / "purge_css.mjs"), str(node_folder)],
                            input=json.dumps(request).encode(), capture_output=True)
    if result.returncode != 0:
        sys.exit("Purging the site's style sheets failed:\n" + result.stderr.decode(errors="replace"))
    purged = dict(zip(sheets, (minify_css(css) for css in json.loads(result.stdout)["css"])))
    manifest = {}  # combined sheet's name -> the sheets it replaces, in order
    for page, text in pages.items():
        own = [match.group(2) for match in STYLESHEET.finditer(text)]
        if own:
            combined = "\n".join(purged[name] for name in own) + "\n"
            name = f"course-style.{hashlib.sha256(combined.encode()).hexdigest()[:10]}.css"
            if name not in manifest:
                manifest[name] = own
                (HTML / "_static" / name).write_text(combined, encoding="utf-8")
            depth = "../" * (len(page.relative_to(HTML).parts) - 1)
            text = STYLESHEET.sub("", text)
            text = text.replace("</head>", f'<link rel="stylesheet" href="{depth}_static/{name}">\n</head>', 1)
        page.write_text(text, encoding="utf-8")
    # The manifest (tests/browser/test_site_quality.py swaps the original sheets back and compares the pictures):
    # beside the site, not in it.
    (HTML.parent.parent / STYLE_MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    before = sum((HTML / "_static" / name).stat().st_size for name in sheets)
    after = max((HTML / "_static" / name).stat().st_size for name in manifest)
    print(f"Style sheets: {len(sheets)} files, {before / 1024:.0f} KiB -> one file of at most {after / 1024:.0f} KiB "
          f"({len(manifest)} combination(s))")


def write_entry_page(html_root: Path) -> None:
    """The site's top index.html: forward to the landing page (Jupyter Book writes a bare redirect that has no
    icon, so browsers ask the server for /favicon.ico and log a 404)."""
    (html_root / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<title>Music pre-processing with Python</title>'
        f'<meta name="description" content="{html.escape(SITE_DESCRIPTION)}">'
        '<link rel="icon" href="_static/favicon.svg" type="image/svg+xml">'
        '<meta http-equiv="Refresh" content="0; url=site/index.html"></head>'
        '<body><p><a href="site/index.html">Music pre-processing with Python</a></p></body></html>\n',
        encoding="utf-8")


EXTERNAL = re.compile(r"""<(script|link|img|audio|source|iframe)\b[^>]*?\b(?:src|href)=["'](https?:)?//""", re.I)


def check_pages() -> list[str]:
    """No page loads anything from another host; print each page's own HTML size. What a first visit transfers,
    shared files and figures included, is measured in a browser: `python3 course.py site-bench`."""
    problems = []
    print(f"\n{'page':<50} {'HTML':>9}")
    for page in sorted(HTML.rglob("*.html")):
        if "_static" in page.relative_to(HTML).parts:
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        for match in EXTERNAL.finditer(text):
            snippet = text[match.start(): match.start() + 160].replace("\n", " ")
            problems.append(f"{page.relative_to(HTML)} loads from another host: {snippet}")
        print(f"{page.relative_to(HTML)!s:<50} {page.stat().st_size / 1024:>5.0f} KiB")
    return problems


def main() -> None:
    lessons = [lesson_summary(path) for path in sorted((REPO / "notebooks").glob("*.ipynb"))]
    write_toc_and_index(lessons)
    node_folder = install_node_packages()
    copy_front_end()
    sizes = write_downloads(lessons)
    build()
    finish_pages(lessons, node_folder, sizes["zip_bytes"])
    slim_shared_files(node_folder)
    write_entry_page(HTML)
    problems = check_pages()
    if problems:
        sys.exit("\n".join(["The site was built, but:"] + problems))
    print(f"\nSite ready: {HTML / 'index.html'}")


if __name__ == "__main__":
    main()
