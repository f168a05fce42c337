/* The agent's personal booking page: /book/{agent}?start=dd.mm.yyyy&end=dd.mm.yyyy&subject=…
 * Free times are shown in the guest's own zone; user data is only ever set with textContent. */
(function () {
  "use strict";

  const API = location.origin;
  const SESSION_KEY = `convene:${API}:session`; // the widget's key: one guest session per host
  const slug = decodeURIComponent(location.pathname.split("/")[2] || "");
  const guestZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const params = new URLSearchParams(location.search);
  const $ = (id) => document.getElementById(id);
  const els = {
    title: $("title"), zone: $("zone"), form: $("form"), subject: $("subject"), duration: $("duration"),
    who: $("who"), name: $("name"), email: $("email"), slots: $("slots"), schedule: $("schedule"),
    error: $("error"), confirmed: $("confirmed"),
  };
  const state = { agent: null, range: null, chosen: null, idempotencyKey: null, problems: [] };

  function readSession() {
    try { return JSON.parse(localStorage.getItem(SESSION_KEY) || "null"); } catch (e) { return null; }
  }
  function writeSession(value) {
    try {
      if (value) localStorage.setItem(SESSION_KEY, JSON.stringify(value));
      else localStorage.removeItem(SESSION_KEY);
    } catch (e) { /* private mode: the session lasts for this page only */ }
  }

  function showError(text) {
    els.error.textContent = text;
    els.error.hidden = !text;
  }

  // dd.mm.yyyy → "yyyy-mm-dd", or null when it is not a real date.
  function parseDay(text) {
    const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(text || "");
    if (!m) return null;
    const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const probe = new Date(Date.UTC(year, month - 1, day));
    if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
    return `${m[3]}-${m[2]}-${m[1]}`;
  }

  function todayInZone() {
    const parts = new Intl.DateTimeFormat("en-CA", { timeZone: guestZone, year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(new Date());
    const get = (t) => parts.find((p) => p.type === t).value;
    return `${get("year")}-${get("month")}-${get("day")}`;
  }
  function addDays(iso, n) {
    const d = new Date(`${iso}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  function readRange() {
    const problems = [];
    let start = todayInZone();
    let end = null;
    if (params.has("start")) {
      const parsed = parseDay(params.get("start"));
      if (parsed) start = parsed > start ? parsed : start;
      else problems.push(`The start date "${params.get("start")}" is not a date like 24.11.2026; showing the next two weeks.`);
    }
    if (params.has("end")) {
      const parsed = parseDay(params.get("end"));
      if (parsed) end = parsed;
      else problems.push(`The end date "${params.get("end")}" is not a date like 30.11.2026; showing the next two weeks.`);
    }
    if (end && end < start) {
      problems.push("The end date lies before the start date (or in the past): there is nothing to book in that range.");
      return { start, end: null, empty: true, problems };
    }
    return { start, end: end || addDays(start, 13), empty: false, problems };
  }

  async function api(method, path, body, extraHeaders) {
    const headers = Object.assign({ "Content-Type": "application/json" }, extraHeaders || {});
    const session = readSession();
    if (session && session.token) headers.Authorization = `Bearer ${session.token}`;
    const response = await fetch(API + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) {
      const error = new Error((data && data.message) || `Request failed (${response.status}).`);
      error.status = response.status;
      error.data = data || {};
      throw error;
    }
    return { status: response.status, data };
  }

  const dayFormat = new Intl.DateTimeFormat(undefined, { timeZone: guestZone, weekday: "long", day: "numeric", month: "long" });
  const timeFormat = new Intl.DateTimeFormat(undefined, { timeZone: guestZone, hour: "2-digit", minute: "2-digit" });
  const fullFormat = new Intl.DateTimeFormat(undefined, { timeZone: guestZone, dateStyle: "full", timeStyle: "short" });

  function renderSlots(slots) {
    els.slots.replaceChildren();
    state.chosen = null;
    els.schedule.disabled = true;
    if (!slots.length) {
      const p = document.createElement("p");
      p.className = "muted";
      p.textContent = "No free times in this range.";
      els.slots.append(p);
      return;
    }
    let currentDay = null;
    let row = null;
    for (const slot of slots) {
      const when = new Date(slot.start);
      const day = dayFormat.format(when);
      if (day !== currentDay) {
        currentDay = day;
        const heading = document.createElement("div");
        heading.className = "day";
        heading.textContent = day;
        row = document.createElement("div");
        row.className = "slots";
        els.slots.append(heading, row);
      }
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.testid = "slot";
      button.dataset.start = slot.start;
      button.setAttribute("aria-pressed", "false");
      button.textContent = timeFormat.format(when);
      button.addEventListener("click", () => choose(button));
      row.append(button);
    }
  }

  function choose(button) {
    for (const b of els.slots.querySelectorAll("button")) b.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-pressed", "true");
    state.chosen = button.dataset.start;
    state.idempotencyKey = null;
    els.schedule.disabled = false;
  }

  async function loadSlots() {
    if (state.range.empty) {
      renderSlots([]);
      return;
    }
    const q = new URLSearchParams({ start: state.range.start, end: state.range.end, duration: els.duration.value, tz: guestZone });
    try {
      const { data } = await api("GET", `/api/agents/${encodeURIComponent(slug)}/slots?${q}`);
      renderSlots(data.slots);
    } catch (error) {
      renderSlots([]);
      showError(error.message);
    }
  }

  async function ensureSession() {
    const session = readSession();
    if (session && session.token) return true;
    const name = els.name.value.trim();
    if (!name) {
      showError("Please tell us your name.");
      els.name.focus();
      return false;
    }
    const body = { name, timezone: guestZone };
    if (els.email.value.trim()) body.email = els.email.value.trim();
    const { data } = await api("POST", "/api/guest/sessions", body);
    writeSession({ token: data.token, guest_id: data.guest_id, name: data.name });
    return true;
  }

  async function schedule(event) {
    event.preventDefault();
    showError(state.problems.join(" "));
    const subject = els.subject.value.trim();
    if (!subject) {
      showError("Please enter a subject.");
      els.subject.focus();
      return;
    }
    if (!state.chosen) return;
    els.schedule.disabled = true;
    try {
      if (!(await ensureSession())) return;
      // One key per chosen slot: a double click or a retry books once.
      state.idempotencyKey = state.idempotencyKey || `${Date.now()}-${Math.random().toString(36).slice(2)}`;
      const { data } = await api(
        "POST", "/api/guest/meetings",
        { agent: slug, start: state.chosen, duration: Number(els.duration.value), subject, timezone: guestZone },
        { "Idempotency-Key": state.idempotencyKey },
      );
      const meeting = data.meeting;
      els.form.hidden = true;
      showError("");
      els.confirmed.textContent =
        `Booked: ${meeting.subject} with ${meeting.agent_name}, ${fullFormat.format(new Date(meeting.start))} (${guestZone}). ` +
        "You will get an email with the invitation.";
      els.confirmed.hidden = false;
    } catch (error) {
      if (error.status === 401) {
        writeSession(null);
        els.who.hidden = false;
        showError("Your session has expired; please enter your name again.");
      } else if (error.data && error.data.code === "slot_taken") {
        const next = (error.data.alternatives || []).slice(0, 3).map((iso) => fullFormat.format(new Date(iso)));
        showError(
          next.length
            ? `That time was just taken. The next free times: ${next.join("; ")}. Please choose one below.`
            : "That time was just taken. Please choose another one.",
        );
        await loadSlots();
      } else {
        showError(error.message || "Could not book the meeting.");
      }
    } finally {
      els.schedule.disabled = !state.chosen;
    }
  }

  async function start() {
    state.range = readRange();
    state.problems = state.range.problems;
    showError(state.problems.join(" "));
    els.subject.value = params.get("subject") || "";
    els.zone.textContent = `Times are shown in your time zone: ${guestZone}.`;
    els.who.hidden = Boolean(readSession());
    try {
      const { data } = await api("GET", `/api/agents/${encodeURIComponent(slug)}/booking`);
      state.agent = data;
      els.title.textContent = `Book a meeting with ${data.name}`;
      document.title = `Book a meeting with ${data.name}`;
      for (const minutes of data.durations) {
        const option = document.createElement("option");
        option.value = String(minutes);
        option.textContent = `${minutes} minutes`;
        option.selected = minutes === data.default_duration;
        els.duration.append(option);
      }
    } catch (error) {
      els.form.hidden = true;
      showError(error.status === 404 ? "There is no booking page at this address." : error.message);
      return;
    }
    els.duration.addEventListener("change", loadSlots);
    els.form.addEventListener("submit", schedule);
    await loadSlots();
  }

  start();
})();
