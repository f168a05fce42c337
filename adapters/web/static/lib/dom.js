/* Building DOM without markup, for the widget (inside its Shadow DOM), the booking page and the inbox.
 *
 * Why: guests and agents type names, subjects and messages that end up on other people's screens.
 * Nothing here ever parses HTML: string children become text nodes, attributes are set one by one,
 * and a link may only point at http(s) or mailto. So user text is always text, wherever it is shown.
 */

const SAFE_URL = /^(https?:|mailto:|\/|#)/i;
const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction"]);

/** el("button", {class, testid, onclick, disabled: true, …}, "text", otherNode, [more], null) */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "testid") node.dataset.testid = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (URL_ATTRIBUTES.has(key) && !SAFE_URL.test(String(value))) continue; // no javascript: links
    else node.setAttribute(key, value === true ? "" : value);
  }
  return append(node, children);
}

/** Appends children the way el() does: strings as text, null and undefined skipped, arrays flattened. */
export function append(node, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
  return node;
}

/** Replaces a node's content with children (as text where they are strings). */
export function fill(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** Shows a message in a box that hides itself when the message is empty. */
export function say(node, text) {
  node.textContent = text || "";
  node.hidden = !text;
}

/** An SVG icon from one path: emoji fonts are missing on many machines. */
export function icon(className, d) {
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", className);
  const path = document.createElementNS(NS, "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}

export const calendarIcon = (className = "icon") =>
  icon(className, "M7 2h2v2h6V2h2v2h2a2 2 0 0 1 2 2v13a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2h2V2zM5 9v10h14V9H5zm2 2h4v4H7v-4z");

export const chatIcon = (className = "icon") =>
  icon(className, "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");

/** Marks one button of a group as chosen (aria-pressed), the others not. */
export function press(group, chosen) {
  for (const button of group) button.setAttribute("aria-pressed", String(button === chosen));
}

/** Enter sends, Shift+Enter is a new line: for the chat's and the inbox's text areas. */
export function submitOnEnter(textarea, form) {
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}
