/* The booked meeting as the guest sees it on its manage link (/booked/{token}): what and when, in the
 * guest's zone and the host's, "add to calendar" (Google, Outlook, an .ics file), and reschedule or
 * cancel. Everything comes from GET /api/manage/{token}, which never changes anything, so the page
 * survives a reload and a mail scanner's visit alike. User data is only ever set as text.
 */
import { seg } from "./lib/api.js";
import { calendarIcon, el, fill, icon } from "./lib/dom.js";
import { formatDuration, formatFull, formatTime } from "./lib/time.js";

const checkIcon = () => icon("done-icon", "M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z");

function span(meeting, zone, locale) {
  return `${formatFull(meeting.start, zone, locale)} – ${formatTime(meeting.end, zone, locale)} (${zone})`;
}

/** The host's uploaded picture, or their initials: the booking card's and the confirmation's. */
export function hostPicture(name, url) {
  const initials = name.split(/\s+/).map((w) => w[0] || "").join("").slice(0, 2).toUpperCase();
  return url ? el("img", { src: url, alt: "" }) : initials;
}

function row(label, value, testid) {
  return [el("dt", {}, label), el("dd", { testid }, value)];
}

/**
 * t, locale, call (apiClient), token, zone (the guest's), container; notes {moved, noteFailed};
 * onError(text); onReschedule(managed) opens the calendar for this meeting.
 */
export async function showBooked({ t, locale, call, token, zone, container, notes = {}, onError, onReschedule }) {
  let managed;
  try {
    managed = await call("GET", `/api/manage/${seg(token)}`);
  } catch (error) {
    onError(error.status === 404 ? t("manage.notFound") : error.message);
    container.hidden = true;
    return;
  }
  render(managed, notes);

  function render(data, flags) {
    const { meeting, host } = data;
    const cancelled = meeting.status === "cancelled";
    const past = new Date(meeting.end) <= new Date();
    document.title = t(cancelled ? "confirmation.cancelledTitle" : "confirmation.title");
    const heading = el("h1", { id: "done-title", tabindex: "-1" }, t(cancelled ? "confirmation.cancelledTitle" : "confirmation.title"));
    const summary = t(cancelled ? "confirmation.cancelledLine" : "confirmation.bookedLine", { subject: meeting.subject, host: host.name });
    const parts = [
      el("div", { class: `done-head${cancelled ? " cancelled" : ""}` }, el("span", { class: "done-badge" }, cancelled ? calendarIcon("done-icon") : checkIcon()), heading),
      el("p", { class: "done-line", testid: "booking-confirmed", role: "status" }, summary),
    ];
    if (flags.moved && !cancelled) parts.push(el("p", { class: "ok", testid: "moved" }, t("manage.moved")));
    if (flags.noteFailed) parts.push(el("p", { class: "warning" }, t("confirmation.noteFailed")));
    if (!cancelled) parts.push(el("p", { class: "muted" }, t("confirmation.emailSent")));
    const hostZone = host.timezone || "UTC";
    parts.push(
      el(
        "dl",
        { class: "summary" },
        row(t("confirmation.what"), `${meeting.subject} · ${formatDuration(meeting.duration, locale)}`, "done-what"),
        row(t("confirmation.with"), el("span", { class: "with" }, el("span", { class: "avatar small", "aria-hidden": "true" }, hostPicture(host.name, host.avatar_url)), host.name), "done-with"),
        row(t("confirmation.whenYours"), span(meeting, zone, locale), "done-when"),
        hostZone !== zone ? row(t("confirmation.whenHost", { name: host.name }), span(meeting, hostZone, locale), "done-when-host") : null,
        cancelled ? null : row(t("confirmation.where"), t("booking.where"), "done-where"),
      ),
    );
    if (!cancelled && !past) parts.push(addToCalendar(data), manage(data));
    else parts.push(el("p", {}, el("a", { class: "secondary book-again", testid: "book-again", href: `/book/${seg(host.slug)}` }, t("confirmation.bookAgain"))));
    fill(container, ...parts);
    container.hidden = false;
    heading.focus({ preventScroll: true });
  }

  function addToCalendar(data) {
    const link = (testid, href, label, extra = {}) => el("a", { class: "cal-link", testid, href, ...extra }, calendarIcon("cal-icon"), label);
    return el(
      "section",
      { class: "add-calendar", "aria-labelledby": "add-title" },
      el("h2", { id: "add-title" }, t("confirmation.addTitle")),
      el(
        "div",
        { class: "cal-links" },
        link("cal-google", data.calendar.google, "Google Calendar", { target: "_blank", rel: "noopener noreferrer" }),
        link("cal-outlook", data.calendar.outlook, "Outlook", { target: "_blank", rel: "noopener noreferrer" }),
        link("cal-ics", data.calendar.ics, t("confirmation.icsFile"), { download: "meeting.ics" }),
      ),
    );
  }

  function manage(data) {
    const reschedule = el("button", { type: "button", class: "secondary", testid: "manage-reschedule", onclick: () => onReschedule(data) }, t("manage.reschedule"));
    const cancel = el("button", { type: "button", class: "secondary danger", testid: "manage-cancel", "aria-expanded": "false" }, t("manage.cancel"));
    const reason = el("textarea", { id: "cancel-reason", testid: "cancel-reason", maxlength: "1000", rows: "2" });
    const yes = el("button", { type: "button", class: "primary danger", testid: "manage-cancel-confirm" }, t("manage.cancelYes"));
    const keep = el("button", { type: "button", class: "link", testid: "manage-cancel-keep" }, t("manage.keep"));
    const ask = el(
      "div",
      { class: "cancel-ask", id: "cancel-ask", hidden: true },
      el("p", {}, t("manage.cancelQuestion")),
      el("label", { for: "cancel-reason" }, t("manage.reason")),
      reason,
      el("div", { class: "buttons" }, yes, keep),
    );
    cancel.setAttribute("aria-controls", "cancel-ask");
    const toggle = (open) => {
      ask.hidden = !open;
      cancel.setAttribute("aria-expanded", String(open));
      if (open) reason.focus();
    };
    cancel.addEventListener("click", () => toggle(ask.hidden));
    keep.addEventListener("click", () => toggle(false));
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      try {
        const reasonText = reason.value.trim();
        const answer = await call("POST", `/api/manage/${seg(token)}/cancel`, reasonText ? { reason: reasonText } : {});
        onError("");
        render(answer, {});
      } catch (error) {
        yes.disabled = false;
        onError(error.message);
      }
    });
    return el(
      "section",
      { class: "manage", "aria-labelledby": "manage-title" },
      el("h2", { id: "manage-title" }, t("manage.title")),
      el("div", { class: "buttons" }, reschedule, cancel),
      ask,
      el("p", { class: "muted keep-link" }, t("manage.keepLink")),
    );
  }
}
