// Tenant list (/api/tenants): each links to its build list; a tenant that needs a login says so.
"use strict";
(async () => {
  const status = document.getElementById("status");
  const tbody = document.querySelector("#tenants tbody");
  const labels = [...document.querySelectorAll("#tenants thead th")].map(th => th.textContent);
  try {
    const response = await fetch("/api/tenants", { headers: ZuulAuth.headersFor(null) });
    if (!response.ok) throw new Error((await response.json().catch(() => ({}))).error ?? `HTTP ${response.status}`);
    const tenants = await response.json();
    for (const t of tenants) {
      const tr = document.createElement("tr");
      const link = document.createElement("a");
      link.href = `/t/${encodeURIComponent(t.name)}/builds`;
      link.textContent = t.name;
      const cells = [link, t.runningBuilds ?? "—", t.listedBuilds ?? "—", t.authRequired ? "login required" : "anyone"];
      cells.forEach((c, i) => {
        const td = document.createElement("td");
        td.append(c);
        td.dataset.label = labels[i];
        tr.append(td);
      });
      tbody.append(tr);
    }
    status.textContent = tenants.length === 0 ? "No tenants yet." : `${tenants.length} tenants.`;
  } catch (e) {
    status.textContent = `Could not load tenants: ${e.message}`;
  }
})();
