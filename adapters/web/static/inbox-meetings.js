/* The inbox's meetings: the open conversation's upcoming meetings in the thread header, with
 * Reschedule, Change duration and Cancel, and "Schedule meeting" for the conversation's guest.
 * Times are shown in the agent's own scheduling time zone (their settings), not the browser's. */
import { el, uuid } from "./inbox-net.js";

const MEETING_EVENTS = new Set(["MeetingBooked", "MeetingRescheduled", "MeetingDurationChanged", "MeetingCancelled", "ReminderDue"]);
const DAYS = 7;
const HORIZON_DAYS = 31;
const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

const ctx = {
  call: null, // (method, path, body, headers) → data
  me: null, // {slug, name}
  openId: () => null,
  zone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
};
const state = {
  meetings: [],
  editing: null, // {id, kind: "duration" | "cancel"}
  picker: null, // {kind: "schedule"} | {kind: "reschedule", meeting}
  from: null,
  chosen: null,
  version: 0,
  loadVersion: 0,
  refreshTimer: null,
};
const infoCache = new Map();
let formats = null;

// ---- time ----------------------------------------------------------------------------------------

function makeFormats(zone) {
  return {
    day: new Intl.DateTimeFormat(undefined, { timeZone: zone, weekday: "short", day: "numeric", month: "short" }),
    time: new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: "2-digit", minute: "2-digit" }),
    ymd: new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }),
    label: new Intl.DateTimeFormat(undefined, { timeZone: "UTC", weekday: "short", day: "numeric", month: "short" }),
  };
}

function addDays(day, n) {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
const today = () => formats.ymd.format(new Date());
const label = (day) => formats.label.format(new Date(`${day}T12:00:00Z`));
const when = (m) => `${formats.day.format(new Date(m.start))}, ${formats.time.format(new Date(m.start))}–${formats.time.format(new Date(m.end))}`;

function guestTime(m) {
  if (!m.guest_timezone || m.guest_timezone === ctx.zone) return "";
  try {
    const time = new Intl.DateTimeFormat(undefined, { timeZone: m.guest_timezone, hour: "2-digit", minute: "2-digit" });
    return ` · ${time.format(new Date(m.start))} for the guest (${m.guest_timezone})`;
  } catch (_) {
    return "";
  }
}

const minutes = (n) => (n % 60 === 0 && n >= 60 ? `${n / 60} h` : `${n} min`);
const options = (durations, selected) => durations.map((n) => el("option", { value: String(n), selected: n === selected }, minutes(n)));

function agentInfo(slug) {
  if (!infoCache.has(slug)) {
    const pending = ctx.call("GET", `/api/agents/${encodeURIComponent(slug)}/booking`);
    infoCache.set(slug, pending);
    pending.catch(() => infoCache.delete(slug));
  }
  return infoCache.get(slug);
}

// ---- the section in the thread header --------------------------------------------------------------

const list = el("ul", { class: "meeting-list", testid: "agent-meeting-list" });
const errorBox = el("p", { class: "error", testid: "agent-meeting-error", role: "alert", hidden: true });
const scheduleButton = el("button", { type: "button", testid: "agent-schedule", onclick: () => openPicker({ kind: "schedule" }) }, calendarIcon(), "Schedule meeting");

const pickerTitle = el("h3", { testid: "agent-booking-title" });
const subjectInput = el("input", { testid: "agent-booking-subject", maxlength: "300", placeholder: "Subject" });
const subjectField = el("label", {}, "Subject ", subjectInput);
const durationSelect = el("select", { testid: "agent-booking-duration", onchange: () => loadSlots() });
const prevButton = el("button", { type: "button", testid: "agent-booking-prev", "aria-label": "Earlier days", onclick: () => page(-1) }, "‹");
const nextButton = el("button", { type: "button", testid: "agent-booking-next", "aria-label": "Later days", onclick: () => page(1) }, "›");
const rangeLabel = el("strong", { testid: "agent-booking-range" });
const zoneNote = el("span", { class: "muted small" });
const alternatives = el("div", { class: "alternatives", testid: "agent-booking-alternatives", hidden: true });
const slotsBox = el("div", { class: "slot-days", testid: "agent-booking-slots" });
const submitButton = el("button", { type: "submit", class: "primary", testid: "agent-booking-submit", disabled: true }, "Schedule");
const picker = el(
  "form",
  { class: "slot-picker", testid: "agent-slot-picker", hidden: true, onsubmit: submit },
  el("div", { class: "picker-head" }, pickerTitle, el("button", { type: "button", class: "link", testid: "agent-booking-close", onclick: closePicker }, "Close")),
  el("div", { class: "picker-fields" }, subjectField, el("label", {}, "Duration ", durationSelect), prevButton, rangeLabel, nextButton, zoneNote),
  alternatives,
  slotsBox,
  el("div", {}, submitButton),
);

/** Builds the section into its placeholder; call once the agent is known. */
export function initMeetings(options) {
  Object.assign(ctx, options);
  formats = makeFormats(ctx.zone);
  $("agent-meetings").replaceChildren(
    el("div", { class: "meetings-bar" }, el("span", { class: "muted" }, "Upcoming meetings"), scheduleButton),
    list,
    errorBox,
    picker,
  );
}

/** The agent saved new settings: a new zone changes every rendered time. */
export function setZone(zone) {
  if (!zone || zone === ctx.zone) return;
  ctx.zone = zone;
  formats = makeFormats(zone);
  infoCache.clear();
  renderList();
  if (state.picker) loadSlots();
}

export function resetMeetings() {
  state.meetings = [];
  state.editing = null;
  closePicker();
  showError("");
  renderList();
}

export async function loadMeetings(conversationId) {
  const version = ++state.loadVersion;
  try {
    const query = new URLSearchParams({ conversation_id: conversationId });
    const { meetings } = await ctx.call("GET", `/api/agent/meetings?${query}`);
    if (version !== state.loadVersion || conversationId !== ctx.openId()) return;
    // The filter is the server's; checked again so an older server never shows another thread's.
    state.meetings = meetings.filter((m) => m.conversation_id === conversationId);
    renderList();
  } catch (_) {
    /* offline: the reconnect's catch-up loads again */
  }
}

/** Live: a meeting of the open conversation changed somewhere (widget, Slack, another agent). */
export function onMeetingFrame(frame) {
  if (frame.type !== "event" || !MEETING_EVENTS.has(frame.event) || frame.conversation_id !== ctx.openId()) return;
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => loadMeetings(ctx.openId()), 100);
}

function showError(text) {
  errorBox.textContent = text || "";
  errorBox.hidden = !text;
}

function renderList() {
  if (state.editing && !state.meetings.some((m) => m.id === state.editing.id)) state.editing = null;
  list.replaceChildren(...state.meetings.map(item));
  list.hidden = state.meetings.length === 0;
}

function item(m) {
  const editing = state.editing && state.editing.id === m.id ? state.editing.kind : null;
  const toggle = (kind) => {
    state.editing = editing === kind ? null : { id: m.id, kind };
    renderList();
  };
  return el(
    "li",
    { class: "agent-meeting", testid: "agent-meeting", "data-meeting-id": m.id },
    calendarIcon(),
    el(
      "div",
      { class: "meeting-body" },
      el("strong", { testid: "agent-meeting-subject" }, m.subject),
      el("span", { class: "muted", testid: "agent-meeting-when" }, ` ${when(m)} (${ctx.zone})${guestTime(m)} · with ${m.agent_name}`),
      el(
        "div",
        { class: "meeting-buttons" },
        el("button", { type: "button", testid: "agent-meeting-reschedule", onclick: () => openPicker({ kind: "reschedule", meeting: m }) }, "Reschedule"),
        el("button", { type: "button", testid: "agent-meeting-duration", onclick: () => toggle("duration") }, "Change duration"),
        el("button", { type: "button", class: "danger", testid: "agent-meeting-cancel", onclick: () => toggle("cancel") }, "Cancel"),
      ),
      editing === "duration" ? durationEditor(m) : null,
      editing === "cancel" ? cancelConfirm(m) : null,
    ),
  );
}

function durationEditor(m) {
  // Live updates redraw the list: the editor keeps the length picked so far.
  const picked = () => state.editing.value || m.duration;
  const select = el("select", { testid: "agent-meeting-duration-select", onchange: () => (state.editing.value = Number(select.value)) });
  select.replaceChildren(...options([...new Set([m.duration, picked()])], picked()));
  agentInfo(m.agent)
    .then((info) => select.replaceChildren(...options([...new Set([...info.durations, m.duration])].sort((a, b) => a - b), picked())))
    .catch(() => {});
  const save = el("button", { type: "button", class: "primary", testid: "agent-meeting-duration-save" }, "Save");
  save.addEventListener("click", () => change(save, () => ctx.call("PATCH", meetingPath(m), { duration: Number(select.value) })));
  return el("div", { class: "inline-editor" }, el("label", {}, "New length ", select), save);
}

function cancelConfirm(m) {
  const yes = el("button", { type: "button", class: "primary danger", testid: "agent-meeting-cancel-confirm" }, "Yes, cancel the meeting");
  yes.addEventListener("click", () => change(yes, () => ctx.call("DELETE", meetingPath(m))));
  const keep = el("button", { type: "button", testid: "agent-meeting-cancel-keep", onclick: () => ((state.editing = null), renderList()) }, "Keep it");
  return el("div", { class: "inline-editor" }, el("span", {}, "Cancel this meeting? Both of you get an email."), yes, keep);
}

const meetingPath = (m) => `/api/agent/meetings/${encodeURIComponent(m.id)}`;

async function change(button, request) {
  button.disabled = true;
  showError("");
  try {
    await request();
    state.editing = null;
    await loadMeetings(ctx.openId());
  } catch (error) {
    button.disabled = false;
    showError(error.message);
  }
}

// ---- the slot picker (schedule and reschedule) ------------------------------------------------------

async function openPicker(mode) {
  state.picker = mode;
  const meeting = mode.kind === "reschedule" ? mode.meeting : null;
  pickerTitle.textContent = meeting ? `Reschedule: ${meeting.subject}` : "Schedule a meeting with the guest";
  submitButton.textContent = meeting ? "Move meeting" : "Schedule";
  subjectField.hidden = Boolean(meeting);
  zoneNote.textContent = `Times in your time zone (${ctx.zone})`;
  alternatives.hidden = true;
  picker.hidden = false;
  showError("");
  state.from = today();
  durationSelect.replaceChildren();
  slotsBox.replaceChildren(el("p", { class: "muted" }, "Loading…"));
  if (!meeting) subjectInput.focus(); // now: once the slots arrive, the agent may be typing elsewhere
  try {
    const info = await agentInfo(meeting ? meeting.agent : ctx.me.slug);
    const chosen = meeting ? meeting.duration : info.default_duration;
    durationSelect.replaceChildren(...options([...new Set([...info.durations, chosen])].sort((a, b) => a - b), chosen));
  } catch (error) {
    showError(error.message);
    return;
  }
  await loadSlots();
}

function closePicker() {
  state.picker = null;
  picker.hidden = true;
}

function page(direction) {
  state.from = addDays(state.from, direction * DAYS);
  if (state.from < today()) state.from = today();
  loadSlots();
}

async function loadSlots() {
  const mode = state.picker;
  if (!mode || !durationSelect.value) return;
  const version = ++state.version;
  const end = addDays(state.from, DAYS - 1);
  rangeLabel.textContent = `${label(state.from)} – ${label(end)}`;
  prevButton.disabled = state.from <= today();
  nextButton.disabled = addDays(state.from, DAYS) > addDays(today(), HORIZON_DAYS);
  state.chosen = null;
  submitButton.disabled = true;
  const slug = mode.kind === "reschedule" ? mode.meeting.agent : ctx.me.slug;
  const query = new URLSearchParams({ start: state.from, end, duration: durationSelect.value, tz: ctx.zone });
  try {
    const { slots } = await ctx.call("GET", `/api/agents/${encodeURIComponent(slug)}/slots?${query}`);
    if (version !== state.version) return;
    renderSlots(slots.map((s) => s.start));
  } catch (error) {
    if (version !== state.version) return;
    slotsBox.replaceChildren();
    showError(error.message);
  }
}

function slotButton(start) {
  return el(
    "button",
    { type: "button", class: "slot", testid: "agent-slot", "data-start": start, "aria-pressed": "false", onclick: (e) => choose(e.currentTarget) },
    formats.time.format(new Date(start)),
  );
}

function renderSlots(starts) {
  if (!starts.length) {
    slotsBox.replaceChildren(el("p", { class: "muted" }, "No free times on these days."));
    return;
  }
  const days = new Map();
  for (const start of starts) {
    const key = formats.ymd.format(new Date(start));
    if (!days.has(key)) days.set(key, []);
    days.get(key).push(start);
  }
  slotsBox.replaceChildren(
    ...[...days.values()].map((day) => el("div", { class: "slot-day" }, el("span", { class: "day-name" }, formats.day.format(new Date(day[0]))), ...day.map(slotButton))),
  );
}

function choose(button) {
  picker.querySelectorAll('[data-testid="agent-slot"]').forEach((b) => b.setAttribute("aria-pressed", "false"));
  button.setAttribute("aria-pressed", "true");
  state.chosen = button.dataset.start;
  submitButton.disabled = false;
}

async function submit(event) {
  event.preventDefault();
  const mode = state.picker;
  if (!mode || !state.chosen) return;
  const duration = Number(durationSelect.value);
  const subject = subjectInput.value.trim();
  if (mode.kind === "schedule" && !subject) {
    showError("Please enter a subject.");
    subjectInput.focus();
    return;
  }
  submitButton.disabled = true;
  showError("");
  try {
    if (mode.kind === "schedule") {
      const body = { conversation_id: ctx.openId(), start: state.chosen, duration, subject };
      await ctx.call("POST", "/api/agent/meetings", body, { "Idempotency-Key": uuid() });
      subjectInput.value = "";
    } else {
      const body = { start: state.chosen };
      if (duration !== mode.meeting.duration) body.duration = duration;
      await ctx.call("PATCH", meetingPath(mode.meeting), body);
    }
    closePicker();
    await loadMeetings(ctx.openId());
  } catch (error) {
    showError(error.message);
    if (error.code === "slot_taken") {
      const starts = (error.data && error.data.alternatives) || [];
      alternatives.replaceChildren(el("span", { class: "day-name" }, "Next free times"), ...starts.map(slotButton));
      alternatives.hidden = starts.length === 0;
      loadSlots();
    }
  } finally {
    submitButton.disabled = !state.chosen;
  }
}

function calendarIcon() {
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  const path = document.createElementNS(NS, "path");
  path.setAttribute("d", "M7 2h2v2h6V2h2v2h2a2 2 0 0 1 2 2v13a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2h2V2zM5 9v10h14V9H5zm2 2h4v4H7v-4z");
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}
