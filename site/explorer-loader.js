// The course website's loader for the explorers: the same ES module as in JupyterLab (explorer.js, copied from
// helpers/frontend/ at build time), given a model that answers its data requests from static files instead of a
// kernel. Each explorer on a page is a <div class="course-explorer"> holding its state and the names of its first
// view's files (helpers/widgets.py, Explorer.static_html). Nothing is loaded until the reader scrolls near an
// explorer: then the drawing module and the first view's files come from _static/, and every other file when a
// control first asks for it. No other host is ever contacted.
const DATA_FOLDER = new URL("explorer-data/", import.meta.url);

/** Python's helpers.widgets.static_file_name: "|" becomes "~", other unsafe bytes "=XX". */
function fileName(key) {
  const bytes = new TextEncoder().encode(key.replaceAll("|", "~"));
  let name = "";
  for (const byte of bytes) {
    const character = String.fromCharCode(byte);
    name += /[A-Za-z0-9~._-]/.test(character) ? character : `=${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return `${name}.bin`;
}

async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Response(stream).arrayBuffer();
}

/** The part of an anywidget model the explorer uses: get, set, on, off, save_changes, send. */
class StaticModel {
  constructor(state, folder) {
    this.state = state;
    this.folder = folder;
    this.handlers = new Map();
  }
  get(name) { return this.state[name]; }
  set(name, value) {
    this.state[name] = value;
    this.emit(`change:${name}`);
  }
  save_changes() {}
  on(event, handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event).add(handler);
  }
  off(event, handler) { this.handlers.get(event)?.delete(handler); }
  emit(event, ...args) { for (const handler of this.handlers.get(event) || []) handler(...args); }
  send(message) {
    if (!message || message.type !== "request") return;
    for (const key of message.keys) this.answer(key);
  }
  async answer(key) {
    try {
      const url = new URL(fileName(key), this.folder);
      // One retry after a second: a classroom network may drop a request now and then.
      const response = await fetch(url).catch(() => new Promise((done) => setTimeout(done, 1000)).then(() => fetch(url)));
      if (!response.ok) throw new Error(`the site has no file for it (HTTP ${response.status})`);
      const compressed = new Uint8Array(await response.arrayBuffer());
      this.emit("msg:custom", { type: "data", key }, [await inflate(compressed)]);
    } catch (error) {
      const fromDisk = location.protocol === "file:";
      this.emit("msg:custom", { type: "error", key, message: fromDisk
        ? "This page was opened from disk, where browsers block loading more data: serve the site folder (for example `python3 -m http.server` inside it) to use every setting."
        : `Could not load ${key.split("|").slice(0, 2).join(" of ")}: ${error.message}.` });
    }
  }
}

async function fetchPayload(folder, key) {
  const response = await fetch(new URL(fileName(key), folder));
  if (!response.ok) throw new Error(`the site has no file for ${key} (HTTP ${response.status})`);
  return inflate(new Uint8Array(await response.arrayBuffer()));
}

let drawingModule = null;

async function mount(root) {
  if (root.dataset.mounted) return;
  root.dataset.mounted = "pending";
  const placeholder = root.querySelector(".course-explorer-placeholder");
  const folder = new URL(`${root.dataset.sampleRate}/`, DATA_FOLDER);
  try {
    drawingModule = drawingModule || import("./explorer.js");
    const { default: explorer } = await drawingModule;
    const state = JSON.parse(root.querySelector(".course-explorer-state").textContent);
    const keys = JSON.parse(root.querySelector(".course-explorer-keys").textContent);
    state.first_view = Object.fromEntries(await Promise.all(keys.map(async (key) => [key, await fetchPayload(folder, key)])));
    const host = document.createElement("div");
    root.append(host);
    explorer.render({ model: new StaticModel(state, folder), el: host });
    root.dataset.mounted = "true";
    placeholder?.remove();
  } catch (error) {
    root.dataset.mounted = "failed";
    if (placeholder) placeholder.textContent = location.protocol === "file:"
      ? "This page was opened from disk, where browsers block loading the explorer's data: serve the site folder (for example `python3 -m http.server` inside it) and open http://localhost:8000/."
      : `The explorer could not be loaded (${error.message}). Reload the page to try again.`;
  }
}

function mountAll() {
  const roots = Array.from(document.querySelectorAll(".course-explorer:not([data-mounted])"));
  if (!roots.length) return; // pages without explorers never load the drawing module
  if (!("IntersectionObserver" in window)) { roots.forEach(mount); return; }
  // Drawn when the reader comes within about a screen of it, so it is ready when it scrolls into view.
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer.unobserve(entry.target);
      mount(entry.target);
    }
  }, { rootMargin: "600px 0px" });
  roots.forEach((root) => observer.observe(root));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
else mountAll();
