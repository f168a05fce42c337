/* "Alice is typing…" on both sides (the widget and the inbox): the signal a person's typing sends,
 * and the line that shows someone else's.
 *
 * Typing travels as an ephemeral frame over the live socket ({type: "typing", conversation_id}); the
 * server passes it on to whoever may see it and stores nothing (adapters/web/live_typing.py). A
 * person's keystrokes send at most one signal every SEND_EVERY_MS; the line disappears SHOWN_MS after
 * the last signal, or at once when that person's message arrives.
 */

export const SEND_EVERY_MS = 2500;
export const SHOWN_MS = 5000;

/** input: the text field; frame(): the frame to send now, or null (no conversation yet);
 * send(frame): the live socket's send. Returns {reset()} for after a message is sent. */
export function typingSignal(input, frame, send) {
  let last = 0;
  input.addEventListener("input", () => {
    const now = Date.now();
    if (!input.value.trim() || now - last < SEND_EVERY_MS) return;
    const next = frame();
    if (next && send(next)) last = now;
  });
  return {
    reset() {
      last = 0;
    },
  };
}

/** line: the element showing "X is typing…"; text(name): the sentence. One person at a time is
 * named (the latest); show(author) on a signal, done(author) when their message arrives. */
export function typingLine(line, text) {
  let timer = null;
  let who = null;
  const hide = () => {
    clearTimeout(timer);
    timer = null;
    who = null;
    line.hidden = true;
    line.textContent = "";
  };
  return {
    show(author) {
      who = author.id || author.name;
      line.textContent = text(author.name);
      line.hidden = false;
      clearTimeout(timer);
      timer = setTimeout(hide, SHOWN_MS);
    },
    done(author) {
      if (who !== null && (author.id || author.name) === who) hide();
    },
    hide,
  };
}
