/* The inbox's plumbing: DOM building without markup, the agent API, and a reconnecting WebSocket. */

/** Builds an element; string children become text nodes, so user text can never become markup. */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "testid") node.dataset.testid = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export class ApiError extends Error {
  constructor(message, status, code, data) {
    super(message);
    this.status = status;
    this.code = code;
    this.data = data || {}; // e.g. slot_taken carries its alternatives
  }
}

/** Calls the agent API; throws ApiError (status 0 when the network is down). */
export async function api(token, method, path, body, extraHeaders) {
  const headers = { "Content-Type": "application/json", ...(extraHeaders || {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (_) {
    throw new ApiError("The server cannot be reached.", 0, "network");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(data.message || `HTTP ${response.status}`, response.status, data.code, data);
  return data;
}

/**
 * A WebSocket that authenticates with its first frame and comes back after any loss, with
 * exponential backoff. Callbacks: onState("connecting"|"online"|"reconnecting"), onReady()
 * after every (re)authentication — the place to catch up — onFrame(frame), onUnauthorized().
 */
export class LiveSocket {
  constructor(path, token, handlers) {
    this.url = location.origin.replace(/^http/, "ws") + path;
    this.token = token;
    this.handlers = handlers;
    this.ws = null;
    this.attempt = 0;
    this.everConnected = false;
    this.timer = null;
    this.stopped = false;
    window.addEventListener("online", () => this.now());
  }

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.ping);
    if (this.ws) this.ws.close();
    this.ws = null;
  }

  /** Skips the rest of a backoff wait (the network came back, the user acted). */
  now() {
    if (this.stopped || this.ws) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.open();
  }

  open() {
    this.handlers.onState(this.everConnected ? "reconnecting" : "connecting");
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ token: this.token }));
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (_) {
        return;
      }
      if (frame.type === "hello") {
        this.attempt = 0;
        this.everConnected = true;
        this.handlers.onState("online");
        // Half-open connections (a laptop lid closed) show up as missing pongs.
        this.ping = setInterval(() => ws.readyState === 1 && ws.send('{"type":"ping"}'), 25000);
        this.handlers.onReady();
      } else {
        this.handlers.onFrame(frame);
      }
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearInterval(this.ping);
      if (event.code === 4401) {
        this.stopped = true;
        this.handlers.onUnauthorized();
        return;
      }
      if (this.stopped) return;
      this.handlers.onState(this.everConnected ? "reconnecting" : "connecting");
      const delay = Math.min(8000, 500 * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
      this.attempt += 1;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.open();
      }, delay);
    };
  }
}
