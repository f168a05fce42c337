/* The English texts of what guests see; keys are grouped by surface, one section each. */
export default {
  // ---- widget ----
  "widget.title": "Chat with us",
  // ---- end of widget ----

  // ---- booking ----
  "booking.title": "Book a meeting",
  "booking.titleWith": "Book a meeting with {name}",
  "booking.length": "Length",
  "booking.where": "Video call or phone: the invitation by email has the details.",
  "booking.timeZone": "Time zone",
  "booking.zoneUnknown": "“{zone}” is not a time zone. Choose one from the list, like Europe/Berlin.",
  "booking.prevMonth": "Previous month",
  "booking.nextMonth": "Next month",
  "booking.dayOpen": "free times",
  "booking.dayClosed": "no free times",
  "booking.pickDay": "Choose a day",
  "booking.loading": "Loading…",
  "booking.noTimesMonth": "No free times in this month.",
  "booking.nextFree": "Next free times",
  "booking.confirmTitle": "Confirm your meeting",
  "booking.chooseTime": "Choose a time in the calendar.",
  "booking.chosen": "{when} – {end} ({zone})",
  "booking.name": "Your name",
  "booking.email": "Your email",
  "booking.emailHint": "The invitation is sent there.",
  "booking.subject": "Subject",
  "booking.note": "Anything to prepare? (optional)",
  "booking.confirm": "Confirm",
  "booking.badStart": "The start date \"{value}\" is not a date like 24.11.2026; showing every free time.",
  "booking.badEnd": "The end date \"{value}\" is not a date like 30.11.2026; showing every free time.",
  "booking.endBeforeStart": "The end date lies before the start date (or in the past): there is nothing to book in that range.",
  "booking.needName": "Please tell us your name.",
  "booking.needEmail": "Please give your email address: the invitation is sent there.",
  "booking.needSubject": "Please enter a subject.",
  "booking.taken": "That time was just taken. Please choose another one.",
  "booking.takenNext": "That time was just taken. The next free times: {times}. Choose one below.",
  "booking.sessionExpired": "Your session has expired; please enter your name again.",
  "booking.failed": "Could not book the meeting.",
  "booking.noPage": "There is no booking page at this address.",
  // ---- end of booking ----

  // ---- confirmation ----
  "confirmation.title": "You are booked",
  "confirmation.cancelledTitle": "This meeting was cancelled",
  "confirmation.bookedLine": "Booked: {subject} with {host}.",
  "confirmation.cancelledLine": "Cancelled: {subject} with {host}.",
  "confirmation.emailSent": "An invitation with a calendar file is on its way to your email.",
  "confirmation.noteFailed": "Your note could not be sent; you can write it in the conversation instead.",
  "confirmation.what": "What",
  "confirmation.with": "With",
  "confirmation.whenYours": "When (your time)",
  "confirmation.whenHost": "{name}’s time",
  "confirmation.where": "Where",
  "confirmation.addTitle": "Add to your calendar",
  "confirmation.icsFile": "Calendar file (.ics)",
  "confirmation.bookAgain": "Book a new time",
  // ---- end of confirmation ----

  // ---- manage ----
  "manage.title": "Need a change?",
  "manage.reschedule": "Reschedule",
  "manage.cancel": "Cancel meeting",
  "manage.cancelQuestion": "Cancel this meeting? The host is told at once.",
  "manage.reason": "Reason (optional)",
  "manage.cancelYes": "Yes, cancel it",
  "manage.keep": "Keep it",
  "manage.keepLink": "Keep this page’s address: it is your link to reschedule or cancel.",
  "manage.notFound": "This link does not open a meeting. Please use the link from your confirmation email.",
  "manage.rescheduleTitle": "Reschedule: {subject}",
  "manage.moveTitle": "Move your meeting",
  "manage.moveHere": "Move the meeting to this time",
  "manage.currently": "Now: {when}",
  "manage.moved": "Your meeting was moved.",
  // ---- end of manage ----

  // ---- attachments ----
  // ---- end of attachments ----

  // ---- presence ----
  // ---- end of presence ----
};
