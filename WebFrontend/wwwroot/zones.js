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
    a.href = `/t/${encodeURIComponent(b.tenant)}/stream/${b.uuid}?logfile=console.log`;
    a.title = b.uuid;
    li.append(a, ` ${b.jobName ?? ""} on ${b.executor}`);
  }, "None."));
  return card;
}

async function refresh() {
  try {
    // Admins only (executor and gateway addresses): the admin listener, or a token with an admin claim.
    const response = await fetch("/api/zones", { headers: ZuulAuth.headersFor(null) });
    if (!response.ok) throw new Error((await response.json().catch(() => ({}))).error ?? `HTTP ${response.status}`);
    const zones = await response.json();
    container.replaceChildren(...zones.map(zoneCard));
    const named = zones.filter(z => z.zone !== null);
    const gateways = named.reduce((n, z) => n + z.gateways.length, 0);
    status.textContent = `${named.length} zone${named.length === 1 ? "" : "s"}, ${gateways} gateway${gateways === 1 ? "" : "s"}. Updated ${new Date().toLocaleTimeString()}.`;
  } catch (e) {
    status.textContent = `Could not load zones: ${e.message}`;
  }
}

// Build events are per tenant, and this view spans them all: a poll keeps it current.
document.getElementById("refresh").addEventListener("click", refresh);
refresh();
setInterval(refresh, 5000);
