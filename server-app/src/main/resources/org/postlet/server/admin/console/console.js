// The Postlet console: reads the admin API every few seconds and draws what it says. Every value
// from the server is put into the page as text (textContent), never as markup.
"use strict";

const TOKEN_KEY = "postlet.adminToken";
const REFRESH_MS = 3000;
// The oldest mails of the queue, at most: a long queue is for bin/postlet queue list.
const QUEUE_ROWS = 200;
const SVG = "http://www.w3.org/2000/svg";
let timer = null;

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

// A link may carry the token in its fragment (#token=...), which browsers never send to the
// server: it is moved into this tab's session storage and removed from the address bar.
function takeTokenFromFragment() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname);
  }
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(method, path) {
  const response = await fetch(path, {
    method: method,
    headers: { "Authorization": "Bearer " + token() },
    cache: "no-store",
    credentials: "omit",
  });
  let body = {};
  try {
    body = await response.json();
  } catch (e) {
    throw new ApiError(response.status, "the server answered " + response.status + " without JSON");
  }
  if (!response.ok) {
    throw new ApiError(response.status, body.error || ("the server answered " + response.status));
  }
  return body;
}

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  Object.entries(attributes || {}).forEach(([k, v]) => node.setAttribute(k, v));
  children.forEach(c => node.append(c instanceof Node ? c : document.createTextNode(String(c))));
  return node;
}

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  Object.entries(attributes || {}).forEach(([k, v]) => node.setAttribute(k, v));
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function age(seconds) {
  const d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600);
  const m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
  if (d > 0) return d + "d" + h + "h";
  if (h > 0) return h + "h" + m + "m";
  return m > 0 ? m + "m" + s + "s" : s + "s";
}

function setStatus(text, bad) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.classList.toggle("bad", !!bad);
}

function showLogin(problem) {
  clearInterval(timer);
  timer = null;
  document.getElementById("console").hidden = true;
  document.getElementById("logout").hidden = true;
  document.getElementById("login").hidden = false;
  document.getElementById("login-problem").textContent = problem || "";
  setStatus("not connected", !!problem);
}

// ---- the pipeline as a graph ----------------------------------------------------------------

const BOX_WIDTH = 430, ROW = 17, HEADER = 24, GAP_X = 90, GAP_Y = 26, MARGIN = 10;

// Columns by distance from root along the steps' routes, so mail flows left to right.
function layers(processors) {
  const byName = new Map(processors.map(p => [p.name, p]));
  const layer = new Map([["root", 0]]);
  const work = ["root"];
  while (work.length) {
    const name = work.shift();
    const p = byName.get(name);
    if (!p) continue;
    p.steps.forEach(s => s.sendsTo.forEach(t => {
      if (!layer.has(t) && byName.has(t)) {
        layer.set(t, layer.get(name) + 1);
        work.push(t);
      }
    }));
  }
  const deepest = Math.max(0, ...layer.values());
  processors.forEach(p => { if (!layer.has(p.name)) layer.set(p.name, deepest + 1); });
  return layer;
}

function drawPipeline(view) {
  const processors = view.processors;
  const layer = layers(processors);
  const columns = [];
  processors.forEach(p => {
    const c = layer.get(p.name);
    (columns[c] = columns[c] || []).push(p);
  });
  const place = new Map();
  let height = 0;
  columns.forEach((column, c) => {
    let y = MARGIN;
    (column || []).forEach(p => {
      const h = HEADER + Math.max(1, p.steps.length) * ROW + 8;
      place.set(p.name, { x: MARGIN + c * (BOX_WIDTH + GAP_X), y: y, h: h });
      y += h + GAP_Y;
    });
    height = Math.max(height, y);
  });
  const width = MARGIN * 2 + columns.length * (BOX_WIDTH + GAP_X);
  const root = svg("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img",
    "aria-label": "the pipeline" });
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7",
    markerHeight: "7", orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow" }));
  defs.append(marker);
  root.append(defs);
  const edges = svg("g");
  root.append(edges);

  processors.forEach(p => {
    const at = place.get(p.name);
    const g = svg("g", { class: "processor", "data-processor": p.name });
    g.append(svg("rect", { x: at.x, y: at.y, width: BOX_WIDTH, height: at.h, rx: 6, class: "box" }));
    g.append(svg("text", { x: at.x + 8, y: at.y + 17, class: "processor-name" }, p.name));
    g.append(svg("text", { x: at.x + BOX_WIDTH - 8, y: at.y + 17, "text-anchor": "end", class: "count" },
      p.mails + " mail(s) in"));
    p.steps.forEach((s, i) => {
      const y = at.y + HEADER + (i + 1) * ROW - 4;
      const label = "[" + s.index + "] " + s.match + " → " + s.mailet;
      const step = svg("text", { x: at.x + 8, y: y, class: "step" }, label.length > 44 ? label.slice(0, 43) + "…" : label);
      step.append(svg("title", {}, label));
      g.append(step);
      const rate = s.calls > 0 ? " " + (100 * s.exceptions / s.calls).toFixed(1) + "%" : "";
      g.append(svg("text", { x: at.x + BOX_WIDTH - 8, y: y, "text-anchor": "end",
        class: s.exceptions > 0 ? "count errors" : "count" }, s.calls + " / " + s.exceptions + rate));
      const targets = s.sendsTo.map(t => ({ to: t, failure: false }));
      if (s.onFailure !== "error" && place.has(s.onFailure)) {
        targets.push({ to: s.onFailure, failure: true });
      }
      targets.forEach(t => {
        const to = place.get(t.to);
        if (!to) return;
        const x1 = at.x + BOX_WIDTH, y1 = y - 4, x2 = to.x, y2 = to.y + 12;
        const bend = Math.max(40, Math.abs(x2 - x1) / 2);
        const back = x2 <= x1;
        const d = back
          ? "M " + x1 + " " + y1 + " C " + (x1 + 60) + " " + y1 + ", " + (x2 - 60) + " " + (y2 - 40) + ", " + x2 + " " + y2
          : "M " + x1 + " " + y1 + " C " + (x1 + bend) + " " + y1 + ", " + (x2 - bend) + " " + y2 + ", " + x2 + " " + y2;
        edges.append(svg("path", { d: d, class: t.failure ? "edge failure" : "edge", "marker-end": "url(#arrow)",
          "data-from": p.name, "data-to": t.to }));
      });
    });
    root.append(g);
  });
  const holder = document.getElementById("pipeline-graph");
  holder.replaceChildren(root);
}

// ---- the queue and the recent outcomes -----------------------------------------------------------

function actionButton(text, onClick) {
  const b = el("button", { type: "button" }, text);
  b.addEventListener("click", onClick);
  return b;
}

async function act(method, path, question) {
  if (question && !confirm(question)) return;
  try {
    await api(method, path);
  } catch (e) {
    alert(e.message);
  }
  refresh();
}

function drawQueue(queue) {
  document.getElementById("queue-summary").textContent =
    queue.total + " mail(s): " + queue.deferred + " deferred, " + queue.held + " held"
    + (queue.total > queue.mails.length ? "; the oldest " + queue.mails.length + " shown" : "");
  const rows = queue.mails.map(m => {
    const id = encodeURIComponent(m.id);
    const actions = el("td", {},
      m.state === "held"
        ? actionButton("release", () => act("POST", "/api/queue/" + id + "/release"))
        : actionButton("hold", () => act("POST", "/api/queue/" + id + "/hold")),
      actionButton("delete", () => act("DELETE", "/api/queue/" + id,
        "Delete mail " + m.id + " for " + m.recipients.join(", ") + "? It will never be delivered.")));
    return el("tr", { class: m.state, "data-id": m.id },
      el("td", { class: "id" }, m.id), el("td", { class: "num" }, age(m.ageSeconds)), el("td", { class: "num" }, m.size),
      el("td", {}, m.sender || "<>"), el("td", {}, m.recipients.join(", ")), el("td", { class: "state" }, m.state),
      el("td", { class: "num" }, m.attempts), el("td", {}, m.lastError), actions);
  });
  document.querySelector("#queue tbody").replaceChildren(...rows);
}

function drawRecent(recent) {
  const rows = recent.outcomes.map(o => el("tr", { class: o.result, "data-id": o.id },
    el("td", {}, new Date(o.at).toLocaleTimeString()), el("td", { class: "id" }, o.id), el("td", {}, o.sender || "<>"),
    el("td", {}, o.recipients.join(", ")), el("td", { class: "result" }, o.result), el("td", {}, o.endedIn.join(", ")),
    el("td", {}, o.detail)));
  document.querySelector("#recent tbody").replaceChildren(...rows);
}

async function refresh() {
  try {
    const [pipeline, queue, recent] = await Promise.all(
      [api("GET", "/api/pipeline"), api("GET", "/api/queue?limit=" + QUEUE_ROWS), api("GET", "/api/recent")]);
    document.getElementById("login").hidden = true;
    document.getElementById("console").hidden = false;
    document.getElementById("logout").hidden = false;
    drawPipeline(pipeline);
    drawQueue(queue);
    drawRecent(recent);
    setStatus("connected, updated " + new Date().toLocaleTimeString());
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin("The server refused that token.");
    } else if (e instanceof ApiError && e.status === 404) {
      showLogin(e.message);
    } else {
      setStatus("cannot reach the server: " + e.message, true);
    }
  }
}

function start() {
  document.getElementById("login").hidden = true;
  refresh();
  clearInterval(timer);
  timer = setInterval(refresh, REFRESH_MS);
}

document.addEventListener("DOMContentLoaded", () => {
  takeTokenFromFragment();
  document.getElementById("login").addEventListener("submit", event => {
    event.preventDefault();
    const input = document.getElementById("token");
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    input.value = "";
    start();
  });
  document.getElementById("flush").addEventListener("click", () => act("POST", "/api/queue/flush"));
  document.getElementById("logout").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin();
  });
  if (token()) {
    start();
  } else {
    showLogin();
  }
});
