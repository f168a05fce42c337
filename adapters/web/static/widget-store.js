/* What the widget keeps in the browser (its session, messages not yet acknowledged): localStorage,
 * which may be missing or full (private mode); then it lasts as long as the page. */

export function readJSON(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || "null");
  } catch (_) {
    return null;
  }
}

export function writeJSON(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch (_) {
    /* private mode: the session lasts as long as the page */
  }
}
