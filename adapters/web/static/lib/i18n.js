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

/** A translator for `lang`: t(key, vars) → text. Loads the catalogue once. */
export async function translator(lang = pickLanguage()) {
  const catalogue = lang === "en" ? en : (await import(`../i18n/${lang}.js`)).default;
  const t = (key, vars) => fill(catalogue[key] ?? en[key] ?? key, vars);
  t.lang = lang;
  return t;
}
