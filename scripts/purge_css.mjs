// Drop the style rules that no page of the website can use, at build time (PurgeCSS). Used by scripts/build_site.py:
//   node scripts/purge_css.mjs NODE_MODULES_PARENT < request.json > purged.json
//
// Input: {"content": [file, ...], "css": [file, ...]}: the built pages and every script that may add a class at run
// time (the theme's, Sphinx's search, the explorers'), and the style sheets to purge. Output: {"css": [text, ...]},
// each style sheet with only the rules whose selectors can match something named in that content, in input order.
// Custom properties are all kept (the themes set them in one place and read them in another), and so are font
// faces and keyframes that a kept rule names.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

const require = createRequire(path.join(path.resolve(process.argv[2] || "."), "package.json"));
const { PurgeCSS } = require("purgecss");

const request = JSON.parse(readFileSync(0, "utf8"));
const content = request.content.map((file) => ({ raw: readFileSync(file, "utf8"), extension: path.extname(file).slice(1) }));
const css = request.css.map((file) => ({ raw: readFileSync(file, "utf8"), name: file }));
const results = await new PurgeCSS().purge({ content, css, variables: false, keyframes: true, fontFace: true });
process.stdout.write(JSON.stringify({ css: results.map((result) => result.css) }));
