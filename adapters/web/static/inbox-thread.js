/* The inbox's open conversation: its header (title, assignment), its messages in sequence order,
 * and replies that survive a dropped connection (sent again with the same client_id after the
 * reconnect, which the server stores once). User text is set as text only (lib/text.js makes its
 * web addresses links); files and emoji are inbox-files.js's.
 */
import { ApiError, seg, uuid } from "./lib/api.js";
import { el, submitOnEnter } from "./lib/dom.js";
import { catchUpAfter } from "./lib/live.js";
import { richText } from "./lib/text.js";
import { initFiles, showFiles } from "./inbox-files.js";
import { loadMeetings, resetMeetings } from "./inbox-meetings.js";
import { showPicture } from "./inbox-picture.js";
import { renderStatus } from "./inbox-status.js";
import { linkPath } from "./inbox-route.js";
import { assigneeLabel, markOpened, refreshList, services, stamp, summary } from "./inbox-list.js";

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

const ctx = { call: null, me: null, reconnectNow: () => {} };
const state = {
  openId: null,
  view: null,
  lastSeq: 0,
  readSent: 0,
  seen: new Set(),
  pending: new Map(), // client_id → {conversationId, text, internal}: replies not yet stored
};

export const openId = () => state.openId;
const path = (id, rest = "") => `/api/agent/conversations/${seg(id)}${rest}`;

/** call: the agent API; me: {slug, name, services}; reconnectNow(): skip a reconnect's backoff. */
export function initThread(options) {
  Object.assign(ctx, options);
  $("assign-service").addEventListener("change", () => renderAgentOptions(null));
  $("assign-me").addEventListener("click", () => assign({ to: "me" }));
  $("assign-form").addEventListener("submit", (event) => {
    event.preventDefault();
    assign({ service: $("assign-service").value, assignee: $("assign-agent").value || null });
  });
  submitOnEnter($("reply-input"), $("reply-form"));
  $("reply-form").addEventListener("submit", onReply);
  initFiles({ token: ctx.token, openId: () => state.openId, onMessage: addMessage, onError: showError });
  document.addEventListener("visibilitychange", markRead);
}

/** focusReply: false when the keyboard moves through the list (the next `j` must not be typed);
 * message: the message a deep link points at, kept in the address (a reload comes back to it). */
export async function openConversation(id, { focusReply = true, message = null } = {}) {
  state.openId = id;
  state.view = null;
  state.lastSeq = 0;
  state.readSent = 0;
  state.seen = new Set();
  history.replaceState(null, "", linkPath(id, message)); // the address is the conversation's deep link
  markOpened(id);
  $("thread-placeholder").hidden = true;
  document.querySelector(".thread-body").hidden = false;
  $("messages").replaceChildren();
  $("conversation-title").textContent = summary(id) ? summary(id).title : "";
  $("thread-error").hidden = true;
  resetMeetings();
  await Promise.all([loadHeader(id), loadMessages(id), loadMeetings(id)]);
  if (focusReply) $("reply-input").focus();
}

/** After every (re)connect: the open thread as it is now, then the replies still waiting. */
export async function catchUpThread() {
  const id = state.openId;
  if (id) await Promise.all([loadMessages(id), loadHeader(id), loadMeetings(id)]);
  for (const clientId of [...state.pending.keys()]) sendReply(clientId);
}

/** A live message of the open conversation. */
export function onThreadMessage(frame) {
  if (frame.conversation_id !== state.openId) return;
  addMessage(frame.message);
  markRead();
}

/** A live event: the open conversation's header may have changed (assignment, title). */
// Events that change nothing in the header: reloading it for them would also reset a half-made choice
// (an agent picked in the assign form), since an agent's own reading sends ConversationSeen at once.
const HEADERLESS = new Set(["MessagesRead", "ConversationSeen"]);

export function onThreadEvent(frame) {
  if (frame.conversation_id === state.openId && !HEADERLESS.has(frame.event)) loadHeader(state.openId);
}

async function loadHeader(id) {
  try {
    const view = await ctx.call("GET", path(id));
    if (id !== state.openId) return;
    state.view = view;
    renderHeader();
    if (ctx.onHeader) ctx.onHeader(view); // inbox-create.js: the conversation's link
  } catch (error) {
    if (error.status === 404) showError("This conversation is not visible to you any more.");
  }
}

async function loadMessages(id) {
  try {
    await catchUpAfter(state.lastSeq, (after) => ctx.call("GET", path(id, `/messages?after=${after}`)), (message) => {
      if (id === state.openId) addMessage(message);
    });
    if (id === state.openId) markRead();
  } catch (_) {
    /* offline: catchUpThread() runs again after the reconnect */
  }
}

function renderHeader() {
  const view = state.view;
  $("conversation-title").textContent = view.title;
  showPicture(view); // the conversation's avatar, and its dialog
  $("assignee").textContent = assigneeLabel(view);
  renderStatus(view); // resolved or snoozed, and the buttons that change it (inbox-status.js)
  const current = view.assigned_service || view.service || (ctx.me.services[0] ?? "");
  $("assign-service").replaceChildren(...services().map((s) => el("option", { value: s.slug, selected: s.slug === current }, s.name)));
  renderAgentOptions(view.assignee);
  $("reply-input").disabled = !view.can_write;
}

function renderAgentOptions(selected) {
  const service = services().find((s) => s.slug === $("assign-service").value);
  const members = service ? service.members : [];
  $("assign-agent").replaceChildren(
    el("option", { value: "" }, `Anyone in ${service ? service.name : "the service"}`),
    ...members.map((m) => el("option", { value: m.slug, selected: m.slug === selected }, m.name)),
  );
}

async function assign(body) {
  const id = state.openId;
  try {
    await ctx.call("POST", path(id, "/assign"), body);
    $("thread-error").hidden = true;
    await Promise.all([loadHeader(id), refreshList()]);
  } catch (error) {
    showError(error.message);
  }
}

function showError(text) {
  $("thread-error").textContent = text;
  $("thread-error").hidden = false;
}

function bubble(message, mine) {
  const author = message.author;
  const kind = mine ? "mine" : author.kind;
  return el(
    "div",
    { class: `msg ${kind}${message.internal ? " internal" : ""}`, testid: "message", "data-author-kind": author.kind, "data-internal": message.internal ? "true" : null },
    kind === "system" ? null : el("div", { class: "author" }, message.internal ? `${author.name} · internal note` : author.name),
    message.text ? el("div", { class: "text", testid: "message-text" }, richText(message.text)) : null,
    showFiles(message.attachments),
    kind === "system" ? null : el("time", { class: "meta" }, stamp(message.created_at || new Date().toISOString())),
  );
}

/** Shows a stored message once; my own replaces its pending bubble. */
function addMessage(message) {
  if (state.seen.has(message.id)) return;
  state.seen.add(message.id);
  state.lastSeq = Math.max(state.lastSeq, message.seq);
  const mine = message.author.kind === "agent" && message.author.id === ctx.me.slug;
  const list = $("messages");
  let node = mine && message.client_id ? list.querySelector(`[data-client-id="${CSS.escape(message.client_id)}"]`) : null;
  if (node) node.remove();
  else node = bubble(message, mine);
  if (message.client_id) node.dataset.clientId = message.client_id;
  node.dataset.status = "sent";
  node.dataset.seq = String(message.seq);
  node.dataset.messageId = message.id;
  const later = [...list.querySelectorAll("[data-seq]")].find((other) => Number(other.dataset.seq) > message.seq);
  list.insertBefore(node, later || list.querySelector('[data-status="pending"]') || null);
  list.scrollTop = list.scrollHeight;
}

function markRead() {
  if (!state.openId || document.hidden || state.lastSeq <= state.readSent) return;
  const seq = state.lastSeq;
  state.readSent = seq;
  ctx.call("POST", path(state.openId, "/read"), { seq }).catch(() => {
    state.readSent = 0;
  });
}

// ---- replying ----------------------------------------------------------------------------------

function onReply(event) {
  event.preventDefault();
  const text = $("reply-input").value.trim();
  if (!text || !state.openId) return;
  const internal = $("internal-note").checked;
  const clientId = uuid();
  state.pending.set(clientId, { conversationId: state.openId, text, internal });
  const node = bubble({ author: { kind: "agent", name: ctx.me.name }, text, internal }, true);
  node.dataset.clientId = clientId;
  node.dataset.status = "pending";
  $("messages").append(node);
  $("messages").scrollTop = $("messages").scrollHeight;
  $("reply-input").value = "";
  $("internal-note").checked = false;
  sendReply(clientId);
}

async function sendReply(clientId) {
  const item = state.pending.get(clientId);
  if (!item || item.sending) return;
  item.sending = true;
  try {
    // The client_id makes a retry after a lost answer safe: the server stores the reply once.
    const { message } = await ctx.call("POST", path(item.conversationId, "/messages"), { text: item.text, client_id: clientId, internal: item.internal });
    state.pending.delete(clientId);
    if (item.conversationId === state.openId) addMessage(message);
  } catch (error) {
    item.sending = false;
    const node = document.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`);
    if (error instanceof ApiError && error.status === 0) {
      if (node) node.dataset.status = "pending"; // retried after the reconnect
      ctx.reconnectNow();
      return;
    }
    state.pending.delete(clientId);
    if (node) node.dataset.status = "failed";
    showError(error.message);
  }
}
