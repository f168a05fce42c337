/* Files in messages, for the widget and the inbox: sending one, and showing those a message carries
 * (a picture as a thumbnail that opens it, a PDF as a card with its name and size that downloads it).
 *
 * Files are fetched with the viewer's token in the Authorization header, never a cookie and never a
 * token in the URL (the widget lives on other people's sites), so what the page shows is a blob: URL
 * of bytes we fetched ourselves. The server decides what a file is and who may see it
 * (adapters/web/files.py); here we only check the size first, so nobody waits for a refusal.
 */
import { ApiError } from "./api.js";

export const MAX_BYTES = 10 * 1024 * 1024;
export const ACCEPT = "image/png,image/jpeg,image/gif,image/webp,application/pdf";

/** "512 KB", "3.4 MB" (the same rounding as the server's lines in Slack and Teams). */
export function humanSize(size, lang = "en") {
  const number = (value, digits) => new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value);
  if (size < 1024 * 1024) return `${number(Math.max(1, Math.round(size / 1024)), 0)} KB`;
  return `${number(size / (1024 * 1024), 1)} MB`;
}

/** A fetcher for file URLs ("/files/…"): base is the Convene host, token() the viewer's token. */
export function fileFetcher({ base = "", token }) {
  const cache = new Map(); // url → Promise of a blob: URL, so a thread redrawn fetches nothing twice
  return (url) => {
    if (!cache.has(url)) {
      const bearer = token();
      const loading = fetch(base + url, { headers: bearer ? { Authorization: `Bearer ${bearer}` } : {}, credentials: "omit" }).then((response) => {
        if (!response.ok) throw new ApiError(`The file could not be loaded (${response.status}).`, response.status);
        return response.blob().then((blob) => URL.createObjectURL(blob));
      });
      loading.catch(() => cache.delete(url)); // tried again next time
      cache.set(url, loading);
    }
    return cache.get(url);
  };
}

/** Sends a file as the raw body: path is the conversation's …/files endpoint. Resolves to {message}. */
export async function uploadFile({ base = "", token, path, file, params = {} }) {
  if (file.size > MAX_BYTES) throw new ApiError("The file is larger than 10 MB.", 413, "file_too_large");
  const query = new URLSearchParams({ name: file.name, ...params });
  let response;
  try {
    response = await fetch(`${base}${path}?${query}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token()}`, "Content-Type": "application/octet-stream" },
      body: file,
      credentials: "omit",
    });
  } catch (_) {
    throw new ApiError("The server cannot be reached.", 0, "network");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(data.message || `Request failed (${response.status}).`, response.status, data.code, data);
  return data;
}

/** Files pasted into the text box (a screenshot) or dropped on the area are sent like chosen ones. */
export function takeDroppedFiles({ area, input, send }) {
  const take = async (files) => {
    for (const file of files) await send(file);
  };
  input.addEventListener("paste", (event) => {
    const files = [...(event.clipboardData ? event.clipboardData.files : [])];
    if (!files.length) return; // text: pasted as usual
    event.preventDefault();
    take(files);
  });
  area.addEventListener("dragover", (event) => {
    if (event.dataTransfer && [...event.dataTransfer.types].includes("Files")) event.preventDefault();
  });
  area.addEventListener("drop", (event) => {
    const files = [...(event.dataTransfer ? event.dataTransfer.files : [])];
    if (!files.length) return;
    event.preventDefault();
    take(files);
  });
}

/** The sentence for a refused upload, in the viewer's language (t: lib/i18n.js), by the server's code. */
export function uploadError(error, t) {
  const known = { file_too_large: "attachments.too_large", file_type_not_allowed: "attachments.wrong_type", rate_limited: "attachments.too_many", network: "attachments.offline" };
  return known[error.code] ? t(known[error.code]) : error.message || t("attachments.failed");
}

function pictureThumb(file, load, t) {
  const img = document.createElement("img");
  img.alt = file.name;
  img.className = "thumb-image";
  img.dataset.testid = "attachment-image";
  const open = document.createElement("a");
  open.className = "attachment thumb";
  open.dataset.testid = "attachment-thumb";
  open.target = "_blank";
  open.rel = "noopener noreferrer";
  open.title = t("attachments.open", { name: file.name });
  open.setAttribute("aria-label", t("attachments.open", { name: file.name }));
  open.append(img);
  load(file.url).then(
    (href) => {
      img.src = href; // a blob: URL of bytes we fetched: a link to the picture itself
      open.href = href;
      open.dataset.loaded = "true";
    },
    () => open.classList.add("broken"),
  );
  return open;
}

function fileCard(file, load, t, lang) {
  const card = document.createElement("button");
  card.type = "button";
  card.className = "attachment file-card";
  card.dataset.testid = "attachment-file";
  card.setAttribute("aria-label", t("attachments.download", { name: file.name, size: humanSize(file.size, lang) }));
  const badge = document.createElement("span");
  badge.className = "file-kind";
  badge.setAttribute("aria-hidden", "true");
  badge.textContent = "PDF";
  const name = document.createElement("span");
  name.className = "file-name";
  name.textContent = file.name;
  const size = document.createElement("span");
  size.className = "file-size";
  size.textContent = humanSize(file.size, lang);
  const words = document.createElement("span");
  words.className = "file-words";
  words.append(name, size);
  card.append(badge, words);
  card.addEventListener("click", async () => {
    try {
      const href = await load(file.url);
      const a = document.createElement("a");
      a.href = href;
      a.download = file.name;
      a.rel = "noopener";
      card.after(a);
      a.click();
      a.remove();
    } catch (_) {
      card.classList.add("broken");
    }
  });
  return card;
}

/** The message's files as one element (null without files). load: fileFetcher(…); t: a translator. */
export function attachmentList(files, load, t) {
  if (!files || !files.length) return null;
  const box = document.createElement("div");
  box.className = "attachments";
  for (const file of files) {
    box.append(String(file.content_type).startsWith("image/") ? pictureThumb(file, load, t) : fileCard(file, load, t, t.lang));
  }
  return box;
}
