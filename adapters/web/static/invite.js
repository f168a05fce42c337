/* The customer's invitation page (/invite/{token} and /invite/{token}/{slot}).
 *
 * Opening it never books anything (mail scanners follow links): with a promoted slot in the path the
 * page opens with that time chosen and one Confirm button; otherwise it shows the invitation's free
 * times in the booking page's month calendar (lib/month-picker.js). A slot taken meanwhile shows the
 * next free times.
 * After booking, the same link shows the meeting and lets the customer cancel it.
 * Times show in the customer's detected zone, or, when the invitation's ``timezone_mode`` is "fixed",
 * in the invitation's own zone; a line under the title names the zone either way.
 */
import { apiClient, seg } from "./lib/api.js";
import { el, fill } from "./lib/dom.js";
import { localisePage } from "./lib/i18n.js";
import { monthPicker } from "./lib/month-picker.js";
import { isSlotTaken } from "./lib/slots.js";
import { dayKey, formatDuration, formatFull, today, viewerZone } from "./lib/time.js";

const [, , token, slotCode] = location.pathname.split("/").map(decodeURIComponent);
const t = await localisePage();
const locale = t.locale;
let zone = viewerZone(); // the invitation's own when its time zone mode is "fixed"
const call = apiClient();
const $ = (id) => document.getElementById(id);
const els = {
  title: $("title"), who: $("who"), description: $("description"), notice: $("notice"), chosen: $("chosen"),
  chosenTime: $("chosen-time"), picking: $("picking"), slots: $("slots"), confirm: $("confirm"),
  booked: $("booked"), cancel: $("cancel"), reschedule: $("reschedule"), zone: $("zone"),
};
const state = { slots: [], choice: null, moving: false };

const STATUS_TEXT = { withdrawn: "booking.inviteWithdrawn", expired: "booking.inviteExpired" };

function notice(text) {
  els.notice.textContent = text || "";
  els.notice.hidden = !text;
}

let picker = null;

/** The month calendar, made once the zone is known (the invitation may fix it). */
function makePicker() {
  picker = monthPicker({
    t,
    locale,
    timeZone: zone,
    fetchSlots: async (start, end) => state.slots.filter((s) => {
      const day = dayKey(s, zone);
      return day >= start && day <= end;
    }),
    onChoose: (start) => choose(start),
    onError: (error) => notice(error.message),
  });
  els.slots.replaceChildren(picker.element);
}

function choose(start) {
  state.choice = start;
  els.confirm.hidden = false;
  els.confirm.disabled = !start;
  els.chosen.hidden = !start;
  els.chosenTime.textContent = start ? formatFull(start, zone, locale) : "";
}

function showBooked(meeting, invitation) {
  els.picking.hidden = els.confirm.hidden = els.chosen.hidden = true;
  const cancelled = meeting.status === "cancelled";
  const lines = [el("p", {}, cancelled ? t("booking.inviteCancelled") : t("booking.inviteBooked", { when: formatFull(meeting.start, zone, locale) }))];
  if (!cancelled && meeting.conferencing) lines.push(el("p", {}, meeting.conferencing));
  if (!cancelled && meeting.location) lines.push(el("p", {}, meeting.location));
  fill(els.booked, ...lines);
  els.booked.hidden = false;
  els.cancel.hidden = cancelled;
  els.reschedule.hidden = cancelled || !state.slots.length;
  els.title.textContent = invitation.subject;
}

function showClosed(invitation) {
  els.picking.hidden = els.confirm.hidden = els.chosen.hidden = true;
  notice(STATUS_TEXT[invitation.status] ? t(STATUS_TEXT[invitation.status]) : "");
  if (invitation.organizer_email) {
    const subject = encodeURIComponent(invitation.subject);
    const link = el("a", { href: `mailto:${invitation.organizer_email}?subject=${subject}`, testid: "invite-write" }, t("booking.inviteWrite", { name: invitation.organizer_name }));
    els.notice.append(" ", link);
  }
}

/** The calendar from the first to the last free time the invitation still has. */
function openPicker() {
  const days = state.slots.map((s) => dayKey(s, zone));
  const first = days.length ? days[0] : today(zone);
  return picker.open({ from: first, first, last: days.length ? days[days.length - 1] : first });
}

async function load() {
  const query = slotCode ? `?slot=${seg(slotCode)}` : "";
  const data = await call("GET", `/api/invitations/${seg(token)}${query}`);
  const inv = data.invitation;
  els.title.textContent = inv.subject;
  els.who.textContent = t("booking.inviteWho", { organizer: inv.organizer_name, guest: inv.guest_name, length: formatDuration(inv.duration, locale) });
  if (inv.description) {
    els.description.textContent = inv.description;
    els.description.hidden = false;
  }
  if (inv.timezone_mode === "fixed") zone = inv.timezone;
  if (!picker) makePicker();
  els.zone.textContent = t(inv.timezone_mode === "fixed" ? "invite.zoneFixed" : "invite.zoneCustomer", { zone });
  els.zone.hidden = false;
  state.slots = data.slots;
  if (data.meeting) return showBooked(data.meeting, inv);
  if (inv.status !== "open") return showClosed(inv);
  els.picking.hidden = false;
  await openPicker();
  if (data.chosen && data.chosen.free) {
    await picker.select(data.chosen.start);
  } else if (data.chosen) {
    notice(t("booking.inviteTaken"));
    await picker.taken(data.chosen.alternatives);
  }
  if (!data.slots.length) notice(t("booking.inviteNoneLeft"));
}

els.confirm.addEventListener("click", async () => {
  if (!state.choice) return;
  els.confirm.disabled = true;
  try {
    if (state.moving) await call("POST", `/api/invitations/${seg(token)}/reschedule`, { start: state.choice });
    else await call("POST", `/api/invitations/${seg(token)}/book`, { start: state.choice, timezone: zone });
    state.moving = false;
    notice("");
    await load();
  } catch (error) {
    if (isSlotTaken(error)) {
      notice(t("booking.inviteTaken"));
      choose(null);
      await picker.taken(error.data.alternatives);
    } else {
      notice(error.message);
      els.confirm.disabled = false;
    }
  }
});

els.reschedule.addEventListener("click", async () => {
  state.moving = true;
  els.reschedule.hidden = els.cancel.hidden = els.booked.hidden = true;
  els.picking.hidden = false;
  await openPicker();
});

els.cancel.addEventListener("click", async () => {
  els.cancel.disabled = true;
  try {
    await call("POST", `/api/invitations/${seg(token)}/cancel`, {});
    await load();
  } catch (error) {
    notice(error.message);
    els.cancel.disabled = false;
  }
});

load().catch((error) => notice(error.message));
