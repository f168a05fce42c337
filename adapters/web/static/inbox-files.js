/* The inbox's files and emoji: an emoji picker and "attach a picture or PDF" in the reply bar (an
 * internal note's checkbox makes the file an internal note too), and the files a message carries,
 * shown as in the widget (lib/attachments.js: thumbnails that open, PDF cards that download).
 */
import { seg } from "./lib/api.js";
import { ACCEPT, MAX_BYTES, attachmentList, fileFetcher, takeDroppedFiles, uploadError, uploadFile } from "./lib/attachments.js";
import { el, icon } from "./lib/dom.js";
import { emojiPicker } from "./lib/emoji.js";
import { fill, translator } from "./lib/i18n.js";
import en from "./i18n/en.js";

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
const paperclip = () =>
  icon("tool-icon", "M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10h-1.5z");

let catalogue = (key, vars) => fill(en[key] ?? key, vars);
const t = (key, vars) => catalogue(key, vars);
Object.defineProperty(t, "lang", { get: () => catalogue.lang || "en" });
let load = () => Promise.reject(new Error("not signed in"));

/** A message's files for the thread (null without files). */
export const showFiles = (files) => attachmentList(files, load, t);

/** token(): the agent's; openId(): the open conversation; onMessage(m): a stored message to show;
 * onError(text): shown over the thread. */
export function initFiles({ token, openId, onMessage, onError }) {
  load = fileFetcher({ token });
  translator("en").then((loaded) => (catalogue = loaded)); // the inbox is in English, like its page
  const input = $("reply-input");
  const status = el("span", { class: "muted upload-status", testid: "upload-status", role: "status" });
  const chooser = el("input", { type: "file", accept: ACCEPT, hidden: true, testid: "attach-input", onchange: onChosen });
  const attach = el("button", { type: "button", class: "tool", testid: "attach-button", "aria-label": t("attachments.attach"), title: t("attachments.attach"), onclick: () => chooser.click() }, paperclip());
  const picker = emojiPicker({ input, label: t("attachments.emoji"), gridLabel: t("attachments.emoji_grid"), buttonClass: "tool" });
  picker.button.title = t("attachments.emoji");
  const bar = $("reply-form").querySelector(".reply-bar");
  bar.prepend(el("div", { class: "reply-tools" }, picker.button, attach, chooser, status));
  $("reply-form").classList.add("with-tools");
  $("reply-form").append(picker.panel);
  takeDroppedFiles({ area: document.querySelector(".thread-body"), input, send }); // pasted or dropped

  async function onChosen() {
    const chosen = [...chooser.files];
    chooser.value = "";
    for (const file of chosen) await send(file);
  }

  async function send(file) {
    const id = openId();
    if (!id) return;
    if (file.size > MAX_BYTES) return onError(t("attachments.too_large"));
    const internal = $("internal-note").checked;
    status.textContent = t("attachments.uploading", { name: file.name });
    try {
      const { message } = await uploadFile({ token, path: `/api/agent/conversations/${seg(id)}/files`, file, params: internal ? { internal: "true" } : {} });
      $("internal-note").checked = false;
      if (id === openId()) onMessage(message);
    } catch (error) {
      onError(uploadError(error, t));
    } finally {
      status.textContent = "";
    }
  }
}
