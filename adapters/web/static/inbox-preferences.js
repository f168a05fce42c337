/* The notification preferences in the settings dialog: which notices also reach me as a Slack or
 * Teams direct message, and whether I get unread-message emails. GET/PUT /api/agent/preferences; the
 * engine validates and decides (bot/preferences.py, bot/notices.py). */
import { el } from "./lib/dom.js";

const NOTICES = [
  ["mention", "A mention of me in an internal note"],
  ["new_conversation", "A new conversation in my services"],
  ["guest_message", "A guest's message in a conversation assigned to me"],
  ["snooze_ended", "The end of a snooze of a conversation assigned to me"],
];
const CHANNELS = [
  ["slack", "Slack"],
  ["teams", "Teams"],
];
const boxes = {}; // "slack.mention" → checkbox
let call = null;

const box = (key, label) => {
  boxes[key] = el("input", { type: "checkbox", testid: `pref-${key.replace(".", "-")}`, "aria-label": label });
  return boxes[key];
};

/** The dialog's section: a table of notices × channels, and the unread-email switch. */
export function preferencesSection(api) {
  call = api;
  return el(
    "fieldset",
    { class: "preferences", testid: "preferences" },
    el("legend", {}, "Notifications"),
    el("p", { class: "small muted" }, "The inbox shows desktop notifications for the first three. Also send them to me as a direct message in:"),
    el(
      "table",
      { class: "preferences-table" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Notice"), ...CHANNELS.map(([, name]) => el("th", { scope: "col" }, name)))),
      el("tbody", {}, ...NOTICES.map(([notice, text]) => el("tr", {}, el("th", { scope: "row" }, text), ...CHANNELS.map(([channel, name]) => el("td", {}, box(`${channel}.${notice}`, `${text}: ${name}`)))))),
    ),
    el("label", { class: "settings-row inline" }, box("unread_email", "Email me about unread messages"), el("span", {}, "Email me about unread messages (at most 3 a day)")),
  );
}

export async function loadPreferences() {
  const { preferences } = await call("GET", "/api/agent/preferences");
  for (const [key, input] of Object.entries(boxes)) {
    const [channel, notice] = key.split(".");
    input.checked = Boolean(notice ? preferences[channel][notice] : preferences[channel]);
  }
}

export async function savePreferences() {
  const body = { unread_email: boxes.unread_email.checked };
  for (const [channel] of CHANNELS) body[channel] = Object.fromEntries(NOTICES.map(([notice]) => [notice, boxes[`${channel}.${notice}`].checked]));
  await call("PUT", "/api/agent/preferences", { preferences: body });
}
