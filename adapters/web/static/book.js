/* The agent's personal booking page, /book/{agent}?start=dd.mm.yyyy&end=dd.mm.yyyy&subject=…, and the
 * guest's manage link, /booked/{token} (the same page showing the booked meeting).
 *
 * Layout people know from booking sites: the host card (picture, name, lengths, how they meet, the
 * time zone), a month calendar with the days that have free times, the chosen day's times beside it,
 * and the confirm step as soon as a time is chosen. How far ahead one may book comes from the agent's
 * booking info; the link's dates narrow it. After booking the address becomes the manage link, so a
 * reload (or the link in the mail) shows the confirmation, with reschedule and cancel, without a
 * session. The page shares the widget's guest session on this host, so a guest who booked here finds
 * the meeting in the widget. Texts come from the i18n catalogues; user data is only ever set as text.
 */
import { apiClient, seg, uuid } from "./lib/api.js";
import { el, fill, say } from "./lib/dom.js";
import { pickLanguage, translator } from "./lib/i18n.js";
import { durationOptions } from "./lib/meetings.js";
import { monthPicker } from "./lib/month-picker.js";
import { isSlotTaken, takenAlternatives } from "./lib/slots.js";
import { addDays, formatDay, formatFull, formatTime, lastBookableDay, parseDottedDay, today } from "./lib/time.js";
import { rememberedZone, zonePicker } from "./lib/zone-picker.js";
import { hostPicture, showBooked } from "./book-done.js";

const SESSION_KEY = `convene:${location.origin}:session`; // the widget's key: one guest session per host
const [, root, key] = location.pathname.split("/").map(decodeURIComponent);
const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const els = {
  main: $("main"), error: $("error"), booking: $("booking"), avatar: $("avatar"), hostName: $("host-name"), title: $("title"),
  moving: $("moving"), duration: $("duration"), zone: $("zone"), slots: $("slots"), step: $("confirm-step"), stepTitle: $("confirm-title"),
  chosen: $("chosen"), alternatives: $("alternatives"), form: $("form"), who: $("who"), about: $("about"), name: $("name"),
  email: $("email"), subject: $("subject"), note: $("note"), schedule: $("schedule"), done: $("done"),
};
const state = { idempotencyKey: null, problems: [], agent: null, moving: null, picker: null, zone: rememberedZone() };

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

/** The language: ?lang=, else the browser's (the page's own lang="en" is only the fallback). */
const lang = pickLanguage({ documentElement: { lang: params.get("lang") || "" } }, navigator);
const t = await translator(lang);
const locale = (navigator.languages || [navigator.language]).find((tag) => tag && tag.toLowerCase().startsWith(lang)) || lang;
document.documentElement.lang = lang;
for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);

/** Errors show where the guest is looking: above the confirm step once it is open, else on top. */
function showError(text) {
  const home = !els.step.hidden ? els.step : els.main;
  if (els.error.parentNode !== home) home.insertBefore(els.error, home.firstChild);
  say(els.error, text);
}

/** The link's dates: from today (or a later start) to its end; problems explained. `link` is the
 * frame as the link wrote it: the booking call passes it on and the server enforces it. */
function readRange(zone) {
  const problems = [];
  const link = {};
  let start = today(zone);
  let end = null;
  if (params.has("start")) {
    const parsed = parseDottedDay(params.get("start"));
    if (parsed) {
      start = parsed > start ? parsed : start;
      link.link_start = params.get("start");
    } else problems.push(t("booking.badStart", { value: params.get("start") }));
  }
  if (params.has("end")) {
    const parsed = parseDottedDay(params.get("end"));
    if (parsed) {
      end = parsed;
      link.link_end = params.get("end");
    } else problems.push(t("booking.badEnd", { value: params.get("end") }));
  }
  if (end && end < start) {
    problems.push(t("booking.endBeforeStart"));
    return { start, end: null, empty: true, problems, link };
  }
  return { start, end, empty: false, problems, link };
}

function hostCard(agent) {
  fill(els.avatar, hostPicture(agent.name, agent.avatar_url));
  els.hostName.textContent = agent.name;
  els.title.textContent = state.moving ? t("manage.rescheduleTitle", { subject: state.moving.meeting.subject }) : t("booking.titleWith", { name: agent.name });
  document.title = els.title.textContent;
}

function chosenText(start) {
  if (!start) return t("booking.chooseTime");
  const minutes = Number(els.duration.value);
  const end = new Date(new Date(start).getTime() + minutes * 60000);
  return t("booking.chosen", { when: formatFull(start, state.zone, locale), end: formatTime(end, state.zone, locale), zone: state.zone });
}

function onChoose(start) {
  state.idempotencyKey = null; // one key per chosen slot: a double click or a retry books once
  els.schedule.disabled = !start;
  els.chosen.textContent = chosenText(start);
  if (!start) return;
  const opening = els.step.hidden;
  els.step.hidden = false;
  if (opening) showError(state.problems.join(" "));
  els.step.scrollIntoView({ block: "nearest", behavior: "smooth" });
  // Straight to the first thing to type; someone known (or moving a meeting) goes to Confirm.
  const first = [els.name, els.email, els.subject].find((input) => !input.closest("[hidden]") && !input.value.trim());
  (first || els.schedule).focus({ preventScroll: true });
}

async function openBooking(agent, range) {
  hostCard(agent);
  const durations = state.moving ? [state.moving.meeting.duration] : agent.durations;
  const chosenLength = state.moving ? state.moving.meeting.duration : agent.default_duration;
  els.duration.replaceChildren(...durationOptions(durations, chosenLength, locale));
  els.duration.disabled = Boolean(state.moving);
  const zones = zonePicker({ t, zone: state.zone, onChange: (zone) => {
    state.zone = zone;
    els.chosen.textContent = chosenText(state.picker.chosen);
    state.picker.setZone(zone);
  } });
  els.zone.replaceChildren(zones.element);
  state.picker = monthPicker({
    t,
    timeZone: state.zone,
    locale,
    fetchSlots: async (start, end) => {
      const query = new URLSearchParams({ start, end, duration: els.duration.value, tz: state.zone });
      return (await call("GET", `/api/agents/${seg(agent.agent)}/slots?${query}`)).slots;
    },
    onChoose,
    onError: (error) => showError(error.message),
  });
  els.slots.replaceChildren(state.picker.element);
  els.duration.addEventListener("change", () => state.picker.reload());
  els.booking.hidden = false;
  // The link's end and the engine's horizon, whichever comes first; a frame past it is clipped.
  const lastDay = lastBookableDay(agent, state.zone);
  let last = range.end && (!lastDay || range.end < lastDay) ? range.end : lastDay;
  if (range.empty) last = addDays(range.start, -1); // nothing to book in that range
  await state.picker.open({ from: range.start, first: range.start, last });
}

async function ensureSession() {
  const session = readSession();
  if (session && session.token) return true;
  const name = els.name.value.trim();
  if (!name) {
    showError(t("booking.needName"));
    els.name.focus();
    return false;
  }
  if (!els.email.value.trim()) {
    showError(t("booking.needEmail"));
    els.email.focus();
    return false;
  }
  const body = { name, timezone: state.zone, email: els.email.value.trim(), page_url: location.href }; // where the guest came from
  const created = await call("POST", "/api/guest/sessions", body);
  writeSession({ token: created.token, guest_id: created.guest_id, name: created.name });
  return true;
}

/** The guest's note reaches the host as the guest's first words in the meeting's conversation. */
async function sendNote(meeting) {
  const text = els.note.value.trim();
  if (!text) return true;
  try {
    await call("POST", `/api/guest/conversations/${seg(meeting.conversation_id)}/messages`, { text, client_id: uuid() });
    return true;
  } catch (_) {
    return false;
  }
}

function offerAlternatives(error) {
  const next = takenAlternatives(error, 6);
  const when = (iso) => `${formatDay(iso, state.zone, locale)}, ${formatTime(iso, state.zone, locale)}`;
  showError(next.length ? t("booking.takenNext", { times: next.slice(0, 3).map(when).join("; ") }) : t("booking.taken"));
  fill(
    els.alternatives,
    el("p", { class: "alternatives-title" }, t("booking.nextFree")),
    el("ul", { class: "time-list" }, next.map((iso) => el("li", {}, el("button", {
      type: "button", class: "slot", testid: "slot-alternative", "data-start": iso, "aria-label": formatFull(iso, state.zone, locale),
      onclick: () => {
        els.alternatives.hidden = true;
        showError("");
        state.picker.select(iso);
      },
    }, when(iso))))),
  );
  els.alternatives.hidden = next.length === 0;
  state.picker.reload();
  const firstOffer = els.alternatives.querySelector("button");
  if (firstOffer) firstOffer.focus();
}

async function book(chosen, range) {
  const subject = els.subject.value.trim();
  if (!subject) {
    showError(t("booking.needSubject"));
    els.subject.focus();
    return;
  }
  if (!(await ensureSession())) return;
  state.idempotencyKey = state.idempotencyKey || uuid();
  const email = els.email.value.trim();
  const body = { agent: state.agent.agent, start: chosen, duration: Number(els.duration.value), subject, timezone: state.zone, ...range.link, ...(email ? { email } : {}) };
  const booked = await call("POST", "/api/guest/meetings", body, { "Idempotency-Key": state.idempotencyKey });
  const noted = await sendNote(booked.meeting);
  history.pushState(null, "", new URL(booked.manage_url).pathname);
  await confirmation(booked.manage_token, { noteFailed: !noted });
}

async function move(chosen) {
  const token = state.moving.token;
  await call("POST", `/api/manage/${seg(token)}/reschedule`, { start: chosen });
  await confirmation(token, { moved: true });
}

async function submit(event, range) {
  event.preventDefault();
  showError("");
  const chosen = state.picker.chosen;
  if (!chosen) return;
  els.schedule.disabled = true;
  try {
    if (state.moving) await move(chosen);
    else await book(chosen, range);
  } catch (error) {
    if (error.status === 401) {
      writeSession(null);
      els.who.hidden = false;
      showError(t("booking.sessionExpired"));
    } else if (error.code === "email_required") {
      els.who.hidden = false; // a session without an email (started in the chat): ask for it now
      showError(error.message);
      els.email.focus();
    } else if (isSlotTaken(error)) {
      offerAlternatives(error);
    } else {
      showError(error.message || t("booking.failed"));
    }
  } finally {
    els.schedule.disabled = !state.picker.chosen;
  }
}

/** The booked meeting on its own address; Reschedule opens the calendar again, for that meeting. */
async function confirmation(token, notes = {}) {
  els.booking.hidden = els.step.hidden = true;
  showError("");
  await showBooked({
    t, locale, call, token, zone: state.zone, container: els.done, notes,
    onError: showError,
    onReschedule: async (managed) => {
      state.moving = { token, meeting: managed.meeting };
      els.done.hidden = true;
      els.who.hidden = els.about.hidden = true;
      els.schedule.textContent = t("manage.moveHere");
      els.stepTitle.textContent = t("manage.moveTitle");
      say(els.moving, t("manage.currently", { when: formatFull(managed.meeting.start, state.zone, locale) }));
      const agent = await call("GET", `/api/agents/${seg(managed.host.slug)}/booking`);
      state.agent = agent;
      await openBooking(agent, { start: today(state.zone), end: null, empty: false, problems: [], link: {} });
    },
  });
}

async function start() {
  if (root === "booked") {
    els.form.addEventListener("submit", (event) => submit(event, { link: {} }));
    return confirmation(key);
  }
  const range = readRange(state.zone);
  state.problems = range.problems;
  showError(state.problems.join(" "));
  els.subject.value = params.get("subject") || "";
  els.who.hidden = Boolean(readSession());
  try {
    state.agent = await call("GET", `/api/agents/${seg(key || "")}/booking`);
  } catch (error) {
    showError(error.status === 404 ? t("booking.noPage") : error.message);
    return;
  }
  if (!els.subject.value && state.agent.default_subject) els.subject.value = state.agent.default_subject;
  els.form.addEventListener("submit", (event) => submit(event, range));
  await openBooking(state.agent, range);
}

window.addEventListener("popstate", () => location.reload());
start();
