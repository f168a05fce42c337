/* The agent's scheduling settings in a dialog: GET/PUT /api/agent/settings. The server validates;
 * a refused value shows the server's own sentence, so every channel words a rule the same way. */
import { el } from "./lib/dom.js";
import { loadPreferences, preferencesSection, savePreferences } from "./inbox-preferences.js";

const WEEKDAYS = [
  ["mon", "Monday"],
  ["tue", "Tuesday"],
  ["wed", "Wednesday"],
  ["thu", "Thursday"],
  ["fri", "Friday"],
  ["sat", "Saturday"],
  ["sun", "Sunday"],
];
const ctx = { call: null, onSaved: () => {} };
let loaded = null; // the settings as the server last answered: unknown keys ride along unchanged

const input = (testid, attrs) => el("input", { testid, ...(attrs || {}) });
const fields = {
  timezone: input("settings-timezone", { list: "settings-zones", autocomplete: "off" }),
  durations: input("settings-durations", { placeholder: "30, 60" }),
  defaultDuration: el("select", { testid: "settings-default-duration" }),
  bufferBefore: buffers("settings-buffer-before"),
  bufferAfter: buffers("settings-buffer-after"),
  hours: Object.fromEntries(WEEKDAYS.map(([day]) => [day, input(`settings-hours-${day}`, { placeholder: "day off" })])),
  lunch: input("settings-lunch", { placeholder: "no lunch break" }),
  minNotice: input("settings-min-notice", { inputmode: "numeric" }),
  slotStep: input("settings-slot-step", { inputmode: "numeric", placeholder: "the meeting's length" }),
  reminder: input("settings-reminder", { inputmode: "numeric" }),
  bookingCalendar: el("select", { testid: "settings-booking-calendar" }),
};
const errorBox = el("p", { class: "error", testid: "settings-error", role: "alert", hidden: true });
const savedBox = el("p", { class: "notice", testid: "settings-saved", role: "status", hidden: true }, "Saved.");
const links = el("div", { class: "settings-links small muted" });
const notifications = el("div", { class: "settings-notifications" });
const saveButton = el("button", { type: "submit", class: "primary", testid: "settings-save" }, "Save");
const dialog = el(
  "dialog",
  { class: "settings", testid: "settings-dialog", "aria-label": "Scheduling settings" },
  el(
    "form",
    { method: "dialog", onsubmit: save },
    el("h2", {}, "Scheduling settings"),
    el("div", { class: "settings-grid" },
      row("Time zone", fields.timezone),
      row("Meeting lengths (minutes)", fields.durations, "Comma-separated, 15 to 360."),
      row("Default length", fields.defaultDuration),
      row("Break before meetings", fields.bufferBefore),
      row("Break after meetings", fields.bufferAfter),
      row("Bookings go to", fields.bookingCalendar, "One calendar: every booked meeting is written there."),
    ),
    el("h3", {}, "Working hours"),
    el("p", { class: "small muted" }, "Like 09:00-17:00, or 09:00-12:00, 14:00-18:00. Empty: a day off."),
    el("div", { class: "settings-grid" }, ...WEEKDAYS.map(([day, name]) => row(name, fields.hours[day]))),
    el("div", { class: "settings-grid" },
      row("Lunch break", fields.lunch, "Like 13:00-14:00. Empty: none."),
      row("Minimum notice (minutes)", fields.minNotice),
      row("Slot step (minutes)", fields.slotStep, "Empty: starts step by the meeting's length."),
      row("Reminder before meetings (minutes)", fields.reminder),
    ),
    links,
    notifications, // inbox-preferences.js: filled once the API client is known
    errorBox,
    savedBox,
    el("div", { class: "settings-buttons" },
      el("button", { type: "button", testid: "settings-close", onclick: () => dialog.close() }, "Close"),
      saveButton,
    ),
  ),
  el("datalist", { id: "settings-zones" }, ...zones().map((z) => el("option", { value: z }))),
);

function row(text, control, hint) {
  return el("label", { class: "settings-row" }, el("span", {}, text), control, hint ? el("span", { class: "small muted" }, hint) : null);
}

function buffers(testid) {
  return el("select", { testid }, ...[0, 15, 30].map((n) => el("option", { value: String(n) }, n ? `${n} minutes` : "none")));
}

function zones() {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch (_) {
    return [];
  }
}

export function initSettings(options) {
  Object.assign(ctx, options);
  notifications.replaceChildren(preferencesSection(ctx.call));
  document.body.append(dialog);
  fields.durations.addEventListener("input", () => renderDefault(fields.defaultDuration.value));
}

export async function openSettings() {
  errorBox.hidden = true;
  savedBox.hidden = true;
  try {
    fill(await ctx.call("GET", "/api/agent/settings"));
    await Promise.all([fillCalendars(), loadPreferences()]);
  } catch (error) {
    showError(error.message);
  }
  if (!dialog.open) dialog.showModal();
}

/** The agent's time zone, for rendering times before the dialog was ever opened. */
export async function loadSettings() {
  const answer = await ctx.call("GET", "/api/agent/settings");
  loaded = answer.settings;
  return answer.settings;
}

function fill(answer) {
  const s = answer.settings;
  loaded = s;
  fields.timezone.value = s.timezone;
  fields.durations.value = s.durations.join(", ");
  renderDefault(String(s.default_duration));
  fields.bufferBefore.value = String(s.buffer_before);
  fields.bufferAfter.value = String(s.buffer_after);
  for (const [day] of WEEKDAYS) fields.hours[day].value = (s.working_hours[day] || []).map((pair) => pair.join("-")).join(", ");
  fields.lunch.value = s.lunch_break ? s.lunch_break.join("-") : "";
  fields.minNotice.value = String(s.min_notice);
  fields.slotStep.value = s.slot_step === null || s.slot_step === undefined ? "" : String(s.slot_step);
  fields.reminder.value = String(s.reminder_minutes);
  links.replaceChildren(...[
    answer.sources ? el("div", { testid: "settings-sources" }, sourcesText(answer.sources)) : null,
    answer.chat_url ? el("div", {}, "Your chat link: ", el("a", { href: answer.chat_url, target: "_blank", rel: "noopener", testid: "settings-chat-url" }, answer.chat_url)) : null,
    answer.booking_url ? el("div", {}, "Your booking page: ", el("a", { href: answer.booking_url, target: "_blank", rel: "noopener", testid: "settings-booking-url" }, answer.booking_url)) : null,
    answer.calendar_feed_url ? el("div", {}, "Calendar feed (.ics): ", el("code", {}, answer.calendar_feed_url)) : null,
  ].filter(Boolean));
}

/** The single booking calendar: the agent's calendars when the provider answers, else the current one. */
async function fillCalendars() {
  const current = (loaded.booking_calendars || ["primary"])[0];
  let options = [{ id: current, name: current === "primary" ? "Main calendar" : current }];
  try {
    const { calendars } = await ctx.call("GET", "/api/agent/calendars");
    const writable = calendars.filter((c) => c.writable);
    if (writable.length) options = writable.map((c) => ({ id: c.primary && current === "primary" ? "primary" : c.id, name: c.name }));
  } catch (_) {
    /* the calendar is unreachable now: keep the current choice */
  }
  fields.bookingCalendar.replaceChildren(...options.map((c) => el("option", { value: c.id, selected: c.id === current }, c.name)));
}

/** Where the time zone and working hours come from: Outlook follows on every sync until changed here. */
function sourcesText(sources) {
  const from = (key) => (sources[key] === "outlook" ? "from Outlook (updated on every sync)" : "set in Convene");
  return `Time zone: ${from("timezone")}. Working hours: ${from("working_hours")}.`;
}

function renderDefault(selected) {
  const lengths = parseList(fields.durations.value).filter((n) => typeof n === "number");
  const keep = lengths.includes(Number(selected)) ? Number(selected) : lengths[0];
  fields.defaultDuration.replaceChildren(...lengths.map((n) => el("option", { value: String(n), selected: n === keep }, `${n} minutes`)));
}

// Whatever cannot be read as a number or a time range goes to the server as typed: its refusal
// names the field and the rule, in the same words Slack and Teams show.
const number = (text) => (/^\s*\d+\s*$/.test(text) ? Number(text) : text.trim());
const parseList = (text) => text.split(/[,\s]+/).filter(Boolean).map(number);

function parseRanges(text) {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const pair = part.split(/\s*[-–]\s*/);
      return pair.length === 2 ? pair : [part];
    });
}

function collect() {
  const settings = { ...(loaded || {}) };
  settings.timezone = fields.timezone.value.trim();
  settings.durations = parseList(fields.durations.value);
  if (fields.defaultDuration.value) settings.default_duration = Number(fields.defaultDuration.value);
  else delete settings.default_duration;
  settings.buffer_before = Number(fields.bufferBefore.value);
  settings.buffer_after = Number(fields.bufferAfter.value);
  settings.working_hours = {};
  for (const [day] of WEEKDAYS) {
    const ranges = parseRanges(fields.hours[day].value);
    if (ranges.length) settings.working_hours[day] = ranges;
  }
  const lunch = parseRanges(fields.lunch.value);
  settings.lunch_break = lunch.length ? (lunch.length === 1 ? lunch[0] : fields.lunch.value.trim()) : null;
  settings.min_notice = number(fields.minNotice.value || "0");
  settings.slot_step = fields.slotStep.value.trim() ? number(fields.slotStep.value) : null;
  settings.reminder_minutes = number(fields.reminder.value || "0");
  if (fields.bookingCalendar.value) {
    delete settings.booking_calendars; // one calendar: the engine stores it as the list's first
    settings.booking_calendar = fields.bookingCalendar.value;
  }
  return settings;
}

async function save(event) {
  event.preventDefault();
  errorBox.hidden = true;
  savedBox.hidden = true;
  saveButton.disabled = true;
  try {
    const answer = await ctx.call("PUT", "/api/agent/settings", { settings: collect() });
    fill(answer);
    await savePreferences();
    savedBox.hidden = false;
    ctx.onSaved(answer.settings);
  } catch (error) {
    showError(error.message);
  } finally {
    saveButton.disabled = false;
  }
}

function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = false;
}
