/* The English texts of what guests see; keys are grouped by surface, one section each. */
export default {
  // ---- widget ----
  "widget.title": "Chat with us",
  // ---- end of widget ----

  // ---- booking ----
  // ---- end of booking ----

  // ---- confirmation ----
  // ---- end of confirmation ----

  // ---- manage ----
  // ---- end of manage ----

  // ---- attachments ----
  "attachments.attach": "Attach a picture or PDF",
  "attachments.emoji": "Insert an emoji",
  "attachments.emoji_grid": "Emoji",
  "attachments.open": "Open picture {name}",
  "attachments.download": "Download {name} ({size})",
  "attachments.uploading": "Sending {name}…",
  "attachments.too_large": "This file is larger than 10 MB. Please send a smaller one.",
  "attachments.wrong_type": "Only pictures (PNG, JPEG, GIF, WebP) and PDF files can be sent.",
  "attachments.too_many": "You have sent many files. Please wait a little before sending more.",
  "attachments.offline": "You are offline. Please try again when the connection is back.",
  "attachments.failed": "The file could not be sent. Please try again.",
  "attachments.write_first": "Write a message first; then you can attach files.",
  // ---- end of attachments ----

  // ---- presence ----
  // ---- end of presence ----
};
