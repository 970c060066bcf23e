// Typeset the website's formulas once, at build time, so that no page loads MathJax (1.1 MB) in the browser.
// Used by scripts/build_site.py:  node scripts/render_math.mjs NODE_MODULES_PARENT < formulas.json > rendered.json
//
// Input: a JSON list of pages, each a list of {"tex": "...", "display": true|false}. Output:
// {"css": "...", "pages": [{"glyphs": "<svg ...>", "html": ["...", ...]}, ...]}: per formula, in order, an SVG
// picture of it (hidden from screen readers) followed by the same formula as MathML (visually hidden, read by screen
// readers); per page, one hidden SVG holding every glyph the page's formulas use (each glyph's outline once per
// page, not once per formula); "css" is MathJax's own style sheet for all of it.
// A formula that TeX cannot read makes the script exit with code 2 and name it, so the build fails loudly.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

const require = createRequire(path.join(path.resolve(process.argv[2] || "."), "package.json"));
const { mathjax } = require("mathjax-full/js/mathjax.js");
const { TeX } = require("mathjax-full/js/input/tex.js");
const { SVG } = require("mathjax-full/js/output/svg.js");
const { liteAdaptor } = require("mathjax-full/js/adaptors/liteAdaptor.js");
const { RegisterHTMLHandler } = require("mathjax-full/js/handlers/html.js");
const { AssistiveMmlHandler } = require("mathjax-full/js/a11y/assistive-mml.js");
const { AllPackages } = require("mathjax-full/js/input/tex/AllPackages.js");

const adaptor = liteAdaptor();
AssistiveMmlHandler(RegisterHTMLHandler(adaptor));
const packages = AllPackages.filter((name) => name !== "bussproofs");

const pages = JSON.parse(readFileSync(0, "utf8"));
const failures = [];
let css = "";
const rendered = pages.map((formulas) => {
  const svg = new SVG({ fontCache: "global" });
  const document = mathjax.document("", { InputJax: new TeX({ packages }), OutputJax: svg });
  const html = formulas.map(({ tex: source, display }) => {
    const markup = adaptor.outerHTML(document.convert(source, { display: Boolean(display) }));
    if (markup.includes("data-mjx-error") || markup.includes("<merror")) failures.push(source);
    return markup;
  });
  css = adaptor.textContent(svg.styleSheet(document));
  return { glyphs: formulas.length ? adaptor.outerHTML(svg.fontCache.getCache()) : "", html };
});
if (failures.length) {
  process.stderr.write(`TeX could not read ${failures.length} formula(s):\n${failures.map((f) => `  ${f}`).join("\n")}\n`);
  process.exit(2);
}
process.stdout.write(JSON.stringify({ css, pages: rendered }));
