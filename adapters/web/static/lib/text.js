/* A message's text with its web addresses clickable, for the widget and the inbox alike.
 *
 * Why DOM nodes: messages come from other people. The text is split into text nodes and <a>
 * elements built one by one, never parsed as HTML, so `<img onerror=…>` stays letters on the screen.
 * Only http:, https: and mailto: addresses become links (a `javascript:` or `data:` address stays
 * text), each checked by the browser's own URL parser, and each opens in a new tab that cannot reach
 * back to this page (`noopener`) nor learn where it came from (`noreferrer`).
 */

const CANDIDATE = /\b(?:https?:\/\/|mailto:)[^\s<>"]+/gi;
const ALLOWED = new Set(["http:", "https:", "mailto:"]);
const TRAILING = /[.,;:!?'»”’]+$/; // "see https://a.example/x." ends the sentence, not the address

/** Drops what ends a sentence, and a closing bracket the address did not open. */
function trim(candidate) {
  let url = candidate.replace(TRAILING, "");
  for (const [open, close] of [["(", ")"], ["[", "]"]]) {
    while (url.endsWith(close) && url.split(open).length < url.split(close).length) {
      url = url.slice(0, -1).replace(TRAILING, "");
    }
  }
  return url;
}

/** The address as the browser reads it, if it is one we link; null otherwise. */
export function safeUrl(text) {
  try {
    const url = new URL(text);
    return ALLOWED.has(url.protocol) ? url.href : null;
  } catch (_) {
    return null;
  }
}

/** One link: the address shown as written, opening in a new tab that cannot reach this page. */
function link(text, href) {
  const a = document.createElement("a");
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.textContent = text;
  return a;
}

/** The text as a fragment of text nodes and links: append it where the text would go. */
export function richText(text) {
  const fragment = document.createDocumentFragment();
  const source = String(text ?? "");
  let done = 0;
  for (const match of source.matchAll(CANDIDATE)) {
    const written = trim(match[0]);
    const href = safeUrl(written);
    if (!href) continue;
    if (match.index > done) fragment.append(document.createTextNode(source.slice(done, match.index)));
    fragment.append(link(written, href));
    done = match.index + written.length;
  }
  if (done < source.length) fragment.append(document.createTextNode(source.slice(done)));
  return fragment;
}
