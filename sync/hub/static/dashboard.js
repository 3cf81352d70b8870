"use strict";
(function () {
  const every = 1000 * (Number(document.body.dataset.refresh) || 5);
  const el = (id) => document.getElementById(id);
  const text = (id, value) => { el(id).textContent = value === null || value === undefined ? "–" : String(value); };
  function cell(row, value, numeric) {
    const td = document.createElement("td");
    td.textContent = value === null || value === undefined ? "" : String(value);
    td.dir = "auto";
    if (numeric) td.className = "num";
    row.appendChild(td);
  }
  function ago(seconds) {
    if (seconds === null || seconds === undefined) return "never";
    if (seconds < 90) return seconds + " s ago";
    if (seconds < 5400) return Math.round(seconds / 60) + " min ago";
    return Math.round(seconds / 3600) + " h ago";
  }
  function render(data) {
    text("day", data.day);
    text("checked-in", data.checked_in);
    text("registered", data.registered);
    text("inside", data.inside);
    text("arrivals-hour", data.arrivals_last_hour);
    text("refused", data.refused);
    text("conflicts", data.conflicts);
    text("walkins", data.walkins);
    text("sessions-note", data.event_published ? "" :
      "No event published to the hub: sessions seen at the doors, without capacities.");
    const sessions = el("sessions").tBodies[0];
    sessions.replaceChildren();
    for (const s of data.sessions) {
      const row = sessions.insertRow();
      row.dataset.session = s.id;
      if (s.capacity && s.inside >= s.capacity) row.className = "full";
      else if (s.capacity && s.inside >= 0.9 * s.capacity) row.className = "amber";
      cell(row, s.id + " · " + s.title); cell(row, s.room); cell(row, s.start);
      cell(row, s.inside, true); cell(row, s.attended, true);
      cell(row, s.capacity || "no limit", true);
      cell(row, s.fill_percent === null ? "" : s.fill_percent + " %", true);
    }
    const kiosks = el("kiosks").tBodies[0];
    kiosks.replaceChildren();
    for (const k of data.kiosks) {
      const row = kiosks.insertRow();
      row.dataset.kiosk = k.kiosk_id;
      if (k.seconds_since_contact === null || k.seconds_since_contact > 120) row.className = "stale";
      cell(row, k.name ? k.kiosk_id + " (" + k.name + ")" : k.kiosk_id);
      cell(row, ago(k.seconds_since_contact)); cell(row, k.scans, true);
      cell(row, k.pending_uploads === null ? "not reported" : k.pending_uploads, true);
      cell(row, k.printer_state || "not reported");
      cell(row, k.print_queue === null ? "" : k.print_queue, true);
    }
    for (const a of document.querySelectorAll("a.csv")) {
      a.href = "/dashboard/csv/" + a.dataset.table + ".csv?day=" + data.day;
    }
    text("updated", new Date().toLocaleTimeString());
    el("status").textContent = "";
    el("status").className = "status";
  }
  async function poll() {
    try {
      const answer = await fetch("/dashboard/live.json", { credentials: "same-origin", cache: "no-store" });
      if (answer.status === 401) { window.location.reload(); return; }
      if (!answer.ok) throw new Error("hub answered " + answer.status);
      render(await answer.json());
    } catch (error) {
      el("status").textContent = "· hub unreachable, retrying";
      el("status").className = "status offline";
    } finally {
      window.setTimeout(poll, every);
    }
  }
  poll();
})();
