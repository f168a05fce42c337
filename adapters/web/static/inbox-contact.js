/* The contact panel beside the open thread: the guest's name (editable), email (proven or not), local
 * time and zone, where each conversation started, their other conversations and meetings, and the
 * agents' private note. GET/PATCH /api/agent/contacts/{guest_id}; all text set as text.
 */
import { el, fill, say } from "./lib/dom.js";
import { seg } from "./lib/api.js";

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
const ctx = { call: null, open: () => {}, stamp: (iso) => iso };
let current = null; // {conversationId, contact}
let asked = 0;

const ORIGIN = { widget: "Website widget", personal_link: "Personal link", assistant: "Assistant (calendar invitation)", agent: "Started by an agent", invitation: "Invitation" };

/** call: the agent API; open(id): opens another conversation; stamp(iso): a time in the agent's zone. */
export function initContact(options) {
  Object.assign(ctx, options);
  $("contact-save").addEventListener("click", save);
  $("contact-close").addEventListener("click", () => ($("contact-panel").hidden = true));
}

/** Called once a conversation is open: shows its guest's contact. */
export async function showContact(conversationId) {
  const mine = ++asked;
  try {
    const view = await ctx.call("GET", `/api/agent/conversations/${seg(conversationId)}`);
    const contact = await ctx.call("GET", `/api/agent/contacts/${seg(view.guest_id)}`);
    if (mine !== asked) return;
    current = { conversationId, contact };
    render();
  } catch (_) {
    if (mine === asked) $("contact-panel").hidden = true;
  }
}

/** "Website widget" and the page it was on (a link, shown as text the guest's browser sent). */
function originOf(c) {
  const kind = ORIGIN[c.origin] || c.origin || "";
  if (!c.origin_url) return [kind];
  return [kind, el("br"), el("a", { href: c.origin_url, target: "_blank", rel: "noopener noreferrer", class: "small origin-url", testid: "contact-origin-url" }, c.origin_url)];
}

function localTime(zone) {
  if (!zone) return "Time zone unknown";
  try {
    const time = new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: "2-digit", minute: "2-digit", weekday: "short" }).format(new Date());
    return `${time} (${zone})`;
  } catch (_) {
    return zone;
  }
}

function render() {
  const { contact, conversationId } = current;
  $("contact-panel").hidden = false;
  $("contact-name").value = contact.name;
  $("contact-note").value = contact.note;
  say($("contact-error"), "");
  fill($("contact-email"), contact.email ? [contact.email, " ", el("span", { class: `badge ${contact.email_proven ? "proven" : "unproven"}`, testid: "contact-email-proven" }, contact.email_proven ? "proven" : "not proven")] : el("span", { class: "muted" }, "No email"));
  $("contact-time").textContent = localTime(contact.timezone);
  const here = contact.conversations.find((c) => c.id === conversationId);
  fill($("contact-origin"), ...(here ? originOf(here) : []));
  const others = contact.conversations.filter((c) => c.id !== conversationId);
  fill($("contact-conversations"), ...(others.length ? others.map((c) =>
    el("li", {}, el("button", { type: "button", class: "link", testid: "contact-conversation", onclick: () => ctx.open(c.id) }, c.title || c.service || "Conversation"), el("span", { class: "muted small" }, ` · ${ORIGIN[c.origin] || c.origin}`))) : [el("li", { class: "muted" }, "None")]));
  const meeting = (m) => el("li", { testid: "contact-meeting" }, el("strong", {}, m.subject), el("span", { class: "muted small" }, ` · ${ctx.stamp(m.start)}${m.status === "cancelled" ? " · cancelled" : ""}`));
  fill($("contact-upcoming"), ...(contact.meetings.upcoming.length ? contact.meetings.upcoming.map(meeting) : [el("li", { class: "muted" }, "None")]));
  fill($("contact-past"), ...(contact.meetings.past.length ? contact.meetings.past.map(meeting) : [el("li", { class: "muted" }, "None")]));
}

async function save() {
  if (!current) return;
  const body = { name: $("contact-name").value, note: $("contact-note").value };
  try {
    current.contact = await ctx.call("PATCH", `/api/agent/contacts/${seg(current.contact.guest_id)}`, body);
    render();
    say($("contact-saved"), "Saved.");
  } catch (error) {
    say($("contact-error"), error.message);
  }
}
