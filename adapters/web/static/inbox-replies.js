/* Saved replies: typing `/` at the start of the composer (or after a space) opens a searchable list;
 * Enter or a click inserts the chosen reply with {guest_name} and {agent_name} filled in. A small
 * section of the settings dialog adds, edits and deletes them (/api/agent/saved-replies).
 */
import { el, fill, say } from "./lib/dom.js";
import { seg } from "./lib/api.js";

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
const ctx = { call: null, me: null, guestName: () => "" };
let replies = [];
let picker = { open: false, start: 0, index: 0, shown: [] };

/** call: the agent API; me: {name, services}; guestName(): the open conversation's guest. */
export function initReplies(options) {
  Object.assign(ctx, options);
  const input = $("reply-input");
  const list = el("ul", { class: "reply-picker", testid: "saved-reply-picker", role: "listbox", hidden: true });
  input.after(list);
  input.addEventListener("input", update);
  // Capturing on the form runs before the composer's own Enter-to-send on the text area.
  $("reply-form").addEventListener("keydown", onKey, true);
  input.addEventListener("blur", () => setTimeout(close, 150));
  mountSection();
  load();
}

async function load() {
  try {
    replies = (await ctx.call("GET", "/api/agent/saved-replies")).saved_replies;
  } catch (_) {
    replies = [];
  }
  renderSection();
}

export const fillReply = (body, guestName, agentName) => body.replaceAll("{guest_name}", guestName).replaceAll("{agent_name}", agentName);

// ---- the picker in the composer ----------------------------------------------------------------

function update() {
  const input = $("reply-input");
  const before = input.value.slice(0, input.selectionStart);
  const found = /(^|\s)\/([^\s/]*)$/.exec(before);
  if (!found) return close();
  const query = found[2].toLowerCase();
  picker = { open: true, start: before.length - query.length - 1, index: 0, shown: replies.filter((r) => (r.title + " " + r.body).toLowerCase().includes(query)) };
  render();
}

function render() {
  const list = $("saved-reply-picker");
  fill(
    list,
    ...(picker.shown.length
      ? picker.shown.map((r, i) =>
          el("li", { role: "option", testid: "saved-reply-option", "aria-selected": String(i === picker.index), onmousedown: (e) => { e.preventDefault(); insert(r); } }, el("strong", {}, r.title), " ", el("span", { class: "muted" }, r.body)),
        )
      : [el("li", { class: "muted" }, replies.length ? "No saved reply matches." : "No saved replies yet: add them in the settings.")]),
  );
  list.hidden = false;
}

function close() {
  picker.open = false;
  const list = $("saved-reply-picker");
  if (list) list.hidden = true;
}

function onKey(event) {
  if (!picker.open || event.target !== $("reply-input")) return;
  const moves = { ArrowDown: 1, ArrowUp: -1 };
  if (event.key in moves && picker.shown.length) {
    picker.index = (picker.index + moves[event.key] + picker.shown.length) % picker.shown.length;
    render();
  } else if ((event.key === "Enter" || event.key === "Tab") && picker.shown.length) {
    insert(picker.shown[picker.index]);
  } else if (event.key === "Escape") {
    close();
  } else return;
  event.preventDefault();
  event.stopPropagation();
}

function insert(reply) {
  const input = $("reply-input");
  const text = fillReply(reply.body, ctx.guestName() || "", ctx.me.name);
  const end = input.selectionStart;
  input.value = input.value.slice(0, picker.start) + text + input.value.slice(end);
  const caret = picker.start + text.length;
  input.setSelectionRange(caret, caret);
  close();
  input.focus();
}

// ---- the settings section ----------------------------------------------------------------------

const form = { title: null, body: null, service: null, editing: null };

function mountSection() {
  const buttons = document.querySelector('[data-testid="settings-dialog"] .settings-buttons');
  if (!buttons) return;
  form.title = el("input", { testid: "saved-reply-title", maxlength: "80", placeholder: "Title", onkeydown: noSubmit });
  form.body = el("textarea", { testid: "saved-reply-body", rows: "2", maxlength: "4000", placeholder: "Hello {guest_name}, … {agent_name}" });
  form.service = el("select", { testid: "saved-reply-service", "aria-label": "Who may use it" });
  const section = el(
    "section",
    { class: "saved-replies", testid: "saved-replies-section" },
    el("h3", {}, "Saved replies"),
    el("p", { class: "small muted" }, "Type / in a reply to insert one. {guest_name} and {agent_name} are filled in."),
    el("ul", { class: "saved-reply-list", testid: "saved-reply-list" }),
    el("div", { class: "saved-reply-form" }, form.title, form.service, form.body,
      el("div", { class: "saved-reply-buttons" },
        el("button", { type: "button", testid: "saved-reply-cancel", onclick: reset }, "Clear"),
        el("button", { type: "button", testid: "saved-reply-save", onclick: saveReply }, "Save reply"))),
    el("p", { class: "error", testid: "saved-reply-error", role: "alert", hidden: true }),
  );
  buttons.before(section);
}

function noSubmit(event) {
  if (event.key === "Enter") event.preventDefault(); // the settings form would submit
}

function renderSection() {
  const list = $("saved-reply-list");
  if (!list) return;
  form.service.replaceChildren(el("option", { value: "" }, "Only me"), ...ctx.me.services.map((s) => el("option", { value: s }, `Service: ${s}`)));
  fill(list, ...replies.map((r) =>
    el("li", { testid: "saved-reply-item" },
      el("span", { class: "saved-reply-title" }, r.title, r.service ? el("span", { class: "muted" }, ` · ${r.service}`) : null),
      el("button", { type: "button", class: "link", onclick: () => edit(r) }, "Edit"),
      el("button", { type: "button", class: "link danger", onclick: () => remove(r) }, "Delete"))));
}

function edit(reply) {
  form.editing = reply.id;
  form.title.value = reply.title;
  form.body.value = reply.body;
  form.service.value = reply.service || "";
}

function reset() {
  form.editing = null;
  form.title.value = form.body.value = form.service.value = "";
  say($("saved-reply-error"), "");
}

async function saveReply() {
  const body = { title: form.title.value, body: form.body.value, service: form.service.value || null };
  try {
    if (form.editing) await ctx.call("PUT", `/api/agent/saved-replies/${seg(form.editing)}`, body);
    else await ctx.call("POST", "/api/agent/saved-replies", body);
    reset();
    await load();
  } catch (error) {
    say($("saved-reply-error"), error.message);
  }
}

async function remove(reply) {
  try {
    await ctx.call("DELETE", `/api/agent/saved-replies/${seg(reply.id)}`);
    await load();
  } catch (error) {
    say($("saved-reply-error"), error.message);
  }
}
