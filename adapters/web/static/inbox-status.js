/* A conversation's status in the inbox: Resolve, Reopen and Snooze (1 hour, tomorrow 9:00, next week,
 * or a time of one's own) in the thread header, what the header says about it, and the notice when a
 * snooze of mine ends. The server decides: a time without an offset is read in the agent's own zone,
 * which is the zone shown beside the custom time.
 *
 * `resolveCurrent()` resolves the open conversation (for a keyboard shortcut); `reopenCurrent()` and
 * `snoozeCurrent({preset} | {until})` do the rest. Each answers true when the server agreed.
 */
import { seg } from "./lib/api.js";
import { el } from "./lib/dom.js";
import { formatDay, formatTime, viewerZone } from "./lib/time.js";

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
const ctx = { call: null, me: null, openId: () => null, open: () => {}, onChanged: () => {} };
const state = { zone: viewerZone(), view: null };

/** call: the agent API; me: {slug}; openId(); open(id); onChanged(id): reload the thread and the list. */
export function initStatus(options) {
  Object.assign(ctx, options);
  $("status-resolve").addEventListener("click", () => resolveCurrent());
  $("status-reopen").addEventListener("click", () => reopenCurrent());
  document.querySelectorAll("[data-snooze]").forEach((button) =>
    button.addEventListener("click", () => snoozeCurrent({ preset: button.dataset.snooze })),
  );
  $("snooze-custom").addEventListener("submit", (event) => {
    event.preventDefault();
    const until = $("snooze-until").value;
    if (until) snoozeCurrent({ until });
  });
  showZone();
}

/** The agent's scheduling zone: snooze times are shown and typed in it. */
export function setStatusZone(zone) {
  if (!zone) return;
  state.zone = zone;
  showZone();
  if (state.view) renderStatus(state.view);
}

function showZone() {
  $("snooze-zone").textContent = `Times in ${state.zone}`;
}

/** The header of the open conversation: its status, and only the buttons that change it. */
export function renderStatus(view) {
  state.view = view;
  const status = view.status || "open";
  const label = $("conversation-status");
  label.dataset.status = status;
  const until = view.snoozed_until;
  if (status === "snoozed" && until) label.textContent = `· Snoozed until ${formatDay(until, state.zone)}, ${formatTime(until, state.zone)}`;
  else if (status === "resolved") label.textContent = "· Resolved";
  else label.textContent = "";
  $("status-resolve").hidden = status === "resolved";
  $("status-reopen").hidden = status === "open";
  $("snooze-menu").open = false;
}

export const resolveCurrent = () => change("resolve");
export const reopenCurrent = () => change("reopen");
export const snoozeCurrent = (body) => change("snooze", body);

async function change(action, body) {
  const id = ctx.openId();
  if (!id) return false;
  try {
    await ctx.call("POST", `/api/agent/conversations/${seg(id)}/${action}`, body);
  } catch (error) {
    $("thread-error").textContent = error.message; // the server's sentence: "must end in the future", …
    $("thread-error").hidden = false;
    return false;
  }
  $("thread-error").hidden = true;
  $("snooze-menu").open = false;
  await ctx.onChanged(id);
  return true;
}

/** A live event: when a snooze of a conversation assigned to me ends, say so above the list. */
export function onStatusFrame(frame) {
  const data = frame.data || {};
  if (frame.event !== "ConversationReopened" || data.reason !== "snooze_ended") return;
  if (!ctx.me || data.assignee !== ctx.me.slug) return;
  const notice = $("status-notice");
  const open = () => {
    notice.hidden = true;
    ctx.open(frame.conversation_id);
  };
  notice.replaceChildren("A snoozed conversation of yours is open again. ", el("button", { type: "button", class: "link", testid: "status-notice-open", onclick: open }, "Show it"));
  notice.hidden = false;
}
