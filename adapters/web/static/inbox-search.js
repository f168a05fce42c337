/* The inbox's search: `/` focuses the box; results replace the conversation list while it holds a
 * query; choosing one opens its conversation and, for a message, scrolls to it and highlights it.
 *
 * The server answers with highlight segments ({text, match}); each becomes a text node (a <mark> for a
 * match), so nothing a guest typed is ever parsed as HTML.
 */
import { el, fill, say } from "./lib/dom.js";

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
const ctx = { call: null, open: async () => {}, stamp: (iso) => iso };
let timer = null;
let asked = 0; // the newest query sent: an older answer arriving late is dropped

const KIND_LABEL = { guest: "Guest", meeting: "Meeting" };

/** call: the agent API; open(id): opens a conversation and resolves once its messages are shown. */
export function initSearch(options) {
  Object.assign(ctx, options);
  const input = $("search-input");
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") clear();
    if (event.key === "Enter") {
      event.preventDefault();
      clearTimeout(timer);
      run();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
    if (document.querySelector("dialog[open]")) return;
    event.preventDefault();
    input.focus();
    input.select();
  });
}

function showResults(on) {
  $("search-results").hidden = !on;
  $("conversation-list").hidden = on;
  if (on) $("list-empty").hidden = true;
}

function clear() {
  $("search-input").value = "";
  say($("search-status"), "");
  showResults(false);
}

async function run() {
  const q = $("search-input").value.trim();
  const mine = ++asked;
  if (!q) return clear();
  let answer;
  try {
    answer = await ctx.call("GET", `/api/agent/search?q=${encodeURIComponent(q)}`);
  } catch (error) {
    if (mine !== asked) return;
    say($("search-status"), error.message);
    return;
  }
  if (mine !== asked) return;
  const results = answer.results;
  say($("search-status"), results.length ? "" : "Nothing found.");
  fill($("search-results"), ...results.map(resultItem));
  showResults(true);
}

function resultItem(result) {
  const label = result.kind === "message" ? (result.internal ? "Internal note" : null) : KIND_LABEL[result.kind];
  return el(
    "li",
    {},
    el(
      "button",
      { type: "button", class: "search-result", testid: "search-result", "data-kind": result.kind, onclick: () => choose(result) },
      el("span", { class: "search-head" }, el("strong", {}, result.guest_name), label ? el("span", { class: "search-kind" }, label) : null, result.at ? el("time", { class: "muted" }, ctx.stamp(result.at)) : null),
      el("span", { class: "search-text", testid: "search-snippet" }, ...result.segments.map((s) => (s.match ? el("mark", {}, s.text) : s.text))),
    ),
  );
}

async function choose(result) {
  await ctx.open(result.conversation_id);
  if (result.message_id) focusMessage(result.message_id);
}

/** Scrolls the open thread to a message and highlights it for a moment. */
export function focusMessage(messageId) {
  const node = document.querySelector(`[data-testid="messages"] [data-message-id="${CSS.escape(messageId)}"]`);
  if (!node) return;
  for (const old of document.querySelectorAll(".msg.found")) old.classList.remove("found");
  node.classList.add("found");
  node.dataset.found = "true";
  node.scrollIntoView({ block: "center" });
  node.addEventListener("animationend", () => node.classList.remove("found"), { once: true });
}
