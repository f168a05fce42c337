/* Scheduling inside the Convene widget: book a meeting, and reschedule, change the length of or
 * cancel the guest's upcoming ones. widget.js loads this file on first use from the same host and
 * hands it its plumbing (hooks); nothing here touches the host page. Times are shown in the guest's
 * own time zone. User text is only ever set with textContent (the widget's el() makes text nodes).
 */
(() => {
  "use strict";

  const MEETING_EVENTS = new Set(["MeetingBooked", "MeetingRescheduled", "MeetingDurationChanged", "MeetingCancelled", "ReminderDue"]);
  const DAYS = 7; // one page of the slot picker
  const HORIZON_DAYS = 31; // the engine offers at most one month ahead

  function install(w) {
    const { api, el, uuid, target } = w;
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    const dayFormat = new Intl.DateTimeFormat(undefined, { timeZone: zone, weekday: "short", day: "numeric", month: "short" });
    const timeFormat = new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: "2-digit", minute: "2-digit" });
    const ymdFormat = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" });
    // Range labels are calendar dates, not instants: format them at UTC noon so no zone shifts them.
    const labelFormat = new Intl.DateTimeFormat(undefined, { timeZone: "UTC", weekday: "short", day: "numeric", month: "short" });

    const state = {
      mode: null, // {kind: "book"} | {kind: "reschedule", meeting}
      info: null, // {durations, default_duration}
      from: null, // first day shown, yyyy-mm-dd in the guest's zone
      chosen: null, // UTC ISO of the picked slot
      slotsVersion: 0,
      meetings: [],
      editing: null, // {id, kind: "duration" | "cancel"}: an inline editor open in the list
      meetingAgents: new Map(), // conversation id → agent slug, for notices outside the widget's thread
      foreign: [], // recent system messages of the guest's other conversations
      shown: new Set(), // message ids already shown as notices
      refreshTimer: null,
    };
    const infoCache = new Map();

    // ---- helpers -------------------------------------------------------------------------------

    const ymd = (date) => ymdFormat.format(date);
    function addDays(day, n) {
      const d = new Date(`${day}T12:00:00Z`);
      d.setUTCDate(d.getUTCDate() + n);
      return d.toISOString().slice(0, 10);
    }
    const label = (day) => labelFormat.format(new Date(`${day}T12:00:00Z`));
    const today = () => ymd(new Date());
    const when = (m) => `${dayFormat.format(new Date(m.start))}, ${timeFormat.format(new Date(m.start))}–${timeFormat.format(new Date(m.end))}`;
    const path = (kind, slug) => `/api/${kind}/${encodeURIComponent(slug)}`;

    function minutes(n) {
      return n % 60 === 0 && n >= 60 ? `${n / 60} h` : `${n} min`;
    }

    function durationOptions(durations, selected) {
      return durations.map((n) => el("option", { value: String(n), selected: n === selected }, minutes(n)));
    }

    // ---- feedback (above the thread, in every view) -----------------------------------------------

    const errorBox = el("p", { class: "booking-error", testid: "booking-error", role: "alert", hidden: true });
    const confirmedBox = el("p", { class: "booking-confirmed", testid: "booking-confirmed", role: "status", hidden: true });
    const meetingList = el("ul", { class: "meeting-list", testid: "meeting-list" });
    const listTitle = el("div", { class: "meetings-title" }, "Your upcoming meetings");
    w.meetingsHost.append(errorBox, confirmedBox, listTitle, meetingList);

    function renderHost() {
      listTitle.hidden = state.meetings.length === 0;
      meetingList.hidden = state.meetings.length === 0;
      w.meetingsHost.hidden = state.meetings.length === 0 && errorBox.hidden && confirmedBox.hidden;
    }

    function showError(text) {
      errorBox.textContent = text || "";
      errorBox.hidden = !text;
      if (text) confirmedBox.hidden = true;
      renderHost();
    }

    function showConfirmed(text) {
      confirmedBox.textContent = text;
      confirmedBox.hidden = false;
      errorBox.hidden = true;
      renderHost();
    }

    // ---- the scheduling view -----------------------------------------------------------------------

    const heading = el("h3", { class: "booking-title", testid: "booking-title" });
    const closeButton = el("button", { type: "button", class: "link", testid: "booking-close", onclick: () => close() }, "Back to chat");
    const nameInput = el("input", { testid: "booking-name", maxlength: "200", autocomplete: "name" });
    const emailInput = el("input", { testid: "booking-email", type: "email", maxlength: "320", autocomplete: "email" });
    const who = el("div", { class: "who" }, el("label", {}, "Your name", nameInput), el("label", {}, "Email (for the invitation)", emailInput));
    const subjectInput = el("input", { testid: "booking-subject", maxlength: "300", placeholder: "What would you like to talk about?" });
    const subjectField = el("label", {}, "Subject", subjectInput);
    const durationSelect = el("select", { testid: "booking-duration", onchange: () => loadSlots() });
    const prevButton = el("button", { type: "button", class: "nav", testid: "booking-prev", "aria-label": "Earlier days", onclick: () => page(-1) }, "‹");
    const nextButton = el("button", { type: "button", class: "nav", testid: "booking-next", "aria-label": "Later days", onclick: () => page(1) }, "›");
    const rangeLabel = el("span", { class: "range", testid: "booking-range" });
    const slotsBox = el("div", { class: "slots", testid: "booking-slots" });
    const alternativesBox = el("div", { class: "alternatives", testid: "booking-alternatives", hidden: true });
    const submitButton = el("button", { type: "submit", class: "primary", testid: "booking-submit", disabled: true }, "Schedule");
    const form = el(
      "form",
      { class: "booking-form", onsubmit: submit },
      who,
      subjectField,
      el("label", {}, "Duration", durationSelect),
      el("div", { class: "range-bar" }, prevButton, rangeLabel, nextButton),
      el("p", { class: "zone" }, `Times in your time zone (${zone})`),
      alternativesBox,
      slotsBox,
      submitButton,
    );
    w.bookingHost.append(el("div", { class: "booking-head" }, heading, closeButton), form);

    async function agentInfo(slug) {
      if (!infoCache.has(slug)) {
        const pending = api("GET", `${path("agents", slug)}/booking`);
        infoCache.set(slug, pending);
        pending.catch(() => infoCache.delete(slug));
      }
      return infoCache.get(slug);
    }

    /** A service has no booking-info endpoint: learn its members from a month of slots, then
     * offer every length any of them accepts. */
    async function serviceInfo(slug) {
      const start = today();
      const query = new URLSearchParams({ start, end: addDays(start, HORIZON_DAYS), duration: "30", tz: zone });
      try {
        const { slots } = await api("GET", `${path("services", slug)}/slots?${query}`);
        const members = [...new Set(slots.flatMap((s) => s.members || []))];
        const infos = await Promise.all(members.map((m) => agentInfo(m).catch(() => null)));
        const durations = [...new Set(infos.flatMap((i) => (i ? i.durations : [])))].sort((a, b) => a - b);
        if (durations.length) return { durations, default_duration: durations.includes(30) ? 30 : durations[0] };
      } catch (_) {
        /* nobody offers 30 minutes, or nobody is free: 30 it is, and the slot list says why */
      }
      return { durations: [30], default_duration: 30 };
    }

    async function open() {
      state.mode = { kind: "book" };
      heading.textContent = "Schedule a meeting";
      submitButton.textContent = "Schedule";
      subjectField.hidden = false;
      await start(() => (target.agent ? agentInfo(target.agent) : serviceInfo(target.service)), null);
    }

    async function openReschedule(meeting) {
      state.mode = { kind: "reschedule", meeting };
      heading.textContent = `Reschedule: ${meeting.subject}`;
      submitButton.textContent = "Move meeting";
      subjectField.hidden = true;
      await start(() => agentInfo(meeting.agent), meeting.duration);
    }

    async function start(getInfo, duration) {
      showError("");
      confirmedBox.hidden = true;
      renderHost();
      who.hidden = Boolean(w.session());
      state.from = today();
      state.chosen = null;
      alternativesBox.hidden = true;
      slotsBox.replaceChildren(el("p", { class: "muted" }, "Loading…"));
      durationSelect.replaceChildren();
      w.showBooking(true);
      // Focus now, not after the slots arrive: by then the guest may be typing somewhere else.
      if (!who.hidden) nameInput.focus();
      else if (!subjectField.hidden) subjectInput.focus();
      try {
        state.info = await getInfo();
      } catch (error) {
        slotsBox.replaceChildren();
        showError(error.message || "Scheduling is not available right now.");
        return;
      }
      const chosen = duration || state.info.default_duration;
      const durations = state.info.durations.includes(chosen) ? state.info.durations : [...state.info.durations, chosen].sort((a, b) => a - b);
      durationSelect.replaceChildren(...durationOptions(durations, chosen));
      await loadSlots();
    }

    function close() {
      state.mode = null;
      w.showBooking(false);
    }

    function page(direction) {
      state.from = addDays(state.from, direction * DAYS);
      if (state.from < today()) state.from = today();
      loadSlots();
    }

    function slotsPath() {
      const mode = state.mode;
      if (mode.kind === "reschedule") return `${path("agents", mode.meeting.agent)}/slots`;
      return target.agent ? `${path("agents", target.agent)}/slots` : `${path("services", target.service)}/slots`;
    }

    async function loadSlots() {
      if (!state.mode) return;
      const version = ++state.slotsVersion;
      const end = addDays(state.from, DAYS - 1);
      rangeLabel.textContent = `${label(state.from)} – ${label(end)}`;
      prevButton.disabled = state.from <= today();
      nextButton.disabled = addDays(state.from, DAYS) > addDays(today(), HORIZON_DAYS);
      state.chosen = null;
      submitButton.disabled = true;
      const query = new URLSearchParams({ start: state.from, end, duration: durationSelect.value, tz: zone });
      try {
        const { slots } = await api("GET", `${slotsPath()}?${query}`);
        if (version !== state.slotsVersion) return; // a newer page or duration answers instead
        renderSlots(slots.map((s) => s.start));
      } catch (error) {
        if (version !== state.slotsVersion) return;
        slotsBox.replaceChildren();
        showError(error.message || "Could not load the free times.");
      }
    }

    function slotButton(start) {
      return el(
        "button",
        { type: "button", class: "slot", testid: "booking-slot", "data-start": start, "aria-pressed": "false", onclick: (e) => choose(e.currentTarget) },
        timeFormat.format(new Date(start)),
      );
    }

    function renderSlots(starts) {
      if (!starts.length) {
        slotsBox.replaceChildren(el("p", { class: "muted", testid: "booking-no-slots" }, "No free times on these days. Try later days."));
        return;
      }
      const days = new Map();
      for (const start of starts) {
        const key = ymd(new Date(start));
        if (!days.has(key)) days.set(key, []);
        days.get(key).push(start);
      }
      slotsBox.replaceChildren(
        ...[...days.values()].map((day) =>
          el("div", { class: "day" }, el("div", { class: "day-name" }, dayFormat.format(new Date(day[0]))), el("div", { class: "day-slots" }, day.map(slotButton))),
        ),
      );
    }

    function choose(button) {
      for (const other of w.bookingHost.querySelectorAll('[data-testid="booking-slot"]')) other.setAttribute("aria-pressed", "false");
      button.setAttribute("aria-pressed", "true");
      state.chosen = button.dataset.start;
      submitButton.disabled = false;
    }

    function showAlternatives(starts) {
      alternativesBox.replaceChildren(el("div", { class: "day-name" }, "Next free times"), el("div", { class: "day-slots" }, starts.map(slotButton)));
      alternativesBox.hidden = starts.length === 0;
      if (starts.length) alternativesBox.scrollIntoView({ block: "nearest" });
    }

    async function submit(event) {
      event.preventDefault();
      if (!state.mode || !state.chosen) return;
      const mode = state.mode;
      const subject = subjectInput.value.trim();
      if (mode.kind === "book" && !subject) {
        showError("Please enter a subject.");
        subjectInput.focus();
        return;
      }
      if (!w.session() && !nameInput.value.trim()) {
        showError("Please tell us your name.");
        nameInput.focus();
        return;
      }
      const duration = Number(durationSelect.value);
      submitButton.disabled = true;
      showError("");
      try {
        if (!w.session()) await w.startSession(nameInput.value.trim(), emailInput.value.trim());
        let answer;
        if (mode.kind === "book") {
          const body = { ...target, start: state.chosen, duration, subject, timezone: zone };
          // A fresh key per attempt: a retried request after a lost answer books once.
          answer = await api("POST", "/api/guest/meetings", body, { "Idempotency-Key": uuid() });
        } else {
          const body = { start: state.chosen };
          if (duration !== mode.meeting.duration) body.duration = duration;
          answer = await api("PATCH", `/api/guest/meetings/${encodeURIComponent(mode.meeting.id)}`, body);
        }
        const meeting = answer.meeting;
        learn(meeting);
        close();
        subjectInput.value = "";
        alternativesBox.hidden = true;
        showConfirmed(`${mode.kind === "book" ? "Booked" : "Moved"}: ${meeting.subject}, ${when(meeting)} with ${meeting.agent_name}.`);
        refreshMeetings();
      } catch (error) {
        showError(error.message || "Could not schedule the meeting.");
        if (error.code === "slot_taken") {
          showAlternatives((error.data && error.data.alternatives) || []);
          loadSlots();
        }
      } finally {
        submitButton.disabled = !state.chosen;
      }
    }

    // ---- the guest's upcoming meetings -------------------------------------------------------------

    async function refreshMeetings() {
      if (!w.session()) {
        state.meetings = [];
        renderMeetings();
        return;
      }
      try {
        const { meetings } = await api("GET", "/api/guest/meetings");
        state.meetings = meetings;
        meetings.forEach(learn);
        renderMeetings();
      } catch (_) {
        /* offline: the next meeting event or reconnect refreshes */
      }
    }

    function scheduleRefresh() {
      clearTimeout(state.refreshTimer);
      state.refreshTimer = setTimeout(refreshMeetings, 100);
    }

    function renderMeetings() {
      if (state.editing && !state.meetings.some((m) => m.id === state.editing.id)) state.editing = null;
      meetingList.replaceChildren(...state.meetings.map(meetingItem));
      renderHost();
    }

    function meetingItem(m) {
      const editing = state.editing && state.editing.id === m.id ? state.editing.kind : null;
      const toggleEditor = (kind) => {
        state.editing = editing === kind ? null : { id: m.id, kind };
        renderMeetings();
      };
      return el(
        "li",
        { class: "meeting-item", testid: "meeting-item", "data-meeting-id": m.id },
        el("span", { class: "meeting-icon", title: "Meeting" }, w.icon()),
        el(
          "div",
          { class: "meeting-body" },
          el("div", { class: "meeting-subject", testid: "meeting-subject" }, m.subject),
          el("div", { class: "meeting-when", testid: "meeting-when" }, `${when(m)} · ${m.agent_name}`),
          el(
            "div",
            { class: "meeting-buttons" },
            el("button", { type: "button", class: "link", testid: "meeting-reschedule", onclick: () => openReschedule(m) }, "Reschedule"),
            el("button", { type: "button", class: "link", testid: "meeting-duration", onclick: () => toggleEditor("duration") }, "Change duration"),
            el("button", { type: "button", class: "link danger", testid: "meeting-cancel", onclick: () => toggleEditor("cancel") }, "Cancel"),
          ),
          editing === "duration" ? durationEditor(m) : null,
          editing === "cancel" ? cancelConfirm(m) : null,
        ),
      );
    }

    function durationEditor(m) {
      // Live updates redraw the list: the editor keeps the length picked so far.
      const picked = () => state.editing.value || m.duration;
      const select = el("select", { testid: "meeting-duration-select", onchange: () => (state.editing.value = Number(select.value)) });
      select.replaceChildren(...durationOptions([...new Set([m.duration, picked()])], picked()));
      const save = el("button", { type: "button", class: "primary small", testid: "meeting-duration-save" }, "Save");
      agentInfo(m.agent)
        .then((info) => {
          const durations = [...new Set([...info.durations, m.duration])].sort((a, b) => a - b);
          select.replaceChildren(...durationOptions(durations, picked()));
        })
        .catch(() => {});
      save.addEventListener("click", () =>
        change(m, save, () => api("PATCH", `/api/guest/meetings/${encodeURIComponent(m.id)}`, { duration: Number(select.value) }), "Changed"),
      );
      return el("div", { class: "inline-editor" }, el("label", {}, "New length ", select), save);
    }

    function cancelConfirm(m) {
      const yes = el("button", { type: "button", class: "primary small danger", testid: "meeting-cancel-confirm" }, "Yes, cancel it");
      yes.addEventListener("click", () =>
        change(m, yes, () => api("DELETE", `/api/guest/meetings/${encodeURIComponent(m.id)}`), "Cancelled"),
      );
      const no = el("button", { type: "button", class: "link", testid: "meeting-cancel-keep", onclick: () => ((state.editing = null), renderMeetings()) }, "Keep it");
      return el("div", { class: "inline-editor" }, el("span", {}, "Cancel this meeting?"), yes, no);
    }

    async function change(m, button, request, verb) {
      button.disabled = true;
      try {
        const { meeting } = await request();
        state.editing = null;
        showConfirmed(`${verb}: ${meeting.subject}, ${when(meeting)}.`);
        await refreshMeetings();
      } catch (error) {
        button.disabled = false;
        showError(error.message || "Could not change the meeting.");
      }
    }

    // ---- live ----------------------------------------------------------------------------------------

    /** A meeting may live in another of the guest's conversations than this widget's thread (one
     * booked from an agent's personal link while this widget is a service's): its notices are shown
     * here too, so the guest sees every change. The notice is posted in the same transaction as the
     * meeting event and delivered just before it, so the event picks it out of the recent ones. */
    function learn(meeting) {
      state.meetingAgents.set(meeting.conversation_id, meeting.agent);
    }

    function isThisThread(conversationId) {
      if (conversationId === w.conversationId()) return true;
      // An agent's widget shows that agent's conversation: widget.js picks it up by itself.
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
      } else if (frame.type === "event" && MEETING_EVENTS.has(frame.event)) {
        const data = frame.data || {};
        if (data.agent) learn({ conversation_id: frame.conversation_id, agent: data.agent });
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
      if (session) refreshMeetings();
      else {
        state.meetings = [];
        renderMeetings();
      }
    });

    refreshMeetings();
    return { open };
  }

  window.Convene = window.Convene || {};
  window.Convene.installBooking = install;
})();
