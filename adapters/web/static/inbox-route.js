/* Deep links into the inbox, in their one form (bot/links.py): /inbox/c/{conversation} and
 * /inbox/c/{conversation}/m/{message}. Older mails carry /inbox#c={id}, /inbox#{id} and
 * /inbox#conversation={id}: they still open. A link followed while signed out is remembered, so the
 * sign-in (one-time link or the email form) lands on it.
 */
const NEXT_KEY = "convene.inbox.next";
const DEEP = /^\/inbox\/c\/([A-Za-z0-9-]{1,64})(?:\/m\/([A-Za-z0-9-]{1,64}))?\/?$/;

/** The path of a conversation (and one of its messages) in the inbox. */
export function linkPath(conversation, message) {
  return `/inbox/c/${encodeURIComponent(conversation)}${message ? `/m/${encodeURIComponent(message)}` : ""}`;
}

/** Whether a path is a deep link (so a sign-in may lead there, and nowhere else). */
export const isDeepPath = (path) => typeof path === "string" && DEEP.test(path);

/** {conversation, message} the address names, in any of its forms; null for the plain inbox. */
export function readLink(where = location) {
  const found = DEEP.exec(where.pathname);
  if (found) return { conversation: found[1], message: found[2] || null };
  const hash = where.hash.slice(1);
  if (!hash) return null;
  const params = new URLSearchParams(hash);
  const id = params.get("c") || params.get("conversation") || (/^[A-Za-z0-9-]{1,64}$/.test(hash) ? hash : null);
  return id ? { conversation: id, message: null } : null;
}

/** The deep link being followed now, as a path (the old forms too), or "" for the plain inbox. */
export function currentDeepPath() {
  const link = readLink();
  return link ? linkPath(link.conversation, link.message) : "";
}

/** Signed out on a deep link: remembered for after the sign-in, in this browser (any tab). */
export function rememberForSignIn() {
  const path = currentDeepPath();
  if (path) localStorage.setItem(NEXT_KEY, path);
}

/** Where a completed sign-in goes: the link's own `next`, else the remembered one, else the inbox. */
export function afterSignIn(fromLink) {
  const remembered = localStorage.getItem(NEXT_KEY);
  localStorage.removeItem(NEXT_KEY);
  if (isDeepPath(fromLink)) return fromLink;
  return isDeepPath(remembered) ? remembered : "/inbox";
}
