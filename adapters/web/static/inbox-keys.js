/* Keyboard shortcuts of the inbox: j/k move between conversations, r focuses the reply, e resolves,
 * a assigns to me, / searches (inbox-search.js owns it), ? lists them in a dialog (Escape closes).
 * None of them fires while typing (an input, a textarea, a select, editable text), with a modifier
 * held, or while another dialog is open: a letter typed there is a letter.
 */
import { el } from "./lib/dom.js";

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
const ctx = { open: async () => {}, openId: () => null, assignToMe: () => {}, resolveCurrent: () => {}, showList: () => {} };

export const SHORTCUTS = [
  ["j", "Next conversation"],
  ["k", "Previous conversation"],
  ["r", "Reply"],
  ["e", "Resolve the conversation"],
  ["a", "Assign to me"],
  ["/", "Search"],
  ["?", "Show these shortcuts"],
];

const dialog = el(
  "dialog",
  { class: "settings shortcuts", testid: "shortcuts-dialog", "aria-labelledby": "shortcuts-title" },
  el("h2", { id: "shortcuts-title" }, "Keyboard shortcuts"),
  el("dl", { class: "shortcut-list" }, ...SHORTCUTS.flatMap(([key, what]) => [el("dt", {}, el("kbd", {}, key)), el("dd", {}, what)])),
  el("p", { class: "small muted" }, "Not while typing in a field. Escape closes this list."),
  el("div", { class: "settings-buttons" }, el("button", { type: "button", testid: "shortcuts-close", onclick: () => dialog.close() }, "Close")),
);

/** open(id), openId(), assignToMe(), resolveCurrent(), showList() (a phone's list pane, where the
 * search box is): what the keys do, given by inbox.js. */
export function initKeys(options) {
  Object.assign(ctx, options);
  document.body.append(dialog);
  // Capturing: runs before inbox-search.js's `/`, so on a phone the box is shown before it is focused.
  document.addEventListener("keydown", onKey, true);
}

/** Whether a key press belongs to whatever has the focus (typing, a dialog) rather than to us. */
export function typing(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return true;
  const target = event.target;
  if (target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return true;
  return Boolean(document.querySelector("dialog[open]"));
}

function onKey(event) {
  if (document.getElementById("app").hidden || typing(event)) return;
  if (event.key === "/") return ctx.showList(); // inbox-search.js focuses the box
  const action = {
    j: () => move(1),
    k: () => move(-1),
    r: () => ctx.openId() && $("reply-input").focus(),
    e: () => ctx.openId() && ctx.resolveCurrent(ctx.openId()),
    a: () => ctx.openId() && ctx.assignToMe(),
    "?": () => dialog.showModal(),
  }[event.key];
  if (!action) return;
  event.preventDefault(); // the letter must not land in the reply box the key just focused
  action();
}

/** The next (1) or previous (-1) conversation of the list as shown; the first when none is open. */
function move(step) {
  const rows = [...document.querySelectorAll('[data-testid="conversation-list"] [data-testid="conversation-item"]')];
  if (!rows.length) return;
  const at = rows.findIndex((row) => row.dataset.conversationId === ctx.openId());
  const next = at < 0 ? rows[0] : rows[Math.min(rows.length - 1, Math.max(0, at + step))];
  if (next.dataset.conversationId === ctx.openId()) return;
  next.focus();
  ctx.open(next.dataset.conversationId);
}
