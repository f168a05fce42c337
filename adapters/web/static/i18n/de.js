/* The German texts of what guests see; keys are grouped by surface, one section each. */
export default {
  // ---- widget ----
  "widget.title": "Schreiben Sie uns",
  // ---- end of widget ----

  // ---- booking ----
  "booking.title": "Termin buchen",
  "booking.titleWith": "Termin mit {name} buchen",
  "booking.length": "Dauer",
  "booking.where": "Videoanruf oder Telefon: Die Einladung per E-Mail enthält die Einzelheiten.",
  "booking.timeZone": "Zeitzone",
  "booking.zoneUnknown": "„{zone}“ ist keine Zeitzone. Wählen Sie eine aus der Liste, etwa Europe/Berlin.",
  "booking.prevMonth": "Vorheriger Monat",
  "booking.nextMonth": "Nächster Monat",
  "booking.dayOpen": "freie Zeiten",
  "booking.dayClosed": "keine freien Zeiten",
  "booking.pickDay": "Wählen Sie einen Tag",
  "booking.loading": "Wird geladen …",
  "booking.noTimesMonth": "Keine freien Zeiten in diesem Monat.",
  "booking.nextFree": "Nächste freie Zeiten",
  "booking.confirmTitle": "Termin bestätigen",
  "booking.chooseTime": "Wählen Sie eine Zeit im Kalender.",
  "booking.chosen": "{when} – {end} ({zone})",
  "booking.name": "Ihr Name",
  "booking.email": "Ihre E-Mail-Adresse",
  "booking.emailHint": "Dorthin geht die Einladung.",
  "booking.subject": "Betreff",
  "booking.note": "Etwas vorzubereiten? (optional)",
  "booking.confirm": "Bestätigen",
  "booking.badStart": "Das Startdatum „{value}“ ist kein Datum wie 24.11.2026; alle freien Zeiten werden gezeigt.",
  "booking.badEnd": "Das Enddatum „{value}“ ist kein Datum wie 30.11.2026; alle freien Zeiten werden gezeigt.",
  "booking.endBeforeStart": "Das Enddatum liegt vor dem Startdatum (oder in der Vergangenheit): In diesem Zeitraum ist nichts buchbar.",
  "booking.needName": "Bitte nennen Sie Ihren Namen.",
  "booking.needEmail": "Bitte geben Sie Ihre E-Mail-Adresse an: Dorthin geht die Einladung.",
  "booking.needSubject": "Bitte geben Sie einen Betreff ein.",
  "booking.taken": "Diese Zeit wurde gerade vergeben. Bitte wählen Sie eine andere.",
  "booking.takenNext": "Diese Zeit wurde gerade vergeben. Die nächsten freien Zeiten: {times}. Wählen Sie unten eine aus.",
  "booking.sessionExpired": "Ihre Sitzung ist abgelaufen; bitte geben Sie Ihren Namen erneut ein.",
  "booking.failed": "Der Termin konnte nicht gebucht werden.",
  "booking.noPage": "Unter dieser Adresse gibt es keine Buchungsseite.",
  // ---- end of booking ----

  // ---- confirmation ----
  "confirmation.title": "Ihr Termin ist gebucht",
  "confirmation.cancelledTitle": "Dieser Termin wurde abgesagt",
  "confirmation.bookedLine": "Gebucht: {subject} mit {host}.",
  "confirmation.cancelledLine": "Abgesagt: {subject} mit {host}.",
  "confirmation.emailSent": "Eine Einladung mit Kalenderdatei ist an Ihre E-Mail-Adresse unterwegs.",
  "confirmation.noteFailed": "Ihre Notiz konnte nicht gesendet werden; Sie können sie im Gespräch schreiben.",
  "confirmation.what": "Was",
  "confirmation.with": "Mit",
  "confirmation.whenYours": "Wann (Ihre Zeit)",
  "confirmation.whenHost": "Zeit von {name}",
  "confirmation.where": "Wo",
  "confirmation.addTitle": "In Ihren Kalender eintragen",
  "confirmation.icsFile": "Kalenderdatei (.ics)",
  "confirmation.bookAgain": "Neuen Termin buchen",
  // ---- end of confirmation ----

  // ---- manage ----
  "manage.title": "Etwas ändern?",
  "manage.reschedule": "Verschieben",
  "manage.cancel": "Termin absagen",
  "manage.cancelQuestion": "Diesen Termin absagen? Ihr Gegenüber wird sofort benachrichtigt.",
  "manage.reason": "Grund (optional)",
  "manage.cancelYes": "Ja, absagen",
  "manage.keep": "Behalten",
  "manage.keepLink": "Bewahren Sie die Adresse dieser Seite auf: Mit ihr können Sie verschieben oder absagen.",
  "manage.notFound": "Dieser Link öffnet keinen Termin. Bitte nutzen Sie den Link aus Ihrer Bestätigungs-E-Mail.",
  "manage.rescheduleTitle": "Verschieben: {subject}",
  "manage.moveTitle": "Termin verschieben",
  "manage.moveHere": "Termin auf diese Zeit verschieben",
  "manage.currently": "Bisher: {when}",
  "manage.moved": "Ihr Termin wurde verschoben.",
  // ---- end of manage ----

  // ---- attachments ----
  // ---- end of attachments ----

  // ---- presence ----
  // ---- end of presence ----
};
