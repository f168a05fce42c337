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
  // ---- end of attachments ----

  // ---- presence ----
  // ---- end of presence ----
};
