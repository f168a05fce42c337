/* The widget's message thread: bubbles in sequence order, each message once, the guest's own
 * messages shown at once as "pending" and settled in place when the server stores them.
 *
 * Live frames, acknowledgements and catch-up pages overlap after every reconnect: a message id is
 * shown once, and a message finds its place by seq whatever order it arrives in. User text is set
 * as text only (el() makes text nodes; lib/text.js makes its web addresses links, never markup).
 */
import { el } from "./lib/dom.js";
import { richText } from "./lib/text.js";
import { formatTime, viewerZone } from "./lib/time.js";

/** isMine(author): the guest of this session wrote it; locale: the widget's language (times);
 * showFiles(files): a message's files (widget-files.js). */
export function messageThread(list, isMine, locale, showFiles = () => null) {
  const zone = viewerZone();
  const seen = new Set(); // message ids already shown
  let lastSeq = 0;

  const scrollDown = () => {
    list.scrollTop = list.scrollHeight;
  };
  const byClientId = (clientId) => list.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`);

  function bubble(kind, authorName, text, when, files) {
    const mine = kind === "mine";
    return el(
      "div",
      { class: `msg ${kind}`, testid: "message", "data-author-kind": mine ? "guest" : kind },
      kind === "agent" ? el("div", { class: "author", testid: "message-author" }, authorName) : null,
      text ? el("div", { class: "text", testid: "message-text" }, richText(text)) : null,
      showFiles(files),
      kind === "system" ? null : el("div", { class: "meta" }, el("time", {}, formatTime(when || new Date(), zone, locale)), mine ? el("span", { class: "tick" }) : null),
    );
  }

  return {
    get lastSeq() {
      return lastSeq;
    },

    /** A message the guest just typed, not yet stored: {client_id, text}. */
    pending(item) {
      const node = bubble("mine", "", item.text, null);
      node.dataset.clientId = item.client_id;
      node.dataset.status = "pending";
      list.append(node);
      scrollDown();
    },

    failed(clientId) {
      const node = byClientId(clientId);
      if (node) node.dataset.status = "failed";
    },

    /** Shows a stored message once; returns false when it was shown already or is not for guests. */
    add(message) {
      if (message.internal || seen.has(message.id)) return false;
      seen.add(message.id);
      lastSeq = Math.max(lastSeq, message.seq);
      const author = message.author;
      const mine = isMine(author);
      let node = message.client_id && mine ? byClientId(message.client_id) : null;
      if (node && message.attachments && message.attachments.length) {
        node.remove(); // an upload's "sending…" bubble: the stored message shows the file instead
        node = null;
      }
      if (node) {
        node.dataset.status = "sent";
        node.remove(); // re-inserted below at its place in the thread
      } else {
        const kind = mine ? "mine" : author.kind === "system" ? "system" : author.kind === "guest" ? "guest" : "agent";
        node = bubble(kind, author.name, message.text, message.created_at, message.attachments);
        if (message.client_id) node.dataset.clientId = message.client_id;
      }
      node.dataset.messageId = message.id;
      node.dataset.seq = String(message.seq);
      const later = [...list.querySelectorAll("[data-seq]")].find((other) => Number(other.dataset.seq) > message.seq);
      const firstPending = list.querySelector('[data-status="pending"], [data-status="failed"]');
      list.insertBefore(node, later || firstPending || null);
      scrollDown();
      return true;
    },

    notice(text) {
      list.append(el("div", { class: "msg notice", testid: "notice" }, text));
      scrollDown();
    },

    clear() {
      seen.clear();
      lastSeq = 0;
      list.replaceChildren();
    },

    scrollDown,
  };
}
