/* The German texts of what guests see; keys are grouped by surface, one section each. */
export default {
  // ---- widget ----
  "widget.title": "Schreiben Sie uns",
  "widget.open": "Chat öffnen",
  "widget.close": "Chat schließen",
  "widget.dialog": "Chat",
  "widget.connecting": "Verbinde…",
  "widget.reconnecting": "Verbinde erneut…",
  "widget.connected": "Verbunden",
  "widget.placeholder": "Nachricht schreiben…",
  "widget.messageLabel": "Ihre Nachricht",
  "widget.send": "Senden",
  "widget.lead": "Hallo! Sagen Sie uns, wer Sie sind, und wir antworten Ihnen gleich hier.",
  "widget.name": "Ihr Name",
  "widget.email": "E-Mail (optional, für Antworten, wenn Sie nicht da sind)",
  "widget.start": "Chat starten",
  "widget.startFailed": "Der Chat konnte nicht gestartet werden. Bitte versuchen Sie es erneut.",
  "widget.expired": "Ihre Chat-Sitzung ist abgelaufen. Bitte beginnen Sie neu.",
  "widget.continueToggle": "Ein früheres Gespräch fortsetzen",
  "widget.continueEmail": "Die E-Mail-Adresse, die Sie damals angegeben haben",
  "widget.continueSend": "Link zusenden",
  "widget.continueSent": "Wenn Sie uns mit dieser Adresse geschrieben haben, ist ein Link unterwegs. Er gilt einmal, 30 Minuten lang.",
  "widget.continueFailed": "Der Link konnte nicht gesendet werden. Bitte versuchen Sie es erneut.",
  "widget.notOpenHere": "Dieses Gespräch ist in diesem Browser nicht geöffnet. Setzen Sie es mit Ihrer E-Mail-Adresse fort.",
  "widget.linkExpired": "Dieser E-Mail-Link ist abgelaufen oder wurde schon benutzt.",
  "widget.schedule": "Termin vereinbaren",
  "widget.scheduleUnavailable": "Terminbuchung ist gerade nicht möglich. Bitte versuchen Sie es erneut.",
  "widget.sendFailed": "Diese Nachricht konnte nicht gesendet werden.",
  "widget.sending": "wird gesendet…",
  "widget.notSent": "nicht gesendet",
  "widget.seen": "Gesehen",
  "widget.newMessage": "Neue Nachricht",
  "widget.titleBlink": "({count}) Neue Nachricht",
  "widget.previewFrom": "Neue Nachricht von {name}",
  "widget.previewDismiss": "Ausblenden",
  "widget.announce": "{name}: {text}",
  "widget.toolbar": "Chat-Aktionen",
  // ---- end of widget ----

  // ---- booking ----
  // ---- end of booking ----

  // ---- confirmation ----
  // ---- end of confirmation ----

  // ---- manage ----
  // ---- end of manage ----

  // ---- attachments ----
  "attachments.attach": "Bild oder PDF anhängen",
  "attachments.emoji": "Emoji einfügen",
  "attachments.emoji_grid": "Emojis",
  "attachments.open": "Bild {name} öffnen",
  "attachments.download": "{name} herunterladen ({size})",
  "attachments.uploading": "{name} wird gesendet …",
  "attachments.too_large": "Diese Datei ist größer als 10 MB. Bitte senden Sie eine kleinere.",
  "attachments.wrong_type": "Es können nur Bilder (PNG, JPEG, GIF, WebP) und PDF-Dateien gesendet werden.",
  "attachments.too_many": "Sie haben viele Dateien gesendet. Bitte warten Sie etwas, bevor Sie weitere senden.",
  "attachments.offline": "Sie sind offline. Bitte versuchen Sie es erneut, sobald die Verbindung wieder steht.",
  "attachments.failed": "Die Datei konnte nicht gesendet werden. Bitte versuchen Sie es erneut.",
  "attachments.write_first": "Schreiben Sie zuerst eine Nachricht; danach können Sie Dateien anhängen.",
  // ---- end of attachments ----

  // ---- presence ----
  "presence.team": "Unser Team",
  "presence.replySoon": "Wir antworten meist innerhalb weniger Minuten",
  "presence.awayShort": "Wieder da {when}",
  "presence.awayShortUnknown": "Gerade nicht erreichbar",
  "presence.away": "Wir sind gerade nicht da. Wir sind {when} wieder erreichbar.",
  "presence.awayUnknown": "Wir sind gerade nicht da. Wir antworten so bald wie möglich.",
  "presence.today": "heute um {time}",
  "presence.tomorrow": "morgen um {time}",
  "presence.onDay": "{day} um {time}",
  "presence.emailAsk": "Hinterlassen Sie Ihre E-Mail-Adresse, dann erreicht Sie die Antwort auch per Mail.",
  "presence.emailIntro": "Geben Sie unten Ihre E-Mail-Adresse an, dann erreicht Sie die Antwort auch per Mail.",
  "presence.emailLabel": "Ihre E-Mail-Adresse",
  "presence.emailSend": "Benachrichtigen",
  "presence.emailSent": "Danke! Bitte bestätigen Sie {email} mit dem Link, den wir gerade gesendet haben.",
  "presence.emailFailed": "Die Adresse konnte nicht gespeichert werden. Bitte versuchen Sie es erneut.",
  "presence.emailKnown": "Wir senden die Antwort auch an {email}.",
  "presence.typing": "{name} schreibt…",
  // ---- end of presence ----
};
