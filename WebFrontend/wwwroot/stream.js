// Live log page: the log so far over HTTP, then Zuul's console-stream websocket from that byte offset; ANSI colours,
// follow-while-at-bottom, line links, finished marker, reconnect by byte offset (no lost or repeated lines), download.
//
// Built for logs of a million lines and more: the log lives in LogStore (bytes and a line index, logstore.js) and
// only the lines in view, and a screen above and below, are in the DOM. A line's height is estimated from its
// length and the font's metrics until it is drawn and measured.
"use strict";
const parts = location.pathname.split("/").filter(Boolean); // t/<tenant>/stream/<uuid>
const uuid = parts[parts.length - 1];
const tenant = parts[0] === "t" && parts[1] ? decodeURIComponent(parts[1]) : "default";
document.getElementById("builds-link").href = `/t/${encodeURIComponent(tenant)}/builds`;
const loginBox = document.getElementById("login");
const logfile = new URLSearchParams(location.search).get("logfile") || "console.log";
const logEl = document.getElementById("log");
const stateEl = document.getElementById("state");
const followBtn = document.getElementById("follow");
const titleEl = document.getElementById("title");
titleEl.textContent = `Build ${uuid}`;
titleEl.title = uuid;
document.title = `Log ${uuid.slice(0, 12)} — Orleans.Zuul`;
const log = LogStore;

// ---- The view: a sizer as tall as the log, and the drawn lines ----------------------------------------------------

// Chromium lays out at most ~33.5 million pixels, and its compositor keeps scroll offsets as 32-bit floats: past
// 8 million pixels the sizer is scaled down, a physical pixel of scrolling stands for more than one of the log, and
// the wheel and keys are handled here so that they still move the log by its own pixels.
const MAX_PHYSICAL = 8_000_000;
const OVERSCAN = 0.75;          // screens drawn above and below the visible one
const PAD = 6;                  // above the first line and below the last
logEl.textContent = "";
const sizer = document.createElement("div");
sizer.className = "log-sizer";
const view = document.createElement("div");
view.className = "log-view";
sizer.appendChild(view);
logEl.appendChild(sizer);

let rowHeight = 19;             // pixels per row (the CSS line height), measured
let tailHeight = PAD;           // below the last line: padding, and the finished marker once there
let finishedEl = null;
const drawn = new Map();        // line index -> { el, end: the line's byte end when it was drawn }
let firstDrawn = 0, endDrawn = 0; // lines [first, end) are in the view, in order
let following = true;
let finished = false;
let anchor = null;              // when not following: { line, offset: from the line's top to the view's top, pixels }
let targetLine = 0;             // the line named by #L<n> (1-based), highlighted
let lastTop = 0;                // scrollTop seen last, to tell scrolling up from lines arriving
let ourScrollTop = -1;          // the scrollTop set here (its scroll event is not the user's)
// The log's size, from the resize observer: reading it from the element in a frame would force a layout.
let viewportWidth = logEl.clientWidth, viewportHeight = logEl.clientHeight;
let metricsKey = "";
let frame = 0;

const lineTop = k => PAD + log.rowsBefore(k) * rowHeight;
const lineAtY = y => log.lineAtRow(Math.max(0, Math.floor((y - PAD) / rowHeight)));
const totalHeight = () => PAD + log.totalRows * rowHeight + tailHeight;

function scheduleRender() { if (!frame) frame = requestAnimationFrame(render); }

// New bytes redraw the end at most every ARRIVAL_FRAME ms: loading a big log, the time goes to taking it in, not
// to drawing ends that the next chunk replaces. Scrolling and resizing draw in the next frame.
const ARRIVAL_FRAME = 100;
let lastRender = 0, arrivalTimer = 0;
function scheduleArrivalRender() {
  if (frame || arrivalTimer) return;
  const wait = lastRender + ARRIVAL_FRAME - performance.now();
  if (wait <= 0) scheduleRender();
  else arrivalTimer = setTimeout(() => { arrivalTimer = 0; scheduleRender(); }, wait);
}

// Row height and characters per row, measured on a hidden line whenever the width or the font size changes.
function measureMetrics() {
  // The line-number column is as wide as the largest number shown. (The font size changes with the width only.)
  const digits = String(log.shownLines()).length;
  const key = `${viewportWidth} ${digits}`;
  if (key === metricsKey) return false;
  metricsKey = key;
  logEl.style.setProperty("--ln-digits", String(Math.max(4, digits)));
  const probe = document.createElement("div");
  probe.className = "log-probe";
  const wide = lineElement(0);
  wide.lastChild.textContent = "x".repeat(200);
  wide.lastChild.style.whiteSpace = "pre"; // one row of 200 characters: its width is 200 character widths
  const single = lineElement(0);
  single.lastChild.textContent = "x";
  probe.append(wide, single);
  view.appendChild(probe);
  const text = wide.lastChild;
  const style = getComputedStyle(text);
  const inner = text.getBoundingClientRect().width - parseFloat(style.paddingRight) - parseFloat(style.paddingLeft);
  const range = document.createRange();
  range.selectNodeContents(text);
  const charWidth = range.getBoundingClientRect().width / 200 || 8;
  const height = single.getBoundingClientRect().height || 19;
  probe.remove();
  const changed = log.setColumns(Math.max(10, Math.floor(inner / charWidth))) || height !== rowHeight;
  rowHeight = height;
  return changed;
}

const toVirtual = (top, total, physical, viewport) =>
  physical <= viewport || total === physical ? top : top * (total - viewport) / (physical - viewport);
const toPhysical = (top, total, physical, viewport) =>
  physical <= viewport || total === physical ? top : top * (physical - viewport) / (total - viewport);

// Where the view is, in the sizer's (physical) pixels: set here, or read when the user scrolls.
let scrollPos = 0;

function setScrollTop(top) {
  scrollPos = ourScrollTop = lastTop = top;
  logEl.scrollTop = top;
}

// One frame: heights of the log and the sizer, the scroll position (following: the end; otherwise the anchor line
// stays where it is on screen), the lines in view drawn and measured. Layout is forced once per pass, by measure().
function render() {
  frame = 0;
  lastRender = performance.now();
  if (measureMetrics()) undraw();
  const viewport = viewportHeight;
  for (let pass = 0; pass < 3; pass++) {
    const total = totalHeight();
    const physical = Math.min(total, MAX_PHYSICAL);
    if (sizer.style.height !== physical + "px") sizer.style.height = physical + "px";
    const maxTop = Math.max(0, total - viewport);
    let top;
    if (following) top = maxTop;
    else if (anchor) top = Math.min(maxTop, Math.max(0, lineTop(anchor.line) + anchor.offset));
    else top = toVirtual(scrollPos, total, physical, viewport);
    const wanted = Math.round(toPhysical(top, total, physical, viewport));
    if (wanted !== scrollPos) setScrollTop(wanted);
    const shown = log.shownLines();
    // Following, the end of the log is in view and it moves with every chunk: a quarter screen above is enough.
    // After a jump only the screen is drawn in this frame, the lines around it in the next one.
    const above = following ? 0.25 : OVERSCAN;
    let first = shown === 0 ? 0 : lineAtY(top - viewport * above);
    let end = shown === 0 ? 0 : Math.min(shown, lineAtY(top + viewport * (1 + OVERSCAN)) + 1);
    if (end - first > 0 && (end <= firstDrawn || first >= endDrawn) && !following) {
      first = lineAtY(top);
      end = Math.min(shown, lineAtY(top + viewport) + 1);
      scheduleRender();
    }
    draw(first, end);
    view.style.transform = `translateY(${scrollPos + lineTop(first) - top}px)`;
    if (!measure()) break;
  }
}

function lineElement(n) {
  const row = document.createElement("div");
  row.className = "line";
  if (n) row.id = `L${n}`;
  const a = document.createElement("a");
  a.className = "ln";
  a.href = `#L${n}`;
  a.textContent = String(n);
  a.tabIndex = -1; // one tab stop for the whole log, not one per line
  a.setAttribute("aria-label", `link to line ${n}`);
  const text = document.createElement("span");
  text.className = "text";
  row.append(a, text);
  return row;
}

// A line of printable ASCII shorter than a row takes one row: no need to measure it (measuring forces a layout).
const unusual = /[^\x20-\x7e]/;
const escapes = /\x1b\[[0-9;]*[A-Za-z]/g;

function drawLine(k) {
  const row = lineElement(k + 1);
  const text = log.lineText(k);
  Ansi.render(row.lastChild, text, log.stateOf(k));
  if (k + 1 === targetLine) row.classList.add("target");
  const plain = text.indexOf("\x1b") < 0 ? text : text.replace(escapes, "");
  const oneRow = plain.length < log.columns && !unusual.test(plain);
  if (oneRow) log.setRows(k, 1);
  drawn.set(k, { el: row, end: log.lineEnd(k), measured: oneRow });
  return row;
}

function undraw() {
  drawn.clear();
  view.replaceChildren();
  firstDrawn = endDrawn = 0;
}

// Puts lines [first, end) in the view, keeping those already drawn (only the open, last line changes).
function draw(first, end) {
  if (end <= firstDrawn || first >= endDrawn) {
    undraw();
    const frag = document.createDocumentFragment();
    for (let k = first; k < end; k++) frag.appendChild(drawLine(k));
    view.appendChild(frag);
  } else {
    for (let k = firstDrawn; k < first; k++) { drawn.get(k).el.remove(); drawn.delete(k); }
    for (let k = endDrawn - 1; k >= end; k--) { drawn.get(k).el.remove(); drawn.delete(k); }
    for (let k = Math.max(first, firstDrawn); k < Math.min(end, endDrawn); k++) {
      const d = drawn.get(k);
      if (d.end !== log.lineEnd(k)) d.el.replaceWith(drawLine(k));
    }
    if (first < firstDrawn) {
      const frag = document.createDocumentFragment();
      for (let k = first; k < firstDrawn; k++) frag.appendChild(drawLine(k));
      view.insertBefore(frag, view.firstChild);
    }
    if (end > endDrawn) {
      const frag = document.createDocumentFragment();
      for (let k = endDrawn; k < end; k++) frag.appendChild(drawLine(k));
      view.appendChild(frag);
    }
  }
  firstDrawn = first;
  endDrawn = end;
}

// Reads the heights of the lines drawn since the last look (a drawn line keeps its height until the width
// changes, and then all are drawn again); true when an estimate was wrong: positions move and are computed again.
function measure() {
  let changed = false;
  for (const [k, d] of drawn) {
    if (d.measured) continue;
    d.measured = true;
    const n = Math.max(1, Math.round(d.el.getBoundingClientRect().height / rowHeight));
    if (n !== log.rowsOf(k)) { log.setRows(k, n); changed = true; }
  }
  if (finishedEl) {
    const h = finishedEl.getBoundingClientRect().height + PAD;
    if (Math.abs(h - tailHeight) >= 0.5) { tailHeight = h; changed = true; }
  }
  return changed;
}

// ---- Scrolling and following ------------------------------------------------------------------------------------

function currentTop() {
  if (anchor) return lineTop(anchor.line) + anchor.offset;
  const total = totalHeight();
  return toVirtual(scrollPos, total, Math.min(total, MAX_PHYSICAL), viewportHeight);
}

function anchorAt(top) {
  const line = lineAtY(top);
  anchor = { line, offset: top - lineTop(line) };
}

function setFollow(on) {
  if (!on && following) anchorAt(currentTop());
  following = on;
  followBtn.setAttribute("aria-pressed", String(on));
  followBtn.textContent = on ? "Following" : "Follow";
  if (on) anchor = null;
  scheduleRender();
}

// Following stops only when the user scrolls up; a reflow (a narrower window wraps lines) can leave the
// view above the end without any scrolling up, and must not stop it.
logEl.addEventListener("scroll", () => {
  const top = logEl.scrollTop;
  if (ourScrollTop >= 0 && Math.abs(top - ourScrollTop) < 1) return; // the one set by render()
  ourScrollTop = -1;
  scrollPos = top;
  const atBottom = logEl.scrollHeight - top - viewportHeight < 4;
  if (atBottom && !following) setFollow(true);
  else if (!atBottom && following && top < lastTop) setFollow(false);
  lastTop = top;
  if (!following) {
    const total = totalHeight();
    anchorAt(toVirtual(top, total, Math.min(total, MAX_PHYSICAL), viewportHeight));
  }
  scheduleRender();
});

// Moves the view by `dy` pixels of the log (wheel and keys on a scaled sizer).
function scrollByPixels(dy) {
  const maxTop = Math.max(0, totalHeight() - viewportHeight);
  const top = Math.min(maxTop, Math.max(0, (following ? maxTop : currentTop()) + dy));
  if (top >= maxTop - 1) { setFollow(true); return; }
  if (following) setFollow(false);
  anchorAt(top);
  scheduleRender();
}

const scaled = () => totalHeight() > MAX_PHYSICAL;
logEl.addEventListener("wheel", ev => {
  if (!scaled() || ev.ctrlKey) return;
  ev.preventDefault();
  scrollByPixels(ev.deltaY * (ev.deltaMode === 1 ? rowHeight : ev.deltaMode === 2 ? viewportHeight : 1));
}, { passive: false });
logEl.addEventListener("keydown", ev => {
  if (!scaled() || ev.altKey || ev.ctrlKey || ev.metaKey) return;
  const page = viewportHeight - rowHeight;
  const moves = { ArrowDown: 2 * rowHeight, ArrowUp: -2 * rowHeight, PageDown: page, PageUp: -page, " ": ev.shiftKey ? -page : page };
  if (ev.key === "Home") { ev.preventDefault(); setFollow(false); anchor = { line: 0, offset: 0 }; scheduleRender(); }
  else if (ev.key === "End") { ev.preventDefault(); setFollow(true); }
  else if (ev.key in moves) { ev.preventDefault(); scrollByPixels(moves[ev.key]); }
});

// A narrower window wraps more lines; the view stays at the end when following, at its anchor line otherwise.
new ResizeObserver(entries => {
  const box = entries[entries.length - 1].contentRect;
  viewportWidth = box.width;
  viewportHeight = box.height;
  scheduleRender();
}).observe(logEl);
followBtn.addEventListener("click", () => setFollow(!following));

// ---- Line links ----------------------------------------------------------------------------------------------

const lineFromHash = () => /^#L(\d+)$/.exec(location.hash) ? Number(location.hash.slice(2)) : 0;

// A deep link (#L12) is honoured once that line has arrived: highlighted, centred, following off.
let wantedLine = lineFromHash();

function highlight(n) {
  if (targetLine) drawn.get(targetLine - 1)?.el.classList.remove("target");
  targetLine = n;
  if (n) drawn.get(n - 1)?.el.classList.add("target");
}

function showWantedLine() {
  if (!wantedLine || wantedLine > log.shownLines()) return;
  const n = wantedLine;
  wantedLine = 0;
  highlight(n);
  setFollow(false);
  anchor = { line: n - 1, offset: -(viewportHeight - log.rowsOf(n - 1) * rowHeight) / 2 };
  scheduleRender();
}

// Clicking a line number puts the line in the address without moving the view.
view.addEventListener("click", ev => {
  const a = ev.target.closest("a.ln");
  if (!a || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
  ev.preventDefault();
  history.pushState(null, "", a.getAttribute("href"));
  highlight(Number(a.textContent));
});
window.addEventListener("hashchange", () => { wantedLine = lineFromHash(); showWantedLine(); });

// ---- Stream ----------------------------------------------------------------------------------------------------

let retry = 0;
let socket = null;
// Reconnect attempts since bytes last arrived; past MaxFailures (about two minutes of back-off) the page gives up.
const MaxFailures = 12;
let failures = 0;
let receivedAtFailure = 0;

// For tests and debugging: the live socket, the byte count, the complete lines and the lines drawn (1-based).
window.zuulStream = {
  get socket() { return socket; },
  get received() { return log.received; },
  get lines() { return log.completeLines(); },
  get drawn() { return [firstDrawn + 1, endDrawn]; },
};

function setState(text) { stateEl.textContent = text; }

function appended() {
  if (wantedLine) showWantedLine();
  scheduleArrivalRender();
}

// The log so far comes over HTTP (a browser takes a websocket's messages several times slower than a streamed
// response); then the websocket carries the live tail from that offset and says how the stream ended. An HTTP error
// (401/403, a build not found, an upstream that cannot be reached) is not acted on here: the websocket, asked next,
// answers with the close the page knows how to handle (log in, stop, or resume).
async function connect() {
  setState(log.received ? "catching up (resumed)" : "loading");
  try {
    const response = await fetch(
      `/api/tenant/${encodeURIComponent(tenant)}/build/${encodeURIComponent(uuid)}/log?offset=${log.received}`,
      { cache: "no-store", headers: ZuulAuth.headersFor(tenant) });
    if (response.ok) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        log.appendBytes(value);
        appended();
      }
    }
  } catch { /* a broken catch-up: the websocket resumes from what arrived */ }
  log.dropCutCharacter();
  openSocket();
}

function openSocket() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/api/tenant/${encodeURIComponent(tenant)}/console-stream`);
  socket = ws;
  ws.onopen = () => {
    setState(log.received ? "streaming (resumed)" : "streaming");
    // The token travels in the first message: browsers cannot set headers on a websocket (PROTOCOL.md section 6).
    const token = ZuulAuth.token(tenant);
    const offset = log.received;
    ws.send(JSON.stringify(token ? { uuid, logfile, offset, token } : { uuid, logfile, offset }));
  };
  ws.onmessage = ev => {
    if (ws !== socket) return;
    log.appendText(ev.data);
    appended();
  };
  ws.onclose = ev => {
    if (ws !== socket || finished) return;
    socket = null;
    // 1000 is sent only when the build finished and every byte was sent (PROTOCOL.md section 6).
    if (ev.code === 1000) { markFinished(); return; }
    if (ev.code === 4001 || ev.code === 4003) {
      setState(`not allowed: ${ev.reason || ev.code}`);
      ZuulAuth.prompt(loginBox, tenant, ev.code === 4003 ? `${ev.reason} Log in as another user?` : ev.reason);
      return;
    }
    // A bad request (4000) will not get better by asking again.
    if (ev.code === 4000) { setState(`error: ${ev.reason || ev.code}`); return; }
    // Nor does an answer about the build itself before any byte of it (Zuul's texts, PROTOCOL.md section 1): it is
    // not found (or another tenant's) or not valid; asking again is for hops that failed, not for builds that are not there.
    if (ev.code === 4011 && log.received === 0 && / (not found|is not valid)$/.test(ev.reason || "")) {
      setState(`error: ${ev.reason}`);
      return;
    }
    // Anything else (server stopping 1001/1012, stream failure 4011, internal error 1011, connection lost 1006):
    // resume by offset (over HTTP, then the websocket), with back-off; bytes received since the last attempt start
    // the count again.
    if (log.received > receivedAtFailure) { receivedAtFailure = log.received; failures = 0; retry = 0; }
    if (++failures > MaxFailures) {
      setState(`stream failed: ${ev.reason || `connection closed (${ev.code})`} · gave up after ${MaxFailures} attempts; reload to try again`);
      return;
    }
    const delay = Math.min(500 * 2 ** retry++, 15000);
    const why = ev.reason ? ` (${ev.reason})` : "";
    setState(`reconnecting in ${Math.max(1, Math.round(delay / 1000))} s…${why}`);
    setTimeout(connect, delay);
  };
}

function markFinished() {
  finished = true;
  finishedEl = document.createElement("div");
  finishedEl.className = "finished";
  finishedEl.id = "finished";
  finishedEl.textContent = "— end of log: build finished —";
  sizer.appendChild(finishedEl); // at the bottom of the sizer: right below the last line when scrolled to the end
  setState(`finished · ${log.completeLines()} lines`);
  scheduleRender();
}

// One line about the build (job, zone, executor, state); its height is reserved, so filling it moves nothing.
// Loaded once, then kept current by the build events of this build.
function renderMeta(b) {
  const meta = document.getElementById("meta");
  if (meta.dataset.state === "finished" && b.state !== "finished") return; // a late, older answer
  // State first: on a narrow screen the end of the line is cut off.
  const fields = [b.result ? `${b.state}: ${b.result}` : b.state, b.jobName, b.zone ? `zone ${b.zone}` : "un-zoned",
    b.executor ? `executor ${b.executor}` : null, `started ${new Date(b.startedAt).toLocaleString()}`];
  meta.textContent = fields.filter(Boolean).join(" · ");
  meta.dataset.state = b.state;
  if (b.state === "finished" && metaEvents) { metaEvents.close(); metaEvents = null; } // nothing more to learn
}

async function showMeta() {
  try {
    const response = await fetch(`/api/tenant/${encodeURIComponent(tenant)}/build/${encodeURIComponent(uuid)}`, { headers: ZuulAuth.headersFor(tenant) });
    if (response.ok) renderMeta(await response.json());
  } catch { /* the log matters more than its caption */ }
}

let metaEvents = null;
function watchMeta() {
  const stop = ZuulAuth.events(tenant, showMeta /* also after a reconnect, to catch up */, data => {
    const { build } = JSON.parse(data);
    if (build.uuid === uuid) renderMeta(build);
  }, () => {});
  metaEvents = { close: stop };
}

document.getElementById("download").addEventListener("click", () => {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob(log.parts(), { type: "text/plain" }));
  a.download = `${uuid}-${logfile}`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});
// The tenant's login facts first, so the token of its realm is the one sent.
ZuulAuth.info(tenant).catch(() => null).finally(() => {
  watchMeta();
  showMeta();
  connect();
});
