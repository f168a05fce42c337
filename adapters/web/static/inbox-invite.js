/* "Invite to schedule": the three-step invitation dialog (who, meeting details, time frame).
 *
 * While the agent fills it in, the dialog asks POST /api/agent/invitations/slots how many slots the
 * invitation would offer (the engine's own slot code) and, when none, who is busy. The free slots are
 * offered to promote (up to 10). Creating answers with the links; "Copy links" puts them on the
 * clipboard for agents who send them themselves. Every rule and wording of a refusal is the server's.
 * Step 3 also holds "Confirmation" (Add to calendar event, Send confirmation email; both on) and
 * "Advanced" (the customer page's time zone mode; "customer on the calendar event" is the Add to
 * calendar event toggle, one field).
 */
import { el, fill } from "./lib/dom.js";
import { formatFull, viewerZone } from "./lib/time.js";

const MAX_PROMOTED = 10;
const ctx = { call: null, me: null, onCreated: () => {} };
const state = { step: 1, version: 0, timer: null, slots: [], created: null };

const input = (testid, attrs) => el("input", { testid, ...(attrs || {}) });
const f = {
  guestName: input("invite-guest-name", { maxlength: "200", autocomplete: "off" }),
  guestEmail: input("invite-guest-email", { type: "email", maxlength: "320", autocomplete: "off" }),
  subject: input("invite-subject", { maxlength: "300" }),
  duration: input("invite-duration", { type: "number", min: "15", max: "360", step: "15", value: "30" }),
  members: el("div", { class: "invite-choices", testid: "invite-members" }),
  rooms: el("div", { class: "invite-choices", testid: "invite-rooms" }),
  pools: el("div", { class: "invite-choices", testid: "invite-pools" }),
  description: el("textarea", { testid: "invite-description", rows: "3", maxlength: "5000" }),
  private: input("invite-description-private", { type: "checkbox" }),
  conferencing: input("invite-conferencing", { maxlength: "5000", placeholder: "a video link or dial-in" }),
  type: el("select", { testid: "invite-type" }, ...[["video", "Video"], ["phone", "Phone"], ["in_person", "In person"]].map(([v, t]) => el("option", { value: v }, t))),
  location: input("invite-location", { maxlength: "5000" }),
  startDate: input("invite-start-date", { type: "date" }),
  endDate: input("invite-end-date", { type: "date" }),
  dayStart: input("invite-day-start", { type: "time", value: "09:00" }),
  dayEnd: input("invite-day-end", { type: "time", value: "17:00" }),
  timezone: input("invite-timezone", { placeholder: "your scheduling time zone" }),
  delivery: el("select", { testid: "invite-delivery" }, el("option", { value: "email" }, "Send by email through Convene"), el("option", { value: "copy" }, "Copy links and send them yourself")),
  promote: input("invite-promote", { type: "checkbox" }),
  addToCalendar: input("invite-add-to-calendar", { type: "checkbox", checked: "" }),
  sendConfirmation: input("invite-send-confirmation", { type: "checkbox", checked: "" }),
  zoneMode: el("select", { testid: "invite-timezone-mode" }, el("option", { value: "customer" }, "In the customer's own time zone (detected)"), el("option", { value: "fixed" }, "Fixed in the invitation's time zone")),
};
const count = el("p", { class: "invite-count", testid: "invite-slot-count", role: "status" });
const why = el("p", { class: "small muted", testid: "invite-why", hidden: true });
const promoted = el("div", { class: "invite-slots", testid: "invite-promoted-slots", hidden: true });
const errorBox = el("p", { class: "error", testid: "invite-error", role: "alert", hidden: true });
const links = el("div", { class: "invite-links", testid: "invite-links", hidden: true });
const steps = [1, 2, 3].map((n) => el("fieldset", { class: "invite-step", testid: `invite-step-${n}`, hidden: n !== 1 }));
const back = el("button", { type: "button", testid: "invite-back", onclick: () => go(state.step - 1) }, "Back");
const next = el("button", { type: "button", class: "primary", testid: "invite-next", onclick: () => go(state.step + 1) }, "Next");
const create = el("button", { type: "submit", class: "primary", testid: "invite-create" }, "Create invitation");
const dialog = el(
  "dialog",
  { class: "settings invite", testid: "invite-dialog", "aria-label": "Invite to schedule" },
  el("form", { method: "dialog", onsubmit: submit }, el("h2", {}, "Invite to schedule"), ...steps, count, why, errorBox, links,
    el("div", { class: "settings-buttons" },
      el("button", { type: "button", testid: "invite-close", onclick: () => dialog.close() }, "Close"), back, next, create)),
);

function row(text, control, hint) {
  return el("label", { class: "settings-row" }, el("span", {}, text), control, hint ? el("span", { class: "small muted" }, hint) : null);
}

fill(steps[0], el("legend", {}, "1. Who"), el("div", { class: "settings-grid" }, row("Name", f.guestName), row("Email", f.guestEmail)));
fill(
  steps[1],
  el("legend", {}, "2. Meeting details"),
  el("div", { class: "settings-grid" }, row("Subject", f.subject), row("Duration (minutes)", f.duration, "15 to 360."), row("Meeting type", f.type), row("Location", f.location)),
  row("Team members (everyone attends)", f.members),
  row("Rooms (each must be free)", f.rooms),
  row("Resource pools (any one free room)", f.pools),
  row("Description", f.description),
  el("label", { class: "small" }, f.private, " Keep the description out of what the customer sees"),
  row("Conferencing", f.conferencing),
);
fill(
  steps[2],
  el("legend", {}, "3. Time frame"),
  el("div", { class: "settings-grid" }, row("From", f.startDate), row("Until", f.endDate), row("Daily from", f.dayStart), row("Daily until", f.dayEnd), row("Time zone", f.timezone), row("Delivery", f.delivery)),
  el("label", { class: "small" }, f.promote, " Promote specific time slots (up to 10)"),
  promoted,
  el("fieldset", { class: "invite-options", testid: "invite-confirmation" }, el("legend", {}, "Confirmation"),
    el("div", {}, el("label", { class: "small" }, f.addToCalendar, " Add to calendar event (the customer is an attendee and sees its description)")),
    el("div", {}, el("label", { class: "small" }, f.sendConfirmation, " Send confirmation email (details and an .ics when the customer books)"))),
  el("details", { class: "invite-options", testid: "invite-advanced" }, el("summary", {}, "Advanced"),
    row("Times on the customer's page", f.zoneMode),
    el("p", { class: "small muted" }, "Whether the customer is on the calendar event is the \u201cAdd to calendar event\u201d setting above.")),
);

function checkbox(testid, value, label, checked) {
  return el("label", { class: "invite-choice" }, el("input", { type: "checkbox", testid, value, ...(checked ? { checked: "" } : {}) }), ` ${label}`);
}

const chosen = (box) => [...box.querySelectorAll("input:checked")].map((i) => i.value);

export function initInvite(options) {
  Object.assign(ctx, options);
  document.body.append(dialog);
  dialog.addEventListener("input", (event) => {
    if (!promoted.contains(event.target)) recount();
  });
  f.promote.addEventListener("change", renderPromoted);
}

export async function openInvite() {
  state.created = null;
  links.hidden = true;
  errorBox.hidden = true;
  const [{ services }, roomList] = await Promise.all([ctx.call("GET", "/api/agent/services"), ctx.call("GET", "/api/agent/rooms")]);
  const agents = new Map();
  services.forEach((s) => s.members.forEach((m) => agents.set(m.slug, m.name)));
  agents.set(ctx.me.slug, ctx.me.name);
  fill(f.members, ...[...agents].map(([slug, name]) => checkbox("invite-member", slug, name, slug === ctx.me.slug)));
  fill(f.rooms, ...roomList.rooms.map((r) => checkbox("invite-room", r.id, r.name)));
  fill(f.pools, ...roomList.pools.map((p) => checkbox("invite-pool", p, p)));
  if (!roomList.rooms.length) fill(f.rooms, el("span", { class: "small muted" }, "No rooms yet (convene rooms add)."));
  go(1);
  if (!dialog.open) dialog.showModal();
  recount();
}

function go(step) {
  state.step = Math.min(3, Math.max(1, step));
  steps.forEach((s, i) => (s.hidden = i + 1 !== state.step));
  back.hidden = state.step === 1;
  next.hidden = state.step === 3;
  create.hidden = state.step !== 3;
}

function body() {
  const data = {
    guest_name: f.guestName.value.trim(),
    guest_email: f.guestEmail.value.trim(),
    subject: f.subject.value.trim(),
    duration: Number.parseInt(f.duration.value, 10) || 0,
    members: chosen(f.members),
    rooms: chosen(f.rooms),
    pools: chosen(f.pools),
    start_date: f.startDate.value,
    end_date: f.endDate.value,
    day_start: f.dayStart.value,
    day_end: f.dayEnd.value,
    description: f.description.value,
    description_private: f.private.checked,
    conferencing: f.conferencing.value,
    meeting_type: f.type.value,
    location: f.location.value,
    guest_timezone: null,
    send_email: f.delivery.value === "email",
    add_to_calendar: f.addToCalendar.checked,
    send_confirmation: f.sendConfirmation.checked,
    timezone_mode: f.zoneMode.value,
    promoted: f.promote.checked ? chosen(promoted) : [],
  };
  if (f.timezone.value.trim()) data.timezone = f.timezone.value.trim();
  return data;
}

/** The live count: debounced, and only the newest answer is shown. */
function recount() {
  clearTimeout(state.timer);
  state.timer = setTimeout(async () => {
    const version = ++state.version;
    const draft = body();
    if (!draft.start_date || !draft.end_date) {
      count.textContent = "Choose the dates the customer may pick from.";
      return;
    }
    // The count does not depend on who is invited: stand-ins keep it from failing on an empty name.
    const probe = { ...draft, guest_name: draft.guest_name || "Guest", guest_email: draft.guest_email || "guest@example.com", subject: draft.subject || "Meeting", promoted: [] };
    try {
      const answer = await ctx.call("POST", "/api/agent/invitations/slots", probe);
      if (version !== state.version) return;
      state.slots = answer.slots;
      count.textContent = answer.count === 1 ? "1 slot available" : `${answer.count} slots available`;
      count.dataset.count = String(answer.count);
      why.hidden = answer.count > 0;
      why.textContent = answer.busy.length ? `No free time for: ${answer.busy.join(", ")}.` : "Everyone has free time, but never all at once.";
      renderPromoted();
    } catch (error) {
      if (version !== state.version) return;
      count.textContent = error.message;
      count.dataset.count = "";
      why.hidden = true;
    }
  }, 250);
}

function renderPromoted() {
  promoted.hidden = !f.promote.checked;
  const keep = new Set(chosen(promoted));
  const zone = f.timezone.value.trim() || viewerZone();
  fill(promoted, ...state.slots.map((start) => checkbox("invite-slot", start, formatFull(start, zone), keep.has(start))));
  promoted.querySelectorAll("input").forEach((box) => box.addEventListener("change", limitPromoted));
}

function limitPromoted() {
  const boxes = [...promoted.querySelectorAll("input")];
  const full = boxes.filter((b) => b.checked).length >= MAX_PROMOTED;
  boxes.forEach((b) => (b.disabled = full && !b.checked));
}

async function submit(event) {
  event.preventDefault();
  errorBox.hidden = true;
  create.disabled = true;
  try {
    const { invitation } = await ctx.call("POST", "/api/agent/invitations", body());
    state.created = invitation;
    showLinks(invitation);
    ctx.onCreated(invitation);
  } catch (error) {
    errorBox.textContent = error.message;
    errorBox.hidden = false;
    const step = { guest_name: 1, guest_email: 1, subject: 2, duration: 2, members: 2, rooms: 2, pools: 2 }[error.data.field];
    if (step) go(step);
  } finally {
    create.disabled = false;
  }
}

function linkLines(invitation) {
  const zone = invitation.timezone;
  return [`Pick any time: ${invitation.links.any}`, ...invitation.links.promoted.map((p) => `${formatFull(p.start, zone)}: ${p.url}`)];
}

function showLinks(invitation) {
  const copy = el("button", { type: "button", testid: "invite-copy", onclick: () => copyLinks(invitation, copy) }, "Copy links");
  const sent = invitation.status === "open" && body().send_email ? `Sent to ${invitation.guest_email}.` : "Send these links to the customer yourself.";
  fill(links, el("p", {}, sent), ...linkLines(invitation).map((line) => el("p", { class: "small invite-link", testid: "invite-link" }, line)), copy);
  links.hidden = false;
}

async function copyLinks(invitation, button) {
  try {
    await navigator.clipboard.writeText(linkLines(invitation).join("\n"));
    button.textContent = "Copied";
  } catch (_) {
    button.textContent = "Select the links above to copy them";
  }
}
