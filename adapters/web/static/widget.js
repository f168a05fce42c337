/* Convene website widget.
 *
 *   <script src="https://convene.example.com/widget.js" data-service="sales" async></script>
 *   <script src="https://convene.example.com/widget.js" data-agent="alice" async></script>
 *
 * Plain JavaScript, no build step. Everything lives in a Shadow DOM so the host page's CSS cannot
 * reach in and ours cannot leak out. User text is only ever set with textContent.
 */
(() => {
  "use strict";

  const script =
    document.currentScript || document.querySelector('script[src*="widget.js"][data-service], script[src*="widget.js"][data-agent]');
  if (!script || script.dataset.conveneLoaded) return;
  script.dataset.conveneLoaded = "1";

  // The API lives wherever the script came from, whichever website embeds it.
  const API = new URL("./", script.src).href.replace(/\/$/, "");
  const WS_URL = API.replace(/^http/, "ws") + "/api/guest/ws";
  const target = script.dataset.agent ? { agent: script.dataset.agent } : { service: script.dataset.service || "sales" };
  const TARGET_KEY = target.agent ? `agent:${target.agent}` : `service:${target.service}`;
  // One session per Convene host (the host page's origin scopes localStorage already).
  const SESSION_KEY = `convene:${API}:session`;
  const PENDING_KEY = `convene:${API}:pending:${TARGET_KEY}`;
  const RECONNECT_MAX_MS = 8000;
  const PING_EVERY_MS = 25000;

  const state = {
    session: readJSON(SESSION_KEY),
    conversationId: null,
    lastSeq: 0,
    seen: new Set(), // message ids already shown: live frames and catch-up overlap
    pending: readJSON(PENDING_KEY) || [], // {client_id, text} not yet acknowledged by the server
    ws: null,
    ready: false, // authenticated ("hello" received)
    everConnected: false,
    attempt: 0,
    retryTimer: null,
    pingTimer: null,
    open: false,
    unread: 0,
    readSeq: 0, // the last seq we told the server we have read
  };

  // ---- small helpers -------------------------------------------------------------------------

  function readJSON(key) {
    try {
      return JSON.parse(localStorage.getItem(key) || "null");
    } catch (_) {
      return null;
    }
  }

  function writeJSON(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (_) {
      /* private mode: the session lasts as long as the page */
    }
  }

  /** Builds an element; string children become text nodes, so user text can never become markup. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "testid") node.dataset.testid = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    // Pages served over plain http have no randomUUID; getRandomValues works everywhere.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  async function api(method, path, body, extraHeaders) {
    const headers = { "Content-Type": "application/json", ...(extraHeaders || {}) };
    if (state.session) headers.Authorization = `Bearer ${state.session.token}`;
    const response = await fetch(API + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(data.message || `HTTP ${response.status}`);
      error.status = response.status;
      error.code = data.code;
      error.data = data; // e.g. slot_taken carries its alternatives
      throw error;
    }
    return data;
  }

  function timeOf(iso) {
    const when = iso ? new Date(iso) : new Date();
    return when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  /** Icons are drawn as SVG: emoji fonts are missing on many machines. */
  function icon(className, d) {
    const NS = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", className);
    const path = document.createElementNS(NS, "path");
    path.setAttribute("d", d);
    path.setAttribute("fill", "currentColor");
    svg.append(path);
    return svg;
  }

  const chatIcon = () =>
    icon("launcher-icon", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  const calendarIcon = () =>
    icon(
      "icon",
      "M7 2h2v2h6V2h2v2h2a2 2 0 0 1 2 2v13a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2h2V2zM5 9v10h14V9H5zm2 2h4v4H7v-4z",
    );

  // ---- the DOM ---------------------------------------------------------------------------------

  const host = el("div", { id: "convene-widget", "data-convene": "widget" });
  const root = host.attachShadow({ mode: "open" });
  const shell = el("div", { class: "shell", style: "display:none" });
  const stylesheet = el("link", { rel: "stylesheet", href: `${API}/static/widget.css` });
  // Shown once styled: no flash of an unstyled panel on the host page.
  stylesheet.addEventListener("load", () => shell.style.removeProperty("display"));
  stylesheet.addEventListener("error", () => shell.style.removeProperty("display"));

  const badge = el("span", { class: "badge", testid: "unread-badge", hidden: true });
  const launcher = el(
    "button",
    { class: "launcher", type: "button", testid: "launcher", "aria-label": "Open chat", onclick: () => toggle() },
    chatIcon(),
    badge,
  );
  const title = el("div", { class: "title", testid: "widget-title" }, script.dataset.title || "Chat with us");
  const status = el("div", { class: "status", testid: "connection-status", "data-state": "idle", role: "status", hidden: true });
  const list = el("div", { class: "messages", testid: "messages", "aria-live": "polite" });
  // Hook for buttons under the thread (the booking UI adds "Schedule a meeting" here): see renderActions().
  const actions = el("div", { class: "actions", testid: "widget-actions" });
  const input = el("textarea", { class: "input", testid: "message-input", rows: "1", placeholder: "Write a message…", maxlength: "4000" });
  const sendButton = el("button", { class: "send", type: "submit", testid: "send-button" }, "Send");
  const composer = el("form", { class: "composer", onsubmit: onSend }, input, sendButton);
  const chat = el("div", { class: "chat" }, status, list, composer);
  // Filled by the booking module (widget-booking.js, loaded on first use): the guest's upcoming
  // meetings above the thread, and the scheduling view that takes the chat's place while open.
  const meetingsHost = el("div", { class: "meetings", testid: "meetings", hidden: true });
  const bookingHost = el("div", { class: "booking", testid: "booking-panel", hidden: true });

  const nameInput = el("input", { testid: "name-input", name: "name", required: true, maxlength: "200", autocomplete: "name" });
  const emailInput = el("input", { testid: "email-input", name: "email", type: "email", maxlength: "320", autocomplete: "email" });
  const formError = el("p", { class: "form-error", testid: "form-error", hidden: true });
  const startButton = el("button", { class: "primary", type: "submit", testid: "start-button" }, "Start chat");
  const intro = el(
    "form",
    { class: "intro", onsubmit: onStart },
    el("p", { class: "lead" }, "Hi! Tell us who you are and we'll get back to you right here."),
    el("label", {}, "Your name", nameInput),
    el("label", {}, "Email (optional, for replies when you're away)", emailInput),
    formError,
    startButton,
  );
  const closeButton = el("button", { class: "close", type: "button", "aria-label": "Close chat", onclick: () => toggle(false) }, "×");
  const panel = el(
    "section",
    { class: "panel", testid: "widget-panel", hidden: true, role: "dialog", "aria-label": "Chat" },
    el("header", {}, title, closeButton),
    actions, // visible with or without a session: booking may come before the first message
    meetingsHost,
    intro,
    chat,
    bookingHost,
  );
  shell.append(panel, launcher);
  root.append(stylesheet, shell);

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  // ---- actions hook ----------------------------------------------------------------------------

  const registeredActions = [];

  /** Redraws the toolbar under the thread. Each action: {id, label, run(context), icon?, testid?}. */
  function renderActions() {
    actions.replaceChildren(
      ...registeredActions.map((action) =>
        el(
          "button",
          { type: "button", class: "action", testid: action.testid || `action-${action.id}`, onclick: () => action.run(context()) },
          action.icon ? action.icon() : null,
          action.label,
        ),
      ),
    );
    actions.hidden = registeredActions.length === 0;
  }

  function context() {
    return { api, target, session: state.session, conversationId: state.conversationId, notice: showNotice, root };
  }

  // ---- booking module --------------------------------------------------------------------------

  const frameListeners = [];
  const sessionListeners = [];
  let booking = null; // a promise of the booking module's handle: {open()}

  /** Loads widget-booking.js from the Convene host once; a classic script needs no CORS. */
  function loadBooking() {
    if (!booking) {
      booking = new Promise((resolve, reject) => {
        const tag = document.createElement("script");
        tag.src = `${API}/static/widget-booking.js`;
        tag.async = true;
        tag.onload = () => {
          const install = window.Convene && window.Convene.installBooking;
          if (typeof install === "function") resolve(install(bookingHooks()));
          else reject(new Error("no booking module"));
        };
        tag.onerror = () => reject(new Error("no booking module"));
        document.head.append(tag);
      });
      booking.catch(() => {
        booking = null; // try again on the next click
      });
    }
    return booking;
  }

  /** What the booking module may use: the widget's plumbing, not the host page's globals. */
  function bookingHooks() {
    return {
      api,
      el,
      uuid,
      icon: calendarIcon,
      target,
      meetingsHost,
      bookingHost,
      notice: showNotice,
      session: () => state.session,
      conversationId: () => state.conversationId,
      startSession,
      showBooking(show) {
        bookingHost.hidden = !show;
        if (show) {
          intro.hidden = true;
          chat.hidden = true;
        } else {
          renderView();
          scrollDown();
        }
      },
      onFrame: (listener) => frameListeners.push(listener),
      onSession: (listener) => sessionListeners.push(listener),
    };
  }

  function openBooking() {
    loadBooking()
      .then((module) => module.open())
      .catch(() => showNotice("Scheduling is not available right now. Please try again."));
  }

  // ---- views -----------------------------------------------------------------------------------

  function toggle(force) {
    state.open = force === undefined ? !state.open : force;
    panel.hidden = !state.open;
    if (state.open && bookingEnabled && state.session) loadBooking().catch(() => {}); // upcoming meetings
    launcher.setAttribute("aria-label", state.open ? "Close chat" : "Open chat");
    if (state.open) {
      state.unread = 0;
      renderBadge();
      (state.session ? input : nameInput).focus();
      markRead();
      scrollDown();
    }
  }

  function renderBadge() {
    badge.textContent = state.unread > 99 ? "99+" : String(state.unread);
    badge.hidden = state.unread === 0;
  }

  function renderView() {
    if (!bookingHost.hidden) return; // the scheduling view stays until it is closed
    intro.hidden = Boolean(state.session);
    chat.hidden = !state.session;
  }

  function setStatus(value) {
    const text = { connecting: "Connecting…", reconnecting: "Reconnecting…", online: "Connected" }[value];
    status.dataset.state = value;
    status.textContent = text || "";
    status.hidden = value === "online" || value === "idle";
  }

  function scrollDown() {
    list.scrollTop = list.scrollHeight;
  }

  function showNotice(text) {
    list.append(el("div", { class: "msg notice", testid: "notice" }, text));
    scrollDown();
  }

  function bubble(kind, authorName, text, when) {
    const mine = kind === "mine";
    return el(
      "div",
      { class: `msg ${kind}`, testid: "message", "data-author-kind": mine ? "guest" : kind },
      kind === "agent" ? el("div", { class: "author", testid: "message-author" }, authorName) : null,
      el("div", { class: "text", testid: "message-text" }, text),
      kind === "system" ? null : el("div", { class: "meta" }, el("time", {}, timeOf(when)), mine ? el("span", { class: "tick" }) : null),
    );
  }

  function renderPending(item) {
    const node = bubble("mine", "", item.text, null);
    node.dataset.clientId = item.client_id;
    node.dataset.status = "pending";
    list.append(node);
    scrollDown();
  }

  /** Shows a server message once; an own message replaces its pending bubble. */
  function addMessage(message) {
    if (message.internal || state.seen.has(message.id)) return;
    state.seen.add(message.id);
    state.lastSeq = Math.max(state.lastSeq, message.seq);
    const author = message.author;
    const mine = author.kind === "guest" && state.session && author.id === state.session.guest_id;
    let node = message.client_id && mine ? list.querySelector(`[data-client-id="${CSS.escape(message.client_id)}"]`) : null;
    if (node) {
      node.dataset.status = "sent";
      node.remove(); // re-inserted below at its place in the thread
    } else {
      const kind = mine ? "mine" : author.kind === "system" ? "system" : author.kind === "guest" ? "guest" : "agent";
      node = bubble(kind, author.name, message.text, message.created_at);
      if (message.client_id) node.dataset.clientId = message.client_id;
    }
    node.dataset.messageId = message.id;
    node.dataset.seq = String(message.seq);
    const later = [...list.querySelectorAll("[data-seq]")].find((other) => Number(other.dataset.seq) > message.seq);
    const firstPending = list.querySelector('[data-status="pending"], [data-status="failed"]');
    list.insertBefore(node, later || firstPending || null);
    if (!mine && author.kind !== "system" && !state.open) {
      state.unread += 1;
      renderBadge();
    }
    scrollDown();
  }

  // ---- session ---------------------------------------------------------------------------------

  async function onStart(event) {
    event.preventDefault();
    const name = nameInput.value.trim();
    if (!name) return;
    startButton.disabled = true;
    formError.hidden = true;
    try {
      await startSession(name, emailInput.value.trim());
      input.focus();
    } catch (error) {
      formError.textContent = error.message || "Could not start the chat. Please try again.";
      formError.hidden = false;
    } finally {
      startButton.disabled = false;
    }
  }

  /** Signs the guest in (the chat form and the booking view both ask for a name). */
  async function startSession(name, email) {
    const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const body = { name, timezone };
    if (email) body.email = email;
    const created = await api("POST", "/api/guest/sessions", body);
    state.session = { token: created.token, guest_id: created.guest_id, name: created.name };
    writeJSON(SESSION_KEY, state.session);
    renderView();
    connect();
    sessionListeners.forEach((listener) => listener(state.session));
    if (bookingEnabled) loadBooking().catch(() => {}); // lists the guest's meetings
    return state.session;
  }

  function forgetSession(reason) {
    state.session = null;
    state.conversationId = null;
    state.lastSeq = 0;
    state.seen.clear();
    state.pending = [];
    writeJSON(SESSION_KEY, null);
    writeJSON(PENDING_KEY, null);
    list.replaceChildren();
    closeSocket();
    setStatus("idle");
    renderView();
    sessionListeners.forEach((listener) => listener(null));
    if (reason) {
      formError.textContent = reason;
      formError.hidden = false;
    }
  }

  // ---- sending ---------------------------------------------------------------------------------

  function onSend(event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || !state.session) return;
    input.value = "";
    const item = { client_id: uuid(), text };
    state.pending.push(item);
    writeJSON(PENDING_KEY, state.pending);
    renderPending(item);
    if (state.ready) transmit(item);
    else reconnectNow(); // typing is a good moment to stop waiting out a backoff
  }

  function transmit(item) {
    const frame = { type: "send", text: item.text, client_id: item.client_id };
    // Unacknowledged sends go out again with the same client_id: the server stores them once.
    if (state.conversationId) frame.conversation_id = state.conversationId;
    else Object.assign(frame, target);
    state.ws.send(JSON.stringify(frame));
  }

  function settle(clientId) {
    state.pending = state.pending.filter((item) => item.client_id !== clientId);
    writeJSON(PENDING_KEY, state.pending);
  }

  // ---- live connection -------------------------------------------------------------------------

  function connect() {
    if (!state.session || state.ws) return;
    clearTimeout(state.retryTimer);
    state.retryTimer = null;
    setStatus(state.everConnected ? "reconnecting" : "connecting");
    const ws = new WebSocket(WS_URL);
    state.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ token: state.session.token }));
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (_) {
        return;
      }
      onFrame(frame);
    };
    ws.onclose = (event) => {
      if (state.ws !== ws) return;
      state.ws = null;
      state.ready = false;
      clearInterval(state.pingTimer);
      if (event.code === 4401) {
        forgetSession("Your chat session has expired. Please start again.");
        return;
      }
      scheduleReconnect();
    };
  }

  async function onFrame(frame) {
    frameListeners.forEach((listener) => listener(frame));
    if (frame.type === "hello") {
      state.ready = true;
      state.everConnected = true;
      state.attempt = 0;
      setStatus("online");
      state.pingTimer = setInterval(() => state.ws && state.ws.send('{"type":"ping"}'), PING_EVERY_MS);
      await catchUp();
      for (const item of state.pending) if (state.ready) transmit(item);
    } else if (frame.type === "message") {
      if (frame.conversation_id === state.conversationId) {
        addMessage(frame.message);
        markRead();
      } else if (!state.conversationId) {
        // Before our first ack: the guest may also have other conversations (another service, an
        // agent's personal link) on this socket, so ask which one is ours.
        catchUp();
      }
    } else if (frame.type === "ack") {
      if (!state.conversationId) {
        state.conversationId = frame.conversation_id;
        refreshTitle(); // the first message started the conversation: now it has a name
      }
      settle(frame.client_id);
      addMessage(frame.message);
    } else if (frame.type === "event" && frame.event === "ConversationRenamed" && frame.conversation_id === state.conversationId) {
      if (frame.data && frame.data.title) title.textContent = frame.data.title;
    } else if (frame.type === "error" && frame.client_id) {
      settle(frame.client_id);
      const node = list.querySelector(`[data-client-id="${CSS.escape(frame.client_id)}"]`);
      if (node) node.dataset.status = "failed";
      showNotice(frame.message || "This message could not be sent.");
    }
  }

  /** Whatever happened while we were away: the conversation, then every message after the last one. */
  async function catchUp() {
    try {
      const { conversations } = await api("GET", "/api/guest/conversations");
      const mine = conversations.find((c) => (target.agent ? c.agent === target.agent : c.service === target.service && !c.agent));
      if (!mine) return;
      state.conversationId = mine.id;
      title.textContent = mine.title;
      for (;;) {
        const { messages } = await api("GET", `/api/guest/conversations/${encodeURIComponent(mine.id)}/messages?after=${state.lastSeq}`);
        messages.forEach(addMessage);
        if (messages.length < 500) break;
      }
      markRead();
    } catch (error) {
      if (error.status === 401) forgetSession("Your chat session has expired. Please start again.");
      // Anything else: the socket's own reconnect brings us back here.
    }
  }

  async function refreshTitle() {
    try {
      const conversation = await api("GET", `/api/guest/conversations/${encodeURIComponent(state.conversationId)}`);
      title.textContent = conversation.title;
    } catch (_) {
      /* cosmetic: the next catch-up sets it */
    }
  }

  async function markRead() {
    if (!state.open || !state.conversationId || !state.lastSeq || document.hidden) return;
    if (state.readSeq >= state.lastSeq) return;
    state.readSeq = state.lastSeq;
    api("POST", `/api/guest/conversations/${encodeURIComponent(state.conversationId)}/read`, { seq: state.lastSeq }).catch(() => {
      state.readSeq = 0;
    });
  }

  function scheduleReconnect() {
    if (!state.session || state.retryTimer) return;
    setStatus(state.everConnected ? "reconnecting" : "connecting");
    // Exponential backoff with jitter, so a restarted server is not hit by every widget at once.
    const delay = Math.min(RECONNECT_MAX_MS, 500 * 2 ** state.attempt) * (0.75 + Math.random() * 0.5);
    state.attempt += 1;
    state.retryTimer = setTimeout(() => {
      state.retryTimer = null;
      connect();
    }, delay);
  }

  function reconnectNow() {
    if (state.ws || !state.session) return;
    clearTimeout(state.retryTimer);
    state.retryTimer = null;
    connect();
  }

  function closeSocket() {
    const ws = state.ws;
    state.ws = null;
    state.ready = false;
    clearInterval(state.pingTimer);
    clearTimeout(state.retryTimer);
    state.retryTimer = null;
    if (ws) ws.close();
  }

  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      reconnectNow();
      markRead();
    }
  });

  // ---- start -----------------------------------------------------------------------------------

  // A page may want to add buttons (booking) or open the chat: window.Convene.widget.
  window.Convene = window.Convene || {};
  window.Convene.widget = {
    open: () => toggle(true),
    close: () => toggle(false),
    addAction(action) {
      registeredActions.push(action);
      renderActions();
    },
    renderActions,
    context,
  };

  // Sites that only want the chat: data-booking="off".
  const bookingEnabled = script.dataset.booking !== "off";
  if (bookingEnabled) {
    registeredActions.push({ id: "schedule", testid: "schedule-meeting", label: "Schedule a meeting", icon: calendarIcon, run: openBooking });
  }

  function mount() {
    document.body.append(host);
    renderView();
    renderActions();
    state.pending.forEach(renderPending);
    if (state.session) connect();
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
