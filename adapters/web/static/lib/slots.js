/* One slot picker for the booking page, the widget and the inbox: a page of days with their free
 * times in the viewer's zone, earlier/later paging up to the last bookable day the server names, and
 * the "next free times" a `slot_taken` refusal carries.
 *
 * Why one: three copies had drifted (one grouped days by the browser's zone, another by the agent's).
 * The picker knows nothing of agents, services or meetings: the page hands it fetchSlots(start, end)
 * and hears the chosen start (a UTC ISO string, or null) through onChoose. How far ahead one may
 * book is the engine's rule: the page passes what GET /api/agents/{slug}/booking says
 * (see lastBookableDay in time.js); without it, "later" stops at the first page with no free time.
 */
import { el, fill, press } from "./dom.js";
import { addDays, formatDay, formatDayKey, formatTime, groupByDay, today } from "./time.js";

const STRINGS = {
  earlier: "Earlier days",
  later: "Later days",
  loading: "Loading…",
  none: "No free times on these days.",
  nextFree: "Next free times",
  zone: (zone) => `Times in your time zone (${zone})`,
};

const TESTIDS = {
  slot: "slot",
  prev: "slots-prev",
  next: "slots-next",
  range: "slots-range",
  days: "slot-days",
  alternatives: "slots-alternatives",
  none: "slots-none",
};

/** True for the API's "that time is no longer free" refusal; its alternatives are error.data.alternatives. */
export const isSlotTaken = (error) => Boolean(error) && error.code === "slot_taken";

/** The next free starts a slot_taken refusal offers (UTC ISO strings, soonest first), at most `limit`. */
export function takenAlternatives(error, limit = 5) {
  if (!isSlotTaken(error)) return [];
  const offered = (error.data && error.data.alternatives) || [];
  return offered.map((slot) => (typeof slot === "string" ? slot : slot.start)).filter(Boolean).slice(0, limit);
}

/**
 * fetchSlots(start, end) → [{start}, …] or [iso, …] for the day keys [start, end];
 * onChoose(iso | null); onError(error) when a page cannot be loaded.
 * Options: days per page (7), paging (false: one fixed range), longDays ("Monday 30 November"),
 * locale, strings and testids (each merged over the defaults above).
 */
export function slotPicker({ fetchSlots, onChoose = () => {}, onError = () => {}, timeZone, strings, testids, locale, days = 7, paging = true, longDays = false }) {
  const text = { ...STRINGS, ...(strings || {}) };
  const ids = { ...TESTIDS, ...(testids || {}) };
  const state = { from: null, days, last: null, chosen: null, version: 0, lastCount: null, zone: timeZone };

  const prev = el("button", { type: "button", class: "nav", testid: ids.prev, "aria-label": text.earlier, onclick: () => page(-1) }, "‹");
  const next = el("button", { type: "button", class: "nav", testid: ids.next, "aria-label": text.later, onclick: () => page(1) }, "›");
  const range = el("span", { class: "range", testid: ids.range });
  const bar = el("div", { class: "range-bar", hidden: !paging }, prev, range, next);
  const zoneNote = el("p", { class: "zone muted" });
  const alternatives = el("div", { class: "alternatives", testid: ids.alternatives, hidden: true });
  const list = el("div", { class: "slot-days", testid: ids.days });
  const element = el("div", { class: "slot-picker" }, bar, zoneNote, alternatives, list);

  function renderZone() {
    const note = typeof text.zone === "function" ? text.zone(state.zone) : text.zone;
    zoneNote.textContent = note || "";
    zoneNote.hidden = !note;
  }
  renderZone();

  /** Marks a button (or none) as the chosen one, in the page and the alternatives alike. */
  function choose(button) {
    press(element.querySelectorAll(".slot"), button);
    state.chosen = button ? button.dataset.start : null;
    onChoose(state.chosen);
  }

  function slotButton(start) {
    const label = formatTime(start, state.zone, locale);
    return el("button", { type: "button", class: "slot", testid: ids.slot, "data-start": start, "aria-pressed": "false", onclick: (e) => choose(e.currentTarget) }, label);
  }

  function render(starts) {
    if (!starts.length) {
      fill(list, el("p", { class: "muted", testid: ids.none }, text.none));
      return;
    }
    fill(
      list,
      groupByDay(starts, state.zone).map(([, day]) =>
        el("div", { class: "day" }, el("div", { class: "day-name" }, formatDay(day[0], state.zone, locale, { long: longDays })), el("div", { class: "day-slots" }, day.map(slotButton))),
      ),
    );
  }

  function renderBar() {
    const first = today(state.zone);
    const end = addDays(state.from, state.days - 1);
    range.textContent = `${formatDayKey(state.from, locale)} – ${formatDayKey(end, locale)}`;
    prev.disabled = state.from <= first;
    const after = addDays(state.from, state.days);
    // The server's last bookable day when known; otherwise a page without free times is the end.
    next.disabled = state.last ? after > state.last : state.lastCount === 0;
  }

  async function load() {
    if (!state.from) return;
    const version = ++state.version;
    if (state.chosen) choose(null); // the page changes under it
    if (paging) renderBar();
    try {
      const found = await fetchSlots(state.from, addDays(state.from, state.days - 1));
      if (version !== state.version) return; // a newer page or duration answers instead
      const starts = found.map((slot) => (typeof slot === "string" ? slot : slot.start));
      state.lastCount = starts.length;
      render(starts);
      if (paging) renderBar();
    } catch (error) {
      if (version !== state.version) return;
      list.replaceChildren();
      onError(error);
    }
  }

  function page(direction) {
    const first = today(state.zone);
    state.from = addDays(state.from, direction * state.days);
    if (state.from < first) state.from = first;
    load();
  }

  return {
    element,
    /** Starts over at `from` (today by default), `days` long, with no alternatives and nothing chosen. */
    open({ from, days: length } = {}) {
      state.from = from || today(state.zone);
      state.days = length || days;
      state.lastCount = null;
      alternatives.hidden = true;
      fill(list, el("p", { class: "muted" }, text.loading));
      return load();
    },
    /** The same page again (another duration, a slot taken meanwhile). */
    reload: load,
    /** "Loading…" until open() (the page is still asking what it may offer). */
    loading() {
      state.version += 1;
      if (state.chosen) choose(null);
      fill(list, el("p", { class: "muted" }, text.loading));
    },
    /** Shows nothing to choose, with the "no free times" sentence (a range that cannot hold any). */
    empty() {
      state.version += 1;
      render([]);
    },
    /** The last bookable day (a day key, from lastBookableDay), or null when the server does not say. */
    setLastDay(day) {
      state.last = day || null;
      if (paging && state.from) renderBar();
    },
    /** Another viewer zone (the agent saved new settings): times and days move, the page reloads. */
    setZone(zone) {
      state.zone = zone;
      renderZone();
      return load();
    },
    /** A slot_taken refusal: its next free times to pick from, and a fresh page (it changed). */
    taken(starts) {
      const offered = starts || [];
      fill(alternatives, el("div", { class: "day-name" }, text.nextFree), el("div", { class: "day-slots" }, offered.map(slotButton)));
      alternatives.hidden = offered.length === 0;
      if (offered.length && alternatives.scrollIntoView) alternatives.scrollIntoView({ block: "nearest" });
      return load();
    },
    hideAlternatives() {
      alternatives.hidden = true;
    },
    get chosen() {
      return state.chosen;
    },
  };
}
