// Build list: refreshed from /api/builds; rows link to Zuul's stream URL form.
"use strict";
const tbody = document.querySelector("#builds tbody");
const status = document.getElementById("status");

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  if (cls) td.className = cls;
  return td;
}

function render(builds) {
  const rows = builds.map(b => {
    const tr = document.createElement("tr");
    tr.dataset.uuid = b.uuid;
    const link = document.createElement("a");
    link.href = `/t/default/stream/${b.uuid}?logfile=console.log`;
    link.textContent = b.uuid.slice(0, 12);
    link.title = b.uuid;
    const first = document.createElement("td");
    first.appendChild(link);
    tr.append(first, cell(b.jobName), cell(b.state + (b.result ? ` (${b.result})` : ""), `state-${b.state}`),
      cell(b.zone ?? "(un-zoned)"), cell(`${b.executor}:${b.logPort}`), cell(new Date(b.startedAt).toLocaleString()));
    return tr;
  });
  tbody.replaceChildren(...rows);
  status.textContent = builds.length === 0 ? "No builds yet." : `${builds.filter(b => b.state === "running").length} running, ${builds.length} listed.`;
}

async function refresh() {
  try {
    const response = await fetch("/api/builds");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
  } catch (e) {
    status.textContent = `Could not load builds: ${e.message}`;
  }
}

refresh();
setInterval(refresh, 2000);
