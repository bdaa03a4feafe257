// The Plait page: sends the text to /v1/process and shows each result field by its VIEW
// (/v1/info "outputs"), never by a component's name. No dependencies, works offline.
"use strict";

const META = new Set(["id", "line", "truncated", "segments", "warnings", "errors", "extra"]);
// displaCy's colours for the usual span labels; other labels get a colour from their name
const LABEL_COLOURS = {
  PERSON: "#aa9cfc", PER: "#aa9cfc", ORG: "#7aecec", GPE: "#feca74", LOC: "#ff9561",
  NORP: "#c887fb", FAC: "#9cc9cc", PRODUCT: "#bfeeb7", EVENT: "#ffeb80", WORK_OF_ART: "#f0d0ff",
  LAW: "#ff8197", LANGUAGE: "#ff8197", DATE: "#bfe1d9", TIME: "#bfe1d9", PERCENT: "#e4e7d2",
  MONEY: "#e4e7d2", QUANTITY: "#e4e7d2", ORDINAL: "#e4e7d2", CARDINAL: "#e4e7d2", MISC: "#ddd",
};
const PALETTE = ["#7aecec", "#feca74", "#aa9cfc", "#ff9561", "#bfeeb7", "#c887fb", "#9cc9cc",
                 "#ffeb80", "#ff8197", "#bfe1d9", "#f0d0ff", "#e4e7d2"];

let views = [];    // [{pipe, field, view, schema}]
let needsKey = false;

function $(id) { return document.getElementById(id); }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === "class") node.className = v;
    else if (k === "style") node.style.cssText = v;
    else node.setAttribute(k, v);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === "string" || typeof child === "number"
      ? document.createTextNode(String(child)) : child);
  }
  return node;
}

function labelColour(label) {
  const key = String(label).toUpperCase();
  if (LABEL_COLOURS[key]) return LABEL_COLOURS[key];
  let h = 0;
  for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

// polarity in [-1, 1] -> red .. grey .. green
function polarityColour(p, alpha) {
  const x = Math.max(-1, Math.min(1, Number(p) || 0));
  const [r, g, b] = x < 0 ? mix([150, 150, 150], [207, 34, 46], -x)
                          : mix([150, 150, 150], [45, 164, 78], x);
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}
function mix(a, b, t) { return a.map((v, i) => Math.round(v + (b[i] - v) * t)); }

function fmt(x, digits) { return typeof x === "number" ? x.toFixed(digits === undefined ? 2 : digits) : ""; }

function headers() {
  const h = { "Content-Type": "application/json" };
  const key = $("key").value.trim();
  if (key) h.Authorization = "Bearer " + key;
  return h;
}

function showError(message) {
  const box = $("error");
  box.hidden = !message;
  box.textContent = message || "";
}

function explain(status, body) {
  const err = body && body.error;
  if (err) {
    const lines = [err.message];
    for (const r of (err.records || []).slice(1)) lines.push(r.message);
    return `${status}: ${lines.join("\n")}`;
  }
  return `${status}: ${JSON.stringify(body)}`;
}

async function loadInfo() {
  try {
    const ready = await fetch("/v1/ready");
    $("state").className = "state " + (ready.ok ? "ready" : "down");
    const r = await fetch("/v1/info", { headers: headers() });
    if (r.status === 401) { needsKey = true; $("key-box").hidden = false;
                            $("pipeline").textContent = "API key required"; return; }
    if (!r.ok) { $("pipeline").textContent = "not ready"; return; }
    const info = await r.json();
    views = info.outputs || [];
    $("key-box").hidden = !info.auth;
    const p = info.pipeline || {};
    $("pipeline").textContent = [p.name, p.version, info.encoder && ("encoder " + info.encoder),
                                 info.engine && (info.engine + (info.replicas > 1 ? ` × ${info.replicas}` : ""))]
      .filter(Boolean).join(" · ");
    const chips = $("components");
    chips.replaceChildren(...(info.components || []).map(c => el("span", {
      class: "chip", title: (c.labels && c.labels.length ? c.labels.join(", ") : c.factory) }, c.name)));
  } catch (e) {
    $("state").className = "state down";
    $("pipeline").textContent = "server unreachable";
  }
}

async function run() {
  const text = $("text").value;
  showError("");
  if (!text.trim()) { showError("Type or paste a text first."); return; }
  const button = $("run");
  button.disabled = true;
  const t0 = performance.now();
  try {
    const r = await fetch("/v1/process", { method: "POST", headers: headers(),
                                          body: JSON.stringify({ id: "page", text: text }) });
    const body = await r.json().catch(() => null);
    $("timing").textContent = `${r.status} in ${Math.round(performance.now() - t0)} ms`;
    if (r.status === 401) { $("key-box").hidden = false; $("key").focus(); }
    if (!r.ok) { showError(explain(r.status, body)); return; }
    if (needsKey) { needsKey = false; loadInfo(); }
    render(text, body);
  } catch (e) {
    showError("The request failed: " + e);
  } finally {
    button.disabled = false;
  }
}

function card(field, kind, body) {
  return el("article", { class: "card", "data-field": field, "data-view": kind },
            el("h2", {}, field, el("span", { class: "kind" }, kind)),
            el("div", { class: "body" }, body));
}

function render(text, result) {
  const out = $("results");
  const cards = [];
  const shown = new Set();
  for (const v of views) {
    if (!(v.field in result)) continue;
    shown.add(v.field);
    const value = result[v.field];
    const renderer = RENDERERS[v.view] || renderJson;
    let body;
    try { body = value === null || value === undefined ? el("p", { class: "muted" }, "none")
                                                        : renderer(text, value); }
    catch (e) { body = renderJson(text, value); }
    cards.push(card(v.field, v.view, body));
  }
  for (const [field, value] of Object.entries(result)) {   // fields with no declared view
    if (META.has(field) || shown.has(field) || value === null || value === undefined) continue;
    cards.push(card(field, "json", renderJson(text, value)));
  }
  const meta = [`id ${JSON.stringify(result.id)}`, `${result.segments || 1} segment(s)`];
  if (result.truncated) meta.push("truncated");
  const metaBody = el("div", { class: "meta" }, meta.join(" · "),
    (result.warnings || []).map(w => el("div", { class: "muted" }, "⚠ " + w)),
    result.extra && Object.keys(result.extra).length ? el("pre", { class: "json" },
      JSON.stringify(result.extra, null, 2)) : null);
  cards.push(card("record", "meta", metaBody));
  out.replaceChildren(...cards);
}

// -- views ------------------------------------------------------------------------------------
function spanList(value) {
  const list = Array.isArray(value) ? value : (value && (value.spans || value.items)) || [];
  return list.filter(s => s && Number.isInteger(s.start) && Number.isInteger(s.end) && s.end > s.start)
             .sort((a, b) => a.start - b.start || b.end - a.end);
}

// The API counts offsets in Unicode code points (Python's str); JavaScript strings index UTF-16 code
// units, so an emoji (two units) would shift every later highlight. Slice by code points.
function codePoints(text) { return Array.from(text); }
function cpSlice(cps, start, end) { return cps.slice(start, end).join(""); }
function cpIndex(text, unitIndex) { return Array.from(text.slice(0, unitIndex)).length; }

function markedText(text, spans, makeMark) {
  const root = el("div", { class: "text" });
  const cps = codePoints(text);
  let pos = 0;
  for (const s of spans) {
    if (s.start < pos) continue;   // overlapping: keep the first
    root.appendChild(document.createTextNode(cpSlice(cps, pos, s.start)));
    root.appendChild(makeMark(s, cpSlice(cps, s.start, s.end)));
    pos = s.end;
  }
  root.appendChild(document.createTextNode(cpSlice(cps, pos)));
  return root;
}

function renderSpans(text, value) {
  const spans = spanList(value);
  if (!spans.length) return el("p", { class: "muted" }, "none found");
  return markedText(text, spans, (s, surface) => {
    const label = s.label === undefined ? "" : String(s.label);
    const conf = typeof s.confidence === "number" ? s.confidence
               : typeof s.score === "number" ? s.score : null;
    return el("mark", { class: "span", "data-label": label, style: `background: ${labelColour(label)}`,
                        title: conf === null ? label : `${label} · confidence ${fmt(conf, 3)}` },
              surface, el("span", { class: "label" }, label),
              conf === null ? null : el("span", { class: "conf" }, fmt(conf)));
  });
}

function renderPolarity(text, value) {
  const sentences = Array.isArray(value) ? value : (value.sentences || []);
  const parts = [];
  if (!Array.isArray(value) && value.label !== undefined) {
    parts.push(el("div", { class: "overall" }, "overall ",
      el("span", { class: "badge", "data-label": String(value.label),
                   style: `background: ${polarityColour(value.polarity, 1)}` },
         `${value.label} ${fmt(value.polarity)}`)));
  }
  const cps = codePoints(text);
  for (const s of sentences) {
    const surface = Number.isInteger(s.start) ? cpSlice(cps, s.start, s.end) : (s.text || "");
    parts.push(el("div", { class: "band", "data-label": String(s.label),
                           style: `background: ${polarityColour(s.polarity, 0.16)}; ` +
                                  `border-left-color: ${polarityColour(s.polarity, 0.9)}` },
      el("span", {}, surface),
      el("span", { class: "pol" }, `${s.label === undefined ? "" : s.label} ${fmt(s.polarity)}`)));
  }
  if (!sentences.length && !parts.length) return renderJson(text, value);
  return el("div", {}, parts);
}

function renderScores(text, value) {
  const scores = value && typeof value.scores === "object" && !Array.isArray(value.scores)
    ? value.scores : value;
  const rows = Object.entries(scores).filter(([, v]) => typeof v === "number")
                     .sort((a, b) => b[1] - a[1]);
  if (!rows.length) return renderJson(text, value);
  return el("div", { class: "bars" }, rows.map(([label, v]) => [
    el("span", { "data-label": label }, label),
    el("div", { class: "bar" }, el("div", { style: `width: ${Math.max(0, Math.min(1, v)) * 100}%` })),
    el("span", { class: "value" }, fmt(v, 3))]));
}

// an extract: marked where it occurs in the text (sentence by sentence), and as its own text
function renderExtract(text, value) {
  let spans = spanList(value);
  let plain = typeof value === "string" ? value
            : Array.isArray(value) && value.every(v => typeof v === "string") ? value.join(" ")
            : value && typeof value.text === "string" ? value.text : null;
  if (!spans.length && plain) {
    const pieces = Array.isArray(value) ? value : plain.split(/(?<=[.!?。！？]["')\]]*)\s+/);
    let from = 0;
    for (const piece of pieces.map(p => p.trim()).filter(Boolean)) {
      const at = text.indexOf(piece, from);
      if (at >= 0) {
        const start = cpIndex(text, at);
        spans.push({ start, end: start + codePoints(piece).length });
        from = at + piece.length;
      }
    }
  }
  if (!spans.length && !plain) return renderJson(text, value);
  return el("div", {},
    spans.length ? markedText(text, spans, (s, surface) => el("mark", { class: "extract" }, surface))
                 : null,
    plain ? el("p", { class: "muted" }, plain) : null);
}

function renderJson(text, value) {
  return el("pre", { class: "json" }, JSON.stringify(value, null, 2));
}

const RENDERERS = { "spans": renderSpans, "sentence-polarity": renderPolarity,
                    "scores": renderScores, "extract": renderExtract, "json": renderJson };

document.addEventListener("DOMContentLoaded", () => {
  $("run").addEventListener("click", run);
  $("text").addEventListener("keydown", e => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run(); });
  $("key").addEventListener("change", loadInfo);
  loadInfo();
});
