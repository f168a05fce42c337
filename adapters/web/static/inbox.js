/* The web inbox for agents: sign-in by one-time link, then the conversations of my services, one
 * thread, replies, assignment and meetings, all live over one reconnecting socket.
 *
 * This module wires the parts (inbox-list.js, inbox-thread.js, inbox-meetings.js,
 * inbox-settings.js) to the shared lib: the API client and the live connection.
 */
import { apiClient } from "./lib/api.js";
import { LiveSocket, socketUrl } from "./lib/live.js";
import { initCreate, showLink } from "./inbox-create.js";
import { initList, loadServices, onListMessage, refreshList, scheduleRefresh, services, stamp, summary } from "./inbox-list.js";
import { initMeetings, onMeetingFrame, setZone } from "./inbox-meetings.js";
import { initInvitations, refreshInvitations } from "./inbox-invitations.js";
import { initInvite, openInvite } from "./inbox-invite.js";
import { initSettings, loadSettings, openSettings } from "./inbox-settings.js";
import { initContact, showContact } from "./inbox-contact.js";
import { initReplies } from "./inbox-replies.js";
import { focusMessage, initSearch } from "./inbox-search.js";
import { initKeys } from "./inbox-keys.js";
import { initNotify, onNotifyFrame, showUnread } from "./inbox-notify.js";
import { initPhone, showPane } from "./inbox-phone.js";
import { afterSignIn, currentDeepPath, readLink, rememberForSignIn } from "./inbox-route.js";
import { initPicture } from "./inbox-picture.js";
import { initStatus, onStatusFrame, resolveCurrent, setStatusZone } from "./inbox-status.js";
import { catchUpThread, initThread, onThreadEvent, onThreadMessage, openConversation, openId } from "./inbox-thread.js";
import { clearTyping, initTyping, onTypingFrame, onTypingMessage } from "./inbox-typing.js";

const TOKEN_KEY = "convene.agent.token";
const ENDED = "Your session has ended. Sign in again.";
const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

const state = { token: localStorage.getItem(TOKEN_KEY), me: null, socket: null };
const call = apiClient({ token: () => state.token });
const anonymous = apiClient();

// ---- sign-in -----------------------------------------------------------------------------------

async function boot() {
  if (location.pathname === "/inbox/login") {
    const query = new URLSearchParams(location.search);
    const oneTime = query.get("token");
    if (!oneTime) return showLogin();
    try {
      const { token } = await anonymous("POST", "/api/agent/login/redeem", { token: oneTime });
      localStorage.setItem(TOKEN_KEY, token);
      location.replace(afterSignIn(query.get("next"))); // the deep link the agent was following
    } catch (_) {
      showLogin("This sign-in link has expired or was used already. Ask for a new one below.");
    }
    return;
  }
  if (!state.token) return showLogin();
  try {
    state.me = await call("GET", "/api/agent/me");
  } catch (error) {
    if (error.status === 401) return signOut(ENDED);
    $("thread-placeholder").textContent = "The server cannot be reached. Retrying…";
    setTimeout(boot, 2000);
    return;
  }
  showApp();
}

function showLogin(message) {
  rememberForSignIn(); // a deep link followed while signed out opens after the sign-in
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
    const next = currentDeepPath();
    await anonymous("POST", "/api/agent/login", next ? { email, next } : { email });
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
  showUnread(0);
  showLogin(message);
}

// Signing out revokes the token on the server too: a copy of it (another tab, a stolen one) dies with it.
$("sign-out").addEventListener("click", async () => {
  try {
    await call("POST", "/api/agent/logout");
  } catch (_) {
    // Already ended or the server is away: this browser forgets it either way.
  }
  signOut("You are signed out.");
});
$("settings-open").addEventListener("click", () => openSettings());
$("invite-open").addEventListener("click", () => openInvite());

// ---- the app -----------------------------------------------------------------------------------

async function showApp() {
  document.getElementById("login").hidden = true;
  document.getElementById("app").hidden = false;
  $("agent-name").textContent = state.me.name;
  state.socket = new LiveSocket(socketUrl(location.origin, "/api/agent/ws"), () => ({ token: state.token }), {
    onState: setStatus,
    onReady: catchUp,
    onFrame,
    onUnauthorized: () => signOut(ENDED),
  });
  initList({ call, open: openWithContact, openId, onUnauthorized: () => signOut(ENDED), onUnread: showUnread });
  initNotify({ me: state.me, openId, open: openWithContact, summary });
  initThread({ call, me: state.me, token: () => state.token, reconnectNow: () => state.socket.now(), onHeader: showLink });
  initTyping({ send: (frame) => state.socket.send(frame), openId, me: state.me }); // "Ann is typing…"
  initPicture({ token: () => state.token, onChanged: () => (catchUpThread(), refreshList()) });
  initStatus({ call, me: state.me, openId, open: openWithContact, onChanged: () => Promise.all([catchUpThread(), refreshList()]) });
  initCreate({ call, me: state.me, services, open: openWithContact, refresh: refreshList });
  await setUpScheduling();
  initInvite({ call, me: state.me, onCreated: () => refreshInvitations() });
  initInvitations({ call, openId });
  // search, saved replies, contact panel (inbox-search.js, inbox-replies.js, inbox-contact.js)
  initSearch({ call, open: openWithContact, stamp });
  initContact({ call, open: openWithContact, stamp });
  initReplies({ call, me: state.me, guestName: () => summary(openId())?.guest_name });
  initPhone();
  initKeys({ open: (id) => openWithContact(id, { focusReply: false }), openId, assignToMe: () => $("assign-me").click(), resolveCurrent, showList: () => showPane("list") });
  await loadServices();
  await refreshList();
  openFromAddress();
  window.addEventListener("hashchange", openFromAddress); // an older link pasted into this tab
  state.socket.start();
}

/** The conversation (and message) the address names: a deep link, or an older mail's #c= form. */
async function openFromAddress() {
  const link = readLink();
  if (!link) return;
  await openWithContact(link.conversation, { message: link.message });
  if (link.message) focusMessage(link.message);
}

/** Opens a conversation, then its guest's contact beside it (settled before a search result scrolls). */
async function openWithContact(id, options) {
  clearTyping();
  showPane("thread"); // a phone shows the thread alone
  await openConversation(id, options);
  await showContact(id);
}

function setStatus(value) {
  const status = $("connection-status");
  status.dataset.state = value;
  status.textContent = { connecting: "Connecting…", reconnecting: "Reconnecting…", online: "Live" }[value] || "";
}

/** Meetings show in the agent's scheduling time zone, whatever the browser's zone is. */
async function setUpScheduling() {
  initSettings({ call, onSaved: (settings) => (setZone(settings.timezone), setStatusZone(settings.timezone)) });
  let zone;
  try {
    zone = (await loadSettings()).timezone;
  } catch (_) {
    zone = undefined; // the browser's zone until the settings can be read
  }
  setStatusZone(zone);
  initMeetings({ call, me: state.me, openId, ...(zone ? { zone } : {}) });
}

/** After every (re)connect: whatever changed while the socket was down. */
async function catchUp() {
  await refreshList();
  await catchUpThread();
}

function onFrame(frame) {
  onNotifyFrame(frame); // before the list marks it: a desktop notification, a sound
  if (frame.type === "message") {
    onListMessage(frame);
    onThreadMessage(frame);
    onTypingMessage(frame, openId);
  } else if (frame.type === "event") {
    scheduleRefresh();
    refreshInvitations(); // a booking moves an invitation to Meetings
    onMeetingFrame(frame);
    onThreadEvent(frame);
    onStatusFrame(frame); // a snooze of mine ended
  } else if (frame.type === "typing") {
    onTypingFrame(frame, openId);
  }
}

boot();
