/* How the widget looks on the embedding page: its colour and corner from the script tag's data-color
 * and data-position, and the few words that live in the stylesheet (a message's "sending…").
 *
 *   <script src=".../widget.js" data-service="sales" data-color="#0a7c4a" data-position="left"
 *           data-title="Talk to Acme" data-greeting="Hi! How can we help?" async></script>
 *
 * A colour the browser does not understand is ignored (the default stays). The text on the accent
 * is white or near-black, whichever reads better on it; where the accent itself would be too faint
 * as text on white (a pale yellow), links and names use the ink colour instead. Dark mode follows
 * prefers-color-scheme in widget.css.
 */

/** The embedding script's appearance attributes, as given (validated when applied). */
export function lookOf(script) {
  const data = script.dataset;
  return { title: data.title || "", greeting: data.greeting || "", color: data.color || "", position: data.position || "" };
}

/** WCAG relative luminance of an sRGB colour given as [r, g, b] in 0..255. */
function luminance([r, g, b]) {
  const lin = (c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

const contrast = (a, b) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

/** Any CSS colour → [r, g, b], through the browser's own parser (a canvas normalises it to #rrggbb). */
function rgbOf(color) {
  const ctx = document.createElement("canvas").getContext("2d");
  if (!ctx) return null;
  ctx.fillStyle = "#000";
  ctx.fillStyle = color;
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(ctx.fillStyle);
  return hex ? [1, 2, 3].map((i) => parseInt(hex[i], 16)) : null;
}

export function applyLook(shell, look, t) {
  if (look.position === "left") shell.classList.add("left");
  const color = look.color.trim();
  if (color && CSS.supports("color", color)) {
    const rgb = rgbOf(color);
    shell.style.setProperty("--accent", color);
    if (rgb) {
      const lum = luminance(rgb);
      const ink = contrast(lum, 1) >= contrast(lum, luminance([29, 36, 51])) ? "#fff" : "#1d2433";
      shell.style.setProperty("--accent-ink", ink);
      if (contrast(lum, 1) < 4.5) shell.style.setProperty("--accent-text", "#1d2433");
    }
  }
  // Words the stylesheet shows (CSS content), in the guest's language.
  shell.style.setProperty("--t-sending", JSON.stringify(t("widget.sending")));
  shell.style.setProperty("--t-not-sent", JSON.stringify(t("widget.notSent")));
}
