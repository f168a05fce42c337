/* A person's upcoming meetings as a list, each with Reschedule, Change duration and Cancel: the same
 * row in the widget (the guest's meetings) and the inbox (the open conversation's).
 *
 * Why here: both sides change meetings the same way, and a live update must redraw the list without
 * closing an editor the person is using. The list does no I/O of its own: the page passes how to
 * describe a meeting (in its viewer's zone), which lengths to offer, and what Save and Cancel do.
 * isMeetingFrame() tells which live events concern meetings by their payload, so no copy of the
 * engine's list of event names lives in the browser.
 */
import { calendarIcon, el } from "./dom.js";
import { formatDuration } from "./time.js";

const STRINGS = {
  meeting: "Meeting",
  reschedule: "Reschedule",
  changeDuration: "Change duration",
  cancel: "Cancel",
  newLength: "New length",
  save: "Save",
  cancelQuestion: "Cancel this meeting?",
  cancelYes: "Yes, cancel it",
  keep: "Keep it",
};

/** A live event about a meeting: the server names its category, or its payload carries one. */
export function isMeetingFrame(frame) {
  if (!frame || frame.type !== "event") return false;
  const data = frame.data || {};
  return frame.category === "meeting" || Boolean(data.meeting) || Boolean(data.meeting_id);
}

/** <option>s for meeting lengths in the viewer's language, the selected one marked. */
export function durationOptions(durations, selected, locale) {
  return durations.map((n) => el("option", { value: String(n), selected: n === selected }, formatDuration(n, locale)));
}

/** Lengths to offer for a meeting: what its agent allows, plus the meeting's own, in order. */
export const lengthsWith = (allowed, current) => [...new Set([...allowed, current])].sort((a, b) => a - b);

/**
 * prefix: test ids ("meeting" → meeting-reschedule, meeting-when, …); itemTestid: the row's own;
 * describe(m) → the "when" line; lengths(m) → Promise of allowed lengths; reschedule(m);
 * changeDuration(m, minutes) and cancel(m) → Promises (refused: rejected with an ApiError);
 * onError(error); strings merged over the defaults above (the widget passes its catalogue's);
 * locale for the lengths.
 */
export function meetingList({ prefix, itemTestid, describe, lengths, reschedule, changeDuration, cancel, onError = () => {}, strings, locale }) {
  const text = { ...STRINGS, ...(strings || {}) };
  const id = (name) => `${prefix}-${name}`;
  const state = { meetings: [], editing: null }; // editing: {id, kind: "duration" | "cancel", value?}
  const element = el("ul", { class: "meeting-list", testid: id("list"), hidden: true });

  function render(meetings) {
    if (meetings) state.meetings = meetings;
    if (state.editing && !state.meetings.some((m) => m.id === state.editing.id)) state.editing = null;
    element.replaceChildren(...state.meetings.map(row));
    element.hidden = state.meetings.length === 0;
  }

  function toggle(m, kind) {
    const open = state.editing && state.editing.id === m.id && state.editing.kind === kind;
    state.editing = open ? null : { id: m.id, kind };
    render();
  }

  function row(m) {
    const editing = state.editing && state.editing.id === m.id ? state.editing.kind : null;
    return el(
      "li",
      { class: "meeting-item", testid: itemTestid, "data-meeting-id": m.id },
      el("span", { class: "meeting-icon", title: text.meeting }, calendarIcon()),
      el(
        "div",
        { class: "meeting-body" },
        el("div", { class: "meeting-subject", testid: id("subject") }, m.subject),
        el("div", { class: "meeting-when", testid: id("when") }, describe(m)),
        el(
          "div",
          { class: "meeting-buttons" },
          el("button", { type: "button", class: "link", testid: id("reschedule"), onclick: () => reschedule(m) }, text.reschedule),
          el("button", { type: "button", class: "link", testid: id("duration"), onclick: () => toggle(m, "duration") }, text.changeDuration),
          el("button", { type: "button", class: "link danger", testid: id("cancel"), onclick: () => toggle(m, "cancel") }, text.cancel),
        ),
        editing === "duration" ? durationEditor(m) : null,
        editing === "cancel" ? cancelConfirm(m) : null,
      ),
    );
  }

  function durationEditor(m) {
    // Live updates redraw the list: the editor keeps the length picked so far.
    const picked = () => state.editing.value || m.duration;
    const select = el("select", { testid: id("duration-select"), onchange: () => (state.editing.value = Number(select.value)) });
    select.replaceChildren(...durationOptions(lengthsWith([picked()], m.duration), picked(), locale));
    lengths(m)
      .then((allowed) => select.replaceChildren(...durationOptions(lengthsWith(allowed, m.duration), picked(), locale)))
      .catch(() => {});
    const save = el("button", { type: "button", class: "primary small", testid: id("duration-save") }, text.save);
    save.addEventListener("click", () => run(save, () => changeDuration(m, Number(select.value))));
    return el("div", { class: "inline-editor" }, el("label", {}, text.newLength, " ", select), save);
  }

  function cancelConfirm(m) {
    const yes = el("button", { type: "button", class: "primary small danger", testid: id("cancel-confirm") }, text.cancelYes);
    yes.addEventListener("click", () => run(yes, () => cancel(m)));
    const keep = el("button", { type: "button", class: "link", testid: id("cancel-keep"), onclick: () => toggle(m, "cancel") }, text.keep);
    return el("div", { class: "inline-editor" }, el("span", {}, text.cancelQuestion), yes, keep);
  }

  async function run(button, request) {
    button.disabled = true;
    try {
      await request();
      state.editing = null;
      render();
    } catch (error) {
      button.disabled = false;
      onError(error);
    }
  }

  return {
    element,
    render,
    get meetings() {
      return state.meetings;
    },
    /** Forgets the meetings and any open editor (another conversation, signed out). */
    clear() {
      state.editing = null;
      render([]);
    },
  };
}
