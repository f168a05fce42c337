/* The web inbox for agents: conversations of my services, one thread, replies, assignment; live. */
import { api, ApiError, el, LiveSocket, uuid } from "./inbox-net.js";
import { initMeetings, loadMeetings, onMeetingFrame, resetMeetings, setZone } from "./inbox-meetings.js";
import { initSettings, loadSettings, openSettings } from "./inbox-settings.js";

const TOKEN_KEY = "convene.agent.token";
const SCOPE_KEY = "convene.inbox.scope";
const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

const state = {
  token: localStorage.getItem(TOKEN_KEY),
  me: null,
  services: [],
  scope: localStorage.getItem(SCOPE_KEY) === "mine" ? "mine" : "services",
  conversations: new Map(), // id → summary from GET /api/agent/conversations, kept live
  listVersion: 0,
  openId: null,
  view: null,
  lastSeq: 0,
  readSent: 0,
  seen: new Set(),
  pending: new Map(), // client_id → {conversationId, text, internal}: replies not yet stored
  socket: null,
  refreshTimer: null,
};

const call = (method, path, body, headers) => api(state.token, method, path, body, headers);

// ---- sign-in -----------------------------------------------------------------------------------

async function boot() {
  if (location.pathname === "/inbox/login") {
    const oneTime = new URLSearchParams(location.search).get("token");
    if (!oneTime) return showLogin();
    try {
      const { token } = await api(null, "POST", "/api/agent/login/redeem", { token: oneTime });
      localStorage.setItem(TOKEN_KEY, token);
      location.replace("/inbox");
    } catch (_) {
      showLogin("This sign-in link has expired or was used already. Ask for a new one below.");
    }
    return;
  }
  if (!state.token) return showLogin();
  try {
    state.me = await call("GET", "/api/agent/me");
  } catch (error) {
    if (error.status === 401) return signOut("Your session has ended. Sign in again.");
    $("thread-placeholder").textContent = "The server cannot be reached. Retrying…";
    setTimeout(boot, 2000);
    return;
  }
  showApp();
}

function showLogin(message) {
  document.getElementById("app").hidden = true;
  document.getElementById("login").hidden = false;
  if (message) $("login-message").textContent = message;
  $("login-email").focus();
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = $("login-email").value.trim();
  if (!email) return;
  $("login-submit").disabled = true;
  try {
    await api(null, "POST", "/api/agent/login", { email });
    $("login-sent").hidden = false;
  } catch (error) {
    $("login-message").textContent = error.message;
  } finally {
    $("login-submit").disabled = false;
  }
});

function signOut(message) {
  localStorage.removeItem(TOKEN_KEY);
  state.token = null;
  if (state.socket) state.socket.stop();
  showLogin(message);
}

$("sign-out").addEventListener("click", () => signOut("You are signed out."));

// ---- the app -----------------------------------------------------------------------------------

async function showApp() {
  document.getElementById("login").hidden = true;
  document.getElementById("app").hidden = false;
  $("agent-name").textContent = state.me.name;
  renderScope();
  await setUpScheduling();
  state.socket = new LiveSocket("/api/agent/ws", state.token, {
    onState: setStatus,
    onReady: catchUp,
    onFrame,
    onUnauthorized: () => signOut("Your session has ended. Sign in again."),
  });
  state.services = (await call("GET", "/api/agent/services")).services;
  await refreshList();
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("c");
  if (fromHash) openConversation(fromHash);
  state.socket.start();
}

function setStatus(value) {
  const status = $("connection-status");
  status.dataset.state = value;
  status.textContent = { connecting: "Connecting…", reconnecting: "Reconnecting…", online: "Live" }[value] || "";
}

/** Meetings show in the agent's scheduling time zone, whatever the browser's zone is. */
async function setUpScheduling() {
  initSettings({ call, onSaved: (settings) => setZone(settings.timezone) });
  let zone;
  try {
    zone = (await loadSettings()).timezone;
  } catch (_) {
    zone = undefined; // the browser's zone until the settings can be read
  }
  initMeetings({ call, me: state.me, openId: () => state.openId, ...(zone ? { zone } : {}) });
}

$("settings-open").addEventListener("click", () => openSettings());

/** After every (re)connect: whatever changed while the socket was down. */
async function catchUp() {
  await refreshList();
  if (state.openId) {
    await Promise.all([loadMessages(state.openId), loadHeader(state.openId), loadMeetings(state.openId)]);
  }
  for (const clientId of [...state.pending.keys()]) sendReply(clientId);
}

// ---- conversation list -------------------------------------------------------------------------

document.querySelectorAll("[data-scope]").forEach((button) =>
  button.addEventListener("click", () => {
    state.scope = button.dataset.scope;
    localStorage.setItem(SCOPE_KEY, state.scope);
    renderScope();
    refreshList();
  }),
);

function renderScope() {
  document.querySelectorAll("[data-scope]").forEach((button) => {
    button.setAttribute("aria-selected", String(button.dataset.scope === state.scope));
  });
}

async function refreshList() {
  const version = ++state.listVersion;
  let found;
  try {
    found = (await call("GET", `/api/agent/conversations?scope=${state.scope}`)).conversations;
  } catch (error) {
    if (error.status === 401) signOut("Your session has ended. Sign in again.");
    return; // offline: the socket's reconnect calls us again
  }
  if (version !== state.listVersion) return; // a newer refresh answers instead
  state.conversations = new Map(found.map((c) => [c.id, c]));
  if (state.openId && state.conversations.has(state.openId)) state.conversations.get(state.openId).unread = 0;
  renderList();
}

/** Events change assignment, membership and titles: ask the server, once per burst. */
function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(refreshList, 150);
}

function renderList() {
  const ordered = [...state.conversations.values()].sort((a, b) =>
    (b.last_message_at || "").localeCompare(a.last_message_at || ""),
  );
  $("conversation-list").replaceChildren(...ordered.map(listItem));
  $("list-empty").hidden = ordered.length > 0;
}

function listItem(c) {
  const unread = el("span", { class: "unread", testid: "unread-count", hidden: c.unread === 0 }, String(c.unread));
  return el(
    "li",
    {
      class: "conversation",
      testid: "conversation-item",
      "data-conversation-id": c.id,
      "aria-current": c.id === state.openId ? "true" : null,
      tabindex: "0",
      onclick: () => openConversation(c.id),
      onkeydown: (event) => event.key === "Enter" && openConversation(c.id),
    },
    el("div", { class: "row" }, el("strong", { class: "name", testid: "conversation-name" }, c.title || c.guest_name || "Guest"), unread),
    el("div", { class: "preview muted", testid: "conversation-preview" }, c.last_text || ""),
    el("div", { class: "row small muted" }, el("span", {}, assigneeLabel(c)), el("time", {}, shortTime(c.last_message_at))),
  );
}

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

function assigneeLabel(c) {
  const service = serviceName(c.assigned_service || c.service);
  if (c.assignee) return service ? `${agentName(c.assignee)} (${service})` : agentName(c.assignee);
  return service ? `${service} (anyone)` : "nobody";
}

function shortTime(iso) {
  if (!iso) return "";
  const when = new Date(iso);
  const today = new Date().toDateString() === when.toDateString();
  return today ? when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : when.toLocaleDateString();
}

// ---- one thread --------------------------------------------------------------------------------

async function openConversation(id) {
  state.openId = id;
  state.view = null;
  state.lastSeq = 0;
  state.readSent = 0;
  state.seen = new Set();
  history.replaceState(null, "", `#c=${encodeURIComponent(id)}`);
  const summary = state.conversations.get(id);
  if (summary) summary.unread = 0;
  renderList();
  $("thread-placeholder").hidden = true;
  document.querySelector(".thread-body").hidden = false;
  $("messages").replaceChildren();
  $("conversation-title").textContent = summary ? summary.title : "";
  $("thread-error").hidden = true;
  resetMeetings();
  await Promise.all([loadHeader(id), loadMessages(id), loadMeetings(id)]);
  $("reply-input").focus();
}

async function loadHeader(id) {
  try {
    const view = await call("GET", `/api/agent/conversations/${encodeURIComponent(id)}`);
    if (id !== state.openId) return;
    state.view = view;
    renderHeader();
  } catch (error) {
    if (error.status === 404) showError("This conversation is not visible to you any more.");
  }
}

async function loadMessages(id) {
  try {
    for (;;) {
      const path = `/api/agent/conversations/${encodeURIComponent(id)}/messages?after=${state.lastSeq}`;
      const { messages } = await call("GET", path);
      if (id !== state.openId) return;
      messages.forEach(addMessage);
      if (messages.length < 500) break;
    }
    markRead();
  } catch (_) {
    /* offline: catchUp() runs again after the reconnect */
  }
}

function renderHeader() {
  const view = state.view;
  $("conversation-title").textContent = view.title;
  $("assignee").textContent = assigneeLabel(view);
  const serviceSelect = $("assign-service");
  const current = view.assigned_service || view.service || (state.me.services[0] ?? "");
  serviceSelect.replaceChildren(...state.services.map((s) => el("option", { value: s.slug, selected: s.slug === current }, s.name)));
  renderAgentOptions(view.assignee);
  $("reply-input").disabled = !view.can_write;
}

function renderAgentOptions(selected) {
  const service = state.services.find((s) => s.slug === $("assign-service").value);
  const members = service ? service.members : [];
  $("assign-agent").replaceChildren(
    el("option", { value: "" }, `Anyone in ${service ? service.name : "the service"}`),
    ...members.map((m) => el("option", { value: m.slug, selected: m.slug === selected }, m.name)),
  );
}

$("assign-service").addEventListener("change", () => renderAgentOptions(null));

$("assign-me").addEventListener("click", () => assign({ to: "me" }));

$("assign-form").addEventListener("submit", (event) => {
  event.preventDefault();
  assign({ service: $("assign-service").value, assignee: $("assign-agent").value || null });
});

async function assign(body) {
  const id = state.openId;
  try {
    await call("POST", `/api/agent/conversations/${encodeURIComponent(id)}/assign`, body);
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
    {
      class: `msg ${kind}${message.internal ? " internal" : ""}`,
      testid: "message",
      "data-author-kind": author.kind,
      "data-internal": message.internal ? "true" : null,
    },
    kind === "system" ? null : el("div", { class: "author" }, message.internal ? `${author.name} · internal note` : author.name),
    el("div", { class: "text", testid: "message-text" }, message.text),
    kind === "system" ? null : el("time", { class: "meta" }, shortTime(message.created_at || new Date().toISOString())),
  );
}

/** Shows a stored message once; my own replaces its pending bubble. */
function addMessage(message) {
  if (state.seen.has(message.id)) return;
  state.seen.add(message.id);
  state.lastSeq = Math.max(state.lastSeq, message.seq);
  const mine = message.author.kind === "agent" && message.author.id === state.me.slug;
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
  call("POST", `/api/agent/conversations/${encodeURIComponent(state.openId)}/read`, { seq }).catch(() => {
    state.readSent = 0;
  });
}

document.addEventListener("visibilitychange", markRead);

// ---- replying ----------------------------------------------------------------------------------

$("reply-input").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("reply-form").requestSubmit();
  }
});

$("reply-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("reply-input").value.trim();
  if (!text || !state.openId) return;
  const internal = $("internal-note").checked;
  const clientId = uuid();
  state.pending.set(clientId, { conversationId: state.openId, text, internal });
  const node = bubble({ author: { kind: "agent", name: state.me.name }, text, internal }, true);
  node.dataset.clientId = clientId;
  node.dataset.status = "pending";
  $("messages").append(node);
  $("messages").scrollTop = $("messages").scrollHeight;
  $("reply-input").value = "";
  $("internal-note").checked = false;
  sendReply(clientId);
});

async function sendReply(clientId) {
  const item = state.pending.get(clientId);
  if (!item || item.sending) return;
  item.sending = true;
  const path = `/api/agent/conversations/${encodeURIComponent(item.conversationId)}/messages`;
  try {
    // The client_id makes a retry after a lost answer safe: the server stores the reply once.
    const { message } = await call("POST", path, { text: item.text, client_id: clientId, internal: item.internal });
    state.pending.delete(clientId);
    if (item.conversationId === state.openId) addMessage(message);
  } catch (error) {
    item.sending = false;
    const node = document.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`);
    if (error instanceof ApiError && error.status === 0) {
      if (node) node.dataset.status = "pending"; // retried after the reconnect
      state.socket.now();
      return;
    }
    state.pending.delete(clientId);
    if (node) node.dataset.status = "failed";
    showError(error.message);
  }
}

// ---- live --------------------------------------------------------------------------------------

function onFrame(frame) {
  if (frame.type === "message") {
    const message = frame.message;
    const summary = state.conversations.get(frame.conversation_id);
    if (!summary) return scheduleRefresh(); // new to me: the server knows how to show it
    summary.last_text = message.text;
    summary.last_message_at = message.created_at;
    summary.last_seq = message.seq;
    if (frame.conversation_id === state.openId) {
      addMessage(message);
      markRead();
    } else if (message.author.kind === "guest") {
      summary.unread += 1; // as the server counts: what guests wrote since I last read
    }
    renderList();
  } else if (frame.type === "event") {
    scheduleRefresh();
    onMeetingFrame(frame);
    if (frame.conversation_id === state.openId && frame.event !== "MessagesRead") loadHeader(state.openId);
  }
}

boot();
