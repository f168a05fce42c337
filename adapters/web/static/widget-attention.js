/* Getting a guest's attention without being rude: a new message while the widget is closed shows
 * its first words beside the launcher (text only, dismissible), the page's title blinks
 * "(1) New message" while the tab is hidden and stops once it is visible, and every new message is
 * read out by a polite live region for screen readers.
 */
import { el } from "./lib/dom.js";

const PREVIEW_CHARS = 90;
const BLINK_MS = 1200;

/** "Hello there, how…": whitespace folded, cut at a word near `max` characters. */
export function truncate(text, max = PREVIEW_CHARS) {
  const flat = String(text || "").replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** view: the widget's DOM; t: translator; open(): opens the panel (a click on the preview). */
export function attention({ view, t, open }) {
  const state = { hiddenCount: 0, blink: null, title: document.title, dismissed: false };

  function showPreview(message) {
    if (state.dismissed) return;
    const body = el(
      "button",
      { type: "button", class: "preview-body", testid: "preview-open", "aria-label": `${t("widget.previewFrom", { name: message.author.name })}: ${truncate(message.text)}`, onclick: open },
      el("span", { class: "preview-author" }, message.author.name),
      el("span", { class: "preview-text", testid: "preview-text" }, truncate(message.text)),
    );
    const dismiss = el("button", { type: "button", class: "preview-dismiss", testid: "preview-dismiss", "aria-label": t("widget.previewDismiss"), onclick: dismissPreview }, "×");
    view.preview.replaceChildren(body, dismiss);
    view.preview.hidden = false;
  }

  function dismissPreview() {
    state.dismissed = true; // until the next message
    view.preview.hidden = true;
    view.launcher.focus();
  }

  function stopBlinking() {
    clearInterval(state.blink);
    state.blink = null;
    state.hiddenCount = 0;
    document.title = state.title;
  }

  function blink() {
    state.hiddenCount += 1;
    if (state.blink) return;
    state.title = document.title;
    let on = false;
    const flip = () => {
      on = !on;
      document.title = on ? t("widget.titleBlink", { count: state.hiddenCount }) : state.title;
    };
    flip();
    state.blink = setInterval(flip, BLINK_MS);
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) stopBlinking();
  });

  return {
    /** A message someone else wrote arrived live; isOpen: the panel is open. */
    incoming(message, isOpen) {
      view.announcer.textContent = t("widget.announce", { name: message.author.name, text: truncate(message.text, 200) });
      if (!isOpen) {
        state.dismissed = false;
        showPreview(message);
      }
      if (document.hidden) blink();
    },
    /** The panel opened: the preview has done its work. */
    opened() {
      view.preview.hidden = true;
    },
    stopBlinking,
  };
}
