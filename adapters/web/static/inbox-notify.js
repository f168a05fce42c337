/* Desktop notifications, a sound and the unread count in the tab's title.
 *
 * Notified: a new conversation in my services (or through my personal link), a guest's message in a
 * conversation assigned to me, a mention of me in an internal note (the engine names who a note
 * mentions: bot/notices.py). Nothing for the conversation I am looking at, nor for one I created. The browser's permission is
 * asked only from the visible "Turn on notifications" button, never on load. The sound (a short
 * WebAudio beep) has its own switch, kept in this browser. Whether these also reach Slack or Teams is a
 * server-side preference (inbox-preferences.js).
 */
const SOUND_KEY = "convene.inbox.sound";
const TITLE = "Convene inbox";
const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
const ctx = { me: null, openId: () => null, open: () => {}, summary: () => null };
let audio = null;

const supported = () => "Notification" in window;
const soundOn = () => localStorage.getItem(SOUND_KEY) !== "off";

/** me: {slug, services}; openId(); open(id); summary(id): the list's row (its assignee). */
export function initNotify(options) {
  Object.assign(ctx, options);
  const button = $("notify-enable");
  renderPermission();
  button.addEventListener("click", async () => {
    try {
      await Notification.requestPermission();
    } finally {
      renderPermission();
    }
  });
  $("sound-toggle").addEventListener("click", () => {
    localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on");
    renderSound();
    if (soundOn()) beep(); // hear what it sounds like (and a click is the gesture audio needs)
  });
  renderSound();
}

function renderPermission() {
  const button = $("notify-enable");
  const state = supported() ? Notification.permission : "unsupported";
  button.hidden = state !== "default";
  button.dataset.permission = state;
}

function renderSound() {
  const toggle = $("sound-toggle");
  toggle.setAttribute("aria-pressed", String(soundOn()));
  toggle.textContent = soundOn() ? "Sound on" : "Sound off";
}

/** "(3) Convene inbox": the unread messages of the list, in the tab's title. */
export function showUnread(count) {
  document.title = count > 0 ? `(${count}) ${TITLE}` : TITLE;
}

/** A live frame: is it something to tell me about? */
export function onNotifyFrame(frame) {
  const notice = noticeFor(frame);
  if (!notice) return;
  const looking = document.visibilityState === "visible" && document.hasFocus() && ctx.openId() === frame.conversation_id;
  if (looking) return;
  show(notice, frame.conversation_id);
}

function noticeFor(frame) {
  const me = ctx.me;
  if (frame.type === "message") {
    const message = frame.message;
    if (message.author.kind === "agent" && message.author.id === me.slug) return null;
    if (message.internal && (frame.mentions || []).includes(me.slug)) {
      return { title: `${message.author.name} mentioned you`, body: message.text, kind: "mention" };
    }
    const row = ctx.summary(frame.conversation_id);
    if (message.author.kind === "guest" && !message.internal && row && row.assignee === me.slug) {
      return { title: `New message from ${message.author.name}`, body: message.text, kind: "guest_message" };
    }
    return null;
  }
  if (frame.type === "event" && frame.event === "ConversationStarted") {
    const data = frame.data || {};
    if (data.started_by === me.slug) return null; // I created it ("+", Slack, Teams): nothing to tell me
    const mine = (data.service && me.services.includes(data.service)) || (!data.service && data.agent === me.slug);
    if (mine) return { title: "New conversation", body: `${data.guest_name || "A guest"} started a conversation.`, kind: "new_conversation" };
  }
  return null;
}

function show(notice, conversationId) {
  if (soundOn()) beep();
  if (!supported() || Notification.permission !== "granted") return;
  try {
    const note = new Notification(notice.title, { body: notice.body, tag: `${notice.kind}:${conversationId}` });
    note.onclick = () => {
      window.focus();
      ctx.open(conversationId);
      note.close();
    };
  } catch (_) {
    /* some browsers allow notifications only from a service worker: the title count still shows it */
  }
}

/** A short, quiet beep: no file to fetch, nothing when the browser allows no audio yet. */
function beep() {
  try {
    audio = audio || new AudioContext();
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.08, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.18);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.2);
  } catch (_) {
    /* no audio here: the notification and the title still tell */
  }
}
