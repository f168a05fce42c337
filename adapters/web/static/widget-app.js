/* The Convene widget's behaviour: the guest's session, sending with retries, the live connection,
 * unread counts, the toolbar hook, and loading the booking module on first use. What guests see
 * besides the thread has its own module: the team and working hours (widget-presence.js), typing
 * (lib/typing.js), "Seen" (widget-seen.js), the preview and title blink (widget-attention.js), the
 * keyboard (widget-focus.js) and the look (widget-look.js). Texts come from lib/i18n.js.
 *
 * widget.js (a classic script any website can embed) imports this module from the Convene host
 * and calls start(); the modules it imports come from that host too (/static/lib/, sent with CORS
 * headers). Messages typed while offline are kept in localStorage and sent again with the same
 * client_id, which the server stores once.
 */
import { apiClient, seg, uuid } from "./lib/api.js";
import { calendarIcon, submitOnEnter } from "./lib/dom.js";
import { pickLanguage, translator } from "./lib/i18n.js";
import { catchUpAfter, LiveSocket, socketUrl } from "./lib/live.js";
import { viewerZone } from "./lib/time.js";
import { typingLine, typingSignal } from "./lib/typing.js";
import { attention } from "./widget-attention.js";
import { keyboard } from "./widget-focus.js";
import { lookOf } from "./widget-look.js";
import { presence } from "./widget-presence.js";
import { seenMarker } from "./widget-seen.js";
import { readJSON, writeJSON } from "./widget-store.js";
import { widgetFiles } from "./widget-files.js";
import { messageThread } from "./widget-thread.js";
import { buildView } from "./widget-view.js";

/** script: the embedding <script> tag (its data-* attributes); origin: the Convene host. */
export async function start(script, origin) {
  const t = await translator(pickLanguage());
  const EXPIRED = t("widget.expired");
  const target = script.dataset.agent ? { agent: script.dataset.agent } : { service: script.dataset.service || "sales" };
  const TARGET_KEY = target.agent ? `agent:${target.agent}` : `service:${target.service}`;
  // One session per Convene host (the host page's origin scopes localStorage already).
  const SESSION_KEY = `convene:${origin}:session`;
  const PENDING_KEY = `convene:${origin}:pending:${TARGET_KEY}`;
  const bookingEnabled = script.dataset.booking !== "off"; // sites that only want the chat
  const fixed = script.dataset.conversation || null; // the guest's page for one conversation (/c/{id})
  const fullPage = script.dataset.layout === "page"; // /chat/{agent}: the page is the chat

  const state = {
    session: readJSON(SESSION_KEY),
    conversationId: null,
    pending: readJSON(PENDING_KEY) || [], // {client_id, text} not yet acknowledged by the server
    open: false,
    unread: 0,
    readSeq: 0, // the last seq we told the server we have read
  };
  const call = apiClient({ base: origin, token: () => state.session && state.session.token });
  const view = buildView({ origin, t, look: lookOf(script), on: { toggle, start: onStart, send: onSend, continue: onContinue }, page: fullPage });
  const isMine = (author) => author.kind === "guest" && Boolean(state.session) && author.id === state.session.guest_id;
  const files = widgetFiles({ origin, view, token: () => state.session && state.session.token, conversationId: () => state.conversationId });
  const thread = messageThread(view.list, isMine, t.locale, files.show);
  const seen = seenMarker(view.list, t);
  const team = presence({ view, call, t, target });
  const typing = typingLine(view.typing, (name) => t("presence.typing", { name }));
  const notify = attention({ view, t, open: () => toggle(true) });
  keyboard({ view, isOpen: () => state.open, close: () => toggle(false), page: fullPage });
  const socket = new LiveSocket(socketUrl(origin, "/api/guest/ws"), () => ({ token: state.session.token }), {
    onState: view.setStatus,
    onReady,
    onFrame,
    onUnauthorized: () => forgetSession(EXPIRED),
  });
  submitOnEnter(view.input, view.composer);
  const signal = typingSignal(view.input, () => (state.conversationId ? { type: "typing", conversation_id: state.conversationId } : null), (frame) => socket.send(frame));
  files.connect({ thread, addMessage });

  // ---- the toolbar hook and the booking module ---------------------------------------------------

  const registeredActions = [];
  const frameListeners = [];
  const sessionListeners = [];
  let booking = null; // a promise of the booking module's handle: {open()}

  const renderActions = () => view.renderActions(registeredActions, context);
  const context = () => ({ api: call, target, session: state.session, conversationId: state.conversationId, notice: thread.notice, root: view.root });

  /** Imports widget-booking.js from the Convene host once; a failed load is tried again next time. */
  function loadBooking() {
    if (!booking) {
      booking = import("./widget-booking.js").then((module) => module.installBooking(bookingHooks()));
      booking.catch(() => {
        booking = null;
      });
    }
    return booking;
  }

  /** What the booking module may use: the widget's plumbing, not the host page's globals. */
  function bookingHooks() {
    return {
      call,
      target,
      t,
      meetingsHost: view.meetingsHost,
      bookingHost: view.bookingHost,
      notice: thread.notice,
      session: () => state.session,
      conversationId: () => state.conversationId,
      startSession,
      showBooking(show) {
        view.showBooking(show, Boolean(state.session));
        if (!show) thread.scrollDown();
      },
      onFrame: (listener) => frameListeners.push(listener),
      onSession: (listener) => sessionListeners.push(listener),
    };
  }

  function openBooking() {
    loadBooking()
      .then((module) => module.open())
      .catch(() => thread.notice(t("widget.scheduleUnavailable")));
  }

  // ---- views -------------------------------------------------------------------------------------

  function toggle(force) {
    state.open = force === undefined ? !state.open : force;
    const focusInside = view.panel.contains(view.root.activeElement);
    view.setOpen(state.open);
    if (!state.open && focusInside && !fullPage) view.launcher.focus(); // back where the guest came from
    if (state.open && bookingEnabled && state.session) loadBooking().catch(() => {}); // upcoming meetings
    if (state.open) {
      notify.opened();
      state.unread = 0;
      view.setUnread(0);
      (state.session ? view.input : view.nameInput).focus();
      markRead();
      thread.scrollDown();
    }
  }

  /** live: it arrived just now (not from a catch-up page), so it is news worth announcing. */
  function addMessage(message, live = false) {
    if (!thread.add(message)) return;
    seen.place();
    if (isMine(message.author) || message.author.kind === "system") return;
    typing.done(message.author);
    if (live) notify.incoming(message, state.open);
    if (!state.open) {
      state.unread += 1;
      view.setUnread(state.unread);
    }
  }

  // ---- session -----------------------------------------------------------------------------------

  async function onStart(event) {
    event.preventDefault();
    const name = view.nameInput.value.trim();
    if (!name) return;
    view.startButton.disabled = true;
    view.showFormError("");
    try {
      await startSession(name, view.emailInput.value.trim());
      view.input.focus();
    } catch (error) {
      view.showFormError(error.message || t("widget.startFailed"));
    } finally {
      view.startButton.disabled = false;
    }
  }

  /** "Continue a previous conversation": the link comes by mail (bot/returning); the answer is always the same. */
  async function onContinue(event) {
    event.preventDefault();
    const email = view.continueEmail.value.trim();
    if (!email) return;
    const body = { email };
    if (fixed) body.conversation = fixed;
    try {
      await call("POST", "/api/guest/continue", body);
      view.continueStatus.textContent = t("widget.continueSent");
    } catch (error) {
      view.continueStatus.textContent = error.message || t("widget.continueFailed");
    }
    view.continueStatus.hidden = false;
  }

  /** Signs the guest in (the chat form and the booking view both ask for a name). */
  async function startSession(name, email) {
    const body = { name, timezone: viewerZone(), page_url: location.href }; // the embedding page: where the guest came from
    if (email) body.email = email;
    const created = await call("POST", "/api/guest/sessions", body);
    state.session = { token: created.token, guest_id: created.guest_id, name: created.name };
    writeJSON(SESSION_KEY, state.session);
    view.showChat(true);
    socket.start();
    sessionListeners.forEach((listener) => listener(state.session));
    if (bookingEnabled) loadBooking().catch(() => {}); // lists the guest's meetings
    team.onSession();
    return state.session;
  }

  function forgetSession(reason) {
    state.session = null;
    state.conversationId = null;
    state.pending = [];
    state.readSeq = 0;
    writeJSON(SESSION_KEY, null);
    writeJSON(PENDING_KEY, null);
    thread.clear();
    seen.reset();
    typing.hide();
    socket.stop();
    view.setStatus("idle");
    view.showChat(false);
    sessionListeners.forEach((listener) => listener(null));
    if (reason) view.showFormError(reason);
  }

  // ---- sending -----------------------------------------------------------------------------------

  function onSend(event) {
    event.preventDefault();
    const text = view.input.value.trim();
    if (!text || !state.session) return;
    view.input.value = "";
    const item = { client_id: uuid(), text };
    state.pending.push(item);
    writeJSON(PENDING_KEY, state.pending);
    thread.pending(item);
    signal.reset();
    if (!transmit(item)) socket.now(); // typing is a good moment to stop waiting out a backoff
  }

  /** Sends (again) with the same client_id: the server stores a message once. */
  function transmit(item) {
    const frame = { type: "send", text: item.text, client_id: item.client_id };
    if (state.conversationId) frame.conversation_id = state.conversationId;
    else Object.assign(frame, target, { page_url: location.href });
    return socket.send(frame);
  }

  function settle(clientId) {
    state.pending = state.pending.filter((item) => item.client_id !== clientId);
    writeJSON(PENDING_KEY, state.pending);
  }

  // ---- live --------------------------------------------------------------------------------------

  async function onReady() {
    frameListeners.forEach((listener) => listener({ type: "hello" }));
    await catchUp();
    for (const item of state.pending) if (!transmit(item)) break;
  }

  function onFrame(frame) {
    frameListeners.forEach((listener) => listener(frame));
    if (frame.type === "message") {
      if (frame.conversation_id === state.conversationId) {
        addMessage(frame.message, true);
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
      if (frame.data && frame.data.title) view.title.textContent = frame.data.title;
      refreshTitle(); // the picture may come or go with the title (bot/titles.py)
    } else if (frame.type === "event" && frame.event === "ConversationPictureChanged" && frame.conversation_id === state.conversationId) {
      refreshTitle();
    } else if (frame.type === "event" && frame.event === "ConversationSeen" && frame.conversation_id === state.conversationId) {
      seen.set(frame.data && frame.data.seq);
    } else if (frame.type === "typing" && frame.conversation_id === state.conversationId && frame.author) {
      typing.show(frame.author);
    } else if (frame.type === "error" && frame.client_id) {
      settle(frame.client_id);
      thread.failed(frame.client_id);
      thread.notice(frame.message || t("widget.sendFailed"));
    }
  }

  /** Whatever happened while we were away: the conversation, then every message after the last one. */
  async function catchUp() {
    try {
      const { conversations } = await call("GET", "/api/guest/conversations");
      // The one conversation of this page; or the one with this agent; or the one with this service,
      // first the one the guest wrote to it (it may have moved since), then one moved here.
      const byService = (key) => conversations.find((c) => c[key] === target.service && !c.agent);
      const mine = fixed
        ? conversations.find((c) => c.id === fixed)
        : target.agent
          ? conversations.find((c) => c.agent === target.agent)
          : byService("first_service") || byService("service");
      if (!mine) {
        if (fixed) {
          thread.notice(t("widget.notOpenHere"));
          view.continueForm.hidden = false;
        }
        return;
      }
      state.conversationId = mine.id;
      view.showHeading(mine);
      const page = (after) => call("GET", `/api/guest/conversations/${seg(mine.id)}/messages?after=${after}`);
      await catchUpAfter(thread.lastSeq, page, (message) => addMessage(message));
      seen.set(mine.seen_seq);
      markRead();
    } catch (error) {
      if (error.status === 401) forgetSession(EXPIRED);
      // Anything else: the socket's own reconnect brings us back here.
    }
  }

  async function refreshTitle() {
    try {
      const conversation = await call("GET", `/api/guest/conversations/${seg(state.conversationId)}`);
      view.showHeading(conversation);
    } catch (_) {
      /* cosmetic: the next catch-up sets it */
    }
  }

  function markRead() {
    const seq = thread.lastSeq;
    if (!state.open || !state.conversationId || !seq || document.hidden || state.readSeq >= seq) return;
    state.readSeq = seq;
    call("POST", `/api/guest/conversations/${seg(state.conversationId)}/read`, { seq }).catch(() => {
      state.readSeq = 0;
    });
  }

  document.addEventListener("visibilitychange", () => document.hidden || markRead());

  // ---- start -------------------------------------------------------------------------------------

  // A page may want to add buttons or open the chat: window.Convene.widget.
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
  if (bookingEnabled) {
    registeredActions.push({ id: "schedule", testid: "schedule-meeting", label: t("widget.schedule"), icon: calendarIcon, run: openBooking });
  }

  function mount() {
    document.body.append(view.host);
    view.showChat(Boolean(state.session));
    renderActions();
    state.pending.forEach(thread.pending);
    if (state.session) socket.start();
    team.start(() => state.session);
    if (fullPage) toggle(true);
  }

  /** A one-time email link (?email_link=…) proves the guest's address and signs this browser in. */
  async function redeemEmailLink() {
    const params = new URLSearchParams(location.search);
    const token = params.get("email_link");
    if (!token) return;
    params.delete("email_link"); // used once: a reload or a shared URL must not show it again
    history.replaceState(null, "", location.pathname + (params.toString() ? `?${params}` : "") + location.hash);
    try {
      const redeemed = await call("POST", "/api/guest/email/redeem", { token });
      if (state.session) forgetSession();
      state.session = { token: redeemed.token, guest_id: redeemed.guest_id, name: redeemed.name };
      writeJSON(SESSION_KEY, state.session);
      view.showChat(true);
      socket.start();
      sessionListeners.forEach((listener) => listener(state.session));
      team.onSession();
      toggle(true);
    } catch (_) {
      thread.notice(t("widget.linkExpired"));
      toggle(true);
    }
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
  redeemEmailLink();
}
