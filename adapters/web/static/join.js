/* /join/{token}: a person gives a name and an email and joins a conversation available by link.
 *
 * A browser that already has a guest session (the widget's, same localStorage key) joins with it;
 * otherwise a new guest session is made from the form. Then the conversation's page opens (/c/{id}).
 */
import { apiClient } from "./lib/api.js";
import { localisePage } from "./lib/i18n.js";

const t = await localisePage();
const SESSION_KEY = `convene:${location.origin}:session`;
const linkToken = decodeURIComponent(location.pathname.split("/")[2] || "");
const form = document.getElementById("form");
const error = document.getElementById("error");

function readSession() {
  try {
    return JSON.parse(localStorage.getItem(SESSION_KEY) || "null");
  } catch (_) {
    return null;
  }
}

let session = readSession();
const call = apiClient({ base: location.origin, token: () => session && session.token });

function show(text) {
  error.textContent = text || "";
  error.hidden = !text;
}

async function join() {
  const joined = await call("POST", "/api/guest/join", { link_token: linkToken });
  location.assign(`/c/${encodeURIComponent(joined.conversation.id)}`);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  show("");
  const name = document.getElementById("name").value.trim();
  const email = document.getElementById("email").value.trim();
  if (!name || !email) return show(t("widget.joinNeedBoth"));
  try {
    const created = await call("POST", "/api/guest/sessions", { name, email });
    session = { token: created.token, guest_id: created.guest_id, name: created.name };
    localStorage.setItem(SESSION_KEY, JSON.stringify(session));
    await join();
  } catch (failure) {
    show(failure.message || t("widget.joinFailed"));
  }
});

// Already a guest in this browser: join with that session; a refusal is shown, the form stays.
if (session) {
  join().catch((failure) => {
    if (failure.status === 401) session = null; // an ended session: the form makes a new one
    else show(failure.message);
  });
}
