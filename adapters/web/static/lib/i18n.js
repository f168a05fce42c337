/* Texts in the guest's language: one catalogue per language (/static/i18n/{lang}.js, a module whose
 * default export maps keys to texts), English and German to start. The language comes from the
 * embedding page's <html lang>, else the browser's languages; a key missing in a catalogue falls back
 * to English, and a key missing there shows as itself (a test catches those). Dates and times are
 * never in the catalogues: they go through Intl with the same locale (see lib/time.js).
 *
 * Catalogues are loaded with import() relative to this module, so the widget on another site loads
 * them from the Convene host like every other module.
 */
import en from "../i18n/en.js";

export const LANGUAGES = ["en", "de"];

/** The first supported language among the page's lang attribute and the browser's preferences. */
export function pickLanguage(doc = document, nav = navigator) {
  const wanted = [doc.documentElement.lang, ...(nav.languages || [nav.language])].filter(Boolean);
  for (const tag of wanted) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return "en";
}

/** Fill "{name}" placeholders from vars; anything else stays as written. */
export function fill(text, vars = {}) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** The browser's own tag for a language, for Intl ("en-GB" rather than "en": 24-hour times). */
export function localeFor(lang, nav = navigator) {
  return (nav.languages || [nav.language]).find((tag) => tag && tag.toLowerCase().split("-")[0] === lang) || lang;
}

/** A translator for `lang`: t(key, vars) → text, t.lang, and t.locale for Intl. Loads the catalogue once. */
export async function translator(lang = pickLanguage(), nav = navigator) {
  const catalogue = lang === "en" ? en : (await import(`../i18n/${lang}.js`)).default;
  const t = (key, vars) => fill(catalogue[key] ?? en[key] ?? key, vars);
  t.lang = lang;
  t.locale = localeFor(lang, nav);
  return t;
}

/** One of our own full pages (/c/…, /chat/…, /join/…, /invite/…) in the guest's language: ?lang=,
 * else the browser's (the page's own lang="en" is only the fallback). Sets <html lang>, fills every
 * [data-i18n] element (the <title> too) and returns the translator. */
export async function localisePage(doc = document, nav = navigator) {
  const asked = new URLSearchParams(doc.location ? doc.location.search : "").get("lang") || "";
  const t = await translator(pickLanguage({ documentElement: { lang: asked } }, nav), nav);
  doc.documentElement.lang = t.lang;
  for (const node of doc.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  return t;
}
