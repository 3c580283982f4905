// Build list of one tenant (/t/<tenant>/builds): loaded from /api/tenant/<t>/builds, then kept current by the
// tenant's build events (server-sent events from /api/tenant/<t>/builds/events). The list is reloaded whenever the
// event stream (re)opens, and polled slowly only while the stream is down, so nothing is missed across a reconnect.
// A tenant that requires login shows the login prompt (auth.js) instead.
"use strict";
const pathParts = location.pathname.split("/").filter(Boolean); // t/<tenant>/builds
const tenant = pathParts[0] === "t" && pathParts[1] ? decodeURIComponent(pathParts[1]) : "default";
const loginBox = document.getElementById("login");
document.getElementById("builds-link").href = location.pathname;
document.querySelector("h2").textContent = `Builds of ${tenant}`;
const tbody = document.querySelector("#builds tbody");
const status = document.getElementById("status");
const live = document.getElementById("live");
const builds = new Map(); // uuid -> build
const FALLBACK_POLL_MS = 30000;
let fallbackTimer = null;

const labels = [...document.querySelectorAll("#builds thead th")].map(th => th.textContent);

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  if (cls) td.className = cls;
  return td;
}

function row(b) {
  const tr = document.createElement("tr");
  tr.dataset.uuid = b.uuid;
  tr.dataset.state = b.state;
  const link = document.createElement("a");
  link.href = `/t/${encodeURIComponent(tenant)}/stream/${b.uuid}?logfile=console.log`;
  link.textContent = b.uuid.slice(0, 12);
  link.title = b.uuid;
  link.setAttribute("aria-label", `Log of build ${b.uuid}${b.jobName ? ` (${b.jobName})` : ""}`);
  const first = document.createElement("td");
  first.appendChild(link);
  tr.append(first, cell(b.jobName), cell(b.state + (b.result ? ` (${b.result})` : ""), `state-${b.state}`),
    cell(b.zone ?? "(un-zoned)"), cell(b.executor ? `${b.executor}:${b.logPort}` : "—"), cell(new Date(b.startedAt).toLocaleString()));
  // Column names for the narrow layout, where each row is a card.
  [...tr.children].forEach((td, i) => { td.dataset.label = labels[i]; });
  return tr;
}

// Running first, then lost (their executor's liveness lease lapsed; they may run again), then newest first:
// the same order as the API.
const rank = { running: 0, lost: 1 };
function ordered() {
  return [...builds.values()].sort((a, b) =>
    (rank[a.state] ?? 2) - (rank[b.state] ?? 2) || Date.parse(b.startedAt) - Date.parse(a.startedAt));
}

// Updates the table in place: unchanged rows stay the same elements (keyboard focus and selection
// stay put), changed rows are redrawn, and rows move only when the order changed.
function render() {
  const list = ordered();
  const focused = document.activeElement?.closest?.("#builds tr")?.dataset.uuid;
  const existing = new Map([...tbody.rows].map(tr => [tr.dataset.uuid, tr]));
  list.forEach((b, i) => {
    let tr = existing.get(b.uuid);
    const signature = `${b.state}|${b.result ?? ""}|${b.jobName ?? ""}`;
    if (!tr || tr.dataset.signature !== signature) {
      const fresh = row(b);
      fresh.dataset.signature = signature;
      if (tr) tr.replaceWith(fresh);
      tr = fresh;
    }
    existing.delete(b.uuid);
    if (tbody.rows[i] !== tr) tbody.insertBefore(tr, tbody.rows[i] ?? null);
  });
  for (const gone of existing.values()) gone.remove();
  if (focused && document.activeElement?.closest?.("#builds tr")?.dataset.uuid !== focused) {
    tbody.querySelector(`tr[data-uuid="${focused}"] a`)?.focus();
  }
  const running = list.filter(b => b.state === "running").length;
  const lost = list.filter(b => b.state === "lost").length;
  status.textContent = list.length === 0 ? "No builds yet."
    : `${running} running, ${lost ? `${lost} lost, ` : ""}${list.length} listed.`;
}

async function reload() {
  try {
    const response = await fetch(`/api/tenant/${encodeURIComponent(tenant)}/builds`, { headers: ZuulAuth.headersFor(tenant) });
    if (response.status === 401 || response.status === 403) { await refused(response); return; }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const list = await response.json();
    builds.clear();
    for (const b of list) builds.set(b.uuid, b);
    render();
  } catch (e) {
    status.textContent = `Could not load builds: ${e.message}`;
  }
}

function setLive(on, text) {
  live.textContent = text;
  live.dataset.live = String(on);
  if (on && fallbackTimer) { clearInterval(fallbackTimer); fallbackTimer = null; }
  if (!on && !fallbackTimer) fallbackTimer = setInterval(reload, FALLBACK_POLL_MS);
}

// Not allowed: no rows, the reason and the login prompt.
async function refused(response) {
  builds.clear();
  render();
  const { error } = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  status.textContent = error;
  const info = await ZuulAuth.info(tenant, true).catch(() => null);
  if (info?.login) ZuulAuth.prompt(loginBox, tenant, response.status === 403 ? `${error} Log in as another user?` : error);
}

function listen() {
  ZuulAuth.events(tenant, () => { setLive(true, "live"); reload(); }, data => {
    const { build } = JSON.parse(data);
    const known = builds.get(build.uuid);
    // A late "started" or "lost" must not undo a "finished" that arrived first: a finished build stays finished.
    if (known && known.state === "finished" && build.state !== "finished") return;
    builds.set(build.uuid, build);
    render();
  }, code => {
    // The stream reconnects after 3 s (not when refused); meanwhile, poll slowly.
    setLive(false, code === 401 || code === 403 ? "not allowed" : "reconnecting…");
  });
}

ZuulAuth.info(tenant).catch(() => null).then(info => {
  if (!info?.admin) document.querySelectorAll(".admin-only").forEach(a => a.remove());
  setLive(false, "connecting…");
  reload();
  listen();
});
