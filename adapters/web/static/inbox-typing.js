/* Typing in the inbox's open conversation, both ways: the agent's keystrokes in the reply box send
 * an ephemeral typing signal (marked internal while "Internal note" is ticked, so the guest never
 * hears of a note being written), and a guest's or colleague's signal shows "Ann is typing…" under
 * the thread for a few seconds (lib/typing.js). Nothing is stored.
 */
import { el } from "./lib/dom.js";
import { typingLine, typingSignal } from "./lib/typing.js";

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
let line = null;

/** send(frame): the live socket's send; openId(): the open conversation; me: {slug}. */
export function initTyping({ send, openId, me }) {
  const node = el("div", { class: "typing muted", testid: "typing-indicator", role: "status", hidden: true });
  $("messages").after(node);
  line = typingLine(node, (name) => `${name} is typing…`);
  const internal = $("internal-note");
  const signal = typingSignal(
    $("reply-input"),
    () => (openId() ? { type: "typing", conversation_id: openId(), internal: internal.checked } : null),
    send,
  );
  internal.addEventListener("change", signal.reset); // a note and a reply are different news
  $("reply-form").addEventListener("submit", signal.reset);
  line.me = me.slug;
}

/** A live typing frame: shown when it is about the open conversation and someone else. */
export function onTypingFrame(frame, openId) {
  if (!line || frame.conversation_id !== openId() || !frame.author) return;
  if (frame.author.kind === "agent" && frame.author.id === line.me) return;
  line.show(frame.author);
}

/** A message arrived: its author has stopped typing; another conversation opened: nobody types. */
export function onTypingMessage(frame, openId) {
  if (!line) return;
  if (frame.conversation_id !== openId()) return;
  line.done(frame.message.author);
}

export function clearTyping() {
  if (line) line.hide();
}
