/* The widget's files and emoji: two buttons in the composer (an emoji picker, and "attach a picture
 * or PDF"), sending a chosen file, and showing the files a message carries (lib/attachments.js).
 *
 * Kept apart from widget-view.js and widget-app.js, which only hand it the view, the thread and two
 * getters, so the composer's other changes and these stay out of each other's way. A file pasted
 * into the text box or dropped on the chat is sent as a chosen one is. Texts are the
 * `attachments` section of the catalogues (lib/i18n.js); until the guest's language has loaded,
 * the English texts stand in. Its styles (attachments.css, shared with the inbox) are a stylesheet of
 * their own in the widget's Shadow DOM.
 */
import { seg, uuid } from "./lib/api.js";
import { ACCEPT, MAX_BYTES, attachmentList, fileFetcher, takeDroppedFiles, uploadError, uploadFile } from "./lib/attachments.js";
import { el, icon } from "./lib/dom.js";
import { emojiPicker } from "./lib/emoji.js";
import { fill, translator } from "./lib/i18n.js";
import en from "./i18n/en.js";

const paperclip = () =>
  icon("tool-icon", "M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10h-1.5z");

/** origin: the Convene host; view: widget-view.js's; token(), conversationId(): the session's now. */
export function widgetFiles({ origin, view, token, conversationId }) {
  let catalogue = (key, vars) => fill(en[key] ?? key, vars);
  const t = (key, vars) => catalogue(key, vars);
  Object.defineProperty(t, "lang", { get: () => catalogue.lang || "en" });
  const load = fileFetcher({ base: origin, token });
  let thread = null;
  let addMessage = () => {};

  view.root.append(el("link", { rel: "stylesheet", href: `${origin}/static/attachments.css` }));
  const picker = emojiPicker({ input: view.input, label: t("attachments.emoji"), gridLabel: t("attachments.emoji_grid"), buttonClass: "tool emoji-button" });
  const chooser = el("input", { type: "file", accept: ACCEPT, hidden: true, testid: "attach-input", onchange: onChosen });
  const attach = el("button", { type: "button", class: "tool attach-button", testid: "attach-button", "aria-label": t("attachments.attach"), title: t("attachments.attach"), onclick: () => chooser.click() }, paperclip());
  picker.button.title = t("attachments.emoji");
  view.composer.classList.add("with-tools");
  view.composer.insertBefore(el("div", { class: "tools" }, picker.button, attach, chooser), view.input);
  view.composer.append(picker.panel);
  takeDroppedFiles({ area: view.chat, input: view.input, send });

  translator().then((loaded) => {
    catalogue = loaded;
    for (const [node, key] of [[attach, "attachments.attach"], [picker.button, "attachments.emoji"]]) {
      node.setAttribute("aria-label", t(key));
      node.title = t(key);
    }
    picker.panel.setAttribute("aria-label", t("attachments.emoji_grid"));
  });

  async function onChosen() {
    const chosen = [...chooser.files];
    chooser.value = ""; // the same file may be chosen again
    for (const file of chosen) await send(file);
  }

  async function send(file) {
    const id = conversationId();
    if (!id) return thread.notice(t("attachments.write_first"));
    if (file.size > MAX_BYTES) return thread.notice(t("attachments.too_large"));
    const clientId = uuid();
    thread.pending({ client_id: clientId, text: t("attachments.uploading", { name: file.name }) });
    try {
      const { message } = await uploadFile({ base: origin, token, path: `/api/guest/conversations/${seg(id)}/files`, file, params: { client_id: clientId } });
      addMessage(message);
    } catch (error) {
      thread.failed(clientId);
      thread.notice(uploadError(error, t));
    }
  }

  return {
    /** What messageThread shows under a message's text: its files, or nothing. */
    show: (files) => attachmentList(files, load, t),
    /** The thread to show progress in, and the app's way to add a stored message (counts unread). */
    connect(options) {
      thread = options.thread;
      addMessage = options.addMessage;
    },
  };
}
