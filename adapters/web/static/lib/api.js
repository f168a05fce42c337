/* Calling Convene's JSON API from the widget, the booking page and the inbox.
 *
 * One place knows the wire rules: the bearer token (never a cookie, so the widget works from any
 * website), JSON bodies, and refusals that carry a stable `code` and a sentence for people
 * (`slot_taken` also carries `alternatives`). Every failure becomes an ApiError: status 0 and code
 * "network" when the server cannot be reached, so callers can tell "retry later" from "refused".
 */

export class ApiError extends Error {
  constructor(message, status, code, data) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code || null;
    this.data = data || {};
  }
}

/**
 * A caller bound to a server and a token:
 *   const call = apiClient({ base: "https://convene.example", token: () => session?.token });
 *   const data = await call("POST", "/api/guest/meetings", body, { "Idempotency-Key": uuid() });
 * `token` is read on every call (sessions come and go); `base` "" means this page's own origin.
 */
export function apiClient({ base = "", token = () => null } = {}) {
  return async function call(method, path, body, extraHeaders) {
    const headers = { "Content-Type": "application/json", ...(extraHeaders || {}) };
    const bearer = token();
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    let response;
    try {
      response = await fetch(base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit", // tokens only: a cookie would make every embedding site a risk
      });
    } catch (_) {
      throw new ApiError("The server cannot be reached.", 0, "network");
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new ApiError(data.message || `Request failed (${response.status}).`, response.status, data.code, data);
    }
    return data;
  };
}

/** A random id for client_id and Idempotency-Key: the server stores a retried request once. */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // Pages served over plain http have no randomUUID; getRandomValues works everywhere.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Encodes one path segment: ids and slugs never change the path's shape. */
export const seg = (value) => encodeURIComponent(String(value));
