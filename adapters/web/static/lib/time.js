/* Pure time helpers for the widget, the booking page and the inbox.
 *
 * Two kinds of value, never mixed up:
 *   - an instant: a UTC ISO string or a Date (what the API sends and takes);
 *   - a day key: "yyyy-mm-dd", a calendar date in the viewer's zone (what pages and pickers count in).
 * Day arithmetic works on day keys (at UTC noon, where no zone rule can move a date), so a week is
 * always seven dates, whether it has 167, 168 or 169 hours. Everything shown to people goes through
 * Intl.DateTimeFormat with the viewer's zone. No DOM, no network, no clock of their own: `now` is an
 * argument wherever "today" matters, which is what lets the table test run them.
 */

const DAY_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;
const formats = new Map(); // Intl formatters are costly to build: one per (locale, zone, options)

function format(locale, options) {
  const key = JSON.stringify([locale || null, options]);
  if (!formats.has(key)) formats.set(key, new Intl.DateTimeFormat(locale, options));
  return formats.get(key);
}

const toDate = (instant) => (instant instanceof Date ? instant : new Date(instant));
const noon = (day) => new Date(`${day}T12:00:00Z`);

/** The browser's own zone; UTC when it cannot say. */
export function viewerZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** The calendar date of an instant in a zone, as a day key. */
export function dayKey(instant, zone) {
  const parts = format("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(toDate(instant));
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

export function today(zone, now = new Date()) {
  return dayKey(now, zone);
}

/** A day key n calendar days later (n may be negative). */
export function addDays(day, n) {
  const d = noon(day);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** A day key n months later, clamped to the last day of a shorter month (31 Jan + 1 → 28 Feb). */
export function addMonths(day, n) {
  const [, y, m, d] = DAY_KEY.exec(day).map(Number);
  const first = new Date(Date.UTC(y, m - 1 + n, 1, 12));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0, 12)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

/** Calendar days from one day key to another (negative when `to` comes first). */
export function daysBetween(from, to) {
  return Math.round((noon(to) - noon(from)) / 86400000);
}

/** The Monday (or `firstDay`, 0 = Sunday) on or before a day key: where a week's row starts. */
export function weekStart(day, firstDay = 1) {
  return addDays(day, -((noon(day).getUTCDay() - firstDay + 7) % 7));
}

/** The first day of the day key's month. */
export const monthStart = (day) => `${day.slice(0, 8)}01`;

/** The zone's offset from UTC at an instant, in minutes (Berlin in summer: 120). */
export function offsetMinutes(instant, zone) {
  const date = toDate(instant);
  const parts = format("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
  }).formatToParts(date);
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60000);
}

/** The instant a wall-clock time ("09:30") on a day key happens in a zone, as a Date. Like the
 * engine (Python's fold=0): a time skipped in spring counts with the offset before the change, so
 * 02:30 on a Berlin spring-forward day is 03:30; a time that happens twice in autumn is the first. */
export function zonedInstant(day, hhmm, zone) {
  const [, y, m, d] = DAY_KEY.exec(day).map(Number);
  const [hour, minute] = hhmm.split(":").map(Number);
  const wall = Date.UTC(y, m - 1, d, hour, minute);
  const before = offsetMinutes(new Date(wall - 86400000), zone);
  const after = offsetMinutes(new Date(wall + 86400000), zone);
  const early = new Date(wall - before * 60000);
  if (offsetMinutes(early, zone) === before) return early;
  const late = new Date(wall - after * 60000);
  if (offsetMinutes(late, zone) === after) return late;
  return early; // in the gap
}

/** The same wall-clock time n days later (23 or 25 hours away across a change), as a Date. */
export function addDaysKeepingTime(instant, n, zone) {
  return zonedInstant(addDays(dayKey(instant, zone), n), wallTime(instant, zone), zone);
}

/** "HH:MM" of an instant in a zone, 24-hour, for arithmetic (formatTime is for people). */
export function wallTime(instant, zone) {
  return format("en-GB", { timeZone: zone, hourCycle: "h23", hour: "2-digit", minute: "2-digit" }).format(toDate(instant));
}

/** Instants grouped by their day in the zone, in order: [[dayKey, [instants…]], …]. */
export function groupByDay(instants, zone) {
  const days = new Map();
  for (const instant of instants) {
    const key = dayKey(instant, zone);
    if (!days.has(key)) days.set(key, []);
    days.get(key).push(instant);
  }
  return [...days.entries()];
}

// ---- for people ------------------------------------------------------------------------------

/** A time of day for people ("09:30", or "9:30 AM" where that is the custom). */
export function formatTime(instant, zone, locale) {
  return format(locale, { timeZone: zone, hour: "2-digit", minute: "2-digit" }).format(toDate(instant));
}

/** The day of an instant for people ("Mon 30 Nov"); `long` spells it out ("Monday 30 November"). */
export function formatDay(instant, zone, locale, { long = false } = {}) {
  const style = long ? "long" : "short";
  return format(locale, { timeZone: zone, weekday: style, day: "numeric", month: style }).format(toDate(instant));
}

/** A calendar date (a day key) for people: no zone can move it. */
export function formatDayKey(day, locale, { long = false } = {}) {
  return formatDay(noon(day), "UTC", locale, { long });
}

/** Date and time in full ("Monday 30 November 2026 at 10:30"). */
export function formatFull(instant, zone, locale) {
  return format(locale, { timeZone: zone, dateStyle: "full", timeStyle: "short" }).format(toDate(instant));
}

/** "Mon 30 Nov, 10:30–11:00": a meeting's span in the viewer's zone. */
export function formatSpan(start, end, zone, locale) {
  return `${formatDay(start, zone, locale)}, ${formatTime(start, zone, locale)}–${formatTime(end, zone, locale)}`;
}

/** A message's time: the time today, the date before today. */
export function formatStamp(instant, zone, locale, now = new Date()) {
  if (!instant) return "";
  if (dayKey(instant, zone) === dayKey(now, zone)) return formatTime(instant, zone, locale);
  return format(locale, { timeZone: zone, year: "numeric", month: "numeric", day: "numeric" }).format(toDate(instant));
}

/** A meeting length for people in their language ("30 min", "1 hr 30 min"; "30 Min.", "1 Std."),
 * through Intl's units, so no catalogue needs a word for minutes or hours. Only the language counts
 * (en-GB would say "30 mins"): one English length everywhere. */
export function formatDuration(minutes, locale) {
  if (locale) locale = new Intl.Locale(locale).language;
  const unit = (n, name) => new Intl.NumberFormat(locale, { style: "unit", unit: name, unitDisplay: "short" }).format(n);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const parts = [hours ? unit(hours, "hour") : null, rest || !hours ? unit(rest, "minute") : null].filter(Boolean);
  return new Intl.ListFormat(locale, { type: "unit", style: "narrow" }).format(parts);
}

// ---- input -----------------------------------------------------------------------------------

/** "dd.mm.yyyy" (the personal link's format) → a day key, or null when it is not a real date. */
export function parseDottedDay(text) {
  const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(text || "");
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(year, month - 1, day, 12));
  // 31.02. rolls over to March, 99.99. further: not dates.
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return `${m[3]}-${m[2]}-${m[1]}`;
}

/** The last bookable day in the viewer's zone, from the server's booking info: its `window_end`
 * (an instant, or a date), else `horizon_days` from today; null when the server says neither. */
export function lastBookableDay(info, zone, now = new Date()) {
  if (!info) return null;
  if (info.window_end) return DAY_KEY.test(info.window_end) ? info.window_end : dayKey(info.window_end, zone);
  if (Number.isInteger(info.horizon_days)) return addDays(today(zone, now), info.horizon_days);
  return null;
}
