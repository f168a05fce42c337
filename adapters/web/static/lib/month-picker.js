/* A month calendar with the chosen day's free times beside it: the booking page's and the
 * invitation page's picker (the widget and the inbox keep the compact list of lib/slots.js).
 *
 * Days are day keys in the viewer's zone (lib/time.js): a day is marked when it has a free time,
 * and disabled outside [first, last] (the link's frame and the engine's booking horizon). The grid
 * is one tab stop with a roving focus: arrows move a day or a week, Home/End the week's ends,
 * PageUp/PageDown a month, Enter or Space opens the day. Every time button is named with the full
 * date and time, so a screen reader hears more than "10:30". The picker does no I/O of its own: the
 * page hands it fetchSlots(startDay, endDay) → [iso | {start}] and hears the chosen start (UTC ISO,
 * or null) through onChoose. Texts come from the page's translator (keys booking.*).
 */
import { el, fill, press } from "./dom.js";
import { addDays, addMonths, dayKey, formatFull, formatTime, groupByDay, monthStart, today, weekStart } from "./time.js";

const noon = (day) => new Date(`${day}T12:00:00Z`);

/** The week's first day for a locale (0 = Sunday, 1 = Monday), from Intl where the browser says. */
export function firstDayOfWeek(locale) {
  try {
    const loc = new Intl.Locale(locale || navigator.language);
    const info = (loc.getWeekInfo && loc.getWeekInfo()) || loc.weekInfo;
    if (info && info.firstDay) return info.firstDay % 7;
  } catch (_) {
    /* an old browser: Monday, the ISO week */
  }
  return 1;
}

/** The 6×7 day keys a month shows, starting on the week's first day (the DST-proof arithmetic of time.js). */
export function monthGrid(month, firstDay = 1) {
  const start = weekStart(monthStart(month), firstDay);
  return Array.from({ length: 42 }, (_, i) => addDays(start, i));
}

/**
 * t: the page's translator; fetchSlots(startDay, endDay); onChoose(iso | null); onError(error);
 * timeZone; locale; testids merged over { slot, day, prev, next, month, times, alternatives }.
 */
export function monthPicker({ t, fetchSlots, onChoose = () => {}, onError = () => {}, timeZone, locale, testids }) {
  const ids = { slot: "slot", day: "day", prev: "month-prev", next: "month-next", month: "month-name", times: "times", alternatives: "slots-alternatives", none: "slots-none", ...(testids || {}) };
  const state = { zone: timeZone, month: null, first: null, last: null, byDay: new Map(), day: null, focus: null, chosen: null, version: 0, loading: false };
  const firstDay = firstDayOfWeek(locale);
  const fmt = (options) => new Intl.DateTimeFormat(locale, { timeZone: "UTC", ...options });

  const prev = el("button", { type: "button", class: "month-nav", testid: ids.prev, "aria-label": t("booking.prevMonth"), onclick: () => go(-1) }, "‹");
  const next = el("button", { type: "button", class: "month-nav", testid: ids.next, "aria-label": t("booking.nextMonth"), onclick: () => go(1) }, "›");
  const title = el("h2", { class: "month-name", id: "month-name", testid: ids.month, "aria-live": "polite" });
  const grid = el("table", { class: "month-grid", role: "grid", "aria-labelledby": "month-name" });
  const times = el("div", { class: "times", testid: ids.times });
  const timesTitle = el("h2", { class: "times-title", id: "times-title" });
  const alternatives = el("div", { class: "alternatives", testid: ids.alternatives, hidden: true });
  const calendar = el("div", { class: "calendar" }, el("div", { class: "month-bar" }, prev, title, next), grid);
  const side = el("section", { class: "day-times", "aria-labelledby": "times-title" }, timesTitle, alternatives, times);
  const element = el("div", { class: "month-picker" }, calendar, side);

  const inWindow = (day) => (!state.first || day >= state.first) && (!state.last || day <= state.last);
  const hasTimes = (day) => inWindow(day) && (state.byDay.get(day) || []).length > 0;

  function renderGrid() {
    const month = state.month;
    title.textContent = fmt({ month: "long", year: "numeric" }).format(noon(month));
    prev.disabled = Boolean(state.first) && monthStart(state.first) >= month;
    next.disabled = Boolean(state.last) && addMonths(month, 1) > state.last;
    const days = monthGrid(month, firstDay);
    const head = el("tr", {}, days.slice(0, 7).map((day) => el("th", { scope: "col", abbr: fmt({ weekday: "long" }).format(noon(day)) }, fmt({ weekday: "short" }).format(noon(day)))));
    const rows = [];
    for (let week = 0; week < 6; week += 1) {
      const cells = days.slice(week * 7, week * 7 + 7).map((day) => el("td", { role: "gridcell" }, day.slice(0, 7) === month.slice(0, 7) ? dayButton(day) : null));
      if (cells.some((cell) => cell.firstChild)) rows.push(el("tr", {}, cells));
    }
    fill(grid, el("thead", {}, head), el("tbody", {}, rows));
  }

  function dayButton(day) {
    const open = hasTimes(day);
    const label = fmt({ weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(noon(day));
    return el(
      "button",
      {
        type: "button",
        class: ["day", open ? "open" : "", day === today(state.zone) ? "today" : ""].join(" ").trim(),
        testid: ids.day,
        "data-day": day,
        tabindex: day === state.focus ? "0" : "-1",
        "aria-disabled": open ? null : "true",
        "aria-pressed": String(day === state.day),
        "aria-label": `${label}${open ? `, ${t("booking.dayOpen")}` : state.loading ? "" : `, ${t("booking.dayClosed")}`}`,
        onclick: () => open && selectDay(day, { focusTimes: false }),
        onkeydown: (event) => keyOnDay(event, day),
      },
      String(Number(day.slice(8))),
    );
  }

  function keyOnDay(event, day) {
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    let target = null;
    if (event.key in moves) target = addDays(day, moves[event.key]);
    else if (event.key === "Home") target = weekStart(day, firstDay);
    else if (event.key === "End") target = addDays(weekStart(day, firstDay), 6);
    else if (event.key === "PageUp") target = addMonths(day, -1);
    else if (event.key === "PageDown") target = addMonths(day, 1);
    if (!target) return;
    event.preventDefault();
    if (!inWindow(target)) return;
    moveFocus(target);
  }

  async function moveFocus(day) {
    state.focus = day;
    if (day.slice(0, 7) !== state.month.slice(0, 7)) await showMonth(monthStart(day), { keepFocus: true });
    else renderGrid();
    const button = grid.querySelector(`[data-day="${day}"]`);
    if (button) button.focus();
  }

  function renderTimes() {
    const day = state.day;
    if (!day) {
      timesTitle.textContent = t("booking.pickDay");
      fill(times, el("p", { class: "muted", testid: ids.none }, state.loading ? t("booking.loading") : t("booking.noTimesMonth")));
      return;
    }
    timesTitle.textContent = fmt({ weekday: "long", day: "numeric", month: "long" }).format(noon(day));
    fill(times, el("ul", { class: "time-list" }, (state.byDay.get(day) || []).map((iso) => el("li", {}, timeButton(iso, ids.slot)))));
    press(times.querySelectorAll(".slot"), [...times.querySelectorAll(".slot")].find((b) => b.dataset.start === state.chosen) || null);
  }

  function timeButton(iso, testid, pick = choose) {
    return el(
      "button",
      { type: "button", class: "slot", testid, "data-start": iso, "aria-pressed": "false", "aria-label": formatFull(iso, state.zone, locale), onclick: () => pick(iso) },
      formatTime(iso, state.zone, locale),
    );
  }

  function choose(iso) {
    state.chosen = iso;
    press(element.querySelectorAll(".slot"), [...element.querySelectorAll(".slot")].find((b) => b.dataset.start === iso) || null);
    onChoose(iso);
  }

  function selectDay(day, { focusTimes = false } = {}) {
    state.day = day;
    state.focus = day;
    renderGrid();
    renderTimes();
    if (focusTimes) {
      const firstTime = times.querySelector(".slot");
      if (firstTime) firstTime.focus();
    }
  }

  /** Loads a month (the part inside the window) and shows it; `pick` chooses its first open day. */
  async function showMonth(month, { pick = true, keepFocus = false, advance = false } = {}) {
    const version = ++state.version;
    state.month = month;
    state.loading = true;
    state.byDay = new Map();
    if (!keepFocus) state.focus = null;
    const wanted = state.day; // kept when the new answer still has times on it
    renderGrid();
    if (pick) {
      state.day = null;
      renderTimes();
    }
    const end = addDays(addMonths(month, 1), -1);
    const from = state.first && state.first > month ? state.first : month;
    const to = state.last && state.last < end ? state.last : end;
    let starts = [];
    if (from <= to) {
      try {
        const found = await fetchSlots(from, to);
        starts = found.map((slot) => (typeof slot === "string" ? slot : slot.start));
      } catch (error) {
        if (version === state.version) {
          state.loading = false;
          renderTimes();
          onError(error);
        }
        return;
      }
    }
    if (version !== state.version) return; // a newer month, zone or length answers instead
    state.loading = false;
    state.byDay = new Map(groupByDay(starts, state.zone));
    const open = [...state.byDay.keys()].filter(hasTimes).sort();
    // The first look at a month with nothing free moves on, like every booking page does.
    if (advance && !open.length && !next.disabled && (!state.last || addMonths(month, 1) <= state.last)) {
      return showMonth(addMonths(month, 1), { pick, advance: false });
    }
    if (pick) state.day = wanted && hasTimes(wanted) ? wanted : open[0] || null;
    else if (state.day && !hasTimes(state.day)) state.day = null;
    if (!state.focus || state.focus.slice(0, 7) !== month.slice(0, 7)) state.focus = state.day || (inWindow(from) ? from : open[0] || from);
    renderGrid();
    renderTimes();
  }

  /** Shows the day of `iso` and marks it chosen (an alternative picked, a promoted invitation slot). */
  async function select(iso) {
    const day = dayKey(iso, state.zone);
    if (day.slice(0, 7) !== (state.month || "").slice(0, 7)) await showMonth(monthStart(day), { pick: false });
    state.day = day;
    state.focus = day;
    renderGrid();
    renderTimes();
    choose(iso);
  }

  function go(direction) {
    showMonth(addMonths(state.month, direction));
  }

  return {
    element,
    /** Opens at the month of `from` (today by default), with days outside [first, last] disabled. */
    open({ from, first, last } = {}) {
      state.first = first || today(state.zone);
      state.last = last || null;
      state.chosen = null;
      state.day = null;
      alternatives.hidden = true;
      return showMonth(monthStart(from || state.first), { advance: true });
    },
    /** The same month again (another length, a slot taken meanwhile); the chosen day stays if it can. */
    reload() {
      if (state.chosen) choose(null);
      return showMonth(state.month || monthStart(state.first || today(state.zone)));
    },
    /** Another zone: days and times move, the chosen time is kept only if it is still offered. */
    async setZone(zone) {
      const chosen = state.chosen;
      state.zone = zone;
      const day = chosen ? dayKey(chosen, zone) : state.day; // the same date, where it still has times
      state.day = day;
      await showMonth(day ? monthStart(day) : state.month, { pick: true, keepFocus: true });
      // The same instant, shown in another zone, stays chosen without a word (nothing to confirm anew).
      if (chosen && !(state.byDay.get(day) || []).includes(chosen)) choose(null);
    },
    /** A slot_taken refusal: its next free times as buttons, and a fresh month (it changed). */
    async taken(starts, heading) {
      const offered = (starts || []).slice(0, 6);
      fill(
        alternatives,
        el("p", { class: "alternatives-title" }, heading || t("booking.nextFree")),
        el("ul", { class: "time-list" }, offered.map((iso) => el("li", {}, timeButton(iso, "slot-alternative", select)))),
      );
      alternatives.hidden = offered.length === 0;
      state.chosen = null;
      await showMonth(state.month, { pick: false });
      if (offered.length && alternatives.scrollIntoView) alternatives.scrollIntoView({ block: "nearest" });
    },
    hideAlternatives() {
      alternatives.hidden = true;
    },
    select,
    get chosen() {
      return state.chosen;
    },
    get day() {
      return state.day;
    },
  };
}
