/* The time-zone picker of the booking pages: the browser's zone by default, any IANA zone by typing
 * (an <input list> over Intl.supportedValuesOf("timeZone"), so the browser does the searching), the
 * choice remembered in localStorage for the next visit. A value that is not a zone is not applied:
 * the field says so and the page keeps its zone.
 */
import { el } from "./dom.js";
import { viewerZone } from "./time.js";

const KEY = "convene:timezone";

/** The zone's canonical IANA name ("europe/berlin" → "Europe/Berlin"), or null when it is none. */
export function canonicalZone(name) {
  if (!name) return null;
  try {
    return new Intl.DateTimeFormat("en", { timeZone: name }).resolvedOptions().timeZone;
  } catch (_) {
    return null;
  }
}

/** The zone to start with: the one chosen last time on this host, else the browser's. */
export function rememberedZone() {
  try {
    const saved = canonicalZone(localStorage.getItem(KEY));
    if (saved) return saved;
  } catch (_) {
    /* private mode */
  }
  return viewerZone();
}

function remember(zone) {
  try {
    localStorage.setItem(KEY, zone);
  } catch (_) {
    /* private mode: this visit only */
  }
}

function allZones(current) {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set([current, "UTC", ...zones])];
}

/** t: the translator; onChange(zone) when a valid other zone is chosen. */
export function zonePicker({ t, zone, onChange }) {
  const state = { zone };
  const list = el("datalist", { id: "zone-list" }, allZones(zone).map((name) => el("option", { value: name })));
  const input = el("input", {
    id: "zone-input",
    testid: "zone",
    class: "zone-input",
    list: "zone-list",
    value: zone,
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "zone-problem",
  });
  const problem = el("p", { id: "zone-problem", class: "field-problem", testid: "zone-problem", hidden: true });
  const element = el("div", { class: "zone-picker" }, el("label", { for: "zone-input" }, t("booking.timeZone")), input, list, problem);

  function apply() {
    const typed = input.value.trim();
    const value = canonicalZone(typed);
    if (value === state.zone) {
      problem.hidden = true;
      input.value = value;
      return;
    }
    if (!value) {
      problem.textContent = t("booking.zoneUnknown", { zone: typed });
      problem.hidden = false;
      input.setAttribute("aria-invalid", "true");
      return;
    }
    problem.hidden = true;
    input.removeAttribute("aria-invalid");
    state.zone = value;
    input.value = value;
    remember(value);
    onChange(value);
  }

  input.addEventListener("change", apply);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      apply();
    }
  });
  input.addEventListener("focus", () => input.select());
  return {
    element,
    get zone() {
      return state.zone;
    },
  };
}
