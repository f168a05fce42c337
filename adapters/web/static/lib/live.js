/* The live connection of the widget and the inbox: one WebSocket that comes back by itself.
 *
 * Why one module: a dropped connection must never lose or double a message, and the rules for that
 * are the same on both sides. The socket authenticates with its first frame (browsers cannot set an
 * Authorization header on a WebSocket), reconnects with exponential backoff and jitter (so a restarted
 * server is not hit by every browser at once), pings so half-open connections show up, and after
 * every (re)authentication calls onReady: the place to catch up by sequence number with
 * catchUpAfter(), since frames sent while the socket was down are gone.
 */

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 8000;
const PING_EVERY_MS = 25000;
export const UNAUTHORIZED = 4401; // the server's close code for a token it no longer accepts

export class LiveSocket {
  /**
   * url: ws(s)://…; hello(): the first frame ({token}); handlers: onState("connecting" | "online" |
   * "reconnecting"), onReady() after every "hello" from the server, onFrame(frame) for every other
   * frame, onUnauthorized() when the server refuses the token (the socket then stays closed).
   */
  constructor(url, hello, handlers) {
    this.url = url;
    this.hello = hello;
    this.handlers = handlers;
    this.ws = null;
    this.ready = false;
    this.attempt = 0;
    this.everConnected = false;
    this.timer = null;
    this.ping = null;
    this.stopped = true;
    this.now = this.now.bind(this);
    window.addEventListener("online", this.now);
    document.addEventListener("visibilitychange", () => document.hidden || this.now());
  }

  start() {
    this.stopped = false;
    if (!this.ws) this.open();
  }

  stop() {
    this.stopped = true;
    this.ready = false;
    clearTimeout(this.timer);
    this.timer = null;
    clearInterval(this.ping);
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close();
  }

  /** Skips the rest of a backoff wait (the network came back, the user acted). */
  now() {
    if (this.stopped || this.ws) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.open();
  }

  /** Sends a frame when authenticated; false otherwise (the caller keeps it for onReady). */
  send(frame) {
    if (!this.ready || !this.ws) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  open() {
    this.handlers.onState(this.everConnected ? "reconnecting" : "connecting");
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify(this.hello()));
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (_) {
        return;
      }
      if (this.ws !== ws) return;
      if (frame.type === "hello") {
        this.attempt = 0;
        this.everConnected = true;
        this.ready = true;
        this.handlers.onState("online");
        clearInterval(this.ping);
        this.ping = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('{"type":"ping"}'), PING_EVERY_MS);
        this.handlers.onReady();
      } else {
        this.handlers.onFrame(frame);
      }
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.ready = false;
      clearInterval(this.ping);
      if (event.code === UNAUTHORIZED) {
        this.stopped = true;
        this.handlers.onUnauthorized();
        return;
      }
      if (this.stopped) return;
      this.handlers.onState(this.everConnected ? "reconnecting" : "connecting");
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
      this.attempt += 1;
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.stopped && !this.ws) this.open();
      }, delay);
    };
  }
}

/** ws:// or wss:// for a path on an http(s) origin. */
export const socketUrl = (origin, path) => origin.replace(/^http/, "ws") + path;

/**
 * Every message after `after`, page by page: fetchPage(seq) → {messages}. Each one goes to
 * onMessage in order; returns the last seq seen. Frames and pages overlap: onMessage must ignore
 * messages it has shown already (by id).
 */
export async function catchUpAfter(after, fetchPage, onMessage, pageSize = 500) {
  let seq = after;
  for (;;) {
    const { messages } = await fetchPage(seq);
    for (const message of messages) {
      onMessage(message);
      seq = Math.max(seq, message.seq);
    }
    if (messages.length < pageSize) return seq;
  }
}
