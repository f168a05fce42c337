/* The widget's DOM: a launcher button (with the unread badge and a preview of a new message beside
 * it) and a panel (header with the team, away notice, intro form, chat, toolbar, meetings, booking
 * view) inside a Shadow DOM, so the host page's CSS cannot reach in and ours cannot leak out.
 *
 * Only structure and what each part shows lives here; what happens on a click is the app's
 * (widget-app.js), which passes its handlers in. Every text comes from the catalogue (t) and the
 * embedding page's appearance attributes (widget-look.js) are applied to the shell.
 */
import { chatIcon, el } from "./lib/dom.js";
import { applyLook } from "./widget-look.js";

/** origin: where the stylesheet lives; t: the translator; look: {title, color, position, greeting};
 * on: {toggle, start, send, continue}; page: the whole page is the chat (an agent's personal chat
 * link), with no launcher to close it. */
export function buildView({ origin, t, look = {}, on, page = false }) {
  const host = el("div", { id: "convene-widget", "data-convene": "widget" });
  const root = host.attachShadow({ mode: "open" });
  const shell = el("div", { class: page ? "shell page" : "shell", lang: t.lang });
  // Through the CSSOM, never a style="" attribute: our own pages' CSP refuses inline style attributes.
  shell.style.display = "none";
  applyLook(shell, look, t);
  const stylesheet = el("link", { rel: "stylesheet", href: `${origin}/static/widget.css` });
  // Shown once styled: no flash of an unstyled panel on the host page.
  const reveal = () => shell.style.removeProperty("display");
  stylesheet.addEventListener("load", reveal);
  stylesheet.addEventListener("error", reveal);

  const v = { host, root, shell };
  v.badge = el("span", { class: "badge", testid: "unread-badge", hidden: true });
  v.launcher = el("button", { class: "launcher", type: "button", testid: "launcher", "aria-label": t("widget.open"), "aria-expanded": "false", onclick: () => on.toggle() }, chatIcon("launcher-icon"), v.badge);
  v.title = el("h2", { class: "title", testid: "widget-title", id: "convene-title" }, look.title || t("widget.title"));
  // The conversation's picture, when the server shows it to this guest (bot/titles.py decides); an
  // <img> only while there is one (none at all otherwise).
  v.picture = el("span", { class: "picture" });
  v.team = el("div", { class: "team", testid: "team", role: "list", "aria-label": t("presence.team") });
  v.expectation = el("p", { class: "expectation", testid: "presence-line" });
  v.heading = el("div", { class: "heading" }, v.picture, el("div", { class: "heading-text" }, v.title, v.expectation));
  v.showHeading = (conversation) => {
    v.title.textContent = conversation.title;
    const url = conversation.avatar && conversation.avatar.url;
    v.picture.replaceChildren(...(url ? [el("img", { class: "avatar", testid: "widget-avatar", src: url, alt: "" })] : []));
  };
  v.status = el("div", { class: "status", testid: "connection-status", "data-state": "idle", role: "status", hidden: true });
  // Messages are announced by their own polite live region (v.announcer), one sentence each,
  // rather than by reading the whole list again.
  v.list = el("div", { class: "messages", testid: "messages", role: "region", tabindex: "0", "aria-label": t("widget.dialog") });
  v.typing = el("div", { class: "typing", testid: "typing-indicator", hidden: true });
  // Buttons under the header (the booking UI's "Schedule a meeting"; pages may add more).
  v.actions = el("div", { class: "actions", testid: "widget-actions", role: "toolbar", "aria-label": t("widget.toolbar") });
  v.input = el("textarea", { class: "input", testid: "message-input", rows: "1", placeholder: t("widget.placeholder"), "aria-label": t("widget.messageLabel"), maxlength: "4000" });
  v.composer = el("form", { class: "composer", onsubmit: on.send }, v.input, el("button", { class: "send", type: "submit", testid: "send-button" }, t("widget.send")));
  v.chat = el("div", { class: "chat" }, v.status, v.list, v.typing, v.composer);
  // Filled by the booking module (widget-booking.js, loaded on first use): the guest's upcoming
  // meetings above the thread, and the scheduling view that takes the chat's place while open.
  v.meetingsHost = el("div", { class: "meetings", testid: "meetings", hidden: true });
  v.bookingHost = el("div", { class: "booking", testid: "booking-panel", hidden: true });
  // Filled by widget-presence.js outside working hours: when we are back, and the guest's email.
  v.away = el("div", { class: "away", testid: "away-notice", hidden: true });

  v.nameInput = el("input", { testid: "name-input", name: "name", required: true, maxlength: "200", autocomplete: "name" });
  v.emailInput = el("input", { testid: "email-input", name: "email", type: "email", maxlength: "320", autocomplete: "email" });
  v.formError = el("p", { class: "form-error", testid: "form-error", role: "alert", hidden: true });
  v.startButton = el("button", { class: "primary", type: "submit", testid: "start-button" }, t("widget.start"));
  v.intro = el(
    "form",
    { class: "intro", onsubmit: on.start },
    el("p", { class: "lead", testid: "greeting" }, look.greeting || t("widget.lead")),
    el("label", {}, t("widget.name"), v.nameInput),
    el("label", {}, t("widget.email"), v.emailInput),
    v.formError,
    v.startButton,
  );
  // "Continue a previous conversation": a one-time link mailed to the address signs this browser in.
  v.continueEmail = el("input", { testid: "continue-email", name: "continue-email", type: "email", required: true, maxlength: "320", autocomplete: "email" });
  v.continueStatus = el("p", { class: "lead", testid: "continue-status", role: "status", hidden: true });
  v.continueForm = el(
    "form",
    { class: "intro", testid: "continue-form", hidden: true, onsubmit: on.continue },
    el("label", {}, t("widget.continueEmail"), v.continueEmail),
    el("button", { class: "primary", type: "submit", testid: "continue-button" }, t("widget.continueSend")),
    v.continueStatus,
  );
  v.continueToggle = el("button", { class: "action", type: "button", testid: "continue-toggle", onclick: () => (v.continueForm.hidden = !v.continueForm.hidden) }, t("widget.continueToggle"));
  v.intro.append(v.continueToggle);
  v.closeButton = el("button", { class: "close", type: "button", testid: "close-button", "aria-label": t("widget.close"), onclick: () => on.toggle(false) }, "×");
  v.panel = el(
    "section",
    { class: "panel", testid: "widget-panel", hidden: true, role: "dialog", "aria-labelledby": "convene-title" },
    el("header", {}, el("div", { class: "header-top" }, v.team, v.closeButton), v.heading),
    v.away,
    v.actions, // visible with or without a session: booking may come before the first message
    v.meetingsHost,
    v.intro,
    v.continueForm,
    v.chat,
    v.bookingHost,
  );
  // A new message while closed: its first words beside the launcher (widget-attention.js fills it).
  v.preview = el("div", { class: "preview", testid: "launcher-preview", hidden: true });
  v.announcer = el("div", { class: "sr-only", testid: "announcer", "aria-live": "polite", "aria-atomic": "true" });
  shell.append(v.panel, v.preview, v.launcher, v.announcer);
  root.append(stylesheet, shell);

  const statusText = { connecting: t("widget.connecting"), reconnecting: t("widget.reconnecting"), online: t("widget.connected") };
  v.setStatus = (value) => {
    v.status.dataset.state = value;
    v.status.textContent = statusText[value] || "";
    v.status.hidden = value === "online" || value === "idle";
  };

  v.setUnread = (count) => {
    v.badge.textContent = count > 99 ? "99+" : String(count);
    v.badge.hidden = count === 0;
  };

  v.setOpen = (open) => {
    v.panel.hidden = !open;
    shell.classList.toggle("open", open);
    v.launcher.setAttribute("aria-label", open ? t("widget.close") : t("widget.open"));
    v.launcher.setAttribute("aria-expanded", String(open));
  };

  /** The intro form without a session, the chat with one; the scheduling view stays until closed. */
  v.showChat = (signedIn) => {
    if (!v.bookingHost.hidden) return;
    v.intro.hidden = signedIn;
    v.continueForm.hidden = true;
    v.chat.hidden = !signedIn;
  };

  v.showBooking = (show, signedIn) => {
    v.bookingHost.hidden = !show;
    if (show) {
      v.intro.hidden = true;
      v.continueForm.hidden = true;
      v.chat.hidden = true;
    } else {
      v.showChat(signedIn);
    }
  };

  v.showFormError = (text) => {
    v.formError.textContent = text || "";
    v.formError.hidden = !text;
  };

  /** The toolbar's buttons: [{id, label, run(context), icon?, testid?}]; context() is read per click. */
  v.renderActions = (list, context) => {
    v.actions.replaceChildren(
      ...list.map((action) =>
        el("button", { type: "button", class: "action", testid: action.testid || `action-${action.id}`, onclick: () => action.run(context()) }, action.icon ? action.icon() : null, action.label),
      ),
    );
    v.actions.hidden = list.length === 0;
  };

  return v;
}
