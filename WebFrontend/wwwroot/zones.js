// Zones view: each zone with its live finger gateways, its executors and running builds; un-zoned executors last.
"use strict";
const container = document.getElementById("zones");
const status = document.getElementById("status");

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function list(title, items, render, empty) {
  const section = el("div", undefined, "zone-part");
  section.appendChild(el("h4", title));
  if (items.length === 0) { section.appendChild(el("p", empty, "muted")); return section; }
  const ul = el("ul");
  for (const item of items) { const li = el("li"); render(li, item); ul.appendChild(li); }
  section.appendChild(ul);
  return section;
}

function zoneCard(z) {
  const card = el("section", undefined, "zone");
  const name = z.zone ?? "Un-zoned executors";
  card.dataset.zone = z.zone ?? "";
  const id = `zone-${z.zone ?? "unzoned"}`;
  card.setAttribute("aria-labelledby", id);
  const h = el("h3", name); h.id = id;
  card.appendChild(h);
  if (z.zone !== null) {
    card.appendChild(list("Gateways", z.gateways, (li, g) => {
      li.className = "gateway";
      li.append(el("code", `${g.hostname}:${g.port}`), " ", el("span", g.state, `state-${g.state}`), g.tls ? " · TLS" : "");
    }, "No live gateway: builds here are streamed from the executors directly."));
  } else {
    card.appendChild(el("p", "Executors without a zone are reached directly, from every zone.", "muted"));
  }
  card.appendChild(list("Executors", z.executors, (li, e) => {
    li.append(el("code", `${e.hostname}:${e.logPort}`), ` · ${e.runningBuilds} running`);
  }, "None seen recently."));
  card.appendChild(list("Running builds", z.runningBuilds, (li, b) => {
    const a = el("a", b.uuid.slice(0, 12));
    a.href = `/t/default/stream/${b.uuid}?logfile=console.log`;
    a.title = b.uuid;
    li.append(a, ` ${b.jobName ?? ""} on ${b.executor}`);
  }, "None."));
  return card;
}

async function refresh() {
  try {
    const response = await fetch("/api/zones");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const zones = await response.json();
    container.replaceChildren(...zones.map(zoneCard));
    const named = zones.filter(z => z.zone !== null);
    const gateways = named.reduce((n, z) => n + z.gateways.length, 0);
    status.textContent = `${named.length} zone${named.length === 1 ? "" : "s"}, ${gateways} gateway${gateways === 1 ? "" : "s"}. Updated ${new Date().toLocaleTimeString()}.`;
  } catch (e) {
    status.textContent = `Could not load zones: ${e.message}`;
  }
}

// Builds starting and finishing change executors and running builds: refresh on each build event
// (coalesced); gateways register without events, so a slow poll covers them.
let pending = null;
function soon() { if (!pending) pending = setTimeout(() => { pending = null; refresh(); }, 300); }
const events = new EventSource("/api/builds/events");
events.addEventListener("build", soon);
events.addEventListener("open", soon);
document.getElementById("refresh").addEventListener("click", refresh);
refresh();
setInterval(refresh, 15000);
