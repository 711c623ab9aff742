// The live page: plain canvas drawing, no library, no network but this server.
"use strict";
const TOKEN = document.body.dataset.token;
const TRACE_SAMPLES = 250;  // 5 s at 50 Hz
const COLORS = ["#e63946", "#2a9d8f", "#457b9d"];
const state = { rate: 50, wands: {}, entries: new Map(), selected: null, follow: true, teach: null };

// --- talking to the daemon ---------------------------------------------------------
function q(path) { return path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(TOKEN); }

async function api(path, body) {
  const r = await fetch(q(path), { method: "POST", headers: { "Content-Type": "application/json" },
                                   body: JSON.stringify(body || {}) });
  const data = await r.json().catch(() => ({ error: "HTTP " + r.status }));
  if (!r.ok) throw new Error(data.error || ("HTTP " + r.status));
  return data;
}

function connect() {
  const link = document.getElementById("link");
  const ws = new WebSocket(q(`ws://${location.host}/ws`));
  ws.onopen = () => { link.textContent = "live"; link.className = "link up"; };
  ws.onclose = async () => {
    link.className = "link down";
    const answer = await fetch(q("api/gestures")).then((r) => r.status, () => 0);
    if (answer === 403) {  // a new daemon, a new token: this address will never work again
      link.textContent = "the daemon restarted: open the new address it printed";
      return;
    }
    link.textContent = "daemon gone: retrying…";
    setTimeout(connect, 1000);
  };
  ws.onmessage = (m) => { for (const msg of JSON.parse(m.data).messages) handle(msg); };
}

function handle(msg) {
  switch (msg.type) {
    case "hello":
      state.rate = msg.rate_hz;
      wandsInfo(msg.wands);
      msg.recent.forEach(entry);
      teachState(msg.teach);
      break;
    case "imu": imu(msg); break;
    case "entry": entry(msg); break;
    case "note": note(msg); break;
    case "wands": wandsInfo(msg.wands); break;
    case "teach": teachState(msg); break;
    case "try": tryShown(msg.try); break;
  }
}

// --- live: wands, traces, states ---------------------------------------------------------
function wandCard(name) {
  if (state.wands[name]) return state.wands[name];
  const div = document.createElement("div");
  div.className = "panel wand";
  div.dataset.wand = name;
  div.innerHTML = `<div><h3></h3><div class="info hint"></div><div class="machines"></div></div>
    <canvas class="trace" width="720" height="200"></canvas>`;
  document.getElementById("wands").appendChild(div);
  div.querySelector("h3").textContent = name;
  const w = { div, rows: [], info: {}, machines: {} };
  state.wands[name] = w;
  return w;
}

function wandsInfo(wands) {
  for (const [name, info] of Object.entries(wands)) {
    const w = wandCard(name);
    w.info = info;
    w.div.querySelector(".info").textContent =
      `${info.state}, profile ${info.profile || "-"}` + (info.battery != null ? `, battery ${info.battery}%` : "") +
      (info.last_gesture ? `, last: ${info.last_gesture}` : "");
    if (info.machines && Object.keys(info.machines).length) machines(w, info.machines);
  }
}

function machines(w, ms) {
  const key = JSON.stringify(ms);
  if (key === w.machinesKey) return;  // redrawn only when a state changes
  w.machinesKey = key;
  const box = w.div.querySelector(".machines");
  box.replaceChildren();
  for (const [name, m] of Object.entries(ms)) {
    const row = document.createElement("div");
    row.className = "states";
    row.dataset.machine = name;
    const label = document.createElement("span");
    label.className = "hint";
    label.textContent = name;
    row.appendChild(label);
    for (const s of m.states) {
      const chip = document.createElement("span");
      chip.className = "state" + (s === m.current ? " on" : "");
      chip.textContent = s;
      row.appendChild(chip);
    }
    box.appendChild(row);
  }
}

function imu(msg) {
  const w = wandCard(msg.wand);
  w.rows.push(...msg.samples);
  if (w.rows.length > TRACE_SAMPLES) w.rows.splice(0, w.rows.length - TRACE_SAMPLES);
  w.div.dataset.samples = w.rows.length;
  machines(w, msg.machines);
  drawTrace(w.div.querySelector("canvas.trace"), w.rows, TRACE_SAMPLES);
}

// --- drawing -----------------------------------------------------------------------
function drawTrace(cv, rows, span, mark) {
  const c = cv.getContext("2d"), W = cv.width, H = cv.height, half = H / 2;
  c.clearRect(0, 0, W, H);
  const panels = [{ off: 0, label: "acceleration (g)", lim: 4 }, { off: 3, label: "rotation (deg/s)", lim: 1000 }];
  panels.forEach((p, k) => {
    const top = k * half, mid = top + half / 2;
    let lim = 0.5;
    for (const r of rows) for (let i = 0; i < 3; i++) lim = Math.max(lim, Math.abs(r[p.off + i]));
    c.strokeStyle = "#ddd"; c.beginPath(); c.moveTo(0, mid); c.lineTo(W, mid); c.stroke();
    c.fillStyle = "#888"; c.font = "11px sans-serif";
    c.fillText(`${p.label}  ±${lim.toFixed(lim < 10 ? 1 : 0)}`, 4, top + 12);
    ["x", "y", "z"].forEach((axis, i) => { c.fillStyle = COLORS[i]; c.fillText(axis, W - 40 + 12 * i, top + 12); });
    for (let i = 0; i < 3; i++) {
      c.strokeStyle = COLORS[i]; c.beginPath();
      rows.forEach((r, t) => {
        const x = t * W / Math.max(span - 1, 1), y = mid - r[p.off + i] / lim * (half / 2 - 4);
        t ? c.lineTo(x, y) : c.moveTo(x, y);
      });
      c.stroke();
    }
  });
  if (mark) {
    const x = mark * W / Math.max(span - 1, 1);
    c.strokeStyle = "#f4a261"; c.setLineDash([4, 3]); c.beginPath(); c.moveTo(x, 0); c.lineTo(x, H); c.stroke();
    c.setLineDash([]);
  }
}

function drawStroke(cv, pts, opts = {}) {
  const c = cv.getContext("2d"), W = cv.width, H = cv.height, pad = opts.small ? 4 : 24;
  c.clearRect(0, 0, W, H);
  if (!opts.small) {
    c.strokeStyle = "#eee"; c.beginPath(); c.moveTo(W / 2, 0); c.lineTo(W / 2, H); c.moveTo(0, H / 2); c.lineTo(W, H / 2); c.stroke();
  }
  if (!pts || pts.length < 2) return;
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const [x, y] of pts) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  const size = Math.max(x1 - x0, y1 - y0, 10), s = (Math.min(W, H) - 2 * pad) / size;
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const X = (x) => W / 2 + (x - cx) * s, Y = (y) => H / 2 - (y - cy) * s;
  const split = opts.decisionAt || pts.length;
  c.lineWidth = opts.small ? 1.5 : 3; c.lineJoin = "round";
  c.strokeStyle = "#2b2d42"; c.beginPath();
  pts.slice(0, split).forEach(([x, y], i) => i ? c.lineTo(X(x), Y(y)) : c.moveTo(X(x), Y(y)));
  c.stroke();
  if (split < pts.length) {  // after the decision: the hand finishing, faint
    c.strokeStyle = "#aab"; c.beginPath();
    pts.slice(split - 1).forEach(([x, y], i) => i ? c.lineTo(X(x), Y(y)) : c.moveTo(X(x), Y(y)));
    c.stroke();
  }
  if (!opts.small) {  // arrowheads a third and two thirds along: which way it was drawn
    c.fillStyle = "#2b2d42";
    const along = [0];  // arc length, so the arrows sit on the drawing, not where the hand rested
    for (let i = 1; i < split; i++) along.push(along[i - 1] + Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]));
    for (const f of [1 / 3, 2 / 3]) {
      const i = Math.max(1, along.findIndex((a) => a >= f * along[along.length - 1]));
      const [ax, ay] = pts[i], [bx, by] = pts[i - 1];
      const ang = Math.atan2(Y(ay) - Y(by), X(ax) - X(bx));
      c.beginPath(); c.moveTo(X(ax) + 9 * Math.cos(ang), Y(ay) + 9 * Math.sin(ang));
      c.lineTo(X(ax) + 9 * Math.cos(ang + 2.5), Y(ay) + 9 * Math.sin(ang + 2.5));
      c.lineTo(X(ax) + 9 * Math.cos(ang - 2.5), Y(ay) + 9 * Math.sin(ang - 2.5)); c.fill();
    }
  }
  c.fillStyle = "#2a9d8f"; c.beginPath(); c.arc(X(pts[0][0]), Y(pts[0][1]), opts.small ? 3 : 7, 0, 7); c.fill();
  const [ex, ey] = pts[pts.length - 1];
  c.fillStyle = "#e63946"; c.beginPath(); c.arc(X(ex), Y(ey), opts.small ? 2 : 4, 0, 7); c.fill();
  if (!opts.small) {
    c.fillStyle = "#888"; c.font = "11px sans-serif";
    c.fillText(`${size.toFixed(0)}° across`, 6, H - 6);
  }
}

// --- live: the event list ------------------------------------------------------------
function entryText(e) {
  if (e.event) return `${e.event.gesture} (${e.event.source}, ${e.event.confidence.toFixed(2)})`;
  if (e.kind === "stroke") return e.outcome.startsWith("the wand read") ? `drew ${e.candidates[0][0]}` : "stroke: no character";
  if (e.state === "drawing") return "drawing…";
  return e.outcome ? "no gesture" : "…";
}

function entry(e) {
  state.entries.set(e.id, e);
  const list = document.getElementById("events");
  let li = list.querySelector(`li[data-id="${CSS.escape(e.id)}"]`);
  if (!li) {
    li = document.createElement("li");
    li.className = "event";
    li.dataset.id = e.id;
    li.innerHTML = `<canvas width="64" height="64"></canvas><div><div class="what"></div>
      <div class="cands"></div><div class="verdict"></div></div>`;
    li.onclick = () => { state.follow = false; select(e.id); };
    list.prepend(li);
    while (list.children.length > 60) list.lastChild.remove();
  }
  li.dataset.gesture = e.event ? e.event.gesture : "";
  li.dataset.points = e.stroke.length;
  li.querySelector(".what").textContent = `${e.wand}: ${entryText(e)}`;
  li.dataset.kind = e.kind || "gesture";
  const cands = (e.candidates || []).map(([n, s]) => `${n} ${s.toFixed(2)}`).join(", ");
  if (e.kind === "stroke")  // the character read (or why none), then the runner-ups the wand ranked
    li.querySelector(".cands").textContent = e.outcome + (cands ? `; scores among the characters listened for: ${cands}` : "");
  else li.querySelector(".cands").textContent = cands ? `scores: ${cands}` + (e.inferences && e.inferences.length ?
    `; per inference: ${e.inferences.map(([n, s]) => `${n} ${s.toFixed(2)}`).join(" → ")}` : "") :
    (e.event && e.outcome ? e.outcome : "");
  if (e.enrolled && e.enrolled.length) li.querySelector(".cands").textContent +=
    `; enrolled, DTW distance in spreads (its radius): ` +
    e.enrolled.map(([n, d, r]) => `${n} ${d.toFixed(2)} (${r})`).join(", ");
  const v = li.querySelector(".verdict");
  v.textContent = e.verdict || (e.outcome || "");
  v.className = "verdict " + ((e.verdict || "").startsWith("performed") ? "performed" : (e.verdict ? "none" : ""));
  drawStroke(li.querySelector("canvas"), e.stroke, { small: true, decisionAt: e.decision_at });
  if (state.follow || state.selected === e.id) select(e.id);
}

function note(msg) {
  const li = document.createElement("li");
  li.className = "note";
  li.textContent = `${msg.wand}: ${msg.text}`;
  document.getElementById("events").prepend(li);
}

function select(id) {
  const e = state.entries.get(id);
  if (!e) return;
  state.selected = id;
  for (const li of document.querySelectorAll("#events li")) li.classList.toggle("sel", li.dataset.id === id);
  drawStroke(document.getElementById("stroke"), e.stroke, { decisionAt: e.decision_at });
  document.getElementById("stroke-title").textContent = `${e.wand}: ${entryText(e)}`;
}
document.getElementById("stroke").onclick = () => { state.follow = true; };

// --- record & teach ----------------------------------------------------------------------
function teachState(t) {
  state.teach = t;
  const status = document.getElementById("teach-status");
  if (t.active) status.textContent = `recording '${t.name}' (${t.person}) from ${t.wand || "the wand"}: hold still, then draw; tries are saved in ${t.folder} when you keep them`;
  else if (t.name) status.textContent = `stopped; kept tries of '${t.name}' are in ${t.folder}`;
  document.getElementById("tries").replaceChildren();
  t.tries.forEach(tryShown);
}

function tryShown(t) {
  const box = document.getElementById("tries");
  let div = box.querySelector(`.try[data-id="${t.id}"]`);
  if (!div) {
    div = document.createElement("div");
    div.dataset.id = t.id;
    div.innerHTML = `<div class="head"></div><canvas class="stroke" width="240" height="160"></canvas>
      <canvas class="trace" width="240" height="120"></canvas><div class="buttons"></div><div class="verdict"></div>`;
    box.appendChild(div);
  }
  div.className = "try " + (t.kept ? "kept" : "pending");
  div.querySelector(".head").textContent = t.kept ? `kept: ${t.file}` : `new try #${t.id}`;
  drawStroke(div.querySelector("canvas.stroke"), t.stroke);
  drawTrace(div.querySelector("canvas.trace"), t.trace, t.trace.length);
  div.querySelector(".verdict").textContent = t.verdict ? `self-check: ${t.verdict}` : "";
  const buttons = div.querySelector(".buttons");
  buttons.replaceChildren();
  if (!t.kept) {
    for (const [label, what] of [["Keep", "keep"], ["Discard", "discard"]]) {
      const b = document.createElement("button");
      b.textContent = label; b.className = what;
      b.onclick = async () => {
        try {
          const r = await api(`api/${what}`, { id: t.id });
          if (what === "keep") tryShown(r); else div.remove();
        } catch (err) { div.querySelector(".verdict").textContent = err.message; }
      };
      buttons.appendChild(b);
    }
  }
}

document.getElementById("teach-form").onsubmit = async (ev) => {
  ev.preventDefault();
  const status = document.getElementById("teach-status");
  try {
    teachState(await api("api/record", { name: document.getElementById("teach-name").value.trim(),
                                         person: document.getElementById("teach-person").value.trim() }));
    status.classList.remove("error");
  } catch (err) { status.textContent = err.message; status.classList.add("error"); }
};
document.getElementById("teach-stop").onclick = async () => teachState(await api("api/stop"));
document.getElementById("enrol").onclick = async () => {
  const out = document.getElementById("enrol-result");
  out.textContent = "enrolling…";
  try {
    const r = await api("api/enrol", { name: (state.teach && state.teach.name) || document.getElementById("teach-name").value.trim(),
                                       tries: Number(document.getElementById("enrol-tries").value),
                                       replace: document.getElementById("enrol-replace").checked });
    out.replaceChildren();
    const p = document.createElement("p"); p.textContent = r.summary; out.appendChild(p);
    const ul = document.createElement("ul");
    for (const t of r.tries) { const li = document.createElement("li"); li.textContent = `${t.file}: ${t.verdict}`; ul.appendChild(li); }
    out.appendChild(ul);
    out.classList.remove("error");
  } catch (err) { out.textContent = err.message; out.classList.add("error"); }
};

// --- gestures ---------------------------------------------------------------------------
async function gestures() {
  const r = await fetch(q("api/gestures"));
  const data = await r.json();
  document.getElementById("gestures-profile").textContent = `mappings in the active profile '${data.profile}'`;
  const box = document.getElementById("gestures");
  box.replaceChildren();
  for (const g of data.gestures) {
    const div = document.createElement("div");
    div.className = "gesture";
    div.dataset.gesture = g.name;
    const h = document.createElement("h3"); h.textContent = `${g.name} (${g.kind}, ${g.tries} tries)`; div.appendChild(h);
    if (g.picture) { const img = document.createElement("img"); img.alt = g.name; img.src = q(`api/picture/${encodeURIComponent(g.name)}`); div.appendChild(img); }
    const m = document.createElement("div"); m.className = "map";
    m.textContent = g.mapping.length ? "→ " + g.mapping.join("; ") : "not mapped in this profile";
    div.appendChild(m);
    box.appendChild(div);
  }
  document.getElementById("gestures-unknown").textContent = data.unknown_mapped.length ?
    `mapped in this profile but not known to the wand: ${data.unknown_mapped.join(", ")}` : "";
}

for (const b of document.querySelectorAll("button.tab")) {
  b.onclick = () => {
    for (const x of document.querySelectorAll("button.tab")) x.classList.toggle("active", x === b);
    for (const p of document.querySelectorAll(".page")) p.classList.toggle("active", p.id === "page-" + b.dataset.page);
    if (b.dataset.page === "gestures") gestures();
  };
}
connect();
