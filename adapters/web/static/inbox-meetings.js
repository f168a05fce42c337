/* The inbox's meetings: the open conversation's upcoming meetings in the thread header, with
 * Reschedule, Change duration and Cancel, and "Schedule meeting" for the conversation's guest.
 * Times are shown in the agent's own scheduling time zone (their settings), not the browser's; the
 * row and the slot picker are the shared ones (lib/meetings.js, lib/slots.js).
 */
import { seg, uuid } from "./lib/api.js";
import { calendarIcon, el, say } from "./lib/dom.js";
import { durationOptions, isMeetingFrame, lengthsWith, meetingList } from "./lib/meetings.js";
import { isSlotTaken, slotPicker } from "./lib/slots.js";
import { formatSpan, formatTime, lastBookableDay, viewerZone } from "./lib/time.js";

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

const ctx = {
  call: null, // (method, path, body, headers) → data
  me: null, // {slug, name}
  openId: () => null,
  zone: viewerZone(),
};
const state = {
  mode: null, // {kind: "schedule"} | {kind: "reschedule", meeting}
  loadVersion: 0,
  refreshTimer: null,
};
const infoCache = new Map();

function agentInfo(slug) {
  if (!infoCache.has(slug)) {
    const pending = ctx.call("GET", `/api/agents/${seg(slug)}/booking`);
    infoCache.set(slug, pending);
    pending.catch(() => infoCache.delete(slug));
  }
  return infoCache.get(slug);
}

const meetingPath = (m) => `/api/agent/meetings/${seg(m.id)}`;
const pickerAgent = () => (state.mode.kind === "reschedule" ? state.mode.meeting.agent : ctx.me.slug);

/** "Mon 30 Nov, 10:00–10:30 (Europe/Berlin) · 04:00 for the guest (America/New_York) · with Alice" */
function describe(m) {
  let guest = "";
  if (m.guest_timezone && m.guest_timezone !== ctx.zone) {
    try {
      guest = ` · ${formatTime(m.start, m.guest_timezone)} for the guest (${m.guest_timezone})`;
    } catch (_) {
      guest = ""; // a zone this browser does not know
    }
  }
  return `${formatSpan(m.start, m.end, ctx.zone)} (${ctx.zone})${guest} · with ${m.agent_name}`;
}

// ---- the section in the thread header ----------------------------------------------------------

const errorBox = el("p", { class: "error", testid: "agent-meeting-error", role: "alert", hidden: true });
const showError = (text) => say(errorBox, text);
const list = meetingList({
  prefix: "agent-meeting",
  itemTestid: "agent-meeting",
  describe,
  lengths: (m) => agentInfo(m.agent).then((info) => info.durations),
  reschedule: (m) => openPicker({ kind: "reschedule", meeting: m }),
  changeDuration: (m, duration) => change(() => ctx.call("PATCH", meetingPath(m), { duration })),
  cancel: (m) => change(() => ctx.call("DELETE", meetingPath(m))),
  onError: (error) => showError(error.message),
  strings: { cancelQuestion: "Cancel this meeting? Both of you get an email.", cancelYes: "Yes, cancel the meeting" },
});
const scheduleButton = el("button", { type: "button", testid: "agent-schedule", onclick: () => openPicker({ kind: "schedule" }) }, calendarIcon(), "Schedule meeting");

const pickerTitle = el("h3", { testid: "agent-booking-title" });
const subjectInput = el("input", { testid: "agent-booking-subject", maxlength: "300", placeholder: "Subject" });
const subjectField = el("label", {}, "Subject ", subjectInput);
const durationSelect = el("select", { testid: "agent-booking-duration", onchange: () => picker.reload() });
const submitButton = el("button", { type: "submit", class: "primary", testid: "agent-booking-submit", disabled: true }, "Schedule");
const picker = slotPicker({
  timeZone: ctx.zone,
  fetchSlots: async (start, end) => {
    const query = new URLSearchParams({ start, end, duration: durationSelect.value, tz: ctx.zone });
    return (await ctx.call("GET", `/api/agents/${seg(pickerAgent())}/slots?${query}`)).slots;
  },
  onChoose: (start) => (submitButton.disabled = !start),
  onError: (error) => showError(error.message),
  testids: { slot: "agent-slot", prev: "agent-booking-prev", next: "agent-booking-next", range: "agent-booking-range", days: "agent-booking-slots", alternatives: "agent-booking-alternatives", none: "agent-booking-no-slots" },
});
const scheduler = el(
  "form",
  { class: "scheduler", testid: "agent-slot-picker", hidden: true, onsubmit: submit },
  el("div", { class: "picker-head" }, pickerTitle, el("button", { type: "button", class: "link", testid: "agent-booking-close", onclick: closePicker }, "Close")),
  el("div", { class: "picker-fields" }, subjectField, el("label", {}, "Duration ", durationSelect)),
  picker.element,
  el("div", {}, submitButton),
);

/** Builds the section into its placeholder; call once the agent is known. */
export function initMeetings(options) {
  Object.assign(ctx, options);
  picker.setZone(ctx.zone);
  $("agent-meetings").replaceChildren(
    el("div", { class: "meetings-bar" }, el("span", { class: "muted" }, "Upcoming meetings"), scheduleButton),
    list.element,
    errorBox,
    scheduler,
  );
}

/** The agent saved new settings: a new zone changes every rendered time. */
export function setZone(zone) {
  if (!zone || zone === ctx.zone) return;
  ctx.zone = zone;
  infoCache.clear();
  list.render();
  if (state.mode) picker.setZone(zone);
}

export function resetMeetings() {
  list.clear();
  closePicker();
  showError("");
}

export async function loadMeetings(conversationId) {
  const version = ++state.loadVersion;
  try {
    const query = new URLSearchParams({ conversation_id: conversationId });
    const { meetings } = await ctx.call("GET", `/api/agent/meetings?${query}`);
    if (version !== state.loadVersion || conversationId !== ctx.openId()) return;
    // The filter is the server's; checked again so an older server never shows another thread's.
    list.render(meetings.filter((m) => m.conversation_id === conversationId));
  } catch (_) {
    /* offline: the reconnect's catch-up loads again */
  }
}

/** Live: a meeting of the open conversation changed somewhere (widget, Slack, another agent). */
export function onMeetingFrame(frame) {
  if (!isMeetingFrame(frame) || frame.conversation_id !== ctx.openId()) return;
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => loadMeetings(ctx.openId()), 100);
}

async function change(request) {
  showError("");
  await request();
  await loadMeetings(ctx.openId());
}

// ---- the slot picker (schedule and reschedule) -------------------------------------------------

async function openPicker(mode) {
  state.mode = mode;
  const meeting = mode.kind === "reschedule" ? mode.meeting : null;
  pickerTitle.textContent = meeting ? `Reschedule: ${meeting.subject}` : "Schedule a meeting with the guest";
  submitButton.textContent = meeting ? "Move meeting" : "Schedule";
  submitButton.disabled = true;
  subjectField.hidden = Boolean(meeting);
  scheduler.hidden = false;
  showError("");
  durationSelect.replaceChildren();
  picker.hideAlternatives();
  picker.loading();
  if (!meeting) subjectInput.focus(); // now: once the slots arrive, the agent may be typing elsewhere
  let info;
  try {
    info = await agentInfo(pickerAgent());
  } catch (error) {
    showError(error.message);
    return;
  }
  const chosen = meeting ? meeting.duration : info.default_duration;
  durationSelect.replaceChildren(...durationOptions(lengthsWith(info.durations, chosen), chosen));
  picker.setLastDay(lastBookableDay(info, ctx.zone));
  await picker.open();
}

function closePicker() {
  state.mode = null;
  scheduler.hidden = true;
}

async function submit(event) {
  event.preventDefault();
  const mode = state.mode;
  const chosen = picker.chosen;
  if (!mode || !chosen) return;
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
      const body = { conversation_id: ctx.openId(), start: chosen, duration, subject };
      await ctx.call("POST", "/api/agent/meetings", body, { "Idempotency-Key": uuid() });
      subjectInput.value = "";
    } else {
      const body = { start: chosen };
      if (duration !== mode.meeting.duration) body.duration = duration;
      await ctx.call("PATCH", meetingPath(mode.meeting), body);
    }
    closePicker();
    await loadMeetings(ctx.openId());
  } catch (error) {
    showError(error.message);
    if (isSlotTaken(error)) picker.taken(error.data.alternatives);
  } finally {
    submitButton.disabled = !picker.chosen;
  }
}
