/* The widget's DOM: a launcher button and a panel (intro form, chat, toolbar, meetings, booking view)
 * inside a Shadow DOM, so the host page's CSS cannot reach in and ours cannot leak out.
 *
 * Only structure and what each part shows lives here; what happens on a click is the app's
 * (widget-app.js), which passes its handlers in.
 */
import { chatIcon, el } from "./lib/dom.js";

const STATUS_TEXT = { connecting: "Connecting…", reconnecting: "Reconnecting…", online: "Connected" };

/** origin: where the stylesheet lives; title: the panel's first title; on: {toggle, start, send, continue};
 * page: the whole page is the chat (an agent's personal chat link), with no launcher to close it. */
export function buildView({ origin, title, on, page = false }) {
  const host = el("div", { id: "convene-widget", "data-convene": "widget" });
  const root = host.attachShadow({ mode: "open" });
  const shell = el("div", { class: page ? "shell page" : "shell" });
  // Through the CSSOM, never a style="" attribute: our own pages' CSP refuses inline style attributes.
  shell.style.display = "none";
  const stylesheet = el("link", { rel: "stylesheet", href: `${origin}/static/widget.css` });
  // Shown once styled: no flash of an unstyled panel on the host page.
  const reveal = () => shell.style.removeProperty("display");
  stylesheet.addEventListener("load", reveal);
  stylesheet.addEventListener("error", reveal);

  const v = { host, root };
  v.badge = el("span", { class: "badge", testid: "unread-badge", hidden: true });
  v.launcher = el("button", { class: "launcher", type: "button", testid: "launcher", "aria-label": "Open chat", onclick: () => on.toggle() }, chatIcon("launcher-icon"), v.badge);
  v.title = el("div", { class: "title", testid: "widget-title" }, title);
  // The conversation's picture, when the server shows it to this guest (bot/titles.py decides); an
  // <img> only while there is one (none at all otherwise).
  v.heading = el("div", { class: "heading" }, v.title);
  v.showHeading = (conversation) => {
    v.title.textContent = conversation.title;
    const url = conversation.avatar && conversation.avatar.url;
    v.heading.replaceChildren(...(url ? [el("img", { class: "avatar", testid: "widget-avatar", src: url, alt: "" })] : []), v.title);
  };
  v.status = el("div", { class: "status", testid: "connection-status", "data-state": "idle", role: "status", hidden: true });
  v.list = el("div", { class: "messages", testid: "messages", "aria-live": "polite" });
  // Buttons under the header (the booking UI's "Schedule a meeting"; pages may add more).
  v.actions = el("div", { class: "actions", testid: "widget-actions" });
  v.input = el("textarea", { class: "input", testid: "message-input", rows: "1", placeholder: "Write a message…", maxlength: "4000" });
  v.composer = el("form", { class: "composer", onsubmit: on.send }, v.input, el("button", { class: "send", type: "submit", testid: "send-button" }, "Send"));
  v.chat = el("div", { class: "chat" }, v.status, v.list, v.composer);
  // Filled by the booking module (widget-booking.js, loaded on first use): the guest's upcoming
  // meetings above the thread, and the scheduling view that takes the chat's place while open.
  v.meetingsHost = el("div", { class: "meetings", testid: "meetings", hidden: true });
  v.bookingHost = el("div", { class: "booking", testid: "booking-panel", hidden: true });

  v.nameInput = el("input", { testid: "name-input", name: "name", required: true, maxlength: "200", autocomplete: "name" });
  v.emailInput = el("input", { testid: "email-input", name: "email", type: "email", maxlength: "320", autocomplete: "email" });
  v.formError = el("p", { class: "form-error", testid: "form-error", hidden: true });
  v.startButton = el("button", { class: "primary", type: "submit", testid: "start-button" }, "Start chat");
  v.intro = el(
    "form",
    { class: "intro", onsubmit: on.start },
    el("p", { class: "lead" }, "Hi! Tell us who you are and we'll get back to you right here."),
    el("label", {}, "Your name", v.nameInput),
    el("label", {}, "Email (optional, for replies when you're away)", v.emailInput),
    v.formError,
    v.startButton,
  );
  // "Continue a previous conversation": a one-time link mailed to the address signs this browser in.
  v.continueEmail = el("input", { testid: "continue-email", name: "continue-email", type: "email", required: true, maxlength: "320", autocomplete: "email" });
  v.continueStatus = el("p", { class: "lead", testid: "continue-status", role: "status", hidden: true });
  v.continueForm = el(
    "form",
    { class: "intro", testid: "continue-form", hidden: true, onsubmit: on.continue },
    el("label", {}, "The email you used before", v.continueEmail),
    el("button", { class: "primary", type: "submit", testid: "continue-button" }, "Send me a link"),
    v.continueStatus,
  );
  v.continueToggle = el("button", { class: "action", type: "button", testid: "continue-toggle", onclick: () => (v.continueForm.hidden = !v.continueForm.hidden) }, "Continue a previous conversation");
  v.intro.append(v.continueToggle);
  const close = el("button", { class: "close", type: "button", "aria-label": "Close chat", onclick: () => on.toggle(false) }, "×");
  v.panel = el(
    "section",
    { class: "panel", testid: "widget-panel", hidden: true, role: "dialog", "aria-label": "Chat" },
    el("header", {}, v.heading, close),
    v.actions, // visible with or without a session: booking may come before the first message
    v.meetingsHost,
    v.intro,
    v.continueForm,
    v.chat,
    v.bookingHost,
  );
  shell.append(v.panel, v.launcher);
  root.append(stylesheet, shell);

  v.setStatus = (value) => {
    v.status.dataset.state = value;
    v.status.textContent = STATUS_TEXT[value] || "";
    v.status.hidden = value === "online" || value === "idle";
  };

  v.setUnread = (count) => {
    v.badge.textContent = count > 99 ? "99+" : String(count);
    v.badge.hidden = count === 0;
  };

  v.setOpen = (open) => {
    v.panel.hidden = !open;
    v.launcher.setAttribute("aria-label", open ? "Close chat" : "Open chat");
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
