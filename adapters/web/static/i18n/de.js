/* The German texts of what guests see; keys are grouped by surface, one section each. */
export default {
  // ---- widget ----
  "widget.title": "Schreiben Sie uns",
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
  // ---- end of presence ----
};
