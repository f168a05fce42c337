/* Scheduling inside the Convene widget: book a meeting, and reschedule, change the length of or
 * cancel the guest's upcoming ones. widget-app.js imports this module on first use and hands it its
 * plumbing (hooks); nothing here touches the host page. Times are shown in the guest's own zone;
 * how far ahead one may book comes from the server (lastBookableDay).
 */
import { seg, uuid } from "./lib/api.js";
import { el, say } from "./lib/dom.js";
import { durationOptions, isMeetingFrame, lengthsWith, meetingList } from "./lib/meetings.js";
import { isSlotTaken, slotPicker } from "./lib/slots.js";
import { formatSpan, lastBookableDay, viewerZone } from "./lib/time.js";

const PAGE_DAYS = 7; // one page of the slot picker

export function installBooking(w) {
  const { call, target, t } = w;
  const locale = t.locale; // dates, times and lengths in the widget's language, through Intl
  const zone = viewerZone();
  const when = (m) => formatSpan(m.start, m.end, zone, locale);
  const path = (kind, slug) => `/api/${kind}/${seg(slug)}`;
  const state = {
    mode: null, // {kind: "book", slotsPath} | {kind: "reschedule", meeting, slotsPath}
    meetingAgents: new Map(), // conversation id → agent slug, for notices outside the widget's thread
    foreign: [], // recent system messages of the guest's other conversations
    shown: new Set(), // message ids already shown as notices
    refreshTimer: null,
  };
  const infoCache = new Map();

  // ---- feedback and the guest's meetings (above the thread, in every view) ----------------------

  const errorBox = el("p", { class: "booking-error", testid: "booking-error", role: "alert", hidden: true });
  const confirmedBox = el("p", { class: "booking-confirmed", testid: "booking-confirmed", role: "status", hidden: true });
  const listTitle = el("div", { class: "meetings-title" }, t("widget.meetingsTitle"));
  const meetings = meetingList({
    prefix: "meeting",
    itemTestid: "meeting-item",
    describe: (m) => `${when(m)} · ${m.agent_name}`,
    lengths: (m) => agentInfo(m.agent).then((info) => info.durations),
    reschedule: (m) => openReschedule(m),
    changeDuration: (m, duration) => change(call("PATCH", `/api/guest/meetings/${seg(m.id)}`, { duration }), "widget.meetingChanged"),
    cancel: (m) => change(call("DELETE", `/api/guest/meetings/${seg(m.id)}`), "widget.meetingCancelled"),
    onError: (error) => showError(error.message || t("widget.meetingChangeFailed")),
    locale,
    strings: {
      meeting: t("widget.meeting"),
      reschedule: t("widget.meetingReschedule"),
      changeDuration: t("widget.meetingChangeDuration"),
      cancel: t("widget.meetingCancel"),
      newLength: t("widget.meetingNewLength"),
      save: t("widget.meetingSave"),
      cancelQuestion: t("widget.meetingCancelQuestion"),
      cancelYes: t("widget.meetingCancelYes"),
      keep: t("widget.meetingKeep"),
    },
  });
  w.meetingsHost.append(errorBox, confirmedBox, listTitle, meetings.element);

  function renderHost() {
    const none = meetings.meetings.length === 0;
    listTitle.hidden = none;
    w.meetingsHost.hidden = none && errorBox.hidden && confirmedBox.hidden;
  }

  function showError(text) {
    say(errorBox, text);
    if (text) confirmedBox.hidden = true;
    renderHost();
  }

  function showConfirmed(text) {
    say(confirmedBox, text);
    errorBox.hidden = true;
    renderHost();
  }

  async function change(request, key) {
    const { meeting } = await request;
    showConfirmed(t(key, { subject: meeting.subject, when: when(meeting) }));
    await refreshMeetings();
  }

  // ---- the scheduling view -------------------------------------------------------------------

  const heading = el("h3", { class: "booking-title", testid: "booking-title" });
  const closeButton = el("button", { type: "button", class: "link", testid: "booking-close", onclick: () => close() }, t("widget.bookingBack"));
  const nameInput = el("input", { testid: "booking-name", maxlength: "200", autocomplete: "name" });
  const emailInput = el("input", { testid: "booking-email", type: "email", maxlength: "320", autocomplete: "email" });
  const who = el("div", { class: "who" }, el("label", {}, t("widget.bookingName"), nameInput), el("label", {}, t("widget.bookingEmail"), emailInput));
  // A guest who chatted without an email is asked for one when they book: the invitation goes there.
  const askedEmailInput = el("input", { testid: "booking-email-required", type: "email", maxlength: "320", autocomplete: "email" });
  const emailAsk = el("label", { hidden: true }, t("widget.bookingEmailAsk"), askedEmailInput);
  const subjectInput = el("input", { testid: "booking-subject", maxlength: "300", placeholder: t("widget.bookingSubjectPlaceholder") });
  const subjectField = el("label", {}, t("widget.bookingSubject"), subjectInput);
  const durationSelect = el("select", { testid: "booking-duration", onchange: () => picker.reload() });
  const submitButton = el("button", { type: "submit", class: "primary", testid: "booking-submit", disabled: true }, t("widget.bookingSubmit"));
  const picker = slotPicker({
    timeZone: zone,
    days: PAGE_DAYS,
    fetchSlots: async (start, end) => {
      const query = new URLSearchParams({ start, end, duration: durationSelect.value, tz: zone });
      return (await call("GET", `${state.mode.slotsPath}?${query}`)).slots;
    },
    onChoose: (start) => (submitButton.disabled = !start),
    onError: (error) => showError(error.message || t("widget.bookingSlotsFailed")),
    locale,
    strings: {
      earlier: t("widget.bookingEarlier"),
      later: t("widget.bookingLater"),
      loading: t("widget.bookingLoading"),
      none: t("widget.bookingNoSlots"),
      nextFree: t("widget.bookingNextFree"),
      zone: (name) => t("widget.bookingZone", { zone: name }),
    },
    testids: { slot: "booking-slot", prev: "booking-prev", next: "booking-next", range: "booking-range", days: "booking-slots", alternatives: "booking-alternatives", none: "booking-no-slots" },
  });
  const form = el("form", { class: "booking-form", onsubmit: submit }, who, emailAsk, subjectField, el("label", {}, t("widget.bookingDuration"), durationSelect), picker.element, submitButton);
  w.bookingHost.append(el("div", { class: "booking-head" }, heading, closeButton), form);

  function agentInfo(slug) {
    if (!infoCache.has(slug)) {
      const pending = call("GET", `${path("agents", slug)}/booking`);
      infoCache.set(slug, pending);
      pending.catch(() => infoCache.delete(slug));
    }
    return infoCache.get(slug);
  }

  /** A service's lengths, default length and window: the engine's answer, as for an agent, so the
   * widget starts from the same default as the booking page, Slack, Teams and the API. */
  function serviceInfo(slug) {
    return call("GET", `${path("services", slug)}/booking`);
  }

  async function open() {
    heading.textContent = t("widget.schedule");
    submitButton.textContent = t("widget.bookingSubmit");
    subjectField.hidden = false;
    const slotsPath = target.agent ? `${path("agents", target.agent)}/slots` : `${path("services", target.service)}/slots`;
    await start({ kind: "book", slotsPath }, () => (target.agent ? agentInfo(target.agent) : serviceInfo(target.service)), null);
  }

  async function openReschedule(meeting) {
    heading.textContent = t("widget.rescheduleTitle", { subject: meeting.subject });
    submitButton.textContent = t("widget.rescheduleSubmit");
    subjectField.hidden = true;
    await start({ kind: "reschedule", meeting, slotsPath: `${path("agents", meeting.agent)}/slots` }, () => agentInfo(meeting.agent), meeting.duration);
  }

  async function start(mode, getInfo, duration) {
    state.mode = mode;
    showError("");
    confirmedBox.hidden = true;
    renderHost();
    who.hidden = Boolean(w.session());
    submitButton.disabled = true;
    durationSelect.replaceChildren();
    picker.hideAlternatives();
    picker.loading();
    w.showBooking(true);
    // Focus now, not after the slots arrive: by then the guest may be typing somewhere else.
    if (!who.hidden) nameInput.focus();
    else if (!subjectField.hidden) subjectInput.focus();
    let info;
    try {
      info = await getInfo();
    } catch (error) {
      picker.empty();
      showError(error.message || t("widget.scheduleUnavailable"));
      return;
    }
    const chosen = duration || info.default_duration;
    durationSelect.replaceChildren(...durationOptions(lengthsWith(info.durations, chosen), chosen, locale));
    picker.setLastDay(lastBookableDay(info, zone));
    await picker.open();
  }

  function close() {
    state.mode = null;
    w.showBooking(false);
  }

  async function submit(event) {
    event.preventDefault();
    const mode = state.mode;
    const chosen = picker.chosen;
    if (!mode || !chosen) return;
    const subject = subjectInput.value.trim();
    if (mode.kind === "book" && !subject) {
      showError(t("widget.bookingNeedSubject"));
      subjectInput.focus();
      return;
    }
    if (!w.session() && !nameInput.value.trim()) {
      showError(t("widget.bookingNeedName"));
      nameInput.focus();
      return;
    }
    if (mode.kind === "book" && !w.session() && !emailInput.value.trim()) {
      showError(t("widget.bookingNeedEmail"));
      emailInput.focus();
      return;
    }
    const duration = Number(durationSelect.value);
    submitButton.disabled = true;
    showError("");
    try {
      if (!w.session()) await w.startSession(nameInput.value.trim(), emailInput.value.trim());
      let answer;
      if (mode.kind === "book") {
        const body = { ...target, start: chosen, duration, subject, timezone: zone };
        if (!emailAsk.hidden && askedEmailInput.value.trim()) body.email = askedEmailInput.value.trim();
        // A fresh key per attempt: a retried request after a lost answer books once.
        answer = await call("POST", "/api/guest/meetings", body, { "Idempotency-Key": uuid() });
      } else {
        const body = { start: chosen };
        if (duration !== mode.meeting.duration) body.duration = duration;
        answer = await call("PATCH", `/api/guest/meetings/${seg(mode.meeting.id)}`, body);
      }
      const meeting = answer.meeting;
      emailAsk.hidden = true;
      learn(meeting);
      close();
      subjectInput.value = "";
      picker.hideAlternatives();
      showConfirmed(t(mode.kind === "book" ? "widget.booked" : "widget.moved", { subject: meeting.subject, when: when(meeting), name: meeting.agent_name }));
      refreshMeetings();
    } catch (error) {
      // The refusals the widget knows are said in the guest's language; others as the server puts them.
      const known = { slot_taken: "widget.bookingTaken", email_required: "widget.bookingNeedEmail" }[error.code];
      showError(known ? t(known) : error.message || t("widget.bookingFailed"));
      if (isSlotTaken(error)) picker.taken(error.data.alternatives);
      if (error.code === "email_required" || (error.data && error.data.field === "email")) {
        emailAsk.hidden = false;
        askedEmailInput.focus();
      }
    } finally {
      submitButton.disabled = !picker.chosen;
    }
  }

  // ---- the guest's upcoming meetings, live ----------------------------------------------------

  async function refreshMeetings() {
    if (!w.session()) {
      meetings.clear();
      renderHost();
      return;
    }
    try {
      const found = (await call("GET", "/api/guest/meetings")).meetings;
      found.forEach(learn);
      meetings.render(found);
      renderHost();
    } catch (_) {
      /* offline: the next meeting event or reconnect refreshes */
    }
  }

  function scheduleRefresh() {
    clearTimeout(state.refreshTimer);
    state.refreshTimer = setTimeout(refreshMeetings, 100);
  }

  /** A meeting may live in another of the guest's conversations than this widget's thread (one
   * booked from an agent's personal link while this widget is a service's): its notices are shown
   * here too, so the guest sees every change. The notice is posted in the same transaction as the
   * meeting event and delivered just before it, so the event picks it out of the recent ones. */
  function learn(meeting) {
    state.meetingAgents.set(meeting.conversation_id, meeting.agent);
  }

  function isThisThread(conversationId) {
    if (conversationId === w.conversationId()) return true;
    // An agent's widget shows that agent's conversation: widget-app.js picks it up by itself.
    return Boolean(target.agent) && state.meetingAgents.get(conversationId) === target.agent;
  }

  function foreignNotice(conversationId) {
    const index = state.foreign.findLastIndex((m) => m.conversation_id === conversationId);
    if (index < 0) return;
    const [message] = state.foreign.splice(index, 1);
    if (state.shown.has(message.id) || isThisThread(conversationId)) return;
    state.shown.add(message.id);
    w.notice(message.text);
  }

  w.onFrame((frame) => {
    if (frame.type === "hello") {
      refreshMeetings(); // whatever changed while we were away
    } else if (isMeetingFrame(frame)) {
      const data = frame.data || {};
      const agent = data.agent || (data.meeting && data.meeting.agent);
      if (agent) learn({ conversation_id: frame.conversation_id, agent });
      foreignNotice(frame.conversation_id);
      const session = w.session();
      const mine = data.by && session && data.by.kind === "guest" && data.by.id === session.guest_id;
      if (!mine) confirmedBox.hidden = true; // "Booked: …" would be stale after someone else's change
      renderHost();
      scheduleRefresh();
    } else if (frame.type === "message" && frame.message.author.kind === "system" && !isThisThread(frame.conversation_id)) {
      state.foreign = [...state.foreign.slice(-19), { ...frame.message, conversation_id: frame.conversation_id }];
    }
  });

  w.onSession((session) => {
    who.hidden = Boolean(session);
    refreshMeetings();
  });

  refreshMeetings();
  return { open };
}
