/* The inbox on a phone (below 768px): one column at a time — the list, a thread, its contact — with a
 * Back button, the thread's actions in a bar above the reply box (in thumb reach), and the meetings and
 * the assignment form folded away until asked for. The state lives on <main class="inbox"> as
 * data-pane / data-meetings / data-assign; inbox-ux.css applies it only on narrow screens, so a wide
 * window shows every pane whatever the state says.
 */
const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
const inbox = () => document.querySelector(".inbox");

/** Which pane a phone shows: "list", "thread" or "contact". */
export function showPane(name) {
  inbox().dataset.pane = name;
  if (name === "list") {
    const current = document.querySelector('[data-testid="conversation-item"][aria-current="true"]');
    if (current) current.focus();
  }
}

function toggle(button, key) {
  const open = inbox().dataset[key] !== "open";
  inbox().dataset[key] = open ? "open" : "closed";
  button.setAttribute("aria-expanded", String(open));
}

export function initPhone() {
  showPane("list");
  $("thread-back").addEventListener("click", () => showPane("list"));
  $("phone-assign-me").addEventListener("click", () => $("assign-me").click());
  $("phone-assign").addEventListener("click", (event) => toggle(event.currentTarget, "assign"));
  $("phone-meetings").addEventListener("click", (event) => toggle(event.currentTarget, "meetings"));
  $("phone-contact").addEventListener("click", () => {
    $("contact-panel").hidden = false;
    showPane("contact");
  });
  // On a phone, hiding the contact goes back to its thread.
  $("contact-close").addEventListener("click", () => showPane("thread"));
}
