/* The inbox's "+": an agent creates a conversation (name, description, colleagues, email addresses,
 * read-only for external members, available by link), and the open conversation's link: a link icon
 * with the shareable /join/{token} URL while "Available by link" is on; turning it off kills the link.
 *
 * The rules are the engine's (bot/handlers/creating.py, bot/handlers/membership.py); this only asks.
 */
import { seg } from "./lib/api.js";
import { el, icon, say } from "./lib/dom.js";

const linkIcon = () =>
  icon("icon", "M10.6 13.4a1 1 0 0 1 0-1.4l3.5-3.5a3 3 0 1 1 4.2 4.2l-2 2-1.4-1.4 2-2a1 1 0 1 0-1.4-1.4l-3.5 3.5a1 1 0 0 1-1.4 0zM13.4 10.6a1 1 0 0 1 0 1.4l-3.5 3.5a3 3 0 1 1-4.2-4.2l2-2 1.4 1.4-2 2a1 1 0 1 0 1.4 1.4l3.5-3.5a1 1 0 0 1 1.4 0z");

const ctx = { call: null, me: null, services: () => [], open: () => {}, refresh: async () => {} };
const f = {
  name: el("input", { testid: "new-name", maxlength: "200", required: true }),
  description: el("textarea", { testid: "new-description", rows: "2", maxlength: "10000" }),
  agents: el("div", { class: "new-agents", testid: "new-agents" }),
  emails: el("textarea", { testid: "new-emails", rows: "2", placeholder: "ann@example.org, ben@example.org" }),
  readOnly: el("input", { type: "checkbox", testid: "new-read-only" }),
  byLink: el("input", { type: "checkbox", testid: "new-by-link" }),
};
const error = el("p", { class: "error", testid: "new-error", role: "alert", hidden: true });
const row = (text, control) => el("label", { class: "settings-row" }, el("span", {}, text), control);
const check = (control, text) => el("label", { class: "new-check" }, control, " ", text);
const dialog = el(
  "dialog",
  { class: "settings new-conversation", testid: "new-dialog", "aria-label": "New conversation" },
  el(
    "form",
    { method: "dialog", onsubmit: create },
    el("h2", {}, "New conversation"),
    row("Name", f.name),
    row("Description (optional)", f.description),
    row("Colleagues", f.agents),
    row("People by email (at least one; every member needs an email)", f.emails),
    check(f.readOnly, "Read only for external members"),
    check(f.byLink, "Available by link"),
    error,
    el(
      "div",
      { class: "settings-buttons" },
      el("button", { type: "button", testid: "new-cancel", onclick: () => dialog.close() }, "Cancel"),
      el("button", { type: "submit", class: "primary", testid: "new-create" }, "Create"),
    ),
  ),
);

const linkBox = el("div", { class: "conversation-link", testid: "conversation-link-box" });

/** call, me: {slug}; services(): [{slug, name, members: [{slug, name}]}]; open(id); refresh(). */
export function initCreate(options) {
  Object.assign(ctx, options);
  document.head.append(el("link", { rel: "stylesheet", href: "/static/inbox-create.css" }));
  const plus = el("button", { type: "button", class: "new-button", testid: "new-conversation", "aria-label": "New conversation", title: "New conversation", onclick: openDialog }, "+");
  document.querySelector(".scope").append(plus); // beside the tablist, not in it (ARIA: a tablist holds only tabs)
  document.querySelector(".thread-header > div").append(linkBox);
  document.body.append(dialog);
}

function openDialog() {
  const seen = new Map();
  for (const service of ctx.services()) for (const m of service.members || []) if (m.slug !== ctx.me.slug) seen.set(m.slug, m.name);
  f.agents.replaceChildren(...[...seen].map(([slug, name]) => check(el("input", { type: "checkbox", value: slug, testid: `new-agent-${slug}` }), name)));
  for (const input of [f.name, f.description, f.emails]) input.value = "";
  f.readOnly.checked = false;
  f.byLink.checked = false; // off for conversations agents create, unless chosen
  say(error, "");
  dialog.showModal();
  f.name.focus();
}

async function create(event) {
  event.preventDefault();
  say(error, "");
  const body = {
    name: f.name.value.trim(),
    description: f.description.value.trim(),
    agents: [...f.agents.querySelectorAll("input:checked")].map((box) => box.value),
    emails: f.emails.value.split(/[\s,;]+/).filter(Boolean),
    read_only_external: f.readOnly.checked,
    available_by_link: f.byLink.checked,
  };
  try {
    const { conversation } = await ctx.call("POST", "/api/agent/conversations", body);
    dialog.close();
    await ctx.refresh();
    ctx.open(conversation.id);
  } catch (failure) {
    say(error, failure.message || "Could not create the conversation.");
  }
}

/** The open conversation's header: its link, when available by link, and the switch. */
export function showLink(view) {
  const url = view.link_token ? `${location.origin}/join/${encodeURIComponent(view.link_token)}` : "";
  const toggle = el("input", { type: "checkbox", testid: "link-toggle", checked: Boolean(url), onchange: () => setLink(view.id, toggle.checked) });
  linkBox.replaceChildren(
    check(toggle, "Available by link"),
    url
      ? el("span", { class: "link-url" }, el("span", { class: "link-icon", title: "Shareable link", testid: "conversation-link" }, linkIcon()), el("input", { readonly: true, value: url, testid: "conversation-link-url", "aria-label": "Shareable link", onfocus: (e) => e.target.select() }))
      : null,
  );
}

async function setLink(id, enabled) {
  const path = `/api/agent/conversations/${seg(id)}/link`;
  const answer = await (enabled ? ctx.call("POST", path, { enabled: true }) : ctx.call("DELETE", path));
  const view = await ctx.call("GET", `/api/agent/conversations/${seg(id)}`);
  showLink({ ...view, link_token: answer.link_token });
}
