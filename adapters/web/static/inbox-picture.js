/* The conversation's picture in the inbox: its avatar in the thread's header (and in list rows), and a
 * small dialog to choose or drop a PNG or JPEG, crop it square (zoom with a range, move by dragging or
 * with the arrow keys), upload it, replace it, or delete it after a confirmation.
 *
 * The crop is drawn on a <canvas> and uploaded as PNG; the server checks and redraws it anyway
 * (adapters/web/pictures.py), so the browser's work is only about what the agent sees. No inline
 * script, style or handler: colours and sizes go through the CSSOM, handlers through addEventListener.
 */
import { seg } from "./lib/api.js";
import { el } from "./lib/dom.js";

const SIDE = 256; // the uploaded square, in pixels
const MAX_ZOOM = 4;
const ACCEPT = ["image/png", "image/jpeg"];

const ctx = { token: () => null, onChanged: () => {} };
const state = { view: null, image: null, zoom: 1, x: 0, y: 0, drag: null };
const ui = {};

/** token(): the agent's bearer token; onChanged(): the header and the list are out of date. */
export function initPicture(options) {
  Object.assign(ctx, options);
}

/** The avatar of a conversation (or anything with {initials, color, url}): the picture, or initials. */
export function avatarNode(avatar, testid) {
  const a = avatar || {};
  if (a.url) return el("img", { class: "avatar", testid, src: a.url, alt: "" });
  const node = el("span", { class: "avatar", testid, "aria-hidden": "true" }, a.initials || "?");
  if (a.color) node.style.backgroundColor = a.color; // CSSOM: allowed by the page's CSP
  return node;
}

/** Called by inbox-thread.js whenever the open conversation's header is drawn. */
export function showPicture(view) {
  state.view = view;
  const slot = document.querySelector('[data-testid="conversation-avatar-slot"]');
  if (!slot) return;
  const button = el(
    "button",
    { type: "button", class: "avatar-button", testid: "conversation-avatar", "aria-label": "Conversation picture", onclick: openDialog },
    avatarNode(view.avatar, "conversation-avatar-image"),
  );
  slot.replaceChildren(button);
}

function build() {
  if (ui.dialog) return;
  ui.file = el("input", { type: "file", accept: ACCEPT.join(","), class: "visually-hidden", testid: "picture-file", id: "picture-file" });
  ui.file.addEventListener("change", () => ui.file.files[0] && load(ui.file.files[0]));
  ui.drop = el(
    "label",
    { class: "picture-drop", for: "picture-file", testid: "picture-drop" },
    "Choose a PNG or JPEG, or drop it here",
  );
  ui.drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    ui.drop.classList.add("over");
  });
  ui.drop.addEventListener("dragleave", () => ui.drop.classList.remove("over"));
  ui.drop.addEventListener("drop", (event) => {
    event.preventDefault();
    ui.drop.classList.remove("over");
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (file) load(file);
  });
  ui.canvas = el("canvas", {
    class: "picture-canvas",
    testid: "picture-canvas",
    width: String(SIDE),
    height: String(SIDE),
    tabindex: "0",
    role: "img",
    "aria-label": "Crop preview: drag or use the arrow keys to move",
  });
  ui.canvas.addEventListener("pointerdown", startDrag);
  ui.canvas.addEventListener("pointermove", moveDrag);
  ui.canvas.addEventListener("pointerup", endDrag);
  ui.canvas.addEventListener("pointercancel", endDrag);
  ui.canvas.addEventListener("keydown", onKey);
  ui.zoom = el("input", { type: "range", min: "1", max: String(MAX_ZOOM), step: "0.01", value: "1", testid: "picture-zoom", id: "picture-zoom" });
  ui.zoom.addEventListener("input", () => setZoom(Number(ui.zoom.value)));
  ui.editor = el(
    "div",
    { class: "picture-editor", testid: "picture-editor", hidden: true },
    ui.canvas,
    el("label", { for: "picture-zoom", class: "picture-zoom" }, "Zoom", ui.zoom),
  );
  ui.current = el("div", { class: "picture-current", testid: "picture-current" });
  ui.error = el("p", { class: "form-error", role: "alert", testid: "picture-error", hidden: true });
  ui.save = el("button", { type: "button", class: "primary", testid: "picture-save", disabled: true, onclick: upload }, "Save");
  ui.remove = el("button", { type: "button", class: "danger", testid: "picture-delete", onclick: askDelete }, "Delete");
  ui.confirm = el(
    "div",
    { class: "picture-confirm", testid: "picture-confirm", role: "alertdialog", "aria-label": "Delete the picture?", hidden: true },
    el("p", {}, "Delete the picture? The conversation goes back to its initials."),
    el("button", { type: "button", class: "danger", testid: "picture-delete-confirm", onclick: remove }, "Delete the picture"),
    el("button", { type: "button", testid: "picture-delete-keep", onclick: keep }, "Keep it"),
  );
  ui.dialog = el(
    "dialog",
    { class: "picture-dialog", testid: "picture-dialog", "aria-labelledby": "picture-dialog-title" },
    el("h3", { id: "picture-dialog-title" }, "Conversation picture"),
    ui.current,
    ui.file,
    ui.drop,
    ui.editor,
    ui.error,
    ui.confirm,
    el(
      "div",
      { class: "picture-actions" },
      ui.save,
      ui.remove,
      el("button", { type: "button", testid: "picture-close", onclick: () => ui.dialog.close() }, "Close"),
    ),
  );
  ui.dialog.addEventListener("close", reset);
  document.body.append(ui.dialog);
}

function openDialog() {
  build();
  reset();
  const has = Boolean(state.view && state.view.avatar && state.view.avatar.url);
  ui.current.replaceChildren(avatarNode(state.view && state.view.avatar, "picture-current-image"));
  ui.remove.hidden = !has;
  ui.drop.firstChild.textContent = has ? "Replace: choose a PNG or JPEG, or drop it here" : "Choose a PNG or JPEG, or drop it here";
  ui.dialog.showModal();
  ui.file.focus(); // the (visually hidden) file input: Enter or Space opens the picker
}

function reset() {
  if (state.image) state.image.close();
  Object.assign(state, { image: null, zoom: 1, x: 0, y: 0, drag: null });
  if (!ui.dialog) return;
  ui.file.value = "";
  ui.zoom.value = "1";
  ui.editor.hidden = true;
  ui.save.disabled = true;
  ui.confirm.hidden = true;
  showError(null);
}

function showError(text) {
  ui.error.hidden = !text;
  ui.error.textContent = text || "";
}

/** createImageBitmap, not an <img> with a blob: URL: the page's CSP allows images from itself only. */
async function load(file) {
  showError(null);
  if (!ACCEPT.includes(file.type)) return showError("Choose a PNG or JPEG picture.");
  let image;
  try {
    image = await createImageBitmap(file);
  } catch (_) {
    return showError("This file could not be read as a picture.");
  }
  if (state.image) state.image.close();
  state.image = image;
  state.zoom = 1;
  ui.zoom.value = "1";
  const s = scale();
  state.x = (SIDE - image.width * s) / 2; // centred
  state.y = (SIDE - image.height * s) / 2;
  ui.editor.hidden = false;
  ui.save.disabled = false;
  draw();
  ui.canvas.focus();
}

/** Pixels of the canvas per pixel of the picture: at zoom 1 the picture just covers the square. */
function scale() {
  const { width: w, height: h } = state.image;
  return Math.max(SIDE / w, SIDE / h) * state.zoom;
}

/** Keep the picture covering the whole square: no empty edge is ever uploaded. */
function clamp() {
  const s = scale();
  state.x = Math.min(0, Math.max(SIDE - state.image.width * s, state.x));
  state.y = Math.min(0, Math.max(SIDE - state.image.height * s, state.y));
}

function draw() {
  if (!state.image) return;
  clamp();
  const s = scale();
  const g = ui.canvas.getContext("2d");
  g.clearRect(0, 0, SIDE, SIDE);
  g.drawImage(state.image, state.x, state.y, state.image.width * s, state.image.height * s);
}

/** Zoom around the square's centre, so what the agent looks at stays put. */
function setZoom(zoom) {
  if (!state.image) return;
  const before = scale();
  state.zoom = Math.min(MAX_ZOOM, Math.max(1, zoom));
  const ratio = scale() / before;
  state.x = SIDE / 2 - (SIDE / 2 - state.x) * ratio;
  state.y = SIDE / 2 - (SIDE / 2 - state.y) * ratio;
  draw();
}

/** Canvas pixels per CSS pixel: the canvas may be drawn smaller than SIDE on a phone. */
const ratio = () => SIDE / (ui.canvas.getBoundingClientRect().width || SIDE);

function startDrag(event) {
  if (!state.image) return;
  state.drag = { px: event.clientX, py: event.clientY, x: state.x, y: state.y };
  ui.canvas.setPointerCapture(event.pointerId);
}

function moveDrag(event) {
  if (!state.drag) return;
  const r = ratio();
  state.x = state.drag.x + (event.clientX - state.drag.px) * r;
  state.y = state.drag.y + (event.clientY - state.drag.py) * r;
  draw();
}

function endDrag() {
  state.drag = null;
}

const KEYS = { ArrowLeft: [8, 0], ArrowRight: [-8, 0], ArrowUp: [0, 8], ArrowDown: [0, -8] };

function onKey(event) {
  if (!state.image) return;
  if (KEYS[event.key]) {
    // The arrow moves the crop window; the picture moves the other way.
    state.x += KEYS[event.key][0];
    state.y += KEYS[event.key][1];
    draw();
  } else if (event.key === "+" || event.key === "=") setZoom(state.zoom + 0.25);
  else if (event.key === "-") setZoom(state.zoom - 0.25);
  else return;
  ui.zoom.value = String(state.zoom);
  event.preventDefault();
}

async function send(method, body) {
  const headers = { Authorization: `Bearer ${ctx.token()}` };
  if (body) headers["Content-Type"] = "image/png";
  let response;
  try {
    response = await fetch(`/api/agent/conversations/${seg(state.view.id)}/picture`, { method, headers, body, credentials: "omit" });
  } catch (_) {
    throw new Error("The server cannot be reached.");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message || `Request failed (${response.status}).`);
  return data;
}

async function upload() {
  if (!state.image) return;
  ui.save.disabled = true;
  showError(null);
  try {
    const blob = await new Promise((resolve) => ui.canvas.toBlob(resolve, "image/png"));
    const data = await send("PUT", blob);
    changed(data.picture);
  } catch (error) {
    ui.save.disabled = false;
    showError(error.message);
  }
}

function askDelete() {
  ui.confirm.hidden = false;
  ui.confirm.querySelector('[data-testid="picture-delete-keep"]').focus();
}

function keep() {
  ui.confirm.hidden = true;
  ui.remove.focus();
}

async function remove() {
  showError(null);
  try {
    await send("DELETE");
    changed(null);
  } catch (error) {
    showError(error.message);
  }
}

function changed(url) {
  if (state.view) {
    state.view.avatar = { ...state.view.avatar, url };
    showPicture(state.view);
  }
  ui.dialog.close();
  ctx.onChanged();
  const button = document.querySelector('[data-testid="conversation-avatar"]');
  if (button) button.focus();
}
