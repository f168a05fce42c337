/* The agent's invitations in the inbox sidebar: "Invitations" (open ones, with resend and withdraw)
 * and "Meetings" (booked through an invitation). A booked invitation moves from the first to the
 * second as soon as an event frame arrives (or the tab is opened again). */
import { el, fill } from "./lib/dom.js";
import { formatFull } from "./lib/time.js";

const ctx = { call: null, openId: () => {} };
const state = { tab: "open", version: 0 };

export function initInvitations(options) {
  Object.assign(ctx, options);
  document.querySelectorAll("[data-invitations-tab]").forEach((button) => {
    button.addEventListener("click", () => {
      state.tab = button.dataset.invitationsTab;
      refreshInvitations();
    });
  });
  refreshInvitations();
}

export async function refreshInvitations() {
  const version = ++state.version;
  document.querySelectorAll("[data-invitations-tab]").forEach((button) => {
    button.setAttribute("aria-selected", String(button.dataset.invitationsTab === state.tab));
  });
  const list = document.querySelector('[data-testid="invitations-list"]');
  let found;
  try {
    found = (await ctx.call("GET", `/api/agent/invitations?status=${state.tab}`)).invitations;
  } catch (error) {
    if (version === state.version) fill(list, el("li", { class: "muted" }, error.message));
    return;
  }
  if (version !== state.version) return;
  if (!found.length) {
    fill(list, el("li", { class: "muted small", testid: "invitations-empty" }, state.tab === "open" ? "No open invitations." : "No meetings booked by invitation yet."));
    return;
  }
  fill(list, ...found.reverse().map(item));
}

function item(invitation) {
  const buttons = [];
  if (invitation.status === "open") {
    buttons.push(
      el("button", { type: "button", class: "link", testid: "invitation-resend", onclick: () => act(invitation, "resend") }, "Resend"),
      el("button", { type: "button", class: "link", testid: "invitation-withdraw", onclick: () => act(invitation, "withdraw") }, "Withdraw"),
    );
  }
  const when = invitation.status === "booked" ? "booked" : `until ${formatFull(invitation.expires_at, invitation.timezone)}`;
  return el(
    "li",
    { class: "invitation", testid: "invitation-item", "data-status": invitation.status, "data-id": invitation.id },
    el("button", { type: "button", class: "link", onclick: () => ctx.openId(invitation.conversation_id) }, el("strong", {}, invitation.subject)),
    el("div", { class: "small muted" }, `${invitation.guest_name} · ${when}`),
    el("div", { class: "small" }, ...buttons),
  );
}

async function act(invitation, verb) {
  try {
    await ctx.call("POST", `/api/agent/invitations/${encodeURIComponent(invitation.id)}/${verb}`);
  } finally {
    refreshInvitations();
  }
}
