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
  // ---- end of attachments ----

  // ---- presence ----
  // ---- end of presence ----
};
