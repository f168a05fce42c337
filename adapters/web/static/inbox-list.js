/* The inbox's conversation list: one filter (Mine, Unassigned, All my services, Snoozed, Resolved)
 * with every filter's count on its tab, newest first, unread counts kept live, and the names of
 * services and their members for everything that shows an assignment.
 *
 * The server decides what an agent may see and how a conversation is titled: events only make the
 * list ask again (once per burst); a new message updates its row in place.
 */
import { el } from "./lib/dom.js";
import { avatarNode } from "./inbox-picture.js";
import { formatStamp, viewerZone } from "./lib/time.js";

const SCOPE_KEY = "convene.inbox.scope";
const FILTERS = ["mine", "unassigned", "services", "snoozed", "resolved"];
const EMPTY = {
  mine: "Nothing open is assigned to you.",
  unassigned: "Every open conversation has someone.",
  services: "No open conversations.",
  snoozed: "Nothing is snoozed.",
  resolved: "Nothing resolved yet.",
};
const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
const zone = viewerZone();

const ctx = { call: null, open: () => {}, openId: () => null, onUnauthorized: () => {}, onUnread: () => {} };
const state = {
  services: [],
  scope: FILTERS.includes(localStorage.getItem(SCOPE_KEY)) ? localStorage.getItem(SCOPE_KEY) : "services",
  conversations: new Map(), // id → summary from GET /api/agent/conversations, kept live
  version: 0,
  refreshTimer: null,
};

/** call: the agent API; open(id): show a conversation; openId(): the one shown; onUnauthorized();
 * onUnread(count): the list's unread messages, after every change (the tab's title shows them). */
export function initList(options) {
  Object.assign(ctx, options);
  document.querySelectorAll("[data-scope]").forEach((button) =>
    button.addEventListener("click", () => {
      state.scope = button.dataset.scope;
      localStorage.setItem(SCOPE_KEY, state.scope);
      renderScope();
      refreshList();
    }),
  );
  renderScope();
}

export async function loadServices() {
  state.services = (await ctx.call("GET", "/api/agent/services")).services;
}

export const services = () => state.services;
export const summary = (id) => state.conversations.get(id);

function renderScope() {
  document.querySelectorAll("[data-scope]").forEach((button) => {
    button.setAttribute("aria-selected", String(button.dataset.scope === state.scope));
  });
}

export async function refreshList() {
  const version = ++state.version;
  let found;
  let counts;
  try {
    ({ conversations: found, counts } = await ctx.call("GET", `/api/agent/conversations?filter=${state.scope}`));
  } catch (error) {
    if (error.status === 401) ctx.onUnauthorized();
    return; // offline: the socket's reconnect calls us again
  }
  if (version !== state.version) return; // a newer refresh answers instead
  state.conversations = new Map(found.map((c) => [c.id, c]));
  const open = state.conversations.get(ctx.openId());
  if (open) open.unread = 0;
  renderCounts(counts || {});
  renderList();
}

/** Each filter's tab says how many conversations it holds. */
function renderCounts(counts) {
  document.querySelectorAll("[data-count]").forEach((node) => {
    const n = counts[node.dataset.count];
    node.textContent = n === undefined ? "" : String(n);
    node.hidden = n === undefined;
  });
}

/** Events change assignment, membership and titles: ask the server, once per burst. */
export function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(refreshList, 150);
}

/** A conversation was opened: it is read, and it is the highlighted row. */
export function markOpened(id) {
  const opened = state.conversations.get(id);
  if (opened) opened.unread = 0;
  renderList();
}

/** A live message: its row shows it at once; a conversation new to the list is asked for. */
export function onListMessage(frame) {
  const message = frame.message;
  const row = state.conversations.get(frame.conversation_id);
  if (!row) return scheduleRefresh(); // new to me: the server knows how to show it
  row.last_text = message.text;
  row.last_message_at = message.created_at;
  row.last_seq = message.seq;
  if (frame.conversation_id !== ctx.openId() && message.author.kind === "guest") {
    row.unread += 1; // as the server counts: what guests wrote since I last read
  }
  renderList();
}

function renderList() {
  const ordered = [...state.conversations.values()].sort((a, b) => (b.last_message_at || "").localeCompare(a.last_message_at || ""));
  $("conversation-list").replaceChildren(...ordered.map(listItem));
  $("list-empty").textContent = EMPTY[state.scope];
  $("list-empty").hidden = ordered.length > 0;
  ctx.onUnread(ordered.reduce((sum, c) => sum + (c.unread || 0), 0));
}

function listItem(c) {
  const unread = el("span", { class: "unread", testid: "unread-count", hidden: c.unread === 0 }, String(c.unread));
  return el(
    "li",
    {
      class: "conversation",
      testid: "conversation-item",
      "data-conversation-id": c.id,
      "aria-current": c.id === ctx.openId() ? "true" : null,
      tabindex: "0",
      onclick: () => ctx.open(c.id),
      onkeydown: (event) => event.key === "Enter" && ctx.open(c.id),
    },
    el("div", { class: "row" }, avatarNode(c.avatar, "conversation-item-avatar"), el("strong", { class: "name", testid: "conversation-name" }, c.title || c.guest_name || "Guest"), unread),
    el("div", { class: "preview muted", testid: "conversation-preview" }, c.last_text || ""),
    el("div", { class: "row small muted" }, el("span", {}, assigneeLabel(c)), el("time", {}, stamp(c.last_message_at))),
  );
}

/** A message's or a row's time in the browser's zone: the time today, the date before. */
export const stamp = (iso) => formatStamp(iso, zone);

function serviceName(slug) {
  const service = state.services.find((s) => s.slug === slug);
  return service ? service.name : slug || "";
}

function agentName(slug) {
  for (const service of state.services) {
    const member = service.members.find((m) => m.slug === slug);
    if (member) return member.name;
  }
  return slug;
}

/** "Alice (Sales)", "Sales (anyone)" or "nobody": for a list row and the thread header. */
export function assigneeLabel(c) {
  const service = serviceName(c.assigned_service || c.service);
  if (c.assignee) return service ? `${agentName(c.assignee)} (${service})` : agentName(c.assignee);
  return service ? `${service} (anyone)` : "nobody";
}
