/* The people behind the widget and what a guest may expect: the team's pictures in the header,
 * "We typically reply in a few minutes" while someone is at work, otherwise an away notice with the
 * next opening (in the guest's zone and language) and a request for the guest's email, so the reply
 * reaches them by mail.
 *
 * Who is at work and when work starts next is the engine's answer (GET /api/guest/team, from
 * bot/presence.py and the clock port); this module only shows it, and asks again when that
 * answer may change (at the next opening, and every few minutes). Giving an email reuses the
 * widget's existing way to give one: the intro form before a session, and with a session the
 * "continue" request (POST /api/guest/continue), which keeps a typed address for this guest and
 * mails a link that proves it.
 */
import { el } from "./lib/dom.js";
import { addDays, dayKey, formatDay, viewerZone } from "./lib/time.js";

const REFRESH_MS = 5 * 60 * 1000;

/** When work starts next, for people: "today at 9:00 AM", "tomorrow at 9:00 AM", "Monday at 9:00 AM". */
export function openingText(t, instant, zone = viewerZone(), now = new Date()) {
  const time = new Intl.DateTimeFormat(t.lang, { hour: "numeric", minute: "2-digit", timeZone: zone }).format(new Date(instant));
  const day = dayKey(instant, zone);
  const today = dayKey(now, zone);
  if (day === today) return t("presence.today", { time });
  if (day === addDays(today, 1)) return t("presence.tomorrow", { time });
  const weekday = new Intl.DateTimeFormat(t.lang, { weekday: "long", timeZone: zone }).format(new Date(instant));
  const name = day <= addDays(today, 6) ? weekday : formatDay(instant, zone, t.lang, { long: true });
  return t("presence.onDay", { day: name, time });
}

function face(member) {
  const picture = member.avatar && member.avatar.url;
  const node = picture
    ? el("img", { class: "face", src: picture, alt: member.name })
    : el("span", { class: "face initials", role: "img", "aria-label": member.name }, member.avatar ? member.avatar.initials : member.name.slice(0, 1));
  if (!picture && member.avatar) node.style.setProperty("--face", member.avatar.color);
  return el("span", { class: "member", role: "listitem", testid: "team-member", "data-available": String(member.available) }, node);
}

/** view: the widget's DOM; call: the API; t: translator; target: {service} | {agent};
 * session(): the guest's session or null. */
export function presence({ view, call, t, target }) {
  const state = { team: null, timer: null, email: null, asked: false };
  const query = new URLSearchParams(target.agent ? { agent: target.agent } : { service: target.service });

  const emailInput = el("input", { type: "email", testid: "away-email", name: "away-email", required: true, maxlength: "320", autocomplete: "email" });
  const emailStatus = el("p", { class: "away-status", testid: "away-email-status", role: "status", hidden: true });
  const emailForm = el(
    "form",
    { class: "away-form", testid: "away-email-form", onsubmit: giveEmail },
    el("label", {}, t("presence.emailLabel"), el("span", { class: "away-row" }, emailInput, el("button", { class: "primary", type: "submit", testid: "away-email-send" }, t("presence.emailSend")))),
  );
  const awayText = el("p", { class: "away-text", testid: "away-text" });
  const emailAsk = el("p", { class: "away-ask", testid: "away-ask" });
  view.away.append(awayText, emailAsk, emailForm, emailStatus);

  let sessionOf = () => null;

  async function refresh() {
    clearTimeout(state.timer);
    try {
      state.team = await call("GET", `/api/guest/team?${query}`);
    } catch (_) {
      state.team = null; // no promise rather than a wrong one; try again later
    }
    render();
    // Ask again when the answer changes by itself: at the next opening, or in a few minutes.
    const next = state.team && state.team.next_opening ? Date.parse(state.team.next_opening) - Date.now() + 1000 : REFRESH_MS;
    state.timer = setTimeout(refresh, Math.max(1000, Math.min(next, REFRESH_MS)));
  }

  function render() {
    const team = state.team;
    view.team.replaceChildren(...(team ? team.members.slice(0, 3).map(face) : []));
    view.team.hidden = !team || team.members.length === 0;
    if (!team) {
      view.expectation.textContent = "";
      view.away.hidden = true;
      return;
    }
    const when = team.next_opening ? openingText(t, team.next_opening) : null;
    view.expectation.textContent = team.open ? t("presence.replySoon") : when ? t("presence.awayShort", { when }) : t("presence.awayShortUnknown");
    view.away.hidden = team.open;
    awayText.textContent = when ? t("presence.away", { when }) : t("presence.awayUnknown");
    renderEmail();
  }

  /** With a session: the guest's address if we have one, else a form; without: the intro's field. */
  function renderEmail() {
    const session = sessionOf();
    if (!session) {
      emailAsk.textContent = t("presence.emailIntro");
      emailForm.hidden = true;
    } else if (state.email) {
      emailAsk.textContent = t("presence.emailKnown", { email: state.email });
      emailForm.hidden = true;
    } else {
      emailAsk.textContent = t("presence.emailAsk");
      emailForm.hidden = state.asked;
    }
  }

  async function learnEmail() {
    state.email = null;
    state.asked = false;
    emailStatus.hidden = true;
    if (sessionOf()) {
      try {
        state.email = (await call("GET", "/api/guest/me")).email || null;
      } catch (_) {
        state.email = null;
      }
    }
    if (state.team) renderEmail();
  }

  async function giveEmail(event) {
    event.preventDefault();
    const email = emailInput.value.trim();
    if (!email) return;
    try {
      await call("POST", "/api/guest/continue", { email });
      state.asked = true;
      emailStatus.textContent = t("presence.emailSent", { email });
    } catch (error) {
      emailStatus.textContent = error.message || t("presence.emailFailed");
    }
    emailStatus.hidden = false;
    renderEmail();
  }

  return {
    /** session(): the current session; called once the app has one (or none). */
    start(session) {
      sessionOf = session;
      refresh();
      learnEmail();
    },
    onSession: learnEmail,
    refresh,
  };
}
