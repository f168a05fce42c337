/* The agent's personal booking page: /book/{agent}?start=dd.mm.yyyy&end=dd.mm.yyyy&subject=…
 *
 * Free times are shown in the guest's own zone by the shared slot picker; how far ahead one may book
 * comes from the agent's booking info. The page shares the widget's guest session on this host, so
 * a guest who booked here finds the meeting in the widget. User data is only ever set as text.
 */
import { apiClient } from "./lib/api.js";
import { say } from "./lib/dom.js";
import { durationOptions } from "./lib/meetings.js";
import { isSlotTaken, slotPicker } from "./lib/slots.js";
import { addDays, daysBetween, formatFull, lastBookableDay, parseDottedDay, today, viewerZone } from "./lib/time.js";

const DEFAULT_DAYS = 14; // without an end date: two weeks a page
const SESSION_KEY = `convene:${location.origin}:session`; // the widget's key: one guest session per host
const slug = decodeURIComponent(location.pathname.split("/")[2] || "");
const zone = viewerZone();
const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const els = {
  title: $("title"), zone: $("zone"), form: $("form"), subject: $("subject"), duration: $("duration"),
  who: $("who"), name: $("name"), email: $("email"), slots: $("slots"), schedule: $("schedule"),
  error: $("error"), confirmed: $("confirmed"),
};
const state = { idempotencyKey: null, problems: [] };

function readSession() {
  try {
    return JSON.parse(localStorage.getItem(SESSION_KEY) || "null");
  } catch (_) {
    return null;
  }
}

function writeSession(value) {
  try {
    if (value) localStorage.setItem(SESSION_KEY, JSON.stringify(value));
    else localStorage.removeItem(SESSION_KEY);
  } catch (_) {
    /* private mode: the session lasts for this page only */
  }
}

const call = apiClient({ token: () => (readSession() || {}).token });
const showError = (text) => say(els.error, text);

/** The link's dates: from today (or a later start) to its end, or two weeks; problems explained.
 * `link` is the frame as the link wrote it: the booking call passes it on and the server enforces it. */
function readRange() {
  const problems = [];
  const link = {};
  let start = today(zone);
  let end = null;
  if (params.has("start")) {
    const parsed = parseDottedDay(params.get("start"));
    if (parsed) {
      start = parsed > start ? parsed : start;
      link.link_start = params.get("start");
    } else problems.push(`The start date "${params.get("start")}" is not a date like 24.11.2026; showing the next two weeks.`);
  }
  if (params.has("end")) {
    const parsed = parseDottedDay(params.get("end"));
    if (parsed) {
      end = parsed;
      link.link_end = params.get("end");
    } else problems.push(`The end date "${params.get("end")}" is not a date like 30.11.2026; showing the next two weeks.`);
  }
  if (end && end < start) {
    problems.push("The end date lies before the start date (or in the past): there is nothing to book in that range.");
    return { start, end: null, fixed: true, empty: true, problems, link };
  }
  return { start, end: end || addDays(start, DEFAULT_DAYS - 1), fixed: Boolean(end), empty: false, problems, link };
}

const range = readRange();
const picker = slotPicker({
  timeZone: zone,
  longDays: true,
  paging: !range.fixed, // a link with an end date offers exactly its days
  days: daysBetween(range.start, range.end || range.start) + 1,
  fetchSlots: async (start, end) => {
    const query = new URLSearchParams({ start, end, duration: els.duration.value, tz: zone });
    return (await call("GET", `/api/agents/${encodeURIComponent(slug)}/slots?${query}`)).slots;
  },
  onChoose: (start) => {
    state.idempotencyKey = null; // one key per chosen slot: a double click or a retry books once
    els.schedule.disabled = !start;
  },
  onError: (error) => showError(error.message),
  strings: { none: "No free times in this range.", zone: "" }, // the zone is named at the top
});
els.slots.replaceChildren(picker.element);

async function ensureSession() {
  const session = readSession();
  if (session && session.token) return true;
  const name = els.name.value.trim();
  if (!name) {
    showError("Please tell us your name.");
    els.name.focus();
    return false;
  }
  if (!els.email.value.trim()) {
    showError("Please give your email address: the invitation is sent there.");
    els.email.focus();
    return false;
  }
  const body = { name, timezone: zone, email: els.email.value.trim(), page_url: location.href }; // where the guest came from
  const created = await call("POST", "/api/guest/sessions", body);
  writeSession({ token: created.token, guest_id: created.guest_id, name: created.name });
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
  const chosen = picker.chosen;
  if (!chosen) return;
  els.schedule.disabled = true;
  try {
    if (!(await ensureSession())) return;
    state.idempotencyKey = state.idempotencyKey || `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const email = els.email.value.trim();
    const { meeting } = await call(
      "POST",
      "/api/guest/meetings",
      { agent: slug, start: chosen, duration: Number(els.duration.value), subject, timezone: zone, ...range.link, ...(email ? { email } : {}) },
      { "Idempotency-Key": state.idempotencyKey },
    );
    els.form.hidden = true;
    showError("");
    say(
      els.confirmed,
      `Booked: ${meeting.subject} with ${meeting.agent_name}, ${formatFull(meeting.start, zone)} (${zone}). ` +
        "You will get an email with the invitation.",
    );
  } catch (error) {
    if (error.status === 401) {
      writeSession(null);
      els.who.hidden = false;
      showError("Your session has expired; please enter your name again.");
    } else if (error.code === "email_required") {
      els.who.hidden = false; // a session without an email (started in the chat): ask for it now
      showError(error.message);
      els.email.focus();
    } else if (isSlotTaken(error)) {
      const alternatives = error.data.alternatives || [];
      const next = alternatives.slice(0, 3).map((iso) => formatFull(iso, zone));
      showError(
        next.length
          ? `That time was just taken. The next free times: ${next.join("; ")}. Please choose one below.`
          : "That time was just taken. Please choose another one.",
      );
      await picker.taken(alternatives);
    } else {
      showError(error.message || "Could not book the meeting.");
    }
  } finally {
    els.schedule.disabled = !picker.chosen;
  }
}

async function start() {
  state.problems = range.problems;
  showError(state.problems.join(" "));
  els.subject.value = params.get("subject") || "";
  els.zone.textContent = `Times are shown in your time zone: ${zone}.`;
  els.who.hidden = Boolean(readSession());
  let agent;
  try {
    agent = await call("GET", `/api/agents/${encodeURIComponent(slug)}/booking`);
  } catch (error) {
    els.form.hidden = true;
    showError(error.status === 404 ? "There is no booking page at this address." : error.message);
    return;
  }
  els.title.textContent = `Book a meeting with ${agent.name}`;
  document.title = `Book a meeting with ${agent.name}`;
  els.duration.replaceChildren(...durationOptions(agent.durations, agent.default_duration));
  const lastDay = lastBookableDay(agent, zone);
  picker.setLastDay(lastDay);
  els.duration.addEventListener("change", () => picker.reload());
  els.form.addEventListener("submit", schedule);
  if (range.empty) picker.empty();
  else if (range.fixed && lastDay && range.end > lastDay) {
    // A frame past the booking horizon is clipped to it: the bookable days, not an empty page.
    if (range.start > lastDay) picker.empty();
    else await picker.open({ from: range.start, days: daysBetween(range.start, lastDay) + 1 });
  } else await picker.open({ from: range.start });
}

start();
