// The course's explorers, drawn in the browser: one ES module for JupyterLab (through anywidget) and the website.
//
// Python (helpers/widgets.py, helpers/dashboard.py) computes and sends arrays with their units; this module lays
// out the controls, keeps every payload it has received, and redraws its canvas on its own when a control moves, so
// a move never waits for a kernel. It asks for what it lacks with model.send({type: "request", keys}) and receives
// {type: "data", key} with one binary buffer (format: helpers/explorer_data.py), or {type: "error", key, message}.
// It knows nothing of Python beyond that protocol and the model's traits; the website's loader
// (site/explorer-loader.js) provides the same model interface over static files.
//
// Sections: payloads and data; drawing helpers (axes, ticks, colour maps); controls; one renderer per explorer
// kind (waveform, spectrogram, feature, mfcc, dashboard, pitch, rhythm); render(), the entry point anywidget calls.

const FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
const TITLE_FONT = "600 13px system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
const SMALL_TITLE_FONT = "600 11px system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
const TEXT_COLOR = "#1a1a1a";
const GRID_COLOR = "#d9d9d9";
const MISSING_COLOR = "#6b6b6b";
const SYNC_DELAY_MS = 200;
const SUMMARY_DELAY_MS = 300;
const MAX_IMAGES = 48; // painted pictures kept per view (each up to about 0.7 MB)

// ------------------------------------------------------------------------------------------- payloads and data

/** Decode one payload (see helpers/explorer_data.py): {meta, arrays}; JPEG pictures become {data, shape}. */
export async function decodePayload(input) {
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input)
    : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const buffer = bytes.slice().buffer; // own, aligned copy: typed arrays need 4-byte alignment
  const length = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
  const start = 4 + length;
  const arrays = {};
  for (const [name, info] of Object.entries(header.arrays)) {
    const offset = start + info.offset;
    const count = info.shape.reduce((a, b) => a * b, 1);
    if (info.dtype === "jpeg") {
      arrays[name] = { data: await decodeJpeg(new Uint8Array(buffer, offset, info.bytes), info.shape), shape: info.shape };
    } else {
      const Type = { float32: Float32Array, int16: Int16Array, uint8: Uint8Array }[info.dtype];
      arrays[name] = { data: new Type(buffer, offset, count), shape: info.shape };
    }
  }
  return { meta: header.meta, arrays };
}

async function decodeJpeg(bytes, [rows, columns]) {
  const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/jpeg" }),
    { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  const canvas = makeCanvas(columns, rows);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  const rgba = context.getImageData(0, 0, columns, rows).data;
  const grey = new Uint8Array(rows * columns);
  for (let i = 0; i < grey.length; i++) grey[i] = rgba[4 * i];
  return grey;
}

function makeCanvas(width, height) {
  if (typeof OffscreenCanvas !== "undefined") return new OffscreenCanvas(width, height);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

/** Every payload this view has received, by key; asks the model for missing ones (batched per task). */
class DataStore {
  constructor(model, onChange) {
    this.model = model;
    this.onChange = onChange;
    this.payloads = new Map();
    this.pending = new Set();
    this.errors = new Map();
    this.queue = new Set();
    this.listener = (message, buffers) => this.receive(message, buffers);
    model.on("msg:custom", this.listener);
  }
  /** The payload for key, or undefined (then it is requested once; onChange runs when it arrives). */
  get(key) {
    const payload = this.payloads.get(key);
    if (payload !== undefined) return payload;
    if (!this.pending.has(key) && !this.errors.has(key)) {
      this.pending.add(key);
      this.queue.add(key);
      if (this.queue.size === 1) queueMicrotask(() => this.flush());
    }
    return undefined;
  }
  /** Decode the payloads sent with the widget itself (the first view), before the first drawing. */
  async seed(firstView) {
    const entries = Object.entries(firstView || {});
    for (const [key] of entries) this.pending.add(key); // not asked for again while it is being decoded
    await Promise.all(entries.map(async ([key, buffer]) => {
      try {
        this.payloads.set(key, await decodePayload(buffer));
      } catch (error) {
        this.errors.set(key, `could not read the data (${error})`);
      }
      this.pending.delete(key);
    }));
  }
  has(key) { return this.payloads.has(key); }
  error(key) { return this.errors.get(key); }
  flush() {
    if (!this.queue.size) return;
    const keys = [...this.queue];
    this.queue.clear();
    this.model.send({ type: "request", keys });
  }
  async receive(message, buffers) {
    if (!message || !message.key) return;
    if (message.type === "error") {
      this.pending.delete(message.key);
      this.errors.set(message.key, message.message);
      this.onChange(message.key);
    } else if (message.type === "data" && buffers && buffers.length) {
      if (this.payloads.has(message.key)) { this.pending.delete(message.key); return; }
      try {
        this.payloads.set(message.key, await decodePayload(buffers[0]));
      } catch (error) {
        this.errors.set(message.key, `could not read the data (${error})`);
      }
      this.pending.delete(message.key);
      this.onChange(message.key);
    }
  }
  dispose() { this.model.off("msg:custom", this.listener); }
}

// ------------------------------------------------------------------------------------------- drawing helpers

/** Round tick values (steps of 1, 2 or 5 times a power of ten) for the range [low, high]: at least two of
 * them, and as close to `count` as such steps allow. */
export function niceTicks(low, high, count = 5) {
  if (!(high > low)) return [low];
  const power = Math.pow(10, Math.floor(Math.log10((high - low) / Math.max(1, count))));
  let best = null;
  for (const scale of [0.1, 1, 10]) {
    for (const multiple of [1, 2, 5]) {
      const step = multiple * power * scale;
      const n = Math.floor(high / step + 1e-9) - Math.ceil(low / step - 1e-9) + 1;
      if (n < 2) continue;
      const score = Math.abs(n - count);
      if (best === null || score < best.score || (score === best.score && step > best.step)) best = { step, score };
    }
  }
  const step = best ? best.step : high - low;
  const ticks = [];
  for (let value = Math.ceil(low / step - 1e-9) * step; value <= high + step * 1e-9; value += step) {
    ticks.push(Math.abs(value) < step * 1e-9 ? 0 : Number(value.toPrecision(12)));
  }
  return ticks;
}

/** The fewest decimals that print every tick's step exactly (0.25 needs 2, 0.5 needs 1, 1000 needs 0). */
function decimalsFor(ticks) {
  if (ticks.length < 2) return 0;
  const step = Math.abs(ticks[1] - ticks[0]);
  for (let decimals = 0; decimals < 6; decimals++) {
    const scaled = step * Math.pow(10, decimals);
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return decimals;
  }
  return 6;
}

export function formatNumber(value, decimals) {
  return value.toFixed(decimals).replace("-", "\u2212");
}

/** A colour map as 256 packed RGBA words (little-endian), for writing ImageData through a Uint32Array view. */
function colormapWords(table) {
  const words = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    words[i] = (255 << 24) | (table[3 * i + 2] << 16) | (table[3 * i + 1] << 8) | table[3 * i];
  }
  return words;
}

function cssColor(table, index) {
  return `rgb(${table[3 * index]},${table[3 * index + 1]},${table[3 * index + 2]})`;
}

/** A canvas of `rows` x `columns` cells whose colour is `index(row, column)` (0..255, or -1 for transparent);
 * row 0 is drawn at the bottom. Drawn into a plot with drawImage, it scales for free. */
function paintImage(rows, columns, words, index, reuse = null) {
  // `reuse`: {canvas, image} from an earlier call with the same size, repainted in place (no new allocations).
  const canvas = reuse ? reuse.canvas : makeCanvas(columns, rows);
  const context = canvas.getContext("2d");
  const image = reuse ? reuse.image : context.createImageData(columns, rows);
  const pixels = new Uint32Array(image.data.buffer);
  for (let row = 0; row < rows; row++) {
    const target = (rows - 1 - row) * columns;
    for (let column = 0; column < columns; column++) {
      const value = index(row, column);
      pixels[target + column] = value < 0 ? 0 : words[value];
    }
  }
  context.putImageData(image, 0, 0);
  canvas.imageData = image;
  return canvas;
}

/** paintImage into a canvas kept in `store[name]` while its size stays the same: for pictures redrawn on every
 * move (the MFCC explorer's coefficients and rebuild). */
function repaintImage(store, name, rows, columns, words, index) {
  const kept = store[name];
  const reuse = kept && kept.width === columns && kept.height === rows ? { canvas: kept, image: kept.imageData } : null;
  store[name] = paintImage(rows, columns, words, index, reuse);
  return store[name];
}

/** A plot area inside a canvas: maps data to CSS pixels and draws its frame, ticks, labels and title. */
class Plot {
  constructor(context, box, { x, y }) {
    Object.assign(this, { context, box, x, y });
  }
  sx(value) { return this.box.left + ((value - this.x[0]) / (this.x[1] - this.x[0])) * this.box.width; }
  sy(value) { return this.box.top + this.box.height - ((value - this.y[0]) / (this.y[1] - this.y[0])) * this.box.height; }
  clip(draw) {
    const c = this.context;
    c.save();
    c.beginPath();
    c.rect(this.box.left, this.box.top, this.box.width, this.box.height);
    c.clip();
    draw(c);
    c.restore();
  }
  frame({ xTicks = true, yTicks, yLabel, xLabel, title, titleRoom = null, rightTicks, rightLabel, rightRange } = {}) {
    const c = this.context;
    const { left, top, width, height } = this.box;
    c.save();
    c.font = FONT;
    c.fillStyle = TEXT_COLOR;
    c.strokeStyle = TEXT_COLOR;
    c.lineWidth = 1;
    c.strokeRect(left + 0.5, top + 0.5, width - 1, height - 1);
    if (xTicks) {
      const ticks = Array.isArray(xTicks) ? xTicks : niceTicks(this.x[0], this.x[1], Math.max(3, Math.floor(width / 75)));
      const decimals = decimalsFor(ticks);
      c.textAlign = "center";
      c.textBaseline = "top";
      for (const tick of ticks) {
        const px = Math.round(this.sx(tick)) + 0.5;
        if (px < left - 1 || px > left + width + 1) continue;
        c.beginPath(); c.moveTo(px, top + height); c.lineTo(px, top + height + 4); c.stroke();
        if (xTicks !== "marks") c.fillText(formatNumber(tick, decimals), px, top + height + 6);
      }
    }
    const drawY = (ticks, range, side) => {
      const decimals = decimalsFor(ticks.map((t) => (Array.isArray(t) ? t[0] : t)));
      c.textBaseline = "middle";
      c.textAlign = side === "left" ? "right" : "left";
      const scale = (v) => top + height - ((v - range[0]) / (range[1] - range[0])) * height;
      for (const tick of ticks) {
        const [value, label] = Array.isArray(tick) ? tick : [tick, formatNumber(tick, decimals)];
        const py = Math.round(scale(value)) + 0.5;
        if (py < top - 1 || py > top + height + 1) continue;
        const x0 = side === "left" ? left : left + width;
        c.beginPath(); c.moveTo(x0, py); c.lineTo(side === "left" ? x0 - 4 : x0 + 4, py); c.stroke();
        c.fillText(label, side === "left" ? x0 - 6 : x0 + 6, py);
      }
    };
    drawY(yTicks || niceTicks(this.y[0], this.y[1], Math.max(2, Math.floor(height / 40))), this.y, "left");
    if (rightTicks) drawY(rightTicks, rightRange, "right");
    if (yLabel) verticalText(c, yLabel, Math.max(2, left - 66), top + height / 2);
    if (rightLabel) verticalText(c, rightLabel, left + width + 52, top + height / 2, true);
    if (xLabel) {
      c.textAlign = "center";
      c.textBaseline = "top";
      c.fillText(xLabel, left + width / 2, top + height + 22);
    }
    if (title) {
      c.font = TITLE_FONT;
      c.textAlign = "left";
      c.textBaseline = "bottom";
      // Room for the title (CSS px): up to the canvas's edge, or `titleRoom` px past the plot (a colour bar there).
      const available = titleRoom === null ? c.canvas.width / c.getTransform().a - left - 4 : width + titleRoom;
      if (c.measureText(title).width > available) c.font = SMALL_TITLE_FONT; // narrow screens: 11 px, not cut
      c.fillText(fitText(c, title, available), left, top - 4);
    }
    c.restore();
  }
  message(text) {
    const c = this.context;
    c.save();
    c.fillStyle = "#f4f4f4";
    c.fillRect(this.box.left + 1, this.box.top + 1, this.box.width - 2, this.box.height - 2);
    c.fillStyle = MISSING_COLOR;
    c.font = FONT;
    c.textAlign = "center";
    c.textBaseline = "middle";
    wrapText(c, text, this.box.left + this.box.width / 2, this.box.top + this.box.height / 2, this.box.width - 20);
    c.restore();
  }
}

function verticalText(c, text, x, y, clockwise = false) {
  c.save();
  c.translate(x, y);
  c.rotate(clockwise ? Math.PI / 2 : -Math.PI / 2);
  c.textAlign = "center";
  c.textBaseline = "top";
  c.font = FONT;
  c.fillStyle = TEXT_COLOR;
  const lines = text.split("\n");
  lines.forEach((line, i) => c.fillText(line, 0, i * 14 - (clockwise ? 14 * (lines.length - 1) : 0)));
  c.restore();
}

function fitText(c, text, width) {
  if (c.measureText(text).width <= width) return text;
  let shortened = text;
  while (shortened.length > 4 && c.measureText(shortened + "\u2026").width > width) shortened = shortened.slice(0, -1);
  return shortened + "\u2026";
}

function wrapText(c, text, x, y, width) {
  const words = text.split(/\s+/);
  const lines = [];
  let line = "";
  for (const word of words) {
    const candidate = line ? `${line} ${word}` : word;
    if (c.measureText(candidate).width > width && line) { lines.push(line); line = word; } else line = candidate;
  }
  if (line) lines.push(line);
  lines.slice(0, 4).forEach((l, i) => c.fillText(l, x, y + (i - (Math.min(lines.length, 4) - 1) / 2) * 15));
}

/** A vertical colour bar at `box`, with ticks for `range` and a label on its right. */
function colorBar(c, box, table, range, label, ticks) {
  const gradient = c.createLinearGradient(0, box.top + box.height, 0, box.top);
  for (let i = 0; i < 256; i += 15) gradient.addColorStop(i / 255, cssColor(table, i));
  gradient.addColorStop(1, cssColor(table, 255));
  c.save();
  c.fillStyle = gradient;
  c.fillRect(box.left, box.top, box.width, box.height);
  c.restore();
  const plot = new Plot(c, box, { x: [0, 1], y: range });
  c.save();
  c.font = FONT;
  c.fillStyle = TEXT_COLOR;
  c.strokeStyle = TEXT_COLOR;
  c.strokeRect(box.left + 0.5, box.top + 0.5, box.width - 1, box.height - 1);
  const values = ticks || niceTicks(range[0], range[1], Math.max(2, Math.floor(box.height / 40)));
  const decimals = decimalsFor(values);
  c.textAlign = "left";
  c.textBaseline = "middle";
  for (const value of values) {
    const py = Math.round(plot.sy(value)) + 0.5;
    c.beginPath(); c.moveTo(box.left + box.width, py); c.lineTo(box.left + box.width + 4, py); c.stroke();
    c.fillText(formatNumber(value, decimals), box.left + box.width + 6, py);
  }
  c.restore();
  verticalText(c, label, box.left + box.width + 44, box.top + box.height / 2, true);
}

/** Draw (times, values) as a line; when there are more points than pixels, each pixel column's min and max. */
function drawCurve(plot, count, timeOf, valueOf, color, width = 1.5) {
  const c = plot.context;
  const [t0, t1] = plot.x;
  let first = 0;
  let last = count - 1;
  while (first < count - 1 && timeOf(first + 1) < t0) first++;
  while (last > 0 && timeOf(last - 1) > t1) last--;
  // The line is stroked in pieces of PIECE points: one long self-crossing path is far slower for the browser to
  // paint (without a GPU) than many short ones, and looks the same.
  const PIECE = 64;
  let points = 0;
  let previous = null;
  const to = (x, y) => {
    if (points === 0 && previous) c.moveTo(previous[0], previous[1]);
    c.lineTo(x, y);
    previous = [x, y];
    points += 1;
    if (points >= PIECE) { c.stroke(); c.beginPath(); points = 0; }
  };
  plot.clip(() => {
    c.strokeStyle = color;
    c.lineWidth = width;
    c.lineJoin = "bevel"; // round joins on thousands of short segments cost several ms of painting
    c.beginPath();
    const pixels = plot.box.width;
    if (last - first > 2 * pixels) {
      let column = -1;
      let low = Infinity;
      let high = -Infinity;
      const flush = () => {
        if (column < 0) return;
        const x = plot.box.left + column + 0.5;
        to(x, plot.sy(low));
        to(x, plot.sy(high));
      };
      for (let i = first; i <= last; i++) {
        const x = Math.floor(plot.sx(timeOf(i)) - plot.box.left);
        if (x !== column) { flush(); column = x; low = Infinity; high = -Infinity; }
        const v = valueOf(i);
        if (v < low) low = v;
        if (v > high) high = v;
      }
      flush();
    } else {
      for (let i = first; i <= last; i++) to(plot.sx(timeOf(i)), plot.sy(valueOf(i)));
    }
    c.stroke();
  });
}

/** Draw waveform payloads (chunks of one level, in order, or a clip's outline) over the plot's time range, as one
 * path: each pixel column shows the lowest and highest sample in it; zoomed in past one sample per pixel, a line
 * through the samples (with a dot on each when they are far apart). Values are in full-scale units. */
function drawWave(plot, sampleRate, sources, color) {
  const c = plot.context;
  const [t0, t1] = plot.x;
  const pixels = plot.box.width;
  const samplesPerPixel = ((t1 - t0) * sampleRate) / pixels;
  const columns = function* () {
    for (const source of sources) {
      const { first_sample: first, block_samples: size, full_scale: scale } = source.meta;
      const low = source.arrays.minimum.data;
      const high = (source.arrays.maximum || source.arrays.minimum).data;
      const centre = size > 1 ? size / 2 : 0;
      for (let k = 0; k < low.length; k++) yield [(first + k * size + centre) / sampleRate, low[k] / scale, high[k] / scale];
    }
  };
  const singleSamples = sources.length && sources[0].meta.block_samples === 1 && samplesPerPixel < 1;
  plot.clip(() => {
    c.strokeStyle = color;
    c.fillStyle = color;
    c.lineWidth = 1;
    c.beginPath();
    if (singleSamples) {
      const points = [];
      for (const [time, value] of columns()) {
        const x = plot.sx(time);
        if (x >= plot.box.left - 50 && x <= plot.box.left + pixels + 50) { c.lineTo(x, plot.sy(value)); points.push([x, plot.sy(value)]); }
      }
      c.stroke();
      if (samplesPerPixel < 0.12) for (const [x, y] of points) { c.beginPath(); c.arc(x, y, 2, 0, 2 * Math.PI); c.fill(); }
      return;
    }
    let column = null;
    let low = Infinity;
    let high = -Infinity;
    const flush = () => {
      if (column === null) return;
      const x = plot.box.left + column + 0.5;
      c.lineTo(x, plot.sy(low));
      c.lineTo(x, Math.min(plot.sy(high), plot.sy(low) - 0.8));
    };
    for (const [time, a, b] of columns()) {
      const x = Math.floor(plot.sx(time) - plot.box.left);
      if (x < -1 || x > pixels) continue;
      if (x !== column) { flush(); column = x; low = Infinity; high = -Infinity; }
      if (a < low) low = a;
      if (b > high) high = b;
    }
    flush();
    c.stroke();
  });
}

function legend(c, box, entries) {
  c.save();
  c.font = FONT;
  let width = 0;
  for (const [label] of entries) width = Math.max(width, c.measureText(label).width);
  const w = width + 36;
  const h = 8 + 16 * entries.length;
  const left = box.left + box.width - w - 6;
  const top = box.top + 6;
  c.fillStyle = "rgba(255,255,255,0.85)";
  c.fillRect(left, top, w, h);
  c.strokeStyle = "#bbbbbb";
  c.strokeRect(left + 0.5, top + 0.5, w, h);
  entries.forEach(([label, color, lineWidth], i) => {
    const y = top + 12 + 16 * i;
    c.strokeStyle = color;
    c.lineWidth = lineWidth || 2;
    c.beginPath(); c.moveTo(left + 6, y); c.lineTo(left + 26, y); c.stroke();
    c.fillStyle = TEXT_COLOR;
    c.textBaseline = "middle";
    c.fillText(label, left + 30, y);
  });
  c.restore();
}

// ------------------------------------------------------------------------------------------- controls

let uniqueId = 0;
function nextId(prefix) { uniqueId += 1; return `${prefix}-${uniqueId}`; }

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

/** A labelled <select>; onChange(value). */
function selectControl(labelText, options, value, onChange) {
  const id = nextId("cx-select");
  const select = element("select", { id });
  for (const option of options) {
    const [optionValue, optionLabel] = Array.isArray(option) ? option : [option, option];
    select.append(element("option", { value: optionValue, text: optionLabel }));
  }
  select.value = value;
  select.addEventListener("change", (event) => onChange(select.value, event));
  const wrapper = element("div", { class: "cx-control" }, [element("label", { for: id, text: labelText }), select]);
  return { node: wrapper, input: select, set(v) { select.value = v; } };
}

/** A labelled range input over a list of choices (or a numeric range); shows the value in an <output>. */
function sliderControl(labelText, { choices, min, max, step }, value, format, onInput) {
  const id = nextId("cx-slider");
  const input = element("input", { id, type: "range" });
  const indexOf = (v) => {
    let best = 0;
    choices.forEach((choice, i) => { if (Math.abs(choice - v) < Math.abs(choices[best] - v)) best = i; });
    return best;
  };
  if (choices) {
    Object.assign(input, { min: 0, max: choices.length - 1, step: 1 });
  } else {
    Object.assign(input, { min, max, step });
  }
  const output = element("output", { for: id });
  const valueOf = () => (choices ? choices[Number(input.value)] : Number(input.value));
  const show = () => {
    output.textContent = format(valueOf());
    input.setAttribute("aria-valuetext", format(valueOf()));
  };
  const set = (v) => {
    input.value = choices ? indexOf(v) : v;
    show();
  };
  set(value);
  input.addEventListener("input", (event) => { show(); onInput(valueOf(), event); });
  const wrapper = element("div", { class: "cx-control" }, [element("label", { for: id, text: labelText }), input, output]);
  return { node: wrapper, input, set };
}

/** Radio buttons in a labelled group; onChange(value). */
function radioControl(labelText, options, value, onChange) {
  const name = nextId("cx-radio");
  const group = element("fieldset", { class: "cx-control cx-radios" }, [element("legend", { text: labelText })]);
  const inputs = options.map((option) => {
    const id = nextId("cx-option");
    const input = element("input", { type: "radio", name, id, value: option });
    input.checked = option === value;
    input.addEventListener("change", (event) => { if (input.checked) onChange(option, event); });
    group.append(element("span", {}, [input, element("label", { for: id, text: option })]));
    return input;
  });
  return { node: group, inputs, set(v) { for (const input of inputs) input.checked = input.value === v; } };
}

/** Checkboxes, one per clip, each with its colour; onChange(list of checked values). */
function checkboxControl(labelText, options, values, onChange) {
  const group = element("fieldset", { class: "cx-control cx-checks" }, [element("legend", { text: labelText })]);
  const inputs = options.map(({ name, color }) => {
    const id = nextId("cx-check");
    const input = element("input", { type: "checkbox", id, value: name });
    input.checked = values.includes(name);
    input.addEventListener("change", (event) => onChange(inputs.filter((i) => i.checked).map((i) => i.value), event));
    const swatch = element("span", { class: "cx-swatch", "aria-hidden": "true" });
    swatch.style.background = color;
    group.append(element("span", {}, [input, element("label", { for: id }, [swatch, name])]));
    return input;
  });
  return { node: group, inputs, set(list) { for (const input of inputs) input.checked = list.includes(input.value); } };
}

const STYLE = `
.cx-root { overflow-x: auto; font: 13px system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; color: #1a1a1a;
  background: #fff; padding: 6px 4px; border-radius: 4px; max-width: 100%; box-sizing: border-box; }
.cx-controls { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; margin-bottom: 4px; }
.cx-control { display: flex; align-items: center; gap: 6px; margin: 0; padding: 0; border: 0; flex-wrap: wrap; }
.cx-control label, .cx-control legend { font-weight: 600; }
.cx-radios legend, .cx-checks legend { float: left; margin-right: 6px; padding: 0; }
.cx-radios span, .cx-checks span { display: inline-flex; align-items: center; margin-right: 8px; }
.cx-radios label, .cx-checks label { font-weight: normal; }
.cx-control select { font: inherit; min-height: 28px; }
.cx-control input[type=range] { width: 170px; min-height: 24px; }
.cx-control output { min-width: 4.5em; font-variant-numeric: tabular-nums; }
.cx-swatch { display: inline-block; width: 11px; height: 11px; border-radius: 50%; margin-right: 4px; border: 1px solid #333; }
.cx-canvas { display: block; width: 100%; min-width: 280px; }
.cx-error { color: #a1260d; font-weight: 600; margin: 4px 0; }
.cx-error:empty { display: none; }
.cx-summary { margin: 4px 0 0; font-size: 13px; }
.cx-pair { display: flex; flex-wrap: wrap; gap: 8px; }
.cx-pair > .cx-rows { flex: 3 1 420px; min-width: 0; }
.cx-pair > .cx-plane { flex: 2 1 300px; min-width: 0; }
.cx-table { border-collapse: collapse; font-size: 12px; margin-top: 6px; }
.cx-table th, .cx-table td { padding: 1px 8px; text-align: right; }
.cx-table th:first-child { text-align: left; }
.cx-table caption { text-align: left; font-weight: 600; }
.cx-table-wrap { overflow-x: auto; max-width: 100%; }
.cx-player { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 12px; margin: 2px 0 4px; }
.cx-player button { font: inherit; min-height: 28px; padding: 2px 12px; cursor: pointer; }
.cx-stage { position: relative; }
.cx-playhead { position: absolute; width: 2px; background: #1a1a1a; display: none; pointer-events: none; }
`;

function ensureStyle(root) {
  const documentRoot = root.getRootNode ? root.getRootNode() : document;
  const host = documentRoot.head || documentRoot;
  if (host.querySelector && host.querySelector("style[data-course-explorer]")) return;
  const style = element("style", { "data-course-explorer": "" });
  style.textContent = STYLE;
  (host.append ? host : document.head).append(style);
}

// ------------------------------------------------------------------------------------------- the view

/** Everything one explorer view shares: the model, the data, the canvas(es), timing and the redraw loop. */
class View {
  constructor(model, el, renderer) {
    this.model = model;
    this.el = el;
    this.renderer = renderer;
    this.setup = model.get("setup");
    this.clipColor = new Map(this.setup.clips.map((clip) => [clip.name, clip.color]));
    this.duration = new Map(this.setup.clips.map((clip) => [clip.name, clip.duration_s]));
    this.colormaps = {};
    for (const [name, table] of Object.entries(this.setup.colormaps)) this.colormaps[name] = { table, words: colormapWords(table) };
    this.images = new Map(); // cache of painted images, by key and colour settings
    this.timings = [];
    this.dirty = false;
    this.frameRequested = false;
    this.data = new DataStore(model, () => this.requestDraw());
    ensureStyle(el);
    // The explorer's accessible name comes from the kernel (setup.label, e.g. "Interactive waveform explorer: ..."):
    // a screen reader announces it on entering the group, before the controls and the canvases' own labels.
    this.root = element("div", { class: "cx-root", "data-kind": model.get("kind"), role: "group", "aria-label": this.setup.label });
    this.controls = element("div", { class: "cx-controls" });
    // In JupyterLab the notebook listens to keys too (arrows move between cells, Space scrolls): keep plain keys
    // for the controls, so they move sliders and menus as on any web page. Escape, Tab and shortcuts with Ctrl,
    // Alt or Cmd (Ctrl+S saves) still reach JupyterLab.
    this.controls.addEventListener("keydown", (event) => {
      if (!event.ctrlKey && !event.metaKey && !event.altKey && event.key !== "Escape" && event.key !== "Tab") event.stopPropagation();
    });
    this.errorLine = element("p", { class: "cx-error", role: "alert" });
    this.summary = element("p", { class: "cx-summary", "aria-live": "polite" });
    this.root.append(this.controls, this.errorLine);
    el.append(this.root);
    this.listeners = [];
    this.onModel("change:error", () => this.requestDraw());
  }
  onModel(event, callback) {
    this.model.on(event, callback);
    this.listeners.push([event, callback]);
  }
  addCanvas(parent, label) {
    const canvas = element("canvas", { class: "cx-canvas", role: "img", "aria-label": label });
    parent.append(canvas);
    return canvas;
  }
  /** Resize a canvas to its CSS width at the screen's pixel density; returns its 2-D context in CSS pixels. */
  context(canvas, cssHeight) {
    const ratio = window.devicePixelRatio || 1;
    const cssWidth = canvas.clientWidth || canvas.parentNode.clientWidth || 700; // at least 280 (CSS min-width)
    const width = Math.round(cssWidth * ratio);
    const height = Math.round(cssHeight * ratio);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
      canvas.style.height = `${cssHeight}px`;
    }
    const c = canvas.getContext("2d");
    c.setTransform(ratio, 0, 0, ratio, 0, 0);
    c.clearRect(0, 0, cssWidth, cssHeight);
    c.fillStyle = "#ffffff";
    c.fillRect(0, 0, cssWidth, cssHeight);
    c.imageSmoothingEnabled = false;
    return { c, width: cssWidth, height: cssHeight, ratio };
  }
  /** Set a trait from a control and redraw now, without waiting for anything. The kernel learns the new values
   * once the control rests for SYNC_DELAY_MS: a held arrow key or a dragged slider sends one update, not thirty a
   * second, so a class sharing one server does not pay for every move. */
  setTrait(name, value, event) {
    const started = event && event.timeStamp ? event.timeStamp : performance.now();
    this.model.set(name, value);
    clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => this.model.save_changes(), SYNC_DELAY_MS);
    this.draw(name, started);
  }
  requestDraw() {
    this.dirty = true;
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      if (this.dirty) this.draw("update", null);
    });
  }
  draw(cause = "model", inputTime = null) {
    this.dirty = false;
    const started = performance.now();
    let summary = "";
    try {
      summary = this.renderer.draw(this);
    } catch (error) {
      this.errorLine.textContent = `The explorer could not draw: ${error}`;
      throw error;
    }
    const errors = [this.model.get("error"), ...this.requestErrors()].filter(Boolean).join(" ");
    if (errors !== this.errorLine.textContent) this.errorLine.textContent = errors; // an alert is read once
    // The text a screen reader announces follows the picture once the controls rest, so holding an arrow key does
    // not queue one announcement per step (the slider's own value is announced as it moves).
    clearTimeout(this.summaryTimer);
    if (summary && summary !== this.summary.textContent) {
      if (inputTime === null) this.summary.textContent = summary;
      else this.summaryTimer = setTimeout(() => { this.summary.textContent = summary; }, SUMMARY_DELAY_MS);
    }
    const finished = performance.now();
    const timing = { cause, draw_ms: finished - started, input_to_drawn_ms: inputTime === null ? null : finished - inputTime,
      input_to_frame_ms: null };
    this.timings.push(timing);
    if (this.timings.length > 2000) this.timings.splice(0, 1000);
    if (inputTime !== null) requestAnimationFrame(() => { timing.input_to_frame_ms = performance.now() - inputTime; });
    this.root.dataset.draws = String(Number(this.root.dataset.draws || 0) + 1);
  }
  requestErrors() {
    const shown = this.renderer.keysInView ? this.renderer.keysInView(this) : [];
    const messages = [];
    for (const key of shown) {
      const message = this.data.error(key);
      if (message && !messages.includes(message)) messages.push(message);
    }
    return messages;
  }
  /** A painted image for `key`, made once per colour settings and kept (the MAX_IMAGES most recently used). */
  image(cacheKey, make) {
    let image = this.images.get(cacheKey);
    if (image) {
      this.images.delete(cacheKey); // most recently used last
    } else {
      image = make();
      if (this.images.size >= MAX_IMAGES) this.images.delete(this.images.keys().next().value);
    }
    this.images.set(cacheKey, image);
    return image;
  }
  dispose() {
    if (this.renderer.dispose) this.renderer.dispose(this); // e.g. the rhythm explorer stops its player
    if (this.syncTimer) { clearTimeout(this.syncTimer); this.model.save_changes(); }
    clearTimeout(this.summaryTimer);
    for (const [event, callback] of this.listeners) this.model.off(event, callback);
    this.data.dispose();
    if (this.resizeObserver) this.resizeObserver.disconnect();
    if (this.densityQuery) this.densityQuery[0].removeEventListener("change", this.densityQuery[1]);
    this.root.remove();
  }
}

function formatWindow(seconds) { return seconds < 1 ? `${+(seconds * 1000).toFixed(3)} ms` : `${+seconds.toFixed(3)} s`; }

/** The two song pickers of two-song explorers, wired to song_a and song_b. */
function songPickers(view) {
  const names = view.setup.clips.map((clip) => clip.name);
  const pickers = {};
  for (const [trait, label] of [["song_a", "Song A"], ["song_b", "Song B"]]) {
    pickers[trait] = selectControl(label, names, view.model.get(trait), (value, event) => view.setTrait(trait, value, event));
    view.controls.append(pickers[trait].node);
    view.onModel(`change:${trait}`, () => { pickers[trait].set(view.model.get(trait)); view.requestDraw(); });
  }
  return pickers;
}

function follow(view, trait, control) {
  view.onModel(`change:${trait}`, () => { control.set(view.model.get(trait)); view.requestDraw(); });
}

// Layout of two stacked rows (song A over song B), in CSS pixels.
function twoRows(width, height, { left = 64, right = 20, top = 24, gap = 40, bottom = 44 } = {}) {
  const rowHeight = (height - top - gap - bottom) / 2;
  return [0, 1].map((row) => ({ left, top: top + row * (rowHeight + gap), width: width - left - right, height: rowHeight }));
}

// ------------------------------------------------------------------------------------------- waveform (lesson 01)

const waveform = {
  build(view) {
    const setup = view.setup;
    songPickers(view);
    const start = sliderControl("Start", { min: 0, max: setup.longest_s, step: 0.005 }, view.model.get("start"),
      (v) => `${v.toFixed(3)} s`, (value, event) => view.setTrait("start", value, event));
    const windowSlider = sliderControl("Window", { choices: setup.window_choices_s }, view.model.get("window"),
      formatWindow, (value, event) => view.setTrait("window", value, event));
    view.controls.append(start.node, windowSlider.node);
    follow(view, "start", start);
    follow(view, "window", windowSlider);
    view.canvas = view.addCanvas(view.root, "Waveforms and RMS envelopes of two songs");
    view.root.append(view.summary);
  },
  /** The clip's window [shown start, end] in seconds: moved back when it would run past the clip's end. */
  shownRange(view, name) {
    const duration = view.duration.get(name);
    const window = view.model.get("window");
    const start = Math.max(0, Math.min(view.model.get("start"), duration - window));
    return [start, start + window];
  },
  keysInView(view) {
    const keys = [];
    for (const name of [view.model.get("song_a"), view.model.get("song_b")]) keys.push(`clip|${name}`, this.rmsKey(view, name));
    return keys;
  },
  rmsKey(view, name) { return `rms|${name}|${view.setup.frame_length_samples}|${view.setup.hop_length_samples}`; },
  /** The level of detail for `pixels` device pixels across `range`: the largest block of samples per column not
   * above the samples per pixel. Returns its chunk keys, or none when the clip's outline (always here) is as
   * fine as that level. */
  level(view, name, range, pixels, clip) {
    const { sample_rate_hz: rate, wave_blocks: blocks } = view.setup;
    const samplesPerPixel = ((range[1] - range[0]) * rate) / pixels;
    let block = blocks[0];
    for (const candidate of blocks) if (candidate <= Math.max(1, samplesPerPixel)) block = candidate;
    if (clip && block >= clip.meta.block_samples) return { block, keys: [] };
    return { block, keys: this.chunkKeys(view, name, range, block) };
  },
  /** Keys of the chunks of level `block` that cover `range` (seconds, clamped to the clip). */
  chunkKeys(view, name, range, block) {
    const { sample_rate_hz: rate, wave_chunk_columns: columns } = view.setup;
    const span = block * columns;
    const total = Math.round(view.duration.get(name) * rate);
    const first = Math.max(0, Math.floor((Math.max(0, range[0]) * rate) / span));
    const last = Math.min(Math.floor((total - 1) / span), Math.floor((range[1] * rate) / span));
    const keys = [];
    for (let chunk = first; chunk <= last; chunk++) keys.push(`wave|${name}|${block}|${chunk}`);
    return keys;
  },
  draw(view) {
    const { c, width } = view.context(view.canvas, 400);
    const boxes = twoRows(width, 400, { left: 70 });
    const songs = [view.model.get("song_a"), view.model.get("song_b")];
    const rate = view.setup.sample_rate_hz;
    const texts = [];
    songs.forEach((name, row) => {
      const box = boxes[row];
      const range = this.shownRange(view, name);
      const plot = new Plot(c, box, { x: range, y: [-1, 1] });
      // The piano's colour is black, like the RMS envelope: its waveform is drawn in blue instead.
      const waveColor = view.clipColor.get(name) === "#000000" ? "#0072B2" : view.clipColor.get(name);
      const clip = view.data.get(`clip|${name}`);
      const rms = view.data.get(this.rmsKey(view, name));
      const digits = 3; // the Start slider moves in steps of 5 ms
      const duration = view.duration.get(name);
      const moved = Math.abs(range[0] - view.model.get("start")) > 1e-9 ? " (moved back: the clip ends there)" : "";
      const title = `${name}: ${range[0].toFixed(digits)}\u2013${range[1].toFixed(digits)} s of ${duration.toFixed(1)} s${moved}`;
      const error = view.data.error(`clip|${name}`);
      if (!clip) {
        plot.message(error ? `No data for ${name}: ${error}` : `Loading ${name}\u2026`);
      } else {
        // The finest level this zoom needs, if every chunk of it is here; otherwise the whole-clip outline.
        const pixels = box.width * view.canvasRatio();
        const { keys, block } = this.level(view, name, range, pixels, clip);
        const chunks = keys.map((key) => view.data.get(key));
        const sources = keys.length && chunks.every(Boolean) ? chunks : [clip];
        // Ask ahead for the windows on either side at the same detail, so the next moves find their data here.
        const width = range[1] - range[0];
        for (const key of this.chunkKeys(view, name, [range[0] - width, range[1] + width], block)) {
          if (!keys.includes(key)) view.data.get(key);
        }
        plot.clip((ctx) => {
          ctx.strokeStyle = GRID_COLOR;
          ctx.beginPath(); ctx.moveTo(box.left, plot.sy(0)); ctx.lineTo(box.left + box.width, plot.sy(0)); ctx.stroke();
        });
        drawWave(plot, rate, sources, waveColor);
        if (rms) {
          const values = rms.arrays.rms.data;
          const step = rms.meta.hop_length_samples / rms.meta.sample_rate_hz;
          drawCurve(plot, values.length, (k) => k * step, (k) => values[k], "#000000", 2);
          texts.push(`${name}: ${range[0].toFixed(digits)} to ${range[1].toFixed(digits)} s, ${windowLevel(values, step, range, duration, rms.meta)}`);
        }
      }
      plot.frame({ yLabel: "Amplitude\n(full scale = \u00b11)", xLabel: row === 1 ? "Time (s)" : null, title,
        yTicks: [-1, -0.5, 0, 0.5, 1] });
      legend(c, box, [["waveform", waveColor], ["RMS envelope", "#000000", 2]]);
    });
    return `Showing ${texts.join("; ")}. Window ${formatWindow(view.model.get("window"))}.`;
  },
};

/** The window's loudness in words: the whole clip's RMS level (the lesson's number) when the window shows all of
 * it; the RMS of the envelope frames centred in the window when there are a few; otherwise the envelope at the
 * window's centre, whose frame is longer than the window. */
function windowLevel(rms, step, [start, end], duration, meta) {
  const dbfs = (meanSquare) => `${formatNumber(10 * Math.log10(Math.max(meanSquare, 1e-20)), 1)} dBFS`;
  if (start <= 0 && end >= duration - 1e-9) return `RMS level of the whole clip ${formatNumber(meta.clip_rms_dbfs, 1)} dBFS`;
  let sum = 0;
  let count = 0;
  for (let k = Math.max(0, Math.ceil(start / step)); k < rms.length && k * step <= end; k++) { sum += rms[k] * rms[k]; count += 1; }
  if (count >= 4) return `RMS level over the window ${dbfs(sum / count)}`;
  const centre = Math.min(rms.length - 1, Math.round((start + end) / 2 / step));
  return `RMS envelope at the window's centre ${dbfs(rms[centre] * rms[centre])} (one ${formatNumber(1000 * meta.frame_length_samples / meta.sample_rate_hz, 0)} ms frame)`;
}

// ------------------------------------------------------------------------------------------- spectrograms (lesson 02)

/** The painted image of a spectrogram payload (uint8 dB levels) in a colour map. */
function spectrogramImage(view, key, payload, colormap = "magma") {
  return view.image(`${key}|${colormap}`, () => {
    const { data, shape: [rows, columns] } = payload.arrays.image;
    const words = view.colormaps[colormap].words;
    return paintImage(rows, columns, words, (row, column) => data[row * columns + column]);
  });
}

function frequencyAxis(meta) {
  if (meta.scale === "linear") return { ticks: null, label: "Frequency (Hz, linear)" };
  return { ticks: meta.frequency_ticks, label: `Frequency (Hz, ${meta.scale} scale)` };
}

function drawSpectrogramRow(view, plot, key, payload) {
  const image = spectrogramImage(view, key, payload);
  const meta = payload.meta;
  // The picture's edges, in the axes' units: half a frame before the first frame's centre to half a block after
  // the last, and half a row below the first row's centre to half a row above the last (helpers/explorer_data.py).
  const [x0, x1, y0, y1] = meta.image_extent;
  plot.clip((c) => {
    c.imageSmoothingEnabled = false;
    c.drawImage(image, plot.sx(x0), plot.sy(y1), plot.sx(x1) - plot.sx(x0), plot.sy(y0) - plot.sy(y1));
  });
}

function dbColorBar(view, c, box) {
  colorBar(c, box, view.colormaps.magma.table, view.setup.db_range, "Level (dB re\nfull-scale sine)", null);
}

const spectrogram = {
  build(view) {
    const setup = view.setup;
    songPickers(view);
    const scale = radioControl("Frequency axis", setup.scales, view.model.get("scale"), (value, event) => view.setTrait("scale", value, event));
    const nFft = sliderControl("n_fft", { choices: setup.n_fft_choices }, view.model.get("n_fft"),
      (v) => `${v} samples (${(1000 * v / setup.sample_rate_hz).toFixed(0)} ms)`, (value, event) => view.setTrait("n_fft", value, event));
    view.controls.append(scale.node, nFft.node);
    follow(view, "scale", scale);
    follow(view, "n_fft", nFft);
    view.canvas = view.addCanvas(view.root, "Spectrograms of two songs");
    view.root.append(view.summary);
  },
  key(view, name) { return `spectrogram|${name}|${view.model.get("n_fft")}|${view.model.get("scale")}`; },
  keysInView(view) { return [view.model.get("song_a"), view.model.get("song_b")].map((name) => this.key(view, name)); },
  draw(view) {
    const { c, width } = view.context(view.canvas, 440);
    const boxes = twoRows(width, 440, { left: 70, right: 110 });
    const songs = [view.model.get("song_a"), view.model.get("song_b")];
    const longest = Math.max(...songs.map((name) => view.duration.get(name)));
    const texts = [];
    songs.forEach((name, row) => {
      const key = this.key(view, name);
      const payload = view.data.get(key);
      const box = boxes[row];
      if (!payload) {
        const plot = new Plot(c, box, { x: [0, longest], y: [0, 1] });
        const error = view.data.error(key);
        plot.message(error ? `No spectrogram of ${name}: ${error}` : `Computing the spectrogram of ${name}\u2026`);
        plot.frame({ title: name, yTicks: [], xLabel: row === 1 ? "Time (s)" : null });
        return;
      }
      const meta = payload.meta;
      const plot = new Plot(c, box, { x: [0, longest], y: [meta.axis_bottom, meta.axis_top] });
      drawSpectrogramRow(view, plot, key, payload);
      const axis = frequencyAxis(meta);
      const bands = meta.scale === "mel" ? `, ${meta.mel_bands} mel bands` : "";
      dbColorBar(view, c, { left: box.left + box.width + 14, top: box.top, width: 14, height: box.height });
      plot.frame({ yTicks: axis.ticks, yLabel: axis.label.replace(", ", ",\n"), xLabel: row === 1 ? "Time (s)" : null,
        title: `${name}: n_fft = ${meta.n_fft_samples} \u2192 ${meta.hz_per_bin.toFixed(1)} Hz per bin, ${meta.window_ms.toFixed(0)} ms per window${bands}` });
      texts.push(`${name} on a ${meta.scale} frequency axis, n_fft ${meta.n_fft_samples} samples: ${meta.hz_per_bin.toFixed(1)} Hz per bin, ` +
        `${meta.window_ms.toFixed(0)} ms per window${bands}`);
    });
    return `Showing ${texts.join("; ")}.`;
  },
};

// ------------------------------------------------------------------------------------------- features (lessons 03-04)

const CURVE_COLORS_OVER_SPECTROGRAM = ["#FFFFFF", "#56B4E9", "#009E73"];

const feature = {
  build(view) {
    const setup = view.setup;
    songPickers(view);
    const frame = sliderControl("Frame length", { choices: setup.frame_length_choices }, view.model.get("frame_length"),
      (v) => `${v} samples (${(1000 * v / setup.sample_rate_hz).toFixed(0)} ms)`, (value, event) => view.setTrait("frame_length", value, event));
    view.controls.append(frame.node);
    follow(view, "frame_length", frame);
    view.canvas = view.addCanvas(view.root, `${setup.features[0].label} of two songs over time`);
    view.root.append(view.summary);
  },
  featureKey(view, name, featureName) { return `feature|${name}|${featureName}|${view.model.get("frame_length")}`; },
  backgroundKey(view, name) {
    return view.setup.over_spectrogram ? `spectrogram|${name}|${view.model.get("frame_length")}|linear` : `clip|${name}`;
  },
  keysInView(view) {
    const keys = [];
    for (const name of [view.model.get("song_a"), view.model.get("song_b")]) {
      keys.push(this.backgroundKey(view, name), ...view.setup.features.map((f) => this.featureKey(view, name, f.name)));
    }
    return keys;
  },
  draw(view) {
    const setup = view.setup;
    const main = setup.features[0];
    const { c, width } = view.context(view.canvas, 440);
    const over = setup.over_spectrogram;
    const boxes = twoRows(width, 440, { left: 70, right: over ? 110 : 78 });
    const songs = [view.model.get("song_a"), view.model.get("song_b")];
    const longest = Math.max(...songs.map((name) => view.duration.get(name)));
    const rate = setup.sample_rate_hz;
    // Zero-crossing curves of both songs share one scale, so their heights compare.
    let top = 0.05;
    if (!over) {
      for (const name of songs) {
        const payload = view.data.get(this.featureKey(view, name, main.name));
        if (payload) top = Math.max(top, 1.1 * payload.meta.percentile_99_5);
      }
    }
    const texts = [];
    songs.forEach((name, row) => {
      const box = boxes[row];
      const background = view.data.get(this.backgroundKey(view, name));
      const curves = setup.features.map((f) => view.data.get(this.featureKey(view, name, f.name)));
      const missing = this.keysInView(view).filter((key) => key.split("|")[1] === name && !view.data.has(key));
      const errorKey = missing.find((key) => view.data.error(key));
      const xLabel = row === 1 ? "Time (s)" : null;
      const mainPayload = curves[0];
      const title = mainPayload ? `${name}: mean ${main.label} ${mainPayload.meta.mean_text} ${main.unit}` : name;
      if (over) {
        const plot = new Plot(c, box, { x: [0, longest], y: [0, rate / 2] });
        if (background) drawSpectrogramRow(view, plot, this.backgroundKey(view, name), background);
        else plot.message(errorKey ? `No data for ${name}: ${view.data.error(errorKey)}` : `Computing ${name}\u2026`);
        const entries = [];
        curves.forEach((payload, index) => {
          if (!payload) return;
          const values = payload.arrays.values.data;
          const step = payload.meta.hop_length_samples / payload.meta.sample_rate_hz;
          const color = CURVE_COLORS_OVER_SPECTROGRAM[index % 3];
          drawCurve(plot, values.length, (k) => k * step, (k) => values[k], color, 1.6);
          entries.push([setup.features[index].label, color === "#FFFFFF" ? "#9a9a9a" : color]);
        });
        dbColorBar(view, c, { left: box.left + box.width + 14, top: box.top, width: 14, height: box.height });
        plot.frame({ yLabel: "Frequency (Hz)", xLabel, title });
        if (entries.length) legend(c, box, entries);
      } else {
        const plot = new Plot(c, box, { x: [0, longest], y: [-1, 1] });
        if (background) drawWave(plot, rate, [background], "#0072B2");
        const curvePlot = new Plot(c, box, { x: [0, longest], y: [0, top] });
        const payload = curves[0];
        if (payload) {
          const values = payload.arrays.values.data;
          const step = payload.meta.hop_length_samples / payload.meta.sample_rate_hz;
          drawCurve(curvePlot, values.length, (k) => k * step, (k) => values[k], "#D55E00", 1.6);
        } else if (errorKey) {
          curvePlot.message(`No data for ${name}: ${view.data.error(errorKey)}`);
        }
        plot.frame({ yLabel: "Amplitude\n(full scale = \u00b11)", xLabel, title, yTicks: [-1, 0, 1],
          rightTicks: niceTicks(0, top, 4), rightRange: [0, top], rightLabel: `${main.label}\n(${main.unit})` });
        legend(c, box, [["waveform", "#0072B2"], [main.label, "#D55E00"]]);
      }
      if (mainPayload) texts.push(`${name}: mean ${main.label} ${mainPayload.meta.mean_text} ${main.unit}`);
    });
    return `${texts.join("; ")}. Frame length ${view.model.get("frame_length")} samples.`;
  },
};

// ------------------------------------------------------------------------------------------- MFCCs (lesson 05)

/** Orthonormal DCT-II basis, basis[k * m + i] = s_k cos(pi k (2i + 1) / 2m): the DCT librosa uses for MFCCs. */
function dctBasis(m) {
  const basis = new Float64Array(m * m);
  for (let k = 0; k < m; k++) {
    const scale = Math.sqrt((k === 0 ? 1 : 2) / m);
    for (let i = 0; i < m; i++) basis[k * m + i] = scale * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * m));
  }
  return basis;
}

const mfcc = {
  build(view) {
    const setup = view.setup;
    const names = setup.clips.map((clip) => clip.name);
    const song = selectControl("Song", names, view.model.get("song"), (value, event) => view.setTrait("song", value, event));
    const count = sliderControl("n_mfcc", { min: 1, max: setup.n_mels, step: 1 }, view.model.get("n_mfcc"), (v) => `${v}`,
      (value, event) => view.setTrait("n_mfcc", value, event));
    view.controls.append(song.node, count.node);
    follow(view, "song", song);
    follow(view, "n_mfcc", count);
    view.canvas = view.addCanvas(view.root, "Log-mel spectrogram, its MFCCs and its rebuild from the kept MFCCs");
    view.root.append(view.summary);
    view.mfccState = new Map(); // per song: coefficients and the current rebuild
  },
  key(view) { return `mfcc|${view.model.get("song")}|${view.setup.n_mels}`; },
  keysInView(view) { return [this.key(view)]; },
  /** Per song: its log-mel levels (dB), their DCT, and a rebuild updated one coefficient at a time. */
  state(view, payload) {
    const key = this.key(view);
    let state = view.mfccState.get(key);
    if (state) return state;
    const { data, shape: [m, t] } = payload.arrays.log_mel;
    const { db_low: low, db_step: step } = payload.meta;
    const levels = new Float64Array(m * t);
    for (let i = 0; i < m * t; i++) levels[i] = low + data[i] * step;
    const basis = dctBasis(m);
    const coefficients = new Float64Array(m * t);
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < t; j++) {
        let sum = 0;
        for (let i = 0; i < m; i++) sum += basis[k * m + i] * levels[i * t + j];
        coefficients[k * t + j] = sum;
      }
    }
    state = { m, t, levels, basis, coefficients, rebuilt: new Float64Array(m * t), kept: 0 };
    view.mfccState.set(key, state);
    return state;
  },
  /** Move the rebuild to n kept coefficients by adding or removing one coefficient's term at a time. */
  rebuild(state, n) {
    if (Math.abs(n - state.kept) > n) { state.rebuilt.fill(0); state.kept = 0; }
    const { m, t, basis, coefficients, rebuilt } = state;
    const apply = (k, sign) => {
      for (let i = 0; i < m; i++) {
        const b = sign * basis[k * m + i];
        const row = i * t;
        for (let j = 0; j < t; j++) rebuilt[row + j] += b * coefficients[k * t + j];
      }
    };
    while (state.kept < n) { apply(state.kept, 1); state.kept += 1; }
    while (state.kept > n) { state.kept -= 1; apply(state.kept, -1); }
    return rebuilt;
  },
  draw(view) {
    const { c, width } = view.context(view.canvas, 560);
    const name = view.model.get("song");
    const n = view.model.get("n_mfcc");
    const payload = view.data.get(this.key(view));
    const left = 70;
    const right = 120;
    const rowHeight = (560 - 24 - 2 * 36 - 44) / 3;
    const boxes = [0, 1, 2].map((row) => ({ left, top: 24 + row * (rowHeight + 36), width: width - left - right, height: rowHeight }));
    const duration = view.duration.get(name);
    if (!payload) {
      const error = view.data.error(this.key(view));
      const plot = new Plot(c, boxes[0], { x: [0, duration], y: [0, 1] });
      plot.message(error ? `No data for ${name}: ${error}` : `Computing the MFCCs of ${name}\u2026`);
      plot.frame({ title: name, yTicks: [] });
      return `Loading ${name}.`;
    }
    const meta = payload.meta;
    const state = this.state(view, payload);
    const { m, t } = state;
    const rebuilt = this.rebuild(state, n);
    const magma = view.colormaps.magma;
    const cividis = view.colormaps.cividis;
    const low = meta.db_low;
    const high = meta.db_low + 255 * meta.db_step;
    const toIndex = (value, a, b) => Math.max(0, Math.min(255, Math.round(((value - a) / (b - a)) * 255)));
    const limit = meta.coefficient_limit[n - 1];
    const original = view.image(`${this.key(view)}|original`, () => paintImage(m, t, magma.words, (i, j) => payload.arrays.log_mel.data[i * t + j]));
    view.mfccCanvases = view.mfccCanvases || {};
    const coefficientImage = repaintImage(view.mfccCanvases, "coefficients", n, t, cividis.words, (k, j) => toIndex(state.coefficients[k * t + j], -limit, limit));
    const rebuiltImage = repaintImage(view.mfccCanvases, "rebuilt", m, t, magma.words, (i, j) => toIndex(rebuilt[i * t + j], low, high));
    const error = meta.rebuild_error_db[n - 1];
    const rows = [
      [original, [-0.5, m - 0.5], "mel band", `${name}: log-mel spectrogram (dB), ${m} bands`, magma, [low, high], "level (dB)"],
      [coefficientImage, [-0.5, n - 0.5], "MFCC number\n(0 = level)", `first ${n} MFCCs (of ${m})`, cividis, [-limit, limit], "MFCC value"],
      [rebuiltImage, [-0.5, m - 0.5], "mel band", `rebuilt from ${n} MFCCs: RMS error ${error.toFixed(1)} dB`, magma, [low, high], "level (dB)"],
    ];
    const [x0, x1] = meta.image_extent_s; // frame k is centred at k * hop / sr; each column averages a few frames
    rows.forEach(([image, yRange, yLabel, title, colormap, range, barLabel], row) => {
      const plot = new Plot(c, boxes[row], { x: [0, duration], y: yRange });
      plot.clip((ctx) => { ctx.imageSmoothingEnabled = false; ctx.drawImage(image, plot.sx(x0), plot.box.top, plot.sx(x1) - plot.sx(x0), plot.box.height); });
      const yTicks = row === 1 ? niceTicks(0, n - 1, Math.min(5, n)).filter((v) => Number.isInteger(v)) : null;
      plot.frame({ yLabel, title, xLabel: row === 2 ? "Time (s)" : null, yTicks });
      colorBar(c, { left: boxes[row].left + boxes[row].width + 14, top: boxes[row].top, width: 12, height: boxes[row].height }, colormap.table, range, barLabel);
    });
    return `${name}: ${n} of ${m} MFCCs kept; the log-mel spectrogram rebuilt from them has an RMS error of ${error.toFixed(1)} dB.`;
  },
};

// ------------------------------------------------------------------------------------------- dashboard (lesson 06)

const dashboard = {
  build(view) {
    const setup = view.setup;
    const clips = checkboxControl("Clips", setup.clips, view.model.get("selected"), (values, event) => view.setTrait("selected", values, event));
    const viewMenu = selectControl("View", setup.views.map((v) => [v.name, v.label]), view.model.get("view"), (value, event) => view.setTrait("view", value, event));
    const menu = setup.features.map((f) => [f.name, f.axis_label]);
    const x = selectControl("Plane x", menu, view.model.get("x_feature"), (value, event) => view.setTrait("x_feature", value, event));
    const y = selectControl("Plane y", menu, view.model.get("y_feature"), (value, event) => view.setTrait("y_feature", value, event));
    view.controls.append(clips.node, viewMenu.node, x.node, y.node);
    follow(view, "selected", clips);
    follow(view, "view", viewMenu);
    follow(view, "x_feature", x);
    follow(view, "y_feature", y);
    const pair = element("div", { class: "cx-pair" });
    const rows = element("div", { class: "cx-rows" });
    const plane = element("div", { class: "cx-plane" });
    pair.append(rows, plane);
    view.root.append(pair);
    view.canvas = view.addCanvas(rows, "One row per picked clip, on shared scales");
    view.planeCanvas = view.addCanvas(plane, "Feature plane: every clip's mean on two features");
    view.tableWrap = element("div", { class: "cx-table-wrap" });
    view.root.append(view.summary, view.tableWrap);
  },
  selected(view) {
    const picked = view.model.get("selected");
    return view.setup.clips.map((clip) => clip.name).filter((name) => picked.includes(name));
  },
  rowKey(view, name) {
    const v = view.model.get("view");
    if (v === "waveform") return `clip|${name}`;
    if (v === "spectrogram") return `spectrogram|${name}|${view.setup.n_fft_samples}|log`;
    return `frames|${name}|${v}`;
  },
  keysInView(view) { return this.selected(view).map((name) => this.rowKey(view, name)); },
  feature(view, name) { return view.setup.features.find((f) => f.name === name); },
  draw(view) {
    const selected = this.selected(view);
    this.drawRows(view, selected);
    const scores = this.drawPlane(view, selected);
    this.drawTable(view, selected);
    const xf = this.feature(view, view.model.get("x_feature"));
    const yf = this.feature(view, view.model.get("y_feature"));
    const viewLabel = view.setup.views.find((v) => v.name === view.model.get("view")).label;
    const scoreText = scores ? ` Fisher score of the picked clips: x ${scores[0].toFixed(2)}, y ${scores[1].toFixed(2)}.` : " The Fisher score needs two picked clips.";
    return `Picked: ${selected.join(", ") || "none"}. View: ${viewLabel}. Plane: ${xf.axis_label} against ${yf.axis_label}.${scoreText}`;
  },
  drawRows(view, selected) {
    const setup = view.setup;
    const rowHeight = 78;
    const height = Math.max(300, 30 + selected.length * (rowHeight + 30) + 20);
    const { c, width } = view.context(view.canvas, height);
    const v = view.model.get("view");
    if (!selected.length) {
      const plot = new Plot(c, { left: 70, top: 24, width: width - 90, height: height - 70 }, { x: [0, 1], y: [0, 1] });
      plot.message("Pick at least one clip (two or more to compare) with the checkboxes above.");
      return;
    }
    const isImage = v === "spectrogram" || v === "mfcc";
    const right = isImage ? 100 : 16;
    const longest = Math.max(...selected.map((name) => view.duration.get(name)));
    const scalar = setup.scalar_features.find((f) => f.name === v);
    let range = [-1, 1];
    if (scalar) {
      const top = Math.max(...selected.map((name) => setup.statistics[name][v].percentile_99_5));
      range = [0, top > 0 ? 1.05 * top : 1];
    }
    let mfccMean = null;
    let mfccStd = null;
    if (v === "mfcc") [mfccMean, mfccStd] = this.pooledMfcc(view, selected);
    selected.forEach((name, row) => {
      const box = { left: 70, top: 24 + row * (rowHeight + 30), width: width - 70 - right, height: rowHeight };
      const key = this.rowKey(view, name);
      const payload = view.data.get(key);
      const last = row === selected.length - 1;
      const color = view.clipColor.get(name);
      let plot;
      let title = name;
      let yTicks;
      if (!payload) {
        plot = new Plot(c, box, { x: [0, longest], y: [0, 1] });
        const error = view.data.error(key);
        plot.message(error ? `No data for ${name}: ${error}` : `Loading ${name}\u2026`);
        plot.frame({ title, yTicks: [], xTicks: last ? true : "marks", xLabel: last ? "Time (s)" : null });
        return;
      }
      if (v === "waveform") {
        plot = new Plot(c, box, { x: [0, longest], y: [-1, 1] });
        drawWave(plot, setup.sample_rate_hz, [payload], color);
        title = `${name}: waveform`;
        yTicks = [-1, 0, 1];
      } else if (v === "spectrogram") {
        plot = new Plot(c, box, { x: [0, longest], y: [payload.meta.axis_bottom, payload.meta.axis_top] });
        drawSpectrogramRow(view, plot, key, payload);
        title = `${name}: spectrogram`;
        yTicks = setup.frequency_ticks;
      } else if (v === "mfcc") {
        const values = payload.arrays.values;
        const [count, frames] = values.shape;
        plot = new Plot(c, box, { x: [0, longest], y: [-0.5, count - 0.5] });
        const [zLow, zHigh] = setup.mfcc_z_range;
        const image = view.image(`${key}|z|${selected.join(",")}`, () => paintImage(count, frames, view.colormaps.cividis.words, (k, j) => {
          const z = (values.data[k * frames + j] - mfccMean[k]) / (mfccStd[k] > 0 ? mfccStd[k] : 1);
          return Math.max(0, Math.min(255, Math.round(((z - zLow) / (zHigh - zLow)) * 255)));
        }));
        const hop = payload.meta.hop_length_samples / payload.meta.sample_rate_hz; // frame k centred at k * hop
        plot.clip((ctx) => { ctx.imageSmoothingEnabled = false; ctx.drawImage(image, plot.sx(-0.5 * hop), box.top, plot.sx((frames - 0.5) * hop) - plot.sx(-0.5 * hop), box.height); });
        title = `${name}: MFCCs 0\u2013${count - 1}`;
        yTicks = [0, 6, 12].filter((k) => k < count);
      } else {
        plot = new Plot(c, box, { x: [0, longest], y: range });
        const values = payload.arrays.values.data;
        const step = payload.meta.hop_length_samples / payload.meta.sample_rate_hz;
        drawCurve(plot, values.length, (k) => k * step, (k) => values[k], color, 1.2);
        title = `${name}: mean ${setup.statistics[name][v].text} ${scalar.unit}`;
        yTicks = niceTicks(range[0], range[1], 3);
      }
      plot.frame({ title, yTicks, xTicks: last ? true : "marks", xLabel: last ? "Time (s)" : null, titleRoom: isImage ? 10 : null });
    });
    const label = scalar ? `${scalar.label} (${scalar.unit}), lesson ${scalar.lesson}` : { waveform: "Amplitude (full scale = \u00b11)", spectrogram: "Frequency (Hz, log scale)", mfcc: "MFCC number" }[v];
    // The rows' shared label, kept inside the canvas: on two lines when one would not fit beside the rows.
    c.font = FONT;
    const lines = c.measureText(label).width > height - 12 ? label.replace(/ \(/, "\n(").replace(", lesson", ",\nlesson") : label;
    const labelLength = Math.max(...lines.split("\n").map((line) => c.measureText(line).width));
    const middle = 24 + (selected.length * (rowHeight + 30) - 30) / 2;
    verticalText(c, lines, 4, Math.min(Math.max(middle, labelLength / 2 + 4), height - labelLength / 2 - 4));
    if (isImage) {
      const barBox = { left: width - right + 14, top: 24, width: 12, height: selected.length * (rowHeight + 30) - 30 };
      if (v === "spectrogram") colorBar(c, barBox, view.colormaps.magma.table, setup.db_range, "Level (dB re\nfull-scale sine)");
      else colorBar(c, barBox, view.colormaps.cividis.table, setup.mfcc_z_range, "MFCC, standardised\nover the picked clips");
    }
  },
  /** Mean and std of each MFCC over the sounding frames of the picked clips together (from each clip's count,
   * mean and variance: the same numbers as over the pooled frames). */
  pooledMfcc(view, selected) {
    const count = view.setup.features.filter((f) => f.name.startsWith("mfcc")).length;
    const means = new Float64Array(count);
    const stds = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      const stats = selected.map((name) => view.setup.statistics[name][`mfcc${k}`]);
      const total = stats.reduce((s, x) => s + x.count, 0);
      const mean = stats.reduce((s, x) => s + x.count * x.mean, 0) / total;
      const variance = stats.reduce((s, x) => s + x.count * (x.variance + (x.mean - mean) ** 2), 0) / total;
      means[k] = mean;
      stds[k] = Math.sqrt(variance);
    }
    return [means, stds];
  },
  /** Fisher score (between- over within-clip variance) of the picked clips' frames on one feature. */
  fisher(view, selected, featureName) {
    const stats = selected.map((name) => view.setup.statistics[name][featureName]);
    const total = stats.reduce((s, x) => s + x.count, 0);
    const mean = stats.reduce((s, x) => s + x.count * x.mean, 0) / total;
    const between = stats.reduce((s, x) => s + x.count * (x.mean - mean) ** 2, 0);
    const within = stats.reduce((s, x) => s + x.count * x.variance, 0);
    if (within === 0) return between > 0 ? Infinity : 0;
    return between / within;
  },
  drawPlane(view, selected) {
    const setup = view.setup;
    const { c, width, height } = view.context(view.planeCanvas, 360);
    const xName = view.model.get("x_feature");
    const yName = view.model.get("y_feature");
    const box = { left: 72, top: 44, width: width - 72 - 14, height: height - 44 - 48 };
    const points = setup.clips.map((clip) => {
      const sx = setup.statistics[clip.name][xName];
      const sy = setup.statistics[clip.name][yName];
      return { name: clip.name, x: sx.mean, y: sy.mean, xs: Math.sqrt(sx.variance), ys: Math.sqrt(sy.variance), picked: selected.includes(clip.name), color: clip.color };
    });
    const xs = [];
    const ys = [];
    for (const p of points) {
      if (p.picked) { xs.push(p.x - p.xs, p.x + p.xs); ys.push(p.y - p.ys, p.y + p.ys); } else { xs.push(p.x); ys.push(p.y); }
    }
    const padded = (values) => {
      const low = Math.min(...values);
      const high = Math.max(...values);
      const pad = 0.06 * (high - low) || 1;
      return [low - pad, high + pad];
    };
    const plot = new Plot(c, box, { x: padded(xs), y: padded(ys) });
    const scores = selected.length >= 2 ? [this.fisher(view, selected, xName), this.fisher(view, selected, yName)] : null;
    plot.clip((ctx) => {
      for (const p of points.filter((q) => !q.picked)) {
        ctx.strokeStyle = "#8c8c8c";
        ctx.lineWidth = 1.2;
        ctx.beginPath(); ctx.arc(plot.sx(p.x), plot.sy(p.y), 4.5, 0, 2 * Math.PI); ctx.stroke();
      }
      for (const p of points.filter((q) => q.picked)) {
        ctx.strokeStyle = p.color;
        ctx.lineWidth = 1.6;
        ctx.beginPath();
        ctx.moveTo(plot.sx(p.x - p.xs), plot.sy(p.y)); ctx.lineTo(plot.sx(p.x + p.xs), plot.sy(p.y));
        ctx.moveTo(plot.sx(p.x), plot.sy(p.y - p.ys)); ctx.lineTo(plot.sx(p.x), plot.sy(p.y + p.ys));
        ctx.stroke();
        ctx.fillStyle = p.color;
        ctx.strokeStyle = "#000000";
        ctx.lineWidth = 1;
        ctx.beginPath(); ctx.arc(plot.sx(p.x), plot.sy(p.y), 5, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      }
    });
    this.placeLabels(c, plot, points);
    const xf = this.feature(view, xName);
    const yf = this.feature(view, yName);
    plot.frame({ xLabel: xf.axis_label, yLabel: yf.axis_label, title: null });
    c.save();
    c.font = TITLE_FONT;
    c.fillStyle = TEXT_COLOR;
    c.textAlign = "left";
    c.textBaseline = "top";
    c.fillText(fitText(c, "Clip means, \u00b11 std for the picked clips", width - 10), 6, 4);
    c.font = FONT;
    c.fillText(fitText(c, scores ? `Fisher score of the picked clips: x ${scores[0].toFixed(2)}, y ${scores[1].toFixed(2)}` : "Fisher score: pick two clips or more", width - 10), 6, 22);
    c.restore();
    return scores;
  },
  /** Name each point, trying a few places around it so that labels do not cover each other (picked first). */
  placeLabels(c, plot, points) {
    c.save();
    const placed = [];
    const ordered = [...points].sort((a, b) => Number(b.picked) - Number(a.picked));
    for (const p of ordered) {
      c.font = p.picked ? TITLE_FONT.replace("13px", "12px") : FONT;
      const w = c.measureText(p.name).width;
      const h = 13;
      const x = plot.sx(p.x);
      const y = plot.sy(p.y);
      const candidates = [[7, -h - 3], [7, 3], [-w - 7, -h - 3], [-w - 7, 3], [-w / 2, -h - 9], [-w / 2, 9]];
      let chosen = candidates[0];
      for (const [dx, dy] of candidates) {
        const r = { left: x + dx, top: y + dy, right: x + dx + w, bottom: y + dy + h };
        const inside = r.left >= plot.box.left && r.right <= plot.box.left + plot.box.width && r.top >= plot.box.top && r.bottom <= plot.box.top + plot.box.height;
        const free = placed.every((o) => r.right < o.left || r.left > o.right || r.bottom < o.top || r.top > o.bottom);
        if (inside && free) { chosen = [dx, dy]; break; }
      }
      const r = { left: x + chosen[0], top: y + chosen[1], right: x + chosen[0] + w, bottom: y + chosen[1] + h };
      placed.push(r);
      c.fillStyle = p.picked ? TEXT_COLOR : "#595959";
      c.textBaseline = "top";
      c.textAlign = "left";
      c.fillText(p.name, r.left, r.top);
    }
    c.restore();
  },
  drawTable(view, selected) {
    const setup = view.setup;
    const columns = setup.scalar_features.map((f) => f.name);
    for (const name of [view.model.get("x_feature"), view.model.get("y_feature")]) if (!columns.includes(name)) columns.push(name);
    const table = element("table", { class: "cx-table" });
    table.append(element("caption", { text: "Mean \u00b1 standard deviation over each picked clip's sounding frames" }));
    const head = element("tr", {}, [element("th", { scope: "col", text: "clip" })]);
    for (const column of columns) head.append(element("th", { scope: "col", text: this.feature(view, column).axis_label }));
    table.append(head);
    for (const name of selected) {
      const row = element("tr", {}, [element("th", { scope: "row", text: name })]);
      for (const column of columns) row.append(element("td", { text: setup.statistics[name][column].text }));
      table.append(row);
    }
    view.tableWrap.replaceChildren(table);
  },
};

// ------------------------------------------------------------------------------------------- pitch (lesson 09)

/** "1588 ms", "12.7 ms": a filter length with three significant figures at most. */
function formatMs(ms) { return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toPrecision(3)} ms`; }

const pitch = {
  build(view) {
    const setup = view.setup;
    const names = setup.clips.map((clip) => clip.name);
    const song = selectControl("Song", names, view.model.get("song"), (value, event) => view.setTrait("song", value, event));
    const bins = sliderControl("Bins per octave", { choices: setup.bins_per_octave_choices }, view.model.get("bins_per_octave"),
      (v) => `${v} (${v / 12} per semitone)`, (value, event) => view.setTrait("bins_per_octave", value, event));
    view.controls.append(song.node, bins.node);
    follow(view, "song", song);
    follow(view, "bins_per_octave", bins);
    view.canvas = view.addCanvas(view.root, "Constant-Q transform and chroma of one song");
    view.root.append(view.summary);
  },
  key(view, bins = view.model.get("bins_per_octave")) { return `pitch|${view.model.get("song")}|${bins}`; },
  keysInView(view) { return [this.key(view)]; },
  draw(view) {
    const setup = view.setup;
    const { c, width } = view.context(view.canvas, 520);
    const name = view.model.get("song");
    const bins = view.model.get("bins_per_octave");
    const key = this.key(view);
    const payload = view.data.get(key); // asked for first, so the kernel computes it first
    // Ask ahead for this song's other settings, so that moving the slider finds them here.
    for (const choice of setup.bins_per_octave_choices) if (choice !== bins) view.data.get(this.key(view, choice));
    const duration = view.duration.get(name);
    const left = 84;
    const right = 110;
    const cqtBox = { left, top: 24, width: width - left - right, height: 280 };
    const chromaBox = { left, top: 354, width: width - left - right, height: 120 };
    if (!payload) {
      const plot = new Plot(c, cqtBox, { x: [0, duration], y: [0, 1] });
      const error = view.data.error(key);
      plot.message(error ? `No data for ${name}: ${error}` : `Computing the constant-Q transform of ${name}\u2026`);
      plot.frame({ title: name, yTicks: [] });
      return `Loading ${name}.`;
    }
    const meta = payload.meta;
    const [x0, x1, y0, y1] = meta.image_extent;
    // The constant-Q transform: one row per bin, evenly spaced in log frequency, dB re a full-scale sine (magma).
    const cqt = new Plot(c, cqtBox, { x: [0, duration], y: [y0, y1] });
    const image = spectrogramImage(view, key, payload);
    cqt.clip((ctx) => { ctx.imageSmoothingEnabled = false; ctx.drawImage(image, cqt.sx(x0), cqt.sy(y1), cqt.sx(x1) - cqt.sx(x0), cqt.sy(y0) - cqt.sy(y1)); });
    // Each octave's filter length, drawn to scale on the time axis: what a bin's value averages over.
    cqt.clip((ctx) => {
      ctx.font = FONT;
      ctx.textBaseline = "middle";
      meta.note_ticks.forEach(([bin], index) => {
        const ms = meta.filter_ms_at_ticks[index];
        const xs = cqt.sx(0.02 * duration);
        const xe = cqt.sx(0.02 * duration + ms / 1000);
        const y = Math.round(Math.min(cqt.sy(bin), cqtBox.top + cqtBox.height - 7)) + 0.5; // C1 sits on the edge
        ctx.strokeStyle = "#000000";
        ctx.lineWidth = 5;
        ctx.beginPath(); ctx.moveTo(xs - 1, y); ctx.lineTo(Math.max(xe, xs + 2) + 1, y); ctx.stroke();
        ctx.strokeStyle = "#FFFFFF";
        ctx.lineWidth = 3;
        ctx.beginPath(); ctx.moveTo(xs, y); ctx.lineTo(Math.max(xe, xs + 2), y); ctx.stroke();
        const label = formatMs(ms);
        const tx = Math.max(xe, xs + 2) + 6;
        ctx.lineWidth = 3;
        ctx.strokeStyle = "#000000";
        ctx.strokeText(label, tx, y);
        ctx.fillStyle = "#FFFFFF";
        ctx.fillText(label, tx, y);
      });
    });
    dbColorBar(view, c, { left: cqtBox.left + cqtBox.width + 14, top: cqtBox.top, width: 14, height: cqtBox.height });
    const c4 = meta.note_ticks.find(([, note]) => note === "C4");
    cqt.frame({ yTicks: meta.note_ticks.map(([bin, note]) => [bin, note]), xTicks: "marks",
      yLabel: `Note, log frequency\n(C4 = ${c4 ? Math.round(c4[2]) : 262} Hz)`,
      title: `${name}: constant-Q transform, ${bins} bins per octave, Q = ${meta.q_factor.toFixed(1)}; white bars: filter lengths` });
    // The chroma: twelve rows, C at the bottom, 1 = the frame's strongest pitch class (cividis).
    const chroma = payload.arrays.chroma;
    const columns = chroma.shape[1];
    const chromaImage = view.image(`${key}|chroma`, () => paintImage(12, columns, view.colormaps.cividis.words, (row, column) => chroma.data[row * columns + column]));
    const chromaPlot = new Plot(c, chromaBox, { x: [0, duration], y: [-0.5, 11.5] });
    chromaPlot.clip((ctx) => { ctx.imageSmoothingEnabled = false; ctx.drawImage(chromaImage, chromaPlot.sx(x0), chromaBox.top, chromaPlot.sx(x1) - chromaPlot.sx(x0), chromaBox.height); });
    colorBar(c, { left: chromaBox.left + chromaBox.width + 14, top: chromaBox.top, width: 14, height: chromaBox.height },
      view.colormaps.cividis.table, [0, 1], "Chroma (1 = the\nframe's strongest)", [0, 0.5, 1]);
    const share = Math.round(100 * meta.top_pitch_class_share);
    const entropy = meta.median_chroma_entropy === null ? "none (silent)" : meta.median_chroma_entropy.toFixed(2);
    chromaPlot.frame({ yTicks: [0, 2, 4, 7, 9, 11].map((k) => [k, setup.pitch_classes[k]]), yLabel: "Pitch class",
      xLabel: "Time (s)", title: `chroma: strongest most often ${meta.top_pitch_class} (${share} % of frames); median entropy ${entropy} (1 = flat)` });
    return `${name}, ${bins} bins per octave (${bins / 12} per semitone, Q = ${meta.q_factor.toFixed(1)}): filters from ` +
      `${formatMs(meta.lowest_filter_ms)} at C1 to ${formatMs(meta.highest_filter_ms)} at the top bin. The strongest pitch class is most ` +
      `often ${meta.top_pitch_class} (${share} % of frames); median chroma entropy ${entropy} (1 = flat, no pitch class stands out).`;
  },
};

// ------------------------------------------------------------------------------------------- rhythm (lesson 10)

const ENVELOPE_COLOR = "#0072B2";
const BEAT_COLOR = "#D55E00";
const PRIOR_COLOR = "#009E73";
const TEMPO_TICKS_BPM = [30, 40, 60, 80, 120, 160, 240, 320];

/** The click the player puts on every beat: 30 ms of a 1.8 kHz tone dying away within a few ms, easy to hear over
 * the music without covering it. Made in the browser: Python sends beat times, never mixed audio. */
function clickBuffer(context) {
  const length = Math.round(0.03 * context.sampleRate);
  const buffer = context.createBuffer(1, length, context.sampleRate);
  const samples = buffer.getChannelData(0);
  for (let i = 0; i < length; i++) {
    const t = i / context.sampleRate;
    samples[i] = 0.9 * Math.sin(2 * Math.PI * 1800 * t) * Math.exp(-t / 0.006);
  }
  return buffer;
}

/** A legend along the top edge inside `box`, one line (more on a narrow screen): [label, colour, width, dash]. */
function legendRow(c, box, entries) {
  c.save();
  c.font = FONT;
  const widths = entries.map(([label]) => 26 + c.measureText(label).width + 14);
  const lines = [[]];
  let used = 8;
  entries.forEach((entry, i) => {
    if (used + widths[i] > box.width - 4 && lines[lines.length - 1].length) { lines.push([]); used = 8; }
    lines[lines.length - 1].push(i);
    used += widths[i];
  });
  const lineWidths = lines.map((line) => line.reduce((sum, i) => sum + widths[i], 0));
  c.fillStyle = "rgba(255,255,255,0.85)";
  c.fillRect(box.left + 2, box.top + 2, Math.min(box.width - 4, Math.max(...lineWidths) + 4), 16 * lines.length + 1);
  lines.forEach((line, row) => {
    let x = box.left + 8;
    const y = box.top + 10 + 16 * row;
    for (const i of line) {
      const [label, color, lineWidth, dash] = entries[i];
      c.strokeStyle = color;
      c.lineWidth = lineWidth || 2;
      c.setLineDash(dash || []);
      c.beginPath(); c.moveTo(x, y); c.lineTo(x + 20, y); c.stroke();
      c.setLineDash([]);
      c.fillStyle = TEXT_COLOR;
      c.textBaseline = "middle";
      c.textAlign = "left";
      c.fillText(label, x + 24, y);
      x += widths[i];
    }
  });
  c.restore();
}

const rhythm = {
  build(view) {
    const setup = view.setup;
    const names = setup.clips.map((clip) => clip.name);
    const song = selectControl("Song", names, view.model.get("song"), (value, event) => view.setTrait("song", value, event));
    const prior = sliderControl("Tempo prior centred at", { choices: setup.prior_choices_bpm }, view.model.get("start_bpm"),
      (v) => `${v} BPM`, (value, event) => view.setTrait("start_bpm", value, event));
    view.controls.append(song.node, prior.node);
    follow(view, "song", song);
    follow(view, "start_bpm", prior);
    const button = element("button", { type: "button", class: "cx-play", "aria-pressed": "false" });
    const status = element("span", { class: "cx-play-status", role: "status" });
    const bar = element("div", { class: "cx-player" }, [button, status]);
    // As for the controls: keys pressed on the button are the button's, not JupyterLab's (Space would scroll).
    bar.addEventListener("keydown", (event) => {
      if (!event.ctrlKey && !event.metaKey && !event.altKey && event.key !== "Escape" && event.key !== "Tab") event.stopPropagation();
    });
    const stage = element("div", { class: "cx-stage" });
    view.root.append(bar, stage);
    view.canvas = view.addCanvas(stage, "One song's onset envelope with its tracked beats, and its tempo curve with the tempo prior");
    const playhead = element("div", { class: "cx-playhead", "aria-hidden": "true" });
    stage.append(playhead);
    view.root.append(view.summary);
    view.player = { button, status, playhead, context: null, click: null, buffers: new Map(), decoding: new Set(),
      wanted: null, playing: null, layout: null };
    this.showButton(view, false);
    button.addEventListener("click", () => this.toggle(view));
    if (typeof window.AudioContext === "undefined" && typeof window.webkitAudioContext === "undefined") {
      button.disabled = true;
      status.textContent = "This browser has no Web Audio, so the player cannot run here.";
    }
  },
  key(view) { return `rhythm|${view.model.get("song")}`; },
  audioKey(name) { return `audio|${name}`; },
  keysInView(view) {
    const keys = [this.key(view)];
    if (view.player.wanted) keys.push(this.audioKey(view.player.wanted));
    return keys;
  },
  /** Tempo, beat times (s) and prior weights of `payload` for the prior centred at `centre` BPM. */
  beatsFor(payload, centre) {
    const meta = payload.meta;
    const index = Math.max(0, meta.prior_choices_bpm.indexOf(Number(centre)));
    let first = 0;
    for (let i = 0; i < index; i++) first += meta.beat_counts[i];
    const lags = payload.arrays.tempo_axis_bpm.data.length;
    return { tempo: meta.tempos_bpm[index], beats: payload.arrays.beat_times_s.data.subarray(first, first + meta.beat_counts[index]),
      weights: payload.arrays.prior_weights.data.subarray(index * lags, (index + 1) * lags) };
  },
  draw(view) {
    const setup = view.setup;
    const height = 480;
    const { c, width } = view.context(view.canvas, height);
    const name = view.model.get("song");
    const centre = view.model.get("start_bpm");
    const key = this.key(view);
    const payload = view.data.get(key);
    const duration = view.duration.get(name);
    const left = 84;
    const right = 20;
    const top = { left, top: 26, width: width - left - right, height: 210 };
    const bottom = { left, top: 310, width: width - left - right, height: 130 };
    this.syncPlayer(view, payload);
    if (!payload) {
      const plot = new Plot(c, top, { x: [0, duration], y: [0, 1] });
      const error = view.data.error(key);
      plot.message(error ? `No data for ${name}: ${error}` : `Finding the onsets and beats of ${name}\u2026`);
      plot.frame({ title: name, yTicks: [], xLabel: "Time (s)" });
      return `Loading ${name}.`;
    }
    const meta = payload.meta;
    const { tempo, beats, weights } = this.beatsFor(payload, centre);
    // Top row: the onset envelope, and a dashed line at every tracked beat.
    const envelope = payload.arrays.onset_envelope.data;
    const step = meta.hop_length_samples / meta.sample_rate_hz;
    const plot = new Plot(c, top, { x: [0, duration], y: [0, Math.max(1e-6, 1.25 * meta.envelope_top)] });
    plot.clip((ctx) => {
      ctx.strokeStyle = BEAT_COLOR;
      ctx.lineWidth = 1.2;
      ctx.setLineDash([5, 3]);
      ctx.beginPath();
      for (const time of beats) {
        const x = Math.round(plot.sx(time)) + 0.5;
        ctx.moveTo(x, top.top);
        ctx.lineTo(x, top.top + top.height);
      }
      ctx.stroke();
      ctx.setLineDash([]);
    });
    drawCurve(plot, envelope.length, (k) => k * step, (k) => envelope[k], ENVELOPE_COLOR, 1.2);
    const beatText = beats.length ? `${beats.length} beats` : "no beats (nothing rises in the envelope)";
    plot.frame({ yLabel: setup.onset_label, xLabel: "Time (s)",
      title: `${name}: ${formatNumber(tempo, 1)} BPM with the prior centred at ${centre} BPM; ${beatText}` });
    legendRow(c, top, [["onset envelope", ENVELOPE_COLOR], ["tracked beats", BEAT_COLOR, 1.2, [5, 3]]]);
    view.player.layout = { left: top.left, width: top.width, top: top.top, height: top.height, duration };
    // Bottom row: the averaged autocorrelation against tempo (log axis), the prior, and the tempo picked.
    const axis = payload.arrays.tempo_axis_bpm.data; // tempo of each lag, falling as the lag grows
    const correlation = payload.arrays.autocorrelation.data;
    const n = axis.length;
    const [slowest, fastest] = setup.tempo_range_bpm;
    const curve = new Plot(c, bottom, { x: [Math.log2(slowest), Math.log2(fastest)], y: [0, 1.3] });
    const at = (k) => Math.log2(axis[n - 1 - k]);
    drawCurve(curve, n, at, (k) => correlation[n - 1 - k], ENVELOPE_COLOR, 1.4);
    curve.clip((ctx) => {
      ctx.setLineDash([6, 4]);
      ctx.strokeStyle = PRIOR_COLOR;
      ctx.lineWidth = 1.6;
      ctx.beginPath();
      for (let k = 0; k < n; k++) ctx.lineTo(curve.sx(at(k)), curve.sy(weights[n - 1 - k]));
      ctx.stroke();
      ctx.setLineDash([2, 3]);
      ctx.strokeStyle = "#7F7F7F";
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (const multiple of [0.5, 2]) {
        const x = Math.round(curve.sx(Math.log2(tempo * multiple))) + 0.5;
        ctx.moveTo(x, bottom.top); ctx.lineTo(x, bottom.top + bottom.height);
      }
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.strokeStyle = BEAT_COLOR;
      ctx.lineWidth = 2;
      const x = Math.round(curve.sx(Math.log2(tempo))) + 0.5;
      ctx.beginPath(); ctx.moveTo(x, bottom.top); ctx.lineTo(x, bottom.top + bottom.height); ctx.stroke();
    });
    curve.frame({ xTicks: false, yTicks: [0, 0.5, 1], yLabel: setup.autocorrelation_label,
      title: `tempo curve: autocorrelation of the envelope (${formatNumber(meta.tempogram_window_s, 1)} s windows, averaged) and the prior` });
    c.save();
    c.font = FONT;
    c.fillStyle = TEXT_COLOR;
    c.strokeStyle = TEXT_COLOR;
    c.textAlign = "center";
    c.textBaseline = "top";
    for (const tick of TEMPO_TICKS_BPM) {
      if (tick < slowest || tick > fastest) continue;
      const x = Math.round(curve.sx(Math.log2(tick))) + 0.5;
      c.beginPath(); c.moveTo(x, bottom.top + bottom.height); c.lineTo(x, bottom.top + bottom.height + 4); c.stroke();
      c.fillText(String(tick), x, bottom.top + bottom.height + 6);
    }
    c.fillText(setup.tempo_label, bottom.left + bottom.width / 2, bottom.top + bottom.height + 22);
    c.restore();
    legendRow(c, bottom, [["autocorrelation", ENVELOPE_COLOR], [`prior at ${centre} BPM`, PRIOR_COLOR, 1.6, [6, 4]],
      [`tempo ${formatNumber(tempo, 1)} BPM`, BEAT_COLOR], ["half, double", "#7F7F7F", 1, [2, 3]]]);
    const strength = meta.beat_strength;
    const weak = strength < setup.no_beat_below ? ` (below ${setup.no_beat_below}: no clear beat, so these beats are forced on the song)` : "";
    const spacing = beats.length > 1 ? `, one every ${formatNumber((beats[beats.length - 1] - beats[0]) / (beats.length - 1), 3)} s on average` : "";
    return `${name}: tempo ${formatNumber(tempo, 1)} BPM with the tempo prior centred at ${centre} BPM; ${beatText}${spacing}. ` +
      `Beat strength ${formatNumber(strength, 2)}${weak}.`;
  },
  showButton(view, active) {
    const { button } = view.player;
    button.textContent = active ? "\u25A0 Stop" : "\u25B6 Play with clicks on the beats";
    button.setAttribute("aria-pressed", active ? "true" : "false");
  },
  toggle(view) {
    const player = view.player;
    if (player.playing || player.wanted) { this.stop(view); return; }
    if (!player.context) {
      const AudioContextClass = window.AudioContext || window.webkitAudioContext;
      player.context = new AudioContextClass();
      player.click = clickBuffer(player.context);
    }
    player.context.resume();
    player.wanted = view.model.get("song");
    this.showButton(view, true);
    player.status.textContent = `Loading ${player.wanted}\u2026`;
    this.syncPlayer(view, view.data.get(this.key(view)));
  },
  /** Run on every drawing: start what play asked for once its audio is here and decoded; while playing, follow the
   * prior (new clicks from here on) and stop when another song is picked. */
  syncPlayer(view, payload) {
    const player = view.player;
    const song = view.model.get("song");
    if ((player.playing && player.playing.name !== song) || (player.wanted && player.wanted !== song)) this.stop(view);
    if (player.playing && payload && player.playing.centre !== view.model.get("start_bpm")) this.scheduleClicks(view, payload);
    if (!player.wanted || !payload) return;
    const name = player.wanted;
    const buffer = player.buffers.get(name);
    if (buffer) { player.wanted = null; this.start(view, name, buffer, payload); return; }
    if (player.decoding.has(name)) return;
    const audioKey = this.audioKey(name);
    const audio = view.data.get(audioKey);
    if (!audio) {
      const error = view.data.error(audioKey);
      if (error) { this.stop(view); player.status.textContent = `The song could not be loaded: ${error}`; }
      return;
    }
    player.decoding.add(name);
    player.context.decodeAudioData(audio.arrays.audio.data.slice().buffer).then((decoded) => {
      player.buffers.set(name, decoded);
      player.decoding.delete(name);
      view.requestDraw();
    }, (error) => {
      player.decoding.delete(name);
      if (player.wanted === name) { this.stop(view); player.status.textContent = `The browser could not decode the song (${error}).`; }
    });
  },
  start(view, name, buffer, payload) {
    const player = view.player;
    const context = player.context;
    const music = context.createBufferSource();
    music.buffer = buffer;
    const gain = context.createGain();
    gain.gain.value = 0.8; // a little below full scale, so that the clicks stand out
    music.connect(gain);
    gain.connect(context.destination);
    const startTime = context.currentTime + 0.08;
    music.start(startTime);
    player.playing = { name, music, gain, startTime, clicks: [], centre: null };
    music.onended = () => { if (player.playing && player.playing.music === music) this.stop(view); };
    this.scheduleClicks(view, payload);
    this.showButton(view, true);
    const movePlayhead = () => {
      const playing = player.playing;
      if (!playing || playing.music !== music) return;
      const layout = player.layout;
      const position = context.currentTime - playing.startTime;
      if (layout && position >= 0 && position <= layout.duration) {
        Object.assign(player.playhead.style, { display: "block", left: `${layout.left + (position / layout.duration) * layout.width - 1}px`,
          top: `${layout.top}px`, height: `${layout.height}px` });
      }
      requestAnimationFrame(movePlayhead);
    };
    requestAnimationFrame(movePlayhead);
  },
  /** A click at every beat still ahead, for the prior chosen now (the previous prior's clicks are cancelled). */
  scheduleClicks(view, payload) {
    const player = view.player;
    const playing = player.playing;
    const context = player.context;
    for (const node of playing.clicks) { try { node.stop(); } catch (error) { /* not started yet */ } node.disconnect(); }
    playing.clicks = [];
    const centre = view.model.get("start_bpm");
    const { tempo, beats } = this.beatsFor(payload, centre);
    const now = Math.max(context.currentTime, playing.startTime);
    for (const time of beats) {
      const when = playing.startTime + time;
      if (when < now + 0.01) continue;
      const node = context.createBufferSource();
      node.buffer = player.click;
      node.connect(context.destination);
      node.start(when);
      playing.clicks.push(node);
    }
    playing.centre = centre;
    player.status.textContent = `Playing ${playing.name} with a click on each of its ${beats.length} beats ` +
      `(${formatNumber(tempo, 1)} BPM, prior centred at ${centre} BPM).`;
  },
  stop(view) {
    const player = view.player;
    const playing = player.playing;
    player.playing = null;
    player.wanted = null;
    if (playing) {
      for (const node of [playing.music, ...playing.clicks]) {
        try { node.stop(); } catch (error) { /* already stopped */ }
        node.disconnect();
      }
      playing.gain.disconnect();
    }
    player.playhead.style.display = "none";
    player.status.textContent = "";
    this.showButton(view, false);
  },
  dispose(view) {
    this.stop(view);
    if (view.player.context) view.player.context.close();
  },
};

// ------------------------------------------------------------------------------------------- entry point

const RENDERERS = { waveform, spectrogram, feature, mfcc, dashboard, pitch, rhythm };

/** anywidget's entry point (and the website loader's): build the controls and canvas in `el`, draw the first view
 * from the data sent with the model (`first_view`), and keep drawing as the model changes or data arrives. Returns
 * the clean-up function. */
async function render({ model, el }) {
  const renderer = RENDERERS[model.get("kind")];
  if (!renderer) {
    el.textContent = `Unknown explorer kind ${model.get("kind")}`;
    return () => {};
  }
  const view = new View(model, el, renderer);
  view.canvasRatio = () => window.devicePixelRatio || 1;
  renderer.build(view);
  await view.data.seed(model.get("first_view"));
  view.draw("first");
  if (typeof ResizeObserver !== "undefined") {
    let lastWidth = view.canvas.clientWidth;
    view.resizeObserver = new ResizeObserver(() => {
      if (view.canvas.clientWidth !== lastWidth) { lastWidth = view.canvas.clientWidth; view.requestDraw(); }
    });
    view.resizeObserver.observe(view.root);
  }
  // Browser zoom or a move to another screen changes the pixel density: redraw sharp at the new one.
  const watchDensity = () => {
    if (typeof matchMedia === "undefined") return;
    const query = matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    const changed = () => { query.removeEventListener("change", changed); view.requestDraw(); watchDensity(); };
    query.addEventListener("change", changed);
    view.densityQuery = [query, changed];
  };
  watchDensity();
  // For tests and the benchmark: the view's timings and a way to read its state.
  el.courseExplorer = view;
  return () => view.dispose();
}

export default { render };
