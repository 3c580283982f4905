// Live log page: Zuul's console-stream websocket, ANSI colours, follow-while-at-bottom,
// line links, finished marker, reconnect by byte offset (no lost or repeated lines), download.
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

const encoder = new TextEncoder();
const chunks = [];
let received = 0;        // bytes of the log received so far: the resume offset
let partial = "";        // text after the last newline, not yet a full line
let lineNo = 0;
let following = true;
let finished = false;
let retry = 0;
// Reconnect attempts since bytes last arrived; past MaxFailures (about two minutes of back-off) the page gives up.
const MaxFailures = 12;
let failures = 0;
let receivedAtFailure = 0;
let socket = null;
const ansiState = Ansi.newState();
let partialEl = null;
// A deep link to a line (#L12) is honoured once that line has arrived.
let wantedLine = /^#L(\d+)$/.exec(location.hash) ? Number(location.hash.slice(2)) : 0;

// For tests and debugging: the live socket and the byte count.
window.zuulStream = { get socket() { return socket; }, get received() { return received; }, get lines() { return lineNo; } };

function setState(text) { stateEl.textContent = text; }

// One line about the build (job, zone, executor, state); its height is reserved, so filling it moves nothing.
// Loaded once, then kept current by the build events of this build.
function renderMeta(b) {
  const meta = document.getElementById("meta");
  if (meta.dataset.state === "finished" && b.state !== "finished") return; // a late, older answer
  // State first: on a narrow screen the end of the line is cut off.
  const parts = [b.result ? `${b.state}: ${b.result}` : b.state, b.jobName, b.zone ? `zone ${b.zone}` : "un-zoned",
    b.executor ? `executor ${b.executor}` : null, `started ${new Date(b.startedAt).toLocaleString()}`];
  meta.textContent = parts.filter(Boolean).join(" · ");
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

function setFollow(on) {
  following = on;
  followBtn.setAttribute("aria-pressed", String(on));
  followBtn.textContent = on ? "Following" : "Follow";
  if (on) logEl.scrollTop = logEl.scrollHeight;
}

function lineElement(n) {
  const row = document.createElement("div");
  row.className = "line";
  row.id = `L${n}`;
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

function showWantedLine() {
  const target = wantedLine && document.getElementById(`L${wantedLine}`);
  if (!target) return;
  wantedLine = 0;
  target.classList.add("target");
  setFollow(false);
  target.scrollIntoView({ block: "center" });
}

function append(text) {
  chunks.push(text);
  received += encoder.encode(text).length;
  const all = partial + text;
  const lines = all.split("\n");
  partial = lines.pop();
  const frag = document.createDocumentFragment();
  if (partialEl) { partialEl.remove(); partialEl = null; }
  for (const l of lines) {
    const row = lineElement(++lineNo);
    Ansi.render(row.lastChild, l, ansiState);
    frag.appendChild(row);
  }
  if (partial) {
    // The unfinished last line is shown with a copy of the colour state and redrawn when it completes.
    partialEl = lineElement(lineNo + 1);
    Ansi.render(partialEl.lastChild, partial, { ...ansiState });
    frag.appendChild(partialEl);
  }
  logEl.appendChild(frag);
  if (following) logEl.scrollTop = logEl.scrollHeight;
  if (wantedLine) showWantedLine();
}

function markFinished() {
  finished = true;
  const end = document.createElement("div");
  end.className = "finished";
  end.id = "finished";
  end.textContent = "— end of log: build finished —";
  logEl.appendChild(end);
  setState(`finished · ${lineNo} lines`);
  if (following) logEl.scrollTop = logEl.scrollHeight;
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/api/tenant/${encodeURIComponent(tenant)}/console-stream`);
  socket = ws;
  ws.onopen = () => {
    setState(received ? "streaming (resumed)" : "streaming");
    // The token travels in the first message: browsers cannot set headers on a websocket (PROTOCOL.md section 6).
    const token = ZuulAuth.token(tenant);
    ws.send(JSON.stringify(token ? { uuid, logfile, offset: received, token } : { uuid, logfile, offset: received }));
  };
  ws.onmessage = ev => { if (ws === socket) append(ev.data); };
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
    if (ev.code === 4011 && received === 0 && / (not found|is not valid)$/.test(ev.reason || "")) {
      setState(`error: ${ev.reason}`);
      return;
    }
    // Anything else (server stopping 1001/1012, stream failure 4011, internal error 1011, connection lost 1006):
    // resume by offset, with back-off; bytes received since the last attempt start the count again.
    if (received > receivedAtFailure) { receivedAtFailure = received; failures = 0; retry = 0; }
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

// Following stops only when the user scrolls up; a reflow (a narrower window wraps lines) can leave the
// view above the end without any scrolling up, and must not stop it.
let lastTop = 0;
logEl.addEventListener("scroll", () => {
  const top = logEl.scrollTop;
  const atBottom = logEl.scrollHeight - top - logEl.clientHeight < 4;
  if (atBottom && !following) setFollow(true);
  else if (!atBottom && following && top < lastTop) setFollow(false);
  lastTop = top;
});
// A narrower window wraps more lines; stay at the end when following.
new ResizeObserver(() => { if (following) logEl.scrollTop = logEl.scrollHeight; }).observe(logEl);
followBtn.addEventListener("click", () => setFollow(!following));
document.getElementById("download").addEventListener("click", () => {
  const blob = new Blob(chunks, { type: "text/plain" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
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
