/* "Seen" under the guest's last message once an agent has read it: from the conversation's stored
 * read markers (seen_seq, in the guest's numbering, on every load) and live ConversationSeen events.
 * The marker is its own line after the bubble, so message rendering stays the thread's alone.
 */
import { el } from "./lib/dom.js";

/** list: the thread's element; t: translator. */
export function seenMarker(list, t) {
  const marker = el("div", { class: "seen", testid: "seen" }, t("widget.seen"));
  let seenSeq = 0;

  /** Puts the marker after the guest's last stored message if an agent read that far. */
  function place() {
    const mine = [...list.querySelectorAll('.msg.mine[data-seq]')];
    const last = mine[mine.length - 1];
    if (!last || Number(last.dataset.seq) > seenSeq) {
      marker.remove();
      return;
    }
    if (last.nextSibling !== marker) last.after(marker);
  }

  return {
    /** An agent read up to `seq` (the guest's numbering); markers never move back. */
    set(seq) {
      seenSeq = Math.max(seenSeq, Number(seq) || 0);
      place();
    },
    place,
    reset() {
      seenSeq = 0;
      marker.remove();
    },
  };
}
